import CapstanTestSupport
import BaculaWire
import Testing

/// Spec §2.5 test vectors and §2.6 captured challenge/response pairs.
@Suite struct Base64AndCRAMTests {
    struct Vector: CustomTestStringConvertible, Sendable {
        var hex: String
        var bacula: String
        var compatible: String
        var testDescription: String { hex }
    }

    static let vectors = [
        Vector(hex: "00", bacula: "AA", compatible: "AA"),
        Vector(hex: "ff", bacula: "/D", compatible: "/w"),
        Vector(hex: "80", bacula: "gA", compatible: "gA"),
        Vector(hex: "7fff", bacula: "f/P", compatible: "f/8"),
        Vector(hex: "010203", bacula: "AQID", compatible: "AQID"),
        Vector(hex: "fbff", bacula: "+/P", compatible: "+/8"),
        Vector(hex: "48656c6c6f", bacula: "SGVsbGP", compatible: "SGVsbG8"),
        Vector(hex: "000102030405060708090a0b0c0d0e0f", bacula: "AAECAwQFBgcICQoLDA0ODD", compatible: "AAECAwQFBgcICQoLDA0ODw"),
        Vector(hex: String(repeating: "ff", count: 16), bacula: "/////////////////////D", compatible: "/////////////////////w"),
        Vector(hex: "d37821e3a493af39e4c59288f4e1c8a4", bacula: "03gh46+Trz/kx5+I9+/IpA", compatible: "03gh46STrznkxZKI9OHIpA"),
    ]

    static func bytes(_ hex: String) -> [UInt8] {
        var result: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            result.append(UInt8(hex[index..<next], radix: 16) ?? 0)
            index = next
        }
        return result
    }

    @Test(arguments: vectors)
    func specVector(_ vector: Vector) {
        #expect(BaculaBase64.encode(Self.bytes(vector.hex), mode: .bacula) == vector.bacula)
        #expect(BaculaBase64.encode(Self.bytes(vector.hex), mode: .compatible) == vector.compatible)
        // The byte form appends to what the buffer already holds (the Director encodes digests into its batch).
        var text = Array("x".utf8)
        BaculaBase64.encode(Self.bytes(vector.hex)[...], mode: .compatible, into: &text)
        #expect(text == Array(("x" + vector.compatible).utf8))
    }

    struct Pair: CustomTestStringConvertible, Sendable {
        var challenge: String
        var key: AuthKey
        var response: String
        var testDescription: String { challenge }
    }

    static let pairs = [
        Pair(challenge: "<90337812.1795706790@proto-fd>", key: .password("fdpass"), response: "i5+dmCshJ8+J94ti19MbLB"),
        Pair(challenge: "<1058685596.1795706788@proto-dir>", key: .password("dirpass"), response: "03gh46+Trz/kx5+I9+/IpA"),
        Pair(challenge: "<1313414845.1795706790@proto-sd>", key: .password("sdpass"), response: "76+5tiA+77/yX84ys6+FgB"),
        Pair(
            challenge: "<1849701769.1795706791@proto-sd>", key: .jobKey("OCNB-PIKA-GNBC-PEPN-FCCC-OOGA-AKPA-LIOL"),
            response: "cx/YQS+Uq5FBN9o3v/FqJD"),
        Pair(
            challenge: "<262947297.1795706791@proto-fd>", key: .jobKey("OCNB-PIKA-GNBC-PEPN-FCCC-OOGA-AKPA-LIOL"),
            response: "b0/XI90rO5/jcEQJQ+/RaC"),
        Pair(challenge: "<1092607807.1795706801@proto-dir>", key: .password("conpass"), response: "s9+4uRUatFo9xgw9nj41rC"),
    ]

    @Test(arguments: pairs)
    func capturedResponse(_ pair: Pair) {
        #expect(CRAMMD5.response(key: pair.key, challenge: pair.challenge) == pair.response)
        #expect(CRAMMD5.responsePayload(key: pair.key, challenge: pair.challenge) == Array(pair.response.utf8) + [0])
    }

    @Test func passwordKeysAreLowercaseHexMD5() {
        #expect(AuthKey.password("dirpass").bytes == Array("5c6a65f40890173e35f9bddd111175c5".utf8))
        #expect(AuthKey.password("fdpass").bytes == Array("cd8246733028d58d02f4ffbbb00d39c1".utf8))
        #expect(AuthKey.password("sdpass") == .hashedPassword("514C9ADE3FAEB3D52F3B7C323BE04E8C"))
        #expect(CRAMMD5.digest(key: .password("fdpass"), challenge: "<90337812.1795706790@proto-fd>")
            == Self.bytes("89989d982b2127c089f68b62d7d31b2d"))
    }

    /// §2.3: the acceptor accepts Bacula or unpadded RFC encoding; the connector only Bacula's; `=` padding never.
    @Test func acceptanceRules() {
        let key = AuthKey.password("fdpass")
        let challenge = "<90337812.1795706790@proto-fd>"
        let bacula = Array("i5+dmCshJ8+J94ti19MbLB".utf8)
        let compatible = Array("iZidmCshJ8CJ9oti19MbLQ".utf8)
        let padded = Array("iZidmCshJ8CJ9oti19MbLQ==".utf8)
        #expect(CRAMMD5.verify(payload: bacula + [0], key: key, challenge: challenge, acceptCompatible: false))
        #expect(CRAMMD5.verify(payload: bacula, key: key, challenge: challenge, acceptCompatible: true))
        #expect(CRAMMD5.verify(payload: compatible + [0], key: key, challenge: challenge, acceptCompatible: true))
        #expect(!CRAMMD5.verify(payload: compatible + [0], key: key, challenge: challenge, acceptCompatible: false))
        #expect(!CRAMMD5.verify(payload: padded + [0], key: key, challenge: challenge, acceptCompatible: true))
        #expect(!CRAMMD5.verify(payload: bacula + [0x20], key: key, challenge: challenge, acceptCompatible: true))
        #expect(!CRAMMD5.verify(payload: bacula, key: .password("wrong"), challenge: challenge, acceptCompatible: true))
        #expect(!CRAMMD5.verify(payload: [], key: key, challenge: challenge, acceptCompatible: true))
    }

    @Test func challengeTextAndInjectedRandomness() {
        var first = SeededRandom(seed: 7)
        var second = SeededRandom(seed: 7)
        let a = Challenge.make(name: "capstan-sd", unixTime: 1_795_706_790, using: &first)
        let b = Challenge.make(name: "capstan-sd", unixTime: 1_795_706_790, using: &second)
        #expect(a == b)
        #expect(a.text == "<\(a.random).1795706790@capstan-sd>")
        #expect(ChallengeLine(challenge: a.text).bytes == Array("auth cram-md5 \(a.text) ssl=0\n".utf8))
    }
}
