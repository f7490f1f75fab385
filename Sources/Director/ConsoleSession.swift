import BaculaWire
import Catalog
import Foundation
import Logging
import Net

/// One bconsole (or `capstan console`) conversation after authentication (spec §3.1): one packet per command,
/// output packets, then EOD — or in `.api` mode CMD_BEGIN … CMD_OK/CMD_FAILED and MAIN_PROMPT. Questions inside a
/// command are the prompt text plus SUB_PROMPT, answered by one packet. `quit` closes without EOD.
final class ConsoleSession: @unchecked Sendable {
    let connection: BsockConnection
    let runtime: DirectorRuntime
    /// The named Console resource, nil for the default console (the Director's password: every right).
    let console: DirectorConfiguration.Console?
    var apiMode = 0
    private var announcedMessages = false
    private var failed = false

    init(connection: BsockConnection, runtime: DirectorRuntime, console: DirectorConfiguration.Console?) {
        self.connection = connection
        self.runtime = runtime
        self.console = console
    }

    /// Serves commands until the console quits or closes.
    func run() async throws {
        while true {
            guard let frame = try await connection.read() else { return }
            guard case .payload(let bytes) = frame else {
                if frame.signal == .terminate { return }
                if frame.signal == .endOfData || frame.signal?.isHeartbeat == true { continue }
                try await connection.write(.signal(.poll))
                continue
            }
            var line = String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            while line.last?.isWhitespace == true { line.removeLast() }
            let arguments = ConsoleArguments(line)
            if arguments.command == "quit" || arguments.command == "exit" {
                await connection.close()
                return
            }
            failed = false
            let apiBefore = apiMode
            if apiBefore > 0 { try await connection.write(.signal(.commandBegin)) }
            if !arguments.command.isEmpty {
                try await ConsoleCommands.execute(arguments, line: line, session: self)
            }
            try await endCommand(apiBefore: apiBefore)
        }
    }

    private func endCommand(apiBefore: Int) async throws {
        let pending = runtime.messages.hasConsoleMessages
        if !pending { announcedMessages = false }
        if apiMode > 0 || apiBefore > 0 {
            if pending && apiMode > 0 { try await connection.write(.signal(.messagesPending)) }
            try await connection.write(.signal(failed ? .commandFailed : .commandOK))
            if apiMode > 0 { try await connection.write(.signal(.mainPrompt)) } else { try await connection.write(.signal(.endOfData)) }
            return
        }
        if pending && !announcedMessages {
            try await send("You have messages.\n")
            announcedMessages = true
        }
        try await connection.write(.signal(.endOfData))
    }

    /// Sends output text (one packet).
    func send(_ text: String) async throws {
        try await connection.write(.text(text))
    }

    /// Sends an error line; in `.api` mode announced by BNET_ERROR_MSG and the command ends with CMD_FAILED.
    func error(_ text: String) async throws {
        failed = true
        if apiMode > 0 { try await connection.write(.signal(.errorMessage)) }
        try await send(text.hasSuffix("\n") ? text : text + "\n")
    }

    /// Marks the command as failed without printing.
    func markFailed() { failed = true }

    /// Asks a question: the prompt text, SUB_PROMPT, and one packet back (nil when the console closed; `.` cancels).
    func prompt(_ text: String) async throws -> String? {
        if apiMode > 0 { try await connection.write(.signal(.textInput)) }
        try await send(text)
        try await connection.write(.signal(.subPrompt))
        while let frame = try await connection.read() {
            guard case .payload(let bytes) = frame else {
                if frame.signal == .terminate { return nil }
                continue
            }
            var answer = String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            while answer.last?.isWhitespace == true { answer.removeLast() }
            while answer.first?.isWhitespace == true { answer.removeFirst() }
            return answer == "." ? nil : answer
        }
        return nil
    }

    /// Offers a numbered list and returns the chosen entry (nil when canceled or out of range).
    func select(_ title: String, _ items: [String], question: String) async throws -> String? {
        guard !items.isEmpty else { return nil }
        if items.count == 1 { return items[0] }
        var text = title + "\n"
        for (index, item) in items.enumerated() { text += String(format: "%6d: ", index + 1) + item + "\n" }
        try await send(text)
        guard let answer = try await prompt("\(question) (1-\(items.count)): "), let number = Int(answer),
            number >= 1, number <= items.count
        else { return nil }
        return items[number - 1]
    }

    // MARK: ACLs

    /// Whether this console may use `value` under `acl` (`Job ACL`, `Client ACL`, `Command ACL`, ...). The default
    /// console may use everything; a named console only what its ACL lists (`*all*` for everything).
    func allows(_ acl: String, _ value: String) -> Bool {
        guard let console else { return true }
        guard let entries = console.acls[acl] else { return false }
        return entries.contains { $0.lowercased() == "*all*" || $0.lowercased() == value.lowercased() }
    }

    /// The names of `all` this console may see under `acl`.
    func visible(_ acl: String, _ all: [String]) -> [String] { all.filter { allows(acl, $0) } }
}
