import BaculaWire
import CapstanConfig
import Foundation
import NIOSSL

/// One side's TLS settings for one kind of link, from a resource's Bacula 9.6 TLS directives: what it announces
/// (`ssl=`), the TLS context it uses when both sides announced TLS, and what it checks of the peer's certificate.
///
/// The TCP acceptor is the TLS server, the connector the TLS client (spec §2.7). A server with `TLS Verify Peer`
/// demands a client certificate signed by its CA and, with `TLS Allowed CN`, checks its commonName; a client always
/// verifies the server's certificate against its CA and checks that it names the host it connected to (a DNS
/// subjectAltName or the commonName; `localhost` passes for 127.0.0.1), as Bacula 9.6 does.
public struct TLSSettings: Sendable {
    public enum Role: Sendable { case server, client }

    /// The directives as read from a resource (paths as written).
    public typealias Directives = TLSDirectives

    /// A TLS setting that could not be turned into a context: names the file and what is wrong with it.
    public struct SetupError: Error, CustomStringConvertible {
        public var description: String

        public init(description: String) {
            self.description = description
        }
    }

    public let need: TLSNeed
    public let role: Role
    let context: NIOSSLContext?
    /// Server side: the client certificate's commonName must be one of these (empty: any certificate the CA signed).
    public let allowedCNs: [String]
    public let verifyPeer: Bool

    /// No TLS: announces `ssl=0`.
    public static let none = TLSSettings(need: .none, role: .server, context: nil, allowedCNs: [], verifyPeer: false)

    private init(need: TLSNeed, role: Role, context: NIOSSLContext?, allowedCNs: [String], verifyPeer: Bool) {
        self.need = need
        self.role = role
        self.context = context
        self.allowedCNs = allowedCNs
        self.verifyPeer = verifyPeer
    }

    /// Loads the certificates and key of `directives` for `role`. Throws `SetupError` naming the file that is
    /// missing or unreadable (the configuration check reports the same with file and line first).
    public init(_ directives: Directives, role: Role) throws {
        guard directives.enable else {
            self = .none
            return
        }
        func load<T>(_ what: String, _ path: String, _ body: (String) throws -> T) throws -> T {
            guard FileManager.default.isReadableFile(atPath: path) else {
                throw SetupError(description: "\(what) \"\(path)\" does not exist or is not readable")
            }
            do {
                return try body(path)
            } catch {
                throw SetupError(description: "\(what) \"\(path)\" could not be loaded: \(error)")
            }
        }
        var configuration: TLSConfiguration
        switch role {
        case .server:
            guard let certificate = directives.certificate, let key = directives.key else {
                throw SetupError(description: "a TLS server needs \"TLS Certificate\" and \"TLS Key\"")
            }
            let chain = try load("TLS Certificate", certificate) { try NIOSSLCertificate.fromPEMFile($0) }
            let privateKey = try load("TLS Key", key) { try NIOSSLPrivateKey(file: $0, format: .pem) }
            configuration = TLSConfiguration.makeServerConfiguration(
                certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(privateKey))
            configuration.certificateVerification = directives.verifyPeer ? .noHostnameVerification : .none
        case .client:
            configuration = TLSConfiguration.makeClientConfiguration()
            configuration.certificateVerification = .noHostnameVerification
            if let certificate = directives.certificate, let key = directives.key {
                let chain = try load("TLS Certificate", certificate) { try NIOSSLCertificate.fromPEMFile($0) }
                configuration.certificateChain = chain.map { .certificate($0) }
                configuration.privateKey = .privateKey(try load("TLS Key", key) { try NIOSSLPrivateKey(file: $0, format: .pem) })
            }
        }
        if let file = directives.caCertificateFile {
            let roots = try load("TLS CA Certificate File", file) { try NIOSSLCertificate.fromPEMFile($0) }
            configuration.trustRoots = .certificates(roots)
        } else if let directory = directives.caCertificateDir {
            guard FileManager.default.isReadableFile(atPath: directory) else {
                throw SetupError(description: "TLS CA Certificate Dir \"\(directory)\" does not exist or is not readable")
            }
            configuration.trustRoots = .file(directory)
        } else if role == .client || directives.verifyPeer {
            throw SetupError(description: "neither \"TLS CA Certificate File\" nor \"TLS CA Certificate Dir\" is set")
        }
        if let dhFile = directives.dhFile {
            // BoringSSL negotiates ECDHE only; the file is checked for readability so a typo is still caught.
            _ = try load("TLS DH File", dhFile) { try Data(contentsOf: URL(fileURLWithPath: $0)) }
        }
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            throw SetupError(description: "the TLS context could not be made: \(error)")
        }
        self.init(
            need: TLSNeed(rawValue: directives.announced) ?? .none, role: role, context: context,
            allowedCNs: role == .server && directives.verifyPeer ? directives.allowedCNs : [],
            verifyPeer: directives.verifyPeer)
    }
}
