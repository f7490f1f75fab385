import BaculaWire
import CapstanTestSupport
import Foundation
import Logging
import Net
import StorageProtocol
import Testing

/// capstan-sd refuses, with nothing written, a File daemon with the wrong job key and a key replayed after its job
/// ended. The test plays the Director and the File daemon itself (with Capstan's own protocol code), because a real
/// bacula-fd never presents a wrong key.
@Suite(.serialized) struct StorageRefusalTests {
    static let options = ConnectionOptions(
        heartbeatInterval: nil, authenticationStepTimeout: .seconds(30), authenticationFailureDelay: .milliseconds(10))

    /// Connects as a File daemon for `job` with `key`; true when the SD accepted it.
    func fileDaemonAccepted(port: Int, job: String, key: String) async -> Bool {
        do {
            _ = try await BsockClient.withConnection(host: "127.0.0.1", port: port, options: Self.options) { connection in
                try await connection.authenticateAsConnector(
                    hello: FileDaemonHelloToStorageDaemon(jobName: job).bytes, key: .jobKey(key), challengeName: "refusal-fd")
            }
            return true
        } catch {
            return false
        }
    }

    @Test func wrongAndReplayedJobKeysAreRefusedAndNothingIsWritten() async throws {
        let sd = try await CapstanStorageDaemon.start(directorName: "refusal-dir", password: "refusal-password")
        let job = "Refused.2026-11-26_10.00.00_01"
        var issuedKey = ""
        try await BsockClient.withConnection(host: "127.0.0.1", port: sd.port, options: Self.options) { director in
            try await director.authenticateAsConnector(
                hello: DirectorHelloToStorageDaemon(directorName: "refusal-dir").bytes, key: .password("refusal-password"),
                challengeName: "refusal-dir")
            let start = JobStartCommand(
                jobID: 7, job: job, jobName: "Refused", clientName: "refusal-fd", type: .backup, level: .full,
                fileSet: "RefusalSet", fileSetMD5: "md5md5md5")
            try await director.write(.payload(start.bytes))
            guard case .payload(let bytes)? = try await director.read(),
                case .jobAccepted(_, _, let key) = try StorageReply(parsing: bytes)
            else {
                Issue.record("the SD did not accept the job")
                return
            }
            issuedKey = key
            #expect(await !fileDaemonAccepted(port: sd.port, job: job, key: "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH"))
        }
        #expect(!issuedKey.isEmpty && !issuedKey.contains(" "))
        // The Director's connection closed: the job is over, and its key opens nothing any more.
        #expect(await RealBacula.eventually(seconds: 10) { sd.log.contains("job=\(job)") })
        try await Task.sleep(for: .milliseconds(500))
        #expect(await !fileDaemonAccepted(port: sd.port, job: job, key: issuedKey))
        #expect(try FileManager.default.contentsOfDirectory(atPath: sd.directory + "/volumes").isEmpty)
        #expect(await RealBacula.eventually(seconds: 15) {
            sd.log.contains("File daemon refused") && sd.log.contains("no such job is waiting for its client")
        }, "\(sd.log)")
        #expect(sd.process.process.isRunning)
    }
}
