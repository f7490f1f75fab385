import Foundation

/// The processes of this machine as /proc lists them.
public enum ProcessTable {
    /// Processes whose command line is exactly `arguments` (a marker argument no other process uses makes a test's
    /// own processes findable).
    public static func count(commandLine arguments: [String]) -> Int {
        let wanted = arguments.map { $0 + "\u{0}" }.joined()
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.filter { pid in
            guard pid.allSatisfy(\.isNumber), let line = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline")
            else { return false }
            return String(decoding: line, as: UTF8.self) == wanted
        }.count
    }
}
