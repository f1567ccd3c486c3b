import Foundation
import Testing

/// A small, deterministic property-testing kit: a seeded generator and `forAll`.
///
/// Every run uses the seed in `$PROPERTY_SEED` (decimal or `0x…`), or a fixed default, so a
/// run is repeatable; a failing property reports its seed and case number, and
/// `PROPERTY_SEED=<seed> swift test --filter PropertyTests` replays it. Case `n` draws from a
/// generator seeded with `seed` and `n`, so cases do not depend on one another.
enum Property {
    /// The run's seed.
    static let seed: UInt64 = {
        guard let text = ProcessInfo.processInfo.environment["PROPERTY_SEED"] else { return 0x5EED_F00D_2025 }
        let parsed = text.hasPrefix("0x") ? UInt64(text.dropFirst(2), radix: 16) : UInt64(text)
        guard let parsed else { fatalError("PROPERTY_SEED must be a 64-bit number, not \(text)") }
        return parsed
    }()

    /// Checks `property` on `cases` generated cases; stops at, and reports, the first that fails.
    ///
    /// `property` returns `nil` when the case holds, or what went wrong.
    static func forAll(
        _ cases: Int, seed: UInt64 = Property.seed, sourceLocation: SourceLocation = #_sourceLocation,
        _ property: (inout Gen) throws -> String?
    ) rethrows {
        for index in 0..<cases {
            var gen = Gen(seed: seed, case: index)
            if let failure = try property(&gen) {
                Issue.record(
                    "property failed at case \(index) of seed \(seed) (replay: PROPERTY_SEED=\(seed)): \(failure)",
                    sourceLocation: sourceLocation)
                return
            }
        }
    }

    /// ``forAll(_:seed:sourceLocation:_:)`` for properties that await.
    static func forAll(
        _ cases: Int, seed: UInt64 = Property.seed, sourceLocation: SourceLocation = #_sourceLocation,
        _ property: (inout Gen) async throws -> String?
    ) async rethrows {
        for index in 0..<cases {
            var gen = Gen(seed: seed, case: index)
            if let failure = try await property(&gen) {
                Issue.record(
                    "property failed at case \(index) of seed \(seed) (replay: PROPERTY_SEED=\(seed)): \(failure)",
                    sourceLocation: sourceLocation)
                return
            }
        }
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): fast, small, and good enough to draw test cases.
struct Gen: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64, case index: Int) {
        state = seed ^ (UInt64(index) &* 0x9E37_79B9_7F4A_7C15)
        _ = next()
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }

    mutating func bool(_ probability: Double = 0.5) -> Bool { Double.random(in: 0..<1, using: &self) < probability }

    mutating func element<T>(_ items: [T]) -> T { items[int(0...items.count - 1)] }

    /// Bytes, their count drawn from `count`; lengths near 0 and near block boundaries are favoured.
    mutating func bytes(_ count: ClosedRange<Int>) -> [UInt8] {
        let length =
            bool(0.3)
            ? Swift.min(Swift.max(element([0, 1, 5, 8, 15, 16, 31, 32, 33, 64]), count.lowerBound), count.upperBound)
            : int(count)
        return (0..<length).map { _ in UInt8.random(in: .min ... .max, using: &self) }
    }

    /// Text of `count` characters drawn from `alphabet`.
    mutating func text(_ count: ClosedRange<Int>, from alphabet: [String]) -> String {
        (0..<int(count)).map { _ in element(alphabet) }.joined()
    }

    /// Characters that make text hard: white space of several kinds, combining marks, a
    /// prepended concatenation mark, emoji, letters that fold or not, and plain ASCII.
    static let awkward: [String] = [
        "a", "b", "A", "z", "0", "é", "e\u{301}", "\u{301}", "\u{600}", "ß", "İ", "🎉", "👩‍💻", "漢", " ", "\t",
        "\u{A0}", "\u{2003}", "\u{3000}", "\u{2028}", "\n", "-", "_", ".", "'", "\"",
    ]
}
