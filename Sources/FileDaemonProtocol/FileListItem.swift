import CapstanConfig

/// One `F` item of an Include or Exclude as the File daemon reads it (spec §3.2.4). The Director expands
/// `File = "|command"` and `File = "<file"` itself; `File = "\\|command"` and `File = "\\<file"` reach the FD as
/// `F |command` / `F <file` (the Director drops the backslash), and bacula-fd runs the command or reads the file on
/// the client, each line of output being one name.
public enum FileListItem: Hashable, Sendable {
    /// A path (or, in an Exclude, a pattern).
    case path([UInt8])
    /// A program whose output lines are the names (the text after `|`).
    case command(String)
    /// A file on the client whose lines are the names (the path after `<`).
    case listFile([UInt8])

    public init(_ bytes: [UInt8]) {
        switch bytes.first {
        case UInt8(ascii: "|"): self = .command(String(decoding: bytes.dropFirst(), as: UTF8.self))
        case UInt8(ascii: "<"): self = .listFile(Array(bytes.dropFirst()))
        default: self = .path(bytes)
        }
    }

    /// The names in a program's output or a list file: one per line, trailing white space (and the CR of a CRLF)
    /// removed as bacula-fd does; empty lines name nothing and are left out.
    public static func names(in output: [UInt8]) -> [[UInt8]] {
        output.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true).compactMap { line in
            var name = Array(line)
            while let last = name.last, last == 0x20 || last == 0x09 || last == 0x0D || last == 0x0B || last == 0x0C {
                name.removeLast()
            }
            return name.isEmpty ? nil : name
        }
    }
}

/// The `%` codes bacula-fd replaces in a file-list command before running it: `%%`, `%c` (client name), `%d`
/// (this daemon's name), `%i` (JobId), `%j` (unique Job name), `%n` (Job name without its date suffix). Other codes
/// stay as they are.
public enum JobCodes {
    public static func expand(_ text: String, job: JobIdentity, clientName: String) -> String {
        PercentCodes.expand(text) { code in
            switch code {
            case "%": return "%"
            case "c", "d": return clientName
            case "i": return "\(job.jobID)"
            case "j": return job.job
            case "n": return jobName(job.job)
            default: return nil
            }
        }
    }

    /// `Name.2026-12-02_08.00.00_01` → `Name`.
    static func jobName(_ unique: String) -> String {
        let parts = unique.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 4 else { return unique }
        return parts.dropLast(3).joined(separator: ".")
    }
}
