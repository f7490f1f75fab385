import COpenSSL

/// The challenge token a challenger sends: `<random.time@name>` (spec §2.2).
public struct Challenge: Hashable, Sendable {
    public var random: UInt32
    public var time: UInt32
    /// The challenger's configured daemon name (any text without whitespace).
    public var name: String

    public init(random: UInt32, time: UInt32, name: String) {
        self.random = random
        self.time = time
        self.name = name
    }

    /// A fresh challenge; the random number and time are passed in so callers (and tests) control them.
    public static func make<Generator: RandomNumberGenerator>(
        name: String, unixTime: UInt32, using generator: inout Generator
    ) -> Challenge {
        Challenge(random: UInt32.random(in: 0...UInt32.max, using: &generator), time: unixTime, name: name)
    }

    /// The token exactly as it goes on the wire, angle brackets included; this is the HMAC message.
    public var text: String { "<\(random).\(time)@\(name)>" }
}

/// CRAM-MD5 as Bacula does it (spec §2.3): HMAC-MD5 over the challenge token, Bacula-base64 encoded, NUL-terminated.
public enum CRAMMD5 {
    /// HMAC-MD5(key, challenge) with system OpenSSL; 16 bytes.
    public static func digest(key: AuthKey, challenge: String) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let message = Array(challenge.utf8)
        let result = key.bytes.withUnsafeBytes { keyBytes in
            message.withUnsafeBytes { messageBytes in
                output.withUnsafeMutableBufferPointer { out in
                    HMAC(
                        EVP_md5(), keyBytes.baseAddress, Int32(keyBytes.count),
                        messageBytes.baseAddress?.assumingMemoryBound(to: UInt8.self), messageBytes.count,
                        out.baseAddress, &length)
                }
            }
        }
        precondition(result != nil && length == 16, "OpenSSL HMAC-MD5 failed")  // a broken libcrypto, not input
        return Array(output.prefix(16))
    }

    /// The response text (22 characters) for `challenge`, in Bacula's variant unless told otherwise.
    public static func response(key: AuthKey, challenge: String, mode: BaculaBase64.Mode = .bacula) -> String {
        BaculaBase64.encode(digest(key: key, challenge: challenge), mode: mode)
    }

    /// The response packet payload: the response text followed by one NUL byte (23 bytes, §1.6).
    public static func responsePayload(key: AuthKey, challenge: String) -> [UInt8] {
        Array(response(key: key, challenge: challenge).utf8) + [0]
    }

    /// Checks a received response payload. The payload is read as a C string (up to its first NUL, as Bacula's
    /// `strcmp` does); it must equal the Bacula-variant response, or, when `acceptCompatible`, the RFC-order
    /// unpadded one. Comparison is constant-time in the response bytes.
    public static func verify(
        payload: [UInt8], key: AuthKey, challenge: String, acceptCompatible: Bool
    ) -> Bool {
        let received = payload.prefix { $0 != 0 }
        let digest = digest(key: key, challenge: challenge)
        var matched = constantTimeEqual(Array(received), Array(BaculaBase64.encode(digest, mode: .bacula).utf8))
        if acceptCompatible {
            let compatible = constantTimeEqual(
                Array(received), Array(BaculaBase64.encode(digest, mode: .compatible).utf8))
            matched = matched || compatible
        }
        return matched
    }

    /// Constant-time equality (OpenSSL `CRYPTO_memcmp`); lengths are compared first, they are not secret.
    public static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        guard !lhs.isEmpty else { return true }
        return lhs.withUnsafeBytes { left in
            rhs.withUnsafeBytes { right in CRYPTO_memcmp(left.baseAddress, right.baseAddress, left.count) == 0 }
        }
    }
}
