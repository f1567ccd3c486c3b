import Foundation
import Testing

@testable import PasswordVault

/// Access policies (docs/contract.md §13): use without reveal, justification, approval with
/// time-boxed grants, and rotation after loss of access.
@Suite("Access policies")
struct PolicyTests {
    /// An entry shared without reveal: bob edits without reveal; erin views without reveal; the
    /// `viewers` group (frank) views without reveal; dave views without reveal directly but edits
    /// with reveal through `editors` (the union: editor with reveal); carol edits with reveal.
    static let noRevealRequest = PasswordRequest(
        name: "db", username: "svc", password: "p4ssw0rd!", secretKey: "JBSWY3DPEHPK3PXP", notes: "the notes",
        usersAllowed: .value([
            ShareRequest(name: "bob", canEdit: .value(true), canReveal: .value(false)),
            ShareRequest(name: "dave", canReveal: .value(false)),
            ShareRequest(name: "erin", canReveal: .value(false)),
        ]),
        groupsAllowed: .value([
            ShareRequest(name: "editors", canEdit: .value(true)),
            ShareRequest(name: "viewers", canReveal: .value(false)),
        ]))

    static func expectRefusal<T>(
        _ expected: VaultError, sourceLocation: SourceLocation = #_sourceLocation,
        _ body: () async throws(VaultError) -> T
    ) async {
        do {
            _ = try await body()
            Issue.record("expected \(expected.message), got a success", sourceLocation: sourceLocation)
        } catch {
            #expect(error.message == expected.message, sourceLocation: sourceLocation)
        }
    }

    // MARK: Use without reveal

    @Test func rightsAreTheUnionOverTheDirectShareAndEveryGroupShare() async throws {
        let f = try await VaultFixture()
        let id = try await f.vault.create(Self.noRevealRequest, as: f.alice).entity.identifier
        let rights: [(User, EntryRights?)] = [
            (f.alice, .owner), (f.bob, EntryRights(role: .editor, canReveal: false)),
            (f.carol, EntryRights(role: .editor, canReveal: true)),
            (f.dave, EntryRights(role: .editor, canReveal: true)),
            (f.erin, EntryRights(role: .viewer, canReveal: false)),
            (f.frank, EntryRights(role: .viewer, canReveal: false)),
            (f.mallory, nil),
        ]
        for (user, expected) in rights {
            #expect(try await f.vault.effectiveRights(of: id, for: user) == expected, "\(user.username)")
        }
        let listed = try await f.vault.list(as: f.erin)
        #expect(listed.map(\.canReveal) == [false])
        #expect(try await f.vault.list(as: f.dave).map(\.canReveal) == [true])
    }

    @Test func withoutRevealTheCodeAndMetadataButNeverASecret() async throws {
        let f = try await VaultFixture()
        let id = try await f.vault.create(Self.noRevealRequest, as: f.alice).entity.identifier
        for user in [f.bob, f.erin, f.frank] {
            #expect(try await f.vault.entity(id, as: user).name == "db")
            #expect(try await f.vault.code(id, at: Date(timeIntervalSince1970: 59), as: user) == "996554")
            await Self.expectRefusal(.accessDenied) { () async throws(VaultError) in
                try await f.vault.revealPassword(id, as: user)
            }
            await Self.expectRefusal(.accessDenied) { () async throws(VaultError) in
                try await f.vault.revealNotes(id, as: user)
            }
            await Self.expectRefusal(.accessDenied) { () async throws(VaultError) in
                try await f.vault.revealSecretKey(id, as: user)
            }
            await Self.expectRefusal(.accessDenied) { () async throws(VaultError) in
                try await f.vault.revealSecretKeyText(id, as: user)
            }
            let answer = try await f.vault.reveal(id, at: Date(timeIntervalSince1970: 59), as: user)
            #expect(answer.password == nil && answer.notes == nil && answer.secretKey == nil)
            #expect(answer.secretKeyText == nil && !answer.canReveal)
            #expect(answer.code == "996554")
        }
        // The record of a get-one without reveal names no secret.
        let last = try await f.vault.auditRecords().last!.event
        #expect(last.action == .reveal && last.fields == [] && last.outcome == .ok)
        // With reveal (dave through `editors`), everything.
        let full = try await f.vault.reveal(id, as: f.dave)
        #expect(full.password?.revealUTF8() == "p4ssw0rd!" && full.notes?.revealUTF8() == "the notes")
    }

