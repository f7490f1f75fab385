import Foundation
import Subprocesses
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A program the kernel refuses to run because it is open for writing (`ETXTBSY`) — what CI met once when a test wrote
/// a changer script while another test forked a process that inherited the writer's descriptor.
@Suite struct SpawnBusyTests {
    /// Writes an executable script and returns a descriptor still open on it for writing.
    private func scriptHeldOpen(_ name: String) throws -> (path: String, fd: Int32, directory: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("capstan-\(name)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/changer"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o755)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        let text = Array("#!/bin/sh\necho 5\n".utf8)
        guard write(fd, text, text.count) == text.count else { throw POSIXError(.EIO) }
        return (path, fd, directory)
    }

    /// The first start is refused as busy (the descriptor is still open); the spawner calls `busy`, which closes it,
    /// and a later start runs the script. Later starts may be refused too while a process forked beside this test
    /// (a test running in parallel) still holds a copy of the descriptor — the very race the retry is for — so
    /// they pause as the default does.
    @Test func aScriptBusyWhileItIsStillOpenForWritingRunsOnceItIsClosed() throws {
        let script = try scriptHeldOpen("busy")
        defer { try? FileManager.default.removeItem(atPath: script.directory) }
        var busyCalls = 0
        let child = try Subprocess([script.path, "slots"]) {
            busyCalls += 1
            if busyCalls == 1 { close(script.fd) } else { usleep(50_000) }
        }
        let output = child.communicate()
        #expect(busyCalls >= 1, "the first start was not refused: the test did not hold the script busy")
        #expect(child.waitForExit() == ChildExit(status: 0, signalled: false))
        #expect(String(decoding: output.output, as: UTF8.self) == "5\n")
    }

    /// A script that stays busy is reported as busy, naming the program, after the attempts.
    @Test func aScriptThatStaysBusyFailsAfterTheAttempts() throws {
        let script = try scriptHeldOpen("still-busy")
        defer {
            close(script.fd)
            try? FileManager.default.removeItem(atPath: script.directory)
        }
        var busyCalls = 0
        #expect {
            _ = try Subprocess([script.path, "slots"], attempts: 3) { busyCalls += 1 }
        } throws: { error in
            guard let error = error as? SpawnError else { return false }
            return error.isBusy && error.program == script.path && error.description.contains(script.path)
        }
        #expect(busyCalls == 2)
    }
}
