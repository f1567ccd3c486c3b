import Foundation
import PasswordVault

/// Bitwarden's unencrypted JSON export, the shape `bw export --format json` writes
/// (docs/contract.md §15): `folders`, and `items` with `name`, `notes`, `fields`, `folderId` and
/// `login` (`username`, `password`, `uris`, `totp`, `passwordRevisionDate`), `revisionDate`,
/// `creationDate` and `passwordHistory` (the item's earlier passwords, newest first, each with
/// its `lastUsedDate`: when it was replaced).
public enum BitwardenJSON {
    /// How many of an item's earlier passwords are read, newest first (docs/contract.md §15).
    public static let earlierPasswordLimit = 1_000

    /// One of an item's earlier passwords as `passwordHistory` holds it.
    public struct EarlierPassword: Sendable, Equatable {
        /// The password.
        public var password: String
        /// When it was replaced (`lastUsedDate`); `nil` when not known.
        public var lastUsedDate: Date?

        /// An earlier password.
        public init(password: String, lastUsedDate: Date?) {
            self.password = password
            self.lastUsedDate = lastUsedDate
        }
    }

    /// The earlier passwords of `entry` as Bitwarden's `passwordHistory` holds them
    /// (docs/contract.md §15): one for each version, oldest first in `entry.history` then the
    /// entry itself, whose password differs from the next one's (compared by Unicode scalars,
    /// as docs/contract.md §11 compares: "café" in NFC and NFD differ), dated when the next
    /// version replaced it; newest first, as Bitwarden lists them. The other fields of older
    /// versions have no place in Bitwarden JSON.
    public static func passwordHistory(of entry: InterchangeEntry) -> [EarlierPassword] {
        let versions = entry.history + [entry]
        var earlier: [EarlierPassword] = []
        for (version, next) in zip(versions, versions.dropFirst())
        where !version.password.unicodeScalars.elementsEqual(next.password.unicodeScalars) {
            earlier.append(EarlierPassword(password: version.password, lastUsedDate: next.changedAt))
        }
        return earlier.reversed()
    }

    /// `item`'s `passwordHistory` as older versions of `current`, oldest first
    /// (docs/contract.md §15, §11): each holds `current`'s fields with that earlier password,
    /// since Bitwarden keeps nothing else of them. The oldest is dated at the item's
    /// `creationDate`, each later one at the `lastUsedDate` of the password it replaced. What
    /// cannot become a version is reported in `unmapped` by its position in the file (1: the
    /// newest), never dropped silently.
    static func olderVersions(
        _ item: [String: Any], current: InterchangeEntry, unmapped: inout [String]
    ) -> [InterchangeEntry] {
        guard let raw = item["passwordHistory"], !(raw is NSNull) else { return [] }
        guard let list = raw as? [Any] else {
            unmapped.append("passwordHistory that is not a list")
            return []
        }
        // Bitwarden writes an earlier value of a hidden custom field as "NAME: value".
        let hidden = (item["fields"] as? [[String: Any]] ?? []).compactMap { field in
            field["type"] as? Int == 1 ? field["name"] as? String : nil
        }
        // A vault keeps at most 100 old versions (docs/contract.md §11): the newest
        // `earlierPasswordLimit` are read, so a hostile item costs bounded time.
        if list.count > earlierPasswordLimit {
            unmapped.append(
                "\(list.count - earlierPasswordLimit) oldest password history item(s) beyond the reader's limit of "
                    + "\(earlierPasswordLimit)")
        }
        var kept: [EarlierPassword] = []
        for (index, element) in list.prefix(earlierPasswordLimit).enumerated() {
            let position = index + 1
            guard let object = element as? [String: Any], let password = object["password"] as? String else {
                unmapped.append("password history item \(position): no password (left out)")
                continue
            }
            if let field = hidden.first(where: { !$0.isEmpty && password.hasPrefix("\($0): ") }) {
                unmapped.append("password history item \(position): an earlier value of hidden field '\(field)'")
                continue
            }
            let date = (object["lastUsedDate"] as? String).flatMap(KDBXTime.iso8601)
            if date == nil {
                unmapped.append("password history item \(position): unreadable lastUsedDate (the import time is used)")
            }
            kept.append(EarlierPassword(password: password, lastUsedDate: date))
        }
        guard !kept.isEmpty else { return [] }
        kept.reverse()
        var created: Date?
        if let text = item["creationDate"], !(text is NSNull) {
            created = (text as? String).flatMap(KDBXTime.iso8601)
        }
        if created == nil {
            // The oldest password was in use at the latest when it was replaced.
            created = kept[0].lastUsedDate
            unmapped.append(
                "\(item["creationDate"] == nil || item["creationDate"] is NSNull ? "no" : "unreadable") creationDate "
                    + "(the oldest password is dated at its lastUsedDate)")
        }
        var base = current
        (base.history, base.unmapped) = ([], [])
        return kept.enumerated().map { index, earlier in
            var version = base
            version.password = earlier.password
            version.changedAt = index == 0 ? created : kept[index - 1].lastUsedDate
            return version
        }
    }

