/// Redacted renderings of requests: their fields may hold a password, notes or a TOTP seed.
///
/// ``Input`` cannot know whether it carries a secret, so it never shows its value:
/// `Input.value(<redacted>)`. ``PasswordRequest`` shows its metadata fields (name, username,
/// URL, tags, shares) and redacts `password`, `secretKey` and `notes`; ``ShareRequest`` shows
/// its name and edit right. The values stay usable (`request.password.value`); only
/// `description`, `debugDescription`, interpolation, `dump` and `Mirror` are concerned.
extension Input: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The case, without the value: `Input.value(<redacted>)`, `Input.null`…
    public var description: String { "Input.\(rendered(secret: true))" }
    /// Same as ``description``.
    public var debugDescription: String { description }
    /// No children: the value is not reflected.
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .enum) }

    /// The case, with the value shown (`debugDescription` of the value) unless `secret`.
    func rendered(secret: Bool) -> String {
        switch self {
        case .absent: "absent"
        case .null: "null"
        case .value(let value): secret ? "value(<redacted>)" : "value(\(String(reflecting: value)))"
        case .invalid(let reason): "invalid(reason: \(String(reflecting: reason)))"
        }
    }
}

extension PasswordRequest: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The fields, with `password`, `secretKey` and `notes` redacted when they hold a value.
    public var description: String {
        let fields = renderedFields.map { "\($0.label): \($0.value)" }.joined(separator: ", ")
        return "PasswordRequest(\(fields))"
    }
    /// Same as ``description``.
    public var debugDescription: String { description }
    /// One child per field, each the field's rendering (secrets redacted).
    public var customMirror: Mirror {
        Mirror(self, children: renderedFields.map { (label: $0.label, value: $0.value as Any) }, displayStyle: .struct)
    }

    private var renderedFields: [(label: String, value: String)] {
        [
            ("name", name.rendered(secret: false)),
            ("username", username.rendered(secret: false)),
            ("password", password.rendered(secret: true)),
            ("url", url.rendered(secret: false)),
            ("secretKey", secretKey.rendered(secret: true)),
            ("notes", notes.rendered(secret: true)),
            ("tags", tags.rendered(secret: false)),
            ("usersAllowed", usersAllowed.rendered(secret: false)),
            ("groupsAllowed", groupsAllowed.rendered(secret: false)),
        ]
    }
}

extension ShareRequest: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The name and edit right, which are not secret: `ShareRequest(name: value("bob"), canEdit: absent)`.
    public var description: String {
        "ShareRequest(name: \(name.rendered(secret: false)), canEdit: \(canEdit.rendered(secret: false)))"
    }
    /// Same as ``description``.
    public var debugDescription: String { description }
    /// The two fields' renderings.
    public var customMirror: Mirror {
        Mirror(
            self, children: ["name": name.rendered(secret: false), "canEdit": canEdit.rendered(secret: false)],
            displayStyle: .struct)
    }
}
