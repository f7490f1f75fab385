import BaculaWire
import Logging
import Net
import StorageProtocol

/// The write job of a Copy or Migrate reaches the SD that serves its read job (this daemon or another) as a client:
/// connects to the address of `storage address=`, says `Hello Bacula SD: Start Job <read job> 214 306`, runs CRAM-MD5
/// both ways with the read job's key (as that job's File daemon would), and on the Director's `run` appends the
/// records the peer streams (`FileDaemonSession.runPeerWriter`).
enum StoragePeerLink {
    static func run(
        job: StorageJob, peer: StoragePeerCommand, daemon: StorageDaemon, director: DirectorSession,
        start: AsyncStream<Bool>, logger: Logger
    ) async {
        var logger = logger
        logger[metadataKey: "peer"] = "\(peer.address):\(peer.port)"
        var authenticated = false
        // TLS on this link follows the Storage resource's TLS directives (this SD is the TLS client); the `ssl=`
        // the Director passes only says what it expects, the negotiation with the peer decides (spec §2.7).
        let tls = (try? daemon.tlsSetup.get())?.peerClient ?? .none
        do {
            try await BsockClient.withConnection(host: peer.address, port: Int(peer.port), options: daemon.options) { sd in
                let hello = FileDaemonHelloToStorageDaemon(jobName: peer.job, fileDaemonVersion: 214, storageVersion: 306)
                try await sd.authenticateAsConnector(
                    hello: hello.bytes, key: .jobKey(peer.authentication), challengeName: daemon.configuration.storage.name,
                    tls: tls, host: peer.address)
                authenticated = true
                logger.info("connected to the peer Storage daemon for read job \(peer.job)")
                await director.storagePeerConnected(true)
                var starts = start.makeAsyncIterator()
                guard await starts.next() == true else {
                    logger.info("the write job ended before run; closing the peer link")
                    return
                }
                await FileDaemonSession(connection: sd, daemon: daemon, logger: logger).runPeerWriter(job: job)
            }
        } catch {
            logger.error("peer Storage daemon link failed: \(error)")
            if !authenticated {
                await director.message(.fatal, "Failed to connect to Storage daemon \(peer.address):\(peer.port): \(error)")
                await director.storagePeerConnected(false)
            }
        }
    }
}
