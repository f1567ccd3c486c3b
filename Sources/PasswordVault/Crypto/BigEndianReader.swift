/// Big-endian integers in byte arrays: the sealed-value and header layouts use them.
extension Array where Element == UInt8 {
    /// Appends `value` most significant byte first.
    mutating func appendBigEndian<T: FixedWidthInteger & UnsignedInteger>(_ value: T) {
        for shift in stride(from: T.bitWidth - 8, through: 0, by: -8) {
            append(UInt8(truncatingIfNeeded: value >> shift))
        }
    }
}

/// Reads a byte layout front to back; every read fails softly (`nil`) past the end.
struct BigEndianReader {
    private var remaining: ArraySlice<UInt8>

    init(_ bytes: ArraySlice<UInt8>) { remaining = bytes }

    /// Whether every byte has been read.
    var isAtEnd: Bool { remaining.isEmpty }

    /// The next `count` bytes.
    mutating func read(_ count: Int) -> ArraySlice<UInt8>? {
        guard count >= 0, remaining.count >= count else { return nil }
        defer { remaining = remaining.dropFirst(count) }
        return remaining.prefix(count)
    }

    /// The next integer, most significant byte first.
    mutating func readBigEndian<T: FixedWidthInteger & UnsignedInteger>(_: T.Type = T.self) -> T? {
        guard let bytes = read(T.bitWidth / 8) else { return nil }
        return bytes.reduce(T.zero) { $0 << 8 | T($1) }
    }
}

// The standard library's `withUnsafeBytes` on arrays is untyped `rethrows`; these keep a
// closure's typed error.
extension Array where Element == UInt8 {
    /// `withUnsafeMutableBytes` that keeps `body`'s typed error.
    mutating func withTypedUnsafeMutableBytes<R, E: Error>(
        _ body: (UnsafeMutableRawBufferPointer) throws(E) -> R
    ) throws(E) -> R {
        try withUnsafeMutableBytes { buffer in Result { () throws(E) in try body(buffer) } }.get()
    }
}

extension ArraySlice where Element == UInt8 {
    /// `withUnsafeBytes` that keeps `body`'s typed error.
    func withTypedUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try withUnsafeBytes { buffer in Result { () throws(E) in try body(buffer) } }.get()
    }
}
