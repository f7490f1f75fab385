import BaculaWire
import CapstanConfig
import Foundation
import Net
import StorageProtocol

/// The Director's side of one job's SD connection (spec §3.3): authenticate, start the job, reserve a device,
/// send a bootstrap, `run`, and serve the SD's catalog requests, job messages and status reports until the job's
/// `3099` end report. Reads happen in one task at a time (the phases are sequential; after `run` only
/// `serveUntilEnd` reads); writes may come from any task.
struct StorageLink {
    let connection: BsockConnection
    let service: StorageCatalogService?
    /// A job message from the SD (type name, text with its prefix).
    let onMessage: @Sendable (String, String) -> Void
    /// A `Status JobId=… JobStatus=…` report.
    let onStatus: @Sendable (JobStatus) -> Void

    /// Connector side of the handshake with the Storage resource's password (§2.1: respond first, then challenge).
    /// `tls` are the Storage resource's TLS directives (the Director is the TLS client; `host` is what the SD's
    /// certificate must name).
    static func authenticate(
        _ connection: BsockConnection, directorName: String, password: String, tls: TLSDirectives = TLSDirectives(),
        host: String? = nil
    ) async throws {
        connection.compressOutgoing = false
        try await connection.authenticateAsConnector(
            hello: DirectorHelloToStorageDaemon(directorName: directorName).bytes, key: .password(password),
            challengeName: directorName, tls: try TLSSettings(tls, role: .client), host: host)
    }

    /// Authenticates a job's new SD connection and returns its link: the connection is registered for `cancel`, job
    /// messages go to the job's Messages resource and status reports to the job table.
    static func open(
        _ connection: BsockConnection, directorName: String, password: String, jobID: Int64,
        service: StorageCatalogService?, runtime: DirectorRuntime, messages: String?,
        tls: TLSDirectives = TLSDirectives(), host: String? = nil
    ) async throws -> StorageLink {
        runtime.jobs.setCancel(jobID: jobID, connection.closer)
        try await authenticate(connection, directorName: directorName, password: password, tls: tls, host: host)
        return StorageLink(
            connection: connection, service: service,
            onMessage: { type, text in runtime.say(text, type: type, jobID: jobID, messages: messages) },
            onStatus: { status in
                if let letter = status.character { runtime.jobs.update(jobID: jobID, status: String(letter)) }
            })
    }

    /// Sends the job start command and returns the SD's session and the FD's key.
    func startJob(_ command: JobStartCommand) async throws -> (sessionID: UInt32, sessionTime: UInt32, key: String) {
        try await connection.write(.payload(DirectorCommand.jobStart(command).bytes))
        let reply = try await serveUntilReply()
        if case .jobAccepted(let id, let time, let key)? = try? StorageReply(parsing: reply) {
            return (id, time, key)
        }
        throw JobFailure("Storage daemon refused the job: \(Line.text(reply))")
    }

    /// `use storage=… / use device=… / EOD / EOD`, serving catalog requests until the reservation reply.
    func reserve(_ use: UseStorageCommand, devices: [String]) async throws -> String {
        try await connection.write(.payload(DirectorCommand.useStorage(use).bytes))
        for device in devices { try await connection.write(.payload(DirectorCommand.useDevice(device).bytes)) }
        try await connection.write(.signal(.endOfData))
        try await connection.write(.signal(.endOfData))
        let reply = try await serveUntilReply()
        if case .deviceReserved(let device)? = try? StorageReply(parsing: reply) { return device }
        throw JobFailure("Storage daemon did not reserve a device: \(Line.text(reply).trimmingCharacters(in: .newlines))")
    }

