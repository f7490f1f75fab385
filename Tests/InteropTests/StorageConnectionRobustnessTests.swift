import CapstanTestSupport
import Foundation
import Testing

/// capstan-sd tells the first packet of a connection apart and survives everything else (issue #3, §4).
@Suite(.serialized) struct StorageConnectionRobustnessTests {
    @Test func junkAndUnknownPeersAreRefusedWithALogLineAndTheDaemonKeepsServing() async throws {
        let sd = try await CapstanStorageDaemon.start(directorName: "interop-dir", password: "sd-secret")
        // An HTTP request: its first four bytes read as a 1.2 GB frame length.
        let http = try RawConnection(port: sd.port)
        http.send(Array("GET / HTTP/1.0\r\n\r\n".utf8))
        // A well-framed packet that is no hello.
        let stranger = try RawConnection(port: sd.port)
        stranger.sendPacket(Array("Hello there, I am not a Bacula daemon at all\n".utf8))
        // A Director the SD does not know.
        let unknown = try RawConnection(port: sd.port)
        unknown.sendPacket(Array("Hello SD: Bacula Director evil-dir calling 103\n".utf8))
        // A File daemon for a job nobody announced.
        let fileDaemon = try RawConnection(port: sd.port)
        fileDaemon.sendPacket(Array("Hello Bacula SD: Start Job NoSuchJob.2026-11-26_10.00.00_01 214\n".utf8))
        #expect(await http.receive(seconds: 2).isEmpty)
        #expect(await RealBacula.eventually(seconds: 10) {
            sd.log.contains("more than the 1000000 permitted") && sd.log.contains("not a Bacula Director or File daemon")
                && sd.log.contains("Director \"evil-dir\" is not in this Storage daemon's configuration")
                && sd.log.contains("NoSuchJob.2026-11-26_10.00.00_01")
        }, "\(sd.log)")
        for connection in [http, stranger, unknown, fileDaemon] { connection.close() }
        // Still serving a real Director.
        let director = try await RealDirector.start(storagePort: sd.port, storagePassword: "sd-secret")
        let status = try await director.bconsole(["status storage=CapstanStorage"])
        #expect(status.output.contains("interop-sd Version"), "\(status.output)")
    }

    @Test func twoHundredConnectionsDroppedMidHandshakeLeakNoDescriptors() async throws {
        let sd = try await CapstanStorageDaemon.start(directorName: "interop-dir", password: "sd-secret")
        // Warm up: the event loops open their own descriptors on first use; count after that settles.
        for _ in 0..<8 { try RawConnection(port: sd.port).close() }
        try await Task.sleep(for: .milliseconds(500))
        let baseline = sd.openFileDescriptors
        #expect(baseline > 0)
        var connections: [RawConnection] = []
        for index in 0..<200 {
            let connection = try RawConnection(port: sd.port)
            switch index % 4 {
            case 0: break  // connect, say nothing
            case 1: connection.sendPacket(Array("Hello SD: Bacula Director interop-dir calling 103\n".utf8))
            case 2: connection.send([0, 0, 0, 60, 0x48, 0x65])  // half a hello
            default:
                connection.sendPacket(Array("Hello SD: Bacula Director interop-dir calling 103\n".utf8))
                _ = await connection.receive(seconds: 2)  // the challenge arrived; now vanish
            }
            connections.append(connection)
        }
        for (index, connection) in connections.enumerated() {
            if index % 2 == 0 { connection.abort() } else { connection.close() }
        }
        // Failed handshakes are held for Bacula's anti-brute-force delay (5 s) before the socket closes. A leak would
        // keep tens to hundreds of the 200 sockets; the event loops may open a descriptor or two of their own late.
        #expect(await RealBacula.eventually(seconds: 30) { sd.openFileDescriptors <= baseline + 3 }, "fds: \(sd.openFileDescriptors) vs \(baseline)")
        let director = try await RealDirector.start(storagePort: sd.port, storagePassword: "sd-secret")
        let status = try await director.bconsole(["status storage=CapstanStorage"])
        #expect(status.output.contains("interop-sd Version"), "\(status.output)")
        #expect(sd.process.process.isRunning)
    }
}
