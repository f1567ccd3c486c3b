public import Foundation

/// The identifier of an access request (docs/contract.md §13): a positive integer the storage
/// hands out, unique and never reused within a vault. On the wire it is its decimal string.
public struct AccessRequestID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The positive integer.
    public let rawValue: Int64

    /// Wraps a raw identifier; `nil` unless it is positive.
    public init?(rawValue: Int64) {
        guard rawValue > 0 else { return nil }
        self.rawValue = rawValue
    }

    /// Parses the wire's decimal form, as ``EntryID/init(_:)`` does.
    public init?(_ text: some StringProtocol) {
        guard let entry = EntryID(text) else { return nil }
        self.init(rawValue: entry.rawValue)
    }

    /// Orders by the raw value.
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    /// The decimal form, as on the wire.
    public var description: String { String(rawValue) }
}

/// Where an access request stands (docs/contract.md §13).
///
/// The storage keeps `pending`, `approved`, `denied` and `revoked`; `expired` is what an
/// approved request becomes once its grant's time is over (``AccessRequest/state(at:)``).
public enum AccessRequestState: String, Sendable, Hashable, CaseIterable {
    /// Waiting for approvals.
    case pending
    /// Approved: its grant runs until ``AccessRequest/expiresAt``.
    case approved
    /// Denied by an approver (one denial ends a request).
    case denied
    /// Its grant's time is over.
    case expired
    /// Ended early: its requester lost access, or the entry was disabled.
    case revoked
}

/// A request for a time-boxed grant to read an entry whose `need_approval` policy binds the
/// requester (docs/contract.md §13), with the approvals it has gathered.
///
/// A value the storage keeps as it is; the ``Vault`` moves it through its states.
public struct AccessRequest: Sendable, Hashable {
    /// Handed out by the storage when the request is stored.
    public var identifier: AccessRequestID
    /// The entry asked for.
    public var entry: EntryID
    /// Who asks (the grant's holder once approved).
    public var requester: UserID
    /// The requester's username, as the directory knew it when the request was made.
    public var requesterName: String
    /// Why; with a `need_justify` policy, it serves the reads of the grant.
    public var justification: String
    /// How long the grant runs once approved, 1 to 1440 minutes.
    public var minutes: Int
    /// The stored state: ``AccessRequestState/pending``, `approved`, `denied` or `revoked`.
    public var storedState: AccessRequestState
    /// The distinct approvers who approved, in the order they did.
    public var approvals: [UserID]
    /// Who denied it, when denied.
    public var deniedBy: UserID?
    /// When it was made, by the vault clock.
    public var createdAt: Date
    /// When it was approved, denied or revoked.
    public var decidedAt: Date?
    /// When its grant ends (set on approval).
    public var expiresAt: Date?
    /// The storage's compare-and-set counter: 1 when stored, one more on every change.
    public var version: UInt64

    /// A request from its parts; the ``Vault`` is the usual maker.
    public init(
        identifier: AccessRequestID, entry: EntryID, requester: UserID, requesterName: String, justification: String,
        minutes: Int, storedState: AccessRequestState = .pending, approvals: [UserID] = [], deniedBy: UserID? = nil,
        createdAt: Date, decidedAt: Date? = nil, expiresAt: Date? = nil, version: UInt64 = 1
    ) {
        self.identifier = identifier
        self.entry = entry
        self.requester = requester
        self.requesterName = requesterName
        self.justification = justification
        self.minutes = minutes
        self.storedState = storedState
        self.approvals = approvals
        self.deniedBy = deniedBy
        self.createdAt = createdAt
        self.decidedAt = decidedAt
        self.expiresAt = expiresAt
        self.version = version
    }

    /// The state at `date`: an approved request whose grant has ended reads as expired.
    public func state(at date: Date) -> AccessRequestState {
        if storedState == .approved, let expiresAt, date >= expiresAt { return .expired }
        return storedState
    }

    /// Whether its grant lets the requester read at `date`.
    public func isActiveGrant(at date: Date) -> Bool { state(at: date) == .approved }

    /// Whether it still waits for a decision or holds a running grant at `date`: what a
    /// revocation ends.
    public func isOpen(at date: Date) -> Bool {
        switch state(at: date) {
        case .pending, .approved: true
        case .denied, .expired, .revoked: false
        }
    }
}
