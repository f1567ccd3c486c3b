public import PasswordVault

/// A refusal that was not the one a test expected (``expectRefusal(_:_:)``): the call succeeded,
/// failed with another code, or threw something that is not a `VaultError`. Its description
/// names both codes and the catalogue message, never a value the call returned (it may be a
/// secret).
public struct RefusalMismatch: Error, CustomStringConvertible, Sendable {
    /// The code the test expected.
    public var expected: Int
    /// What happened instead, in words.
    public var outcome: String

    /// What happened, for the test's failure message.
    public var description: String { "expected refusal \(expected), but \(outcome)" }
}

/// Runs `body` and returns the `VaultError` it threw when its catalogue code
/// (docs/contract.md §3: 1001, 1002, 1005–1011) is `code`; otherwise throws
/// ``RefusalMismatch``, which fails the test in Swift Testing and XCTest alike.
///
/// ```swift
/// try await expectRefusal(1006) { try await t.vault.delete(id, as: bob) }
/// ```
@discardableResult
public func expectRefusal<T>(
    _ code: Int, _ body: () async throws -> T
) async throws -> VaultError {
    let outcome: String
    do {
        _ = try await body()
        outcome = "the call succeeded"
    } catch let error as VaultError {
        if error.code == code { return error }
        outcome = "it was refused with \(error.message)"
    } catch {
        outcome = "it threw \(type(of: error)): \(error)"
    }
    throw RefusalMismatch(expected: code, outcome: outcome)
}

/// Like ``expectRefusal(_:_:)``, and the refusal's message must also be `message` exactly (the
/// catalogue text with its field and reason, e.g. `1001: Parameter 'name' was not informed!`).
@discardableResult
public func expectRefusal<T>(
    _ code: Int, message: String, _ body: () async throws -> T
) async throws -> VaultError {
    let error = try await expectRefusal(code, body)
    guard error.message == message else {
        throw RefusalMismatch(expected: code, outcome: "its message was \"\(error.message)\", not \"\(message)\"")
    }
    return error
}