    @Test func anEditorWithoutRevealWritesNewSecretsButSeesNoOldOnes() async throws {
        let f = try await VaultFixture()
        let id = try await f.vault.create(Self.noRevealRequest, as: f.alice).entity.identifier
        let written = try await f.vault.update(id, PasswordRequest(password: "n3w"), includingNotes: true, as: f.bob)
        #expect(written.entity.revision == 2)
        // The update answer does not open the stored notes for a caller who may not read them.
        #expect(written.notes == nil && !written.notesIncluded)
        #expect(try await f.vault.revealPassword(id, as: f.alice).revealUTF8() == "n3w")
        // History metadata yes, an old version's secrets no.
        #expect(try await f.vault.history(id, as: f.bob).map(\.version) == [2, 1])
        await Self.expectRefusal(.accessDenied) { () async throws(VaultError) in
            try await f.vault.revealVersion(id, version: 1, as: f.bob)
        }
        let restored = try await f.vault.restore(id, version: 1, as: f.bob)
        #expect(restored.notes == nil && !restored.notesIncluded)
        #expect(try await f.vault.revealPassword(id, as: f.alice).revealUTF8() == "p4ssw0rd!")
    }

    @Test func repeatedShareItemsMergeTheirRights() async throws {
        let f = try await VaultFixture()
        let created = try await f.vault.create(
            PasswordRequest(
                name: "n", username: "u", password: "p",
                usersAllowed: .value([
                    ShareRequest(name: "erin", canReveal: .value(false)),
                    ShareRequest(name: "erin", canEdit: .value(true)),
                ])), as: f.alice)
        #expect(created.entity.usersAllowed == [UserShare(username: "erin", canEdit: true, canReveal: true)])
        await Self.expectRefusal(
            .invalidParameter(field: "users_allowed", reason: "item 1: 'can_reveal' must be a boolean")
        ) {
            () async throws(VaultError) in
            try await f.vault.create(
                PasswordRequest(
                    name: "n", username: "u", password: "p",
                    usersAllowed: .value([ShareRequest(name: "erin", canReveal: .invalid(reason: "x"))])), as: f.alice)
        }
    }

    // MARK: Setting policies

    @Test func onlyTheOwnerSetsPolicies() async throws {
        let f = try await VaultFixture()
        let id = try await f.createShared()
        for request in [PasswordRequest(needJustify: .value(true)), PasswordRequest(needApproval: .value(0))] {
            for user in [f.bob, f.carol] {
                await Self.expectRefusal(.accessDenied) { () async throws(VaultError) in
                    try await f.vault.update(id, request, as: user)
                }
            }
            await Self.expectRefusal(.accessDenied) { () async throws(VaultError) in
                try await f.vault.update(id, request, as: f.erin)
            }
            await Self.expectRefusal(.notFound) { () async throws(VaultError) in
                try await f.vault.update(id, request, as: f.mallory)
            }
        }
        let set = try await f.vault.update(
            id, PasswordRequest(needJustify: .value(true), needApproval: .value(2)), as: f.alice)
        #expect(set.entity.needJustify && set.entity.needApproval == 2)
        #expect(set.entity.changedFields == [.needJustify, .needApproval])
        // Kept in history: the old version has no policy.
        let versions = try await f.vault.history(id, as: f.alice)
        #expect(versions.map { $0.entity.needApproval } == [2, 0])
        // A create names the policies it sets in revision 1's changed fields (docs/contract.md §11).
        let created = try await f.vault.create(
            PasswordRequest(name: "n", username: "u", password: "p", needJustify: .value(true)), as: f.alice)
        #expect(created.entity.changedFields == [.name, .username, .password, .needJustify])
        // The same values again: nothing written.
        let again = try await f.vault.update(
            id, PasswordRequest(needJustify: .value(true), needApproval: .value(2)), as: f.alice)
        #expect(again.entity.revision == set.entity.revision)
    }

