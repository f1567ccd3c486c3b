import Foundation
import GRDB
import PasswordVault

/// How a `PasswordEntity` maps to an `entry` row.
enum EntryRow {
    /// The columns, in the order ``decode(_:)`` reads them.
    static let columns = """
        id, name, username, url, tags, owner, users_allowed, groups_allowed, is_active, created_at, updated_at, \
        version, sealed_password, sealed_secret_key, sealed_notes
        """

    /// The values for ``columns``, in order.
    static func arguments(_ entity: PasswordEntity) throws(StorageError) -> StatementArguments {
        try refuseNUL(in: entity)
        return [
            entity.identifier.rawValue, entity.name, entity.username, entity.url, JSONText.strings(entity.tags),
            entity.owner.rawValue, JSONText.userShares(entity.usersAllowed), JSONText.groupShares(entity.groupsAllowed),
            entity.isActive, entity.createdAt.timeIntervalSinceReferenceDate,
            entity.updatedAt.timeIntervalSinceReferenceDate, Int64(bitPattern: entity.version),
            Data(entity.sealedPassword.bytes), entity.sealedSecretKey.map { Data($0.bytes) },
            entity.sealedNotes.map { Data($0.bytes) },
        ]
    }

    /// An entity from a row of ``columns``; a damaged row is `StorageError/corrupted(_:)`.
    static func decode(_ row: Row) throws -> PasswordEntity {
        let raw: Int64 = try row.decode(atIndex: 0)
        guard let id = EntryID(rawValue: raw) else { throw StorageError.corrupted("an entry has identifier \(raw)") }
        do {
            let decoder = JSONDecoder()
            return PasswordEntity(
                identifier: id, name: try row.decode(atIndex: 1), username: try row.decode(atIndex: 2),
                url: try row.decode(atIndex: 3),
                tags: try decoder.decode([String].self, from: Data((try row.decode(String.self, atIndex: 4)).utf8)),
                owner: UserID(rawValue: try row.decode(atIndex: 5)),
                usersAllowed: try decoder.decode(
                    [UserShare].self, from: Data((try row.decode(String.self, atIndex: 6)).utf8)),
                groupsAllowed: try decoder.decode(
                    [GroupShare].self, from: Data((try row.decode(String.self, atIndex: 7)).utf8)),
                isActive: try row.decode(atIndex: 8),
                createdAt: Date(timeIntervalSinceReferenceDate: try row.decode(atIndex: 9)),
                updatedAt: Date(timeIntervalSinceReferenceDate: try row.decode(atIndex: 10)),
                version: UInt64(bitPattern: try row.decode(Int64.self, atIndex: 11)),
                sealedPassword: SealedValue(bytes: Array(try row.decode(Data.self, atIndex: 12))),
                sealedSecretKey: (try row.decode(Data?.self, atIndex: 13)).map { SealedValue(bytes: Array($0)) },
                sealedNotes: (try row.decode(Data?.self, atIndex: 14)).map { SealedValue(bytes: Array($0)) })
        } catch {
            throw StorageError.corrupted("entry \(id) cannot be read: \(type(of: error))")
        }
    }

    /// SQLite text goes through C strings in GRDB, which would cut it at a NUL:
    /// such text is refused rather than silently truncated.
    static func refuseNUL(in entity: PasswordEntity) throws(StorageError) {
        let texts =
            [entity.name, entity.username, entity.url] + entity.tags + entity.usersAllowed.map(\.username)
            + entity.groupsAllowed.map(\.name)
        try refuseNUL(texts, what: "entry \(entity.identifier)")
    }

    static func refuseNUL(_ texts: [String], what: String) throws(StorageError) {
        if texts.contains(where: { $0.utf8.contains(0) }) {
            throw .failure("\(what): text with a NUL character cannot be stored in SQLite")
        }
    }

    /// Writes the index rows of `entity` (after its row).
    static func index(_ entity: PasswordEntity, _ db: Database) throws {
        let id = entity.identifier.rawValue
        let user = try db.cachedStatement(
            sql: "INSERT OR IGNORE INTO entry_user_share (username, entry_id) VALUES (?, ?)")
        for share in entity.usersAllowed { try user.execute(arguments: [share.username.canonicalKey, id]) }
        let group = try db.cachedStatement(
            sql: "INSERT OR IGNORE INTO entry_group_share (group_name, entry_id) VALUES (?, ?)")
        for share in entity.groupsAllowed { try group.execute(arguments: [share.name.canonicalKey, id]) }
    }

    /// Removes the index rows of the entry `id`.
    static func unindex(_ id: EntryID, _ db: Database) throws {
        for table in ["entry_user_share", "entry_group_share"] {
            try db.cachedStatement(sql: "DELETE FROM \(table) WHERE entry_id = ?").execute(arguments: [id.rawValue])
        }
    }
}

/// JSON for the arrays kept in an `entry` row, written by hand (it is on the path
/// of every write) and read back with `JSONDecoder`.
enum JSONText {
    static func strings(_ values: [String]) -> String {
        var out = "["
        for (index, value) in values.enumerated() {
            if index > 0 { out += "," }
            quote(value, into: &out)
        }
        return out + "]"
    }

    static func userShares(_ shares: [UserShare]) -> String {
        shares.isEmpty ? "[]" : objects(shares.map { ("username", $0.username, $0.canEdit) })
    }

    static func groupShares(_ shares: [GroupShare]) -> String {
        shares.isEmpty ? "[]" : objects(shares.map { ("name", $0.name, $0.canEdit) })
    }

    private static func objects(_ items: [(key: String, name: String, canEdit: Bool)]) -> String {
        var out = "["
        for (index, item) in items.enumerated() {
            out += index > 0 ? ",{\"" : "{\""
            out += item.key
            out += "\":"
            quote(item.name, into: &out)
            out += item.canEdit ? ",\"canEdit\":true}" : ",\"canEdit\":false}"
        }
        return out + "]"
    }

    private static func quote(_ value: String, into out: inout String) {
        out.unicodeScalars.append("\"")
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out.unicodeScalars.append("\"")
    }
}

extension String {
    /// The Unicode NFC form, under which SQLite's byte comparison agrees with
    /// Swift's canonical-equivalence `==`. ASCII is its own NFC form.
    var canonicalKey: String {
        utf8.allSatisfy { $0 < 0x80 } ? self : precomposedStringWithCanonicalMapping
    }
}
