/// A line shape made of fixed text around free fields: `literals[0] field literals[1] field ... literals[n]`.
/// Matching is exact: the line must start with the first literal and end with the last, and each field runs to
/// the first occurrence of the literal after it (so a field never contains its closing literal). Fields are
/// returned as sent (valid UTF-8 only), which makes printing them back between the same literals byte-exact.
struct LineTemplate: Sendable {
    let literals: [String]

    init(_ literals: String...) { self.literals = literals }

    /// The fields of `bytes`, or nil when the line does not have this shape.
    func match(_ bytes: [UInt8]) -> [String]? {
        guard let first = literals.first, startsWith(bytes, first) else { return nil }
        var position = first.utf8.count
        var fields: [String] = []
        for (index, literal) in literals.enumerated().dropFirst() {
            let needle = Array(literal.utf8)
            let end: Int
            if index == literals.count - 1 {
                guard bytes.count - position >= needle.count, bytes.suffix(needle.count).elementsEqual(needle) else {
                    return nil
                }
                end = bytes.count - needle.count
            } else {
                guard let found = bytes[position...].firstRange(of: needle) else { return nil }
                end = found.lowerBound
            }
            guard let field = String(validating: bytes[position..<end], as: UTF8.self) else { return nil }
            fields.append(field)
            position = end + needle.count
        }
        return fields
    }

    /// The line with `fields` put between the literals.
    func print(_ fields: [String]) -> [UInt8] {
        var out = Array(literals[0].utf8)
        for (field, literal) in zip(fields, literals.dropFirst()) {
            out += field.utf8
            out += literal.utf8
        }
        return out
    }
}

/// Decimal fields that print back exactly as read: digits only (a leading `-` allowed), no leading zeros, at most
/// 19 digits.
enum CanonicalInteger {
    static func parse<T: FixedWidthInteger>(_ text: String, as type: T.Type = T.self) -> T? {
        let digits = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
        guard !digits.isEmpty, digits.count <= 19, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
            digits == "0" || digits.first != "0", text != "-0"
        else { return nil }
        return T(text)
    }

    /// Parses field `name` of a `kind` line, or throws `.badField`.
    static func field<T: FixedWidthInteger>(
        _ text: String, name: String, kind: String, line: [UInt8], as type: T.Type = T.self
    ) throws(MessageError) -> T {
        guard let value = parse(text, as: T.self) else {
            throw MessageError(kind: kind, reason: .badField(field: name), line: line)
        }
        return value
    }
}
