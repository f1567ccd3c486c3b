public import Foundation

/// Where the vault reads the time (timestamps, TOTP codes). Inject a fixed one in tests.
public protocol VaultClock: Sendable {
    /// The current time.
    func now() -> Date
}

/// The system's clock.
public struct SystemClock: VaultClock {
    /// The system clock.
    public init() {}
    /// The current time, as this clock tells it.
    public func now() -> Date { Date() }
}

/// A clock stopped at one instant.
public struct FixedClock: VaultClock {
    /// The instant it shows.
    public var date: Date
    /// A clock stopped at `date`.
    public init(_ date: Date) { self.date = date }
    /// The current time, as this clock tells it.
    public func now() -> Date { date }
}

extension VaultClock where Self == SystemClock {
    /// The system's clock.
    public static var system: SystemClock { SystemClock() }
}

extension VaultClock where Self == FixedClock {
    /// A clock stopped at `date`.
    public static func fixed(_ date: Date) -> FixedClock { FixedClock(date) }
}
