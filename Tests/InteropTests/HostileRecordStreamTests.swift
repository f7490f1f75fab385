import BaculaWire
import CapstanTestSupport
import FileDaemonProtocol
import Foundation
import Net
import StorageProtocol
import Testing

/// Random and garbled record streams from an authenticated File daemon (issue #13 §5): a fake client
/// (`HostileFileDaemon`) lets the real bacula-dir start jobs on it, authenticates to capstan-sd with each job's real
/// key and sends what no File daemon would. Each such job must fail in the SD with an error naming what was wrong,
/// while a real backup running beside them ends OK and restores byte-identically; the daemon stays up, its memory
/// stays bounded, no descriptor leaks, a second FD for a running job and a job key replayed after its job ended are
/// refused.
@Suite(.serialized) struct HostileRecordStreamTests {
    /// One garbled stream: the frames after `3000 OK data` (nil: close the connection there) and what the SD's
    /// `job ended` line must say.
    struct Garble: Sendable, CustomStringConvertible {
        var description: String
        var frames: [Frame?]
        var expected: String
    }

    static func header(_ fileIndex: Int, _ stream: Int, _ length: Int64) -> Frame {
        .payload(Array("\(fileIndex) \(stream) \(length)".utf8))
    }

    /// A well-formed record of file data (stream 2): accepted, stored, not sent on to the Director's catalog.
    static let fileData = Frame.payload(Array(repeating: 0x41, count: 1000))
    static let data = Frame.payload(Array(repeating: 0x44, count: 4000))

    static var garbles: [Garble] {
        var random = SplitMix64(seed: 1313)
        let noise: [Frame?] = (0..<40).map { _ in
            .payload((0..<(Int(random.next() % 3000) + 1)).map { _ in UInt8(truncatingIfNeeded: random.next()) })
        }
        return [
            Garble(description: "stream number 0", frames: [header(1, 0, 0), data], expected: "stream 0 of FileIndex 1 is not positive"),
            Garble(description: "negative stream number", frames: [header(1, 2, 1000), fileData, .signal(.endOfData), header(1, -7, 0)],
                expected: "stream -7 of FileIndex 1 is not positive"),
            Garble(
                description: "FileIndex going backwards",
                frames: [header(1, 2, 1000), fileData, .signal(.endOfData), header(2, 2, 1000), fileData, .signal(.endOfData), header(1, 2, 0)],
                expected: "FileIndex 1 after 2"),
            Garble(description: "FileIndex jumping ahead", frames: [header(1, 2, 1000), fileData, .signal(.endOfData), header(9, 1, 0)],
                expected: "FileIndex 9 after 1"),
            Garble(description: "random bytes where a header belongs", frames: noise, expected: "expected a header"),
            Garble(
                description: "a huge length, then the data cut off by a vanishing FD",
                frames: [header(1, 2, 1000), fileData, .signal(.endOfData), header(1, 2, Int64.max), data, data, nil],
                expected: "FD connection lost while"),
            Garble(description: "an empty data packet", frames: [header(1, 1, 0), .payload([])], expected: "empty data packet"),
            Garble(
                description: "end of data in the middle, then more records",
                frames: [header(1, 2, 1000), fileData, .signal(.endOfData), .signal(.endOfData), header(2, 2, 1000), fileData],
                expected: "sent an invalid command"),
            Garble(description: "a signal inside a stream", frames: [header(1, 2, 1000), fileData, .signal(.status)], expected: "unexpected"),
        ]
    }

    /// capstan-sd's `job ended` line of `job`, nil while there is none.
    /// Connects to the SD as `job`'s File daemon with its key: "accepted", or "refused: <why>".
    static func authenticateAsFileDaemon(of job: JobIdentity, port: Int) async -> String {
        do {
            return try await BsockClient.withConnection(host: "127.0.0.1", port: port) { connection in
                _ = try await connection.authenticateAsConnector(
                    hello: FileDaemonHelloToStorageDaemon(jobName: job.job).bytes, key: .jobKey(job.authorization),
                    challengeName: "hostile-fd")
                return "accepted"
            }
        } catch {
            return "refused: \(error)"
        }
    }

