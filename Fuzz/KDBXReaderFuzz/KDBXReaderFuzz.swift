import Foundation
import FuzzSupport
@_spi(Fuzzing) import PasswordVaultInterchange

/// `KDBXReader.read` over hostile bytes (docs/contract.md §15). The first byte picks the mode:
/// - 0: the fuzz bytes as a file;
/// - 1: a genuine small KDBX 4 file with the fuzz bytes XORed in from its 13th byte;
/// - 2: a genuine KDBX 4 file around the fuzz bytes as its XML payload (the XML reader).
///
/// The limits are small, so a forged cost cannot make the fuzzer measure a KDF. Oracles: the
/// genuine file opens to its entry; anything else is an `InterchangeError` (a thrown error of
/// another type cannot compile: the reader's throws are typed), never a crash or a hang.
@_cdecl("LLVMFuzzerTestOneInput")
public func kdbxReaderFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let mode = input.choice(3)
    let fuzz = input.rest
    var limits = KDBXLimits()
    limits.aesRounds = 64
    limits.argon2Memory = 64 << 10
    limits.argon2Iterations = 2
    limits.argon2Parallelism = 2
    limits.inflatedBytes = 1 << 20
    limits.blockBytes = 1 << 20
    switch mode {
    case 0:
        _ = try? KDBXReader.read(fuzz, passphrase: "fuzz", limits: limits)
    case 1:
        var file = Genuine.file
        for (index, byte) in fuzz.prefix(file.count - 12).enumerated() { file[12 + index] ^= byte }
        let result = try? KDBXReader.read(file, passphrase: "fuzz", limits: limits)
        if file == Genuine.file {
            expect(result?.entries == [Genuine.entry], "the genuine file must open")
        }
    default:
        let file = KDBXWriter.sealXML(fuzz, passphrase: "fuzz", options: Genuine.options)
        _ = try? KDBXReader.read(file, passphrase: "fuzz", limits: limits)
    }
    return 0
}

enum Genuine {
    static let options = KDBXWriter.Options(cipher: .chaCha20, kdf: .aesKDF(rounds: 8))
    static let entry = InterchangeEntry(
        name: "n", username: "u", password: "p", notes: "x", tags: ["t"],
        secretKey: "otpauth://totp/n?secret=JBSWY3DPEHPK3PXP", changedAt: Date(timeIntervalSince1970: 1_614_834_367))
    static let file = KDBXWriter.write([entry], passphrase: "fuzz", options: options)
}
