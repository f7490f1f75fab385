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
        let listing = inventory.changers.map { describe(serial: $0.serial, node: $0.genericNode ?? $0.changerNode, $0.vendor, $0.model) }
        if let wanted {
            if let found = inventory.changer(atPath: wanted) ?? inventory.changers.first(where: { $0.answers(to: wanted) }) {
                return .success(found)
            }
            return .failure(Failure(description: "udev shows no medium changer \"\(wanted)\" (by node, link or serial); " + shows(listing, "medium changer")))
        }
        switch inventory.changers.count {
        case 1: return .success(inventory.changers[0])
        case 0: return .failure(Failure(description: "udev shows no medium changer (is the library attached, and the sg module loaded?)"))
        default:
            return .failure(Failure(description: shows(listing, "medium changer") + "; choose one with --device SERIAL or --device NODE"))
        }
    }

    /// The drive named `wanted` (its st or sg node, a udev link, or its serial), or the only drive when `wanted` is nil.
    public static func drive(named wanted: String?, in inventory: DeviceInventory) -> Result<DriveNode, Failure> {
        let listing = inventory.drives.map { describe(serial: $0.serial, node: $0.tapeNode, $0.vendor, $0.model) }
        if let wanted {
            if let found = inventory.drive(atPath: wanted) ?? inventory.drive(serial: wanted) { return .success(found) }
            return .failure(Failure(description: "udev shows no tape drive \"\(wanted)\" (by node, link or serial); " + shows(listing, "tape drive")))
        }
        switch inventory.drives.count {
        case 1: return .success(inventory.drives[0])
        case 0: return .failure(Failure(description: "udev shows no tape drive (is the drive attached, and the st module loaded?)"))
        default:
            return .failure(Failure(description: shows(listing, "tape drive") + "; choose one with --device SERIAL or --device NODE"))
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
