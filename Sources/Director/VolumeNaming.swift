/// New volume names from a Pool's Label Format: a plain prefix gets a four-digit number after it (`Vol-` →
/// `Vol-0001`), one more than the highest number any volume with that prefix has.
enum VolumeNaming {
    static func nextName(format: String, existing: [String]) -> String {
        var highest = 0
        for name in existing where name.hasPrefix(format) {
            if let number = Int(name.dropFirst(format.count)) { highest = max(highest, number) }
        }
        var candidate = highest + 1
        while existing.contains(format + pad(candidate)) { candidate += 1 }
        return format + pad(candidate)
    }

    private static func pad(_ number: Int) -> String {
        let digits = String(number)
        return digits.count >= 4 ? digits : String(repeating: "0", count: 4 - digits.count) + digits
    }
}
