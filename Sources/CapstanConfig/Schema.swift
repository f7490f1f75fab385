/// What a directive's value must look like.
public indirect enum ValueKind: Equatable, Sendable {
    /// A resource name: at most 127 characters, no control characters.
    case name
    case string
    /// Shown as `*****` nowhere: passwords print as they are, since `config show` output must parse back.
    case password
    case path
    /// A host name or IP address.
    case address
    case integer(ClosedRange<Int64>)
    case size
    case duration
    case speed
    case boolean
    /// One of these words (matched case-insensitively; the first spelling is canonical).
    case keyword([String])
    /// The name of a resource of this type.
    case reference(String)
    /// A comma-separated list of names of resources of this type.
    case references(String)
    /// A comma-separated list of free words (ACLs, `Device` lists of the Director's Storage).
    case stringList
    /// A Messages destination; `takesAddress` for `mail = root = all` as opposed to `console = all`.
    case messageDestination(takesAddress: Bool)
    /// `{ ip = { addr = ...; port = ... } }`, with the port used when an entry gives none.
    case addresses(defaultPort: Int)
    /// A nested block with its own directives.
    case block(BlockSchema)
    case scheduleRun
    /// `yes`/`no`, or the name of a resource of this type (the Director's Storage `Autochanger`).
    case booleanOrReference(String)
}

/// How a directive gets its value when the file leaves it out.
public enum DefaultValue: Equatable, Sendable {
    case value(ConfigValue)
    /// The value of another directive of the same resource.
    case sameAs(String)
    /// The value of a directive of the daemon's own resource, such as the SD's `Working Directory`.
    case daemonResource(type: String, directive: String)
    /// The name of the first resource of a type in the file (the SD's `Messages` when the Storage names none).
    case firstResource(String)
    /// The resource's own name (a Director `Autochanger` is its own autochanger).
    case ownName
}

/// One directive a resource or block accepts.
public struct DirectiveSpec: Equatable, Sendable {
    /// The canonical spelling, as Bacula's manual writes it.
    public var name: String
    public var kind: ValueKind
    public var defaultValue: DefaultValue?
    public var required: Bool
    /// Whether the directive may appear several times (values accumulate).
    public var repeatable: Bool
    /// Other spellings Bacula accepts (`SD Port` for `SDPort`).
    public var aliases: [String]

    public init(
        _ name: String, _ kind: ValueKind, default defaultValue: DefaultValue? = nil, required: Bool = false,
        repeatable: Bool = false, aliases: [String] = []
    ) {
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
        self.required = required
        self.repeatable = repeatable
        self.aliases = aliases
    }

    /// Its name and aliases.
    var spellings: [String] { [name] + aliases }
}

/// The directives of a nested block (FileSet `Include`, `Options`; Job `RunScript`).
public struct BlockSchema: Equatable, Sendable {
    public var name: String
    public var directives: [DirectiveSpec] { didSet { table = DirectiveTable(directives) } }
    private(set) var table: DirectiveTable

    public init(name: String, directives: [DirectiveSpec]) {
        self.name = name
        self.directives = directives
        self.table = DirectiveTable(directives)
    }

    /// The first directive `name` names (any spelling).
    func directive(named name: String) -> DirectiveSpec? {
        table.index.position(of: name).map { directives[$0] }
    }
}

/// What the checker asks of a list of directives for every resource or block it types, worked out once per schema:
/// the name index, each directive's normalized name, each canonical name's position, and the spellings misspelling
/// suggestions are chosen from.
struct DirectiveTable: Equatable, Sendable {
    let index: NameIndex
    /// `normalizedConfigName(directives[i].name)`.
    let normalizedNames: [String]
    /// The position of each directive by its canonical name (the first, should a name repeat).
    let positions: [String: Int]
    /// Every name and alias, in schema order.
    let candidates: NameCandidates

    init(_ directives: [DirectiveSpec]) {
        index = NameIndex(directives.map(\.spellings))
        normalizedNames = directives.map { normalizedConfigName($0.name) }
        var positions: [String: Int] = [:]
        for (position, spec) in directives.enumerated() where positions[spec.name] == nil { positions[spec.name] = position }
        self.positions = positions
        candidates = NameCandidates(directives.flatMap(\.spellings))
    }
}

/// A resource type of one daemon's file.
public struct ResourceSchema: Equatable, Sendable {
    /// The canonical type name (`Device`, `FileDaemon`).
    public var name: String
    public var aliases: [String]
    /// Resources whose names must be unique together (the Director's `Storage` and `Autochanger` share one).
    public var namespace: String
    public var directives: [DirectiveSpec] { didSet { table = DirectiveTable(directives) } }
    private(set) var table: DirectiveTable

    public init(_ name: String, aliases: [String] = [], namespace: String? = nil, directives: [DirectiveSpec]) {
        self.name = name
        self.aliases = aliases
        self.namespace = namespace ?? name
        self.directives = directives
        self.table = DirectiveTable(directives)
    }

    /// Its type name and aliases.
    var spellings: [String] { [name] + aliases }

    /// The first directive `name` names (any spelling).
    func directive(named name: String) -> DirectiveSpec? {
        table.index.position(of: name).map { directives[$0] }
    }
}

/// The four kinds of configuration file.
public enum DaemonKind: String, CaseIterable, Equatable, Sendable {
    case storage = "sd"
    case director = "dir"
    case fileDaemon = "fd"
    case console

    public var displayName: String {
        switch self {
        case .storage: return "Storage daemon"
        case .director: return "Director"
        case .fileDaemon: return "File daemon"
        case .console: return "console"
        }
    }
}

/// How many resources of a type a file must have.
public struct ResourceRequirement: Equatable, Sendable {
    public var type: String
    public var exactlyOne: Bool
}

/// Everything a daemon's file may contain.
public struct DaemonSchema: Equatable, Sendable {
    public var kind: DaemonKind
    public var resources: [ResourceSchema] { didSet { index = NameIndex(resources.map(\.spellings)) } }
    public var required: [ResourceRequirement]
    private var index: NameIndex

    public init(kind: DaemonKind, resources: [ResourceSchema], required: [ResourceRequirement]) {
        self.kind = kind
        self.resources = resources
        self.required = required
        self.index = NameIndex(resources.map(\.spellings))
    }

    /// The first resource type `name` names (any spelling).
    public func resource(named name: String) -> ResourceSchema? {
        index.position(of: name).map { resources[$0] }
    }

    /// The schema for each kind of file.
    public static func forKind(_ kind: DaemonKind) -> DaemonSchema {
        switch kind {
        case .storage: return .storageDaemon
        case .director: return .director
        case .fileDaemon: return .fileDaemon
        case .console: return .console
        }
    }
}
