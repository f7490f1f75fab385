/// What goes wrong while the Storage daemon runs a job; every case names the job.
public enum StorageDaemonError: Error, CustomStringConvertible, Sendable {
    /// The Director's connection for the job closed: no catalog answers will come.
    case directorGone(job: String?)
    /// No volume could be mounted for the job.
    case volume(job: String, reason: String)
    /// The job was canceled by the Director.
    case canceled(job: String)
    /// The job was canceled and the Director did not answer a catalog request within the bound a canceled job gets.
    case noCatalogAnswer(job: String?, seconds: Int)

    public var description: String {
        switch self {
        case .directorGone(let job): return "job \(job ?? "?"): the Director's connection closed"
        case .volume(let job, let reason): return "job \(job): \(reason)"
        case .canceled(let job): return "job \(job) was canceled"
        case .noCatalogAnswer(let job, let seconds):
            return "job \(job ?? "?") was canceled and the Director did not answer a catalog request within \(seconds) s"
        }
    }
}
