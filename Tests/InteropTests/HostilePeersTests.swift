import BaculaWire
import CapstanTestSupport
import Foundation
import Net
import Testing

/// capstan-sd keeps serving a real backup while port 9103 is attacked (issue #13 §5): a thousand connections that
/// never say hello, slow-loris peers, oversized and truncated frames, random frames after a Director
/// authenticated, a second "File daemon" for the running job with a replayed name and no key, and a flood of
/// reconnects. The real job must end OK and restore byte-identical; every hostile socket must be closed by the SD
/// (the slow ones within the Handshake Timeout); descriptors return to where they were and memory stays bounded.
@Suite(.serialized) struct HostilePeersTests {
    /// Short enough that a slow-loris peer (one byte a second) is cut off long before its hello is complete; long
    /// enough that the legitimate Director below finishes each step even on a loaded machine.
    static let handshakeTimeout = 15

    @Test func aRealBackupCompletesAndRestoresWhilePort9103IsAttacked() async throws {
        var options = BaculaSystem.Options()
        options.job = "Maximum Bandwidth = 4 mb/s"  // the job lasts a few seconds, so the attacks run beside it
        options.storageDirectives = "Handshake Timeout = \(Self.handshakeTimeout)"
        let system = try BaculaSystem(storage: .capstan, options: options)
        try DataSet.generate(at: system.dataDirectory, bigFileBytes: 12 << 20)
        try await system.start()
        let sd = try #require(system.processes.first)
        let pid = sd.process.processIdentifier
        let port = system.storagePort
        for _ in 0..<8 { try RawConnection(port: port).close() }  // the event loops' own descriptors settle first
        try await Task.sleep(for: .milliseconds(300))
        let baselineDescriptors = Self.openDescriptors(pid)
        let baselineMemory = Self.residentKiB(pid)

        let jobId = try await system.queue("run job=SystemBackup yes")
        let jobName = try await system.sql("SELECT Job FROM Job WHERE JobId=\(jobId)")
            .trimmingCharacters(in: .whitespacesAndNewlines)

        // A thousand connections that never send anything.
        var silent: [RawConnection] = []
        for _ in 0..<1000 { silent.append(try RawConnection(port: port)) }
        let peakMemory = Self.residentKiB(pid)

        // Slow-loris: a Director's hello one byte at a time, one byte a second; the SD must close it.
        let hello = DirectorHelloToStorageDaemon(directorName: "system-dir").bytes
        let length = UInt32(hello.count)
        let framed = [UInt8(length >> 24), UInt8((length >> 16) & 0xFF), UInt8((length >> 8) & 0xFF), UInt8(length & 0xFF)] + hello
        let slow = try RawConnection(port: port)
        let slowStarted = ContinuousClock.now
        let slowClosed = Task.detached { () -> Duration? in
            for byte in framed {
                slow.send([byte])
                if slow.closedByPeer(waiting: 1) { return ContinuousClock.now - slowStarted }
            }
            return nil
        }

        // Oversized and truncated frames.
        let oversized = try RawConnection(port: port)
        oversized.send([0x7F, 0xFF, 0xFF, 0xF0] + Array(repeating: 0x41, count: 64))
        let truncated = try RawConnection(port: port)
        truncated.send([0, 0, 0, 100] + Array(repeating: 0x42, count: 10))
        truncated.close()

        // Random frames after a Director authenticated with the right password.
        let afterAuthentication = try await BsockClient.withConnection(host: "127.0.0.1", port: port) { connection in
            try await connection.authenticateAsConnector(
                hello: hello, key: .password("sd-password"), challengeName: "system-dir")
            let closer = connection.closer
            let watchdog = Task {  // a regression must fail the test, not hang it
                try await Task.sleep(for: .seconds(20))
                closer()
            }
            defer { watchdog.cancel() }
            var generator = SplitMix64(seed: 13)
            for _ in 0..<20 {
                let size = Int(generator.next() % 2000) + 1
                try? await connection.write(.payload((0..<size).map { _ in UInt8(truncatingIfNeeded: generator.next()) }))
            }
            let reading = ContinuousClock.now
            var answers: [Frame] = []
            while answers.count < 10, let frame = try? await connection.read() { answers.append(frame) }
            return (answers, ContinuousClock.now - reading)
        }
        // The SD refuses the first frame it cannot read as a command (3900) and closes the connection.
        let (answers, closedAfter) = afterAuthentication
        // The SD, not the test's 20 s watchdog, ended the connection.
        #expect(closedAfter < .seconds(15), "the SD kept the connection open after random frames for \(closedAfter)")
        #expect(answers.count <= 1, "the SD kept answering random frames: \(answers)")
        #expect(answers.allSatisfy { $0.payload.map { String(decoding: $0, as: UTF8.self).hasPrefix("3900") } ?? false },
            "\(answers)")

        // A second File daemon for the running job: its name, replayed, without the job's key.
        let impostor = try RawConnection(port: port)
        impostor.sendPacket(FileDaemonHelloToStorageDaemon(jobName: jobName).bytes)
        let challenge = await impostor.receive(seconds: 5)
        impostor.sendPacket(Array("AAAAAAAAAAAAAAAAAAAAAA\0".utf8))
        #expect(impostor.closedByPeer(waiting: 15), "an FD without the job's key kept its connection (\(challenge.count) bytes of challenge)")

        // A flood of reconnects.
        for index in 0..<500 {
            let connection = try RawConnection(port: port)
            if index % 2 == 0 { connection.abort() } else { connection.close() }
        }

        let slowTime = await slowClosed.value
        #expect(slowTime != nil, "the slow-loris peer sent its whole hello one byte a second and was never closed")
        if let slowTime {
            #expect(slowTime < .seconds(Self.handshakeTimeout + 10), "closed after \(slowTime), Handshake Timeout is \(Self.handshakeTimeout) s")
        }
        #expect(oversized.closedByPeer(waiting: 10), "an oversized frame did not close the connection")

        // The real job was not disturbed.
        let backup = try await system.wait(jobId: jobId)
        #expect(backup.status == "T", "\(system.messages)\n\(system.storageLog.suffix(3000))")
        let restore = try await system.restore("jobid=\(jobId)")
        #expect(restore.status == "T", "\(system.messages)")
        let diff = try await Command.run("/usr/bin/diff", ["-r", "--no-dereference", system.dataDirectory, system.restoredDataDirectory], timeout: 300)
        #expect(diff.status == 0, "diff -r: \(diff.output.prefix(2000))")

        // The silent thousand are closed by the SD at the Handshake Timeout; nothing stays behind.
        #expect(await RealBacula.eventually(seconds: 30) { silent.allSatisfy { $0.closedByPeer(waiting: 0) } },
            "silent connections still open after the Handshake Timeout")
        for connection in silent { connection.close() }
        slow.close()
        oversized.close()
        impostor.close()
        #expect(await RealBacula.eventually(seconds: 30) { Self.openDescriptors(pid) <= baselineDescriptors + 3 },
            "descriptors: \(Self.openDescriptors(pid)) now, \(baselineDescriptors) before")
        #expect(peakMemory - baselineMemory < 64 * 1024, "a thousand idle connections cost \((peakMemory - baselineMemory) / 1024) MiB")
        #expect(sd.process.isRunning)
    }

    static func openDescriptors(_ pid: Int32) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
    }

    /// VmRSS of the process in KiB.
    static func residentKiB(_ pid: Int32) -> Int {
        let status = RealBacula.procFile("/proc/\(pid)/status") ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }
}
