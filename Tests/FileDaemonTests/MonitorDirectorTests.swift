import BaculaWire
import CapstanTestSupport
import Foundation
import Net
import Testing

/// capstan-fd started as a user starts it (its own configuration, a free port): a `Monitor = yes` Director may only
/// ask for status; a full Director may run jobs; `-t` rejects a broken configuration.
@Suite struct MonitorDirectorTests {
    @Test func aMonitorDirectorMayOnlyAskForStatus() async throws {
        let directory = try RealBacula.temporaryDirectory("capstan-fd-monitor")
        defer { RealBacula.removeTemporaryDirectory(directory) }
        let port = try RealBacula.freePort()
        let path = directory + "/capstan-fd.conf"
        try """
        FileDaemon { Name = monitor-test-fd; FDport = \(port); FDAddress = 127.0.0.1; WorkingDirectory = "\(directory)"; Pid Directory = "\(directory)" }
        Director { Name = full-dir; Password = "full-password" }
        Director { Name = monitor-dir; Password = "monitor-password"; Monitor = yes }
        Messages { Name = Standard; director = full-dir = all }
        """.write(toFile: path, atomically: true, encoding: .utf8)
        let check = try await Programs.run("capstan-fd", ["-t", "-c", path])
        #expect(check.status == 0, "\(check.output)\(check.errors)")
        let daemon = try ChildProcess(Programs.path("capstan-fd"), ["-f", "-c", path], outputPath: directory + "/fd.log")
        defer { daemon.stop() }
        #expect(await RealBacula.waitForListener(port: port), "\(daemon.output)")

        func session(_ director: String, _ password: String, _ commands: [String]) async throws -> [Frame] {
            try await BsockClient.withConnection(host: "127.0.0.1", port: port) { connection in
                try await connection.authenticateAsConnector(
                    hello: DirectorHelloToFileDaemon(directorName: director).bytes, key: .password(password), challengeName: director)
                var replies: [Frame] = []
                for command in commands {
                    try await connection.write(.text(command))
                    guard let reply = try await connection.read() else { break }
                    replies.append(reply)
                    if command == "status" {
                        while let more = try await connection.read(), more != .signal(.endOfData) { replies.append(more) }
                    }
                }
                return replies
            }
        }
        let jobLine = "JobId=0 Job=-Console-.2026-12-02_08.00.00_01 SDid=0 SDtime=0 Authorization=dummy\n"
        let status = try await session("monitor-dir", "monitor-password", [jobLine, "status"])
        #expect(status.first?.payload?.starts(with: Array("2000 OK Job".utf8)) == true)
        #expect(status.contains { String(decoding: $0.payload ?? [], as: UTF8.self).contains("Running Jobs:") }, "\(status)")
        let refused = try await session("monitor-dir", "monitor-password", [jobLine, "level = full  mtime_only=0 \n"])
        #expect(refused.last == .payload(Array("2999 Invalid command\n".utf8)), "\(refused)")
        let allowed = try await session("full-dir", "full-password", [jobLine, "level = full  mtime_only=0 \n"])
        #expect(allowed.last == .payload(Array("2000 OK level\n".utf8)), "\(allowed)")

        let broken = directory + "/broken.conf"
        try "FileDaemon { Name = x; FDport = 9102 }\nDirector { Name = d }\n".write(toFile: broken, atomically: true, encoding: .utf8)
        let rejected = try await Programs.run("capstan-fd", ["-t", "-c", broken])
        #expect(rejected.status == 78, "\(rejected.output)\(rejected.errors)")
    }
}
