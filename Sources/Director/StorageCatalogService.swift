import BaculaVolume
import BaculaWire
import Catalog
import Foundation
import Logging
import StorageProtocol
import Synchronization

/// Answers one job's catalog requests from its SD (spec §3.3.5): volumes (FindMedia with Bacula's selection
/// order and Label Format, GetVolInfo, UpdateMedia with the pool's limits), JobMedia, and file attributes (UpdCat,
/// and a refused BlastAttr so the SD re-sends the spooled ones inline). Attributes are inserted in batches by an
/// `AttributeWriter`, off the task that reads the SD, so the attribute stream is not held up by the inserts.
final class StorageCatalogService: @unchecked Sendable {
    struct Context: Sendable {
        var jobID: Int64
        var pool: DirectorConfiguration.Pool
        var poolID: Int64
        var storage: DirectorConfiguration.Storage
        var storageID: Int64
        var directorName: String
    }

    let context: Context
    let catalog: CatalogDatabase
    let say: @Sendable (String, String) -> Void  // (text, message type)
    let logger: Logger
    private let lock = Mutex<PendingFiles>(PendingFiles())
    private let writer: AttributeWriter
    static let batchSize = 5000

    struct PendingFiles {
        /// The files (and digests) not yet handed to the writer.
        var batch = FileBatch()
        var volumes: [String] = []
        var fileCount = 0
    }

    init(context: Context, catalog: CatalogDatabase, logger: Logger, say: @escaping @Sendable (String, String) -> Void) {
        self.context = context
        self.catalog = catalog
        self.logger = logger
        self.say = say
        writer = AttributeWriter(catalog: catalog, jobID: context.jobID, logger: logger)
    }

    /// How many file attribute records the job's SD sent.
    var fileCount: Int { lock.withLock { $0.fileCount } }

    /// The volumes the job wrote or read, in first-use order.
    var volumes: [String] { lock.withLock { $0.volumes } }

    /// The reply frame for a request (nil for UpdCat, which gets none).
    func answer(_ request: CatalogRequest) -> [UInt8]? {
        do {
            switch request {
            case .findMedia(_, let index, _, let mediaType, let volumeType):
                return try findMedia(index: Int(index), mediaType: mediaType, volumeType: Int64(volumeType)).bytes
            case .volumeInfo(_, let name, let forWriting):
                return try volumeInfo(name: name, forWriting: forWriting)
            case .updateMedia(_, let update):
                return try updateMedia(update)
            case .createJobMedia(_, let records):
                submitPending()
                try catalog.addJobMedia(
                    records.map {
                        JobMediaRow(
                            jobID: context.jobID, mediaID: $0.mediaID, firstIndex: Int64($0.firstIndex),
                            lastIndex: Int64($0.lastIndex), startFile: Int64($0.startFile), endFile: Int64($0.endFile),
                            startBlock: Int64($0.startBlock), endBlock: Int64($0.endBlock))
                    })
                return CatalogReply.jobMediaCreated.bytes
            case .fileAttributes(let update):
                let full = update.data.withUnsafeBufferPointer {
                    file(stream: update.stream, fileIndex: update.fileIndex, record: $0)
                }
                if let full { writer.submit(full) }
                return nil
            case .blastAttributes:
                return CatalogReply.attributesRefused.bytes
            }
        } catch {
            logger.error("catalog request failed: \(error)")
            switch request {
            case .createJobMedia: return CatalogReply.jobMediaFailed.bytes
            case .updateMedia: return CatalogReply.updateMediaFailed.bytes
            case .fileAttributes: return nil
            default: return Array("1990 Invalid Catalog Request: \(error)\n".utf8)
            }
        }
    }

    // MARK: Volumes

    private func note(volume: String) {
        lock.withLock { if !$0.volumes.contains(volume) { $0.volumes.append(volume) } }
    }

