import BaculaVolume
import Foundation
import TapeDevices

/// The drive writer thread's view of the volume: writes finished blocks of any number of interleaved jobs to the
/// mounted volume, keeps addresses, writes the volume label, filemarks (Maximum File Size, job end) and EOS labels,
/// and carries jobs over to the next volume at end of medium (spec §8.3). Confined to the writer thread; not
/// thread-safe.
///
/// On a tape addresses are tape file:block. On a file volume (`VolumeMedium.file`, spec §2, §8.8) addresses are
/// byte offsets, blocks are written with exactly their header's `block_len` bytes (tape padding from the spool is
/// cut off here), there are no filemarks, and the volume is full when the next block would pass Maximum Volume
/// Bytes (or the disk is full).
final class VolumeSpanWriter {
    private struct JobOnDrive {
        var job: DeviceJob
        var nextBlockNumber: UInt32 = 0
        /// Volumes the job has written on so far, and the serial of the last one.
        var volumes = 0
        var lastVolumeSerial = -1
        var segment: OpenSegment?
        var segments: [JobMediaSegment] = []
        var blocks = 0
    }

    private struct OpenSegment {
        var start: VolumeAddress
        var end: VolumeAddress
        var first: Int32 = 0
        var last: Int32 = 0
    }

    struct Events {
        var wroteBlock: (Int) -> Void
        var wroteFilemark: () -> Void
        var mountedVolume: () -> Void
        /// The block number of a job's block just written (labels excluded).
        var numberedBlock: (UInt32) -> Void
    }

    private var mount: VolumeMount
    private var positioned = false
    private var needsLabel = false
    private var volumeSerial = 0
    private var file: UInt32 = 0
    private var block: UInt32 = 0
    private var bytesInFile = 0
    /// Byte offset of the next block on a file volume.
    private var offset: Int64 = 0
    private var volumeBlocks = 0
    private var volumeBytes: Int64 = 0
    private var volumeFilemarks = 0
    private var lastBlockNumber: UInt32?
    private var jobs: [SessionKey: JobOnDrive] = [:]
    private var labels: BlockWriter
    private let maximumFileSize: Int
    private let isFile: Bool
    private let maximumVolumeBytes: Int64
    private let owner: DriveWriter.Owner
    private let events: Events

    init(
        mount: VolumeMount, blockSize: Int, medium: VolumeMedium, maximumVolumeBytes: Int64, owner: DriveWriter.Owner,
        events: Events
    ) {
        self.mount = mount
        switch medium {
        case .file:
            isFile = true
            maximumFileSize = .max
        case .tape(let size):
            isFile = false
            maximumFileSize = max(1, size)
        }
        self.maximumVolumeBytes = isFile ? maximumVolumeBytes : 0
        self.owner = owner
        self.events = events
        labels = BlockWriter(blockSize: blockSize, padding: isFile ? .none : .multiple(VolumeFormat.tapePadding))
        events.mountedVolume()
    }

    private var address: VolumeAddress { isFile ? .offset(UInt64(offset)) : .tape(file: file, block: block) }
    private var volumeName: String { mount.volumeName }

    private func name(_ session: SessionKey) -> String { jobs[session]?.job.name ?? session.description }

    private func driveError(_ operation: String, _ session: SessionKey, _ error: any Error) -> DriveWriterError {
        if let e = error as? DriveWriterError { return e }
        return .drive(volume: volumeName, job: name(session), operation: operation, underlying: error)
    }

    // MARK: jobs

    func begin(_ job: DeviceJob) {
        jobs[job.session] = JobOnDrive(job: job)
    }

    /// Writes one finished block of `session` (carried to the next volume on end of medium).
    func write(_ bytes: UnsafeRawBufferPointer, for session: SessionKey) throws {
        guard jobs[session] != nil else { throw DriveWriterError.unknownJob(session) }
        guard isFile else { return try put(bytes, for: session) }
        // a file volume holds exactly block_len bytes per block: cut the spool slot's tape padding
        let length = Int(BlockHeader.peekLength(bytes) ?? 0)
        guard length >= VolumeFormat.blockHeaderSize, length <= bytes.count else {
            throw DriveWriterError.drive(
                volume: volumeName, job: name(session), operation: "write",
                underlying: VolumeError.badBlockLength(address: address, length: UInt32(length), available: bytes.count))
        }
        try put(UnsafeRawBufferPointer(rebasing: bytes[0..<length]), for: session)
    }

