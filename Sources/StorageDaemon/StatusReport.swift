import CapstanConfig
import Foundation
import SCSI

/// The text a Director prints for `status storage` (spec §3.3.6, laid out like Bacula 9.6's SD): one line per
/// packet, each ending in a newline and a NUL, then EOD. Pure: built from a snapshot of the daemon.
public struct StatusReport: Sendable {
    public struct DeviceState: Sendable {
        public var device: StorageDaemonConfiguration.Device
        /// The mounted volume's name, nil when nothing is mounted.
        public var mountedVolume: String?
        public var bytesWritten: UInt64 = 0
        public var underruns: Int = 0
        /// Current drive rate, bytes per second.
        public var rate: Double = 0
        /// Bytes in the device's spool files now.
        public var spoolBytes: UInt64 = 0
        /// Bytes of spooled blocks the device holds in spool memory now (`Spool Memory Size`).
        public var spoolMemoryBytes: UInt64 = 0
        /// The job ids using the device.
        public var attachedJobs: [Int] = []
        /// Why the device is offline (its drive is not present); nil while it is usable.
        public var offlineReason: String?
        /// The TapeAlert flags set at the drive's last reading (empty when none, or never read, or unsupported).
        public var tapeAlerts: [TapeAlertFlag] = []

        public init(device: StorageDaemonConfiguration.Device, mountedVolume: String? = nil) {
            self.device = device
            self.mountedVolume = mountedVolume
        }
    }

    public struct RunningJob: Sendable {
        public var jobId: Int
        public var jobName: String
        public var device: String
        public var volume: String?
        public var files: Int
        public var bytes: UInt64
        public var bytesPerSecond: UInt64
        public var spooledBytes: UInt64

        public init(
            jobId: Int, jobName: String, device: String, volume: String?, files: Int, bytes: UInt64,
            bytesPerSecond: UInt64, spooledBytes: UInt64
        ) {
            self.jobId = jobId
            self.jobName = jobName
            self.device = device
            self.volume = volume
            self.files = files
            self.bytes = bytes
            self.bytesPerSecond = bytesPerSecond
            self.spooledBytes = spooledBytes
        }
    }

    public var daemonName: String
    public var started: Date
    public var jobsRun: Int
    public var running: [RunningJob]
    public var devices: [DeviceState]

    public init(daemonName: String, started: Date, jobsRun: Int, running: [RunningJob], devices: [DeviceState]) {
        self.daemonName = daemonName
        self.started = started
        self.jobsRun = jobsRun
        self.running = running
        self.devices = devices
    }

    /// The version line every Capstan daemon reports.
    public static func versionLine(name: String) -> String {
        "\(name) Version: \(CapstanVersion.text) (Bacula 9.6 protocol) x86_64-pc-linux-gnu capstan"
    }

    /// `26-Nov-26 15:26`, Bacula's short date.
    public static func shortDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone.current
        formatter.dateFormat = "dd-MMM-yy HH:mm"
        return formatter.string(from: date)
    }

    /// `1,234,567`.
    public static func grouped(_ number: UInt64) -> String {
        let digits = Array(String(number))
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return out
    }

    /// `3 Hard error (critical)`.
    static func tapeAlertText(_ flag: TapeAlertFlag) -> String {
        "\(flag.code) \(flag.name) (\(flag.severity.rawValue))"
    }

    /// The report's lines, each ending in `\n` (the connection adds Bacula's trailing NUL per packet).
    public var lines: [String] {
        var lines = ["\n", Self.versionLine(name: daemonName) + "\n"]
        lines.append("Daemon started \(Self.shortDate(started)). Jobs: run=\(jobsRun), running=\(running.count).\n")
        lines.append(" Res: ndevices=\(devices.count) nautochgr=\(Set(devices.filter(\.device.autochanger).map(\.device.changerDevice)).count)\n")
        lines.append("\nRunning Jobs:\n")
        if running.isEmpty {
            lines.append("No Jobs running.\n")
        } else {
            for job in running {
                lines.append("Writing: Full Backup job \(job.jobName) JobId=\(job.jobId) Volume=\"\(job.volume ?? "")\"\n")
                lines.append("    Device \"\(job.device)\"\n")
                lines.append(
                    "    Files=\(Self.grouped(UInt64(job.files))) Bytes=\(Self.grouped(job.bytes)) AveBytes/sec=\(Self.grouped(job.bytesPerSecond)) LastBytes/sec=\(Self.grouped(job.bytesPerSecond))\n")
                if job.spooledBytes > 0 { lines.append("    Spooling: \(Self.grouped(job.spooledBytes)) bytes\n") }
            }
        }
        lines.append("====\n")
        lines.append("\nDevice status:\n")
        for state in devices {
            let device = state.device
            let kind = device.deviceType ?? (device.archiveDevice.hasPrefix("/dev/") ? "Tape" : "File")
            if let volume = state.mountedVolume {
                lines.append("\nDevice \(kind): \"\(device.name)\" (\(device.archiveDevice)) is mounted with:\n")
                lines.append("    Volume:      \(volume)\n")
            } else {
                lines.append("\nDevice \(kind): \"\(device.name)\" (\(device.archiveDevice)) is not open.\n")
            }
            if let reason = state.offlineReason { lines.append("   OFFLINE: \(reason)\n") }
            lines.append("   Media type:  \(device.mediaType)  Block size: \(device.effectiveBlockSize)\n")
            lines.append(
                "   Bytes written: \(Self.grouped(state.bytesWritten))  Rate: \(Self.grouped(UInt64(max(0, state.rate)))) bytes/s"
                    + "  Drive underruns: \(state.underruns)\n")
            if let spool = device.spoolDirectory {
                lines.append(
                    "   Spool: \(Self.grouped(state.spoolBytes)) bytes used in \(spool), "
                        + "\(Self.grouped(state.spoolMemoryBytes)) bytes in memory\n")
            }
            if !state.tapeAlerts.isEmpty {
                lines.append("   TapeAlert: \(state.tapeAlerts.map(Self.tapeAlertText).joined(separator: ", "))\n")
            }
            lines.append("Attached JobIds: \(state.attachedJobs.map(String.init).joined(separator: ","))\n")
            lines.append("==\n")
        }
        lines.append("====\n\n")
        return lines
    }
}
