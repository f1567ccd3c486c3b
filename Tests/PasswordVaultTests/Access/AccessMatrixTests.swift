import Foundation
import Testing

@testable import PasswordVault

/// docs/contract.md §4's table, cell by cell: every role × every operation.
@Suite("Authorization matrix")
struct AccessMatrixTests {
    enum Who: String, CaseIterable, Sendable {
        case owner, directEditor, groupEditor, viewerDirectEditorByGroup, directViewer, groupViewer, stranger

        func user(in f: VaultFixture) -> User {
            switch self {
            case .owner: f.alice
            case .directEditor: f.bob
            case .groupEditor: f.carol
            case .viewerDirectEditorByGroup: f.dave
            case .directViewer: f.erin
            case .groupViewer: f.frank
            case .stranger: f.mallory
            }
        }

        var role: Role? {
            switch self {
            case .owner: .owner
            case .directEditor, .groupEditor, .viewerDirectEditorByGroup: .editor
            case .directViewer, .groupViewer: .viewer
            case .stranger: nil
            }
        }
    }

    enum Action: String, CaseIterable, Sendable {
        case list, metadata, revealPassword, revealNotes, totp, updateFields, changeShares, disable, enable, delete
    }

    /// The table: `nil` means allowed, otherwise the refusal.
    static func expected(_ who: Who, _ action: Action) -> VaultError? {
        guard let role = who.role else { return action == .list ? nil : .notFound }
        switch action {
        case .list, .metadata, .revealPassword, .revealNotes, .totp: return nil
        case .updateFields, .disable, .enable: return role >= .editor ? nil : .accessDenied
        case .changeShares, .delete: return role == .owner ? nil : .accessDenied
        }
    }

    static let cells: [(Who, Action)] = Who.allCases.flatMap { who in Action.allCases.map { (who, $0) } }

    @Test(arguments: cells)
    func cell(_ who: Who, _ action: Action) async throws {
        let f = try await VaultFixture()
        let id = try await f.createShared()
        let user = who.user(in: f)
        if action == .enable { try await f.vault.disable(id, as: f.alice) }

        let outcome: Result<Void, VaultError>
        do {
            try await perform(action, on: id, as: user, in: f)
            outcome = .success(())
        } catch {
            outcome = .failure(error)
        }

        switch (Self.expected(who, action), outcome) {
        case (nil, .success): break
        case (let refusal?, .failure(let error)): #expect(error == refusal, "\(who) \(action)")
        case (nil, .failure(let error)): Issue.record("\(who) \(action): refused with \(error)")
        case (let refusal?, .success): Issue.record("\(who) \(action): allowed, expected \(refusal)")
        }
        // Whatever happened, the role the vault reports is the table's.
        if action == .metadata {
            #expect(try await f.vault.effectiveRole(of: id, for: user) == who.role)
        }
    }

    private func perform(_ action: Action, on id: EntryID, as user: User, in f: VaultFixture) async throws(VaultError) {
        let vault = f.vault
        switch action {
        case .list:
            let listed = try await vault.list(as: user).map(\.entity.identifier)
            if user == f.mallory {
                #expect(listed.isEmpty)
            } else {
                #expect(listed == [id])
            }
        case .metadata: _ = try await vault.entity(id, as: user)
        case .revealPassword: #expect(try await vault.revealPassword(id, as: user).revealUTF8() == "p4ssw0rd!")
        case .revealNotes: #expect(try await vault.revealNotes(id, as: user)?.revealUTF8() == "the notes")
        case .totp: #expect(try await vault.code(id, as: user)?.count == 6)
        case .updateFields: _ = try await vault.update(id, PasswordRequest(name: "renamed"), as: user)
        case .changeShares: _ = try await vault.update(id, PasswordRequest(usersAllowed: .value([])), as: user)
        case .disable: #expect(try await vault.disable(id, as: user) == .changed)
        case .enable: #expect(try await vault.enable(id, as: user) == .changed)
        case .delete: try await vault.delete(id, as: user)
        }
    }

    @Test func removingAMemberRevokesAtOnce() async throws {
        let f = try await VaultFixture()
        let id = try await f.createShared()
        #expect(try await f.vault.effectiveRole(of: id, for: f.carol) == .editor)
        f.directory.removeMember("carol", from: "editors")
        #expect(try await f.vault.effectiveRole(of: id, for: f.carol) == nil)
        await #expect(throws: VaultError.notFound) { try await f.vault.revealPassword(id, as: f.carol) }
        #expect(try await f.vault.list(as: f.carol).isEmpty)
        // dave keeps his direct viewer share, but loses the edit right he had through the group.
        f.directory.removeMember("dave", from: "editors")
        #expect(try await f.vault.effectiveRole(of: id, for: f.dave) == .viewer)
        await #expect(throws: VaultError.accessDenied) {
            try await f.vault.update(id, PasswordRequest(name: "x"), as: f.dave)
        }
    }

    @Test func addingAMemberGrantsAtOnce() async throws {
        let f = try await VaultFixture()
        let id = try await f.createShared()
        await #expect(throws: VaultError.notFound) { try await f.vault.entity(id, as: f.mallory) }
        f.directory.addMember("mallory", to: "viewers")
        #expect(try await f.vault.effectiveRole(of: id, for: f.mallory) == .viewer)
    }

    @Test func strangerLearnsOnly1005WhateverTheBody() async throws {
        let f = try await VaultFixture()
        let id = try await f.createShared()
        try await f.vault.disable(id, as: f.alice)
        let bad = PasswordRequest(name: .invalid(reason: "expected a string, got a number"), usersAllowed: .value([]))
        await #expect(throws: VaultError.notFound) { try await f.vault.update(id, bad, as: f.mallory) }
        await #expect(throws: VaultError.notFound) {
            try await f.vault.update(EntryID(rawValue: 999)!, bad, as: f.alice)
        }
        // The owner, on the other hand, learns it is disabled before the field rules.
        await #expect(throws: VaultError.disabled) { try await f.vault.update(id, bad, as: f.alice) }
        // A viewer learns 1006 before 1007.
        await #expect(throws: VaultError.accessDenied) { try await f.vault.update(id, bad, as: f.erin) }
        // An editor sending shares learns 1006 before anything else.
        await #expect(throws: VaultError.accessDenied) { try await f.vault.update(id, bad, as: f.bob) }
    }
}
