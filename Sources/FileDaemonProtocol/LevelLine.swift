/// A `level = ...` line (spec §3.2.3): `level = full  mtime_only=0 \n`, `level = incremental ...` (no reply of its
/// own), `level = since_utime %s mtime_only=%d prev_job=%s\n` (starts the clock exchange), with `accurate_` and
/// `rerunning` variants.
public struct LevelLine: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        case full, base, incremental, differential
        /// The since line: the previous job's start in Unix seconds.
        case since(Int64)
    }

    public var kind: Kind
    public var accurate: Bool
    public var mtimeOnly: Bool
    public var previousJob: String?

    public init(kind: Kind, accurate: Bool = false, mtimeOnly: Bool = false, previousJob: String? = nil) {
        self.kind = kind
        self.accurate = accurate
        self.mtimeOnly = mtimeOnly
        self.previousJob = previousJob
    }

    /// Nil for a level word bacula-fd does not know ("Unknown backup level").
    public init?(parsing bytes: [UInt8]) {
        let text = String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        guard text.hasPrefix("level = ") else { return nil }
        let words = text.dropFirst(8).split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
        guard let word = words.first else { return nil }
        mtimeOnly = words.contains("mtime_only=1")
        previousJob = words.first { $0.hasPrefix("prev_job=") }.map { String($0.dropFirst(9)) }
        accurate = word.contains("accurate")
        if word == "since_utime" {
            guard words.count > 1, let since = Int64(words[1]) else { return nil }
            kind = .since(since)
        } else if word.contains("differential") {
            kind = .differential
        } else if word.contains("incremental") {
            kind = .incremental
        } else if word == "full" {
            kind = .full
        } else if word == "base" {
            kind = .base
        } else {
            return nil
        }
    }

    /// Full and base answer at once; incremental/differential wait for their since line.
    public var answersAtOnce: Bool {
        switch kind {
        case .full, .base: return true
        default: return false
        }
    }
}
