import ArgumentParser
import Foundation
import PasswordVault

/// `pwvault audit`: read, verify and export the vault's audit trail (docs/contract.md §12).
///
/// The trail is the administrator's to read (whoever holds the vault's passphrase); with
/// `--as USER` and `--entry ID` an entry's owner reads its entry's records.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Show, verify or export the audit trail (who did what; never a secret).",
        subcommands: [AuditListCommand.self, AuditVerifyCommand.self, AuditExportCommand.self],
        defaultSubcommand: AuditListCommand.self)
}

/// `pwvault audit [--entry ID] [--actor USER] [--action A] [--since T] [--until T] [--json]`.
struct AuditListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "Show the audit records, oldest first (the default of `pwvault audit`).")
    @OptionGroup var vault: VaultOptions
    @Option(help: ArgumentHelp("Only the records about this entry.", valueName: "id")) var entry: String?
    @Option(help: ArgumentHelp("Only the records by this user (or `vault` for the administrator).", valueName: "user"))
    var actor: String?
    @Option(help: ArgumentHelp("Only the records of this action (create, reveal, …).", valueName: "action"))
    var action: String?
    @Option(help: ArgumentHelp(AuditTimeArgument.help("at or after"), valueName: "time")) var since: String?
    @Option(help: ArgumentHelp(AuditTimeArgument.help("before"), valueName: "time")) var until: String?
    @Option(name: .customLong("from-seq"), help: ArgumentHelp("Only the records from this seq on.", valueName: "seq"))
    var fromSeq: UInt64?
    @Option(help: ArgumentHelp("At most this many records.", valueName: "n")) var limit: Int?
    @Option(
        name: .customLong("as"),
        help: ArgumentHelp("Read as this user: an entry's owner reads its records (needs --entry).", valueName: "user"))
    var username: String?
    @Flag(help: "One JSON object per line, as `audit export` writes.") var json = false

    func validate() throws {
        if let action, AuditAction(rawValue: action) == nil {
            throw ValidationError(
                "unknown action \(NameRule.quoted(action)); one of: "
                    + AuditAction.allCases.map(\.rawValue).joined(separator: ", "))
        }
        if let limit, limit < 0 { throw ValidationError("the limit must be 0 or more, not \(limit)") }
        if username != nil, entry == nil { throw ValidationError("--as reads one entry's records: give --entry too") }
        if let since { _ = try AuditTimeArgument.parse(since, option: "since") }
        if let until { _ = try AuditTimeArgument.parse(until, option: "until") }
    }

    func run() async throws {
        try await runReporting {
            let opened = try await vault.openVault()
            var query = AuditQuery(fromSeq: fromSeq ?? 1, limit: limit ?? .max)
            query.action = action.flatMap(AuditAction.init(rawValue:))
            query.since = try since.map { try AuditTimeArgument.parse($0, option: "since") }
            query.before = try until.map { try AuditTimeArgument.parse($0, option: "until") }
            if let actor { query.actor = try await Self.match(actor, in: opened) }
            let records: [AuditRecord]
            if let entry {
                guard let id = EntryID(entry) else { throw CLIFailure.refused(VaultError.notFound.message) }
                if let username {
                    let user = try await Self.user(named: username, in: opened)
                    records = try await opened.entryAudit(id, as: user, query)
                } else {
                    query.entry = id
                    records = try await opened.auditRecords(query)
                }
            } else {
                records = try await opened.auditRecords(query)
            }
            if json {
                var text = ""
                for record in records { text += try record.jsonLine() + "\n" }
                print(text, terminator: "")
            } else {
                var rows = [["SEQ", "TIME", "ACTOR", "ACTION", "ENTRY", "OUTCOME", "FIELDS", "JUSTIFICATION"]]
                rows += records.map { Self.row($0) }
                print(ListCommand().table(rows), terminator: "")
            }
        }
    }

    /// The actor filter for `--actor`: `vault`, or a username the directory knows.
    static func match(_ name: String, in vault: Vault) async throws -> AuditActorMatch {
        if name == "vault" { return .vault }
        return .user(try await user(named: name, in: vault).id)
    }

    static func user(named name: String, in vault: Vault) async throws -> User {
        guard let user = try await vault.user(named: name) else {
            throw CLIFailure.usage("unknown user \(NameRule.quoted(name))")
        }
        return user
    }

    /// A record as a table row: seq, time (unless `showingTime` is false), actor, action, entry,
    /// outcome, fields, justification.
    static func row(_ record: AuditRecord, showingTime: Bool = true) -> [String] {
        let event = record.event
        let actor =
            switch event.actor {
            case .vault: "vault"
            case .user(let id, let username): "\(username) (\(id))"
            }
        let time = showingTime ? [event.time.iso8601 ?? String(event.time.rawValue)] : []
        return [String(record.seq)] + time + [
            actor, event.action.rawValue, event.entry.map { "\($0)" } ?? "-", event.outcome.text,
            event.fields.joined(separator: ","), event.justification ?? "",
        ]
    }
}

