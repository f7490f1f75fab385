import Foundation

/// libFuzzer's driver, from the fuzzer runtime that `-sanitize=fuzzer` links.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// The program's entry: SwiftPM links an executable target's `main` to `<module>_main`, so this is where libFuzzer's
/// driver starts (it parses libFuzzer's flags and corpus folders from the command line).
@_cdecl("capstan_fuzz_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var vector = argv
    return runFuzzerDriver(&count, &vector) { data, size in capstanFuzz(data, size) }
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

/// The parser families, one libFuzzer corpus each (Fuzz/corpus/<name>).
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
    case director

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
        case .director: DirectorFuzz.run(input)
        }
    }

    /// The target of this process, read once; an unknown or missing name ends the process with the list.
    static let selected: FuzzTarget = {
        let name = ProcessInfo.processInfo.environment["CAPSTAN_FUZZ_TARGET"] ?? ""
        guard let target = FuzzTarget(rawValue: name) else {
            let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
            FileHandle.standardError.write(Data("capstan-fuzz: CAPSTAN_FUZZ_TARGET=\(name) is not one of: \(names)\n".utf8))
            exit(2)
        }
        return target
    }()
}

/// Splits an input into frames for the state-machine targets: runs of bytes separated by newlines; a frame that is
/// exactly one 0xFF byte stands for an end-of-data signal.
enum FuzzFrames {
    static func split(_ input: [UInt8]) -> [[UInt8]] {
        input.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { Array($0) + [UInt8(ascii: "\n")] }
    }
}
