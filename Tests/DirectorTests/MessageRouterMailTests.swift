import CapstanConfig
import Catalog
import Director
import Foundation
import Logging
import Testing

/// The Mail Command of a Messages resource, run for real (without a shell, as Bacula runs it: the tests' commands
/// start one themselves; the mail on its standard input): a job's
/// messages go as one mail per destination when the job ends, as Bacula sends them.
@Suite struct MessageRouterMailTests {
    @Test func aJobsMessagesAreMailedOnceAtItsEndToTheDestinationsItsStatusSelects() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("capstan-mail-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // each mail lands whole (written, then renamed) in mail-RECIPIENT-JOBID; a second mail would replace the first
        let configuration = try FileSetEncodingTests.configuration("""
            FileSet { Name = S; Include { File = /etc } }
            Messages {
              Name = Mailed
              mailcommand = "/bin/sh -c 'cat > \(directory)/.%r-%i && mv \(directory)/.%r-%i \(directory)/mail-%r-%i'"
              mail = everything = all
              mailonsuccess = good = all
              mailonerror = bad = all
            }
            """)
        let resource = try #require(configuration.messages.first { $0.name == "Mailed" })
        let router = MessageRouter(
            catalog: try CatalogDatabase(path: directory + "/catalog.db"), directorName: "test-dir", logger: Logger(label: "test"))
        router.deliver("d JobId 7: Start Backup\n", type: "info", jobID: 7, resource: resource, time: 0)
        router.deliver("d JobId 7: Backup OK\n", type: "info", jobID: 7, resource: resource, time: 0)
        router.deliver("d JobId 8: Fatal error: no storage\n", type: "fatal", jobID: 8, resource: resource, time: 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix("mail-") }.isEmpty,
            "mail went before the job's end")
        router.finishJob(jobID: 7, status: "T")
        router.finishJob(jobID: 8, status: "E")
        let expected = ["mail-everything-7", "mail-good-7", "mail-everything-8", "mail-bad-8"]
        // the commands run on threads of their own
        let deadline = ContinuousClock.now + .seconds(30)
        while !expected.allSatisfy({ FileManager.default.fileExists(atPath: directory + "/" + $0) }) && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        func mail(_ name: String) -> String { (try? String(contentsOfFile: directory + "/" + name, encoding: .utf8)) ?? "" }
        for name in ["mail-everything-7", "mail-good-7"] {
            let text = mail(name)
            #expect(text.contains("d JobId 7: Start Backup\n") && text.hasSuffix("d JobId 7: Backup OK\n"), "\(name): \(text)")
        }
        #expect(mail("mail-bad-8").hasSuffix("d JobId 8: Fatal error: no storage\n"))
        #expect(mail("mail-everything-8").hasSuffix("d JobId 8: Fatal error: no storage\n"))
        let sent = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix("mail-") }.sorted()
        #expect(sent == expected.sorted(), "a job that ended OK mailed its error destination, or the reverse")
    }

    /// The command's codes come from the job's catalog row and its end status, and `operator` messages go through
    /// the Operator Command at once.
    @Test func theMailCommandsCodesNameTheJobAndOperatorMessagesUseTheOperatorCommand() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("capstan-mail-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let configuration = try FileSetEncodingTests.configuration("""
            FileSet { Name = S; Include { File = /etc } }
            Messages {
              Name = Mailed
              mailcommand = "sh -c \\"echo 'Bacula: %t %e of %c %l (%n, %d)' > \(directory)/.subject-%i && mv \(directory)/.subject-%i \(directory)/subject-%i\\""
              operatorcommand = "sh -c \\"echo 'Intervention needed for %j' > \(directory)/.operator && mv \(directory)/.operator \(directory)/operator\\""
              mail = ops = all
              operator = ops = mount
            }
            """)
        let resource = try #require(configuration.messages.first { $0.name == "Mailed" })
        let catalog = try CatalogDatabase(path: directory + "/catalog.db")
        let clientID = try catalog.ensureClient(name: "web-fd", autoPrune: false, fileRetention: 0, jobRetention: 0)
        var row = JobRow()
        row.job = "Nightly.2026-12-05_06.00.00_03"
        row.name = "Nightly"
        row.level = "I"
        row.clientID = clientID
        row.status = "R"
        let jobID = try catalog.createJob(row)
        let router = MessageRouter(catalog: catalog, directorName: "main-dir", logger: Logger(label: "test"))
        router.deliver("d JobId \(jobID): Please mount Volume \"V1\"\n", type: "mount", jobID: jobID, resource: resource, time: 0)
        router.deliver("d JobId \(jobID): Fatal error: no storage\n", type: "fatal", jobID: jobID, resource: resource, time: 0)
        router.finishJob(jobID: jobID, status: "f")
        let files = ["subject-\(jobID)", "operator"]
        let deadline = ContinuousClock.now + .seconds(30)
        while !files.allSatisfy({ FileManager.default.fileExists(atPath: directory + "/" + $0) }) && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        func read(_ name: String) -> String { (try? String(contentsOfFile: directory + "/" + name, encoding: .utf8)) ?? "" }
        #expect(read("subject-\(jobID)") == "Bacula: Backup Fatal Error of web-fd Incremental (Nightly, main-dir)\n")
        #expect(read("operator") == "Intervention needed for Nightly.2026-12-05_06.00.00_03\n")
    }
}
