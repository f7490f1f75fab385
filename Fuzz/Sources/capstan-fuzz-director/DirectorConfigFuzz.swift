import CapstanConfig
import Director

/// The Director's configuration: the input as a file's text, loaded against the Director's schema, typed as the
/// Director types it, and each Schedule's `Run` lines read as the scheduler reads them every minute. (The language
/// itself, every daemon's schema and the Storage and File daemons' typed views are the `config` target.)
enum DirectorConfigFuzz {
    static func run(_ input: [UInt8]) {
        let text = String(decoding: input, as: UTF8.self)
        let (configuration, _) = ConfigLoader.load(text: text, name: "fuzz.conf", kind: .director)
        for schedule in DirectorConfiguration(configuration)?.schedules ?? [] {
            for run in schedule.runs { _ = ScheduleTimes(run.when).fires(atUnix: 1_796_203_800) }
        }
    }
}
