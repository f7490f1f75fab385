extension MediaUpdate {
    /// The UpdateMedia a Storage daemon sends for a volume it has read (the read job of a Copy or Migrate): the
    /// catalog's values from the volume's `GetVolInfo write=0` reply as they were, with the read time added
    /// (`VolReadTime`, microseconds), `EndTime` the time of the update and `VolFirstWritten` 0 (nothing was
    /// written) [WIRE: the read job of bacula-migrate-capture.pcap].
    public static func afterReading(_ info: VolumeInfo, readMicroseconds: Int64, now: Int64) -> MediaUpdate {
        var update = MediaUpdate(volumeName: info.volumeName)
        update.volumeJobs = info.volumeJobs
        update.volumeFiles = info.volumeFiles
        update.volumeBlocks = info.volumeBlocks
        update.volumeBytes = info.volumeBytes
        update.volumeABytes = info.volumeABytes
        update.volumeHoleBytes = info.volumeHoleBytes
        update.volumeHoles = info.volumeHoles
        update.volumeMounts = info.volumeMounts
        update.volumeErrors = info.volumeErrors
        update.volumeWrites = UInt32(truncatingIfNeeded: info.volumeWrites)
        update.maximumVolumeBytes = info.maximumVolumeBytes
        update.endTime = now
        update.volumeStatus = info.volumeStatus
        update.slot = info.slot
        update.relabel = false
        update.inChanger = info.inChanger
        update.volumeReadTime = info.volumeReadTime &+ max(0, readMicroseconds)
        update.volumeWriteTime = info.volumeWriteTime
        update.volumeFirstWritten = 0
        update.volumeType = info.volumeType
        update.volumeParts = info.volumeParts
        update.volumeCloudParts = info.volumeCloudParts
        update.lastPartBytes = info.lastPartBytes
        update.enabled = info.enabled
        update.recycle = info.recycle
        return update
    }
}
