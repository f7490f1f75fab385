import Foundation

/// libFuzzer's driver, from the fuzzer runtime that `-sanitize=fuzzer` links.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// Runs libFuzzer's driver (it parses libFuzzer's flags and corpus folders from the command line) with `callback`
/// as the function that takes one input. Called from a fuzz program's entry, `<module>_main`.
public func runFuzzer(
    _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt {
    var count = argc
    var vector = argv
    return runFuzzerDriver(&count, &vector, callback)
}

/// The target of this process among a program's `Target` cases, named by CAPSTAN_FUZZ_TARGET; an unknown or missing
/// name ends the process with the program's list.
public func selectedFuzzTarget<Target: CaseIterable & RawRepresentable>(_: Target.Type, program: String) -> Target
where Target.RawValue == String {
    let name = ProcessInfo.processInfo.environment["CAPSTAN_FUZZ_TARGET"] ?? ""
    guard let target = Target(rawValue: name) else {
        let names = Target.allCases.map(\.rawValue).joined(separator: ", ")
        FileHandle.standardError.write(Data("\(program): CAPSTAN_FUZZ_TARGET=\(name) is not one of: \(names)\n".utf8))
        exit(2)
    }
    return target
}
