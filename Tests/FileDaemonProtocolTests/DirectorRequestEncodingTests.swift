import BaculaWire
import CapstanTestSupport
import FileDaemonProtocol
import Testing

/// The Director's commands to a File daemon as capstan-dir encodes them: bacula-dir's bytes for the commands of a
/// job (the forms the real bacula-fd answered in the interop tests), and the parser reads every encoding back.
@Suite struct DirectorRequestEncodingTests {
    @Test func aJobsCommandsAreBaculaDirsBytes() {
        func text(_ request: DirectorRequest) -> String { String(decoding: request.encoded, as: UTF8.self) }
        let identity = JobIdentity(jobID: 7, job: "Nightly.2026-12-05_06.00.00_03", sessionID: 1, sessionTime: 1_796_000_000, authorization: "KEY")
        #expect(text(.jobStart(identity)) == "JobId=7 Job=Nightly.2026-12-05_06.00.00_03 SDid=1 SDtime=1796000000 Authorization=KEY\n")
        #expect(text(.level(LevelLine(kind: .full))) == "level = full  mtime_only=0 \n")
        #expect(text(.level(LevelLine(kind: .incremental, accurate: true))) == "level = accurate_incremental  mtime_only=0 \n")
        #expect(
            text(.level(LevelLine(kind: .since(1_796_203_800), previousJob: "Nightly.2026-12-04_06.00.00_02")))
                == "level = since_utime 1796203800 mtime_only=0 prev_job=Nightly.2026-12-04_06.00.00_02\n")
        #expect(text(.fileSet(vss: false)) == "fileset\n")
        #expect(text(.storage(StorageAddress(host: "sd.example", port: 9103, ssl: 0))) == "storage address=sd.example port=9103 ssl=0\n")
        #expect(
            text(.storage(StorageAddress(host: "sd", port: 9103, ssl: 2, authorization: "KEY")))
                == "storage address=sd port=9103 ssl=2 Authorization=KEY\n")
        #expect(text(.backup(fileIndex: 0)) == "backup FileIndex=0\n")
        #expect(
            text(.restore(RestoreRequest(files: 3, replace: .always, prefixLinks: false, whereDirectory: "/tmp/a b")))
                == "restore files=3 replace=a prelinks=0 where=/tmp/a\u{1}b\n")
        #expect(
            text(.restore(RestoreRequest(files: 1, replace: .never, prefixLinks: true, whereDirectory: "", regexWhere: "!a!b!")))
                == "restore files=1 replace=n prelinks=1 regexwhere=!a!b!\n")
        #expect(text(.endRestore) == "endrestore")
        #expect(text(.accurate(files: 12)) == "accurate files=12\n")
        #expect(text(.runBeforeJob("/bin/dump db")) == "RunBeforeJob /bin/dump\u{1}db\n")
        #expect(
            text(.runScript(RunScript(onSuccess: true, onFailure: false, abortOnError: false, when: 3, command: "/bin/a")))
                == "Run OnSuccess=1 OnFailure=0 AbortOnError=0 When=3 Command=/bin/a\n")
        #expect(
            String(decoding: DirectorRequest.setBandwidthLine(bytesPerSecond: 2_000_000, job: "J.1"), as: UTF8.self)
                == "setbandwidth=2000000 Job=J.1\n")
    }

    /// 5,000 random requests of every kind: `DirectorRequest(parsing: request.encoded) == request`.
    @Test func everyEncodingParsesBackAsTheSameRequest() {
        var random = SeededRandom(seed: 0xD1_2EC7)
        for _ in 0..<5_000 {
            let request = Self.request(&random)
            #expect(DirectorRequest(parsing: request.encoded) == request, "\(request)")
        }
    }

    /// A word of 1 to 20 characters without spaces (names, hosts, keys: `%127s` stops at a space).
    static func word(_ random: inout SeededRandom) -> String {
        let letters = Array("abcXYZ019._-:/")
        return String((0...random.below(20)).map { _ in letters[random.below(letters.count)] })
    }

    /// Text that may hold spaces (commands, folders: sent bashed).
    static func phrase(_ random: inout SeededRandom) -> String {
        (0...random.below(3)).map { _ in word(&random) }.joined(separator: " ")
    }

    static func request(_ random: inout SeededRandom) -> DirectorRequest {
        let number = Int64(random.below(1_000_000_000))
        let flag = random.below(2) == 1
        switch random.below(23) {
        case 0:
            return .jobStart(
                JobIdentity(
                    jobID: UInt32(random.below(100_000)), job: word(&random), sessionID: UInt32(random.below(1000)),
                    sessionTime: UInt32(truncatingIfNeeded: number), authorization: word(&random)))
        case 1:
            let kinds: [LevelLine.Kind] = [.full, .base, .incremental, .differential]
            let kind = kinds[random.below(kinds.count)]
            let accurate = flag && (kind == .incremental || kind == .differential)
            return .level(LevelLine(kind: kind, accurate: accurate, mtimeOnly: random.below(2) == 1))
        case 2:
            return .level(LevelLine(kind: .since(number), mtimeOnly: flag, previousJob: word(&random)))
        case 3: return .fileSet(vss: flag)
        case 4:
            return .storage(
                StorageAddress(
                    host: word(&random), port: random.below(65_536), ssl: random.below(3),
                    authorization: flag ? word(&random) : nil))
        case 5: return .backup(fileIndex: random.below(10))
        case 6:
            let replace: [ReplacePolicy] = [.always, .ifNewer, .ifOlder, .never]
            let regex = random.below(2) == 1
            let folder = "/" + phrase(&random)
            return .restore(
                RestoreRequest(
                    files: random.below(100_000), replace: replace[random.below(4)], prefixLinks: flag,
                    whereDirectory: regex ? "" : folder, regexWhere: regex ? "!" + phrase(&random) + "!x!" : nil))
        case 7: return .endRestore
        case 8: return .estimate(listing: flag)
        case 9: return .status
        case 10: return .machineStatus(word(&random))
        case 11: return .cancel(job: word(&random), stop: flag)
        case 12: return .setDebug("setdebug=\(random.below(200)) trace=\(flag ? 1 : 0)")
        case 13: return .setBandwidth(bytesPerSecond: number)
        case 14:
            return .runScript(
                RunScript(
                    onSuccess: flag, onFailure: random.below(2) == 1, abortOnError: random.below(2) == 1,
                    when: random.below(8), command: phrase(&random)))
        case 15: return .runBeforeNow
        case 16: return .runBeforeJob(phrase(&random))
        case 17: return .runAfterJob(phrase(&random))
        case 18: return .accurate(files: random.below(1_000_000))
        case 19: return .componentInfo
        case 20: return .restoreObject(end: flag)
        case 21: return .ping
        default: return .level(LevelLine(kind: .full))
        }
    }
}
