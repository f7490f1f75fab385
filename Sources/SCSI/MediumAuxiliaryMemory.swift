/// One attribute of the cartridge memory (MAM), as READ ATTRIBUTE returns it.
public struct MediumAttribute: Equatable, Sendable {
    public enum Format: UInt8, Equatable, Sendable { case binary = 0, ascii = 1, text = 2, reserved = 3 }

    public var identifier: UInt16
    public var format: Format
    public var readOnly: Bool
    public var value: [UInt8]

    /// The value as text (ASCII and text formats), blanks trimmed.
    public var text: String { asciiField(value) }

    /// The value as a big-endian unsigned number (binary format, 1 to 8 bytes).
    public var number: UInt64? {
        guard format == .binary, (1...8).contains(value.count) else { return nil }
        return value.reduce(0) { $0 << 8 | UInt64($1) }
    }
}

/// READ ATTRIBUTE (8Ch) attribute values: the cartridge memory of the loaded tape.
public struct MediumAuxiliaryMemory: Equatable, Sendable {
    public var attributes: [MediumAttribute]

    public static let loadCountID: UInt16 = 0x0003
    public static let manufacturerID: UInt16 = 0x0400
    public static let serialNumberID: UInt16 = 0x0401
    public static let barcodeID: UInt16 = 0x0806

    /// READ ATTRIBUTE, service action 00h (attribute values), from `firstAttribute` on. Seconds.
    public static func command(firstAttribute: UInt16 = 0, allocationLength: UInt32 = 4096) -> CommandDescriptorBlock {
        CommandDescriptorBlock(
            bytes: [0x8C, 0x00, 0, 0, 0, 0, 0, 0] + firstAttribute.bigEndianBytes + allocationLength.bigEndianBytes
                + [0, 0],
            timeoutMilliseconds: CommandTimeout.status, transfer: .fromDevice(allocationLength: Int(allocationLength)),
            name: "READ ATTRIBUTE")
    }

    /// Decodes the attributes that are complete within both the advertised length and the reply (some drives
    /// advertise the allocation length instead of the data length).
    public init(decoding reply: [UInt8]) throws(SCSIDecodeError) {
        let r = ReplyReader(reply, page: "READ ATTRIBUTE data")
        let end = min(reply.count, 4 + Int(try r.unsigned(0, 4)))
        var attributes: [MediumAttribute] = []
        var offset = 4
        while offset + 5 <= end {
            let length = Int(reply[offset + 3]) << 8 | Int(reply[offset + 4])
            guard offset + 5 + length <= end else { break }
            attributes.append(
                MediumAttribute(
                    identifier: UInt16(reply[offset]) << 8 | UInt16(reply[offset + 1]),
                    format: .init(rawValue: reply[offset + 2] & 0x03) ?? .reserved,
                    readOnly: reply[offset + 2] & 0x80 != 0, value: Array(reply[offset + 5..<offset + 5 + length])))
            offset += 5 + length
        }
        self.attributes = attributes
    }

    public func attribute(_ identifier: UInt16) -> MediumAttribute? {
        attributes.first { $0.identifier == identifier }
    }

    /// Cartridge serial number (0401h).
    public var mediumSerial: String? { attribute(Self.serialNumberID).map(\.text).flatMap { $0.isEmpty ? nil : $0 } }
    /// Medium manufacturer (0400h).
    public var manufacturer: String? { attribute(Self.manufacturerID).map(\.text).flatMap { $0.isEmpty ? nil : $0 } }
    /// Number of times the cartridge was loaded (0003h).
    public var loadCount: UInt64? { attribute(Self.loadCountID)?.number }
    /// The barcode the application wrote (0806h).
    public var barcode: String? { attribute(Self.barcodeID).map(\.text).flatMap { $0.isEmpty ? nil : $0 } }
}
