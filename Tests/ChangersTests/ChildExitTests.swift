import Foundation
import Testing

@testable import Changers

@Suite struct ChildExitTests {
    /// A `/proc/PID/stat` line: `pid (comm) state` and fields 4…52, the exit code last.
    func stat(comm: String, state: String, exitCode: Int32) -> String {
        "4242 (\(comm)) \(state) " + (4...51).map { _ in "0" }.joined(separator: " ") + " \(exitCode)\n"
    }

    @Test func aZombieGivesItsExitStatusOrSignal() {
        #expect(ChildExit.parse(stat: stat(comm: "mtx-changer", state: "Z", exitCode: 3 << 8)) == ChildExit(status: 3, signalled: false))
        #expect(ChildExit.parse(stat: stat(comm: "sleep", state: "Z", exitCode: SIGKILL)) == ChildExit(status: SIGKILL, signalled: true))
        // a command name with spaces and parentheses: the state follows the last ')'
        #expect(ChildExit.parse(stat: stat(comm: "a) b (c", state: "Z", exitCode: 0)) == ChildExit(status: 0, signalled: false))
    }

    @Test func aRunningOrMalformedProcessGivesNothing() {
        #expect(ChildExit.parse(stat: stat(comm: "sleep", state: "S", exitCode: 0)) == nil)
        #expect(ChildExit.parse(stat: "4242 (sleep) Z 1 2 3") == nil)
        #expect(ChildExit.parse(stat: "no parenthesis") == nil)
        #expect(ChildExit.of(0) == nil)
    }

    /// A script that exits with 3 and leaves a `sleep` behind: Foundation still calls it running (the sleep holds
    /// the socket it learns of exits through), the kernel already has its status.
    @Test func theKernelKnowsAnExitFoundationDoesNotSeeYet() throws {
        let pidFile = FileManager.default.temporaryDirectory.appendingPathComponent("child-exit-\(UUID().uuidString)").path
        defer {
            if let pid = (try? String(contentsOfFile: pidFile, encoding: .utf8)).flatMap({ Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }) {
                kill(pid, SIGKILL)
            }
            try? FileManager.default.removeItem(atPath: pidFile)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "sleep 60 & echo $! > '\(pidFile)'; exit 3"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        var ending: ChildExit?
        for _ in 0..<1000 where ending == nil {
            usleep(10_000)
            ending = ChildExit.of(process.processIdentifier)
        }
        #expect(ending == ChildExit(status: 3, signalled: false))
        #expect(process.isRunning, "Foundation saw the exit at once: ChildExit's premise no longer holds")
    }
}
