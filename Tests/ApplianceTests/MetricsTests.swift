import CapstanTestSupport
import Foundation
import Subprocesses
import Testing

/// capstan-sd's Prometheus endpoint, read with curl during a real backup.
@Suite struct MetricsTests {
    func scrape(_ port: Int) async throws -> String {
        try await Command.run("/usr/bin/curl", ["-sf", "--max-time", "5", "http://127.0.0.1:\(port)/metrics"]).output
    }

    /// A scrape from a child curl, waited for synchronously (for `RealBacula.eventually`, which polls synchronously).
    static func scrapeNow(_ port: Int) -> String {
        (try? Subprocess.run(["/usr/bin/curl", "-sf", "--max-time", "5", "http://127.0.0.1:\(port)/metrics"]))?.outputText ?? ""
    }

    /// The value of the sample `name{labels}` in a scrape, if present.
    func value(_ text: String, _ sample: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(sample + " ") }.flatMap { Double($0.split(separator: " ").last ?? "") }
    }

    @Test func drivesShowBytesDuringABackup() async throws {
        var options = BaculaSystem.Options()
        options.tapeLibraryCapacity = 0
        let port = try RealBacula.freePort()
        options.metricsPort = port
        // 400 MB at 40 MB/s: the job runs for about 10 s, so the scrapes below see it while it runs (unthrottled it
        // could end between two scrapes when the tests beside it hold this one's task)
        options.job = "Maximum Bandwidth = 40 mb/s"
        let system = try BaculaSystem(storage: .capstan, options: options)
        try DataSet.generate(at: system.dataDirectory, bigFileBytes: 400 << 20)
        try await system.start()
        let idle = try await scrape(port)
        #expect(idle.contains("# TYPE capstan_drive_bytes_written_total counter"), "\(idle)")
        #expect(value(idle, "capstan_drive_bytes_written_total{device=\"Drive-0\"}") == 0)
        // a virtual drive has no sg node: no TapeAlert reading, so no TapeAlert sample (never a made-up 0)
        #expect(idle.contains("# TYPE capstan_drive_tapealert_flags gauge"), "\(idle)")
        #expect(!idle.contains("capstan_drive_tapealert_flags{"), "\(idle)")
        #expect(!idle.contains("capstan_drive_tapealert_supported{"), "\(idle)")
        let jobId = try await system.queue("run job=SystemBackup yes")
        // The job's sample while it runs; the drive's counter once blocks reached it (with spooling, that is the
        // despool at the job's end, which may be over before a scrape sees both at once: two polls, not one).
        var during = ""
        let sawJob = await RealBacula.eventually(seconds: 120) {
            during = Self.scrapeNow(port)
            return during.contains("capstan_job_bytes{jobid=\"\(jobId)\"")
        }
        #expect(sawJob, "no sample of JobId \(jobId) while it ran: \(during)")
        var after = ""
        let sawBytes = await RealBacula.eventually(seconds: 120) {
            after = Self.scrapeNow(port)
            return (value(after, "capstan_drive_bytes_written_total{device=\"Drive-0\"}") ?? 0) > 0
        }
        #expect(sawBytes, "\(after)")
        #expect(after.contains("capstan_drive_cartridge_loaded{device=\"Drive-0\",volume=\"Vol-0001\"} 1"), "\(after)")
        let row = try await system.wait(jobId: jobId)
        #expect(row.status == "T", "\(system.messages)")
        let missing = try await Command.run("/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(port)/nothing"])
        #expect(missing.output == "404")
    }
}
