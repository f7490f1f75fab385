/// Bacula's `%x` codes in the commands a configuration names (Mail and Operator Commands, Changer Command, file-list
/// commands `|cmd`): each `%` and the character after it become what `value` returns for that character. A `%`
/// before a character `value` does not know (nil) stays as written with it, and a `%` at the very end stays.
/// `%%` is whatever `value` says for `%` (every Bacula daemon makes it `%`).
public enum PercentCodes {
    public static func expand(_ text: String, _ value: (Character) -> String?) -> String {
        var out = ""
        var characters = text.makeIterator()
        while let character = characters.next() {
            guard character == "%" else {
                out.append(character)
                continue
            }
            guard let code = characters.next() else {
                out.append("%")
                break
            }
            if let replacement = value(code) {
                out += replacement
            } else {
                out.append("%")
                out.append(code)
            }
        }
        return out
    }
}