    static func info(_ m: MediaRow) -> VolumeInfo {
        var v = VolumeInfo(volumeName: m.volumeName)
        v.volumeJobs = UInt32(clamping: m.volumeJobs)
        v.volumeFiles = UInt32(clamping: m.volumeFiles)
        v.volumeBlocks = UInt32(clamping: m.volumeBlocks)
        v.volumeBytes = UInt64(max(0, m.volumeBytes))
        v.volumeABytes = UInt64(max(0, m.volumeABytes))
        v.volumeHoleBytes = UInt64(max(0, m.volumeHoleBytes))
        v.volumeHoles = UInt32(clamping: m.volumeHoles)
        v.volumeMounts = UInt32(clamping: m.volumeMounts)
        v.volumeErrors = UInt32(clamping: m.volumeErrors)
        v.volumeWrites = UInt64(max(0, m.volumeWrites))
        v.maximumVolumeBytes = UInt64(max(0, m.maximumVolumeBytes))
        v.volumeCapacityBytes = UInt64(max(0, m.volumeCapacityBytes))
        v.volumeStatus = m.volumeStatus
        v.slot = Int32(clamping: m.slot)
        v.maximumVolumeJobs = UInt32(clamping: m.maximumVolumeJobs)
        v.maximumVolumeFiles = UInt32(clamping: m.maximumVolumeFiles)
        v.inChanger = m.inChanger != 0
        v.volumeReadTime = m.volumeReadTime
        v.volumeWriteTime = m.volumeWriteTime
        v.endFile = UInt32(clamping: m.endFile)
        v.endBlock = UInt32(clamping: m.endBlock)
        v.volumeType = UInt32(clamping: m.volumeType)
        v.labelType = Int32(clamping: m.labelType)
        v.mediaID = UInt64(max(0, m.mediaID))
        v.scratchPoolID = UInt64(max(0, m.scratchPoolID))
        v.volumeParts = Int32(clamping: m.volumeParts)
        v.volumeCloudParts = Int32(clamping: m.volumeCloudParts)
        v.lastPartBytes = m.lastPartBytes
        v.enabled = Int32(clamping: m.enabled)
        v.recycle = Int32(clamping: m.recycle)
        return v
    }

    /// FindMedia: the `index`-th appendable volume (after marking volumes whose limits are reached as Used), else a
    /// new one from Label Format, else a recycled one.
    private func findMedia(index: Int, mediaType: String, volumeType: Int64) throws -> CatalogReply {
        for volume in try catalog.media(poolName: context.pool.name) where volume.volumeStatus == "Append" {
            try checkLimits(volume)
        }
        if let volume = try catalog.appendableMedia(
            poolID: context.poolID, mediaType: mediaType, index: index, recycling: false)
        {
            note(volume: volume.volumeName)
            return .volume(Self.info(volume))
        }
        let existing = try catalog.media(poolName: context.pool.name)
        let definition = context.pool.definition
        if definition.labelFormat != "*", !definition.labelFormat.isEmpty,
            definition.maximumVolumes == 0 || existing.count < definition.maximumVolumes
        {
            let name = VolumeNaming.nextName(format: definition.labelFormat, existing: try catalog.media().map(\.volumeName))
            let volume = try catalog.createMedia(
                volumeName: name, pool: definition, poolID: context.poolID, mediaType: mediaType,
                storageID: context.storageID)
            say(
                "\(context.directorName) JobId \(context.jobID): Created new Volume=\"\(name)\", Pool=\"\(context.pool.name)\", "
                    + "MediaType=\"\(mediaType)\" in catalog.\n", "info")
            note(volume: name)
            return .volume(Self.info(volume))
        }
        // No appendable volume and no new one: a pool with AutoPrune prunes its volumes past Volume Retention,
        // then a Purged (or Recycle) volume is recycled, the least recently written first.
        if definition.autoPrune {
            for name in try Pruning.pruneVolumes(catalog, poolName: context.pool.name, volume: nil) {
                say("\(context.directorName) JobId \(context.jobID): Volume \"\(name)\" contains no jobs after pruning.\n", "info")
            }
        }
        if definition.recycle || context.pool.recycleOldest || context.pool.purgeOldest,
            let volume = try catalog.appendableMedia(
                poolID: context.poolID, mediaType: mediaType, index: index, recycling: true)
        {
            return .volume(Self.info(try recycle(volume)))
        }
        // Recycle Oldest Volume prunes the oldest Full/Used volume within retention; Purge Oldest Volume purges
        // it whatever its retention. Either way it is recycled when no job is left on it.
        if context.pool.recycleOldest || context.pool.purgeOldest,
            let oldest = try catalog.media(poolName: context.pool.name)
                .filter({ ["Full", "Used"].contains($0.volumeStatus) && $0.mediaType == mediaType && $0.enabled == 1 })
                .min(by: { ($0.lastWritten, $0.mediaID) < ($1.lastWritten, $1.mediaID) })
        {
            if context.pool.purgeOldest {
                say("\(context.directorName) JobId \(context.jobID): Purging oldest volume \"\(oldest.volumeName)\"\n", "info")
                try Pruning.purge(catalog, oldest)
            } else {
                say("\(context.directorName) JobId \(context.jobID): Pruning oldest volume \"\(oldest.volumeName)\"\n", "info")
                _ = try Pruning.pruneVolumes(catalog, poolName: context.pool.name, volume: oldest.volumeName)
            }
            if let purged = try catalog.media(named: oldest.volumeName), purged.volumeStatus == "Purged" {
                return .volume(Self.info(try recycle(purged)))
            }
        }
        return .noMedia(reason: "Pool \(context.pool.name) has no appendable volume")
    }

