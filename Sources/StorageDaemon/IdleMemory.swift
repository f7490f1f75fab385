import CCapstanLinux

/// Gives the memory glibc holds free back to the kernel while the daemon has no job. The data path keeps freed
/// buffers in its arenas on purpose (`MallocTuning`: up to 2 MiB free per arena, and 1 MiB blocks below the mmap
/// threshold), so after a batch of concurrent jobs the arenas hold the batch's high-water mark, fragmented, and the
/// next batch grows from there (32 jobs at once, three batches in a row: peak RSS 119, 130, 133 MiB).
enum IdleMemory {
    /// `malloc_trim(0)`: walks every arena and releases its free whole pages (`madvise(MADV_DONTNEED)`). Takes a few
    /// milliseconds; called when the first job of a batch registers and when the last one finishes, never on the
    /// data path.
    static func release() { _ = malloc_trim(0) }
}
