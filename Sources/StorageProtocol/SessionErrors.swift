import BaculaWire

/// Why the SD refused or ended a Director connection. Each case names the job (when there is one) and the command.
public enum DirectorSessionError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The frame is not a command the SD knows (answered `3900 Invalid command: ...`).
    case invalidCommand(MessageError)
    /// A `JobId=` command that does not parse (answered `3915 Bad Job command ...`).
    case badJobCommand(MessageError)
    /// `command` arrived when the session was `state` (e.g. `run` before any `JobId=`, `use device=` outside a
    /// reservation); `job` is the session's job, if any.
    case outOfOrder(command: String, state: String, job: String?)
    /// A catalog answer arrived while no request was waiting for one.
    case unexpectedCatalogReply(MessageError?, job: String?)
    /// The bootstrap the Director sent does not parse (answered `3904 Error bootstrap`).
    case badBootstrap(detail: String, job: String)
    /// The Director closed the connection while `job` was still running.
    case connectionLost(job: String, state: String)
    /// The I/O layer called `call` when the session was `state` (a programming error, never the peer's).
    case misuse(call: String, state: String)

    public var description: String {
        switch self {
        case .invalidCommand(let error): return "Director sent an invalid command: \(error)"
        case .badJobCommand(let error): return "Director sent a bad JobId command: \(error)"
        case .outOfOrder(let command, let state, let job):
            return "Director sent \"\(command)\" while \(state)" + (job.map { " (job \($0))" } ?? "")
        case .unexpectedCatalogReply(let error, let job):
            return "Director sent a catalog reply nobody asked for" + (job.map { " (job \($0))" } ?? "")
                + (error.map { ": \($0)" } ?? "")
        case .badBootstrap(let detail, let job): return "job \(job): bad bootstrap: \(detail)"
        case .connectionLost(let job, let state): return "Director connection lost while job \(job) was \(state)"
        case .misuse(let call, let state): return "\(call) called while the Director session was \(state)"
        }
    }
}

/// Why the SD refused or ended an FD data connection. Each case names the job and, where one was involved, the
/// command.
public enum FileDaemonSessionError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The first frame is not an FD hello.
    case malformedHello(HelloError)
    /// No job of that name was accepted from a Director.
    case unknownJob(String)
    /// The job already has an authenticated FD.
    case jobAlreadyAttached(String)
    /// The job has ended or was canceled.
    case jobAlreadyEnded(String)
    /// The FD did not prove it holds the job's key.
    case wrongKey(job: String)
    /// The handshake failed for another reason.
    case authenticationFailed(job: String, HandshakeError)
    /// A frame that is not a session command (answered `3900 Invalid command`).
    case invalidCommand(job: String, MessageError)
    /// `command` is valid but not now (`state`), e.g. `append data` before `append open session`, `read open
    /// session` on a backup job, a second `append open session`.
    case outOfOrder(job: String, command: String, state: String)
    /// The ticket in `command` is not this session's.
    case wrongTicket(job: String, command: String, expected: Int32, received: Int32)
    /// The record stream broke the rules of spec §3.4.3.
    case badRecordStream(job: String, RecordStreamError)
    /// No volume could be made ready for the session.
    case volumeUnavailable(job: String, reason: String)
    /// The FD closed the connection in the middle of the session.
    case connectionLost(job: String?, state: String)
    /// The I/O layer called `call` when the session was `state` (a programming error, never the peer's).
    case misuse(call: String, state: String)

    public var description: String {
        switch self {
        case .malformedHello(let error): return "FD connection: \(error)"
        case .unknownJob(let job): return "FD asked for job \(job), which this SD does not know"
        case .jobAlreadyAttached(let job): return "FD asked for job \(job), which already has an FD"
        case .jobAlreadyEnded(let job): return "FD asked for job \(job), which has ended"
        case .wrongKey(let job): return "FD for job \(job) failed authentication (wrong job key)"
        case .authenticationFailed(let job, let error): return "FD for job \(job): \(error)"
        case .invalidCommand(let job, let error): return "FD for job \(job) sent an invalid command: \(error)"
        case .outOfOrder(let job, let command, let state):
            return "FD for job \(job) sent \"\(command)\" while \(state)"
        case .wrongTicket(let job, let command, let expected, let received):
            return "FD for job \(job) sent \"\(command)\" with ticket \(received), expected \(expected)"
        case .badRecordStream(let job, let error): return "FD for job \(job): \(error)"
        case .volumeUnavailable(let job, let reason): return "job \(job): no volume: \(reason)"
        case .connectionLost(let job, let state):
            return "FD connection lost while \(state)" + (job.map { " (job \($0))" } ?? "")
        case .misuse(let call, let state): return "\(call) called while the FD session was \(state)"
        }
    }
}
