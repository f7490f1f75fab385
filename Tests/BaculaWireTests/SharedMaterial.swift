import CapstanTestSupport
import Foundation
import Testing

/// Loads the captures of the real daemons (`Tests/Fixtures/captures`).
enum SharedMaterial {
    static func bytes(_ name: String) throws -> [UInt8] { try Fixtures.bytes("captures/" + name) }

    static func text(_ name: String) throws -> String { try Fixtures.text("captures/" + name) }
}

/// The two saved captures and the section of the transcript file that decodes each.
enum Capture: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case backup = "bacula-backup-capture.pcap"
    case console = "bacula-console-capture.pcap"

    var testDescription: String { rawValue }

    /// The transcript section header line that starts this capture's section.
    var transcriptMarker: String { "= \(rawValue):" }

    func connections() throws -> [TCPConnection] {
        try PcapReader.connections(in: SharedMaterial.bytes(rawValue))
    }

    /// Packet lines of the transcript, keyed by "s<stream> <direction>", in order (TCP SYN/FIN lines left out).
    func transcriptLines() throws -> [String: [String]] {
        let all = try SharedMaterial.text("bacula-capture-transcripts.txt").split(separator: "\n", omittingEmptySubsequences: false)
        guard let start = all.firstIndex(where: { $0.hasPrefix("################") && $0.contains(transcriptMarker) })
        else { throw PcapError(description: "no transcript section for \(rawValue)") }
        var result: [String: [String]] = [:]
        for line in all[(start + 1)...] {
            if line.hasPrefix("################") { break }
            // "%9.4f s%-2d %s %s"
            guard let match = String(line).wholeMatch(of: /\s*[0-9.]+ (s[0-9]+) +(C->S|S->C) (.*)/) else { continue }
            let event = String(match.3)
            if event.hasPrefix("TCP ") { continue }
            result["\(match.1) \(match.2)", default: []].append(event)
        }
        return result
    }
}
