import CapstanTestSupport
import Foundation
import Subprocesses
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite struct SubprocessTests {
    @Test func aWaitStatusGivesTheExitStatusOrTheSignal() {
        #expect(ChildExit(waitStatus: 3 << 8) == ChildExit(status: 3, signalled: false))
        #expect(ChildExit(waitStatus: SIGKILL) == ChildExit(status: SIGKILL, signalled: true))
        #expect(ChildExit(waitStatus: SIGTERM | 0x80) == ChildExit(status: SIGTERM, signalled: true))  // core dumped
        #expect(ChildExit(status: SIGTERM, signalled: true).shellStatus == 143)
    }

    /// Foundation's `Process.run()` crashed a test run by reading past `readdir`'s buffer while it walked
    /// /proc/self/fd with about 1,350 descriptors open (docs/faults.md). With 2,000 descriptors open (none
    /// close-on-exec), a program starts, and it holds only its three standard streams: nothing leaks into it.
    @Test func aProgramStartedWhileTwoThousandDescriptorsAreOpenInheritsNone() throws {
        var limit = rlimit()
        #expect(getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0)
        let previous = limit
        if limit.rlim_cur < 2_200 {
            limit.rlim_cur = min(limit.rlim_max, 4_096)
            #expect(setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0)
        }
        try #require(limit.rlim_cur >= 2_200, "the hard limit of descriptors (\(limit.rlim_max)) is below what the test opens")
        let null = open("/dev/null", O_RDONLY)
        try #require(null >= 0)
        var held = [null]
        defer {
            for fd in held { close(fd) }
            var restore = previous
            _ = setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &restore)
        }
        for _ in 0..<1_999 {
            let fd = dup(null)
            try #require(fd >= 0)
            held.append(fd)
        }
        for _ in 0..<20 {
            // ls lists its own descriptors: 0, 1, 2 and the one it reads the directory through
            let listing = try Subprocess.run(["/bin/ls", "/proc/self/fd"])
            #expect(listing.exit == ChildExit(status: 0, signalled: false))
            let descriptors = listing.outputText.split(separator: "\n").compactMap { Int($0) }
            #expect(descriptors.count <= 4 && Array(descriptors.prefix(3)) == [0, 1, 2], "\(descriptors.count) descriptors")
        }
    }

    /// A script that exits with 3 and leaves a `sleep` behind holding its output pipe: the exit is known at once,
    /// and the output is read without waiting for the sleep to close the pipe.
    @Test func anExitIsSeenAtOnceWhenTheScriptLeavesAProcessBehind() throws {
        let started = ContinuousClock.now
        let completion = try Subprocess.run(["/bin/sh", "-c", "echo before; sleep 30 & echo $! >&2; exit 3"], timeout: .seconds(20))
        defer { if let pid = Int32(completion.errorText.trimmingCharacters(in: .whitespacesAndNewlines)) { kill(pid, SIGKILL) } }
        #expect(completion.exit == ChildExit(status: 3, signalled: false))
        #expect(!completion.timedOut)
        #expect(completion.outputText == "before\n")
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    /// A megabyte in and out through `cat`: the input is fed while the output is read (neither side blocks the other).
    @Test func inputAndOutputLargerThanAPipeFlowTogether() throws {
        let input = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }
        let completion = try Subprocess.run(["/bin/cat"], input: input, timeout: .seconds(30))
        #expect(completion.exit == ChildExit(status: 0, signalled: false))
        #expect(completion.output == input)
    }

    /// A program that never reads its input: the write fails with EPIPE, and this process lives on.
    @Test func aProgramThatDoesNotReadItsInputEndsNormally() throws {
        let completion = try Subprocess.run(["/bin/true"], input: [UInt8](repeating: 0x41, count: 1 << 20), timeout: .seconds(30))
        #expect(completion.exit == ChildExit(status: 0, signalled: false))
        let mergedErrors = try Subprocess.run(["/bin/sh", "-c", "echo out; echo err >&2"], mergeErrors: true)
        #expect(mergedErrors.outputText == "out\nerr\n" && mergedErrors.errors.isEmpty)
    }

    /// The time limit stops the program: SIGTERM first.
    @Test func aProgramPastItsTimeLimitIsStopped() throws {
        let completion = try Subprocess.run(["/bin/sleep", "30"], timeout: .milliseconds(300))
        #expect(completion.timedOut)
        #expect(completion.exit == ChildExit(status: SIGTERM, signalled: true))
    }

    /// A program starts with no standard signal ignored or blocked, even when this process ignores SIGPIPE (as NIO
    /// makes a daemon do) and blocks SIGTERM. (glibc keeps its two internal real-time signals, 32 and 33, ignored.)
    @Test func signalsStartAtTheirDefaults() throws {
        let previous = signal(SIGPIPE, SIG_IGN)
        var term = sigset_t()
        var mask = sigset_t()
        sigemptyset(&term)
        sigaddset(&term, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &term, &mask)
        defer {
            signal(SIGPIPE, previous)
            pthread_sigmask(SIG_SETMASK, &mask, nil)
        }
        let status = try Subprocess.run(["/bin/grep", "^Sig\\(Ign\\|Blk\\)", "/proc/self/status"]).outputText
        let masks = Dictionary(uniqueKeysWithValues: status.split(separator: "\n").compactMap { line -> (String, UInt64)? in
            let fields = line.split(separator: ":")
            guard fields.count == 2, let value = UInt64(fields[1].trimmingCharacters(in: .whitespaces), radix: 16) else { return nil }
            return (String(fields[0]), value)
        })
        let standard: UInt64 = 0x7FFF_FFFF  // signals 1...31
        #expect(masks["SigIgn"].map { $0 & standard } == 0, "\(status)")
        #expect(masks["SigBlk"].map { $0 & standard } == 0, "\(status)")
    }

    /// A program that does not exist: the error names it and the kernel's reason.
    @Test func aMissingProgramIsNamedInTheError() {
        #expect {
            _ = try Subprocess(["/nonexistent/changer", "load"])
        } throws: { error in
            guard let error = error as? SpawnError else { return false }
            return error.code == ENOENT && error.description.contains("/nonexistent/changer")
                && error.description.contains("No such file or directory")
        }
    }

    /// `stop` ends a program that ignores SIGTERM with SIGKILL after the grace time; `signal` after the end is a no-op.
    @Test func stopKillsAProgramThatIgnoresTerm() throws {
        let child = try Subprocess(["/bin/sh", "-c", "trap '' TERM; echo ready; while :; do sleep 1; done"], error: .null)
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while byte != 0x0A, let fd = child.standardOutput, read(fd, &byte, 1) == 1 { line.append(byte) }
        #expect(String(decoding: line, as: UTF8.self) == "ready\n")
        #expect(child.stop(grace: .milliseconds(200)) == ChildExit(status: SIGKILL, signalled: true))
        #expect(!child.isRunning)
        child.signal(SIGKILL)
    }
}

