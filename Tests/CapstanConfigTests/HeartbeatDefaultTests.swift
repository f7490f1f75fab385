import CapstanConfig
import Testing

/// Capstan's daemons default `Heartbeat Interval` to 10 s (Bacula 9.6: 300 s, too long for firewalls that forget
/// idle connections sooner); a written value, 0 included, still wins.
@Suite struct HeartbeatDefaultTests {
    static let storage = """
        Storage { Name = sd; Working Directory = /w; Pid Directory = /p }
        Director { Name = d; Password = x }
        Messages { Name = M; console = all }
        Device { Name = D; Media Type = F; Archive Device = /t }

        """
    static let fileDaemon = """
        FileDaemon { Name = fd; Working Directory = /w; Pid Directory = /p }
        Director { Name = d; Password = x }
        Messages { Name = M; console = all }

        """

    @Test func storageAndFileDaemonDefaultToTenSeconds() throws {
        let (sd, sdDiagnostics) = load(Self.storage, as: .storage)
        #expect(sdDiagnostics.all.isEmpty, "\(sdDiagnostics)")
        #expect(try #require(StorageDaemonConfiguration(sd)).storage.heartbeatInterval == 10)
        let (fd, fdDiagnostics) = load(Self.fileDaemon, as: .fileDaemon)
        #expect(fdDiagnostics.all.isEmpty, "\(fdDiagnostics)")
        #expect(try #require(FileDaemonConfiguration(fd)).client.heartbeatInterval == 10)
        #expect(HeartbeatDefault.seconds == 10)
    }

    @Test func aWrittenIntervalWinsAndZeroTurnsHeartbeatsOff() throws {
        let text = Self.storage.replacingOccurrences(of: "Pid Directory = /p }", with: "Pid Directory = /p; Heartbeat Interval = 0 }")
        let (sd, _) = load(text, as: .storage)
        #expect(try #require(StorageDaemonConfiguration(sd)).storage.heartbeatInterval == 0)
        let fdText = Self.fileDaemon.replacingOccurrences(of: "Pid Directory = /p }", with: "Pid Directory = /p; Heartbeat Interval = 5 min }")
        let (fd, _) = load(fdText, as: .fileDaemon)
        #expect(try #require(FileDaemonConfiguration(fd)).client.heartbeatInterval == 300)
    }
}
