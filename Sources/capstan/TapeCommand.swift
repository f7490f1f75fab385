import ArgumentParser
import BaculaVolume
import CapstanConfig
import Changers
import Discovery
import Foundation
import TapeDevices

/// `capstan tape`: status and positioning of a drive (the Linux st driver on /dev/nstN, or a virtual tape file) —
/// a configured Device, or like `mt -f` any drive udev shows — and the Bacula label of the cartridge in it.
struct TapeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tape", abstract: "Status, positioning and label of a tape drive (configured, or as udev shows it).",
        subcommands: [
            Status.self, Rewind.self, EndOfData.self, WriteFilemarks.self, ForwardFiles.self, BackFiles.self, ReadLabel.self,
            WaitReady.self, Alerts.self,
        ],
        defaultSubcommand: Status.self)

    @OptionGroup var options: Options

    struct Options: ParsableArguments {
        @OptionGroup var storage: StorageConfigOption

        @Option(
            name: .long,
            help: ArgumentHelp(
                "A Device name from the configuration, a device node or /dev/tape link, or a drive serial (default: the configuration's only Device, or with no configuration the only drive udev shows).",
                valueName: "device"))
        var device: String?

        /// The Archive Device path to open and what to call it in messages: `--device` (a configured Device, a path,
        /// or a serial udev knows), else the configuration's only Device, else (no configuration file) the only drive
        /// udev shows.
        func target() throws -> (path: String, name: String) {
            let configuration = try storage.load(required: false)
            let devices = (configuration?.devices ?? []).filter { !Self.isFileStorage($0) }
            if let wanted = device {
                if let d = devices.first(where: { $0.name == wanted }) { return (d.archiveDevice, "Device \"\(d.name)\"") }
                if wanted.hasPrefix("/") { return (wanted, wanted) }
                if let node = UdevEnumeration.inventory().drive(serial: wanted)?.tapeNode { return (node, "drive \(wanted)") }
                throw fail("tape", "\"\(wanted)\" is neither a Device of the configuration, a path, nor the serial of a drive udev shows")
            }
            guard !devices.isEmpty else {
                switch DeviceChoice.drive(named: nil, in: UdevEnumeration.inventory()) {
                case .success(let drive):
                    guard let node = drive.tapeNode else { throw fail("tape", "drive \(drive.serial) has no st node (load the st module)") }
                    return (node, "drive \(drive.serial)")
                case .failure(let failure):
                    let configured = configuration == nil
                        ? "no configuration either (\(StorageConfigOption.defaultPath) does not exist)"
                        : "the configuration has no tape Device"
                    throw fail("tape", failure.description + "; \(configured): pass --device NODE|SERIAL or -c FILE")
                }
            }
            guard devices.count == 1, let only = devices.first else {
                throw fail("tape", "the configuration has \(devices.count) Devices (\(devices.map(\.name).joined(separator: ", "))): choose one with --device")
            }
            return (only.archiveDevice, "Device \"\(only.name)\"")
        }

        /// A disk Device (`Device Type = File`, or an Archive Device that is a directory): nothing for a tape tool.
        static func isFileStorage(_ device: StorageDaemonConfiguration.Device) -> Bool {
            if let type = device.deviceType?.lowercased() { return type == "file" }
            var directory: ObjCBool = false
            return FileManager.default.fileExists(atPath: device.archiveDevice, isDirectory: &directory) && directory.boolValue
        }

        /// The drive's sg node, for SCSI commands st does not pass (LOG SENSE): udev's `genericNode` of the drive
        /// whose node or link the Device names; an sg node given directly is used as it is.
        func genericNode() throws -> (node: String, name: String) {
            let (path, name) = try target()
            let inventory = UdevEnumeration.inventory()
            let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
            guard let drive = inventory.drive(atPath: path) ?? inventory.drive(atPath: resolved) else {
                if (resolved as NSString).lastPathComponent.hasPrefix("sg") { return (resolved, name) }
                throw fail(
                    "tape", "\(name) (\(path)) is not a drive udev shows: no sg node to ask (a virtual tape has no TapeAlert)")
            }
            guard let node = drive.genericNode else {
                throw fail("tape", "\(name): drive \(drive.serial) has no SCSI generic node (is the sg module loaded?)")
            }
            return (node, name)
        }

        /// Opens the drive: st for character devices, a virtual tape for files.
        func open(writable: Bool) throws -> (drive: any TapeDrive, name: String) {
            let (path, name) = try target()
            var info = stat()
            guard stat(path, &info) == 0 else {
                let what = errno == ENOENT && !path.hasPrefix("/dev/") ? "no cartridge in the drive (\(path) does not exist)" : String(cString: strerror(errno))
                throw fail("tape", "\(name): \(what)")
            }
            do {
                if info.st_mode & S_IFMT == S_IFCHR { return (try LinuxTapeDrive(path: path, writable: writable), name) }
                return (try VirtualTape(path: path, writable: writable), name)
            } catch {
                throw fail("tape", "\(name) (\(path)): \(error)")
            }
        }
    }

    /// Opens the drive, runs `body`, closes it (st and the virtual tape both close cleanly).
    static func with(_ options: Options, writable: Bool, _ body: (any TapeDrive) throws -> Void) throws {
        let (drive, name) = try options.open(writable: writable)
        do {
            try body(drive)
            if let st = drive as? LinuxTapeDrive { try st.close() }
            if let vt = drive as? VirtualTape { try vt.close() }
        } catch let exit as ExitCode {
            throw exit
        } catch {
            throw fail("tape", "\(name): \(error)")
        }
    }

    struct StatusReport: Encodable {
        var file: Int
        var block: Int
        var beginningOfTape: Bool
        var endOfData: Bool
        var afterFilemark: Bool
        var writeProtected: Bool
        var online: Bool
    }

    static func printStatus(_ drive: any TapeDrive, json: Bool) throws {
        let s = try drive.status()
        let r = StatusReport(
            file: s.position.file, block: s.position.block, beginningOfTape: s.atBeginning, endOfData: s.atEndOfData,
            afterFilemark: s.afterFilemark, writeProtected: s.writeProtected, online: s.online)
        if json { return try printJSON(r) }
        var flags: [String] = []
        if s.online { flags.append("ONLINE") }
        if s.atBeginning { flags.append("BOT") }
        if s.atEndOfData { flags.append("EOD") }
        if s.afterFilemark { flags.append("EOF") }
        if s.writeProtected { flags.append("WR_PROT") }
        print("file \(s.position.file) block \(s.position.block) \(flags.joined(separator: " "))")
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Position and state (MTIOCGET).")
        @ParentCommand var parent: TapeCommand
        var options: Options { parent.options }
        @Flag(name: .long, help: "Print JSON.") var json = false
        func run() throws { try with(options, writable: false) { try printStatus($0, json: json) } }
    }

    struct Rewind: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Rewind to the beginning of the tape.")
        @ParentCommand var parent: TapeCommand
        var options: Options { parent.options }
        func run() throws { try with(options, writable: false) { try $0.rewind(); try printStatus($0, json: false) } }
    }

    struct EndOfData: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "eod", abstract: "Space to the end of recorded data.")
        @ParentCommand var parent: TapeCommand
        var options: Options { parent.options }
        func run() throws { try with(options, writable: false) { try $0.seekEndOfData(); try printStatus($0, json: false) } }
    }

    struct WaitReady: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "wait", abstract: "Wait until the drive reports a cartridge online (after a changer load).")
        @ParentCommand var parent: TapeCommand
        var options: Options { parent.options }
        @Option(name: .long, help: "Seconds to wait at most (default 300).") var timeout: Int = 300
        func validate() throws { guard (0...86_400).contains(timeout) else { throw ValidationError("--timeout must be 0...86400 seconds") } }
        func run() throws {
            try with(options, writable: false) { drive in
                guard let st = drive as? LinuxTapeDrive else { return try printStatus(drive, json: false) }
                try st.waitUntilReady(timeout: .seconds(timeout))
                try printStatus(st, json: false)
            }
        }
    }

    struct WriteFilemarks: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "weof", abstract: "Write COUNT filemarks here (erases what follows).")
        @ParentCommand var parent: TapeCommand
        var options: Options { parent.options }
        @Argument(help: "How many (default 1).") var count: Int = 1
        func validate() throws { guard (1...1000).contains(count) else { throw ValidationError("COUNT must be 1...1000") } }
        func run() throws { try with(options, writable: true) { try $0.writeFilemarks(count); try printStatus($0, json: false) } }
    }

    struct ForwardFiles: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "fsf", abstract: "Space forward over COUNT filemarks.")
        @ParentCommand var parent: TapeCommand
        var options: Options { parent.options }
        @Argument(help: "How many.") var count: Int
        func validate() throws { guard count > 0 else { throw ValidationError("COUNT must be positive") } }
        func run() throws { try with(options, writable: false) { try $0.spaceFiles(count); try printStatus($0, json: false) } }
    }

    struct BackFiles: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "bsf", abstract: "Space back over COUNT filemarks.")
        @ParentCommand var parent: TapeCommand
        var options: Options { parent.options }
        @Argument(help: "How many.") var count: Int
        func validate() throws { guard count > 0 else { throw ValidationError("COUNT must be positive") } }
        func run() throws { try with(options, writable: false) { try $0.spaceFiles(-count); try printStatus($0, json: false) } }
    }

    struct ReadLabel: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "read-label", abstract: "Rewind and print the Bacula volume label.")
        @ParentCommand var parent: TapeCommand
        var options: Options { parent.options }
        @Flag(name: .long, help: "Print JSON.") var json = false

        func run() throws {
            try with(options, writable: false) { drive in
                let label: VolumeListing.Label
                switch try drive.probeVolumeLabel() {
                case .label(let l, let type): label = VolumeListing.Label(l, type: type)
                case .notALabel(let fileIndex):
                    throw fail("tape", "the first record is not a volume label (FileIndex \(fileIndex))")
                case .damaged(let e): throw fail("tape", "the first block is damaged: \(e)")
                case .filemarkFirst: throw fail("tape", "no Bacula label: the tape starts with a filemark")
                case .blank: throw fail("tape", "no Bacula label: the tape is blank")
                }
                if json { return try printJSON(label) }
                print("Volume \"\(label.volumeName)\" (\(label.labelType), version \(label.version))")
                print("  Pool \(label.poolName) (\(label.poolType)), Media Type \(label.mediaType)")
                print("  labelled on \(label.hostName) by \(label.labelProgram), block size \(label.blockSize)")
            }
        }
    }

    struct Alerts: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The drive's TapeAlert flags (LOG SENSE 2Eh over its sg node; most drives clear them when read).")
        @ParentCommand var parent: TapeCommand
        var options: Options { parent.options }
        @Flag(name: .long, help: "Print JSON.") var json = false

        struct ActiveFlag: Encodable {
            var code: Int
            var name: String
            var severity: String
        }

        struct Report: Encodable {
            var node: String
            var supported: Bool
            /// Why not, when not supported: the sense the drive answered.
            var reason: String?
            var flags: [ActiveFlag]
        }

        func run() throws {
            let (node, name) = try options.genericNode()
            let outcome: TapeAlertOutcome
            let prefix = name == node ? "" : "\(name): "
            do {
                outcome = try TapeAlertReader(transport: try SCSIGenericDevice(path: node)).read()
            } catch let error as SCSICommandError {
                throw fail("tape", prefix + "\(TapeAlertReadError(device: node, reason: .command(error)))")
            } catch {
                throw fail("tape", prefix + "\(error)")
            }
            switch outcome {
            case .unsupported(let sense):
                if json { return try printJSON(Report(node: node, supported: false, reason: "\(sense)", flags: [])) }
                print("TapeAlert not supported by \(node): \(sense)")
            case .flags(let flags):
                let listed = flags.map { ActiveFlag(code: Int($0.code), name: $0.name, severity: $0.severity.rawValue) }
                if json { return try printJSON(Report(node: node, supported: true, reason: nil, flags: listed)) }
                if listed.isEmpty { print("No TapeAlert flags set on \(node).") }
                for flag in listed { print("\(flag.code) \(flag.name) (\(flag.severity))") }
            }
        }
    }
}
