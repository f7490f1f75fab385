#if canImport(Glibc)
import Glibc
#endif

/// A program that could not be started: which, and the kernel's reason (`errno`).
public struct SpawnError: Error, Equatable, Sendable, CustomStringConvertible {
    public var program: String
    public var code: Int32

    public init(program: String, code: Int32) {
        self.program = program
        self.code = code
    }

    /// The kernel refused to run the file because it is open for writing somewhere (`ETXTBSY`).
    public var isBusy: Bool { code == ETXTBSY }

    public var description: String { "cannot run \(program): \(String(cString: strerror(code))) (errno \(code))" }
}
