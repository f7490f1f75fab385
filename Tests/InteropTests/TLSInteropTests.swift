import CapstanTestSupport
import Foundation
import Testing

/// TLS on the links of capstan-sd with the real Debian bacula-dir and bacula-fd (issue #13 §1): the `ssl=`
/// negotiation after CRAM-MD5, the switch of the same TCP stream to TLS, and Bacula 9.6's refusals.
@Suite(.serialized) struct TLSInteropTests {
    static func certificates(_ system: BaculaSystem, caName: String = "Capstan Test CA", under: String = "tls")
        async throws -> TestCertificates
    {
        try await TestCertificates.make(
            in: system.directory + "/" + under, caName: caName, names: ["system-dir", "system-sd", "system-fd", "console"])
    }

    /// Waits until `text()` contains `line` (the daemons log a refusal around the time the peer reports it).
    func logs(_ text: @escaping () -> String, _ line: String) async -> Bool {
        await RealBacula.eventually(seconds: 60) { text().contains(line) }
    }

    @Test func backupAndRestoreThroughCapstanSDWithTLSRequiredOnEveryLinkAndCapstanTLSInitCertificates() async throws {
        let system = try BaculaSystem(storage: .capstan)
        try DataSet.generate(at: system.dataDirectory, bigFileBytes: 4 << 20)
        // Certificates from `capstan tls init` (P-256): the real daemons on OpenSSL 3 accept them.
        system.options.enableTLS(try await TestCertificates.capstanInit(in: system.directory + "/tls"), require: true)
        // The SD checks the Director's certificate name too (the File daemon's: any the CA signed).
        system.options.storageDirectorDirectives += "\nTLS Verify Peer = yes; TLS Allowed CN = \"other\"; TLS Allowed CN = \"system-dir\""
        system.options.storageArguments = ["-d", "10"]  // logs each link's "TLS established"
        try await system.start()

        // Every real daemon requires TLS: a plaintext capstan-sd would be refused on both its links.
        let backup = try await system.backup()
        #expect(backup.status == "T", "\(system.messages)\n\(system.storageLog)")
        #expect(backup.files >= 30)
        // Under TLS the socket's bytes are not the stream's: the records came as frames.
        #expect(system.storageLog.contains("records=frames") && !system.storageLog.contains("records=socket"))
        let restore = try await system.restore("jobid=\(backup.jobId)")
        #expect(restore.status == "T", "\(system.messages)\n\(system.storageLog)")
        #expect(restore.files == backup.files)
        let diff = try await Command.run("/usr/bin/diff", ["-r", "--no-dereference", system.dataDirectory, system.restoredDataDirectory])
        #expect(diff.status == 0, "diff -r: \(diff.output.prefix(2000))")
        #expect(!system.storageLog.contains("TLS negotiation failed"), "\(system.storageLog)")
        #expect(system.storageLog.components(separatedBy: "TLS established").count - 1 >= 4, "\(system.storageLog)")
    }

    /// One backup and restore with TLS required on every link, byte-identical; `director`/`fileDaemon` pick the
    /// Capstan or the real Bacula program (the SD is capstan-sd). With capstan-dir, the real bconsole that queues
    /// and waits for the jobs logs in over TLS too.
    func backupAndRestoreWithTLS(director: BaculaSystem.DirectorKind, fileDaemon: BaculaSystem.StorageKind) async throws {
        var options = BaculaSystem.Options()
        options.director = director
        options.fileDaemon = fileDaemon
        options.storageArguments = ["-d", "10"]  // logs each link's "TLS established"
        let system = try BaculaSystem(storage: .capstan, options: options)
        try DataSet.generate(at: system.dataDirectory, bigFileBytes: 4 << 20)
        system.options.enableTLS(try await Self.certificates(system), require: true)
        try await system.start()

        let backup = try await system.backup()
        #expect(backup.status == "T", "\(system.messages)\n\(system.storageLog)\n\(system.fileDaemonLog)\n\(system.directorLog)")
        #expect(backup.files >= 30)
        let restore = try await system.restore("jobid=\(backup.jobId)")
        #expect(restore.status == "T", "\(system.messages)\n\(system.storageLog)\n\(system.fileDaemonLog)")
        #expect(restore.files == backup.files)
        let diff = try await Command.run("/usr/bin/diff", ["-r", "--no-dereference", system.dataDirectory, system.restoredDataDirectory])
        #expect(diff.status == 0, "diff -r: \(diff.output.prefix(2000))")
        // The SD's links of both jobs (Director and File daemon, backup and restore) were TLS.
        let established = system.storageLog.components(separatedBy: "TLS established").count - 1
        #expect(established >= 4, "\(system.storageLog)")
    }

    @Test func capstanFDWithTheRealDirectorOverTLS() async throws {
        try await backupAndRestoreWithTLS(director: .bacula, fileDaemon: .capstan)
    }

