/// Byte-line helpers for the wire texts the Director reads.
enum Line {
    static func starts(_ bytes: [UInt8], with prefix: String) -> Bool { bytes.starts(with: prefix.utf8) }
    static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
}
