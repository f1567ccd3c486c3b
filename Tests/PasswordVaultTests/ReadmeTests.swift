import Foundation
import PasswordVaultMetrics
import Testing

@testable import PasswordVault

/// Every README snippet is compiled and run here; the README must hold each one verbatim.
@Suite("README")
struct ReadmeTests {
    static let readme: String = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return (try? String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)) ?? ""
    }()

    /// The library tour, line for line as in the README (between the markers).
    @Test func libraryTour() async throws {
        // README: tour
        let directory = InMemoryDirectory()
        let alice = directory.addUser("alice", id: 1)
        let bob = directory.addUser("bob", id: 2)
        let vault = try await Vault.inMemory(directory: directory)

        var request = PasswordRequest(name: "mail", username: "alice@example.com", password: "s3cret!")
        request.secretKey = "JBSWY3DPEHPK3PXP"  // base32 TOTP seed
        request.usersAllowed = .value([ShareRequest(name: "bob")])  // bob may view, not edit
        let id = try await vault.create(request, as: alice).entity.identifier

        let password = try await vault.revealPassword(id, as: bob)
        print(password)  // <redacted>
        print(password.revealUTF8()!)  // s3cret!
        let code = try await vault.code(id, as: bob)  // the current 6-digit TOTP code
        do {
            _ = try await vault.update(id, PasswordRequest(name: "mine"), as: bob)
        } catch {
            print(error.message)  // 1006: User does not have access
        }
        // README: end
        #expect("\(password)" == "<redacted>")
        #expect(password.revealUTF8() == "s3cret!")
        #expect(code?.count == 6)
        await #expect(throws: VaultError.accessDenied) {
            try await vault.update(id, PasswordRequest(name: "mine"), as: bob)
        }
        try Self.expectInReadme(marker: "tour")
    }

    /// Mounting the wire handler, as the README shows it.
    @Test func wireSnippet() async throws {
        let directory = InMemoryDirectory()
        let alice = directory.addUser("alice", id: 1)
        let vault = try await Vault.inMemory(directory: directory)
        // README: wire
        let api = WireHandler(vault: vault)
        let body = #"{"name": "mail", "username": "alice", "password": "s3cret!"}"#
        let answer = await api.handle(
            WireRequest(method: "POST", path: "api/mysafe/password", body: Array(body.utf8)), as: alice)
        print(answer.statusLine)  // HTTP/1.1 201 Created
        print(answer.bodyText)  // {"code":201,"response":{…},"password_entity":{…}}
        // README: end
        #expect(answer.status == 201)
        try Self.expectInReadme(marker: "wire")
    }

    /// Subscribing to the committed audit records (docs/contract.md §12), as the README shows it.
    @Test func observeSnippet() async throws {
        let directory = InMemoryDirectory()
        let alice = directory.addUser("alice", id: 1)
        let vault = try await Vault.inMemory(directory: directory)
        // README: observe
        let records = vault.committedAuditRecords()  // this subscriber's buffer: 4096 records
        let forwarder = Task {
            for await record in records {
                print(record.seq, record.event.action.rawValue, record.event.outcome.text)  // 1 create ok
            }
        }
        // README: end
        _ = try await vault.create(PasswordRequest(name: "mail", username: "alice", password: "s3cret!"), as: alice)
        forwarder.cancel()
        await forwarder.value
        #expect(records.droppedCount == 0)
        try Self.expectInReadme(marker: "observe")
    }

    /// The metrics product, as the README shows it (no backend bootstrapped here: counts go nowhere).
    @Test func metricsSnippet() async throws {
        let vault = try await Vault.inMemory()
        // README: metrics
        let metrics = VaultMetrics(vault: vault)  // counts the records committed from now on
        let counting = Task { await metrics.run() }  // ends when the vault is released or on cancel
        // README: end
        counting.cancel()
        await counting.value
        try Self.expectInReadme(marker: "metrics")
    }

    /// The lines of this file between `// README: marker` and `// README: end` must appear in the README.
    static func expectInReadme(marker: String) throws {
        let source = try String(contentsOf: URL(fileURLWithPath: #filePath), encoding: .utf8)
        let lines = source.components(separatedBy: "\n")
        guard let start = lines.firstIndex(where: { $0.hasSuffix("// README: \(marker)") }),
            let end = lines[start...].firstIndex(where: { $0.hasSuffix("// README: end") })
        else {
            Issue.record("no README markers for \(marker)")
            return
        }
        let indent = lines[start].prefix { $0 == " " }.count
        let snippet = lines[(start + 1)..<end].map { $0.count >= indent ? String($0.dropFirst(indent)) : $0 }
            .joined(separator: "\n")
        #expect(readme.contains(snippet), "README.md lacks the \(marker) snippet:\n\(snippet)")
    }
}
