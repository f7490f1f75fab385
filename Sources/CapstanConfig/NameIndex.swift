/// Where each name of a list is, by every spelling Bacula accepts for it (case and spaces ignored). When two entries
/// share a spelling the first wins, as a front-to-back search finds it. Schemas look up every directive of every
/// resource by name, so they keep one of these instead of comparing with each entry in turn.
struct NameIndex: Equatable, Sendable {
    private var positions: [String: Int] = [:]

    /// `spellings[i]` are the names of entry `i`.
    init(_ spellings: [[String]]) {
        for (position, names) in spellings.enumerated() {
            for name in names where positions[normalizedConfigName(name)] == nil {
                positions[normalizedConfigName(name)] = position
            }
        }
    }

    /// The position of the first entry `name` names.
    func position(of name: String) -> Int? { positions[normalizedConfigName(name)] }
}
