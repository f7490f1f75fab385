/// Gives a parsed file its meaning for one daemon: types every directive, fills in Bacula's defaults, applies JobDefs,
/// and checks names, required directives, required resources and references. Reports every problem it finds.
public struct ConfigChecker {
    public let schema: DaemonSchema
    private(set) var diagnostics: [ConfigDiagnostic] = []

    public init(schema: DaemonSchema) {
        self.schema = schema
    }

    /// Types the resources; the configuration holds what could be typed even when there are errors.
    public static func check(_ nodes: [ResourceNode], schema: DaemonSchema) -> (Configuration, [ConfigDiagnostic]) {
        var checker = ConfigChecker(schema: schema)
        let configuration = checker.run(nodes)
        return (configuration, checker.diagnostics)
    }

    private mutating func run(_ nodes: [ResourceNode]) -> Configuration {
        var typed: [(Resource, ResourceSchema, ResourceNode)] = []
        for node in nodes {
            guard let resourceSchema = schema.resource(named: node.typeName) else {
                var message = "unknown resource type \"\(node.typeName)\" in a \(schema.kind.displayName) configuration"
                if let other = DaemonKind.allCases.first(where: { DaemonSchema.forKind($0).resource(named: node.typeName) != nil }) {
                    message += " (it belongs in a \(other.displayName) configuration)"
                }
                diagnostics.append(
                    ConfigDiagnostic(.unknownResource, message, at: node.location, resource: node.typeName,
                        suggestion: NameSuggestion.nearest(to: node.typeName, in: schema.resources.map(\.name))))
                continue
            }
            let name = nameOf(node)
            let label = "\(resourceSchema.name) \"\(name ?? "?")\""
            let directives = typeStatements(
                node.statements, candidates: resourceSchema.table.candidates, lookup: resourceSchema.directive(named:),
                context: label)
            typed.append((Resource(type: resourceSchema.name, name: name ?? "", directives: directives, location: node.location),
                resourceSchema, node))
        }

        var resources = typed.map(\.0)
        applyJobDefs(&resources)
        for index in resources.indices {
            let resourceSchema = typed[index].1
            fillDefaults(&resources[index], schema: resourceSchema, all: resources)
            checkRequired(resources[index], schema: resourceSchema)
        }
        checkDuplicateNames(typed.map { ($0.0, $0.1) })
        checkRequiredResources(resources, nodes: nodes)
        checkReferences(resources)
        diagnostics += ConsistencyChecks.run(resources, kind: schema.kind)
        diagnostics.sort { ($0.location.file, $0.location.line, $0.location.column) < ($1.location.file, $1.location.line, $1.location.column) }
        return Configuration(kind: schema.kind, resources: resources)
    }

    /// The resource's `Name`, read early so diagnostics can say which resource they are about.
    private func nameOf(_ node: ResourceNode) -> String? {
        for statement in node.statements where configNamesMatch(statement.name, "name") {
            if case .value(let tokens) = statement.content, let text = tokens.first?.text { return text }
        }
        return nil
    }

    /// `candidates` are the names and aliases of the directives `lookup` knows, for suggestions.
    private mutating func typeStatements(
        _ statements: [Statement], candidates: NameCandidates, lookup: (String) -> DirectiveSpec?, context: String
    ) -> [Directive] {
        var result: [Directive] = []
        // Where each directive of `result` is, by its canonical name.
        var positions: [String: Int] = [:]
        for statement in statements {
            guard let spec = lookup(statement.name) else {
                diagnostics.append(
                    ConfigDiagnostic(.unknownDirective, "unknown directive \"\(statement.name)\"", at: statement.location,
                        resource: context, directive: statement.name,
                        suggestion: NameSuggestion.nearest(to: statement.name, in: candidates)))
                continue
            }
            guard let value = typeStatement(statement, spec: spec, context: context) else { continue }
            if let index = positions[spec.name] {
                if spec.repeatable {
                    result[index].values.append(value)
                } else {
                    diagnostics.append(
                        ConfigDiagnostic(.duplicateDirective,
                            "\"\(statement.name)\" is set more than once; the last value wins (first set at line \(result[index].location?.line ?? 0))",
                            at: statement.location, resource: context, directive: statement.name, severity: .warning))
                    result[index].values = [value]
                    result[index].location = statement.location
                }
            } else {
                positions[spec.name] = result.count
                result.append(Directive(name: spec.name, values: [value], location: statement.location))
            }
        }
        return result
    }

