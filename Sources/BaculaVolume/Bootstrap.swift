/// A bootstrap (`.bsr`) file: which volumes, sessions, addresses and files to read (spec §11).
public struct Bootstrap: Equatable, Sendable {
    public var entries: [BootstrapEntry]

    public init(entries: [BootstrapEntry] = []) { self.entries = entries }

    /// Parses bootstrap text. Keywords are case-insensitive; `#` starts a comment; a `Volume=` line (or a
    /// `Storage=` line) after an entry that already names a volume starts a new entry; unknown keywords fail.
    public init(parsing text: String) throws(VolumeError) {
        var entries: [BootstrapEntry] = []
        var current = BootstrapEntry()
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = Self.stripComment(rawLine).trimmingSpaces()
            if line.isEmpty { continue }
            guard let eq = line.firstIndex(of: "=") else {
                throw .bootstrap(line: lineNumber, detail: "expected keyword=value")
            }
            let keyword = line[..<eq].trimmingSpaces().lowercased()
            let value = Self.unquote(line[line.index(after: eq)...].trimmingSpaces())
            if (keyword == "volume" || keyword == "storage"), !current.volumes.isEmpty {
                entries.append(current)
                current = BootstrapEntry()
            }
            try current.apply(keyword: keyword, value: value, line: lineNumber)
        }
        if current != BootstrapEntry() { entries.append(current) }
        self.entries = entries
    }

    /// The bootstrap text, one keyword per line, in the order the Director writes them.
    public func text() -> String { entries.map { $0.text() }.joined() }

    /// The entries that concern volume `name`.
    public func entries(forVolume name: String) -> [BootstrapEntry] {
        entries.filter { $0.volumes.contains(name) }
    }

    /// Where to start reading volume `name`: the smallest VolAddr start, when every entry for it has a VolAddr.
    public func startAddress(forVolume name: String) -> UInt64? {
        let mine = entries(forVolume: name)
        guard !mine.isEmpty, mine.allSatisfy({ !$0.volumeAddresses.isEmpty }) else { return nil }
        return mine.flatMap { $0.volumeAddresses.map(\.lowerBound) }.min()
    }

    private static func stripComment(_ line: Substring) -> Substring {
        var inQuotes = false
        for i in line.indices {
            if line[i] == "\"" { inQuotes.toggle() }
            if line[i] == "#" && !inQuotes { return line[..<i] }
        }
        return line
    }

    private static func unquote(_ s: String) -> String {
        if s.count >= 2, s.hasPrefix("\""), s.hasSuffix("\"") { return String(s.dropFirst().dropLast()) }
        return s
    }
}

/// One entry of a bootstrap: conditions that all must hold for a record to be selected.
public struct BootstrapEntry: Equatable, Sendable {
    public var storage: String?
    public var volumes: [String] = []
    public var mediaType: String?
    public var device: String?
    public var slot: Int?
    public var sessionIDs: [ClosedRange<UInt32>] = []
    public var sessionTimes: [UInt32] = []
    public var volumeAddresses: [ClosedRange<UInt64>] = []
    public var volumeFiles: [ClosedRange<UInt32>] = []
    public var volumeBlocks: [ClosedRange<UInt32>] = []
    public var fileIndexes: [ClosedRange<Int32>] = []
    /// Number of files selected by this entry (restore bootstraps).
    public var count: Int?
    public var jobIDs: [ClosedRange<UInt32>] = []
    public var jobs: [String] = []
    public var clients: [String] = []
    public var jobTypes: [String] = []
    public var jobLevels: [String] = []
    public var streams: [Int32] = []
    public var fileRegex: String?
    public var include: [String] = []
    public var exclude: [String] = []

    public init() {}

    /// True when `record` (read from volume `volume`) passes this entry's volume, session, address and FileIndex
    /// conditions. Label records pass the FileIndex condition.
    public func matches(_ record: Record, volume: String) -> Bool {
        guard volumes.isEmpty || volumes.contains(volume) else { return false }
        guard sessionIDs.isEmpty || sessionIDs.contains(where: { $0.contains(record.sessionID) }) else { return false }
        guard sessionTimes.isEmpty || sessionTimes.contains(record.sessionTime) else { return false }
        guard volumeAddresses.isEmpty || volumeAddresses.contains(where: { $0.contains(record.address.rawValue) })
        else { return false }
        if !record.address.isByteOffset {
            guard volumeFiles.isEmpty || volumeFiles.contains(where: { $0.contains(record.address.file) }) else {
                return false
            }
        }
        if record.fileIndex > 0 {
            guard fileIndexes.isEmpty || fileIndexes.contains(where: { $0.contains(record.fileIndex) }) else {
                return false
            }
            guard streams.isEmpty || streams.contains(record.streamType) else { return false }
        }
        return true
    }

