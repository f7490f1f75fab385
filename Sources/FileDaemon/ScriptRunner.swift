import FileDaemonProtocol
import Foundation

/// Runs the Director's client scripts (ClientRunBeforeJob/AfterJob, RunScript) through `/bin/sh -c`, off the
/// cooperative threads; returns each failure as a line for the job log.
enum ScriptRunner {
    /// Runs `scripts` in order; a failing script with AbortOnError stops the rest. Returns (success, messages).
    static func run(_ scripts: [RunScript], jobOK: Bool? = nil) async -> (ok: Bool, messages: [String]) {
        var messages: [String] = []
        for script in scripts {
            if let jobOK, !(jobOK ? script.onSuccess : script.onFailure) { continue }
            let (status, output) = await execute(script.command)
            messages.append(contentsOf: output.split(separator: "\n").map { "ClientRunScript: \($0)" })
            if status != 0 {
                messages.append("Runscript: ClientRunScript returned non-zero status=\(status). ERR=\(script.command)")
                if script.abortOnError { return (false, messages) }
            }
        }
        return (true, messages)
    }

    private static func execute(_ command: String) async -> (Int32, String) {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/bin/sh")
                process.arguments = ["-c", command]
                let pipe = Pipe()
                process.standardOutput = pipe
                process.standardError = pipe
                do {
                    try process.run()
                } catch {
                    continuation.resume(returning: (127, "\(error)"))
                    return
                }
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                continuation.resume(returning: (process.terminationStatus, String(decoding: data, as: UTF8.self)))
            }
        }
    }
}
