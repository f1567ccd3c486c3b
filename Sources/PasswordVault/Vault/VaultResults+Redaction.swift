extension RevealedEntry: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The entry and role; the password, notes, seed and the current TOTP code (a credential for
    /// its time step) as `<redacted>` (`nil` for those the entry lacks).
    public var description: String {
        "RevealedEntry(entry \(entity.identifier), \(role), password: <redacted>, notes: \(Self.redacted(notes)), "
            + "secretKey: \(Self.redacted(secretKey)), code: \(Self.redacted(code)))"
    }
    /// Same as ``description``.
    public var debugDescription: String { description }
    /// The entity and role as they are; every secret as `<redacted>` (or `nil`).
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "entity": entity, "role": role, "password": "<redacted>", "notes": Self.redacted(notes),
                "secretKey": Self.redacted(secretKey), "secretKeyText": Self.redacted(secretKeyText),
                "code": Self.redacted(code),
            ], displayStyle: .struct)
    }

    private static func redacted(_ value: (some Any)?) -> String { value == nil ? "nil" : "<redacted>" }
}
