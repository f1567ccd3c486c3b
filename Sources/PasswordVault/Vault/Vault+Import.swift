import Foundation

/// An earlier version of an entry, brought in from another manager's file with the entry
/// (docs/contract.md §15: KDBX History ↔ history, §11).
public struct PriorVersion: Sendable {
    /// The version's content: name, username, password, url, secret_key, notes and tags, under
    /// the field rules of a create (docs/contract.md §3). Shares and policies are the entry's.
    public var content: PasswordRequest
    /// When the file says the version was made; `nil` when it does not say.
    public var changedAt: Date?

    /// A version.
    public init(_ content: PasswordRequest, changedAt: Date? = nil) {
        self.content = content
        self.changedAt = changedAt
    }
}

/// What an import's create kept of the versions it was given (``Vault/create(_:changedAt:history:as:)``).
public struct ImportedWrite: Sendable {
    /// The entry as created, at its current version.
    public var result: WriteResult
    /// The old versions now in its history.
    public var keptVersions: Int
    /// Old versions the field rules refused, by position among those given (from 1, oldest
    /// first), with the rule's message; they are not stored.
    public var refusedVersions: [(position: Int, message: String)]
    /// Old versions equal in every content field to the version after them: a no-op update
    /// makes no version (docs/contract.md §11), so none is stored for them.
    public var unchangedVersions: Int
    /// The oldest versions beyond the vault's history depth, not stored.
    public var droppedVersions: Int
}

extension Vault {
    /// Creates an entry owned by `user` together with earlier versions of it — an import from
    /// another manager's file that keeps that file's history (docs/contract.md §15, §11) — in
    /// one atomic write with its `create` record: the entry and every kept version, or nothing.
    ///
    /// `history` is oldest first. Each version passes the field rules of a create; one they
    /// refuse is left out and reported, and so is one that changes nothing relative to the
    /// next. Of the rest, the newest ``historyDepth`` are kept. Versions are numbered from 1;
    /// each one's `changed_fields` names what differs from the version before it (the first
    /// names what a create would), its `changed_by` is `user` (who brought it in), its
    /// `changed_at` the file's time, clamped so that times never decrease and never lie ahead
    /// of the vault clock. `created_at` is the first kept version's time.
    /// - Throws: as ``create(_:as:)`` for the current version; nothing is stored when it throws.
    public func create(
        _ request: PasswordRequest, changedAt: Date? = nil, history: [PriorVersion], as user: User
    ) async throws(VaultError) -> ImportedWrite {
        let fields = try request.validatedForCreate()
        var refused: [(position: Int, message: String)] = []
        var older: [(fields: NewEntry, at: Date?)] = []
        for (index, prior) in history.enumerated() {
            do throws(VaultError) {
                older.append((try prior.content.validatedForCreate(), prior.changedAt))
            } catch {
                refused.append((index + 1, error.message))
            }
        }
        let shares = try await resolveShares(users: fields.usersAllowed, groups: fields.groupsAllowed, owner: user)
        try await checkApprovalCount(
            fields.needApproval, owner: user.id, users: shares.users ?? [], groups: shares.groups ?? [])
        // A version equal to the one after it is a no-op update: none is made.
        var versions: [(fields: NewEntry, at: Date?)] = []
        var unchanged = 0
        for (index, version) in older.enumerated() {
            let next = index + 1 < older.count ? older[index + 1].fields : fields
            if Self.contentChanges(from: version.fields, to: next).isEmpty {
                unchanged += 1
            } else {
                versions.append(version)
            }
        }
        let dropped = max(0, versions.count - historyDepth)
        versions.removeFirst(dropped)
        versions.append((fields, changedAt))

        let now = clock.now()
        var times: [Date] = []
        for version in versions {
            let at = min(version.at ?? now, now)
            times.append(max(at, times.last ?? at))
        }
        var changes: [ChangedFields] = []
        for (index, version) in versions.enumerated() {
            changes.append(
                index == 0
                    ? version.fields.changedFields(shares)
                    : Self.contentChanges(from: versions[index - 1].fields, to: version.fields))
        }
        let secretKeys = try versions.map { (version) throws(VaultError) in
            try version.fields.secretKey.map { (totp) throws(VaultError) in try SecretKeyCoding.encode(totp) }
        }
        let owner = user.id
        // Every version carries the entry's policies (shares are the entry's too).
        let built = versions.map { version in
            var entry = version.fields
            (entry.needJustify, entry.needApproval) = (fields.needJustify, fields.needApproval)
            return entry
        }
        let (stamps, changed) = (times, changes)
        let event = auditEvent(.create, by: user, fields: fields.changedFields(shares).names)
        let entity = try await sealingWrite { (ring, generation) async throws(VaultError) in
            try await storing { () async throws(StorageError) in
                let insert = EntryChange.insertWithHistory { (id) throws(StorageError) in
                    var made: [PasswordEntity] = []
                    for (index, version) in built.enumerated() {
                        made.append(
                            try version.sealed(
                                as: id, secretKey: secretKeys[index], owner: owner, shares: shares, ring: ring,
                                createdAt: stamps[0], updatedAt: stamps[index], revision: UInt64(index + 1),
                                changedFields: changed[index]))
                    }
                    return made
                }
                let result = try await commit(
                    ChangeSet(headerGeneration: generation, entry: insert), recording: [event], namesInserted: true)
                guard let inserted = result.inserted else { throw .failure("the storage did not return the new entry") }
                return inserted
            }
        }
        return ImportedWrite(
            result: WriteResult(entity: entity, notes: fields.notes, notesIncluded: true, sharedErrors: shares.errors),
            keptVersions: versions.count - 1, refusedVersions: refused, unchangedVersions: unchanged,
            droppedVersions: dropped)
    }

    /// The content fields (docs/contract.md §11's restore set) that differ between two
    /// validated versions; secrets compared in constant time.
    static func contentChanges(from old: NewEntry, to new: NewEntry) -> ChangedFields {
        var changed = ChangedFields()
        if old.name != new.name { changed.insert(.name) }
        if old.username != new.username { changed.insert(.username) }
        if old.password != new.password { changed.insert(.password) }
        if old.url != new.url { changed.insert(.url) }
        if old.secretKey?.text != new.secretKey?.text { changed.insert(.secretKey) }
        if old.notes != new.notes { changed.insert(.notes) }
        if old.tags != new.tags { changed.insert(.tags) }
        return changed
    }
}
