import CapstanTestSupport
import Foundation
import FileDaemonProtocol
import Testing

@testable import FileDaemon

/// `File = "\\|command"` and `File = "\\<file"`: the real bacula-dir sends them to the client as `F |command` and
/// `F <file`, and the File daemon runs the command (no shell) or reads the file on the client, one name per line. A
/// command that fails makes the job fail. Run against the real bacula-fd too, so the expectations are the oracle's.
@Suite(.serialized) struct FileListTests {
    @Test(arguments: [BaculaSystem.StorageKind.capstan, .bacula])
    func commandAndListFileItemsAreExpandedOnTheClient(_ fileDaemon: BaculaSystem.StorageKind) async throws {
        var options = BaculaSystem.Options()
        options.fileDaemon = fileDaemon
        let system = try BaculaSystem(storage: .bacula, options: options)
        let data = system.dataDirectory
        let manager = FileManager.default
        for directory in ["picked", "listed"] {
            try manager.createDirectory(atPath: data + "/" + directory, withIntermediateDirectories: true)
        }
        for name in ["picked/a.txt", "picked/b.txt", "picked/skip.log", "listed/one.bin", "listed/two.bin", "not-named.bin"] {
            try Data("content of \(name)\n".utf8).write(to: URL(fileURLWithPath: data + "/" + name))
        }
        let listFile = system.directory + "/client.list"
        try "\(data)/listed/one.bin\n\(data)/listed/two.bin  \n\n".write(toFile: listFile, atomically: true, encoding: .utf8)
        // In the Director's file `\\|` is an escaped `|`: the Director sends the item as it is instead of running it.
        system.options.directorResources = """
            FileSet {
              Name = ListSet
              Include {
                Options { signature = MD5 }
                File = "\\\\|/usr/bin/find \(data)/picked -name *.txt"
                File = "\\\\<\(listFile)"
              }
            }
            FileSet {
              Name = FailingSet
              Include {
                Options { signature = MD5 }
                File = "\\\\|/bin/sh -c 'echo \(data)/picked/a.txt; exit 3'"
              }
            }
            Job {
              Name = ListBackup; Type = Backup; Level = Full; Client = system-fd; FileSet = ListSet
              Storage = SystemStorage; Pool = SystemPool; Messages = Standard
            }
            Job {
              Name = FailingBackup; Type = Backup; Level = Full; Client = system-fd; FileSet = FailingSet
              Storage = SystemStorage; Pool = SystemPool; Messages = Standard
            }
            """
        try await system.start()

        let listed = try await system.backup(job: "ListBackup")
        #expect(listed.status == "T", "\(system.messages)\n\(system.fileDaemonLog)")
        #expect(listed.files == 4, "\(listed.files) files: \(system.messages)")
        let files = try await system.console(["list files jobid=\(listed.jobId)"])
        for name in ["picked/a.txt", "picked/b.txt", "listed/one.bin", "listed/two.bin"] {
            #expect(files.contains(data + "/" + name), "\(name) not saved: \(files)")
        }
        for name in ["skip.log", "not-named.bin"] { #expect(!files.contains(name), "\(name) saved: \(files)") }

        let failing = try await system.backup(job: "FailingBackup")
        #expect(failing.status != "T" && failing.status != "W", "the job with the failing command ended \(failing.status)")
        #expect(system.messages.contains("Error running program"), "\(system.messages)")
    }

    @Test func theExpanderRunsProgramsWithoutAShellAndReportsFailuresAsBaculaFdDoes() throws {
        let job = JobIdentity(jobID: 9, job: "Lists.2026-12-02_08.00.00_01", sessionID: 1, sessionTime: 1, authorization: "x")
        var block = FileSetBlock(isExclude: false)
        block.files = [Array("/kept/as/is".utf8), Array("|/bin/echo %i|x * 'two words'".utf8)]
        let expanded = try FileListExpander.expand(FileSetDescription(blocks: [block]), job: job, clientName: "c-fd")
        // No shell: `|x` and `*` reach echo as they are, the quoted words as one argument.
        #expect(expanded.blocks[0].files == [Array("/kept/as/is".utf8), Array("9|x * two words".utf8)])

        for (item, wording) in [
            ("|/bin/sh -c 'exit 4'", "Error running program: /bin/sh -c 'exit 4'. stat=4"),
            ("|/no/such/program", "Cannot run program: /no/such/program."),
            ("</no/such/list", "Cannot open FileSet input file: /no/such/list."),
        ] {
            block.files = [Array(item.utf8)]
            #expect {
                _ = try FileListExpander.expand(FileSetDescription(blocks: [block]), job: job, clientName: "c-fd")
            } throws: { error in
                "\(error)".contains(wording)
            }
        }
    }
}
