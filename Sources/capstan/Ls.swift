import ArgumentParser
import Foundation

/// `capstan ls`: what is on Bacula volumes (label, sessions, and with -v every file).
struct Ls: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the label, job sessions and (with -v) files of Bacula volumes, vtape images or tape drives (/dev/nstN).")

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    @Flag(name: .short, help: "List every file with size and attributes.")
    var verbose = false

    @Argument(help: "Volume files (file volumes or vtape images) or tape drive nodes.")
    var volumes: [String]

    func run() throws {
        var listings: [VolumeListing] = []
        var failed = false
        for path in volumes {
            do {
                let listing = try VolumeListing(path: path, withFiles: verbose)
                if !listing.damagedBlocks.isEmpty { failed = true }
                listings.append(listing)
            } catch {
                FileHandle.standardError.write(Data("capstan ls: \(path): \(error)\n".utf8))
                failed = true
            }
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            FileHandle.standardOutput.write(try encoder.encode(listings))
            print()
        } else {
            for l in listings { print(l.text(verbose: verbose), terminator: "") }
        }
        if failed { throw ExitCode(1) }
    }
}
