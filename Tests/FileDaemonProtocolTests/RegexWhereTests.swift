import FileDaemonProtocol
import Testing

@Suite struct RegexWhereTests {
    func apply(_ expression: String, _ path: String) throws -> String {
        String(decoding: try RegexWhere(expression).apply(Array(path.utf8)), as: UTF8.self)
    }

    @Test func substitutionsApplyInOrderWithGroupsAndFlags() throws {
        #expect(try apply("!^/data/!/restore/!", "/data/a/b.txt") == "/restore/a/b.txt")
        #expect(try apply("!^/data!!,!^!/new!", "/data/x") == "/new/x")
        #expect(try apply("!([^/]+)\\.txt$!$1.old.txt!", "/d/name.txt") == "/d/name.old.txt")
        #expect(try apply("!a!b!g", "/aaa/a") == "/bbb/b")
        #expect(try apply("!A!b!i", "/xa") == "/xb")
        #expect(try apply("#/x\\#y#/z#", "/x#y/q") == "/z/q")
        #expect(try apply("!nomatch!z!", "/unchanged") == "/unchanged")
        #expect(throws: RegexWhereError.self) { try RegexWhere("!only-two!") }
        #expect(throws: RegexWhereError.self) { try RegexWhere("!([unclosed!x!") }
    }

    @Test func bytesThatAreNotUTF8PassThrough() throws {
        let path: [UInt8] = Array("/data/".utf8) + [0xFF, 0x0A] + Array("n".utf8)
        #expect(try RegexWhere("!^/data!/r!").apply(path) == Array("/r/".utf8) + [0xFF, 0x0A] + Array("n".utf8))
    }
}

@Suite struct ACLAndXattrStreamTests {
    @Test func aclTextAndKernelFormRoundTrip() throws {
        let acl = PosixACL(entries: [
            .init(tag: .userObject, permissions: 6), .init(tag: .user, permissions: 5, id: 1234),
            .init(tag: .groupObject, permissions: 4), .init(tag: .group, permissions: 7, id: 50), .init(tag: .mask, permissions: 7),
            .init(tag: .other, permissions: 0),
        ])
        #expect(acl.text() == "user::rw-\nuser:1234:r-x\ngroup::r--\ngroup:50:rwx\nmask::rwx\nother::---\n")
        #expect(try PosixACL(text: acl.text()) == acl)
        #expect(PosixACL(xattr: acl.xattr) == acl)
        #expect(!acl.isTrivial)
        let named = try PosixACL(text: "user::rw-\nuser:tape:r--\t#effective:r--\ngroup::r--\nmask::r--\nother::---\n", userID: { $0 == "tape" ? 26 : nil })
        #expect(named.entries[1] == .init(tag: .user, permissions: 4, id: 26))
        #expect(try PosixACL(text: "u::rw-,g::r--,o::r--").isTrivial)
        #expect(throws: PosixACLError.self) { try PosixACL(text: "user:nobody-known:r--") }
    }

    @Test func extendedAttributeStreamRoundTrips() throws {
        let attributes: [(name: [UInt8], value: [UInt8])] = [(Array("user.a".utf8), [1, 2, 0]), (Array("user.empty".utf8), [])]
        let bytes = ExtendedAttributes.encode(attributes)
        #expect(Array(bytes.prefix(4)) == [0x00, 0x5C, 0x58, 0x84])
        let decoded = try ExtendedAttributes.decode(bytes)
        #expect(decoded.map(\.name) == attributes.map(\.name))
        #expect(decoded.map(\.value) == attributes.map(\.value))
        #expect(throws: ExtendedAttributesError.self) { try ExtendedAttributes.decode(Array(bytes.dropLast(2))) }
    }
}
