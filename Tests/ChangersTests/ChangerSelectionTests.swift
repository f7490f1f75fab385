import CapstanConfig
import Changers
import Foundation
import Testing

/// The factory's choice of changer from Changer Device and Changer Command.
@Suite struct ChangerSelectionTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var device: String
        var command: String?
        var expected: ChangerSelection?
        var testDescription: String { "\(device) / \(command ?? "nil")" }
    }

    static let cases: [Case] = [
        Case(device: "/dev/sg3", command: nil, expected: .native(device: "/dev/sg3")),
        Case(device: "/dev/sch0", command: "", expected: .native(device: "/dev/sch0")),
        Case(device: "/dev/tape/by-id/scsi-LIB00001-sg", command: "capstan:native", expected: .native(device: "/dev/tape/by-id/scsi-LIB00001-sg")),
        Case(device: "/dev/tape/by-id/scsi-3600-changer", command: nil, expected: .native(device: "/dev/tape/by-id/scsi-3600-changer")),
        Case(device: "/dev/nst0", command: nil, expected: nil),
        Case(device: "/srv/changer", command: "capstan:native", expected: nil),
        Case(
            device: "/dev/sg3", command: "/etc/bacula/scripts/mtx-changer %c %o %S %a %d",
            expected: .script(command: "/etc/bacula/scripts/mtx-changer %c %o %S %a %d", changerDevice: "/dev/sg3")),
        Case(device: "virtual:/var/lib/capstan/library", command: "/x %c", expected: .virtual(directory: "/var/lib/capstan/library", layout: .init())),
        Case(device: "virtual:relative", command: nil, expected: nil),
        Case(device: "virtual:/v?slots=x", command: nil, expected: nil),
    ]

    @Test(arguments: cases) func choice(_ c: Case) {
        let result = Result { () throws(ChangerSelection.ConfigurationError) in
            try ChangerSelection(changerDevice: c.device, changerCommand: c.command)
        }
        switch (result, c.expected) {
        case (.success(let s), let e?): #expect(s == e)
        case (.failure(let error), nil): #expect(error.description.contains(c.device) || error.description.contains("virtual"))
        default: Issue.record("\(c.testDescription): got \(result)")
        }
    }

    @Test func virtualOptionsShapeANewLibrary() throws {
        let s = try ChangerSelection(changerDevice: "virtual:/lib?slots=6&ie=2&barcodes=CAP&cartridges=3", changerCommand: nil)
        guard case .virtual(_, let options) = s else { Issue.record("\(s)"); return }
        #expect(options.slots == 6 && options.importExport == 2)
        #expect(options.barcodes == ["CAP0001", "CAP0002", "CAP0003"])
    }

    @Test func factoryBuildsTheVirtualLibraryOfAnAutochanger() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("capstan-factory-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let text = """
            Storage { Name = sd; Working Directory = /tmp; Pid Directory = /tmp }
            Director { Name = dir; Password = x }
            Messages { Name = Standard }
            Autochanger { Name = Lib; Device = D0, D1; Changer Device = "virtual:\(dir)?slots=5"; Changer Command = "" }
            Device { Name = D1; Media Type = LTO; Archive Device = \(dir)/drive1; Drive Index = 1 }
            Device { Name = D0; Media Type = LTO; Archive Device = \(dir)/drive0; Drive Index = 0 }
            """
        let (loaded, diagnostics) = ConfigLoader.load(text: text, name: "sd.conf", kind: .storage)
        #expect(diagnostics.errors.isEmpty, "\(diagnostics.errors)")
        let configuration = try #require(StorageDaemonConfiguration(loaded))
        let changer = try ChangerFactory.make(autochanger: "Lib", in: configuration)
        let elements = try await changer.inventory()
        #expect(VirtualLibrary.slots(elements).map(\.barcode) == ["VT0001", "VT0002", "VT0003", "VT0004", "VT0005"])
        try await changer.load(slot: 1, drive: 1)
        #expect(FileManager.default.fileExists(atPath: dir + "/drive1"))
    }
}
