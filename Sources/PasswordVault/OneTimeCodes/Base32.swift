/// Base32 (RFC 4648 §6): the alphabet `A`–`Z`, `2`–`7`, five bits per symbol.
///
/// Decoding is lenient in the ways people paste TOTP seeds, and strict otherwise:
/// - letters in any case;
/// - spaces, tabs, CR, LF and `-` ignored anywhere (`JBSW Y3DP-EHPK 3PXP`);
/// - `=` padding optional, but only at the end (followed at most by ignored
///   characters) and of the one legal amount that completes the last 8-symbol
///   quantum: 6, 4, 3 or 1 (RFC 4648 §6);
/// - a symbol count leaving 1, 3 or 6 symbols in the last quantum is refused:
///   no number of bytes encodes to it (RFC 4648 §6);
/// - non-zero bits left over after the last whole byte are accepted and dropped.
///   RFC 4648 §3.5 lets decoders reject them; we accept them, as most
///   authenticator apps do;
/// - an empty text (or one of ignored characters only) is refused.
///
/// Encoding writes uppercase symbols without padding, the form of `otpauth://` URIs.
///
/// ```swift
/// let seed = try Base32.decodeSecret("jbsw y3dp ehpk 3pxp")   // 10 bytes
/// Base32.encode(seed)                                        // "JBSWY3DPEHPK3PXP"
/// ```
public enum Base32 {
    /// Decodes base32 text into bytes.
    ///
    /// - Parameter text: Base32 text, with the leniencies listed on ``Base32``.
    /// - Returns: The decoded bytes (at least one).
    /// - Throws: ``Base32Error``, naming the first problem found.
    public static func decode(_ text: String) throws(Base32Error) -> [UInt8] {
        let byteCount = try validate(text)
        return [UInt8](unsafeUninitializedCapacity: byteCount) { buffer, initialized in
            decodeSymbols(of: text, into: UnsafeMutableRawBufferPointer(buffer))
            initialized = byteCount
        }
    }

    /// Decodes base32 text straight into a ``SecretBytes``, for seeds and keys.
    ///
    /// The bytes are written only into the secret's own (wiped on release) buffer:
    /// no intermediate array holds them.
    ///
    /// - Parameter text: Base32 text, with the leniencies listed on ``Base32``.
    /// - Throws: ``Base32Error``, naming the first problem found.
    public static func decodeSecret(_ text: String) throws(Base32Error) -> SecretBytes {
        let byteCount = try validate(text)
        return SecretBytes(count: byteCount) { decodeSymbols(of: text, into: $0) }
    }

    /// Encodes bytes as uppercase base32 without padding.
    ///
    /// - Parameter bytes: Any bytes; none gives `""`.
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        let symbolCount = (bytes.count * 8 + 4) / 5
        guard symbolCount > 0 else { return "" }
        return String(unsafeUninitializedCapacity: symbolCount) { output in
            var accumulator: UInt32 = 0
            var bits = 0
            var written = 0
            for byte in bytes {
                accumulator = accumulator << 8 | UInt32(byte)
                bits += 8
                while bits >= 5 {
                    bits -= 5
                    output[written] = symbol(for: accumulator >> UInt32(bits))
                    written += 1
                }
            }
            if bits > 0 {
                // The last symbol carries the remaining bits, zero-filled on the right (RFC 4648 §6).
                output[written] = symbol(for: accumulator << UInt32(5 - bits))
                written += 1
            }
            return written
        }
    }

    /// Encodes a secret as uppercase base32 without padding.
    ///
    /// The result is an ordinary `String` holding the secret: keep it no longer than needed.
    public static func encode(_ secret: SecretBytes) -> String {
        secret.withUnsafeBytes { encode($0) }
    }
}

