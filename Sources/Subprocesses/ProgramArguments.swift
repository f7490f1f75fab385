import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// How Bacula 9.6 turns a command line into a program and its arguments (its `bpipe`, for Run Before/After Job and
/// client scripts, Mail Commands, `|command` file lists and bootstraps): no shell; words separated by spaces
/// (leading spaces and tabs skipped), a word that starts with `"` or `'` runs to the next same quote and may hold
/// spaces. There is no escaping, and `$`, `>`, `|`, `;` are ordinary characters: a shell is had with `sh -c "..."`.
/// The program is looked up in PATH when it has no `/`, as execvp(3) does.
public enum ProgramArguments {
    public static func split(_ command: String) -> [String] {
        var words: [String] = []
        var rest = Substring(command)
        func skipBlanks() { rest = rest.drop { $0 == " " || $0 == "\t" } }
        skipBlanks()
        while !rest.isEmpty {
            if let quote = rest.first, quote == "\"" || quote == "'" {
                rest = rest.dropFirst()
                let word = rest.prefix { $0 != quote }
                words.append(String(word))
                rest = rest.dropFirst(word.count)
                rest = rest.dropFirst()  // the closing quote, if any
            } else {
                let word = rest.prefix { $0 != " " }
                words.append(String(word))
                rest = rest.dropFirst(word.count)
            }
            skipBlanks()
        }
        return words
    }

    /// `split`, with the program replaced by its path: as written when it holds a `/`, else the first executable
    /// file of that name in `searchPath` (PATH's folders; execvp's `/bin:/usr/bin` without one). Throws ENOENT for
    /// an empty command line or a program found nowhere.
    public static func argv(_ command: String, searchPath: String? = ProcessInfo.processInfo.environment["PATH"])
        throws(SpawnError) -> [String]
    {
        var words = split(command)
        guard let program = words.first, !program.isEmpty else { throw SpawnError(program: command, code: ENOENT) }
        if program.contains("/") { return words }
        let folders = (searchPath ?? "/bin:/usr/bin").split(separator: ":", omittingEmptySubsequences: false)
        for folder in folders {
            let candidate = (folder.isEmpty ? "." : String(folder)) + "/" + program
            var status = stat()
            if stat(candidate, &status) == 0, status.st_mode & S_IFMT == S_IFREG, access(candidate, X_OK) == 0 {
                words[0] = candidate
                return words
            }
        }
        throw SpawnError(program: program, code: ENOENT)
    }
}
