import PasswordVault

/// What happened to one entry of an import (docs/contract.md §15).
public struct ImportedEntry: Sendable {
    /// Its position in the file, from 1.
    public var position: Int
    /// Its name in the file.
    public var name: String
    /// The new entry's identifier, or `nil` when the vault refused it.
    public var identifier: EntryID?
    /// Why it was refused (the vault's error message), when it was.
    public var refusal: String?
    /// What it held that has no place in ours.
    public var unmapped: [String]
    /// How many of its older versions (KDBX History) are now in its history (docs/contract.md §11).
    public var historyVersions = 0
}

/// An import's report: every entry, imported or refused, with what had no place.
public struct ImportReport: Sendable {
    /// Entry by entry, in file order.
    public var entries: [ImportedEntry] = []
    /// Notes on the file as a whole (e.g. entries left in the recycle bin).
    public var fileNotes: [String] = []

    /// How many entries were created.
    public var importedCount: Int { entries.count { $0.identifier != nil } }
    /// How many the vault refused.
    public var refusedCount: Int { entries.count { $0.identifier == nil } }
}

/// An entry an export left out, and why (docs/contract.md §13, §15).
public struct WithheldEntry: Sendable {
    /// Its identifier.
    public var identifier: EntryID
    /// Its name.
    public var name: String
    /// Why: the vault's error message, or "no reveal right".
    public var reason: String
}

/// What an export gathered: the entries the user may reveal, and those it left out.
public struct ExportSelection: Sendable {
    /// Entries to write, ascending by identifier.
    public var entries: [InterchangeEntry] = []
    /// Entries left out.
    public var withheld: [WithheldEntry] = []
}

extension Vault {
    /// Imports `entries` as `user`'s own (docs/contract.md §15): each entry is one create, so each
    /// is atomic — all of it or nothing — and goes through the field rules of §3; one the rules
    /// refuse is reported with the reason, never dropped silently. Older versions (KDBX History)
    /// become the entry's history in the same atomic create (§11: ``Vault/create(_:changedAt:history:as:)``),
    /// each version at the time the file gives it (``InterchangeEntry/changedAt``, else now);
    /// those it cannot keep are listed. One `import` record with the counts closes the run (§12).
    /// - Parameter progress: called after each entry with (done, total).
    public func importEntries(
        _ entries: [InterchangeEntry], format: String, fileNotes: [String] = [], as user: User,
        progress: (Int, Int) -> Void = { _, _ in }
    ) async throws(VaultError) -> ImportReport {
        var report = ImportReport(fileNotes: fileNotes)
        for (index, entry) in entries.enumerated() {
            var line = ImportedEntry(
                position: index + 1, name: entry.name, identifier: nil, refusal: nil, unmapped: entry.unmapped)
            do {
                let written = try await create(
                    Self.request(entry), changedAt: entry.changedAt,
                    history: entry.history.map { PriorVersion(Self.request($0), changedAt: $0.changedAt) }, as: user)
                line.identifier = written.result.entity.identifier
                line.historyVersions = written.keptVersions
                for (position, message) in written.refusedVersions {
                    line.unmapped.append("older version \(position) refused: \(message)")
                }
                if written.droppedVersions > 0 {
                    line.unmapped.append(
                        "\(written.droppedVersions) oldest version(s) beyond the history depth of \(historyDepth)")
                }
                if written.unchangedVersions > 0 {
                    line.unmapped.append(
                        "\(written.unchangedVersions) older version(s) differing only in fields that have no place")
                }
            } catch {
                if case .unexpected = error { throw error }
                line.refusal = error.message
            }
            report.entries.append(line)
            progress(index + 1, entries.count)
        }
        try await recordTransfer(
            .import,
            fields: [
                "format=\(format)", "entries=\(entries.count)", "imported=\(report.importedCount)",
                "refused=\(report.refusedCount)",
            ], as: user)
        return report
    }

    /// An entry's fields as a create's request.
    private static func request(_ entry: InterchangeEntry) -> PasswordRequest {
        PasswordRequest(
            name: .value(entry.name), username: .value(entry.username), password: .value(entry.password),
            url: entry.url.isEmpty ? .absent : .value(entry.url),
            secretKey: entry.secretKey.map { .value($0) } ?? .absent,
            notes: entry.notes.isEmpty ? .absent : .value(entry.notes),
            tags: entry.tags.isEmpty ? .absent : .value(entry.tags))
    }

