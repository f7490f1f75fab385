import Changers
import Foundation
import SCSI
import Synchronization

/// Replies captured from tgt (Tests/SCSITests/Fixtures/tgt-replies.txt), by name.
enum Captured {
    static let replies: [String: (status: UInt8, data: [UInt8], sense: [UInt8])] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../SCSITests/Fixtures/tgt-replies.txt")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [:] }
        var out: [String: (UInt8, [UInt8], [UInt8])] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let f = line.split(separator: " ")
            func field(_ k: String) -> String {
                f.first { $0.hasPrefix(k + "=") }.map { String($0.dropFirst(k.count + 1)) } ?? ""
            }
            out[String(f[0])] = (UInt8(field("status"), radix: 16) ?? 0xFF, hexBytes(field("data")), hexBytes(field("sense")))
        }
        return out
    }()

    static func response(_ name: String) -> SCSIResponse {
        guard let r = replies[name] else { return SCSIResponse(status: 0xFF) }
        return SCSIResponse(status: r.status, data: r.data, sense: r.sense)
    }
}

func hexBytes(_ s: String) -> [UInt8] {
    let d = Array(s)
    return stride(from: 0, to: d.count - 1, by: 2).compactMap { UInt8(String(d[$0...$0 + 1]), radix: 16) }
}

/// A transport that answers from a script: a function of the command and how many commands came before. It records
/// every command and the most commands that were ever in flight at once.
final class ScriptedTransport: SCSITransport {
    struct State {
        var commands: [CommandDescriptorBlock] = []
        var inFlight = 0
        var maximumInFlight = 0
    }

    let device = "/dev/fake-sg"
    let state = Mutex(State())
    let delayMicroseconds: UInt32
    let script: @Sendable (CommandDescriptorBlock, Int) -> SCSIResponse

    init(delayMicroseconds: UInt32 = 0, script: @escaping @Sendable (CommandDescriptorBlock, Int) -> SCSIResponse) {
        self.delayMicroseconds = delayMicroseconds
        self.script = script
    }

    func execute(_ command: CommandDescriptorBlock) throws(SCSICommandError) -> SCSIResponse {
        let index = state.withLock { s in
            s.commands.append(command)
            s.inFlight += 1
            s.maximumInFlight = max(s.maximumInFlight, s.inFlight)
            return s.commands.count - 1
        }
        if delayMicroseconds > 0 { usleep(delayMicroseconds) }
        let response = script(command, index)
        state.withLock { $0.inFlight -= 1 }
        return response
    }

    var commands: [CommandDescriptorBlock] { state.withLock { $0.commands } }
}

/// The harness library as tgt answered it: MODE SENSE and READ ELEMENT STATUS from the captures, MOVE MEDIUM good.
@Sendable func tgtLibrary(_ command: CommandDescriptorBlock, _ index: Int) -> SCSIResponse {
    switch command.operationCode {
    case 0x1A: return Captured.response("changer.modesense6.1d")
    case 0x5A: return Captured.response("changer.modesense10.1d")
    case 0xB8:
        let type = command.bytes[1] & 0x0F
        let dvcid = command.bytes[6] & 1 != 0
        switch type {
        case 1: return Captured.response("changer.res.transport")
        case 2: return Captured.response("changer.res.slots")
        case 3: return Captured.response("changer.res.ie")
        default: return Captured.response(dvcid ? "changer.res.drives" : "changer.res.drives.nodvcid")
        }
    default: return SCSIResponse(status: SCSIResponse.good)
    }
}

func sense(_ key: UInt8, _ asc: UInt8, _ ascq: UInt8) -> [UInt8] {
    [0x70, 0, key, 0, 0, 0, 0, 10, 0, 0, 0, 0, asc, ascq, 0, 0, 0, 0]
}

func check(_ key: UInt8, _ asc: UInt8, _ ascq: UInt8) -> SCSIResponse {
    SCSIResponse(status: SCSIResponse.checkCondition, sense: sense(key, asc, ascq))
}
