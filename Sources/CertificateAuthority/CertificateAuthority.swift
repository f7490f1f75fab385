import Crypto
import Foundation
import SwiftASN1
import X509

/// A small certificate authority for a Capstan (or Bacula) installation: one self-signed CA and one certificate per
/// daemon or console, all P-256 ECDSA with SHA-256 (accepted by Bacula 9.6 on OpenSSL 3 and by swift-nio-ssl).
/// Each leaf names its owner in the commonName (what `TLS Allowed CN` matches) and carries `DNS:localhost`,
/// `IP:127.0.0.1` and the given host names as subjectAltNames (what a TLS client matches against the address it
/// connected to). Values only: `TLSInitCommand` writes them to files.
public struct CertificateAuthority {
    /// One issued certificate and its key, PEM-encoded.
    public struct Issued: Sendable {
        public var name: String
        public var certificatePEM: String
        public var keyPEM: String
    }

    public let certificatePEM: String
    public let keyPEM: String
    private let key: P256.Signing.PrivateKey
    private let certificate: Certificate

    /// A new CA named `name`, valid from an hour ago for `days` days.
    public init(name: String, days: Int = 3650, now: Date = Date()) throws {
        let key = P256.Signing.PrivateKey()
        let subject = try DistinguishedName { CommonName(name) }
        let publicKey = Certificate.PublicKey(key.publicKey)
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
            Critical(KeyUsage(keyCertSign: true, cRLSign: true))
            SubjectKeyIdentifier(hash: publicKey)
        }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: publicKey,
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(Double(days) * 86400),
            issuer: subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256, extensions: extensions,
            issuerPrivateKey: Certificate.PrivateKey(key))
        self.key = key
        self.certificate = certificate
        self.certificatePEM = try certificate.serializeAsPEM().pemString + "\n"
        self.keyPEM = key.pemRepresentation + "\n"
    }

    /// A certificate for `name` (its commonName), usable as TLS server and client, naming `hosts` besides
    /// `localhost` and 127.0.0.1.
    public func issue(name: String, hosts: [String] = [], days: Int = 3650, now: Date = Date()) throws -> Issued {
        let key = P256.Signing.PrivateKey()
        let publicKey = Certificate.PublicKey(key.publicKey)
        var names: [GeneralName] = [.dnsName("localhost"), .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1]))]
        for host in hosts where host != "localhost" {
            if let address = Self.ipv4(host) {
                names.append(.ipAddress(ASN1OctetString(contentBytes: ArraySlice(address))))
            } else {
                names.append(.dnsName(host))
            }
        }
        let authorityKey = SubjectKeyIdentifier(hash: certificate.publicKey).keyIdentifier
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.notCertificateAuthority)
            Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
            try ExtendedKeyUsage([.serverAuth, .clientAuth])
            SubjectAlternativeNames(names)
            SubjectKeyIdentifier(hash: publicKey)
            AuthorityKeyIdentifier(keyIdentifier: authorityKey)
        }
        let issued = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: publicKey,
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(Double(days) * 86400),
            issuer: certificate.subject, subject: try DistinguishedName { CommonName(name) },
            signatureAlgorithm: .ecdsaWithSHA256, extensions: extensions, issuerPrivateKey: Certificate.PrivateKey(self.key))
        return Issued(name: name, certificatePEM: try issued.serializeAsPEM().pemString + "\n", keyPEM: key.pemRepresentation + "\n")
    }

    /// The four bytes of a dotted IPv4 address, or nil.
    static func ipv4(_ text: String) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        let bytes = parts.compactMap { UInt8($0) }
        return bytes.count == 4 ? bytes : nil
    }
}
