/// What both sides do after the two CRAM-MD5 rounds, decided from the `ssl=` each announced (spec §2.7). Pure.
///
/// Bacula 9.6's rule: a side that requires TLS (2) refuses a peer that announced none (0), and a side that cannot
/// do TLS (0) refuses a peer that requires it; when both announced at least 1 both switch the same TCP stream to
/// TLS right after the last `1000 OK auth`; otherwise the link stays plain.
public enum TLSNegotiation: Hashable, Sendable {
    /// No TLS: the conversation goes on in the clear.
    case plain
    /// Both switch to TLS now (the TCP connector is the TLS client).
    case startTLS
    /// The link must end; `reason` is the line Bacula logs for it.
    case refuse(Refusal)

    /// Why a link was refused, with Bacula's own wording.
    public enum Refusal: Hashable, Sendable, CustomStringConvertible {
        /// We require TLS and the peer announced `ssl=0`.
        case peerDidNotAdvertiseTLS
        /// The peer requires TLS and we cannot do it.
        case peerRequiresTLS

        public var description: String {
            switch self {
            case .peerDidNotAdvertiseTLS: return "Authorization problem: Remote server did not advertise required TLS support."
            case .peerRequiresTLS: return "Authorization problem: Remote server requires TLS."
            }
        }
    }

    /// The decision for our announced need and the peer's announced `ssl=` (an unknown number counts as is).
    public static func decide(ours: TLSNeed, peers: Int) -> TLSNegotiation {
        let local = ours.rawValue
        if peers < local && local != TLSNeed.ok.rawValue && peers != TLSNeed.ok.rawValue { return .refuse(.peerDidNotAdvertiseTLS) }
        if peers > local && local != TLSNeed.ok.rawValue && peers != TLSNeed.ok.rawValue { return .refuse(.peerRequiresTLS) }
        if local >= TLSNeed.ok.rawValue && peers >= TLSNeed.ok.rawValue { return .startTLS }
        return .plain
    }
}

/// The certificate-name checks Bacula 9.6 makes after a TLS handshake. Pure: the caller extracts the names.
public enum TLSPeerNames {
    /// Server side, `TLS Verify Peer` with a `TLS Allowed CN` list: the client certificate's subject commonName must
    /// equal (ignoring case) one of the allowed names.
    public static func commonNameAllowed(_ commonName: String?, allowed: [String]) -> Bool {
        guard let commonName else { return false }
        return allowed.contains { $0.lowercased() == commonName.lowercased() }
    }

    /// Client side: the server certificate must name the host we connected to, in a DNS subjectAltName or the
    /// subject commonName (ignoring case); for `127.0.0.1` the name `localhost` also passes (as Bacula does).
    public static func hostMatches(host: String, dnsNames: [String], commonName: String?) -> Bool {
        func matches(_ wanted: String) -> Bool {
            let lower = wanted.lowercased()
            return dnsNames.contains { $0.lowercased() == lower } || commonName?.lowercased() == lower
        }
        return matches(host) || (host == "127.0.0.1" && matches("localhost"))
    }
}
