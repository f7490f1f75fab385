/// The one entry point the daemons and tools use: read a file (with includes), parse, and check it for a daemon.
public enum ConfigLoader {
    /// Lexes, parses and checks the file at `path`. When `kind` is nil it is detected from the resources.
    /// Returns the typed configuration (whatever could be typed) and every diagnostic; the configuration is
    /// usable only when `diagnostics` holds no error.
    public static func load(path: String, kind: DaemonKind? = nil, source: ConfigSource)
        -> (configuration: Configuration, diagnostics: ConfigDiagnostics)
    {
        let (tokens, lexDiagnostics) = Lexer.tokenize(file: path, source: source)
        return finish(tokens: tokens, earlier: lexDiagnostics, kind: kind, source: source)
    }

    /// The same for text that is already in memory (`name` appears in locations).
    public static func load(text: String, name: String, kind: DaemonKind? = nil, source: ConfigSource = InMemoryConfigSource([:]))
        -> (configuration: Configuration, diagnostics: ConfigDiagnostics)
    {
        let (tokens, lexDiagnostics) = Lexer.tokenize(text: text, name: name, source: source)
        return finish(tokens: tokens, earlier: lexDiagnostics, kind: kind, source: source)
    }

    /// Loads and throws `ConfigDiagnostics` when there is any error; warnings are returned with the configuration.
    public static func loadValid(path: String, kind: DaemonKind, source: ConfigSource) throws -> (Configuration, [ConfigDiagnostic]) {
        let (configuration, diagnostics) = load(path: path, kind: kind, source: source)
        if !diagnostics.errors.isEmpty { throw diagnostics }
        return (configuration, diagnostics.warnings)
    }

    private static func finish(tokens: [Token], earlier: [ConfigDiagnostic], kind: DaemonKind?, source: ConfigSource)
        -> (configuration: Configuration, diagnostics: ConfigDiagnostics)
    {
        let (nodes, parseDiagnostics) = Parser.parse(tokens: tokens)
        return check(nodes, kind: kind, earlier: earlier + parseDiagnostics, source: source)
    }

    /// Checks resources already lexed and parsed (`Lexer`, `Parser`) as `load` does, `earlier` being the lexer's and
    /// parser's diagnostics: for checking one text for several daemons without reading it again each time.
    public static func check(
        _ nodes: [ResourceNode], kind: DaemonKind?, earlier: [ConfigDiagnostic] = [],
        source: ConfigSource = InMemoryConfigSource([:])
    ) -> (configuration: Configuration, diagnostics: ConfigDiagnostics) {
        let daemon = kind ?? detectKind(nodes.map(\.typeName))
        let (configuration, checkDiagnostics) = ConfigChecker.check(nodes, schema: .forKind(daemon))
        let tlsDiagnostics = TLSChecks.run(configuration.resources, kind: daemon, source: source)
        var all = earlier + checkDiagnostics + tlsDiagnostics
        all.sort { ($0.location.file, $0.location.line, $0.location.column) < ($1.location.file, $1.location.line, $1.location.column) }
        return (configuration, ConfigDiagnostics(all))
    }

    /// Which daemon a file is for, from the resource types it holds: `Device` means a Storage daemon, `FileDaemon`
    /// a File daemon, `Job`/`Pool`/`Catalog`/`FileSet`/`Schedule` a Director; a file of only `Director` and
    /// `Console` resources is a console's.
    public static func detectKind(_ typeNames: [String]) -> DaemonKind {
        let types = Set(typeNames.map(normalizedConfigName))
        let director: Set = ["job", "jobdefs", "pool", "catalog", "fileset", "schedule", "counter"]
        if !types.isDisjoint(with: director) { return .director }
        if types.contains("device") || types.contains("storage") || types.contains("autochanger") { return .storage }
        if types.contains("filedaemon") || types.contains("client") { return .fileDaemon }
        if types.isSubset(of: ["director", "console"]) { return .console }
        return .storage
    }
}
