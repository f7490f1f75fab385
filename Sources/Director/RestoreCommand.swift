import Catalog
import Foundation

/// `restore`: the command-line form (`client= jobid=…|current … all|select [file=] done yes`) and the
/// interactive path (numbered menu: 3 "list of JobIds", 5 "most recent backup for a client"; then the file tree
/// with cd, ls, dir, mark, unmark, lsmark, estimate, done).
enum RestoreCommand {
    static let menu = [
        "List last 20 Jobs run", "List Jobs where a given File is saved", "Enter list of comma separated JobIds to select",
        "Enter SQL list command", "Select the most recent backup for a client",
        "Select backup for a client before a specified time", "Enter a list of files to restore",
        "Enter a list of files to restore before a specified time",
        "Find the JobIds of the most recent backup for a client",
        "Find the JobIds for a backup for a client before a specified time",
        "Enter a list of directories to restore for found JobIds", "Select full restore to a specified Job date", "Cancel",
    ]

    static func execute(_ arguments: ConsoleArguments, _ session: ConsoleSession) async throws {
        let runtime = session.runtime
        let configuration = runtime.configuration
        let catalog = runtime.catalog
        try await session.send("Using Catalog \"\(configuration.catalogName)\"\n")
        let restoreJobs = configuration.jobs.filter { $0.type == "Restore" && session.allows("Job ACL", $0.name) }
        guard let restoreJob = arguments.value("restorejob").flatMap({ configuration.job($0) }) ?? restoreJobs.first else {
            throw ConsoleInputError("No Restore Job resource found in the configuration.")
        }
        var clientName = arguments.value("client") ?? arguments.value("backupclient")
        if let name = clientName {
            guard configuration.client(name) != nil, session.allows("Client ACL", name) else {
                throw ConsoleInputError("No Client resource \"\(name)\" found.")
            }
        }
        var jobIDs: [Int64] = []
        if let text = arguments.value("jobid") {
            for part in text.split(separator: ",") {
                guard let id = Int64(part.trimmingCharacters(in: .whitespaces)) else {
                    throw ConsoleInputError("Invalid JobId \"\(part)\".")
                }
                guard let job = try catalog.job(id: id), session.allows("Job ACL", job.name),
                    job.clientName.isEmpty || session.allows("Client ACL", job.clientName)
                else {
                    throw ConsoleInputError("Unable to get Job record for JobId=\(id): not in the catalog.")
                }
                if clientName == nil { clientName = job.clientName }
                jobIDs.append(id)
            }
        } else if arguments.has("current") {
            guard let name = clientName else { throw ConsoleInputError("restore current needs client=<name>.") }
            jobIDs = try chain(client: name, fileSet: arguments.value("fileset"), session)
        } else {
            guard let chosen = try await interactiveSelection(&clientName, arguments, session) else {
                try await session.send("Selection terminated.\n")
                return
            }
            jobIDs = chosen
        }
        guard !jobIDs.isEmpty else { throw ConsoleInputError("No JobIds selected for the restore.") }
        guard let backupClient = clientName else { throw ConsoleInputError("No Client for the restore.") }
        let list = jobIDs.map(String.init).joined(separator: ",")
        try await session.send("You have selected the following JobIds: \(list)\n\n")
        try await session.send("Building directory tree for JobId(s) \(list) ...  \n")
        var tree = RestoreTree(files: try catalog.files(jobIDs: jobIDs))
        try await session.send("\(tree.entryCount) files inserted into the tree.\n\n")
        if arguments.has("all") {
            tree.markAll()
        }
        for item in arguments.items where item.keyword.lowercased() == "file" {
            if let path = item.value { tree.mark(path) }
        }
        if !arguments.has("done") {
            guard try await treeMode(&tree, session) else {
                try await session.send("Restore not done.\n")
                return
            }
        }
        let marked = tree.markedFiles
        guard !marked.isEmpty else {
            try await session.send("\nNo files selected to be restored.\n")
            return
        }
        var plan = RestorePlan(jobIDs: jobIDs, backupClient: backupClient, restoreJob: restoreJob.name)
        // Always by FileIndex: even `all` takes each file from the newest job that has it, never older versions
        // or files a later Accurate job recorded as deleted.
        var selected: [Int64: [Int64]] = [:]
        for file in marked { selected[file.jobID, default: []].append(file.fileIndex) }
        plan.selected = selected
        plan.fileCount = marked.count
        plan.fileSet = arguments.value("fileset")
        let restoreClient = arguments.value("restoreclient") ?? backupClient
        guard configuration.client(restoreClient) != nil,
            session.allows("Restore Client ACL", restoreClient) || session.allows("Client ACL", restoreClient)
        else { throw ConsoleInputError("No Client resource \"\(restoreClient)\" found.") }
        plan.restoreClient = restoreClient
        plan.where_ = arguments.value("where") ?? restoreJob.where_
        if let target = plan.where_, !session.allows("Where ACL", target), session.console != nil {
            throw ConsoleInputError("\"where\" specification not authorized.")
        }
        plan.regexWhere = arguments.value("regexwhere")
            ?? RestorePlan.regexWhere(
                stripPrefix: arguments.value("strip_prefix") ?? restoreJob.stripPrefix,
                addPrefix: arguments.value("add_prefix") ?? restoreJob.addPrefix,
                addSuffix: arguments.value("add_suffix") ?? restoreJob.addSuffix)
            ?? restoreJob.regexWhere
        if plan.regexWhere != nil && arguments.value("where") == nil { plan.where_ = nil }
        plan.replace = arguments.value("replace") ?? restoreJob.replace
        plan.storage = arguments.value("storage")
        let number = runtime.nextRestoreNumber()
        let bootstrapPath = configuration.director.workingDirectory + "/\(configuration.director.name).restore.\(number).bsr"
        plan.bootstrapPath = bootstrapPath
        try await session.send("Bootstrap records written to \(bootstrapPath)\n\n")
        let volumes = try catalog.jobMedia(jobIDs: Array(Set(marked.map(\.jobID))).sorted())
        var text = "The Job will require the following (*=>InChanger):\n"
        text += "   Volume(s)                 Storage(s)                SD Device(s)\n"
        text += String(repeating: "=", count: 75) + "\n"
        let storage = plan.storage ?? restoreJob.storage.first ?? ""
        for name in volumes.map(\.volumeName).reduce(into: [String](), { if !$0.contains($1) { $0.append($1) } }) {
            text += "   " + name.padding(toLength: 25, withPad: " ", startingAt: 0) + " "
                + storage.padding(toLength: 25, withPad: " ", startingAt: 0) + " \n"
        }
        text += "\n\n\(marked.count) file\(marked.count == 1 ? "" : "s") selected to be restored.\n\n"
        try await session.send(text)
        if !arguments.has("yes") {
            var summary = "Run Restore job\nJobName:         \(restoreJob.name)\nBootstrap:       \(bootstrapPath)\n"
            if let regex = plan.regexWhere {
                summary += "RegexWhere:      \(regex)\n"
            } else {
                summary += "Where:           \(plan.where_ ?? "")\n"
            }
            summary += "Replace:         \(plan.replace)\nFileSet:         \(plan.fileSet ?? restoreJob.fileSet)\n"
            summary += "Backup Client:   \(backupClient)\nRestore Client:  \(restoreClient)\nStorage:         \(storage)\n"
            summary += "When:            \(CatalogTime.text(CatalogTime.now()))\nCatalog:         \(configuration.catalogName)\n"
            summary += "Priority:        \(restoreJob.priority)\n"
            try await session.send(summary)
            guard let answer = try await session.prompt("OK to run? (yes/mod/no): "), answer.lowercased().hasPrefix("y") else {
                try await session.send("Job not run.\n")
                return
            }
        }
        let jobID = try runtime.queueRestore(plan)
        runtime.say(
            "\(configuration.director.name) JobId \(jobID): Restoring files from JobId(s) \(list)\n", jobID: jobID,
            messages: restoreJob.messages)
        try await session.send("Job queued. JobId=\(jobID)\n")
    }

