import BaculaWire
import Testing

/// Hello and welcome lines parse as leniently as Bacula's scanf (§1.7) and print byte-exactly (§2.8).
@Suite struct HelloParsingTests {
    @Test func scanfSemantics() {
        #expect(BScanf.scan(Array("a 12 b".utf8), format: "a %d b") == [.number(12, hasDigits: true)])
        #expect(BScanf.scan(Array("a  b".utf8), format: "a %d b") == [.number(0, hasDigits: false)])
        #expect(BScanf.scan(Array("a -7".utf8), format: "a %d") == [.number(-7, hasDigits: true)])
        #expect(BScanf.scan(Array("x=1 trailing".utf8), format: "x=%d") == [.number(1, hasDigits: true)])
        #expect(BScanf.scan(Array("y=1".utf8), format: "x=%d") == nil)
        #expect(BScanf.scan(Array("abcdef".utf8), format: "%3s") == [.string("abc")])
        #expect(BScanf.scan(Array("a\0 5".utf8), format: "a %d") == [.number(0, hasDigits: false)])
        #expect(BScanf.scan(Array("a\t\n5".utf8), format: "a %d") == [.number(5, hasDigits: true)])
    }

    /// The scan reads its input in place (a slice, an array) or, for other collections, from a copy; a NUL ends the
    /// input wherever it is.
    @Test func scanfReadsAnyCollectionUpToItsFirstNul() {
        let line = Array("xxJobId=12 name=ab\0cd".utf8)
        let expected: [BScanf.Value] = [.number(12, hasDigits: true), .string("ab")]
        #expect(BScanf.scan(line[2...], format: "JobId=%d name=%s") == expected)
        #expect(BScanf.scan(Array(line[2...]), format: "JobId=%d name=%s") == expected)
        #expect(BScanf.scan(line[2...].lazy.map { $0 }, format: "JobId=%d name=%s") == expected)
        #expect(BScanf.scan(Array("JobId=12\0 name=x".utf8), format: "JobId=%d name=%s") == nil)
        #expect(BScanf.scan(Array("\0".utf8), format: "%d") == [.number(0, hasDigits: false)])
        #expect(BScanf.scan([UInt8](), format: "") == [])
    }

    @Test func consoleHelloForms() throws {
        #expect(try ConsoleHello(parsing: Array("Hello *UserAgent* calling 100\n".utf8)) == ConsoleHello())
        #expect(try ConsoleHello(parsing: Array("Hello proto-con calling".utf8)).version == nil)
        let bashed = try ConsoleHello(parsing: Array("Hello my\u{01}console calling 100\n".utf8))
        #expect(bashed.name == "my console")
        #expect(bashed.bytes == Array("Hello my\u{01}console calling 100\n".utf8))
        #expect(throws: HelloError.badLength(15, allowed: 16...142)) {
            try ConsoleHello(parsing: Array("Hello x calling".utf8))
        }
        #expect(throws: HelloError.self) { try ConsoleHello(parsing: Array("Goodbye x calling 100\n".utf8)) }
    }

    @Test func fileDaemonAcceptorForms() throws {
        #expect(try FileDaemonIncomingHello(parsing: Array("Ping".utf8)) == .ping)
        #expect(
            try FileDaemonIncomingHello(parsing: Array("Hello Director proto-dir calling 103\n".utf8))
                == .director(DirectorHelloToFileDaemon(directorName: "proto-dir", version: 103)))
        #expect(
            try FileDaemonIncomingHello(parsing: Array("Hello Director proto-dir calling\n".utf8))
                == .director(DirectorHelloToFileDaemon(directorName: "proto-dir", version: nil)))
        #expect(
            try FileDaemonIncomingHello(parsing: Array("Hello proto-dir-long calling 103\n".utf8))
                == .director(DirectorHelloToFileDaemon(directorName: "proto-dir-long", version: 103)))
        let storage = "Hello FD: Bacula Storage calling Start Job Backup\u{01}1.2026 306\n"
        #expect(
            try FileDaemonIncomingHello(parsing: Array(storage.utf8))
                == .storageCallingClient(StorageHelloToFileDaemon(jobName: "Backup 1.2026", version: 306)))
        #expect(throws: HelloError.self) { try FileDaemonIncomingHello(parsing: Array("Hello".utf8)) }
    }

    /// §1.7: a 9.6 FD's two-number hello satisfies the SD's three-number pattern; a third number is kept.
    @Test func storageAcceptorForms() throws {
        let two = Array("Hello Bacula SD: Start Job BackupTest.2026-11-26_15.26.28_03 214\n".utf8)
        guard case .fileDaemon(let parsed) = try StorageDaemonIncomingHello(parsing: two) else {
            Issue.record("not an FD hello")
            return
        }
        #expect(parsed.fileDaemonVersion == 214 && parsed.storageVersion == nil && parsed.bytes == two)
        let three = Array("Hello Start Job BackupTest.2026-11-26_15.26.28_03 200 306\n".utf8)
        guard case .fileDaemon(let old) = try StorageDaemonIncomingHello(parsing: three) else {
            Issue.record("not an FD hello")
            return
        }
        #expect(old.storageVersion == 306 && old.acceptsCompression)
        #expect(!FileDaemonHelloToStorageDaemon(jobName: "j", fileDaemonVersion: 213).acceptsCompression)
        #expect(
            try StorageDaemonIncomingHello(parsing: Array("Hello SD: Bacula Director proto-dir calling 103\n".utf8))
                == .director(DirectorHelloToStorageDaemon(directorName: "proto-dir")))
    }

    @Test func welcomeLines() {
        let director = Array("1000 OK: 103 proto-dir Version: 9.6.7 (10 December 2020)\n".utf8)
        #expect(WelcomeLine(parsing: director) == .director(version: 103, name: "proto-dir", versionText: "9.6.7", date: "10 December 2020"))
        #expect(WelcomeLine(parsing: director)?.bytes == director)
        #expect(WelcomeLine(parsing: Array("2000 OK Hello 214\n".utf8)) == .fileDaemon(version: 214))
        #expect(WelcomeLine(parsing: Array("3000 OK Hello 306\n".utf8))?.bytes == Array("3000 OK Hello 306\n".utf8))
        #expect(WelcomeLine(parsing: AuthLine.failed) == nil)
        #expect(WelcomeLine(parsing: AuthLine.storageDaemonFailed) == nil)
    }

    @Test func challengeLineForms() {
        #expect(ChallengeLine(parsing: Array("auth cram-md5 <1.2@x> ssl=2\n".utf8))?.ssl == 2)
        #expect(ChallengeLine(parsing: Array("auth cram-md5 <1.2@x>\n".utf8))?.ssl == 0)
        #expect(ChallengeLine(parsing: Array("auth cram-md5c <1.2@x> ssl=0\n".utf8))?.compatible == true)
        #expect(ChallengeLine(parsing: Array("auth cram-sha <1.2@x> ssl=0\n".utf8)) == nil)
        #expect(ChallengeLine(parsing: Array("auth cram-md5 ".utf8) + [UInt8](repeating: 0x41, count: 490)) == nil)
    }
}
