import ArgumentParser
import Foundation
import PasswordVault
import PasswordVaultInterchange

/// The file formats of `pwvault import` / `export` (docs/contract.md §15).
enum InterchangeFormat: String, ExpressibleByArgument, CaseIterable {
    case kdbx
    case bitwardenJSON = "bitwarden-json"
    case bitwardenCSV = "bitwarden-csv"
}

/// Where the file's own passphrase comes from.
struct FilePassphraseOption: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Read the file's passphrase from this file (- for stdin); else $PWVAULT_FILE_PASSPHRASE, else a prompt.",
            valueName: "path"))
    var filePassphraseFile: String?

    func read(confirm: Bool) throws(CLIFailure) -> String {
        let secret = try PassphraseSource.read(
            file: filePassphraseFile, variable: "PWVAULT_FILE_PASSPHRASE", prompt: "Passphrase of the file: ",
            confirm: confirm)
        return secret.revealUTF8() ?? ""
    }
}

/// A progress bar on standard error, only when it is a terminal and the work is long.
struct TransferProgress {
    let enabled = isatty(STDERR_FILENO) == 1
    let label: String

    func update(_ done: Int, _ total: Int) {
        guard enabled, total >= 200, done % 50 == 0 || done == total else { return }
        let width = 30
        let filled = done * width / total
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        FileHandle.standardError.write(Data("\r\(label) [\(bar)] \(done)/\(total)".utf8))
        if done == total { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}

/// `pwvault import FILE --format … --as USER`: a KDBX or Bitwarden file's entries become the
/// user's own, each one atomically; the report lists every entry and what had no place.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import a KeePass KDBX (3.1, 4.x) or Bitwarden (JSON, CSV) file as the user's entries.")
    @OptionGroup var vault: VaultOptions
    @Argument(help: "The file to import.") var file: String
    @Option(help: "kdbx, bitwarden-json or bitwarden-csv.") var format: InterchangeFormat
    @OptionGroup var filePassphrase: FilePassphraseOption
    @OptionGroup var actor: ActingUser

    func run() async throws {
        try SecretInput.claimStandardInputOnce(filePassphrase.filePassphraseFile, vault.passphraseFile)
        try await runAs(
            vault, actor,
            gathering: { () throws -> ([InterchangeEntry], [String]) in
                guard let data = FileManager.default.contents(atPath: file) else {
                    throw CLIFailure.usage("cannot read \(file)")
                }
                do {
                    switch format {
                    case .kdbx:
                        let database = try KDBXReader.read(
                            Array(data), passphrase: try filePassphrase.read(confirm: false))
                        return (database.entries, database.notes)
                    case .bitwardenJSON: return (try BitwardenJSON.read(Array(data)), [])
                    case .bitwardenCSV: return (try BitwardenCSV.read(Array(data)), [])
                    }
                } catch let error as InterchangeError {
                    throw CLIFailure.refused("pwvault: \(file): \(error.description); nothing was imported")
                }
            }
        ) { opened, user, gathered in
            let (entries, notes) = gathered
            let bar = TransferProgress(label: "Importing")
            let report = try await opened.importEntries(
                entries, format: format.rawValue, fileNotes: notes, as: user, progress: bar.update)
            for line in report.entries {
                let name = NameRule.quoted(line.name)
                if let id = line.identifier {
                    let history = line.historyVersions > 0 ? " with \(line.historyVersions) older version(s)" : ""
                    print("\(line.position): \(name) imported as \(id)\(history)")
                } else {
                    print("\(line.position): \(name) NOT imported: \(line.refusal ?? "refused")")
                }
                for item in line.unmapped { print("    no place for: \(item)") }
            }
            for note in report.fileNotes { print("note: \(note)") }
            print(
                "Imported \(report.importedCount) of \(report.entries.count) entries as \(user.username)"
                    + (report.refusedCount > 0 ? "; \(report.refusedCount) refused (listed above)" : ""))
            if report.refusedCount > 0 { throw ExitCode(1) }
        }
    }
}

/// `pwvault export FILE --format … --as USER [--plaintext]`: the entries the user may reveal,
/// written to a new file (0600, written whole then renamed into place).
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export the entries the user may reveal to a KDBX 4 or Bitwarden JSON file.")
    @OptionGroup var vault: VaultOptions
    @Argument(help: "The file to write (refused if it exists).") var file: String
    @Option(help: "kdbx or bitwarden-json.") var format: InterchangeFormat
    @Flag(help: "Required for bitwarden-json: the file holds every secret in clear.") var plaintext = false
    @Option(
        help: ArgumentHelp(
            "KDBX key derivation: default (Argon2id, 64 MiB, 3 passes) or minimum (1 MiB, 1 pass: tests and benchmarks only).",
            valueName: "cost"))
    var kdfCost: KDFCost = .default

