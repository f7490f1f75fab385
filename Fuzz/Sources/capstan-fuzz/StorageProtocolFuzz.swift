import BaculaWire
import StorageProtocol

/// What a Storage daemon reads from Directors and File daemons: every line offered to each message parser, and the
/// lines fed as frames to the Director-session and FD-session state machines (the first line is the FD's hello).
enum StorageProtocolFuzz {
    static func run(_ input: [UInt8]) {
        let lines = FuzzFrames.split(input)
        for line in lines { parseEverything(line) }

        var director = DirectorSessionMachine()
        for line in lines { _ = director.received(frame(line), jobs: StorageJobTable()) }
        _ = director.connectionClosed()

        var fileDaemon = FileDaemonSessionMachine()
        guard let hello = lines.first else { return }
        _ = fileDaemon.receivedHello(hello, jobs: StorageJobTable(), challenge: Challenge(random: 1, time: 2, name: "fuzz-sd"))
        for line in lines.dropFirst() { _ = fileDaemon.received(frame(line)) }
        _ = fileDaemon.connectionClosed()
    }

    static func frame(_ line: [UInt8]) -> Frame { line == [0xFF, 0x0A] ? .signal(.endOfData) : .payload(line) }

    static func parseEverything(_ line: [UInt8]) {
        _ = try? DirectorCommand(parsing: line)
        _ = try? JobStartCommand(parsing: line)
        _ = try? UseStorageCommand(parsing: line)
        _ = try? FileDaemonCommand(parsing: line)
        _ = try? ReadOpenRequest(parsing: line)
        _ = try? CatalogRequest(parsing: line)
        _ = try? CatalogReply(parsing: line)
        _ = try? JobMediaRecord(parsing: line)
        _ = try? AttributeUpdate(parsing: line)
        _ = try? VolumeInfo(parsing: line)
        _ = try? StorageReply(parsing: line)
        _ = try? JobEndReport(parsing: line)
        _ = try? JobMessage(parsing: line)
        _ = try? AutochangerOutput(parsing: line)
        _ = try? ChangerMessage(parsing: line)
        _ = try? LabelResult(parsing: line)
        _ = try? FileDaemonSessionReply(parsing: line)
        _ = try? ReadRecordHeader(parsing: line)
        _ = RecordHeader(parsing: line)
    }
}
