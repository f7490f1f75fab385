import ArgumentParser
import CapstanCLI
import CapstanConfig
import Foundation

/// `-c sd.conf` for the device tools: the Storage daemon configuration whose Devices and Autochangers they act on.
struct StorageConfigOption: ParsableArguments {
    @Option(name: .customShort("c"), help: ArgumentHelp("Storage daemon configuration (bacula-sd.conf / capstan-sd.conf).", valueName: "file"))
    var config: String?

    /// The file read when `-c` is not given.
    static let defaultPath = ConfigFileCheck.configDirectory + "/capstan-sd.conf"

    /// No `-c` was given and the default file does not exist.
    var defaultIsMissing: Bool { config == nil && !FileManager.default.fileExists(atPath: Self.defaultPath) }

    /// The typed configuration: `-c FILE`, else the default file. Without `-c` and without the default file it is nil
    /// when `required` is false (the tool then works on what udev shows); when `required` is true that is one line
    /// naming the file looked for, and exit 78. A configuration with errors prints them and exits 78.
    func load(required: Bool) throws -> StorageDaemonConfiguration? {
        if defaultIsMissing {
            guard required else { return nil }
            FileHandle.standardError.write(
                Data("capstan: no configuration: \(Self.defaultPath) does not exist; pass -c FILE (a bacula-sd.conf or capstan-sd.conf)\n".utf8))
            throw ExitCode(ConfigFileCheck.configErrorExitCode)
        }
        let path = config ?? Self.defaultPath
        guard let configuration = ConfigFileCheck.check(path: path, kind: .storage, quietWhenValid: true),
            let typed = StorageDaemonConfiguration(configuration)
        else {
            throw ExitCode(ConfigFileCheck.configErrorExitCode)
        }
        return typed
    }
}

/// Prints a tool's failure the same way everywhere and exits 1.
func fail(_ tool: String, _ message: String) -> ExitCode {
    FileHandle.standardError.write(Data("capstan \(tool): \(message)\n".utf8))
    return ExitCode(1)
}

func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    FileHandle.standardOutput.write(try encoder.encode(value) + Data("\n".utf8))
}
