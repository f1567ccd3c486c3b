import Foundation
import Testing

@testable import PasswordVault

@Suite("Password generator")
struct PasswordGeneratorTests {
    typealias CharacterClass = PasswordPolicy.CharacterClass

    static let policies: [PasswordPolicy] = [
        PasswordPolicy(),
        PasswordPolicy(length: 4),
        PasswordPolicy(length: 1024),
        PasswordPolicy(length: 12, symbols: false),
        PasswordPolicy(length: 6, lowercase: false, uppercase: false, symbols: false),
        PasswordPolicy(length: 8, lowercase: false, digits: false, excludeLookAlikes: true),
        PasswordPolicy(length: 16, excludedCharacters: Set("aeiouAEIOU\"'\\`")),
    ]

    static func text(_ password: SecretBytes) -> String { password.revealUTF8()! }

    @Test(arguments: policies)
    func everyChosenClassIsPresentAndNothingElse(_ policy: PasswordPolicy) throws {
        let alphabet = Set(policy.alphabet.map { $0.asciiValue! })
        let classes = policy.chosenClasses.map { Set(policy.characters(of: $0).map { $0.asciiValue! }) }
        // 1,000 samples; 100 for the longest policy, where a missing class would be absurd anyway.
        for _ in 0..<(policy.length > 100 ? 100 : 1_000) {
            let password = try PasswordGenerator.generate(policy).withUnsafeBytes { Array($0) }
            #expect(password.count == policy.length)
            #expect(password.allSatisfy(alphabet.contains))
            for characters in classes {
                #expect(password.contains(where: characters.contains))
            }
        }
    }

    @Test func theDefaultPolicy() throws {
        let policy = PasswordPolicy()
        #expect(policy.length == 20 && policy.chosenClasses == CharacterClass.allCases)
        #expect(policy.alphabet.count == 94)
        #expect(String(CharacterClass.symbols.characters) == ##"!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~"##)
        #expect(try PasswordGenerator.generate().count == 20)
    }

    @Test func lookAlikesAndExcludedCharactersAreAbsent() throws {
        let policy = PasswordPolicy(length: 64, excludeLookAlikes: true, excludedCharacters: Set("abc#%XYZ9"))
        let excluded = Set("0Oo1lI|abc#%XYZ9")
        #expect(policy.alphabet.count == 94 - 16)
        #expect(Set(policy.alphabet).isDisjoint(with: excluded))
        for _ in 0..<1_000 {
            #expect(Set(Self.text(try PasswordGenerator.generate(policy))).isDisjoint(with: excluded))
        }
    }

    static let impossible: [(PasswordPolicy, PasswordPolicyError)] = [
        (PasswordPolicy(length: 3), .lengthOutOfRange(3)),
        (PasswordPolicy(length: 0), .lengthOutOfRange(0)),
        (PasswordPolicy(length: -5), .lengthOutOfRange(-5)),
        (PasswordPolicy(length: 1025), .lengthOutOfRange(1025)),
        (PasswordPolicy(lowercase: false, uppercase: false, digits: false, symbols: false), .noCharacterClass),
        (PasswordPolicy(digits: true, excludedCharacters: Set("0123456789")), .everyCharacterExcluded(.digits)),
        (
            PasswordPolicy(excludeLookAlikes: true, excludedCharacters: Set("23456789")),
            .everyCharacterExcluded(.digits)
        ),
        (
            PasswordPolicy(lowercase: false, symbols: true, excludedCharacters: Set(CharacterClass.symbols.characters)),
            .everyCharacterExcluded(.symbols)
        ),
    ]

    @Test(arguments: impossible)
    func impossiblePoliciesAreRefused(_ policy: PasswordPolicy, _ error: PasswordPolicyError) {
        #expect(throws: error) { try policy.validate() }
        #expect(throws: error) { try PasswordGenerator.generate(policy) }
        #expect(policy.entropyBits == 0)
    }

