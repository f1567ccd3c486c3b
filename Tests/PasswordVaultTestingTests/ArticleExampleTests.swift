import Foundation
import PasswordVault
import PasswordVaultTesting
import Testing

// The example test of the DocC article (Documentation.docc/PasswordVaultTesting.md), as it is
// printed there: `theArticleShowsTheseTests` fails when the two drift apart.

@Test func aViewerRevealsButCannotEdit() async throws {
    let t = try await TestVault.make()
    let id = try await t.createEntry("mail", owner: "alice", viewers: ["bob"])
    let bob = try t.user("bob")

    #expect(try await t.vault.revealPassword(id, as: bob).revealUTF8() == TestVault.password)
    try await expectRefusal(1006, message: "1006: User does not have access") {
        try await t.vault.update(id, PasswordRequest(name: "bob's"), as: bob)
    }
    try await expectRefusal(1005) { try await t.vault.revealPassword(id, as: try t.user("mallory")) }
}

@Test func codesFollowTheClock() async throws {
    // RFC 6238's SHA-1 key at T = 59 s: 94287082, of which a 6-digit code keeps 287082.
    let t = try await TestVault.make(at: Date(timeIntervalSince1970: 59))
    let id = try await t.createEntry(secretKey: TestVault.secretKey)
    #expect(try await t.vault.code(id, as: try t.user("alice")) == "287082")
    t.clock.advance(by: .seconds(30))
    #expect(try await t.vault.code(id, as: try t.user("alice")) != "287082")
}

@Test func theArticleShowsTheseTests() throws {
    let here = URL(fileURLWithPath: #filePath)
    let root = here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let article = try String(
        contentsOf: root.appending(path: "Sources/PasswordVaultTesting/Documentation.docc/PasswordVaultTesting.md"),
        encoding: .utf8)
    let source = try String(contentsOf: here, encoding: .utf8)
    let example = try #require(article.components(separatedBy: "import Testing\n").dropFirst().first)
    let tests = try #require(example.components(separatedBy: "```").first)
    #expect(tests.contains("@Test func aViewerRevealsButCannotEdit()"))
    #expect(source.contains(tests))
}
