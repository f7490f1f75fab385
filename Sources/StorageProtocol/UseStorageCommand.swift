import BaculaWire

/// Director → SD: `use storage=%s media_type=%s pool_name=%s pool_type=%s append=%d copy=%d stripe=%d\n`
/// (spec §3.3.2) [WIRE: backup (append=1) and restore (append=0) lines round-trip byte-for-byte].
public struct UseStorageCommand: Hashable, Sendable {
    public var storage: String
    public var mediaType: String
    public var poolName: String
    public var poolType: String
    /// True for the write side of a job; a job with both sides sends the read side first.
    public var append: Bool
    public var copy: Int32
    public var stripe: Int32

    public init(
        storage: String, mediaType: String, poolName: String, poolType: String, append: Bool, copy: Int32 = 0,
        stripe: Int32 = 0
    ) {
        self.storage = storage
        self.mediaType = mediaType
        self.poolName = poolName
        self.poolType = poolType
        self.append = append
        self.copy = copy
        self.stripe = stripe
    }

    static let format =
        "use storage=%127s media_type=%127s pool_name=%127s pool_type=%127s append=%d copy=%d stripe=%d"

    public init(parsing bytes: [UInt8]) throws(MessageError) {
        var fields = try ScannedFields(bytes, format: Self.format, kind: "use storage command")
        storage = try fields.name()
        mediaType = try fields.name()
        poolName = try fields.name()
        poolType = try fields.name()
        append = try fields.flag()
        copy = try fields.integer()
        stripe = try fields.integer()
    }

    public var bytes: [UInt8] {
        let bash = BashedName.bash
        return Line.bytes(
            "use storage=\(bash(storage)) media_type=\(bash(mediaType)) pool_name=\(bash(poolName)) "
                + "pool_type=\(bash(poolType)) append=\(append ? 1 : 0) copy=\(copy) stripe=\(stripe)\n")
    }
}

/// One Storage of a reservation request with the devices the Director listed for it.
public struct StorageReservation: Hashable, Sendable {
    public var storage: UseStorageCommand
    /// The `use device=` names in the order sent (unbashed).
    public var devices: [String]

    public init(storage: UseStorageCommand, devices: [String]) {
        self.storage = storage
        self.devices = devices
    }
}

/// Everything between the first `use storage=` and the EOD that ends the list of storages.
public struct ReservationRequest: Hashable, Sendable {
    public var storages: [StorageReservation]

    public init(storages: [StorageReservation]) { self.storages = storages }

    /// True when any storage is the write side.
    public var appends: Bool { storages.contains { $0.storage.append } }
}
