import FuzzSupport

/// The program's entry: SwiftPM links an executable target's `main` to `<module>_main`, so this is where libFuzzer's
/// driver starts.
@_cdecl("capstan_fuzz_director_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { data, size in capstanDirectorFuzz(data, size) }
}

/// libFuzzer's entry point: hands each input to the target named by CAPSTAN_FUZZ_TARGET (see capstan-fuzz's).
@_cdecl("LLVMFuzzerTestOneInput")
public func capstanDirectorFuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    DirectorFuzzTarget.selected.run(input)
    return 0
}

/// The targets that need the Director module, and with it the catalog, SwiftNIO, NIOSSL and GRDB (the
/// `CapstanDirectorParsers` product): a program of their own, so that the coverage counters of those modules, which
/// libFuzzer clears and scans after every execution, do not slow the parser targets of `capstan-fuzz`.
enum DirectorFuzzTarget: String, CaseIterable {
    case director
    case directorConfig = "director-config"

    func run(_ input: [UInt8]) {
        switch self {
        case .director: DirectorFuzz.run(input)
        case .directorConfig: DirectorConfigFuzz.run(input)
        }
    }

    /// The target of this process, read once.
    static let selected = selectedFuzzTarget(DirectorFuzzTarget.self, program: "capstan-fuzz-director")
}
