import FileDaemonProtocol
import Foundation

/// The text `status client` shows: the daemon, then each running job with its files, bytes and current rate.
enum ClientStatus {
    static func lines(daemonName: String, jobs: ClientJobs, now: Date = Date()) -> [String] {
        var lines = [
            "\(daemonName) Version: 9.6.7 (Capstan) x86_64-pc-linux-gnu debian bookworm\n",
            "Daemon started \(format(jobs.started)). Jobs: run=\(jobs.jobsRun) running=\(jobs.running.count).\n",
            "\n", "Running Jobs:\n",
        ]
        let running = jobs.running
        if running.isEmpty { lines.append("No Jobs running.\n") }
        for entry in running {
            let values = entry.counters.values
            let seconds = max(1, now.timeIntervalSince(entry.counters.started))
            let rate = Int64(Double(values.readBytes) / seconds)
            lines.append("JobId \(entry.jobID) Job \(entry.job) is running.\n")
            lines.append("    \(entry.kind) Job started: \(format(entry.counters.started))\n")
            lines.append(
                "    Files=\(FileDaemonReply.grouped(values.files)) Bytes=\(FileDaemonReply.grouped(values.readBytes)) "
                    + "AveBytes/sec=\(FileDaemonReply.grouped(rate)) LastBytes/sec=\(FileDaemonReply.grouped(rate)) "
                    + "Errors=\(values.errors)\n")
            lines.append("    Time: \(entry.counters.times.summary)\n")
            if !values.lastFile.isEmpty { lines.append("    Processing file: \(values.lastFile)\n") }
        }
        lines.append("====\n")
        return lines
    }

    static func format(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "dd-MMM-yy HH:mm"
        return formatter.string(from: date)
    }
}
