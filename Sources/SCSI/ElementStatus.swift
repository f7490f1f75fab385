/// The identifier a library reports for the device in a data transfer element (DVCID): usually the drive's
/// T10 vendor identification "VENDOR  PRODUCT         SERIAL".
public struct DeviceIdentifier: Equatable, Sendable {
    public var codeSet: UInt8
    public var type: UInt8
    /// The identifier bytes the reply held; fewer than its length field said when `complete` is false.
    public var bytes: [UInt8]
    /// The reply held the whole identifier. tgt sends READ ELEMENT STATUS replies 8 bytes shorter than their header
    /// says, which cuts the identifier of the last element.
    public var complete: Bool

    /// The drive serial, nil when the identifier is empty or incomplete.
    public var serial: String? { complete ? text : nil }

    /// What the reply held of the serial, for matching a cut identifier against known serials by prefix.
    public var partialSerial: String? { text }

    /// For a T10 vendor ID longer than 24 bytes the part after vendor (8) and product (16); otherwise the whole
    /// identifier as text. Nil when that is empty.
    private var text: String? {
        let text: String
        if type == 1, bytes.count > 24 {
            text = asciiField(bytes[24...])
        } else {
            text = asciiField(bytes)
        }
        return text.isEmpty ? nil : text
    }
}

/// One element descriptor of READ ELEMENT STATUS.
public struct ElementDescriptor: Equatable, Sendable {
    public var type: ElementType
    public var address: UInt16
    /// The element holds a cartridge.
    public var full: Bool
    /// The element is in an abnormal state; `additionalSense` says why.
    public var exception: Bool
    /// The robot can reach the element (not reliable: tgt never sets it).
    public var accessible: Bool
    /// For import/export elements: the cartridge was put in by an operator (ImpExp).
    public var placedByOperator: Bool
    public var additionalSense: AdditionalSense
    /// Where the cartridge came from, when the library knows (SValid).
    public var sourceAddress: UInt16?
    /// Primary volume tag (the barcode), nil when absent or blank.
    public var barcode: String?
    /// Alternate volume tag, nil when absent or blank.
    public var alternateBarcode: String?
    /// The device identifier (DVCID), nil when not reported; possibly incomplete (see `DeviceIdentifier.complete`).
    public var device: DeviceIdentifier?
}

/// A READ ELEMENT STATUS reply: the descriptors of every complete page.
public struct ElementStatus: Equatable, Sendable {
    public var elements: [ElementDescriptor]
    /// The reply ended before the byte count the header advertised (or inside a descriptor). Always true with tgt,
    /// whose replies are 8 bytes shorter than advertised; a descriptor cut under 12 bytes is dropped, so callers
    /// ask with volume tags (52-byte descriptors) and count the elements they got.
    public var truncated: Bool

    /// READ ELEMENT STATUS (B8h) for one element type (never "all types": tgt garbles that reply), with volume
    /// tags and, when `deviceIdentifiers`, DVCID. The allocation length defaults to 0xFFFF because some library
    /// firmware reads only two of the three length bytes.
    public static func command(
        type: ElementType, start: UInt16, count: UInt16, volumeTags: Bool = true, deviceIdentifiers: Bool = false,
        allocationLength: UInt32 = 0xFFFF
    ) -> CommandDescriptorBlock {
        let length = min(allocationLength, 0xFF_FFFF)
        return CommandDescriptorBlock(
            bytes: [0xB8, (volumeTags ? 0x10 : 0) | type.rawValue] + start.bigEndianBytes + count.bigEndianBytes
                + [deviceIdentifiers ? 0x01 : 0x00, UInt8(length >> 16), UInt8((length >> 8) & 0xFF),
                    UInt8(length & 0xFF), 0, 0],
            timeoutMilliseconds: CommandTimeout.elementStatus, transfer: .fromDevice(allocationLength: Int(length)),
            name: "READ ELEMENT STATUS")
    }

    /// Decodes every page. The header's first address and count are ignored (tgt fills them with garbage); the
    /// byte counts are trusted only as far as the reply goes. Needs the 8-byte header; a page header with an
    /// unknown element type or a descriptor length under 12 is an error.
    public init(decoding reply: [UInt8]) throws(SCSIDecodeError) {
        let r = ReplyReader(reply, page: "READ ELEMENT STATUS")
        let reportBytes = Int(try r.unsigned(5, 3))
        let end = min(reply.count, 8 + reportBytes)
        truncated = reply.count < 8 + reportBytes
        elements = []
        var page = 8
        while page + 8 <= end {
            let typeCode = reply[page] & 0x0F
            guard let type = ElementType(rawValue: typeCode) else {
                throw r.fail(page, .invalidField(name: "element type code", value: Int(typeCode)))
            }
            let primaryTag = reply[page + 1] & 0x80 != 0
            let alternateTag = reply[page + 1] & 0x40 != 0
            let descriptorLength = Int(try r.u16(page + 2))
            let pageBytes = Int(try r.unsigned(page + 5, 3))
            let pageEnd = min(end, page + 8 + pageBytes)
            if page + 8 + pageBytes > end { truncated = true }
            if pageBytes > 0 && descriptorLength < 12 {
                throw r.fail(page + 2, .invalidField(name: "element descriptor length", value: descriptorLength))
            }
            var d = page + 8
            while descriptorLength >= 12 && d + 12 <= pageEnd {
                let complete = d + descriptorLength <= pageEnd
                if !complete { truncated = true }
                let desc = ReplyReader(Array(reply[d..<min(pageEnd, d + descriptorLength)]), page: r.page)
                elements.append(
                    Self.descriptor(desc, type: type, primaryTag: primaryTag, alternateTag: alternateTag))
                d += descriptorLength
            }
            page = page + 8 + pageBytes
        }
    }

    private static func descriptor(
        _ r: ReplyReader, type: ElementType, primaryTag: Bool, alternateTag: Bool
    ) -> ElementDescriptor {
        let b = r.bytes
        let flags = b[2]
        var offset = 12
        var barcode: String?
        var alternate: String?
        if primaryTag {
            let tag = asciiField(r.available(offset, upTo: 32))
            barcode = tag.isEmpty ? nil : tag
            offset += 36
        }
        if alternateTag {
            let tag = asciiField(r.available(offset, upTo: 32))
            alternate = tag.isEmpty ? nil : tag
            offset += 36
        }
        var device: DeviceIdentifier?
        if offset + 4 <= b.count, b[offset + 3] > 0 {
            let length = Int(b[offset + 3])
            let id = r.available(offset + 4, upTo: length)
            device = DeviceIdentifier(
                codeSet: b[offset] & 0x0F, type: b[offset + 1] & 0x0F, bytes: Array(id), complete: id.count == length)
        }
        return ElementDescriptor(
            type: type, address: UInt16(b[0]) << 8 | UInt16(b[1]), full: flags & 0x01 != 0,
            exception: flags & 0x04 != 0, accessible: flags & 0x08 != 0, placedByOperator: flags & 0x02 != 0,
            additionalSense: AdditionalSense(code: b[4], qualifier: b[5]),
            sourceAddress: b[9] & 0x80 != 0 ? UInt16(b[10]) << 8 | UInt16(b[11]) : nil,
            barcode: barcode, alternateBarcode: alternate, device: device)
    }
}
