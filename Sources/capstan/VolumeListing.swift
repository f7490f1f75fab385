import BaculaVolume
import Foundation
import TapeDevices

/// What `capstan ls` reports for one volume: the facts `bls -j` / `bls -v` give.
struct VolumeListing: Codable {
    struct Label: Codable {
        var volumeName: String
        var labelType: String
        var version: UInt32
        var poolName: String
        var poolType: String
        var mediaType: String
        var hostName: String
        var labelProgram: String
        var labelTime: String
        var writeTime: String
        var blockSize: UInt32
    }

    struct Session: Codable {
        var sessionId: UInt32
        var sessionTime: UInt32
        var jobId: UInt32
        var jobName: String
        var job: String
        var client: String
        var fileSet: String
        var pool: String
        var type: String
        var level: String
        var start: String?
        var end: String?
        var startAddress: String?
        var endAddress: String?
        /// From the EOS label.
        var files: UInt32?
        var bytes: UInt64?
        var errors: UInt32?
        var status: String?
        /// Counted while reading.
        var filesSeen: Int
        var bytesSeen: UInt64
    }

    struct File: Codable {
        var sessionId: UInt32
        var fileIndex: Int32
        var type: Int32
        var path: String
        var link: String?
        var mode: String
        var links: Int64
        var uid: Int64
        var gid: Int64
        var size: Int64
        var mtime: String
        var ctime: String
    }

    var path: String
    var container: String
    var label: Label?
    var sessions: [Session] = []
    var files: [File]?
    var damagedBlocks: [String] = []

    /// Reads the whole volume.
    init(path: String, withFiles: Bool) throws {
        self.path = path
        let stream = try VolumeStream(path: path)
        container =
            switch stream.container {
            case .vtape: "vtape"
            case .fileVolume: "file"
            case .tapeDrive: "tape drive"
            }
        if withFiles { files = [] }
        var index: [UInt64: Int] = [:]
        while let event = try stream.next() {
            switch event {
            case .damagedBlock(let error):
                damagedBlocks.append(error.description)
            case .record(let r):
                try take(r, index: &index, withFiles: withFiles)
            case .block, .filemark:
                break
            }
        }
    }

    private mutating func take(_ r: Record, index: inout [UInt64: Int], withFiles: Bool) throws {
        let key = UInt64(r.sessionID) << 32 | UInt64(r.sessionTime)
        switch r.labelType {
        case .preLabel?, .volumeLabel?:
            if let type = r.labelType { label = Label(try VolumeLabel(decoding: r.data), type: type) }
        case .startOfSession?, .endOfSession?:
            let isEnd = r.labelType == .endOfSession
            let s = try SessionLabel(decoding: r.data, isEnd: isEnd)
            let i: Int
            if let existing = index[key] {
                i = existing
            } else {
                i = sessions.count
                index[key] = i
                sessions.append(
                    Session(
                        sessionId: r.sessionID, sessionTime: r.sessionTime, jobId: s.jobID, jobName: s.jobName,
                        job: s.job, client: s.clientName, fileSet: s.fileSetName, pool: s.poolName,
                        type: String(s.jobTypeLetter), level: String(s.jobLevelLetter), filesSeen: 0, bytesSeen: 0))
            }
            if isEnd {
                sessions[i].end = Self.date(s.writeTime)
                sessions[i].endAddress = r.address.description
                if let t = s.totals {
                    sessions[i].files = t.jobFiles
                    sessions[i].bytes = t.jobBytes
                    sessions[i].errors = t.jobErrors
                    sessions[i].status = String(Character(Unicode.Scalar(UInt8(truncatingIfNeeded: t.jobStatus))))
                }
            } else {
                sessions[i].start = Self.date(s.writeTime)
                sessions[i].startAddress = r.address.description
            }
        case nil where r.fileIndex > 0:
            let i: Int
            if let existing = index[key] {
                i = existing
            } else {  // no SOS on this volume (continuation volume)
                i = sessions.count
                index[key] = i
                sessions.append(
                    Session(
                        sessionId: r.sessionID, sessionTime: r.sessionTime, jobId: 0, jobName: "", job: "", client: "",
                        fileSet: "", pool: "", type: "", level: "", filesSeen: 0, bytesSeen: 0))
            }
            sessions[i].bytesSeen += UInt64(r.data.count)
            if r.streamType == StreamType.unixAttributes || r.streamType == StreamType.unixAttributesEx,
                !r.isContinuation
            {
                sessions[i].filesSeen += 1
                if withFiles {
                    let a = try FileAttributes(decoding: r.data)
                    files?.append(
                        File(
                            sessionId: r.sessionID, fileIndex: a.fileIndex, type: a.type, path: a.name,
                            link: a.link.isEmpty ? nil : a.link, mode: Self.modeString(a.stat.mode),
                            links: a.stat.linkCount, uid: a.stat.uid, gid: a.stat.gid, size: a.stat.size,
                            mtime: Self.date(a.stat.modificationTime * 1_000_000),
                            ctime: Self.date(a.stat.changeTime * 1_000_000)))
                }
            }
        default:
            break
        }
    }

