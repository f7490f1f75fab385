extension DaemonSchema {
    /// bacula-sd.conf: Storage (exactly one), Director, Device, Autochanger, Messages (Bacula 9.6 defaults).
    public static let storageDaemon = DaemonSchema(
        kind: .storage,
        resources: [
            ResourceSchema(
                "Storage",
                directives: [
                    Build.name(), Build.description(),
                    Build.directive("SD Address", .address),
                    Build.directive("SD Addresses", .addresses(defaultPort: 9103)),
                    Build.port("SD Port", 9103),
                    DirectiveSpec("Messages", .reference("Messages"), default: .firstResource("Messages")),
                    Build.directive("Working Directory", .path, required: true),
                    Build.directive("Pid Directory", .path, required: true),
                    Build.directive("Subsys Directory", .path), Build.directive("Plugin Directory", .path),
                    Build.directive("Scripts Directory", .path),
                    Build.count("Maximum Concurrent Jobs", 20),
                    Build.seconds("Client Connect Timeout", 1800), Build.seconds("Heartbeat Interval", HeartbeatDefault.seconds),
                    Build.seconds("Client Connect Wait", 1800),
                    Build.directive("Ver Id", .string), Build.flag("Comm Compression", true),
                    // Capstan extensions (a Bacula SD does not know them): Prometheus metrics over HTTP, off by default.
                    Build.directive("Metrics Port", .integer(0...65535), .integer(0)),
                    Build.directive("Metrics Address", .address, .string("127.0.0.1")),
                    // Capstan extension: each handshake step (the hello, the challenge response) must arrive within
                    // this time, or the connection is closed; slow-loris peers cannot hold sockets.
                    Build.seconds("Handshake Timeout", 60),
                ] + Build.tls()),
            ResourceSchema(
                "Director",
                directives: [
                    Build.name(), Build.description(), Build.directive("Password", .password, required: true),
                    Build.flag("Monitor", false),
                ] + Build.tls()),
            ResourceSchema(
                "Device",
                directives: [
                    Build.name(), Build.description(),
                    Build.directive("Media Type", .string, required: true),
                    Build.directive("Archive Device", .string, required: true),
                    Build.directive(
                        "Device Type", .keyword(["File", "Tape", "Fifo", "VTape", "Vtl", "Aligned", "Null", "Cloud"])),
                    Build.directive("Aligned Device", .string),
                    Build.flag("Hardware End of File", true), Build.flag("Hardware End of Medium", true),
                    Build.flag("Backward Space Record", true), Build.flag("Backward Space File", true),
                    Build.flag("BSF at EOM", false), Build.flag("Two EOF", false),
                    Build.flag("Forward Space Record", true), Build.flag("Forward Space File", true),
                    Build.flag("Fast Forward Space File", true), Build.flag("Removable Media", true),
                    Build.flag("Random Access", false), Build.flag("Automatic Mount", false),
                    Build.flag("Label Media", false), Build.flag("Always Open", true), Build.flag("Autochanger", false),
                    Build.flag("Close on Poll", false), Build.flag("Block Positioning", true),
                    Build.flag("Use MTIOCGET", true), Build.flag("Check Labels", false), Build.flag("Requires Mount", false),
                    Build.flag("Offline on Unmount", false), Build.flag("Block Checksum", true),
                    Build.flag("Sync on Close", false), Build.flag("Enabled", true), Build.flag("AutoSelect", true),
                    Build.flag("Read Only", false),
                    Build.directive("Changer Device", .string), Build.directive("Control Device", .string),
                    Build.directive("Changer Command", .string), Build.directive("Alert Command", .string),
                    Build.directive("Lock Command", .string), Build.directive("Worm Command", .string),
                    Build.seconds("Maximum Changer Wait", 300), Build.seconds("Maximum Open Wait", 300),
                    Build.seconds("Maximum Rewind Wait", 300), Build.seconds("Volume Poll Interval", 300),
                    Build.count("Maximum Network Buffer Size", 0),
                    Build.directive("Minimum Block Size", .size, .size(0)),
                    Build.directive("Maximum Block Size", .size, .size(0)),
                    Build.bytes("Padding Size", 4096), Build.bytes("File Alignment", 4096),
                    Build.bytes("Minimum Aligned Size", 4096),
                    Build.bytes("Maximum Volume Size", 0), Build.bytes("Maximum File Size", 1_000_000_000),
                    Build.bytes("Volume Capacity", 0),
                    Build.bytes("Minimum Free Space", 5_000_000, aliases: ["Minimum Fee Space"]),
                    Build.count("Maximum Concurrent Jobs", 0),
                    DirectiveSpec("Spool Directory", .path, default: .daemonResource(type: "Storage", directive: "Working Directory")),
                    Build.bytes("Maximum Spool Size", 0), Build.bytes("Maximum Job Spool Size", 0),
                    // Capstan's spool memory (docs/devices.md): spooled blocks wait here while the drive keeps up
                    Build.bytes("Spool Memory Size", 16 << 20),
                    Build.count("Drive Index", 0), Build.bytes("Maximum Part Size", 0),
                    Build.directive("Mount Point", .string), Build.directive("Mount Command", .string),
                    Build.directive("Unmount Command", .string), Build.directive("Write Part Command", .string),
                    Build.directive("Free Space Command", .string),
                    Build.directive("Label Type", .keyword(["Bacula", "ANSI", "IBM"]), .keyword("Bacula")),
                    Build.directive("Cloud", .reference("Cloud")),
                    // Capstan's own test directive (docs/faults.md): a virtual tape fails the write of this record
                    Build.count("Fail Write At Block", 0),
                    // Capstan's virtual tape speed model (docs/devices.md): rated speed, speed matching, drive buffer
                    Build.directive("Maximum Tape Rate", .speed, .speed(0)),
                    Build.directive("Minimum Tape Rate", .speed, .speed(0)),
                    Build.bytes("Tape Buffer Size", 16 << 20),
                ]),
            ResourceSchema(
                "Autochanger",
                directives: [
                    Build.name(), Build.description(),
                    Build.directive("Device", .references("Device"), required: true, repeatable: true),
                    Build.directive("Changer Device", .string, required: true),
                    Build.directive("Changer Command", .string, required: true),
                    Build.directive("Lock Command", .string),
                ]),
            Build.messages(),
            ResourceSchema(
                "Cloud",
                directives: [
                    Build.name(), Build.description(), Build.directive("Driver", .keyword(["S3", "File"]), required: true),
                    Build.directive("Host Name", .string, required: true),
                    Build.directive("Bucket Name", .string, required: true), Build.directive("Region", .string),
                    Build.directive("Access Key", .password, required: true),
                    Build.directive("Secret Key", .password, required: true),
                    Build.directive("Protocol", .keyword(["HTTPS", "HTTP"]), .keyword("HTTPS")),
                    Build.directive("Uri Style", .keyword(["VirtualHost", "Path"]), .keyword("VirtualHost")),
                    Build.directive("Truncate Cache", .keyword(["No", "AfterUpload", "AtEndOfJob"]), .keyword("No")),
                    Build.directive("Upload", .keyword(["No", "EachPart", "AtEndOfJob"]), .keyword("No")),
                    Build.count("Maximum Concurrent Uploads", 0), Build.count("Maximum Concurrent Downloads", 0),
                    Build.directive("Maximum Upload Bandwidth", .speed), Build.directive("Maximum Download Bandwidth", .speed),
                ]),
            Build.statistics(),
        ],
        required: [
            ResourceRequirement(type: "Storage", exactlyOne: true), ResourceRequirement(type: "Director", exactlyOne: false),
            ResourceRequirement(type: "Device", exactlyOne: false), ResourceRequirement(type: "Messages", exactlyOne: false),
        ])
}