    @Test func approvalCountsAreChecked() async throws {
        let f = try await VaultFixture()
        for count in [-1, 6, 100] {
            await Self.expectRefusal(
                .invalidParameter(field: "need_approval", reason: "must be an integer from 0 to 5")
            ) {
                () async throws(VaultError) in
                try await f.vault.create(
                    PasswordRequest(name: "n", username: "u", password: "p", needApproval: .value(count)), as: f.alice)
            }
        }
        // Alone, the owner is one approver.
        await Self.expectRefusal(
            .invalidParameter(field: "need_approval", reason: "the entry has 1 approver (its owner and editors)")
        ) { () async throws(VaultError) in
            try await f.vault.create(
                PasswordRequest(name: "n", username: "u", password: "p", needApproval: .value(2)), as: f.alice)
        }
        // The shared entry: alice, bob (direct editor), carol and dave (through `editors`): four.
        let id = try await f.createShared()
        _ = try await f.vault.update(id, PasswordRequest(needApproval: .value(4)), as: f.alice)
        await Self.expectRefusal(
            .invalidParameter(field: "need_approval", reason: "the entry has 4 approvers (its owner and editors)")
        ) { () async throws(VaultError) in
            try await f.vault.update(id, PasswordRequest(needApproval: .value(5)), as: f.alice)
        }
        await Self.expectRefusal(.invalidParameter(field: "need_justify", reason: "expected a boolean, got null")) {
            () async throws(VaultError) in
            try await f.vault.update(id, PasswordRequest(needJustify: .null), as: f.alice)
        }
    }

    // MARK: Justification

    @Test func justificationBindsEveryoneButTheOwner() async throws {
        let f = try await VaultFixture()
        let id = try await f.vault.create(
            PasswordRequest(
                name: "n", username: "u", password: "p", secretKey: "JBSWY3DPEHPK3PXP",
                usersAllowed: .value([ShareRequest(name: "bob", canEdit: .value(true)), ShareRequest(name: "erin")]),
                needJustify: .value(true)), as: f.alice
        ).entity.identifier
        #expect(try await f.vault.revealPassword(id, as: f.alice).revealUTF8() == "p")
        for user in [f.bob, f.erin] {
            for blank in [nil, "", "   "] as [String?] {
                await Self.expectRefusal(.justificationRequired) { () async throws(VaultError) in
                    try await f.vault.revealPassword(id, justification: blank, as: user)
                }
            }
            await Self.expectRefusal(.justificationRequired) { () async throws(VaultError) in
                try await f.vault.code(id, as: user)
            }
            await Self.expectRefusal(.justificationRequired) { () async throws(VaultError) in
                try await f.vault.reveal(id, as: user)
            }
            #expect(try await f.vault.revealPassword(id, justification: "ticket 42", as: user).revealUTF8() == "p")
            #expect(try await f.vault.code(id, justification: "ticket 42", as: user) != nil)
        }
        await Self.expectRefusal(.justificationRequired) { () async throws(VaultError) in
            try await f.vault.history(id, as: f.bob)
        }
        #expect(try await f.vault.history(id, justification: "audit", as: f.bob).count == 1)
        // Strangers still learn nothing more than 1005, viewers 1006 before the policy.
        await Self.expectRefusal(.notFound) { () async throws(VaultError) in
            try await f.vault.revealPassword(id, as: f.mallory)
        }
        await Self.expectRefusal(.accessDenied) { () async throws(VaultError) in
            try await f.vault.history(id, as: f.erin)
        }
        let trail = try await f.vault.auditRecords().map(\.event)
        let refused = trail.filter { $0.outcome == .refused(code: 1009) }
        // Two users × (three blanks, a code, a get-one), and bob's history.
        #expect(refused.count == 11)
        #expect(trail.contains { $0.action == .reveal && $0.justification == "ticket 42" && $0.fields == ["password"] })
        #expect(trail.contains { $0.action == .history && $0.justification == "audit" })
    }

