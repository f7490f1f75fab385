/// Why a first packet was not accepted as a hello (spec §2.8).
public enum HelloError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The packet's length is outside what that acceptor admits.
    case badLength(Int, allowed: ClosedRange<Int>)
    /// The packet matches none of the hello forms that acceptor admits; `prefix` is its printable beginning.
    case unrecognized(prefix: String)

    public var description: String {
        switch self {
        case .badLength(let length, let allowed):
            return "hello of \(length) bytes, outside \(allowed.lowerBound)...\(allowed.upperBound)"
        case .unrecognized(let prefix): return "unrecognized hello \"\(prefix)\""
        }
    }

    static func unrecognized(_ bytes: [UInt8]) -> HelloError {
        let shown = bytes.prefix(60).map { $0 >= 0x20 && $0 < 0x7F ? Character(UnicodeScalar($0)) : "." }
        return .unrecognized(prefix: String(shown))
    }
}

/// Console → Director: `Hello %s calling %d\n` (bashed console name, `*UserAgent*` for the default console).
public struct ConsoleHello: Hashable, Sendable {
    public static let defaultConsoleName = "*UserAgent*"
    /// The console's name as configured (spaces unbashed).
    public var name: String
    /// The console's protocol version (bconsole 9.6: 100); nil when the hello had none.
    public var version: Int?

    public init(name: String = ConsoleHello.defaultConsoleName, version: Int? = 100) {
        self.name = name
        self.version = version
    }

    public var bytes: [UInt8] { helloBytes("Hello \(BashedName.bash(name)) calling", version) }

    /// Parses as a Director does: 16...142 bytes, `Hello %127s calling %d` or `Hello %127s calling`.
    public init(parsing bytes: [UInt8]) throws(HelloError) {
        try checkLength(bytes, 16...142)
        guard let (name, version) = scanNameAndVersion(bytes, format: "Hello %127s calling %d") else {
            throw .unrecognized(bytes)
        }
        self.init(name: name, version: version)
    }
}

/// Director → FD: `Hello Director %s calling %d\n` (9.6 Director: 103).
public struct DirectorHelloToFileDaemon: Hashable, Sendable {
    public var directorName: String
    public var version: Int?

    public init(directorName: String, version: Int? = 103) {
        self.directorName = directorName
        self.version = version
    }

    public var bytes: [UInt8] { helloBytes("Hello Director \(BashedName.bash(directorName)) calling", version) }

    /// Parses the forms an FD admits after its length check: `Hello Director %127s calling [%d]`, or
    /// `Hello %127s calling %d`.
    public init(parsing bytes: [UInt8]) throws(HelloError) {
        if let (name, version) = scanNameAndVersion(bytes, format: "Hello Director %127s calling %d") {
            self.init(directorName: name, version: version)
        } else if let values = BScanf.scan(bytes, format: "Hello %127s calling %d"), values.count == 2,
            let name = values[0].string, case .number(let number, true) = values[1]
        {
            self.init(directorName: BashedName.unbash(name), version: Int(truncatingIfNeeded: number))
        } else {
            throw .unrecognized(bytes)
        }
    }
}

/// Director → SD: `Hello SD: Bacula Director %s calling %d\n` (9.6 Director: 103).
public struct DirectorHelloToStorageDaemon: Hashable, Sendable {
    public var directorName: String
    public var version: Int?

    public init(directorName: String, version: Int? = 103) {
        self.directorName = directorName
        self.version = version
    }

    public var bytes: [UInt8] {
        helloBytes("Hello SD: Bacula Director \(BashedName.bash(directorName)) calling", version)
    }

    public init(parsing bytes: [UInt8]) throws(HelloError) {
        guard let (name, version) = scanNameAndVersion(bytes, format: "Hello SD: Bacula Director %127s calling %d")
        else { throw .unrecognized(bytes) }
        self.init(directorName: name, version: version)
    }
}

/// FD → SD data connection: `Hello Bacula SD: Start Job %s %d\n` (full Job name, FD version 214).
/// The SD scans for a third number; 9.6 FDs send none (then `storageVersion` is nil).
public struct FileDaemonHelloToStorageDaemon: Hashable, Sendable {
    public var jobName: String
    public var fileDaemonVersion: Int
    public var storageVersion: Int?

    public init(jobName: String, fileDaemonVersion: Int = 214, storageVersion: Int? = nil) {
        self.jobName = jobName
        self.fileDaemonVersion = fileDaemonVersion
        self.storageVersion = storageVersion
    }

    public var bytes: [UInt8] {
        var line = "Hello Bacula SD: Start Job \(BashedName.bash(jobName)) \(fileDaemonVersion)"
        if let storageVersion { line += " \(storageVersion)" }
        return Array((line + "\n").utf8)
    }

