import CapstanTestSupport
import Foundation
import Testing

@testable import FileDaemon

/// `fstype =` and `drivetype =` in a FileSet's Options, driven by the real bacula-dir: a top item on a listed file
/// system type is saved; one on an unlisted type is left out with an informational message; a drive type list
/// leaves every top item out on Linux (bacula-fd knows drive types on Windows only). Run against the real bacula-fd
/// too, so the expectations are the oracle's. The data directory must be on ext2/3/4, xfs, btrfs or tmpfs.
@Suite(.serialized) struct FileSystemTypeTests {
    @Test(arguments: [BaculaSystem.StorageKind.capstan, .bacula])
    func fileSystemAndDriveTypeRestrictionsChooseTheTopItems(_ fileDaemon: BaculaSystem.StorageKind) async throws {
        var options = BaculaSystem.Options()
        options.fileDaemon = fileDaemon
        let system = try BaculaSystem(storage: .bacula, options: options)
        let data = system.dataDirectory
        for name in ["one.txt", "two.txt"] {
            try Data("content of \(name)\n".utf8).write(to: URL(fileURLWithPath: data + "/" + name))
        }
        var resources = ""
        for (name, option) in [
            ("Listed", "fstype = ext2; fstype = xfs; fstype = btrfs; fstype = tmpfs"), ("Unlisted", "fstype = iso9660"),
            ("Drive", "drivetype = fixed"),
        ] {
            resources += """
                FileSet {
                  Name = \(name)Set
                  Include {
                    Options { signature = MD5; \(option) }
                    File = "\(data)"
                  }
                }
                Job {
                  Name = \(name)Backup; Type = Backup; Level = Full; Client = system-fd; FileSet = \(name)Set
                  Storage = SystemStorage; Pool = SystemPool; Messages = Standard
                }

                """
        }
        system.options.directorResources = resources
        try await system.start()

        let listed = try await system.backup(job: "ListedBackup")
        #expect(listed.status == "T", "\(system.messages)\n\(system.fileDaemonLog)")
        #expect(listed.files == 3, "\(listed.files) files: \(system.messages)")
        let unlisted = try await system.backup(job: "UnlistedBackup")
        #expect(unlisted.files == 0, "\(system.messages)")
        #expect(system.messages.contains("Top level directory \"\(data)\" has unlisted fstype \""), "\(system.messages)")
        let drive = try await system.backup(job: "DriveBackup")
        #expect(drive.files == 0, "\(system.messages)")
        #expect(system.messages.contains("Top level directory \"\(data)\" has an unlisted drive type"), "\(system.messages)")
        #expect(unlisted.status == drive.status)
    }

    @Test func typeNamesComeFromTheMagicNumberWithBaculasNames() {
        #expect(FileSystemType.name(of: BytePath(Array("/proc".utf8))) == "proc")
        #expect(FileSystemType.name(of: BytePath(Array("/no/such/path".utf8))) == nil)
        #expect(FileSystemType.name(magic: 0xEF53) == "ext2")
        #expect(FileSystemType.name(magic: 0x0102_1994) == "tmpfs")
        #expect(FileSystemType.name(magic: 0x794C_7630) == nil)  // overlayfs: not in bacula-fd's table
    }
}
