import ArgumentParser
import CapstanCLI
import CapstanConfig
import Console
import Foundation
import Logging
import Net

/// `capstan console -c FILE`: a bconsole-compatible console. Commands come from standard input, one per line.
struct ConsoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console", abstract: "Talk to a Director (Capstan's or Bacula's) like bconsole.")

    @Option(name: .customShort("c"), help: "Console configuration (a bconsole.conf: Director { Name, DIRport, Address, Password }).")
    var config: String = ConfigFileCheck.configDirectory + "/bconsole.conf"

    func run() async throws {
        guard let configuration = ConfigFileCheck.check(path: config, kind: .console, quietWhenValid: true),
            let target = ConsoleTarget(configuration)
        else {
            throw ExitCode(ConfigFileCheck.configErrorExitCode)
        }
        var logger = Logger(label: "capstan.console")
        logger.logLevel = .error
        let options = ConnectionOptions(logger: logger)
        do {
            try await ConsoleSession.run(
                target: target, options: options, nextLine: { readLine(strippingNewline: true) },
                output: { text in FileHandle.standardOutput.write(Data(text.utf8)) })
        } catch let failure as ConsoleLoginFailed {
            FileHandle.standardError.write(Data("capstan console: \(failure)\n".utf8))
            throw ExitCode(1)
        } catch {
            FileHandle.standardError.write(
                Data("capstan console: Director \"\(target.directorName)\" at \(target.address):\(target.port): \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
