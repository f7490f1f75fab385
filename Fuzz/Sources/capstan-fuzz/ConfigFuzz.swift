import CapstanConfig

/// The configuration language: the input as a file's text, lexed and parsed (once: neither depends on the daemon),
/// checked against each daemon's schema (an `@include` names files of an empty in-memory source), then typed for the
/// Storage daemon and the File daemon. The Director's typed view and its Schedule `Run` lines are the
/// `director-config` target (capstan-fuzz-director).
enum ConfigFuzz {
    static func run(_ input: [UInt8]) {
        let text = String(decoding: input, as: UTF8.self)
        let (tokens, lexDiagnostics) = Lexer.tokenize(text: text, name: "fuzz.conf")
        let (nodes, parseDiagnostics) = Parser.parse(tokens: tokens)
        for kind in DaemonKind.allCases {
            let (configuration, _) = ConfigLoader.check(nodes, kind: kind, earlier: lexDiagnostics + parseDiagnostics)
            switch kind {
            case .storage: _ = StorageDaemonConfiguration(configuration)
            case .fileDaemon: _ = FileDaemonConfiguration(configuration)
            case .director, .console: break
            }
        }
    }
}
