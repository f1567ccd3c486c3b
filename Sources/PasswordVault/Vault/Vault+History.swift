/// One version of an entry as its history lists it (docs/contract.md §11): the entry's state
/// at that revision, secrets still sealed, and who made it.
public struct EntryVersion: Sendable {
    /// The entry at this version; its ``PasswordEntity/revision`` is the version number,
    /// ``PasswordEntity/updatedAt`` its `changed_at`.
    public var entity: PasswordEntity
    /// The user whose write made this version; `nil` when the directory no longer knows them.
    public var changedBy: User?
    /// Whether this is the entry's current state.
    public var isCurrent: Bool

    /// The version number.
    public var version: UInt64 { entity.revision }
}

extension Vault {
    /// The history depth bounds: 0 to 100 old versions kept besides the current one.
    public static let historyDepthRange = 0...100
    /// The depth a new vault keeps (docs/contract.md §11, as KeePassXC and Vault KV v2 keep).
    public static let defaultHistoryDepth = 10

    /// How many old versions each entry keeps besides its current one: a vault setting, kept in
    /// the header under its MAC (docs/format.md §3).
    public var historyDepth: Int { ring.historyDepth }

    /// Sets the history depth (0 to 100) for every later write; a write purges an entry's
    /// versions beyond it. Writes the header, so it needs the vault's credential (this vault's).
    /// - Throws: ``VaultKeyError/invalidSetting(_:)`` outside 0 to 100;
    ///   ``VaultKeyError/conflict`` when another writer changed the keys meanwhile; storage failures.
    public func setHistoryDepth(_ depth: Int) async throws(VaultKeyError) {
        guard Self.historyDepthRange.contains(depth) else {
            throw .invalidSetting("a history depth of \(depth) is outside 0 to 100")
        }
        // A setting of the vault, recorded as an update of no entry naming `history_depth`.
        try await writingHeader(recording: auditEvent(.update, by: nil, fields: ["history_depth"])) {
            (ring) throws(CryptoError) in
            ring.historyDepth == depth ? nil : try ring.changingHistoryDepth(to: depth)
        }
    }

    /// The entry's versions, newest first, the current one first and marked (docs/contract.md §11).
    ///
    /// Owner and editors only (an editor without the reveal right too: nothing secret is
    /// opened); disabled entries too. The entry's policies bind it (docs/contract.md §13).
    /// - Throws: 1005 when the entry does not exist or `user` has no access; 1006 for a viewer;
    ///   1009, 1010, 1002 (`justification`).
    public func history(
        _ id: EntryID, justification: String? = nil, as user: User
    ) async throws(VaultError) -> [EntryVersion] {
        try await audited(.history, entry: id, by: user, justification: recordable(justification)) {
            () async throws(VaultError) in
            let (current, rights) = try await load(id, as: user, for: .history)
            let reason = try await passPolicy(current, rights: rights, as: user, justification: justification)
            let versions = try await versions(of: current)
            try await record(auditEvent(.history, entry: id, by: user, justification: reason))
            return versions
        }
    }

    private func versions(of current: PasswordEntity) async throws(VaultError) -> [EntryVersion] {
        let id = current.identifier
        let old = try await storing { () async throws(StorageError) in try await storage.history(of: id) }
        var users: [UserID: User?] = [:]
        var versions: [EntryVersion] = []
        for (entity, isCurrent) in [(current, true)] + old.reversed().map({ ($0, false) }) {
            if users[entity.changedBy] == nil {
                do { users[entity.changedBy] = .some(try await directory.user(id: entity.changedBy)) } catch {
                    throw .unexpected(cause: error)
                }
            }
            versions.append(EntryVersion(entity: entity, changedBy: users[entity.changedBy]!, isCurrent: isCurrent))
        }
        return versions
    }

    /// One version with its secrets opened — an old one, or the current one by its number — as
    /// the wire's `GET api/mysafe/password/history/ID/VERSION` answers it. Its
    /// ``RevealedEntry/code`` is `nil`: a code belongs to now, not to a version.
    /// - Throws: 1005, 1006 (a viewer, or no reveal right), 1007 (the entry is disabled), 1009,
    ///   1010, 1002 (`justification`), 1011 (no such version), or unexpected.
    public func revealVersion(
        _ id: EntryID, version: UInt64, justification: String? = nil, as user: User
    ) async throws(VaultError) -> RevealedEntry {
        try await audited(.revealVersion, entry: id, by: user, justification: recordable(justification)) {
            () async throws(VaultError) in
            let (current, rights, reason) = try await loadForRead(
                id, as: user, for: .revealVersion, justification: justification)
            let revealed = try await opened(try await entryVersion(version, of: current), rights: rights, codeAt: nil)
            try await record(
                auditEvent(.revealVersion, entry: id, by: user, fields: revealed.secretNames, justification: reason))
            return revealed
        }
    }

