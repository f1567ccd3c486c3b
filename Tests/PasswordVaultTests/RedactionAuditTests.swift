import Foundation
import MetricsTestKit
import PasswordVaultMetrics
import Testing

@_spi(Benchmarks) @testable import PasswordVault

/// The redaction audit: every public type able to hold a secret, rendered every way a log
/// line, a debugger or a crash report could render it, shows none of the canary secrets it
/// holds; neither does any error message, nor any `Codable` output; and the library never logs.
///
/// Renderings: `description`, `debugDescription`, string interpolation, `dump`, and every
/// `Mirror` child (label, description and debug description), recursively. A secret counts as
/// shown in its text form, as its UTF-8 bytes in decimal (`[67, 97, …]` or `dump`'s lines),
/// in hexadecimal, or in base32.
@Suite("Redaction audit")
struct RedactionAuditTests {
    static let password = "CanaryPassw0rd-7Q4Z"
    static let notes = "CanaryNotes-K9X2\nsecond line"
    /// Base32 of "canary-seed-0123456789".
    static let seed = "MNQW4YLSPEWXGZLFMQWTAMJSGM2DKNRXHA4Q"
    static let seedBytes = Array("canary-seed-0123456789".utf8)
    static let passphrase = "CanaryPassphrase-R2D2"
    static let rawKey = Array("CanaryRawKey-0123456789abcdefghi".utf8)
    static let allSecrets = [password, notes, seed, passphrase, String(decoding: rawKey, as: UTF8.self)]
    static let otpauth = "otpauth://totp/Acme:alice@example.com?secret=\(seed)&issuer=Acme&digits=8"

    // MARK: Rendering

    /// Every text a value can be turned into without asking for its secret.
    static func renderings(of value: Any) -> [String] {
        var dumped = ""
        dump(value, to: &dumped)
        var texts = [String(describing: value), String(reflecting: value), "\(value)", dumped]
        walk(Mirror(reflecting: value), depth: 0, into: &texts)
        return texts
    }

    private static func walk(_ mirror: Mirror, depth: Int, into texts: inout [String]) {
        guard depth < 8 else { return }
        for child in mirror.children {
            texts.append(child.label ?? "")
            texts.append(String(describing: child.value))
            texts.append(String(reflecting: child.value))
            walk(Mirror(reflecting: child.value), depth: depth + 1, into: &texts)
        }
        if let superclass = mirror.superclassMirror { walk(superclass, depth: depth + 1, into: &texts) }
    }

    /// Whether `text` shows `secret` in any of the forms listed on the suite.
    static func shows(_ text: String, _ secret: [UInt8]) -> Bool {
        let probe = Array(secret.prefix(12))
        let utf8 = String(decoding: probe, as: UTF8.self)
        let hex = probe.map { String(format: "%02x", $0) }.joined()
        let base32 = String(Base32.encode(probe).prefix(16))
        if text.contains(utf8) || text.lowercased().contains(hex) || text.contains(base32) { return true }
        // Decimal bytes, however separated: the numbers in the text, in order, hold the probe.
        let numbers = text.split { !$0.isNumber }.compactMap { Int($0) }
        let wanted = probe.map(Int.init)
        guard numbers.count >= wanted.count else { return false }
        return (0...(numbers.count - wanted.count)).contains { Array(numbers[$0..<$0 + wanted.count]) == wanted }
    }

    /// Records an issue for every rendering of `value` that shows one of `secrets`.
    static func expectRedacted(
        _ value: Any, hiding secrets: [[UInt8]], _ what: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        for text in renderings(of: value) {
            for secret in secrets where shows(text, secret) {
                Issue.record("\(what) shows a secret: \(text)", sourceLocation: sourceLocation)
            }
        }
    }

    static var canaries: [[UInt8]] {
        allSecrets.map { Array($0.utf8) } + [seedBytes, rawKey]
    }

    // MARK: Values

