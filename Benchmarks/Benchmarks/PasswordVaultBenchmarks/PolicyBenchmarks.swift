import Benchmark
import Foundation
import PasswordVault

/// The cost of docs/contract.md §13's policy step on a reveal: the same reveal by a viewer on
/// entries without a policy, with `need_justify`, and with `need_approval` and a running grant
/// (one more storage read: the grant). In memory, so the step itself is what differs.
func registerPolicyBenchmarks() {
    let count = Suite.size(1_000, smoke: 10)
    let fast = Suite.configuration(scaling: .kilo)

    /// alice owns `count` entries shared with bob, each with `policy`; with approval, bob holds a grant on each.
    struct Policies {
        let vault: Vault
        let bob: User
        let ids: [EntryID]

        init(count: Int, justify: Bool, approvals: Int) async throws {
            vault = try await Vault.inMemory()
            let alice = try await vault.addUser(named: "alice")
            bob = try await vault.addUser(named: "bob")
            var ids: [EntryID] = []
            for index in 0..<count {
                let request = PasswordRequest(
                    name: .value("entry \(index)"), username: "svc", password: .value(Inputs.password),
                    usersAllowed: .value([ShareRequest(name: "bob")]), needJustify: .value(justify),
                    needApproval: .value(approvals))
                let id = try await vault.create(request, as: alice).entity.identifier
                if approvals > 0 {
                    let asked = try await vault.requestAccess(id, justification: "bench", minutes: 1440, as: bob)
                    try await vault.approveRequest(asked.identifier, as: alice)
                }
                ids.append(id)
            }
            self.ids = ids
        }
    }

    for (name, justify, approvals) in [
        ("vault revealPassword as a viewer, no policy, in memory", false, 0),
        ("vault revealPassword as a viewer, justification policy, in memory", true, 0),
        ("vault revealPassword as a viewer, approval policy and a grant, in memory", false, 1),
    ] {
        benchmark(name, fast, setup: { try await Policies(count: count, justify: justify, approvals: approvals) }) {
            benchmark, state in
            var index = 0
            for _ in benchmark.scaledIterations {
                blackHole(
                    try await state.vault.revealPassword(
                        state.ids[index], justification: justify ? "ticket 4711" : nil, as: state.bob))
                index = (index + 1) % state.ids.count
            }
        }
    }
}
