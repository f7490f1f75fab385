import CapstanConfig
import Changers
import Foundation
import Logging
import Net
import SCSI
@testable import StorageDaemon
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `DriveHealth` over a fake transport (no drive): what it remembers, what it logs, where the read runs; and the
/// TapeAlert lines of `status` and the metrics built from it.
@Suite struct DriveHealthFakeTransportTests {
    @Test func fakeTransportFlagsAreRememberedAndEachNewFlagLoggedOnce() async {
        let log = LogCapture()
        let answer = Mutex<[UInt16]>([3, 20])
        let health = DriveHealth(logger: log.logger) { path throws(SCSICommandError) in
            PageTransport(device: path) { _ in .page(set: answer.withLock { $0 }) }
        }
        await health.refresh(device: "Drive-A", genericNode: "/dev/sg7")
        #expect(await health.flags(device: "Drive-A")?.map(\.code) == [3, 20])
        #expect(log.lines(.error) == ["TapeAlert 3 Hard error (critical)"])
        #expect(log.lines(.warning) == ["TapeAlert 20 Clean now (warning)"])
        #expect(log.entries.allSatisfy { $0.metadata["device"] == "Drive-A" })
        #expect(log.entries.first?.metadata["severity"] == "critical")

        await health.refresh(device: "Drive-A", genericNode: "/dev/sg7")
        #expect(log.entries.count == 2, "flags still set are not logged again")

        answer.withLock { $0 = [3, 4, 20] }
        await health.refresh(device: "Drive-A", genericNode: "/dev/sg7")
        #expect(log.lines(.error) == ["TapeAlert 3 Hard error (critical)", "TapeAlert 4 Media (critical)"])

        answer.withLock { $0 = [] }
        await health.refresh(device: "Drive-A", genericNode: "/dev/sg7")
        #expect(await health.flags(device: "Drive-A") == [])
        #expect(await health.flags(device: "Drive-B") == nil)
    }

    @Test func fakeTransportUnsupportedIsNilAndLoggedOnce() async {
        let log = LogCapture()
        let health = DriveHealth(logger: log.logger) { path throws(SCSICommandError) in
            PageTransport(device: path) { _ in .illegalRequestInvalidOpcode }
        }
        await health.refresh(device: "Drive-B", genericNode: "/dev/sg8")
        await health.refresh(device: "Drive-B", genericNode: "/dev/sg8")
        #expect(await health.flags(device: "Drive-B") == nil)
        guard case .unsupported(let sense)? = await health.reading(device: "Drive-B")?.outcome else {
            Issue.record("the drive was asked and refused")
            return
        }
        #expect(sense.additional == .invalidCommandOperationCode)
        #expect(log.entries.count == 1)
        #expect(log.entries.first?.level == .info)
        #expect(log.entries.first?.metadata["device"] == "Drive-B")
    }

    @Test func fakeOpenerFailureKeepsNoReadingAndLogsTheSameFailureOnce() async {
        let log = LogCapture()
        let health = DriveHealth(logger: log.logger) { path throws(SCSICommandError) in
            throw SCSICommandError(command: "open", device: path, reason: .system(call: "open", errno: ENOENT))
        }
        await health.refresh(device: "Drive-C", genericNode: "/dev/sg-gone")
        await health.refresh(device: "Drive-C", genericNode: "/dev/sg-gone")
        #expect(await health.reading(device: "Drive-C") == nil)
        #expect(log.lines(.warning).count == 1)
        #expect(log.lines(.warning).first?.contains("/dev/sg-gone") == true)
    }

    @Test func fakeTransportFailureKeepsThePreviousReading() async {
        let log = LogCapture()
        let fail = Mutex(false)
        let health = DriveHealth(logger: log.logger) { path throws(SCSICommandError) in
            PageTransport(device: path) { _ in fail.withLock { $0 } ? .hostTimeout : .page(set: [20]) }
        }
        await health.refresh(device: "Drive-A", genericNode: "/dev/sg7")
        let first = await health.reading(device: "Drive-A")
        fail.withLock { $0 = true }
        await health.refresh(device: "Drive-A", genericNode: "/dev/sg7")
        #expect(await health.reading(device: "Drive-A") == first)
        #expect(log.lines(.warning).last?.hasPrefix("could not read TapeAlert") == true)
    }

