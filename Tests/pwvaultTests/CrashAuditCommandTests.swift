import Foundation
import Testing

/// SIGKILL in the middle of updates and reveals (docs/contract.md §11, §12): after every kill
/// the trail verifies, every version is either current or in the history (none lost), every
/// committed version has exactly one `update` record and no record names a write that did not
/// happen, and every acknowledged update and reveal is on the trail.
@Suite("pwvault under SIGKILL: history and audit", .serialized)
struct CrashAuditCommandTests {
    let folder: URL
    let env: [String: String]

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("pwvault-crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        env = [
            "PWVAULT_PATH": folder.appendingPathComponent("vault.db").path,
            "PWVAULT_PASSPHRASE": "correct horse battery staple",
        ]
    }

    func start(_ arguments: [String], stdin: String = "") throws -> (Process, Pipe) {
        try PWVaultRun.start(arguments, stdin: stdin, environment: env)
    }

    @Test func killedUpdatesAndRevealsLoseNoVersionAndLeaveEveryAcknowledgedCallOnTheTrail() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        func pw(_ arguments: String..., stdin: String = "") throws -> PWVaultRun {
            try PWVaultRun.run(arguments, stdin: stdin, environment: env)
        }
        #expect(try pw("init", "--cost", "minimum", "--history-depth", "100").status == 0)
        #expect(try pw("user", "add", "alice").status == 0)
        #expect(
            try pw("create", "--as", "alice", "--name", "n", "--username", "u", "--password-file", "-", stdin: "pw-0\n")
                .status == 0)

        var acknowledgedPasswords = ["pw-0"]
        var acknowledgedReveals = 0
        for round in 1...24 {
            let update = try start(["update", "1", "--as", "alice", "--password-file", "-"], stdin: "pw-\(round)\n")
            let reveal = try start(["reveal", "1", "--as", "alice"])
            // Kill one of the two (or neither, one round in four) at a random moment.
            let victim = round % 4 == 0 ? nil : (round % 2 == 0 ? update.0 : reveal.0)
            if let victim {
                usleep(UInt32.random(in: 2_000...60_000))
                kill(victim.processIdentifier, SIGKILL)
            }
            for (process, output) in [update, reveal] {
                let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                process.waitUntilExit()
                guard process.terminationReason == .exit, process.terminationStatus == 0 else { continue }
                if process === update.0 {
                    acknowledgedPasswords.append("pw-\(round)")
                } else if text.hasPrefix("pw-") {
                    acknowledgedReveals += 1
                }
            }
        }

        let verified = try pw("audit", "verify")
        #expect(verified.status == 0, "\(verified.stderr)")
        let history = try pw("history", "1", "--as", "alice")
        let versions = history.stdout.split(separator: "\n").dropFirst().compactMap {
            UInt64($0.split(separator: " ")[0])
        }
        let current = try #require(versions.first)
        // No version lost: every one from 1 to the current is there.
        #expect(versions == Array((1...current).reversed()), "\(history.stdout)")
        var stored: [String] = []
        for version in 1...current {
            let old = try pw("reveal", "1", "--at-version", String(version), "--as", "alice")
            stored.append(old.stdout.trimmingCharacters(in: .newlines))
        }
        for password in acknowledgedPasswords {
            #expect(stored.contains(password), "acknowledged \(password) was lost")
        }

        // One `update` record per committed version after the first, no more, no fewer; every
        // acknowledged reveal has its record (a killed one may have one too).
        let trail = try pw("audit", "--json", "--entry", "1").stdout.split(separator: "\n")
        let updates = trail.filter { $0.contains("\"action\":\"update\"") && $0.contains("\"outcome\":\"ok\"") }
        #expect(updates.count == Int(current) - 1)
        #expect(trail.filter { $0.contains("\"action\":\"create\"") }.count == 1)
        let reveals = trail.filter { $0.contains("\"action\":\"reveal\"") && $0.contains("\"outcome\":\"ok\"") }
        #expect(reveals.count >= acknowledgedReveals)
        // The verifications above are recorded reads themselves; the trail is still intact.
        #expect(try pw("audit", "verify").status == 0)
    }
}
