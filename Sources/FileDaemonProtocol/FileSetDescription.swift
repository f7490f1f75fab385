/// The signature (digest) an Options block asks for.
public enum SignatureKind: Hashable, Sendable {
    case md5, sha1, sha256, sha512

    /// The digest's stream number (spec §3.4.4).
    public var stream: Int32 {
        switch self {
        case .md5: return 3
        case .sha1: return 10
        case .sha256: return 17
        case .sha512: return 18
        }
    }
}

/// Software compression an Options block asks for.
public enum CompressionKind: Hashable, Sendable {
    case gzip(level: Int32)
    case lzo
}

/// The letters of one `O` line (spec §3.2.4) as named options.
public struct FileSetOptions: Hashable, Sendable {
    public var signature: SignatureKind?
    public var compression: CompressionKind?
    public var sparse = false
    /// `onefs = yes` (the default): stay on the file system of each top item.
    public var oneFileSystem = true
    public var recurse = true
    public var hardLinks = true
    public var mtimeOnly = false
    public var keepAccessTime = false
    public var noAccessTime = false
    public var exclude = false
    public var ignoreCase = false
    public var checkFileChanges = false
    public var honorNoDump = false
    public var xattrs = false
    public var acls = false
    public var readFifo = false
    public var stripPath = 0
    /// The `Accurate = ` letters (`C...:`), empty when none were given.
    public var accurateLetters = ""

    public init() {}

    /// Reads the letters after `O `; unknown letters are ignored, as bacula-fd does.
    public init(letters: String) {
        var scalars = Array(letters.unicodeScalars)[...]
        func takeUntilColon() -> String {
            var out = ""
            while let c = scalars.popFirst(), c != ":" { out.unicodeScalars.append(c) }
            return out
        }
        while let c = scalars.popFirst() {
            switch c {
            case "M": signature = .md5
            case "S":
                switch scalars.first {
                case "2": signature = .sha256; scalars = scalars.dropFirst()
                case "3": signature = .sha512; scalars = scalars.dropFirst()
                default: signature = .sha1
                }
            case "Z":
                if let next = scalars.popFirst() {
                    if next == "o" {
                        compression = .lzo
                    } else if let level = Int32(String(next)) {
                        compression = .gzip(level: level)
                    }
                }
            case "s": sparse = true
            case "f": oneFileSystem = false
            case "h": recurse = false
            case "H": hardLinks = false
            case "m": mtimeOnly = true
            case "k": keepAccessTime = true
            case "K": noAccessTime = true
            case "e": exclude = true
            case "i": ignoreCase = true
            case "c": checkFileChanges = true
            case "N": honorNoDump = true
            case "X": xattrs = true
            case "A": acls = true
            case "r": readFifo = true
            case "V", "J": _ = takeUntilColon()
            case "C": accurateLetters = takeUntilColon()
            case "P": stripPath = Int(takeUntilColon()) ?? 0
            default: break
            }
        }
    }
}

/// One Options block: its letters and the patterns that select the files it applies to.
public struct OptionsBlock: Hashable, Sendable {
    public var options: FileSetOptions
    public var wild: [String] = []
    public var wildDirectories: [String] = []
    public var wildFiles: [String] = []
    public var wildBase: [String] = []
    public var regex: [String] = []
    public var regexDirectories: [String] = []
    public var regexFiles: [String] = []
    public var fileSystemTypes: [String] = []
    /// `XD` lines (`DriveType =`): Windows drive types; on Linux bacula-fd can tell no drive type.
    public var driveTypes: [String] = []

    public init(options: FileSetOptions) { self.options = options }

    /// True when the block selects files by pattern (otherwise it applies to every file of its Include).
    public var hasPatterns: Bool {
        !(wild.isEmpty && wildDirectories.isEmpty && wildFiles.isEmpty && wildBase.isEmpty && regex.isEmpty
            && regexDirectories.isEmpty && regexFiles.isEmpty)
    }
}

/// One Include or Exclude block as the Director sends it.
public struct FileSetBlock: Hashable, Sendable {
    public var isExclude: Bool
    public var optionsBlocks: [OptionsBlock] = []
    /// `F` items: top paths to back up (Include) or paths/patterns to leave out (Exclude), as bytes.
    public var files: [[UInt8]] = []
    /// `Z` items: a directory holding a file of this name is not backed up (Exclude Dir Containing).
    public var excludeDirContaining: [String] = []
    public var plugins: [String] = []

    public init(isExclude: Bool) { self.isExclude = isExclude }
}

/// A FileSet as sent by `fileset` (spec §3.2.4).
public struct FileSetDescription: Hashable, Sendable {
    public var blocks: [FileSetBlock] = []

    public init(blocks: [FileSetBlock] = []) { self.blocks = blocks }

    public var includes: [FileSetBlock] { blocks.filter { !$0.isExclude } }
    public var excludes: [FileSetBlock] { blocks.filter(\.isExclude) }

