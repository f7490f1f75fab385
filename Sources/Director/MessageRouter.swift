import CapstanConfig
import Catalog
import Foundation
import Logging
import Subprocesses
import Synchronization

/// Routes job and daemon messages to the destinations of a Messages resource: the console queue (bconsole's
/// `messages`, announced by `You have messages.`), `append`/`file` files, the catalog `Log` table, and `mail`
/// through the Mail Command. Lines are stamped as Bacula stamps them: `02-Dec 06:38 name JobId N: text`.
///
/// As in Bacula, a job's messages for `mail`, `mailonerror` and `mailonsuccess` are kept until the job ends
/// (`finishJob`) and then sent as one mail per destination — `mailonerror` only when the job did not end OK,
/// `mailonsuccess` only when it did; `operator` messages, and mail of the Director itself (JobId 0), go at once.
public final class MessageRouter: Sendable {
    private let consoleQueue = Mutex<[String]>([])
    /// A job's mail waiting for its end: one text per destination, in the order the messages came.
    private let jobMail = Mutex<[Int64: [JobMailKey: [String]]]>([:])

    private struct JobMailKey: Hashable {
        var kind: String
        var address: String?
        var command: String?
    }
    private let catalog: CatalogDatabase
    /// `%d` in the mail commands.
    private let directorName: String
    private let logger: Logger

    public init(catalog: CatalogDatabase, directorName: String, logger: Logger) {
        self.catalog = catalog
        self.directorName = directorName
        self.logger = logger
    }

    /// The Bacula message type names, by the numbers of `Jmsg` (§3.5.4).
    public static func typeName(_ type: Int32) -> String {
        switch type {
        case 1: return "abort"
        case 2: return "debug"
        case 3: return "fatal"
        case 4: return "error"
        case 5: return "warning"
        case 6: return "info"
        case 7: return "saved"
        case 8: return "notsaved"
        case 9: return "skipped"
        case 10: return "mount"
        case 11: return "error"
        case 12: return "terminate"
        case 13: return "restored"
        case 14: return "security"
        case 15: return "alert"
        case 16: return "volmgmt"
        default: return "info"
        }
    }

    /// `02-Dec 06:38 ` for Unix time `seconds`.
    public static func stamp(_ seconds: Int64) -> String {
        var time = time_t(seconds)
        var parts = tm()
        localtime_r(&time, &parts)
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return String(
            format: "%02d-%@ %02d:%02d ", Int(parts.tm_mday), months[Int(parts.tm_mon)], Int(parts.tm_hour),
            Int(parts.tm_min))
    }

    /// Delivers one message. `text` already carries its `<daemon> JobId N: ` prefix and ends with a newline.
    public func deliver(_ text: String, type: String, jobID: Int64, resource: DirectorConfiguration.Messages?, time: Int64 = CatalogTime.now()) {
        let line = Self.stamp(time) + text + (text.hasSuffix("\n") ? "" : "\n")
        guard let resource else {
            consoleQueue.withLock { $0.append(line) }
            return
        }
        for destination in resource.destinations where destination.accepts(type) {
            switch destination.destination.lowercased() {
            case "console":
                consoleQueue.withLock { $0.append(line) }
            case "append", "file":
                if let path = destination.address { Self.append(line, to: path) }
            case "catalog":
                if jobID > 0 {
                    do { try catalog.appendLog(jobID: jobID, time: time, text: text) } catch {
                        logger.warning("cannot write the job log to the catalog: \(error)")
                    }
                }
            case "stdout", "stderr", "syslog":
                logger.info("\(text.trimmingCharacters(in: .newlines))")
            case "mail", "mailonerror", "mail on error", "mailonsuccess", "mail on success":
                if jobID > 0 {
                    let kind = destination.destination.lowercased().replacingOccurrences(of: " ", with: "")
                    let key = JobMailKey(kind: kind, address: destination.address, command: resource.mailCommand)
                    jobMail.withLock { $0[jobID, default: [:]][key, default: []].append(line) }
                } else {
                    mail(line, to: destination.address, command: resource.mailCommand, jobID: jobID)
                }
            case "operator":
                mail(line, to: destination.address, command: resource.operatorCommand ?? resource.mailCommand, jobID: jobID)
            default:
                break
            }
        }
    }

    /// The job has ended with `status` (its catalog letter): sends its kept mail, one per destination —
    /// `mailonerror` unless the status is `T` or `W`, `mailonsuccess` only then, `mail` always.
    public func finishJob(jobID: Int64, status: String) {
        guard let kept = jobMail.withLock({ $0.removeValue(forKey: jobID) }) else { return }
        let succeeded = status == "T" || status == "W"
        for (key, lines) in kept.sorted(by: { $0.key.kind < $1.key.kind }) {
            let wanted = key.kind == "mail" || (key.kind == "mailonerror" && !succeeded) || (key.kind == "mailonsuccess" && succeeded)
            if wanted { mail(lines.joined(), to: key.address, command: key.command, jobID: jobID, status: status) }
        }
    }

    /// Whether the console queue holds messages.
    public var hasConsoleMessages: Bool { consoleQueue.withLock { !$0.isEmpty } }

    /// Takes every queued console message, oldest first.
    public func takeConsoleMessages() -> [String] {
        consoleQueue.withLock { queue in
            defer { queue.removeAll() }
            return queue
        }
    }

    static func append(_ line: String, to path: String) {
        guard let data = line.data(using: .utf8) else { return }
        if !FileManager.default.fileExists(atPath: path) {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
        }
        guard let handle = FileHandle(forWritingAtPath: path) else { return }
        defer { try? handle.close() }
        _ = try? handle.seekToEnd()
        try? handle.write(contentsOf: data)
    }

    /// Pipes `text` into `command` with its `%` codes replaced (`DirectorJobCodes`: `%r` is `address`, the job's
    /// codes come from its catalog row, `%e` from `status` when given), on a thread of its own, at most 300 s;
    /// without a command nothing is sent.
    private func mail(_ text: String, to address: String?, command: String?, jobID: Int64, status: String? = nil) {
        guard let command, !command.isEmpty else { return }
        let catalog = catalog
        let directorName = directorName
        let logger = logger
        // its own thread: a mail command may take its time, and the job does not wait for it
        let thread = Thread {
            var codes = DirectorJobCodes(directorName: directorName, jobID: jobID, status: status, processID: getpid())
            if jobID > 0 {
                codes.job = try? catalog.job(id: jobID)
                codes.volumeNames = (try? catalog.volumeNames(jobID: jobID)) ?? []
            }
            let expanded = codes.expand(command, recipients: address ?? "root")
            do {
                let completion = try Subprocess.run(
                    try ProgramArguments.argv(expanded), input: Array(text.utf8), timeout: .seconds(300), limit: 65_536,
                    mergeErrors: true)
                if completion.exit != ChildExit(status: 0, signalled: false) || completion.timedOut {
                    let ending = completion.timedOut ? "did not end within 300 s" : "ended with \(completion.exit)"
                    logger.warning("mail command \(expanded) \(ending): \(completion.outputText)")
                }
            } catch {
                logger.warning("mail command failed: \(error)")
            }
        }
        thread.name = "capstan.mail-command"
        thread.start()
    }
}
