/// A job status character, sent as its ASCII number in `JobStatus=`, `Status =` and `TermCode=` fields (spec §3.5.2).
/// Unknown values are kept as they are.
public struct JobStatus: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }
    public init(_ character: Character) { self.rawValue = Int32(character.asciiValue ?? 0) }

    public static let created = JobStatus("C")
    /// 82 [WIRE].
    public static let running = JobStatus("R")
    public static let blocked = JobStatus("B")
    /// 84 [WIRE]: terminated normally.
    public static let terminated = JobStatus("T")
    public static let terminatedWithWarnings = JobStatus("W")
    /// 69.
    public static let error = JobStatus("E")
    public static let nonFatalError = JobStatus("e")
    public static let fatalError = JobStatus("f")
    public static let canceled = JobStatus("A")
    public static let incomplete = JobStatus("I")
    /// 70 [WIRE]: waiting for the File daemon.
    public static let waitingForClient = JobStatus("F")
    public static let waitingForStorage = JobStatus("S")
    public static let waitingForMedia = JobStatus("m")
    public static let waitingForMount = JobStatus("M")
    /// 97 [WIRE]: the SD is despooling attributes.
    public static let despoolingAttributes = JobStatus("a")
    public static let despoolingData = JobStatus("l")

    /// The status character, when printable.
    public var character: Character? {
        guard (0x20..<0x7F).contains(rawValue) else { return nil }
        return Character(UnicodeScalar(UInt8(rawValue)))
    }

    /// True for the close statuses a 9.6 FD accepts as success for an append session (T, W, I).
    public var isSuccessfulEnd: Bool { self == .terminated || self == .terminatedWithWarnings || self == .incomplete }

    public var description: String { character.map { "'\($0)' (\(rawValue))" } ?? "\(rawValue)" }
}

/// A job type character, sent as its ASCII number in `type=` (spec §3.3.1, §3.5.3).
public struct JobType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }
    public init(_ character: Character) { self.rawValue = Int32(character.asciiValue ?? 0) }

    /// 66 [WIRE].
    public static let backup = JobType("B")
    /// 82 [WIRE].
    public static let restore = JobType("R")
    public static let verify = JobType("V")
    public static let admin = JobType("D")
    public static let copy = JobType("c")
    public static let migrate = JobType("g")

    /// True for the job types whose SD side writes (append) rather than reads.
    public var appends: Bool { self == .backup }

    public var description: String {
        guard (0x20..<0x7F).contains(rawValue) else { return "\(rawValue)" }
        return "'\(Character(UnicodeScalar(UInt8(rawValue))))' (\(rawValue))"
    }
}

/// A job level character, sent as its ASCII number in `level=` (spec §3.3.1, §3.5.3).
public struct JobLevel: RawRepresentable, Hashable, Sendable {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }
    public init(_ character: Character) { self.rawValue = Int32(character.asciiValue ?? 0) }

    /// 70 [WIRE].
    public static let full = JobLevel("F")
    /// 73 [WIRE].
    public static let incremental = JobLevel("I")
    public static let differential = JobLevel("D")
    public static let base = JobLevel("B")
    public static let virtualFull = JobLevel("f")
    /// 32 (a space) [WIRE: restore].
    public static let none = JobLevel(" ")
}

/// The `type=` of a job message (spec §3.5.4).
public struct MessageType: RawRepresentable, Hashable, Sendable {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let abort = MessageType(rawValue: 1)
    public static let debug = MessageType(rawValue: 2)
    public static let fatal = MessageType(rawValue: 3)
    /// 4 [WIRE].
    public static let error = MessageType(rawValue: 4)
    public static let warning = MessageType(rawValue: 5)
    /// 6 [WIRE].
    public static let info = MessageType(rawValue: 6)
    public static let saved = MessageType(rawValue: 7)
    public static let notSaved = MessageType(rawValue: 8)
    public static let skipped = MessageType(rawValue: 9)
    public static let mount = MessageType(rawValue: 10)
    public static let errorTerm = MessageType(rawValue: 11)
    public static let terminate = MessageType(rawValue: 12)
    public static let restored = MessageType(rawValue: 13)
    public static let security = MessageType(rawValue: 14)
    public static let alert = MessageType(rawValue: 15)
    public static let volumeManagement = MessageType(rawValue: 16)
}
