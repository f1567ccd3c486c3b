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
public struct SecretBytes {
    let storage: Storage

    /// Copies `bytes` into a fresh secret buffer.
    public init(_ bytes: some Sequence<UInt8>) {
        let array = Array(bytes)
        storage = Storage.make(count: array.count) { buffer in
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
            Storage.make(count: utf8.count) { $0.copyMemory(from: UnsafeRawBufferPointer(utf8)) }
        }
    }

    /// Copies the bytes of a raw buffer.
    public init(copying buffer: UnsafeRawBufferPointer) {
        storage = Storage.make(count: buffer.count) { $0.copyMemory(from: buffer) }
    }

    /// A secret of `count` bytes written in place by `initializer`.
    ///
    /// If `initializer` throws, the buffer is wiped and released.
    public init<E: Error>(
        count: Int, initializingWith initializer: (UnsafeMutableRawBufferPointer) throws(E) -> Void
    ) throws(E) {
        storage = try Storage.make(count: count, initializer)
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
        storage = try Storage.make(count: count, prefix: prefix, initializer)
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
        try storage.withBuffer { (bytes) throws(E) in try body(UnsafeRawBufferPointer(bytes)) }
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
    /// The heap buffer behind a ``SecretBytes``: one allocation, the object with its bytes in
    /// its tail (`ManagedBuffer`), wiped in `deinit`.
    final class Storage: ManagedBuffer<Storage.Extent, UInt8> {
        /// Where the secret lies in the tail: `count` bytes after `prefix` (usually none).
        struct Extent {
            let prefix: Int
            let count: Int
        }

        /// A buffer of `prefix + count` bytes (at least one, so that an empty secret has an
        /// address), all of them written by `initializer`; the secret is the part after the
        /// prefix. If `initializer` throws, the object is released and `deinit` wipes whatever
        /// it wrote.
        static func make<E: Error>(
            count: Int, prefix: Int = 0, _ initializer: (UnsafeMutableRawBufferPointer) throws(E) -> Void
        ) throws(E) -> Storage {
            precondition(count >= 0 && prefix >= 0, "a secret cannot have a negative length")
            let storage = unsafeDowncast(
                create(minimumCapacity: Swift.max(prefix + count, 1)) { _ in Extent(prefix: prefix, count: count) },
                to: Storage.self)
            try storage.withUnsafeMutablePointerToElements { (bytes) throws(E) in
                try initializer(UnsafeMutableRawBufferPointer(start: bytes, count: prefix + count))
            }
            return storage
        }

        // The header is read through its pointer, not `header`: that class property would
        // cost a dynamic exclusivity check on every access, and the extent never changes.

        /// The secret's length.
        var count: Int { withUnsafeMutablePointerToHeader { $0.pointee.count } }

        /// Calls `body` with the secret's own bytes.
        func withBuffer<R, E: Error>(_ body: (UnsafeMutableRawBufferPointer) throws(E) -> R) throws(E) -> R {
            try withUnsafeMutablePointers { (extent, bytes) throws(E) in
                try body(
                    UnsafeMutableRawBufferPointer(start: bytes + extent.pointee.prefix, count: extent.pointee.count))
            }
        }

        deinit {
            withUnsafeMutablePointers { extent, bytes in
                let written = Swift.max(extent.pointee.prefix + extent.pointee.count, 1)
                Sodium.wipe(UnsafeMutableRawBufferPointer(start: bytes, count: written))
            }
        }
    }
}

// The storage is written once, when it is made, and only read afterwards. (`ManagedBuffer`
// is never `Sendable`, so the promise is made here, on the value that holds it.)
extension SecretBytes: @unchecked Sendable {}

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
