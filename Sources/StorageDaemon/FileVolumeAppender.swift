import BaculaVolume
import CapstanConfig
import Foundation
import TapeDevices

/// Writes one job into a file volume (`Device Type = File`) directly: the SOS label, the client's records packed
/// into blocks as they arrive, the EOS label, then an fsync. Byte-offset addresses, no padding, no filemarks
/// (spec §8.8). Used by one task at a time (the job's File-daemon session); the device's append lock keeps other
/// jobs out of the volume meanwhile.
final class FileVolumeAppender {
    let path: String
    let volumeName: String
    private let file: FileVolumeWriter
    private var writer: VolumeWriter
    private(set) var firstFileIndex: Int32 = 0
    private(set) var lastFileIndex: Int32 = 0
    /// Every record byte stored for the job (attributes included), as `3099 JobBytes=` counts it.
    private(set) var recordBytes: UInt64 = 0
    private(set) var sessionStart: UInt64 = 0
    private(set) var blocksWritten: UInt32 = 0

    /// Opens `path` for appending after `existingBytes` bytes (the label and earlier jobs), continuing block numbers.
    init(path: String, volumeName: String, blockSize: Int, nextBlockNumber: UInt32) throws {
        self.path = path
        self.volumeName = volumeName
        file = try FileVolumeWriter(path: path, truncate: false)
        writer = VolumeWriter(medium: .file, blockSize: blockSize)
        writer.resumeFileVolume(atByteOffset: UInt64(file.size), nextBlockNumber: nextBlockNumber)
    }

    /// Bytes in the volume file now.
    var volumeBytes: UInt64 { UInt64(file.size) }

    private func emit(_ output: VolumeOutput) throws {
        if case .block(let bytes) = output {
            try file.write(bytes)
            blocksWritten &+= 1
        }
    }

    /// Writes the SOS label for the job's session.
    func begin(_ label: SessionLabel, sessionID: UInt32, sessionTime: UInt32) throws {
        sessionStart = writer.nextAddress.rawValue
        try writer.beginSession(label, sessionID: sessionID, sessionTime: sessionTime, continueNumbering: true) {
            try self.emit($0)
        }
    }

    /// Appends one client record verbatim.
    func append(_ record: Record) throws {
        if record.fileIndex > 0 {
            if firstFileIndex == 0 { firstFileIndex = record.fileIndex }
            lastFileIndex = max(lastFileIndex, record.fileIndex)
        }
        recordBytes &+= UInt64(record.data.count)
        try writer.append(fileIndex: record.fileIndex, stream: record.stream, data: record.data) { try self.emit($0) }
    }

    /// Writes the EOS label, flushes, fsyncs and closes. Returns the last byte address of the job's data.
    func finish(status: Character, errors: UInt32) throws -> UInt64 {
        try writer.endSession(status: status, errors: errors, writeTime: Int64(Date().timeIntervalSince1970 * 1_000_000)) {
            try self.emit($0)
        }
        let end = UInt64(file.size) - 1
        try file.close()
        return end
    }

    /// Closes after a failure, keeping every complete block already written.
    func abandon() {
        try? writer.flush { try self.emit($0) }
        try? file.close()
    }
}
