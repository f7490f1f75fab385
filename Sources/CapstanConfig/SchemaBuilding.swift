/// Short constructors for the directive tables of the four daemons.
enum Build {
    static func directive(
        _ name: String, _ kind: ValueKind, _ defaultValue: ConfigValue? = nil, required: Bool = false,
        repeatable: Bool = false, aliases: [String] = []
    ) -> DirectiveSpec {
        DirectiveSpec(name, kind, default: defaultValue.map(DefaultValue.value), required: required, repeatable: repeatable,
            aliases: aliases)
    }

    static func name() -> DirectiveSpec { directive("Name", .name, required: true) }
    static func description() -> DirectiveSpec { directive("Description", .string) }
    static func flag(_ name: String, _ value: Bool, aliases: [String] = []) -> DirectiveSpec {
        directive(name, .boolean, .boolean(value), aliases: aliases)
    }
    static func seconds(_ name: String, _ value: Int64? = nil, aliases: [String] = []) -> DirectiveSpec {
        directive(name, .duration, value.map(ConfigValue.duration), aliases: aliases)
    }
    static func bytes(_ name: String, _ value: UInt64? = nil, aliases: [String] = []) -> DirectiveSpec {
        directive(name, .size, value.map(ConfigValue.size), aliases: aliases)
    }
    static func count(_ name: String, _ value: Int64? = nil, aliases: [String] = []) -> DirectiveSpec {
        directive(name, .integer(0...Int64(UInt32.max)), value.map(ConfigValue.integer), aliases: aliases)
    }
    static func port(_ name: String, _ value: Int64, aliases: [String] = []) -> DirectiveSpec {
        directive(name, .integer(1...65535), .integer(value), aliases: aliases)
    }

    /// The TLS directives every daemon accepts (docs/tls.md; checked by `TLSChecks`, used through `TLSDirectives`).
    static func tls(verifyPeer: Bool = true, dhFile: Bool = true, allowedCN: Bool = true) -> [DirectiveSpec] {
        var specs = [
            flag("TLS Authenticate", false), flag("TLS Enable", false), flag("TLS Require", false),
            directive("TLS CA Certificate File", .path), directive("TLS CA Certificate Dir", .path),
            directive("TLS Certificate", .path), directive("TLS Key", .path),
        ]
        if verifyPeer { specs.append(flag("TLS Verify Peer", true)) }
        if dhFile { specs.append(directive("TLS DH File", .path)) }
        if allowedCN { specs.append(directive("TLS Allowed CN", .stringList, repeatable: true)) }
        return specs
    }

    /// The Messages resource, the same in every daemon.
    static func messages() -> ResourceSchema {
        let plain = ["Syslog", "Stdout", "Stderr", "Console", "Catalog"]
        let addressed = ["Director", "Mail", "Mail On Error", "Mail On Success", "Operator", "File", "Append"]
        return ResourceSchema(
            "Messages",
            directives: [
                name(), description(),
                directive("Mail Command", .string), directive("Operator Command", .string),
            ] + plain.map { directive($0, .messageDestination(takesAddress: false), repeatable: true) }
                + addressed.map { directive($0, .messageDestination(takesAddress: true), repeatable: true) })
    }

    /// The Statistics resource (accepted in every daemon; Capstan exports metrics its own way).
    static func statistics() -> ResourceSchema {
        ResourceSchema(
            "Statistics",
            directives: [
                name(), description(), directive("Prefix", .string), directive("Metrics", .stringList, repeatable: true),
                seconds("Interval", 300), count("Port"), directive("Host", .string),
                directive("Type", .keyword(["CSV", "Graphite"]), required: true), directive("File", .path),
                flag("Mangle Metric", false),
            ])
    }
}