    static func endLine(of job: String, in system: BaculaSystem) -> String? {
        system.storageLog.split(separator: "\n").first { $0.contains("job ended") && $0.contains(job) }.map(String.init)
    }

    /// Opens the append session like an FD, sends the garble, reads the SD's replies until it closes the link, and
    /// returns once the SD ended the job (so the fake client's report to the Director, and the Director's cancel
    /// after it, come only after the SD's own verdict).
    static func attack(with garble: Garble, system: BaculaSystem) -> HostileFileDaemon.Attack {
        { sd, job in
            let outcome = await send(garble, to: sd, job: job)
            _ = await RealBacula.eventually(seconds: 30) { endLine(of: job.job, in: system) != nil }
            return outcome
        }
    }

    static func send(_ garble: Garble, to sd: BsockConnection, job: JobIdentity) async -> HostileFileDaemon.Outcome {
        var replies: [String] = []
        let closer = sd.closer
        let watchdog = Task {  // a regression must fail the test, not hang it
            try await Task.sleep(for: .seconds(30))
            closer()
        }
        defer { watchdog.cancel() }
        let started = ContinuousClock.now
        do {
            try await sd.write(.payload(Array("append open session\n".utf8)))
            if case .payload(let bytes)? = try await sd.read() { replies.append(String(decoding: bytes, as: UTF8.self)) }
            try await sd.write(.payload(Array("append data \(job.sessionID)\n".utf8)))
            if case .payload(let bytes)? = try await sd.read() { replies.append(String(decoding: bytes, as: UTF8.self)) }
            for frame in garble.frames {
                guard let frame else {  // the FD vanishes here
                    await sd.close()
                    return HostileFileDaemon.Outcome(job: job, replies: replies, closedBySD: true)
                }
                try await sd.write(frame)
            }
            while let frame = try await sd.read() {
                if case .payload(let bytes) = frame { replies.append(String(decoding: bytes, as: UTF8.self)) }
            }
        } catch {
            replies.append("(\(error))")
        }
        return HostileFileDaemon.Outcome(job: job, replies: replies, closedBySD: ContinuousClock.now - started < .seconds(25))
    }

    @Test func garbledRecordStreamsFailTheirJobsOnlyAndReplayedKeysAreRefused() async throws {
        let hostilePort = try RealBacula.freePort()
        var options = BaculaSystem.Options()
        options.directorResources = """
            Client {
              Name = hostile-fd; Address = 127.0.0.1; FDPort = \(hostilePort); Catalog = MyCatalog
              Password = "hostile-password"; AutoPrune = no
            }
            Job {
              Name = HostileBackup; Type = Backup; Level = Full; Client = hostile-fd; FileSet = SystemSet
              Storage = SystemStorage; Pool = SystemPool; Messages = Standard; Priority = 10
              Maximum Concurrent Jobs = 10; Allow Duplicate Jobs = yes
            }
            Job {
              Name = SlowBackup; Type = Backup; Level = Full; Client = system-fd; FileSet = SystemSet
              Storage = SystemStorage; Pool = SystemPool; Messages = Standard; Priority = 10
              Maximum Bandwidth = 3 mb/s
            }
            """
        let system = try BaculaSystem(storage: .capstan, options: options)
        try DataSet.generate(at: system.dataDirectory, bigFileBytes: 24 << 20)
        let fake = try await HostileFileDaemon.start(
            port: hostilePort, name: "hostile-fd", directorName: "system-dir", password: "hostile-password")
        do {
            try await Self.attackAndCheck(system: system, fake: fake)
        } catch {
            await fake.stop()
            throw error
        }
        await fake.stop()
    }

