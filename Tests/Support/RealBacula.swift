import Foundation
import Subprocesses

/// Real Bacula 9.6.7 daemons and programs from Debian, started for a test on loopback with generated
/// configuration files in a temporary directory and free ports, and stopped by their PIDs.
public enum RealBacula {
    public static let director = "/usr/sbin/bacula-dir"
    public static let bconsole = "/usr/sbin/bconsole"
    public static let catalogScript = "/usr/share/bacula-director/make_sqlite3_tables"

    /// A fresh directory under the system temporary directory.
    /// Removes a directory made by `temporaryDirectory` once its test is done with it — volumes, restored trees and
    /// data sets run to gigabytes. `CAPSTAN_KEEP_TEST_DIRS=1` keeps them for a post-mortem.
    public static func removeTemporaryDirectory(_ path: String) {
        guard ProcessInfo.processInfo.environment["CAPSTAN_KEEP_TEST_DIRS"] == nil else { return }
        try? FileManager.default.removeItem(atPath: path)
    }

    public static func temporaryDirectory(_ prefix: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A TCP port on 127.0.0.1 that nothing listens on right now, below the ephemeral range (see `PortAllocator`).
    public static func freePort() throws -> Int {
        for _ in 0..<PortAllocator.span {
            let candidate = PortAllocator.next()
            if canBind(port: candidate) { return candidate }
        }
        throw POSIXError(.EADDRINUSE)
    }

    /// Whether 127.0.0.1:`port` can be bound now (the probe socket is closed again).
    static func canBind(port: Int) -> Bool {
        let socketDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketDescriptor >= 0 else { return false }
        defer { close(socketDescriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socketDescriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    /// Whether something accepts TCP connections on 127.0.0.1:`port` (reads /proc/net/tcp, so it never opens a
    /// connection that the daemon would log as a security alert).
    public static func isListening(port: Int) -> Bool {
        guard let table = procFile("/proc/net/tcp") else { return false }
        let needle = String(format: ":%04X", port)
        return table.split(separator: "\n").contains { line in
            let fields = line.split(separator: " ")
            return fields.count > 3 && fields[1].hasSuffix(needle) && fields[3] == "0A"
        }
    }

    /// The whole text of a /proc file. `String(contentsOfFile:)` stops after the first page (4 KiB) of a /proc file,
    /// which for /proc/net/tcp on a busy machine leaves out most sockets — a listener that was up looked absent.
    public static func procFile(_ path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let data = try? handle.readToEnd() else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// Waits up to `seconds` for a listener on `port` (sleeping, never blocking a concurrency thread); only a failing
    /// start waits the whole time.
    public static func waitForListener(port: Int, seconds: Double = 60) async -> Bool {
        await eventually(seconds: seconds) { isListening(port: port) }
    }

    /// Runs `action` the moment `condition` holds (polled every 20 ms for up to `seconds`), on a thread of its own;
    /// true once it ran, false when the time ran out. For actions that must land at a point of a running job (a
    /// SIGKILL mid-backup): a task polling with `eventually` can be held for seconds when tests running beside it
    /// keep the few cooperative threads busy, and its action then comes too late.
    public static func whenTrue(
        seconds: Double, _ condition: @escaping @Sendable () -> Bool, run action: @escaping @Sendable () -> Void
    ) async -> Bool {
        await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let thread = Thread {
                let deadline = Date().addingTimeInterval(seconds)
                while !condition() {
                    guard Date() < deadline else { return continuation.resume(returning: false) }
                    usleep(20_000)
                }
                action()
                continuation.resume(returning: true)
            }
            thread.start()
        }
    }

    /// Polls `condition` every 100 ms for up to `seconds`; true as soon as it holds.
    public static func eventually(seconds: Double, _ condition: () -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return condition()
    }

    /// Creates the SQLite catalog `bacula.db` in `directory` with Debian's table script.
    public static func makeCatalog(in directory: String) async throws {
        let script = try String(contentsOfFile: catalogScript, encoding: .utf8)
            .replacingOccurrences(of: "cd /var/lib/bacula", with: "cd '\(directory)'")
            .replacingOccurrences(of: "XXX_DBNAME_XXX", with: "bacula")
        let path = directory + "/make-catalog.sh"
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try await Command.run("/bin/sh", [path], timeout: 60)
        guard result.status == 0, FileManager.default.fileExists(atPath: directory + "/bacula.db") else {
            throw CommandFailure(description: "catalog script failed: \(result.errors)")
        }
    }
}

public struct CommandFailure: Error, CustomStringConvertible {
    public var description: String

    public init(description: String) {
        self.description = description
    }
}

/// A child process started by a test: standard output and error to one file, stopped by PID.
public final class ChildProcess: @unchecked Sendable {
    public let process: Subprocess
    public let outputPath: String

    /// Starts `executable` (standard input /dev/null); `environment` is added to this process's own.
    public init(_ executable: String, _ arguments: [String], outputPath: String, environment: [String: String]? = nil) throws {
        self.outputPath = outputPath
        let output = open(outputPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard output >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer { close(output) }
        process = try Subprocess(
            [executable] + arguments, input: .null, output: .descriptor(output), error: .standardOutput,
            environment: environment.map { ProcessInfo.processInfo.environment.merging($0) { $1 } })
    }

    public var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }

    /// SIGTERM, then SIGKILL if it has not exited after `grace` seconds; returns once it has ended.
    public func stop(grace: Double = 5) {
        process.stop(grace: .milliseconds(Int(grace * 1000)))
    }

    /// Waits until the process has exited and returns its exit status (or the signal that ended it).
    @discardableResult
    public func waitForExit() -> Int32 { process.waitForExit().status }

    deinit { stop(grace: 1) }
}

/// Runs a program to completion with a time limit, on a thread of its own so the waiting never occupies one of the
/// few threads Swift concurrency (and so every parallel test) runs on, nor one of libdispatch's.
public enum Command {
    public struct Result: Sendable {
        public var status: Int32
        public var output: String
        public var errors: String
    }

    /// Runs `executable` with `input` (or nothing) on its standard input; killed after `timeout` seconds. The status
    /// is the exit status, or 128 plus the signal.
    public static func run(_ executable: String, _ arguments: [String], input: String? = nil, timeout: Double = 60)
        async throws -> Result
    {
        let completion = try await Subprocess.runDetached(
            [executable] + arguments, input: Array((input ?? "").utf8), timeout: .milliseconds(Int(timeout * 1000)),
            threadName: "capstan-test.command")
        return Result(status: completion.exit.shellStatus, output: completion.outputText, errors: completion.errorText)
    }

    /// Runs `arguments` with a time limit and blocks until it ends: exit status and stdout and stderr as one text (the
    /// order a terminal shows). For synchronous test helpers (bls, bextract on a scratch volume).
    public static func runMerged(_ arguments: [String], timeout: Int = 120) throws -> (status: Int32, output: String) {
        let completion = try Subprocess.run(arguments, timeout: .seconds(timeout), mergeErrors: true)
        return (completion.exit.shellStatus, completion.outputText)
    }
}

/// Hands out listening ports for test daemons below the kernel's ephemeral range (32768–60999 here), so that no
/// outgoing connection of a test running beside it — one test opens a thousand — can take a port between the moment
/// it is chosen and the moment the daemon binds it; and never the same port twice in one test process. The start is
/// random, and every port handed out is reserved across test processes (the test command runs two at once) with an
/// open-file-description lock on its byte of a shared lock file (`fcntl(F_OFD_SETLK)`), held until this process
/// exits: a port that another test process chose and whose daemon is still starting is never chosen here, where
/// a check for a listener alone would let both processes start a daemon on it, and one test talk to the other's.
public enum PortAllocator {
    public static let first = 10_000
    public static let span = 22_000
    /// The lock file shared by every test process of this user (one byte per port).
    public static let lockPath = "/tmp/capstan-test-ports-\(getuid()).lock"
    private static let lock = NSLock()
    nonisolated(unsafe) private static var offset = Int.random(in: 0..<span)
    nonisolated(unsafe) private static var lockFile: Int32 = -2

    /// The next port after the last one handed out that no other test process has reserved; reserved for this
    /// process from now on. Without the lock file (it cannot be opened) ports are only distinct in this process.
    static func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        if lockFile == -2 { lockFile = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o666) }
        for _ in 0..<span {
            offset = (offset + 1) % span
            if reserve(first + offset) { return first + offset }
        }
        return first + offset
    }

    /// Takes the write lock on byte `port` of the lock file without waiting (F_OFD_SETLK, 37 in Linux's fcntl.h):
    /// false when another open file description holds it.
    private static func reserve(_ port: Int) -> Bool {
        guard lockFile >= 0 else { return true }
        var range = flock()
        range.l_type = Int16(F_WRLCK)
        range.l_whence = Int16(SEEK_SET)
        range.l_start = off_t(port)
        range.l_len = 1
        return fcntl(lockFile, 37, &range) == 0
    }
}