    @Test func withoutAnSgNodeNothingIsOpened() async {
        let log = LogCapture()
        let opened = Mutex(0)
        let health = DriveHealth(logger: log.logger) { path throws(SCSICommandError) in
            opened.withLock { $0 += 1 }
            return PageTransport(device: path) { _ in .page(set: [1]) }
        }
        await health.refresh(device: "Drive-A", genericNode: nil)
        await health.refresh(device: "Drive-A", genericNode: nil)
        #expect(opened.withLock { $0 } == 0)
        #expect(await health.readings().isEmpty)
        #expect(log.entries.map(\.level) == [.info])
    }

    /// More blocking reads at once than the cooperative pool has threads: each fake read waits until all of them are
    /// inside SG_IO. Reads on the pool would never all get there; reads on their own threads do.
    @Test func fakeTransportBlockingReadsDoNotHoldThePool() async {
        let drives = ProcessInfo.processInfo.activeProcessorCount + 2
        let inside = Mutex(0)
        let health = DriveHealth(logger: LogCapture().logger) { path throws(SCSICommandError) in
            PageTransport(device: path) { _ in
                inside.withLock { $0 += 1 }
                var waited = 0
                while inside.withLock({ $0 }) < drives && waited < 10_000 {
                    usleep(1_000)
                    waited += 1
                }
                return .page(set: inside.withLock { $0 } >= drives ? [20] : [])
            }
        }
        await withTaskGroup(of: Void.self) { group in
            for n in 0..<drives { group.addTask { await health.refresh(device: "Drive-\(n)", genericNode: "/dev/sg\(n)") } }
        }
        for n in 0..<drives { #expect(await health.flags(device: "Drive-\(n)") == [TapeAlertFlag(code: 20)]) }
    }

    @Test func fakeTransportConcurrentRefreshesOfOneDriveReadOnce() async {
        let commands = Mutex(0)
        let health = DriveHealth(logger: LogCapture().logger) { path throws(SCSICommandError) in
            PageTransport(device: path) { _ in
                commands.withLock { $0 += 1 }
                usleep(200_000)
                return .page(set: [3])
            }
        }
        async let a: Void = health.refresh(device: "Drive-A", genericNode: "/dev/sg7")
        async let b: Void = health.refresh(device: "Drive-A", genericNode: "/dev/sg7")
        _ = await (a, b)
        #expect(commands.withLock { $0 } == 1)
        #expect(await health.flags(device: "Drive-A")?.map(\.code) == [3])
    }

    // MARK: status and metrics

    static func daemon() throws -> StorageDaemon {
        let text = """
            Storage { Name = sd1; Working Directory = /tmp; Pid Directory = /tmp }
            Director { Name = d; Password = "p" }
            Messages { Name = M; console = all }
            Device { Name = Drive-A; Media Type = LTO-8; Archive Device = /dev/capstan-test-nst0 }
            Device { Name = Drive-B; Media Type = LTO-8; Archive Device = /dev/capstan-test-nst1 }
            Device { Name = Drive-C; Media Type = LTO-8; Archive Device = /dev/capstan-test-nst2 }
            """
        let configuration = try #require(StorageDaemonConfiguration(ConfigLoader.load(text: text, name: "s", kind: .storage).0))
        return StorageDaemon(configuration: configuration, options: ConnectionOptions(), logger: LogCapture().logger)
    }

    /// Drive-A answered with flags 3 and 20, Drive-B refused LOG SENSE, Drive-C was never asked.
    static func recordReadings(_ daemon: StorageDaemon) async throws {
        let logger = LogCapture().logger
        let sense = try SenseData(decoding: [0x70, 0, 0x05, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x20, 0x00, 0, 0, 0, 0])
        await daemon.driveHealth.record(
            .flags([TapeAlertFlag(code: 3), TapeAlertFlag(code: 20)]), device: "Drive-A", node: "/dev/sg1", at: Date(),
            logger: logger)
        await daemon.driveHealth.record(.unsupported(sense), device: "Drive-B", node: "/dev/sg2", at: Date(), logger: logger)
    }

    @Test func metricsCountFlagsOnlyForDrivesThatAnswered() async throws {
        let daemon = try Self.daemon()
        let before = await daemon.metricsText()
        #expect(!before.contains("capstan_drive_tapealert_flags{"), "no drive was read: no sample")
        #expect(!before.contains("capstan_drive_tapealert_supported{"))
        try await Self.recordReadings(daemon)
        let text = await daemon.metricsText()
        let samples = text.split(separator: "\n").filter { $0.hasPrefix("capstan_drive_tapealert") }.map(String.init)
        #expect(samples.sorted() == [
            "capstan_drive_tapealert_flags{device=\"Drive-A\"} 2",
            "capstan_drive_tapealert_supported{device=\"Drive-A\"} 1",
            "capstan_drive_tapealert_supported{device=\"Drive-B\"} 0",
            "capstan_drive_tapealert{device=\"Drive-A\",code=\"20\",flag=\"Clean now\",severity=\"warning\"} 1",
            "capstan_drive_tapealert{device=\"Drive-A\",code=\"3\",flag=\"Hard error\",severity=\"critical\"} 1",
        ])
        #expect(text.contains("# TYPE capstan_drive_tapealert_flags gauge"))
        #expect(text.contains("# HELP capstan_drive_tapealert_flags TapeAlert flags set at the drive's last"))
    }

    @Test func statusShowsActiveFlagsUnderTheirDeviceOnly() async throws {
        let daemon = try Self.daemon()
        try await Self.recordReadings(daemon)
        let lines = await daemon.statusReport().lines
        let alert = "   TapeAlert: 3 Hard error (critical), 20 Clean now (warning)\n"
        #expect(lines.filter { $0.contains("TapeAlert") } == [alert])
        let deviceA = try #require(lines.firstIndex { $0.contains("\"Drive-A\"") })
        let deviceB = try #require(lines.firstIndex { $0.contains("\"Drive-B\"") })
        let at = try #require(lines.firstIndex(of: alert))
        #expect(deviceA < at && at < deviceB)
    }
}

