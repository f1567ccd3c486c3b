import Foundation
import Testing

@testable import PasswordVault

/// libsodium's own secretbox known answer: `test/default/secretbox.c` (key `firstkey`, `nonce`,
/// the message after its 32 zero bytes) and the output it must print (`secretbox.exp`).
@Suite("secretbox known answer")
struct SecretBoxVectorTests {
    struct VectorFile: Decodable {
        var source: String
        var vectors: [Vector]
    }

    struct Vector: Decodable, CustomTestStringConvertible {
        var name: String
        var key: String
        var nonce: String
        var message: String
        /// Tag ‖ ciphertext, as `crypto_secretbox_easy` writes it.
        var sealed: String
        var testDescription: String { name }
    }

    static let vectors: [Vector] = {
        let url = Bundle.module.url(forResource: "secretbox", withExtension: "json", subdirectory: "Vectors")!
        return try! JSONDecoder().decode(VectorFile.self, from: Data(contentsOf: url)).vectors
    }()

    @Test(arguments: vectors)
    func sealsToThePublishedBytes(_ vector: Vector) throws {
        let sealed = try SecretBox.seal(
            SecretBytes([UInt8](hex: vector.message)), nonce: [UInt8](hex: vector.nonce),
            key: SecretBytes([UInt8](hex: vector.key)))
        #expect(sealed == [UInt8](hex: vector.sealed))
        #expect(sealed.count == 16 + 131)
    }

    @Test(arguments: vectors)
    func sealsInPlaceToThePublishedBytes(_ vector: Vector) throws {
        var box = [UInt8](repeating: 0, count: 16) + [UInt8](hex: vector.message)
        let nonce = [UInt8](hex: vector.nonce)
        let key = [UInt8](hex: vector.key)
        try box.withTypedUnsafeMutableBytes { (box) throws(CryptoError) in
            try nonce[...].withTypedUnsafeBytes { (nonce) throws(CryptoError) in
                try key[...].withTypedUnsafeBytes { (key) throws(CryptoError) in
                    try SecretBox.seal(inPlace: box, nonce: nonce, key: key)
                }
            }
        }
        #expect(box == [UInt8](hex: vector.sealed))
    }

    @Test(arguments: vectors)
    func opensThePublishedBytes(_ vector: Vector) throws {
        let opened = try SecretBox.open(
            [UInt8](hex: vector.sealed)[...], nonce: [UInt8](hex: vector.nonce)[...],
            key: SecretBytes([UInt8](hex: vector.key)), orThrow: .wrongPassphraseOrKey)
        #expect(opened == SecretBytes([UInt8](hex: vector.message)))
    }

    @Test(arguments: vectors)
    func refusesTheVectorWithAFlippedBit(_ vector: Vector) throws {
        let sealed = [UInt8](hex: vector.sealed)
        for flip in singleBitFlips(of: sealed) {
            #expect(throws: CryptoError.wrongPassphraseOrKey) {
                try SecretBox.open(
                    flip.bytes[...], nonce: [UInt8](hex: vector.nonce)[...],
                    key: SecretBytes([UInt8](hex: vector.key)), orThrow: .wrongPassphraseOrKey)
            }
        }
    }
}
