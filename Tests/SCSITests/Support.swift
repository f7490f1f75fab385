import Foundation

/// One reply captured from the harness's tgt library (Fixtures/tgt-replies.txt, written by
/// scripts/scsi-capture/capture-fixtures.sh).
struct CapturedReply {
    var name: String
    var status: UInt8
    var cdb: [UInt8]
    var data: [UInt8]
    var sense: [UInt8]
}

enum Captures {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// Every captured reply by name; empty when the fixture is missing (the tests that use it then fail on lookup).
    static let replies: [String: CapturedReply] = {
        guard let text = try? String(contentsOf: fixtures.appendingPathComponent("tgt-replies.txt"), encoding: .utf8)
        else { return [:] }
        var out: [String: CapturedReply] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let fields = line.split(separator: " ")
            guard let name = fields.first else { continue }
            var values: [String: String] = [:]
            for f in fields.dropFirst() {
                let kv = f.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                if kv.count == 2 { values[String(kv[0])] = String(kv[1]) }
            }
            out[String(name)] = CapturedReply(
                name: String(name), status: UInt8(values["status"] ?? "ff", radix: 16) ?? 0xFF,
                cdb: bytes(values["cdb"] ?? ""), data: bytes(values["data"] ?? ""), sense: bytes(values["sense"] ?? ""))
        }
        return out
    }()

    static func reply(_ name: String) throws -> CapturedReply {
        guard let r = replies[name] else { throw MissingCapture(name: name) }
        return r
    }

    struct MissingCapture: Error { var name: String }
}

/// Bytes from a hex string (spaces allowed); odd or invalid digits are dropped.
func bytes(_ hex: String) -> [UInt8] {
    let digits = Array(hex.filter { !$0.isWhitespace })
    var out: [UInt8] = []
    var i = 0
    while i + 1 < digits.count {
        if let b = UInt8(String(digits[i...i + 1]), radix: 16) { out.append(b) }
        i += 2
    }
    return out
}


/// Big-endian helpers for hand-made pages.
func be16(_ v: Int) -> [UInt8] { [UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }
func be32(_ v: Int) -> [UInt8] { [UInt8((v >> 24) & 0xFF), UInt8((v >> 16) & 0xFF)] + be16(v) }
func ascii(_ s: String, width: Int) -> [UInt8] {
    Array((Array(s.utf8) + [UInt8](repeating: 0x20, count: width)).prefix(width))
}
