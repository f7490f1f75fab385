/// Fixed values of the Bacula 9.6 volume format (spec §3–§5).
public enum VolumeFormat {
    /// Size of a BB02 block header.
    public static let blockHeaderSize = 24
    /// Size of a BB01 (legacy) block header.
    public static let legacyBlockHeaderSize = 16
    /// Size of a version-2 record header.
    public static let recordHeaderSize = 12
    /// Size of a BB01 record header (session ids travel per record).
    public static let legacyRecordHeaderSize = 20
    /// Readers discard blocks and records that announce this many bytes or more.
    public static let sanityLimit = 20_000_000
    /// Tape blocks are padded to a multiple of this.
    public static let tapePadding = 1024
    /// The label/session Id string written by 9.6 (includes the newline).
    public static let labelID = "Bacula 1.0 immortal\n"
    /// Older volumes' Id.
    public static let oldLabelID = "Bacula 0.9 mortal\n"
    /// The label version 9.6 writes.
    public static let labelVersion: UInt32 = 11
}

/// Special FileIndex values that mark label records (spec §4.3).
public enum LabelType: Int32, Sendable, CaseIterable {
    case preLabel = -1
    case volumeLabel = -2
    case endOfMedium = -3
    case startOfSession = -4
    case endOfSession = -5
    case endOfTape = -6
    case startOfBackup = -7
    case endOfBackup = -8

    /// Bacula's name for the label type (as `bls` prints it).
    public var name: String {
        switch self {
        case .preLabel: "PRE_LABEL"
        case .volumeLabel: "VOL_LABEL"
        case .endOfMedium: "EOM_LABEL"
        case .startOfSession: "SOS_LABEL"
        case .endOfSession: "EOS_LABEL"
        case .endOfTape: "EOT_LABEL"
        case .startOfBackup: "SOB_LABEL"
        case .endOfBackup: "EOB_LABEL"
        }
    }
}

/// Stream types (the low 11 bits of a record's stream, spec §4.4).
public enum StreamType {
    public static let mask: Int32 = 0x7FF
    public static let unixAttributes: Int32 = 1
    public static let fileData: Int32 = 2
    public static let md5Digest: Int32 = 3
    public static let gzipData: Int32 = 4
    public static let unixAttributesEx: Int32 = 5
    public static let sparseData: Int32 = 6
    public static let sparseGzipData: Int32 = 7
    public static let sha1Digest: Int32 = 10
    public static let win32Data: Int32 = 11
    public static let win32GzipData: Int32 = 12
    public static let sha256Digest: Int32 = 17
    public static let sha512Digest: Int32 = 18
    public static let compressedData: Int32 = 29
    public static let sparseCompressedData: Int32 = 30
    public static let win32CompressedData: Int32 = 31

    /// Digest length in bytes for a digest stream, nil for other streams.
    public static func digestLength(_ stream: Int32) -> Int? {
        switch stream & mask {
        case md5Digest: 16
        case sha1Digest: 20
        case sha256Digest: 32
        case sha512Digest: 64
        default: nil
        }
    }

    /// The name of a digest stream (`MD5`, `SHA1`, ...).
    public static func digestName(_ stream: Int32) -> String? {
        switch stream & mask {
        case md5Digest: "MD5"
        case sha1Digest: "SHA1"
        case sha256Digest: "SHA256"
        case sha512Digest: "SHA512"
        default: nil
        }
    }
}
