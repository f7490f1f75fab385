import BaculaWire
import Foundation
import StorageProtocol
import Testing

/// The device and autochanger commands captured between a real 9.6.7 Director and SD (Fixtures/device-commands):
/// every line parses as a typed message and prints back byte-for-byte, and the sequences are what docs/
/// device-commands.md says an SD must send.
@Suite struct DeviceCommandCaptureTests {
    /// One connection read in context: the typed Director commands and SD replies, in order.
    struct Exchange {
        enum Item: Equatable {
            case command(DirectorCommand)
            case reply(StorageReply)
            case output(AutochangerOutput)
            case signal(Direction, Signal)
        }

        enum Direction { case toStorage, toDirector }

        var items: [Item] = []
        var commands: [DirectorCommand] {
            items.compactMap { if case .command(let command) = $0 { return command } else { return nil } }
        }
        var replies: [StorageReply] {
            items.compactMap { if case .reply(let reply) = $0 { return reply } else { return nil } }
        }
        var outputs: [AutochangerOutput] {
            items.compactMap { if case .output(let output) = $0 { return output } else { return nil } }
        }
    }

    /// Reads a transcript, checking every line's round trip; records an issue for any untyped line.
    static func exchanges(_ name: String) throws -> [Exchange] {
        let transcript = try DeviceTranscript.load(name)
        var exchanges: [Exchange] = []
        for connection in transcript.connections {
            var exchange = Exchange()
            var afterAutochanger = false
            var payloads = (director: 0, storage: 0)
            for event in connection {
                guard let bytes = event.frame.payload else {
                    if case .signal(let signal) = event.frame {
                        exchange.items.append(.signal(event.direction == .toStorage ? .toStorage : .toDirector, signal))
                    }
                    continue
                }
                let text = String(decoding: bytes, as: UTF8.self)
                switch event.direction {
                case .toStorage:
                    defer { payloads.director += 1 }
                    if payloads.director == 0 {
                        #expect(text.hasPrefix("Hello SD: Bacula Director "), "\(name): \(text)")
                        continue
                    }
                    let command = try DirectorCommand(parsing: bytes)
                    #expect(command.bytes == bytes, "\(name): \(text)")
                    if case .other = command { Issue.record("\(name): untyped Director command \(text)") }
                    afterAutochanger = { if case .autochanger = command { return true } else { return false } }()
                    exchange.items.append(.command(command))
                case .toDirector:
                    defer { payloads.storage += 1 }
                    if payloads.storage == 0 {
                        #expect(text == "3000 OK Hello 306\n", "\(name)")
                        continue
                    }
                    #expect(!text.hasPrefix("CatReq"), "\(name): the SD made a catalog request: \(text)")
                    if afterAutochanger, !AutochangerOutput.isStorageMessage(bytes) {
                        let output = try AutochangerOutput(parsing: bytes)
                        #expect(output.bytes == bytes, "\(name): \(text)")
                        exchange.items.append(.output(output))
                    } else {
                        let reply = try StorageReply(parsing: bytes)
                        #expect(reply.bytes == bytes, "\(name): \(text)")
                        if case .statusText = reply { Issue.record("\(name): untyped SD reply \(text)") }
                        exchange.items.append(.reply(reply))
                    }
                }
            }
            exchanges.append(exchange)
        }
        return exchanges
    }

    static let drive0 = DeviceDescription(name: "VDrive0", archiveDevice: "/tmp/devcmds/drive0")
    static let drive1 = DeviceDescription(name: "VDrive1", archiveDevice: "/tmp/devcmds/drive1")

    @Test(arguments: DeviceTranscript.names)
    func everyLineIsTypedAndRoundTrips(name: String) throws {
        let exchanges = try Self.exchanges(name)
        #expect(!exchanges.isEmpty)
        for exchange in exchanges {
            // Every command is answered by EOD; the Director closes with TERMINATE.
            let commandCount = exchange.commands.count
            let eods = exchange.items.filter { $0 == .signal(.toDirector, .endOfData) }.count
            #expect(eods == commandCount, "\(name)")
            #expect(exchange.items.contains(.signal(.toStorage, .terminate)), "\(name)")
        }
    }

