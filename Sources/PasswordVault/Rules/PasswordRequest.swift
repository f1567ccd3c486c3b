/// The fields of a create or update request, as sent (docs/contract.md §3).
///
/// The wire decoder fills it from JSON; Swift callers fill it directly. Nothing
/// is checked until the ``Vault`` has checked access, so that a stranger only
/// ever learns 1005.
///
/// ```swift
/// var request = PasswordRequest(name: "senseg account", username: "npass", password: "8jhfy@3789")
/// request.usersAllowed = [ShareRequest(name: "pduarte")]
/// ```
public struct PasswordRequest: Sendable {
    /// Required on create.
    public var name: Input<String>
    /// Required on create.
    public var username: Input<String>
    /// Required on create; a secret, held as a `String` only at the edge.
    public var password: Input<String>
    /// Free text; `""` or `null` clears it on update.
    public var url: Input<String>
    /// A base32 TOTP seed or an `otpauth://` URI; on create `""` is absent, on update `""` or `null` removes it.
    public var secretKey: Input<String>
    /// Free text; `""` or `null` clears it on update.
    public var notes: Input<String>
    /// Tags, as separate strings (the decoder splits `"tag1, tag2"` on commas); `""`/`null`/`[]` clears.
    public var tags: Input<[String]>
    /// Absent leaves sharing alone; `[]` removes every user share; a list replaces them all.
    public var usersAllowed: Input<[ShareRequest]>
    /// Absent leaves sharing alone; `[]` removes every group share; a list replaces them all.
    public var groupsAllowed: Input<[ShareRequest]>
    /// `need_justify` (docs/contract.md §13): whether reads by anyone but the owner need a
    /// justification. The owner's alone to set; absent leaves it as it is (false on create).
    public var needJustify: Input<Bool>
    /// `need_approval` (docs/contract.md §13): how many approvals such reads need, 0 to 5. The
    /// owner's alone to set; absent leaves it as it is (0 on create).
    public var needApproval: Input<Int>

    /// A request; every field not given is absent.
    public init(
        name: Input<String> = .absent, username: Input<String> = .absent, password: Input<String> = .absent,
        url: Input<String> = .absent, secretKey: Input<String> = .absent, notes: Input<String> = .absent,
        tags: Input<[String]> = .absent, usersAllowed: Input<[ShareRequest]> = .absent,
        groupsAllowed: Input<[ShareRequest]> = .absent, needJustify: Input<Bool> = .absent,
        needApproval: Input<Int> = .absent
    ) {
        self.name = name
        self.username = username
        self.password = password
        self.url = url
        self.secretKey = secretKey
        self.notes = notes
        self.tags = tags
        self.usersAllowed = usersAllowed
        self.groupsAllowed = groupsAllowed
        self.needJustify = needJustify
        self.needApproval = needApproval
    }

    /// Whether the request sends either policy (docs/contract.md §13): only the owner may.
    public var touchesPolicy: Bool { needJustify.isPresent || needApproval.isPresent }

    /// Whether the request asks to change sharing (only the owner may).
    ///
    /// A list (even `[]`) or a value of the wrong type asks; absent or `null` leave sharing alone.
    public var touchesSharing: Bool {
        func touches(_ input: Input<[ShareRequest]>) -> Bool {
            switch input {
            case .absent, .null: false
            case .value, .invalid: true
            }
        }
        return touches(usersAllowed) || touches(groupsAllowed)
    }
}

/// One item of `users_allowed` (`username`) or `groups_allowed` (`name`).
public struct ShareRequest: Sendable, Hashable {
    /// The username or group name.
    public var name: Input<String>
    /// Whether the share may edit; absent means false, anything but a boolean (even `null`) is 1002.
    public var canEdit: Input<Bool>
    /// `can_reveal`; absent means true (docs/contract.md §13).
    public var canReveal: Input<Bool>

    /// A share item.
    public init(name: Input<String>, canEdit: Input<Bool> = .absent, canReveal: Input<Bool> = .absent) {
        self.name = name
        self.canEdit = canEdit
        self.canReveal = canReveal
    }
}
