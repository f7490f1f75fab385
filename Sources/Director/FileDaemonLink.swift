import BaculaWire
import CapstanConfig
import FileDaemonProtocol
import Foundation
import Net
import StorageProtocol

/// The Director's side of a job's FD connection (spec §3.2): identify the job, send level, FileSet, storage,
/// Accurate list, `backup` or `restore`, and read the `2800 End Job` report. Every `2000 OK …` reply is compared
/// exactly, as the real Director does; job messages and heartbeats in between are routed or skipped.
struct FileDaemonLink {
    let connection: BsockConnection
    let onMessage: @Sendable (String, String) -> Void

    /// The FD's end-of-job report.
    struct EndReport: Sendable, Equatable {
        var termCode: Int32
        var files: Int64
        var readBytes: Int64
        var bytes: Int64
        var errors: Int64
    }

    /// Connector handshake with the Client password; returns the FD's protocol version from `2000 OK Hello %d`.
    /// `tls` are the Client resource's TLS directives (the Director is the TLS client; `host` is what the FD's
    /// certificate must name).
    static func authenticate(
        _ connection: BsockConnection, directorName: String, password: String, tls: TLSDirectives = TLSDirectives(),
        host: String? = nil
    ) async throws -> Int {
        let outcome = try await connection.authenticateAsConnector(
            hello: DirectorHelloToFileDaemon(directorName: directorName).bytes, key: .password(password),
            challengeName: directorName, tls: try TLSSettings(tls, role: .client), host: host)
        return outcome.welcome?.version ?? 0
    }

