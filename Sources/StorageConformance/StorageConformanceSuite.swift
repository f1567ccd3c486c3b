import PasswordVault
import Testing

/// The checks every `VaultStorage` adapter must pass, one case per check so that a
/// parameterised test names the one that failed.
public enum StorageConformanceCheck: String, CaseIterable, Sendable, CustomStringConvertible {
    case headerCompareAndSet
    case staleGenerationRefused
    case changeSetAllOrNothing
    case identifiersIncrease
    case identifiersUniqueUnderConcurrency
    case identifiersNeverReused
    case insertMustUseItsIdentifier
    case failedInsertWritesNothing
    case everyFieldRoundTrips
    case replaceRoundTrips
    case staleReplaceConflicts
    case deleteRemoves
    case staleDeleteConflicts
    case historyArchivesAndPurges
    case historyMovesOnlyWithItsEntry
    case deleteRemovesHistory
    case insertWithHistoryKeepsEveryVersion
    case auditAppendsAndMovesHead
    case auditHeadCompareAndSet
    case auditAtomicWithTheChange
    case auditQueriesFilter
    case auditConcurrentAppendsSerialise
    case auditSurvivesReopen
    case auditExtremeValuesRoundTrip
    case visibleByOwner
    case visibleByUserShare
    case visibleByGroupShare
    case visibleSeveralWaysListedOnce
    case disabledOnlyWhenAsked
    case filterNarrows
    case filterNeverDropsAMatch
    case removedShareUnindexed
    case paging
    case usersUniqueByIDAndName
    case groupsAndMembership
    case largeRecords
    case largeStore
    case survivesReopen
    case policyFieldsRoundTrip
    case requestInsertAndReplace
    case requestIdentifiersNeverReused
    case requestQueries
    case entryDeleteRemovesRequests
    case rotationMarks
    case requestChangeSetAllOrNothing

    /// A description that never shows secret material.
    public var description: String { rawValue }
}

/// Runs the storage conformance checks against stores made by a factory.
///
/// Each check asks `make` for a fresh, empty store. Failures are recorded with
/// Swift Testing's `#expect`, so run the checks inside a test:
///
/// ```swift
/// @Test(arguments: StorageConformanceCheck.allCases)
/// func conforms(_ check: StorageConformanceCheck) async throws {
///     try await StorageConformanceSuite(make: { InMemoryStorage() }).run(check)
/// }
/// ```
public struct StorageConformanceSuite: Sendable {
    /// Makes a fresh, empty store.
    public typealias Make = @Sendable () async throws -> any VaultStorage
    /// Closes a store and opens it again from where it keeps its data.
    public typealias Reopen = @Sendable (any VaultStorage) async throws -> any VaultStorage

    let make: Make
    let reopen: Reopen?
    let bulkLoad: BulkLoad
    let largeStoreSize: Int

    /// A suite.
    /// - Parameters:
    ///   - make: Makes a fresh, empty store for each check.
    ///   - reopen: For durable adapters: reopens a store. Without it the checks of what survives a
    ///     reopen (``StorageConformanceCheck/survivesReopen`` and two others) read the store back
    ///     as it is.
    ///   - bulkLoad: How ``StorageConformanceCheck/largeStore`` loads its entries.
    ///   - largeStoreSize: How many entries ``StorageConformanceCheck/largeStore`` stores.
    public init(
        make: @escaping Make, reopen: Reopen? = nil, bulkLoad: BulkLoad = .oneByOne, largeStoreSize: Int = 100_000
    ) {
        self.make = make
        self.reopen = reopen
        self.bulkLoad = bulkLoad
        self.largeStoreSize = largeStoreSize
    }

    /// ``reopen``, or for a store without one (it keeps nothing beyond the process) the store
    /// itself: the checks of what survives a reopen then read it back as it is, never skip.
    var reopenOrSame: Reopen { reopen ?? { $0 } }

