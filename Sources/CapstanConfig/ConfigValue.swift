/// A directive's value after typing. Sizes are bytes, durations seconds, speeds bytes per second.
public indirect enum ConfigValue: Equatable, Sendable {
    /// Names, strings, paths, passwords, host addresses.
    case string(String)
    case integer(Int64)
    case size(UInt64)
    case duration(Int64)
    case speed(UInt64)
    case boolean(Bool)
    /// One of a fixed set of words, in its canonical spelling (`Backup`, `Full`, `File`).
    case keyword(String)
    /// A comma-separated list of names (references to other resources, or ACL entries).
    case names([String])
    case messages(MessageDestination)
    case addresses([ListenAddress])
    case run(ScheduleRun)
    case block(ConfigBlock)
}

/// A nested block such as FileSet `Include { Options { ... } File = ... }` or Job `RunScript { ... }`.
public struct ConfigBlock: Equatable, Sendable {
    /// The canonical block name (`Include`, `Exclude`, `Options`, `RunScript`).
    public var name: String
    public var directives: [Directive]

    public init(name: String, directives: [Directive]) {
        self.name = name
        self.directives = directives
    }
}

/// One directive of a resource or block: its canonical name and every value it was given (several for a
/// directive Bacula allows to repeat), or its default.
public struct Directive: Equatable, Sendable {
    /// The canonical name (`Maximum Block Size`).
    public var name: String
    public var values: [ConfigValue]
    /// True when the value came from the schema's default rather than the file.
    public var isDefault: Bool
    /// Where the directive was written; nil for a default. Not part of equality, nor is `isDefault`.
    public var location: SourceLocation?

    public init(name: String, values: [ConfigValue], isDefault: Bool = false, location: SourceLocation? = nil) {
        self.name = name
        self.values = values
        self.isDefault = isDefault
        self.location = location
    }

    /// Same name, same values: where a value came from (file, default, JobDefs) does not matter.
    public static func == (lhs: Directive, rhs: Directive) -> Bool {
        lhs.name == rhs.name && lhs.values == rhs.values
    }
}

/// A Messages destination: `mail = root = all, !skipped` or `console = all, !saved`.
public struct MessageDestination: Equatable, Sendable {
    /// The canonical destination keyword (`mail`, `append`, `console`, ...).
    public var destination: String
    /// The mail address, file name or director name, for destinations that take one.
    public var address: String?
    public var types: [MessageTypeSelector]

    public init(destination: String, address: String?, types: [MessageTypeSelector]) {
        self.destination = destination
        self.address = address
        self.types = types
    }

    /// Whether a message of `type` goes to this destination, reading the list left to right (`all, !skipped`).
    /// As in Bacula, `all` covers every type except `debug` and `saved`, which must be named.
    public func accepts(_ type: String) -> Bool {
        var accepted = false
        for selector in types {
            let covers = selector.type == type || (selector.type == "all" && type != "debug" && type != "saved")
            if covers { accepted = selector.included }
        }
        return accepted
    }
}

/// `saved` or `!saved`.
public struct MessageTypeSelector: Equatable, Sendable {
    public var type: String
    public var included: Bool

    public init(type: String, included: Bool) {
        self.type = type
        self.included = included
    }
}

/// One entry of `SDAddresses = { ip = { addr = ...; port = ... } }`.
public struct ListenAddress: Equatable, Sendable {
    public enum Family: String, Sendable {
        case any = "ip"
        case ipv4
        case ipv6
    }

    public var family: Family
    public var host: String
    public var port: Int

    public init(family: Family, host: String, port: Int) {
        self.family = family
        self.host = host
        self.port = port
    }
}

/// A Schedule `Run =` line: overrides such as `Level=Full Pool=Weekly`, then the time specification words.
public struct ScheduleRun: Equatable, Sendable {
    public struct Override: Equatable, Sendable {
        /// Canonical override name (`Level`, `Pool`, `Storage`, ...).
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public var overrides: [Override]
    /// The time specification, one word per element, lowercased (`1st`, `sun`, `at`, `23:05`).
    public var when: [String]

    public init(overrides: [Override], when: [String]) {
        self.overrides = overrides
        self.when = when
    }
}
