import CapstanTestSupport
import Foundation
import Testing

/// `label barcodes` and `update slots` through capstan-dir, driven by the real bconsole, against capstan-sd's
/// virtual autochanger (16 slots, cartridges VT0001…VT0003 in slots 1–3): the Director reads the SD's
/// `autochanger slots`/`list` answers, labels unknown barcodes through the SD and keeps Slot/InChanger.
@Suite struct DirectorChangerTests {
    @Test func labelBarcodesThenUpdateSlotsThenBackUpToALabelledCartridge() async throws {
        var options = BaculaSystem.Options()
        options.tapeLibraryCapacity = 0
        options.tapeLibraryCartridges = 3
        options.directorResources = """
            Storage {
              Name = Library; Address = 127.0.0.1; SDPort = {SDPORT}; Password = "sd-password"
              Device = VirtualLibrary; Media Type = File; Autochanger = yes
            }
            Pool { Name = TapePool; Pool Type = Backup; Recycle = no; AutoPrune = no }
            Job {
              Name = LibraryBackup; Type = Backup; Level = Full; Client = system-fd; FileSet = SystemSet
              Storage = Library; Pool = TapePool; Messages = Standard
            }
            """
        let system = try DirectorBackupRestoreTests.system(storage: .capstan, options: options)
        try DataSet.generate(at: system.dataDirectory, bigFileBytes: 0)
        try await system.start()

        // Without `yes` the Director lists what it will label and asks; bconsole answers the question.
        let label = try await system.console(["label barcodes storage=Library pool=TapePool slots=1-2 drive=0", "yes"])
        #expect(label.contains("Device \"VirtualLibrary\" has 16 slots."), "\(label)")
        #expect(label.contains("Do you want to label these Volumes? (yes|no):"), "\(label)")
        for (slot, volume) in [(1, "VT0001"), (2, "VT0002")] {
            #expect(
                label.contains("Catalog record for Volume \"\(volume)\", Slot \(slot) successfully created."),
                "\(label)")
        }
        #expect(!label.contains("VT0003"), "slot 3 was not selected: \(label)")
        let labelled = try await system.sql(
            "SELECT VolumeName, Slot, InChanger, VolStatus FROM Media ORDER BY VolumeName")
        #expect(labelled == "VT0001|1|1|Append\nVT0002|2|1|Append\n", "\(labelled)")

        // The catalog's idea of VT0002 goes wrong; `update slots` puts it right from the changer's inventory.
        _ = try await system.console(["update volume=VT0002 slot=9 inchanger=no"])
        let update = try await system.console(["update slots storage=Library drive=0 slots=1-4"])
        #expect(update.contains("Catalog record for Volume \"VT0001\" is up to date."), "\(update)")
        #expect(update.contains("Catalog record for Volume \"VT0002\" updated to reference slot 2."), "\(update)")
        #expect(update.contains("Volume \"VT0003\" not found in catalog. Slot=3 InChanger set to zero."), "\(update)")
        #expect(update.contains("No VolName for Slot=4 InChanger set to zero."), "\(update)")
        let slots = try await system.sql("SELECT VolumeName, Slot, InChanger FROM Media ORDER BY VolumeName")
        #expect(slots == "VT0001|1|1\nVT0002|2|1\n", "\(slots)")

        // A bad selection is an error line, and the console goes on.
        let bad = try await system.console(["update slots storage=Library slots=3-40", "version"])
        #expect(bad.contains("greater than the changer's 16 slots"), "\(bad)")
        #expect(bad.contains("capstan-dir") || bad.contains("Version"), "\(bad)")

        // The labels are real: a backup writes to one of the labelled cartridges.
        let backup = try await system.backup(job: "LibraryBackup")
        #expect(backup.status == "T", "\(system.messages)\n\(system.storageLog)")
        let used = try await system.sql(
            "SELECT DISTINCT VolumeName FROM JobMedia JOIN Media USING (MediaId) WHERE JobId=\(backup.jobId)")
        #expect(["VT0001\n", "VT0002\n"].contains(used), "\(used)")

        // `update slots scan` names each cartridge by the label the SD reads from it, not by its barcode: VT0001's
        // record is put right again, VT0003 has no label yet, slot 4 is empty.
        _ = try await system.console(["update volume=VT0001 slot=9 inchanger=no"])
        let scan = try await system.console(["update slots scan storage=Library drive=0 slots=1-4"])
        #expect(scan.contains("Catalog record for Volume \"VT0001\" updated to reference slot 1."), "\(scan)")
        #expect(scan.contains("Catalog record for Volume \"VT0002\" is up to date."), "\(scan)")
        #expect(scan.contains("No VolName for Slot=3 InChanger set to zero."), "\(scan)")
        #expect(scan.contains("No VolName for Slot=4 InChanger set to zero."), "\(scan)")
        #expect(!scan.contains("VT0003"), "slot 3's barcode is not used: \(scan)")
        let scanned = try await system.sql("SELECT VolumeName, Slot, InChanger FROM Media ORDER BY VolumeName")
        #expect(scanned == "VT0001|1|1\nVT0002|2|1\n", "\(scanned)\n\(system.storageLog)")
    }
}
