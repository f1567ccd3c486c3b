/// The audit trail (docs/contract.md §12): making, committing and reading its records.
///
/// Every engine call that acts on an entry, a share, the directory or the keys appends one
/// record — refusals too, except the field rules' (1001, 1002): a write's record is part of the
/// write's own change set, a reveal's is committed (durably) before any secret leaves the
/// vault, and when it cannot be written the call fails with "Unexpected error." and returns
/// nothing.
extension Vault {
    // MARK: Making records

    /// The actor of a call: the user it is made as, or the vault's administrator.
    func auditActor(_ user: User?) -> AuditActor {
        user.map { .user(id: $0.id, username: $0.username) } ?? .vault
    }

    /// An event of now, by the vault clock.
    func auditEvent(
        _ action: AuditAction, entry: EntryID? = nil, by user: User?, outcome: AuditOutcome = .ok,
        fields: [String] = [], justification: String? = nil
    ) -> AuditEvent {
        AuditEvent(
            time: AuditTime(clock.now()), actor: auditActor(user), action: action, entry: entry, outcome: outcome,
            fields: fields, justification: justification)
    }

    /// The audit key; a vault whose header predates the trail (format 1 or 2) first gains one:
    /// its header is rewritten with a fresh random audit key, in the commit of the trail's first
    /// record (`key_rotation`, fields `audit_key`, by the vault). Opening alone never writes.
    func auditKey() async throws(StorageError) -> AuditKey {
        for _ in 0..<Self.staleHeaderRetries {
            let state = keys.withLock { $0 }
            if let key = state.ring.auditKey { return key }
            guard state.sealingGeneration == state.headerGeneration else {
                throw .failure("the vault's keys changed under another credential; open it again")
            }
            let upgraded: (ring: KeyRing, header: [UInt8])
            do { upgraded = try state.ring.addingAuditKey() } catch { throw .failure("\(error)") }
            let event = auditEvent(.keyRotation, by: nil, fields: ["audit_key"])
            do {
                let result = try await auditLog.commit(
                    ChangeSet(headerGeneration: state.headerGeneration, header: upgraded.header), recording: [event],
                    key: upgraded.ring.auditKey!)
                keys.withLock { keys in
                    if keys.headerGeneration == state.headerGeneration {
                        keys = KeyState(ring: upgraded.ring, generation: result.headerGeneration)
                    }
                }
            } catch .staleHeader {
                do { try await reloadHeader() } catch { throw .failure("\(error)") }
            }
        }
        throw .busy("the vault header kept changing while the audit key was added")
    }

    /// Commits `change` with `events` recorded in the same atomic write.
    /// - Parameter namesInserted: the events are about the entry `change` inserts.
    @discardableResult
    func commit(
        _ change: ChangeSet, recording events: [AuditEvent], namesInserted: Bool = false
    ) async throws(StorageError) -> CommitResult {
        let key = try await auditKey()
        return try await auditLog.commit(change, recording: events, namesInserted: namesInserted, key: key)
    }

    /// Appends `event` alone and waits until it is durable; a failure is "Unexpected error.".
    func record(_ event: AuditEvent) async throws(VaultError) {
        do {
            try await commit(ChangeSet(), recording: [event])
        } catch {
            throw .unexpected(cause: error)
        }
    }

    /// Runs `body`, an engine call of `action`; a refusal it throws is recorded before it is
    /// rethrown (all but the field rules' 1001 and 1002, and unexpected failures). The success
    /// is `body`'s to record, with its write or before its secrets leave.
    ///
    /// The whole call runs on the storage's own executor when it offers one
    /// (``StorageExecutorProviding``), so that its reads and its commit need no hop each.
    func audited<T>(
        _ action: AuditAction, entry: EntryID?, by user: User?, justification: String? = nil,
        _ body: () async throws(VaultError) -> T
    ) async throws(VaultError) -> T {
        guard let executor = auditLog.executor else {
            return try await recordingRefusals(action, entry: entry, by: user, justification: justification, body)
        }
        return try await withTaskExecutorPreference(executor) { () async throws(VaultError) -> T in
            try await recordingRefusals(action, entry: entry, by: user, justification: justification, body)
        }
    }

    private func recordingRefusals<T>(
        _ action: AuditAction, entry: EntryID?, by user: User?, justification: String?,
        _ body: () async throws(VaultError) -> T
    ) async throws(VaultError) -> T {
        do {
            return try await body()
        } catch {
            switch error {
            case .notInformed, .invalidParameter, .unexpected: break
            case .notFound, .accessDenied, .disabled, .concurrentChange, .versionNotFound, .justificationRequired,
                .approvalRequired:
                try await record(
                    auditEvent(
                        action, entry: entry, by: user, outcome: .refused(code: UInt16(error.code)),
                        justification: justification))
            }
            throw error
        }
    }

