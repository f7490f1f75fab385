extension DaemonSchema {
    static let jobLevels = [
        "Full", "Base", "Incremental", "Differential", "Since", "VirtualFull", "Catalog", "InitCatalog", "VolumeToCatalog",
        "DiskToCatalog", "Data",
    ]

    /// FileSet `Options { ... }`: the values come from fixed word tables (only yes/no for flags, as in Bacula).
    static let fileSetOptions = BlockSchema(
        name: "Options",
        directives: [
            Build.directive(
                "Compression",
                .keyword(["GZIP", "GZIP1", "GZIP2", "GZIP3", "GZIP4", "GZIP5", "GZIP6", "GZIP7", "GZIP8", "GZIP9", "LZO"])),
            Build.directive("Signature", .keyword(["MD5", "SHA1", "SHA256", "SHA512"])),
        ]
            + [
                "OneFS", "Recurse", "Sparse", "HardLinks", "Portable", "MtimeOnly", "KeepAtime", "Exclude", "ACL Support",
                "IgnoreCase", "HFSPlus Support", "NoAtime", "Enhanced Wild", "Check File Changes", "Honor NoDump Flag",
                "Xattr Support", "Read Fifo",
            ].map { Build.directive($0, .keyword(["yes", "no"])) }
            + [
                Build.directive("Replace", .keyword(["Always", "IfNewer", "Never"])),
                Build.directive("Verify", .string), Build.directive("Accurate", .string), Build.directive("BaseJob", .string),
                Build.count("Strip Path"),
                Build.directive("Regex", .string, repeatable: true), Build.directive("Regex Dir", .string, repeatable: true),
                Build.directive("Regex File", .string, repeatable: true), Build.directive("Wild", .string, repeatable: true),
                Build.directive("Wild Dir", .string, repeatable: true), Build.directive("Wild File", .string, repeatable: true),
                Build.directive("Base", .string, repeatable: true), Build.directive("Plugin", .string),
                Build.directive("FS Type", .stringList, repeatable: true),
                Build.directive("Drive Type", .stringList, repeatable: true),
            ])

    static let fileSetInclude = BlockSchema(
        name: "Include",
        directives: [
            Build.directive("File", .string, repeatable: true), Build.directive("Plugin", .string, repeatable: true),
            Build.directive("Exclude Dir Containing", .string),
            Build.directive("Options", .block(fileSetOptions), repeatable: true),
        ])

    static let fileSetExclude = BlockSchema(
        name: "Exclude", directives: [Build.directive("File", .string, repeatable: true)])

    static let runScript = BlockSchema(
        name: "RunScript",
        directives: [
            Build.directive("Command", .string, repeatable: true), Build.directive("Console", .string, repeatable: true),
            Build.directive("Target", .string), Build.directive("Runs On Client", .string),
            Build.flag("Runs On Success", true), Build.flag("Runs On Failure", false),
            Build.flag("Fail Job On Error", true, aliases: ["Abort Job On Error"]),
            Build.directive("Runs When", .keyword(["Before", "After", "AfterVSS", "AfterSnapshot", "Always", "Never"]),
                .keyword("Never")),
        ])

    /// The Job table; JobDefs shares it without required directives.
    static func jobDirectives(requiring: Bool) -> [DirectiveSpec] {
        [
            Build.name(), Build.description(),
            Build.directive("Type", .keyword(["Backup", "Admin", "Verify", "Restore", "Migrate", "Copy"]), required: requiring),
            Build.directive("Level", .keyword(jobLevels)),
            Build.directive("Messages", .reference("Messages"), required: requiring),
            Build.directive("Storage", .references("Storage"), repeatable: true),
            Build.directive("Pool", .reference("Pool"), required: requiring),
            Build.directive("Next Pool", .reference("Pool")), Build.directive("Full Backup Pool", .reference("Pool")),
            Build.directive("Virtual Full Backup Pool", .reference("Pool")),
            Build.directive("Incremental Backup Pool", .reference("Pool")),
            Build.directive("Differential Backup Pool", .reference("Pool")),
            Build.directive("Client", .reference("Client"), required: requiring),
            Build.directive("FileSet", .reference("FileSet"), required: requiring),
            Build.directive("Schedule", .reference("Schedule")),
            Build.directive("Verify Job", .reference("Job"), aliases: ["Job To Verify"]),
            Build.directive("JobDefs", .reference("JobDefs")),
            Build.directive("Run", .stringList, repeatable: true),
            Build.directive("Where", .path), Build.directive("Regex Where", .string),
            Build.directive("Strip Prefix", .string), Build.directive("Add Prefix", .string),
            Build.directive("Add Suffix", .string), Build.directive("Bootstrap", .path),
            Build.directive("Restore Client", .string), Build.directive("Write Bootstrap", .path),
            Build.directive("Write Verify List", .path),
            Build.directive("Replace", .keyword(["Always", "IfNewer", "IfOlder", "Never"]), .keyword("Always")),
            Build.directive("Maximum Bandwidth", .speed, .speed(0)),
            Build.seconds("Max Run Sched Time", 0), Build.seconds("Max Run Time", 0),
            Build.seconds("Full Max Run Time", 0, aliases: ["Full Max Wait Time"]),
            Build.seconds("Incremental Max Run Time", 0, aliases: ["Incremental Max Wait Time"]),
            Build.seconds("Differential Max Run Time", 0, aliases: ["Differential Max Wait Time"]),
            Build.seconds("Max Wait Time", 0), Build.seconds("Max Start Delay", 0), Build.seconds("Max Full Interval", 0),
            Build.seconds("Max Virtual Full Interval", 0), Build.seconds("Max Diff Interval", 0),
            Build.flag("Prefix Links", false), Build.flag("Prune Jobs", false), Build.flag("Prune Files", false),
            Build.flag("Prune Volumes", false), Build.flag("Purge Migration Job", false), Build.flag("Enabled", true),
            Build.seconds("Snapshot Retention", 0), Build.flag("Spool Attributes", true), Build.flag("Spool Data", false),
            Build.bytes("Spool Size", 0), Build.flag("Rerun Failed Levels", false),
            Build.flag("Prefer Mounted Volumes", true),
            Build.directive("Run Before Job", .string, repeatable: true),
            Build.directive("Run After Job", .string, repeatable: true),
            Build.directive("Run After Failed Job", .string, repeatable: true),
            Build.directive("Client Run Before Job", .string, repeatable: true),
            Build.directive("Client Run After Job", .string, repeatable: true),
            Build.directive("Console Run Before Job", .string, repeatable: true),
            Build.directive("Console Run After Job", .string, repeatable: true),
            Build.directive("RunScript", .block(runScript), repeatable: true),
            Build.count("Maximum Concurrent Jobs", 1), Build.count("Maximum Spawned Jobs", 600),
            Build.flag("Reschedule On Error", false), Build.flag("Reschedule Incomplete Jobs", true),
            Build.seconds("Reschedule Interval", 1800), Build.count("Reschedule Times", 0), Build.count("Priority", 10),
            Build.count("Backups To Keep", 0), Build.flag("Allow Mixed Priority", false),
            Build.flag("Write Part After Job", true), Build.directive("Selection Pattern", .string),
            Build.directive(
                "Selection Type",
                .keyword([
                    "SmallestVolume", "OldestVolume", "PoolOccupancy", "PoolTime", "PoolUncopiedJobs", "Client", "Volume",
                    "Job", "SqlQuery",
                ])),
            Build.flag("Accurate", false), Build.flag("Allow Duplicate Jobs", true),
            Build.flag("Allow Higher Duplicates", true), Build.flag("Cancel Lower Level Duplicates", false),
            Build.flag("Cancel Queued Duplicates", false), Build.flag("Cancel Running Duplicates", false),
            Build.flag("Delete Consolidated Jobs", false), Build.directive("Plugin Options", .string),
            Build.directive("Base", .references("Job"), repeatable: true),
        ]
    }

    static func storageDirectives(autochangerDefault: DefaultValue?) -> [DirectiveSpec] {
        [
            Build.name(), Build.description(), Build.port("SD Port", 9103),
            Build.directive("Address", .address, required: true, aliases: ["SD Address"]),
            Build.directive("FD Storage Address", .address),
            Build.directive("Password", .password, required: true, aliases: ["SD Password"]),
            Build.directive("Device", .stringList, required: true, repeatable: true),
            Build.directive("Media Type", .string, required: true),
            DirectiveSpec("Autochanger", .booleanOrReference("Storage"), default: autochangerDefault ?? .value(.boolean(false))),
            Build.directive("Shared Storage", .reference("Storage")), Build.flag("Enabled", true),
            Build.flag("Allow Compression", true), Build.seconds("Heartbeat Interval", HeartbeatDefault.seconds),
            Build.count("Maximum Concurrent Jobs", 1), Build.count("Maximum Concurrent Read Jobs", 0),
            Build.count("SDD Port"),
        ] + Build.tls(verifyPeer: false, dhFile: false, allowedCN: false)
    }

    /// bacula-dir.conf: Director (exactly one), Client, Storage/Autochanger, Job, JobDefs, FileSet, Schedule, Pool,
    /// Catalog, Messages, Console, Counter (Bacula 9.6 defaults).
    public static let director = DaemonSchema(
        kind: .director,
        resources: [
            ResourceSchema(
                "Director",
                directives: [
                    Build.name(), Build.description(),
                    DirectiveSpec("Messages", .reference("Messages"), default: .firstResource("Messages")),
                    Build.port("DIR Port", 9101), Build.directive("DIR Address", .address),
                    Build.directive("DIR Addresses", .addresses(defaultPort: 9101)),
                    Build.directive("DIR Source Address", .address),
                    Build.directive("Query File", .path, required: true),
                    Build.directive("Working Directory", .path, required: true),
                    Build.directive("Pid Directory", .path, required: true),
                    Build.directive("Plugin Directory", .path), Build.directive("Scripts Directory", .path),
                    Build.directive("Subsys Directory", .path),
                    Build.count("Maximum Concurrent Jobs", 20), Build.count("Maximum Reload Requests", 32),
                    Build.count("Maximum Console Connections", 20),
                    Build.directive("Password", .password, required: true),
                    Build.seconds("FD Connect Timeout", 180), Build.seconds("SD Connect Timeout", 1800),
                    Build.seconds("Heartbeat Interval", HeartbeatDefault.seconds), Build.seconds("Statistics Retention", 160_704_000),
                    Build.directive("Ver Id", .string), Build.flag("Comm Compression", true),
                ] + Build.tls()),
            ResourceSchema(
                "Client",
                directives: [
                    Build.name(), Build.description(),
                    Build.directive("Address", .address, required: true, aliases: ["FD Address"]),
                    Build.port("FD Port", 9102),
                    Build.directive("Password", .password, required: true, aliases: ["FD Password"]),
                    Build.directive("FD Storage Address", .address),
                    Build.directive("Catalog", .reference("Catalog"), required: true),
                    Build.seconds("File Retention", 5_184_000), Build.seconds("Job Retention", 15_552_000),
                    Build.seconds("Heartbeat Interval", HeartbeatDefault.seconds), Build.flag("AutoPrune", true),
                    Build.flag("SD Calls Client", false), Build.seconds("Snapshot Retention", 0),
                    Build.count("Maximum Concurrent Jobs", 1), Build.directive("Maximum Bandwidth Per Job", .speed, .speed(0)),
                    Build.flag("Enabled", true),
                ] + Build.tls(verifyPeer: false, dhFile: false)),
            ResourceSchema("Storage", directives: storageDirectives(autochangerDefault: nil)),
            ResourceSchema("Autochanger", namespace: "Storage", directives: storageDirectives(autochangerDefault: .ownName)),
            ResourceSchema("Job", directives: jobDirectives(requiring: true)),
            ResourceSchema("JobDefs", directives: jobDirectives(requiring: false)),
            ResourceSchema(
                "FileSet",
                directives: [
                    Build.name(), Build.description(), Build.flag("Ignore FileSet Changes", false),
                    Build.flag("Enable VSS", true), Build.flag("Enable Snapshot", false),
                    Build.directive("Include", .block(fileSetInclude), repeatable: true),
                    Build.directive("Exclude", .block(fileSetExclude), repeatable: true),
                ]),
            ResourceSchema(
                "Schedule",
                directives: [
                    Build.name(), Build.description(), Build.directive("Run", .scheduleRun, repeatable: true),
                    Build.flag("Enabled", true),
                ]),
            ResourceSchema(
                "Pool",
                directives: [
                    Build.name(), Build.description(),
                    Build.directive(
                        "Pool Type", .keyword(["Backup", "Copy", "Cloned", "Archive", "Migration", "Scratch"]), required: true),
                    Build.directive("Label Format", .string),
                    Build.directive("Label Type", .keyword(["Bacula", "ANSI", "IBM"])),
                    Build.directive("Cleaning Prefix", .string), Build.flag("Use Catalog", true),
                    Build.flag("Use Volume Once", false), Build.flag("Purge Oldest Volume", false),
                    Build.directive("Action On Purge", .keyword(["Truncate"])),
                    Build.flag("Recycle Oldest Volume", false), Build.flag("Recycle Current Volume", false),
                    Build.count("Maximum Volumes", 0), Build.count("Maximum Volume Jobs", 0),
                    Build.count("Maximum Volume Files", 0), Build.bytes("Maximum Volume Bytes", 0),
                    Build.flag("Catalog Files", true), Build.seconds("Cache Retention", 0),
                    Build.seconds("Volume Retention", 31_536_000), Build.seconds("Volume Use Duration", 0),
                    Build.seconds("Migration Time", 0), Build.bytes("Migration High Bytes", 0),
                    Build.bytes("Migration Low Bytes", 0), Build.directive("Next Pool", .reference("Pool")),
                    Build.directive("Storage", .references("Storage"), repeatable: true),
                    Build.flag("AutoPrune", true), Build.flag("Recycle", true),
                    Build.directive("Recycle Pool", .reference("Pool")), Build.directive("Scratch Pool", .reference("Pool")),
                    Build.directive("Copy Pool", .references("Pool"), repeatable: true),
                    Build.directive("Catalog", .reference("Catalog")),
                    Build.seconds("File Retention", 0), Build.seconds("Job Retention", 0),
                ]),
            ResourceSchema(
                "Catalog",
                directives: [
                    Build.name(), Build.description(), Build.directive("Address", .address, aliases: ["DB Address"]),
                    Build.count("DB Port", 0), Build.directive("Password", .password, aliases: ["DB Password"]),
                    Build.directive("User", .string, aliases: ["DB User"]),
                    Build.directive("DB Name", .string, required: true), Build.directive("DB Driver", .string),
                    Build.directive("DB Socket", .string), Build.directive("DB SSL Mode", .string),
                    Build.directive("DB SSL Key", .string), Build.directive("DB SSL Cert", .string),
                    Build.directive("DB SSL CA", .string), Build.directive("DB SSL CA Path", .string),
                    Build.flag("Multiple Connections", false), Build.flag("Disable Batch Insert", false),
                ]),
            Build.messages(),
            ResourceSchema(
                "Console",
                directives: [
                    Build.name(), Build.description(), Build.directive("Password", .password, required: true),
                ]
                    + [
                        "Job ACL", "Client ACL", "Storage ACL", "Schedule ACL", "Run ACL", "Pool ACL", "Command ACL",
                        "FileSet ACL", "Catalog ACL", "Where ACL", "Restore Client ACL", "Backup Client ACL",
                        "Plugin Options ACL", "Directory ACL",
                    ].map { Build.directive($0, .stringList, repeatable: true) } + Build.tls()),
            ResourceSchema(
                "Counter",
                directives: [
                    Build.name(), Build.description(), Build.count("Minimum", 0), Build.count("Maximum", 2_147_483_647),
                    Build.directive("Wrap Counter", .reference("Counter")), Build.directive("Catalog", .reference("Catalog")),
                ]),
            Build.statistics(),
        ],
        required: [
            ResourceRequirement(type: "Director", exactlyOne: true), ResourceRequirement(type: "Messages", exactlyOne: false),
            ResourceRequirement(type: "Job", exactlyOne: false),
        ])
}