    /// Writes a new version whose content (name, username, password, URL, TOTP seed, notes,
    /// tags) is that of `version`; shares and `is_active` stay as they are now. The secrets are
    /// moved as they are sealed, never opened. Restoring the content the entry already has
    /// writes nothing.
    /// - Throws: 1005, 1006 (a viewer), 1007 (disabled), 1011 (no such version), 1008 (another
    ///   write won), or unexpected. Nothing is written when it throws.
    public func restore(_ id: EntryID, version: UInt64, as user: User) async throws(VaultError) -> WriteResult {
        try await audited(.restore, entry: id, by: user) { () async throws(VaultError) in
            try await restoring(id, version: version, as: user)
        }
    }

    private func restoring(_ id: EntryID, version: UInt64, as user: User) async throws(VaultError) -> WriteResult {
        let (current, rights) = try await load(id, as: user, for: .restore)
        guard current.isActive else { throw .disabled }
        let chosen = try await entryVersion(version, of: current)
        var entity = current
        entity.name = chosen.name
        entity.username = chosen.username
        entity.url = chosen.url
        entity.tags = chosen.tags
        entity.sealedPassword = chosen.sealedPassword
        entity.sealedSecretKey = chosen.sealedSecretKey
        entity.sealedNotes = chosen.sealedNotes
        let changed = try await contentChanges(from: current, to: entity)
        // A new password ends the need to rotate (docs/contract.md §13).
        if changed.contains(.password) { entity.needsRotation = false }
        // Seals nothing: the moved values are under keys the ring holds, and a rotation that
        // reseals them changes the entry's version, which this compare-and-set checks. Restoring
        // the content the entry has writes nothing, and answers the same way.
        let written: PasswordEntity
        if changed.isEmpty {
            try await record(auditEvent(.restore, entry: id, by: user))
            written = current
        } else {
            written = try await commitRevision(
                entity, changed: changed, replacing: current, by: user, nil, recording: .restore)
        }
        // The answer shows the notes only to a caller who may read them without a policy step
        // (docs/contract.md §13): a restore is not a way around a reveal's rules.
        var notes: SecretBytes?
        let showsNotes = rights.canReveal && (rights.role == .owner || !written.hasPolicy)
        if showsNotes, let sealed = written.sealedNotes {
            notes = try open(sealed, entry: id, field: .notes, with: try await keyRing(opening: written))
        }
        return WriteResult(
            entity: written, notes: notes, notesIncluded: showsNotes || written.sealedNotes == nil, sharedErrors: [])
    }

    /// Stores `entity` as the revision after `current`, keeping `current` in the history and
    /// purging beyond the vault's depth, in one compare-and-set commit with the call's audit
    /// record (`action`, naming the changed fields).
    func commitRevision(
        _ entity: PasswordEntity, changed: ChangedFields, replacing current: PasswordEntity, by user: User,
        _ generation: HeaderGeneration?, recording action: AuditAction, requests: [AccessRequestChange] = []
    ) async throws(VaultError) -> PasswordEntity {
        var next = entity
        next.version = current.version + 1
        next.revision = current.revision + 1
        next.updatedAt = clock.now()
        next.changedBy = user.id
        next.changedFields = changed
        let depth = historyDepth
        let event = auditEvent(action, entry: entity.identifier, by: user, fields: changed.names)
        _ = try await storing { () async throws(StorageError) in
            try await commit(
                ChangeSet(
                    headerGeneration: generation,
                    entry: .replace(next, expectedVersion: current.version, history: .archive(current, depth: depth)),
                    requests: requests),
                recording: [event])
        }
        return next
    }

    /// The entry at revision `version`: the current one or one of its history.
    private func entryVersion(_ version: UInt64, of current: PasswordEntity) async throws(VaultError) -> PasswordEntity
    {
        if version == current.revision { return current }
        guard version < current.revision else { throw .versionNotFound }
        let old = try await storing { () async throws(StorageError) in
            try await storage.history(of: current.identifier)
        }
        guard let found = old.first(where: { $0.revision == version }) else { throw .versionNotFound }
        return found
    }

    /// The content fields that differ between two states of one entry; sealed values that are
    /// not the same bytes are opened and compared in constant time.
    private func contentChanges(
        from old: PasswordEntity, to new: PasswordEntity
    ) async throws(VaultError) -> ChangedFields {
        var changed = ChangedFields()
        if !old.name.isStored(as: new.name) { changed.insert(.name) }
        if !old.username.isStored(as: new.username) { changed.insert(.username) }
        if !old.url.isStored(as: new.url) { changed.insert(.url) }
        if !old.tags.isStored(as: new.tags) { changed.insert(.tags) }
        let ring = try await keyRing(opening: old)
        let newRing = try await keyRing(opening: new)
        let id = old.identifier
        func differs(_ a: SealedValue?, _ b: SealedValue?, _ field: SecretField) throws(VaultError) -> Bool {
            switch (a, b) {
            case (nil, nil): return false
            case (nil, _), (_, nil): return true
            case (let a?, let b?):
                if a == b { return false }
                return try open(a, entry: id, field: field, with: ring)
                    != open(b, entry: id, field: field, with: newRing)
            }
        }
        if try differs(old.sealedPassword, new.sealedPassword, .password) { changed.insert(.password) }
        if try differs(old.sealedSecretKey, new.sealedSecretKey, .secretKey) { changed.insert(.secretKey) }
        if try differs(old.sealedNotes, new.sealedNotes, .notes) { changed.insert(.notes) }
        return changed
    }
}
