/// Opaque sealed bytes of one secret field of one entry.
public struct SealedValue: Sendable, Hashable {
    /// The sealed bytes.
    public let bytes: [UInt8]
    /// Wraps sealed bytes read back from storage.
    public init(bytes: [UInt8]) { self.bytes = bytes }
}
