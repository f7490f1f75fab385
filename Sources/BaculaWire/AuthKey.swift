import COpenSSL

/// The HMAC key of a CRAM-MD5 exchange (spec §2.4): the ASCII bytes that both sides feed to HMAC-MD5.
public struct AuthKey: Hashable, Sendable {
    /// The key bytes, without terminator.
    public let bytes: [UInt8]

    private init(bytes: [UInt8]) { self.bytes = bytes }

    /// A configured password: the key is the 32-character lowercase hex MD5 of its bytes, as every Bacula daemon
    /// and bconsole compute it when they read their configuration.
    public static func password(_ password: String) -> AuthKey {
        AuthKey(bytes: Array(md5Hex(Array(password.utf8)).utf8))
    }

    /// A password already stored as its lowercase hex MD5 (32 characters); used as it is.
    public static func hashedPassword(_ hex: String) -> AuthKey {
        AuthKey(bytes: Array(hex.lowercased().utf8))
    }

    /// The per-job authorization key an SD issues (FD→SD link): used verbatim, not hashed.
    public static func jobKey(_ key: String) -> AuthKey {
        AuthKey(bytes: Array(key.utf8))
    }

    /// Lowercase hex MD5 of `bytes` (system OpenSSL).
    public static func md5Hex(_ bytes: [UInt8]) -> String {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let ok = bytes.withUnsafeBytes { source in
            digest.withUnsafeMutableBufferPointer { out in
                EVP_Digest(source.baseAddress, source.count, out.baseAddress, &length, EVP_md5(), nil)
            }
        }
        precondition(ok == 1 && length == 16, "OpenSSL MD5 failed")  // not input-dependent: a broken libcrypto
        return digest.prefix(16).map { byte in
            let digits = Array("0123456789abcdef".utf8)
            return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]], as: UTF8.self)
        }.joined()
    }
}
