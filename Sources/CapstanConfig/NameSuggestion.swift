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
        let key = Array(normalizedConfigName(word))
        guard !key.isEmpty, key.count <= longestName else { return nil }
        // Short names are too alike to guess between: "E" is not a misspelling of "D".
        let allowed = key.count < 3 ? 0 : key.count < 5 ? 1 : max(2, key.count / 4)
        // The word's characters as numbers for comparing with an ASCII candidate: a one-byte character is its byte,
        // any other character (including "\r\n") a number no byte equals.
        let keyCodes = key.map { character -> UInt16 in
            guard character.utf8.count == 1, let byte = character.utf8.first else { return 0x100 }
            return UInt16(byte)
        }
        var best: (String, Int)?
        for candidate in candidates {
            let limit = min(allowed, (best?.1 ?? Int.max) - 1)
            let distance: Int?
            if let other = asciiNormalizedName(candidate) {
                // The distance is at least the difference in length.
                if abs(other.count - key.count) > limit { continue }
                distance = editDistance(keyCodes, other.map(UInt16.init), limit: limit)
            } else {
                let other = Array(normalizedConfigName(candidate))
                if abs(other.count - key.count) > limit { continue }
                distance = editDistance(key, other, limit: limit)
            }
            if let distance { best = (candidate, distance) }
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

    /// Levenshtein distance between two sequences, or nil once it is certain to be more than `limit` (the smallest
    /// entry of a row of the table never decreases from one row to the next).
    static func editDistance<Element: Equatable>(_ a: [Element], _ b: [Element], limit: Int) -> Int? {
        if a.isEmpty { return b.count <= limit ? b.count : nil }
        if b.isEmpty { return a.count <= limit ? a.count : nil }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            var smallest = i
            for j in 1...b.count {
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
