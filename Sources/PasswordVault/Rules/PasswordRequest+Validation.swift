extension PasswordRequest {
    /// Applies docs/contract.md §3's rules for a create: first every 1001 (name, username,
    /// password, in that order), then every 1002 in field order.
    func validatedForCreate() throws(VaultError) -> NewEntry {
        try checkRequired(absentIsMissing: true)
        let name = try Self.required(name, field: "name", limit: FieldLimits.name, kind: .singleLine)
        let username = try Self.required(username, field: "username", limit: FieldLimits.username, kind: .singleLine)
        let password = try Self.required(password, field: "password", limit: FieldLimits.password, kind: .secret)
        var entry = NewEntry(name: name, username: username, password: SecretBytes(utf8: password))
        entry.url = try Self.optionalText(url, field: "url", limit: FieldLimits.url, kind: .singleLine).value ?? ""
        entry.secretKey = try Self.secretKeyChange(secretKey).value
        entry.notes = try Self.optionalText(notes, field: "notes", limit: FieldLimits.notes, kind: .multiLine)
            .value.map { SecretBytes(utf8: $0) }
        entry.tags = try Tags.change(tags).value ?? []
        entry.usersAllowed = try Self.shareItems(usersAllowed, field: "users_allowed", key: "username")
        entry.groupsAllowed = try Self.shareItems(groupsAllowed, field: "groups_allowed", key: "name")
        entry.needJustify = try Self.policyFlag(needJustify) ?? false
        entry.needApproval = try Self.approvalCount(needApproval) ?? 0
        return entry
    }

    /// Applies docs/contract.md §3's rules for a partial update: first every 1001 (a required
    /// field sent `null` or blank), then every 1002 in field order.
    func validatedForUpdate() throws(VaultError) -> EntryChanges {
        try checkRequired(absentIsMissing: false)
        var result = EntryChanges()
        result.name = try Self.requiredText(name, field: "name", limit: FieldLimits.name, kind: .singleLine)
        result.username = try Self.requiredText(
            username, field: "username", limit: FieldLimits.username, kind: .singleLine)
        if let text = try Self.requiredText(password, field: "password", limit: FieldLimits.password, kind: .secret) {
            result.password = SecretBytes(utf8: text)
        }
        result.url = try Self.optionalText(url, field: "url", limit: FieldLimits.url, kind: .singleLine)
        result.secretKey = try Self.secretKeyChange(secretKey)
        result.notes = try Self.optionalText(notes, field: "notes", limit: FieldLimits.notes, kind: .multiLine)
            .map { SecretBytes(utf8: $0) }
        result.tags = try Tags.change(tags)
        result.usersAllowed = try Self.shareItems(usersAllowed, field: "users_allowed", key: "username")
        result.groupsAllowed = try Self.shareItems(groupsAllowed, field: "groups_allowed", key: "name")
        result.needJustify = try Self.policyFlag(needJustify)
        result.needApproval = try Self.approvalCount(needApproval)
        return result
    }

    /// 1001 for the required fields: `null`, blank, or (on create) absent.
    private func checkRequired(absentIsMissing: Bool) throws(VaultError) {
        for (field, input) in [("name", name), ("username", username), ("password", password)] {
            switch input {
            case .absent where absentIsMissing, .null: throw .notInformed(field: field)
            case .value(let text) where text.isBlank: throw .notInformed(field: field)
            default: continue
            }
        }
    }

    /// A field a create requires: 1001 when it is not there, 1002 for a wrong type or a broken rule.
    private static func required(
        _ input: Input<String>, field: String, limit: Int, kind: TextKind
    ) throws(VaultError) -> String {
        switch input {
        case .absent, .null: throw .notInformed(field: field)
        case .invalid(let reason): throw .invalidParameter(field: field, reason: reason)
        case .value(let text):
            try TextRule.check(text, field: field, limit: limit, kind: kind)
            return text
        }
    }

    /// A required field's text, or `nil` when absent (update); 1002 for a wrong type or a broken rule.
    private static func requiredText(
        _ input: Input<String>, field: String, limit: Int, kind: TextKind
    ) throws(VaultError) -> String? {
        switch input {
        case .absent, .null: return nil  // `null` and blank were refused by `checkRequired`.
        case .invalid(let reason): throw .invalidParameter(field: field, reason: reason)
        case .value(let text):
            try TextRule.check(text, field: field, limit: limit, kind: kind)
            return text
        }
    }

    /// An optional text field: `""` or `null` clears it.
    private static func optionalText(
        _ input: Input<String>, field: String, limit: Int, kind: TextKind
    ) throws(VaultError) -> FieldChange<String> {
        switch input {
        case .absent: return .keep
        case .null: return .clear
        case .invalid(let reason): throw .invalidParameter(field: field, reason: reason)
        case .value(let text):
            if text.isEmpty { return .clear }
            try TextRule.check(text, field: field, limit: limit, kind: kind)
            return .set(text)
        }
    }

    /// `secret_key`: a base32 seed or an `otpauth://` URI; `""` or `null` removes it.
    private static func secretKeyChange(_ input: Input<String>) throws(VaultError) -> FieldChange<StoredSecretKey> {
        switch input {
        case .absent: return .keep
        case .null: return .clear
        case .invalid(let reason): throw .invalidParameter(field: "secret_key", reason: reason)
        case .value(let text):
            if text.isEmpty { return .clear }
            return .set(try SecretKeyRule.parse(text))
        }
    }

    /// `need_justify`: a boolean; `null` is refused like a wrong type (a policy has no "unset").
    private static func policyFlag(_ input: Input<Bool>) throws(VaultError) -> Bool? {
        switch input {
        case .absent: return nil
        case .value(let flag): return flag
        case .null: throw .invalidParameter(field: "need_justify", reason: "expected a boolean, got null")
        case .invalid(let reason): throw .invalidParameter(field: "need_justify", reason: reason)
        }
    }

    /// `need_approval`: an integer from 0 to 5 (docs/contract.md §13).
    private static func approvalCount(_ input: Input<Int>) throws(VaultError) -> Int? {
        switch input {
        case .absent: return nil
        case .value(let count) where FieldLimits.approvals.contains(count): return count
        case .value: throw .invalidParameter(field: "need_approval", reason: "must be an integer from 0 to 5")
        case .null: throw .invalidParameter(field: "need_approval", reason: "expected an integer, got null")
        case .invalid(let reason): throw .invalidParameter(field: "need_approval", reason: reason)
        }
    }

    /// The items of a share list, checked and merged (repeats merge, editing if any repeat says
    /// so, revealing if any repeat does).
    private static func shareItems(
        _ input: Input<[ShareRequest]>, field: String, key: String
    ) throws(VaultError) -> [ShareItem]? {
        switch input {
        case .absent, .null: return nil
        case .invalid(let reason): throw .invalidParameter(field: field, reason: reason)
        case .value(let items):
            guard items.count <= FieldLimits.shareCount else {
                throw .invalidParameter(field: field, reason: "must have at most \(FieldLimits.shareCount) items")
            }
            var merged: [ShareItem] = []
            var positions: [String: Int] = [:]
            for (offset, item) in items.enumerated() {
                let position = offset + 1
                let name: String
                switch item.name {
                case .value(let text) where !text.isBlank: name = text
                case .invalid:
                    throw .invalidParameter(field: field, reason: "item \(position): '\(key)' must be a string")
                default: throw .invalidParameter(field: field, reason: "item \(position): '\(key)' was not informed")
                }
                // The directory's own name rule (docs/contract.md §3): a name it would refuse to
                // create can never be shared with.
                do {
                    try NameRule.check(name)
                } catch {
                    throw .invalidParameter(field: field, reason: "item \(position): '\(key)' \(error.reason)")
                }
                let canEdit: Bool
                switch item.canEdit {
                case .absent: canEdit = false
                case .value(let flag): canEdit = flag
                case .null, .invalid:
                    throw .invalidParameter(field: field, reason: "item \(position): 'can_edit' must be a boolean")
                }
                let canReveal: Bool
                switch item.canReveal {
                case .absent: canReveal = true
                case .value(let flag): canReveal = flag
                case .null, .invalid:
                    throw .invalidParameter(field: field, reason: "item \(position): 'can_reveal' must be a boolean")
                }
                if let index = positions[name] {
                    merged[index].canEdit = merged[index].canEdit || canEdit
                    merged[index].canReveal = merged[index].canReveal || canReveal
                } else {
                    positions[name] = merged.count
                    merged.append(ShareItem(name: name, canEdit: canEdit, canReveal: canReveal))
                }
            }
            return merged
        }
    }
}
