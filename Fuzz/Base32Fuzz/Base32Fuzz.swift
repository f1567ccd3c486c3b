import FuzzSupport
import PasswordVault

/// Base32 decoding (RFC 4648 §6, lenient) of any text, with round trips as oracles:
///
/// - `decode` either throws a `Base32Error` or returns bytes, and `decodeSecret` agrees with it;
/// - what decodes re-encodes to the same symbols, but for the last one (whose unused low bits
///   the decoder drops), and that re-encoding decodes to the same bytes, in lower case too;
/// - the input's own bytes, encoded, decode back to themselves.
@_cdecl("LLVMFuzzerTestOneInput")
public func base32Fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let text = String(decoding: bytes, as: UTF8.self)

    switch Result(catching: { () throws(Base32Error) in try Base32.decode(text) }) {
    case .failure:
        let secret = Result(catching: { () throws(Base32Error) in try Base32.decodeSecret(text) })
        expect((try? secret.get()) == nil, "decodeSecret accepted what decode refused")
    case .success(let decoded):
        expect(!decoded.isEmpty, "decoded to no bytes")
        let secret = try? Base32.decodeSecret(text)
        expect(secret == SecretBytes(decoded), "decodeSecret differs from decode")

        // The symbols of the text, without ignored characters and padding, in upper case.
        let symbols = text.utf8.compactMap { byte -> UInt8? in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"): byte - 0x20
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "2")...UInt8(ascii: "7"): byte
            default: nil
            }
        }
        let encoded = Base32.encode(decoded)
        let reencoded = Array(encoded.utf8)
        expect(reencoded.count == symbols.count, "re-encoding has another number of symbols")
        expect(reencoded.dropLast() == symbols.dropLast(), "re-encoding differs before the last symbol")
        expect((try? Base32.decode(encoded)) == decoded, "the re-encoding does not decode to the same bytes")
        expect((try? Base32.decode(encoded.lowercased())) == decoded, "lower case decodes differently")
    }

    if !bytes.isEmpty {
        let encoded = Base32.encode(bytes)
        expect((try? Base32.decode(encoded)) == bytes, "encode/decode round trip lost bytes")
        expect(Base32.encode(SecretBytes(bytes)) == encoded, "encoding a secret differs")
    } else {
        expect(Base32.encode(bytes).isEmpty, "no bytes encode to text")
    }
    return 0
}
