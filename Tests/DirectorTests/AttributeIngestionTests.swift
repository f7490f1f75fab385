import BaculaWire
import CapstanConfig
import CapstanTestSupport
import Catalog
@testable import Director
import Foundation
import Logging
import StorageProtocol
import Testing

/// The SD's attribute stream into a real SQLite catalog through `StorageCatalogService`: batches written off the
/// reading task (`AttributeWriter`) must still give one File row per file, each with its own digest, whether the
/// digest follows its attributes (the usual order), arrives after the entry's batch was handed over, or the
/// entry is a deleted file.
@Suite struct AttributeIngestionTests {
    static func service(catalog: CatalogDatabase, jobID: Int64) throws -> StorageCatalogService {
        let configuration = try FileSetEncodingTests.configuration(
            "FileSet { Name = S; Include { File = /data } }")
        let pool = try #require(configuration.pool("Default"))
        let storage = try #require(configuration.storage("s"))
        return StorageCatalogService(
            context: .init(
                jobID: jobID, pool: pool, poolID: 1, storage: storage, storageID: 1, directorName: "d"),
            catalog: catalog, logger: Logger(label: "test"), say: { _, _ in })
    }

    static func attributes(jobID: Int64, fileIndex: Int32, type: Int, name: String) -> CatalogRequest {
        let record = Array("\(fileIndex) \(type) \(name)".utf8) + [0] + Array("P0C BAA IGk B A A A BA A A BhLgzp BhLgzp BhLgzp A A C".utf8)
            + [0, 0, 0] + Array("0".utf8) + [0]
        return .fileAttributes(
            AttributeUpdate(jobID: UInt32(jobID), sessionID: 1, sessionTime: 2, fileIndex: fileIndex, stream: 1, data: record))
    }

    static func digest(jobID: Int64, fileIndex: Int32) -> (request: CatalogRequest, text: String) {
        let bytes = (0..<16).map { UInt8(truncatingIfNeeded: Int(fileIndex) &* 31 &+ $0) }
        return (
            .fileAttributes(
                AttributeUpdate(jobID: UInt32(jobID), sessionID: 1, sessionTime: 2, fileIndex: fileIndex, stream: 3, data: bytes)),
            BaculaBase64.encode(bytes, mode: .compatible)
        )
    }

    @Test func twelveThousandFilesAcrossBatchesKeepTheirDigests() async throws {
        try await Self.ingest { service, request in
            #expect(service.answer(request) == nil)
        }
    }

    /// The same stream as wire packets through the hot path (`fileAttributes(packet:)`: header read in place, record
    /// filed without an `AttributeUpdate`), which is what `StorageLink` calls for every UpdCat.
    @Test func theSameStreamAsPacketsGivesTheSameRows() async throws {
        try await Self.ingest { service, request in
            try await service.fileAttributes(packet: request.bytes)
        }
    }

    @Test func aMalformedPacketIsRefusedAndFilesNothing() async throws {
        let directory = try RealBacula.temporaryDirectory("capstan-attribute-ingestion")
        defer { RealBacula.removeTemporaryDirectory(directory) }
        let catalog = try CatalogDatabase(path: directory + "/bacula.db")
        let service = try Self.service(catalog: catalog, jobID: 1)
        var packet = Self.attributes(jobID: 1, fileIndex: 1, type: 3, name: "/data/a").bytes
        packet.removeLast()  // one byte fewer than the header announces
        await #expect(throws: MessageError.self) { try await service.fileAttributes(packet: packet) }
        await #expect(throws: MessageError.self) {
            try await service.fileAttributes(packet: Array("UpdCat JobId=01 FileAttributes ".utf8) + [UInt8](repeating: 0, count: 20))
        }
        try await service.flush()
        #expect(service.fileCount == 0)
        #expect(try catalog.fileCount(jobID: 1) == 0)
    }

    /// Sends 12,001 files (three batches) with their digests, some digests late, a directory and a deleted file,
    /// through `send`, and checks every File row.
    static func ingest(_ send: (StorageCatalogService, CatalogRequest) async throws -> Void) async throws {
        let directory = try RealBacula.temporaryDirectory("capstan-attribute-ingestion")
        defer { RealBacula.removeTemporaryDirectory(directory) }
        let catalog = try CatalogDatabase(path: directory + "/bacula.db")
        var job = JobRow()
        (job.job, job.name, job.type, job.level, job.status) = ("j.1", "j", "B", "F", "R")
        let jobID = try catalog.createJob(job)
        let service = try Self.service(catalog: catalog, jobID: jobID)
        let count: Int32 = 2 * Int32(StorageCatalogService.batchSize) + 1001
        var expected: [String: (fileIndex: Int64, digest: String)] = [:]
        var late: [(CatalogRequest, Int32)] = []
        for index in Int32(1)...count {
            let name = "/data/d\(index / 1000)/f\(index)"
            try await send(service, Self.attributes(jobID: jobID, fileIndex: index, type: 3, name: name))
            let digest = Self.digest(jobID: jobID, fileIndex: index)
            expected[name] = (Int64(index), digest.text)
            // Every 997th digest comes late, after later files (and for some after its batch was handed over).
            if index % 997 == 0 { late.append((digest.request, index)) } else { try await send(service, digest.request) }
            if let first = late.first, index - first.1 > 3000 {
                try await send(service, first.0)
                late.removeFirst()
            }
        }
        // A directory entry and a deleted file (FileIndex 0 in the catalog).
        try await send(service, Self.attributes(jobID: jobID, fileIndex: count + 1, type: 5, name: "/data/"))
        try await send(service, Self.attributes(jobID: jobID, fileIndex: count + 2, type: 23, name: "/data/gone"))
        for (request, _) in late { try await send(service, request) }
        try await service.flush()

        #expect(try catalog.fileCount(jobID: jobID) == Int(count) + 2)
        #expect(service.fileCount == Int(count) + 2)
        let files = try catalog.files(jobIDs: [jobID])
        #expect(files.count == Int(count) + 1)  // the deleted entry is left out of the tree
        var wrong = 0
        for file in files where file.name.hasPrefix("f") {
            guard let want = expected[file.fullName], want.fileIndex == file.fileIndex, want.digest == file.digest else {
                wrong += 1
                continue
            }
        }
        #expect(wrong == 0)
        #expect(files.contains { $0.path == "/data/" && $0.name == "" && $0.digest == "0" })
    }
}
