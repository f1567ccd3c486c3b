/// Generates random passwords from libsodium's CSPRNG (docs/contract.md §10).
///
/// ```swift
/// let password = try PasswordGenerator.generate(PasswordPolicy(length: 24, symbols: false))
/// password.revealUTF8()   // e.g. "q7TzR2mKd9wXb4NcH8vLp3Ys"
/// ```
public enum PasswordGenerator {
    /// A password under `policy`, ASCII bytes in a ``SecretBytes``.
    ///
    /// One character is drawn from each chosen class, the rest from the whole alphabet, each
    /// with `randombytes_uniform` (no modulo bias); then a Fisher–Yates shuffle, also with
    /// `randombytes_uniform`, puts them in uniformly random order. Every chosen class is present,
    /// and the work is fixed: `length` draws and `length − 1` swaps, no retry loop.
    /// ``PasswordPolicy/entropyBits`` gives the entropy of the result.
    /// - Parameters:
    ///   - policy: what the password must look like.
    ///   - random: the source of every draw; libsodium's CSPRNG unless a test injects another.
    /// - Throws: ``PasswordPolicyError`` for a policy that cannot be met; the source's error
    ///   (``CryptoError`` when libsodium cannot be initialised).
    public static func generate(
        _ policy: PasswordPolicy = .init(), using random: some RandomSource = .system
    ) throws -> SecretBytes {
        try policy.validate()
        let classes = policy.classAlphabets
        let alphabet = classes.flatMap { $0 }
        return try SecretBytes(count: policy.length) { (password) throws in
            for (position, characters) in classes.enumerated() {
                password[position] = try pick(from: characters, random)
            }
            for position in classes.count..<password.count {
                password[position] = try pick(from: alphabet, random)
            }
            for position in stride(from: password.count - 1, to: 0, by: -1) {
                password.swapAt(position, Int(try random.uniform(below: UInt32(position + 1))))
            }
        }
    }

    private static func pick(from characters: [UInt8], _ random: some RandomSource) throws -> UInt8 {
        characters[Int(try random.uniform(below: UInt32(characters.count)))]
    }
}
