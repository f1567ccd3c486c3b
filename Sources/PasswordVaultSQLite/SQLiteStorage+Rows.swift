import Foundation
import GRDB
import PasswordVault

/// How a `PasswordEntity` maps to an `entry` row.
enum EntryRow {
    /// The columns, in the order ``decode(_:)`` reads them.
    static let columns = """
        id, name, username, url, tags, owner, users_allowed, groups_allowed, is_active, created_at, updated_at, \
        version, sealed_password, sealed_secret_key, sealed_notes, revision, changed_by, changed_fields, \
        need_justify, need_approval, needs_rotation
        """

    /// How many columns ``columns`` lists.
    static let columnCount = 21

    /// `INSERT` of a whole row, the values in the order of ``columns``.
    static let insertSQL = "INSERT INTO entry (\(columns)) VALUES (\(SQLiteStorage.placeholders(columnCount)))"
    /// One row by primary key.
    static let selectByIDSQL = "SELECT \(columns) FROM entry WHERE id = ?"
    /// Compare-and-set: the values of ``columns``, then the identifier and the expected version.
    static let updateSQL = """
        UPDATE entry SET (\(columns)) = (\(SQLiteStorage.placeholders(columnCount))) WHERE id = ? AND version = ?
        """
    /// A page in identifier order.
    static let pageSQL = "SELECT \(columns) FROM entry WHERE id > ? ORDER BY id LIMIT ?"

    /// The values for ``columns``, in order. Check the texts with ``refuseNUL(in:)`` first.
    static func arguments(_ entity: PasswordEntity) -> StatementArguments {
        [
            entity.identifier.rawValue, entity.name, entity.username, entity.url, JSONText.strings(entity.tags),
            entity.owner.rawValue, JSONText.userShares(entity.usersAllowed), JSONText.groupShares(entity.groupsAllowed),
            entity.isActive, entity.createdAt.timeIntervalSinceReferenceDate,
            entity.updatedAt.timeIntervalSinceReferenceDate, Int64(bitPattern: entity.version),
            Data(entity.sealedPassword.bytes), entity.sealedSecretKey.map { Data($0.bytes) },
            entity.sealedNotes.map { Data($0.bytes) }, Int64(bitPattern: entity.revision), entity.changedBy.rawValue,
            Int64(entity.changedFields.rawValue), entity.needJustify, Int64(entity.needApproval),
            entity.needsRotation,
        ]
    }

    /// An entity from a row of ``columns``; a damaged row is `StorageError/corrupted(_:)`.
    static func decode(_ row: Row) throws -> PasswordEntity {
        let raw: Int64 = try row.decode(atIndex: 0)
        guard let id = EntryID(rawValue: raw) else { throw StorageError.corrupted("an entry has identifier \(raw)") }
        do {
            return PasswordEntity(
                identifier: id, name: try row.decode(atIndex: 1), username: try row.decode(atIndex: 2),
                url: try row.decode(atIndex: 3),
                tags: try JSONText.decodeStrings(try row.decode(String.self, atIndex: 4)),
                owner: UserID(rawValue: try row.decode(atIndex: 5)),
                usersAllowed: try JSONText.decodeShares(try row.decode(String.self, atIndex: 6)),
                groupsAllowed: try JSONText.decodeShares(try row.decode(String.self, atIndex: 7)),
                isActive: try row.decode(atIndex: 8),
                createdAt: Date(timeIntervalSinceReferenceDate: try row.decode(atIndex: 9)),
                updatedAt: Date(timeIntervalSinceReferenceDate: try row.decode(atIndex: 10)),
                version: UInt64(bitPattern: try row.decode(Int64.self, atIndex: 11)),
                revision: try revision(row.decode(Int64.self, atIndex: 15)),
                changedBy: UserID(rawValue: try row.decode(atIndex: 16)),
                changedFields: try changedFields(row.decode(Int64.self, atIndex: 17)),
                sealedPassword: SealedValue(bytes: Array(try row.decode(Data.self, atIndex: 12))),
                sealedSecretKey: (try row.decode(Data?.self, atIndex: 13)).map { SealedValue(bytes: Array($0)) },
                sealedNotes: (try row.decode(Data?.self, atIndex: 14)).map { SealedValue(bytes: Array($0)) },
                needJustify: try row.decode(atIndex: 18), needApproval: try needApproval(row.decode(atIndex: 19)),
                needsRotation: try row.decode(atIndex: 20))
        } catch {
            throw StorageError.corrupted("entry \(id) cannot be read: \(type(of: error))")
        }
    }

