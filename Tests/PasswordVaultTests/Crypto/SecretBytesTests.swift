import Foundation
import Testing

@testable import PasswordVault

@Suite("SecretBytes")
struct SecretBytesTests {
    @Test func keepsItsBytes() {
        let secret = SecretBytes(utf8: "8jhfy@3789")
        #expect(secret.count == 10)
        #expect(secret.revealUTF8() == "8jhfy@3789")
        #expect(SecretBytes([]).isEmpty)
        #expect(SecretBytes([]).count == 0)
    }

    @Test func comparesByContent() {
        #expect(SecretBytes(utf8: "abc") == SecretBytes([0x61, 0x62, 0x63]))
        #expect(SecretBytes(utf8: "abc") != SecretBytes(utf8: "abd"))
        #expect(SecretBytes(utf8: "abc") != SecretBytes(utf8: "abcd"))
        #expect(SecretBytes([]) == SecretBytes([]))
    }

    @Test func redactsEveryRendering() {
        let secret = SecretBytes(utf8: "hunter2-secret")
        #expect(secret.description == "<redacted>")
        #expect(secret.debugDescription == "<redacted>")
        #expect("\(secret)" == "<redacted>")
        #expect(String(reflecting: secret) == "<redacted>")
        var dumped = ""
        dump(secret, to: &dumped)
        #expect(!dumped.contains("hunter2"))
        #expect(dumped.contains("<redacted>"))
        #expect(Mirror(reflecting: secret).children.isEmpty)
    }

    @Test func randomBytesDiffer() throws {
        let a = try SecretBytes.random(count: 32)
        let b = try SecretBytes.random(count: 32)
        #expect(a.count == 32)
        #expect(a != b)
    }

    @Test func failedInitialiserLeavesNothing() {
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            _ = try SecretBytes(count: 8) { (_: UnsafeMutableRawBufferPointer) throws(Boom) in throw Boom() }
        }
    }
}
