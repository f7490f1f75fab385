import BaculaVolume
import BaculaWire
import FileDaemonProtocol
import Testing

@Suite struct FileSetAndRecordTests {
    @Test func optionLettersBecomeNamedOptions() {
        let o = FileSetOptions(letters: "S2Z6sfHmkKeicNXAV pins5:C mcs:P2:")
        #expect(o.signature == .sha256)
        #expect(o.compression == .gzip(level: 6))
        #expect(o.sparse && !o.oneFileSystem && !o.hardLinks && o.mtimeOnly && o.keepAccessTime && o.noAccessTime)
        #expect(o.exclude && o.ignoreCase && o.checkFileChanges && o.honorNoDump && o.xattrs && o.acls)
        #expect(o.accurateLetters == " mcs")
        #expect(o.stripPath == 2)
        #expect(FileSetOptions(letters: "S3Zo").signature == .sha512)
        #expect(FileSetOptions(letters: "S3Zo").compression == .lzo)
        #expect(FileSetOptions(letters: "S").signature == .sha1)
    }

    @Test func fileSetLinesWithPatternsAndExcludes() throws {
        var reader = FileSetReader()
        for line in ["I\n", "O Mie\n", "WF *.o\n", "RD ^/tmp/x/cache$\n", "N\n", "O S2Z9\n", "X ext2\n", "X xfs\n", "XD fixed\n", "N\n", "F /tmp/x", "Z .nobackup\n", "N\n", "E\n", "F /tmp/x/skip", "N\n"] {
            try reader.read(Array(line.utf8))
        }
        let set = reader.fileSet
        #expect(set.includes.count == 1 && set.excludes.count == 1)
        let include = try #require(set.includes.first)
        #expect(include.optionsBlocks.count == 2)
        #expect(include.optionsBlocks[0].wildFiles == ["*.o"])
        #expect(include.optionsBlocks[0].regexDirectories == ["^/tmp/x/cache$"])
        #expect(include.optionsBlocks[0].options.exclude)
        #expect(!include.optionsBlocks[1].hasPatterns)
        #expect(include.optionsBlocks[1].fileSystemTypes == ["ext2", "xfs"])
        #expect(include.optionsBlocks[1].driveTypes == ["fixed"])
        #expect(include.excludeDirContaining == [".nobackup"])
        #expect(throws: FileSetError.self) {
            var bad = FileSetReader()
            try bad.read(Array("F /orphan".utf8))
        }
    }

    /// The attribute records the real FD sent in the backup capture decode and encode back byte for byte.
    @Test func capturedAttributeRecordsRoundTrip() throws {
        let frames = try #require(try DirectorCaptures.fileDaemonToStorage("bacula-backup-capture.pcap").first)
        var attributes: [[UInt8]] = []
        for (index, frame) in frames.enumerated() {
            guard let header = frame.payload, let text = String(validating: header, as: UTF8.self) else { continue }
            let fields = text.split(separator: " ")
            if fields.count == 3, fields[1] == "1", index + 1 < frames.count, let payload = frames[index + 1].payload {
                attributes.append(payload)
                #expect(BackupRecordFrames.header(fileIndex: Int32(fields[0])!, stream: 1, expectedLength: 0) == frame)
            }
        }
        #expect(attributes.count == 6)
        for payload in attributes {
            let record = try AttributeRecord(decoding: payload)
            #expect(record.bytes == payload)
        }
        let link = try AttributeRecord(decoding: attributes[0])
        #expect(link.fileType == .symbolicLink && link.link == Array("small.txt".utf8))
    }

    @Test func namesThatAreNotUTF8SurviveTheAttributeRecord() throws {
        let name: [UInt8] = Array("/tmp/bad-".utf8) + [0xFF, 0xFE, 0x0A] + Array("name".utf8)
        var stat = EncodedStat()
        stat.mode = 0o100644
        stat.size = 5
        let record = AttributeRecord(fileIndex: 7, type: .regular, name: name, stat: stat)
        let decoded = try AttributeRecord(decoding: record.bytes)
        #expect(decoded.name == name)
        #expect(decoded.stat == stat)
        #expect(decoded.fileIndex == 7)
    }

    @Test func directorRequestsParse() {
        #expect(
            DirectorRequest(parsing: Array("restore files=3 replace=w prelinks=1 where=/tmp/a\u{01}b\n".utf8))
                == .restore(RestoreRequest(files: 3, replace: .ifNewer, prefixLinks: true, whereDirectory: "/tmp/a b")))
        #expect(
            DirectorRequest(parsing: Array("restore files=3 replace=n prelinks=0 regexwhere=!a!b!\n".utf8))
                == .restore(RestoreRequest(files: 3, replace: .never, prefixLinks: false, whereDirectory: "", regexWhere: "!a!b!")))
        #expect(
            DirectorRequest(parsing: Array("storage address=sd.example port=9103 ssl=0 Authorization=ABC\n".utf8))
                == .storage(StorageAddress(host: "sd.example", port: 9103, ssl: 0, authorization: "ABC")))
        #expect(DirectorRequest(parsing: Array("cancel Job=Backup.1\n".utf8)) == .cancel(job: "Backup.1", stop: false))
        #expect(
            DirectorRequest(parsing: Array("Run OnSuccess=1 OnFailure=0 AbortOnError=1 When=1 Command=/bin/echo\u{01}hi\n".utf8))
                == .runScript(RunScript(onSuccess: true, onFailure: false, abortOnError: true, when: RunScript.after, command: "/bin/echo hi")))
        #expect(DirectorRequest(parsing: Array("frobnicate\n".utf8)) == nil)
        #expect(FileDaemonReply.grouped(1_234_567) == "1,234,567")
        #expect(FileDaemonReply.grouped(999) == "999")
    }
}
