import CapstanTestSupport
import Foundation
import Subprocesses
import Testing

/// A run killed before its teardown leaves namespaces and /etc/netns folders behind; the next run removes them.
/// (In the serialized scenario suite: removing /etc/netns when empty must not race a topology being built.)
extension FirewallScenarioTests {
    @Test func namespacesOfAKilledRunAreRemovedAtTheNextStartAndThoseOfALiveRunAreKept() throws {
        // A PID that no process has: a child that has exited and been reaped.
        let exited = try Subprocess(["/bin/true"], output: .null, error: .null)
        exited.waitForExit()
        let dead = "\(FirewallTopology.namePrefix)\(exited.processIdentifier)xdead-server"
        let live = "\(FirewallTopology.namePrefix)\(getpid())xlive-server"
        defer {
            for name in [dead, live] {
                _ = try? FirewallTopology.run(["/usr/sbin/ip", "netns", "del", name])
                try? FileManager.default.removeItem(atPath: "/etc/netns/" + name)
            }
            rmdir("/etc/netns")
        }
        for name in [dead, live] {
            try FirewallTopology.run(["/usr/sbin/ip", "netns", "add", name])
            try FileManager.default.createDirectory(atPath: "/etc/netns/" + name, withIntermediateDirectories: true)
            try "127.0.0.1 localhost\n".write(toFile: "/etc/netns/\(name)/hosts", atomically: true, encoding: .utf8)
        }
        try FirewallTopology.removeLeftovers()
        #expect(!FileManager.default.fileExists(atPath: "/run/netns/" + dead))
        #expect(!FileManager.default.fileExists(atPath: "/etc/netns/" + dead))
        #expect(FileManager.default.fileExists(atPath: "/run/netns/" + live))
        #expect(FileManager.default.fileExists(atPath: "/etc/netns/\(live)/hosts"))
    }
}
