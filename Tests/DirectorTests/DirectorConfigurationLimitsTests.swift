import CapstanConfig
import Director
import Testing

/// Sizes beyond what the catalog's signed 64-bit columns hold, as the fuzzer wrote them.
@Suite struct DirectorConfigurationLimitsTests {
    /// `Maximum Volume Bytes` past 2^63 (the size type is unsigned) trapped the conversion to the catalog's Int64 when
    /// the configuration was read: a Director that would not start on a typo. It is now no limit, as large as the
    /// catalog holds.
    @Test func aMaximumVolumeBytesPastTwoToTheSixtyThirdIsTheLargestTheCatalogHolds() throws {
        let configuration = try FileSetEncodingTests.configuration("""
            FileSet { Name = S; Include { File = /etc } }
            Pool { Name = Huge; Pool Type = Backup; Maximum Volume Bytes = 10000000000000000000 }
            Pool { Name = Usual; Pool Type = Backup; Maximum Volume Bytes = 5G }
            """)
        let huge = try #require(configuration.pools.first { $0.name == "Huge" })
        #expect(huge.definition.maximumVolumeBytes == Int64.max)
        let usual = try #require(configuration.pools.first { $0.name == "Usual" })
        #expect(usual.definition.maximumVolumeBytes == 5 << 30)
    }
}
