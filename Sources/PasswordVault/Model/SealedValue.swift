/// Opaque sealed bytes of one secret field of one entry, as storage keeps them.
///
/// Storage and the model never look inside: only a key ring holding the right data key opens
/// them, and only for the entry and field they were sealed for. The byte layout is documented
/// beside the code that writes it (`Crypto/SealedValue+Layout.swift`) and in docs/format.md.
///
/// Its description shows only the length: `SealedValue(66 bytes)`.
public struct SealedValue: Sendable, Hashable {
    /// The sealed bytes.
    public let bytes: [UInt8]

    /// Wraps sealed bytes read back from storage; they are checked only when opened.
    public init(bytes: [UInt8]) { self.bytes = bytes }
}

extension SealedValue: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// A description that never shows secret material.
    public var description: String { "SealedValue(\(bytes.count) bytes)" }
    /// The same as `description`: no secret material.
    public var debugDescription: String { description }
    /// A mirror without children, so `dump` shows no secret material.
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
