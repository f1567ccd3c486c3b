public import Foundation
public import PasswordVault
import Synchronization

/// A clock for tests that shows one instant until the test moves it: timestamps, TOTP codes,
/// grant expiry and request deadlines (docs/contract.md §13) all follow it.
public final class SteppingClock: VaultClock {
    private let date: Mutex<Date>

    /// A clock stopped at `start`.
    public init(_ start: Date = TestVault.epoch) { date = Mutex(start) }

    /// The instant it shows.
    public func now() -> Date { date.withLock { $0 } }

    /// Moves it forward (or back, for a negative interval) by `interval` seconds.
    public func advance(by interval: TimeInterval) { date.withLock { $0 += interval } }

    /// Moves it forward by `duration`.
    public func advance(by duration: Duration) {
        let (seconds, attoseconds) = duration.components
        advance(by: TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18)
    }

    /// Sets it to `instant`.
    public func set(_ instant: Date) { date.withLock { $0 = instant } }
}
