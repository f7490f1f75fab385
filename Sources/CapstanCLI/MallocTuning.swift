import CCapstanLinux

/// glibc malloc settings for the daemons' data paths (`mallopt`).
///
/// An event-loop thread allocates the payload of every frame it decodes (up to 64 KiB) in its own arena, and another
/// thread frees it moments later. With glibc's defaults an arena's top goes back to the kernel
/// (`madvise(MADV_DONTNEED)`) whenever 128 KiB or more are free there, and the next frames fault the same pages in
/// again: capstan-sd took about 11,000 page faults in a backup of 20,000 small files (bacula-sd 290). On a virtual
/// machine whose freed memory goes back to the host (virtio-balloon free page reporting) each such fault also
/// costs the host a page.
public enum MallocTuning {
    /// An arena returns its top to the kernel only once `trimThreshold` bytes are free there; allocations of
    /// `mmapThreshold` bytes or more get a mapping of their own. Setting them turns glibc's own adjustment of both
    /// off. Call once at start, before the daemon's threads run.
    public static func keepFreedMemory(trimThreshold: Int32, mmapThreshold: Int32) {
        _ = mallopt(M_TRIM_THRESHOLD, trimThreshold)
        _ = mallopt(M_MMAP_THRESHOLD, mmapThreshold)
    }
}
