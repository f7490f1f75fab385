/// Which drive or changer a tool acts on when no configuration names it, as `mt -f` and `mtx -f` would: the one the
/// user named (by node, udev link or serial), else the only one udev shows. Pure: it looks only at the inventory.
public enum DeviceChoice {
    /// Why nothing could be chosen; the text says what udev shows and how to pick.
    public struct Failure: Error, Equatable, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// The changer named `wanted` (its sg or ch node, a udev link, or its serial), or the only changer when `wanted`
    /// is nil.
    public static func changer(named wanted: String?, in inventory: DeviceInventory) -> Result<ChangerNode, Failure> {
        choose(
            wanted, among: inventory.changers, kind: "medium changer", missing: "is the library attached, and the sg module loaded?",
            find: { wanted in inventory.changer(atPath: wanted) ?? inventory.changers.first { $0.answers(to: wanted) } },
            describe: { describe(serial: $0.serial, node: $0.genericNode ?? $0.changerNode, $0.vendor, $0.model) })
    }

    /// The drive named `wanted` (its st or sg node, a udev link, or its serial), or the only drive when `wanted` is nil.
    public static func drive(named wanted: String?, in inventory: DeviceInventory) -> Result<DriveNode, Failure> {
        choose(
            wanted, among: inventory.drives, kind: "tape drive", missing: "is the drive attached, and the st module loaded?",
            find: { inventory.drive(atPath: $0) ?? inventory.drive(serial: $0) },
            describe: { describe(serial: $0.serial, node: $0.tapeNode, $0.vendor, $0.model) })
    }

    private static func choose<Node>(
        _ wanted: String?, among nodes: [Node], kind: String, missing: String, find: (String) -> Node?,
        describe: (Node) -> String
    ) -> Result<Node, Failure> {
        let listing = nodes.map(describe)
        if let wanted {
            if let found = find(wanted) { return .success(found) }
            return .failure(Failure(description: "udev shows no \(kind) \"\(wanted)\" (by node, link or serial); " + shows(listing, kind)))
        }
        switch nodes.count {
        case 1: return .success(nodes[0])
        case 0: return .failure(Failure(description: "udev shows no \(kind) (\(missing))"))
        default: return .failure(Failure(description: shows(listing, kind) + "; choose one with --device SERIAL or --device NODE"))
        }
    }

    private static func describe(serial: String, node: String?, _ vendor: String, _ model: String) -> String {
        let product = [vendor, model].filter { !$0.isEmpty }.joined(separator: " ")
        return serial + " (" + [node ?? "no node", product].filter { !$0.isEmpty }.joined(separator: ", ") + ")"
    }

    private static func shows(_ listing: [String], _ kind: String) -> String {
        switch listing.count {
        case 0: "udev shows no \(kind) at all"
        case 1: "udev shows one \(kind): \(listing[0])"
        default: "udev shows \(listing.count) \(kind)s: \(listing.joined(separator: ", "))"
        }
    }
}
