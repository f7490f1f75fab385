import CapstanConfig
import Director

/// The configuration language: the input as a file's text, lexed, parsed and checked against each daemon's schema
/// (an `@include` names files of an empty in-memory source), then typed for the Storage daemon, File daemon and
/// Director (whose Schedule `Run` lines are read as the scheduler reads them).
enum ConfigFuzz {
    static func run(_ input: [UInt8]) {
        let text = String(decoding: input, as: UTF8.self)
        for kind in DaemonKind.allCases {
            let (configuration, _) = ConfigLoader.load(text: text, name: "fuzz.conf", kind: kind)
            switch kind {
            case .storage: _ = StorageDaemonConfiguration(configuration)
            case .fileDaemon: _ = FileDaemonConfiguration(configuration)
            case .director:
                // A Schedule's Run lines as the scheduler reads them every minute.
                for schedule in DirectorConfiguration(configuration)?.schedules ?? [] {
                    for run in schedule.runs { _ = ScheduleTimes(run.when).fires(atUnix: 1_796_203_800) }
                }
            case .console: break
            }
        }
    }
}