    private mutating func typeStatement(_ statement: Statement, spec: DirectiveSpec, context: String) -> ConfigValue? {
        switch (statement.content, spec.kind) {
        case (.block(let body, _), .block(let blockSchema)):
            let label = "\(blockSchema.name) block of \(context)"
            var directives = typeStatements(
                body, candidates: blockSchema.table.candidates, lookup: blockSchema.directive(named:), context: label)
            for inner in blockSchema.directives where directives.first(where: { $0.name == inner.name }) == nil {
                if case .value(let value)? = inner.defaultValue {
                    directives.append(Directive(name: inner.name, values: [value], isDefault: true))
                }
                if inner.required {
                    diagnostics.append(
                        ConfigDiagnostic(.missingDirective, "\(blockSchema.name) block needs \"\(inner.name)\"",
                            at: statement.location, resource: context, directive: inner.name))
                }
            }
            return .block(ConfigBlock(name: blockSchema.name, directives: directives))
        case (.block(let body, _), .addresses(let defaultPort)):
            return addresses(body, defaultPort: defaultPort, directive: statement.name, context: context, at: statement.location)
        case (.block, _):
            diagnostics.append(
                ConfigDiagnostic(.badValue, "\"\(statement.name)\" takes a value (\(statement.name) = ...), not a block",
                    at: statement.location, resource: context, directive: statement.name))
            return nil
        case (.value(let tokens), _):
            var typing = ValueTyping(resourceLabel: context)
            let value = typing.type(tokens, as: spec, written: statement.name, at: statement.location)
            diagnostics += typing.diagnostics
            return value
        }
    }

    /// `{ ip = { addr = 1.2.3.4; port = 9103 } ipv4 = { addr = ... } }`.
    private mutating func addresses(
        _ body: [Statement], defaultPort: Int, directive: String, context: String, at location: SourceLocation
    ) -> ConfigValue? {
        var result: [ListenAddress] = []
        for entry in body {
            guard let family = ListenAddress.Family(rawValue: entry.name.lowercased()) else {
                diagnostics.append(
                    ConfigDiagnostic(.badValue, "\"\(entry.name)\" is not an address family (ip, ipv4 or ipv6)",
                        at: entry.location, resource: context, directive: directive,
                        suggestion: NameSuggestion.nearest(to: entry.name, in: ["ip", "ipv4", "ipv6"])))
                continue
            }
            guard case .block(let fields, _) = entry.content else {
                diagnostics.append(
                    ConfigDiagnostic(.badValue, "\"\(entry.name)\" takes a block: \(entry.name) = { addr = ...; port = ... }",
                        at: entry.location, resource: context, directive: directive))
                continue
            }
            var host = family == .ipv6 ? "::" : "0.0.0.0"
            var port = defaultPort
            for field in fields {
                guard case .value(let tokens) = field.content, let text = tokens.first?.text else {
                    diagnostics.append(
                        ConfigDiagnostic(.badValue, "\"\(field.name)\" needs a value", at: field.location, resource: context,
                            directive: directive))
                    continue
                }
                switch field.name.lowercased() {
                case "addr": host = text
                case "port":
                    guard let number = Int(text), (1...65535).contains(number) else {
                        diagnostics.append(
                            ConfigDiagnostic(.badValue, "port \"\(text)\" is not a number from 1 to 65535", at: tokens[0].location,
                                resource: context, directive: directive))
                        continue
                    }
                    port = number
                default:
                    diagnostics.append(
                        ConfigDiagnostic(.badValue, "\"\(field.name)\" is not addr or port", at: field.location, resource: context,
                            directive: directive, suggestion: NameSuggestion.nearest(to: field.name, in: ["addr", "port"])))
                }
            }
            result.append(ListenAddress(family: family, host: host, port: port))
        }
        if result.isEmpty {
            diagnostics.append(
                ConfigDiagnostic(.badValue, "\"\(directive)\" lists no address", at: location, resource: context, directive: directive))
            return nil
        }
        return .addresses(result)
    }

    /// A Job takes every directive its JobDefs sets that the Job itself does not set (JobDefs may chain).
    private mutating func applyJobDefs(_ resources: inout [Resource]) {
        guard schema.kind == .director else { return }
        let jobDefs = resources.filter { $0.type == "JobDefs" }
        for index in resources.indices where resources[index].type == "Job" || resources[index].type == "JobDefs" {
            var visited: Set<String> = [resources[index].name]
            var parentName = resources[index].string("JobDefs")
            while let name = parentName {
                guard let parent = jobDefs.first(where: { $0.name == name }), !visited.contains(name) else { break }
                visited.insert(name)
                for directive in parent.directives
                where directive.name != "Name" && directive.name != "JobDefs"
                    && resources[index].directive(directive.name) == nil
                {
                    resources[index].directives.append(directive)
                }
                parentName = parent.string("JobDefs")
            }
        }
    }

