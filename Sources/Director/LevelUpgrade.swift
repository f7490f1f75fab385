/// The level a Backup job runs at, as bacula-dir decides it before an Incremental or Differential: Full when the
/// catalog has no suitable job to compare against or the last Full is `Max Full Interval` old or older;
/// Differential when an Incremental's last Differential (or, without one since the Full, the Full) is `Max Diff
/// Interval` old or older; with `Rerun Failed Levels`, the level of a Full or Differential that failed since the job
/// compared against. Pure: times are Unix seconds, intervals seconds (0: no limit).
enum LevelUpgrade {
    struct Decision: Equatable {
        /// `F`, `D` or `I`.
        var level: String
        /// The level asked for, when this one replaced it (the report says `Full (upgraded from Incremental)`).
        var upgradedFrom: String?
        /// The job message that says why, as bacula-dir words it.
        var message: String?
    }

    static let noFull = "No prior or suitable Full backup found in catalog. Doing FULL backup."
    static let noDifferential = "No prior or suitable Differential backup found in catalog. Doing Differential backup."
    static func priorFailed(_ level: String) -> String {
        "Prior failed job found in catalog. Upgrading to \(level == "F" ? "Full" : "Differential")."
    }

    /// `level` asked for; `since` whether a job to compare against exists; `lastFull` / `lastDifferential` the
    /// start times of the newest good Full and Differential of the same Job, client and FileSet; `failedLevel` the
    /// level of a Full or Differential that failed since the job compared against, when Rerun Failed Levels is set.
    static func decide(
        level: String, since: Bool, lastFull: Int64?, lastDifferential: Int64?, now: Int64, maxFullInterval: Int64,
        maxDiffInterval: Int64, failedLevel: String? = nil
    ) -> Decision {
        guard level == "I" || level == "D" else { return Decision(level: level) }
        guard since, let lastFull else { return Decision(level: "F", upgradedFrom: level, message: noFull) }
        if maxFullInterval > 0 && now - lastFull >= maxFullInterval {
            return Decision(level: "F", upgradedFrom: level, message: noFull)
        }
        if level == "I" && maxDiffInterval > 0 {
            let lastDiff = max(lastDifferential ?? lastFull, lastFull)
            if now - lastDiff >= maxDiffInterval {
                return Decision(level: "D", upgradedFrom: level, message: noDifferential)
            }
        }
        if let failedLevel, failedLevel == "F" || (failedLevel == "D" && level == "I") {
            return Decision(level: failedLevel, upgradedFrom: level, message: priorFailed(failedLevel))
        }
        return Decision(level: level)
    }
}
