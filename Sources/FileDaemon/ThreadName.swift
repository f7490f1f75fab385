import Glibc

/// Names the calling thread, as `top -H`, `ps -L` and /proc/PID/task/TID/comm show it. Foundation's `Thread.name`
/// set before `start()` does not reach the kernel on Linux (the thread kept its creator's name, e.g. a Dispatch
/// worker's "…root.default-qos"), and `pthread_setname_np` is not visible to Swift here, so the thread writes its
/// name to /proc/thread-self/comm. Linux keeps at most 15 bytes. Best effort: a failure leaves the name as it was.
enum ThreadName {
    static func set(_ name: String) {
        let bytes = Array(name.utf8.prefix(15))
        let fd = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }
}
