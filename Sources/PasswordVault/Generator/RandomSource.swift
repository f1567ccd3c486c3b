/// Where the password generator draws its randomness: libsodium by default; a
/// test may inject a deterministic source to check the generator's logic.
///
/// Sealing and key generation never take a source: nonces and keys always come
/// from libsodium's CSPRNG.
public protocol RandomSource: Sendable {
    /// A uniformly distributed integer in `0..<upperBound` (`upperBound` > 0), without modulo bias.
    func uniform(below upperBound: UInt32) throws -> UInt32
}

/// libsodium's CSPRNG (`randombytes_uniform`).
public struct SystemRandomSource: RandomSource {
    /// The system source.
    public init() {}

    /// A uniform draw below `upperBound` from `randombytes_uniform`.
    public func uniform(below upperBound: UInt32) throws -> UInt32 {
        try Sodium.randomUniform(upperBound)
    }
}

extension RandomSource where Self == SystemRandomSource {
    /// libsodium's CSPRNG.
    public static var system: SystemRandomSource { SystemRandomSource() }
}
