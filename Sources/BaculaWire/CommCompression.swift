/// The four kinds of Bacula peers on a connection.
public enum PeerKind: Hashable, Sendable {
    case console, director, fileDaemon, storageDaemon
}

/// Who may send LZ4-compressed packets to whom (spec §1.5): each sender decides from the version its peer announced
/// in the handshake (and its own CommCompression setting, default yes).
public enum CommCompression {
    /// The smallest peer version that lets `sender` compress what it sends to `receiver`.
    public static func minimumPeerVersion(sender: PeerKind, receiver: PeerKind) -> Int {
        switch (sender, receiver) {
        case (.director, .fileDaemon): return 214  // from `2000 OK Hello N`
        case (.console, .director): return 103  // from `1000 OK: N`
        case (.storageDaemon, .fileDaemon): return 214  // from the FD's `Start Job <job> N`
        default: return 1
        }
    }

    /// True when `sender` may compress towards a peer that announced `peerVersion`.
    public static func allowed(sender: PeerKind, receiver: PeerKind, peerVersion: Int) -> Bool {
        peerVersion >= minimumPeerVersion(sender: sender, receiver: receiver)
    }
}