    /// Records one `import` or `export` by `user` (docs/contract.md §12, §15): `fields` are its
    /// counts and format as `name=value` texts (e.g. `format=kdbx`, `imported=12`), never a value
    /// of an entry. The entries an import creates are recorded by their own `create`s, and the
    /// entries an export opens by their own `reveal`s.
    /// - Precondition: `action` is `.import` or `.export`.
    /// - Throws: unexpected, for a storage failure.
    public func recordTransfer(_ action: AuditAction, fields: [String], as user: User) async throws(VaultError) {
        precondition(action == .import || action == .export, "recordTransfer records import or export only")
        try await record(auditEvent(action, by: user, fields: fields))
    }

    /// Appends `events` to the trail in one commit, chained under the vault's audit key, which
    /// stays in the engine. For the benchmark suite alone (`@_spi(Benchmarks)`): it fills a trail
    /// of a million records in seconds, for the `verify` row, where a million engine calls would
    /// take minutes. An engine call never uses it.
    @_spi(Benchmarks)
    public func appendAuditEvents(_ events: [AuditEvent]) async throws(VaultError) {
        do {
            try await commit(ChangeSet(), recording: events)
        } catch {
            throw .unexpected(cause: error)
        }
    }

    // MARK: Reading

    /// The trail, or the part of it `query` selects, ascending by `seq`: for the vault's
    /// administrator (whoever opened it with its credential).
    /// - Throws: unexpected, for a storage failure.
    public func auditRecords(_ query: AuditQuery = AuditQuery()) async throws(VaultError) -> [AuditRecord] {
        try await storing { () async throws(StorageError) in try await storage.auditRecords(query) }
    }

    /// The records about entry `id`, for its owner (docs/contract.md §12); `query` narrows them
    /// further (its `entry` is replaced by `id`).
    /// - Throws: 1005 when the entry does not exist or `user` has no access; 1006 for anyone
    ///   but its owner.
    public func entryAudit(
        _ id: EntryID, as user: User, _ query: AuditQuery = AuditQuery()
    ) async throws(VaultError) -> [AuditRecord] {
        let (_, rights) = try await load(id, as: user, for: .read)
        guard rights.role == .owner else { throw .accessDenied }
        var narrowed = query
        narrowed.entry = id
        return try await auditRecords(narrowed)
    }

    /// How many records ``verifyAudit()`` reads at a time.
    static let auditPageSize = 8192

    /// Walks the whole trail from seq 1 against the stored head and the audit key.
    /// - Returns: ``AuditVerification/intact(records:)`` or the first `seq` at which it breaks.
    /// - Throws: unexpected, for a storage failure.
    public func verifyAudit() async throws(VaultError) -> AuditVerification {
        let head = try await storing { () async throws(StorageError) in try await storage.auditHead() }
        guard let key = ring.auditKey else {
            // A vault that predates the trail: nothing may be in it yet.
            return head == .empty ? .intact(records: 0) : .broken(seq: 1, reason: .macMismatch)
        }
        var verifier = AuditVerifier(key: key)
        // The storage reads the next page while this one is checked (both are CPU-bound: the
        // rows' decoding, the BLAKE2b of each record), each page read as before.
        var current = try await storing { () async throws(StorageError) in try await auditPage(from: 1) }
        while true {
            var next: Task<[AuditRecord], any Error>?
            if current.count == Self.auditPageSize, let last = current.last {
                let from = last.seq + 1
                next = Task { try await self.auditPage(from: from) }
            }
            for record in current {
                if let broken = verifier.check(record) {
                    next?.cancel()
                    return broken
                }
            }
            guard let next else { break }
            do {
                current = try await next.value
            } catch let error as StorageError {
                throw VaultError(error)
            } catch {
                throw .unexpected(cause: error)
            }
        }
        return verifier.finish(head: head)
    }

    /// The page of ``verifyAudit()`` from `seq` on.
    private func auditPage(from seq: UInt64) async throws(StorageError) -> [AuditRecord] {
        try await storage.auditRecords(AuditQuery(fromSeq: seq, limit: Self.auditPageSize))
    }

    /// Checks an export (``AuditRecord/jsonLine()`` lines read back) against this vault's
    /// audit key: every record from seq 1 links to the one before it. An export carries no
    /// head, so one cut short at its end still verifies, up to where it ends; against the
    /// vault's own trail it must also agree record for record up to there.
    public func verifyAuditExport(_ records: [AuditRecord]) async throws(VaultError) -> AuditVerification {
        guard let key = ring.auditKey else {
            return records.isEmpty ? .intact(records: 0) : .broken(seq: 1, reason: .macMismatch)
        }
        let last = records.last.map { AuditHead(seq: $0.seq, mac: $0.mac) } ?? .empty
        return AuditChain.verify(records, head: last, key: key)
    }
}
