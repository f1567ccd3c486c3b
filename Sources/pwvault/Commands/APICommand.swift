import ArgumentParser
import Foundation
import PasswordVault

/// `pwvault api METHOD PATH --as USER`: one request through the wire handler.
struct APICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api",
        abstract: "Send one request to the MySafe / save-passwords API; the JSON answer goes to stdout.",
        discussion: """
            The body is read from standard input when it is not a terminal. Exit status: 0 for a 2xx \
            answer, 1 for a 4xx, 3 for a 5xx.
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
            let body = isatty(STDIN_FILENO) == 1 ? [] : Array(FileHandle.standardInput.readDataToEndOfFile())
            let opened = try await vault.openVault()
            let user = try await actor.resolve(in: opened)
            let answer = await WireHandler(vault: opened).handle(
                WireRequest(method: method, path: path, body: body), as: user)
            // One unbuffered write, so the status line cannot land after the body.
            let head = include ? Array((answer.statusLine + "\n").utf8) : []
            FileHandle.standardOutput.write(Data(head + answer.body + [0x0A]))
            switch answer.status {
            case 200..<300: status = 0
            case 400..<500: status = 1
            default: status = 3
            }
        }
        if status != 0 { throw ExitCode(status) }
    }
}
