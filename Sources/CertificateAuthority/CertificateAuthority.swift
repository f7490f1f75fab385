import COpenSSL
import Foundation

/// A small certificate authority for a Capstan (or Bacula) installation: one self-signed CA and one certificate per
/// daemon or console, all P-256 ECDSA with SHA-256 (accepted by Bacula 9.6 on OpenSSL 3 and by swift-nio-ssl).
/// Each leaf names its owner in the commonName (what `TLS Allowed CN` matches) and carries `DNS:localhost`,
/// `IP:127.0.0.1` and the given host names as subjectAltNames (what a TLS client matches against the address it
/// connected to). Built with the system's OpenSSL (libcrypto), which the daemons link already. Values only:
/// `TLSInitCommand` writes them to files.
public final class CertificateAuthority {
    /// One issued certificate and its key, PEM-encoded.
    public struct Issued: Sendable {
        public var name: String
        public var certificatePEM: String
        public var keyPEM: String
    }

    /// What OpenSSL refused, with the step that failed and OpenSSL's own error text.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        init(_ step: String) {
            var text = step
            let code = ERR_get_error()
            if code != 0 {
                var buffer = [CChar](repeating: 0, count: 256)
                ERR_error_string_n(code, &buffer, buffer.count)
                text += ": " + String(cString: buffer)
            }
            ERR_clear_error()
            description = "certificate authority: " + text
        }
    }

    public let certificatePEM: String
    public let keyPEM: String
    private let key: OpaquePointer  // EVP_PKEY
    private let certificate: OpaquePointer  // X509

    /// A new CA named `name`, valid from an hour before `now` for `days` days.
    public init(name: String, days: Int = 3650, now: Date = Date()) throws {
        let key = try Self.newKey()
        guard let certificate = X509_new() else {
            EVP_PKEY_free(key)
            throw Failure("X509_new")
        }
        do {
            try Self.fill(certificate, subject: name, key: key, days: days, now: now)
            guard X509_set_issuer_name(certificate, X509_get_subject_name(certificate)) == 1 else {
                throw Failure("X509_set_issuer_name")
            }
            try Self.extend(
                certificate, issuer: certificate,
                [(NID_basic_constraints, "critical,CA:TRUE"), (NID_key_usage, "critical,keyCertSign,cRLSign"),
                 (NID_subject_key_identifier, "hash")])
            guard X509_sign(certificate, key, EVP_sha256()) > 0 else { throw Failure("X509_sign (CA)") }
            certificatePEM = try Self.pem { PEM_write_bio_X509($0, certificate) }
            keyPEM = try Self.pem { PEM_write_bio_PrivateKey($0, key, nil, nil, 0, nil, nil) }
        } catch {
            X509_free(certificate)
            EVP_PKEY_free(key)
            throw error
        }
        self.key = key
        self.certificate = certificate
    }

    deinit {
        X509_free(certificate)
        EVP_PKEY_free(key)
    }

    /// A certificate for `name` (its commonName), usable as TLS server and client, naming `hosts` besides
    /// `localhost` and 127.0.0.1, signed by this CA.
    public func issue(name: String, hosts: [String] = [], days: Int = 3650, now: Date = Date()) throws -> Issued {
        let leafKey = try Self.newKey()
        defer { EVP_PKEY_free(leafKey) }
        guard let leaf = X509_new() else { throw Failure("X509_new") }
        defer { X509_free(leaf) }
        try Self.fill(leaf, subject: name, key: leafKey, days: days, now: now)
        guard X509_set_issuer_name(leaf, X509_get_subject_name(certificate)) == 1 else {
            throw Failure("X509_set_issuer_name")
        }
        var names = ["DNS:localhost", "IP:127.0.0.1"]
        for host in hosts where host != "localhost" && host != "127.0.0.1" {
            guard !host.isEmpty, !host.contains(","), !host.contains(":") || Self.isIPv6(host) else {
                throw Failure("host name \"\(host)\" cannot be a subjectAltName")
            }
            names.append((Self.isIPv4(host) || Self.isIPv6(host) ? "IP:" : "DNS:") + host)
        }
        try Self.extend(
            leaf, issuer: certificate,
            [(NID_basic_constraints, "critical,CA:FALSE"), (NID_key_usage, "critical,digitalSignature,keyEncipherment"),
             (NID_ext_key_usage, "serverAuth,clientAuth"), (NID_subject_alt_name, names.joined(separator: ",")),
             (NID_subject_key_identifier, "hash"), (NID_authority_key_identifier, "keyid:always")])
        guard X509_sign(leaf, key, EVP_sha256()) > 0 else { throw Failure("X509_sign (\(name))") }
        return Issued(
            name: name, certificatePEM: try Self.pem { PEM_write_bio_X509($0, leaf) },
            keyPEM: try Self.pem { PEM_write_bio_PrivateKey($0, leafKey, nil, nil, 0, nil, nil) })
    }

    /// A new P-256 key (EVP_PKEY_keygen with group P-256).
    private static func newKey() throws -> OpaquePointer {
        guard let context = EVP_PKEY_CTX_new_from_name(nil, "EC", nil) else { throw Failure("EVP_PKEY_CTX_new_from_name") }
        defer { EVP_PKEY_CTX_free(context) }
        var key: OpaquePointer?
        guard EVP_PKEY_keygen_init(context) == 1, EVP_PKEY_CTX_set_group_name(context, "P-256") == 1,
            EVP_PKEY_generate(context, &key) == 1, let key
        else { throw Failure("P-256 key generation") }
        return key
    }

    /// Version 3, a random 128-bit serial, the validity window, the public key and the subject's commonName.
    private static func fill(_ certificate: OpaquePointer, subject: String, key: OpaquePointer, days: Int, now: Date) throws {
        var serial = [UInt8](repeating: 0, count: 16)
        guard RAND_bytes(&serial, Int32(serial.count)) == 1 else { throw Failure("RAND_bytes") }
        serial[0] &= 0x7f  // a positive INTEGER
        guard let number = BN_bin2bn(serial, Int32(serial.count), nil) else { throw Failure("BN_bin2bn") }
        defer { BN_free(number) }
        var start = time_t(now.timeIntervalSince1970)
        guard X509_set_version(certificate, 2) == 1,
            BN_to_ASN1_INTEGER(number, X509_get_serialNumber(certificate)) != nil,
            X509_time_adj_ex(X509_getm_notBefore(certificate), 0, -3600, &start) != nil,
            X509_time_adj_ex(X509_getm_notAfter(certificate), Int32(days), 0, &start) != nil,
            X509_set_pubkey(certificate, key) == 1
        else { throw Failure("certificate fields of \(subject)") }
        guard let name = X509_NAME_new() else { throw Failure("X509_NAME_new") }
        defer { X509_NAME_free(name) }
        let added = subject.withCString { text in
            text.withMemoryRebound(to: UInt8.self, capacity: subject.utf8.count + 1) {
                X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, $0, -1, -1, 0)
            }
        }
        guard added == 1, X509_set_subject_name(certificate, name) == 1 else {
            throw Failure("commonName \"\(subject)\"")
        }
    }

    /// Adds X.509 v3 extensions given in OpenSSL's configuration syntax (X509V3_EXT_conf_nid).
    private static func extend(_ certificate: OpaquePointer, issuer: OpaquePointer, _ extensions: [(Int32, String)]) throws {
        var context = X509V3_CTX()
        X509V3_set_ctx(&context, issuer, certificate, nil, nil, 0)
        for (nid, value) in extensions {
            guard let made = X509V3_EXT_conf_nid(nil, &context, nid, value) else {
                throw Failure("extension \(String(cString: OBJ_nid2sn(nid))) = \(value)")
            }
            defer { X509_EXTENSION_free(made) }
            guard X509_add_ext(certificate, made, -1) == 1 else { throw Failure("X509_add_ext") }
        }
    }

    /// What `write` puts into a memory BIO, as text.
    private static func pem(_ write: (OpaquePointer) -> Int32) throws -> String {
        guard let bio = BIO_new(BIO_s_mem()) else { throw Failure("BIO_new") }
        defer { BIO_free(bio) }
        guard write(bio) == 1 else { throw Failure("PEM encoding") }
        var data: UnsafeMutablePointer<CChar>?
        let length = BIO_ctrl(bio, BIO_CTRL_INFO, 0, &data)
        guard length > 0, let data else { throw Failure("PEM encoding") }
        return String(decoding: UnsafeRawBufferPointer(start: data, count: Int(length)), as: UTF8.self)
    }

    static func isIPv4(_ text: String) -> Bool {
        var address = in_addr()
        return inet_pton(AF_INET, text, &address) == 1
    }

    static func isIPv6(_ text: String) -> Bool {
        var address = in6_addr()
        return inet_pton(AF_INET6, text, &address) == 1
    }
}