    /// Makes a Purged volume ready to be written from its start: status Recycle (the SD relabels it), counters
    /// and first-written time back to zero, RecycleCount one up.
    private func recycle(_ volume: MediaRow) throws -> MediaRow {
        var recycled = volume
        recycled.volumeStatus = "Recycle"
        recycled.volumeJobs = 0
        recycled.volumeFiles = 0
        recycled.volumeBlocks = 0
        recycled.volumeBytes = 0
        recycled.volumeABytes = 0
        recycled.firstWritten = 0
        recycled.recycleCount += 1
        try catalog.saveMedia(recycled)
        say("\(context.directorName) JobId \(context.jobID): Recycled volume \"\(volume.volumeName)\"\n", "info")
        note(volume: volume.volumeName)
        return recycled
    }

    /// Marks a volume Used when it reached Maximum Volume Jobs/Files/Bytes or its Volume Use Duration.
    @discardableResult
    private func checkLimits(_ volume: MediaRow) throws -> MediaRow {
        var m = volume
        var reason: String?
        if m.maximumVolumeJobs > 0 && m.volumeJobs >= m.maximumVolumeJobs {
            reason = "Max Volume jobs=\(m.maximumVolumeJobs) exceeded"
        } else if m.maximumVolumeFiles > 0 && m.volumeFiles >= m.maximumVolumeFiles {
            reason = "Max Volume files=\(m.maximumVolumeFiles) exceeded"
        } else if m.maximumVolumeBytes > 0 && m.volumeBytes >= m.maximumVolumeBytes {
            reason = "Max Volume bytes=\(m.maximumVolumeBytes) exceeded"
        } else if m.volumeUseDuration > 0 && m.firstWritten > 0
            && CatalogTime.now() - m.firstWritten >= m.volumeUseDuration
        {
            reason = "Max configured use duration=\(m.volumeUseDuration) sec. exceeded"
        }
        guard let reason, m.volumeStatus == "Append" else { return m }
        m.volumeStatus = "Used"
        try catalog.saveMedia(m)
        say("\(context.directorName) JobId \(context.jobID): \(reason). Marking Volume \"\(m.volumeName)\" as Used.\n", "info")
        return m
    }

    private func volumeInfo(name: String, forWriting: Bool) throws -> [UInt8] {
        guard let volume = try catalog.media(named: name) else {
            return CatalogReply.volumeNotInCatalog(volumeName: name).bytes
        }
        if forWriting {
            if volume.poolID != context.poolID {
                return CatalogReply.volumeNotUsable(volumeName: name, status: volume.volumeStatus, reason: "not in Pool").bytes
            }
            if volume.mediaType != context.storage.mediaType {
                return CatalogReply.volumeNotUsable(
                    volumeName: name, status: volume.volumeStatus, reason: "not correct MediaType"
                ).bytes
            }
            if volume.enabled != 1 {
                return CatalogReply.volumeNotUsable(volumeName: name, status: volume.volumeStatus, reason: "not Enabled").bytes
            }
            if !["Append", "Recycle", "Purged"].contains(volume.volumeStatus) {
                let why = volume.recycle == 1 ? "recycling is enabled" : "volume has recycling disabled"
                return CatalogReply.volumeNotUsable(volumeName: name, status: volume.volumeStatus, reason: why).bytes
            }
        }
        note(volume: name)
        return CatalogReply.volume(Self.info(volume)).bytes
    }

