import BaculaWire
import StorageProtocol
import Testing

/// Device-command messages outside the captures: typed errors on malformed known forms, and print-then-parse
/// identity over generated values.
@Suite struct DeviceMessageTests {
    @Test(arguments: [
        ("3302 Autochanger \"loaded? drive 0\", result is Slot x.\n", "Slot"),
        ("3304 Issuing autochanger \"load Volume A, Slot 01, Drive 0\" command.\n", "Slot"),
        ("3301 Issuing autochanger \"loaded? drive -\" command.\n", "drive"),
        ("3000 OK label. VolBytes=1 VolABytes=0 VolType=0 Volume=\"A\" Device=VDrive0\n", "Device"),
        ("3000 OK label. VolBytes=-1 VolABytes=0 VolType=0 Volume=\"A\" Device=\"D\" (/p)\n", "VolBytes"),
        ("3001 Volume=A Slot=99999999999\n", "Slot"),
        ("3921 Device \"VDrive0\" already released.\n", "Device"),
    ])
    func malformedKnownRepliesNameTheField(line: String, field: String) {
        #expect(throws: MessageError.self) { try StorageReply(parsing: Array(line.utf8)) }
        do {
            _ = try StorageReply(parsing: Array(line.utf8))
        } catch {
            #expect(error.reason == .badField(field: field), "\(error)")
        }
    }

    @Test func unknownChangerShapeIsUnrecognized() {
        let line = Array("3305 Autochanger \"load Volume A, Slot 1, Drive 0\", status is odd.\n".utf8)
        #expect(throws: MessageError(kind: "autochanger message", reason: .unrecognized, line: line)) {
            try StorageReply(parsing: line)
        }
    }

    @Test(arguments: ["01:A\n", "x:A\n", "S:1:X:A\n", "D:0:F:\n", "slots=\n", "1:A"])
    func malformedAutochangerOutputThrows(line: String) {
        #expect(throws: MessageError.self) { try AutochangerOutput(parsing: Array(line.utf8)) }
    }

    @Test func barcodesMayHoldColonsAndBeEmpty() throws {
        for (line, value) in [
            ("7:AB:CD\n", AutochangerOutput.slot(7, barcode: "AB:CD")), ("3:\n", .slot(3, barcode: "")),
            ("S:2:F:X:Y\n", .storageSlot(2, barcode: "X:Y")), ("I:9:E\n", .importExportSlot(9, barcode: nil)),
            ("D:1:F:4:\n", .drive(1, loaded: .init(slot: 4, barcode: ""))), ("drives=2\n", .driveCount(2)),
        ] {
            let parsed = try AutochangerOutput(parsing: Array(line.utf8))
            #expect(parsed == value)
            #expect(parsed.bytes == Array(line.utf8))
        }
    }

    @Test func autochangerVerbsOutsideTheTypedOnesStayOther() throws {
        let line = Array("autochanger transfer VLib 1 2\n".utf8)
        let command = try DirectorCommand(parsing: line)
        #expect(command == .other(verb: "autochanger", line: line))
        #expect(try DirectorCommand(parsing: Array("mount VLib drive=0\n".utf8))
            == .mount(DriveCommand(device: "VLib", drive: 0, slot: nil)))
    }

    /// SplitMix64: a small seeded generator so failures replay.
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func number() -> Int32 { Int32(truncatingIfNeeded: next() % 100_000) }
        mutating func name() -> String {
            let letters = Array("ABCXYZ019-_.*")
            return String((0..<Int(next() % 9 + 1)).map { _ in letters[Int(next() % UInt64(letters.count))] })
        }
    }

    @Test(arguments: [1, 2, 3, 4] as [UInt64])
    func printedMessagesParseBack(seed: UInt64) throws {
        var g = Generator(state: seed)
        for _ in 0..<200 {
            let device = DeviceDescription(name: g.name(), archiveDevice: "/dev/" + g.name())
            let replies: [StorageReply] = [
                .changer(.queryingLoaded(drive: g.number())),
                .changer(.loadedSlot(drive: g.number(), slot: g.next() % 2 == 0 ? nil : g.number())),
                .changer(.loading(volume: g.name(), slot: g.number(), drive: g.number())),
                .changer(.loadSucceeded(volume: g.name(), slot: g.number(), drive: g.number())),
                .changer(.unloading(volume: g.name(), slot: g.number(), drive: g.number())),
                .changer(.issuing(command: g.name())),
                .changer(
                    .loadFailed(
                        volume: g.name(), slot: g.number(), drive: g.number(), error: g.name(),
                        results: g.name() + "\n")),
                .labelled(
                    LabelResult(
                        volumeBytes: g.next() >> 1, alignedBytes: g.next() >> 1, volumeType: g.number(),
                        volumeName: g.name(), device: device)),
                .alreadyLabelled(volume: g.name()), .mounted(volume: g.name()),
                .alreadyMounted(device: device, volume: g.name()), .isMounted(device: device, volume: g.name()),
                .labelRead(volume: g.name(), slot: g.number()), .unmounted(device: device),
                .alreadyUnmounted(device: device), .released(device: device), .alreadyReleased(device: device),
                .openFailed(device: device, error: g.name() + "\n"),
            ]
            for reply in replies { #expect(try StorageReply(parsing: reply.bytes) == reply) }
            let label = LabelCommand(
                device: g.name(), volumeName: g.name(), poolName: g.name(), mediaType: g.name(), slot: g.number(),
                drive: g.number())
            let drive = DriveCommand(
                device: g.name(), drive: g.number(), slot: g.next() % 3 == 0 ? nil : g.number(),
                endsWithNewline: g.next() % 2 == 0)
            let commands: [DirectorCommand] = [
                .label(label), .relabel(label, oldName: g.name()), .mount(drive), .unmount(drive), .release(drive),
                .readLabel(device: g.name(), slot: g.number(), drive: g.number()),
                .autochanger(
                    AutochangerCommand(
                        action: AutochangerCommand.Action.allCases[Int(g.next() % 4)], device: g.name())),
            ]
            for command in commands { #expect(try DirectorCommand(parsing: command.bytes) == command) }
        }
    }
}

@Suite struct DeviceErrorReplyTests {
    @Test func aDeviceRefusalRoundTripsAndKeepsToOneLine() throws {
        let reply = StorageReply.deviceError(code: 3912, message: "Failed to label Volume CAP0001: the drive\nis gone")
        #expect(String(decoding: reply.bytes, as: UTF8.self) == "3912 Failed to label Volume CAP0001: the drive is gone\n")
        #expect(try StorageReply(parsing: reply.bytes) == .deviceError(code: 3912, message: "Failed to label Volume CAP0001: the drive is gone"))
        #expect(try StorageReply(parsing: Array("3920 Cannot label Volume because it is already labeled: \"X\"\n".utf8)) == .alreadyLabelled(volume: "X"))
    }
}
