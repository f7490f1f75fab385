/// Sizes that Bacula 9.6 volumes use (spec: bacula-volume-format.md §3).
public enum VolumeConstants {
    /// Bacula's default block size when a Device sets no Maximum Block Size.
    public static let defaultBlockSize = 64_512
    /// The largest block size Bacula 9.6 accepts in Maximum Block Size.
    public static let maximumBlockSize = 4_000_000
}
