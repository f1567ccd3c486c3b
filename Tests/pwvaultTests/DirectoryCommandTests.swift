import Foundation
import Testing

/// `pwvault user` and `pwvault group` through the vault's directory use cases (docs/contract.md §3, §9).
extension VaultCommandTests {
    @Test func userAddAfterTheLargestIdIsARefusalNotATrap() throws {
        try makeVault()
        #expect(try pw("user", "add", "big", "--id", "9223372036854775807").status == 0)
        let next = try pw("user", "add", "next")
        #expect(next.status == 1)
        #expect(
            next.stderr
                == "pwvault: no user id is free above the highest one in use (9223372036854775807); give the id\n")
        let given = try pw("user", "add", "next", "--id", "4")
        #expect(given.status == 0)
        #expect(given.stdout == "Added user next (id 4)\n")
    }

    @Test func userIdsOutOfRangeAreRefused() throws {
        try makeVault()
        let zero = try pw("user", "add", "zero", "--id", "0")
        #expect(zero.status == 1)
        #expect(zero.stderr == "pwvault: a user id must be from 1 to 9223372036854775807, not 0\n")
        let negative = try pw("user", "add", "neg", "--id=-1")
        #expect(negative.status == 1)
        #expect(negative.stderr == "pwvault: a user id must be from 1 to 9223372036854775807, not -1\n")
        // Beyond 64 bits the option itself does not parse: a usage error.
        #expect(try pw("user", "add", "huge", "--id", "99999999999999999999").status == 2)
        #expect(try pw("user", "list").stdout == "1\tnpass\n2\tpduarte\n3\tmcosta\n")
    }

    @Test func namesNoShareCouldNameAreRefused() throws {
        try makeVault()
        for (name, reason) in [
            ("ali\u{9B}ce", "must not contain control characters or line breaks"),
            ("alice\u{2028}", "must not contain control characters or line breaks"),
            ("\u{202E}ecila", "must not contain bidirectional formatting characters"),
            ("\u{200B}\u{200D}", "must have at least one visible character"),
            (String(repeating: "x", count: 201), "must have at most 200 characters"),
        ] {
            let user = try pw("user", "add", name)
            #expect(user.status == 1)
            #expect(user.stderr == "pwvault: a username \(reason)\n")
            let group = try pw("group", "add", name)
            #expect(group.status == 1)
            #expect(group.stderr == "pwvault: a group name \(reason)\n")
        }
        #expect(try pw("user", "add", "mcosta").stderr == "pwvault: username 'mcosta' is already taken\n")
        #expect(
            try pw("group", "add", "ops", "--member", "gh\u{9B}ost").stderr == "pwvault: unknown user 'gh\\u{9B}ost'\n")
        #expect(try pw("group", "add-member", "nope", "npass").stderr == "pwvault: unknown group 'nope'\n")
        #expect(try pw("group", "list").stdout == "Test group\tmcosta\n")
    }
}
