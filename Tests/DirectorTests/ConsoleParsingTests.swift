import Director
import Testing

/// Console command lines split as Bacula splits them; list tables laid out as 9.6 prints them [capture].
@Suite struct ConsoleParsingTests {
    @Test func keywordsValuesAndQuotes() {
        let line = ConsoleArguments(#"restore client=cap-fd jobid=1,3 where="/tmp/a b" all done yes"#)
        #expect(line.command == "restore")
        #expect(line.value("client") == "cap-fd")
        #expect(line.value("JOBID") == "1,3")
        #expect(line.value("where") == "/tmp/a b")
        #expect(line.has("all") && line.has("done") && line.has("yes"))
        #expect(line.value("all") == nil)
        #expect(!line.has("select"))
        #expect(ConsoleArguments("status dir").firstKeyword == "dir")
        #expect(ConsoleArguments("   ").command == "")
        #expect(ConsoleArguments("label volume= pool=Main").value("volume") == "")
    }

    @Test func listTableMatchesTheCapturedLayout() {
        let table = ConsoleTable.render(
            ["JobId", "Name", "JobStatus"], [["1", "CapBackup", "T"], ["4", "CapRestore", "T"]])
        #expect(
            table == """
                +-------+------------+-----------+
                | JobId | Name       | JobStatus |
                +-------+------------+-----------+
                | 1     | CapBackup  | T         |
                | 4     | CapRestore | T         |
                +-------+------------+-----------+

                """)
        #expect(ConsoleTable.long(["JobId", "JobStatus"], [["1", "T"]]) == "    JobId: 1\nJobStatus: T\n\n")
        #expect(ConsoleTable.json(["JobId", "Name"], [["1", "a \"b\""]]) == #"[{"jobid":"1","name":"a \"b\""}]"# + "\n")
    }
}
