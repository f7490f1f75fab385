import CapstanConfig
import Catalog
import Director
import Foundation
import Logging
import Testing

/// The Mail Command of a Messages resource, run for real (`/bin/sh -c`, the message on its standard input).
@Suite struct MessageRouterMailTests {
    @Test func aMailDestinationPipesTheMessageIntoTheMailCommand() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("capstan-mail-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let configuration = try FileSetEncodingTests.configuration("""
            FileSet { Name = S; Include { File = /etc } }
            Messages { Name = Mailed; mailcommand = "cat > \(directory)/mail-%r-%i.tmp && mv \(directory)/mail-%r-%i.tmp \(directory)/mail-%r-%i"; mail = ops = all }
            """)
        let resource = try #require(configuration.messages.first { $0.name == "Mailed" })
        let router = MessageRouter(catalog: try CatalogDatabase(path: directory + "/catalog.db"), logger: Logger(label: "test"))
        router.deliver("d JobId 7: Backup OK\n", type: "info", jobID: 7, resource: resource, time: 0)
        let mailed = directory + "/mail-ops-7"
        // the command runs on a thread of its own; its file appears (renamed whole) when it has read the message
        let deadline = ContinuousClock.now + .seconds(30)
        while !FileManager.default.fileExists(atPath: mailed) && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        let text = try String(contentsOfFile: mailed, encoding: .utf8)
        #expect(text.hasSuffix("d JobId 7: Backup OK\n"), "\(text)")
    }
}
