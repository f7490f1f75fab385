import CapstanTestSupport
import Foundation
import Glibc
import Testing

/// What capstan-fd writes, the real bacula-fd and bextract restore; what the real bacula-fd writes, capstan-fd
/// restores — with digests, GZIP, LZO and sparse data. Real bacula-dir and bacula-sd throughout.
@Suite(.serialized) struct CrossRestoreTests {
    static let optionSets = [
        "signature = SHA256; compression = GZIP6; sparse = yes; xattrsupport = yes; aclsupport = yes",
        "signature = SHA1; compression = LZO; sparse = yes",
    ]

    /// Bytes the file system gives `path` (holes take none).
    static func allocatedBytes(_ path: String) -> Int {
        var st = stat()
        guard lstat(path, &st) == 0 else { return -1 }
        return Int(st.st_blocks) * 512
    }

    @Test(arguments: optionSets)
    func capstanBackupRestoredByBaculaAndBextract(fileSetOptions: String) async throws {
        var options = BaculaSystem.Options()
        options.fileDaemon = .capstan
        options.fileSetOptions = fileSetOptions
        let system = try BaculaSystem(storage: .bacula, options: options)
        try await system.start()
        try ClientDataSet.generate(at: system.dataDirectory)
        let backup = try await system.backup()
        #expect(backup.status == "T", "\(system.messages)\n\(system.fileDaemonLog)")
        let readBytes = Int(try await system.sql("SELECT ReadBytes FROM Job WHERE JobId=\(backup.jobId)")
            .trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        #expect(backup.bytes < readBytes - 500_000, "compressed JobBytes \(backup.bytes) against ReadBytes \(readBytes)")

        try await system.replaceFileDaemon(with: .bacula)
        let restore = try await system.restore("jobid=\(backup.jobId)")
        #expect(restore.status == "T", "\(system.messages)")
        let problems = try await ClientDataSet.expectIdentical(system.dataDirectory, system.restoredDataDirectory)
        #expect(problems.isEmpty, "bacula-fd restore of a capstan-fd backup: \(problems)")
        if fileSetOptions.contains("xattrsupport") {
            #expect(ClientDataSet.extendedAttributes(system.restoredDataDirectory + "/xattr.txt") == ClientDataSet.extendedAttributes(system.dataDirectory + "/xattr.txt"))
            #expect(ClientDataSet.extendedAttributes(system.dataDirectory + "/xattr.txt").count == 2)
            #expect(ClientDataSet.accessACL(system.restoredDataDirectory + "/acl.txt") == ClientDataSet.accessACL(system.dataDirectory + "/acl.txt"))
            #expect(ClientDataSet.accessACL(system.dataDirectory + "/acl.txt").count == 4 + 5 * 8)
        }
        if fileSetOptions.contains("sparse") {
            #expect(Self.allocatedBytes(system.restoredDataDirectory + "/sparse.img") < 1 << 20)
        }

        let volumes = try system.volumes()
        let extracted = try RealBacula.temporaryDirectory("capstan-fd-bextract")
        defer { RealBacula.removeTemporaryDirectory(extracted) }
        let bextract = try await RealBaculaTools.bextract(volume: volumes[0], into: extracted)
        #expect(bextract.status == 0, "\(bextract.output)\n\(bextract.errors)")
        let extractedProblems = try await ClientDataSet.expectIdentical(system.dataDirectory, extracted + system.dataDirectory)
        #expect(extractedProblems.isEmpty, "bextract of a capstan-fd backup: \(extractedProblems)")
    }

    @Test(arguments: ["signature = SHA512; compression = GZIP9; sparse = yes; xattrsupport = yes; aclsupport = yes"])
    func baculaBackupRestoredByCapstan(fileSetOptions: String) async throws {
        var options = BaculaSystem.Options()
        options.fileSetOptions = fileSetOptions
        let system = try BaculaSystem(storage: .bacula, options: options)
        try await system.start()
        try ClientDataSet.generate(at: system.dataDirectory)
        let backup = try await system.backup()
        #expect(backup.status == "T", "\(system.messages)")

        try await system.replaceFileDaemon(with: .capstan)
        let restore = try await system.restore("jobid=\(backup.jobId)")
        #expect(restore.status == "T", "\(system.messages)\n\(system.fileDaemonLog)")
        let problems = try await ClientDataSet.expectIdentical(system.dataDirectory, system.restoredDataDirectory)
        #expect(problems.isEmpty, "capstan-fd restore of a bacula-fd backup: \(problems)")
        #expect(ClientDataSet.extendedAttributes(system.restoredDataDirectory + "/xattr.txt").count == 2)
        #expect(ClientDataSet.accessACL(system.restoredDataDirectory + "/acl.txt") == ClientDataSet.accessACL(system.dataDirectory + "/acl.txt"))
        #expect(ClientDataSet.extendedAttributes(system.restoredDataDirectory + "/xattr.txt") == ClientDataSet.extendedAttributes(system.dataDirectory + "/xattr.txt"))
        if fileSetOptions.contains("sparse") {
            #expect(Self.allocatedBytes(system.restoredDataDirectory + "/sparse.img") < 1 << 20)
        }
    }
}
