/// One storage element of a library: a slot, an import/export slot or a drive, with the cartridge it holds.
public struct ChangerElement: Equatable, Sendable {
    public enum Kind: Sendable { case slot, importExport, drive, transport }
    public var kind: Kind
    /// The element address the library uses in MOVE MEDIUM.
    public var address: UInt16
    /// The barcode (primary volume tag) of the cartridge it holds, nil when empty.
    public var barcode: String?
    /// For drives: the serial number the library reports (DVCID), used to match the drive to its st node.
    public var driveSerial: String?

    public init(kind: Kind, address: UInt16, barcode: String?, driveSerial: String? = nil) {
        self.kind = kind
        self.address = address
        self.barcode = barcode
        self.driveSerial = driveSerial
    }
}

/// An autochanger: native SCSI over SG_IO, Bacula's changer-command script, or a virtual library.
/// Implementations run one operation at a time per library.
public protocol MediaChanger: Sendable {
    /// Reads every element with its cartridge.
    func inventory() async throws -> [ChangerElement]
    /// Moves the cartridge at `from` into `to`.
    func move(from: UInt16, to: UInt16) async throws
}