/// `pwvault audit verify [--file FILE]`: exit 0 when intact, 1 naming the first broken seq.
struct AuditVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check that no audit record was edited, removed, inserted, reordered or cut off (exit 1 if one was).")
    @OptionGroup var vault: VaultOptions
    @Option(
        help: ArgumentHelp("Check an export (`audit export`) against the vault's audit key instead.", valueName: "path")
    )
    var file: String?

    func run() async throws {
        try await runReporting {
            let opened = try await vault.openVault()
            let verdict: AuditVerification
            if let file {
                verdict = try await opened.verifyAuditExport(try AuditExportFile.read(file))
            } else {
                verdict = try await opened.verifyAudit()
            }
            switch verdict {
            case .intact(let records):
                print("intact, \(records) record\(records == 1 ? "" : "s")")
            case .broken(let seq, let reason):
                throw CLIFailure.refused("broken at seq \(seq): \(reason.rawValue)")
            }
        }
    }
}

/// `pwvault audit export FILE`: the whole trail as JSON Lines, in a new file readable by its owner only.
struct AuditExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Write the whole audit trail to a new file, one JSON record a line.")
    @OptionGroup var vault: VaultOptions
    @Argument(help: ArgumentHelp("The file to write (it must not exist).", valueName: "path")) var file: String

    func run() async throws {
        try await runReporting {
            let opened = try await vault.openVault()
            let records = try await opened.auditRecords()
            var text = ""
            for record in records { text += try record.jsonLine() + "\n" }
            try AuditExportFile.write(Array(text.utf8), to: file)
            print("Exported \(records.count) audit record\(records.count == 1 ? "" : "s") to \(file)")
        }
    }
}

/// Reading and writing export files.
enum AuditExportFile {
    /// Exports larger than this are refused before they are read (a 1,000,000-record trail is
    /// about 250 MB).
    static let maximumBytes = 2 << 30

    static func read(_ path: String) throws -> [AuditRecord] {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CLIFailure.usage("cannot read \(path)")
        }
        defer { try? handle.close() }
        let data: Data
        do { data = try handle.read(upToCount: maximumBytes + 1) ?? Data() } catch {
            throw CLIFailure.usage("cannot read \(path): \(error.localizedDescription)")
        }
        guard data.count <= maximumBytes else {
            throw CLIFailure.refused("pwvault: \(path) is larger than an export can be")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw CLIFailure.refused("pwvault: \(path) is not UTF-8 text")
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }  // the final line break
        var records: [AuditRecord] = []
        for (index, line) in lines.enumerated() {
            do {
                records.append(try AuditRecord(jsonLine: String(line), number: index + 1))
            } catch {
                throw CLIFailure.refused("pwvault: \(error)")
            }
        }
        return records
    }

    /// Creates `path` (never replacing a file), mode 0600, and writes `bytes` with fsync.
    static func write(_ bytes: [UInt8], to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let reason = errno == EEXIST ? "it already exists" : String(cString: strerror(errno))
            throw CLIFailure.refused("pwvault: cannot create \(path): \(reason)")
        }
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else {
                throw CLIFailure.unexpected("writing \(path): \(String(cString: strerror(errno)))")
            }
            offset += written
        }
        guard fsync(fd) == 0 else {
            throw CLIFailure.unexpected("writing \(path): \(String(cString: strerror(errno)))")
        }
    }
}

/// Times on the command line: `2026-12-01T21:26:40.123Z`, `2026-12-01T21:26:40Z` or `2026-12-01` (UTC midnight).
enum AuditTimeArgument {
    static func help(_ relation: String) -> String {
        "Only the records \(relation) this time (UTC: 2026-12-01, 2026-12-01T21:26:40Z or …40.123Z)."
    }

    static func parse(_ text: String, option: String) throws(ValidationError) -> AuditTime {
        var candidate = text
        if text.utf8.count == 10 { candidate += "T00:00:00.000Z" }
        if candidate.utf8.count == 20, candidate.hasSuffix("Z") { candidate = String(candidate.dropLast()) + ".000Z" }
        guard let time = AuditTime(iso8601: candidate) else {
            throw ValidationError(
                "--\(option) must be a UTC time such as 2026-12-01T21:26:40Z, not \(NameRule.quoted(text))")
        }
        return time
    }
}
