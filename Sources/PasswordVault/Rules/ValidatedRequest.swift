/// A change to an optional field of an update.
enum FieldChange<Value: Sendable>: Sendable {
    /// Leave the field as it is.
    case keep
    /// Clear it.
    case clear
    /// Set it.
    case set(Value)
}

/// A share item after its own checks: the name and the merged edit right.
struct ShareItem: Sendable, Hashable {
    var name: String
    var canEdit: Bool
}

/// A request whose fields passed docs/contract.md §3's rules. Shares still need the
/// directory (``Vault`` resolves them into ``UserShare``/``GroupShare`` and
/// ``ShareError``s).
struct ValidatedRequest: Sendable {
    var name: String?
    var username: String?
    var password: SecretBytes?
    var url: FieldChange<String> = .keep
    var secretKey: FieldChange<TOTP> = .keep
    var notes: FieldChange<SecretBytes> = .keep
    var tags: FieldChange<[String]> = .keep
    var usersAllowed: [ShareItem]?
    var groupsAllowed: [ShareItem]?
}

/// Which rules apply: create requires the three fields; update is partial.
enum RequestMode {
    case create
    case update
}

extension PasswordRequest {
    /// Applies docs/contract.md §3's field rules: first every 1001 (name, username,
    /// password, in that order), then every 1002 in field order.
    func validated(_ mode: RequestMode) throws(VaultError) -> ValidatedRequest {
        try checkRequired(mode)
        var result = ValidatedRequest()
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
        return result
    }

    /// 1001 for the required fields: absent (on create), `null`, or blank.
    private func checkRequired(_ mode: RequestMode) throws(VaultError) {
        for (field, input) in [("name", name), ("username", username), ("password", password)] {
            switch input {
            case .absent where mode == .create, .null: throw .notInformed(field: field)
            case .value(let text) where text.isBlank: throw .notInformed(field: field)
            default: continue
            }
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
    private static func secretKeyChange(_ input: Input<String>) throws(VaultError) -> FieldChange<TOTP> {
        switch input {
        case .absent: return .keep
        case .null: return .clear
        case .invalid(let reason): throw .invalidParameter(field: "secret_key", reason: reason)
        case .value(let text):
            if text.isEmpty { return .clear }
            return .set(try SecretKeyRule.parse(text))
        }
    }

    /// The items of a share list, checked and merged (repeats merge, editing if any repeat says so).
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
                if let index = positions[name] {
                    merged[index].canEdit = merged[index].canEdit || canEdit
                } else {
                    positions[name] = merged.count
                    merged.append(ShareItem(name: name, canEdit: canEdit))
                }
            }
            return merged
        }
    }
}

extension FieldChange {
    /// The value being set, if any.
    var value: Value? {
        if case .set(let value) = self { return value }
        return nil
    }

    func map<T>(_ transform: (Value) -> T) -> FieldChange<T> {
        switch self {
        case .keep: .keep
        case .clear: .clear
        case .set(let value): .set(transform(value))
        }
    }
}