    @Test func capstanDirectorWithTheRealFDAndBconsoleOverTLS() async throws {
        try await backupAndRestoreWithTLS(director: .capstan, fileDaemon: .bacula)
    }

    @Test func allCapstanOverTLS() async throws {
        try await backupAndRestoreWithTLS(director: .capstan, fileDaemon: .capstan)
    }

    @Test func aDirectorRequiringTLSIsRefusedByCapstanSDWithoutTLS() async throws {
        let system = try BaculaSystem(storage: .capstan)
        let certificates = try await Self.certificates(system)
        system.options.directorStorageDirectives = certificates.directives("system-dir", require: true)
        try await system.start()

        let output = try await system.console(["status storage=SystemStorage"])
        let director = "Authorization problem: Remote server did not advertise required TLS support."
        #expect(await logs({ output + system.directorLog + system.messages }, director), "\(output)\n\(system.directorLog)")
        #expect(await logs({ system.storageLog }, "Authorization problem: Remote server requires TLS."), "\(system.storageLog)")
    }

    @Test func capstanSDRequiringTLSRefusesADirectorWithoutTLS() async throws {
        let system = try BaculaSystem(storage: .capstan)
        let certificates = try await Self.certificates(system)
        system.options.storageDirectorDirectives = certificates.directives("system-sd", require: true)
        try await system.start()

        let output = try await system.console(["status storage=SystemStorage"])
        #expect(
            await logs({ output + system.directorLog + system.messages }, "Authorization problem: Remote server requires TLS."),
            "\(output)\n\(system.directorLog)")
        #expect(
            await logs({ system.storageLog }, "Authorization problem: Remote server did not advertise required TLS support."),
            "\(system.storageLog)")
    }

    @Test func capstanFDRequiringTLSRefusesTheRealDirectorWithoutTLS() async throws {
        var options = BaculaSystem.Options()
        options.fileDaemon = .capstan
        let system = try BaculaSystem(storage: .capstan, options: options)
        let certificates = try await Self.certificates(system)
        system.options.fileDaemonDirectorDirectives = certificates.directives("system-fd", require: true)
        try await system.start()

        let output = try await system.console(["status client=system-fd"])
        #expect(await logs({ output + system.directorLog + system.messages }, "requires TLS"), "\(output)\n\(system.directorLog)")
        #expect(
            await logs({ system.fileDaemonLog }, "Authorization problem: Remote server did not advertise required TLS support."),
            "\(system.fileDaemonLog)")
    }

    @Test func capstanDirectorRequiringTLSRefusesTheRealBconsoleWithoutTLS() async throws {
        var options = BaculaSystem.Options()
        options.director = .capstan
        let system = try BaculaSystem(storage: .capstan, options: options)
        let certificates = try await Self.certificates(system)
        system.options.directorDirectives = certificates.directives("system-dir", require: true)
        try await system.start()

        let bconsole = try await Command.run(
            RealBacula.bconsole, ["-c", system.directory + "/bconsole.conf"], input: "status director\n", timeout: 120)
        let said = bconsole.output + bconsole.errors
        #expect(said.contains("Authorization problem: Remote server requires TLS."), "\(said)")
        #expect(!said.contains("Daemon started"), "\(said)")
        #expect(
            await logs({ system.directorLog }, "Authorization problem: Remote server did not advertise required TLS support."),
            "\(system.directorLog)")
    }

    @Test func aCertificateFromAnotherCAIsRefused() async throws {
        let system = try BaculaSystem(storage: .capstan)
        let certificates = try await Self.certificates(system)
        let stranger = try await Self.certificates(system, caName: "Another CA", under: "other-tls")
        system.options.storageDirectorDirectives = certificates.directives("system-sd")
        // The Director presents a certificate the SD's CA did not sign (and trusts only its own CA).
        system.options.directorStorageDirectives = stranger.directives("system-dir")
        try await system.start()

        let output = try await system.console(["status storage=SystemStorage"])
        #expect(await logs({ system.storageLog }, "TLS negotiation failed"), "\(system.storageLog)")
        #expect(
            await logs({ output + system.directorLog + system.messages }, "TLS negotiation failed"),
            "\(output)\n\(system.directorLog)")
    }

    @Test func aCommonNameNotInTLSAllowedCNIsRefused() async throws {
        let system = try BaculaSystem(storage: .capstan)
        let certificates = try await Self.certificates(system)
        system.options.storageDirectorDirectives = certificates.directives(
            "system-sd", extra: "TLS Verify Peer = yes; TLS Allowed CN = \"someone-else\"; TLS Allowed CN = \"console\"")
        system.options.directorStorageDirectives = certificates.directives("system-dir")
        try await system.start()

        _ = try await system.console(["status storage=SystemStorage"])
        #expect(
            await logs({ system.storageLog }, "Peer certificate did not match a required commonName"), "\(system.storageLog)")
    }
}
