import BaculaVolume
import BaculaWire
import StorageProtocol
import Testing

/// Replays the captured Director connections through the machine. The Director's frames are fed as events; the SD's
/// own initiatives (catalog requests, Jmsg, status changes, FD attached, job end) are driven through the machine's
/// API with the values the real SD used; every frame the machine emits must equal the real SD's, in order.
@Suite struct DirectorSessionMachineTests {
    static let sessionTime: UInt32 = 1_795_706_784

    /// A fake I/O layer that carries out the machine's actions the way the real SD did in the capture.
    struct Replay {
        var machine = DirectorSessionMachine()
        var jobs = StorageJobTable()
        var sent: [Frame] = []
        var delivered: [(CatalogReply, CatalogRequest)] = []
        var reservations: [ReservationRequest] = []
        var bootstraps: [Bootstrap] = []
        var closed: [DirectorSessionError?] = []
        /// Key per job name, as the real SD issued it.
        var keys: [String: String] = [:]
        var statusLines: [[UInt8]] = []
        /// VolSessionTime the real SD gave its jobs.
        var sessionTime = DirectorSessionMachineTests.sessionTime
        var virtualFullsRun: [StorageJob] = []
        var peers: [StoragePeerCommand] = []
        /// VolSessionId per job name, where the real SD's differed from the JobId.
        var sessionIDs: [String: UInt32] = [:]

        mutating func carryOut(_ actions: [DirectorSessionMachine.Action]) {
            for action in actions {
                switch action {
                case .send(let frames): sent += frames
                case .registerJob(let command):
                    let job = StorageJob(
                        command: command, sessionID: sessionIDs[command.job] ?? command.jobID,
                        sessionTime: sessionTime,
                        authorization: keys[command.job] ?? "")
                    jobs.insert(job)
                    carryOut(machine.jobRegistered(job))
                case .reserve(_, let request): reservations.append(request)
                case .useBootstrap(_, let bootstrap): bootstraps.append(bootstrap)
                case .runJob(let job): jobs.setPhase(.running, of: job.name)
                case .runVirtualFull(let job): virtualFullsRun.append(job)
                case .connectToStorage(_, let peer): peers.append(peer)
                case .catalogReply(let reply, let request): delivered.append((reply, request))
                case .reportStatus: carryOut(machine.commandFinished(lines: statusLines))
                case .close(let error): closed.append(error)
                case .cancelJob, .performDeviceCommand, .callClient: Issue.record("unexpected \(action)")
                }
            }
        }

        /// Feeds Director frames until the machine waits for the I/O layer, or the next frame is a catalog answer
        /// no request is waiting for (the real Director only answers what was asked).
        mutating func feed(_ incoming: inout ArraySlice<Frame>) {
            while let next = incoming.first, !machine.awaitsCompletion, closed.isEmpty {
                if let first = next.payload?.first, (48...57).contains(first), machine.outstandingRequests.isEmpty {
                    return
                }
                incoming.removeFirst()
                carryOut(machine.received(next, jobs: jobs))
            }
        }

        /// Drives the SD-initiated frame `expected` (and, for CreateJobMedia, the records after it) through the API.
        mutating func initiate(_ captured: [Frame], at index: Int) throws -> Int {
            let bytes = captured[index].payload ?? []
            let text = captured[index].text
            if text.hasPrefix("CatReq") || text.hasPrefix("BlastAttr") || text.hasPrefix("UpdCat") {
                var request = try CatalogRequest(parsing: bytes)
                var consumed = 1
                if case .createJobMedia(let id, _) = request {
                    var records: [JobMediaRecord] = []
                    while let payload = captured[index + consumed].payload {
                        records.append(try JobMediaRecord(parsing: payload))
                        consumed += 1
                    }
                    request = .createJobMedia(jobID: id, records)
                    consumed += 1  // the EOD
                }
                carryOut(machine.send(request))
                return consumed
            } else if text.hasPrefix("Jmsg") {
                carryOut(machine.send(try JobMessage(parsing: bytes)))
            } else if text.hasPrefix("2000 OK storage") {
                carryOut(machine.storageConnected())
            } else if text.hasPrefix("3010 Job") {
                carryOut(machine.fileDaemonConnected())
                return 2
            } else if text.hasPrefix("Status JobId=") {
                guard case .jobStatus(_, let status) = try StorageReply(parsing: bytes) else { return 1 }
                carryOut(machine.jobStatusChanged(status))
            } else if text.hasPrefix("3099 Job") {
                carryOut(machine.jobEnded(try JobEndReport(parsing: bytes)))
                return 3
            } else if case .deviceReserved(let device) = try StorageReply(parsing: bytes) {
                carryOut(machine.reservationSucceeded(device: device))
            } else {
                Issue.record("frame \(index) \"\(text)\" is neither a reply nor an SD initiative")
            }
            return 1
        }

