import Foundation
import Testing

@testable import Subprocesses

#if canImport(Glibc)
import Glibc
#endif

/// ChildPipes on real pipes: the write ends are this test's, so "the child" is whatever `exited` says.
@Suite struct ChildPipesTests {
    /// A pipe with `text` written into it; the write end stays open unless `close`.
    func pipeHolding(_ text: String, close: Bool) -> (read: Int32, write: Int32) {
        var ends: [Int32] = [0, 0]
        _ = pipe(&ends)
        _ = Array(text.utf8).withUnsafeBytes { write(ends[1], $0.baseAddress, $0.count) }
        if close { Glibc.close(ends[1]) }
        return (ends[0], ends[1])
    }

    @Test func readsEachPipeToEndOfFileInOrder() {
        let out = pipeHolding("output\n", close: true)
        let err = pipeHolding("errors\n", close: true)
        defer { close(out.read); close(err.read) }
        let read = ChildPipes.exchange(outputs: [out.read, err.read], exited: { false })
        #expect(read.bytes.map { String(decoding: $0, as: UTF8.self) } == ["output\n", "errors\n"])
        #expect(!read.timedOut)
    }

    /// A write end held by someone else (a process the child left behind): once the child has exited, what is in
    /// the pipe is returned without waiting for an end of file that does not come.
    @Test func anExitedChildIsNotWaitedForPastItsOutput() {
        let held = pipeHolding("7\n", close: false)
        defer { close(held.read); close(held.write) }
        let started = ContinuousClock.now
        let read = ChildPipes.exchange(outputs: [held.read], until: started + .seconds(30), exited: { true })
        #expect(String(decoding: read.bytes[0], as: UTF8.self) == "7\n")
        #expect(!read.timedOut)
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    @Test func aChildThatRunsPastTheDeadlineTimesOutWithWhatItWrote() {
        let held = pipeHolding("partial", close: false)
        defer { close(held.read); close(held.write) }
        let read = ChildPipes.exchange(outputs: [held.read], until: ContinuousClock.now + .milliseconds(200), exited: { false })
        #expect(read.timedOut)
        #expect(String(decoding: read.bytes[0], as: UTF8.self) == "partial")
    }

    @Test func outputBeyondTheLimitIsDropped() {
        let out = pipeHolding(String(repeating: "x", count: 10_000), close: true)
        defer { close(out.read) }
        let read = ChildPipes.exchange(outputs: [out.read], limit: 1_000, exited: { false })
        #expect(read.bytes[0].count == 1_000)
    }

    /// The input is written and then closed (the reader sees end of file) while the output is read.
    @Test func theInputIsWrittenThenClosed() {
        let input = pipeHolding("", close: false)
        let out = pipeHolding("done\n", close: true)
        defer { close(input.read); close(out.read) }
        var closed = false
        let read = ChildPipes.exchange(
            input: Array("line\n".utf8), inputDescriptor: input.write, closeInput: { close(input.write); closed = true },
            outputs: [out.read], exited: { false })
        #expect(closed)
        var buffer = [UInt8](repeating: 0, count: 16)
        let count = Glibc.read(input.read, &buffer, buffer.count)
        #expect(count == 5 && String(decoding: buffer.prefix(5), as: UTF8.self) == "line\n")
        #expect(Glibc.read(input.read, &buffer, buffer.count) == 0, "no end of file: the input was not closed")
        #expect(String(decoding: read.bytes[0], as: UTF8.self) == "done\n")
    }
}
