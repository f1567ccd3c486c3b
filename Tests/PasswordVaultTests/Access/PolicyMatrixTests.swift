import Foundation
import Testing

@testable import PasswordVault

/// docs/contract.md §4's table extended by §13, cell by cell: every role × the shares' reveal
/// right × the entry's policy × every read and write, with no justification and no grant given.
@Suite("Authorization matrix with policies")
struct PolicyMatrixTests {
    typealias Who = AccessMatrixTests.Who

    enum Policy: String, CaseIterable, Sendable { case none, justify, approval }

    enum Operation: String, CaseIterable, Sendable {
        case list, metadata, code, getOne, revealPassword, revealNotes, history, revealVersion, updatePassword
    }

    struct Cell: Sendable, CustomTestStringConvertible {
        var who: Who
        var canReveal: Bool
        var policy: Policy
        var operation: Operation
        var testDescription: String { "\(who) reveal:\(canReveal) \(policy) \(operation)" }
    }

    static let cells: [Cell] = Who.allCases.flatMap { who in
        [true, false].flatMap { canReveal in
            Policy.allCases.flatMap { policy in
                Operation.allCases.map { Cell(who: who, canReveal: canReveal, policy: policy, operation: $0) }
            }
        }
    }

    /// The expected refusal; `nil` means allowed.
    static func expected(_ cell: Cell) -> VaultError? {
        guard let role = cell.who.role else { return cell.operation == .list ? nil : .notFound }
        let reveals = role == .owner || cell.canReveal
        let policyRefusal: VaultError? =
            role == .owner
            ? nil : [.none: nil, .justify: .justificationRequired, .approval: .approvalRequired][cell.policy]!
        switch cell.operation {
        case .list, .metadata: return nil
        case .code, .getOne: return policyRefusal
        case .revealPassword, .revealNotes: return reveals ? policyRefusal : .accessDenied
        case .history: return role >= .editor ? policyRefusal : .accessDenied
        case .revealVersion: return role >= .editor && reveals ? policyRefusal : .accessDenied
        case .updatePassword: return role >= .editor ? nil : .accessDenied
        }
    }

    @Test(arguments: cells)
    func cell(_ cell: Cell) async throws {
        let f = try await VaultFixture()
        // Every share carries the cell's reveal right; dave's union (viewer directly, editor
        // through `editors`) then has it too.
        let reveal = Input.value(cell.canReveal)
        var request = VaultFixture.sharedRequest
        request.usersAllowed = .value([
            ShareRequest(name: "bob", canEdit: true, canReveal: reveal),
            ShareRequest(name: "dave", canEdit: false, canReveal: reveal),
            ShareRequest(name: "erin", canReveal: reveal),
        ])
        request.groupsAllowed = .value([
            ShareRequest(name: "editors", canEdit: true, canReveal: reveal),
            ShareRequest(name: "viewers", canReveal: reveal),
        ])
        request.needJustify = .value(cell.policy == .justify)
        request.needApproval = .value(cell.policy == .approval ? 1 : 0)
        let id = try await f.vault.create(request, as: f.alice).entity.identifier
        let user = cell.who.user(in: f)

        let outcome: VaultError?
        do {
            switch cell.operation {
            case .list:
                let listed = try await f.vault.list(as: user).map(\.entity.identifier)
                #expect(listed == (cell.who.role == nil ? [] : [id]))
                if let item = try await f.vault.list(as: user).first {
                    #expect(item.canReveal == (cell.who.role == .owner || cell.canReveal))
                    #expect(item.needJustify == (cell.policy == .justify && cell.who.role != .owner))
                    #expect(item.needApproval == (cell.policy == .approval && cell.who.role != .owner))
                }
            case .metadata: _ = try await f.vault.entity(id, as: user)
            case .code: #expect(try await f.vault.code(id, as: user) != nil)
            case .getOne:
                let answer = try await f.vault.reveal(id, as: user)
                let reveals = cell.who.role == .owner || cell.canReveal
                #expect((answer.password != nil) == reveals && (answer.notes != nil) == reveals)
                #expect((answer.secretKeyText != nil) == reveals && answer.code != nil)
            case .revealPassword: #expect(try await f.vault.revealPassword(id, as: user).revealUTF8() == "p4ssw0rd!")
            case .revealNotes: #expect(try await f.vault.revealNotes(id, as: user)?.revealUTF8() == "the notes")
            case .history: #expect(try await f.vault.history(id, as: user).count == 1)
            case .revealVersion:
                #expect(try await f.vault.revealVersion(id, version: 1, as: user).password?.revealUTF8() == "p4ssw0rd!")
            case .updatePassword:
                #expect(try await f.vault.update(id, PasswordRequest(password: "n3w"), as: user).entity.revision == 2)
            }
            outcome = nil
        } catch {
            outcome = error
        }
        #expect(outcome?.message == Self.expected(cell)?.message, "\(cell.testDescription)")
        // Every refusal is on the trail with its code (docs/contract.md §12); metadata reads,
        // which show no secret, are not recorded at all.
        if let refusal = outcome, cell.operation != .metadata {
            let last = try await f.vault.auditRecords().last?.event
            #expect(last?.outcome == .refused(code: UInt16(refusal.code)) && last?.entry == id)
        }
    }
}
