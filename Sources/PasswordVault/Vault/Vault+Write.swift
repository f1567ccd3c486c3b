import Foundation

extension Vault {
    /// Creates an entry owned by `user` (docs/contract.md §3).
    ///
    /// Shares naming an unknown user or group, or the owner, are left out and
    /// reported in ``WriteResult/sharedErrors``; the rest applies.
    /// - Throws: ``VaultError``: 1001 (name, username, password in that order),
    ///   1002, or unexpected. Nothing is stored when it throws.
    public func create(_ request: PasswordRequest, as user: User) async throws(VaultError) -> WriteResult {
        try await insert(request.validatedForCreate(), as: user)
    }

    /// Writes a validated create, owned by `user`. The wire's save-passwords profile comes in here
    /// too, with its own defaults.
    func insert(_ fields: NewEntry, as user: User) async throws(VaultError) -> WriteResult {
        let shares = try await resolveShares(users: fields.usersAllowed, groups: fields.groupsAllowed, owner: user)
        try await checkApprovalCount(
            fields.needApproval, owner: user.id, users: shares.users ?? [], groups: shares.groups ?? [])
        let now = clock.now()
        let owner = user.id
        let secretKey = try fields.secretKey.map { (totp) throws(VaultError) in try SecretKeyCoding.encode(totp) }
        let event = auditEvent(.create, by: user, fields: fields.changedFields(shares).names)
        // One commit: the storage hands out the identifier inside it and this closure seals for
        // it; the record, naming that identifier, is in the same commit.
        let entity = try await sealingWrite { (ring, generation) async throws(VaultError) in
            try await storing { () async throws(StorageError) in
                let insert = EntryChange.insert { (id) throws(StorageError) in
                    try fields.sealed(
                        as: id, secretKey: secretKey, owner: owner, shares: shares, ring: ring, createdAt: now,
                        updatedAt: now, revision: 1, changedFields: fields.changedFields(shares))
                }
                let result = try await commit(
                    ChangeSet(headerGeneration: generation, entry: insert), recording: [event], namesInserted: true)
                guard let inserted = result.inserted else { throw .failure("the storage did not return the new entry") }
                return inserted
            }
        }
        return WriteResult(entity: entity, notes: fields.notes, notesIncluded: true, sharedErrors: shares.errors)
    }

    /// Applies a partial update (docs/contract.md §3) as one compare-and-set write.
    ///
    /// Checks run in the contract's order: 1005 (no such entry or no access),
    /// 1006 (a viewer; or an editor changing shares), 1007 (disabled), then the
    /// field rules (1001, 1002), then compare-and-set (1008).
    /// - Parameters:
    ///   - id: the entry.
    ///   - request: the fields to change; absent ones are left as they are.
    ///   - includingNotes: whether the answer carries the entry's notes when the request leaves
    ///     them as they are (the wire's update answer shows them as `note`). Without it the stored
    ///     notes are not opened: ``WriteResult/notes`` is `nil` and ``WriteResult/notesIncluded``
    ///     says why, unless the request itself set or cleared them.
    ///   - user: the acting user.
    /// - Throws: ``VaultError``; nothing is written when it throws.
    public func update(
        _ id: EntryID, _ request: PasswordRequest, includingNotes: Bool = false, as user: User
    ) async throws(VaultError) -> WriteResult {
        try await audited(.update, entry: id, by: user) { () async throws(VaultError) in
            try await updating(id, request, includingNotes: includingNotes, as: user)
        }
    }

