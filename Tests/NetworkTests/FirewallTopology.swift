import CapstanTestSupport
import Foundation

/// The seed's firewall example (the Bacula manual's "Dealing with Firewalls": Director and SD on an internal host
/// behind a NAT firewall, clients inside and outside) as Linux network namespaces made for one test:
///
///     lan    (10.231.1.10, FDs) ──┐
///     server (10.231.1.52, DIR+SD)┼── br0 in `sw` (a plain L2 switch)
///     fw int0 (10.231.1.1) ───────┘
///     fw ext0 (10.231.2.1) ─────────── eth0 (10.231.2.20) pub (FDs), default route via fw
///
/// `fw` forwards, DNATs tcp/9103 arriving on ext0 to 10.231.1.52:9103 and MASQUERADEs what leaves by ext0. The name
/// `storage-server` resolves (per namespace, `/etc/netns/<ns>/hosts`, which `ip netns exec` bind-mounts over
/// /etc/hosts) to 10.231.1.52 in server and lan and to the firewall's 10.231.2.1 in pub.
///
/// Namespace names carry the test process's PID and a random tag, so concurrent runs never collide; `init` first
/// removes namespaces (and their /etc/netns folders) of runs whose process is gone; `tearDown` (also from deinit)
/// removes everything this topology made. Needs root, iproute2 and iptables.
final class FirewallTopology: @unchecked Sendable {
    static let serverAddress = "10.231.1.52"
    static let lanAddress = "10.231.1.10"
    static let firewallInside = "10.231.1.1"
    static let firewallOutside = "10.231.2.1"
    static let publicAddress = "10.231.2.20"
    static let storageName = "storage-server"
    static let namePrefix = "capnet"

    let tag: String
    var server: String { "\(tag)-server" }
    var lan: String { "\(tag)-lan" }
    var firewall: String { "\(tag)-fw" }
    var outside: String { "\(tag)-pub" }
    var switchNamespace: String { "\(tag)-sw" }
    var all: [String] { [server, lan, firewall, outside, switchNamespace] }
    private var made: [String] = []
    private var tornDown = false

    init() throws {
        try Self.removeLeftovers()
        tag = "\(Self.namePrefix)\(getpid())x\(String(UInt16.random(in: 0...UInt16.max), radix: 16))"
        do { try build() } catch {
            tearDown()
            throw error
        }
    }

    deinit { tearDown() }

    // MARK: Running things

    /// Runs a command to completion in the root namespace; throws with its output when it fails.
    @discardableResult
    static func run(_ arguments: [String], timeout: Int = 60) throws -> String {
        let result = try Command.runMerged(arguments, timeout: timeout)
        guard result.status == 0 else {
            throw CommandFailure(description: "`\(arguments.joined(separator: " "))` exited \(result.status): \(result.output)")
        }
        return result.output
    }

    /// Runs a command in namespace `namespace`.
    @discardableResult
    func run(in namespace: String, _ arguments: [String], timeout: Int = 60) throws -> String {
        try Self.run(["/usr/sbin/ip", "netns", "exec", namespace] + arguments, timeout: timeout)
    }

    /// The arguments that start `program` in `namespace` (for `ChildProcess`: `ip netns exec` execs the program, so
    /// the child's PID is the program's).
    func command(in namespace: String, _ program: String, _ arguments: [String]) -> (String, [String]) {
        ("/usr/sbin/ip", ["netns", "exec", namespace, program] + arguments)
    }

    // MARK: Building

    private func build() throws {
        for namespace in all {
            try Self.run(["/usr/sbin/ip", "netns", "add", namespace])
            made.append(namespace)
            try run(in: namespace, ["/usr/sbin/ip", "link", "set", "lo", "up"])
        }
        let ip = "/usr/sbin/ip"
        try run(in: switchNamespace, [ip, "link", "add", "br0", "type", "bridge"])
        try run(in: switchNamespace, [ip, "link", "set", "br0", "up"])
        // veth pairs are made directly inside the namespaces: no interface name ever appears in the root namespace.
        for (namespace, inside, port) in [(server, "eth0", "p-server"), (lan, "eth0", "p-lan"), (firewall, "int0", "p-fw")] {
            try Self.run([ip, "link", "add", inside, "netns", namespace, "type", "veth", "peer", "name", port, "netns", switchNamespace])
            try run(in: switchNamespace, [ip, "link", "set", port, "master", "br0"])
            try run(in: switchNamespace, [ip, "link", "set", port, "up"])
        }
        try Self.run([ip, "link", "add", "ext0", "netns", firewall, "type", "veth", "peer", "name", "eth0", "netns", outside])
        for (namespace, device, address) in [
            (server, "eth0", Self.serverAddress), (lan, "eth0", Self.lanAddress), (firewall, "int0", Self.firewallInside),
            (firewall, "ext0", Self.firewallOutside), (outside, "eth0", Self.publicAddress),
        ] {
            try run(in: namespace, [ip, "addr", "add", address + "/24", "dev", device])
            try run(in: namespace, [ip, "link", "set", device, "up"])
        }
        try run(in: server, [ip, "route", "add", "default", "via", Self.firewallInside])
        try run(in: lan, [ip, "route", "add", "default", "via", Self.firewallInside])
        try run(in: outside, [ip, "route", "add", "default", "via", Self.firewallOutside])
        try run(in: firewall, ["/usr/sbin/sysctl", "-qw", "net.ipv4.ip_forward=1"])
        let iptables = "/usr/sbin/iptables"
        try run(in: firewall, [
            iptables, "-t", "nat", "-A", "PREROUTING", "-i", "ext0", "-p", "tcp", "--dport", "9103", "-j", "DNAT",
            "--to-destination", Self.serverAddress + ":9103",
        ])
        try run(in: firewall, [iptables, "-t", "nat", "-A", "POSTROUTING", "-o", "ext0", "-j", "MASQUERADE"])

        let hosts = [
            server: "\(Self.serverAddress) \(Self.storageName) server\n\(Self.lanAddress) lan\n\(Self.publicAddress) pub\n",
            lan: "\(Self.serverAddress) \(Self.storageName) server\n\(Self.lanAddress) lan\n",
            outside: "\(Self.firewallOutside) \(Self.storageName) firewall\n\(Self.publicAddress) pub\n",
        ]
        for (namespace, lines) in hosts {
            let folder = "/etc/netns/" + namespace
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try ("127.0.0.1 localhost\n" + lines).write(toFile: folder + "/hosts", atomically: true, encoding: .utf8)
            try "".write(toFile: folder + "/resolv.conf", atomically: true, encoding: .utf8)  // lookups stay in hosts
        }
    }

