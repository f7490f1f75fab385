/// One bsock message as the conversation layer sees it: a payload (already decompressed) or a signal (spec §1.1).
public enum Frame: Hashable, Sendable {
    /// A message body; empty for a zero-length packet.
    case payload([UInt8])
    /// A negative header without payload.
    case signal(Signal)

    /// A text message (UTF-8 bytes, no terminator added: callers include `\n` or `\0` where Bacula does, §1.6).
    public static func text(_ string: String) -> Frame { .payload(Array(string.utf8)) }

    /// The payload bytes, or nil for a signal.
    public var payload: [UInt8]? {
        if case .payload(let bytes) = self { return bytes }
        return nil
    }

    /// The signal, or nil for a payload.
    public var signal: Signal? {
        if case .signal(let signal) = self { return signal }
        return nil
    }
}
