import CapstanConfig
import Subprocesses

/// Bacula's `Changer Command` template, with the substitutions of the volume spec §10.1.
///
/// The template is split into words first, as Bacula's bpipe splits every command line it runs (`ProgramArguments.split`:
/// blanks separate words, a word that starts with a quote runs to the next same quote), and each word is substituted
/// afterwards, so a device path with blanks stays one argument. No shell is involved.
public struct ChangerCommandLine: Equatable, Sendable {
    public var template: String

    public init(_ template: String) { self.template = template }

    /// What `%` codes stand for in one invocation.
    public struct Values: Equatable, Sendable {
        /// `%c`: the Changer Device.
        public var changerDevice: String
        /// `%o`: the command (`load`, `unload`, `loaded`, `list`, `listall`, `slots`, `transfer`).
        public var command: String
        /// `%S` (and `%s` = slot − 1); 0 when not meaningful.
        public var slot: Int
        /// `%a`: the drive's Archive Device (for `transfer`, the destination slot, as mtx-changer reads it).
        public var archiveDevice: String
        /// `%d`: the Drive Index.
        public var drive: Int
        public var volume: String = ""
        public var job: String = ""
        public var client: String = ""
        public var controlDevice: String = ""

        public init(changerDevice: String, command: String, slot: Int, archiveDevice: String, drive: Int) {
            self.changerDevice = changerDevice
            self.command = command
            self.slot = slot
            self.archiveDevice = archiveDevice
            self.drive = drive
        }
    }

    /// The argument vector (program first).
    public func arguments(_ v: Values) -> [String] {
        ProgramArguments.split(template).map { substitute($0, v) }
    }

    /// The command line as it would be typed, for messages.
    public func rendered(_ v: Values) -> String {
        arguments(v).map { $0.contains(" ") || $0.isEmpty ? "\"\($0)\"" : $0 }.joined(separator: " ")
    }

    private func substitute(_ word: String, _ v: Values) -> String {
        PercentCodes.expand(word) { code in
            switch code {
            case "c": return v.changerDevice
            case "o": return v.command
            case "S": return String(v.slot)
            case "s": return String(max(0, v.slot - 1))
            case "a": return v.archiveDevice
            case "d": return String(v.drive)
            case "v": return v.volume
            case "j": return v.job
            case "f": return v.client
            case "l": return v.controlDevice
            case "%": return "%"
            default: return nil
            }
        }
    }
}
