// Opens a single-file vault with the first release's library and says what happened
// (the older-release check of Tests/pwvaultTests/Fixtures/first-release/README.md).
import Foundation
import PasswordVault

@main
struct OpenFileVault {
    static func main() async {
        let path = CommandLine.arguments[1]
        do {
            let storage = try FileStorage.open(at: path)
            let vault = try await Vault.open(
                storage: storage, credential: .passphrase(SecretBytes(utf8: "first-release-fixture")))
            let users = try await vault.storage.users()
            print("opened: \(users.map(\.username))")
        } catch {
            FileHandle.standardError.write(Data("refused: \(error)\n".utf8))
            exit(1)
        }
    }
}