    @Test func justificationLimits() async throws {
        let f = try await VaultFixture()
        let id = try await f.vault.create(
            PasswordRequest(
                name: "n", username: "u", password: "p", usersAllowed: .value([ShareRequest(name: "erin")]),
                needJustify: .value(true)), as: f.alice
        ).entity.identifier
        let limit = String(repeating: "é", count: 500)
        #expect(try await f.vault.revealPassword(id, justification: limit, as: f.erin).revealUTF8() == "p")
        await Self.expectRefusal(
            .invalidParameter(field: "justification", reason: "must have at most 500 characters")
        ) { () async throws(VaultError) in
            try await f.vault.revealPassword(id, justification: limit + "e", as: f.erin)
        }
        for broken in ["two\nlines", "tab\there", "bidi\u{202E}", "nul\u{0}"] {
            do {
                _ = try await f.vault.revealPassword(id, justification: broken, as: f.erin)
                Issue.record("accepted \(broken.debugDescription)")
            } catch {
                #expect(error.code == 1002 && error.message.hasPrefix("1002: Parameter 'justification' is invalid: "))
            }
        }
        // The owner too is refused a malformed justification (the rule is the text's, not the policy's).
        do {
            _ = try await f.vault.revealPassword(id, justification: "a\nb", as: f.alice)
            Issue.record("accepted a two-line justification")
        } catch {
            #expect(error.code == 1002)
        }
    }

    // MARK: Approval

    /// alice owns; bob (direct editor) and carol, dave (editors group) approve; erin and frank view.
    func approvalEntry(_ f: VaultFixture, approvals: Int = 2, justify: Bool = false) async throws -> EntryID {
        var request = VaultFixture.sharedRequest
        request.needApproval = .value(approvals)
        request.needJustify = .value(justify)
        return try await f.vault.create(request, as: f.alice).entity.identifier
    }

