// swift-tools-version:6.2
//
// Capstan: a tape backup appliance that speaks the Bacula 9.6 protocol and writes Bacula 9.6 volumes.
// Layering (an arrow never points up; see docs/DESIGN.md):
//   C edge  ->  pure formats  ->  devices  ->  services  ->  programs
import PackageDescription

let logging = Target.Dependency.product(name: "Logging", package: "swift-log")
let argumentParser = Target.Dependency.product(name: "ArgumentParser", package: "swift-argument-parser")
let nioCore = Target.Dependency.product(name: "NIOCore", package: "swift-nio")
let nioPosix = Target.Dependency.product(name: "NIOPosix", package: "swift-nio")
let serviceLifecycle = Target.Dependency.product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
let grdb = Target.Dependency.product(name: "GRDB", package: "GRDB.swift")
// SQLite's C API, for the catalog's File-row inserter (binds a batch's bytes to GRDB's prepared statements).
let grdbSQLite = Target.Dependency.product(name: "GRDBSQLite", package: "GRDB.swift")
let nioHTTP1 = Target.Dependency.product(name: "NIOHTTP1", package: "swift-nio")
let nioSSL = Target.Dependency.product(name: "NIOSSL", package: "swift-nio-ssl")
let nioTLS = Target.Dependency.product(name: "NIOTLS", package: "swift-nio")

