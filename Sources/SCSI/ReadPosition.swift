/// READ POSITION (34h): where the tape is, in the short (20-byte) or long (32-byte) form.
public struct ReadPosition: Equatable, Sendable {
    public enum Form: UInt8, Sendable { case short = 0x00, long = 0x06 }

    public var beginningOfPartition: Bool
    public var endOfPartition: Bool
    /// The drive does not know the position (tgt always says so: its READ POSITION is a stub).
    public var positionUnknown: Bool
    public var partition: UInt32
    /// Logical object (block) number; nil when unknown.
    public var block: UInt64?
    /// Long form only: filemarks before the position.
    public var file: UInt64?
    /// Short form only: blocks and bytes still in the drive's buffer, when reported.
    public var blocksInBuffer: UInt32?
    public var bytesInBuffer: UInt32?

    public static func command(_ form: Form = .long) -> CommandDescriptorBlock {
        let length = form == .long ? 32 : 20
        return CommandDescriptorBlock(
            bytes: [0x34, form.rawValue, 0, 0, 0, 0, 0, 0, 0, 0], timeoutMilliseconds: CommandTimeout.status,
            transfer: .fromDevice(allocationLength: length), name: "READ POSITION")
    }

    /// Decodes the reply of `command(form)`. Needs the form's full length; extra bytes are ignored.
    public init(decoding reply: [UInt8], form: Form) throws(SCSIDecodeError) {
        let r = ReplyReader(reply, page: form == .long ? "READ POSITION long form" : "READ POSITION short form")
        let flags = try r.u8(0)
        beginningOfPartition = flags & 0x80 != 0
        endOfPartition = flags & 0x40 != 0
        switch form {
        case .short:
            try r.need(0, 20)
            positionUnknown = flags & 0x04 != 0
            partition = UInt32(reply[1])
            block = positionUnknown ? nil : try r.unsigned(4, 4)
            file = nil
            blocksInBuffer = flags & 0x20 != 0 ? nil : UInt32(try r.unsigned(13, 3))
            bytesInBuffer = flags & 0x10 != 0 ? nil : UInt32(try r.unsigned(16, 4))
        case .long:
            try r.need(0, 32)
            let mapUnknown = flags & 0x08 != 0
            let objectUnknown = flags & 0x04 != 0
            positionUnknown = mapUnknown || objectUnknown
            partition = UInt32(try r.unsigned(4, 4))
            block = objectUnknown ? nil : try r.unsigned(8, 8)
            file = mapUnknown ? nil : try r.unsigned(16, 8)
            blocksInBuffer = nil
            bytesInBuffer = nil
        }
    }
}
