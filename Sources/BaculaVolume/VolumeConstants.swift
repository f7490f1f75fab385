/// Sizes that Bacula 9.6 volumes use (spec: bacula-volume-format.md §3).
public enum VolumeConstants {
    /// Bacula's default block size when a Device sets no Maximum Block Size.
    public static let defaultBlockSize = 64_512
}
