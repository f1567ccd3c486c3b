import Foundation
import Testing

@testable import PasswordVault

@Suite("HMAC (RFC 2104) on libcrypto hash states")
struct HMACKeyTests {
    struct SHA1File: Decodable {
        struct Case: Decodable {
            var key: Hex
            var data: Hex
            var sha1: Hex
        }
        var cases: [Case]
    }

    struct SHA2File: Decodable {
        struct Case: Decodable {
            var `case`: Int
            var key: Hex
            var data: Hex
            var sha256: Hex
            var sha512: Hex
            var truncatedToBytes: Int?
        }
        var cases: [Case]
    }

    /// RFC 2202 §3: HMAC-SHA-1 test cases 1–7.
    @Test func matchesRFC2202() throws {
        let file = try TestVectors.load("RFC2202", as: SHA1File.self)
        #expect(file.cases.count == 7)
        for vector in file.cases {
            let key = vector.key.bytes.withUnsafeBytes { HMACKey(.sha1, key: $0) }
            #expect(Hex(key.authenticationCode(for: vector.data.bytes)) == vector.sha1)
        }
    }

    /// RFC 4231 §4: HMAC-SHA-256 and HMAC-SHA-512 test cases 1–7 (case 5 truncated to 128 bits).
    @Test(arguments: [HMACKey.Algorithm.sha256, .sha512])
    func matchesRFC4231(algorithm: HMACKey.Algorithm) throws {
        let file = try TestVectors.load("RFC4231", as: SHA2File.self)
        #expect(file.cases.map(\.case) == Array(1...7))
        for vector in file.cases {
            let key = HMACKey(algorithm, key: SecretBytes(vector.key.bytes))
            var mac = key.authenticationCode(for: vector.data.bytes)
            #expect(mac.count == algorithm.digestSize)
            if let truncated = vector.truncatedToBytes { mac = Array(mac.prefix(truncated)) }
            let expected = algorithm == .sha256 ? vector.sha256 : vector.sha512
            #expect(Hex(mac) == expected, "case \(vector.case)")
        }
    }

    /// 120 random keys (0…200 bytes) and messages against Python's `hmac` module.
    @Test func sha1AgreesWithPython() throws {
        let file = try TestVectors.load("HMACSHA1Python", as: SHA1File.self)
        #expect(file.cases.count == 120)
        #expect(file.cases.contains { $0.key.bytes.count > 64 })
        for vector in file.cases {
            let key = HMACKey(.sha1, key: SecretBytes(vector.key.bytes))
            #expect(Hex(key.authenticationCode(for: vector.data.bytes)) == vector.sha1)
        }
    }

    /// Random keys (empty, around the block size, much longer) and messages against libsodium.
    @Test func sha2AgreesWithLibsodium() {
        var generator = SystemRandomNumberGenerator()
        let keyLengths = [0, 1, 31, 32, 63, 64, 65, 127, 128, 129, 300]
        for round in 0..<400 {
            let keyLength =
                round < keyLengths.count * 4 ? keyLengths[round % keyLengths.count] : Int.random(in: 0...300)
            let key = (0..<keyLength).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
            let message = (0..<Int.random(in: 0...400)).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
            let mine256 = HMACKey(.sha256, key: SecretBytes(key)).authenticationCode(for: message)
            let mine512 = HMACKey(.sha512, key: SecretBytes(key)).authenticationCode(for: message)
            #expect(mine256 == Sodium.referenceHMACSHA256(key: key, message: message), "key \(keyLength) bytes")
            #expect(mine512 == Sodium.referenceHMACSHA512(key: key, message: message), "key \(keyLength) bytes")
        }
    }

    @Test func reusesTheKeyStatesAcrossMessages() {
        let key = HMACKey(.sha1, key: SecretBytes(utf8: "Jefe"))
        let first = key.authenticationCode(for: Array("what do ya want for nothing?".utf8))
        _ = key.authenticationCode(for: Array("something else".utf8))
        let again = key.authenticationCode(for: Array("what do ya want for nothing?".utf8))
        #expect(first == again)
        #expect(Hex(first) == Hex(Hex.parse("effcdf6ae5eb2fa2d27416d5f184df9c259a7c79")!))
    }

    @Test func isSafeToShareAcrossTasks() async {
        let key = HMACKey(.sha256, key: SecretBytes(utf8: "shared"))
        let expected = key.authenticationCode(for: [1, 2, 3])
        let results = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<8 {
                group.addTask { (0..<200).allSatisfy { _ in key.authenticationCode(for: [1, 2, 3]) == expected } }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results == Array(repeating: true, count: 8))
    }
}
