import CCapstanLinux
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A program started with posix_spawn(2) (`capstan_spawn`): every descriptor of this process but the three given is
/// closed in the child by `close_range(2)`, signals start at their defaults, and the child's end is learnt with
/// `waitpid(2)` on its pid alone. Not Foundation's `Process`, whose Linux `run()` walks `/proc/self/fd` and reads past
/// `readdir`'s buffer when more than about 1,300 descriptors are open (docs/faults.md), and whose exit notification
/// waits for every process that inherited its exit socket.
///
/// The pipe ends this side holds are closed when the object goes. Call `waitForExit()` (or `stop`) before letting go of
/// one that may still run, or it stays a zombie until this process exits.
public final class Subprocess: @unchecked Sendable {
    /// Where a standard stream of the child comes from or goes to.
    public enum Stream: Sendable {
        /// /dev/null
        case null
        /// A new pipe. This side's end of an input pipe is written by `communicate` (or closed by
        /// `closeStandardInput`); of an output pipe it is `standardOutput` or `standardError`.
        case pipe
        /// A descriptor of this process (not closed here).
        case descriptor(Int32)
        /// For standard error only: the same as standard output.
        case standardOutput
    }

    public let processIdentifier: pid_t
    /// The child leads a process group of its own: `signal` reaches whatever it started as well.
    public let leadsGroup: Bool
    /// This side's end of each pipe the child was given (`Stream.pipe`), else nil.
    public let standardOutput: Int32?
    public let standardError: Int32?
    private let state: Mutex<State>

    private struct State {
        var input: Int32?
        var ending: ChildExit?
    }

    /// Starts `arguments[0]` (a path, not searched in PATH) with the rest as its arguments. While the kernel refuses
    /// to run the file because it is open for writing somewhere (`ETXTBSY`: a script just written whose writer's
    /// descriptor a process forked beside it still holds, or a script being replaced), calls `busy` (by default a
    /// 50 ms pause) and tries again, `attempts` times in all; any other failure, or the last busy one, is thrown.
    /// `environment`, when given, replaces this process's own. With `ownProcessGroup` the child leads a new process
    /// group and `signal`, `stop` signal the whole group: a shell script's own children end with it.
    public init(
        _ arguments: [String], input: Stream = .null, output: Stream = .pipe, error: Stream = .pipe,
        environment: [String: String]? = nil, ownProcessGroup: Bool = false, attempts: Int = 20,
        busy: () -> Void = { usleep(50_000) }
    ) throws(SpawnError) {
        guard let program = arguments.first, !program.isEmpty else { throw SpawnError(program: "", code: ENOENT) }
        var opened: [Int32] = []  // every descriptor made here; the child's ends are closed once it has them
        var kept: [Int32] = []  // this side's pipe ends
        func fail(_ code: Int32) -> SpawnError {
            for fd in opened { close(fd) }
            return SpawnError(program: program, code: code)
        }
        /// The child's descriptor for `stream` (and this side's pipe end, for a pipe).
        func childEnd(_ stream: Stream, reading: Bool) throws(SpawnError) -> (child: Int32, ours: Int32?) {
            switch stream {
            case .null, .standardOutput:
                let fd = open("/dev/null", (reading ? O_RDONLY : O_WRONLY) | O_CLOEXEC)
                guard fd >= 0 else { throw fail(errno) }
                opened.append(fd)
                return (fd, nil)
            case .descriptor(let fd):
                return (fd, nil)
            case .pipe:
                var ends: [Int32] = [-1, -1]
                guard capstan_pipe_cloexec(&ends) == 0 else { throw fail(errno) }
                opened += ends
                return reading ? (ends[0], ends[1]) : (ends[1], ends[0])
            }
        }
        let standardInput = try childEnd(input, reading: true)
        let standardOutput = try childEnd(output, reading: false)
        let standardError: (child: Int32, ours: Int32?)
        if case .standardOutput = error { standardError = (standardOutput.child, nil) } else { standardError = try childEnd(error, reading: false) }
        kept = [standardInput.ours, standardOutput.ours, standardError.ours].compactMap { $0 }

        var pid: pid_t = 0
        var attempt = 1
        while true {
            let code = Self.withCStrings(arguments) { argv in
                if let environment {
                    return Self.withCStrings(environment.map { "\($0.key)=\($0.value)" }) { envp in
                        capstan_spawn(
                            &pid, program, argv, envp, standardInput.child, standardOutput.child, standardError.child,
                            ownProcessGroup ? 1 : 0)
                    }
                }
                return capstan_spawn(
                    &pid, program, argv, environ, standardInput.child, standardOutput.child, standardError.child,
                    ownProcessGroup ? 1 : 0)
            }
            if code == 0 { break }
            guard code == ETXTBSY && attempt < attempts else { throw fail(code) }
            attempt += 1
            busy()
        }
        for fd in opened where !kept.contains(fd) { close(fd) }
        processIdentifier = pid
        leadsGroup = ownProcessGroup
        self.standardOutput = standardOutput.ours
        self.standardError = standardError.ours
        state = Mutex(State(input: standardInput.ours, ending: nil))
    }

