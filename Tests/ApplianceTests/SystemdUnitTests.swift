import CapstanTestSupport
import Foundation
import Testing

/// The shipped systemd units pass `systemd-analyze verify`, and capstan-sd speaks sd_notify.
@Suite struct SystemdUnitTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// A file-system root with systemd's own units, the built programs in /usr/sbin, /bin/kill and `units` installed.
    func verificationRoot(units: [String: String]) throws -> String {
        let root = try RealBacula.temporaryDirectory("capstan-systemd-root")
        let manager = FileManager.default
        try manager.createDirectory(atPath: root + "/usr/lib/systemd", withIntermediateDirectories: true)
        try manager.copyItem(atPath: "/lib/systemd/system", toPath: root + "/usr/lib/systemd/system")
        try manager.createDirectory(atPath: root + "/usr/sbin", withIntermediateDirectories: true)
        for program in ["capstan-sd", "capstan-dir", "capstan-fd"] {
            try manager.copyItem(atPath: Programs.path(program), toPath: root + "/usr/sbin/" + program)
        }
        // The system programs the units name (ExecReload's kill).
        try manager.createDirectory(atPath: root + "/bin", withIntermediateDirectories: true)
        try manager.copyItem(atPath: "/bin/kill", toPath: root + "/bin/kill")
        try manager.createDirectory(atPath: root + "/etc/systemd/system", withIntermediateDirectories: true)
        for (name, text) in units { try text.write(toFile: root + "/etc/systemd/system/" + name, atomically: true, encoding: .utf8) }
        return root
    }

    func shippedUnits() throws -> [String: String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.repository + "/systemd").filter { $0.hasSuffix(".service") }
        return try Dictionary(uniqueKeysWithValues: names.map {
            ($0, try String(contentsOfFile: Self.repository + "/systemd/" + $0, encoding: .utf8))
        })
    }

    @Test func everyShippedUnitVerifiesClean() async throws {
        let units = try shippedUnits()
        #expect(Set(units.keys) == ["capstan-sd.service", "capstan-dir.service", "capstan-fd.service"])
        let root = try verificationRoot(units: units)
        defer { RealBacula.removeTemporaryDirectory(root) }
        let result = try await Command.run(
            "/usr/bin/systemd-analyze", ["verify", "--man=no", "--root=" + root] + units.keys.sorted().map { root + "/etc/systemd/system/" + $0 })
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.errors.isEmpty, "\(result.errors)")
        for (name, text) in units {
            #expect(text.contains("Type=notify"), "\(name)")
            #expect(text.contains("RestartPreventExitStatus=78"), "\(name)")
            #expect(text.contains("NoNewPrivileges=yes"), "\(name)")
        }
        let sd = try #require(units["capstan-sd.service"])
        #expect(sd.contains("DeviceAllow=char-sg rw") && sd.contains("AmbientCapabilities=CAP_SYS_RAWIO"))
        #expect(sd.contains("Group=tape"))
        let director = try #require(units["capstan-dir.service"])
        #expect(director.contains("ExecReload=/bin/kill -HUP $MAINPID"))
    }

    @Test func verificationCatchesABrokenUnit() async throws {
        var units = try shippedUnits()
        units["capstan-sd.service"] = units["capstan-sd.service"]?.replacingOccurrences(of: "Type=notify", with: "Type=notifyy")
        let root = try verificationRoot(units: units)
        defer { RealBacula.removeTemporaryDirectory(root) }
        let result = try await Command.run(
            "/usr/bin/systemd-analyze", ["verify", "--man=no", "--root=" + root, root + "/etc/systemd/system/capstan-sd.service"])
        #expect(result.errors.contains("notifyy"), "\(result.errors)")
    }
}
