// swift-tools-version:6.1
//
// Micro-benchmarks of capstan-sd's hot paths with ordo-one's `benchmark` package (instructions, allocations):
// record parse, block assembly, CRC32, spool write/read, the drive writer's hand-off. A package of its own so that
// the benchmark package and its malloc interposer never reach the project's own build. Run by scripts/bench-micro
// (docs/benchmarks.md); baselines are committed in Benchmarks/.benchmarkBaselines.
import PackageDescription

let package = Package(
    name: "CapstanBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Capstan", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark.git", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "HotPaths",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "CapstanParsers", package: "Capstan"),
                .product(name: "CapstanStorage", package: "Capstan"),
            ],
            path: "Benchmarks/HotPaths",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")])
    ]
)
