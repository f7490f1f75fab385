extension DaemonSchema {
    /// bacula-fd.conf: FileDaemon (alias Client, exactly one), Director, Messages, Console (Bacula 9.6 defaults).
    public static let fileDaemon = DaemonSchema(
        kind: .fileDaemon,
        resources: [
            ResourceSchema(
                "FileDaemon", aliases: ["Client"],
                directives: [
                    Build.name(), Build.description(), Build.port("FD Port", 9102), Build.directive("FD Address", .address),
                    Build.directive("FD Addresses", .addresses(defaultPort: 9102)),
                    Build.directive("FD Source Address", .address),
                    Build.directive("Working Directory", .path, required: true),
                    Build.directive("Pid Directory", .path, required: true),
                    Build.directive("Subsys Directory", .path), Build.directive("Plugin Directory", .path),
                    Build.directive("Scripts Directory", .path), Build.directive("Snapshot Command", .string),
                    Build.count("Maximum Concurrent Jobs", 20),
                    DirectiveSpec("Messages", .reference("Messages"), default: .firstResource("Messages")),
                    Build.seconds("SD Connect Timeout", 1800), Build.seconds("Heartbeat Interval", HeartbeatDefault.seconds),
                    Build.count("Maximum Network Buffer Size", 0), Build.flag("PKI Signatures", false),
                    Build.flag("PKI Encryption", false), Build.directive("PKI Key Pair", .path),
                    Build.directive("PKI Signer", .stringList, repeatable: true),
                    Build.directive("PKI Master Key", .stringList, repeatable: true),
                    Build.directive("PKI Cipher", .keyword(["aes128", "aes192", "aes256", "blowfish"]), .keyword("aes128")),
                    Build.directive("PKI Digest", .keyword(["md5", "sha1", "sha256"])),
                    Build.directive("Ver Id", .string), Build.directive("Maximum Bandwidth Per Job", .speed, .speed(0)),
                    Build.flag("Comm Compression", true), Build.directive("Disable Command", .stringList, repeatable: true),
                ] + Build.tls(verifyPeer: false, dhFile: false, allowedCN: false)),
            ResourceSchema(
                "Director",
                directives: [
                    Build.name(), Build.description(), Build.directive("Password", .password, required: true),
                    Build.directive("Address", .address), Build.flag("Monitor", false), Build.flag("Remote", false),
                    Build.directive("Maximum Bandwidth Per Job", .speed, .speed(0)),
                    Build.directive("Disable Command", .stringList, repeatable: true),
                    Build.directive("Console", .reference("Console")),
                ] + Build.tls()),
            Build.messages(),
            ResourceSchema(
                "Console",
                directives: [
                    Build.name(), Build.description(), Build.directive("Password", .password, required: true),
                    Build.directive("Address", .address), Build.port("DIR Port", 9101),
                ] + Build.tls()),
            Build.statistics(),
        ],
        required: [
            ResourceRequirement(type: "FileDaemon", exactlyOne: true), ResourceRequirement(type: "Director", exactlyOne: false),
            ResourceRequirement(type: "Messages", exactlyOne: false),
        ])

    /// bconsole.conf: Director and Console.
    public static let console = DaemonSchema(
        kind: .console,
        resources: [
            ResourceSchema(
                "Director",
                directives: [
                    Build.name(), Build.description(), Build.port("DIR Port", 9101), Build.directive("Address", .address),
                    Build.directive("Password", .password, required: true), Build.seconds("Heartbeat Interval", HeartbeatDefault.seconds),
                ] + Build.tls(verifyPeer: false, dhFile: false, allowedCN: false)),
            ResourceSchema(
                "Console",
                directives: [
                    Build.name(), Build.description(), Build.directive("RC File", .path),
                    Build.directive("History File", .path), Build.directive("Password", .password, required: true),
                    Build.directive("Director", .reference("Director")), Build.seconds("Heartbeat Interval", HeartbeatDefault.seconds),
                    Build.flag("Comm Compression", true),
                ] + Build.tls(verifyPeer: false, dhFile: false, allowedCN: false)),
        ],
        required: [ResourceRequirement(type: "Director", exactlyOne: false)])
}
