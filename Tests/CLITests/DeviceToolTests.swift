import CapstanTestSupport
import Foundation
import Testing

/// `capstan changer`, `capstan tape` and `capstan devices` run as programs against a virtual library of vtape
/// cartridges and against the project's mtx-changer-style script.
@Suite struct DeviceToolTests {

    struct Inventory: Decodable {
        struct Slot: Decodable {
            var slot: Int
            var importExport: Bool
            var full: Bool
            var barcode: String?
        }
        struct Drive: Decodable {
            var drive: Int
            var full: Bool
            var barcode: String?
            var sourceSlot: Int?
        }
        var autochanger: String
        var slots: [Slot]
        var drives: [Drive]
    }

    /// A Storage daemon configuration with a virtual autochanger of two drives in a fresh directory.
    func virtualLibrary() throws -> (config: String, directory: String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("capstan-cli-lib-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let config = """
            Storage { Name = sd; Working Directory = \(dir); Pid Directory = \(dir) }
            Director { Name = dir; Password = x }
            Messages { Name = Standard }
            Autochanger { Name = Lib; Device = Drive-0, Drive-1; Changer Device = "virtual:\(dir)/lib?slots=4&ie=1&barcodes=CAP"; Changer Command = "capstan:native" }
            Device { Name = Drive-0; Media Type = LTO; Archive Device = \(dir)/lib/drive0; Drive Index = 0 }
            Device { Name = Drive-1; Media Type = LTO; Archive Device = \(dir)/lib/drive1; Drive Index = 1 }
            Device { Name = Serial-Drive; Media Type = LTO; Archive Device = /dev/tape/by-id/scsi-NOSUCHDRIVE-nst }
            """
        try config.write(toFile: dir + "/sd.conf", atomically: true, encoding: .utf8)
        return (dir + "/sd.conf", dir)
    }

    func inventory(_ config: String) async throws -> Inventory {
        let result = try await Programs.run("capstan", ["changer", "-c", config, "inventory", "--json"])
        #expect(result.status == 0, "\(result.errors)")
        return try JSONDecoder().decode(Inventory.self, from: Data(result.output.utf8))
    }

    @Test func changerLoadUnloadTransferShowInTheNextInventory() async throws {
        let (config, dir) = try virtualLibrary()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var inv = try await inventory(config)
        #expect(inv.autochanger == "Lib")
        #expect(inv.slots.map(\.barcode) == ["CAP0001", "CAP0002", "CAP0003", "CAP0004", nil])
        #expect(inv.slots.map(\.importExport) == [false, false, false, false, true])
        #expect(inv.drives.map(\.full) == [false, false])

        let load = try await Programs.run("capstan", ["changer", "-c", config, "load", "3", "1"])
        #expect(load.status == 0, "\(load.errors)")
        inv = try await inventory(config)
        #expect(inv.drives[1].barcode == "CAP0003" && inv.drives[1].sourceSlot == 3)
        #expect(!inv.slots[2].full)
        let list = try await Programs.run("capstan", ["changer", "-c", config, "list"])
        #expect(list.output.split(separator: "\n").sorted() == ["1:CAP0001", "2:CAP0002", "3:CAP0003", "4:CAP0004"])

        let transfer = try await Programs.run("capstan", ["changer", "-c", config, "transfer", "1", "5"])
        #expect(transfer.status == 0, "\(transfer.errors)")
        let unload = try await Programs.run("capstan", ["changer", "-c", config, "unload", "1"])
        #expect(unload.status == 0 && unload.output.contains("slot 3"), "\(unload.errors)")
        inv = try await inventory(config)
        #expect(inv.slots.map(\.barcode) == [nil, "CAP0002", "CAP0003", "CAP0004", "CAP0001"])
        #expect(inv.drives.allSatisfy { !$0.full })

        let bad = try await Programs.run("capstan", ["changer", "-c", config, "load", "1", "0"])  // slot 1 is empty now
        #expect(bad.status == 1)
        #expect(bad.errors.contains("empty"), "\(bad.errors)")
    }

    @Test func tapeCommandsOnAVirtualDriveAndTheLabelOfARealBaculaTape() async throws {
        let (config, dir) = try virtualLibrary()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try await inventory(config)  // creates the library
        // put Bacula 9.6.7's own vtape volume in as cartridge CAP0002
        let cartridge = dir + "/lib/cartridges/CAP0002.vtape"
        try FileManager.default.removeItem(atPath: cartridge)
        try FileManager.default.copyItem(atPath: Fixtures.volume("TAPE01.vtape"), toPath: cartridge)

        let empty = try await Programs.run("capstan", ["tape", "-c", config, "--device", "Drive-0", "status"])
        #expect(empty.status == 1 && empty.errors.contains("no cartridge"), "\(empty.errors)")

        #expect(try await Programs.run("capstan", ["changer", "-c", config, "load", "2", "0"]).status == 0)
        let label = try await Programs.run("capstan", ["tape", "-c", config, "--device", "Drive-0", "read-label", "--json"])
        #expect(label.status == 0, "\(label.errors)")
        struct Label: Decodable {
            var volumeName: String
            var labelType: String
        }
        let decoded = try JSONDecoder().decode(Label.self, from: Data(label.output.utf8))
        #expect(decoded.volumeName == "TAPE01" && decoded.labelType == "VOL_LABEL")

        let fsf = try await Programs.run("capstan", ["tape", "-c", config, "--device", "Drive-0", "fsf", "1"])
        #expect(fsf.status == 0 && fsf.output.hasPrefix("file 1 block 0"), "\(fsf.output) \(fsf.errors)")
        let eod = try await Programs.run("capstan", ["tape", "-c", config, "--device", "Drive-0", "eod"])
        #expect(eod.output.contains("EOD"), "\(eod.output)")

        #expect(try await Programs.run("capstan", ["changer", "-c", config, "load", "1", "1"]).status == 0)
        let blank = try await Programs.run("capstan", ["tape", "-c", config, "--device", "Drive-1", "read-label"])
        #expect(blank.status == 1 && blank.errors.contains("blank"), "\(blank.errors)")
        let weof = try await Programs.run("capstan", ["tape", "-c", config, "--device", "Drive-1", "weof", "2"])
        #expect(weof.status == 0 && weof.output.hasPrefix("file 2 block 0"), "\(weof.output) \(weof.errors)")
        // a virtual tape opens at its beginning (unlike /dev/nstN, which keeps its position between opens)
        let bsf = try await Programs.run("capstan", ["tape", "-c", config, "--device", "Drive-1", "bsf", "1"])
        #expect(bsf.status == 1 && bsf.errors.contains("beginning of tape"), "\(bsf.errors)")
        let status = try await Programs.run("capstan", ["tape", "-c", config, "--device", "Drive-1", "status", "--json"])
        #expect(status.output.contains("\"online\" : true"), "\(status.output)")
    }

    /// No drive here answers SG_IO: what `tape alerts` does when there is no sg node, or the node cannot be opened.
    @Test func tapeAlertsNeedsAnSgNodeAndNamesTheNodeThatFailed() async throws {
        let (config, dir) = try virtualLibrary()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let virtual = try await Programs.run("capstan", ["tape", "-c", config, "--device", "Drive-0", "alerts"])
        #expect(virtual.status == 1 && virtual.errors.contains("no sg node"), "\(virtual.errors)")
        let missing = try await Programs.run("capstan", ["tape", "--device", "/dev/sg-capstan-missing", "alerts", "--json"])
        #expect(missing.status == 1, "\(missing.output)")
        #expect(missing.output.isEmpty)
        #expect(missing.errors.contains("TapeAlert on /dev/sg-capstan-missing") && missing.errors.contains("errno 2"), "\(missing.errors)")
    }

    @Test func changerCommandScriptThroughTheCLI() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("capstan-cli-script-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for slot in [1, 2] { try Data([0, 0, 0, 0] + [UInt8](repeating: 0, count: 16)).write(to: URL(fileURLWithPath: "\(dir)/slot\(slot)")) }
        try "1:AAA001\n2:AAA002\n".write(toFile: dir + "/barcodes", atomically: true, encoding: .utf8)
        let script = Fixtures.repositoryRoot.appendingPathComponent("scripts/devices/file-changer").path
        let config = """
            Storage { Name = sd; Working Directory = \(dir); Pid Directory = \(dir) }
            Director { Name = dir; Password = x }
            Messages { Name = Standard }
            Autochanger { Name = Script; Device = D0; Changer Device = \(dir); Changer Command = "\(script) %c %o %S %a %d" }
            Device { Name = D0; Media Type = LTO; Archive Device = \(dir)/drive0; Drive Index = 0 }
            """
        try config.write(toFile: dir + "/sd.conf", atomically: true, encoding: .utf8)
        #expect(try await Programs.run("capstan", ["changer", "-c", dir + "/sd.conf", "load", "2", "0"]).status == 0)
        let inv = try await inventory(dir + "/sd.conf")
        #expect(inv.drives.first?.barcode == "AAA002" && inv.drives.first?.sourceSlot == 2)
        #expect(FileManager.default.fileExists(atPath: dir + "/drive0"))
        let failing = try await Programs.run("capstan", ["changer", "-c", dir + "/sd.conf", "load", "1", "0"])  // drive busy
        #expect(failing.status == 1)
        #expect(failing.errors.contains("\(script) \(dir) load 1 \(dir)/drive0 0"), "\(failing.errors)")
        #expect(failing.errors.contains("Drive 0 busy with slot 2"), "\(failing.errors)")
    }

    @Test func devicesListsConfiguredDrivesUdevDoesNotShow() async throws {
        let (config, dir) = try virtualLibrary()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let result = try await Programs.run("capstan", ["devices", "-c", config, "--json"])
        #expect(result.status == 0, "\(result.errors)")
        struct Listing: Decodable {
            struct Missing: Decodable {
                var device: String
                var serial: String?
            }
            var missing: [Missing]
        }
        let listing = try JSONDecoder().decode(Listing.self, from: Data(result.output.utf8))
        // the virtual drives are files, not udev devices; the by-id Device is tracked by its serial
        #expect(listing.missing.map(\.device) == ["Serial-Drive"])
        #expect(listing.missing.first?.serial == "NOSUCHDRIVE")
    }
}