    /// Writes the EOS block of `session`, then a filemark if no other job is writing, and closes its segment.
    func end(_ session: SessionKey, totals: JobTotals) throws -> JobOutcome {
        guard let j = jobs[session] else { throw DriveWriterError.unknownJob(session) }
        var eos = j.job.label
        eos.writeTime = Self.microsecondsNow()
        let probe = try endOfSessionBlock(eos, totals: totals, for: j, at: address)
        try prepare(for: session, count: probe.count)
        if volumeFull(probe.count) {  // the EOS goes to the next file volume: its addresses must be those there
            try changeVolume(after: session)
            try prepare(for: session, count: probe.count)
        }
        let start = jobs[session]?.segment?.start ?? address
        let end = address
        eos.totals = SessionLabel.Totals(
            jobFiles: totals.files, jobBytes: totals.bytes, start: start, end: end, jobErrors: totals.errors,
            jobStatus: totals.status)
        let bytes = try endOfSessionBlock(eos, totals: totals, for: j, at: end)
        try bytes.withUnsafeBytes { try put($0, for: session) }
        if jobs.count == 1 && !isFile {
            try filemark(session)
        } else {
            closeSegment(session)
        }
        let done = jobs.removeValue(forKey: session) ?? j
        return JobOutcome(session: session, endOfSession: eos, segments: done.segments, blocks: done.blocks)
    }

    private func endOfSessionBlock(
        _ eos: SessionLabel, totals: JobTotals, for j: JobOnDrive, at end: VolumeAddress
    ) throws -> [UInt8] {
        var label = eos
        if label.totals == nil {
            label.totals = SessionLabel.Totals(
                jobFiles: totals.files, jobBytes: totals.bytes, start: end, end: end, jobErrors: totals.errors,
                jobStatus: totals.status)
        }
        var out: [UInt8] = []
        labels.nextBlockNumber = j.nextBlockNumber
        labels.setSession(id: j.job.sessionID, time: j.job.sessionTime) { out = Array($0) }
        try labels.append(
            fileIndex: LabelType.endOfSession.rawValue, stream: Int32(bitPattern: j.job.jobID), data: label.encoded(),
            unsplittable: true
        ) { out = Array($0) }
        labels.flush { out = Array($0) }
        return out
    }

    // MARK: writing

    /// Label first if the volume needs one; a filemark first if the block would reach Maximum File Size.
    private func prepare(for session: SessionKey, count: Int) throws {
        if !positioned {
            positioned = true
            switch mount.medium {
            case .relabel:
                needsLabel = true
            case .append:
                do {
                    try mount.drive.seekEndOfData()
                    let p = try mount.drive.position()
                    file = UInt32(clamping: p.file)
                    block = UInt32(clamping: p.block)
                    offset = Int64(file) << 32 | Int64(block)  // a file volume reports its byte offset
                } catch {
                    throw driveError("positioning at end of data", session, error)
                }
                bytesInFile = 0
            }
        }
        if needsLabel { try writeVolumeLabel(for: session) }
        if !isFile && bytesInFile > 0 && bytesInFile + count >= maximumFileSize { try filemark(session) }
    }

    /// Maximum Volume Bytes: the block would take the file volume past it.
    private func volumeFull(_ count: Int) -> Bool {
        maximumVolumeBytes > 0 && offset + Int64(count) > maximumVolumeBytes
    }

    /// The mounted drive's medium stops so far (`TapeDrive.streamingStops`); nil when it cannot tell.
    var driveStreamingStops: Int? { mount.drive.streamingStops }

    private func put(_ bytes: UnsafeRawBufferPointer, for session: SessionKey) throws {
        var mounts = 0
        while true {
            try prepare(for: session, count: bytes.count)
            do {
                if volumeFull(bytes.count) { throw TapeError.endOfMedium }
                try mount.drive.writeBlock(bytes)
                break
            } catch TapeError.endOfMedium {
                if mounts > 0 && volumeBlocks <= 1 {
                    throw DriveWriterError.blockDoesNotFitVolume(
                        volume: volumeName, job: name(session), bytes: bytes.count)
                }
                mounts += 1
                try changeVolume(after: session)
            } catch TapeError.system(let error) where !isFile && error.kind == .ioError && mounts == 0 {
                // The drive failed the write (a medium error): the volume is given up as in Error and the job goes
                // on on the next one, the failed block first (Bacula too treats a failed tape write as its end).
                mounts += 1
                try changeVolume(after: session, writeError: "\(error)")
            } catch {
                throw driveError("write", session, error)
            }
        }
        let here = address
        if var j = jobs[session] {
            if j.lastVolumeSerial != volumeSerial {
                j.lastVolumeSerial = volumeSerial
                j.volumes += 1
            }
            // on disk a segment ends at the last byte of its last block (spec §11.1)
            let last = isFile ? VolumeAddress.offset(here.rawValue + UInt64(bytes.count) - 1) : here
            var segment = j.segment ?? OpenSegment(start: here, end: last)
            segment.end = last
            if let range = BlockScan.fileIndexRange(bytes) {
                if segment.first == 0 { segment.first = range.first }
                segment.last = range.last
            }
            j.segment = segment
            if let number = BlockScan.blockNumber(bytes) {
                j.nextBlockNumber = number &+ 1
                lastBlockNumber = number
                events.numberedBlock(number)
            }
            j.blocks += 1
            jobs[session] = j
        }
        advance(bytes.count)
    }

    private func advance(_ count: Int) {
        offset += Int64(count)
        block &+= 1
        bytesInFile += count
        volumeBlocks += 1
        volumeBytes += Int64(count)
        events.wroteBlock(count)
    }

