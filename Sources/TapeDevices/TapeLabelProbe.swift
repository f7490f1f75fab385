import BaculaVolume

/// What the first block of a tape holds, read from its beginning.
public enum TapeLabelProbe {
    /// A Bacula volume label (PRE_LABEL or VOL_LABEL).
    case label(VolumeLabel, type: LabelType)
    /// End of data at once: a blank cartridge.
    case blank
    /// A filemark before any data.
    case filemarkFirst
    /// A record that is not a volume label (FileIndex given).
    case notALabel(fileIndex: Int32)
    /// The first block does not decode. Some drives hand back a read error or stale bytes there for a blank
    /// cartridge (tgt), so callers that must not write over data treat this with care.
    case damaged(VolumeError)
}

extension TapeDrive {
    /// Rewinds, looks at the first block only (nothing further on a tape can be its label), and rewinds again.
    /// A Linux st drive reads with `LinuxTapeDrive.minimumReadBuffer` (tgt's inverted residual needs more than twice
    /// the record), other drives with 2 MiB; the reader grows its buffer for a larger block either way.
    public func probeVolumeLabel() throws -> TapeLabelProbe {
        try rewind()
        var reader = VolumeReader(
            source: TapeBlockSource(drive: self),
            initialBufferSize: self is LinuxTapeDrive ? LinuxTapeDrive.minimumReadBuffer : 2 << 20)
        defer {
            reader.close()
            try? rewind()
        }
        while let event = try reader.next() {
            switch event {
            case .record(let record):
                guard let type = record.labelType, type == .preLabel || type == .volumeLabel else {
                    return .notALabel(fileIndex: record.fileIndex)
                }
                return .label(try VolumeLabel(decoding: record.data), type: type)
            case .filemark: return .filemarkFirst
            case .damagedBlock(let error): return .damaged(error)
            case .block: continue
            }
        }
        return .blank
    }
}
