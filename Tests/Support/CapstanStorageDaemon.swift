import Foundation

/// capstan-sd started for a test: a generated configuration in a temporary directory, a free port, a File device.
public final class CapstanStorageDaemon: @unchecked Sendable {
    public let name = "interop-sd"
    public let directory: String
    public let port: Int
    public let directorName: String
    public let password: String
    public let process: ChildProcess

    private init(directory: String, port: Int, directorName: String, password: String, process: ChildProcess) {
        self.directory = directory
        self.port = port
        self.directorName = directorName
        self.password = password
        self.process = process
    }

    /// Starts capstan-sd and waits until it listens.
    public static func start(directorName: String, password: String, extraConfiguration: String = "") async throws
        -> CapstanStorageDaemon
    {
        let name = "interop-sd"
        let directory = try RealBacula.temporaryDirectory("capstan-sd")
        let port = try RealBacula.freePort()
        try FileManager.default.createDirectory(atPath: directory + "/volumes", withIntermediateDirectories: true)
        let configuration = """
            Storage {
              Name = \(name); SDPort = \(port); SDAddress = 127.0.0.1
              WorkingDirectory = "\(directory)"; Pid Directory = "\(directory)"
            }
            Director { Name = \(directorName); Password = "\(password)" }
            Messages { Name = Standard; director = \(directorName) = all }
            Device {
              Name = FileDev; Media Type = File; Archive Device = "\(directory)/volumes"; Device Type = File
              Label Media = yes; Random Access = yes; Removable Media = no; Automatic Mount = yes
            }
            \(extraConfiguration)
            """
        let path = directory + "/capstan-sd.conf"
        try configuration.write(toFile: path, atomically: true, encoding: .utf8)
        let process = try ChildProcess(Programs.path("capstan-sd"), ["-f", "-c", path], outputPath: directory + "/capstan-sd.log")
        guard await RealBacula.waitForListener(port: port) else {
            process.stop()
            throw CommandFailure(description: "capstan-sd did not listen on \(port): \(process.output)")
        }
        return CapstanStorageDaemon(directory: directory, port: port, directorName: directorName, password: password, process: process)
    }

    /// The daemon's log so far.
    public var log: String { process.output }

    /// How many file descriptors the daemon has open (from /proc).
    public var openFileDescriptors: Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(process.process.processIdentifier)/fd").count) ?? -1
    }

    deinit {
        process.stop()
        RealBacula.removeTemporaryDirectory(directory)
    }
}
