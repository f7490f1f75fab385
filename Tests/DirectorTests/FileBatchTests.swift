import Catalog
@testable import Director
import Testing

/// `FileBatch` keeps files as bytes: digests find their file (last, by search, or late), a directory's files share
/// one path, a deleted file keeps its wire FileIndex for its digest; and the record parser finds the fields in place.
@Suite struct FileBatchTests {
    static func append(_ batch: inout FileBatch, _ fileIndex: Int64, _ path: String, _ name: String, deleted: Bool = false) {
        var (path, name, lstat) = (path, name, "P0C \(fileIndex)")
        path.withUTF8 { path in
            name.withUTF8 { name in
                lstat.withUTF8 { batch.append(fileIndex: fileIndex, deleted: deleted, path: path, name: name, lstat: $0, deltaSequence: 0) }
            }
        }
    }

    static func digest(_ batch: inout FileBatch, _ fileIndex: Int64, _ text: String) -> Bool {
        var text = text
        return text.withUTF8 { batch.setDigest(fileIndex: fileIndex, text: $0) }
    }

    @Test func digestsFindTheirFilesAndAPathIsStoredOncePerRun() {
        var batch = FileBatch()
        Self.append(&batch, 1, "/a/", "x")
        Self.append(&batch, 2, "/a/", "y")
        Self.append(&batch, 3, "/b/", "z")
        Self.append(&batch, 4, "/b/", "gone", deleted: true)
        #expect(Self.digest(&batch, 4, "D4"))  // the last file
        #expect(Self.digest(&batch, 1, "D1"))  // found by search
        #expect(!Self.digest(&batch, 9, "D9"))  // not in this batch
        var late = "L0"
        late.withUTF8 { batch.addLateDigest(fileIndex: 0, text: $0) }
        #expect(batch.items[0].path == batch.items[1].path)
        #expect(batch.items[2].path != batch.items[1].path)
        #expect(batch.entries == [
            FileEntry(fileIndex: 1, path: "/a/", name: "x", lstat: "P0C 1", digest: "D1"),
            FileEntry(fileIndex: 2, path: "/a/", name: "y", lstat: "P0C 2"),
            FileEntry(fileIndex: 3, path: "/b/", name: "z", lstat: "P0C 3"),
            FileEntry(fileIndex: 0, path: "/b/", name: "gone", lstat: "P0C 4", digest: "D4"),
        ])
        #expect(batch.lateDigests.count == 1 && batch.text(batch.lateDigests[0].digest) == "L0")
        batch.removeAll()
        #expect(batch.isEmpty)
    }

    @Test func outOfOrderFileIndexesAreStillFound() {
        var batch = FileBatch()
        for index: Int64 in [5, 3, 8, 1] { Self.append(&batch, index, "/", "f\(index)") }
        for index: Int64 in [3, 5, 1, 8] { #expect(Self.digest(&batch, index, "D\(index)")) }
        #expect(batch.entries.map(\.digest) == ["D5", "D3", "D8", "D1"])
    }

    @Test func theRecordParserSplitsLikeBacula() throws {
        func fields(_ head: String, _ rest: [String]) throws -> (Int32, String, String, String, Int64) {
            let bytes = Array(head.utf8) + rest.flatMap { [0] + Array($0.utf8) }
            return try bytes.withUnsafeBufferPointer { buffer in
                let f = try #require(StorageCatalogService.catalogFields(buffer))
                let text = { (range: Range<Int>) in String(decoding: buffer[range], as: UTF8.self) }
                return (f.type, text(f.path), text(f.name), text(f.lstat), f.deltaSequence)
            }
        }
        #expect(try fields("1 3 /a/b/c", ["P0C", "", "", "7"]) == (3, "/a/b/", "c", "P0C", 7))
        #expect(try fields("2 5 /a/b/", ["P0C", "", ""]) == (5, "/a/b/", "", "P0C", 0))
        #expect(try fields("3 3 name", ["S", "", "", "-2"]) == (3, "", "name", "S", -2))
        #expect(try fields("4 +23 /x", []) == (23, "/", "x", "", 0))
        #expect(try fields("5 3 /x", ["S", "", "", "9x"]) == (3, "/", "x", "S", 0))
        let bad = Array("1 x /a".utf8) + [0]
        #expect(bad.withUnsafeBufferPointer { StorageCatalogService.catalogFields($0) } == nil)
        let short = Array("1".utf8)
        #expect(short.withUnsafeBufferPointer { StorageCatalogService.catalogFields($0) } == nil)
    }
}