    deinit {
        state.withLock { state in
            if let input = state.input { close(input) }
            if state.ending == nil { _ = Self.reap(processIdentifier, &state) }
        }
        for fd in [standardOutput, standardError].compactMap({ $0 }) { close(fd) }
    }

    /// How the child ended, or nil while it runs. Reaps it (`waitpid` with WNOHANG) the first time it is seen ended.
    public var ending: ChildExit? {
        state.withLock { state in state.ending ?? Self.reap(processIdentifier, &state) }
    }

    public var isRunning: Bool { ending == nil }

    /// Waits until the child ends and returns how. `waitid` with WNOWAIT blocks without reaping; the reaping happens
    /// under the lock (`ending`), so `signal` from another thread never meets a pid that was reaped and reused.
    @discardableResult
    public func waitForExit() -> ChildExit {
        while true {
            if let ending { return ending }
            var info = siginfo_t()
            if waitid(P_PID, id_t(processIdentifier), &info, WEXITED | WNOWAIT) != 0 && errno != EINTR && errno != ECHILD {
                usleep(10_000)
            }
        }
    }

    /// Sends `signal` to the child — to its whole process group when it leads one — unless it has already been reaped
    /// (its pid may then be another process's).
    public func signal(_ signal: Int32) {
        state.withLock { state in
            if state.ending == nil { kill(leadsGroup ? -processIdentifier : processIdentifier, signal) }
        }
    }

    /// SIGTERM, then SIGKILL if the child is still there after `grace`; returns once it has ended.
    @discardableResult
    public func stop(grace: Duration = .seconds(2)) -> ChildExit {
        if let ending { return ending }
        signal(SIGTERM)
        let deadline = ContinuousClock.now + grace
        while isRunning && ContinuousClock.now < deadline { usleep(10_000) }
        if isRunning { signal(SIGKILL) }
        return waitForExit()
    }

    /// Closes this side of the child's standard input (the child reads end of file).
    public func closeStandardInput() {
        state.withLock { state in
            if let input = state.input { close(input) }
            state.input = nil
        }
    }

    /// What `communicate` collected.
    public struct Output: Sendable {
        public var output: [UInt8]
        public var errors: [UInt8]
        /// The deadline passed first; the child may still run (see `stop`).
        public var timedOut: Bool
    }

    /// Writes `input` to the child's standard input pipe and closes it, and reads its output and error pipes, until the
    /// child has exited or `deadline` passes; at most `limit` bytes of each are kept. Blocks the calling thread (poll(2)):
    /// run it on a thread of its own, never on the concurrency pool.
    public func communicate(input: [UInt8] = [], until deadline: ContinuousClock.Instant? = nil, limit: Int = .max) -> Output {
        let inputDescriptor = state.withLock { $0.input }
        let outputs = [standardOutput, standardError].compactMap { $0 }
        let read = ChildPipes.exchange(
            input: input, inputDescriptor: inputDescriptor, closeInput: { closeStandardInput() }, outputs: outputs,
            until: deadline, limit: limit, exited: { !isRunning })
        var bytes = read.bytes.makeIterator()
        let output = standardOutput == nil ? [] : bytes.next() ?? []
        let errors = standardError == nil ? [] : bytes.next() ?? []
        return Output(output: output, errors: errors, timedOut: read.timedOut)
    }

    /// `waitpid(pid, WNOHANG)`: the ending once the child has ended (and is reaped now), else nil.
    private static func reap(_ pid: pid_t, _ state: inout State) -> ChildExit? {
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid {
                state.ending = ChildExit(waitStatus: status)
                return state.ending
            }
            if result < 0 && errno == EINTR { continue }
            if result < 0 && errno == ECHILD {
                // reaped elsewhere (SIGCHLD ignored): it has ended, how is unknown
                state.ending = ChildExit(status: 255, signalled: false)
                return state.ending
            }
            return nil
        }
    }

    /// Calls `body` with a NULL-terminated array of C strings copied from `strings`.
    private static func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
        let copies = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: strings.count + 1)
        for (index, string) in strings.enumerated() { copies[index] = strdup(string) }
        copies[strings.count] = nil
        defer {
            for index in strings.indices { free(copies[index]) }
            copies.deallocate()
        }
        return body(copies)
    }
}