    /// The entries of `file`.
    public static func read(_ file: [UInt8]) throws(InterchangeError) -> [InterchangeEntry] {
        guard file.count <= 256 << 20 else { throw .overLimit("file size") }
        let root: [String: Any]
        do {
            guard let object = try JSONSerialization.jsonObject(with: Data(file)) as? [String: Any] else {
                throw InterchangeError.notThisFormat("Bitwarden JSON")
            }
            root = object
        } catch {
            throw .notThisFormat("Bitwarden JSON")
        }
        if root["encrypted"] as? Bool == true { throw .unsupported("an encrypted Bitwarden export") }
        guard let items = root["items"] as? [[String: Any]] else { throw .notThisFormat("Bitwarden JSON") }
        var folders: [String: String] = [:]
        for folder in root["folders"] as? [[String: Any]] ?? [] {
            if let id = folder["id"] as? String, let name = folder["name"] as? String { folders[id] = name }
        }
        return items.map { item in
            var entry = InterchangeEntry(name: item["name"] as? String ?? "")
            entry.notes = item["notes"] as? String ?? ""
            if let folder = item["folderId"] as? String, let name = folders[folder] { entry.tags.append(name) }
            let type = item["type"] as? Int ?? 1
            if let login = item["login"] as? [String: Any] {
                entry.username = login["username"] as? String ?? ""
                entry.password = login["password"] as? String ?? ""
                let totp = login["totp"] as? String ?? ""
                entry.secretKey = totp.isEmpty ? nil : totp
                let uris = (login["uris"] as? [[String: Any]] ?? []).compactMap { $0["uri"] as? String }
                entry.url = uris.first ?? ""
                if uris.count > 1 { entry.unmapped.append("\(uris.count - 1) further URI(s)") }
                if let passkeys = login["fido2Credentials"] as? [Any], !passkeys.isEmpty {
                    entry.unmapped.append("passkeys")
                }
                // The first URI's match rule (exact, host, regular expression…) has no place.
                if let first = (login["uris"] as? [[String: Any]])?.first, let match = first["match"],
                    !(match is NSNull)
                {
                    entry.unmapped.append("URI match rule")
                }
            }
            // Bitwarden's per-item settings have no place in ours (docs/contract.md §15).
            if let reprompt = item["reprompt"] as? Int, reprompt != 0 {
                entry.unmapped.append("master password re-prompt")
            }
            if item["favorite"] as? Bool == true { entry.unmapped.append("favorite") }
            switch type {
            case 1: break
            case 2: entry.unmapped.append("secure note item (no login)")
            case 3: entry.unmapped.append("card details")
            case 4: entry.unmapped.append("identity details")
            default: entry.unmapped.append("item of type \(type)")
            }
            for field in item["fields"] as? [[String: Any]] ?? [] {
                // Our own export writes tags after the first (the folder) as text fields "tag".
                if field["name"] as? String == "tag", let tag = field["value"] as? String, !tag.isEmpty {
                    if !entry.tags.contains(tag) { entry.tags.append(tag) }
                    continue
                }
                entry.unmapped.append("custom field '\(field["name"] as? String ?? "")'")
            }
            if let attachments = item["attachments"] as? [Any], !attachments.isEmpty {
                entry.unmapped.append("\(attachments.count) attachment(s)")
            }
            // When the item last changed (ISO 8601, milliseconds); one this reader cannot read is
            // reported and left out, as in a KDBX file (docs/contract.md §15).
            if let revised = item["revisionDate"], !(revised is NSNull) {
                entry.changedAt = (revised as? String).flatMap(KDBXTime.iso8601)
                if entry.changedAt == nil { entry.unmapped.append("unreadable revisionDate (the import time is used)") }
            }
            // Earlier passwords become older versions, imported in the entry's one atomic create
            // (docs/contract.md §15, §11).
            entry.history = olderVersions(item, current: entry, unmapped: &entry.unmapped)
            return entry
        }
    }