    /// The entries `user` may reveal, opened for an export (docs/contract.md §13, §15). Each is
    /// read by ``reveal(_:at:justification:as:)`` without a justification, so every rule holds
    /// and every read is on the trail: an entry without the reveal right, one whose
    /// justification or approval policy binds the reveal, or a disabled one, is left out and
    /// listed. The caller writes the file, then calls ``recordExport(_:format:as:)``.
    ///
    /// With `includingHistory` (a KDBX export: its History holds them; a Bitwarden JSON export:
    /// their passwords go to its `passwordHistory`), an entry whose older
    /// versions `user` may reveal — its owner, or an editor with the reveal right
    /// (docs/contract.md §11, §13) — carries them, oldest first, each with its own fields,
    /// secrets and time: read by ``history(_:justification:as:)`` and one
    /// ``revealVersion(_:version:justification:as:)`` each, all on the trail. A viewer's entries
    /// carry none and read none. When reading them is refused, the entry is left out and listed
    /// rather than exported without them.
    public func selectForExport(
        as user: User, includingHistory: Bool = false, progress: (Int, Int) -> Void = { _, _ in }
    ) async throws(VaultError) -> ExportSelection {
        let listed = try await list(as: user)
        var selection = ExportSelection()
        for (index, item) in listed.enumerated() {
            defer { progress(index + 1, listed.count) }
            let entity = item.entity
            func withhold(_ reason: String) {
                selection.withheld.append(
                    WithheldEntry(identifier: entity.identifier, name: entity.name, reason: reason))
            }
            guard item.canReveal else {
                withhold("no reveal right")
                continue
            }
            var exported: InterchangeEntry
            do {
                let revealed = try await reveal(entity.identifier, as: user)
                guard revealed.canReveal else {
                    withhold("no reveal right")
                    continue
                }
                exported = Self.interchangeEntry(revealed.entity, revealed)
                // Version 1 has nothing older: no history read (and no record) for it.
                if includingHistory, item.role >= .editor, revealed.entity.revision > 1 {
                    exported.history = try await olderVersions(of: entity.identifier, as: user)
                }
            } catch {
                if case .unexpected = error { throw error }
                withhold(error.message)
                continue
            }
            selection.entries.append(exported)
        }
        return selection
    }

    /// The entry's older versions, oldest first, each opened (docs/contract.md §11).
    private func olderVersions(of id: EntryID, as user: User) async throws(VaultError) -> [InterchangeEntry] {
        var older: [InterchangeEntry] = []
        for version in try await history(id, as: user).reversed() where !version.isCurrent {
            let opened = try await revealVersion(id, version: version.version, as: user)
            older.append(Self.interchangeEntry(version.entity, opened))
        }
        return older
    }

    /// One version as a file holds it: `entity`'s text fields and time, `opened`'s secrets.
    private static func interchangeEntry(_ entity: PasswordEntity, _ opened: RevealedEntry) -> InterchangeEntry {
        InterchangeEntry(
            name: entity.name, username: entity.username, password: opened.password?.revealUTF8() ?? "",
            url: entity.url, notes: opened.notes?.revealUTF8() ?? "", tags: entity.tags,
            secretKey: opened.secretKeyText?.revealUTF8(), changedAt: entity.updatedAt)
    }

    /// Records the `export` of `selection` once its file is written (docs/contract.md §12):
    /// the entries written, their older versions written (`versions`; by default every older
    /// version the selection holds, as a KDBX History writes them; a Bitwarden JSON export
    /// gives the number of earlier passwords it wrote), the entries left out.
    public func recordExport(
        _ selection: ExportSelection, format: String, versions: Int? = nil, as user: User
    ) async throws(VaultError) {
        try await recordTransfer(
            .export,
            fields: [
                "format=\(format)", "exported=\(selection.entries.count)",
                "versions=\(versions ?? selection.entries.reduce(0) { $0 + $1.history.count })",
                "withheld=\(selection.withheld.count)",
            ], as: user)
    }
}