    /// The Argon2id cost of a KDBX export.
    enum KDFCost: String, ExpressibleByArgument {
        case `default`
        case minimum
    }
    @OptionGroup var filePassphrase: FilePassphraseOption
    @OptionGroup var actor: ActingUser

    func validate() throws {
        if format == .bitwardenCSV { throw ValidationError("bitwarden-csv is read only: export bitwarden-json") }
        if format == .bitwardenJSON && !plaintext {
            throw ValidationError("bitwarden-json is not encrypted: pass --plaintext to write it anyway")
        }
    }

    func run() async throws {
        try SecretInput.claimStandardInputOnce(filePassphrase.filePassphraseFile, vault.passphraseFile)
        try await runAs(
            vault, actor,
            gathering: { () throws -> String? in
                guard !FileManager.default.fileExists(atPath: file) else {
                    throw CLIFailure.usage("\(file) exists: choose a new file")
                }
                return format == .kdbx ? try filePassphrase.read(confirm: true) : nil
            }
        ) { opened, user, passphrase in
            let bar = TransferProgress(label: "Exporting")
            // KDBX History holds older versions; Bitwarden JSON's passwordHistory their passwords
            // (docs/contract.md §15), for those who may reveal them (§11, §13).
            let selection = try await opened.selectForExport(as: user, includingHistory: true, progress: bar.update)
            let bytes: [UInt8]
            let versions: Int
            let older: String
            switch format {
            case .kdbx:
                var options = KDBXWriter.Options()
                if kdfCost == .minimum { options.kdf = .argon2id(memory: 1 << 20, iterations: 1, parallelism: 1) }
                bytes = KDBXWriter.write(selection.entries, passphrase: passphrase ?? "", options: options)
                versions = selection.entries.reduce(0) { $0 + $1.history.count }
                older = versions > 0 ? " with \(versions) older version(s)" : ""
            default:
                bytes = BitwardenJSON.write(selection.entries)
                versions = selection.entries.reduce(0) { $0 + BitwardenJSON.passwordHistory(of: $1).count }
                older = versions > 0 ? " with \(versions) earlier password(s)" : ""
            }
            try ExportFile.store(bytes, to: file)
            try await opened.recordExport(selection, format: format.rawValue, versions: versions, as: user)
            for withheld in selection.withheld {
                print("\(withheld.identifier): \(NameRule.quoted(withheld.name)) NOT exported: \(withheld.reason)")
            }
            print("Exported \(selection.entries.count) entries\(older) to \(file) as \(format.rawValue)")
            if plaintext {
                FileHandle.standardError.write(
                    Data("warning: \(file) is NOT encrypted: every password is in clear. Delete it after use.\n".utf8))
            }
        }
    }
}

/// Writes an export whole or not at all: a temporary file (0600) in the same directory, synced,
/// then renamed onto the name (refused if the name appeared meanwhile).
enum ExportFile {
    static func store(_ bytes: [UInt8], to path: String) throws(CLIFailure) {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp").path
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else { throw .usage("cannot create \(temporary)") }
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes {
                Glibc.write(descriptor, $0.baseAddress! + written, bytes.count - written)
            }
            guard result > 0 else {
                close(descriptor)
                unlink(temporary)
                throw .unexpected("cannot write \(temporary)")
            }
            written += result
        }
        guard fsync(descriptor) == 0, close(descriptor) == 0 else {
            unlink(temporary)
            throw .unexpected("cannot write \(temporary)")
        }
        // link() fails if the name exists: never replaces a file that appeared meanwhile.
        guard link(temporary, path) == 0 else {
            unlink(temporary)
            throw .usage("cannot create \(path) (does it exist?)")
        }
        unlink(temporary)
    }
}