    @Test func secretHoldingValuesAreRedacted() async throws {
        let f = try await VaultFixture()
        let secret = SecretBytes(utf8: Self.password)
        let totp = try TOTP(secret: SecretBytes(Self.seedBytes), digits: 8)
        let request = PasswordRequest(
            name: "mail", username: "alice", password: .value(Self.password), url: "mail.example.com",
            secretKey: .value(Self.otpauth), notes: .value(Self.notes), tags: .value(["mail"]),
            usersAllowed: .value([ShareRequest(name: "bob", canEdit: true)]))
        let created = try await f.vault.create(request, as: f.alice)
        let id = created.entity.identifier
        let revealed = try await f.vault.reveal(id, as: f.alice)
        let code = try #require(revealed.code)
        let updated = try await f.vault.update(id, PasswordRequest(notes: .value(Self.notes + " 2")), as: f.alice)
        let body = Array(
            #"{"name":"mail","username":"alice","password":"\#(Self.password)","secret_key":"\#(Self.seed)","notes":"x"}"#
                .utf8)
        let wireRequest = WireRequest(method: "POST", path: "api/mysafe/password", body: body)
        let answer = await WireHandler(vault: f.vault).handle(
            WireRequest(method: "GET", path: "api/mysafe/password/\(id)"), as: f.alice)
        #expect(answer.bodyText.contains(Self.password), "the answer itself carries the password")

        let values: [(String, Any)] = [
            ("SecretBytes", secret),
            ("VaultCredential.passphrase", VaultCredential.passphrase(SecretBytes(utf8: Self.passphrase))),
            ("VaultCredential.rawKey", VaultCredential.rawKey(SecretBytes(Self.rawKey))),
            ("SealedValue", created.entity.sealedPassword),
            ("TOTP", totp),
            ("HOTP", try HOTP(secret: SecretBytes(Self.seedBytes))),
            ("OTPAuthURI", try OTPAuthURI(parsing: Self.otpauth)),
            ("PasswordRequest", request),
            ("Input<String>", Input<String>.value(Self.password)),
            ("[Input<String>]", [Input<String>.value(Self.password), .null]),
            ("RevealedEntry", revealed),
            ("WriteResult (create)", created),
            ("WriteResult (update)", updated),
            ("PasswordEntity", revealed.entity),
            ("ListedEntry", try await f.vault.list(as: f.alice)),
            ("WireRequest", wireRequest),
            ("WireResponse", answer),
            ("Vault", f.vault),
            ("InMemoryStorage", f.storage),
            ("Optional<SecretBytes>", Optional(secret) as Any),
            ("a tuple of secrets", (secret, totp, request)),
        ]
        for (what, value) in values {
            Self.expectRedacted(value, hiding: Self.canaries + [Array(code.utf8)], what)
        }

        // The fields stay usable.
        #expect(request.password.value == Self.password)
        #expect(request.notes.value == Self.notes)
        #expect(wireRequest.body == body)
        #expect(revealed.password == secret)
        #expect("\(request)".contains("name: value(\"mail\")") && "\(request)".contains("password: value(<redacted>)"))
        #expect("\(wireRequest)" == "WireRequest(POST api/mysafe/password, body: \(body.count) bytes)")
        #expect("\(answer)".hasPrefix("WireResponse(200 OK, body: "))
        #expect("\(Input<String>.value(Self.password))" == "Input.value(<redacted>)")
        #expect("\(revealed)".contains("code: <redacted>"))
    }

    /// A vault opened from a raw key: no rendering of it, its key ring or its storage shows a key.
    @Test func keysAreNeverRendered() async throws {
        let storage = InMemoryStorage()
        let vault = try await Vault.create(storage: storage, credential: .rawKey(SecretBytes(Self.rawKey)))
        let ring = vault.ring
        let dataKeys = ring.dataKeys.values.map { $0.withUnsafeBytes { Array($0) } }
        for value in [vault, ring, storage, vault.keys.withLock { $0 }] as [Any] {
            Self.expectRedacted(value, hiding: [Self.rawKey] + dataKeys, "\(type(of: value))")
        }
    }

    @Test func theAuditKeyIsNeverRendered() throws {
        let bytes = (0..<32).map { UInt8(0xA0 + $0 % 16) }
        let key = try AuditKey(SecretBytes(bytes))
        Self.expectRedacted(key, hiding: [bytes], "AuditKey")
    }

