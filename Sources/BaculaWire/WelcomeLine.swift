/// The acceptor's last line of a successful handshake, which announces its version (spec §2.8).
public enum WelcomeLine: Hashable, Sendable {
    /// Director → console: `1000 OK: %d <banner>\n`; the banner is `%s %sVersion: %s (%s)` in 9.6
    /// (name, an empty build string, version text, date).
    case director(version: Int, banner: String)
    /// FD → Director: `2000 OK Hello %d\n` (9.6: 214).
    case fileDaemon(version: Int)
    /// SD → Director and SD → FD: `3000 OK Hello %d\n` (9.6: 306).
    case storageDaemon(version: Int)

    /// The Director's welcome as 9.6 prints it: `<name> Version: <text> (<date>)`.
    public static func director(version: Int, name: String, versionText: String, date: String) -> WelcomeLine {
        .director(version: version, banner: "\(name) Version: \(versionText) (\(date))")
    }

    public var version: Int {
        switch self {
        case .director(let version, _), .fileDaemon(let version), .storageDaemon(let version): return version
        }
    }

    public var bytes: [UInt8] {
        switch self {
        case .director(let version, let banner): return Array("1000 OK: \(version) \(banner)\n".utf8)
        case .fileDaemon(let version): return Array("2000 OK Hello \(version)\n".utf8)
        case .storageDaemon(let version): return Array("3000 OK Hello \(version)\n".utf8)
        }
    }

    /// Parses as leniently as the peers do (bconsole reads only `1000 OK: %d`); nil for anything else, including
    /// the failure lines.
    public init?(parsing bytes: [UInt8]) {
        if let values = BScanf.scan(bytes, format: "1000 OK: %d"), let version = values.first?.number {
            var rest = bytes.prefix { $0 != 0 }.drop { $0 != UInt8(ascii: ":") }.dropFirst()  // after "1000 OK:"
            rest = rest.drop { $0 == UInt8(ascii: " ") }.drop { BScanf.isDigit($0) || $0 == UInt8(ascii: "-") }
            if rest.first == UInt8(ascii: " ") { rest = rest.dropFirst() }
            if rest.last == UInt8(ascii: "\n") { rest = rest.dropLast() }
            self = .director(version: Int(truncatingIfNeeded: version), banner: String(decoding: rest, as: UTF8.self))
        } else if let values = BScanf.scan(bytes, format: "2000 OK Hello %d"), let version = values.first?.number {
            self = .fileDaemon(version: Int(truncatingIfNeeded: version))
        } else if let values = BScanf.scan(bytes, format: "3000 OK Hello %d"), let version = values.first?.number {
            self = .storageDaemon(version: Int(truncatingIfNeeded: version))
        } else {
            return nil
        }
    }
}

/// Fixed lines of the authentication phase (spec §2.3, §2.8), byte-exact.
public enum AuthLine {
    public static let ok = Array("1000 OK auth\n".utf8)
    public static let failed = Array("1999 Authorization failed.\n".utf8)
    /// Sent by a Director to a console ~5 s after `failed`.
    public static let consoleNotAuthorized = Array("1999 You are not authorized.\n".utf8)
    public static let fileDaemonFailed = Array("2999 Authentication failed.\n".utf8)
    public static let storageDaemonFailed = Array("3999 No go\n".utf8)
    public static let pingOK = Array("2000 Ping OK\n".utf8)
}

/// What each side announces in its challenge about TLS (`ssl=%d`, spec §2.7).
public enum TLSNeed: Int, Hashable, Sendable {
    case none = 0
    case ok = 1
    case required = 2
}

/// `auth cram-md5 <challenge> ssl=%d\n`: a challenge as sent and as parsed (spec §2.2).
public struct ChallengeLine: Hashable, Sendable {
    /// The token, copied verbatim (`%s`): the HMAC message.
    public var challenge: String
    /// The sender's TLS need; an unknown number is kept as read.
    public var ssl: Int
    /// The very old `auth cram-md5c` form (compatible base64); nobody sends it any more.
    public var compatible: Bool

    public init(challenge: String, ssl: TLSNeed = .none) {
        self.challenge = challenge
        self.ssl = ssl.rawValue
        self.compatible = false
    }

    public var bytes: [UInt8] {
        Array("auth cram-md5\(compatible ? "c" : "") \(challenge) ssl=\(ssl)\n".utf8)
    }

    /// Parses as a Bacula responder does: `auth cram-md5c %s ssl=%d`, `auth cram-md5 %s ssl=%d`,
    /// `auth cram-md5 %s` (ssl 0); at most 499 bytes.
    public init?(parsing bytes: [UInt8]) {
        guard bytes.count <= 499 else { return nil }
        if let values = BScanf.scan(bytes, format: "auth cram-md5c %s ssl=%d"), values.count == 2,
            let token = values[0].string, let ssl = values[1].number
        {
            self.challenge = token
            self.ssl = Int(truncatingIfNeeded: ssl)
            self.compatible = true
        } else if let values = BScanf.scan(bytes, format: "auth cram-md5 %s ssl=%d"), values.count == 2,
            let token = values[0].string, let ssl = values[1].number
        {
            self.challenge = token
            self.ssl = Int(truncatingIfNeeded: ssl)
            self.compatible = false
        } else if let values = BScanf.scan(bytes, format: "auth cram-md5 %s"), let token = values.first?.string {
            self.challenge = token
            self.ssl = 0
            self.compatible = false
        } else {
            return nil
        }
        guard !challenge.isEmpty else { return nil }
    }
}
