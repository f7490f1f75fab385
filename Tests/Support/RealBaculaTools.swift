import Foundation

/// Bacula's volume tools (`bls`, `bextract`, from Debian's bacula-sd) run on a volume file with a generated
/// Storage-daemon configuration whose File device points at the volume's directory.
public enum RealBaculaTools {
    /// A minimal bacula-sd.conf for the tools, with one File device on `directory` named `ToolDevice`.
    static func configuration(directory: String, blockSize: Int?) throws -> String {
        let home = try RealBacula.temporaryDirectory("capstan-bls")
        let path = home + "/bls.conf"
        try """
        Storage { Name = tools-sd; WorkingDirectory = "\(home)"; Pid Directory = "\(home)" }
        Director { Name = tools-dir; Password = "unused" }
        Device {
          Name = ToolDevice; Media Type = File; Device Type = File; Archive Device = "\(directory)"
          Random Access = yes; Removable Media = no; Automatic Mount = yes; Label Media = no
          \(blockSize.map { "Maximum Block Size = \($0)" } ?? "")
        }
        Messages { Name = Standard; stdout = all }
        """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// `bls [arguments] -c CONF -V VOLUME ToolDevice`.
    public static func bls(volume: String, arguments: [String] = [], bootstrap: String? = nil) async throws -> Command.Result {
        let directory = (volume as NSString).deletingLastPathComponent
        let name = (volume as NSString).lastPathComponent
        let conf = try configuration(directory: directory, blockSize: 2_097_152)
        return try await Command.run(
            "/usr/sbin/bls", arguments + ["-c", conf] + (bootstrap.map { ["-b", $0] } ?? []) + ["-V", name, "ToolDevice"],
            timeout: 600)
    }

    /// `bextract -c CONF -V VOLUME ToolDevice TARGET`.
    public static func bextract(volume: String, into target: String, bootstrap: String? = nil) async throws -> Command.Result {
        let directory = (volume as NSString).deletingLastPathComponent
        let name = (volume as NSString).lastPathComponent
        let conf = try configuration(directory: directory, blockSize: 2_097_152)
        return try await Command.run(
            "/usr/sbin/bextract",
            ["-c", conf] + (bootstrap.map { ["-b", $0] } ?? []) + ["-V", name, "ToolDevice", target], timeout: 900)
    }
}