    /// The audit trail of a vault whose every secret is a canary shows none of them — in any
    /// rendering of a record, its export line or its canonical bytes — nor a one-time code.
    @Test func auditRecordsHoldNoSecret() async throws {
        let f = try await VaultFixture()
        let created = try await f.vault.create(
            PasswordRequest(
                name: "n", username: "u", password: .init(stringLiteral: Self.password),
                secretKey: .init(stringLiteral: Self.otpauth), notes: .value(Self.notes)), as: f.alice)
        let id = created.entity.identifier
        let code = try #require(try await f.vault.reveal(id, as: f.alice).code)
        _ = try await f.vault.code(id, as: f.alice)
        _ = try await f.vault.revealSecretKeyText(id, as: f.alice)
        _ = try await f.vault.update(id, PasswordRequest(password: "CanarySecond-Passw0rd"), as: f.alice)
        _ = try await f.vault.revealVersion(id, version: 1, as: f.alice)
        _ = try await f.vault.restore(id, version: 1, as: f.alice)
        _ = try? await f.vault.revealPassword(id, as: f.mallory)
        let records = try await f.vault.auditRecords()
        #expect(records.count == 8)
        let secrets = Self.canaries + [Array("CanarySecond-Passw0rd".utf8)]
        for record in records {
            Self.expectRedacted(record, hiding: secrets, "audit record \(record.seq)")
            for text in [try record.jsonLine(), String(decoding: try record.canonicalEncoding(), as: UTF8.self)] {
                for secret in secrets where Self.shows(text, secret) { Issue.record("record \(record.seq): \(text)") }
                #expect(!text.contains(code), "record \(record.seq) holds the code")
            }
        }
    }

    /// Every label, dimension and value the metrics product emits (docs/contract.md §12,
    /// "Observing the vault") for a vault whose every secret is a canary: none shows a secret, a
    /// username or a one-time code, and every dimension is from a closed set.
    @Test func metricsCarryNoSecret() async throws {
        var f: VaultFixture? = try await VaultFixture()
        let backend = TestMetrics()
        let metrics = VaultMetrics(vault: f!.vault, factory: backend)
        let id = try await f!.vault.create(
            PasswordRequest(
                name: "CanaryName-J7", username: "CanaryUser-W3", password: .init(stringLiteral: Self.password),
                secretKey: .init(stringLiteral: Self.otpauth), notes: .value(Self.notes)), as: f!.alice
        ).entity.identifier
        let code = try #require(try await f!.vault.reveal(id, as: f!.alice).code)
        _ = try await f!.vault.revealSecretKeyText(id, as: f!.alice)
        _ = try await f!.vault.update(id, PasswordRequest(password: "CanarySecond-Passw0rd"), as: f!.alice)
        _ = try await f!.vault.revealVersion(id, version: 1, as: f!.alice)
        _ = try? await f!.vault.revealPassword(id, as: f!.mallory)
        _ = try? await f!.vault.update(id, PasswordRequest(name: "x"), as: f!.erin)
        f = nil
        await metrics.run()

        var texts: [String] = []
        for counter in backend.counters {
            texts += [counter.label, String(counter.totalValue)] + counter.dimensions.flatMap { [$0.0, $0.1] }
        }
        for timer in backend.timers { texts += [timer.label] + timer.dimensions.flatMap { [$0.0, $0.1] } }
        for recorder in backend.recorders { texts += [recorder.label] + recorder.dimensions.flatMap { [$0.0, $0.1] } }
        #expect(backend.counters.count >= 4)
        let secrets =
            Self.canaries + ["CanarySecond-Passw0rd", "CanaryName-J7", "CanaryUser-W3"].map { Array($0.utf8) }
        for text in texts {
            for secret in secrets where Self.shows(text, secret) { Issue.record("metrics show a secret: \(text)") }
            #expect(!text.contains(code) && !text.contains("alice") && !text.contains("mallory"), "\(text)")
        }
        // Dimensions from closed sets only: an action's name or a catalogue code.
        let actions = Set(AuditAction.allCases.map(\.rawValue))
        for (key, value) in backend.counters.flatMap(\.dimensions) {
            #expect(key == "action" ? actions.contains(value) : key == "code" && value.allSatisfy(\.isNumber))
        }
    }

    @Test func aGeneratedPasswordIsRedactedAndItsPolicyHoldsNone() throws {
        let policy = PasswordPolicy(length: 32, excludeLookAlikes: true, excludedCharacters: ["~"])
        let generated = try PasswordGenerator.generate(policy)
        let bytes = generated.withUnsafeBytes { Array($0) }
        Self.expectRedacted(generated, hiding: [bytes], "a generated password")
        Self.expectRedacted(policy, hiding: [bytes], "PasswordPolicy")
    }

    // MARK: Errors

