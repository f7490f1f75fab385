import Foundation
import Synchronization

/// What a running job did so far, shared between its threads and `status` (lock-protected).
final class JobCounters: Sendable {
    struct Values: Sendable {
        var files: Int64 = 0
        var readBytes: Int64 = 0
        var jobBytes: Int64 = 0
        var errors: Int64 = 0
        var warnings: Int64 = 0
        /// A fatal error stopped the job (e.g. a FileSet command that failed).
        var fatal = false
        var lastFile = ""
    }

    private let state = Mutex(Values())
    let started = Date()
    /// Where the job's time goes (for `status`).
    let times = JobTimes()

    var values: Values { state.withLock { $0 } }

    func update(_ body: (inout Values) -> Void) { state.withLock { body(&$0) } }
}