    /// Makes `fw` a firewall that forgets connections idle for `seconds`: conntrack's established timeout, no
    /// loose pick-up of mid-stream TCP, and packets of forgotten connections (conntrack INVALID) dropped.
    func dropIdleConnections(after seconds: Int) throws {
        try run(in: firewall, ["/usr/sbin/sysctl", "-qw", "net.netfilter.nf_conntrack_tcp_timeout_established=\(seconds)"])
        try run(in: firewall, ["/usr/sbin/sysctl", "-qw", "net.netfilter.nf_conntrack_tcp_loose=0"])
        try run(in: firewall, ["/usr/sbin/iptables", "-I", "FORWARD", "1", "-m", "conntrack", "--ctstate", "INVALID", "-j", "DROP"])
    }

    /// The firewall's established-connection timeout as the kernel holds it.
    func idleTimeout() throws -> Int {
        Int(try run(in: firewall, ["/usr/sbin/sysctl", "-n", "net.netfilter.nf_conntrack_tcp_timeout_established"])
            .trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    /// Packets that matched the DNAT port forward (each is a new connection to the public address's port 9103).
    func portForwardPackets() throws -> Int {
        let table = try run(in: firewall, ["/usr/sbin/iptables", "-t", "nat", "-L", "PREROUTING", "-v", "-n", "-x"])
        let rule = table.split(separator: "\n").first { $0.contains("DNAT") && $0.contains("dpt:9103") }
        return rule.flatMap { Int($0.split(separator: " ").first ?? "") } ?? -1
    }

    /// Limits what `pub` sends to `rate` (tc tbf), so a backup from outside lasts long enough for idleness to matter.
    func throttleOutside(to rate: String) throws {
        try run(in: outside, ["/usr/sbin/tc", "qdisc", "replace", "dev", "eth0", "root", "tbf", "rate", rate, "burst", "32kb", "latency", "400ms"])
    }

    /// Where `name` resolves in `namespace` (getent, i.e. through the namespace's hosts file).
    func resolve(_ name: String, in namespace: String) throws -> String {
        String(try run(in: namespace, ["/usr/bin/getent", "hosts", name]).split(separator: " ").first ?? "")
    }

    /// Whether a process in some namespace listens on `address:port` (its /proc/PID/net/tcp is its namespace's
    /// table; reading it never opens a connection the daemon would log as an intrusion).
    static func isListening(pid: Int32, address: String, port: Int) -> Bool {
        guard let table = RealBacula.procFile("/proc/\(pid)/net/tcp") else { return false }
        let octets = address.split(separator: ".").compactMap { UInt8($0) }
        let hex = octets.reversed().map { String(format: "%02X", $0) }.joined() + String(format: ":%04X", port)
        return table.split(separator: "\n").contains { line in
            let fields = line.split(separator: " ")
            return fields.count > 3 && fields[1] == hex && fields[3] == "0A"
        }
    }

    // MARK: Tearing down

    /// Kills what still runs in the namespaces, deletes them (their veths go with them) and their /etc/netns folders.
    func tearDown() {
        guard !tornDown else { return }
        tornDown = true
        for namespace in made.reversed() { Self.remove(namespace) }
        made = []
    }

    private static func remove(_ namespace: String) {
        if let pids = try? run(["/usr/sbin/ip", "netns", "pids", namespace]) {
            for pid in pids.split(separator: "\n").compactMap({ Int32($0) }) { kill(pid, SIGKILL) }
        }
        _ = try? run(["/usr/sbin/ip", "netns", "del", namespace])
        let folder = "/etc/netns/" + namespace
        try? FileManager.default.removeItem(atPath: folder + "/hosts")
        try? FileManager.default.removeItem(atPath: folder + "/resolv.conf")
        rmdir(folder)
        rmdir("/etc/netns")  // only when empty, i.e. when nobody else uses it
    }

    /// Namespaces of this topology left by a run that was killed (its PID is no longer alive).
    static func removeLeftovers() throws {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/run/netns")) ?? []
        for name in names where name.hasPrefix(namePrefix) {
            let digits = name.dropFirst(namePrefix.count).prefix { $0.isNumber }
            guard let pid = Int32(digits), pid != getpid(), kill(pid, 0) != 0 else { continue }
            remove(name)
        }
    }
}
