import CapstanTestSupport
import Foundation
import Testing

/// `capstan ls` and `capstan extract` run as programs on the real Bacula 9.6.7 fixtures.
@Suite struct VolumeToolTests {
    static let fixtures = Fixtures.volumes.path

    struct Listing: Decodable {
        struct Session: Decodable {
            var jobId: Int
            var sessionId: Int
            var files: Int
            var bytes: Int
            var jobName: String
        }
        var container: String
        var sessions: [Session]
    }

    @Test func lsReportsTheJobsBlsReports() async throws {
        let result = try await Programs.run("capstan", ["ls", "--json", Self.fixtures + "/TAPE01.vtape", Self.fixtures + "/PlainVol"])
        #expect(result.status == 0, "\(result.errors)")
        let listings = try JSONDecoder().decode([Listing].self, from: Data(result.output.utf8))
        try #require(listings.map(\.container) == ["vtape", "file"], "\(result.output)")
        let tape = listings[0].sessions
        #expect(tape.map(\.jobId) == [3, 4])
        #expect(tape.map(\.sessionId) == [3, 4])
        #expect(tape.map(\.files) == [8, 3])
        #expect(tape.map(\.bytes) == [1_149_525, 1_665])
        #expect(listings[1].sessions.map(\.jobName) == ["PlainJob"])
    }

    @Test func extractWithABootstrapRestoresThatJobAlone() async throws {
        let target = FileManager.default.temporaryDirectory.appendingPathComponent("capstan-extract-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: target) }
        let result = try await Programs.run(
            "capstan", ["extract", "-b", Self.fixtures + "/TapeJob-3.bsr", Self.fixtures + "/TAPE01.vtape", target])
        #expect(result.status == 0, "\(result.errors)")
        let data = target + "/tmp/volfmt-research/data"
        let files = try FileManager.default.subpathsOfDirectory(atPath: data).sorted()
        #expect(files == ["empty.txt", "hard-hello.txt", "hello.txt", "link-to-hello", "sparse.img", "sub", "sub/numbers.bin"])
        #expect(FileManager.default.contents(atPath: data + "/hello.txt") == Data("Hello Bacula\n".utf8))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: data + "/link-to-hello") == "hello.txt")
        let numbers = try #require(FileManager.default.contents(atPath: data + "/sub/numbers.bin"))
        #expect(numbers.count == 100_000)
        #expect(numbers.enumerated().allSatisfy { $0.element == UInt8(($0.offset * 7 + 3) & 0xFF) })
        var hello = stat()
        var hard = stat()
        #expect(stat(data + "/hello.txt", &hello) == 0 && stat(data + "/hard-hello.txt", &hard) == 0)
        #expect(hello.st_ino == hard.st_ino)
        #expect(hello.st_mtim.tv_sec == 1_704_164_645)  // 2024-01-02 03:04:05 UTC
    }

    @Test func lsOfSomethingThatIsNotAVolumeSaysSo() async throws {
        let path = try Programs.temporaryFile("this is not a Bacula volume\n", name: "junk.vol")
        let result = try await Programs.run("capstan", ["ls", path])
        #expect(result.status != 0)
        #expect(result.errors.contains(path) || result.output.contains(path), "\(result.errors)")
    }
}