    private func writeVolumeLabel(for session: SessionKey) throws {
        needsLabel = false
        guard let j = jobs[session] else { throw DriveWriterError.unknownJob(session) }
        let count = j.volumes + (j.lastVolumeSerial == volumeSerial ? 0 : 1)
        var label = mount.label
        label.writeTime = Self.microsecondsNow()
        var out: [UInt8] = []
        labels.nextBlockNumber = 0
        labels.setSession(id: j.job.sessionID, time: j.job.sessionTime) { out = Array($0) }
        try labels.append(
            fileIndex: LabelType.volumeLabel.rawValue, stream: count <= 1 ? 0 : Int32(count), data: label.encoded(),
            unsplittable: true
        ) { out = Array($0) }
        labels.flush { out = Array($0) }
        do {
            try mount.drive.rewind()
            file = 0
            block = 0
            offset = 0
            bytesInFile = 0
            try out.withUnsafeBytes { try mount.drive.writeBlock($0) }
        } catch TapeError.endOfMedium {
            throw DriveWriterError.blockDoesNotFitVolume(volume: volumeName, job: j.job.name, bytes: out.count)
        } catch {
            throw driveError("writing the volume label", session, error)
        }
        lastBlockNumber = 0
        advance(out.count)
    }

    private func filemark(_ session: SessionKey) throws {
        if isFile {  // no filemarks on disk: only the segments end
            for key in Array(jobs.keys) { closeSegment(key) }
            return
        }
        do {
            try mount.drive.writeFilemarks(1)
        } catch {
            throw driveError("writing a filemark", session, error)
        }
        file &+= 1
        block = 0
        bytesInFile = 0
        volumeFilemarks += 1
        events.wroteFilemark()
        for key in Array(jobs.keys) { closeSegment(key) }
    }

    private func closeSegment(_ session: SessionKey) {
        guard var j = jobs[session], let s = j.segment else { return }
        let segment = JobMediaSegment(
            session: session, jobID: j.job.jobID, volumeName: volumeName, volumeIndex: j.volumes,
            firstFileIndex: s.first, lastFileIndex: s.last, start: s.start, end: s.end)
        j.segments.append(segment)
        j.segment = nil
        jobs[session] = j
        owner.jobMedia(segment)
    }

    /// Spec §8.3: the failed block stays in memory; filemark; re-read check; ask the owner for the next volume.
    private func changeVolume(after session: SessionKey, writeError: String? = nil) throws {
        // One filemark ends the volume's data; if a Maximum File Size filemark was just written, that one does.
        // After a write error it is only tried (the drive may refuse it too) and nothing is re-read.
        var verified: Bool?
        if writeError != nil {
            if block > 0 { try? filemark(session) }
        } else {
            if block > 0 { try filemark(session) }
            verified = isFile ? nil : try rereadLastBlock()
        }
        // The full volume is done with: a Linux st node admits one open, and the next cartridge may go in this drive.
        try? mount.drive.close()
        let report = EndOfMedium(
            volumeName: volumeName, session: session, jobID: jobs[session]?.job.jobID ?? 0,
            filemarks: volumeFilemarks, blocks: volumeBlocks, bytes: volumeBytes, rereadVerified: verified,
            writeError: writeError)
        let owner = self.owner
        let next: VolumeMount
        do {
            next = try ThreadBridge.blockingAwait { try await owner.nextVolume(report) }
        } catch {
            throw DriveWriterError.noNextVolume(after: volumeName, job: name(session), underlying: error)
        }
        mount = next
        positioned = false
        needsLabel = false
        volumeSerial += 1
        file = 0
        block = 0
        offset = 0
        bytesInFile = 0
        volumeBlocks = 0
        volumeBytes = 0
        volumeFilemarks = 0
        lastBlockNumber = nil
        events.mountedVolume()
    }

    /// Backs over the filemark and the last record, then reads forward to the filemark: the last block before it
    /// must carry the last BlockNumber written. Reading on to the mark (at most a few records) also verifies on a
    /// drive whose backward space overshoots by a record (tgt does), and still catches a block that never reached
    /// the tape. Nil when the drive cannot tell.
    private func rereadLastBlock() throws -> Bool? {
        guard let expected = lastBlockNumber else { return nil }
        var found: UInt32?
        do {
            try mount.drive.spaceFiles(-1)
            try mount.drive.spaceRecords(-1)
            for _ in 0..<4 {
                guard let bytes = try mount.drive.readBlock(maximumSize: VolumeFormat.sanityLimit) else { break }
                found = bytes.withUnsafeBytes { BlockScan.blockNumber($0) }
                if found == expected { break }
            }
            if found == nil { return nil }
        } catch {
            return nil
        }
        guard found == expected else {
            throw DriveWriterError.rereadMismatch(volume: volumeName, expected: expected, found: found)
        }
        return true
    }

    static func microsecondsNow() -> Int64 { Int64(Date().timeIntervalSince1970 * 1_000_000) }
}
