import CapstanConfig
import Foundation

/// Reads configuration files from disk for the lexer. Relative paths resolve against the process's working
/// directory, as Bacula resolves them; `*`, `?` and `[...]` in an include expand like a shell glob (a Capstan
/// extension: Bacula 9.6 has no globbing).
public struct FileSystemConfigSource: ConfigSource {
    public init() {}

    public struct ReadError: Error, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { reason }
    }

    public func contents(of path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
                throw ReadError(path: path, reason: isDirectory.boolValue ? "Is a directory" : "Permission denied")
            }
            throw ReadError(path: path, reason: "No such file or directory")
        }
        if data.starts(with: [0xFF, 0xFE]) || data.starts(with: [0xFE, 0xFF]) {
            throw ReadError(path: path, reason: "UTF-16 text is not supported; save the file as UTF-8")
        }
        return String(decoding: data, as: UTF8.self)
    }

    public func expand(pattern: String) throws -> [String] {
        guard pattern.contains(where: { "*?[".contains($0) }) else { return [pattern] }
        var matches = glob_t()
        defer { globfree(&matches) }
        let status = glob(pattern, 0, nil, &matches)
        if status == GLOB_NOMATCH { return [] }
        guard status == 0 else { throw ReadError(path: pattern, reason: "cannot expand the pattern (glob error \(status))") }
        var paths: [String] = []
        for index in 0..<Int(matches.gl_pathc) {
            if let path = matches.gl_pathv[index] { paths.append(String(cString: path)) }
        }
        return paths.sorted()
    }
}
