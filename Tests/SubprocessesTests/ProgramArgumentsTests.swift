import Foundation
import Subprocesses
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite struct ProgramArgumentsTests {
    @Test func commandLinesAreSplitLikeBaculasPipeWithoutAShell() {
        #expect(ProgramArguments.split("  /usr/bin/find /srv -name *.txt") == ["/usr/bin/find", "/srv", "-name", "*.txt"])
        #expect(ProgramArguments.split(#"sh -c "ls /a | grep b" 'x y'"#) == ["sh", "-c", "ls /a | grep b", "x y"])
        // A pipe sign is just a word: there is no shell.
        #expect(ProgramArguments.split("echo a | cat") == ["echo", "a", "|", "cat"])
        #expect(ProgramArguments.split("\"unterminated quote") == ["unterminated quote"])
        #expect(ProgramArguments.split(" \t ") == [])
        // a quote opens a word only at its start; a tab inside a word is part of it (Bacula splits on spaces)
        #expect(ProgramArguments.split("a\"b c\" d\te") == ["a\"b", "c\"", "d\te"])
    }

    /// The program is looked up in the search path when it has no `/`, as execvp(3) does.
    @Test func theProgramIsFoundInThePathUnlessItNamesAFolder() throws {
        #expect(try ProgramArguments.argv("sh -c 'exit 0'", searchPath: "/nonexistent::/bin") == ["/bin/sh", "-c", "exit 0"])
        #expect(try ProgramArguments.argv("./relative x", searchPath: "/bin") == ["./relative", "x"])
        // a folder of that name is not a program
        #expect(throws: SpawnError(program: "tmp", code: ENOENT)) { try ProgramArguments.argv("tmp", searchPath: "/") }
        #expect(throws: SpawnError(program: "no-such-program-here", code: ENOENT)) {
            try ProgramArguments.argv("no-such-program-here a b", searchPath: "/usr/bin:/bin")
        }
        #expect(throws: SpawnError(program: "  ", code: ENOENT)) { try ProgramArguments.argv("  ") }
    }
}