        /// Runs a whole captured session; returns when both directions are exhausted.
        mutating func run(_ session: CapturedSession) throws {
            var incoming = session.incoming[...]
            var index = 0
            while index < session.outgoing.count {
                feed(&incoming)
                if sent.count > index {
                    index = sent.count
                    continue
                }
                let before = sent.count
                _ = try initiate(session.outgoing, at: index)
                guard sent.count > before else {
                    Issue.record("no progress at frame \(index): \(session.outgoing[index].text)")
                    return
                }
                index = sent.count
            }
            feed(&incoming)
            #expect(incoming.isEmpty, "left over: \(incoming.map(\.text))")
            #expect(sent.count == session.outgoing.count)
            for (i, (ours, theirs)) in zip(sent, session.outgoing).enumerated() {
                #expect(ours == theirs, "frame \(i): ours \(ours.text.prefix(60)) theirs \(theirs.text.prefix(60))")
            }
        }
    }

    @Test func backupJobReplays() throws {
        let session = try Captures.backupSessions()[0]
        var replay = Replay()
        replay.keys["BackupTest.2026-11-26_15.26.28_03"] = "OCNB-PIKA-GNBC-PEPN-FCCC-OOGA-AKPA-LIOL"
        try replay.run(session)
        #expect(
            replay.reservations == [
                ReservationRequest(storages: [
                    StorageReservation(
                        storage: UseStorageCommand(
                            storage: "File1", mediaType: "File", poolName: "File", poolType: "Backup", append: true),
                        devices: ["FileStorage"])
                ])
            ])
        // 12 answered requests: FindMedia, 4 GetVolInfo, 4 UpdateMedia, 2 CreateJobMedia, BlastAttr.
        #expect(replay.delivered.count == 12)
        #expect(replay.delivered.allSatisfy { $0.0.isSuccess })
        if case .volume(let info) = replay.delivered.first?.0 {
            #expect(info.volumeName == "Vol-0001" && info.mediaID == 1 && info.maximumVolumeBytes == 1_073_741_824)
        } else {
            Issue.record("FindMedia was not answered with a volume")
        }
        #expect(replay.delivered.last?.0 == .attributesLoaded)
        #expect(replay.closed == [nil])
        #expect(replay.machine.outstandingRequests.isEmpty)
    }

    @Test func restoreJobReplays() throws {
        let session = try Captures.backupSessions()[2]
        var replay = Replay()
        replay.keys["RestoreFiles.2026-11-26_15.26.34_05"] = "JOPE-FCLM-JNKF-LHFL-MOIB-EOMO-CNKO-AGFJ"
        try replay.run(session)
        #expect(replay.reservations.first?.storages.first?.storage.append == false)
        let entry = try #require(replay.bootstraps.first?.entries.first)
        #expect(entry.volumes == ["Vol-0001"])
        #expect(entry.sessionIDs == [1...1])
        #expect(entry.sessionTimes == [Self.sessionTime])
        #expect(entry.volumeAddresses == [210...201_656])
        #expect(entry.fileIndexes == [1...6])
        #expect(entry.count == 6)
        #expect(replay.delivered.count == 2)
        #expect(replay.closed == [nil])
    }

    @Test func cancelOfAnEndedJobIsNotFound() throws {
        let session = try Captures.backupSessions()[4]
        var replay = Replay()
        let restore = try JobStartCommand(parsing: Captures.backupSessions()[2].incoming[0].payload ?? [])
        replay.jobs.insert(
            StorageJob(command: restore, sessionID: 2, sessionTime: Self.sessionTime, authorization: "x", phase: .ended)
        )
        try replay.run(session)
        #expect(replay.closed == [nil])  // the Director's TERMINATE
    }

    @Test func statusConnectionReplays() throws {
        let session = try Captures.storageSessions(Captures.console)[0]
        var replay = Replay()
        replay.statusLines = session.outgoing.dropLast().compactMap(\.payload)
        try replay.run(session)
        #expect(session.outgoing.last == .signal(.endOfData))
    }

    @Test func cancelOfARunningJobMarksIt() {
        var machine = DirectorSessionMachine()
        let command = JobStartCommand(
            jobID: 9, job: "Nightly.2026-01-01_00.00.00_01", jobName: "Nightly", clientName: "c", type: .backup,
            level: .full, fileSet: "Set", fileSetMD5: "x")
        let jobs = StorageJobTable([
            StorageJob(command: command, sessionID: 3, sessionTime: 5, authorization: "K", phase: .running)
        ])
        let actions = machine.received(.text("cancel Job=Nightly.2026-01-01_00.00.00_01\n"), jobs: jobs)
        #expect(
            actions == [
                .send([
                    .text("3000 JobId=9 Job=\"Nightly.2026-01-01_00.00.00_01\" marked to be canceled.\n"),
                    .signal(.endOfData),
                ]),
                .cancelJob("Nightly.2026-01-01_00.00.00_01", stop: false),
            ])
    }

    // MARK: - Refusals

    static let start = JobStartCommand(
        jobID: 4, job: "J.1", jobName: "J", clientName: "c", type: .backup, level: .full, fileSet: "S", fileSetMD5: "m")

    @Test func runBeforeAnyJobIsRefused() {
        var machine = DirectorSessionMachine()
        let actions = machine.received(.text("run"), jobs: StorageJobTable())
        #expect(
            actions == [
                .send([.text("3900 Invalid command: run\n")]),
                .close(.outOfOrder(command: "run", state: "waiting for a command", job: nil)),
            ])
    }

    @Test func outOfOrderCommandsNameTheJob() {
        var machine = DirectorSessionMachine()
        _ = machine.received(.payload(Self.start.bytes), jobs: StorageJobTable())
        _ = machine.jobRegistered(StorageJob(command: Self.start, sessionID: 1, sessionTime: 2, authorization: "K"))
        let actions = machine.received(.text("run"), jobs: StorageJobTable())
        #expect(
            actions.last
                == .close(.outOfOrder(command: "run", state: "job accepted, waiting for use storage", job: "J.1")))
        var second = DirectorSessionMachine()
        _ = second.received(.payload(Self.start.bytes), jobs: StorageJobTable())
        _ = second.jobRegistered(StorageJob(command: Self.start, sessionID: 1, sessionTime: 2, authorization: "K"))
        #expect(
            second.received(.text("use device=X\n"), jobs: StorageJobTable()).last
                == .close(
                    .outOfOrder(command: "use device=", state: "job accepted, waiting for use storage", job: "J.1")))
    }

    @Test func badJobCommandGets3915() {
        var machine = DirectorSessionMachine()
        let actions = machine.received(.text("JobId=1 job=X level=2\n"), jobs: StorageJobTable())
        #expect(actions.first == .send([.text("3915 Bad Job command. stat=-1 CMD: JobId=1 job=X level=2\n")]))
        guard case .close(.badJobCommand(let error)) = actions.last else {
            Issue.record("not refused: \(actions)")
            return
        }
        #expect(error.kind == "JobId command")
    }

    @Test func unknownCommandAndUnaskedCatalogReplyAreRefused() {
        var machine = DirectorSessionMachine()
        #expect(
            machine.received(.text("frobnicate\n"), jobs: StorageJobTable()).first
                == .send([.text("3900 Invalid command: frobnicate\n")]))
        var other = DirectorSessionMachine()
        #expect(
            other.received(.text("1000 OK CreateJobMedia\n"), jobs: StorageJobTable())
                == [.close(.unexpectedCatalogReply(nil, job: nil))])
    }

    @Test func badBootstrapIsRejected() {
        var machine = DirectorSessionMachine()
        _ = machine.received(.payload(Self.start.bytes), jobs: StorageJobTable())
        _ = machine.jobRegistered(StorageJob(command: Self.start, sessionID: 1, sessionTime: 2, authorization: "K"))
        for frame: Frame in [.text("bootstrap\n"), .text("no equals sign\n")] {
            #expect(machine.received(frame, jobs: StorageJobTable()).isEmpty)
        }
        let actions = machine.received(.signal(.endOfData), jobs: StorageJobTable())
        #expect(actions.first == .send([.text("3904 Error bootstrap\n")]))
        guard case .close(.badBootstrap(_, let job)) = actions.last else {
            Issue.record("not refused: \(actions)")
            return
        }
        #expect(job == "J.1")
    }

    /// A bootstrap is collected line by line up to `maximumBootstrapLines`; one line more refuses it. Collecting
    /// copies no earlier line (it once copied them all for each new one: 5·10⁹ copies for this bootstrap).
    @Test func aBootstrapOfTheMaximumLinesIsCollectedAndOneMoreIsRefused() {
        var machine = DirectorSessionMachine()
        _ = machine.received(.payload(Self.start.bytes), jobs: StorageJobTable())
        _ = machine.jobRegistered(StorageJob(command: Self.start, sessionID: 1, sessionTime: 2, authorization: "K"))
        #expect(machine.received(.text("bootstrap\n"), jobs: StorageJobTable()).isEmpty)
        let line = Frame.text("VolSessionId=1\n")
        var accepted = 0
        for _ in 0..<DirectorSessionMachine.maximumBootstrapLines where machine.received(line, jobs: StorageJobTable()).isEmpty {
            accepted += 1
        }
        #expect(accepted == DirectorSessionMachine.maximumBootstrapLines)
        let actions = machine.received(line, jobs: StorageJobTable())
        #expect(actions.first == .send([.text("3904 Error bootstrap\n")]))
        guard case .close(.badBootstrap(_, let job)) = actions.last else {
            Issue.record("not refused: \(actions)")
            return
        }
        #expect(job == "J.1")
    }

    @Test func directorHangingUpMidJobIsReported() {
        var machine = DirectorSessionMachine()
        _ = machine.received(.payload(Self.start.bytes), jobs: StorageJobTable())
        _ = machine.jobRegistered(StorageJob(command: Self.start, sessionID: 1, sessionTime: 2, authorization: "K"))
        #expect(
            machine.received(.signal(.terminate), jobs: StorageJobTable())
                == [.close(.connectionLost(job: "J.1", state: "job accepted, waiting for use storage"))])
    }
}
