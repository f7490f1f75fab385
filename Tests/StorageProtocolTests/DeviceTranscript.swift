import CapstanTestSupport
import BaculaWire
import Foundation

/// A decoded capture of Director connections to a real 9.6.7 bacula-sd (Fixtures/device-commands/*.txt): per
/// connection, the frames in time order. `D> ` lines go Director to SD, `S< ` lines SD to Director; a payload is
/// escaped (`\n`, `\xNN`), a signal is written by name (`EOD`, `TERMINATE`).
struct DeviceTranscript {
    enum Direction { case toStorage, toDirector }

    struct Event {
        var direction: Direction
        var frame: Frame
    }

    var name: String
    var title: String
    var connections: [[Event]]

    static let directory = Fixtures.repositoryRoot.appendingPathComponent(
        "Tests/StorageProtocolTests/Fixtures/device-commands")

    static let names = [
        "01-update-slots", "02-label-barcodes", "03-label-single", "04-label-already", "05-update-slots",
        "06-update-slots-scan", "07-mount-unmount-release", "08-mount-release", "09-status-slots", "10-relabel",
        "11-api-status-slots", "12-label-empty-slot", "13-always-open",
    ]

    static func load(_ name: String) throws -> DeviceTranscript {
        let text = try String(contentsOf: directory.appendingPathComponent(name + ".txt"), encoding: .utf8)
        var transcript = DeviceTranscript(name: name, title: "", connections: [])
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# "), transcript.title.isEmpty {
                transcript.title = String(line.dropFirst(2))
            } else if line.hasPrefix("== connection") {
                transcript.connections.append([])
            } else if line.hasPrefix("D> ") || line.hasPrefix("S< ") {
                guard !transcript.connections.isEmpty else {
                    throw PcapError(description: "\(name): frame before a connection")
                }
                let direction: Direction = line.hasPrefix("D> ") ? .toStorage : .toDirector
                let body = line.dropFirst(3)
                let frame: Frame
                switch body {
                case "EOD": frame = .signal(.endOfData)
                case "TERMINATE": frame = .signal(.terminate)
                default: frame = .payload(Captures.unescape(body))
                }
                let event = Event(direction: direction, frame: frame)
                transcript.connections[transcript.connections.count - 1].append(event)
            } else if !line.hasPrefix("#") {
                throw PcapError(description: "\(name): unreadable line \(line)")
            }
        }
        return transcript
    }
}
