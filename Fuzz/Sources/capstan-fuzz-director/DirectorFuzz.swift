import Catalog
import Director
import Foundation

/// What the Director parses itself (the SD's and FD's protocol messages are the storage-protocol and fd-protocol
/// targets, its configuration and Schedule `Run` lines the config target): console command lines split into
/// keywords and values, `slots=` selections, the SD's autochanger replies read into a changer inventory, and the restore tree's file selection commands.
/// Lines that start with `/` are catalog entries for the restore tree (`PATH[<TAB>LSTAT]`, a path ending in `/` is a
/// directory); every other line is a console command line and, in order, a command of the tree's selection mode.
enum DirectorFuzz {
    static func run(_ input: [UInt8]) {
        let text = String(decoding: input, as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var files: [CatalogFile] = []
        var commands: [String] = []
        for line in lines {
            if line.hasPrefix("/") { files.append(catalogFile(line, index: files.count)) } else { commands.append(line) }
        }

        for line in commands { consoleLine(line) }

        var inventory = ChangerInventory()
        _ = try? inventory.read(commands)

        var tree = RestoreTree(files: files)
        for line in commands { treeCommand(line, &tree) }
        _ = tree.markedFiles
        _ = tree.markedBytes
        tree.markAll()
        _ = tree.list(markedOnly: true)
    }

    /// A console line as the Director's command dispatch reads it.
    static func consoleLine(_ line: String) {
        let arguments = ConsoleArguments(line)
        _ = arguments.firstKeyword
        for item in arguments.items {
            _ = arguments.value(item.keyword)
            _ = arguments.has(item.keyword)
            if let value = item.value {
                _ = try? SlotSelection.parse(value, slotCount: value.utf8.count % 128)
            }
        }
    }

    /// One command of the restore tree's selection mode (`cd`, `ls`, `dir`, `mark`, `unmark`, `lsmark`, ...),
    /// split as the Director splits it.
    static func treeCommand(_ line: String, _ tree: inout RestoreTree) {
        let words = line.split(separator: " ", maxSplits: 1).map(String.init)
        guard let command = words.first?.lowercased() else { return }
        let argument = words.count > 1 ? words[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")) : ""
        switch command {
        case "cd": _ = tree.changeDirectory(argument.isEmpty ? "/" : argument)
        case "pwd": _ = tree.currentPath
        case "ls", "lsmark": _ = tree.list(markedOnly: command == "lsmark")
        case "dir": _ = tree.longList()
        case "mark", "add", "unmark", "delete":
            guard !argument.isEmpty else { return }
            _ = tree.mark(argument, command == "mark" || command == "add")
        case "estimate": _ = tree.markedBytes
        case "count": _ = (tree.entryCount, tree.markedFiles.count)
        default: break  // the Director answers "Invalid command" and lists nothing
        }
    }

    /// `PATH[<TAB>LSTAT]` as a catalog entry: the path up to its last `/`, the name after it.
    static func catalogFile(_ line: String, index: Int) -> CatalogFile {
        let parts = line.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false)
        let full = String(parts[0])
        let cut = full.lastIndex(of: "/").map { full.index(after: $0) } ?? full.startIndex
        return CatalogFile(
            jobID: Int64(index % 3 + 1), fileIndex: Int64(index + 1), path: String(full[..<cut]), name: String(full[cut...]),
            lstat: parts.count > 1 ? String(parts[1]) : "", digest: "")
    }
}
