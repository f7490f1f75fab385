import CapstanConfig
import Director
import Testing

/// `Spool Attributes` as written: nil when neither the Job nor its JobDefs says (capstan-dir then asks for spooled
/// attributes, bacula-dir's default), the written value otherwise, the Job's own over its JobDefs'.
@Suite struct SpoolAttributesTests {
    @Test func nilUnlessTheJobOrItsJobDefsWritesIt() throws {
        let text = """
            Director { Name = d; Password = p; QueryFile = /q; WorkingDirectory = /w; PidDirectory = /w }
            Messages { Name = Standard; console = all }
            Catalog { Name = MyCatalog; dbname = bacula }
            Client { Name = c; Address = localhost; Password = p; Catalog = MyCatalog }
            Storage { Name = s; Address = localhost; Password = p; Device = d; Media Type = File }
            Pool { Name = Default; Pool Type = Backup }
            FileSet { Name = S; Include { File = /data } }
            JobDefs { Name = spooling; Type = Backup; Client = c; FileSet = S; Pool = Default; Storage = s; Messages = Standard
                      Spool Attributes = yes }
            Job { Name = plain; Type = Backup; Client = c; FileSet = S; Pool = Default; Storage = s; Messages = Standard }
            Job { Name = off; Type = Backup; Client = c; FileSet = S; Pool = Default; Storage = s; Messages = Standard
                  Spool Attributes = no }
            Job { Name = inherited; JobDefs = spooling }
            Job { Name = overridden; JobDefs = spooling; Spool Attributes = no }
            """
        let (loaded, diagnostics) = ConfigLoader.load(text: text, name: "dir.conf", kind: .director)
        #expect(diagnostics.errors.isEmpty, "\(diagnostics.errors)")
        let configuration = try #require(DirectorConfiguration(loaded))
        #expect(try #require(configuration.job("plain")).spoolAttributes == nil)
        #expect(try #require(configuration.job("off")).spoolAttributes == false)
        #expect(try #require(configuration.job("inherited")).spoolAttributes == true)
        #expect(try #require(configuration.job("overridden")).spoolAttributes == false)
    }
}
