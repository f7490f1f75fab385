import Foundation
import Testing

@testable import FileDaemon

/// The FD's own threads carry their names in the kernel (what `top -H`, `ps -L` and bench-fd.sh's per-thread CPU
/// show), cut to Linux's 15 bytes.
@Suite struct ThreadNameTests {
    /// The calling thread's name as the kernel has it.
    static func kernelName() -> String {
        let text = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
        return text.trimmingCharacters(in: .newlines)
    }

    @Test func aThreadNamesItselfAndLongNamesAreCut() async {
        let names: [String] = await withCheckedContinuation { continuation in
            let thread = Thread {
                ThreadName.set("fd-restore-wr")
                let short = Self.kernelName()
                ThreadName.set("a name longer than fifteen bytes")
                continuation.resume(returning: [short, Self.kernelName()])
            }
            thread.start()
        }
        #expect(names == ["fd-restore-wr", "a name longer t"])
    }
}
