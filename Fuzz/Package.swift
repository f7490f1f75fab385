// swift-tools-version:6.2
//
// Coverage-guided fuzzing of Capstan's parsers with libFuzzer and AddressSanitizer: one program, `capstan-fuzz`,
// whose target (a parser family) is chosen by CAPSTAN_FUZZ_TARGET. A package of its own so that the sanitizer flags
// never reach the project's own build. Built and run by scripts/fuzz.
import PackageDescription

let package = Package(
    name: "CapstanFuzz",
    dependencies: [.package(name: "Capstan", path: "..")],
    targets: [
        .executableTarget(
            name: "capstan-fuzz",
            dependencies: [.product(name: "CapstanParsers", package: "Capstan")],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])])
    ]
)
