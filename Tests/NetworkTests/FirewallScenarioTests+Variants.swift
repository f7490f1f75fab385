import CapstanTestSupport
import Foundation
import Testing

/// Variants of the firewall scenario where capstan-sd's own links are the ones left idle behind the firewall that
/// forgets connections idle for 15 s (docs/network-scenario.md): they must survive on capstan-sd's default settings.
extension FirewallScenarioTests {
    /// The Director (Debian's bacula-dir, heartbeat at its 300 s default) sits outside, beside its client: it reaches
    /// the appliance's SD only through the port forward. While the outside client's data flows (a single 6 MB file
    /// through a 2 Mbit/s uplink, over 18 s), the Director↔SD link carries nothing; the SD's end-of-job report and
    /// the catalog updates at the job's end must still get through, which only capstan-sd's keepalive can ensure.
    @Test func aDirectorOutsideTheFirewallKeepsItsIdleLinkToTheStorageDaemonThroughTheWholeJob() async throws {
        let scenario = try FirewallScenario(clients: [("bacula", .pub)], director: .baculaOutside)
        let topology = scenario.topology
        try topology.dropIdleConnections(after: 15)
        var generator = SplitMix64(seed: 16)
        try Data((0..<6_000_000).map { _ in UInt8(truncatingIfNeeded: generator.next()) })
            .write(to: URL(fileURLWithPath: scenario.slowDirectory + "/slow.bin"))
        try await scenario.start()
        #expect(try topology.resolve(FirewallTopology.storageName, in: scenario.directorNamespace) == FirewallTopology.firewallOutside)
        let configurations = [scenario.directory + "/dir.conf", scenario.directory + "/sd.conf"]
            .map { (try? String(contentsOfFile: $0, encoding: .utf8)) ?? "" }
        #expect(!configurations.contains { $0.localizedCaseInsensitiveContains("heartbeat") })
        try topology.throttleOutside(to: "2mbit")
        let client = try #require(scenario.clients.first)

        let forwarded = try topology.portForwardPackets()
        let backup = try await scenario.backup(client, job: "Slow", timeout: 150)
        #expect(backup.status == "T", "the Director outside the firewall: \(scenario.logs)")
        #expect(backup.seconds > 18, "the job took \(backup.seconds) s, not long enough to idle past the timeout")
        // The Director's link and the FD's both came in through the port forward.
        #expect(try topology.portForwardPackets() >= forwarded + 2)
        let restore = try await scenario.restore(
            jobId: backup.jobId, fileSet: "SlowSet", to: client, original: scenario.slowDirectory)
        #expect(restore.status == "T", "restore: \(scenario.logs)")
        #expect(try await FirewallScenario.difference(scenario.slowDirectory, restore.path).isEmpty)
    }

    /// A restore to the outside client whose FD is stuck writing: the backed-up item is a FIFO read with
    /// `readfifo = yes`, so on restore bacula-fd recreates it and blocks writing into it until a reader comes. The
    /// SD has sent the job's 48 KB (they sit in the FD's socket buffer) and waits for the FD's answer: the FD↔SD link
    /// through the port forward carries nothing in either direction while the test leaves the FIFO unread for 20 s,
    /// longer than the firewall remembers an idle link. Then the test reads the FIFO: the FD finishes, its final
    /// answer must reach the SD over the same link, and the restore ends OK with the bytes that went in.
    @Test func aRestoreToAnOutsideClientStuckWritingKeepsItsLinkToTheStorageDaemon() async throws {
        let scenario = try FirewallScenario(clients: [("bacula", .pub)])
        let topology = scenario.topology
        try topology.dropIdleConnections(after: 15)
        try await scenario.start()
        let client = try #require(scenario.clients.first)
        var generator = SplitMix64(seed: 17)
        let original = scenario.directory + "/fifo-data.bin"
        try Data((0..<48_000).map { _ in UInt8(truncatingIfNeeded: generator.next()) }).write(to: URL(fileURLWithPath: original))
        #expect(mkfifo(scenario.fifoPath, 0o644) == 0)

        // Backup: the FD reads the FIFO; a writer feeds it the data.
        async let fed = Command.run("/bin/sh", ["-c", "cat '\(original)' > '\(scenario.fifoPath)'"], timeout: 120)
        let backup = try await scenario.backup(client, job: "Fifo", timeout: 120)
        #expect(backup.status == "T", "backup of the FIFO: \(scenario.logs)")
        #expect(try await fed.status == 0)

        // Restore: the FD recreates the FIFO and blocks writing into it.
        let target = scenario.directory + "/restore/fifo"
        let restored = target + scenario.fifoPath
        let restoreId = try await scenario.queue(
            "restore client=\(client.name) fileset=FifoSet where=\(target) jobid=\(backup.jobId) all done yes")
        let blocked = await RealBacula.eventually(seconds: 90) {
            var info = stat()
            return stat(restored, &info) == 0 && (info.st_mode & S_IFMT) == S_IFIFO
        }
        #expect(blocked, "the FD never recreated the FIFO: \(scenario.logs)")
        let stuck = ContinuousClock.now
        // The injected fault is the FD's stall itself: 20 s without reading, more than the firewall's 15 s.
        try await Task.sleep(for: .seconds(20))
        let received = scenario.directory + "/fifo-received.bin"
        let reader = try await Command.run("/bin/sh", ["-c", "cat '\(restored)' > '\(received)'"], timeout: 120)
        let stalled = ContinuousClock.now - stuck
        #expect(reader.status == 0)
        let row = try await scenario.wait(jobId: restoreId, timeout: 120)
        #expect(row.status == "T", "restore after a \(stalled) stall: \(scenario.logs)")
        let compared = try await Command.run("/usr/bin/cmp", [original, received])
        #expect(compared.status == 0, "the bytes written into the FIFO differ: \(compared.output)")
    }
}
