import CapstanConfig
import Catalog
import Foundation

/// `mod` at the "OK to run?" question: Bacula's parameter menu for a backup job (Level, Storage, Job, FileSet,
/// Client, When, Priority, Pool), each asked as bacula-dir asks it. Names come from the console's ACLs.
enum RunModification {
    static let parameters = ["Level", "Storage", "Job", "FileSet", "Client", "When", "Priority", "Pool"]
    static let levels = ["Full", "Incremental", "Differential"]

    /// Asks which parameter to change and its new value. False when the console cancels (`.` or no answer),
    /// which Bacula treats as not running the job. An invalid value is said and the question comes back.
    static func modify(_ request: inout JobRequest, job: inout DirectorConfiguration.Job, _ session: ConsoleSession)
        async throws -> Bool
    {
        let configuration = session.runtime.configuration
        var menu = "Parameters to modify:\n"
        for (index, name) in parameters.enumerated() { menu += String(format: "%6d: ", index + 1) + name + "\n" }
        try await session.send(menu)
        guard let answer = try await session.prompt("Select parameter to modify (1-\(parameters.count)): ") else {
            return false
        }
        guard let number = Int(answer), number >= 1, number <= parameters.count else {
            try await session.send("Invalid selection \"\(answer)\".\n")
            return true
        }
        switch parameters[number - 1] {
        case "Level":
            guard let level = try await session.select("Levels:", levels, question: "Select level") else {
                return false
            }
            request.level = JobRequest.levelLetter(level)
        case "Storage":
            guard
                let name = try await session.select(
                    "The defined Storage resources are:",
                    session.visible("Storage ACL", configuration.storages.map(\.name)),
                    question: "Select Storage resource")
            else { return false }
            request.storage = name
        case "Job":
            guard
                let name = try await session.select(
                    "The defined Job resources are:",
                    session.visible("Job ACL", configuration.jobs.filter { $0.type == job.type }.map(\.name)),
                    question: "Select Job resource"),
                let chosen = configuration.job(name)
            else { return false }
            job = chosen
            request.jobName = chosen.name
        case "FileSet":
            guard
                let name = try await session.select(
                    "The defined FileSet resources are:",
                    session.visible("FileSet ACL", configuration.fileSets.map(\.name)),
                    question: "Select FileSet resource")
            else { return false }
            request.fileSet = name
        case "Client":
            guard
                let name = try await session.select(
                    "The defined Client resources are:",
                    session.visible("Client ACL", configuration.clients.map(\.name)),
                    question: "Select Client (File daemon) resource")
            else { return false }
            request.client = name
        case "When":
            guard
                let text = try await session.prompt(
                    "Please enter start time as a duration or YYYY-MM-DD HH:MM:SS or return for now: ")
            else { return false }
            if text.isEmpty {
                request.when = nil
            } else if let when = when(text) {
                request.when = when
            } else {
                try await session.send("Invalid time \"\(text)\", using YYYY-MM-DD HH:MM:SS or a duration.\n")
            }
        case "Priority":
            guard let text = try await session.prompt("Enter new Priority: ") else { return false }
            if let priority = Int(text), priority > 0 {
                request.priority = priority
            } else {
                try await session.send("Priority must be a positive integer.\n")
            }
        default:
            guard
                let name = try await session.select(
                    "The defined Pool resources are:", session.visible("Pool ACL", configuration.pools.map(\.name)),
                    question: "Select Pool resource")
            else { return false }
            request.pool = name
        }
        return true
    }

    /// A start time: `YYYY-MM-DD HH:MM[:SS]`, or a duration from now (`30 min`); nil when neither.
    static func when(_ text: String, now: Int64 = CatalogTime.now()) -> Int64? {
        let seconds = CatalogTime.seconds(text.count == 16 ? text + ":00" : text)
        if seconds > 0 { return seconds }
        if text.contains("-") { return nil }
        return Quantities.duration(text).map { now + $0 }
    }
}
