/// Bytes that must stay secret: a password, notes, a TOTP seed, a key.
///
/// - Its `description`, `debugDescription`, string interpolation and `dump`
///   show `<redacted>`; it is deliberately not `Codable`.
/// - `==` runs in constant time for equal lengths (`sodium_memcmp`).
/// - Its buffer is wiped with `sodium_memzero` when the last copy is released.
/// - The bytes are reachable only inside ``withUnsafeBytes(_:)``.
///
/// The value is immutable, so copies share one buffer safely across tasks.
///
/// ```swift
/// let password = SecretBytes(utf8: "8jhfy@3789")
/// print(password)            // <redacted>
/// password.withUnsafeBytes { $0.count }   // 10
/// ```
public struct SecretBytes: Sendable {
    let storage: Storage

    /// Copies `bytes` into a fresh secret buffer.
    public init(_ bytes: some Sequence<UInt8>) {
        let array = Array(bytes)
        storage = Storage(count: array.count) { buffer in
            buffer.copyBytes(from: array)
        }
        // `array` is a transient copy; wipe it before it is released.
        var scratch = array
        scratch.withUnsafeMutableBytes { Sodium.wipe($0) }
    }

    /// The UTF-8 bytes of `string` as a secret.
    public init(utf8 string: String) {
        var copy = string
        storage = copy.withUTF8 { utf8 in
            Storage(count: utf8.count) { $0.copyMemory(from: UnsafeRawBufferPointer(utf8)) }
        }
    }

    /// Copies the bytes of a raw buffer.
    public init(copying buffer: UnsafeRawBufferPointer) {
        storage = Storage(count: buffer.count) { $0.copyMemory(from: buffer) }
    }

    /// A secret of `count` bytes written in place by `initializer`.
    ///
    /// If `initializer` throws, the buffer is wiped and released.
    public init<E: Error>(
        count: Int, initializingWith initializer: (UnsafeMutableRawBufferPointer) throws(E) -> Void
    ) throws(E) {
        storage = try Storage(count: count, initializer)
    }

    /// A secret of `count` bytes that `initializer` writes behind `prefix` bytes of its own, in
    /// one buffer of `prefix + count` bytes: the secret is the part after the prefix. The prefix
    /// is never shown, and is wiped with the rest.
    ///
    /// Opening a sealed value decrypts its binding and its secret in one go, straight into the
    /// buffer the secret keeps, with no copy. If `initializer` throws, everything it wrote is
    /// wiped and released.
    init<E: Error>(
        count: Int, behind prefix: Int, initializingWith initializer: (UnsafeMutableRawBufferPointer) throws(E) -> Void
    ) throws(E) {
        storage = try Storage(count: count, prefix: prefix, initializer)
    }

    /// `count` random bytes from libsodium's CSPRNG.
    /// - Throws: ``CryptoError`` when libsodium cannot be initialised.
    public static func random(count: Int) throws(CryptoError) -> SecretBytes {
        try SecretBytes(count: count) { (buffer: UnsafeMutableRawBufferPointer) throws(CryptoError) in
            try Sodium.randomFill(buffer)
        }
    }

    /// The number of bytes.
    public var count: Int { storage.count }

    /// Whether there are no bytes.
    public var isEmpty: Bool { storage.count == 0 }

    /// Calls `body` with the secret bytes. Do not let the pointer escape.
    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try body(UnsafeRawBufferPointer(storage.buffer))
    }

    /// The bytes decoded as UTF-8 into a plain `String`, for the edge of the
    /// program (an answer body, a terminal). `nil` if they are not valid UTF-8.
    public func revealUTF8() -> String? {
        withUnsafeBytes { bytes in
            String(validating: bytes.bindMemory(to: UInt8.self), as: UTF8.self)
        }
    }
}

extension SecretBytes {
    /// The heap buffer behind a ``SecretBytes``: wiped and freed in `deinit`.
    final class Storage {
        /// The whole allocation (at least one byte, so that an empty secret has an address).
        private let allocation: UnsafeMutableRawBufferPointer
        /// The secret's own bytes: `count` of the allocation, after its prefix (usually none).
        let buffer: UnsafeMutableRawBufferPointer
        var count: Int { buffer.count }

        /// `prefix` bytes before the secret's `count`: `initializer` writes both, the secret is
        /// the bytes after the prefix.
        init<E: Error>(
            count: Int, prefix: Int = 0, _ initializer: (UnsafeMutableRawBufferPointer) throws(E) -> Void
        ) throws(E) {
            precondition(count >= 0 && prefix >= 0, "a secret cannot have a negative length")
            allocation = .allocate(byteCount: Swift.max(prefix + count, 1), alignment: 16)
            buffer = UnsafeMutableRawBufferPointer(rebasing: allocation[prefix..<(prefix + count)])
            // Every stored property is set: if `initializer` throws, `deinit` still runs,
            // wiping and freeing whatever it wrote.
            try initializer(UnsafeMutableRawBufferPointer(rebasing: allocation[0..<(prefix + count)]))
        }

        deinit {
            Sodium.wipe(allocation)
            allocation.deallocate()
        }
    }
}

// The storage is written once, in `init`, and only read afterwards.
extension SecretBytes.Storage: @unchecked Sendable {}

extension SecretBytes: Equatable {
    /// Constant-time comparison (`sodium_memcmp`); only the lengths are compared in variable time.
    public static func == (lhs: SecretBytes, rhs: SecretBytes) -> Bool {
        lhs.withUnsafeBytes { a in rhs.withUnsafeBytes { b in Sodium.constantTimeEqual(a, b) } }
    }
}

extension SecretBytes: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// A description that never shows secret material.
    public var description: String { "<redacted>" }
    /// The same as `description`: no secret material.
    public var debugDescription: String { "<redacted>" }
    /// A mirror without children, so `dump` shows no secret material.
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
