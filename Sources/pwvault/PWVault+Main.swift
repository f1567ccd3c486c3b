import ArgumentParser
import Foundation

extension PWVault {
    /// The entry point: ArgumentParser's own, except that usage errors exit with 2 (docs/contract.md §9).
    ///
    /// ArgumentParser exits with 64 (`EX_USAGE`) on parse and validation errors; this prints
    /// the same message and usage, then exits with 2. Every other outcome (help, `--version`,
    /// an `ExitCode` thrown by a command) goes through ArgumentParser's `exit(withError:)` as usual.
    static func main() async {
        ProcessGuard.start()
        // No arguments at all: the help, on stderr, as a usage error (docs/contract.md §9).
        if CommandLine.arguments.count <= 1 {
            FileHandle.standardError.write(Data((helpMessage() + "\n").utf8))
            Foundation.exit(2)
        }
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            Self.exit(withError: error)
        }
    }
}
