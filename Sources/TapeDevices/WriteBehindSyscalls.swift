#if canImport(Glibc)
import Glibc
#endif

extension WriteBehind {
    /// What a File volume leaves to the kernel behind its writer: a sixteenth of the machine's memory, at most 1 GiB
    /// (below the kernel's own background writeback threshold, 10 % of available memory by default, so one
    /// volume's allowance alone does not set the kernel writing). `sysconf(_SC_PHYS_PAGES)`, read once.
    public static let fileVolumeAllowance: Int64 = {
        let pages = Int64(sysconf(Int32(_SC_PHYS_PAGES)))
        let pageSize = Int64(sysconf(Int32(_SC_PAGESIZE)))
        guard pages > 0, pageSize > 0 else { return 0 }
        return min(1 << 30, pages / 16 * pageSize)
    }()

    /// Carries out `actions` on the open file `fd`: `startWriteback` with `sync_file_range(SYNC_FILE_RANGE_WRITE)`
    /// (advice: an error is left to the wait that follows), `finishAndDrop` with
    /// `sync_file_range(WAIT_BEFORE|WRITE|WAIT_AFTER)` and then `posix_fadvise(POSIX_FADV_DONTNEED)`.
    ///
    /// Throws when the wait says a stretch never reached the disk (EIO, ENOSPC, EDQUOT): the write that asked fails.
    /// Returns false when the file system refuses `sync_file_range` otherwise — the caller turns write-behind off.
    public static func carryOut(_ actions: [Action], fd: Int32, path: String) throws(SystemError) -> Bool {
        for action in actions {
            switch action {
            case .startWriteback(let range):
                try? SystemCall.syncRange(fd, range, wait: false, path: path)
            case .finishAndDrop(let range):
                do {
                    try SystemCall.syncRange(fd, range, wait: true, path: path)
                } catch where [EIO, ENOSPC, EDQUOT].contains(error.errno) {
                    throw error
                } catch {
                    return false
                }
                SystemCall.dropCache(fd, offset: range.lowerBound, length: Int(range.upperBound - range.lowerBound))
            }
        }
        return true
    }
}
