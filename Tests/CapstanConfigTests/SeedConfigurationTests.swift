import CapstanConfig
import Foundation
import Testing

/// The seed's resources (Bacula manual, "Dealing with Firewalls"), completed into whole files, type as expected.
@Suite struct SeedConfigurationTests {
    func loadFixture(_ name: String, _ kind: DaemonKind) throws -> Configuration {
        let (configuration, diagnostics) = ConfigLoader.load(path: TestPaths.fixture(name), kind: kind, source: DiskSource())
        #expect(diagnostics.all.isEmpty, "\(diagnostics)")
        return configuration
    }

    /// A file saved with DOS line ends ("\r\n", one `Character` in Swift) reads as the same file with Unix ones: the
    /// same resources, values and locations, and no diagnostic (Bacula takes the "\r" for white space).
    @Test(arguments: [("seed-sd.conf", DaemonKind.storage), ("seed-dir.conf", DaemonKind.director)])
    func dosLineEndsReadAsUnixOnes(name: String, kind: DaemonKind) throws {
        let unix = try DiskSource().contents(of: TestPaths.fixture(name))
        let dos = unix.replacingOccurrences(of: "\n", with: "\r\n")
        #expect(dos.utf8.count > unix.utf8.count)
        let (fromUnix, unixDiagnostics) = load(unix, as: kind)
        let (fromDOS, dosDiagnostics) = load(dos, as: kind)
        #expect(unixDiagnostics.all.isEmpty && dosDiagnostics.all.isEmpty, "\(dosDiagnostics)")
        #expect(!fromDOS.resources.isEmpty)
        let same = fromDOS == fromUnix
        #expect(same, "with DOS line ends: \(fromDOS.resources.count) resources; with Unix ones: \(fromUnix.resources.count)")
    }

    @Test func storageDaemonFileTypesEveryDirective() throws {
        let configuration = try loadFixture("seed-sd.conf", .storage)
        let device = try #require(configuration.resource(ofType: "Device", named: "Drive0"))
        #expect(device.integer("DriveIndex") == 0)
        #expect(device.string("Media Type") == "AIT-1")
        #expect(device.string("Archive Device") == "/dev/nrsa1")
        #expect(device.bool("Label Media") == true)
        #expect(device.bool("AutoChanger") == true)
        #expect(device.bool("Automatic Mount") == true)
        #expect(device.bool("Always Open") == true)
        #expect(device.bool("Hardware End of Medium") == false)
        #expect(device.bool("Fast Forward Space File") == false)
        #expect(device.bool("BSF at EOM") == true)
        #expect(device.size("Maximum Block Size") == 1_048_576)
        #expect(device.size("Maximum Spool Size") == 500_000_000)
        #expect(device.size("Maximum Job Spool Size") == 104_857_600)
        // Bacula's defaults for what the seed leaves out
        #expect(device.size("Minimum Block Size") == 0)
        #expect(device.size("Maximum File Size") == 1_000_000_000)
        #expect(device.bool("Random Access") == false)
        #expect(device.bool("Removable Media") == true)
        #expect(device.directive("Removable Media")?.isDefault == true)

        let changer = try #require(configuration.resource(ofType: "Autochanger", named: "autochanger1"))
        #expect(changer.names("Device") == ["Drive0"])
        #expect(changer.string("Changer Device") == "/dev/ch0")
        #expect(changer.string("Changer Command") == "/usr/local/sbin/chio-bacula %c %o %S %a")

        let sd = try #require(StorageDaemonConfiguration(configuration))
        #expect(sd.storage.name == "Storage-server-sd")
        #expect(sd.storage.listenAddresses == [ListenAddress(family: .any, host: "0.0.0.0", port: 9103)])
        #expect(sd.storage.heartbeatInterval == 60)
        #expect(sd.storage.messages == "Standard")
        #expect(sd.directors == [.init(name: "director-dir", password: "mysecretpassword", monitor: false)])
        let drive = try #require(sd.devices.first)
        #expect(drive.effectiveBlockSize == 1_048_576)
        #expect(drive.changerDevice == "/dev/ch0")
        #expect(drive.spoolDirectory == "/var/spool/capstan")
    }