    /// The current backup chain of a client (last Full, last Differential, Incrementals since).
    static func chain(client: String, fileSet: String?, _ session: ConsoleSession) throws -> [Int64] {
        let catalog = session.runtime.catalog
        guard let clientID = try catalog.rows(sql: "SELECT ClientId FROM Client WHERE Name = ?", arguments: [client]).rows.first
            .flatMap({ Int64($0[0]) })
        else { throw ConsoleInputError("No Client \"\(client)\" in the catalog.") }
        let jobs = try catalog.currentBackupChain(clientID: clientID, fileSetName: fileSet)
        guard !jobs.isEmpty else { throw ConsoleInputError("No Full backup before now found for Client \"\(client)\".") }
        return jobs
    }

    private static func interactiveSelection(
        _ clientName: inout String?, _ arguments: ConsoleArguments, _ session: ConsoleSession
    ) async throws -> [Int64]? {
        let configuration = session.runtime.configuration
        var text = "\nFirst you select one or more JobIds that contain files\nto be restored. You will be presented several methods\n"
        text += "of specifying the JobIds. Then you will be allowed to\nselect which files from those JobIds are to be restored.\n\n"
        text += "To select the JobIds, you have the following choices:\n"
        for (index, item) in menu.enumerated() { text += String(format: "%6d: ", index + 1) + item + "\n" }
        try await session.send(text)
        while true {
            guard let answer = try await session.prompt("Select item:  (1-\(menu.count)): "), let choice = Int(answer) else { return nil }
            switch choice {
            case 3:
                guard let list = try await session.prompt("Enter JobId(s), comma separated, to restore: ") else { return nil }
                var ids: [Int64] = []
                for part in list.split(separator: ",") {
                    guard let id = Int64(part.trimmingCharacters(in: .whitespaces)),
                        let job = try session.runtime.catalog.job(id: id), session.allows("Job ACL", job.name)
                    else {
                        try await session.error("Unable to get Job record for JobId=\(part): not in the catalog.")
                        return nil
                    }
                    if clientName == nil { clientName = job.clientName }
                    ids.append(id)
                }
                return ids
            case 5:
                if clientName == nil {
                    let clients = session.visible("Client ACL", configuration.clients.map(\.name))
                    if clients.count == 1 {
                        try await session.send("Automatically selected Client: \(clients[0])\n")
                        clientName = clients[0]
                    } else {
                        clientName = try await session.select("Defined Clients:", clients, question: "Select the Client")
                    }
                }
                guard let client = clientName else { return nil }
                let fileSets = session.visible("FileSet ACL", configuration.fileSets.map(\.name))
                var fileSet = arguments.value("fileset")
                if fileSet == nil, fileSets.count == 1 {
                    try await session.send("Automatically selected FileSet: \(fileSets[0])\n")
                    fileSet = fileSets[0]
                } else if fileSet == nil {
                    fileSet = try await session.select("The defined FileSet resources are:", fileSets, question: "Select FileSet resource")
                }
                let ids = try chain(client: client, fileSet: fileSet, session)
                var rows: [[String]] = []
                for id in ids {
                    guard let job = try session.runtime.catalog.job(id: id) else { continue }
                    let volume = try session.runtime.catalog.volumeNames(jobID: id).first ?? ""
                    rows.append([String(id), job.level, String(job.files), String(job.bytes), CatalogTime.text(job.startTime), volume])
                }
                try await session.send(ConsoleTable.render(["JobId", "Level", "JobFiles", "JobBytes", "StartTime", "VolumeName"], rows))
                return ids
            case 13:
                return nil
            default:
                try await session.send("This Director offers items 3 and 5 (and 13 to cancel).\n")
            }
        }
    }

