extension Vault {
    /// Disables an entry: it leaves lists (unless asked for), and reveal, TOTP
    /// and updates answer 1007 until it is enabled again.
    /// - Returns: ``StateChange/alreadyInState`` when it already was disabled.
    /// - Throws: 1005, 1006 (a viewer), 1008, or unexpected.
    @discardableResult
    public func disable(_ id: EntryID, as user: User) async throws(VaultError) -> StateChange {
        try await setActive(false, id, as: user)
    }

    /// Enables a disabled entry.
    /// - Returns: ``StateChange/alreadyInState`` when it already was active.
    /// - Throws: 1005, 1006 (a viewer), 1008, or unexpected.
    @discardableResult
    public func enable(_ id: EntryID, as user: User) async throws(VaultError) -> StateChange {
        try await setActive(true, id, as: user)
    }

    /// Deletes an entry and its history; only its owner may. Its identifier is never reused.
    /// - Throws: 1005, 1006 (not the owner), 1008, or unexpected.
    public func delete(_ id: EntryID, as user: User) async throws(VaultError) {
        try await audited(.delete, entry: id, by: user) { () async throws(VaultError) in
            let (entity, _) = try await load(id, as: user, for: .delete)
            // The trail keeps that the entry existed (docs/contract.md §11, §12).
            _ = try await storing { () async throws(StorageError) in
                try await commit(
                    ChangeSet(entry: .delete(id, expectedVersion: entity.version)),
                    recording: [auditEvent(.delete, entry: id, by: user)])
            }
        }
    }

    private func setActive(_ active: Bool, _ id: EntryID, as user: User) async throws(VaultError) -> StateChange {
        let action: AuditAction = active ? .enable : .disable
        return try await audited(action, entry: id, by: user) { () async throws(VaultError) in
            let (current, _) = try await load(id, as: user, for: .toggleActive)
            guard current.isActive != active else {
                try await record(auditEvent(action, entry: id, by: user))
                return .alreadyInState
            }
            var entity = current
            entity.isActive = active
            // Disabling ends every open request and grant on the entry (docs/contract.md §13).
            let revoked = active ? [] : try await revocations(of: id)
            // A new version; the state before it goes into the history (docs/contract.md §11).
            _ = try await commitRevision(
                entity, changed: .isActive, replacing: current, by: user, nil, recording: action, requests: revoked)
            return .changed
        }
    }
}
