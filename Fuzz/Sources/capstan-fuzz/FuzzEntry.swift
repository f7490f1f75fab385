import FuzzSupport

/// The program's entry: SwiftPM links an executable target's `main` to `<module>_main`, so this is where libFuzzer's
/// driver starts.
@_cdecl("capstan_fuzz_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { data, size in capstanFuzz(data, size) }
}

/// libFuzzer's entry point: hands each input to the parser family named by CAPSTAN_FUZZ_TARGET. A target may
/// throw errors and return nothing useful; what it must not do is crash, hang, leak or read out of bounds, which
/// libFuzzer and AddressSanitizer report. Checks of a target's own promises use `precondition`.
@_cdecl("LLVMFuzzerTestOneInput")
public func capstanFuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    FuzzTarget.selected.run(input)
    return 0
}

/// The parser families of this program, one libFuzzer corpus each (Fuzz/corpus/<name>). It links only the parsers'
/// modules (the `CapstanParsers` product); the Director's targets are the program `capstan-fuzz-director`, whose
/// modules (the Director, the catalog, SwiftNIO, NIOSSL, GRDB) would add their coverage counters to every execution
/// here.
enum FuzzTarget: String, CaseIterable {
    case wire
    case config
    case volume
    case bootstrap
    case storageProtocol = "storage-protocol"
    case fileDaemonProtocol = "fd-protocol"
    case scsi
    case udev
    case changerOutput = "changer-output"

    func run(_ input: [UInt8]) {
        switch self {
        case .wire: WireFuzz.run(input)
        case .config: ConfigFuzz.run(input)
        case .volume: VolumeFuzz.run(input)
        case .bootstrap: BootstrapFuzz.run(input)
        case .storageProtocol: StorageProtocolFuzz.run(input)
        case .fileDaemonProtocol: FileDaemonProtocolFuzz.run(input)
        case .scsi: SCSIFuzz.run(input)
        case .udev: UdevFuzz.run(input)
        case .changerOutput: ChangerOutputFuzz.run(input)
        }
    }

    /// The target of this process, read once.
    static let selected = selectedFuzzTarget(FuzzTarget.self, program: "capstan-fuzz")
}

/// Splits an input into frames for the state-machine targets: runs of bytes separated by newlines; a frame that is
/// exactly one 0xFF byte stands for an end-of-data signal.
enum FuzzFrames {
    static func split(_ input: [UInt8]) -> [[UInt8]] {
        input.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { Array($0) + [UInt8(ascii: "\n")] }
    }
}
