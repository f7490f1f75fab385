import Catalog

/// Builds a restore bootstrap from the catalog: one section per JobMedia row that holds selected files, with the
/// backup session, the byte range on the volume and the FileIndex ranges (spec §3.3.3). Pure.
public enum BootstrapBuilder {
    /// `jobs` give each job's session; `media` the JobMedia rows (with volume names); `selected` the FileIndexes
    /// to restore per JobId (nil: every file of the jobs).
    public static func text(
        jobs: [JobRow], media: [JobMediaRow], selected: [Int64: [Int64]]?, storage: String, device: String?
    ) -> String {
        var out = ""
        let sessions = Dictionary(jobs.map { ($0.jobID, ($0.sessionID, $0.sessionTime)) }, uniquingKeysWith: { a, _ in a })
        for job in jobs {
            let rows = media.filter { $0.jobID == job.jobID }
            let wanted = selected?[job.jobID].map { Set($0) }
            if selected != nil && (wanted?.isEmpty ?? true) { continue }
            for row in rows where row.lastIndex >= row.firstIndex && row.lastIndex > 0 {
                let indexes: [Int64]
                if let wanted {
                    indexes = wanted.filter { $0 >= row.firstIndex && $0 <= row.lastIndex }.sorted()
                } else {
                    indexes = Array(max(row.firstIndex, 1)...row.lastIndex)
                }
                guard !indexes.isEmpty else { continue }
                let session = sessions[job.jobID] ?? (row.sessionID, row.sessionTime)
                out += "Storage=\"\(storage)\"\n"
                out += "Volume=\"\(row.volumeName)\"\n"
                out += "MediaType=\"\(row.mediaType)\"\n"
                if let device { out += "Device=\"\(device)\"\n" }
                out += "VolSessionId=\(session.0)\n"
                out += "VolSessionTime=\(session.1)\n"
                let start = row.startFile << 32 | row.startBlock
                let end = row.endFile << 32 | row.endBlock
                out += "VolAddr=\(start)-\(end)\n"
                for range in ranges(indexes) {
                    out += range.lowerBound == range.upperBound
                        ? "FileIndex=\(range.lowerBound)\n" : "FileIndex=\(range.lowerBound)-\(range.upperBound)\n"
                }
                out += "Count=\(indexes.count)\n"
            }
        }
        return out
    }

    /// Sorted numbers as maximal runs: `[1,2,3,5]` → `1...3, 5...5`.
    public static func ranges(_ sorted: [Int64]) -> [ClosedRange<Int64>] {
        var result: [ClosedRange<Int64>] = []
        for number in sorted {
            if let last = result.last, last.upperBound + 1 == number {
                result[result.count - 1] = last.lowerBound...number
            } else if let last = result.last, last.contains(number) {
                continue
            } else {
                result.append(number...number)
            }
        }
        return result
    }
}
