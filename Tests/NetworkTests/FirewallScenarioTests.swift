import CapstanTestSupport
import Foundation
import Testing

/// The seed's firewall example in network namespaces: capstan-dir and capstan-sd on the appliance behind a NAT
/// firewall, the real bacula-fd on the appliance itself, the real bacula-fd and capstan-fd inside the LAN and outside
/// (through the DNAT port forward of 9103), all at their default settings. Needs root, iproute2 and iptables; see docs/network-scenario.md.
@Suite(.serialized) struct FirewallScenarioTests {
    static let allClients: [(kind: String, place: FirewallScenario.Place)] = [
        ("bacula", .server), ("bacula", .lan), ("capstan", .lan), ("bacula", .pub), ("capstan", .pub),
    ]

    @Test func everyClientInsideAndOutsideTheNATBacksUpAndRestoresByteIdenticalThroughTheStorageName() async throws {
        let scenario = try FirewallScenario(clients: Self.allClients)
        let topology = scenario.topology
        #expect(try topology.resolve(FirewallTopology.storageName, in: topology.server) == FirewallTopology.serverAddress)
        #expect(try topology.resolve(FirewallTopology.storageName, in: topology.lan) == FirewallTopology.serverAddress)
        #expect(try topology.resolve(FirewallTopology.storageName, in: topology.outside) == FirewallTopology.firewallOutside)
        try DataSet.generate(at: scenario.treeDirectory, bigFileBytes: 0)
        try await scenario.start()

        var forwarded = try topology.portForwardPackets()
        for client in scenario.clients {
            let backup = try await scenario.backup(client)
            #expect(backup.status == "T", "backup from \(client.name): \(scenario.logs)")
            #expect(backup.files > 20, "\(client.name)")
            let restore = try await scenario.restore(
                jobId: backup.jobId, fileSet: "TreeSet", to: client, original: scenario.treeDirectory)
            #expect(restore.status == "T", "restore to \(client.name): \(scenario.logs)")
            let difference = try await FirewallScenario.difference(scenario.treeDirectory, restore.path)
            #expect(difference.isEmpty, "\(client.name): \(difference)")
            // An outside client reaches the SD only through the port forward: one new connection for the backup's
            // data and one for the restore's; an inside client never crosses the firewall.
            let now = try topology.portForwardPackets()
            if client.outside {
                #expect(now >= forwarded + 2, "\(client.name) did not come through the DNAT port forward")
            } else {
                #expect(now == forwarded, "\(client.name) crossed the firewall")
            }
            forwarded = now
        }
    }

    @Test func jobsOfOutsideClientsEndOKBehindAFirewallThatDropsLinksIdleFor15sWithDefaultHeartbeats() async throws {
        let scenario = try FirewallScenario(clients: Self.allClients.filter { $0.place == .pub })
        let topology = scenario.topology
        try topology.dropIdleConnections(after: 15)
        #expect(try topology.idleTimeout() == 15)
        // 6 MB through a 2 Mbit/s uplink: about 24 s of data during which the Director↔FD link carries no job
        // traffic (and the Director↔SD link none either).
        var generator = SplitMix64(seed: 15)
        try Data((0..<6_000_000).map { _ in UInt8(truncatingIfNeeded: generator.next()) })
            .write(to: URL(fileURLWithPath: scenario.slowDirectory + "/slow.bin"))
        try await scenario.start()
        let configurations = try scenario.clients.map { try String(contentsOfFile: scenario.directory + "/\($0.name).conf", encoding: .utf8) }
            + [scenario.directory + "/dir.conf", scenario.directory + "/sd.conf"].map { try String(contentsOfFile: $0, encoding: .utf8) }
        #expect(!configurations.contains { $0.localizedCaseInsensitiveContains("heartbeat") })
        try topology.throttleOutside(to: "2mbit")

        // The firewall really forgets: a plain TCP connection along the Director→FD path, idle for 18 s, is dead.
        async let control = IdleProbe.survives(idleSeconds: 18, topology: topology, directory: scenario.directory)
        for client in scenario.clients {
            let backup = try await scenario.backup(client, job: "Slow", timeout: 150)
            #expect(backup.status == "T", "\(client.name) behind the idle-dropping firewall: \(scenario.logs)")
            #expect(backup.seconds > 18, "\(client.name): the job took \(backup.seconds) s, not long enough to idle past the timeout")
            let restore = try await scenario.restore(
                jobId: backup.jobId, fileSet: "SlowSet", to: client, original: scenario.slowDirectory)
            #expect(restore.status == "T", "restore to \(client.name): \(scenario.logs)")
            #expect(try await FirewallScenario.difference(scenario.slowDirectory, restore.path).isEmpty)
        }
        // The Director waiting for a thinking FD: bacula-fd runs the FileSet's `\\|command` (20 s) before it answers,
        // so the Director↔FD link idles with no data flowing anywhere yet.
        for client in scenario.clients where client.program.hasSuffix("bacula-fd") {
            let backup = try await scenario.backup(client, job: "Pipe", timeout: 150)
            #expect(backup.status == "T", "\(client.name) with a slow file list: \(scenario.logs)")
            #expect(backup.seconds > FirewallScenario.fileListSeconds - 2, "\(client.name): took \(backup.seconds) s")
            #expect(backup.files > 1)
        }
        let probe = try await control
        #expect(probe.firstArrived && !probe.secondArrived, "control connection: \(probe.output)")
    }
}

/// A plain TCP connection from `server` to `pub` (the path of the Director's links to outside clients, through the
/// MASQUERADE) without keepalive: sends, idles `idleSeconds`, sends again. Behind a firewall that forgets idle
/// connections the second message never arrives. Python, because the two ends must run inside the namespaces.
enum IdleProbe {
    static func survives(idleSeconds: Int, topology: FirewallTopology, directory: String) async throws
        -> (firstArrived: Bool, secondArrived: Bool, output: String)
    {
        let listener = """
            import socket
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("\(FirewallTopology.publicAddress)", 7000)); s.listen(1); s.settimeout(30)
            c, _ = s.accept(); c.settimeout(\(idleSeconds + 8))
            try:
                while True:
                    data = c.recv(100)
                    if not data: break
                    print(data.decode(), flush=True)
            except Exception as e:
                print("listener:", e, flush=True)
            """
        let talker = """
            import socket, time
            for attempt in range(100):
                try:
                    s = socket.create_connection(("\(FirewallTopology.publicAddress)", 7000)); break
                except OSError:
                    time.sleep(0.1)
            s.sendall(b"first\\n"); time.sleep(\(idleSeconds)); s.sendall(b"second\\n"); time.sleep(1)
            """
        try listener.write(toFile: directory + "/probe-listener.py", atomically: true, encoding: .utf8)
        try talker.write(toFile: directory + "/probe-talker.py", atomically: true, encoding: .utf8)
        let (listenExecutable, listenArguments) = topology.command(in: topology.outside, "/usr/bin/python3", [directory + "/probe-listener.py"])
        let (talkExecutable, talkArguments) = topology.command(in: topology.server, "/usr/bin/python3", [directory + "/probe-talker.py"])
        async let heard = Command.run(listenExecutable, listenArguments, timeout: Double(idleSeconds + 60))
        async let talked = Command.run(talkExecutable, talkArguments, timeout: Double(idleSeconds + 30))
        let (output, _) = try await (heard, talked)
        let lines = output.output.split(separator: "\n")
        return (lines.contains("first"), lines.contains("second"), output.output + output.errors)
    }
}
