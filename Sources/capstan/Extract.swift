import ArgumentParser
import BaculaVolume
import FileDaemon
import Foundation
import TapeDevices

/// `capstan extract`: restore files from Bacula volumes into a directory, like `bextract`.
struct Extract: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Restore files from Bacula volumes, vtape images or tape drives (/dev/nstN) into DIR (optionally only what a .bsr selects).")

    @Option(name: .customShort("b"), help: "Bootstrap file selecting what to restore.")
    var bootstrap: String?

    @Argument(help: "Volume files or tape drive nodes, then the target directory.")
    var arguments: [String]

    func validate() throws {
        guard arguments.count >= 2 else { throw ValidationError("need at least one VOLUME and a DIR") }
    }

    func run() throws {
        let directory = arguments[arguments.count - 1]
        let bsr = try bootstrap.map { try Bootstrap(parsing: String(contentsOfFile: $0, encoding: .utf8)) }
        let restorer = RecordRestorer(writer: RestoreWriter(root: directory))
        var failed = false
        for path in arguments.dropLast() {
            do {
                let stream = try VolumeStream(path: path, bootstrap: bsr)
                while let event = try stream.next() {
                    switch event {
                    case .record(let r): restorer.consume(r)
                    case .damagedBlock(let e):
                        failed = true
                        FileHandle.standardError.write(Data("capstan extract: \(path): \(e)\n".utf8))
                    case .block, .filemark: break
                    }
                }
            } catch {
                failed = true
                FileHandle.standardError.write(Data("capstan extract: \(path): \(error)\n".utf8))
            }
        }
        restorer.finish()
        for p in restorer.problems { FileHandle.standardError.write(Data("capstan extract: \(p)\n".utf8)) }
        print("\(restorer.writer.filesRestored) files restored.")
        if failed || !restorer.problems.isEmpty { throw ExitCode(1) }
    }
}
