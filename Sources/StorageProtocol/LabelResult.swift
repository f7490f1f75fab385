/// `3000 OK label. VolBytes=%llu VolABytes=%llu VolType=%d Volume="%s" Device=%s\n` [WIRE]: the SD wrote a label.
/// The Director creates (label) or renames (relabel) the catalog's Media record from it, with VolBytes as the
/// volume's size. The 9.6 SD reported VolBytes=64512 for a vtape label (one default-size block), VolABytes=0 and
/// VolType=0 (the volume-type code; it is not otherwise used by a 9.6 Director).
public struct LabelResult: Hashable, Sendable {
    public var volumeBytes: UInt64
    public var alignedBytes: UInt64
    public var volumeType: Int32
    public var volumeName: String
    public var device: DeviceDescription

    public init(
        volumeBytes: UInt64, alignedBytes: UInt64 = 0, volumeType: Int32 = 0, volumeName: String,
        device: DeviceDescription
    ) {
        self.volumeBytes = volumeBytes
        self.alignedBytes = alignedBytes
        self.volumeType = volumeType
        self.volumeName = volumeName
        self.device = device
    }

    static let prefix = "3000 OK label. "
    private static let template = LineTemplate(
        prefix + "VolBytes=", " VolABytes=", " VolType=", " Volume=\"", "\" Device=", "\n")

    public init(parsing bytes: [UInt8]) throws(MessageError) {
        let kind = "label reply"
        guard let f = Self.template.match(bytes) else {
            throw MessageError(kind: kind, reason: .unrecognized, line: bytes)
        }
        guard let device = DeviceDescription(text: f[4]) else {
            throw MessageError(kind: kind, reason: .badField(field: "Device"), line: bytes)
        }
        self.init(
            volumeBytes: try CanonicalInteger.field(f[0], name: "VolBytes", kind: kind, line: bytes),
            alignedBytes: try CanonicalInteger.field(f[1], name: "VolABytes", kind: kind, line: bytes),
            volumeType: try CanonicalInteger.field(f[2], name: "VolType", kind: kind, line: bytes),
            volumeName: f[3], device: device)
    }

    public var bytes: [UInt8] {
        Self.template.print(["\(volumeBytes)", "\(alignedBytes)", "\(volumeType)", volumeName, device.text])
    }
}
