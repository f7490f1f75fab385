import CapstanConfig

/// Which changer implementation a configuration asks for.
///
/// - `Changer Device = "virtual:DIR"` (any command): the `VirtualLibrary` in DIR. Options after `?` apply only
///   when the library is created on first use: `slots=N` (default 10), `ie=N` import/export slots (default 0),
///   `barcodes=PREFIX` (default `VT`; cartridges `PREFIX0001`... fill every slot), `cartridges=N` (default: all slots).
///   Example: `virtual:/var/lib/capstan/library?slots=8&ie=2&barcodes=CAP`.
/// - no `Changer Command`, an empty one, or `Changer Command = "capstan:native"`: native SCSI over SG_IO on the
///   Changer Device, which must be an sg node (`/dev/sgN`), the ch node (`/dev/schN`), or a `/dev/tape/by-id/...`
///   or `/dev/tape/by-path/...` link ending in `-sg` or `-changer` (or a link with `scsi-<serial>`).
/// - any other `Changer Command`: Bacula's script interface (`%c %o %S %a %d`).
public enum ChangerSelection: Equatable, Sendable {
    case native(device: String)
    case script(command: String, changerDevice: String)
    case virtual(directory: String, layout: VirtualOptions)

    public static let nativeKeyword = "capstan:native"
    public static let virtualPrefix = "virtual:"

    /// Creation options of a virtual library.
    public struct VirtualOptions: Equatable, Sendable {
        public var slots = 10
        public var importExport = 0
        public var barcodePrefix = "VT"
        public var cartridges: Int?

        public init() {}

        /// The barcodes of the cartridges a new library gets.
        public var barcodes: [String] {
            let count = min(cartridges ?? slots, slots)
            guard count > 0 else { return [] }
            return (1...count).map { barcodePrefix + String(repeating: "0", count: max(0, 4 - String($0).count)) + String($0) }
        }
    }

    public struct ConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
        public var description: String
    }

    public init(changerDevice: String, changerCommand: String?) throws(ConfigurationError) {
        if changerDevice.hasPrefix(Self.virtualPrefix) {
            let spec = changerDevice.dropFirst(Self.virtualPrefix.count)
            let parts = spec.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
            let directory = String(parts[0])
            guard directory.hasPrefix("/") else {
                throw ConfigurationError(description: "Changer Device \"\(changerDevice)\": virtual: needs an absolute directory")
            }
            var options = VirtualOptions()
            for pair in parts.count > 1 ? parts[1].split(separator: "&") : [] {
                let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
                let value = kv.count == 2 ? kv[1] : ""
                let number = Int(value).flatMap { (0...10_000).contains($0) ? $0 : nil }
                switch kv[0] {
                case "slots" where number != nil: options.slots = number ?? 0
                case "ie" where number != nil: options.importExport = number ?? 0
                case "cartridges" where number != nil: options.cartridges = number
                case "barcodes" where !value.isEmpty && value.count <= 16 && !value.contains("/"): options.barcodePrefix = value
                default:
                    throw ConfigurationError(
                        description: "Changer Device \"\(changerDevice)\": unknown or bad option \"\(pair)\" (slots=N, ie=N, cartridges=N, barcodes=PREFIX)")
                }
            }
            self = .virtual(directory: directory, layout: options)
            return
        }
        let command = (changerCommand ?? "").trimmingBlanks
        if command.isEmpty || command == Self.nativeKeyword {
            guard Self.isSCSIChangerPath(changerDevice) else {
                throw ConfigurationError(
                    description: "Changer Device \"\(changerDevice)\" is not an sg or ch node nor a /dev/tape link to one; "
                        + "native SCSI needs one (or set a Changer Command script, or use virtual:DIR)")
            }
            self = .native(device: changerDevice)
        } else {
            guard !changerDevice.isEmpty else {
                throw ConfigurationError(description: "Changer Command \"\(command)\" needs a Changer Device (%c)")
            }
            self = .script(command: command, changerDevice: changerDevice)
        }
    }

    /// `/dev/sgN`, `/dev/schN`, or a /dev/tape link named for an sg node or a changer.
    public static func isSCSIChangerPath(_ path: String) -> Bool {
        func numbered(_ prefix: String) -> Bool {
            path.hasPrefix(prefix) && path.count > prefix.count && path.dropFirst(prefix.count).allSatisfy(\.isNumber)
        }
        if numbered("/dev/sg") || numbered("/dev/sch") { return true }
        if path.hasPrefix("/dev/tape/by-id/") || path.hasPrefix("/dev/tape/by-path/") {
            return path.hasSuffix("-sg") || path.hasSuffix("-changer") || path.hasPrefix("/dev/tape/by-id/scsi-") && !path.hasSuffix("-nst")
        }
        return false
    }
}

/// Builds the changer of an Autochanger resource. Keep one instance per library: each serialises its own operations.
public enum ChangerFactory {
    /// The changer for the Autochanger called `name` (drives: its Devices' Archive Devices by Drive Index).
    public static func make(autochanger name: String, in configuration: StorageDaemonConfiguration) throws -> any MediaChanger {
        guard let changer = configuration.autochangers.first(where: { $0.name == name }) else {
            throw ChangerSelection.ConfigurationError(description: "no Autochanger \"\(name)\" in the configuration")
        }
        let devices = configuration.devices.filter { changer.devices.contains($0.name) }
        let selection = try ChangerSelection(changerDevice: changer.changerDevice, changerCommand: changer.changerCommand)
        return try make(selection, drives: devices.map { ($0.driveIndex, $0.archiveDevice) })
    }

    /// The changer for a selection; `drives` pairs each Drive Index with its Archive Device.
    public static func make(_ selection: ChangerSelection, drives: [(index: Int, archiveDevice: String)], changerWaitSeconds: Int = 300)
        throws -> any MediaChanger
    {
        switch selection {
        case .native(let device):
            return try SCSIMediaChanger(path: device)
        case .script(let command, let changerDevice):
            var byIndex: [Int: String] = [:]
            for d in drives { byIndex[d.index] = d.archiveDevice }
            return ScriptChanger(command: command, changerDevice: changerDevice, archiveDevices: byIndex, timeoutSeconds: changerWaitSeconds)
        case .virtual(let directory, let options):
            let layout = VirtualLibrary.Layout(
                slots: options.slots, importExport: options.importExport, barcodes: options.barcodes,
                drives: drives.sorted { $0.index < $1.index }.map(\.archiveDevice))
            return try VirtualLibrary.openOrCreate(directory: directory, layout: layout)
        }
    }
}
