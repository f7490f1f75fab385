/// The checks of the TLS directives Bacula 9.6 makes at start-up, as configuration errors naming file and line:
/// `TLS Require` without `TLS Enable`; `TLS Authenticate` (not supported); with TLS enabled, a certificate without its key (or the reverse), a resource
/// that serves TLS without certificate and key, one that verifies peers without a CA, and any named file that
/// cannot be read (through `source`, the configuration's own file access).
enum TLSChecks {
    /// Resources whose TLS serves connections (the TLS server: needs a certificate and key) per daemon.
    static func serves(_ type: String, kind: DaemonKind) -> Bool {
        switch kind {
        case .storage: return type == "Storage" || type == "Director"
        case .fileDaemon: return type == "Director"
        case .director: return type == "Director" || type == "Console"
        case .console: return false
        }
    }

    static func run(_ resources: [Resource], kind: DaemonKind, source: ConfigSource) -> [ConfigDiagnostic] {
        var found: [ConfigDiagnostic] = []
        for resource in resources where resource.directive("TLS Enable") != nil {
            func here(_ directive: String?) -> SourceLocation {
                directive.flatMap { resource.directive($0)?.location } ?? resource.location
                    ?? SourceLocation(file: "", line: 0, column: 0)
            }
            func problem(_ directive: String, _ message: String, _ code: ConfigDiagnostic.Kind = .badValue) {
                found.append(ConfigDiagnostic(code, message, at: here(directive), resource: resource.label, directive: directive))
            }
            let tls = TLSDirectives(resource)
            if resource.bool("TLS Authenticate") == true {
                problem("TLS Authenticate",
                    "\"TLS Authenticate = yes\" (TLS for the handshake only, then plain again) is not supported by Capstan; "
                        + "use \"TLS Enable\" and \"TLS Require\"")
            }
            if tls.require && !tls.enable {
                problem("TLS Require", "\"TLS Require = yes\" needs \"TLS Enable = yes\" in the same resource")
            }
            guard tls.enable else { continue }
            let files = [
                ("TLS CA Certificate File", tls.caCertificateFile), ("TLS Certificate", tls.certificate), ("TLS Key", tls.key),
                ("TLS DH File", tls.dhFile),
            ]
            for case (let directive, let path?) in files {
                do {
                    let text = try source.contents(of: path)
                    if text.isEmpty { problem(directive, "\(directive) file \"\(path)\" is empty") }
                } catch {
                    problem(directive, "cannot read \(directive) file \"\(path)\": \(error)")
                }
            }
            if tls.certificate != nil && tls.key == nil {
                problem("TLS Certificate", "\"TLS Certificate\" is set but \"TLS Key\" is not", .missingDirective)
            }
            if tls.key != nil && tls.certificate == nil {
                problem("TLS Key", "\"TLS Key\" is set but \"TLS Certificate\" is not", .missingDirective)
            }
            let server = serves(resource.type, kind: kind)
            if server && (tls.certificate == nil || tls.key == nil) {
                problem("TLS Enable", "\"TLS Certificate\" and \"TLS Key\" are required with \"TLS Enable = yes\" in this resource",
                    .missingDirective)
            }
            let needsCA = !server || tls.verifyPeer
            if needsCA && tls.caCertificateFile == nil && tls.caCertificateDir == nil {
                problem("TLS Enable",
                    "neither \"TLS CA Certificate File\" nor \"TLS CA Certificate Dir\" is set; a CA is required"
                        + (server ? " with \"TLS Verify Peer\"" : " to verify the peer"), .missingDirective)
            }
        }
        return found
    }
}
