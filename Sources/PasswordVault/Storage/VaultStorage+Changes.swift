/// The common change sets, each one ``VaultStorage/commit(_:)``.
extension VaultStorage {
    /// Stores a new entry under an identifier the storage hands out in the same commit.
    ///
    /// - Parameters:
    ///   - headerGeneration: the generation of the header whose keys seal the entry's secrets
    ///     (`nil` for a write that seals nothing).
    ///   - make: builds the entry for the identifier, sealing its secrets for it; called once,
    ///     synchronously, inside the commit.
    /// - Returns: the stored entry.
    /// - Throws: ``StorageError/staleHeader``, or what `make` throws; nothing is stored then.
    @discardableResult
    public func insert(
        headerGeneration: HeaderGeneration?,
        _ make: @escaping @Sendable (EntryID) throws(StorageError) -> PasswordEntity
    ) async throws(StorageError) -> PasswordEntity {
        let result = try await commit(ChangeSet(headerGeneration: headerGeneration, entry: .insert(make)))
        guard let inserted = result.inserted else { throw .failure("the storage did not return the new entry") }
        return inserted
    }

    /// Replaces an entry if its stored version still is `expectedVersion`, changing its history
    /// as `history` says.
    /// - Throws: ``StorageError/conflict`` when the version differs or the entry is gone;
    ///   ``StorageError/staleHeader`` when `headerGeneration` is not the stored one.
    public func replace(
        _ entity: PasswordEntity, expectedVersion: UInt64, headerGeneration: HeaderGeneration? = nil,
        history: HistoryUpdate = .unchanged
    ) async throws(StorageError) {
        try await commit(
            ChangeSet(
                headerGeneration: headerGeneration,
                entry: .replace(entity, expectedVersion: expectedVersion, history: history)))
    }

    /// Deletes an entry if its stored version still is `expectedVersion`.
    /// - Throws: ``StorageError/conflict`` when the version differs or the entry is gone.
    public func delete(_ id: EntryID, expectedVersion: UInt64) async throws(StorageError) {
        try await commit(ChangeSet(entry: .delete(id, expectedVersion: expectedVersion)))
    }

    /// Writes the header if the stored generation still is `expectedGeneration`
    /// (``HeaderGeneration/noHeader``: only if there is no header yet).
    /// - Returns: the new generation, `expectedGeneration + 1`.
    /// - Throws: ``StorageError/staleHeader`` when another header was written meanwhile.
    @discardableResult
    public func writeHeader(
        _ header: [UInt8], expectedGeneration: HeaderGeneration
    ) async throws(StorageError) -> HeaderGeneration {
        try await commit(ChangeSet(headerGeneration: expectedGeneration, header: header)).headerGeneration
    }

    /// Adds a user.
    /// - Throws: ``StorageError/duplicate(_:)`` when the id or the username is taken.
    public func addUser(_ user: User) async throws(StorageError) {
        try await commit(ChangeSet(directory: .addUser(user)))
    }

    /// Adds an empty group.
    /// - Throws: ``StorageError/duplicate(_:)`` when the name is taken.
    public func addGroup(named name: String) async throws(StorageError) {
        try await commit(ChangeSet(directory: .addGroup(name)))
    }

    /// Adds or removes a member.
    /// - Throws: ``StorageError/notFound(_:)`` when the group does not exist.
    public func setMembership(group: String, username: String, isMember: Bool) async throws(StorageError) {
        try await commit(ChangeSet(directory: .setMembership(group: group, username: username, isMember: isMember)))
    }
}
