import ArgumentParser
import Foundation

extension PWVault {
    /// The program's entry point: ArgumentParser's own, except for the exit status of usage
    /// errors. ArgumentParser exits with 64 (`EX_USAGE`) when arguments do not parse or a
    /// `validate()` throws; DESIGN.md §9 promises 2 for usage errors, so those print the same
    /// message and exit with 2. Help, `--version` and every other error go through
    /// `exit(withError:)` unchanged.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            guard exitCode(for: error) == .validationFailure else { exit(withError: error) }
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            exit(withError: ExitCode(2))
        }
    }
}
