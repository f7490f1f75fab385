#if canImport(Glibc)
import Glibc
#endif
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
        if isLocal(peer, daemon: daemon, tls: tls) {
            await runLocal(job: job, peer: peer, daemon: daemon, director: director, start: start, logger: logger)
            return
        }
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

    /// The read job is one of this daemon's, waiting for its client with the key the Director passed, and neither
    /// side would negotiate TLS: the two jobs are linked in memory instead of through a loopback socket. What the
    /// Director sees does not change (the same `2000 OK storage`, job messages and end reports); only the SD-to-SD
    /// link is not a socket. false: connect by TCP.
    static func isLocal(_ peer: StoragePeerCommand, daemon: StorageDaemon, tls: TLSSettings) -> Bool {
        guard !tcpOnly, tls.need == TLSNeed.none,
            ((try? daemon.tlsSetup.get())?.fileDaemons.need ?? TLSNeed.none) == TLSNeed.none,
            let key = daemon.jobs.key(forJob: peer.job), key == peer.authentication,
            let reader = daemon.jobs.entry(peer.job)?.job,
            reader.command.type == .copy || reader.command.type == .migrate
        else { return false }
        return true
    }

    /// `CAPSTAN_PEER_LINK=tcp` keeps the loopback socket for jobs of this daemon (the before/after comparison of
    /// `scripts/bench-sd.sh`'s copy phase; not a configuration).
    static let tcpOnly = getenv("CAPSTAN_PEER_LINK").map { String(cString: $0) == "tcp" } ?? false

    /// The write job linked in memory to the read job of this daemon: the reading side is served as if the writer
    /// had connected (its hello, then the same CRAM-MD5 both ways with the read job's key, `FileDaemonSession.run`),
    /// and the writing side appends what it streams (`runPeerWriter`), as over TCP.
    private static func runLocal(
        job: StorageJob, peer: StoragePeerCommand, daemon: StorageDaemon, director: DirectorSession,
        start: AsyncStream<Bool>, logger: Logger
    ) async {
        let (writing, reading) = LocalPeerConnection.pair()
        var readerLogger = daemon.logger
        readerLogger[metadataKey: "job"] = "\(peer.job)"
        readerLogger[metadataKey: "peer"] = "\(reading.peer)"
        let readerLog = readerLogger
        // the server side of the link: its first frame is the hello, as BsockServer hands it to the session
        Task {
            guard case .payload(let hello)? = try? await reading.readIncludingHeartbeats() else {
                await reading.close()
                return
            }
            await FileDaemonSession(connection: reading, daemon: daemon, logger: readerLog).run(hello: hello)
        }
        let hello = FileDaemonHelloToStorageDaemon(jobName: peer.job, fileDaemonVersion: 214, storageVersion: 306)
        do {
            try await writing.authenticateAsConnector(
                hello: hello.bytes, key: .jobKey(peer.authentication),
                challenge: daemon.options.makeChallenge(daemon.configuration.storage.name))
        } catch {
            logger.error("in-memory link to read job \(peer.job) failed: \(error)")
            await director.message(.fatal, "Failed to connect to Storage daemon \(peer.address):\(peer.port): \(error)")
            await director.storagePeerConnected(false)
            await writing.close()
            return
        }
        logger.info("linked in memory to read job \(peer.job) of this daemon (no socket)")
        await director.storagePeerConnected(true)
        var starts = start.makeAsyncIterator()
        guard await starts.next() == true else {
            logger.info("the write job ended before run; closing the peer link")
            await writing.close()
            return
        }
        await FileDaemonSession(connection: writing, daemon: daemon, logger: logger).runPeerWriter(job: job)
        await writing.close()
    }
}
