/// The checks Bacula's daemons make after parsing, beyond each directive's own type: limits that depend on
/// several directives, and what a Job must be able to find.
enum ConsistencyChecks {
    /// Bacula 9.6 refuses a Maximum Block Size above this.
    static let largestBlockSize: UInt64 = 20_000_000

    static func run(_ resources: [Resource], kind: DaemonKind) -> [ConfigDiagnostic] {
        var found: [ConfigDiagnostic] = []
        func here(_ resource: Resource, _ directive: String? = nil) -> SourceLocation {
            directive.flatMap { resource.directive($0)?.location } ?? resource.location
                ?? SourceLocation(file: "", line: 0, column: 0)
        }
        for resource in resources {
            for (single, block) in [("SD Address", "SD Addresses"), ("DIR Address", "DIR Addresses"), ("FD Address", "FD Addresses")]
            where resource.directive(single)?.isDefault == false && resource.directive(block)?.isDefault == false {
                found.append(
                    ConfigDiagnostic(.badValue, "\"\(single)\" and \"\(block)\" cannot be mixed; list every address in \"\(block)\"",
                        at: here(resource, single), resource: resource.label, directive: single))
            }
        }
        switch kind {
        case .storage:
            for device in resources where device.type == "Device" {
                let maximum = device.size("Maximum Block Size") ?? 0
                let minimum = device.size("Minimum Block Size") ?? 0
                if maximum > largestBlockSize {
                    found.append(
                        ConfigDiagnostic(.badValue, "Maximum Block Size \(maximum) is larger than the largest allowed, \(largestBlockSize)",
                            at: here(device, "Maximum Block Size"), resource: device.label, directive: "Maximum Block Size"))
                }
                if maximum > 0, minimum > maximum {
                    found.append(
                        ConfigDiagnostic(.badValue, "Minimum Block Size \(minimum) is larger than Maximum Block Size \(maximum)",
                            at: here(device, "Minimum Block Size"), resource: device.label, directive: "Minimum Block Size"))
                }
            }
        case .director:
            let pools = Dictionary(resources.filter { $0.type == "Pool" }.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            for job in resources where job.type == "Job" {
                let poolStorage = job.string("Pool").flatMap { pools[$0] }?.names("Storage") ?? []
                if job.names("Storage").isEmpty && poolStorage.isEmpty {
                    found.append(
                        ConfigDiagnostic(.missingDirective, "Job \"\(job.name)\" names no Storage, and neither does its Pool",
                            at: here(job), resource: job.label, directive: "Storage"))
                }
                for directive in ["Pool", "Next Pool"] where job.string(directive) == "Scratch" {
                    found.append(
                        ConfigDiagnostic(.badValue, "the Scratch pool cannot be a Job's \(directive)", at: here(job, directive),
                            resource: job.label, directive: directive))
                }
            }
        case .fileDaemon, .console:
            break
        }
        return found
    }
}