extension SubprocessTests {
    /// A cancelled `runDetached` stops its program and what the program started (the shell's `sleep` here, in the
    /// program's own process group), and returns what was written before; an uncancelled one runs to its end.
    @Test func cancellingARunStopsTheProgramAndItsChildren() async throws {
        let marker = "301.75"
        let run = Task {
            try await Subprocess.runDetached(["/bin/sh", "-c", "echo started; /bin/sleep \(marker); echo never"])
        }
        // generous bounds, returned from as soon as they hold: on a loaded machine the run's thread may start late
        let started = await RealBacula.eventually(seconds: 120) { ProcessTable.count(commandLine: ["/bin/sleep", marker]) > 0 }
        #expect(started)
        run.cancel()
        let completion = try await run.value
        #expect(completion.exit == ChildExit(status: SIGTERM, signalled: true))
        #expect(completion.outputText == "started\n")
        let gone = await RealBacula.eventually(seconds: 60) { ProcessTable.count(commandLine: ["/bin/sleep", marker]) == 0 }
        #expect(gone, "the shell's sleep outlived the cancelled run")

        let whole = try await Subprocess.runDetached(["/bin/sh", "-c", "echo one; /bin/sleep 0.1; echo two"])
        #expect(whole.outputText == "one\ntwo\n" && whole.exit == ChildExit(status: 0, signalled: false))
    }
}
