import BaculaVolume

/// A file volume, a vtape image or a tape drive behind one `BlockSource`.
public enum VolumeMediumSource: BlockSource {
    case file(FileVolumeSource)
    case tape(TapeBlockSource)

    public var isByteStream: Bool {
        switch self {
        case .file: true
        case .tape: false
        }
    }

    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> BlockRead {
        switch self {
        case .file(var s):
            defer { self = .file(s) }
            return try s.read(into: buffer)
        case .tape(var s):
            defer { self = .tape(s) }
            return try s.read(into: buffer)
        }
    }

    public mutating func advance(by count: Int) throws {
        switch self {
        case .file(var s):
            defer { self = .file(s) }
            try s.advance(by: count)
        case .tape: break
        }
    }

    public mutating func seek(to address: VolumeAddress) throws -> Bool {
        switch self {
        case .file(var s):
            defer { self = .file(s) }
            return try s.seek(to: address)
        case .tape(var s):
            defer { self = .tape(s) }
            return try s.seek(to: address)
        }
    }
}

/// Reads one volume (a file volume or vtape image, recognised by content, or the cartridge in a tape drive, a
/// character device) as a stream of events, optionally restricted by a bootstrap: only selected records come out,
/// the medium is positioned at the first wanted address, skips forward between wanted ranges, and stops after the
/// last one.
///
/// A drive is opened read-only through `LinuxTapeDrive` and rewound (the label is at the beginning of the tape); a
/// bootstrap's file:block addresses are reached by file spacing, then records within the file. Its read buffer
/// starts at `LinuxTapeDrive.minimumReadBuffer` (reads need more than twice the largest record) and grows when the
/// drive asks. The drive is released when the stream ends or on `close()`, so the next volume of a multi-volume
/// restore can open the same node; the stream still hands its partial records on through `continueAfter`.
public final class VolumeStream {
    public let path: String
    public let container: VolumeContainer
    /// The volume label (set once the first block has been read).
    public private(set) var label: VolumeLabel?
    /// The label's record (its FileIndex says PRE_LABEL or VOL_LABEL).
    public private(set) var labelRecord: Record?
    private var reader: VolumeReader<VolumeMediumSource>
    private let bootstrap: Bootstrap?
    private var selector: BootstrapSelector?
    private var skippingBlock = false
    private var done = false
    private var pendingLabelEvents: [VolumeEvent] = []
    /// The tape behind a vtape image or a drive node, released by `close()`.
    private var tape: (any TapeDrive)?

    public init(path: String, bootstrap: Bootstrap? = nil) throws {
        self.path = path
        self.bootstrap = bootstrap
        container = try VolumeContainer.detect(path: path)
        switch container {
        case .fileVolume:
            tape = nil
            reader = VolumeReader(source: .file(try FileVolumeSource(path: path)))
        case .vtape:
            let t = try VirtualTape(path: path, writable: false)
            tape = t
            reader = VolumeReader(source: .tape(TapeBlockSource(drive: t)))
        case .tapeDrive:
            let d = try LinuxTapeDrive(path: path, writable: false)
            try d.rewind()
            tape = d
            reader = VolumeReader(
                source: .tape(TapeBlockSource(drive: d, positioning: .fromBeginningOfTape)),
                initialBufferSize: LinuxTapeDrive.minimumReadBuffer)
        }
        try readLabel()
    }

    deinit {
        if case .file(let s) = reader.source { s.close() }
        reader.close()
    }

    /// Releases a tape drive's node (without moving the tape); `next()` then returns nil. The label and the
    /// partial records for `continueAfter` stay. Files are released when the stream is freed.
    public func close() {
        done = true
        pendingLabelEvents.removeAll()
        if let drive = tape as? LinuxTapeDrive { try? drive.close() }
    }

    /// Continues a job that `previous` (the volume before this one) ended in the middle of: the record split at its
    /// end of medium is completed by the continuation at the start of this volume. Call before `next()`.
    public func continueAfter(_ previous: VolumeStream) {
        var assembler = previous.reader.recordAssembler
        let start = label.flatMap { bootstrap?.startAddress(forVolume: $0.volumeName) } ?? 0
        assembler.moveUnfinishedRecords(to: VolumeAddress(rawValue: start, isByteOffset: container == .fileVolume))
        reader.recordAssembler = assembler
    }

    /// Number of damaged blocks met so far.
    public var damagedBlocks: Int { reader.damagedBlocks }

    private func readLabel() throws {
        while let event = try reader.next() {
            pendingLabelEvents.append(event)
            if case .record(let r) = event {
                if r.fileIndex == LabelType.preLabel.rawValue || r.fileIndex == LabelType.volumeLabel.rawValue {
                    label = try VolumeLabel(decoding: r.data)
                    labelRecord = r
                }
                break
            }
        }
        guard let name = label?.volumeName, let bsr = bootstrap else { return }
        let sel = BootstrapSelector(bootstrap: bsr, volume: name)
        if !sel.selectsAnything {
            done = true
        } else if sel.canPosition, let start = bsr.startAddress(forVolume: name) {
            let address = VolumeAddress(rawValue: start, isByteOffset: container == .fileVolume)
            let position = try reader.seek(to: address)
            if position {
                // the label was already delivered; events queued before the seek are dropped
                pendingLabelEvents = pendingLabelEvents.filter {
                    if case .record = $0 { return true }
                    return false
                }
            }
        }
        selector = sel
    }

    /// The next event (label, blocks, selected records, damage, filemarks), or nil at the end.
    public func next() throws -> VolumeEvent? {
        if !pendingLabelEvents.isEmpty { return pendingLabelEvents.removeFirst() }
        guard let event = try nextFromMedium() else {
            close()
            return nil
        }
        return event
    }

    private func nextFromMedium() throws -> VolumeEvent? {
        while !done {
            guard let event = try reader.next() else { return nil }
            guard var sel = selector else { return event }
            defer { selector = sel }
            switch event {
            case .block(_, let address):
                guard let wanted = sel.nextWanted(atOrAfter: address.rawValue) else {
                    done = true
                    return nil
                }
                if wanted != address.rawValue {
                    let target = VolumeAddress(rawValue: wanted, isByteOffset: address.isByteOffset)
                    if try reader.seek(to: target) { continue }
                    skippingBlock = true
                    continue
                }
                skippingBlock = false
                return event
            case .record(let record):
                if skippingBlock || !sel.select(record) { continue }
                return event
            case .damagedBlock, .filemark:
                return event
            }
        }
        return nil
    }
}
