import COpenSSL
import FileDaemonProtocol

/// A running file digest (MD5, SHA1, SHA256, SHA512) through the system OpenSSL. Used by one thread at a time
/// (the reader, or the digest lane on its behalf), hence `@unchecked Sendable`.
final class Digest: @unchecked Sendable {
    let kind: SignatureKind
    private let context: OpaquePointer

    init?(_ kind: SignatureKind) {
        guard let context = EVP_MD_CTX_new() else { return nil }
        let md: OpaquePointer? =
            switch kind {
            case .md5: EVP_md5()
            case .sha1: EVP_sha1()
            case .sha256: EVP_sha256()
            case .sha512: EVP_sha512()
            }
        guard EVP_DigestInit_ex(context, md, nil) == 1 else {
            EVP_MD_CTX_free(context)
            return nil
        }
        self.kind = kind
        self.context = context
    }

    deinit { EVP_MD_CTX_free(context) }

    func update(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        _ = EVP_DigestUpdate(context, bytes.baseAddress, bytes.count)
    }

    /// The raw digest bytes (16, 20, 32 or 64).
    func finish() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        _ = out.withUnsafeMutableBufferPointer { EVP_DigestFinal_ex(context, $0.baseAddress, &length) }
        return Array(out.prefix(Int(length)))
    }
}
