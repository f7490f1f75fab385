import FileDaemonProtocol
import Glibc

/// Decides, for each path met in an Include, whether it is saved and with which options: the first Options block
/// whose wild/regex patterns match decides (excluded when it says `exclude = yes`); otherwise the Include's first
/// Options block without patterns applies. The Exclude blocks' `File =` entries leave out matching paths.
final class FileSelection {
    private struct CompiledBlock {
        var block: OptionsBlock
        var regex: [UnsafeMutablePointer<regex_t>]
        var regexDirectories: [UnsafeMutablePointer<regex_t>]
        var regexFiles: [UnsafeMutablePointer<regex_t>]
    }

    private let blocks: [CompiledBlock]
    let defaults: FileSetOptions
    private let excludes: [[UInt8]]
    let excludeDirContaining: [String]
    /// `fstype =` / `drivetype =` of the Include: bacula-fd takes the lists of its last Options block.
    let fileSystemTypes: [String]
    let driveTypes: [String]
    /// Patterns that cannot be used: they do not compile or are refused by `RegexExpansion` (the job fails with them).
    private(set) var problems: [String] = []

    init(include: FileSetBlock, excludes excludeBlocks: [FileSetBlock]) {
        var problems: [String] = []
        func compile(_ patterns: [String], ignoreCase: Bool) -> [UnsafeMutablePointer<regex_t>] {
            patterns.compactMap { pattern in
                if let refusal = RegexExpansion.refusal(Array(pattern.utf8)) {
                    problems.append("regex \"\(pattern)\": \(refusal)")
                    return nil
                }
                let compiled = UnsafeMutablePointer<regex_t>.allocate(capacity: 1)
                let flags = REG_EXTENDED | REG_NOSUB | (ignoreCase ? REG_ICASE : 0)
                guard regcomp(compiled, pattern, flags) == 0 else {
                    problems.append("regex \"\(pattern)\" does not compile")
                    compiled.deallocate()
                    return nil
                }
                return compiled
            }
        }
        blocks = include.optionsBlocks.map { block in
            let icase = block.options.ignoreCase
            return CompiledBlock(
                block: block, regex: compile(block.regex, ignoreCase: icase),
                regexDirectories: compile(block.regexDirectories, ignoreCase: icase),
                regexFiles: compile(block.regexFiles, ignoreCase: icase))
        }
        var defaults = include.optionsBlocks.first { !$0.hasPatterns }?.options ?? include.optionsBlocks.first?.options
            ?? FileSetOptions()
        defaults.exclude = false
        self.defaults = defaults
        excludes = excludeBlocks.flatMap(\.files)
        excludeDirContaining = include.excludeDirContaining
        fileSystemTypes = include.optionsBlocks.last?.fileSystemTypes ?? []
        driveTypes = include.optionsBlocks.last?.driveTypes ?? []
        self.problems = problems
    }

    deinit {
        for block in blocks {
            for compiled in block.regex + block.regexDirectories + block.regexFiles {
                regfree(compiled)
                compiled.deallocate()
            }
        }
    }

    /// The options for `path`, or nil when it is excluded.
    func options(for path: BytePath, isDirectory: Bool) -> FileSetOptions? {
        if isExcludedByExcludeBlocks(path) { return nil }
        for compiled in blocks where compiled.block.hasPatterns {
            if matches(compiled, path: path, isDirectory: isDirectory) {
                return compiled.block.options.exclude ? nil : compiled.block.options
            }
        }
        // Bacula: an exclude=yes block whose patterns did not match leaves the file to the defaults.
        return defaults
    }

    private func matches(_ compiled: CompiledBlock, path: BytePath, isDirectory: Bool) -> Bool {
        let block = compiled.block
        let caseFlag: Int32 = block.options.ignoreCase ? 1 << 4 : 0  // FNM_CASEFOLD (GNU)
        let name = BytePath(path.lastComponent)
        func wild(_ pattern: String, _ subject: BytePath) -> Bool {
            subject.withCString { fnmatch(pattern, $0, caseFlag) == 0 }
        }
        func regex(_ expression: UnsafeMutablePointer<regex_t>) -> Bool {
            path.withCString { regexec(expression, $0, 0, nil, 0) == 0 }
        }
        if block.wild.contains(where: { wild($0, path) }) { return true }
        if block.wildBase.contains(where: { wild($0, name) }) { return true }
        if isDirectory, block.wildDirectories.contains(where: { wild($0, path) }) { return true }
        if !isDirectory, block.wildFiles.contains(where: { wild($0, path) || wild($0, name) }) { return true }
        if compiled.regex.contains(where: regex) { return true }
        if isDirectory, compiled.regexDirectories.contains(where: regex) { return true }
        if !isDirectory, compiled.regexFiles.contains(where: regex) { return true }
        return false
    }

    private func isExcludedByExcludeBlocks(_ path: BytePath) -> Bool {
        guard !excludes.isEmpty else { return false }
        let name = BytePath(path.lastComponent)
        for pattern in excludes {
            if pattern == path.bytes { return true }
            let text = String(decoding: pattern, as: UTF8.self)
            let hasSlash = pattern.contains(UInt8(ascii: "/"))
            let subject = hasSlash ? path : name
            if subject.withCString({ fnmatch(text, $0, 0) == 0 }) { return true }
        }
        return false
    }
}
