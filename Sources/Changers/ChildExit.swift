import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// How a child process ended, read from `/proc/PID/stat` while it is a zombie — without reaping it and without
/// Foundation. Foundation's `Process` learns of an exit through a socket the child inherits, and every process the
/// child leaves behind (a `sleep &` in a changer script) or that is spawned at the same moment inherits it too, so
/// `isRunning` and `waitUntilExit()` wait for the last of them. The kernel knows at once.
public struct ChildExit: Equatable, Sendable {
    /// The exit status, or the signal that ended the process when `signalled`.
    public var status: Int32
    public var signalled: Bool

    public init(status: Int32, signalled: Bool) {
        self.status = status
        self.signalled = signalled
    }

    /// The state of `pid`: nil while it runs; its exit once it is a zombie. A process that is gone (already reaped)
    /// also gives nil: the caller then asks whoever reaped it.
    public static func of(_ pid: Int32) -> ChildExit? {
        guard pid > 0, let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return nil }
        return parse(stat: text)
    }

    /// `/proc/PID/stat`: after the `(comm)` field come the state (field 3) and, as field 52, the exit code in
    /// `waitpid(2)`'s form. nil unless the state is `Z` and the exit code is there.
    public static func parse(stat: String) -> ChildExit? {
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state), so field 52 is fields[49]
        guard fields.first == "Z", fields.count >= 50, let code = Int32(fields[49].trimmingCharacters(in: .whitespacesAndNewlines))
        else { return nil }
        let signal = code & 0x7F
        return signal == 0 ? ChildExit(status: (code >> 8) & 0xFF, signalled: false) : ChildExit(status: signal, signalled: true)
    }
}
