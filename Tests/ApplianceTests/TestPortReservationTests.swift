import CapstanTestSupport
import Foundation
import Testing

/// The test command runs two test processes at once; a port one of them hands to a daemon must not be handed out by
/// the other while that daemon starts. `PortAllocator` reserves each port with an open-file-description lock on its
/// byte of a shared lock file: another open file description (as in another process) sees the lock, and the
/// allocator skips the ports that another description holds.
@Suite struct TestPortReservationTests {
    /// Tries the write lock on byte `port` through `descriptor` (F_OFD_SETLK, 37): true when it was taken.
    func lock(_ descriptor: Int32, _ port: Int, _ type: Int32 = F_WRLCK) -> Bool {
        var range = flock()
        range.l_type = Int16(type)
        range.l_whence = Int16(SEEK_SET)
        range.l_start = off_t(port)
        range.l_len = 1
        return fcntl(descriptor, 37, &range) == 0
    }

    @Test func aPortHandedOutIsReservedForOtherProcessesAndTheirReservationsAreSkipped() throws {
        let port = try RealBacula.freePort()
        let other = open(PortAllocator.lockPath, O_RDWR | O_CLOEXEC)
        #expect(other >= 0, "the lock file \(PortAllocator.lockPath) exists once a port was handed out")
        guard other >= 0 else { return }
        defer { close(other) }
        #expect(!lock(other, port), "port \(port) handed out here can be locked by another description")
        // The next ports are taken by "another process" (whatever of them no test here has taken yet).
        let held = (port + 1...port + 64).filter { $0 < PortAllocator.first + PortAllocator.span && lock(other, $0) }
        #expect(!held.isEmpty)
        for _ in 0..<8 {
            let next = try RealBacula.freePort()
            #expect(!held.contains(next), "port \(next) is reserved by another description, and was handed out")
        }
        for port in held { _ = lock(other, port, F_UNLCK) }
    }
}
