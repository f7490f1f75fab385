import CCapstanLinux
import Catalog
import Discovery
import Testing

/// The C edge and the system libraries link and answer; nothing here needs a device.
@Suite struct EdgeTests {
    @Test func ioctlRequestNumbersMatchTheKernelHeaders() {
        #expect(capstan_MTIOCTOP() == 0x4008_6d01)
        #expect(capstan_MTIOCGET() == 0x8030_6d02)
        #expect(capstan_SG_IO() == 0x2285)
        #expect(MemoryLayout<sg_io_hdr_t>.size == 88)
    }

    @Test func catalogRunsOnTheSystemSQLite() throws {
        let catalog = try CatalogDatabase(path: ":memory:")
        #expect(try catalog.sqliteVersion().hasPrefix("3."))
    }

    @Test func udevEnumeratesMemoryDevices() {
        let devices = UdevEnumeration.devices(subsystems: ["mem"])
        #expect(devices.contains { $0.devnode == "/dev/null" })
    }
}
