/// A typed configuration: the resources of one daemon's file, each with every directive it set and the defaults
/// of those it left out. Equality ignores where things were written, so a file and its `config show` output
/// compare equal.
public struct Configuration: Equatable, Sendable {
    public var kind: DaemonKind
    public var resources: [Resource]

    public init(kind: DaemonKind, resources: [Resource]) {
        self.kind = kind
        self.resources = resources
    }

    /// The resources of one type, in file order (type matched like a directive name: `File Daemon` = `FileDaemon`).
    public func resources(ofType type: String) -> [Resource] {
        resources.filter { configNamesMatch($0.type, type) }
    }

    /// The resource of `type` called `name` (names compare exactly, as Bacula compares them).
    public func resource(ofType type: String, named name: String) -> Resource? {
        resources(ofType: type).first { $0.name == name }
    }
}

/// One resource: `Device { Name = Drive0 ... }`.
public struct Resource: Equatable, Sendable {
    /// The canonical type name (`Device`, `FileDaemon`).
    public var type: String
    public var name: String
    public var directives: [Directive]
    /// Where the resource starts; not part of equality.
    public var location: SourceLocation?

    public init(type: String, name: String, directives: [Directive], location: SourceLocation? = nil) {
        self.type = type
        self.name = name
        self.directives = directives
        self.location = location
    }

    public static func == (lhs: Resource, rhs: Resource) -> Bool {
        lhs.type == rhs.type && lhs.name == rhs.name && lhs.directives == rhs.directives
    }

    /// `Device "Drive0"`, as diagnostics name a resource.
    public var label: String { "\(type) \"\(name)\"" }
}

/// Typed access to the directives of a resource or block.
public protocol DirectiveContainer {
    var directives: [Directive] { get }
}

extension Resource: DirectiveContainer {}
extension ConfigBlock: DirectiveContainer {}

extension DirectiveContainer {
    /// The directive called `name` (any spelling Bacula accepts for the canonical name).
    public func directive(_ name: String) -> Directive? {
        directives.first { configNamesMatch($0.name, name) }
    }

    /// Every value of a directive (several for a repeated one); empty when absent with no default.
    public func values(_ name: String) -> [ConfigValue] { directive(name)?.values ?? [] }

    /// The last value of a directive: Bacula lets the last of several settings win.
    public func value(_ name: String) -> ConfigValue? { values(name).last }

    public func string(_ name: String) -> String? {
        if case .string(let text)? = value(name) { return text }
        if case .keyword(let text)? = value(name) { return text }
        return nil
    }

    public func integer(_ name: String) -> Int64? {
        if case .integer(let number)? = value(name) { return number }
        return nil
    }

    public func size(_ name: String) -> UInt64? {
        if case .size(let bytes)? = value(name) { return bytes }
        return nil
    }

    public func speed(_ name: String) -> UInt64? {
        if case .speed(let bytes)? = value(name) { return bytes }
        return nil
    }

    /// Seconds.
    public func duration(_ name: String) -> Int64? {
        if case .duration(let seconds)? = value(name) { return seconds }
        return nil
    }

    public func bool(_ name: String) -> Bool? {
        if case .boolean(let flag)? = value(name) { return flag }
        return nil
    }

    /// All names of a list or reference directive, over every time it was written.
    public func names(_ name: String) -> [String] {
        values(name).flatMap { value -> [String] in
            switch value {
            case .names(let names): return names
            case .string(let text): return [text]
            default: return []
            }
        }
    }

    /// The nested blocks called `name` (FileSet `Include`), in file order.
    public func blocks(_ name: String) -> [ConfigBlock] {
        values(name).compactMap { value in
            if case .block(let block) = value { return block }
            return nil
        }
    }
}