    /// `YYYY-MM-DD HH:MM:SS` UTC from microseconds since the epoch.
    static func date(_ microseconds: Int64) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter.string(from: Date(timeIntervalSince1970: Double(microseconds) / 1_000_000))
    }

    /// `ls -l` style mode, e.g. `-rw-r--r--`.
    static func modeString(_ mode: Int64) -> String {
        let kind: Character =
            switch mode & 0o170000 {
            case 0o040000: "d"
            case 0o120000: "l"
            case 0o020000: "c"
            case 0o060000: "b"
            case 0o010000: "p"
            case 0o140000: "s"
            default: "-"
            }
        var s = String(kind)
        let letters: [Character] = ["r", "w", "x"]
        for i in 0..<9 {
            s.append(mode & (0o400 >> Int64(i)) != 0 ? letters[i % 3] : "-")
        }
        return s
    }

    /// Human-readable text.
    func text(verbose: Bool) -> String {
        var out = "Volume \(path) (\(container))\n"
        if let l = label {
            out += "Volume Label:\n"
            out += "  VolName           : \(l.volumeName)\n  LabelType         : \(l.labelType)\n"
            out += "  VerNo             : \(l.version)\n  PoolName          : \(l.poolName)\n"
            out += "  PoolType          : \(l.poolType)\n  MediaType         : \(l.mediaType)\n"
            out += "  HostName          : \(l.hostName)\n  Date label written: \(l.writeTime)\n"
        }
        for s in sessions {
            out += "Session \(s.sessionId)/\(s.sessionTime): JobId=\(s.jobId) Job=\(s.job) Name=\(s.jobName) "
            out += "Client=\(s.client) Type=\(s.type) Level=\(s.level)\n"
            out += "  Start=\(s.start ?? "-") at \(s.startAddress ?? "-")  End=\(s.end ?? "-") at \(s.endAddress ?? "-")\n"
            out += "  Files=\(s.files.map(String.init) ?? "-") Bytes=\(s.bytes.map(String.init) ?? "-") "
            out += "Errors=\(s.errors.map(String.init) ?? "-") Status=\(s.status ?? "-") "
            out += "(read: \(s.filesSeen) files, \(s.bytesSeen) bytes)\n"
        }
        if verbose, let files {
            for f in files {
                let size = String(f.size)
                out += "\(f.mode) \(String(f.links).leftPadded(3)) \(String(f.uid).leftPadded(6)) "
                out += "\(String(f.gid).leftPadded(6)) \(size.leftPadded(12)) \(f.ctime)  \(f.path)"
                if let link = f.link, f.type == FileType.symbolicLink.rawValue { out += " -> \(link)" }
                out += "\n"
            }
            out += "\(files.count) files found.\n"
        }
        for d in damagedBlocks { out += "damaged: \(d)\n" }
        return out
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}

extension VolumeListing.Label {
    /// The facts of a decoded volume label, as `ls` and `tape read-label` print them.
    init(_ label: VolumeLabel, type: LabelType) {
        self.init(
            volumeName: label.volumeName, labelType: type.name, version: label.version, poolName: label.poolName,
            poolType: label.poolType, mediaType: label.mediaType, hostName: label.hostName,
            labelProgram: label.labelProgram, labelTime: VolumeListing.date(label.labelTime),
            writeTime: VolumeListing.date(label.writeTime), blockSize: label.blockSize)
    }
}