    /// `JobId=… Job=… SDid=… SDtime=… Authorization=…`; returns the FD's description (its "Uname").
    func identify(jobID: Int64, job: String, sessionID: UInt32, sessionTime: UInt32, key: String) async throws -> String {
        let identity = JobIdentity(
            jobID: UInt32(truncatingIfNeeded: jobID), job: job, sessionID: sessionID, sessionTime: sessionTime, authorization: key)
        try await send(.jobStart(identity))
        let reply = try await nextLine()
        guard reply.hasPrefix("2000 OK Job") else { throw JobFailure("Bad response from File daemon to Job command: \(reply)") }
        return String(reply.dropFirst("2000 OK Job".count)).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The level lines: `level`, then for Incremental/Differential the since line (the previous job's start and
    /// name) and the clock synchronisation (BTIME × n).
    func level(_ level: LevelLine, since: Int64?, previousJob: String?) async throws {
        try await send(.level(level))
        if let since {
            try await send(.level(LevelLine(kind: .since(since), previousJob: previousJob ?? "")))
        }
        try await expect("2000 OK level\n", after: "level")
    }

    func fileSet(_ lines: [String], vss: Bool) async throws {
        try await send(.fileSet(vss: vss))
        for line in lines { try await connection.write(.text(line)) }
        try await connection.write(.signal(.endOfData))
        try await expect("2000 OK include\n", after: "include")
    }

    /// `setbandwidth=N Job=NAME`: the File daemon sends the job's data at most `bytesPerSecond` (`2000 OK Bandwidth`).
    func setBandwidth(_ bytesPerSecond: Int64, job: String) async throws {
        try await connection.write(.payload(DirectorRequest.setBandwidthLine(bytesPerSecond: bytesPerSecond, job: job)))
        try await expect("2000 OK Bandwidth\n", after: "Bandwidth")
    }

    /// Sends the job's client scripts as bacula-dir does (`JobScript.fileDaemonCommand`: each line, then its answer),
    /// then, when one went as `Run … When=N`, `RunBeforeNow`: the FD runs the before scripts now and answers `2000 OK
    /// RunBeforeNow`. Any other answer (`2905 Bad RunBeforeJob command.` when an old-style before script failed,
    /// `2905 Bad RunBeforeNow command.`) fails the job.
    func runScripts(_ scripts: [JobScript]) async throws {
        for script in scripts {
            let (request, reply) = script.fileDaemonCommand
            try await send(request)
            try await expect(reply, after: script.oldProtocol ? (script.runsBefore ? "ClientRunBeforeJob" : "ClientRunAfterJob") : "RunScript")
        }
        guard scripts.contains(where: { !$0.oldProtocol }) else { return }
        try await send(.runBeforeNow)
        try await expect("2000 OK RunBeforeNow\n", after: "RunBeforeNow")
    }

    func storage(address: String, port: Int, key: String?, ssl: Int = 0) async throws {
        try await send(.storage(StorageAddress(host: address, port: port, ssl: ssl, authorization: key)))
        try await expect("2000 OK storage\n", after: "storage")
    }

    /// `accurate files=N` and one packet per file `name\0lstat\0digest\0deltaseq`, then EOD (no reply). The
    /// digest is left empty as the 9.6 Director leaves it unless the Accurate options ask for checksums [WIRE].
    func accurate(_ files: [(name: String, lstat: String, digest: String, delta: Int64)]) async throws {
        try await send(.accurate(files: files.count))
        for file in files {
            var bytes = Array(file.name.utf8)
            bytes.append(0)
            bytes += Array(file.lstat.utf8)
            bytes.append(0)
            bytes.append(0)
            bytes += Array(String(file.delta).utf8)
            try await connection.write(.payload(bytes))
        }
        try await connection.write(.signal(.endOfData))
    }

    func backup() async throws {
        try await send(.backup(fileIndex: 0))
        try await expect("2000 OK backup\n", after: "backup")
    }

    func estimate(listing: Bool, line: @Sendable (String) -> Void) async throws -> String {
        try await send(.estimate(listing: listing))
        while let frame = try await connection.read() {
            guard case .payload(let bytes) = frame else {
                if frame.signal == .endOfData { break }
                continue
            }
            let text = Line.text(bytes)
            if text.hasPrefix("2000 OK estimate") { return text }
            line(text)
        }
        throw JobFailure("File daemon closed the connection during estimate")
    }

    func restore(files: Int, replace: ReplacePolicy, where target: String?, regexWhere: String?, prefixLinks: Bool) async throws {
        try await send(
            .restore(
                RestoreRequest(
                    files: files, replace: replace, prefixLinks: prefixLinks, whereDirectory: target ?? "",
                    regexWhere: regexWhere)))
        try await expect("2000 OK restore\n", after: "restore")
    }

    /// Reads until `2800 End Job …` (restores: answers `2000 OK storage end` with `endrestore` first).
    func waitForEnd() async throws -> EndReport {
        while let frame = try await connection.read() {
            guard case .payload(let bytes) = frame else {
                if frame.signal == .btime { try await connection.write(.text(ClockReading(microseconds: StorageLink.microseconds()).line)) }
                continue
            }
            let text = Line.text(bytes)
            if Line.starts(bytes, with: "Jmsg ") {
                route(bytes)
            } else if text.hasPrefix("2000 OK storage end") {
                try await send(.endRestore)
            } else if text.hasPrefix("2800 End Job") {
                return Self.parseEnd(text)
            }
        }
        throw JobFailure("File daemon closed the connection before the end of the job")
    }

    static func parseEnd(_ text: String) -> EndReport {
        var values: [String: Int64] = [:]
        for field in text.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
            let parts = field.split(separator: "=", maxSplits: 1)
            if parts.count == 2, let number = Int64(parts[1]) { values[String(parts[0])] = number }
        }
        return EndReport(
            termCode: Int32(values["TermCode"] ?? 0), files: values["JobFiles"] ?? 0, readBytes: values["ReadBytes"] ?? 0,
            bytes: values["JobBytes"] ?? 0, errors: values["Errors"] ?? 0)
    }

    private func route(_ bytes: [UInt8]) {
        if let message = try? JobMessage(parsing: bytes) {
            onMessage(MessageRouter.typeName(message.type.rawValue), String(decoding: message.text, as: UTF8.self))
        }
    }

    /// The next text line, answering BTIME and routing job messages.
    func nextLine() async throws -> String {
        while let frame = try await connection.read() {
            guard case .payload(let bytes) = frame else {
                if frame.signal == .btime { try await connection.write(.text(ClockReading(microseconds: StorageLink.microseconds()).line)) }
                continue
            }
            if Line.starts(bytes, with: "Jmsg ") {
                route(bytes)
                continue
            }
            return Line.text(bytes)
        }
        throw JobFailure("File daemon closed the connection")
    }

    /// One command, encoded as bacula-dir sends it (`DirectorRequest.encoded`).
    private func send(_ request: DirectorRequest) async throws {
        try await connection.write(.payload(request.encoded))
    }

    private func expect(_ wanted: String, after command: String) async throws {
        let reply = try await nextLine()
        guard reply == wanted else {
            throw JobFailure(
                "Bad response to \(command) command: wanted \(wanted.trimmingCharacters(in: .newlines)), got "
                    + reply.trimmingCharacters(in: .newlines))
        }
    }
}
