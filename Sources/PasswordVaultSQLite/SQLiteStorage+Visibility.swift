import GRDB
import PasswordVault

extension SQLiteStorage {
    /// See `VaultStorage.entities(visibleTo:)`.
    public func entities(visibleTo query: VisibilityQuery) async throws(StorageError) -> [PasswordEntity] {
        let statement = VisibilitySQL(query)
        return try await readStatement { db in
            try Array(
                Row.fetchCursor(db, sql: statement.sql, arguments: statement.arguments)
                    .map(EntryRow.decode)
                    .filter(query.filter.matches))
        }
    }
}

/// The statement behind ``SQLiteStorage/entities(visibleTo:)``.
///
/// The identifiers come from the three indexes — `entry_owner`, the primary key of
/// `entry_user_share`, the primary key of `entry_group_share` — joined by `UNION`
/// (which removes repeats), then the rows by primary key:
///
/// ```sql
/// SELECT … FROM (SELECT id AS entry_id FROM entry WHERE owner = ?
///                UNION SELECT entry_id FROM entry_user_share WHERE username = ?
///                UNION SELECT entry_id FROM entry_group_share WHERE group_name IN (?, …)) AS visible
/// CROSS JOIN entry ON entry.id = visible.entry_id        -- CROSS JOIN fixes the loop order
/// WHERE entry.is_active AND <narrowing> ORDER BY entry.id
/// ```
///
/// The filter only narrows: the rows are checked again with
/// `ListFilter/matches(_:)`. It narrows in SQL only where SQLite's ASCII-only
/// case folding (`LIKE`, `NOCASE`) cannot drop an entry that `ListFilter`
/// matches: the text must be printable ASCII without `k`/`K` (U+212A KELVIN SIGN
/// lower-cases to `k`), `;` and `` ` `` (U+037E and U+1FEF are canonically
/// equivalent to them). Other filters are applied in Swift only. The tag is looked
/// for in each found row's own `tags` array (`json_each`): no tag index, since no
/// listing starts from a tag.
struct VisibilitySQL {
    var sql: String
    var arguments: StatementArguments

    /// Above this many groups they travel as one JSON argument instead of one placeholder each.
    static let placeholderLimit = 500

    init(_ query: VisibilityQuery) {
        var arguments: StatementArguments = [query.owner.rawValue, query.username.canonicalKey]
        var sources = """
            SELECT id AS entry_id FROM entry WHERE owner = ?
                UNION SELECT entry_id FROM entry_user_share WHERE username = ?
            """
        let groups = query.groups.map(\.canonicalKey).sorted()
        if groups.count > Self.placeholderLimit {
            sources += "\n    UNION SELECT entry_id FROM entry_group_share"
            sources += " WHERE group_name IN (SELECT value FROM json_each(?))"
            arguments += [JSONText.strings(groups)]
        } else if !groups.isEmpty {
            sources += "\n    UNION SELECT entry_id FROM entry_group_share"
            sources += " WHERE group_name IN (\(SQLiteStorage.placeholders(groups.count)))"
            arguments += StatementArguments(groups)
        }
        var conditions: [String] = []
        if !query.includeDisabled { conditions.append("entry.is_active = 1") }
        let filter = query.filter
        for (column, text) in [("name", filter.name), ("username", filter.username), ("url", filter.url)] {
            guard let text, Self.narrows(text) else { continue }
            conditions.append("entry.\(column) LIKE ? ESCAPE '\\'")
            arguments += [Self.likePattern(text)]
        }
        if let tag = filter.tag, Self.narrows(tag) {
            // Tested on the rows the sources found, from the row's own JSON array: NOCASE
            // equality, as ListFilter's case-insensitive equality for the texts `narrows` admits.
            conditions.append(
                "EXISTS (SELECT 1 FROM json_each(entry.tags) WHERE json_each.value = ? COLLATE NOCASE)")
            arguments += [tag]
        }
        sql = """
            SELECT \(EntryRow.columns.split(separator: ",").map { "entry." + $0.trimmingPrefix(" ") }.joined(separator: ", "))
            FROM (
                \(sources)
            ) AS visible
            CROSS JOIN entry ON entry.id = visible.entry_id
            \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "))
            ORDER BY entry.id
            """
        self.arguments = arguments
    }

    /// Whether SQLite's ASCII case folding agrees with `ListFilter` on `text`.
    static func narrows(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 1_000
            && text.utf8.allSatisfy { byte in
                byte >= 0x20 && byte < 0x7F && !"kK;`".utf8.contains(byte)
            }
    }

    /// `%text%` with `\`, `%` and `_` escaped.
    static func likePattern(_ text: String) -> String {
        var pattern = "%"
        for character in text {
            if character == "\\" || character == "%" || character == "_" { pattern.append("\\") }
            pattern.append(character)
        }
        return pattern + "%"
    }
}

extension SQLiteStorage {
    /// `EXPLAIN QUERY PLAN` of the listing statement for `query`, one detail per step
    /// (for tests that prove a listing uses the indexes).
    func queryPlan(for query: VisibilityQuery) async throws(StorageError) -> [String] {
        let statement = VisibilitySQL(query)
        return try await read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + statement.sql, arguments: statement.arguments)
                .map { try $0.decode(String.self, atIndex: 3) }
        }
    }

    /// The value of a pragma on the writer connection (for tests).
    func writerPragma(_ name: String) async throws(StorageError) -> String? {
        guard let writer else { return nil }
        do {
            return try await writer.writeWithoutTransaction { db in try String.fetchOne(db, sql: "PRAGMA \(name)") }
        } catch {
            throw StorageError(error)
        }
    }
}