/// What a fake drive answers to LOG SENSE 2Eh.
enum FakeAnswer {
    case page(set: [UInt16])
    case illegalRequestInvalidOpcode
    case hostTimeout

    var response: SCSIResponse {
        switch self {
        case .page(let set):
            var page: [UInt8] = [0x2E, 0, 0x01, 0x40]  // 64 parameters of 5 bytes: 320
            for code in UInt16(1)...64 { page += [0, UInt8(code), 0, 1, set.contains(code) ? 1 : 0] }
            return SCSIResponse(status: SCSIResponse.good, data: page)
        case .illegalRequestInvalidOpcode:
            return SCSIResponse(
                status: SCSIResponse.checkCondition, sense: [0x70, 0, 0x05, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x20, 0, 0, 0, 0, 0])
        case .hostTimeout:
            return SCSIResponse(status: SCSIResponse.good, hostStatus: 0x03)
        }
    }
}

/// A fake sg node: answers every command from `answer`.
struct PageTransport: SCSITransport {
    let device: String
    let answer: @Sendable (CommandDescriptorBlock) -> FakeAnswer

    func execute(_ command: CommandDescriptorBlock) throws(SCSICommandError) -> SCSIResponse { answer(command).response }
}

/// Collects log entries (level, message, metadata) for assertions.
final class LogCapture: Sendable {
    struct Entry: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }

    private let store = Mutex<[Entry]>([])

    var entries: [Entry] { store.withLock { $0 } }

    func lines(_ level: Logger.Level) -> [String] { entries.filter { $0.level == level }.map(\.message) }

    var logger: Logger {
        var logger = Logger(label: "test") { _ in Handler(capture: self) }
        logger.logLevel = .debug
        logger[metadataKey: "daemon"] = "sd1"
        return logger
    }

    struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .debug

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            guard event.level > .debug else { return }
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            capture.store.withLock {
                $0.append(Entry(level: event.level, message: "\(event.message)", metadata: all.mapValues { "\($0)" }))
            }
        }
    }
}