    /// `entries` as a Bitwarden JSON export: one login item each; the first tag is its folder;
    /// the earlier passwords of its older versions (``passwordHistory(of:)``) its `passwordHistory`.
    public static func write(_ entries: [InterchangeEntry]) -> [UInt8] {
        var folderIDs: [String: String] = [:]
        var folders: [[String: Any]] = []
        var items: [[String: Any]] = []
        for entry in entries {
            var folderID: Any = NSNull()
            if let tag = entry.tags.first {
                if folderIDs[tag] == nil {
                    let id = UUID().uuidString.lowercased()
                    folderIDs[tag] = id
                    folders.append(["id": id, "name": tag])
                }
                folderID = folderIDs[tag]!
            }
            let fields: [[String: Any]] = entry.tags.dropFirst().map {
                ["name": "tag", "value": $0, "type": 0, "linkedId": NSNull()]
            }
            var login: [String: Any] = [
                "uris": entry.url.isEmpty ? [] : [["match": NSNull(), "uri": entry.url]],
                "username": entry.username, "password": entry.password,
                "totp": entry.secretKey.map { $0 as Any } ?? NSNull(),
            ]
            let earlier = passwordHistory(of: entry)
            if let newest = earlier.first {
                login["passwordRevisionDate"] = newest.lastUsedDate.flatMap { AuditTime($0).iso8601 } ?? NSNull()
            }
            var item: [String: Any] = [
                "id": UUID().uuidString.lowercased(), "organizationId": NSNull(), "folderId": folderID, "type": 1,
                "reprompt": 0, "name": entry.name, "notes": entry.notes.isEmpty ? NSNull() : entry.notes,
                "favorite": false, "fields": fields, "login": login, "collectionIds": NSNull(),
            ]
            if let time = entry.changedAt.flatMap({ AuditTime($0).iso8601 }) { item["revisionDate"] = time }
            // The oldest version written is when the oldest password came in (as KDBX's CreationTime).
            if let time = (entry.history.first ?? entry).changedAt.flatMap({ AuditTime($0).iso8601 }) {
                item["creationDate"] = time
            }
            if !earlier.isEmpty {
                item["passwordHistory"] = earlier.map { earlier -> [String: Any] in
                    [
                        "password": earlier.password,
                        "lastUsedDate": earlier.lastUsedDate.flatMap { AuditTime($0).iso8601 } ?? NSNull(),
                    ]
                }
            }
            items.append(item)
        }
        let root: [String: Any] = ["encrypted": false, "folders": folders, "items": items]
        let data = try? JSONSerialization.data(withJSONObject: root, options: [.prettyPrinted, .sortedKeys])
        return Array(data ?? Data())
    }
}

/// Bitwarden's CSV export (read only): `folder,favorite,type,name,notes,fields,reprompt,
/// login_uri,login_username,login_password,login_totp`.
public enum BitwardenCSV {
    /// The entries of `file`.
    public static func read(_ file: [UInt8]) throws(InterchangeError) -> [InterchangeEntry] {
        guard file.count <= 256 << 20 else { throw .overLimit("file size") }
        var text = String(decoding: file, as: UTF8.self)
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        let rows = try records(text)
        guard let header = rows.first, header.contains("name"), header.contains("login_password") else {
            throw .notThisFormat("Bitwarden CSV")
        }
        func column(_ row: [String], _ name: String) -> String {
            guard let index = header.firstIndex(of: name), index < row.count else { return "" }
            return row[index]
        }
        return rows.dropFirst().filter { $0 != [""] }.map { row in
            var entry = InterchangeEntry(
                name: column(row, "name"), username: column(row, "login_username"),
                password: column(row, "login_password"), url: column(row, "login_uri"), notes: column(row, "notes"))
            let folder = column(row, "folder")
            if !folder.isEmpty { entry.tags.append(folder) }
            let totp = column(row, "login_totp")
            entry.secretKey = totp.isEmpty ? nil : totp
            let fields = column(row, "fields")
            if !fields.isEmpty { entry.unmapped.append("custom fields") }
            let type = column(row, "type")
            if !type.isEmpty, type != "login" { entry.unmapped.append("item of type \(type)") }
            if !["", "0"].contains(column(row, "reprompt")) { entry.unmapped.append("master password re-prompt") }
            if column(row, "favorite") == "1" { entry.unmapped.append("favorite") }
            return entry
        }
    }

    /// RFC 4180 records: quoted fields may hold commas, quotes (doubled) and line breaks.
    static func records(_ text: String) throws(InterchangeError) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var iterator = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = iterator.next()
        while let scalar = pending {
            pending = iterator.next()
            if quoted {
                if scalar == "\"" {
                    if pending == "\"" {
                        field.unicodeScalars.append("\"")
                        pending = iterator.next()
                    } else {
                        quoted = false
                    }
                } else {
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"": quoted = true
            case ",":
                row.append(field)
                field = ""
            case "\r": break
            case "\n":
                row.append(field)
                rows.append(row)
                row = []
                field = ""
            default: field.unicodeScalars.append(scalar)
            }
        }
        guard !quoted else { throw .truncated }
        if !field.isEmpty || !row.isEmpty {
            row.append(field)
            rows.append(row)
        }
        return rows
    }
}
