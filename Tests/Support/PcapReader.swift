/// A small pcap reader for tests: classic pcap files with Ethernet, BSD loopback or Linux cooked link types,
/// IPv4/IPv6 + TCP, reassembled into one byte stream per TCP connection and direction (by sequence number).
public struct PcapError: Error, CustomStringConvertible {
    public let description: String

    public init(description: String) {
        self.description = description
    }
}

public struct TCPConnection: Sendable {
    /// Index in order of first appearance (as tshark numbers `tcp.stream`).
    public var index: Int
    public var clientPort: UInt16
    public var serverPort: UInt16
    /// Bytes sent by the side that opened the connection.
    public var clientToServer: [UInt8]
    public var serverToClient: [UInt8]
    /// The payloads concatenated in capture order, retransmissions included (what a naive decoder sees).
    public var clientToServerAsCaptured: [UInt8]
    public var serverToClientAsCaptured: [UInt8]
}

public enum PcapReader {
    private struct Endpoint: Hashable {
        var address: [UInt8]
        var port: UInt16
    }

    private struct Segment {
        var seq: UInt32
        var syn: Bool
        var data: ArraySlice<UInt8>
    }

    private final class Flow {
        var initialSequence: UInt32?
        var segments: [Segment] = []
    }

    private final class Connection {
        let index: Int
        let client: Endpoint
        let server: Endpoint
        let fromClient = Flow()
        let fromServer = Flow()

        init(index: Int, client: Endpoint, server: Endpoint) {
            self.index = index
            self.client = client
            self.server = server
        }
    }

    public static func connections(in file: [UInt8]) throws -> [TCPConnection] {
        guard file.count >= 24 else { throw PcapError(description: "pcap shorter than its global header") }
        let magic = UInt32(file[0]) | UInt32(file[1]) << 8 | UInt32(file[2]) << 16 | UInt32(file[3]) << 24
        let littleEndian: Bool
        switch magic {
        case 0xA1B2_C3D4, 0xA1B2_3C4D: littleEndian = true
        case 0xD4C3_B2A1, 0x4D3C_B2A1: littleEndian = false
        default: throw PcapError(description: "not a pcap file (magic \(magic))")
        }
        func word(_ offset: Int) -> UInt32 {
            let bytes = file[offset..<offset + 4].map(UInt32.init)
            return littleEndian
                ? bytes[0] | bytes[1] << 8 | bytes[2] << 16 | bytes[3] << 24
                : bytes[3] | bytes[2] << 8 | bytes[1] << 16 | bytes[0] << 24
        }
        let linkType = word(20)
        var offset = 24
        var byKey: [Set<Endpoint>: Connection] = [:]
        var ordered: [Connection] = []
        while offset + 16 <= file.count {
            let captured = Int(word(offset + 8))
            let start = offset + 16
            guard start + captured <= file.count else { throw PcapError(description: "truncated record at \(offset)") }
            offset = start + captured
            let frame = file[start..<start + captured]
            guard let (source, destination, segment) = try parseFrame(frame, linkType: linkType) else { continue }
            let key: Set<Endpoint> = [source, destination]
            let connection: Connection
            if let existing = byKey[key] {
                connection = existing
            } else {
                connection = Connection(index: ordered.count, client: source, server: destination)
                byKey[key] = connection
                ordered.append(connection)
            }
            let flow = source == connection.client ? connection.fromClient : connection.fromServer
            if segment.syn { flow.initialSequence = segment.seq &+ 1 }
            if !segment.data.isEmpty { flow.segments.append(segment) }
        }
        return ordered.map { connection in
            TCPConnection(
                index: connection.index, clientPort: connection.client.port, serverPort: connection.server.port,
                clientToServer: reassemble(connection.fromClient), serverToClient: reassemble(connection.fromServer),
                clientToServerAsCaptured: connection.fromClient.segments.flatMap { Array($0.data) },
                serverToClientAsCaptured: connection.fromServer.segments.flatMap { Array($0.data) })
        }
    }

