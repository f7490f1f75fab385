/// One row of `Job` (the columns the Director reads and writes).
public struct JobRow: Sendable, Equatable {
    public var jobID: Int64 = 0
    public var job: String = ""
    public var name: String = ""
    /// One letter: `B` backup, `R` restore, `V` verify, ...
    public var type: String = "B"
    /// One letter: `F`, `I`, `D`, or a space.
    public var level: String = "F"
    public var clientID: Int64 = 0
    public var status: String = "C"
    public var scheduledTime: Int64 = 0
    public var startTime: Int64 = 0
    public var endTime: Int64 = 0
    public var realEndTime: Int64 = 0
    /// Unix seconds of the job's start (Bacula's JobTDate).
    public var jobTDate: Int64 = 0
    public var sessionID: Int64 = 0
    public var sessionTime: Int64 = 0
    public var files: Int64 = 0
    public var bytes: Int64 = 0
    public var readBytes: Int64 = 0
    public var errors: Int64 = 0
    public var poolID: Int64 = 0
    public var fileSetID: Int64 = 0
    public var priorJobID: Int64 = 0
    public var purgedFiles: Int64 = 0
    public var hasBase: Int64 = 0
    public var clientName: String = ""
    public var poolName: String = ""
    public var fileSetName: String = ""

    public init() {}
}

/// One row of `Media`.
public struct MediaRow: Sendable, Equatable {
    public var mediaID: Int64 = 0
    public var volumeName: String = ""
    public var slot: Int64 = 0
    public var poolID: Int64 = 0
    public var mediaType: String = ""
    public var labelType: Int64 = 0
    public var firstWritten: Int64 = 0
    public var lastWritten: Int64 = 0
    public var labelDate: Int64 = 0
    public var volumeJobs: Int64 = 0
    public var volumeFiles: Int64 = 0
    public var volumeBlocks: Int64 = 0
    public var volumeMounts: Int64 = 0
    public var volumeBytes: Int64 = 0
    public var volumeABytes: Int64 = 0
    public var volumeHoleBytes: Int64 = 0
    public var volumeHoles: Int64 = 0
    public var volumeType: Int64 = 0
    public var volumeParts: Int64 = 0
    public var volumeCloudParts: Int64 = 0
    public var lastPartBytes: Int64 = 0
    public var volumeErrors: Int64 = 0
    public var volumeWrites: Int64 = 0
    public var volumeCapacityBytes: Int64 = 0
    public var volumeStatus: String = "Append"
    public var enabled: Int64 = 1
    public var recycle: Int64 = 0
    public var volumeRetention: Int64 = 0
    public var volumeUseDuration: Int64 = 0
    public var maximumVolumeJobs: Int64 = 0
    public var maximumVolumeFiles: Int64 = 0
    public var maximumVolumeBytes: Int64 = 0
    public var inChanger: Int64 = 0
    public var storageID: Int64 = 0
    public var volumeReadTime: Int64 = 0
    public var volumeWriteTime: Int64 = 0
    public var endFile: Int64 = 0
    public var endBlock: Int64 = 0
    public var recycleCount: Int64 = 0
    public var initialWrite: Int64 = 0
    public var scratchPoolID: Int64 = 0
    public var recyclePoolID: Int64 = 0
    public var poolName: String = ""

    public init() {}
}

/// The Pool resource's values as the catalog keeps them in `Pool` (and copies into each new `Media`).
public struct PoolDefinition: Sendable, Equatable {
    public var name: String
    public var poolType: String = "Backup"
    public var labelFormat: String = "*"
    public var maximumVolumes: Int64 = 0
    public var useOnce: Bool = false
    public var useCatalog: Bool = true
    public var volumeRetention: Int64 = 31_536_000
    public var volumeUseDuration: Int64 = 0
    public var maximumVolumeJobs: Int64 = 0
    public var maximumVolumeFiles: Int64 = 0
    public var maximumVolumeBytes: Int64 = 0
    public var autoPrune: Bool = true
    public var recycle: Bool = true
    public var labelType: Int64 = 0
    public var enabled: Bool = true

    public init(name: String) { self.name = name }
}

/// One file's catalog entry as the SD reported it (attributes plus digest), ready to insert.
public struct FileEntry: Sendable, Equatable {
    public var fileIndex: Int64
    /// Directory part with its trailing `/`.
    public var path: String
    /// Base name; empty for a directory entry.
    public var name: String
    public var lstat: String
    /// Base64 digest, or `0` when none.
    public var digest: String
    public var deltaSequence: Int64

    public init(fileIndex: Int64, path: String, name: String, lstat: String, digest: String = "0", deltaSequence: Int64 = 0) {
        self.fileIndex = fileIndex
        self.path = path
        self.name = name
        self.lstat = lstat
        self.digest = digest
        self.deltaSequence = deltaSequence
    }

    /// Splits an absolute file name, given as its bytes, as Bacula does: directories (`/a/b/`) are path `/a/b/`
    /// with an empty name; a name without a slash has an empty path. Makes one String per part.
    public static func split<Name: BidirectionalCollection<UInt8>>(bytes fullName: Name) -> (path: String, name: String) {
        if fullName.last == UInt8(ascii: "/") { return (String(decoding: fullName, as: UTF8.self), "") }
        guard let slash = fullName.lastIndex(of: UInt8(ascii: "/")) else {
            return ("", String(decoding: fullName, as: UTF8.self))
        }
        let after = fullName.index(after: slash)
        return (String(decoding: fullName[..<after], as: UTF8.self), String(decoding: fullName[after...], as: UTF8.self))
    }
}

/// A file as a restore sees it: where it is and which job and FileIndex hold its latest version.
public struct CatalogFile: Sendable, Equatable {
    public var jobID: Int64
    public var fileIndex: Int64
    public var path: String
    public var name: String
    public var lstat: String
    public var digest: String
    public var fullName: String { path + name }

    public init(jobID: Int64, fileIndex: Int64, path: String, name: String, lstat: String, digest: String) {
        self.jobID = jobID
        self.fileIndex = fileIndex
        self.path = path
        self.name = name
        self.lstat = lstat
        self.digest = digest
    }
}

/// One row of `JobMedia`.
public struct JobMediaRow: Sendable, Equatable {
    public var jobID: Int64
    public var mediaID: Int64
    public var firstIndex: Int64
    public var lastIndex: Int64
    public var startFile: Int64
    public var endFile: Int64
    public var startBlock: Int64
    public var endBlock: Int64
    public var volumeIndex: Int64
    public var volumeName: String = ""
    public var mediaType: String = ""
    public var sessionID: Int64 = 0
    public var sessionTime: Int64 = 0

    public init(
        jobID: Int64, mediaID: Int64, firstIndex: Int64, lastIndex: Int64, startFile: Int64, endFile: Int64,
        startBlock: Int64, endBlock: Int64, volumeIndex: Int64 = 0
    ) {
        self.jobID = jobID
        self.mediaID = mediaID
        self.firstIndex = firstIndex
        self.lastIndex = lastIndex
        self.startFile = startFile
        self.endFile = endFile
        self.startBlock = startBlock
        self.endBlock = endBlock
        self.volumeIndex = volumeIndex
    }
}
