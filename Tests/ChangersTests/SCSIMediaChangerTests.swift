import Changers
import SCSI
import Synchronization
import Testing

/// The native changer over a transport that answers as the captured tgt library.
@Suite struct SCSIMediaChangerTests {
    func changer(_ transport: ScriptedTransport, allow: SCSIMediaChanger.AllowDriveRemoval? = nil) -> SCSIMediaChanger {
        SCSIMediaChanger(runner: SCSICommandRunner(transport: transport, sleep: { _ in }), allowDriveRemoval: allow)
    }

    @Test func inventoryHasSlotsImportExportDrivesBarcodesAndSerials() async throws {
        let transport = ScriptedTransport(script: tgtLibrary)
        let elements = try await changer(transport).inventory()
        let slots = elements.filter { $0.kind == .slot }
        #expect(slots.map(\.address) == Array(1000...1007))
        #expect(slots.compactMap(\.barcode) == (1...6).map { "E0000\($0)L6" })
        #expect(elements.filter { $0.kind == .importExport }.map(\.address) == [10, 11])
        let drives = elements.filter { $0.kind == .drive }
        #expect(drives.map(\.address) == [500, 501])
        #expect(drives[0].driveSerial == "DRV00001")
        // tgt cuts the last DVCID by 8 bytes: only a prefix is known, and it is not offered as a serial.
        #expect(drives[1].driveSerial == nil)
        #expect(drives[1].driveSerialPrefix == "DR")
        let res = transport.commands.filter { $0.operationCode == 0xB8 }
        #expect(res.allSatisfy { $0.bytes[1] & 0x0F != 0 && $0.bytes[1] & 0x10 != 0 })  // one type at a time, VolTag
        #expect(res.filter { $0.bytes[6] & 1 != 0 }.allSatisfy { $0.bytes[1] & 0x0F == 4 })  // DVCID for drives only
    }

    @Test func libraryWithoutDVCIDStillInventoriesDrives() async throws {
        let transport = ScriptedTransport { command, i in
            if command.operationCode == 0xB8 && command.bytes[6] & 1 != 0 { return check(0x05, 0x24, 0x00) }
            return tgtLibrary(command, i)
        }
        let drives = try await changer(transport).inventory().filter { $0.kind == .drive }
        #expect(drives.map(\.address) == [500, 501])
        #expect(drives.allSatisfy { $0.driveSerial == nil && !$0.full })
    }

    @Test func modeSense10WhenModeSense6IsRefused() async throws {
        let transport = ScriptedTransport { command, i in
            command.operationCode == 0x1A ? check(0x05, 0x20, 0x00) : tgtLibrary(command, i)
        }
        let map = try await changer(transport).elementMap()
        #expect(map.storage == ElementRange(first: 1000, count: 8))
    }

    @Test func loadInMtxNumberingMovesSlot1ToDrive0WithThePicker() async throws {
        let transport = ScriptedTransport(script: tgtLibrary)
        try await changer(transport).load(slot: 1, drive: 0)
        let move = try #require(transport.commands.last)
        #expect(move.bytes == [0xA5, 0, 0, 1, 0x03, 0xE8, 0x01, 0xF4, 0, 0, 0, 0])
        #expect(move.timeoutMilliseconds >= 5 * 60_000)
    }

    @Test func slotNumbersPastTheLibraryAreRefused() async {
        let transport = ScriptedTransport(script: tgtLibrary)
        await #expect(throws: ChangerRequestError.self) { try await changer(transport).load(slot: 11, drive: 0) }
        await #expect(throws: ChangerRequestError.self) { try await changer(transport).unload(drive: 0) }  // empty drive
    }

    @Test func mediumRemovalPreventedAllowsAndRetries() async throws {
        let moves = Mutex(0)
        let transport = ScriptedTransport { command, i in
            if command.operationCode == 0xA5 {
                let n = moves.withLock { m in
                    m += 1
                    return m
                }
                return n == 1 ? Captured.response("changer.move.drive500-slot1007.prevented") : SCSIResponse(status: 0)
            }
            if command.operationCode == 0x1E { return Captured.response("changer.allow") }  // tgt: no PREVENT on SMC
            return tgtLibrary(command, i)
        }
        let unlocked = Mutex<[UInt16]>([])
        let c = changer(transport, allow: { address, serial in
            unlocked.withLock { $0.append(address) }
            #expect(serial == "DRV00001")
        })
        try await c.move(from: 500, to: 1007)
        #expect(moves.withLock { $0 } == 2)
        #expect(unlocked.withLock { $0 } == [500])
        #expect(transport.commands.contains { $0.bytes == [0x1E, 0, 0, 0, 0, 0] })
    }

    @Test func otherMoveErrorsAreTypedSense() async {
        let transport = ScriptedTransport { command, i in
            command.operationCode == 0xA5 ? Captured.response("changer.move.empty-source") : tgtLibrary(command, i)
        }
        do {
            try await changer(transport).move(from: 1007, to: 501)
            Issue.record("an empty source must fail")
        } catch let error as SCSICommandError {
            #expect(error.sense?.additional == .sourceElementEmpty)
            #expect(error.command == "MOVE MEDIUM")
        } catch {
            Issue.record("untyped \(error)")
        }
    }

    @Test func operationsOnOneLibraryNeverOverlap() async throws {
        let transport = ScriptedTransport(delayMicroseconds: 2_000, script: tgtLibrary)
        let c = changer(transport)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<6 {
                group.addTask {
                    if i % 2 == 0 { _ = try await c.inventory() } else { try await c.move(from: 1000, to: 500) }
                }
            }
            try await group.waitForAll()
        }
        #expect(transport.state.withLock { $0.maximumInFlight } == 1)
        // each operation's commands are contiguous: a MOVE is always right after its own MODE SENSE
        let codes = transport.commands.map(\.operationCode)
        for (i, code) in codes.enumerated() where code == 0xA5 { #expect(codes[i - 1] == 0x1A) }
    }
}
