extension Vault {
    /// Changes the passphrase (or raw key): rewraps the data key under the new
    /// credential and writes the header. No entry is touched: O(1) in entries.
    ///
    /// - Throws: ``CryptoError``, or ``StorageError/conflict`` if the header changed meanwhile
    ///   (another process changed the passphrase or rotated): nothing is changed then.
    /// - Parameter cost: Argon2id's cost for a passphrase; `nil` keeps the present one (moderate after a raw key).
    public func changeCredential(to credential: VaultCredential, cost: KeyDerivationCost? = nil) async throws {
        let state = keys.withLock { $0 }
        let (ring, header) = try state.ring.changingCredential(to: credential, cost: cost)
        try await storage.writeHeader(header, expected: state.header)
        keys.withLock { $0.adopt(ring, header: header) }
    }

    /// Replaces the data key and reseals every secret under the new one.
    ///
    /// Crash-safe: the header first gains the new key while keeping the old;
    /// every entry is then resealed by compare-and-set (each sealed value names
    /// its key, so every entry stays readable throughout); only then is the old
    /// key dropped. Run it again after an interruption and it finishes the job.
    ///
    /// Creates and updates through this vault may run meanwhile: before dropping the old key,
    /// the rotation waits for every write that took the keys before it began, then looks
    /// over the entries once more. (Without that second look, an entry created with the old
    /// key and stored after the first pass went by became unreadable: found by
    /// `KeyConcurrencyTests`.) Other processes cannot be waited for: run it while no other
    /// process writes to the vault.
    ///
    /// - Parameters:
    ///   - batchSize: how many entries to load at a time.
    ///   - progress: called after each entry of the first pass.
    /// - Throws: ``StorageError``, ``CryptoError`` or ``VaultError`` (a value that does not open names its entry).
    public func rotateDataKey(
        batchSize: Int = 256, progress: @Sendable (RotationProgress) -> Void = { _ in }
    ) async throws {
        var state = keys.withLock { $0 }
        if !state.ring.isRotationPending {
            let (ring, header) = try state.ring.beginRotation()
            try await storage.writeHeader(header, expected: state.header)
            keys.withLock { $0.adopt(ring, header: header) }
            state.adopt(ring, header: header)
        }

        var report = RotationProgress(examined: 0, resealed: 0, total: try await countEntries(batchSize: batchSize))
        try await resealAll(with: state.ring, batchSize: batchSize) { resealed in
            if resealed { report.resealed += 1 }
            report.examined += 1
            progress(report)
        }
        // Writes that took the keys before the rotation began may still be storing values sealed
        // under an old key, behind the pass above: wait for them, then catch what they stored.
        while hasSealingWrites(otherThan: state.ring.currentKeyID) { try await Task.sleep(for: .milliseconds(1)) }
        try await resealAll(with: state.ring, batchSize: batchSize) { resealed in
            if resealed { report.resealed += 1 }
        }

        let (ring, header) = try state.ring.finishRotation()
        try await storage.writeHeader(header, expected: state.header)
        keys.withLock { $0.adopt(ring, header: header) }
    }

    /// Walks every entry, in pages, resealing what is not under `ring`'s current key;
    /// `each` learns, per entry, whether it was resealed.
    private func resealAll(
        with ring: KeyRing, batchSize: Int, _ each: (_ resealed: Bool) -> Void
    ) async throws {
        var cursor: EntryID? = nil
        while true {
            let page = try await storage.entities(after: cursor, limit: batchSize)
            guard let last = page.last else { return }
            for entity in page { each(try await reseal(entity, with: ring)) }
            cursor = last.identifier
        }
    }

    private func countEntries(batchSize: Int) async throws -> Int {
        var count = 0
        var cursor: EntryID? = nil
        while true {
            let page = try await storage.entities(after: cursor, limit: batchSize)
            guard let last = page.last else { return count }
            count += page.count
            cursor = last.identifier
        }
    }

    /// Reseals an entry's values that are not under the current key; retries on a lost race.
    /// - Returns: whether anything was written.
    private func reseal(_ first: PasswordEntity, with ring: KeyRing) async throws -> Bool {
        var entity = first
        for _ in 0..<16 {
            guard let updated = try resealed(entity, with: ring) else { return false }
            do {
                try await storage.replace(updated, expectedVersion: entity.version)
                return true
            } catch .conflict {
                guard let fresh = try await storage.entity(entity.identifier) else { return false }
                entity = fresh
            }
        }
        throw VaultError.concurrentChange
    }

    /// The entry with every value under the current key, or `nil` when all already are.
    private func resealed(_ entity: PasswordEntity, with ring: KeyRing) throws -> PasswordEntity? {
        let id = entity.identifier
        func renew(_ sealed: SealedValue, _ field: SecretField) throws -> SealedValue? {
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
        guard changed else { return nil }
        result.version += 1
        return result
    }
}
