/// The Bacula 9.6 TLS directives of one resource (TLS Enable, TLS Require, TLS Verify Peer, TLS Allowed CN, TLS CA
/// Certificate File/Dir, TLS Certificate, TLS Key, TLS DH File), paths as written. Pure values; the daemons turn
/// them into a TLS context (docs/tls.md).
public struct TLSDirectives: Equatable, Sendable {
    public var enable = false
    public var require = false
    public var verifyPeer = true
    public var allowedCNs: [String] = []
    public var caCertificateFile: String?
    public var caCertificateDir: String?
    public var certificate: String?
    public var key: String?
    public var dhFile: String?

    public init(
        enable: Bool = false, require: Bool = false, verifyPeer: Bool = true, allowedCNs: [String] = [],
        caCertificateFile: String? = nil, caCertificateDir: String? = nil, certificate: String? = nil,
        key: String? = nil, dhFile: String? = nil
    ) {
        self.enable = enable
        self.require = require
        self.verifyPeer = verifyPeer
        self.allowedCNs = allowedCNs
        self.caCertificateFile = caCertificateFile
        self.caCertificateDir = caCertificateDir
        self.certificate = certificate
        self.key = key
        self.dhFile = dhFile
    }

    /// Reads the directives of `resource` (absent ones take Bacula's defaults).
    public init(_ resource: Resource) {
        self.init(
            enable: resource.bool("TLS Enable") ?? false, require: resource.bool("TLS Require") ?? false,
            verifyPeer: resource.bool("TLS Verify Peer") ?? true,
            allowedCNs: resource.names("TLS Allowed CN"),
            caCertificateFile: resource.string("TLS CA Certificate File"),
            caCertificateDir: resource.string("TLS CA Certificate Dir"), certificate: resource.string("TLS Certificate"),
            key: resource.string("TLS Key"), dhFile: resource.string("TLS DH File"))
    }

    /// What this side announces in its challenge (`ssl=`, spec §2.7): 0 without TLS Enable, 2 with TLS Require,
    /// else 1. (BaculaWire's `TLSNeed` has the same numbers.)
    public var announced: Int { !enable ? 0 : require ? 2 : 1 }
}
