import BaculaWire
import CapstanTestSupport
import Foundation
import Net
import Testing

/// `Maximum Concurrent Jobs` of the FileDaemon resource, as bacula-fd 9.6 applies it (seen with the real daemon:
/// with 1, a second Director connection is accepted but gets no challenge while the first one lasts, and gets it as
/// soon as the first one ends; there is no refusal message): capstan-fd serves that many Director connections at
/// once and lets the others wait.
@Suite struct ConcurrentJobsLimitTests {
    @Test func aConnectionBeyondTheLimitWaitsUnansweredUntilOneEnds() async throws {
        let directory = try RealBacula.temporaryDirectory("capstan-fd-limit")
        defer { RealBacula.removeTemporaryDirectory(directory) }
        let port = try RealBacula.freePort()
        let path = directory + "/capstan-fd.conf"
        try """
        FileDaemon {
          Name = limit-test-fd; FDport = \(port); FDAddress = 127.0.0.1; WorkingDirectory = "\(directory)"
          Pid Directory = "\(directory)"; Maximum Concurrent Jobs = 1
        }
        Director { Name = limit-dir; Password = "limit-password" }
        Messages { Name = Standard; director = limit-dir = all }
        """.write(toFile: path, atomically: true, encoding: .utf8)
        let daemon = try ChildProcess(Programs.path("capstan-fd"), ["-f", "-c", path], outputPath: directory + "/fd.log")
        defer { daemon.stop() }
        #expect(await RealBacula.waitForListener(port: port), "\(daemon.output)")

        let hello = Array("Hello Director limit-dir calling\n".utf8)
        // The second connection is opened once the first one holds the only slot (opened earlier, it could take it).
        let second = try await BsockClient.withConnection(host: "127.0.0.1", port: port) { first in
            try await first.authenticateAsConnector(
                hello: DirectorHelloToFileDaemon(directorName: "limit-dir").bytes, key: .password("limit-password"),
                challengeName: "limit-dir")
            let second = try RawConnection(port: port)
            second.sendPacket(hello)
            #expect(
                await RealBacula.eventually(seconds: 30) { daemon.output.contains("waits: Maximum Concurrent Jobs (1)") },
                "\(daemon.output)")
            // The first connection still works; the second one has had no answer.
            try await first.write(.text("status"))
            let status = try await first.read()
            #expect(status != nil)
            #expect(await second.receive(seconds: 0.5).isEmpty, "the connection beyond the limit was answered")
            return second
        }
        defer { second.close() }
        // The first connection ended: the waiting one is served now.
        let challenge = await second.receive(seconds: 30)
        #expect(String(decoding: challenge, as: UTF8.self).contains("auth cram-md5"), "\(challenge) \(daemon.output)")
    }
}
