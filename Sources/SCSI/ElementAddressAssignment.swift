/// The element types of a medium changer (SMC), with their codes in READ ELEMENT STATUS.
public enum ElementType: UInt8, Equatable, Sendable, CaseIterable {
    case mediumTransport = 1, storage = 2, importExport = 3, dataTransfer = 4
}

/// A contiguous range of element addresses of one type.
public struct ElementRange: Equatable, Sendable {
    public var first: UInt16
    public var count: UInt16

    public init(first: UInt16, count: UInt16) {
        self.first = first
        self.count = count
    }

    /// The addresses, clamped at 0xFFFF.
    public var addresses: [UInt16] {
        guard count > 0 else { return [] }
        let last = min(Int(first) + Int(count) - 1, Int(UInt16.max))
        return Int(first) <= last ? (Int(first)...last).map { UInt16($0) } : []
    }
}

/// Mode page 1Dh: where each element type starts and how many there are.
public struct ElementAddressAssignment: Equatable, Sendable {
    public var transports: ElementRange
    public var storage: ElementRange
    public var importExport: ElementRange
    public var dataTransfer: ElementRange

    public init(transports: ElementRange, storage: ElementRange, importExport: ElementRange, dataTransfer: ElementRange) {
        self.transports = transports
        self.storage = storage
        self.importExport = importExport
        self.dataTransfer = dataTransfer
    }

    public func range(of type: ElementType) -> ElementRange {
        switch type {
        case .mediumTransport: transports
        case .storage: storage
        case .importExport: importExport
        case .dataTransfer: dataTransfer
        }
    }

    /// MODE SENSE(6) (1Ah) for page 1Dh, current values, no block descriptors.
    public static func modeSense6(allocationLength: UInt8 = 255) -> CommandDescriptorBlock {
        CommandDescriptorBlock(
            bytes: [0x1A, 0x08, 0x1D, 0, allocationLength, 0], timeoutMilliseconds: CommandTimeout.modeSense,
            transfer: .fromDevice(allocationLength: Int(allocationLength)), name: "MODE SENSE(6) page 1Dh")
    }

    /// MODE SENSE(10) (5Ah) for page 1Dh.
    public static func modeSense10(allocationLength: UInt16 = 255) -> CommandDescriptorBlock {
        CommandDescriptorBlock(
            bytes: [0x5A, 0x08, 0x1D, 0, 0, 0, 0] + allocationLength.bigEndianBytes + [0],
            timeoutMilliseconds: CommandTimeout.modeSense,
            transfer: .fromDevice(allocationLength: Int(allocationLength)), name: "MODE SENSE(10) page 1Dh")
    }

    /// Decodes a MODE SENSE(6) (`tenByteHeader == false`) or MODE SENSE(10) reply: header, block descriptors
    /// (skipped), then page 1Dh. The page needs its 18 bytes; anything after it is ignored.
    public init(decodingModeSense reply: [UInt8], tenByteHeader: Bool) throws(SCSIDecodeError) {
        let r = ReplyReader(reply, page: "mode page 1Dh (element address assignment)")
        let pageOffset: Int
        if tenByteHeader {
            pageOffset = 8 + Int(try r.u16(6))
        } else {
            pageOffset = 4 + Int(try r.u8(3))
        }
        let code = try r.u8(pageOffset) & 0x3F
        guard code == 0x1D else { throw r.fail(pageOffset, .unexpectedPage(expected: 0x1D, found: code)) }
        let length = Int(try r.u8(pageOffset + 1))
        guard length >= 0x12 else { throw r.fail(pageOffset + 1, .invalidField(name: "page length", value: length)) }
        func range(_ at: Int) throws(SCSIDecodeError) -> ElementRange {
            ElementRange(first: try r.u16(pageOffset + at), count: try r.u16(pageOffset + at + 2))
        }
        transports = try range(2)
        storage = try range(6)
        importExport = try range(10)
        dataTransfer = try range(14)
    }
}
