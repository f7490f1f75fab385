import CapstanTestSupport
import Foundation
import Testing

/// A clone of the repository is the whole project: no file refers to material outside it (the steering folder
/// beside the checkout that the developers read, or absolute paths of the machine it was written on).
@Suite struct SelfContainedRepositoryTests {
    /// Text that would name a place outside the repository. Built from pieces so this file does not match itself.
    static let outsideReferences = [
        ".." + "/shared", "/work" + "/shared", "shared" + "/harness", "shared" + "/spec", "shared" + "/fixtures",
        "shared" + "/tools", "shared" + "/notes", "/work" + "/main", "/work" + "/wt-",
    ]

    /// Directories that are not the project's own files: git's, build products, VM caches and scratch output.
    static func isSkipped(_ name: String) -> Bool {
        (name.hasPrefix(".") && name != ".ci") || name == "bench-results"
    }

    /// Every regular file of the repository below `directory`, relative to the repository root.
    static func files(below directory: URL, relative: String = "") throws -> [String] {
        var found: [String] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() where !isSkipped(name) {
            let url = directory.appendingPathComponent(name)
            let path = relative.isEmpty ? name : relative + "/" + name
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else { continue }
            if isDirectory.boolValue { found += try files(below: url, relative: path) } else { found.append(path) }
        }
        return found
    }

    @Test func noFileRefersToAPathOutsideTheRepository() throws {
        let files = try Self.files(below: Fixtures.repositoryRoot)
        #expect(files.contains("Package.swift") && files.contains("scripts/test"), "walked the wrong directory")
        var offenders: [String] = []
        for file in files {
            guard let data = FileManager.default.contents(atPath: Fixtures.repositoryRoot.appendingPathComponent(file).path),
                !data.contains(0)  // binary fixtures (volumes, captures) are data, not references
            else { continue }
            let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            for (index, line) in lines.enumerated() {
                for reference in Self.outsideReferences where line.contains(reference) {
                    offenders.append("\(file):\(index + 1): \(reference)")
                }
            }
        }
        #expect(offenders.isEmpty, "files that refer outside the repository:\n\(offenders.joined(separator: "\n"))")
    }

    @Test func theTestCommandAndTheQuickStartAreInTheRepository() throws {
        let readme = try String(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        for command in ["./scripts/test", "./scripts/quickstart"] {
            #expect(readme.contains("\n" + command + "\n"), "README.md does not show \(command)")
            let path = Fixtures.repositoryRoot.appendingPathComponent(String(command.dropFirst(2))).path
            #expect(FileManager.default.isExecutableFile(atPath: path), "\(path) is not an executable file")
        }
        let ci = try String(contentsOf: Fixtures.repositoryRoot.appendingPathComponent(".ci/run"), encoding: .utf8)
        #expect(ci.contains("./scripts/test"), ".ci/run does not run the README's test command")
    }
}
