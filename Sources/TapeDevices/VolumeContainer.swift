#if canImport(Glibc)
import Glibc
#endif
import BaculaVolume

/// The container a volume is in: a tape drive node (recognised by its file type), or a file recognised by content.
public enum VolumeContainer: Equatable, Sendable {
    /// A file volume: blocks back to back (`BB02`/`BB01` at byte 12).
    case fileVolume
    /// Bacula's vtape image: starts with a 20-byte filemark (`u32 0`).
    case vtape
    /// A character device: a tape drive's st node (`/dev/nstN`, a `/dev/tape/by-id/...-nst` link), read record by
    /// record through `LinuxTapeDrive`.
    case tapeDrive

    /// A character device is a tape drive and is never read here (a pread on a drive node would read a record or
    /// fail; on /dev/zero it would look like a vtape). A regular file is recognised by its first 40 bytes; throws
    /// when it is neither a file volume nor a vtape image.
    public static func detect(path: String) throws -> VolumeContainer {
        if try SystemCall.fileType(path) == S_IFCHR { return .tapeDrive }
        let fd = try SystemCall.open(path, flags: O_RDONLY)
        defer { try? SystemCall.close(fd, path: path) }
        var head = [UInt8](repeating: 0, count: 40)
        let n = try head.withUnsafeMutableBytes { try SystemCall.pread(fd, $0, offset: 0, path: path) }
        if n >= 16 {
            let id = head[12..<16]
            if id.elementsEqual("BB02".utf8) || id.elementsEqual("BB01".utf8) { return .fileVolume }
        }
        if n >= 20 && head[0..<4].allSatisfy({ $0 == 0 }) {
            if n < 40 { return .vtape }  // header filemark only (empty tape)
            let id = head[36..<40]  // first record: 20-byte mark, 4-byte length, block header
            if id.elementsEqual("BB02".utf8) || id.elementsEqual("BB01".utf8) || head[20..<24].allSatisfy({ $0 == 0 }) {
                return .vtape
            }
        }
        throw TapeError.corruptImage(offset: 0, detail: "\(path) is neither a Bacula file volume nor a vtape image")
    }
}