    /// The body of the test above, run while the fake client serves (it is stopped afterwards in any case, so the
    /// test's daemons do not outlive it).
    static func attackAndCheck(system: BaculaSystem, fake: HostileFileDaemon) async throws {
        try await system.start()
        let sd = try #require(system.processes.first)
        let pid = sd.process.processIdentifier
        for _ in 0..<8 { try RawConnection(port: system.storagePort).close() }  // the event loops' own descriptors settle
        try await Task.sleep(for: .milliseconds(300))
        let baselineDescriptors = HostilePeersTests.openDescriptors(pid)
        let baselineMemory = HostilePeersTests.residentKiB(pid)

        // The real job beside them, throttled so the hostile jobs run while it does.
        let realJob = try await system.queue("run job=SlowBackup yes")

        var firstJob: JobIdentity?
        for (index, garble) in Self.garbles.enumerated() {
            fake.next(Self.attack(with: garble, system: system))
            if index == 0 {
                // While the first hostile job runs: a second "FD" with the same name and key is refused.
                let attack = Self.attack(with: garble, system: system)
                fake.next { sd, job in
                    let second = await Self.authenticateAsFileDaemon(of: job, port: system.storagePort)
                    var outcome = await attack(sd, job)
                    outcome.replies.insert("second FD: \(second)", at: 0)
                    return outcome
                }
            }
            let jobId = try await system.queue("run job=HostileBackup yes")
            let outcome = try #require(await fake.outcome(within: 120), "\(garble): the Director never asked the fake client for a backup\n\(system.messages.suffix(2000))")
            if index == 0 {
                firstJob = outcome.job
                #expect(outcome.replies.first?.hasPrefix("second FD: refused") == true, "\(outcome.replies)")
            }
            #expect(outcome.closedBySD, "\(garble): the SD kept the connection open: \(outcome.replies)")
            var endLine: String?
            let ended = await RealBacula.eventually(seconds: 30) {
                endLine = Self.endLine(of: outcome.job.job, in: system)
                return endLine != nil
            }
            #expect(ended, "\(garble): no job end in the SD's log: \(system.storageLog.suffix(3000))")
            #expect(endLine?.contains("status='E'") == true, "\(garble): \(endLine ?? "")")
            #expect(endLine?.contains(garble.expected) == true, "\(garble): expected \"\(garble.expected)\" in \(endLine ?? "")")
            let row = try await system.wait(jobId: jobId, timeout: 120)
            #expect(row.status != "T", "\(garble): the Director's verdict \(row.status)")
            #expect(sd.process.isRunning, "capstan-sd died on \(garble)")
        }

        // The first hostile job's key, replayed after its job ended, is refused.
        let first = try #require(firstJob)
        let replay = await Self.authenticateAsFileDaemon(of: first, port: system.storagePort)
        #expect(replay.hasPrefix("refused"), "a replayed job key: \(replay)")
        // The SD's log names both refusals: the second FD while the job ran, the replay after it ended.
        let lines = system.storageLog.split(separator: "\n").filter { $0.contains(first.job) }
        #expect(lines.contains { $0.contains("File daemon refused") && $0.contains("which already has an FD") }, "\(lines)")
        #expect(await RealBacula.eventually(seconds: 15) {
            system.storageLog.split(separator: "\n").contains { $0.contains(first.job) && $0.contains("no such job is waiting for its client") }
        }, "\(system.storageLog.suffix(3000))")

        // The real job was not disturbed.
        let backup = try await system.wait(jobId: realJob, timeout: 300)
        #expect(backup.status == "T", "\(system.messages.suffix(3000))\n\(system.storageLog.suffix(3000))")
        let restore = try await system.restore("jobid=\(realJob)", timeout: 300)
        #expect(restore.status == "T", "\(system.messages.suffix(3000))")
        let diff = try await Command.run(
            "/usr/bin/diff", ["-r", "--no-dereference", system.dataDirectory, system.restoredDataDirectory], timeout: 300)
        #expect(diff.status == 0, "diff -r: \(diff.output.prefix(2000)) \(diff.errors.prefix(2000)); restore: \(restore)\n\(system.messages.suffix(3000))")

        #expect(await RealBacula.eventually(seconds: 30) { HostilePeersTests.openDescriptors(pid) <= baselineDescriptors + 3 },
            "descriptors: \(HostilePeersTests.openDescriptors(pid)) now, \(baselineDescriptors) before")
        let memory = HostilePeersTests.residentKiB(pid)
        #expect(memory - baselineMemory < 96 * 1024, "memory grew by \((memory - baselineMemory) / 1024) MiB")
        print("HostileRecordStreamTests: capstan-sd RSS \(baselineMemory) KiB before, \(memory) KiB after; fds \(baselineDescriptors) before, \(HostilePeersTests.openDescriptors(pid)) after")
        #expect(sd.process.isRunning)
    }
}
