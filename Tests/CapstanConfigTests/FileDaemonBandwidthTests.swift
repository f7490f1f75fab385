import CapstanConfig
import Testing

/// The FileDaemon resource's `Maximum Bandwidth Per Job` is read as bytes per second (Bacula's speed units); absent,
/// it is 0, no limit.
@Suite struct FileDaemonBandwidthTests {
    @Test func maximumBandwidthPerJobIsReadInBytesPerSecond() throws {
        let limited = HeartbeatDefaultTests.fileDaemon.replacingOccurrences(
            of: "Pid Directory = /p }", with: "Pid Directory = /p; Maximum Bandwidth Per Job = 4 mb/s }")
        let (fd, diagnostics) = load(limited, as: .fileDaemon)
        #expect(diagnostics.all.isEmpty, "\(diagnostics)")
        #expect(try #require(FileDaemonConfiguration(fd)).client.maximumBandwidthPerJob == 4_000_000)
        let (plain, _) = load(HeartbeatDefaultTests.fileDaemon, as: .fileDaemon)
        #expect(try #require(FileDaemonConfiguration(plain)).client.maximumBandwidthPerJob == 0)
    }
}