    /// Every Options block of the Includes (for what the job does as a whole: digest, compression).
    public var allOptions: [FileSetOptions] { includes.flatMap { $0.optionsBlocks.map(\.options) } }
}

/// What went wrong in a FileSet transmission, with the line.
public struct FileSetError: Error, Hashable, Sendable, CustomStringConvertible {
    public var line: Int
    public var text: String
    public var reason: String
    public var description: String { "FileSet line \(line) \"\(text)\": \(reason)" }
}

/// Reads the FileSet lines one packet at a time (the edge feeds every packet up to the EOD).
public struct FileSetReader: Sendable {
    public private(set) var fileSet = FileSetDescription()
    private var inOptions = false
    private var lineNumber = 0

    public init() {}

    /// Takes one line (`I`, `E`, `O ...`, `N`, `F path`, ...).
    public mutating func read(_ packet: [UInt8]) throws(FileSetError) {
        lineNumber += 1
        var bytes = packet
        while let last = bytes.last, last == 0x0A || last == 0x0D || last == 0 { bytes.removeLast() }
        guard let code = bytes.first else { return }
        var subcode: UInt8?
        var argumentStart = 1
        if bytes.count > 1, bytes[1] != UInt8(ascii: " ") {
            subcode = bytes[1]
            argumentStart = 2
        }
        if bytes.count > argumentStart, bytes[argumentStart] == UInt8(ascii: " ") { argumentStart += 1 }
        let argumentBytes = Array(bytes[min(argumentStart, bytes.count)...])
        let argument = String(decoding: argumentBytes, as: UTF8.self)
        func fail(_ reason: String) -> FileSetError {
            FileSetError(line: lineNumber, text: String(decoding: bytes, as: UTF8.self), reason: reason)
        }
        switch code {
        case UInt8(ascii: "I"), UInt8(ascii: "E"):
            fileSet.blocks.append(FileSetBlock(isExclude: code == UInt8(ascii: "E")))
            inOptions = false
            return
        default:
            break
        }
        guard !fileSet.blocks.isEmpty else { throw fail("an item before any Include or Exclude") }
        let last = fileSet.blocks.count - 1
        switch (code, subcode) {
        case (UInt8(ascii: "O"), nil):
            fileSet.blocks[last].optionsBlocks.append(OptionsBlock(options: FileSetOptions(letters: argument)))
            inOptions = true
        case (UInt8(ascii: "N"), nil):
            inOptions = false
        case (UInt8(ascii: "F"), nil):
            fileSet.blocks[last].files.append(argumentBytes)
        case (UInt8(ascii: "P"), nil):
            fileSet.blocks[last].plugins.append(argument)
        case (UInt8(ascii: "Z"), nil):
            fileSet.blocks[last].excludeDirContaining.append(argument)
        default:
            guard inOptions, let option = fileSet.blocks[last].optionsBlocks.indices.last else {
                // Lines bacula-fd accepts but Capstan ignores outside Options (D/T readers, G plugins, B base).
                if [UInt8(ascii: "D"), UInt8(ascii: "T"), UInt8(ascii: "G"), UInt8(ascii: "B")].contains(code) { return }
                throw fail("unknown FileSet line")
            }
            switch (code, subcode) {
            case (UInt8(ascii: "W"), nil): fileSet.blocks[last].optionsBlocks[option].wild.append(argument)
            case (UInt8(ascii: "W"), UInt8(ascii: "D")): fileSet.blocks[last].optionsBlocks[option].wildDirectories.append(argument)
            case (UInt8(ascii: "W"), UInt8(ascii: "F")): fileSet.blocks[last].optionsBlocks[option].wildFiles.append(argument)
            case (UInt8(ascii: "W"), UInt8(ascii: "B")): fileSet.blocks[last].optionsBlocks[option].wildBase.append(argument)
            case (UInt8(ascii: "R"), nil): fileSet.blocks[last].optionsBlocks[option].regex.append(argument)
            case (UInt8(ascii: "R"), UInt8(ascii: "D")): fileSet.blocks[last].optionsBlocks[option].regexDirectories.append(argument)
            case (UInt8(ascii: "R"), UInt8(ascii: "F")): fileSet.blocks[last].optionsBlocks[option].regexFiles.append(argument)
            case (UInt8(ascii: "X"), nil): fileSet.blocks[last].optionsBlocks[option].fileSystemTypes.append(argument)
            case (UInt8(ascii: "X"), UInt8(ascii: "D")): fileSet.blocks[last].optionsBlocks[option].driveTypes.append(argument)
            case (UInt8(ascii: "B"), _), (UInt8(ascii: "G"), _), (UInt8(ascii: "D"), _),
                (UInt8(ascii: "T"), _):
                break
            default:
                throw fail("unknown Options line")
            }
        }
    }
}
