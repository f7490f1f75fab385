import BaculaVolume
import Catalog

/// The file tree of a restore selection: built from the catalog entries of the chosen jobs (the newest version
/// of each file), navigated with `cd`/`ls`, marked and unmarked. Pure value; paths are absolute with `/`.
public struct RestoreTree: Sendable {
    struct Node: Sendable {
        var name: String
        var parent: Int
        var children: [String: Int] = [:]
        var isDirectory: Bool
        var file: CatalogFile?
        var marked = false
    }

    var nodes: [Node] = [Node(name: "", parent: 0, isDirectory: true, file: nil)]
    /// The current directory (a node index).
    public private(set) var current = 0
    /// How many catalog entries the tree holds.
    public private(set) var entryCount = 0

    public init(files: [CatalogFile]) {
        for file in files { insert(file) }
    }

    private mutating func insert(_ file: CatalogFile) {
        let components = file.fullName.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        var node = 0
        for (index, component) in components.enumerated() {
            let last = index == components.count - 1
            if let child = nodes[node].children[component] {
                node = child
            } else {
                nodes.append(Node(name: component, parent: node, isDirectory: !last || file.name.isEmpty, file: nil))
                let child = nodes.count - 1
                nodes[node].children[component] = child
                node = child
            }
        }
        if file.name.isEmpty { nodes[node].isDirectory = true }
        nodes[node].file = file
        entryCount += 1
    }

    /// The current directory as text (`/tmp/data/`).
    public var currentPath: String { path(of: current) }

    func path(of index: Int) -> String {
        var parts: [String] = []
        var node = index
        while node != 0 {
            parts.append(nodes[node].name)
            node = nodes[node].parent
        }
        return "/" + parts.reversed().map { $0 + "/" }.joined()
    }

    /// Resolves a path (absolute, relative, `..`, `.`) to a node.
    func resolve(_ text: String) -> Int? {
        var node = text.hasPrefix("/") ? 0 : current
        for component in text.split(separator: "/", omittingEmptySubsequences: true) {
            if component == "." { continue }
            if component == ".." {
                node = nodes[node].parent
                continue
            }
            guard let child = nodes[node].children[String(component)] else { return nil }
            node = child
        }
        return node
    }

    /// `cd`: false when there is no such directory.
    public mutating func changeDirectory(_ text: String) -> Bool {
        guard let node = resolve(text), nodes[node].isDirectory else { return false }
        current = node
        return true
    }

    /// The entries of the current directory, sorted, directories with `/`, marked ones prefixed with `*`.
    public func list(markedOnly: Bool = false) -> [String] {
        nodes[current].children.keys.sorted().compactMap { name in
            guard let index = nodes[current].children[name] else { return nil }
            let node = nodes[index]
            let marked = node.marked || (node.isDirectory && hasMarked(index))
            if markedOnly && !marked { return nil }
            return (marked ? "*" : "") + name + (node.isDirectory ? "/" : "")
        }
    }

    /// `dir`: a long listing with sizes and times from the catalog's encoded stat.
    public func longList() -> [String] {
        nodes[current].children.keys.sorted().compactMap { name in
            guard let index = nodes[current].children[name] else { return nil }
            let node = nodes[index]
            let stat = node.file.flatMap { try? EncodedStat(decoding: ArraySlice(Array($0.lstat.utf8))) }
            let size = stat?.size ?? 0
            let mode = stat.map { String($0.mode & 0o7777, radix: 8) } ?? "-"
            return "\(node.isDirectory ? "d" : "-")\(mode)  \(stat?.uid ?? 0) \(stat?.gid ?? 0)  \(size)  "
                + CatalogTime.text(stat?.modificationTime ?? 0) + "  " + (node.marked ? "*" : " ") + path(of: index)
                .dropLast(node.isDirectory ? 1 : 0)
        }
    }

    private func hasMarked(_ index: Int) -> Bool {
        var stack = [index]
        while let node = stack.popLast() {
            if nodes[node].marked { return true }
            stack += nodes[node].children.values
        }
        return false
    }

    /// Marks (or unmarks) what `pattern` names in the current directory (`*` and `?` wildcards; `*` alone: all),
    /// directories with everything below them. Returns how many entries changed.
    @discardableResult
    public mutating func mark(_ pattern: String, _ flag: Bool = true) -> Int {
        var targets: [Int] = []
        if pattern.contains("/") {
            if let node = resolve(pattern) { targets = [node] }
        } else {
            for (name, index) in nodes[current].children where RestoreTree.matches(pattern, name) { targets.append(index) }
        }
        var changed = 0
        var stack = targets
        while let node = stack.popLast() {
            if nodes[node].marked != flag && nodes[node].file != nil { changed += 1 }
            nodes[node].marked = flag
            stack += nodes[node].children.values
        }
        return changed
    }

    /// Marks everything.
    public mutating func markAll() {
        for index in nodes.indices { nodes[index].marked = true }
    }

    /// The marked catalog entries.
    public var markedFiles: [CatalogFile] { nodes.filter { $0.marked }.compactMap(\.file) }

    /// All catalog entries.
    public var allFiles: [CatalogFile] { nodes.compactMap(\.file) }

    /// Shell-style `*`/`?` match.
    static func matches(_ pattern: String, _ name: String) -> Bool {
        let p = Array(pattern)
        let n = Array(name)
        var pi = 0
        var ni = 0
        var star = -1
        var mark = 0
        while ni < n.count {
            if pi < p.count && (p[pi] == "?" || p[pi] == n[ni]) {
                pi += 1
                ni += 1
            } else if pi < p.count && p[pi] == "*" {
                star = pi
                mark = ni
                pi += 1
            } else if star >= 0 {
                pi = star + 1
                mark += 1
                ni = mark
            } else {
                return false
            }
        }
        while pi < p.count && p[pi] == "*" { pi += 1 }
        return pi == p.count
    }

    /// Sum of the sizes of the marked files, as the catalog's LStat columns give them: a size that does not decode
    /// or is negative counts 0, and the sum stops at `Int64.max` (a damaged catalog row must not stop the restore).
    public var markedBytes: Int64 {
        markedFiles.reduce(0) { total, file in
            let size = (try? EncodedStat(decoding: ArraySlice(Array(file.lstat.utf8))))?.size ?? 0
            let (sum, overflow) = total.addingReportingOverflow(max(0, size))
            return overflow ? .max : sum
        }
    }
}