let package = Package(
    name: "Capstan",
    platforms: [.macOS(.v15)],  // ignored on Linux; keeps the manifest meaningful elsewhere
    products: [
        .executable(name: "capstan-sd", targets: ["capstan-sd"]),
        .executable(name: "capstan-dir", targets: ["capstan-dir"]),
        .executable(name: "capstan-fd", targets: ["capstan-fd"]),
        .executable(name: "capstan", targets: ["capstan"]),
        // The parsers of everything Capstan reads from outside, for the fuzz package in Fuzz/ (scripts/fuzz): its
        // program capstan-fuzz links these, capstan-fuzz-director the Director's (with the catalog, SwiftNIO, NIOSSL
        // and GRDB, whose coverage counters would slow every parser target if one program linked both).
        .library(
            name: "CapstanParsers",
            targets: [
                "CapstanConfig", "BaculaWire", "BaculaVolume", "SCSI", "StorageProtocol", "FileDaemonProtocol",
                "Changers", "Discovery",
            ]),
        .library(name: "CapstanDirectorParsers", targets: ["Director", "Catalog"]),
        // The Storage daemon's data path (spool, drive writer, tape drives), for the benchmarks in Benchmarks/.
        .library(name: "CapstanStorage", targets: ["StorageDaemon", "TapeDevices"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
    ],
    targets: [
        // MARK: C edge
        .systemLibrary(name: "CUdev", pkgConfig: "libudev", providers: [.apt(["libudev-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CLZ4", pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CLZO", pkgConfig: "lzo2", providers: [.apt(["liblzo2-dev"])]),
        .target(name: "CCapstanLinux"),
        // CRC-32 by carry-less multiplication (PCLMULQDQ), C because Swift has no intrinsics for it.
        .target(name: "CBlockChecksum"),

        // MARK: pure formats (no I/O modules)
        .target(name: "CapstanConfig"),
        .target(name: "BaculaWire", dependencies: ["COpenSSL", "CLZ4"]),
        .target(name: "BaculaVolume", dependencies: ["CZlib", "CLZO", "CBlockChecksum"]),
        .target(name: "SCSI"),
        .target(name: "StorageProtocol", dependencies: ["BaculaWire", "BaculaVolume"]),
        .target(name: "FileDaemonProtocol", dependencies: ["BaculaWire", "BaculaVolume", "StorageProtocol", "CapstanConfig"]),

        // MARK: devices
        .target(name: "TapeDevices", dependencies: ["BaculaVolume", "CCapstanLinux", logging]),
        // Programs started with posix_spawn (changer scripts, RunScripts, mail commands; the tests' daemons).
        .target(name: "Subprocesses", dependencies: ["CCapstanLinux"]),
        .target(name: "Changers", dependencies: ["SCSI", "CapstanConfig", "TapeDevices", "CCapstanLinux", "Subprocesses", logging]),
        .target(name: "Discovery", dependencies: ["CUdev", "CapstanConfig", "Changers", "SCSI", logging]),

        // MARK: services
        .target(name: "Net", dependencies: ["BaculaWire", "CapstanConfig", "CCapstanLinux", nioCore, nioPosix, nioSSL, nioTLS, logging]),
        .target(name: "Catalog", dependencies: [grdb, grdbSQLite, logging]),
        .target(name: "Metrics", dependencies: [nioCore, nioPosix, nioHTTP1, logging]),
        .target(
            name: "StorageDaemon",
            dependencies: [
                "CapstanConfig", "BaculaWire", "BaculaVolume", "StorageProtocol", "TapeDevices", "Changers", "Discovery", "Net",
                "Metrics", "SCSI", "CCapstanLinux",
                nioCore, nioPosix, serviceLifecycle, logging,
            ]),
        .target(
            name: "Director",
            dependencies: [
                "CapstanConfig", "BaculaWire", "BaculaVolume", "StorageProtocol", "FileDaemonProtocol", "Net", "Catalog", "Subprocesses",
                nioCore, serviceLifecycle,
                logging,
            ]),
        .target(
            name: "FileDaemon",
            dependencies: [
                "CapstanConfig", "BaculaWire", "BaculaVolume", "Net", "FileDaemonProtocol", "StorageProtocol", "COpenSSL", "CCapstanLinux", "Subprocesses",
                nioCore, nioPosix, serviceLifecycle, logging,
            ]),
        .target(name: "CapstanCLI", dependencies: ["CapstanConfig", "CCapstanLinux", logging, argumentParser, serviceLifecycle]),
        .target(name: "Console", dependencies: ["CapstanConfig", "BaculaWire", "Net", logging]),
        // `capstan tls init`: a small CA and the daemons' certificates (P-256 ECDSA).
        .target(name: "CertificateAuthority", dependencies: ["COpenSSL"]),

        // MARK: programs (thin)
        // Each daemon's command is a library, so that `capstan` can run it too: the package installs one binary
        // (/usr/bin/capstan) and links the daemons' names to it (CapstanCLI's MultiCallProgram).
        .target(name: "StorageDaemonProgram", dependencies: ["StorageDaemon", "CapstanCLI", "Net", serviceLifecycle, argumentParser, logging]),
        .target(
            name: "DirectorProgram", dependencies: ["Director", "Catalog", "Net", "CapstanCLI", "CapstanConfig", serviceLifecycle, argumentParser, logging]),
        .target(
            name: "FileDaemonProgram",
            dependencies: ["FileDaemon", "CapstanCLI", "CapstanConfig", "Net", "CCapstanLinux", serviceLifecycle, argumentParser, logging]),
        .executableTarget(name: "capstan-sd", dependencies: ["StorageDaemonProgram"]),
        .executableTarget(name: "capstan-dir", dependencies: ["DirectorProgram"]),
        .executableTarget(name: "capstan-fd", dependencies: ["FileDaemonProgram"]),
        // Device-tier probe (scripts/test-devices runs it in the harness VM); not part of the appliance.
        .executableTarget(name: "capstan-scsi-probe", dependencies: ["Changers", "TapeDevices", "SCSI"]),
        .executableTarget(
            name: "capstan",
            dependencies: [
                "CapstanCLI", "CapstanConfig", "BaculaVolume", "TapeDevices", "Changers", "Discovery", "FileDaemon", "Console", "Net",
                "CertificateAuthority", "StorageDaemonProgram", "DirectorProgram", "FileDaemonProgram", argumentParser,
                logging,
            ]),

        // MARK: benchmarks (scripts/bench-*)
        .executableTarget(name: "SpoolBenchmark", dependencies: ["StorageDaemon", "TapeDevices", "BaculaVolume"], path: "Benchmarks/SpoolBenchmark"),
        .executableTarget(name: "DecoderBenchmark", dependencies: ["BaculaWire"], path: "Benchmarks/DecoderBenchmark"),

        // MARK: tests (Swift Testing)
        .testTarget(name: "CapstanConfigTests", dependencies: ["CapstanConfig", "CapstanTestSupport"], exclude: ["Fixtures"]),
        .target(name: "CapstanTestSupport", dependencies: ["Changers", "Subprocesses"], path: "Tests/Support"),
        .testTarget(name: "CLITests", dependencies: ["CapstanCLI", "CapstanTestSupport"]),
        .testTarget(
            name: "InteropTests",
            dependencies: ["CapstanTestSupport", "Net", "BaculaWire", "StorageProtocol", "FileDaemonProtocol", logging]),
        .testTarget(name: "ApplianceTests", dependencies: ["CapstanTestSupport", "Subprocesses"]),
        .testTarget(name: "SubprocessesTests", dependencies: ["Subprocesses", "CapstanTestSupport"]),
        .testTarget(
            name: "StorageDaemonTests",
            dependencies: [
                "StorageDaemon", "CapstanConfig", "BaculaWire", "Net", "TapeDevices", "BaculaVolume", "Changers", "SCSI", "Discovery",
                "CapstanTestSupport", logging,
            ]),
        .testTarget(name: "BaculaVolumeTests", dependencies: ["BaculaVolume", "CapstanTestSupport"]),
        .testTarget(name: "TapeDevicesTests", dependencies: ["TapeDevices", "BaculaVolume", "FileDaemon", "CapstanTestSupport", "Subprocesses"]),
        .testTarget(name: "BaculaWireTests", dependencies: ["BaculaWire", "CapstanTestSupport"]),
        .testTarget(
            name: "StorageProtocolTests", dependencies: ["StorageProtocol", "BaculaWire", "BaculaVolume", "CapstanTestSupport"],
            exclude: ["Fixtures"]),
        .testTarget(
            name: "NetTests",
            dependencies: ["Net", "BaculaWire", nioCore, nioPosix, .product(name: "NIOEmbedded", package: "swift-nio"), logging]),
        .testTarget(name: "SCSITests", dependencies: ["SCSI", "CapstanTestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "ChangersTests", dependencies: ["Changers", "SCSI", "CapstanConfig", "TapeDevices", "CapstanTestSupport"]),
        .testTarget(name: "DiscoveryTests", dependencies: ["Discovery", "Changers", "CapstanConfig", "CapstanTestSupport"]),
        .testTarget(
            name: "DirectorTests",
            dependencies: ["Director", "Catalog", "CapstanConfig", "BaculaWire", "BaculaVolume", "StorageProtocol", "CapstanTestSupport"]),
        .testTarget(
            name: "FileDaemonProtocolTests",
            dependencies: ["FileDaemonProtocol", "BaculaWire", "BaculaVolume", "StorageProtocol", "CapstanTestSupport"]),
        .testTarget(
            name: "FileDaemonTests",
            dependencies: [
                "FileDaemon", "FileDaemonProtocol", "BaculaVolume", "BaculaWire", "Net", "StorageProtocol", "CCapstanLinux",
                "CapstanTestSupport",
            ]),
        // The seed's firewall example in network namespaces (root, iproute2, iptables); scripts/test runs it alone.
        .testTarget(name: "NetworkTests", dependencies: ["CapstanTestSupport", "Subprocesses"]),
        .testTarget(name: "EdgeTests", dependencies: ["CCapstanLinux", "Discovery", "Catalog", "BaculaWire", "BaculaVolume"]),
    ]
)
