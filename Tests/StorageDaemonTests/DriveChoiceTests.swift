import StorageDaemon
import Testing

@Suite struct DriveChoiceTests {
    typealias Candidate = DriveChoice.Candidate

    static func drive(_ name: String, jobs: Int = 0, room: Bool = true, pools: Set<String> = []) -> Candidate {
        Candidate(name: name, jobs: jobs, hasRoom: room, writingPools: pools)
    }

    @Test func aMountedVolumeOfThePoolWinsOverAnIdleDriveWhenPreferred() {
        let drives = [Self.drive("Drive-0"), Self.drive("Drive-1", jobs: 2, pools: ["Daily"])]
        #expect(DriveChoice.pick(drives, pool: "Daily", preferMounted: true) == "Drive-1")
        #expect(DriveChoice.pick(drives, pool: "Daily", preferMounted: false) == "Drive-0")
        // another pool's volume is no reason to share a drive
        #expect(DriveChoice.pick(drives, pool: "Weekly", preferMounted: true) == "Drive-0")
        // a reading job has no pool to prefer
        #expect(DriveChoice.pick(drives, pool: nil, preferMounted: true) == "Drive-0")
    }

    @Test func aFullDriveIsPassedOverAndNoRoomAnywhereIsNil() {
        let drives = [Self.drive("Drive-0", jobs: 1, room: false, pools: ["Daily"]), Self.drive("Drive-1", jobs: 3)]
        #expect(DriveChoice.pick(drives, pool: "Daily", preferMounted: true) == "Drive-1")
        let full = drives.map { var d = $0; d.hasRoom = false; return d }
        #expect(DriveChoice.pick(full, pool: "Daily", preferMounted: true) == nil)
        #expect(DriveChoice.pick([], pool: "Daily", preferMounted: false) == nil)
    }

    /// Among equals the Director's order decides; among drives writing the pool, the least busy one.
    @Test func tiesGoToTheFirstOfferedAndTheLeastBusyWins() {
        let idle = [Self.drive("Drive-0"), Self.drive("Drive-1"), Self.drive("Drive-2")]
        #expect(DriveChoice.pick(idle, pool: "Daily", preferMounted: false) == "Drive-0")
        let writing = [
            Self.drive("Drive-0", jobs: 3, pools: ["Daily"]), Self.drive("Drive-1", jobs: 1, pools: ["Daily", "Weekly"]),
            Self.drive("Drive-2", jobs: 0),
        ]
        #expect(DriveChoice.pick(writing, pool: "Daily", preferMounted: true) == "Drive-1")
        #expect(DriveChoice.pick(writing, pool: "Daily", preferMounted: false) == "Drive-2")
    }
}
