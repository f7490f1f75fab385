/// Limits of the Bacula 9.6 bsock framing that every decoder in this module enforces.
public enum WireLimits {
    /// The largest frame payload a peer may announce; a larger length ends the connection (spec §1.1).
    public static let maximumFrameLength = 1_000_000
}
