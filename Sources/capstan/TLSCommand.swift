import ArgumentParser
import CertificateAuthority
import Foundation

/// `capstan tls init DIR`: a small CA and certificates for the Director, the Storage daemon, the clients and the
/// console, and the directive lines to paste into each configuration (docs/tls.md).
struct TLSCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tls", abstract: "Make TLS certificates for Capstan and Bacula daemons.", subcommands: [Init.self])

    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a CA and P-256 certificates for the director, storage, clients and console in DIR.",
            discussion: """
                Writes ca.pem (and ca.key, kept to sign more), and NAME.pem + NAME.key for each name (keys mode 0600). \
                Each certificate names its owner in the commonName (for TLS Allowed CN) and localhost, 127.0.0.1 \
                and every --host in its subjectAltNames (for the clients' host check). Prints the directives to paste.
                """)

        @Argument(help: "The directory to write to (created; must not hold a ca.pem already).")
        var directory: String

        @Option(help: "The Director's certificate name.") var director = "director"
        @Option(help: "The Storage daemon's certificate name.") var storage = "storage"
        @Option(name: .customLong("client"), help: "A File daemon's certificate name (repeatable; default: client).")
        var clients: [String] = []
        @Option(help: "The console's certificate name.") var console = "console"
        @Option(name: .customLong("host"), help: "A host name or IPv4 address the daemons are reached at (repeatable).")
        var hosts: [String] = []
        @Option(help: "Days the certificates are valid.") var days = 3650

        func run() throws {
            let directory = URL(fileURLWithPath: self.directory).standardizedFileURL.path
            let files = FileManager.default
            if files.fileExists(atPath: directory + "/ca.pem") {
                throw ValidationError("\(directory)/ca.pem exists already: choose an empty directory")
            }
            try files.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let authority = try CertificateAuthority(name: "Capstan CA", days: days)
            try write(authority.certificatePEM, to: directory + "/ca.pem", secret: false)
            try write(authority.keyPEM, to: directory + "/ca.key", secret: true)
            let clients = self.clients.isEmpty ? ["client"] : self.clients
            for name in [director, storage, console] + clients {
                let issued = try authority.issue(name: name, hosts: hosts, days: days)
                try write(issued.certificatePEM, to: directory + "/\(name).pem", secret: false)
                try write(issued.keyPEM, to: directory + "/\(name).key", secret: true)
            }
            print(Self.directives(directory: directory, director: director, storage: storage, clients: clients, console: console))
        }

        private func write(_ text: String, to path: String, secret: Bool) throws {
            guard FileManager.default.createFile(
                atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: secret ? 0o600 : 0o644])
            else { throw ValidationError("cannot write \(path)") }
        }

        /// The lines to paste, per configuration file and resource.
        static func directives(directory: String, director: String, storage: String, clients: [String], console: String)
            -> String
        {
            func lines(_ name: String) -> String {
                """
                  TLS Enable = yes; TLS Require = yes
                  TLS CA Certificate File = "\(directory)/ca.pem"
                  TLS Certificate = "\(directory)/\(name).pem"; TLS Key = "\(directory)/\(name).key"
                """
            }
            var text = """
                Certificates written to \(directory). Paste these directives:

                # Storage daemon (capstan-sd.conf / bacula-sd.conf): in the Storage resource and in each Director resource
                \(lines(storage))

                # Director (capstan-dir.conf / bacula-dir.conf): in the Director resource, each Client and each Storage
                \(lines(director))

                # Console (bconsole.conf, read by `capstan console` too): in the Director resource
                \(lines(console))

                """
            for client in clients {
                text += """

                    # File daemon "\(client)" (bacula-fd.conf): in the FileDaemon resource and in each Director resource
                    \(lines(client))

                    """
            }
            return text
        }
    }
}
