import BaculaWire
import CapstanConfig
import Foundation
import Subprocesses

/// A FileSet resource as the lines of the Director→FD `fileset` command (spec §3.2.4): per Include `I`, each
/// Options block as `O <letters>` + its pattern lines + `N`, the `F` items (no newline), `N`, `N`; per Exclude
/// `E`, its `F` items, `N`, `N` [WIRE: the captured `I`,`O M`,`N`,`F …`,`N`,`N`].
public enum FileSetEncoding {
    /// The frames after `fileset vss=1\n` (the caller sends EOD after them).
    public static func lines(_ fileSet: DirectorConfiguration.FileSet) -> [String] {
        var lines: [String] = []
        for include in fileSet.includes {
            lines.append("I\n")
            for options in include.blocks("Options") {
                lines.append("O \(optionLetters(options))\n")
                for (directive, code) in [
                    ("Regex", "R"), ("Regex Dir", "RD"), ("Regex File", "RF"), ("Wild", "W"), ("Wild Dir", "WD"),
                    ("Wild File", "WF"), ("Base", "B"),
                ] {
                    for value in options.values(directive) {
                        if case .string(let text) = value { lines.append("\(code) \(text)\n") }
                    }
                }
                for name in options.names("FS Type") { lines.append("X \(name)\n") }
                for name in options.names("Drive Type") { lines.append("XD \(name)\n") }
                if let plugin = options.string("Plugin") { lines.append("G \(plugin)\n") }
                lines.append("N\n")
            }
            for value in include.values("File") {
                guard case .string(let file) = value else { continue }
                lines += fileItems(file)
            }
            for value in include.values("Plugin") {
                if case .string(let plugin) = value { lines.append("P \(plugin)\n") }
            }
            if let marker = include.string("Exclude Dir Containing") { lines.append("Z \(marker)\n") }
            lines.append("N\n")
            lines.append("N\n")
        }
        for exclude in fileSet.excludes {
            lines.append("E\n")
            for value in exclude.values("File") {
                guard case .string(let file) = value else { continue }
                lines += fileItems(file)
            }
            lines.append("N\n")
            lines.append("N\n")
        }
        return lines
    }

    /// `File = x` items: a plain name is sent without newline; `|command` runs the command and `<file` reads the
    /// file, each output line becoming an item with its newline; `\|` and `\<` escape.
    static func fileItems(_ file: String) -> [String] {
        if file.hasPrefix("|") {
            // runs to its end without a shell, as Bacula's Director does (its standard error is not collected)
            guard let completion = try? Subprocess.run(ProgramArguments.argv(String(file.dropFirst()))) else { return [] }
            return completion.outputText.split(separator: "\n").map { "F \($0)\n" }
        }
        if file.hasPrefix("<") {
            let text = (try? String(contentsOfFile: String(file.dropFirst()), encoding: .utf8)) ?? ""
            return text.split(separator: "\n").map { "F \($0)\n" }
        }
        if file.hasPrefix("\\|") || file.hasPrefix("\\<") { return ["F \(file.dropFirst())"] }
        return ["F \(file)"]
    }

    /// The option letters of an Options block (spec §3.2.4 table).
    static func optionLetters(_ options: ConfigBlock) -> String {
        var letters = ""
        switch options.string("Signature")?.uppercased() {
        case "MD5"?: letters += "M"
        case "SHA1"?: letters += "S"
        case "SHA256"?: letters += "S2"
        case "SHA512"?: letters += "S3"
        default: break
        }
        if let compression = options.string("Compression")?.uppercased() {
            if compression == "LZO" {
                letters += "Zo"
            } else if compression == "GZIP" {
                letters += "Z6"
            } else if compression.hasPrefix("GZIP") {
                letters += "Z" + compression.dropFirst(4)
            }
        }
        func flag(_ name: String, when: Bool, _ letter: String) {
            if let value = options.string(name) ?? options.bool(name).map({ $0 ? "yes" : "no" }),
                (value.lowercased() == "yes") == when
            {
                letters += letter
            }
        }
        flag("OneFS", when: false, "f")
        flag("Recurse", when: false, "h")
        flag("Sparse", when: true, "s")
        flag("HardLinks", when: false, "H")
        flag("Read Fifo", when: true, "r")
        flag("Portable", when: true, "p")
        flag("MtimeOnly", when: true, "m")
        flag("KeepAtime", when: true, "k")
        flag("Exclude", when: true, "e")
        flag("ACL Support", when: true, "A")
        flag("IgnoreCase", when: true, "i")
        flag("HFSPlus Support", when: true, "R")
        flag("NoAtime", when: true, "K")
        flag("Check File Changes", when: true, "c")
        flag("Honor NoDump Flag", when: true, "N")
        flag("Xattr Support", when: true, "X")
        switch options.string("Replace")?.lowercased() {
        case "always"?: letters += "a"
        case "ifnewer"?: letters += "w"
        case "never"?: letters += "n"
        default: break
        }
        if let verify = options.string("Verify") { letters += "V\(verify):" }
        if let accurate = options.string("Accurate") { letters += "C\(accurate):" }
        if let base = options.string("BaseJob") { letters += "J\(base):" }
        if let strip = options.integer("Strip Path") { letters += "P\(strip):" }
        return letters
    }

    /// A stable digest of the FileSet's definition (Bacula keeps a new FileSet row when it changes).
    public static func md5(_ fileSet: DirectorConfiguration.FileSet) -> String {
        let text = lines(fileSet).joined(separator: "|")
        let hex = Array(AuthKey.md5Hex(Array(text.utf8)).utf8)
        var digest: [UInt8] = []
        var index = 0
        while index + 1 < hex.count {
            digest.append(UInt8(String(decoding: hex[index...(index + 1)], as: UTF8.self), radix: 16) ?? 0)
            index += 2
        }
        return BaculaBase64.encode(digest)
    }
}
