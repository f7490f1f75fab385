/// Finds the known name nearest to a misspelled one (edit distance on names compared the way Bacula compares them).
public enum NameSuggestion {
    /// Bacula's names are at most 127 characters; a longer word is a misspelling of none of them.
    static let longestName = 128

    /// The closest candidate (the first of equally close ones), or nil when none is close enough to be a plausible
    /// misspelling.
    /// Work is bounded: a word longer than any name gets no suggestion, a candidate whose length alone puts it
    /// further away than allowed (or than the best so far) is not compared, and a comparison stops as soon as it
    /// cannot come closer than that; the result is that of comparing all.
    public static func nearest(to word: String, in candidates: [String]) -> String? {
        nearest(to: word, in: NameCandidates(candidates))
    }

    /// The same over candidates prepared once (a schema's directive names, asked about every unknown directive).
    static func nearest(to word: String, in candidates: NameCandidates) -> String? {
        // The word's characters as numbers for comparing with an ASCII candidate: a one-byte character is its byte,
        // any other character (including "\r\n") a number no byte equals. An ASCII word's characters are its bytes.
        let keyCodes: [UInt16]
        let keyCharacters: [Character]?
        if let ascii = asciiNormalizedName(word) {
            keyCodes = ascii.map(UInt16.init)
            keyCharacters = nil
        } else {
            let characters = Array(normalizedConfigName(word))
            keyCodes = characters.map { character -> UInt16 in
                guard character.utf8.count == 1, let byte = character.utf8.first else { return 0x100 }
                return UInt16(byte)
            }
            keyCharacters = characters
        }
        guard !keyCodes.isEmpty, keyCodes.count <= longestName else { return nil }
        // Short names are too alike to guess between: "E" is not a misspelling of "D".
        let allowed = keyCodes.count < 3 ? 0 : keyCodes.count < 5 ? 1 : max(2, keyCodes.count / 4)
        // Only a non-ASCII candidate needs the word as characters.
        var key: [Character] { keyCharacters ?? Array(normalizedConfigName(word)) }
        var best: (String, Int)?
        for position in candidates.names.indices {
            let limit = min(allowed, (best?.1 ?? Int.max) - 1)
            let distance: Int?
            if let other = candidates.asciiCodes[position] {
                // The distance is at least the difference in length.
                if abs(other.count - keyCodes.count) > limit { continue }
                distance = editDistance(keyCodes, other, limit: limit)
            } else {
                let other = Array(normalizedConfigName(candidates.names[position]))
                let key = key
                if abs(other.count - key.count) > limit { continue }
                distance = editDistance(key, other, limit: limit)
            }
            if let distance { best = (candidates.names[position], distance) }
        }
        return best?.0
    }

    /// `normalizedConfigName(name)`'s bytes when the name is ASCII (as every name of a schema is), built without
    /// the normalized string; nil for a name with other characters.
    static func asciiNormalizedName(_ name: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(name.utf8.count)
        for byte in name.utf8 {
            if byte >= 0x80 { return nil }
            if byte == 0x20 || byte == 0x09 { continue }
            bytes.append(byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte)
        }
        // "\r\n" is one character; it never occurs in a name, but it would not count as two.
        if bytes.contains(0x0D) { return nil }
        return bytes
    }

    /// Levenshtein distance between two strings.
    public static func editDistance(_ a: String, _ b: String) -> Int { editDistance(Array(a), Array(b), limit: Int.max) ?? Int.max }

    /// Levenshtein distance between two sequences, or nil once it is certain to be more than `limit`. With a limit,
    /// only the cells within `limit` of the table's diagonal are computed (a path through any other cell already
    /// costs more), and the work stops once a whole row is over the limit (the smallest entry of a row never
    /// decreases from one row to the next).
    static func editDistance<Element: Equatable>(_ a: [Element], _ b: [Element], limit: Int) -> Int? {
        if a.isEmpty { return b.count <= limit ? b.count : nil }
        if b.isEmpty { return a.count <= limit ? a.count : nil }
        if abs(a.count - b.count) > limit { return nil }
        // Outside the band: any value over the limit does, and this one cannot overflow when 1 is added.
        let over = min(limit, a.count + b.count) + 1
        let band = min(limit, max(a.count, b.count))
        var previous = Array(0...b.count)
        var current = [Int](repeating: over, count: b.count + 1)
        for i in 1...a.count {
            let low = max(1, i - band)
            let high = min(b.count, i + band)
            current[low - 1] = low == 1 ? i : over
            // The previous row's cell just past its band, read now as the cell above this row's last one.
            if i + band <= b.count { previous[i + band] = over }
            var smallest = current[low - 1]
            for j in low...high {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                smallest = min(smallest, current[j])
            }
            if smallest > limit { return nil }
            swap(&previous, &current)
        }
        return previous[b.count] <= limit ? previous[b.count] : nil
    }
}

/// Candidate names for `NameSuggestion.nearest`, each with its normalized bytes (as numbers comparable with a word's
/// characters) when it is ASCII: made once per list, not once per misspelling.
struct NameCandidates: Equatable, Sendable {
    let names: [String]
    /// `NameSuggestion.asciiNormalizedName(names[i])` widened to `UInt16`; nil for a non-ASCII name.
    let asciiCodes: [[UInt16]?]

    init(_ names: [String]) {
        self.names = names
        asciiCodes = names.map { name in NameSuggestion.asciiNormalizedName(name).map { $0.map(UInt16.init) } }
    }
}