    private func fillDefaults(_ resource: inout Resource, schema resourceSchema: ResourceSchema, all: [Resource]) {
        // What the resource sets, by normalized name (kept up to date below): one lookup per directive of the schema.
        var present = Set(resource.directives.map { normalizedConfigName($0.name) })
        let table = resourceSchema.table
        for (position, spec) in resourceSchema.directives.enumerated() where !present.contains(table.normalizedNames[position]) {
            let before = resource.directives.count
            switch spec.defaultValue {
            case .value(let value)?:
                resource.directives.append(Directive(name: spec.name, values: [value], isDefault: true))
            case .sameAs(let other)?:
                if let source = resource.directive(other) {
                    resource.directives.append(Directive(name: spec.name, values: source.values, isDefault: true))
                }
            case .daemonResource(let type, let other)?:
                if let source = all.first(where: { $0.type == type })?.directive(other) {
                    resource.directives.append(Directive(name: spec.name, values: source.values, isDefault: true))
                }
            case .firstResource(let type)?:
                if let first = all.first(where: { $0.type == type }) {
                    resource.directives.append(Directive(name: spec.name, values: [.string(first.name)], isDefault: true))
                }
            case .ownName?:
                resource.directives.append(Directive(name: spec.name, values: [.string(resource.name)], isDefault: true))
            case nil:
                continue
            }
            if resource.directives.count > before { present.insert(table.normalizedNames[position]) }
        }
        // Schema order makes `config show` stable whatever order the file used. Each directive's position is looked
        // up once, not twice per comparison (the same comparisons, so the same order).
        let order = table.positions
        var placed = resource.directives.map { (position: order[$0.name] ?? Int.max, directive: $0) }
        placed.sort { $0.position < $1.position }
        resource.directives = placed.map(\.directive)
    }

    private mutating func checkRequired(_ resource: Resource, schema resourceSchema: ResourceSchema) {
        for spec in resourceSchema.directives where spec.required && resource.directive(spec.name) == nil {
            diagnostics.append(
                ConfigDiagnostic(.missingDirective, "\(resource.type) resource needs \"\(spec.name)\"",
                    at: resource.location ?? SourceLocation(file: "", line: 0, column: 0),
                    resource: resource.name.isEmpty ? resource.type : resource.label, directive: spec.name))
        }
    }

    private mutating func checkDuplicateNames(_ resources: [(Resource, ResourceSchema)]) {
        var seen: [String: Resource] = [:]
        for (resource, resourceSchema) in resources where !resource.name.isEmpty {
            let key = resourceSchema.namespace + "\u{0}" + resource.name
            if let first = seen[key] {
                diagnostics.append(
                    ConfigDiagnostic(.duplicateName,
                        "\(resource.type) name \"\(resource.name)\" is already used by the \(first.type) at line \(first.location?.line ?? 0)",
                        at: resource.location ?? SourceLocation(file: "", line: 0, column: 0), resource: resource.label))
            } else {
                seen[key] = resource
            }
        }
    }

    private mutating func checkRequiredResources(_ resources: [Resource], nodes: [ResourceNode]) {
        let fileStart = nodes.first?.location ?? SourceLocation(file: "", line: 1, column: 1)
        for requirement in schema.required {
            let found = resources.filter { $0.type == requirement.type }
            if found.isEmpty {
                diagnostics.append(
                    ConfigDiagnostic(.missingResource,
                        "a \(schema.kind.displayName) configuration needs a \(requirement.type) resource", at: fileStart))
            } else if requirement.exactlyOne, found.count > 1, let second = found.dropFirst().first {
                diagnostics.append(
                    ConfigDiagnostic(.duplicateName, "only one \(requirement.type) resource is allowed",
                        at: second.location ?? fileStart, resource: second.label))
            }
        }
    }

    /// Every name a directive uses to point at another resource must be defined in the same file.
    private mutating func checkReferences(_ resources: [Resource]) {
        var namesByNamespace: [String: [String]] = [:]
        for resource in resources {
            guard let resourceSchema = schema.resource(named: resource.type) else { continue }
            namesByNamespace[resourceSchema.namespace, default: []].append(resource.name)
        }
        for resource in resources {
            guard let resourceSchema = schema.resource(named: resource.type) else { continue }
            for directive in resource.directives {
                guard let spec = resourceSchema.directive(named: directive.name) else { continue }
                let targetType: String
                switch spec.kind {
                case .reference(let type), .references(let type), .booleanOrReference(let type): targetType = type
                default: continue
                }
                let namespace = schema.resource(named: targetType)?.namespace ?? targetType
                let known = namesByNamespace[namespace] ?? []
                for name in resource.names(directive.name) where !known.contains(name) {
                    diagnostics.append(
                        ConfigDiagnostic(.undefinedReference,
                            "\(directive.name) \"\(name)\" is not defined (no \(targetType) resource has that name)",
                            at: directive.location ?? resource.location ?? SourceLocation(file: "", line: 0, column: 0),
                            resource: resource.label, directive: directive.name,
                            suggestion: NameSuggestion.nearest(to: name, in: known)))
                }
            }
        }
    }
}