    mutating func apply(keyword: String, value: String, line: Int) throws(VolumeError) {
        func bad(_ what: String) -> VolumeError { .bootstrap(line: line, detail: "bad \(what) value \"\(value)\"") }
        func need<T>(_ parsed: T?, _ what: String) throws(VolumeError) -> T {
            guard let parsed else { throw bad(what) }
            return parsed
        }
        switch keyword {
        case "volume": volumes += value.split(separator: "|").map(String.init)
        case "mediatype": mediaType = value
        case "device": device = value
        case "storage": storage = value
        case "slot":
            guard let n = Int(value) else { throw bad("Slot") }
            slot = n
        case "volsessionid": sessionIDs += try need(Self.ranges(value, UInt32.self), "VolSessionId")
        case "volsessiontime":
            for part in value.split(separator: ",") {
                guard let n = UInt32(part.trimmingSpaces()) else { throw bad("VolSessionTime") }
                sessionTimes.append(n)
            }
        case "voladdr": volumeAddresses += try need(Self.ranges(value, UInt64.self), "VolAddr")
        case "volfile": volumeFiles += try need(Self.ranges(value, UInt32.self), "VolFile")
        case "volblock": volumeBlocks += try need(Self.ranges(value, UInt32.self), "VolBlock")
        case "fileindex": fileIndexes += try need(Self.ranges(value, Int32.self), "FileIndex")
        case "jobid": jobIDs += try need(Self.ranges(value, UInt32.self), "JobId")
        case "count":
            guard let n = Int(value), n >= 0 else { throw bad("Count") }
            count = n
        case "job": jobs.append(value)
        case "client": clients.append(value)
        case "jobtype": jobTypes.append(value)
        case "joblevel": jobLevels.append(value)
        case "stream":
            guard let n = Int32(value) else { throw bad("Stream") }
            streams.append(n)
        case "fileregex": fileRegex = value
        case "include": include.append(value)
        case "exclude": exclude.append(value)
        default: throw .bootstrap(line: line, detail: "unknown keyword \"\(keyword)\"")
        }
    }

    /// Parses `a-b`, `n` and comma lists of them.
    static func ranges<T: FixedWidthInteger>(_ value: String, _: T.Type) -> [ClosedRange<T>]? {
        var out: [ClosedRange<T>] = []
        for part in value.split(separator: ",") {
            let p = part.trimmingSpaces()
            // a leading "-" would be a negative number; ranges use a "-" after the first digit
            if let dash = p.dropFirst().firstIndex(of: "-") {
                guard let a = T(p[..<dash].trimmingSpaces()), let b = T(p[p.index(after: dash)...].trimmingSpaces()),
                    a <= b
                else { return nil }
                out.append(a...b)
            } else {
                guard let n = T(p) else { return nil }
                out.append(n...n)
            }
        }
        return out.isEmpty ? nil : out
    }

    func text() -> String {
        var lines: [String] = []
        func range<T: FixedWidthInteger>(_ r: ClosedRange<T>) -> String {
            r.lowerBound == r.upperBound ? "\(r.lowerBound)" : "\(r.lowerBound)-\(r.upperBound)"
        }
        if let s = storage { lines.append("Storage=\"\(s)\"") }
        if !volumes.isEmpty { lines.append("Volume=\"\(volumes.joined(separator: "|"))\"") }
        if let m = mediaType { lines.append("MediaType=\"\(m)\"") }
        if let d = device { lines.append("Device=\"\(d)\"") }
        if let s = slot { lines.append("Slot=\(s)") }
        for r in sessionIDs { lines.append("VolSessionId=\(range(r))") }
        for t in sessionTimes { lines.append("VolSessionTime=\(t)") }
        for r in volumeAddresses { lines.append("VolAddr=\(r.lowerBound)-\(r.upperBound)") }
        for r in volumeFiles { lines.append("VolFile=\(range(r))") }
        for r in volumeBlocks { lines.append("VolBlock=\(range(r))") }
        for r in fileIndexes { lines.append("FileIndex=\(range(r))") }
        if let c = count { lines.append("Count=\(c)") }
        for r in jobIDs { lines.append("JobId=\(range(r))") }
        for j in jobs { lines.append("Job=\"\(j)\"") }
        for c in clients { lines.append("Client=\"\(c)\"") }
        for t in jobTypes { lines.append("JobType=\(t)") }
        for l in jobLevels { lines.append("JobLevel=\(l)") }
        for s in streams { lines.append("Stream=\(s)") }
        if let r = fileRegex { lines.append("FileRegex=\"\(r)\"") }
        for i in include { lines.append("Include=\"\(i)\"") }
        for e in exclude { lines.append("Exclude=\"\(e)\"") }
        return lines.map { $0 + "\n" }.joined()
    }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
