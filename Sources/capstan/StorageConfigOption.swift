import ArgumentParser
import CapstanCLI
import CapstanConfig
import Foundation

/// `-c sd.conf` for the device tools: the Storage daemon configuration whose Devices and Autochangers they act on.
struct StorageConfigOption: ParsableArguments {
    @Option(name: .customShort("c"), help: "Storage daemon configuration (bacula-sd.conf / capstan-sd.conf).")
    var config: String?

    /// The typed configuration; a configuration with errors prints them and exits 78.
    func load(required: Bool) throws -> StorageDaemonConfiguration? {
        guard let path = config ?? (required ? ConfigFileCheck.configDirectory + "/capstan-sd.conf" : nil) else { return nil }
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
