public import Foundation

extension Vault {
    /// The entry's metadata (no secret opened). Disabled entries can be read.
    /// - Throws: 1005 when it does not exist or `user` has no access.
    public func entity(_ id: EntryID, as user: User) async throws(VaultError) -> PasswordEntity {
        try await load(id, as: user, for: .read).0
    }

    /// The password, opened, once the reveal's record is durable (docs/contract.md §12).
    /// - Parameters:
    ///   - id: the entry.
    ///   - justification: why; needed when the entry's `need_justify` policy binds `user`
    ///     (docs/contract.md §13), and written into the record.
    ///   - user: who reveals it.
    /// - Throws: 1005, 1006 (no reveal right), 1007 (disabled), 1009, 1010, 1002 (`justification`),
    ///   or unexpected (a value that does not open, or a record that cannot be written: nothing
    ///   is returned then).
    public func revealPassword(
        _ id: EntryID, justification: String? = nil, as user: User
    ) async throws(VaultError) -> SecretBytes {
        try await audited(.reveal, entry: id, by: user, justification: recordable(justification)) {
            () async throws(VaultError) in
            let (entity, _, reason) = try await loadForRead(id, as: user, for: .reveal, justification: justification)
            let password = try open(
                entity.sealedPassword, entry: id, field: .password, with: try await keyRing(opening: entity))
            try await record(auditEvent(.reveal, entry: id, by: user, fields: ["password"], justification: reason))
            return password
        }
    }

    /// The notes, opened; `nil` when the entry has none.
    /// - Throws: as ``revealPassword(_:justification:as:)``.
    public func revealNotes(
        _ id: EntryID, justification: String? = nil, as user: User
    ) async throws(VaultError) -> SecretBytes? {
        try await audited(.reveal, entry: id, by: user, justification: recordable(justification)) {
            () async throws(VaultError) in
            let (entity, _, reason) = try await loadForRead(id, as: user, for: .reveal, justification: justification)
            var notes: SecretBytes?
            if let sealed = entity.sealedNotes {
                notes = try open(sealed, entry: id, field: .notes, with: try await keyRing(opening: entity))
            }
            try await record(
                auditEvent(
                    .reveal, entry: id, by: user, fields: notes == nil ? [] : ["notes"], justification: reason))
            return notes
        }
    }

    /// The TOTP seed with its parameters; `nil` when the entry has none.
    /// - Throws: as ``revealPassword(_:justification:as:)``.
    public func revealSecretKey(
        _ id: EntryID, justification: String? = nil, as user: User
    ) async throws(VaultError) -> TOTP? {
        try await revealedSecretKey(id, justification: justification, as: user)?.totp
    }

    /// The `secret_key` as text, the same the wire's get-one answer shows (docs/contract.md §8):
    /// the base32 seed when its parameters are the defaults, else the `otpauth://totp/…` URI with
    /// its label, issuer and every parameter; `nil` when the entry has none.
    /// - Throws: as ``revealPassword(_:justification:as:)``.
    public func revealSecretKeyText(
        _ id: EntryID, justification: String? = nil, as user: User
    ) async throws(VaultError) -> SecretBytes? {
        try await revealedSecretKey(id, justification: justification, as: user)?.text
    }

    private func revealedSecretKey(
        _ id: EntryID, justification: String?, as user: User
    ) async throws(VaultError) -> StoredSecretKey? {
        try await audited(.reveal, entry: id, by: user, justification: recordable(justification)) {
            () async throws(VaultError) in
            let (entity, _, reason) = try await loadForRead(id, as: user, for: .reveal, justification: justification)
            let key = try openSecretKey(entity, with: try await keyRing(opening: entity))
            try await record(
                auditEvent(
                    .reveal, entry: id, by: user, fields: key == nil ? [] : ["secret_key"], justification: reason))
            return key
        }
    }

    /// The TOTP code at `date` (now by default): what the wire's `token` shows; `nil` without a seed.
    /// Recorded as `code`, never with the code itself. A share without the reveal right may use it
    /// (docs/contract.md §13); the entry's policies bind it as they bind a reveal.
    /// - Throws: 1005, 1007, 1009, 1010, 1002 (`time` before the seed's T0, or `justification`), or unexpected.
    public func code(
        _ id: EntryID, at date: Date? = nil, justification: String? = nil, as user: User
    ) async throws(VaultError) -> String? {
        try await audited(.code, entry: id, by: user, justification: recordable(justification)) {
            () async throws(VaultError) in
            let (entity, _, reason) = try await loadForRead(id, as: user, for: .code, justification: justification)
            var code: String?
            if let key = try openSecretKey(entity, with: try await keyRing(opening: entity)) {
                code = try totpCode(of: key.totp, at: date ?? clock.now())
            }
            try await record(auditEvent(.code, entry: id, by: user, justification: reason))
            return code
        }
    }

