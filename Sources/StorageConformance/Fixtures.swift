import Foundation
import PasswordVault
import Synchronization
import Testing

/// People and groups the checks share entries with.
enum Sample {
    static let alice = User(id: UserID(rawValue: 1), username: "alice")
    static let bob = User(id: UserID(rawValue: 2), username: "bob")
    static let carol = User(id: UserID(rawValue: 3), username: "carol")
    static let stranger = User(id: UserID(rawValue: 99), username: "stranger")
    /// A moment with sub-millisecond digits, so that a store keeping whole seconds fails.
    static let created = Date(timeIntervalSince1970: 1_732_000_000.123_456)
    static let updated = Date(timeIntervalSince1970: 1_732_000_321.987_654)

    /// Deterministic opaque bytes standing in for a sealed value.
    static func sealed(_ count: Int, seed: UInt8) -> SealedValue {
        SealedValue(bytes: (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed)) })
    }

    /// A plain active entry.
    static func entity(
        _ id: EntryID, owner: User = alice, name: String = "entry", users: [UserShare] = [],
        groups: [GroupShare] = [], isActive: Bool = true
    ) -> PasswordEntity {
        PasswordEntity(
            identifier: id, name: name, username: "login-\(id)", url: "www.example.com/\(id)", tags: ["t\(id)"],
            owner: owner.id, usersAllowed: users, groupsAllowed: groups, isActive: isActive, createdAt: created,
            updatedAt: updated, sealedPassword: sealed(40, seed: UInt8(truncatingIfNeeded: id.rawValue)))
    }

    /// A query for `user` in `groups`.
    static func query(
        _ user: User, groups: Set<String> = [], includeDisabled: Bool = false, filter: ListFilter = ListFilter()
    ) -> VisibilityQuery {
        VisibilityQuery(
            owner: user.id, username: user.username, groups: groups, includeDisabled: includeDisabled, filter: filter)
    }
}

extension StorageConformanceSuite {
    /// Stores the entry `build` makes with the identifier the storage hands out (no generation
    /// precondition), checking that the storage returns it as built (`build` is deterministic).
    @discardableResult
    func insertNew(
        _ storage: any VaultStorage, _ build: @escaping @Sendable (EntryID) -> PasswordEntity
    ) async throws -> PasswordEntity {
        let entity = try await storage.insert(headerGeneration: nil) { id in build(id) }
        #expect(entity == build(entity.identifier), "the storage returns the entry as built")
        return entity
    }
}

/// Whether a closure ran (an insert's, inside a commit).
final class Called: Sendable {
    private let flag = Atomic(false)
    func mark() { flag.store(true, ordering: .sequentiallyConsistent) }
    var marked: Bool { flag.load(ordering: .sequentiallyConsistent) }
}

/// The kinds of `StorageError`, without their messages (which adapters word as they like).
enum ErrorKind: Equatable {
    case conflict, staleHeader, auditHeadMoved, duplicate, notFound, corrupted, busy, failure

    init(_ error: StorageError) {
        switch error {
        case .conflict: self = .conflict
        case .staleHeader: self = .staleHeader
        case .auditHeadMoved: self = .auditHeadMoved
        case .duplicate: self = .duplicate
        case .notFound: self = .notFound
        case .corrupted: self = .corrupted
        case .busy: self = .busy
        case .failure: self = .failure
        }
    }
}

/// Expects `body` to throw a `StorageError` of that kind.
func expectError(
    _ kind: ErrorKind, _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () async throws -> Void
) async {
    do {
        try await body()
        Issue.record(
            "expected \(kind), nothing was thrown. \(comment?.description ?? "")", sourceLocation: sourceLocation)
    } catch let error as StorageError {
        #expect(ErrorKind(error) == kind, "\(error). \(comment?.description ?? "")", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected a StorageError, got \(error)", sourceLocation: sourceLocation)
    }
}

/// Expects `actual` to be `expected`, dates to the millisecond and every other field exactly.
func expectSame(
    _ actual: PasswordEntity?, _ expected: PasswordEntity, _ comment: Comment? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    guard var actual else {
        Issue.record(
            "entry \(expected.identifier) is missing. \(comment?.description ?? "")", sourceLocation: sourceLocation)
        return
    }
    for (got, want) in [(actual.createdAt, expected.createdAt), (actual.updatedAt, expected.updatedAt)] {
        #expect(
            abs(got.timeIntervalSince(want)) < 0.001, "date \(got) is not \(want) to the millisecond",
            sourceLocation: sourceLocation)
    }
    actual.createdAt = expected.createdAt
    actual.updatedAt = expected.updatedAt
    #expect(actual == expected, comment, sourceLocation: sourceLocation)
}

/// Expects the identifiers of `entities`, in order.
func expectIDs(
    _ entities: [PasswordEntity], _ expected: [EntryID], _ comment: Comment? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(entities.map(\.identifier) == expected, comment, sourceLocation: sourceLocation)
}

/// A folder under the system's temporary folder, for stores that live in files;
/// removed with everything in it when the last reference to it goes.
public final class TemporaryFolder: Sendable {
    /// The folder's path.
    public let path: String

    /// Makes a new, empty folder.
    public init(prefix: String = "pwvault-storage") throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        path = base.path
    }

    /// A path for a file in the folder.
    public func file(_ name: String) -> String { path + "/" + name }

    /// A fresh file path in the folder, never handed out before.
    public func newFile(extension ext: String) -> String { file("\(UUID().uuidString).\(ext)") }

    /// Removes the folder and everything in it (also done when the last reference goes).
    public func remove() { try? FileManager.default.removeItem(atPath: path) }

    deinit { remove() }
}
