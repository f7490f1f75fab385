/// A Job's time limits as bacula-dir applies them: `Max Start Delay` and `Max Run Sched Time` refuse a job that
/// starts too long after its scheduled time; `Max Run Time` (or the level's `Full/Incremental/Differential Max Run
/// Time`) from its start and `Max Run Sched Time` from its scheduled time cancel a job still running. Pure: Unix
/// seconds, limits in seconds (0: none); the messages are bacula-dir's.
public struct JobTimeLimits: Sendable, Equatable {
    public var maxStartDelay: Int64 = 0
    public var maxRunSchedTime: Int64 = 0
    public var maxRunTime: Int64 = 0
    public var fullMaxRunTime: Int64 = 0
    public var incrementalMaxRunTime: Int64 = 0
    public var differentialMaxRunTime: Int64 = 0

    /// Why a job scheduled at `scheduled` must not start at `start`, or nil.
    func refusal(scheduled: Int64, start: Int64) -> String? {
        if maxStartDelay > 0 && start - scheduled > maxStartDelay {
            return "Job canceled because max start delay time exceeded."
        }
        if maxRunSchedTime > 0 && start - scheduled > maxRunSchedTime {
            return "Job canceled because max run sched time exceeded."
        }
        return nil
    }

    /// The run time allowed at `level` (`F`, `I`, `D`): the level's own limit, else Max Run Time.
    func runTime(level: String) -> Int64 {
        let own = level == "F" ? fullMaxRunTime : level == "I" ? incrementalMaxRunTime : level == "D" ? differentialMaxRunTime : 0
        return own > 0 ? own : maxRunTime
    }

    /// How long after its start (`start`, scheduled at `scheduled`) a job of `level` is canceled, and the message;
    /// nil without a limit.
    func deadline(level: String, scheduled: Int64, start: Int64) -> (afterStart: Int64, message: String)? {
        var candidates: [(Int64, String)] = []
        let run = runTime(level: level)
        if run > 0 { candidates.append((run, "Max run time exceeded. Job canceled.")) }
        if maxRunSchedTime > 0 {
            candidates.append((max(0, scheduled + maxRunSchedTime - start), "Max sched run time exceeded. Job canceled."))
        }
        return candidates.min { $0.0 < $1.0 }.map { (afterStart: $0.0, message: $0.1) }
    }
}
