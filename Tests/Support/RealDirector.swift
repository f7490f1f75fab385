import Foundation

/// A real bacula-dir on loopback with a SQLite catalog, one Storage resource pointing at a Storage daemon (Capstan's
/// or Bacula's) and a console configuration for it. Stopped by PID when released.
public final class RealDirector: @unchecked Sendable {
    public let name = "interop-dir"
    public let directory: String
    public let port: Int
    public let consolePassword = "interop-console-password"
    public let storageName = "CapstanStorage"
    public let process: ChildProcess

    private init(directory: String, port: Int, process: ChildProcess) {
        self.directory = directory
        self.port = port
        self.process = process
    }

    /// Starts bacula-dir; `storagePort`/`storagePassword` describe the SD its Storage resource names.
    public static func start(storagePort: Int, storagePassword: String, storageDevice: String = "FileDev") async throws
        -> RealDirector
    {
        let name = "interop-dir"
        let consolePassword = "interop-console-password"
        let storageName = "CapstanStorage"
        let directory = try RealBacula.temporaryDirectory("capstan-real-dir")
        let port = try RealBacula.freePort()
        try await RealBacula.makeCatalog(in: directory)
        let configuration = """
            Director {
              Name = \(name); DIRport = \(port); DirAddress = 127.0.0.1
              QueryFile = "/etc/bacula/scripts/query.sql"; WorkingDirectory = "\(directory)"; PidDirectory = "\(directory)"
              Password = "\(consolePassword)"; Messages = Daemon
            }
            Catalog { Name = MyCatalog; dbname = "bacula"; dbuser = ""; dbpassword = "" }
            Client { Name = interop-fd; Address = 127.0.0.1; FDPort = \(try RealBacula.freePort()); Catalog = MyCatalog; Password = "fd-password" }
            Storage {
              Name = \(storageName); Address = 127.0.0.1; SDPort = \(storagePort); Password = "\(storagePassword)"
              Device = \(storageDevice); Media Type = File
            }
            Pool { Name = Default; Pool Type = Backup; Label Format = "Vol-" }
            FileSet { Name = InteropSet; Include { Options { signature = MD5 } File = /etc/hostname } }
            Job {
              Name = InteropBackup; Type = Backup; Level = Full; Client = interop-fd; FileSet = InteropSet
              Storage = \(storageName); Pool = Default; Messages = Standard
            }
            Job {
              Name = InteropRestore; Type = Restore; Client = interop-fd; FileSet = InteropSet
              Storage = \(storageName); Pool = Default; Messages = Standard; Where = "\(directory)/restore"
            }
            Messages { Name = Standard; console = all, !skipped, !saved; catalog = all }
            Messages { Name = Daemon; console = all, !skipped, !saved }
            """
        let path = directory + "/bacula-dir.conf"
        try configuration.write(toFile: path, atomically: true, encoding: .utf8)
        let process = try ChildProcess(RealBacula.director, ["-f", "-c", path], outputPath: directory + "/bacula-dir.out")
        guard await RealBacula.waitForListener(port: port) else {
            process.stop()
            throw CommandFailure(description: "bacula-dir did not listen on \(port): \(process.output)")
        }
        return RealDirector(directory: directory, port: port, process: process)
    }

    /// A bconsole.conf for this Director, with `password` (the right one by default).
    public func consoleConfiguration(password: String? = nil) throws -> String {
        let path = directory + "/bconsole-\(UUID().uuidString).conf"
        try """
        Director {
          Name = \(name)
          DIRport = \(port)
          Address = 127.0.0.1
          Password = "\(password ?? consolePassword)"
        }
        """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Runs the real bconsole with `commands` on its standard input.
    public func bconsole(_ commands: [String], password: String? = nil, timeout: Double = 90) async throws
        -> Command.Result
    {
        try await Command.run(
            RealBacula.bconsole, ["-c", try consoleConfiguration(password: password)],
            input: commands.joined(separator: "\n") + "\n", timeout: timeout)
    }

    deinit {
        process.stop()
        RealBacula.removeTemporaryDirectory(directory)
    }
}
