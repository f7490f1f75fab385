/// The kind of device a logical unit is (peripheral device type, INQUIRY byte 0).
public enum PeripheralDeviceType: Equatable, Sendable {
    case disk, tape, mediumChanger, storageArrayController, other(UInt8)

    init(code: UInt8) {
        self =
            switch code {
            case 0x00: .disk
            case 0x01: .tape
            case 0x08: .mediumChanger
            case 0x0C: .storageArrayController
            default: .other(code)
            }
    }
}

/// Standard INQUIRY data: who made the device and what it is.
public struct StandardInquiry: Equatable, Sendable {
    public var deviceType: PeripheralDeviceType
    /// Peripheral qualifier (0: a device is connected to this LUN).
    public var qualifier: UInt8
    public var removable: Bool
    /// The device embeds a medium changer (MCHNGR).
    public var embeddedChanger: Bool
    public var version: UInt8
    public var vendor: String
    public var product: String
    public var revision: String

    /// INQUIRY (12h), standard data, 6 bytes, a status timeout.
    public static func command(allocationLength: UInt8 = 255) -> CommandDescriptorBlock {
        CommandDescriptorBlock(
            bytes: [0x12, 0, 0, 0, allocationLength, 0], timeoutMilliseconds: CommandTimeout.status,
            transfer: .fromDevice(allocationLength: Int(allocationLength)), name: "INQUIRY")
    }

    /// Decodes as much as the reply holds: only byte 0 is required; identification strings that are cut short
    /// come out shorter (or empty). Bytes past the additional length are ignored.
    public init(decoding reply: [UInt8]) throws(SCSIDecodeError) {
        let r = ReplyReader(reply, page: "standard INQUIRY data")
        let b0 = try r.u8(0)
        qualifier = b0 >> 5
        deviceType = PeripheralDeviceType(code: b0 & 0x1F)
        let end = reply.count > 4 ? min(reply.count, 5 + Int(reply[4])) : reply.count
        let data = Array(reply[0..<end])
        removable = data.count > 1 && data[1] & 0x80 != 0
        version = data.count > 2 ? data[2] : 0
        embeddedChanger = data.count > 6 && data[6] & 0x08 != 0
        let field = ReplyReader(data, page: r.page)
        vendor = asciiField(field.available(8, upTo: 8))
        product = asciiField(field.available(16, upTo: 16))
        revision = asciiField(field.available(32, upTo: 4))
    }
}

/// VPD page 80h: the unit serial number.
public struct UnitSerialNumber: Equatable, Sendable {
    public var deviceType: PeripheralDeviceType
    /// The serial, blanks trimmed (tgt pads it on the left).
    public var serial: String

    /// INQUIRY with EVPD for page 80h.
    public static func command(allocationLength: UInt8 = 255) -> CommandDescriptorBlock {
        vitalProductDataCommand(page: 0x80, allocationLength: allocationLength, name: "INQUIRY VPD 80h")
    }

    public init(decoding reply: [UInt8]) throws(SCSIDecodeError) {
        let (type, body) = try vitalProductData(reply, page: 0x80, name: "VPD page 80h (unit serial number)")
        deviceType = type
        serial = asciiField(body)
    }
}

/// One designator of VPD page 83h.
public struct DeviceDesignator: Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        case vendorSpecific, t10VendorID, eui64, naa, relativeTargetPort, targetPortGroup, logicalUnitGroup
        case md5LogicalUnit, scsiName, other(UInt8)

        init(code: UInt8) {
            let kinds: [Kind] = [
                .vendorSpecific, .t10VendorID, .eui64, .naa, .relativeTargetPort, .targetPortGroup, .logicalUnitGroup,
                .md5LogicalUnit, .scsiName,
            ]
            self = Int(code) < kinds.count ? kinds[Int(code)] : .other(code)
        }
    }

    public enum Association: UInt8, Equatable, Sendable { case logicalUnit = 0, targetPort = 1, target = 2, reserved = 3 }

    public var kind: Kind
    public var association: Association
    /// Code set 2 (ASCII) or 3 (UTF-8): the identifier is text; 1: binary.
    public var codeSet: UInt8
    public var identifier: [UInt8]

    /// The identifier as text for ASCII/UTF-8 designators, as lowercase hex for binary ones.
    public var text: String {
        if codeSet == 2 || codeSet == 3 { return asciiField(identifier) }
        return identifier.map { b in
            let s = String(b, radix: 16)
            return s.count < 2 ? "0" + s : s
        }.joined()
    }
}

/// VPD page 83h: the device identification designators.
public struct DeviceIdentification: Equatable, Sendable {
    public var deviceType: PeripheralDeviceType
    public var designators: [DeviceDesignator]

    public static func command(allocationLength: UInt8 = 255) -> CommandDescriptorBlock {
        vitalProductDataCommand(page: 0x83, allocationLength: allocationLength, name: "INQUIRY VPD 83h")
    }

    /// Designators that are cut off by the end of the reply are dropped; the ones before them are kept.
    public init(decoding reply: [UInt8]) throws(SCSIDecodeError) {
        let name = "VPD page 83h (device identification)"
        let (type, body) = try vitalProductData(reply, page: 0x83, name: name)
        deviceType = type
        designators = []
        let r = ReplyReader(Array(body), page: name)
        var offset = 0
        while offset + 4 <= r.count {
            let length = Int(r.bytes[offset + 3])
            guard let identifier = try? r.slice(offset + 4, length) else { break }
            designators.append(
                DeviceDesignator(
                    kind: .init(code: r.bytes[offset + 1] & 0x0F),
                    association: .init(rawValue: (r.bytes[offset + 1] >> 4) & 0x03) ?? .reserved,
                    codeSet: r.bytes[offset] & 0x0F, identifier: Array(identifier)))
            offset += 4 + length
        }
    }

    /// The logical unit's NAA designator as hex (what udev calls ID_SERIAL without its leading "3"), if any.
    public var naa: String? {
        designators.first { $0.kind == .naa && $0.association == .logicalUnit }?.text
    }
}

func vitalProductDataCommand(page: UInt8, allocationLength: UInt8, name: String) -> CommandDescriptorBlock {
    CommandDescriptorBlock(
        bytes: [0x12, 0x01, page, 0, allocationLength, 0], timeoutMilliseconds: CommandTimeout.status,
        transfer: .fromDevice(allocationLength: Int(allocationLength)), name: name)
}

/// Checks the 4-byte VPD header and returns the page body, cut to the page length or to the reply, whichever ends
/// first.
func vitalProductData(
    _ reply: [UInt8], page: UInt8, name: String
) throws(SCSIDecodeError) -> (PeripheralDeviceType, ArraySlice<UInt8>) {
    let r = ReplyReader(reply, page: name)
    let code = try r.u8(1)
    guard code == page else { throw r.fail(1, .unexpectedPage(expected: page, found: code)) }
    let length = Int(try r.u16(2))
    return (PeripheralDeviceType(code: reply[0] & 0x1F), r.available(4, upTo: length))
}
