/// Finds the known name nearest to a misspelled one (edit distance on names compared the way Bacula compares them).
public enum NameSuggestion {
    /// Bacula's names are at most 127 characters; a longer word is a misspelling of none of them.
    static let longestName = 128

    /// The closest candidate, or nil when none is close enough to be a plausible misspelling.
    /// Work is bounded: a word longer than any name gets no suggestion, and a candidate whose length alone puts it
    /// further away than allowed (or than the best so far) is not compared, so the result is that of comparing all.
    public static func nearest(to word: String, in candidates: [String]) -> String? {
        let key = Array(normalizedConfigName(word))
        guard !key.isEmpty, key.count <= longestName else { return nil }
        // Short names are too alike to guess between: "E" is not a misspelling of "D".
        let allowed = key.count < 3 ? 0 : key.count < 5 ? 1 : max(2, key.count / 4)
        var best: (String, Int)?
        for candidate in candidates {
            let other = Array(normalizedConfigName(candidate))
            // The distance is at least the difference in length.
            let lowerBound = abs(other.count - key.count)
            if lowerBound > allowed { continue }
            if let current = best, current.1 <= lowerBound { continue }
            let distance = editDistance(key, other)
            if let current = best, current.1 <= distance { continue }
            best = (candidate, distance)
        }
        guard let (name, distance) = best else { return nil }
        return distance <= allowed ? name : nil
    }

    /// Levenshtein distance between two strings.
    public static func editDistance(_ a: String, _ b: String) -> Int { editDistance(Array(a), Array(b)) }

    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
