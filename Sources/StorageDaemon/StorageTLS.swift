import CapstanConfig
import Net

/// The Storage daemon's TLS settings, made once at start from its configuration: one server setting per Director
/// resource (for the Director's connections) and the Storage resource's (for File daemons and peer SDs). A
/// setting that cannot be loaded names its resource and file.
struct StorageTLS: Sendable {
    let directors: [String: TLSSettings]
    let fileDaemons: TLSSettings
    /// Client side of the SD-to-SD link of Copy/Migrate jobs (the Storage resource's directives).
    let peerClient: TLSSettings

    static func make(_ configuration: StorageDaemonConfiguration) -> Result<StorageTLS, TLSSettings.SetupError> {
        do {
            var directors: [String: TLSSettings] = [:]
            for director in configuration.directors {
                do {
                    directors[director.name] = try TLSSettings(director.tls, role: .server)
                } catch let error as TLSSettings.SetupError {
                    throw TLSSettings.SetupError(description: "Director \"\(director.name)\": \(error)")
                }
            }
            let storage = configuration.storage
            do {
                return .success(
                    StorageTLS(
                        directors: directors, fileDaemons: try TLSSettings(storage.tls, role: .server),
                        peerClient: try TLSSettings(storage.tls, role: .client)))
            } catch let error as TLSSettings.SetupError {
                throw TLSSettings.SetupError(description: "Storage \"\(storage.name)\": \(error)")
            }
        } catch let error as TLSSettings.SetupError {
            return .failure(error)
        } catch {
            return .failure(TLSSettings.SetupError(description: "\(error)"))
        }
    }
}
