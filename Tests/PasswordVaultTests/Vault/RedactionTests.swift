import Foundation
import Testing

@_spi(Benchmarks) @testable import PasswordVault

/// No secret reaches a description, a debug description, an interpolation or a dump.
@Suite("Redaction")
struct RedactionTests {
    static let marker = "hunter2-marker"

    /// Every rendering a log line or a debugger could show.
    static func renderings(of value: Any) -> [String] {
        var dumped = ""
        dump(value, to: &dumped)
        return [String(describing: value), String(reflecting: value), "\(value)", dumped]
    }

    @Test func secretBytesAreRedacted() {
        for text in Self.renderings(of: SecretBytes(utf8: Self.marker)) {
            #expect(!text.contains("hunter2") && text.contains("<redacted>"))
        }
    }

    @Test func credentialsAreRedacted() {
        let credentials: [VaultCredential] = [
            .passphrase(SecretBytes(utf8: Self.marker)), .rawKey(SecretBytes(Array(Self.marker.utf8))),
        ]
        for credential in credentials {
            for text in Self.renderings(of: credential) {
                #expect(!text.contains("hunter2") && !text.contains("104"), "\(text)")
                #expect(text.contains("<redacted>"))
            }
        }
        #expect("\(credentials[0])" == "VaultCredential.passphrase(<redacted>)")
        #expect("\(credentials[1])" == "VaultCredential.rawKey(<redacted>)")
    }

    @Test func sealedValuesShowOnlyTheirLength() throws {
        let sealed = try Fixture.ring.seal(SecretBytes(utf8: "8jhfy@3789ab"), entry: Fixture.entry, field: .password)
        #expect("\(sealed)" == "SealedValue(66 bytes)")
        for text in Self.renderings(of: sealed) {
            #expect(text.contains("SealedValue(66 bytes)"))
            #expect(!text.contains("bytes:") && !text.contains("["), "no byte values")
        }
    }

    @Test func keyRingsShowOnlyKeyIDs() throws {
        let (ring, _) = try Fixture.ring.beginRotation()
        #expect("\(ring)" == "KeyRing(current data key 2 of [1, 2])")
        let keyBytes = ring.dataKeys[1]!.withUnsafeBytes { Array($0) }
        let kekBytes = ring.keyEncryptionKey.withUnsafeBytes { Array($0) }
        for text in Self.renderings(of: ring) {
            #expect(!text.contains(keyBytes.map(String.init).joined(separator: ", ")))
            #expect(!text.contains(kekBytes.map(String.init).joined(separator: ", ")))
            #expect(!text.contains("keyEncryptionKey") && !text.contains("dataKeys"), "\(text)")
        }
    }

    @Test func errorsCarryNoSecret() throws {
        let passphrase = SecretBytes(utf8: Self.marker)
        var errors: [CryptoError] = []
        do { _ = try KeyRing.unlock(header: Fixture.header, credential: .passphrase(passphrase)) } catch {
            errors.append(error)
        }
        let sealed = try Fixture.ring.seal(passphrase, entry: Fixture.entry, field: .password)
        do { _ = try Fixture.ring.open(sealed, entry: Fixture.otherEntry, field: .password) } catch {
            errors.append(error)
        }
        do { _ = try KeyRing.create(credential: .rawKey(passphrase), cost: .minimum) } catch { errors.append(error) }
        #expect(errors.count == 3)
        for error in errors {
            for text in Self.renderings(of: error) + [error.description] {
                #expect(!text.contains("hunter2"), "\(text)")
            }
        }
        #expect(
            errors[1].description
                == "the sealed password of entry 313 does not open: it was altered, moved, or sealed under another key")
    }
}
