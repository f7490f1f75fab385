import Foundation
import Testing

@testable import FileDaemon

/// `status client` shows, for each running job, where its time went: a backup's reading, digest, compression,
/// network; a restore's network and writing.
@Suite struct ClientStatusTests {
    @Test func aRunningJobShowsWhereItsTimeGoes() {
        let jobs = ClientJobs()
        let entry = ClientJobs.Entry(jobID: 7, job: "Nightly.2026-12-02_08.00.00_01", kind: "Backup")
        jobs.add(entry)
        entry.counters.times.add(.reading, nanoseconds: 1_250_000_000)
        entry.counters.times.add(.digest, nanoseconds: 800_000_000)
        entry.counters.times.add(.network, nanoseconds: 12_340_000_000)
        let measured = entry.counters.times.measure(.compression) { (0..<1000).reduce(0, +) }
        #expect(measured == 499_500)
        #expect(entry.counters.times.nanoseconds(.compression) > 0)
        let lines = ClientStatus.lines(daemonName: "test-fd", jobs: jobs)
        #expect(lines.contains("    Time: reading 1.2 s, digest 0.8 s, compression 0.0 s, network 12.3 s\n"), "\(lines)")
        jobs.remove(entry)
        #expect(!ClientStatus.lines(daemonName: "test-fd", jobs: jobs).contains { $0.contains("Time:") })
    }

    @Test func aRunningRestoreShowsNetworkAndWriting() {
        let jobs = ClientJobs()
        let entry = ClientJobs.Entry(jobID: 8, job: "Restore.2026-12-02_09.00.00_02", kind: "Restore")
        jobs.add(entry)
        entry.counters.times.isRestore = true
        entry.counters.times.add(.network, nanoseconds: 2_340_000_000)
        entry.counters.times.add(.writing, nanoseconds: 5_060_000_000)
        let lines = ClientStatus.lines(daemonName: "test-fd", jobs: jobs)
        #expect(lines.contains("    Time: network 2.3 s, writing 5.0 s\n"), "\(lines)")
    }
}