    private func updateMedia(_ update: MediaUpdate) throws -> [UInt8] {
        guard var m = try catalog.media(named: update.volumeName) else {
            return CatalogReply.volumeNotInCatalog(volumeName: update.volumeName).bytes
        }
        let now = CatalogTime.now()
        if m.firstWritten == 0 && update.volumeFirstWritten > 0 { m.firstWritten = update.volumeFirstWritten }
        if update.relabel {
            m.labelDate = update.endTime > 0 ? update.endTime : now
        }
        if m.initialWrite == 0 && update.volumeBytes > 0 { m.initialWrite = now }
        m.volumeJobs = Int64(update.volumeJobs)
        m.volumeFiles = Int64(update.volumeFiles)
        m.volumeBlocks = Int64(update.volumeBlocks)
        m.volumeBytes = Int64(update.volumeBytes)
        m.volumeABytes = Int64(update.volumeABytes)
        m.volumeHoleBytes = Int64(update.volumeHoleBytes)
        m.volumeHoles = Int64(update.volumeHoles)
        m.volumeMounts = Int64(update.volumeMounts)
        m.volumeErrors = Int64(update.volumeErrors)
        m.volumeWrites = Int64(update.volumeWrites)
        m.maximumVolumeBytes = Int64(update.maximumVolumeBytes)
        m.lastWritten = update.endTime
        if m.volumeStatus != update.volumeStatus && !(m.volumeStatus == "Used" && update.volumeStatus == "Append") {
            m.volumeStatus = update.volumeStatus == "Recycle" && update.relabel ? "Append" : update.volumeStatus
        }
        m.slot = Int64(update.slot)
        m.inChanger = update.inChanger ? 1 : 0
        m.volumeReadTime = update.volumeReadTime
        m.volumeWriteTime = update.volumeWriteTime
        m.volumeType = Int64(update.volumeType)
        m.volumeParts = Int64(update.volumeParts)
        m.volumeCloudParts = Int64(update.volumeCloudParts)
        m.lastPartBytes = update.lastPartBytes
        m.enabled = Int64(update.enabled)
        m.recycle = Int64(update.recycle)
        m.storageID = context.storageID
        try catalog.saveMedia(m)
        note(volume: m.volumeName)
        let checked = try checkLimits(m)
        return CatalogReply.volume(Self.info(checked)).bytes
    }

    // MARK: Attributes

    /// An `UpdCat` packet as read from the SD (the attribute stream's hot path): the header is read in place and
    /// the record goes into the pending batch without an `AttributeUpdate` or any other copy. When a batch is full
    /// it goes to the writer, and this waits (without holding a thread) while the writer has
    /// `AttributeWriter.maximumPending` batches queued, which back-pressures the SD only when the catalog falls
    /// behind. Throws when the packet is not a well-formed UpdCat.
    func fileAttributes(packet: [UInt8]) async throws(MessageError) {
        let full = try packet.withUnsafeBufferPointer { bytes throws(MessageError) -> FileBatch? in
            let header = try AttributeUpdate.Header(parsing: bytes)
            return file(
                stream: header.stream, fileIndex: header.fileIndex,
                record: UnsafeBufferPointer(rebasing: bytes[header.dataStart...]))
        }
        if let full { await writer.submitWaitingForRoom(full) }
    }

    /// Files one attribute (stream 1/5) or digest (3/10/17/18, stored in Bacula's unpadded base64) record; returns
    /// the batch to hand to the writer when the pending one is full. A full batch is taken when the next file
    /// arrives, so the digest that follows the batch's last entry still lands in that entry rather than in an
    /// UPDATE; a digest whose file went in an earlier batch is kept as a late digest.
    private func file(stream: Int32, fileIndex: Int32, record: UnsafeBufferPointer<UInt8>) -> FileBatch? {
        switch stream {
        case 1, 5:
            guard let fields = Self.catalogFields(record) else {
                logger.warning("unreadable attribute record for FileIndex \(fileIndex)")
                return nil
            }
            if fileIndex == 1 { logger.debug("first file attributes from the SD") }
            let deleted = fields.type == FileType.deleted.rawValue
            return lock.withLock { pending -> FileBatch? in
                let full = pending.batch.count >= Self.batchSize ? pending.take() : nil
                pending.batch.append(
                    fileIndex: Int64(fileIndex), deleted: deleted, path: UnsafeBufferPointer(rebasing: record[fields.path]),
                    name: UnsafeBufferPointer(rebasing: record[fields.name]),
                    lstat: UnsafeBufferPointer(rebasing: record[fields.lstat]), deltaSequence: fields.deltaSequence)
                pending.fileCount += 1
                return full
            }
        case 3, 10, 17, 18:
            lock.withLock { pending in
                let encode = { (text: inout [UInt8]) in
                    BaculaWire.BaculaBase64.encode(buffer: record, mode: .compatible, into: &text)
                }
                if !pending.batch.setDigest(fileIndex: Int64(fileIndex), encode: encode) {
                    pending.batch.addLateDigest(fileIndex: Int64(fileIndex), encode: encode)
                }
            }
            return nil
        default:
            return nil
        }
    }

