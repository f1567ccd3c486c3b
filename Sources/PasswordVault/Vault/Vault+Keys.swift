extension Vault {
    /// Changes the passphrase (or raw key): rewraps the data keys under the new
    /// credential and writes the header. No entry is touched: O(1) in entries.
    ///
    /// When another writer stored a header meanwhile that this vault's credential opens (a
    /// rotation step), the vault adopts it and rewraps its keys instead.
    /// - Throws: ``VaultKeyError/conflict`` when another process changed the passphrase (or keys
    ///   under another credential) meanwhile: nothing is changed then; open the vault again.
    ///   ``VaultKeyError/invalidKeyLength(expected:actual:)``, ``VaultKeyError/keyDerivationFailed``,
    ///   ``VaultKeyError/storage(_:)``.
    /// - Parameters:
    ///   - credential: the new passphrase or raw 32-byte key.
    ///   - cost: Argon2id's cost for a passphrase; `nil` keeps the present one (moderate after a raw key).
    public func changeCredential(
        to credential: VaultCredential, cost: KeyDerivationCost? = nil
    ) async throws(VaultKeyError) {
        try await writingHeader(recording: auditEvent(.passphraseChange, by: nil)) { (ring) throws(CryptoError) in
            try ring.changingCredential(to: credential, cost: cost)
        }
    }

    /// Replaces the data key and reseals every secret under the new one.
    ///
    /// Crash-safe: the header first gains the new key while keeping the old;
    /// every entry is then resealed by compare-and-set (each sealed value names
    /// its key, so every entry stays readable throughout); only then is the old
    /// key dropped. Run it again after an interruption and it finishes the job.
    ///
    /// Other writes — through this vault, other vaults, other processes — may run meanwhile:
    /// each commits only under the header generation it sealed with, so none can store a value
    /// under the key this drops (see `Vault+Generation.swift`). Two rotations at once are
    /// serialised by the header's compare-and-set: the later one adopts the other's header.
    ///
    /// - Parameters:
    ///   - batchSize: how many entries to load at a time.
    ///   - progress: called after each entry examined.
    /// - Throws: ``VaultKeyError/entryUnreadable(_:)`` naming the entry and field of a value that
    ///   does not open; ``VaultKeyError/conflict`` when another process changed the credential
    ///   meanwhile (the keys already resealed stay readable: open the vault again and rerun);
    ///   ``VaultKeyError/storage(_:)``.
    public func rotateDataKey(
        batchSize: Int = 256, progress: @Sendable (RotationProgress) -> Void = { _ in }
    ) async throws(VaultKeyError) {
        try await writingHeader(recording: nil) { (ring) throws(CryptoError) in try ring.beginRotation() }
        var report = RotationProgress(examined: 0, resealed: 0, total: try await countEntries(batchSize: batchSize))
        try await resealAll(batchSize: batchSize) { resealed in
            if resealed { report.resealed += 1 }
            report.examined += 1
            progress(report)
        }
        // The rotation's record goes with the header that ends it (docs/contract.md §12).
        try await writingHeader(recording: auditEvent(.keyRotation, by: nil)) { (ring) throws(CryptoError) in
            // Another writer finished this rotation (or began the next one) meanwhile: resealing
            // under its ring and dropping keys is its job; this vault adopted its header.
            ring.isRotationPending ? try ring.finishRotation() : nil
        }
    }

    /// Writes the header `next` makes from the current ring (`nil`: none needed), expecting the
    /// generation that ring's KEK opens; on a newer stored header, adopts it and tries again,
    /// at most ``staleHeaderRetries`` times. `event`, if any, is recorded in the same commit (or
    /// alone when no header is needed).
    func writingHeader(
        recording event: AuditEvent?, _ next: (KeyRing) throws(CryptoError) -> (ring: KeyRing, header: [UInt8])?
    ) async throws(VaultKeyError) {
        // A vault older than the trail gains its audit key first: every header written after
        // carries it.
        do { _ = try await auditKey() } catch { throw VaultKeyError(error) }
        for _ in 0..<Self.staleHeaderRetries {
            let state = keys.withLock { $0 }
            guard state.sealingGeneration == state.headerGeneration else { throw .conflict }
            let made: (ring: KeyRing, header: [UInt8])?
            do { made = try next(state.ring) } catch { throw VaultKeyError(error) }
            guard let made else {
                if let event {
                    do { try await commit(ChangeSet(), recording: [event]) } catch { throw VaultKeyError(error) }
                }
                return
            }
            do {
                let change = ChangeSet(headerGeneration: state.headerGeneration, header: made.header)
                let generation =
                    if let event {
                        try await commit(change, recording: [event]).headerGeneration
                    } else {
                        try await storage.commit(change).headerGeneration
                    }
                keys.withLock { $0 = KeyState(ring: made.ring, generation: generation) }
                return
            } catch .staleHeader {
                guard try await reloadHeader() else { throw .conflict }
            } catch {
                throw VaultKeyError(error)
            }
        }
        throw .conflict
    }

    /// Walks every entry, in pages, resealing what is not under the current key;
    /// `each` learns, per entry, whether it was resealed.
    private func resealAll(batchSize: Int, _ each: (_ resealed: Bool) -> Void) async throws(VaultKeyError) {
        var cursor: EntryID? = nil
        while true {
            let page = try await page(after: cursor, limit: batchSize)
            guard let last = page.last else { return }
            for entity in page { each(try await reseal(entity)) }
            cursor = last.identifier
        }
    }

    private func countEntries(batchSize: Int) async throws(VaultKeyError) -> Int {
        var count = 0
        var cursor: EntryID? = nil
        while true {
            let page = try await page(after: cursor, limit: batchSize)
            guard let last = page.last else { return count }
            count += page.count
            cursor = last.identifier
        }
    }

    private func page(after cursor: EntryID?, limit: Int) async throws(VaultKeyError) -> [PasswordEntity] {
        do { return try await storage.entities(after: cursor, limit: limit) } catch { throw VaultKeyError(error) }
    }

    /// How many times resealing one entry retries after losing its compare-and-set to a write.
    static let resealRetries = 16

    /// Reseals an entry's values that are not under the current key — its history's too, in the
    /// same commit — naming the generation of the keys it sealed with; retries on a lost race
    /// and adopts a newer header.
    /// - Returns: whether anything was written.
    private func reseal(_ first: PasswordEntity) async throws(VaultKeyError) -> Bool {
        var entity = first
        for _ in 0..<Self.resealRetries {
            let (ring, generation) = keys.withLock { ($0.ring, $0.sealingGeneration) }
            let history: [PasswordEntity]
            do { history = try await storage.history(of: entity.identifier) } catch { throw VaultKeyError(error) }
            let updated: PasswordEntity?
            var resealedHistory: [PasswordEntity] = []
            do throws(CryptoError) {
                updated = try resealed(entity, with: ring)
                for old in history {
                    if let renewed = try resealed(old, with: ring) { resealedHistory.append(renewed) }
                }
            } catch {
                throw VaultKeyError(error)
            }
            guard updated != nil || !resealedHistory.isEmpty else { return false }
            // The entry's version changes even when only its history was resealed: a write that
            // read the old values then loses its compare-and-set instead of archiving them.
            var next = updated ?? entity
            next.version = entity.version + 1
            do {
                try await storage.replace(
                    next, expectedVersion: entity.version, headerGeneration: generation,
                    history: resealedHistory.isEmpty ? .unchanged : .reseal(resealedHistory))
                return true
            } catch .conflict {
                let fresh: PasswordEntity?
                do { fresh = try await storage.entity(entity.identifier) } catch { throw VaultKeyError(error) }
                guard let fresh else { return false }
                entity = fresh
            } catch .staleHeader {
                try await reloadHeader()
            } catch {
                throw VaultKeyError(error)
            }
        }
        throw .conflict
    }

    /// The entry (or old version) with every value under the current key, or `nil` when all
    /// already are. Its version and revision are left as they are.
    private func resealed(_ entity: PasswordEntity, with ring: KeyRing) throws(CryptoError) -> PasswordEntity? {
        let id = entity.identifier
        func renew(_ sealed: SealedValue, _ field: SecretField) throws(CryptoError) -> SealedValue? {
            guard ring.keyID(of: sealed) != ring.currentKeyID else { return nil }
            return try ring.seal(ring.open(sealed, entry: id, field: field), entry: id, field: field)
        }
        var result = entity
        var changed = false
        if let value = try renew(entity.sealedPassword, .password) {
            result.sealedPassword = value
            changed = true
        }
        if let sealed = entity.sealedSecretKey, let value = try renew(sealed, .secretKey) {
            result.sealedSecretKey = value
            changed = true
        }
        if let sealed = entity.sealedNotes, let value = try renew(sealed, .notes) {
            result.sealedNotes = value
            changed = true
        }
        return changed ? result : nil
    }
}
