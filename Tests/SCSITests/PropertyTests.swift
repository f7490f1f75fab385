import CapstanTestSupport
import SCSI
import Testing

/// Random truncation, extension and corruption of real and hand-made pages: every decoder returns a value or a
/// `SCSIDecodeError` (typed throws), never crashes, and respects the lengths the page advertises.
@Suite struct PropertyTests {
    /// Decodes `page` as `kind`; the signature proves the only error is `SCSIDecodeError`.
    static func decode(_ kind: String, _ p: [UInt8]) throws(SCSIDecodeError) -> Bool {
        switch kind {
        case "inquiry": _ = try StandardInquiry(decoding: p)
        case "vpd80": _ = try UnitSerialNumber(decoding: p)
        case "vpd83": _ = try DeviceIdentification(decoding: p)
        case "mode6": _ = try ElementAddressAssignment(decodingModeSense: p, tenByteHeader: false)
        case "mode10": _ = try ElementAddressAssignment(decodingModeSense: p, tenByteHeader: true)
        case "elements": _ = try ElementStatus(decoding: p)
        case "sense": _ = try SenseData(decoding: p)
        case "tapealert": _ = try TapeAlert(decoding: p)
        case "mam": _ = try MediumAuxiliaryMemory(decoding: p)
        case "position-short": _ = try ReadPosition(decoding: p, form: .short)
        case "position-long": _ = try ReadPosition(decoding: p, form: .long)
        default: return false
        }
        return true
    }

    static func samples() throws -> [(String, [UInt8])] {
        [
            ("inquiry", try Captures.reply("changer.inquiry").data),
            ("vpd80", try Captures.reply("drive.vpd80").data),
            ("vpd83", try Captures.reply("drive.vpd83").data),
            ("mode6", try Captures.reply("changer.modesense6.1d").data),
            ("mode10", try Captures.reply("changer.modesense10.1d").data),
            ("elements", try Captures.reply("changer.res.slots").data),
            ("elements", try Captures.reply("changer.res.drives.loaded").data),
            ("sense", try Captures.reply("changer.move.empty-source").sense),
            ("tapealert", HandMadePageTests.tapeAlertPage(set: [1, 2, 3])),
            ("mam", HandMadePageTests.mam),
            ("position-short", try Captures.reply("drive.readposition.short").data),
            ("position-long", try Captures.reply("drive.readposition.long").data),
        ]
    }

    @Test(arguments: [1, 2, 3])
    func mutatedPagesNeverCrash(seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        var outcomes = (values: 0, errors: 0)
        for (kind, page) in try Self.samples() {
            for _ in 0..<300 {
                var p = page
                switch rng.next() % 4 {
                case 0: p = Array(p.prefix(Int(rng.next() % UInt64(p.count + 1))))
                case 1: p += (0..<Int(rng.next() % 200)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                case 2:
                    for _ in 0..<Int(1 + rng.next() % 4) where !p.isEmpty {
                        p[Int(rng.next() % UInt64(p.count))] = UInt8.random(in: 0...255, using: &rng)
                    }
                default: p = (0..<Int(rng.next() % 64)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                }
                do {
                    #expect(try Self.decode(kind, p))
                    outcomes.values += 1
                } catch {
                    outcomes.errors += 1
                    #expect(!error.page.isEmpty)
                    #expect(error.offset >= 0)
                }
            }
        }
        #expect(outcomes.values > 0 && outcomes.errors > 0)
    }

    /// Bytes past the advertised length change nothing; a prefix yields a prefix of the elements.
    @Test(arguments: ["changer.res.slots", "changer.res.drives.loaded", "changer.res.ie"])
    func elementStatusRespectsLengths(name: String) throws {
        let page = try Captures.reply(name).data
        let full = try ElementStatus(decoding: page)
        var rng = SeededRandom(seed: UInt64(page.count))
        for _ in 0..<50 {
            let garbage = (0..<Int(1 + rng.next() % 100)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let advertised = 8 + (Int(page[5]) << 16 | Int(page[6]) << 8 | Int(page[7]))
            if page.count >= advertised {
                #expect(try ElementStatus(decoding: page + garbage) == full)
            }
            let cut = Int(rng.next() % UInt64(page.count + 1))
            do {
                let partial = try ElementStatus(decoding: Array(page.prefix(cut)))
                #expect(partial.elements.count <= full.elements.count)
                #expect(partial.elements.map(\.address) == Array(full.elements.map(\.address).prefix(partial.elements.count)))
                if cut < page.count { #expect(partial.truncated) }
            } catch {
                #expect(cut < 8, "only a cut header may fail, cut at \(cut): \(error)")
            }
        }
    }
}
