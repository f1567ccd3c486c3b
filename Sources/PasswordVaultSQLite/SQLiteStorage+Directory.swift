import GRDB
import PasswordVault

extension SQLiteStorage {
    // The look-ups the vault makes on every listing or share go through the connection's
    // statement cache; the rare directory writes (SQLiteStorage+Commit.swift) prepare theirs each time.

    /// See `VaultStorage.user(named:)`.
    public func user(named username: String) async throws(StorageError) -> User? {
        try await readStatement { db in
            try Row.fetchOne(
                db.cachedStatement(sql: "SELECT id, username FROM vault_user WHERE username_key = ?"),
                arguments: [username.canonicalKey]
            ).map(Self.user)
        }
    }

    /// See `VaultStorage.user(id:)`.
    public func user(id: UserID) async throws(StorageError) -> User? {
        try await readStatement { db in
            try Row.fetchOne(
                db.cachedStatement(sql: "SELECT id, username FROM vault_user WHERE id = ?"), arguments: [id.rawValue]
            )
            .map(Self.user)
        }
    }

    /// See `VaultStorage.users()`.
    public func users() async throws(StorageError) -> [User] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT id, username FROM vault_user ORDER BY id").map(Self.user)
        }
    }

    /// See `VaultStorage.group(named:)`.
    public func group(named name: String) async throws(StorageError) -> Group? {
        try await read { db in
            let key = name.canonicalKey
            guard
                let name = try String.fetchOne(
                    db, sql: "SELECT name FROM vault_group WHERE name_key = ?", arguments: [key])
            else { return nil }
            let members = try String.fetchAll(
                db, sql: "SELECT member FROM group_member WHERE group_key = ?", arguments: [key])
            return Group(name: name, members: Set(members))
        }
    }

    /// See `VaultStorage.groups()`.
    public func groups() async throws(StorageError) -> [Group] {
        try await read { db in
            var groups: [String: Group] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT name_key, name FROM vault_group") {
                groups[try row.decode(String.self, atIndex: 0)] = Group(name: try row.decode(atIndex: 1))
            }
            for row in try Row.fetchAll(db, sql: "SELECT group_key, member FROM group_member") {
                groups[try row.decode(String.self, atIndex: 0)]?.members.insert(try row.decode(atIndex: 1))
            }
            return groups.values.sorted { $0.name < $1.name }
        }
    }

    /// See `VaultStorage.groups(containing:)`.
    public func groups(containing username: String) async throws(StorageError) -> Set<String> {
        try await readStatement { db in
            Set(
                try String.fetchAll(
                    db.cachedStatement(
                        sql: """
                            SELECT vault_group.name FROM group_member
                            JOIN vault_group ON vault_group.name_key = group_member.group_key
                            WHERE group_member.member_key = ?
                            """), arguments: [username.canonicalKey]))
        }
    }

    private static func user(_ row: Row) throws -> User {
        User(id: UserID(rawValue: try row.decode(atIndex: 0)), username: try row.decode(atIndex: 1))
    }
}