    /// Where the catalog's parts of an attribute record `FI Type Name\0Stat\0Link\0AttribsEx\0DeltaSeq\0` are: the
    /// type, the name split as Bacula does (`FileEntry.split`: a directory `/a/b/` is path `/a/b/` with an empty
    /// name), the encoded stat exactly as sent, and the delta sequence. Nil when the head is malformed. Reads the
    /// bytes in place and makes nothing.
    static func catalogFields(_ bytes: UnsafeBufferPointer<UInt8>)
        -> (type: Int32, path: Range<Int>, name: Range<Int>, lstat: Range<Int>, deltaSequence: Int64)?
    {
        let zero = UInt8(0)
        let space = UInt8(ascii: " ")
        let headEnd = bytes.firstIndex(of: zero) ?? bytes.count
        guard let firstSpace = bytes[..<headEnd].firstIndex(of: space),
            let secondSpace = bytes[(firstSpace + 1)..<headEnd].firstIndex(of: space)
        else { return nil }
        var type: Int32 = 0
        var digits = 0
        var negative = false
        var at = firstSpace + 1
        if at < secondSpace && (bytes[at] == UInt8(ascii: "-") || bytes[at] == UInt8(ascii: "+")) {
            negative = bytes[at] == UInt8(ascii: "-")
            at += 1
        }
        while at < secondSpace {
            let byte = bytes[at]
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"), digits < 9 else { return nil }
            type = type * 10 + Int32(byte - UInt8(ascii: "0"))
            digits += 1
            at += 1
        }
        guard digits > 0 else { return nil }
        if negative { type = -type }
        // The name: a directory (trailing slash) is all path; otherwise the path runs to the last slash.
        let nameStart = secondSpace + 1
        var split = nameStart
        if headEnd > nameStart && bytes[headEnd - 1] == UInt8(ascii: "/") {
            split = headEnd
        } else if let slash = bytes[nameStart..<headEnd].lastIndex(of: UInt8(ascii: "/")) {
            split = slash + 1
        }
        // The remaining fields: Stat, Link, AttribsEx, DeltaSeq (each ended by a zero or the record's end).
        var lstat = bytes.count..<bytes.count
        var delta: Int64 = 0
        var field = 0
        var start = headEnd + 1
        while field < 4 && start <= bytes.count {
            let end = bytes[start...].firstIndex(of: zero) ?? bytes.count
            if field == 0 { lstat = start..<end }
            if field == 3 { delta = Self.decimal(bytes[start..<end]) ?? 0 }
            field += 1
            start = end + 1
        }
        return (type & 0xFFFF, nameStart..<split, split..<headEnd, lstat, delta)
    }

    /// A decimal Int64 (optional sign) spelled by all of `bytes`; nil otherwise (as `Int64(String)`).
    static func decimal(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> Int64? {
        var at = bytes.startIndex
        var negative = false
        if at < bytes.endIndex && (bytes[at] == UInt8(ascii: "-") || bytes[at] == UInt8(ascii: "+")) {
            negative = bytes[at] == UInt8(ascii: "-")
            at += 1
        }
        guard at < bytes.endIndex else { return nil }
        var value: Int64 = 0
        while at < bytes.endIndex {
            let byte = bytes[at]
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return nil }
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(Int64(byte - UInt8(ascii: "0")))
            guard !overflow1 && !overflow2 else { return nil }
            value = sum
            at += 1
        }
        return negative ? -value : value
    }

    /// Hands the pending files and digests to the writer without waiting for them.
    private func submitPending() {
        writer.submit(lock.withLock { $0.take() })
    }

    /// Writes every pending file entry and digest to the catalog and waits (without holding a thread) until they
    /// are there; throws the first error any batch of the job met.
    func flush() async throws {
        submitPending()
        try await writer.drain()
    }
}

extension StorageCatalogService.PendingFiles {
    /// The pending files and digests as a batch, leaving none pending.
    mutating func take() -> FileBatch {
        defer { batch = FileBatch() }
        return batch
    }
}