    /// Runs one check.
    public func run(_ check: StorageConformanceCheck) async throws {
        switch check {
        case .headerCompareAndSet: try await headerCompareAndSet()
        case .staleGenerationRefused: try await staleGenerationRefused()
        case .changeSetAllOrNothing: try await changeSetAllOrNothing()
        case .identifiersIncrease: try await identifiersIncrease()
        case .identifiersUniqueUnderConcurrency: try await identifiersUniqueUnderConcurrency()
        case .identifiersNeverReused: try await identifiersNeverReused()
        case .insertMustUseItsIdentifier: try await insertMustUseItsIdentifier()
        case .failedInsertWritesNothing: try await failedInsertWritesNothing()
        case .everyFieldRoundTrips: try await everyFieldRoundTrips()
        case .replaceRoundTrips: try await replaceRoundTrips()
        case .staleReplaceConflicts: try await staleReplaceConflicts()
        case .deleteRemoves: try await deleteRemoves()
        case .staleDeleteConflicts: try await staleDeleteConflicts()
        case .historyArchivesAndPurges: try await historyArchivesAndPurges()
        case .historyMovesOnlyWithItsEntry: try await historyMovesOnlyWithItsEntry()
        case .deleteRemovesHistory: try await deleteRemovesHistory()
        case .insertWithHistoryKeepsEveryVersion: try await insertWithHistoryKeepsEveryVersion()
        case .auditAppendsAndMovesHead: try await auditAppendsAndMovesHead()
        case .auditHeadCompareAndSet: try await auditHeadCompareAndSet()
        case .auditAtomicWithTheChange: try await auditAtomicWithTheChange()
        case .auditQueriesFilter: try await auditQueriesFilter()
        case .auditConcurrentAppendsSerialise: try await auditConcurrentAppendsSerialise()
        case .auditSurvivesReopen: try await auditSurvivesReopen()
        case .auditExtremeValuesRoundTrip: try await auditExtremeValuesRoundTrip()
        case .visibleByOwner: try await visibleByOwner()
        case .visibleByUserShare: try await visibleByUserShare()
        case .visibleByGroupShare: try await visibleByGroupShare()
        case .visibleSeveralWaysListedOnce: try await visibleSeveralWaysListedOnce()
        case .disabledOnlyWhenAsked: try await disabledOnlyWhenAsked()
        case .filterNarrows: try await filterNarrows()
        case .filterNeverDropsAMatch: try await filterNeverDropsAMatch()
        case .removedShareUnindexed: try await removedShareUnindexed()
        case .paging: try await paging()
        case .usersUniqueByIDAndName: try await usersUniqueByIDAndName()
        case .groupsAndMembership: try await groupsAndMembership()
        case .largeRecords: try await largeRecords()
        case .largeStore: try await largeStore()
        case .survivesReopen: try await survivesReopen()
        case .policyFieldsRoundTrip: try await policyFieldsRoundTrip()
        case .requestInsertAndReplace: try await requestInsertAndReplace()
        case .requestIdentifiersNeverReused: try await requestIdentifiersNeverReused()
        case .requestQueries: try await requestQueries()
        case .entryDeleteRemovesRequests: try await entryDeleteRemovesRequests()
        case .rotationMarks: try await rotationMarks()
        case .requestChangeSetAllOrNothing: try await requestChangeSetAllOrNothing()
        }
    }

    /// Runs every check in turn.
    public func runAll() async throws {
        for check in StorageConformanceCheck.allCases { try await run(check) }
    }
}

/// How the large-store check loads its entries: through the protocol one commit each,
/// or through an adapter's batch API (the protocol has none; a durable adapter
/// committing 100,000 entries one by one spends minutes on fsync alone).
public struct BulkLoad: Sendable {
    /// Builds the entry of each index for its identifier.
    public typealias Build = @Sendable (_ index: Int, _ id: EntryID) -> PasswordEntity
    /// Stores `count` entries made by a ``Build``; returns them in index order.
    public var load: @Sendable (any VaultStorage, _ count: Int, @escaping Build) async throws -> [PasswordEntity]

    /// A loader.
    public init(load: @escaping @Sendable (any VaultStorage, Int, @escaping Build) async throws -> [PasswordEntity]) {
        self.load = load
    }

    /// A loader from an adapter's two batch steps: reserve `count` identifiers, then store the
    /// entries built for them in one commit.
    public init(
        allocate: @escaping @Sendable (any VaultStorage, Int) async throws -> [EntryID],
        insert: @escaping @Sendable (any VaultStorage, [PasswordEntity]) async throws -> Void
    ) {
        load = { storage, count, build in
            let entities = try await allocate(storage, count).enumerated().map { build($0, $1) }
            try await insert(storage, entities)
            return entities
        }
    }

    /// Every entry through `VaultStorage/commit(_:)`, one insert each.
    public static let oneByOne = BulkLoad { storage, count, build in
        var entities: [PasswordEntity] = []
        entities.reserveCapacity(count)
        for index in 0..<count {
            entities.append(try await storage.insert(headerGeneration: nil) { id in build(index, id) })
        }
        return entities
    }
}