    @Test func grantsStartAfterEnoughDistinctApprovalsAndEndOnTime() async throws {
        let clock = SteppingClock(VaultFixture.now)
        let f = try await VaultFixture(clock: clock)
        let id = try await approvalEntry(f)
        await Self.expectRefusal(.approvalRequired) { () async throws(VaultError) in
            try await f.vault.revealPassword(id, as: f.erin)
        }
        #expect(try await f.vault.revealPassword(id, as: f.alice).revealUTF8() == "p4ssw0rd!")

        let request = try await f.vault.requestAccess(id, justification: "INC-7", minutes: 30, as: f.erin)
        #expect(request.state(at: clock.now()) == .pending && request.requesterName == "erin")
        #expect(try await f.vault.accessRequests(as: f.bob).map(\.identifier) == [request.identifier])
        #expect(try await f.vault.accessRequests(as: f.erin).map(\.identifier) == [request.identifier])
        #expect(try await f.vault.accessRequests(as: f.frank).isEmpty)

        // Self-approval, a viewer's approval, a stranger's: refused.
        await Self.expectRefusal(.accessDenied) { () async throws(VaultError) in
            try await f.vault.approveRequest(request.identifier, as: f.erin)
        }
        await Self.expectRefusal(.accessDenied) { () async throws(VaultError) in
            try await f.vault.approveRequest(request.identifier, as: f.frank)
        }
        await Self.expectRefusal(.notFound) { () async throws(VaultError) in
            try await f.vault.approveRequest(request.identifier, as: f.mallory)
        }
        let once = try await f.vault.approveRequest(request.identifier, as: f.bob)
        #expect(once.state(at: clock.now()) == .pending && once.approvals == [f.bob.id])
        await Self.expectRefusal(.accessDenied) { () async throws(VaultError) in
            try await f.vault.approveRequest(request.identifier, as: f.bob)
        }
        await Self.expectRefusal(.approvalRequired) { () async throws(VaultError) in
            try await f.vault.revealPassword(id, as: f.erin)
        }
        clock.advance(by: 10)
        let granted = try await f.vault.approveRequest(request.identifier, as: f.alice)
        #expect(granted.state(at: clock.now()) == .approved)
        #expect(granted.expiresAt == VaultFixture.now + 10 + 30 * 60)
        #expect(try await f.vault.revealPassword(id, as: f.erin).revealUTF8() == "p4ssw0rd!")
        #expect(try await f.vault.code(id, as: f.erin) != nil)
        // The grant is erin's alone.
        await Self.expectRefusal(.approvalRequired) { () async throws(VaultError) in
            try await f.vault.revealPassword(id, as: f.frank)
        }
        // A decided request cannot be decided again.
        await Self.expectRefusal(.invalidParameter(field: "request", reason: "it is approved, not pending")) {
            () async throws(VaultError) in
            try await f.vault.denyRequest(request.identifier, as: f.carol)
        }
        clock.advance(by: 30 * 60 - 1)
        #expect(try await f.vault.revealPassword(id, as: f.erin).revealUTF8() == "p4ssw0rd!")
        clock.advance(by: 1)
        await Self.expectRefusal(.approvalRequired) { () async throws(VaultError) in
            try await f.vault.revealPassword(id, as: f.erin)
        }
        #expect(try await f.vault.accessRequests(as: f.erin).map { $0.state(at: clock.now()) } == [.expired])

        let actions = try await f.vault.auditRecords().map(\.event).filter {
            [.requestAccess, .approve, .deny].contains($0.action)
        }
        // The deny of a decided request is a field rule's 1002: not on the trail (docs/contract.md §12).
        #expect(actions.map(\.action) == [.requestAccess] + Array(repeating: .approve, count: 6))
        #expect(
            actions.map(\.outcome) == [
                .ok, .refused(code: 1006), .refused(code: 1006), .refused(code: 1005), .ok, .refused(code: 1006), .ok,
            ])
        #expect(actions[0].justification == "INC-7" && actions[0].fields == ["30"])
    }

    @Test func oneDenialEndsARequest() async throws {
        let f = try await VaultFixture()
        let id = try await approvalEntry(f)
        let request = try await f.vault.requestAccess(id, justification: "need it", as: f.erin)
        #expect(request.minutes == 60)
        _ = try await f.vault.approveRequest(request.identifier, as: f.bob)
        let denied = try await f.vault.denyRequest(request.identifier, as: f.carol)
        #expect(denied.state(at: VaultFixture.now) == .denied && denied.deniedBy == f.carol.id)
        await Self.expectRefusal(.invalidParameter(field: "request", reason: "it is denied, not pending")) {
            () async throws(VaultError) in
            try await f.vault.approveRequest(request.identifier, as: f.alice)
        }
        await Self.expectRefusal(.approvalRequired) { () async throws(VaultError) in
            try await f.vault.revealPassword(id, as: f.erin)
        }
    }

    @Test func requestsAreChecked() async throws {
        let f = try await VaultFixture()
        let id = try await approvalEntry(f)
        await Self.expectRefusal(.notInformed(field: "justification")) { () async throws(VaultError) in
            try await f.vault.requestAccess(id, justification: " ", as: f.erin)
        }
        for minutes in [0, 1441, -5] {
            await Self.expectRefusal(.invalidParameter(field: "minutes", reason: "must be an integer from 1 to 1440")) {
                () async throws(VaultError) in
                try await f.vault.requestAccess(id, justification: "x", minutes: minutes, as: f.erin)
            }
        }
        await Self.expectRefusal(.notFound) { () async throws(VaultError) in
            try await f.vault.requestAccess(id, justification: "x", as: f.mallory)
        }
        await Self.expectRefusal(
            .invalidParameter(field: "identifier", reason: "the entry asks no approval of this user")
        ) { () async throws(VaultError) in
            try await f.vault.requestAccess(id, justification: "x", as: f.alice)
        }
        try await f.vault.disable(id, as: f.alice)
        await Self.expectRefusal(.disabled) { () async throws(VaultError) in
            try await f.vault.requestAccess(id, justification: "x", as: f.erin)
        }
        await Self.expectRefusal(.notFound) { () async throws(VaultError) in
            try await f.vault.approveRequest(AccessRequestID(rawValue: 999)!, as: f.alice)
        }
    }

    @Test func bothPoliciesTheGrantsJustificationServesItsReads() async throws {
        let f = try await VaultFixture()
        let id = try await approvalEntry(f, approvals: 1, justify: true)
        // 1009 comes before 1010.
        await Self.expectRefusal(.justificationRequired) { () async throws(VaultError) in
            try await f.vault.revealPassword(id, as: f.erin)
        }
        await Self.expectRefusal(.approvalRequired) { () async throws(VaultError) in
            try await f.vault.revealPassword(id, justification: "why", as: f.erin)
        }
        let request = try await f.vault.requestAccess(id, justification: "CHG-9", as: f.erin)
        _ = try await f.vault.approveRequest(request.identifier, as: f.bob)
        #expect(try await f.vault.revealPassword(id, as: f.erin).revealUTF8() == "p4ssw0rd!")
        let last = try await f.vault.auditRecords().last!.event
        #expect(last.action == .reveal && last.justification == "CHG-9")
    }

    @Test func grantsEndWhenTheHolderLosesAccessOrTheEntryIsDisabledOrDeleted() async throws {
        let f = try await VaultFixture()
        let id = try await approvalEntry(f, approvals: 1)
        func grant(_ user: User) async throws -> AccessRequestID {
            let request = try await f.vault.requestAccess(id, justification: "j", as: user)
            _ = try await f.vault.approveRequest(request.identifier, as: f.alice)
            return request.identifier
        }
        let erins = try await grant(f.erin)
        let franks = try await grant(f.frank)
        let pending = try await f.vault.requestAccess(id, justification: "j", as: f.frank)
        // Erin's share goes: her grant is revoked; frank's stays.
        _ = try await f.vault.update(
            id,
            PasswordRequest(
                usersAllowed: .value([ShareRequest(name: "bob", canEdit: .value(true)), ShareRequest(name: "dave")])),
            as: f.alice)
        #expect(try await f.storage.accessRequest(erins)?.storedState == .revoked)
        #expect(try await f.storage.accessRequest(franks)?.storedState == .approved)
        // Erin regains the share: the revoked grant does not come back.
        _ = try await f.vault.update(
            id,
            PasswordRequest(
                usersAllowed: .value([ShareRequest(name: "bob", canEdit: .value(true)), ShareRequest(name: "erin")])),
            as: f.alice)
        await Self.expectRefusal(.approvalRequired) { () async throws(VaultError) in
            try await f.vault.revealPassword(id, as: f.erin)
        }
        // Disabling ends every open request and grant.
        try await f.vault.disable(id, as: f.alice)
        #expect(try await f.storage.accessRequest(franks)?.storedState == .revoked)
        #expect(try await f.storage.accessRequest(pending.identifier)?.storedState == .revoked)
        try await f.vault.enable(id, as: f.alice)
        await Self.expectRefusal(.approvalRequired) { () async throws(VaultError) in
            try await f.vault.revealPassword(id, as: f.frank)
        }
        // Deleting takes the requests with the entry.
        _ = try await grant(f.frank)
        try await f.vault.delete(id, as: f.alice)
        #expect(try await f.storage.accessRequests(AccessRequestQuery(entries: [id])).isEmpty)
    }

    // MARK: Rotation after loss of access

    @Test func anEntryNeedsRotationWhenSomeoneWhoSawThePasswordLosesAccess() async throws {
        let f = try await VaultFixture()
        let id = try await f.createShared()
        _ = try await f.vault.revealPassword(id, as: f.erin)
        _ = try await f.vault.revealNotes(id, as: f.bob)  // notes only: not the password
        // Bob loses his share without having seen the password: nothing to rotate.
        _ = try await f.vault.update(
            id, PasswordRequest(usersAllowed: .value([ShareRequest(name: "dave"), ShareRequest(name: "erin")])),
            as: f.alice)
        #expect(try await f.vault.entity(id, as: f.alice).needsRotation == false)
        // Erin, who saw it, loses her reveal right: the entry needs rotation.
        _ = try await f.vault.update(
            id,
            PasswordRequest(
                usersAllowed: .value([ShareRequest(name: "dave"), ShareRequest(name: "erin", canReveal: .value(false))])
            ),
            as: f.alice)
        #expect(try await f.vault.entity(id, as: f.alice).needsRotation)
        #expect(try await f.vault.list(as: f.dave).map(\.needsRotation) == [true])
        // A change that is not the password keeps the flag; a new password clears it.
        _ = try await f.vault.update(id, PasswordRequest(url: "elsewhere"), as: f.alice)
        #expect(try await f.vault.entity(id, as: f.alice).needsRotation)
        _ = try await f.vault.update(id, PasswordRequest(password: "rotated"), as: f.carol)
        #expect(try await f.vault.entity(id, as: f.alice).needsRotation == false)
        // Erin saw the old password only; removing her now marks nothing.
        _ = try await f.vault.update(id, PasswordRequest(usersAllowed: .value([])), as: f.alice)
        #expect(try await f.vault.entity(id, as: f.alice).needsRotation == false)
    }

    @Test func leavingAGroupMarksAndRevokesInTheSameCommit() async throws {
        let vault = try await Vault.inMemory(clock: FixedClock(VaultFixture.now))
        let alice = try await vault.addUser(named: "alice")
        let bob = try await vault.addUser(named: "bob")
        let carol = try await vault.addUser(named: "carol")
        _ = try await vault.addGroup(named: "ops", members: ["bob", "carol"])
        let id = try await vault.create(
            PasswordRequest(
                name: "n", username: "u", password: "p", groupsAllowed: .value([ShareRequest(name: "ops")]),
                needApproval: .value(1)), as: alice
        ).entity.identifier
        let other = try await vault.create(
            PasswordRequest(
                name: "m", username: "u", password: "q", groupsAllowed: .value([ShareRequest(name: "ops")])),
            as: alice
        ).entity.identifier
        let request = try await vault.requestAccess(id, justification: "j", as: bob)
        _ = try await vault.approveRequest(request.identifier, as: alice)
        _ = try await vault.revealPassword(id, as: bob)
        _ = try await vault.revealPassword(other, as: carol)
        try await vault.removeMember("bob", from: "ops")
        #expect(try await vault.entity(id, as: alice).needsRotation)
        #expect(try await vault.entity(other, as: alice).needsRotation == false)
        #expect(try await vault.accessRequests(as: bob).map { $0.state(at: VaultFixture.now) } == [.revoked])
        await Self.expectRefusal(.notFound) { () async throws(VaultError) in
            try await vault.revealPassword(id, as: bob)
        }
        // The membership change, the revocation and the mark: one commit with one record.
        let removal = try await vault.auditRecords(AuditQuery(action: .memberRemove))
        #expect(removal.map(\.event.fields) == [["ops", "bob"]])
        try await vault.removeMember("carol", from: "ops")
        #expect(try await vault.entity(other, as: alice).needsRotation)
        #expect(try await vault.verifyAudit() == .intact(records: UInt64(try await vault.auditRecords().count)))
    }

    // MARK: No read without a grant

    /// Random sequences of request, approve, deny, clock advance, share removal and restoration,
    /// disable and enable: a read by a bound user succeeds exactly when they hold a grant that was
    /// approved, has not run out, and was not ended by a loss of access or a disable since.
    @Test func noReadEverSucceedsWithoutAnActiveGrant() async throws {
        // What the run exercised: reads under a grant, and reads refused once a grant ran out.
        var grantedReads = 0
        var expiredReads = 0
        try await Property.forAll(100) { gen in
            let clock = SteppingClock(VaultFixture.now)
            let f = try await VaultFixture(clock: clock)
            let id = try await approvalEntry(f, approvals: 2)
            let requesters = [f.erin, f.frank]
            let approvers = [f.alice, f.bob, f.carol, f.dave]
            // The model: per requester, when their grant ends (nil: none).
            var grantEnds: [UserID: Date] = [:]
            var pending: [AccessRequestID: (user: User, minutes: Int, approvals: Set<UserID>)] = [:]
            var erinShared = true
            var active = true
            for step in 0..<60 {
                switch gen.int(0...9) {
                case 0:
                    let user = gen.element(requesters)
                    let minutes = gen.int(1...5)
                    do {
                        let request = try await f.vault.requestAccess(
                            id, justification: "s\(step)", minutes: minutes, as: user)
                        pending[request.identifier] = (user, minutes, [])
                    } catch {
                        let expected = user == f.erin && !erinShared ? 1005 : (!active ? 1007 : -1)
                        if codeOf(error) != expected { return "step \(step): request refused with \(error)" }
                    }
                case 1, 2:
                    guard !pending.isEmpty else { continue }
                    let rid = gen.element(pending.keys.sorted())
                    let entry = pending[rid]!
                    let approver = gen.element(approvers)
                    do {
                        let decided = try await f.vault.approveRequest(rid, as: approver)
                        pending[rid]!.approvals.insert(approver.id)
                        if decided.storedState == .approved {
                            if pending[rid]!.approvals.count < 2 { return "step \(step): approved early" }
                            let end = clock.now() + TimeInterval(entry.minutes * 60)
                            grantEnds[entry.user.id] = max(grantEnds[entry.user.id] ?? end, end)
                            pending[rid] = nil
                        }
                    } catch {
                        let twice = entry.approvals.contains(approver.id)
                        let expected = twice ? 1006 : (!active ? 1007 : -1)
                        if codeOf(error) != expected { return "step \(step): approval refused with \(error)" }
                    }
                case 3:
                    guard !pending.isEmpty else { continue }
                    let rid = gen.element(pending.keys.sorted())
                    let approver = gen.element(approvers)
                    do {
                        _ = try await f.vault.denyRequest(rid, as: approver)
                        pending[rid] = nil
                    } catch {
                        let expected = pending[rid]!.approvals.contains(approver.id) ? 1006 : (!active ? 1007 : -1)
                        if codeOf(error) != expected { return "step \(step): denial refused with \(error)" }
                    }
                case 4: clock.advance(by: TimeInterval(gen.int(1...240)))
                case 5:
                    guard active else { continue }  // an update of a disabled entry is 1007
                    erinShared.toggle()
                    let users =
                        [ShareRequest(name: "bob", canEdit: .value(true)), ShareRequest(name: "dave")]
                        + (erinShared ? [ShareRequest(name: "erin")] : [])
                    _ = try await f.vault.update(id, PasswordRequest(usersAllowed: .value(users)), as: f.alice)
                    if !erinShared {
                        grantEnds[f.erin.id] = nil
                        pending = pending.filter { $0.value.user != f.erin }
                    }
                case 6:
                    active.toggle()
                    if active {
                        try await f.vault.enable(id, as: f.alice)
                    } else {
                        try await f.vault.disable(id, as: f.alice)
                        grantEnds = [:]
                        pending = [:]
                    }
                default:
                    let user = gen.element(requesters)
                    let granted = grantEnds[user.id].map { clock.now() < $0 } ?? false
                    if active, granted { grantedReads += 1 }
                    if active, !granted, grantEnds[user.id] != nil { expiredReads += 1 }
                    do {
                        _ = try await f.vault.revealPassword(id, as: user)
                        if !granted || !active { return "step \(step): \(user.username) read without a grant" }
                    } catch {
                        let expected = user == f.erin && !erinShared ? 1005 : (!active ? 1007 : 1010)
                        if granted && active && codeOf(error) != 1005 {
                            return "step \(step): \(user.username) refused with a grant: \(error)"
                        }
                        if codeOf(error) != expected { return "step \(step): \(user.username) got \(error)" }
                    }
                }
            }
            return nil
        }
        #expect(grantedReads > 15 && expiredReads > 10, "granted \(grantedReads), expired \(expiredReads)")
    }

    /// The catalogue code of a thrown error (-2 for anything that is not a ``VaultError``).
    func codeOf(_ error: any Error) -> Int { (error as? VaultError)?.code ?? -2 }
}
