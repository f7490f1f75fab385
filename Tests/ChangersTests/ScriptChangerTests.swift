import Changers
import Foundation
import TapeDevices
import Testing

/// Bacula's Changer Command interface: output parsers, the command line, and real runs of the project's
/// mtx-changer-style test script (scripts/devices/file-changer) over vtape files.
@Suite struct ScriptChangerTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let changerScript = root.appendingPathComponent("scripts/devices/file-changer").path

    @Test func listAllParsesDrivesSlotsAndImportExport() throws {
        let text = "D:0:F:2:E00002L6\nD:1:E\nS:1:F:E00001L6\nS:2:E\nS:3:F:\nI:9:F:CLN001\nI:10:E\n"
        let entries = try ChangerScriptOutput.listAll(text)
        #expect(
            entries == [
                .drive(0, slot: 2, barcode: "E00002L6", full: true), .drive(1, slot: nil, barcode: nil, full: false),
                .slot(1, barcode: "E00001L6", full: true), .slot(2, barcode: nil, full: false),
                .slot(3, barcode: nil, full: true), .importExport(9, barcode: "CLN001", full: true),
                .importExport(10, barcode: nil, full: false),
            ])
    }

    @Test(arguments: ["X:1:F:a", "S:one:F:a", "S:1:Q", "D:0:F", "S:0:E"])
    func listAllRejectsBadLinesNamingThem(_ line: String) {
        #expect {
            _ = try ChangerScriptOutput.listAll("S:1:E\n" + line + "\n")
        } throws: { ($0 as? ChangerScriptOutput.FormatError)?.line == line }
    }

    @Test func loadedSlotsAndList() throws {
        #expect(try ChangerScriptOutput.loaded("3\n") == 3)
        #expect(try ChangerScriptOutput.slots("   24\n") == 24)
        #expect(throws: ChangerScriptOutput.FormatError.self) { try ChangerScriptOutput.loaded("Drive busy\n") }
        let list = try ChangerScriptOutput.list("1:E00001L6\n2:\n\n7:E00007L6\n")
        #expect(list.map(\.slot) == [1, 2, 7])
        #expect(list.map(\.barcode) == ["E00001L6", nil, "E00007L6"])
    }

    @Test func commandLineSubstitutesPerWord() {
        let line = ChangerCommandLine("/etc/bacula/scripts/mtx-changer %c %o %S %a %d 'x %s' 100%%")
        var values = ChangerCommandLine.Values(
            changerDevice: "/dev/sg3", command: "load", slot: 4, archiveDevice: "/srv/tape dir/drive0", drive: 1)
        values.volume = "V1"
        #expect(
            line.arguments(values) == ["/etc/bacula/scripts/mtx-changer", "/dev/sg3", "load", "4", "/srv/tape dir/drive0", "1", "x 3", "100%"])
        #expect(line.rendered(values).contains("\"/srv/tape dir/drive0\""))
    }

    /// A directory laid out for file-changer: cartridges `slotN` (vtape images) and a barcode file.
    func library(slots: [Int]) throws -> (dir: String, drive: String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("capstan-script-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for slot in slots { try VirtualTape(path: "\(dir)/slot\(slot)", writable: true).close() }
        try (1...4).map { "\($0):TAPE0\($0)" }.joined(separator: "\n").appending("\n")
            .write(toFile: dir + "/barcodes", atomically: true, encoding: .utf8)
        return (dir, dir + "/drive0")
    }

    func changer(_ dir: String, drive: String, timeout: Int = 30) -> ScriptChanger {
        ScriptChanger(
            command: Self.changerScript + " %c %o %S %a %d", changerDevice: dir, archiveDevices: [0: drive],
            timeoutSeconds: timeout)
    }

    @Test func inventoryLoadUnloadTransferThroughTheScript() async throws {
        let (dir, drive) = try library(slots: [1, 2, 3])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let c = changer(dir, drive: drive)
        var elements = try await c.inventory()
        #expect(ScriptChanger.slots(elements).map(\.barcode) == ["TAPE01", "TAPE02", "TAPE03", nil])
        #expect(ScriptChanger.drives(elements).map(\.full) == [false])

        try await c.load(slot: 2, drive: 0)
        #expect(try await c.loaded(drive: 0) == 2)
        #expect(FileManager.default.fileExists(atPath: drive))
        #expect(!FileManager.default.fileExists(atPath: dir + "/slot2"))
        _ = try VirtualTape(path: drive, writable: false)  // the cartridge is a readable tape in the drive
        elements = try await c.inventory()
        #expect(ScriptChanger.drives(elements).first?.barcode == "TAPE02")
        #expect(ScriptChanger.drives(elements).first?.sourceAddress == 2)

        let back = try await c.unload(drive: 0)
        #expect(back == 2)
        #expect(try await c.loaded(drive: 0) == 0)
        #expect(FileManager.default.fileExists(atPath: dir + "/slot2"))

        try await c.transfer(from: 3, to: 4)
        #expect(FileManager.default.fileExists(atPath: dir + "/slot4"))
        let log = try String(contentsOfFile: dir + "/changer.log", encoding: .utf8)
        #expect(log.contains("args: \(dir) transfer 3 4 0"))
        #expect(log.contains("args: \(dir) load 2 \(drive) 0"))
    }

    @Test func aFailingCommandIsATypedErrorNamingItsCommandLine() async throws {
        let (dir, drive) = try library(slots: [1])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let c = changer(dir, drive: drive)
        do {
            try await c.run("load", slot: 3, drive: 0)
            Issue.record("loading an empty slot succeeded")
        } catch let error as ChangerCommandError {
            #expect(error.reason == .exited(1))
            #expect(error.commandLine == "\(Self.changerScript) \(dir) load 3 \(drive) 0")
            #expect(error.output == "slot 3 empty")
            #expect(error.description.contains("exited with status 1"))
        }
    }

    @Test func scriptWithoutListAllStillInventories() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("capstan-old-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let script = dir + "/old-changer"
        try """
            #!/bin/sh
            case "$2" in
              slots) echo 3 ;;
              list) echo "1:AAA001"; echo "3:AAA003" ;;
              loaded) echo 3 ;;
              *) echo "unknown command $2" >&2; exit 2 ;;
            esac
            """.write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
        let c = ScriptChanger(command: script + " %c %o %S %a %d", changerDevice: "/dev/null", archiveDevices: [0: "/dev/null"])
        let elements = try await c.inventory()
        #expect(ScriptChanger.slots(elements).map(\.full) == [true, false, false])
        #expect(ScriptChanger.drives(elements).first?.barcode == "AAA003")
    }

    /// A script that starts a process and leaves it running with its standard output (a helper daemon, a
    /// `sleep &`) is answered when the script itself exits, not when that process lets go of the pipe.
    @Test func aScriptThatLeavesAProcessBehindIsAnsweredWhenItExits() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("capstan-behind-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let script = dir + "/leaves-one-behind"
        let pidFile = dir + "/pid"
        try "#!/bin/sh\nsleep 60 &\necho $! > \(pidFile)\necho 7\n".write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
        let changer = ScriptChanger(command: script + " %c %o", changerDevice: "/dev/null", archiveDevices: [:], timeoutSeconds: 30)
        defer {
            if let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
                let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
            {
                kill(pid, SIGKILL)
            }
        }
        // Before, the runner waited for end of file and then for Foundation's `waitUntilExit()`: the left-behind sleep
        // held both past the 30 s timeout.
        let output = try await changer.run("slots")
        #expect(output.trimmingCharacters(in: .whitespacesAndNewlines) == "7")
    }

    @Test func stderrTimeoutsAndMissingScripts() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("capstan-slow-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let script = dir + "/slow"
        let pidFile = dir + "/pid"
        try "#!/bin/sh\necho $$ > \(pidFile)\necho \"going to sleep\" >&2\nexec sleep 30\n"
            .write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
        let slow = ScriptChanger(command: script + " %c %o", changerDevice: "/dev/null", archiveDevices: [:], timeoutSeconds: 1)
        await #expect { try await slow.run("slots") } throws: {
            guard let e = $0 as? ChangerCommandError else { return false }
            return e.reason == .timedOut(seconds: 1) && e.errors == "going to sleep" && e.commandLine == "\(script) /dev/null slots"
        }
        // killed and reaped, not left to finish its 30 s sleep (checked by its PID rather than by a clock, which a
        // test task held by the tests beside it would read late)
        let pid = try #require(Int32(String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(kill(pid, 0) == -1 && errno == ESRCH, "the timed-out script (PID \(pid)) is still there")
        let missing = ScriptChanger(command: dir + "/nothing %c %o", changerDevice: "/dev/null", archiveDevices: [:])
        await #expect { try await missing.run("slots") } throws: {
            guard let e = $0 as? ChangerCommandError, case .couldNotStart = e.reason else { return false }
            return true
        }
    }
}
