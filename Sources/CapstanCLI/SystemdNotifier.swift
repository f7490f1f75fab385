import Foundation
import Glibc

/// The sd_notify protocol, spoken natively (no libsystemd): datagrams of `KEY=value` lines to the socket named by
/// `$NOTIFY_SOCKET`. Without that variable every call does nothing, so the daemons run the same outside systemd.
public final class SystemdNotifier: Sendable {
    /// The socket path (`@name` is Linux's abstract namespace); nil outside a `Type=notify` unit.
    public let socketPath: String?
    /// Half of `$WATCHDOG_USEC` when systemd asked for keep-alives (`WatchdogSec=`) for this process.
    public let watchdogInterval: Duration?

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        socketPath = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
        let forUs = environment["WATCHDOG_PID"].map { Int32($0) == getpid() } ?? true
        if forUs, let text = environment["WATCHDOG_USEC"], let microseconds = Int64(text), microseconds > 0 {
            watchdogInterval = .microseconds(microseconds / 2)
        } else {
            watchdogInterval = nil
        }
    }

    /// The datagram for a set of assignments, in order (`READY=1\nSTATUS=...`).
    public static func message(_ assignments: [(String, String)]) -> String {
        assignments.map { "\($0.0)=\($0.1.replacingOccurrences(of: "\n", with: " "))" }.joined(separator: "\n")
    }

    /// `READY=1` with a status line: the daemon listens and serves.
    public func ready(status: String) { send([("READY", "1"), ("STATUS", status)]) }
    /// `STATUS=...`: what `systemctl status` shows.
    public func status(_ text: String) { send([("STATUS", text)]) }
    /// `WATCHDOG=1`: still alive.
    public func watchdog() { send([("WATCHDOG", "1")]) }
    /// `STOPPING=1`: a graceful shutdown began.
    public func stopping() { send([("STOPPING", "1")]) }

    /// Sends WATCHDOG=1 every half watchdog interval until the task is cancelled; returns at once without a watchdog.
    public func keepAlive() async {
        guard let interval = watchdogInterval else { return }
        while !Task.isCancelled {
            watchdog()
            try? await Task.sleep(for: interval)
        }
    }

    /// Sends one datagram (sendto on an AF_UNIX SOCK_DGRAM socket); failures are ignored, as systemd's own client does.
    public func send(_ assignments: [(String, String)]) {
        guard let socketPath else { return }
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var pathBytes = Array(socketPath.utf8)
        if pathBytes.first == UInt8(ascii: "@") { pathBytes[0] = 0 }
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard pathBytes.count < capacity else { return }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in pathBytes.enumerated() { buffer[index] = byte }
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + pathBytes.count + (pathBytes.first == 0 ? 0 : 1))
        let datagram = Array(Self.message(assignments).utf8)
        _ = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                datagram.withUnsafeBytes { sendto(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL), socketAddress, length) }
            }
        }
    }
}