    /// Every refusal a canary secret can provoke, with every rendering of the error.
    @Test func errorMessagesCarryNoSecret() async throws {
        let f = try await VaultFixture()
        var errors: [any Error] = []
        var attempts = 0
        func collect(_ body: () async throws -> Void) async {
            attempts += 1
            do { try await body() } catch { errors.append(error) }
        }
        let p = Self.password
        let refusedRequests: [PasswordRequest] = [
            PasswordRequest(name: "n", username: "u", password: .value(p + "\u{7}")),
            PasswordRequest(name: "n", username: "u", password: .value(String(repeating: p, count: 60))),
            PasswordRequest(name: "n", username: "u", password: .value(p), notes: .value(Self.notes + "\u{1}")),
            PasswordRequest(name: "n", username: "u", password: .value(p), secretKey: .value(Self.seed + "!")),
            PasswordRequest(name: "n", username: "u", password: .value(p), secretKey: .value(Self.seed + "AA")),
            PasswordRequest(
                name: "n", username: "u", password: .value(p), secretKey: .value(Self.otpauth + "&digits=6")),
            PasswordRequest(
                name: "n", username: "u", password: .value(p), secretKey: .value(Self.otpauth + "&algorithm=md5")),
            PasswordRequest(
                name: .value(String(repeating: "n", count: 201)), username: "u", password: .value(p),
                secretKey: .value(Self.seed), notes: .value(Self.notes)),
            PasswordRequest(name: .value(p), username: .null, password: .value(p)),
        ]
        for request in refusedRequests {
            await collect { _ = try await f.vault.create(request, as: f.alice) }
        }
        let id = try await f.createShared()
        await collect { _ = try await f.vault.update(id, PasswordRequest(password: .value(p)), as: f.mallory) }
        await collect { _ = try await f.vault.update(id, PasswordRequest(password: .value(p)), as: f.erin) }

        // Credentials and keys.
        await collect {
            _ = try await Vault.open(storage: f.storage, credential: .passphrase(SecretBytes(utf8: Self.passphrase)))
        }
        await collect { _ = try await Vault.open(storage: f.storage, credential: .rawKey(SecretBytes(Self.rawKey))) }
        await collect {
            _ = try KeyRing.create(credential: .rawKey(SecretBytes(Array(Self.rawKey.prefix(20)))), cost: .minimum)
        }
        await collect {
            _ = try KeyRing.unlock(header: Fixture.header, credential: .passphrase(SecretBytes(utf8: Self.passphrase)))
        }
        // A sealed value that does not open.
        var tampered = try #require(try await f.storage.entity(id))
        tampered.sealedPassword = try Fixture.ring.seal(SecretBytes(utf8: p), entry: id, field: .password)
        tampered.version += 1
        try await f.storage.replace(tampered, expectedVersion: tampered.version - 1)
        await collect { _ = try await f.vault.reveal(id, as: f.alice) }
        // One-time codes and base32.
        await collect { _ = try TOTP(secret: SecretBytes(Self.seedBytes), digits: 5) }
        await collect { _ = try TOTP(secret: SecretBytes(Self.seedBytes), period: 0) }
        await collect { _ = try OTPAuthURI(parsing: Self.otpauth + "&period=x") }
        await collect {
            _ = try OTPAuthURI(parsing: Self.otpauth.replacingOccurrences(of: "secret=", with: "secret=%"))
        }
        await collect { _ = try OTPAuthURI(parsing: Self.otpauth + "&secret=\(Self.seed)") }
        await collect { _ = try Base32.decode(Self.seed + "=A") }
        await collect { _ = try Base32.decode(Self.seed + "1") }
        await collect { _ = try Base32.decodeSecret(Self.seed + "AAAAA") }
        await collect { _ = try PasswordGenerator.generate(PasswordPolicy(length: 2)) }

        #expect(errors.count == attempts, "every attempt was refused")
        for error in errors {
            var texts = Self.renderings(of: error) + [error.localizedDescription]
            if let error = error as? VaultError { texts.append(error.message) }
            for text in texts {
                for secret in Self.canaries where Self.shows(text, secret) {
                    Issue.record("\(type(of: error)) shows a secret: \(text)")
                }
            }
        }
    }

