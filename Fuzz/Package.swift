// swift-tools-version:6.2
//
// Coverage-guided fuzzing of Capstan's parsers with libFuzzer and AddressSanitizer, in two programs whose target is
// chosen by CAPSTAN_FUZZ_TARGET: `capstan-fuzz`, the parsers (the `CapstanParsers` product: no Director, catalog,
// SwiftNIO, NIOSSL or GRDB), and `capstan-fuzz-director`, what needs the Director (`CapstanDirectorParsers`). Two
// programs because libFuzzer clears and scans every coverage counter of the program after each execution: the
// Director's modules would make every parser target several times slower. A package of its own so that the
// sanitizer flags never reach the project's own build. Built and run by scripts/fuzz.
import PackageDescription

let package = Package(
    name: "CapstanFuzz",
    dependencies: [.package(name: "Capstan", path: "..")],
    targets: [
        // libFuzzer's driver and the choice of target, shared by the two programs.
        .target(name: "FuzzSupport"),
        .executableTarget(
            name: "capstan-fuzz",
            dependencies: ["FuzzSupport", .product(name: "CapstanParsers", package: "Capstan")],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]),
        .executableTarget(
            name: "capstan-fuzz-director",
            dependencies: ["FuzzSupport", .product(name: "CapstanDirectorParsers", package: "Capstan")],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]),
    ]
)
