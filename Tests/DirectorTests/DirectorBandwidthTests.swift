import CapstanTestSupport
import Foundation
import Testing

@testable import Director

/// A Job's `Maximum Bandwidth` (else its Client's `Maximum Bandwidth Per Job`) reaches the File daemon as bacula-dir
/// sends it (`setbandwidth=N Job=…`), and the real bacula-fd holds the job to it.
@Suite struct DirectorBandwidthTests {
    @Test func theJobsLimitWinsAndTheClientsPerJobLimitIsTheFallback() throws {
        let configuration = try FileSetEncodingTests.configuration("""
            FileSet { Name = S; Include { File = /etc } }
            Client { Name = slow; Address = localhost; Password = p; Catalog = MyCatalog; Maximum Bandwidth Per Job = 500 kb/s }
            Job { Name = limited; Type = Backup; Client = c; FileSet = S; Pool = Default; Storage = s; Messages = Standard; Maximum Bandwidth = 2 MB/s }
            """)
        #expect(configuration.job("limited")?.maximumBandwidth == 2_000_000)
        #expect(configuration.job("j")?.maximumBandwidth == 0)
        #expect(configuration.client("slow")?.maximumBandwidthPerJob == 500_000)
        #expect(configuration.client("c")?.maximumBandwidthPerJob == 0)
    }

    /// 8 MiB of incompressible data at 2 MB/s takes at least 4 s (the catalog's times have 1 s steps: at least 3);
    /// unthrottled it takes well under one here.
    @Test func theRealFileDaemonSendsAtMostTheJobsMaximumBandwidth() async throws {
        var options = BaculaSystem.Options()
        options.director = .capstan
        options.job = "Maximum Bandwidth = 2 MB/s"
        let system = try BaculaSystem(storage: .capstan, options: options)
        try DataSet.generate(at: system.dataDirectory, bigFileBytes: 8 << 20)
        try await system.start()
        let backup = try await system.backup()
        #expect(backup.status == "T", "\(system.report(jobId: backup.jobId))")
        let elapsed = try await system.sql(
            "SELECT strftime('%s', EndTime) - strftime('%s', StartTime) FROM Job WHERE JobId = \(backup.jobId)")
        let seconds = Int(elapsed.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        #expect(seconds >= 3, "\(backup.bytes) bytes in \(elapsed) s: the limit was not applied")
    }
}