    /// The file selection mode; true on `done`, false on `quit` or a closed console.
    private static func treeMode(_ tree: inout RestoreTree, _ session: ConsoleSession) async throws -> Bool {
        var intro = "\nYou are now entering file selection mode where you add (mark) and\n"
        intro += "remove (unmark) files to be restored. No files are initially added, unless\n"
        intro += "you used the \"all\" keyword on the command line.\nEnter \"done\" to leave this mode.\n\n"
        try await session.send(intro + "cwd is: \(tree.currentPath)\n")
        while true {
            guard let line = try await session.prompt("$ ") else { return false }
            let words = line.split(separator: " ", maxSplits: 1).map(String.init)
            guard let command = words.first?.lowercased() else { continue }
            let argument = words.count > 1 ? words[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")) : ""
            switch command {
            case "done": return true
            case "quit", "exit": return false
            case "cd":
                if tree.changeDirectory(argument.isEmpty ? "/" : argument) {
                    try await session.send("cwd is: \(tree.currentPath)\n")
                } else {
                    try await session.send("Invalid path given.\n")
                }
            case "pwd":
                try await session.send("cwd is: \(tree.currentPath)\n")
            case "ls", "lsmark":
                let entries = tree.list(markedOnly: command == "lsmark")
                if !entries.isEmpty { try await session.send(entries.joined(separator: "\n") + "\n") }
            case "dir":
                let entries = tree.longList()
                if !entries.isEmpty { try await session.send(entries.joined(separator: "\n") + "\n") }
            case "mark", "add", "unmark", "delete":
                guard !argument.isEmpty else {
                    try await session.send("No file specification given.\n")
                    continue
                }
                let count = tree.mark(argument, command == "mark" || command == "add")
                let verb = command == "mark" || command == "add" ? "marked" : "unmarked"
                try await session.send(count == 0 ? "No files \(verb).\n" : "\(count) file\(count == 1 ? "" : "s") \(verb).\n")
            case "estimate":
                try await session.send(
                    "\(tree.entryCount) total files; \(tree.markedFiles.count) marked to be restored; \(JobReport.commas(tree.markedBytes)) bytes.\n")
            case "count":
                try await session.send("\(tree.entryCount) total files/dirs. \(tree.markedFiles.count) marked to be restored.\n")
            case "help", "?":
                try await session.send(
                    "  Command    Description\n  =======    ===========\n  cd         change current directory\n  count      count marked files\n"
                        + "  dir        long list current directory\n  done       leave file selection mode\n  estimate   estimate restore size\n"
                        + "  ls         list current directory\n  lsmark     list the marked files\n  mark       mark dir/file to be restored\n"
                        + "  pwd        print current working directory\n  unmark     unmark dir/file\n  quit       quit and do not do restore\n")
            default:
                try await session.send("Invalid command \"\(command)\".  Enter \"done\" to exit.\n")
            }
        }
    }
}
