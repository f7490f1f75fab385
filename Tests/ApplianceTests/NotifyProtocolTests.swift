import CapstanTestSupport
import Foundation
import Testing

/// capstan-sd tells a notify socket it is ready, feeds the watchdog and says when it stops — checked on a socket
/// the test creates, as systemd would (no systemd needed).
@Suite struct NotifyProtocolTests {
    /// An AF_UNIX datagram socket bound at a fresh path.
    final class NotifySocket: @unchecked Sendable {
        let path: String
        let descriptor: Int32

        init() throws {
            path = try RealBacula.temporaryDirectory("capstan-notify") + "/notify.sock"
            descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { buffer in
                for (index, byte) in path.utf8.enumerated() { buffer[index] = byte }
            }
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard bound == 0 else { throw POSIXError(.EADDRINUSE) }
            var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
            setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }

        /// Datagrams received until `seconds` pass or `until` holds for what arrived. What is queued on the socket
        /// when the time is up is taken as well: a test task can be held past its deadline when the tests beside it
        /// keep the cooperative threads busy, and what the daemon sent meanwhile is there.
        func collect(seconds: Double, until: ([String]) -> Bool) async -> [String] {
            var messages: [String] = []
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline && !until(messages) {
                if let message = receive() { messages.append(message) } else { try? await Task.sleep(for: .milliseconds(50)) }
            }
            while !until(messages), let message = receive() { messages.append(message) }
            return messages
        }

        /// One queued datagram, or nil when none is queued.
        private func receive() -> String? {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = recv(descriptor, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            return count > 0 ? String(decoding: buffer.prefix(count), as: UTF8.self) : nil
        }

        deinit { close(descriptor) }
    }

    @Test func readyWatchdogAndStopping() async throws {
        let socket = try NotifySocket()
        let directory = try RealBacula.temporaryDirectory("capstan-notify-sd")
        let port = try RealBacula.freePort()
        try """
        Storage { Name = notify-sd; SDPort = \(port); SDAddress = 127.0.0.1; Working Directory = "\(directory)"; Pid Directory = "\(directory)" }
        Director { Name = d; Password = "p" }
        Messages { Name = M; director = d = all }
        Device { Name = FileDev; Media Type = File; Archive Device = "\(directory)"; Device Type = File }
        """.write(toFile: directory + "/sd.conf", atomically: true, encoding: .utf8)
        let daemon = try ChildProcess(
            Programs.path("capstan-sd"), ["-f", "-c", directory + "/sd.conf"], outputPath: directory + "/sd.log",
            environment: ["NOTIFY_SOCKET": socket.path, "WATCHDOG_USEC": "400000"])
        let started = await socket.collect(seconds: 15) { messages in
            messages.contains { $0.contains("READY=1") } && messages.filter { $0 == "WATCHDOG=1" }.count >= 2
        }
        let ready = try #require(started.first { $0.contains("READY=1") }, "\(started) \(daemon.output)")
        #expect(ready.contains("STATUS=notify-sd listening on port \(port); no jobs running"))
        #expect(RealBacula.isListening(port: port))
        #expect(started.filter { $0 == "WATCHDOG=1" }.count >= 2)
        let progress = await socket.collect(seconds: 15) { $0.contains { $0.hasPrefix("STATUS=notify-sd: 0 job(s) running") } }
        #expect(progress.contains { $0.hasPrefix("STATUS=notify-sd: 0 job(s) running; 0 run since start") }, "\(progress)")
        kill(daemon.process.processIdentifier, SIGTERM)
        let stopping = await socket.collect(seconds: 10) { $0.contains("STOPPING=1") }
        #expect(stopping.contains("STOPPING=1"), "\(stopping) \(daemon.output)")
        #expect(await RealBacula.eventually(seconds: 10) { !daemon.process.isRunning })
        #expect(daemon.waitForExit() == 0, "\(daemon.output)")
    }
}
