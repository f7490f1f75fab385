import BaculaWire
import CapstanTestSupport
import Foundation
import Net
import Testing

/// capstan-fd against what goes wrong: a Director with the wrong password, a Director sending malformed commands,
/// a Storage daemon that dies in the middle of a backup. The daemon refuses or fails the job and keeps serving.
@Suite(.serialized) struct BadInputTests {
    func system(options: BaculaSystem.Options = BaculaSystem.Options()) async throws -> BaculaSystem {
        var options = options
        options.fileDaemon = .capstan
        let system = try BaculaSystem(storage: .bacula, options: options)
        try await system.start()
        return system
    }

    @Test func aDirectorWithTheWrongPasswordIsRefusedAfterTheDelayAndLogged() async throws {
        let system = try await system()
        // This side gives up at once; any delay measured is the File daemon's.
        let impatient = ConnectionOptions(authenticationFailureDelay: .zero)
        await #expect(throws: AuthenticationFailed.self) {
            try await BsockClient.withConnection(host: "127.0.0.1", port: system.fileDaemonPort, options: impatient) { connection in
                try await connection.authenticateAsConnector(
                    hello: DirectorHelloToFileDaemon(directorName: "system-dir").bytes, key: .password("not-the-password"),
                    challengeName: "system-dir")
                _ = try await connection.read()
            }
        }
        #expect(await RealBacula.eventually(seconds: 15) { system.fileDaemonLog.contains("authentication failed") }, "\(system.fileDaemonLog)")
        let unknown = try await RawConnectionProbe.closedAfter(port: system.fileDaemonPort, hello: "Hello Director intruder-dir calling 103\n")
        #expect(unknown >= .seconds(4), "an unknown Director was dropped after \(unknown), without the delay")
        #expect(system.fileDaemonLog.contains("unknown Director intruder-dir"))
        let good = try await system.console(["status client=system-fd"])
        #expect(good.contains("Running Jobs"), "\(good)")
    }

    /// Opens an authenticated Director session to the FD and runs `body` on it.
    func asDirector<R: Sendable>(_ system: BaculaSystem, _ body: (BsockConnection) async throws -> R) async throws -> R {
        try await BsockClient.withConnection(host: "127.0.0.1", port: system.fileDaemonPort) { connection in
            try await connection.authenticateAsConnector(
                hello: DirectorHelloToFileDaemon(directorName: "system-dir").bytes, key: .password("fd-password"),
                challengeName: "system-dir")
            return try await body(connection)
        }
    }

    @Test func malformedDirectorCommandsAreAnsweredAndTheDaemonKeepsServing() async throws {
        let system = try await system()
        let garbage: [[UInt8]] = [
            Array("level = sideways  mtime_only=0 \n".utf8), [0xFF, 0x00, 0x13, 0x37], Array("storage address= port=x\n".utf8),
            Array("restore files=1 replace=z prelinks=0 where=/tmp\n".utf8),
        ]
        for command in garbage {
            let replies = try await asDirector(system) { director -> [Frame] in
                try await director.write(.text("JobId=1 Job=Bad.1 SDid=0 SDtime=0 Authorization=dummy\n"))
                var replies: [Frame] = []
                if let accepted = try await director.read() { replies.append(accepted) }
                try await director.write(.payload(command))
                while let frame = try await director.read() { replies.append(frame) }  // until the FD closes
                return replies
            }
            #expect(replies.first?.payload?.starts(with: Array("2000 OK Job".utf8)) == true)
            #expect(replies.contains(.payload(Array("2999 Invalid command\n".utf8))), "\(replies)")
        }
        let beforeJob = try await asDirector(system) { director -> Frame? in
            try await director.write(.text("backup FileIndex=0\n"))
            return try await director.read()
        }
        #expect(beforeJob == .payload(Array("2998 No Authorization\n".utf8)))
        let status = try await system.console(["status client=system-fd"])
        #expect(status.contains("Running Jobs"), "\(status)")
        #expect(system.fileDaemonLog.contains("invalid command"))
    }

    @Test func aStorageDaemonThatDiesMidJobFailsTheJobOnly() async throws {
        var options = BaculaSystem.Options()
        options.job = "Maximum Bandwidth = 4 mb/s"
        let system = try await system(options: options)
        try ClientDataSet.generate(at: system.dataDirectory, bigFileBytes: 24 << 20)
        let jobId = try await system.queue("run job=SystemBackup level=Full yes")
        // Wait until data reaches the volume, then kill the SD.
        let writing = await RealBacula.eventually(seconds: 60) {
            ((try? system.volumes()) ?? []).contains { path in
                ((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0) > 2 << 20
            }
        }
        #expect(writing)
        kill(system.processes[0].process.processIdentifier, SIGKILL)
        // The FD notices at once and ends its side of the job.
        #expect(await RealBacula.eventually(seconds: 60) { system.fileDaemonLog.contains("status=fatal [FileDaemon] backup ended") }, "\(system.fileDaemonLog)")
        // The Director cancels the job on the SD before it ends it: give it an SD to talk to again.
        try await system.replaceStorage(with: .bacula)
        let failed = try await system.wait(jobId: jobId, timeout: 300)
        #expect(["E", "f"].contains(failed.status), "job status \(failed.status)")
        let status = try await system.console(["status client=system-fd"])
        #expect(status.contains("No Jobs running"), "\(status)")
        try FileManager.default.removeItem(atPath: system.dataDirectory + "/big.bin")
        let again = try await system.backup()
        #expect(again.status == "T", "\(system.messages)\n\(system.fileDaemonLog)")
    }
}

/// A raw TCP peer that sends one hello and measures how long the daemon keeps the connection before closing it.
enum RawConnectionProbe {
    static func closedAfter(port: Int, hello: String) async throws -> Duration {
        let connection = try RawConnection(port: port)
        defer { connection.close() }
        let bytes = Array(hello.utf8)
        connection.sendPacket(bytes)
        let start = ContinuousClock.now
        while await !connection.receive(seconds: 20).isEmpty {}
        return ContinuousClock.now - start
    }
}