    @Test func directorFileTypesEveryDirective() throws {
        let configuration = try loadFixture("seed-dir.conf", .director)
        let job = try #require(configuration.resource(ofType: "Job", named: "Private1-Backup"))
        #expect(job.string("Type") == "Backup")
        #expect(job.string("Client") == "private1-fd")
        #expect(job.string("FileSet") == "Private1")
        #expect(job.string("Schedule") == "WeeklyCycle")
        #expect(job.names("Storage") == ["autochanger1-int"])
        #expect(job.string("Messages") == "Standard")
        #expect(job.string("Pool") == "Weekly")
        #expect(job.string("Write Bootstrap") == "/var/db/bacula/Private1-Backup.bsr")
        #expect(job.integer("Priority") == 12)
        #expect(job.bool("Spool Data") == false)
        #expect(job.integer("Maximum Concurrent Jobs") == 1)
        #expect(configuration.resource(ofType: "Job", named: "Public1-Backup")?.bool("Spool Data") == true)

        let client = try #require(configuration.resource(ofType: "Client", named: "public1-fd"))
        #expect(client.string("Address") == "public1.mydomain.tld")
        #expect(client.integer("FD Port") == 9102)
        #expect(client.string("Catalog") == "MyCatalog")
        #expect(client.string("Password") == "mysecretpassword")
        #expect(client.duration("File Retention") == Int64(60 * 86_400))
        #expect(client.duration("Job Retention") == Int64(180 * 86_400))

        let storage = try #require(configuration.resource(ofType: "Storage", named: "autochanger1-ext"))
        #expect(storage.string("Address") == "Storage-server")
        #expect(storage.integer("SD Port") == 9103)
        #expect(storage.names("Device") == ["autochanger1"])
        #expect(storage.value("Autochanger") == .boolean(true))
        #expect(storage.duration("Heartbeat Interval") == 60)

        let pool = try #require(configuration.resource(ofType: "Pool", named: "Weekly"))
        #expect(pool.string("Pool Type") == "Backup")
        #expect(pool.duration("Volume Retention") == Int64(35 * 86_400))
        #expect(pool.size("Maximum Volume Bytes") == UInt64(800 * 1_073_741_824))
        #expect(pool.string("Label Format") == "WEEK-")

        let fileSet = try #require(configuration.resource(ofType: "FileSet", named: "Private1"))
        let include = try #require(fileSet.blocks("Include").first)
        #expect(include.names("File") == ["/etc", "/home"])
        let options = try #require(include.blocks("Options").first)
        #expect(options.string("Signature") == "MD5")
        #expect(options.string("Compression") == "GZIP6")
        #expect(fileSet.blocks("Exclude").first?.names("File") == ["/home/tmp"])

        let schedule = try #require(configuration.resource(ofType: "Schedule", named: "WeeklyCycle"))
        let runs = schedule.values("Run")
        #expect(runs.count == 3)
        #expect(
            runs.first
                == .run(ScheduleRun(overrides: [.init(name: "Level", value: "Full"), .init(name: "Pool", value: "Weekly")],
                    when: ["1st", "sun", "at", "2:05"])))
        #expect(runs.last == .run(ScheduleRun(overrides: [.init(name: "Level", value: "Incremental")], when: ["mon-sat", "at", "2:05"])))

        let messages = try #require(configuration.resource(ofType: "Messages", named: "Standard"))
        let mail = try #require(messages.value("Mail"))
        guard case .messages(let destination) = mail else {
            Issue.record("Mail is not a message destination: \(mail)")
            return
        }
        #expect(destination.address == "root@localhost")
        #expect(destination.accepts("error") && !destination.accepts("skipped") && !destination.accepts("debug"))
        #expect(messages.string("Mail Command")?.contains("-f \"(Bacula) <%r>\"") == true)
    }

    @Test func jobDefsSupplyWhatTheJobLeavesOut() {
        let text = """
            Director { Name = d; Query File = q; Working Directory = /w; Pid Directory = /p; Password = x }
            Messages { Name = M; console = all }
            Catalog { Name = C; DB Name = db }
            Client { Name = c1; Address = h; Password = p; Catalog = C }
            FileSet { Name = F; Include { File = /etc } }
            Pool { Name = P; Pool Type = Backup }
            Storage { Name = S; Address = s; Password = p; Device = d; Media Type = File }
            JobDefs { Name = Defaults; Type = Backup; Client = c1; FileSet = F; Pool = P; Messages = M; Storage = S; Priority = 20 }
            Job { Name = j1; JobDefs = Defaults; Priority = 5 }
            """
        let (configuration, diagnostics) = load(text, as: .director)
        #expect(diagnostics.errors.isEmpty, "\(diagnostics)")
        let job = configuration.resource(ofType: "Job", named: "j1")
        #expect(job?.string("Client") == "c1")
        #expect(job?.integer("Priority") == 5)
        #expect(job?.names("Storage") == ["S"])
    }
}