    private func updating(
        _ id: EntryID, _ request: PasswordRequest, includingNotes: Bool, as user: User
    ) async throws(VaultError) -> WriteResult {
        let (current, rights) = try await load(id, as: user, for: .update)
        // Shares and policies are the owner's (docs/contract.md §4, §13).
        if request.touchesSharing || request.touchesPolicy, !rights.permits(.share) { throw .accessDenied }
        guard current.isActive else { throw .disabled }
        let fields = try request.validatedForUpdate()
        // Only the owner may get here with share lists, so the owner is `user`.
        let shares = try await resolveShares(users: fields.usersAllowed, groups: fields.groupsAllowed, owner: user)

        _ = try await keyRing(opening: current)  // adopts a newer header if `current` needs its keys
        let (entity, notes, notesIncluded) = try await sealingWrite {
            (ring, generation) async throws(VaultError) -> (PasswordEntity, SecretBytes?, Bool) in
            var entity = current
            var changed = ChangedFields()
            func note<T: StoredEquatable>(_ field: ChangedFields, _ old: T, _ new: T) -> T {
                if !old.isStored(as: new) { changed.insert(field) }
                return new
            }
            if let name = fields.name { entity.name = note(.name, current.name, name) }
            if let username = fields.username { entity.username = note(.username, current.username, username) }
            if let password = fields.password,
                try open(current.sealedPassword, entry: id, field: .password, with: ring) != password
            {
                entity.sealedPassword = try seal(password, entry: id, field: .password, with: ring)
                changed.insert(.password)
                // A new password ends the need to rotate (docs/contract.md §13).
                entity.needsRotation = false
            }
            switch fields.url {
            case .keep: break
            case .clear: entity.url = note(.url, current.url, "")
            case .set(let url): entity.url = note(.url, current.url, url)
            }
            switch fields.tags {
            case .keep: break
            case .clear: entity.tags = note(.tags, current.tags, [])
            case .set(let tags): entity.tags = note(.tags, current.tags, tags)
            }
            switch fields.secretKey {
            case .keep: break
            case .clear:
                if current.sealedSecretKey != nil { changed.insert(.secretKey) }
                entity.sealedSecretKey = nil
            case .set(let totp):
                let plain = try SecretKeyCoding.encode(totp)
                let same = try current.sealedSecretKey.map { (sealed) throws(VaultError) in
                    try open(sealed, entry: id, field: .secretKey, with: ring) == plain
                }
                if same != true {
                    entity.sealedSecretKey = try seal(plain, entry: id, field: .secretKey, with: ring)
                    changed.insert(.secretKey)
                }
            }
            var notes: SecretBytes?
            var notesIncluded = true
            // The answer shows stored notes only to a caller who may read them without a policy
            // step (docs/contract.md §13): an update is not a way around a reveal's rules.
            let mayShowNotes = rights.canReveal && (rights.role == .owner || !current.hasPolicy)
            switch fields.notes {
            case .keep where includingNotes && mayShowNotes:
                notes = try current.sealedNotes.map { (sealed) throws(VaultError) in
                    try open(sealed, entry: id, field: .notes, with: ring)
                }
            case .keep: notesIncluded = current.sealedNotes == nil
            case .clear:
                if current.sealedNotes != nil { changed.insert(.notes) }
                entity.sealedNotes = nil
            case .set(let text):
                notes = text
                let same = try current.sealedNotes.map { (sealed) throws(VaultError) in
                    try open(sealed, entry: id, field: .notes, with: ring) == text
                }
                if same != true {
                    entity.sealedNotes = try seal(text, entry: id, field: .notes, with: ring)
                    changed.insert(.notes)
                }
            }
            if let users = shares.users { entity.usersAllowed = note(.usersAllowed, current.usersAllowed, users) }
            if let groups = shares.groups {
                entity.groupsAllowed = note(.groupsAllowed, current.groupsAllowed, groups)
            }
            if let flag = fields.needJustify { entity.needJustify = note(.needJustify, current.needJustify, flag) }
            if let count = fields.needApproval {
                entity.needApproval = note(.needApproval, current.needApproval, count)
                try await checkApprovalCount(
                    count, owner: entity.owner, users: entity.usersAllowed, groups: entity.groupsAllowed)
            }
            // Users who lose access lose their requests and grants; one who saw the password and
            // loses the right to see it makes the entry need rotation (docs/contract.md §13).
            var requestChanges: [AccessRequestChange] = []
            if changed.contains(.usersAllowed) || changed.contains(.groupsAllowed) {
                let effects = try await consequences(
                    on: current, after: entity, candidates: try await shareHolders(of: current))
                requestChanges = effects.requests
                if effects.markRotation, !changed.contains(.password) { entity.needsRotation = true }
            }

            // An update that changes nothing writes no version and no history (§11); the call
            // is still on the trail, naming no field (§12).
            guard !changed.isEmpty else {
                try await record(auditEvent(.update, entry: id, by: user))
                return (current, notes, notesIncluded)
            }
            let next = try await commitRevision(
                entity, changed: changed, replacing: current, by: user, generation, recording: .update,
                requests: requestChanges)
            return (next, notes, notesIncluded)
        }
        return WriteResult(entity: entity, notes: notes, notesIncluded: notesIncluded, sharedErrors: shares.errors)
    }
}