    /// Refusals on the wire: the answers to requests full of secrets hold none of them.
    @Test func wireRefusalsEchoNoSecret() async throws {
        let f = try await VaultFixture()
        let api = WireHandler(vault: f.vault)
        let id = try await f.createShared()
        let long = String(repeating: "n", count: 201)
        let p = Self.password
        let requests: [(WireRequest, User)] = [
            (
                WireRequest(method: "POST", path: "api/mysafe/password", body: json(["name": long, "password": p])),
                f.alice
            ),
            (
                WireRequest(
                    method: "POST", path: "api/mysafe/password",
                    body: json([
                        "name": "n", "username": "u", "password": p, "secret_key": Self.seed + "1", "notes": Self.notes,
                    ])),
                f.alice
            ),
            (
                WireRequest(method: "PUT", path: "api/mysafe/password/update/\(id)", body: json(["password": p])),
                f.mallory
            ),
            (WireRequest(method: "PUT", path: "api/mysafe/password/update/\(id)", body: json(["password": p])), f.erin),
            (WireRequest(method: "GET", path: "api/mysafe/password/\(id)"), f.mallory),
            (
                WireRequest(
                    method: "POST", path: "api/password-generator/save-passwords/",
                    body: json(["user": "1", "password_saved": String(repeating: p, count: 12), "url": "u"])),
                f.alice
            ),
            (
                WireRequest(
                    method: "POST", path: "api/password-generator/save-passwords/",
                    body: json(["user": "1", "password_saved": p + "\u{1}", "url": "u"])),
                f.alice
            ),
            (
                WireRequest(
                    method: "POST", path: "api/password-generator/save-passwords/",
                    body: json(["user": "2", "password_saved": p, "url": "u"])),
                f.alice
            ),
        ]
        for (request, caller) in requests {
            let answer = await api.handle(request, as: caller)
            #expect(answer.status >= 400, "\(request) as \(caller.username) answered \(answer.status)")
            for secret in Self.canaries where Self.shows(answer.bodyText, secret) {
                Issue.record("the answer to \(request) as \(caller.username) shows a secret: \(answer.bodyText)")
            }
        }
    }

    private func json(_ fields: [String: String]) -> [UInt8] {
        Array(try! JSONSerialization.data(withJSONObject: fields, options: .sortedKeys))
    }

    // MARK: Codable

    /// No type that holds a secret is `Codable`; the `Codable` ones hold none.
    @Test func secretHoldersAreNotCodable() throws {
        let holders: [Any.Type] = [
            SecretBytes.self, VaultCredential.self, SealedValue.self, TOTP.self, HOTP.self, OTPAuthURI.self,
            PasswordRequest.self, Input<String>.self, ShareRequest.self, RevealedEntry.self, WriteResult.self,
            WireRequest.self, WireResponse.self, PasswordEntity.self, Vault.self,
        ]
        for type in holders {
            #expect(!(type is any Encodable.Type), "\(type) is Encodable")
            #expect(!(type is any Decodable.Type), "\(type) is Decodable")
        }
        let encoder = JSONEncoder()
        let encoded: [Data] = [
            try encoder.encode(EntryID(rawValue: 1)!), try encoder.encode(UserID(rawValue: 1)),
            try encoder.encode(User(id: UserID(rawValue: 1), username: "alice")),
            try encoder.encode(Group(name: "ops", members: ["alice"])), try encoder.encode(UserShare(username: "bob")),
            try encoder.encode(GroupShare(name: "ops")), try encoder.encode(OTPAlgorithm.sha256),
        ]
        for data in encoded {
            let text = String(decoding: data, as: UTF8.self)
            for secret in Self.canaries { #expect(!Self.shows(text, secret)) }
        }
    }

    // MARK: Logging

    /// The library writes nothing anywhere: no `print`, `dump`, `NSLog`, `os_log`, swift-log or
    /// standard-error writes in its sources (comments aside). Only the command-line program,
    /// the edge, prints — and it prints secrets only when asked to reveal them.
    @Test func theLibraryDoesNotLog() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let forbidden = [
            "print(", "debugPrint(", "dump(", "NSLog(", "os_log(", "Logger(", "import os", "import Logging",
            "import OSLog", "standardError", "fputs(", "stderr", "stdout", "write(2", "syslog(",
        ]
        var checked = 0
        for folder in ["Sources/PasswordVault", "Sources/PasswordVaultSQLite", "Sources/PasswordVaultMetrics"] {
            let directory = root.appendingPathComponent(folder)
            guard let files = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil) else {
                continue
            }
            for case let file as URL in files where file.pathExtension == "swift" {
                let source = try String(contentsOf: file, encoding: .utf8)
                checked += 1
                for (number, line) in source.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                    let code = line.trimmingCharacters(in: .whitespaces)
                    guard !code.hasPrefix("//") else { continue }
                    for call in forbidden where code.contains(call) {
                        Issue.record("\(file.lastPathComponent):\(number + 1) may log: \(code)")
                    }
                }
            }
        }
        #expect(checked > 50, "the sources were not found from \(root.path)")
    }
}
