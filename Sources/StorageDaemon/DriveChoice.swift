/// Which of the devices a Director offered (an autochanger's drives, or several Devices of one Storage) a job is
/// given, as bacula-sd chooses: a writing job whose Director sent `PreferMountedVols=1` (bacula-dir's default, the
/// Job's Prefer Mounted Volumes) goes to a device already writing a volume of its pool, and appends to that volume
/// beside the jobs there, so that no second cartridge is loaded for the same pool; otherwise — no such device with
/// room, a reading job, or `PreferMountedVols=0` — to the least busy device with room, so that jobs spread over
/// the drives. Pure: the caller waits and asks again while nothing has room.
public enum DriveChoice {
    public struct Candidate: Equatable, Sendable {
        public var name: String
        /// Jobs holding a reservation on the device.
        public var jobs: Int
        /// Below its Maximum Concurrent Jobs (and the Storage's).
        public var hasRoom: Bool
        /// Pools of the writing jobs reserved on the device.
        public var writingPools: Set<String>

        public init(name: String, jobs: Int, hasRoom: Bool, writingPools: Set<String>) {
            self.name = name
            self.jobs = jobs
            self.hasRoom = hasRoom
            self.writingPools = writingPools
        }
    }

    /// The device for a job of `pool` (nil for a reading job) among `candidates` (in the Director's order, which
    /// breaks ties), or nil when none has room.
    public static func pick(_ candidates: [Candidate], pool: String?, preferMounted: Bool) -> String? {
        let open = candidates.filter(\.hasRoom)
        func leastBusy(_ devices: [Candidate]) -> Candidate? {
            devices.min { $0.jobs < $1.jobs }  // the first of equals: `min` keeps the earliest
        }
        if preferMounted, let pool, let mounted = leastBusy(open.filter({ $0.writingPools.contains(pool) })) {
            return mounted.name
        }
        return leastBusy(open)?.name
    }
}
