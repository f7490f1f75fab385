#if canImport(Glibc)
import Glibc
#endif

/// How a child process ended: its exit status, or the signal that ended it.
public struct ChildExit: Equatable, Sendable, CustomStringConvertible {
    /// The exit status, or the signal that ended the process when `signalled`.
    public var status: Int32
    public var signalled: Bool

    public init(status: Int32, signalled: Bool) {
        self.status = status
        self.signalled = signalled
    }

    /// Decodes a status as `waitpid(2)` reports it for a process that has ended (exited or killed by a signal).
    public init(waitStatus: Int32) {
        let signal = waitStatus & 0x7F
        self = signal == 0 ? ChildExit(status: (waitStatus >> 8) & 0xFF, signalled: false) : ChildExit(status: signal, signalled: true)
    }

    /// 0 for a clean exit; otherwise the status, or 128 plus the signal as a shell reports it.
    public var shellStatus: Int32 { signalled ? 128 + status : status }

    public var description: String { signalled ? "killed by signal \(status)" : "exit status \(status)" }
}
