import Synchronization
import Testing

@testable import PasswordVault

/// A source that replays fixed draws (each taken modulo the bound), to check the generator's logic.
final class ScriptedRandomSource: RandomSource {
    private let draws = Mutex<[UInt32]>([])
    let calls = Mutex<[UInt32]>([])

    init(_ values: [UInt32]) { draws.withLock { $0 = values } }

    func uniform(below upperBound: UInt32) throws -> UInt32 {
        calls.withLock { $0.append(upperBound) }
        return draws.withLock { $0.isEmpty ? 0 : $0.removeFirst() } % upperBound
    }
}

@Suite("Password generator with an injected source")
struct GeneratorRandomSourceTests {
    @Test func drawsOncePerCharacterAndOncePerSwap() throws {
        var policy = PasswordPolicy()
        policy.length = 8
        let source = ScriptedRandomSource([])
        let password = try PasswordGenerator.generate(policy, using: source)
        #expect(password.count == 8)
        let bounds = source.calls.withLock { $0 }
        // 8 picks (4 from the classes, 4 from the whole alphabet), then 7 swaps with bounds 8…2.
        #expect(bounds.count == 15)
        #expect(Array(bounds.suffix(7)) == [8, 7, 6, 5, 4, 3, 2])
        let alphabet = UInt32(policy.classAlphabets.map(\.count).reduce(0, +))
        #expect(Array(bounds[4..<8]) == Array(repeating: alphabet, count: 4))
    }

    @Test func theSameDrawsGiveTheSamePassword() throws {
        let draws: [UInt32] = (0..<64).map { $0 &* 2_654_435_761 }
        let a = try PasswordGenerator.generate(PasswordPolicy(), using: ScriptedRandomSource(draws))
        let b = try PasswordGenerator.generate(PasswordPolicy(), using: ScriptedRandomSource(draws))
        #expect(a == b)
    }

    @Test func aFailingSourceFailsTheCall() {
        struct Broken: RandomSource {
            struct Failure: Error {}
            func uniform(below upperBound: UInt32) throws -> UInt32 { throw Failure() }
        }
        #expect(throws: Broken.Failure.self) { try PasswordGenerator.generate(PasswordPolicy(), using: Broken()) }
    }
}