    /// Orders a flow's segments by sequence number relative to the SYN, dropping retransmitted bytes.
    private static func reassemble(_ flow: Flow) -> [UInt8] {
        guard let base = flow.initialSequence ?? flow.segments.first?.seq else { return [] }
        let ordered = flow.segments.map { (Int($0.seq &- base), $0.data) }.sorted { $0.0 < $1.0 }
        var stream: [UInt8] = []
        for (position, data) in ordered {
            let end = position + data.count
            guard end > stream.count, position <= stream.count else { continue }  // duplicate or gap
            stream.append(contentsOf: data.dropFirst(stream.count - position))
        }
        return stream
    }

    private static func parseFrame(_ frame: ArraySlice<UInt8>, linkType: UInt32) throws -> (Endpoint, Endpoint, Segment)? {
        let bytes = Array(frame)
        var offset: Int
        var etherType: Int
        switch linkType {
        case 1:  // Ethernet
            guard bytes.count >= 14 else { return nil }
            offset = 14
            etherType = Int(bytes[12]) << 8 | Int(bytes[13])
            if etherType == 0x8100, bytes.count >= 18 {
                etherType = Int(bytes[16]) << 8 | Int(bytes[17])
                offset = 18
            }
        case 0:  // BSD loopback: 4-byte address family in host order
            guard bytes.count >= 4 else { return nil }
            offset = 4
            let family = bytes[0] != 0 ? Int(bytes[0]) : Int(bytes[3])
            etherType = family == 2 ? 0x0800 : 0x86DD
        case 113:  // Linux cooked capture
            guard bytes.count >= 16 else { return nil }
            offset = 16
            etherType = Int(bytes[14]) << 8 | Int(bytes[15])
        default:
            throw PcapError(description: "unsupported link type \(linkType)")
        }
        var source: [UInt8]
        var destination: [UInt8]
        var tcpStart: Int
        var tcpEnd: Int
        if etherType == 0x0800 {
            guard bytes.count >= offset + 20 else { return nil }
            let headerLength = Int(bytes[offset] & 0x0F) * 4
            let totalLength = Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            guard bytes[offset + 9] == 6 else { return nil }
            source = Array(bytes[offset + 12..<offset + 16])
            destination = Array(bytes[offset + 16..<offset + 20])
            tcpStart = offset + headerLength
            tcpEnd = min(bytes.count, offset + totalLength)
        } else if etherType == 0x86DD {
            guard bytes.count >= offset + 40, bytes[offset + 6] == 6 else { return nil }
            let payloadLength = Int(bytes[offset + 4]) << 8 | Int(bytes[offset + 5])
            source = Array(bytes[offset + 8..<offset + 24])
            destination = Array(bytes[offset + 24..<offset + 40])
            tcpStart = offset + 40
            tcpEnd = min(bytes.count, tcpStart + payloadLength)
        } else {
            return nil
        }
        guard tcpEnd >= tcpStart + 20 else { return nil }
        let sourcePort = UInt16(bytes[tcpStart]) << 8 | UInt16(bytes[tcpStart + 1])
        let destinationPort = UInt16(bytes[tcpStart + 2]) << 8 | UInt16(bytes[tcpStart + 3])
        let seq = bytes[tcpStart + 4..<tcpStart + 8].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let dataOffset = Int(bytes[tcpStart + 12] >> 4) * 4
        let syn = bytes[tcpStart + 13] & 0x02 != 0
        guard tcpStart + dataOffset <= tcpEnd else { return nil }
        let data = bytes[tcpStart + dataOffset..<tcpEnd]
        return (
            Endpoint(address: source, port: sourcePort), Endpoint(address: destination, port: destinationPort),
            Segment(seq: seq, syn: syn, data: data)
        )
    }
}
