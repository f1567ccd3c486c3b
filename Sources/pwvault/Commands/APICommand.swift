import ArgumentParser
import Foundation
import PasswordVault

/// `pwvault api METHOD PATH --as USER`: one request through the wire handler.
struct APICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api",
        abstract: "Send one request to the MySafe / save-passwords API; the JSON answer goes to stdout.",
        discussion: """
            The body is read from standard input when it is not a terminal, at most one byte more than \
            the API's limit (1 MiB): a longer body is answered 413 without reading the rest. Exit status: 0 for a 2xx \
            answer, 1 for a 4xx, 3 for a 5xx; a refusal's message is printed on stderr too. When the vault \
            does not open, --include prints `HTTP/1.1 500 Internal Server Error` and the API's 500 body.
            Example: pwvault api POST api/mysafe/password --as alice < body.json
            """)

    @OptionGroup var vault: VaultOptions
    @Argument(help: "GET, POST, PUT or DELETE.") var method: String
    @Argument(help: "The path, e.g. api/mysafe/password/12 or api/mysafe/password?tag=ops.") var path: String
    @OptionGroup var actor: ActingUser
    @Flag(name: .customLong("include"), help: "Print the status line (e.g. HTTP/1.1 201 Created) before the body.")
    var include = false

    func run() async throws {
        var status: Int32 = 0
        try await runReporting {
            if vault.passphraseFile == "-" {
                throw CLIFailure.usage("standard input carries the body: give the passphrase another way")
            }
            // One byte past the limit is enough for the handler to answer 413 (docs/contract.md §8):
            // an endless standard input is never read to its end.
            let body =
                isatty(STDIN_FILENO) == 1 ? [] : try Self.standardInput(atMost: WireHandler.defaultMaximumBodySize + 1)
            let opened: Vault
            let user: User
            do {
                opened = try await vault.openVault()
                user = try await actor.resolve(in: opened)
            } catch {
                // No request could be made; with --include the answer still has the API's shape.
                if include { write(.failure(.unexpected(cause: error))) }
                throw error
            }
            let answer = await WireHandler(vault: opened).handle(
                WireRequest(method: method, path: path, body: body), as: user)
            write(answer)
            switch answer.status {
            case 200..<300: status = 0
            case 400..<500: status = 1
            default: status = 3
            }
            // A refusal names itself on stderr too (docs/contract.md §9), as every other verb does.
            if status != 0, let message = Self.message(of: answer) { printError(message) }
        }
        if status != 0 { throw ExitCode(status) }
    }

    /// Standard input up to its end or `limit` bytes, whichever comes first.
    static func standardInput(atMost limit: Int) throws(CLIFailure) -> [UInt8] {
        var body: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while body.count < limit {
            let wanted = min(chunk.count, limit - body.count)
            let count = chunk.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, wanted) }
            if count > 0 {
                body.append(contentsOf: chunk[..<count])
            } else if count == 0 {
                break
            } else if errno != EINTR {
                throw .unexpected("cannot read the body from standard input (errno \(errno))")
            }
        }
        return body
    }

    /// The answer on stdout: with --include, the status line first, in one unbuffered write.
    private func write(_ answer: WireResponse) {
        let head = include ? Array((answer.statusLine + "\n").utf8) : []
        FileHandle.standardOutput.write(Data(head + answer.body + [0x0A]))
    }

    /// The message a refusal carries: the catalogue's (`exception.message`), the gateway's
    /// `message`, the save-passwords `detail`, or its field errors as `field: message`.
    static func message(of answer: WireResponse) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any] else {
            return nil
        }
        if let exception = object["exception"] as? [String: Any], let message = exception["message"] as? String {
            return message
        }
        if let message = object["message"] as? String { return message }
        if let detail = object["detail"] as? String { return detail }
        let fields = object.keys.sorted().compactMap { key in
            (object[key] as? [String]).map { "\(key): \($0.joined(separator: " "))" }
        }
        return fields.isEmpty ? nil : fields.joined(separator: "\n")
    }
}