    /// True when the SD may compress what it sends to this FD (§1.5).
    public var acceptsCompression: Bool { fileDaemonVersion >= 214 || (storageVersion ?? 0) >= 306 }

    public init(parsing bytes: [UInt8]) throws(HelloError) {
        for prefix in ["Hello Bacula SD: Start Job ", "Hello Start Job "] {
            if let values = BScanf.scan(bytes, format: prefix + "%127s %d %d"), values.count == 3,
                let name = values[0].string, let version = values[1].number,
                case .number(let third, let hasThird) = values[2]
            {
                self.init(
                    jobName: BashedName.unbash(name), fileDaemonVersion: Int(truncatingIfNeeded: version),
                    storageVersion: hasThird ? Int(truncatingIfNeeded: third) : nil)
                return
            }
        }
        throw .unrecognized(bytes)
    }
}

/// SD → FD when the SD calls the client: `Hello FD: Bacula Storage calling Start Job %s %d\n` [SRC].
public struct StorageHelloToFileDaemon: Hashable, Sendable {
    public var jobName: String
    public var version: Int

    public init(jobName: String, version: Int) {
        self.jobName = jobName
        self.version = version
    }

    public var bytes: [UInt8] {
        Array("Hello FD: Bacula Storage calling Start Job \(BashedName.bash(jobName)) \(version)\n".utf8)
    }

    public init(parsing bytes: [UInt8]) throws(HelloError) {
        guard let values = BScanf.scan(bytes, format: "Hello FD: Bacula Storage calling Start Job %127s %d"),
            values.count == 2, let name = values[0].string, let version = values[1].number
        else { throw .unrecognized(bytes) }
        self.init(jobName: BashedName.unbash(name), version: Int(truncatingIfNeeded: version))
    }
}

/// What an FD's listener received as the first packet (spec §2.8, FD acceptor rules).
public enum FileDaemonIncomingHello: Hashable, Sendable {
    /// `Ping...`: answer `2000 Ping OK\n`.
    case ping
    case director(DirectorHelloToFileDaemon)
    case storageCallingClient(StorageHelloToFileDaemon)

    public init(parsing bytes: [UInt8]) throws(HelloError) {
        if bytes.starts(with: Array("Ping".utf8)) {
            self = .ping
            return
        }
        try checkLength(bytes, 25...500)
        if bytes.starts(with: Array("Hello FD: Bacula Storage".utf8)) {
            self = .storageCallingClient(try StorageHelloToFileDaemon(parsing: bytes))
        } else {
            self = .director(try DirectorHelloToFileDaemon(parsing: bytes))
        }
    }
}

/// What an SD's listener received as the first packet (spec §2.8, SD acceptor rules).
public enum StorageDaemonIncomingHello: Hashable, Sendable {
    case director(DirectorHelloToStorageDaemon)
    case fileDaemon(FileDaemonHelloToStorageDaemon)
    case storageDaemon(StorageHelloToFileDaemon)

    public init(parsing bytes: [UInt8]) throws(HelloError) {
        try checkLength(bytes, 25...500)
        if bytes.starts(with: Array("Hello FD: Bacula Storage calling Start Job ".utf8)) {
            self = .storageDaemon(try StorageHelloToFileDaemon(parsing: bytes))
        } else if bytes.starts(with: Array("Hello Bacula SD: Start Job ".utf8))
            || bytes.starts(with: Array("Hello Start Job ".utf8))
        {
            self = .fileDaemon(try FileDaemonHelloToStorageDaemon(parsing: bytes))
        } else {
            self = .director(try DirectorHelloToStorageDaemon(parsing: bytes))
        }
    }
}

private func checkLength(_ bytes: [UInt8], _ allowed: ClosedRange<Int>) throws(HelloError) {
    guard allowed.contains(bytes.count) else { throw .badLength(bytes.count, allowed: allowed) }
}

private func helloBytes(_ head: String, _ version: Int?) -> [UInt8] {
    Array((version.map { "\(head) \($0)\n" } ?? "\(head)\n").utf8)
}

/// Scans `<literal> %127s calling %d`; the version is nil when no digits followed `calling`.
private func scanNameAndVersion(_ bytes: [UInt8], format: String) -> (String, Int?)? {
    guard let values = BScanf.scan(bytes, format: format), values.count == 2, let name = values[0].string,
        case .number(let number, let hasDigits) = values[1]
    else {
        // Bacula also admits the form without the number; a literal mismatch before `%d` fails both.
        return nil
    }
    return (BashedName.unbash(name), hasDigits ? Int(truncatingIfNeeded: number) : nil)
}
