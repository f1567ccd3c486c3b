public import Foundation

extension Vault {
    /// The entry's metadata (no secret opened). Disabled entries can be read.
    /// - Throws: 1005 when it does not exist or `user` has no access.
    public func entity(_ id: EntryID, as user: User) async throws(VaultError) -> PasswordEntity {
        try await load(id, as: user, for: .read).0
    }

    /// The password, opened, once the reveal's record is durable (docs/contract.md §12).
    /// - Throws: 1005, 1007 (disabled), or unexpected (a value that does not open, or a record
    ///   that cannot be written: nothing is returned then).
    public func revealPassword(_ id: EntryID, as user: User) async throws(VaultError) -> SecretBytes {
        try await audited(.reveal, entry: id, by: user) { () async throws(VaultError) in
            let entity = try await loadForReveal(id, as: user).0
            let password = try open(
                entity.sealedPassword, entry: id, field: .password, with: try await keyRing(opening: entity))
            try await record(auditEvent(.reveal, entry: id, by: user, fields: ["password"]))
            return password
        }
    }

    /// The notes, opened; `nil` when the entry has none. - Throws: 1005, 1007, or unexpected.
    public func revealNotes(_ id: EntryID, as user: User) async throws(VaultError) -> SecretBytes? {
        try await audited(.reveal, entry: id, by: user) { () async throws(VaultError) in
            let entity = try await loadForReveal(id, as: user).0
            var notes: SecretBytes?
            if let sealed = entity.sealedNotes {
                notes = try open(sealed, entry: id, field: .notes, with: try await keyRing(opening: entity))
            }
            try await record(auditEvent(.reveal, entry: id, by: user, fields: notes == nil ? [] : ["notes"]))
            return notes
        }
    }

    /// The TOTP seed with its parameters; `nil` when the entry has none. - Throws: 1005, 1007, or unexpected.
    public func revealSecretKey(_ id: EntryID, as user: User) async throws(VaultError) -> TOTP? {
        try await revealedSecretKey(id, as: user)?.totp
    }

    /// The `secret_key` as text, the same the wire's get-one answer shows (docs/contract.md §8):
    /// the base32 seed when its parameters are the defaults, else the `otpauth://totp/…` URI with
    /// its label, issuer and every parameter; `nil` when the entry has none.
    /// - Throws: 1005, 1007, or unexpected.
    public func revealSecretKeyText(_ id: EntryID, as user: User) async throws(VaultError) -> SecretBytes? {
        try await revealedSecretKey(id, as: user)?.text
    }

    private func revealedSecretKey(_ id: EntryID, as user: User) async throws(VaultError) -> StoredSecretKey? {
        try await audited(.reveal, entry: id, by: user) { () async throws(VaultError) in
            let entity = try await loadForReveal(id, as: user).0
            let key = try openSecretKey(entity, with: try await keyRing(opening: entity))
            try await record(auditEvent(.reveal, entry: id, by: user, fields: key == nil ? [] : ["secret_key"]))
            return key
        }
    }

    /// The TOTP code at `date` (now by default): what the wire's `token` shows; `nil` without a seed.
    /// Recorded as `code`, never with the code itself.
    /// - Throws: 1005, 1007, 1002 (`time`) for a time before the seed's T0, or unexpected.
    public func code(_ id: EntryID, at date: Date? = nil, as user: User) async throws(VaultError) -> String? {
        try await audited(.code, entry: id, by: user) { () async throws(VaultError) in
            let entity = try await loadForReveal(id, as: user).0
            var code: String?
            if let key = try openSecretKey(entity, with: try await keyRing(opening: entity)) {
                code = try totpCode(of: key.totp, at: date ?? clock.now())
            }
            try await record(auditEvent(.code, entry: id, by: user))
            return code
        }
    }

    /// Everything the wire's get-one answer shows, from one read and one access check, once its
    /// record (`reveal`, naming the secrets returned) is durable.
    /// - Throws: 1005, 1007, or unexpected.
    public func reveal(_ id: EntryID, at date: Date? = nil, as user: User) async throws(VaultError) -> RevealedEntry {
        try await audited(.reveal, entry: id, by: user) { () async throws(VaultError) in
            let (entity, role) = try await loadForReveal(id, as: user)
            let revealed = try await opened(entity, role: role, codeAt: date ?? clock.now())
            try await record(auditEvent(.reveal, entry: id, by: user, fields: revealed.secretNames))
            return revealed
        }
    }

    /// `entity`'s secrets opened for a caller with `role`, and its TOTP code at `date` (none
    /// without a date: an old version has no current code). Shared by ``reveal(_:at:as:)`` and
    /// ``revealVersion(_:version:as:)``.
    func opened(_ entity: PasswordEntity, role: Role, codeAt date: Date?) async throws(VaultError) -> RevealedEntry {
        let id = entity.identifier
        let ring = try await keyRing(opening: entity)
        let password = try open(entity.sealedPassword, entry: id, field: .password, with: ring)
        let notes = try entity.sealedNotes.map { (sealed) throws(VaultError) in
            try open(sealed, entry: id, field: .notes, with: ring)
        }
        let key = try openSecretKey(entity, with: ring)
        var code: String?
        if let key, let date { code = try totpCode(of: key.totp, at: date) }
        return RevealedEntry(
            entity: entity, role: role, password: password, notes: notes, secretKey: key?.totp,
            secretKeyText: key?.text, code: code)
    }

    /// Loads for a reveal: 1005 without access, 1007 when disabled.
    private func loadForReveal(_ id: EntryID, as user: User) async throws(VaultError) -> (PasswordEntity, Role) {
        let (entity, role) = try await load(id, as: user, for: .reveal)
        guard entity.isActive else { throw .disabled }
        return (entity, role)
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
                let role = entity.role(of: user, memberOf: groups)
            else { return nil }
            return ListedEntry(entity: entity, role: role)
        }
    }
}
