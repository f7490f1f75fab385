import BaculaVolume
import BaculaWire
import StorageProtocol
import Testing

/// The VirtualFull connection of the Director capture (s25: JobId 6, a real 9.6.7 Director and SD, one Autochanger of
/// two File devices) replayed through `DirectorSessionMachine`: bootstrap, a read reservation, a write reservation
/// (with FindMedia) on the same connection, `run` without an FD, the catalog traffic and the end.
@Suite struct VirtualFullReplayTests {
    static func session() throws -> CapturedSession {
        let sessions = try Captures.storageSessions("bacula-director-capture.pcap").filter { $0.peer == .director }
        return try #require(sessions.first { session in
            session.incoming.contains { $0.text.hasPrefix("JobId=6 ") }
        })
    }

    @Test func virtualFullConnectionReplays() throws {
        var replay = DirectorSessionMachineTests.Replay()
        replay.sessionTime = 1_796_193_496
        replay.keys["CapBackup.2026-12-02_06.38.36_14"] = "HAKD-KJKI-PDIE-MJAM-DFGD-BCLM-ENGJ-BFAG"
        try replay.run(try Self.session())
        #expect(replay.reservations.count == 2)
        #expect(replay.reservations.first?.storages.first?.storage.append == false)
        #expect(replay.reservations.first?.storages.first?.storage.poolName == "Main")
        #expect(replay.reservations.last?.storages.first?.storage.append == true)
        #expect(replay.reservations.last?.storages.first?.storage.poolName == "Copies")
        #expect(replay.virtualFullsRun.map(\.name) == ["CapBackup.2026-12-02_06.38.36_14"])
        let entries = try #require(replay.bootstraps.first?.entries)
        #expect(entries.flatMap(\.volumes) == ["Main-0001", "Main-0003"])
        #expect(replay.closed == [nil])
        #expect(replay.machine.outstandingRequests.isEmpty)
    }

    @Test func aThirdReservationOrABackupsSecondIsRefused() {
        func start(level: JobLevel) -> [UInt8] {
            JobStartCommand(
                jobID: 9, job: "J.2026-12-02_06.38.36_14", jobName: "J", clientName: "c", type: .backup, level: level,
                fileSet: "S", fileSetMD5: "x"
            ).bytes
        }
        let use = Array("use storage=S media_type=File pool_name=P pool_type=Backup append=1 copy=0 stripe=0\n".utf8)
        for level in [JobLevel.full, .virtualFull] {
            var replay = DirectorSessionMachineTests.Replay()
            replay.carryOut(replay.machine.received(.payload(start(level: level)), jobs: replay.jobs))
            let reservations = level == .virtualFull ? 2 : 1
            for _ in 0..<reservations {
                replay.carryOut(replay.machine.received(.payload(use), jobs: replay.jobs))
                replay.carryOut(replay.machine.received(.payload(Array("use device=D\n".utf8)), jobs: replay.jobs))
                replay.carryOut(replay.machine.received(.signal(.endOfData), jobs: replay.jobs))
                replay.carryOut(replay.machine.received(.signal(.endOfData), jobs: replay.jobs))
                replay.carryOut(replay.machine.reservationSucceeded(device: "D"))
            }
            #expect(replay.closed.isEmpty)
            replay.carryOut(replay.machine.received(.payload(use), jobs: replay.jobs))
            #expect(replay.closed.count == 1, "level \(level.rawValue): a reservation too many was accepted")
        }
    }

    @Test func runOfAVirtualFullWithOnlyItsReadReservationIsRefused() {
        var replay = DirectorSessionMachineTests.Replay()
        let start = JobStartCommand(
            jobID: 9, job: "J.2026-12-02_06.38.36_14", jobName: "J", clientName: "c", type: .backup,
            level: .virtualFull, fileSet: "S", fileSetMD5: "x")
        replay.carryOut(replay.machine.received(.payload(start.bytes), jobs: replay.jobs))
        let use = Array("use storage=S media_type=File pool_name=P pool_type=Backup append=0 copy=0 stripe=0\n".utf8)
        replay.carryOut(replay.machine.received(.payload(use), jobs: replay.jobs))
        replay.carryOut(replay.machine.received(.payload(Array("use device=D\n".utf8)), jobs: replay.jobs))
        replay.carryOut(replay.machine.received(.signal(.endOfData), jobs: replay.jobs))
        replay.carryOut(replay.machine.received(.signal(.endOfData), jobs: replay.jobs))
        replay.carryOut(replay.machine.reservationSucceeded(device: "D"))
        replay.carryOut(replay.machine.received(.payload(Array("run".utf8)), jobs: replay.jobs))
        #expect(replay.virtualFullsRun.isEmpty)
        #expect(replay.closed.count == 1)
        #expect(replay.sent.last.map { $0.text.hasPrefix("3900") } == true)
    }
}

/// FileIndex renumbering across the source jobs of a VirtualFull.
@Suite struct FileIndexRenumberingTests {
    func record(_ session: UInt32, _ fileIndex: Int32, _ stream: Int32, _ data: String) -> Record {
        Record(
            sessionID: session, sessionTime: 7, fileIndex: fileIndex, stream: stream, data: Array(data.utf8),
            address: VolumeAddress(rawValue: 0, isByteOffset: true), isContinuation: false)
    }

    @Test func filesOfTwoJobsAreNumberedOneToN() {
        var renumbering = FileIndexRenumbering()
        let source = [
            record(1, 2, 1, "2 3 /a/b\0x"), record(1, 2, 2, "data"), record(1, 2, 3, "md5"),
            record(1, 10, 5, "10 3 /a/c\0y"), record(3, 1, 1, "1 5 /a/\0z"), record(3, 6, 1, "6 3 /a/d\0w"),
            record(3, 6, 2, "more"),
        ]
        let out = source.map { renumbering.renumber($0) }
        #expect(out.map(\.fileIndex) == [1, 1, 1, 2, 3, 4, 4])
        #expect(out.map { String(decoding: $0.data, as: UTF8.self) } == [
            "1 3 /a/b\0x", "data", "md5", "2 3 /a/c\0y", "3 5 /a/\0z", "4 3 /a/d\0w", "more",
        ])
        #expect(renumbering.lastFileIndex == 4)
    }

    @Test func labelsAndDataWithoutALeadingNumberAreKept() {
        var renumbering = FileIndexRenumbering()
        let label = record(1, -2, 0, "SOS")
        #expect(renumbering.renumber(label) == label)
        #expect(FileIndexRenumbering.replacingLeadingNumber(in: Array("abc".utf8), with: 5) == Array("abc".utf8))
        #expect(FileIndexRenumbering.replacingLeadingNumber(in: Array("12".utf8), with: 5) == Array("12".utf8))
    }
}
