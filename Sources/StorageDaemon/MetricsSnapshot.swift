import Foundation
import Metrics

/// The Storage daemon's numbers for Prometheus (`Metrics Port` in the Storage resource): per drive, per job, spool
/// and changer. Built from the same sources as `status`.
extension StorageDaemon {
    func metricsText() async -> String {
        var text = PrometheusText()
        let report = await statusReport()
        let device: (StatusReport.DeviceState) -> [(String, String)] = { [("device", $0.device.name)] }
        text.add(
            "capstan_drive_bytes_written_total", .counter, help: "Bytes written to the drive by this daemon run.",
            report.devices.map { .init(device($0), Double($0.bytesWritten)) })
        text.add(
            "capstan_drive_bytes_read_total", .counter, help: "Bytes of records read from the drive for restores.",
            report.devices.map { .init(device($0), Double(jobs.bytesRead(device: $0.device.name))) })
        text.add(
            "capstan_drive_rate_bytes_per_second", .gauge, help: "Current drive write rate.",
            report.devices.map { .init(device($0), $0.rate) })
        text.add(
            "capstan_drive_underruns_total", .counter, help: "Times the drive's queue ran dry while a job was still sending.",
            report.devices.map { .init(device($0), Double($0.underruns)) })
        text.add(
            "capstan_drive_cartridge_loaded", .gauge, help: "1 when a cartridge is in the drive (label volume).",
            report.devices.map { .init(device($0) + [("volume", $0.mountedVolume ?? "")], $0.mountedVolume == nil ? 0 : 1) })
        let tapeAlerts = await driveHealth.readings()
        let asked = report.devices.compactMap { entry in tapeAlerts[entry.device.name].map { (entry, $0) } }
        text.add(
            "capstan_drive_online", .gauge, help: "0 while the Device's drive is not present (hot-unplugged), else 1.",
            report.devices.map { .init(device($0), $0.offlineReason == nil ? 1 : 0) })
        text.add(
            "capstan_drive_tapealert_supported", .gauge,
            help: "1 when the drive answered LOG SENSE page 2Eh (TapeAlert), 0 when it refused it; only drives asked.",
            asked.map { .init(device($0.0), $0.1.flags == nil ? 0 : 1) })
        text.add(
            "capstan_drive_tapealert_flags", .gauge,
            help: "TapeAlert flags set at the drive's last LOG SENSE 2Eh reading; only drives that support TapeAlert.",
            asked.compactMap { entry, reading in reading.flags.map { .init(device(entry), Double($0.count)) } })
        text.add(
            "capstan_drive_tapealert", .gauge,
            help: "1 for each TapeAlert flag set at the drive's last reading (code, name, severity).",
            asked.flatMap { entry, reading in
                (reading.flags ?? []).map { flag in
                    let labels = [("code", String(flag.code)), ("flag", flag.name)]
                    return .init(device(entry) + labels + [("severity", flag.severity.rawValue)], 1)
                }
            })
        text.add(
            "capstan_job_bytes", .gauge, help: "Bytes a running job stored so far.",
            report.running.map { .init([("jobid", String($0.jobId)), ("job", $0.jobName)], Double($0.bytes)) })
        text.add(
            "capstan_job_rate_bytes_per_second", .gauge, help: "A running job's average rate.",
            report.running.map { .init([("jobid", String($0.jobId)), ("job", $0.jobName)], Double($0.bytesPerSecond)) })
        var spool: [PrometheusText.Sample] = []
        var memory: [PrometheusText.Sample] = []
        var free: [PrometheusText.Sample] = []
        for entry in report.devices {
            guard let directory = entry.device.spoolDirectory else { continue }
            spool.append(.init(device(entry), Double(entry.spoolBytes)))
            memory.append(.init(device(entry), Double(entry.spoolMemoryBytes)))
            var stats = statvfs()
            if statvfs(directory, &stats) == 0 { free.append(.init(device(entry), Double(stats.f_bavail) * Double(stats.f_frsize))) }
        }
        text.add("capstan_spool_bytes_used", .gauge, help: "Bytes in the device's spool files.", spool)
        text.add(
            "capstan_spool_memory_bytes_used", .gauge, help: "Bytes of spooled blocks held in the device's spool memory.",
            memory)
        text.add("capstan_spool_bytes_free", .gauge, help: "Free bytes on the spool directory's file system.", free)
        let changers = await volumes.changerCounters()
        text.add(
            "capstan_changer_moves_total", .counter, help: "Cartridge moves (load, unload) done by the daemon.",
            changers.map { .init([("device", $0.device)], Double($0.moves)) })
        text.add(
            "capstan_changer_errors_total", .counter, help: "Cartridge moves that failed.",
            changers.map { .init([("device", $0.device)], Double($0.errors)) })
        return text.output
    }
}