    /// `bootstrap\n`, one frame per line, EOD; the SD must answer `3000 OK bootstrap`.
    func sendBootstrap(_ text: String) async throws {
        try await connection.write(.payload(DirectorCommand.bootstrap.bytes))
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            try await connection.write(.text(line + "\n"))
        }
        try await connection.write(.signal(.endOfData))
        let reply = try await serveUntilReply()
        guard case .bootstrapAccepted? = try? StorageReply(parsing: reply) else {
            throw JobFailure("Storage daemon refused the bootstrap: \(Line.text(reply))")
        }
    }

    /// `run` (no reply of its own).
    func run() async throws {
        try await connection.write(.payload(DirectorCommand.run.bytes))
    }

    /// Serves requests until the `3099` end report, which it returns; nil when the SD closed first.
    func serveUntilEnd() async throws -> JobEndReport? {
        while true {
            guard let line = try await serveUntilReply(allowClose: true) else { return nil }
            if case .jobEnded(let report)? = try? StorageReply(parsing: line) { return report }
        }
    }

    /// Reads frames, handling requests and messages, until a line starting with a digit (a reply to the Director)
    /// arrives. With `allowClose` a closed connection returns nil; otherwise it is an error.
    func serveUntilReply() async throws -> [UInt8] {
        guard let reply = try await serveUntilReply(allowClose: false) else {
            throw JobFailure("Storage daemon closed the connection")
        }
        return reply
    }

    func serveUntilReply(allowClose: Bool) async throws -> [UInt8]? {
        while let frame = try await connection.read() {
            guard case .payload(let bytes) = frame else {
                switch frame.signal {
                case .poll?, .endOfDataPoll?: try await connection.write(.text("1000 OK\n"))
                case .btime?: try await connection.write(.text(ClockReading(microseconds: Self.microseconds()).line))
                case .status?:
                    try await connection.write(.text("Status OK\n"))
                    try await connection.write(.signal(.endOfData))
                default: break
                }
                continue
            }
            guard let first = bytes.first else { continue }
            if first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9") { return bytes }
            try await handleRequest(bytes)
        }
        if allowClose { return nil }
        throw JobFailure("Storage daemon closed the connection")
    }

    private func handleRequest(_ bytes: [UInt8]) async throws {
        // The attribute stream: most frames of a backup, filed in place (no CatalogRequest, no copy of the record).
        if let service, Line.starts(bytes, with: "UpdCat ") {
            do {
                try await service.fileAttributes(packet: bytes)
            } catch {
                try await connection.write(.text("1990 Invalid Catalog Request: \(Line.text(bytes))"))
            }
            return
        }
        if Line.starts(bytes, with: "Jmsg ") {
            if let message = try? JobMessage(parsing: bytes) {
                onMessage(MessageRouter.typeName(message.type.rawValue), String(decoding: message.text, as: UTF8.self))
            }
        } else if Line.starts(bytes, with: "Status JobId=") {
            if case .jobStatus(_, let status)? = try? StorageReply(parsing: bytes) { onStatus(status) }
        } else if Line.starts(bytes, with: "CatReq ") || Line.starts(bytes, with: "UpdCat ")
            || Line.starts(bytes, with: "BlastAttr ")
        {
            var request: CatalogRequest
            do {
                request = try CatalogRequest(parsing: bytes)
            } catch {
                try await connection.write(.text("1990 Invalid Catalog Request: \(Line.text(bytes))"))
                return
            }
            if case .createJobMedia(let id, _) = request {
                var records: [JobMediaRecord] = []
                while let frame = try await connection.read() {
                    guard case .payload(let item) = frame else {
                        if frame.signal == .endOfData { break }
                        continue
                    }
                    if let record = try? JobMediaRecord(parsing: item) { records.append(record) }
                }
                request = .createJobMedia(jobID: id, records)
            }
            guard let service else {
                if request.expectsReply { try await connection.write(.text("1990 Invalid Catalog Request: no job\n")) }
                return
            }
            if let reply = service.answer(request) { try await connection.write(.payload(reply)) }
        }
        // Progress and anything else: informational, ignored.
    }

    static func microseconds() -> Int64 { Int64(Date().timeIntervalSince1970 * 1_000_000) }
}

/// A job failed; the text goes into the job's messages.
struct JobFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