    private struct DamagedColumn: Error {}

    private static func revision(_ raw: Int64) throws -> UInt64 {
        guard raw >= 1 else { throw DamagedColumn() }
        return UInt64(raw)
    }

    /// The approvals count of docs/contract.md §13: 0 to 5.
    private static func needApproval(_ raw: Int64) throws -> Int {
        guard (0...5).contains(raw) else { throw DamagedColumn() }
        return Int(raw)
    }

    private static func changedFields(_ raw: Int64) throws -> ChangedFields {
        guard let bits = UInt16(exactly: raw), ChangedFields.known.isSuperset(of: ChangedFields(rawValue: bits)) else {
            throw DamagedColumn()
        }
        return ChangedFields(rawValue: bits)
    }

    /// SQLite text goes through C strings in GRDB, which would cut it at a NUL:
    /// such text is refused rather than silently truncated. A `needApproval` outside 0–5
    /// (docs/contract.md §13), which a read would take for damage, is refused too.
    static func refuseNUL(in entity: PasswordEntity) throws(StorageError) {
        guard (0...5).contains(entity.needApproval) else {
            throw .failure("entry \(entity.identifier): need_approval \(entity.needApproval) is outside 0 to 5")
        }
        func hasNUL(_ text: String) -> Bool {
            var text = text
            return text.withUTF8 { $0.contains(0) }
        }
        if hasNUL(entity.name) || hasNUL(entity.username) || hasNUL(entity.url) || entity.tags.contains(where: hasNUL)
            || entity.usersAllowed.contains(where: { hasNUL($0.username) })
            || entity.groupsAllowed.contains(where: { hasNUL($0.name) })
        {
            throw .failure("entry \(entity.identifier): text with a NUL character cannot be stored in SQLite")
        }
    }

    static func refuseNUL(_ texts: [String], what: String) throws(StorageError) {
        if texts.contains(where: { $0.utf8.contains(0) }) {
            throw .failure("\(what): text with a NUL character cannot be stored in SQLite")
        }
    }
}

/// The share index tables' statements, from the connection's statement cache.
struct ShareIndex {
    let user: Statement
    let group: Statement
    let removeUser: Statement
    let removeGroup: Statement

    /// A user share's index row: the username's NFC form, the entry.
    static let userInsertSQL = "INSERT OR IGNORE INTO entry_user_share (username, entry_id) VALUES (?, ?)"
    /// A group share's index row: the group name's NFC form, the entry.
    static let groupInsertSQL = "INSERT OR IGNORE INTO entry_group_share (group_name, entry_id) VALUES (?, ?)"

    init(_ db: Database) throws {
        user = try db.cachedStatement(sql: Self.userInsertSQL)
        group = try db.cachedStatement(sql: Self.groupInsertSQL)
        removeUser = try db.cachedStatement(sql: "DELETE FROM entry_user_share WHERE entry_id = ?")
        removeGroup = try db.cachedStatement(sql: "DELETE FROM entry_group_share WHERE entry_id = ?")
    }

    /// Writes the index rows of `entity` (after its row).
    func add(_ entity: PasswordEntity) throws {
        let id = entity.identifier.rawValue
        for share in entity.usersAllowed { try user.execute(arguments: [share.username.canonicalKey, id]) }
        for share in entity.groupsAllowed { try group.execute(arguments: [share.name.canonicalKey, id]) }
    }

    /// Removes the index rows of the entry `id`.
    func remove(_ id: EntryID) throws {
        try removeUser.execute(arguments: [id.rawValue])
        try removeGroup.execute(arguments: [id.rawValue])
    }
}

