import Foundation

extension BaculaSystem {
    /// Gives the system a second File device on the same SD for the jobs that write to a Next Pool (VirtualFull,
    /// Copy, Migrate): the SD gets Device `device` (Media Type `mediaType`, volumes in a folder of its own), the
    /// Director a Storage `storage` for it and a Pool `pool` (Label Format `labelFormat`) on that Storage, and
    /// SystemPool names `pool` as its Next Pool. Call before `start()`; returns the device's volume folder.
    public func addNextPoolOnFileDevice(
        device: String, mediaType: String, storage: String, pool: String, labelFormat: String
    ) throws -> String {
        let folder = directory + "/" + device.lowercased()
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        addNextPool(
            device: """
                Device {
                  Name = \(device); Media Type = \(mediaType); Archive Device = "\(folder)"; Device Type = File
                  LabelMedia = yes; Random Access = yes; AutomaticMount = yes; RemovableMedia = no; AlwaysOpen = no
                }
                """,
            named: device, mediaType: mediaType, storage: storage, pool: pool, labelFormat: labelFormat)
        return folder
    }

    /// Like `addNextPoolOnFileDevice`, onto a standalone virtual tape (`Device Type = VTape`, labelled on demand)
    /// whose drive writes at most `rate` (Capstan's `Maximum Tape Rate`, e.g. "40 MB/s"): a job onto it lasts long
    /// enough to be caught mid-way without racing the disk. Returns the tape image's path.
    public func addNextPoolOnVirtualTape(
        device: String, mediaType: String, storage: String, pool: String, labelFormat: String, rate: String
    ) throws -> String {
        let image = directory + "/" + device.lowercased() + ".vtape"
        addNextPool(
            device: """
                Device {
                  Name = \(device); Media Type = \(mediaType); Archive Device = "\(image)"; Device Type = VTape
                  LabelMedia = yes; Random Access = no; AutomaticMount = yes; RemovableMedia = no; AlwaysOpen = yes
                  Maximum Block Size = 1048576; Maximum Tape Rate = \(rate)
                }
                """,
            named: device, mediaType: mediaType, storage: storage, pool: pool, labelFormat: labelFormat)
        return image
    }

    /// The SD's Device resource `device`, and the Director's Storage and Pool for it, SystemPool's Next Pool.
    private func addNextPool(
        device resource: String, named device: String, mediaType: String, storage: String, pool: String,
        labelFormat: String
    ) {
        options.pool += "\nNext Pool = \(pool)"
        options.storageResources += "\n" + resource
        options.directorResources += """

            Storage {
              Name = \(storage); Address = 127.0.0.1; SDPort = \(storagePort); Password = "sd-password"
              Device = \(device); Media Type = \(mediaType); Maximum Concurrent Jobs = 10
            }
            Pool {
              Name = \(pool); Pool Type = Backup; Label Format = "\(labelFormat)"; Recycle = no; AutoPrune = no
              Storage = \(storage)
            }
            """
    }
}
