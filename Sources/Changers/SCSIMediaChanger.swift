import Dispatch
import SCSI

/// A SCSI medium changer (SMC) driven natively: MODE SENSE page 1Dh for the layout, READ ELEMENT STATUS one element
/// type at a time with volume tags (and DVCID for drives), MOVE MEDIUM, INITIALIZE ELEMENT STATUS.
///
/// One operation at a time per library: every operation runs whole (all its commands, retries and polls) on the
/// library's serial queue, so a move never interleaves with an inventory. Blocking SG_IO stays off the
/// cooperative thread pool.
public actor SCSIMediaChanger: MediaChanger {
    /// Called when MOVE MEDIUM out of a drive fails with "medium removal prevented": allow removal on that drive
    /// (its sg node is not the changer's). Gets the drive's element address and DVCID serial.
    public typealias AllowDriveRemoval = @Sendable (_ address: UInt16, _ serial: String?) throws -> Void

    private let library: LibrarySession
    private let queue: DispatchQueue

    public init(runner: SCSICommandRunner, allowDriveRemoval: AllowDriveRemoval? = nil) {
        library = LibrarySession(runner: runner, allowDriveRemoval: allowDriveRemoval)
        queue = DispatchQueue(label: "capstan.changer.\(runner.transport.device)")
    }

    /// Opens the changer's sg node (`/dev/sgN` or a by-id link to it).
    public init(path: String, allowDriveRemoval: AllowDriveRemoval? = nil) throws {
        self.init(runner: SCSICommandRunner(transport: try SCSIGenericDevice(path: path)), allowDriveRemoval: allowDriveRemoval)
    }

    public func inventory() async throws -> [ChangerElement] {
        try await serially { try $0.inventory() }
    }

    public func move(from: UInt16, to: UInt16) async throws {
        try await serially { try $0.move(from: from, to: to) }
    }

    /// INITIALIZE ELEMENT STATUS: the library rescans (barcodes included).
    public func initializeElementStatus() async throws {
        try await serially { _ = try $0.runner.run(.initializeElementStatus()) }
    }

    /// The element address ranges (MODE SENSE page 1Dh).
    public func elementMap() async throws -> ElementAddressAssignment {
        try await serially { try $0.elementMap() }
    }

    private func serially<T: Sendable>(_ body: @escaping @Sendable (LibrarySession) throws -> T) async throws -> T {
        let library = self.library
        return try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body(library) }) }
        }
    }
}

/// The blocking operations of one library; used only on its serial queue.
struct LibrarySession: Sendable {
    let runner: SCSICommandRunner
    let allowDriveRemoval: SCSIMediaChanger.AllowDriveRemoval?

    func elementMap() throws -> ElementAddressAssignment {
        if let reply = try runUnlessIllegal(ElementAddressAssignment.modeSense6(), tolerate: true) {
            return try ElementAddressAssignment(decodingModeSense: reply.data, tenByteHeader: false)
        }
        let reply = try runner.run(ElementAddressAssignment.modeSense10())
        return try ElementAddressAssignment(decodingModeSense: reply.data, tenByteHeader: true)
    }

    func inventory() throws -> [ChangerElement] {
        let map = try elementMap()
        var out: [ChangerElement] = []
        for type in [ElementType.storage, .importExport, .dataTransfer] {
            for d in try elements(of: type, in: map.range(of: type)) {
                let kind: ChangerElement.Kind =
                    switch type {
                    case .storage: .slot
                    case .importExport: .importExport
                    case .dataTransfer: .drive
                    case .mediumTransport: .transport
                    }
                out.append(
                    ChangerElement(
                        kind: kind, address: d.address, barcode: d.barcode, driveSerial: d.device?.serial,
                        full: d.full, sourceAddress: d.sourceAddress,
                        driveSerialPrefix: d.device?.complete == false ? d.device?.partialSerial : nil))
            }
        }
        return out
    }

    /// Reads the descriptors of one element type. Asks again from the first missing address when a reply comes
    /// back short (until no progress), and keeps only addresses inside the range (tgt ignores the count).
    func elements(of type: ElementType, in range: ElementRange) throws -> [ElementDescriptor] {
        let wanted = Set(range.addresses)
        guard !wanted.isEmpty else { return [] }
        var found: [UInt16: ElementDescriptor] = [:]
        var dvcid = type == .dataTransfer
        var start = range.first
        for _ in 0..<wanted.count {
            let count = UInt16(clamping: Int(range.first) + Int(range.count) - Int(start))
            let command = ElementStatus.command(type: type, start: start, count: count, deviceIdentifiers: dvcid)
            guard let reply = try runUnlessIllegal(command, tolerate: dvcid) else {
                dvcid = false  // a library without DVCID support
                continue
            }
            let status = try ElementStatus(decoding: reply.data)
            var progress = false
            for d in status.elements where wanted.contains(d.address) && d.type == type {
                if found[d.address] == nil { progress = true }
                found[d.address] = d
            }
            guard let missing = range.addresses.first(where: { found[$0] == nil }), progress else { break }
            start = missing
        }
        return range.addresses.compactMap { found[$0] }
    }

    /// Runs `command`; when `tolerate` and the device answers ILLEGAL REQUEST, returns nil instead of throwing.
    func runUnlessIllegal(_ command: CommandDescriptorBlock, tolerate: Bool) throws(SCSICommandError) -> SCSIResponse? {
        let result = Result { () throws(SCSICommandError) -> SCSIResponse in try runner.run(command) }
        switch result {
        case .success(let reply): return reply
        case .failure(let error):
            if tolerate && error.sense?.key == .illegalRequest { return nil }
            throw error
        }
    }

    func move(from: UInt16, to: UInt16) throws {
        let map = try elementMap()
        let transport = map.transports.count > 0 ? map.transports.first : 0
        let command = CommandDescriptorBlock.moveMedium(transport: transport, source: from, destination: to)
        let first = Result { () throws(SCSICommandError) -> SCSIResponse in try runner.run(command) }
        if case .failure(let error) = first {
            guard error.sense?.additional == .mediumRemovalPrevented else { throw error }
            // The library's own lock (door, magazine, I/E port): allow it; a changer that has none says ILLEGAL
            // REQUEST, which is fine. Then the drive's lock, which only the drive's own node can release.
            _ = try? runner.run(.preventMediumRemoval(false))
            if map.dataTransfer.addresses.contains(from), let allowDriveRemoval {
                let serial = try? elements(of: .dataTransfer, in: ElementRange(first: from, count: 1)).first?.device?.serial
                try allowDriveRemoval(from, serial)
            }
            _ = try runner.run(command)
        }
    }
}
