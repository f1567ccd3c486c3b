import Foundation
import Testing

@testable import PasswordVault

/// `GET api/mysafe/password?include_disabled=` (docs/contract.md §4 and §8): `1`, `true` or
/// `yes`, in any case, lists disabled entries too; any other value is ignored (the disabled
/// entries stay out), never an error.
@Suite("Wire list: include_disabled")
struct WireIncludeDisabledTests {
    static let accepted = ["1", "true", "TRUE", "True", "yes", "YES", "yEs", "%74rue", "y%45s"]
    static let ignored = ["", "0", "false", "no", "on", "2", "01", "truee", "y", "+yes", "yes+", "t%20rue", "%31%31"]

    /// alice's three entries, the second disabled; the list's identifiers for `query`.
    func listed(_ query: String) async throws -> [String] {
        let f = try await VaultFixture()
        let api = WireHandler(vault: f.vault)
        for name in ["one", "two", "three"] {
            _ = try await f.vault.create(PasswordRequest(name: .value(name), username: "u", password: "p"), as: f.alice)
        }
        #expect(try await f.vault.disable(EntryID(rawValue: 2)!, as: f.alice) == .changed)
        let answer = await api.handle(WireRequest(method: "GET", path: "api/mysafe/password\(query)"), as: f.alice)
        #expect(answer.status == 200, "\(query)")
        guard case .array(let items)? = try json(answer.body)["password_on_list"] else {
            Issue.record("no list for \(query)")
            return []
        }
        return items.map { item in
            guard case .string(let id)? = item["identifier"] else { return "?" }
            return id
        }
    }

    @Test func withoutTheParameterDisabledEntriesAreLeftOut() async throws {
        #expect(try await listed("") == ["1", "3"])
    }

    @Test(arguments: accepted)
    func eachAcceptedSpellingListsDisabledEntries(_ value: String) async throws {
        #expect(try await listed("?include_disabled=\(value)") == ["1", "2", "3"])
    }

    @Test(arguments: ignored)
    func anyOtherValueIsIgnored(_ value: String) async throws {
        #expect(try await listed("?include_disabled=\(value)") == ["1", "3"])
    }

    @Test func itCombinesWithTheFiltersAndTheFirstRepeatWins() async throws {
        #expect(try await listed("?include_disabled=yes&name=t") == ["2", "3"])
        #expect(try await listed("?include_disabled=no&include_disabled=yes") == ["1", "3"])
        #expect(try await listed("?include_disabled=1&include_disabled=0") == ["1", "2", "3"])
    }
}