    @Test func errorsSayWhy() {
        #expect(PasswordPolicyError.lengthOutOfRange(3).description == "the length must be from 4 to 1024, not 3")
        #expect(
            PasswordPolicyError.everyCharacterExcluded(.symbols).description
                == "every character of the symbols class is excluded")
    }

    @Test func theShortestLengthFitsEveryClass() {
        #expect(PasswordPolicy.lengthRange == 4...1024)
        #expect(PasswordPolicy.lengthRange.lowerBound == CharacterClass.allCases.count)
    }

    // MARK: Entropy

    @Test func entropyOfASingleClassIsLengthTimesLog2OfItsSize() {
        let digits = PasswordPolicy(length: 20, lowercase: false, uppercase: false, symbols: false)
        #expect(abs(digits.entropyBits - 20 * log2(10)) < 1e-9)
        let lower = PasswordPolicy(length: 1024, uppercase: false, digits: false, symbols: false)
        #expect(abs(lower.entropyBits - 1024 * log2(26)) < 1e-9)
    }

    @Test func entropyWhenEachClassTakesOnePlace() {
        // Length 4, four classes: one of each, in any order, all outcomes equally likely.
        #expect(abs(PasswordPolicy(length: 4).entropyBits - log2(24 * 26 * 26 * 10 * 32)) < 1e-9)
        let noLookAlikes = PasswordPolicy(length: 4, excludeLookAlikes: true)  // 24, 24, 8, 31
        #expect(abs(noLookAlikes.entropyBits - log2(24 * 24 * 24 * 8 * 31)) < 1e-9)
    }

    @Test func entropyOfTheDefaultPolicy() {
        // Slightly below 20·log2(94) = 131.09: passwords missing a class are never made.
        #expect(abs(PasswordPolicy().entropyBits - 130.831_846_223_748_5) < 1e-9)
        #expect(PasswordPolicy().entropyBits < 20 * log2(94))
    }

    /// The closed form against every outcome of the generator's draws and shuffles, enumerated.
    @Test(arguments: [([1, 2], 3), ([2, 3], 4), ([1, 1, 2], 4), ([2, 1], 5), ([3], 3)])
    func entropyMatchesEnumeration(_ sizes: [Int], _ length: Int) {
        #expect(
            abs(PasswordPolicy.entropyBits(classSizes: sizes, length: length) - enumeratedEntropy(sizes, length)) < 1e-9
        )
    }

    /// Shannon entropy of the generator's process, by brute force over every draw and permutation.
    func enumeratedEntropy(_ sizes: [Int], _ length: Int) -> Double {
        let classes = sizes.count
        let alphabet = sizes.enumerated().flatMap { c, size in (0..<size).map { c * 100 + $0 } }
        var draws: [[Int]] = [[]]
        for (c, size) in sizes.enumerated() { draws = draws.flatMap { d in (0..<size).map { d + [c * 100 + $0] } } }
        for _ in classes..<length { draws = draws.flatMap { d in alphabet.map { d + [$0] } } }
        var permutations: [[Int]] = [[]]
        for _ in 0..<length {
            permutations = permutations.flatMap { p in (0..<length).filter { !p.contains($0) }.map { p + [$0] } }
        }
        var counts: [[Int]: Int] = [:]
        for draw in draws { for p in permutations { counts[p.map { draw[$0] }, default: 0] += 1 } }
        let total = Double(draws.count * permutations.count)
        return counts.values.reduce(0) { h, count in h - Double(count) / total * log2(Double(count) / total) }
    }

    // MARK: Uniformity

    /// Pearson's chi-squared against the exact expected frequency of each character. Each
    /// password holds one drawn character per class plus `L − m` from the whole alphabet, so a
    /// character of class `c` is expected `1/n_c + (L − m)/N` times per password: uniform within
    /// each class, not across classes (a digit is likelier than a letter). The critical values
    /// are for p = 1e-6 (scipy `chi2.isf(1e-6, df)`), so a correct generator fails about once
    /// in a million runs.
    @Test(arguments: [
        (PasswordPolicy(), 172.747),  // 94 characters, 93 degrees of freedom
        (PasswordPolicy(length: 20, lowercase: false, uppercase: false, symbols: false), 44.811),  // digits, 9
        (PasswordPolicy(length: 5, uppercase: false, digits: false, symbols: false), 73.895),  // lowercase, 25
    ])
    func charactersFollowTheirExpectedFrequencies(_ policy: PasswordPolicy, _ critical: Double) throws {
        let samples = 10_000  // at least 50,000 characters: over 1,900 expected of each
        var counts: [UInt8: Int] = [:]
        for _ in 0..<samples {
            try PasswordGenerator.generate(policy).withUnsafeBytes { for byte in $0 { counts[byte, default: 0] += 1 } }
        }
        let classes = policy.chosenClasses.map { policy.characters(of: $0) }
        let free = Double(policy.length - classes.count) / Double(policy.alphabet.count)
        var statistic = 0.0
        for characters in classes {
            for character in characters {
                let expected = Double(samples) * (1 / Double(characters.count) + free)
                let observed = Double(counts[character.asciiValue!] ?? 0)
                statistic += (observed - expected) * (observed - expected) / expected
            }
        }
        #expect(counts.count == policy.alphabet.count)
        #expect(statistic < critical, "chi-squared \(statistic) ≥ \(critical)")
    }

    /// The shuffle spreads the drawn characters: position 0 holds every class, in proportion.
    @Test func theFirstPositionIsNotReservedForAClass() throws {
        let policy = PasswordPolicy(length: 4, lowercase: true, uppercase: true, digits: false, symbols: false)
        var lowercaseFirst = 0
        let samples = 10_000
        for _ in 0..<samples {
            let first = try PasswordGenerator.generate(policy).withUnsafeBytes { $0[0] }
            if (0x61...0x7A).contains(first) { lowercaseFirst += 1 }
        }
        // Exactly half by symmetry; 10,000 samples: σ = 50, so ±500 is ten sigmas.
        #expect(abs(lowercaseFirst - samples / 2) < 500)
    }
}
