#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import Synchronization

/// A second descriptor of a connection's TCP socket, for reading it outside SwiftNIO (`DirectStreamReader`), and the
/// one place the network edge enters the kernel for that: every call retries on EINTR.
///
/// NIO does not give its descriptor away, so `find` looks for it among the process's open descriptors by the
/// connection's two addresses (a TCP connection's pair of addresses is unique) and `dup`s it, so that NIO closing its
/// own descriptor can never leave this one naming another file. Closing NIO's descriptor then no longer ends the
/// connection while this one is open: the owner calls `shutdown` when the channel closes, and `close` when done.
final class SocketDescriptor: Sendable {
    /// The descriptor; -1 once closed.
    private let state: Mutex<Int32>

    private init(fd: Int32) { state = Mutex(fd) }

    /// The channel's socket, duplicated; nil when none of the open descriptors is a socket with both addresses.
    /// Reads `/proc/self/fd` (a few dozen entries) and calls `getsockname`/`getpeername` on the sockets.
    static func find(local: SocketAddress, remote: SocketAddress) -> SocketDescriptor? {
        guard let directory = opendir("/proc/self/fd") else { return nil }
        var candidates: [Int32] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if let fd = Int32(name) { candidates.append(fd) }
        }
        closedir(directory)
        for fd in candidates where matches(fd, local: local, remote: remote) {
            let copy = fcntl(fd, F_DUPFD_CLOEXEC, 0)
            guard copy >= 0 else { continue }
            // The number may have been reused between the check and the dup: check the copy itself.
            if matches(copy, local: local, remote: remote) { return SocketDescriptor(fd: copy) }
            _ = Glibc.close(copy)
        }
        return nil
    }

    /// Whether `fd` is a socket whose own and peer addresses are `local` and `remote`.
    private static func matches(_ fd: Int32, local: SocketAddress, remote: SocketAddress) -> Bool {
        func address(_ call: (Int32, UnsafeMutablePointer<sockaddr>, UnsafeMutablePointer<socklen_t>) -> Int32) -> [UInt8]? {
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let result = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { call(fd, $0, &length) }
            }
            guard result == 0 else { return nil }
            return withUnsafeBytes(of: storage) { Array($0.prefix(Int(length))) }
        }
        guard let own = address({ getsockname($0, $1, $2) }), let peer = address({ getpeername($0, $1, $2) }) else {
            return false
        }
        return own == bytes(of: local) && peer == bytes(of: remote)
    }

    /// The `sockaddr` bytes of an address as the kernel reports them (port and address in network order, padding zero).
    private static func bytes(of address: SocketAddress) -> [UInt8] {
        address.withSockAddr { pointer, length in Array(UnsafeRawBufferPointer(start: pointer, count: length)) }
    }

    /// Reads what the socket holds, at most `buffer.count` bytes, without waiting: the count (0 at the peer's end of
    /// stream, or once the descriptor was closed here), or nil when nothing is there now (EAGAIN). Throws the errno
    /// of a failed `recv` (a reset connection).
    func receive(into buffer: UnsafeMutableRawBufferPointer) throws(SocketError) -> Int? {
        try receive(into: buffer, then: UnsafeMutableRawBufferPointer(start: nil, count: 0))
    }

    /// `receive(into:)` filling `first`, then `second` (one `recvmsg` with two pieces): the total count.
    func receive(
        into first: UnsafeMutableRawBufferPointer, then second: UnsafeMutableRawBufferPointer
    ) throws(SocketError) -> Int? {
        try state.withLock { fd throws(SocketError) -> Int? in
            guard fd >= 0 else { return 0 }
            var pieces = [
                iovec(iov_base: first.baseAddress, iov_len: first.count),
                iovec(iov_base: second.baseAddress, iov_len: second.count),
            ]
            while true {
                let n = pieces.withUnsafeMutableBufferPointer { iov in
                    var message = msghdr()
                    message.msg_iov = iov.baseAddress
                    message.msg_iovlen = second.count > 0 ? 2 : 1
                    return recvmsg(fd, &message, Int32(MSG_DONTWAIT))
                }
                if n >= 0 { return n }
                switch errno {
                case EINTR: continue
                case EAGAIN, EWOULDBLOCK: return nil
                case let code: throw SocketError(call: "recvmsg", errno: code)
                }
            }
        }
    }

    /// Blocks the calling thread until the socket has bytes to read, the peer's end or an error (`poll(2)` for
    /// `POLLIN`, no time limit), or at once once the descriptor was closed here. `shutdown()` from another thread ends
    /// the wait. Only for a thread that may block (`DirectReadThread`).
    func waitReadable() throws(SocketError) {
        let fd = state.withLock { $0 }  // not held while polling: `shutdown` must get through
        guard fd >= 0 else { return }
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while poll(&entry, 1, -1) < 0 {
            guard errno == EINTR else { throw SocketError(call: "poll", errno: errno) }
        }
    }

    /// Whether the connection is still established: no FIN and no reset from the peer has arrived (the first byte of
    /// `TCP_INFO`, `tcpi_state`, is `TCP_ESTABLISHED`). One `getsockopt`.
    func isEstablished() -> Bool {
        state.withLock { fd in
            guard fd >= 0 else { return false }
            var info = (UInt64(0), UInt64(0))
            var length = socklen_t(MemoryLayout.size(ofValue: info))
            guard getsockopt(fd, Int32(IPPROTO_TCP), 11 /* TCP_INFO */, &info, &length) == 0 else { return false }
            return withUnsafeBytes(of: info) { $0[0] } == 1  // TCP_ESTABLISHED
        }
    }

    /// Ends the connection in both directions (for every descriptor of the socket); reads then return 0.
    func shutdown() {
        state.withLock { fd in
            if fd >= 0 { _ = Glibc.shutdown(fd, Int32(SHUT_RDWR)) }
        }
    }

    /// Closes this descriptor (NIO's stays open); later reads return 0.
    func close() {
        state.withLock { fd in
            if fd >= 0 { _ = Glibc.close(fd) }
            fd = -1
        }
    }
}

/// A failed socket call on a connection read directly.
public struct SocketError: Error, CustomStringConvertible, Sendable {
    public var call: String
    public var errno: Int32

    public var description: String { "\(call): \(String(cString: strerror(errno))) (errno \(errno))" }
}
