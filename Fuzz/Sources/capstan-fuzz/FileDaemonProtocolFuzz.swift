import BaculaWire
import FileDaemonProtocol

/// What a File daemon reads from a Director and from volumes it restores: the lines as Director commands (alone
/// and as a conversation), fileset lines, accurate entries, level lines, attribute records, xattr and ACL streams,
/// and RegexWhere expressions.
enum FileDaemonProtocolFuzz {
    static func run(_ input: [UInt8]) {
        let lines = FuzzFrames.split(input)
        var conversation = DirectorConversation(uname: "fuzz")
        var fileSet = FileSetReader()
        for line in lines {
            _ = DirectorRequest(parsing: line)
            _ = LevelLine(parsing: line)
            _ = AccurateEntry(packet: line)
            try? fileSet.read(line)
            _ = conversation.received(line == [0xFF, 0x0A] ? .signal(.endOfData) : .payload(line))
        }
        _ = try? AttributeRecord(decoding: input)
        _ = try? ExtendedAttributes.decode(input)
        _ = PosixACL(xattr: input)
        let text = String(decoding: input, as: UTF8.self)
        _ = try? PosixACL(text: text)
        if let rewrite = try? RegexWhere(text) { _ = rewrite }
    }
}