/// JSON for the arrays kept in an `entry` row, written by hand (it is on the path
/// of every write) and read back by hand when it has the common shapes (an empty
/// array; strings without escapes), with `JSONDecoder` otherwise.
enum JSONText {
    static func strings(_ values: [String]) -> String {
        var out = "["
        for (index, value) in values.enumerated() {
            if index > 0 { out += "," }
            quote(value, into: &out)
        }
        return out + "]"
    }

    /// Appends the bytes of ``strings(_:)`` to `out`, straight from each string's UTF-8
    /// when none needs an escape (the common case; no `String` is built), else through
    /// ``strings(_:)``.
    static func appendStrings(_ values: [String], to out: inout [UInt8]) {
        let start = out.count
        out.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "\""))
            var value = value
            let plain = value.withUTF8 { bytes in
                // What `quote` escapes: the quote, the backslash, control characters.
                guard !bytes.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") })
                else { return false }
                out.append(contentsOf: bytes)
                return true
            }
            guard plain else {
                out.removeSubrange(start...)
                out.append(contentsOf: strings(values).utf8)
                return
            }
            out.append(UInt8(ascii: "\""))
        }
        out.append(UInt8(ascii: "]"))
    }

    /// `[{"username":…,"canEdit":…}, …]`; `"canReveal":false` follows `canEdit` only in a share
    /// that may not reveal (schema migration v5, docs/contract.md §13), so that a share that
    /// reveals is written exactly as before v5 and an old row reads as revealing.
    static func userShares(_ shares: [UserShare]) -> String {
        shares.isEmpty ? "[]" : objects(shares.map { ("username", $0.username, $0.canEdit, $0.canReveal) })
    }

    /// `[{"name":…,"canEdit":…}, …]`, with `"canReveal":false` as in ``userShares(_:)``.
    static func groupShares(_ shares: [GroupShare]) -> String {
        shares.isEmpty ? "[]" : objects(shares.map { ("name", $0.name, $0.canEdit, $0.canReveal) })
    }

    private static func objects(_ items: [(key: String, name: String, canEdit: Bool, canReveal: Bool)]) -> String {
        var out = "["
        for (index, item) in items.enumerated() {
            out += index > 0 ? ",{\"" : "{\""
            out += item.key
            out += "\":"
            quote(item.name, into: &out)
            out += item.canEdit ? ",\"canEdit\":true" : ",\"canEdit\":false"
            out += item.canReveal ? "}" : ",\"canReveal\":false}"
        }
        return out + "]"
    }

    /// The array of strings in `text`.
    static func decodeStrings(_ text: String) throws -> [String] {
        if let values = plainStrings(text) { return values }
        return try JSONDecoder().decode([String].self, from: Data(text.utf8))
    }

    /// The shares in `text` (`UserShare` or `GroupShare` objects).
    static func decodeShares<Share: Decodable>(_ text: String) throws -> [Share] {
        if text == "[]" { return [] }
        return try JSONDecoder().decode([Share].self, from: Data(text.utf8))
    }

    /// `["…","…"]` as ``strings(_:)`` writes it when no string needs an escape; `nil` for
    /// anything else (escapes, spaces, other JSON), which `JSONDecoder` then reads.
    static func plainStrings(_ text: String) -> [String]? {
        var text = text
        return text.withUTF8 { bytes -> [String]? in
            let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ",")
            guard bytes.count >= 2, bytes[0] == UInt8(ascii: "["), bytes[bytes.count - 1] == UInt8(ascii: "]")
            else { return nil }
            var values: [String] = []
            var index = 1
            let end = bytes.count - 1
            while index < end {
                if !values.isEmpty {
                    guard bytes[index] == comma else { return nil }
                    index += 1
                }
                guard index < end, bytes[index] == quote else { return nil }
                let start = index + 1
                var close = start
                while close < end, bytes[close] != quote {
                    // An escape, or a control character JSON would have escaped.
                    if bytes[close] == UInt8(ascii: "\\") || bytes[close] < 0x20 { return nil }
                    close += 1
                }
                guard close < end else { return nil }
                values.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<close]), as: UTF8.self))
                index = close + 1
            }
            return values
        }
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
