import Foundation

@_spi(Benchmarks) @testable import PasswordVault

extension Array where Element == UInt8 {
    /// Bytes from hexadecimal text (test vectors); traps on malformed text.
    init(hex: String) {
        let digits = Array(hex.utf8)
        precondition(digits.count % 2 == 0, "odd hex length")
        self = stride(from: 0, to: digits.count, by: 2).map {
            UInt8(String(decoding: digits[$0..<$0 + 2], as: UTF8.self), radix: 16)!
        }
    }
}

/// Keys made once and shared by the tests, at the cheapest Argon2id cost.
enum Fixture {
    static let passphrase = SecretBytes(utf8: "correct horse battery staple")
    static let vault: (ring: KeyRing, header: [UInt8]) = try! KeyRing.create(
        credential: .passphrase(passphrase), cost: .minimum)
    static var ring: KeyRing { vault.ring }
    static var header: [UInt8] { vault.header }

    static let entry = EntryID(rawValue: 312)!
    static let otherEntry = EntryID(rawValue: 313)!
}

/// Every copy of `bytes` with exactly one bit flipped, with the flipped bit's index.
func singleBitFlips(of bytes: [UInt8]) -> some Sequence<(bit: Int, bytes: [UInt8])> {
    (0..<bytes.count * 8).lazy.map { bit in
        var copy = bytes
        copy[bit / 8] ^= 1 << (bit % 8)
        return (bit, copy)
    }
}