    @Test func labelBarcodesAsksSlotsThenListThenLabelsEachSlot() throws {
        let exchanges = try Self.exchanges("02-label-barcodes")
        #expect(exchanges.count == 3)
        #expect(exchanges[0].commands == [.autochanger(AutochangerCommand(action: .slots, device: "VLib"))])
        #expect(exchanges[0].outputs == [.slotCount(4)])
        #expect(exchanges[0].replies == [.changer(.issuing(command: "slots"))])
        #expect(exchanges[1].commands == [.autochanger(AutochangerCommand(action: .list, device: "VLib"))])
        #expect(exchanges[1].outputs == (1...4).map { .slot($0, barcode: "LIB00\($0)") })
        let labels = (1...4).map { slot in
            DirectorCommand.label(
                LabelCommand(
                    device: "VLib", volumeName: "LIB00\(slot)", poolName: "TapePool", mediaType: "LTO-VT",
                    slot: Int32(slot), drive: 0))
        }
        #expect(exchanges[2].commands == labels)
        let results = exchanges[2].replies.compactMap { reply -> LabelResult? in
            if case .labelled(let result) = reply { return result } else { return nil }
        }
        #expect(
            results
                == (1...4).map {
                    LabelResult(volumeBytes: 64512, volumeName: "LIB00\($0)", device: Self.drive0)
                })
        // Before each answer: the previous cartridge goes back, the slot is loaded and checked.
        let second = exchanges[2].replies.drop { $0 != .labelled(results[0]) }.dropFirst()
        #expect(
            Array(second.prefix(11)) == [
                .changer(.queryingLoaded(drive: 0)), .changer(.loadedSlot(drive: 0, slot: 1)),
                .changer(.unloading(volume: "LIB001", slot: 1, drive: 0)),
                .changer(.queryingLoaded(drive: 0)), .changer(.loadedSlot(drive: 0, slot: nil)),
                .changer(.queryingLoaded(drive: 1)), .changer(.loadedSlot(drive: 1, slot: nil)),
                .changer(.loading(volume: "LIB002", slot: 2, drive: 0)),
                .changer(.loadSucceeded(volume: "LIB002", slot: 2, drive: 0)),
                .changer(.queryingLoaded(drive: 0)), .changer(.loadedSlot(drive: 0, slot: 2)),
            ])
    }

    @Test func singleLabelIsFollowedByAMountWithoutNewline() throws {
        let exchanges = try Self.exchanges("03-label-single")
        #expect(exchanges.count == 1)
        #expect(
            exchanges[0].commands == [
                .label(
                    LabelCommand(
                        device: "VLib", volumeName: "LIB005", poolName: "TapePool", mediaType: "LTO-VT", slot: 5,
                        drive: 0)),
                .mount(DriveCommand(device: "VLib", drive: 0, slot: 5, endsWithNewline: false)),
            ])
        #expect(Array(exchanges[0].replies.suffix(2)) == [
            .mounted(volume: "LIB005"), .alreadyMounted(device: Self.drive0, volume: "LIB005"),
        ])
    }

    @Test func alreadyLabelledMediumIsRefusedWith3920() throws {
        let exchanges = try Self.exchanges("04-label-already")
        let refusals = exchanges.flatMap(\.replies).filter {
            if case .alreadyLabelled = $0 { return true } else { return false }
        }
        #expect(refusals == [.alreadyLabelled(volume: "LIB002"), .alreadyLabelled(volume: "LIB003")])
        // A refused label is the last reply before EOD; no mount follows.
        for exchange in exchanges where exchange.replies.last.map({ refusals.contains($0) }) == true {
            #expect(exchange.commands.count == 1)
        }
    }

    @Test func updateSlotsScanReadsEveryLabel() throws {
        let exchanges = try Self.exchanges("06-update-slots-scan")
        let reads = exchanges.dropFirst(2)
        #expect(reads.count == 5)
        for (slot, exchange) in zip(Int32(1)..., reads) {
            #expect(exchange.commands == [.readLabel(device: "VLib", slot: slot, drive: 0)])
            #expect(exchange.replies.last == .labelRead(volume: "LIB00\(slot)", slot: slot))
            #expect(exchange.replies.contains(.changer(.loading(volume: "", slot: slot, drive: 0))))
        }
    }

    @Test func mountUnmountReleaseAnswers() throws {
        let exchanges = try Self.exchanges("07-mount-unmount-release") + Self.exchanges("08-mount-release")
        let last = exchanges.map { ($0.commands.first, $0.replies.last) }
        #expect(last[1].0 == .unmount(DriveCommand(device: "VLib", drive: 0, slot: 0)))
        #expect(last[1].1 == .alreadyUnmounted(device: Self.drive0))
        #expect(last[4].0 == .release(DriveCommand(device: "VLib", drive: 1, slot: 0)))
        #expect(last[4].1 == .alreadyReleased(device: Self.drive1))
        guard case .openFailed(let device, let error)? = last[2].1 else {
            Issue.record("mount of an empty drive: \(String(describing: last[2].1))")
            return
        }
        #expect(device == Self.drive0 && error.hasSuffix("ERR=No medium found\n"))
        let emptySlot = exchanges.last?.replies ?? []
        #expect(
            emptySlot.contains(
                .changer(
                    .loadFailed(
                        volume: "", slot: 6, drive: 0, error: "Child exited with code 1",
                        results: "slot 6 empty\n"))))
    }

    @Test func openDriveIsUnmountedAndReleased() throws {
        let exchanges = try Self.exchanges("13-always-open")
        #expect(exchanges.map(\.commands) == [
            [.mount(DriveCommand(device: "VLib", drive: 1, slot: 3))],
            [.unmount(DriveCommand(device: "VLib", drive: 1, slot: 0))],
            [.mount(DriveCommand(device: "VLib", drive: 1, slot: 3))],
            [.release(DriveCommand(device: "VLib", drive: 1, slot: 3))],
        ])
        #expect(exchanges[0].replies == [.isMounted(device: Self.drive1, volume: "LIB003")])
        #expect(
            exchanges[1].replies == [
                .changer(.unloading(volume: "*Unknown*", slot: 3, drive: 1)), .unmounted(device: Self.drive1),
            ])
        #expect(exchanges[3].replies.last == .released(device: Self.drive1))
    }

    @Test func apiStatusSlotsUsesListAll() throws {
        let exchanges = try Self.exchanges("11-api-status-slots")
        #expect(exchanges.count == 1)
        #expect(exchanges[0].commands == [.autochanger(AutochangerCommand(action: .listAll, device: "VLib"))])
        #expect(
            exchanges[0].outputs == [
                .drive(0, loaded: .init(slot: 5, barcode: "LIB005")), .storageSlot(1, barcode: "LIB001"),
                .storageSlot(2, barcode: "LIB002"), .storageSlot(3, barcode: nil), .storageSlot(4, barcode: "LIB004"),
                .storageSlot(5, barcode: nil), .storageSlot(6, barcode: nil),
            ])
    }

    @Test func relabelCarriesOldAndNewNames() throws {
        let exchanges = try Self.exchanges("10-relabel")
        #expect(
            exchanges[0].commands.first
                == .relabel(
                    LabelCommand(
                        device: "VLib", volumeName: "LIB015", poolName: "TapePool", mediaType: "LTO-VT", slot: 5,
                        drive: 0), oldName: "LIB005"))
        #expect(
            exchanges[0].replies.contains(
                .labelled(LabelResult(volumeBytes: 64512, volumeName: "LIB015", device: Self.drive0))))
    }
}