extension NewEntry {
    /// What a create sets, as revision 1's `changed_fields`: the required fields and every
    /// optional one given a value (docs/contract.md §11).
    /// The new entry's row: these fields sealed with `ring` for entry `id` (its first version,
    /// or an imported later one: docs/contract.md §15), owned by `owner`, shared as `shares`.
    /// `secretKey` is the TOTP seed's sealed plaintext (``SecretKeyCoding``). A sealing failure
    /// is a storage failure, so that the commit writes nothing.
    func sealed(
        as id: EntryID, secretKey: SecretBytes?, owner: UserID, shares: Vault.ResolvedShares, ring: KeyRing,
        createdAt: Date, updatedAt: Date, revision: UInt64, changedFields: ChangedFields
    ) throws(StorageError) -> PasswordEntity {
        do throws(CryptoError) {
            return PasswordEntity(
                identifier: id, name: name, username: username, url: url, tags: tags, owner: owner,
                usersAllowed: shares.users ?? [], groupsAllowed: shares.groups ?? [], createdAt: createdAt,
                updatedAt: updatedAt, version: revision, revision: revision, changedBy: owner,
                changedFields: changedFields, sealedPassword: try ring.seal(password, entry: id, field: .password),
                sealedSecretKey: try secretKey.map { (plain) throws(CryptoError) in
                    try ring.seal(plain, entry: id, field: .secretKey)
                },
                sealedNotes: try notes.map { (notes) throws(CryptoError) in
                    try ring.seal(notes, entry: id, field: .notes)
                }, needJustify: needJustify, needApproval: needApproval)
        } catch {
            throw .failure("sealing entry \(id) failed: \(error)")
        }
    }

    func changedFields(_ shares: Vault.ResolvedShares) -> ChangedFields {
        var fields: ChangedFields = [.name, .username, .password]
        if !url.isEmpty { fields.insert(.url) }
        if secretKey != nil { fields.insert(.secretKey) }
        if notes != nil { fields.insert(.notes) }
        if !tags.isEmpty { fields.insert(.tags) }
        if !(shares.users ?? []).isEmpty { fields.insert(.usersAllowed) }
        if !(shares.groups ?? []).isEmpty { fields.insert(.groupsAllowed) }
        if needJustify { fields.insert(.needJustify) }
        if needApproval > 0 { fields.insert(.needApproval) }
        return fields
    }
}

// MARK: - Sealing

extension Vault {
    /// Seals a secret for one field of one entry; a failure here is unexpected.
    func seal(
        _ secret: SecretBytes, entry: EntryID, field: SecretField, with ring: KeyRing
    ) throws(VaultError) -> SealedValue {
        do {
            return try ring.seal(secret, entry: entry, field: field)
        } catch {
            throw .unexpected(cause: error)
        }
    }

    /// Opens a sealed field; a value that does not open is unexpected, with an error naming the entry and field.
    func open(
        _ sealed: SealedValue, entry: EntryID, field: SecretField, with ring: KeyRing
    ) throws(VaultError) -> SecretBytes {
        do {
            return try ring.open(sealed, entry: entry, field: field)
        } catch {
            throw .unexpected(cause: error)
        }
    }
}
