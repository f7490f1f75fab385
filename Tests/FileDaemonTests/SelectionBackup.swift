import CapstanTestSupport
import FileDaemonProtocol
import Foundation

@testable import FileDaemon

/// A backup of real files by `BackupProducer` alone (no Storage daemon): the FileSet comes as the Director's fileset
/// lines, and what comes back is which files were saved and the job's fatal messages and counters.
struct SelectionBackup {
    /// Full names of the files and directories saved, in order.
    var saved: [String] = []
    /// The last component of each saved name.
    var savedNames: [String] = []
    var fatal: [String] = []
    var errors: Int64 = 0
    var failed = false

    /// Reads `lines` (`I`, `O …`, `F …`, `N` …, each as the Director sends it) into a FileSet and runs the backup.
    init(_ lines: [String], job: String) throws {
        var reader = FileSetReader()
        for line in lines { try reader.read(Array(line.utf8)) }
        let plan = BackupPlan(
            job: JobIdentity(jobID: 1, job: "\(job).1", sessionID: 1, sessionTime: 1, authorization: "dummy"),
            fileSet: reader.fileSet)
        let counters = JobCounters()
        var saved: [String] = []
        var names: [String] = []
        var fatal: [String] = []
        BackupProducer(
            plan: plan, bufferSize: 65536, counters: counters, daemonName: "test-fd", isCanceled: { false },
            emit: { event in
                switch event {
                case .frames(let frames):
                    for payload in frames.compactMap(\.payload) {
                        if let record = try? AttributeRecord(decoding: payload),
                            payload.starts(with: Array("\(record.fileIndex) ".utf8))
                        {
                            saved.append(String(decoding: record.name, as: UTF8.self))
                            names.append(String(decoding: BytePath(record.name).lastComponent, as: UTF8.self))
                        }
                    }
                case .message(.fatal, let text): fatal.append(text)
                default: break
                }
                return true
            }
        ).run()
        self.saved = saved
        savedNames = names
        self.fatal = fatal
        errors = counters.values.errors
        failed = counters.values.fatal
    }
}
