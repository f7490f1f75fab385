import CapstanConfig
import Director
import Testing

/// A FileSet resource as the `fileset` lines a 9.6 Director sends [capture: `I`, `O M`, `N`, `F …`, `N`, `N`].
@Suite struct FileSetEncodingTests {
    static func configuration(_ fileSet: String) throws -> DirectorConfiguration {
        let text = """
            Director { Name = d; Password = p; QueryFile = /q; WorkingDirectory = /w; PidDirectory = /w }
            Messages { Name = Standard; console = all }
            Catalog { Name = MyCatalog; dbname = bacula }
            Client { Name = c; Address = localhost; Password = p; Catalog = MyCatalog }
            Storage { Name = s; Address = localhost; Password = p; Device = d; Media Type = File }
            Pool { Name = Default; Pool Type = Backup }
            \(fileSet)
            Job { Name = j; Type = Backup; Client = c; FileSet = S; Pool = Default; Storage = s; Messages = Standard }
            """
        let (loaded, diagnostics) = ConfigLoader.load(text: text, name: "dir.conf", kind: .director)
        #expect(diagnostics.errors.isEmpty, "\(diagnostics.errors)")
        return try #require(DirectorConfiguration(loaded))
    }

    @Test func theCapturedIncludeAndExclude() throws {
        let configuration = try Self.configuration("""
            FileSet {
              Name = S
              Include { Options { signature = MD5 } File = /tmp/proto-research/data }
              Exclude { File = /tmp/proto-research/data/excluded }
            }
            """)
        let fileSet = try #require(configuration.fileSet("S"))
        #expect(
            FileSetEncoding.lines(fileSet) == [
                "I\n", "O M\n", "N\n", "F /tmp/proto-research/data", "N\n", "N\n", "E\n",
                "F /tmp/proto-research/data/excluded", "N\n", "N\n",
            ])
    }

    @Test func optionLettersAndPatterns() throws {
        let configuration = try Self.configuration("""
            FileSet {
              Name = S
              Include {
                Options { signature = SHA1; compression = GZIP9; onefs = no; sparse = yes; wild = "*.o"; exclude = yes }
                File = /home
              }
            }
            """)
        let lines = FileSetEncoding.lines(try #require(configuration.fileSet("S")))
        #expect(lines.first == "I\n")
        #expect(lines.contains("O SZ9fse\n"), "\(lines)")
        #expect(lines.contains("W *.o\n"))
        #expect(lines.contains("F /home"))
        #expect(FileSetEncoding.md5(try #require(configuration.fileSet("S"))).count == 22)
    }

    /// `File = "|command"`: the command's output lines are the items, each with its newline (run with `Subprocess`,
    /// without a shell as bacula-dir runs it: `;` and `>&2` need the `sh -c` written here, and `sh` is found in PATH).
    /// Without the shell, `echo` prints its arguments literally.
    @Test func aCommandItemListsWhatTheCommandPrints() throws {
        let configuration = try Self.configuration("""
            FileSet { Name = S; Include { File = "|sh -c 'echo /etc/hosts; echo /srv/data; echo ignored >&2'" } }
            """)
        let lines = FileSetEncoding.lines(try #require(configuration.fileSet("S")))
        #expect(lines == ["I\n", "F /etc/hosts\n", "F /srv/data\n", "N\n", "N\n"], "\(lines)")
        let literal = try Self.configuration("""
            FileSet { Name = S; Include { File = "|echo /a; echo /b" } }
            """)
        #expect(FileSetEncoding.lines(try #require(literal.fileSet("S"))) == ["I\n", "F /a; echo /b\n", "N\n", "N\n"])
    }
}
