/// How the 9.6 SD names a device in its replies: `"NAME" (ARCHIVE-DEVICE)` [WIRE], e.g. `"VDrive0" (/dev/nst0)`.
/// Replies that quote it add their own quotes around it, giving `Device ""VDrive0" (/dev/nst0)" is ...`.
public struct DeviceDescription: Hashable, Sendable {
    /// The Device resource's name.
    public var name: String
    /// The Archive Device path.
    public var archiveDevice: String

    public init(name: String, archiveDevice: String) {
        self.name = name
        self.archiveDevice = archiveDevice
    }

    private static let template = LineTemplate("\"", "\" (", ")")

    /// Reads the text form; nil when it is not `"NAME" (PATH)`.
    public init?(text: String) {
        guard let fields = Self.template.match(Array(text.utf8)), fields.count == 2 else { return nil }
        self.init(name: fields[0], archiveDevice: fields[1])
    }

    public var text: String { "\"\(name)\" (\(archiveDevice))" }
}