extension Base32 {
    /// The 5-bit value of an ASCII symbol, either case, or `nil`.
    @inline(__always)
    static func value(of ascii: UInt8) -> UInt8? {
        switch ascii {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): ascii &- UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): ascii &- UInt8(ascii: "a")
        case UInt8(ascii: "2")...UInt8(ascii: "7"): ascii &- UInt8(ascii: "2") &+ 26
        default: nil
        }
    }

    /// The uppercase symbol of the low five bits of `value`.
    @inline(__always)
    static func symbol(for value: UInt32) -> UInt8 {
        let index = UInt8(truncatingIfNeeded: value & 0x1F)
        return index < 26 ? UInt8(ascii: "A") &+ index : UInt8(ascii: "2") &+ (index &- 26)
    }

    /// Whether a character is one of those ignored anywhere: space, tab, CR, LF, CR-LF, `-`.
    @inline(__always)
    static func isIgnored(_ character: Character) -> Bool {
        switch character {
        case " ", "\t", "\r", "\n", "\r\n", "-": true
        default: false
        }
    }

    /// Checks the whole text and returns the number of bytes it decodes to.
    ///
    /// Positions in errors count Characters (a CR-LF is one).
    private static func validate(_ text: String) throws(Base32Error) -> Int {
        var tally = Tally()
        // Fast path (performance): in ASCII text every byte is one Character, except CR-LF, which
        // is one; the bytes are checked straight from the string's UTF-8 storage, without grapheme
        // breaking (a fifth of the instructions for a 16-symbol seed). If a byte is not ASCII, the
        // text is checked again from the start, Character by Character, so that positions count
        // Characters; an error in the ASCII prefix is the one the Character loop reports first.
        let scan = text.utf8.withContiguousStorageIfAvailable { tally.scanASCII($0) } ?? .notASCII
        switch scan {
        case .checked:
            break
        case .failed(let error):
            throw error
        case .notASCII:
            tally = Tally()
            for character in text {
                tally.position += 1
                if isIgnored(character) { continue }
                if character == "=" {
                    tally.padding()
                    continue
                }
                try tally.symbol(isValid: character.asciiValue.flatMap(value(of:)) != nil)
            }
        }
        return try tally.byteCount()
    }

    /// What ``validate(_:)`` has seen so far.
    private struct Tally {
        var symbols = 0
        var paddingCount = 0
        var firstPadding: Int?
        /// The position (in Characters, from 1) of the character being looked at.
        var position = 0

        mutating func padding() {
            if firstPadding == nil { firstPadding = position }
            paddingCount += 1
        }

        mutating func symbol(isValid: Bool) throws(Base32Error) {
            guard isValid else { throw .invalidCharacter(position: position) }
            // RFC 4648 §3.2: padding only ever ends the data.
            if let firstPadding { throw .misplacedPadding(position: firstPadding) }
            symbols += 1
        }

        /// How ``scanASCII(_:)`` ended.
        enum Scan {
            case checked, notASCII
            case failed(Base32Error)
        }

        /// Tallies ASCII bytes; stops at the first error or the first byte that is not ASCII.
        mutating func scanASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Scan {
            var previous: UInt8 = 0
            for byte in bytes {
                guard byte < 0x80 else { return .notASCII }
                // The LF of a CR-LF belongs to the CR's Character.
                if !(byte == UInt8(ascii: "\n") && previous == UInt8(ascii: "\r")) { position += 1 }
                previous = byte
                switch byte {
                case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n"), UInt8(ascii: "-"):
                    continue
                case UInt8(ascii: "="):
                    padding()
                default:
                    do {
                        try symbol(isValid: Base32.value(of: byte) != nil)
                    } catch {
                        return .failed(error)
                    }
                }
            }
            return .checked
        }

        func byteCount() throws(Base32Error) -> Int {
            if symbols == 0 && paddingCount == 0 { throw .empty }
            // RFC 4648 §6: a final quantum of 8, 16, 24, 32 or 40 bits gives 2, 4, 5, 7 or 8 symbols.
            switch symbols % 8 {
            case 1, 3, 6: throw .invalidLength(symbols: symbols)
            default: break
            }
            // RFC 4648 §6: padding completes the last quantum to 8 symbols (6, 4, 3 or 1 `=`), nothing else.
            if paddingCount > 0 && (paddingCount >= 8 || (symbols + paddingCount) % 8 != 0) {
                throw .invalidPaddingLength(paddingCount)
            }
            return symbols * 5 / 8
        }
    }

    /// Decodes the symbols of an already validated text into `output` (exactly its byte count).
    ///
    /// Validation leaves only single ASCII characters and CR-LF, so the UTF-8 view is enough:
    /// every byte that is not a symbol (ignored characters, `=`) is skipped.
    private static func decodeSymbols(of text: String, into output: UnsafeMutableRawBufferPointer) {
        // The string's own UTF-8 storage when it has one (performance: no iterator per byte).
        if text.utf8.withContiguousStorageIfAvailable({ decodeSymbols(of: $0, into: output) }) == nil {
            decodeSymbols(of: text.utf8, into: output)
        }
    }

    private static func decodeSymbols(of text: some Sequence<UInt8>, into output: UnsafeMutableRawBufferPointer) {
        var accumulator: UInt32 = 0
        var bits = 0
        var written = 0
        for ascii in text {
            guard written < output.count else { break }
            guard let value = value(of: ascii) else { continue }
            accumulator = accumulator << 5 | UInt32(value)
            bits += 5
            if bits >= 8 {
                bits -= 8
                output[written] = UInt8(truncatingIfNeeded: accumulator >> UInt32(bits))
                written += 1
            }
        }
        // Leftover bits (fewer than 8) are dropped, zero or not; see the type's documentation.
    }
}
