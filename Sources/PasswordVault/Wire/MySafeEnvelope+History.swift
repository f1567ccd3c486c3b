/// The history answers (docs/contract.md §11).
extension MySafeEnvelope {
    /// One `password_history` item: the version's metadata, never a secret.
    static func historyItem(_ version: EntryVersion) -> JSONValue {
        let entity = version.entity
        return .object([
            ("version", .int(Int(clamping: version.version))),
            ("current", .bool(version.isCurrent)),
            ("changed_at", .string(AuditTime(entity.updatedAt).iso8601)),
            ("changed_by", .string(version.changedBy?.username)),
            ("changed_fields", .array(entity.changedFields.names.map { .string($0) })),
            ("name", .string(entity.name)),
            ("username", .string(entity.username)),
            ("url", .string(entity.url)),
            ("tags", .string(Tags.join(entity.tags))),
        ])
    }
}
