import Foundation

extension PasswordPolicy {
    /// The entropy of the passwords ``PasswordGenerator/generate(_:using:)`` makes under this policy,
    /// in bits; 0 for a policy that cannot be met.
    ///
    /// This is the exact Shannon entropy of the generator's output, the each-class-present
    /// rule included — not the usual `length × log2(alphabet size)` (131.09 bits for the
    /// default policy), which counts passwords the generator never makes, those missing a
    /// class. The default policy has 130.83 bits; a single class gives exactly
    /// `length × log2(class size)`.
    public var entropyBits: Double {
        guard (try? validate()) != nil else { return 0 }
        return Self.entropyBits(classSizes: chosenClasses.map { characters(of: $0).count }, length: length)
    }

    /// Shannon entropy of the generator for classes of these sizes and a length.
    ///
    /// The generator draws one character from each of the `m` classes (sizes `n_c`), `L − m`
    /// from the whole alphabet (`N = Σ n_c`), then shuffles uniformly. A password holding `k_c`
    /// characters of class `c` comes out with probability
    /// `P = Π k_c · (L − m)!/L! · Π (1/n_c) · N^−(L − m)`, where `Π k_c` counts which of its
    /// class-`c` characters was the drawn one. So
    /// `H = −E[log2 P] = log2(L!/(L − m)!) + Σ log2 n_c + (L − m)·log2 N − Σ E[log2 k_c]`,
    /// and `k_c = 1 + B_c` with `B_c` binomial(`L − m`, `n_c/N`): the free draws land in
    /// class `c` independently. Tests check it against enumerating every outcome of small cases.
    static func entropyBits(classSizes: [Int], length: Int) -> Double {
        let classes = classSizes.count
        let alphabet = Double(classSizes.reduce(0, +))
        let free = length - classes
        var bits = (0..<classes).reduce(0.0) { $0 + log2(Double(length - $1)) }
        bits += classSizes.reduce(0.0) { $0 + log2(Double($1)) }
        bits += Double(free) * log2(alphabet)
        for size in classSizes {
            bits -= expectedLog2OfOnePlusBinomial(trials: free, probability: Double(size) / alphabet)
        }
        return bits
    }

    /// `E[log2(1 + B)]` for `B` binomial(`trials`, `probability`), summed in log space so that
    /// no term underflows for long passwords.
    private static func expectedLog2OfOnePlusBinomial(trials: Int, probability p: Double) -> Double {
        guard trials > 0, p < 1 else { return log2(Double(1 + trials)) }
        let odds = log(p / (1 - p))
        var logMass = Double(trials) * log1p(-p)  // log P(B = 0)
        var expectation = 0.0
        for k in 0...trials {
            expectation += exp(logMass) * log2(Double(1 + k))
            logMass += log(Double(trials - k) / Double(k + 1)) + odds
        }
        return expectation
    }
}
