import FileDaemonProtocol
import Testing

/// The `F |command` and `F <file` items: how they are recognised, how the command line is split (bacula-fd's bpipe,
/// no shell), which `%` codes are replaced, and how output lines become names.
@Suite struct FileListItemTests {
    @Test func itemsAreRecognisedByTheirFirstByte() {
        #expect(FileListItem(Array("|/usr/bin/find /srv".utf8)) == .command("/usr/bin/find /srv"))
        #expect(FileListItem(Array("</etc/backup.list".utf8)) == .listFile(Array("/etc/backup.list".utf8)))
        #expect(FileListItem(Array("/srv/data".utf8)) == .path(Array("/srv/data".utf8)))
        #expect(FileListItem([0xFF, 0x7C]) == .path([0xFF, 0x7C]))
    }

    @Test func jobCodesAreReplacedAndUnknownOnesKept() {
        let job = JobIdentity(jobID: 42, job: "Nightly.Run.2026-12-02_08.00.00_01", sessionID: 1, sessionTime: 2, authorization: "x")
        #expect(
            JobCodes.expand("list %i %j %n %c %d 100%% %z %", job: job, clientName: "client-fd")
                == "list 42 Nightly.Run.2026-12-02_08.00.00_01 Nightly.Run client-fd client-fd 100% %z %")
    }

    @Test func outputLinesBecomeNamesWithoutTrailingBlanksOrEmptyLines() {
        let output = Array("/a/b\n/with space/x  \r\n\n   \n/last".utf8) + [0xFF, 0x0A]
        #expect(FileListItem.names(in: output) == [Array("/a/b".utf8), Array("/with space/x".utf8), Array("/last".utf8) + [0xFF]])
    }
}