    /// Everything the wire's get-one answer shows, from one read and one access check, once its
    /// record (`reveal`, naming the secrets returned) is durable. For a caller without the reveal
    /// right (docs/contract.md §13) the secrets are `nil` and only the current code is given.
    /// - Throws: 1005, 1007, 1009, 1010, 1002 (`justification`), or unexpected.
    public func reveal(
        _ id: EntryID, at date: Date? = nil, justification: String? = nil, as user: User
    ) async throws(VaultError) -> RevealedEntry {
        try await audited(.reveal, entry: id, by: user, justification: recordable(justification)) {
            () async throws(VaultError) in
            let (entity, rights, reason) = try await loadForRead(
                id, as: user, for: .code, justification: justification)
            let revealed = try await opened(entity, rights: rights, codeAt: date ?? clock.now())
            try await record(
                auditEvent(.reveal, entry: id, by: user, fields: revealed.secretNames, justification: reason))
            return revealed
        }
    }

    /// `entity`'s secrets opened for a caller with `rights` (none without the reveal right), and
    /// its TOTP code at `date` (none without a date: an old version has no current code). Shared
    /// by ``reveal(_:at:justification:as:)`` and ``revealVersion(_:version:justification:as:)``.
    func opened(
        _ entity: PasswordEntity, rights: EntryRights, codeAt date: Date?
    ) async throws(VaultError) -> RevealedEntry {
        let id = entity.identifier
        let ring = try await keyRing(opening: entity)
        let reveals = rights.canReveal
        let password = reveals ? try open(entity.sealedPassword, entry: id, field: .password, with: ring) : nil
        let notes = try entity.sealedNotes.flatMap { (sealed) throws(VaultError) -> SecretBytes? in
            reveals ? try open(sealed, entry: id, field: .notes, with: ring) : nil
        }
        let key = date == nil && !reveals ? nil : try openSecretKey(entity, with: ring)
        var code: String?
        if let key, let date { code = try totpCode(of: key.totp, at: date) }
        return RevealedEntry(
            entity: entity, role: rights.role, canReveal: reveals, password: password, notes: notes,
            secretKey: reveals ? key?.totp : nil, secretKeyText: reveals ? key?.text : nil, code: code)
    }

    /// Loads for a read that an entry's policies bind (docs/contract.md §3's order): 1005
    /// without access, 1006 without the rights `operation` needs, 1007 when disabled, then the
    /// policy step (1002 for a malformed justification, 1009, 1010).
    /// - Returns: the entry, the caller's rights, and the justification to record (the caller's,
    ///   or their grant's).
    func loadForRead(
        _ id: EntryID, as user: User, for operation: EntryOperation, justification: String?
    ) async throws(VaultError) -> (PasswordEntity, EntryRights, String?) {
        let (entity, rights) = try await load(id, as: user, for: operation)
        guard entity.isActive else { throw .disabled }
        let reason = try await passPolicy(entity, rights: rights, as: user, justification: justification)
        return (entity, rights, reason)
    }

    func openSecretKey(_ entity: PasswordEntity, with ring: KeyRing) throws(VaultError) -> StoredSecretKey? {
        guard let sealed = entity.sealedSecretKey else { return nil }
        let plain = try open(sealed, entry: entity.identifier, field: .secretKey, with: ring)
        guard let key = SecretKeyCoding.decode(plain) else {
            throw .unexpected(
                cause: CryptoError.sealedValueRejected(entry: entity.identifier.description, field: "secret_key"))
        }
        return key
    }

    private func totpCode(of totp: TOTP, at date: Date) throws(VaultError) -> String {
        do {
            return try totp.code(at: date)
        } catch {
            throw .invalidParameter(field: "time", reason: "\(error)")
        }
    }

    /// The entries `user` may see, ascending by identifier, with their role.
    ///
    /// Served from the storage's indexes (owner, user share, group share), never a scan.
    /// - Parameters:
    ///   - filter: tag / name / username / url filters, combined.
    ///   - includeDisabled: whether disabled entries are listed too.
    ///   - user: the acting user.
    public func list(
        _ filter: ListFilter = ListFilter(), includeDisabled: Bool = false, as user: User
    ) async throws(VaultError) -> [ListedEntry] {
        let groups = try await groups(of: user)
        let query = VisibilityQuery(
            owner: user.id, username: user.username, groups: groups, includeDisabled: includeDisabled, filter: filter)
        let entities: [PasswordEntity]
        entities = try await storing { () async throws(StorageError) in try await storage.entities(visibleTo: query) }
        return entities.compactMap { entity in
            guard includeDisabled || entity.isActive, filter.matches(entity),
                let rights = entity.rights(of: user, memberOf: groups)
            else { return nil }
            return ListedEntry(entity: entity, rights: rights)
        }
    }
}
