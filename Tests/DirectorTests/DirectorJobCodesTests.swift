import Catalog
import Testing

@testable import Director

/// The `%` codes of a Mail Command, replaced as Bacula 9.6's Director replaces them (Debian's bacula-dir.conf
/// subject is `Bacula: %t %e of %c %l`).
@Suite struct DirectorJobCodesTests {
    static var job: JobRow {
        var job = JobRow()
        job.jobID = 42
        job.job = "Nightly.2026-12-05_06.00.00_03"
        job.name = "Nightly"
        job.type = "B"
        job.level = "I"
        job.status = "R"
        job.clientName = "web-fd"
        job.files = 1_234
        job.bytes = 5_678_901
        return job
    }

    @Test func debiansSubjectLineNamesTheJobsTypeExitClientAndLevel() {
        let codes = DirectorJobCodes(directorName: "main-dir", jobID: 42, job: Self.job, status: "T", volumeNames: ["Vol-0001"])
        #expect(
            codes.expand(#"bsmtp -f "\(Bacula\) \<%r\>" -s "Bacula: %t %e of %c %l" %r"#, recipients: "ops@example.com")
                == #"bsmtp -f "\(Bacula\) \<ops@example.com\>" -s "Bacula: Backup OK of web-fd Incremental" ops@example.com"#)
        #expect(codes.expand("%i %j %n %d %b %F %v", recipients: "") == "42 Nightly.2026-12-05_06.00.00_03 Nightly main-dir 5678901 1234 Vol-0001")
    }

    @Test func theEndStatusPassedWithTheMailWinsOverTheRowsRunningStatus() {
        var codes = DirectorJobCodes(directorName: "d", jobID: 42, job: Self.job)
        #expect(codes.expand("%e", recipients: "") == "Unknown term code")
        for (status, text) in [("T", "OK"), ("W", "OK -- with warnings"), ("E", "Error"), ("f", "Fatal Error"), ("A", "Canceled")] {
            codes.status = status
            #expect(codes.expand("%e", recipients: "") == text)
        }
    }

    @Test func codesWithoutAJobAreNoneAndUnknownCodesStayAsWritten() {
        let codes = DirectorJobCodes(directorName: "main-dir", processID: 77)
        #expect(codes.expand("%d %i %c %e %t %P", recipients: "x") == "main-dir *None* *None* *None* *None* 77")
        #expect(codes.expand("100%% %s %q ends with %", recipients: "x") == "100% %s %q ends with %")
    }

    @Test func typesAndLevelsAreNamedAsBaculaNamesThem() {
        #expect(DirectorJobCodes.typeText("R") == "Restore" && DirectorJobCodes.typeText("c") == "Copy")
        #expect(DirectorJobCodes.typeText("g") == "Migrate" && DirectorJobCodes.typeText("?") == "Unknown Type")
        #expect(DirectorJobCodes.levelText("f") == "Virtual Full" && DirectorJobCodes.levelText(" ") == " ")
        #expect(DirectorJobCodes.levelText("D") == "Differential" && DirectorJobCodes.levelText("C") == "Verify Catalog")
    }
}
