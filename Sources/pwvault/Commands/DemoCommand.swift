import ArgumentParser
import Foundation
import PasswordVault

/// `pwvault demo`: a throw-away vault, every step shown.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo", abstract: "Walk through a throw-away vault, showing each request and answer.",
        discussion: """
            The vault lives in a new folder of $TMPDIR and is removed at the end, and also when \
            Ctrl-C (SIGINT) or SIGTERM stops the demo midway.
            """)

    @Flag(name: .customLong("step"), help: "Wait for Enter (a line on stdin) before each step.")
    var waitsBeforeEachStep = false

    func run() async throws {
        try await runReporting { try await Demo(waitsBeforeEachStep: waitsBeforeEachStep).run() }
    }
}

struct Demo {
    /// Whether each step waits for a line on standard input (`--step`): a presenter's pace, and a
    /// point where a test can stop the demo midway, its vault on disk, without a race.
    var waitsBeforeEachStep = false

    func step(_ title: String) {
        if waitsBeforeEachStep {
            print("\n(Enter for the next step: \(title))")
            fflush(nil)  // every stream: the prompt is seen before the wait
            _ = readLine()
        }
        print("\n== \(title)")
    }

    func show(_ method: String, _ path: String, _ body: String?, as user: User, _ api: WireHandler) async
        -> WireResponse
    {
        print("$ pwvault api \(method) \(path) --as \(user.username)" + (body == nil ? "" : " <<'EOF'"))
        if let body { print(body + "\nEOF") }
        let answer = await api.handle(WireRequest(method: method, path: path, body: Array((body ?? "").utf8)), as: user)
        print(answer.statusLine)
        print(answer.bodyText)
        return answer
    }

    func run() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pwvault-demo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        // Removed at the end, and also when SIGINT or SIGTERM ends the demo midway: no vault under
        // the published demo passphrase (nor the temporary file beside it) stays behind.
        let folderPath = folder.path
        let cleanUp = CleanUps.shared.add { try? FileManager.default.removeItem(atPath: folderPath) }
        defer {
            CleanUps.shared.remove(cleanUp)
            try? FileManager.default.removeItem(at: folder)
        }
        let path = folder.appendingPathComponent("vault.db").path

        step("A throw-away vault at \(path), sealed under a passphrase (Argon2id, interactive cost)")
        let storage = try await VaultStore.create(.file(path))
        let vault = try await Vault.create(
            storage: storage, credential: .passphrase(SecretBytes(utf8: "correct horse battery staple")),
            cost: .interactive)

        step("Users and a group")
        let npass = User(id: UserID(rawValue: 1), username: "npass")
        let pduarte = User(id: UserID(rawValue: 2), username: "pduarte")
        let mcosta = User(id: UserID(rawValue: 3), username: "mcosta")
        for user in [npass, pduarte, mcosta] {
            try await vault.addUser(named: user.username, id: user.id.rawValue)
            print("user \(user.username) (id \(user.id))")
        }
        try await vault.addGroup(named: "Test group", members: ["mcosta"])
        print("group Test group: mcosta")

        let api = WireHandler(vault: vault)
        step("The seed's create request, as npass (the owner)")
        let created = await show(
            "POST", "api/mysafe/password",
            """
            {"name": "senseg account", "username": "npass", "password": "8jhfy@3789", "url": "www.senhasegura.com",
             "secret_key": "JBSWY3DPEHPK3PXP", "notes": "Access details", "tags": "tag1, tag2",
             "users_allowed": [{"username": "pduarte"}], "groups_allowed": [{"name": "Test group", "can_edit": false}]}
            """, as: npass, api)
        let id =
            String(decoding: created.body, as: UTF8.self).firstMatch(of: /"identifier":"(\d+)"/).map { String($0.1) }
            ?? "1"

        step("pduarte sees it shared with him (a viewer): the password, the seed and the current TOTP token")
        _ = await show("GET", "api/mysafe/password/\(id)", nil, as: pduarte, api)

        step("A viewer may not update it: 1006")
        _ = await show("PUT", "api/mysafe/password/update/\(id)", #"{"name": "mine now"}"#, as: pduarte, api)

        step("The owner makes pduarte an editor")
        _ = await show(
            "PUT", "api/mysafe/password/update/\(id)",
            #"{"users_allowed": [{"username": "pduarte", "can_edit": true}]}"#,
            as: npass, api)

        step("The list, as mcosta (through Test group)")
        _ = await show("GET", "api/mysafe/password?tag=tag1", nil, as: mcosta, api)

        step("pduarte, now an editor, disables it; reveal is refused with 1007 until it is enabled")
        _ = await show("POST", "api/mysafe/password/inactive/\(id)", nil, as: pduarte, api)
        _ = await show("GET", "api/mysafe/password/\(id)", nil, as: npass, api)
        _ = await show("POST", "api/mysafe/password/active/\(id)", nil, as: npass, api)

        step("A stranger learns nothing: 1005")
        _ = await show(
            "GET", "api/mysafe/password/\(id)", nil, as: User(id: UserID(rawValue: 99), username: "eve"), api)

        step("The password generator's save-passwords endpoint (seed 000)")
        _ = await show(
            "POST", "api/password-generator/save-passwords/",
            #"{"user": 1, "password_saved": "MySecureP@ss123", "url": "https://example.com", "name_pages": "Example Website"}"#,
            as: npass, api)
        _ = await show("POST", "api/password-generator/save-passwords/", "{}", as: npass, api)

        step(
            "Access policies: mcosta may use the TOTP code without seeing a secret; reads need a reason and an approval"
        )
        _ = await show(
            "PUT", "api/mysafe/password/update/\(id)",
            #"{"groups_allowed": [{"name": "Test group", "can_reveal": false}], "need_justify": true, "need_approval": 1}"#,
            as: npass, api)
        _ = await show("GET", "api/mysafe/password/\(id)?justification=INC-42", nil, as: mcosta, api)
        _ = await show(
            "POST", "api/mysafe/password/request/\(id)", #"{"justification": "INC-42", "minutes": 30}"#, as: mcosta,
            api)
        _ = await show("GET", "api/mysafe/password/requests", nil, as: pduarte, api)
        _ = await show("POST", "api/mysafe/password/request/approve/1", nil, as: pduarte, api)
        _ = await show("GET", "api/mysafe/password/\(id)", nil, as: mcosta, api)

        step("Rotating the data key reseals every secret; the passphrase still opens the vault")
        try await vault.rotateDataKey()
        let reopened = try await Vault.open(
            storage: try await VaultStore.open(.file(path)),
            credential: .passphrase(SecretBytes(utf8: "correct horse battery staple")))
        let password = try await reopened.revealPassword(EntryID(id)!, as: npass)
        print("reveal after rotation: \(password.revealUTF8() == "8jhfy@3789" ? "8jhfy@3789 (unchanged)" : "MISMATCH")")

        step("The audit trail: every call above, refusals included, chained so that no edit goes unseen")
        var rows = [["SEQ", "ACTOR", "ACTION", "ENTRY", "OUTCOME", "FIELDS"]]
        rows += try await reopened.auditRecords().map { AuditListCommand.row($0, showingTime: false).dropLast() }
        print(ListCommand().table(rows), terminator: "")
        switch try await reopened.verifyAudit() {
        case .intact(let records): print("$ pwvault audit verify\nintact, \(records) records")
        case .broken(let seq, let reason): print("$ pwvault audit verify\nbroken at seq \(seq): \(reason.rawValue)")
        }
        print("\nDone: the vault file is removed.")
    }
}
