/// Everything a store holds, with the indexes that serve listings: the one
/// implementation of ``VaultStorage``'s rules that ``InMemoryStorage`` (under a
/// lock) and ``FileStorage`` (one value per file) share.
///
/// A value: FileStorage mutates a copy and swaps it in only once the new file is on
/// disk, so a failed write leaves the previous state in place.
struct StoreState: Sendable {
    /// FileStorage's commit counter, written in the file header (unused in memory).
    var generation: UInt64 = 0
    var header: [UInt8]?
    /// The header's generation: 0 without a header, then one more per header write.
    var headerGeneration = HeaderGeneration.noHeader
    var lastIdentifier: Int64 = 0
    var entities: [EntryID: PasswordEntity] = [:]
    /// Each entry's old versions, ascending by revision (docs/contract.md §11).
    var history: [EntryID: [PasswordEntity]] = [:]
    /// Identifiers in ascending order, for paging and for a deterministic file.
    var ordered: [EntryID] = []
    var byOwner: [UserID: Set<EntryID>] = [:]
    var byUser: [String: Set<EntryID>] = [:]
    var byGroup: [String: Set<EntryID>] = [:]
    var usersByID: [UserID: User] = [:]
    var userIDsByName: [String: UserID] = [:]
    var groups: [String: Group] = [:]
    var groupsByMember: [String: Set<String>] = [:]
    /// The audit trail, ascending by seq (docs/contract.md §12), and its head.
    var auditTrail: [AuditRecord] = []
    var auditHead = AuditHead.empty
    /// Access requests (docs/contract.md §13) by identifier, with their indexes.
    var requests: [AccessRequestID: AccessRequest] = [:]
    var requestsByEntry: [EntryID: Set<AccessRequestID>] = [:]
    var requestsByRequester: [UserID: Set<AccessRequestID>] = [:]
    /// The last request identifier handed out (never handed out again).
    var lastRequestIdentifier: Int64 = 0
    /// FileStorage only: the file's record section for the trail's first records, kept so that
    /// a commit encodes only the records it appends (unused in memory).
    var encodedTrail = EncodedTrail()
}

/// The single-file format's audit records as bytes (``FileFormat``): each record's `bytes`
/// canonical encoding and MAC, for the first `count` records of a trail, the last with `lastMAC`.
/// The trail only grows, so the next commit appends to it instead of encoding every record again.
struct EncodedTrail: Sendable {
    var count = 0
    var lastMAC = AuditMAC.genesis
    var bytes: [UInt8] = []
}

// MARK: Writes

extension StoreState {
    /// Applies a change set: checks every part first, then changes the state, so a refused
    /// change leaves it untouched (``InMemoryStorage`` mutates in place under its lock).
    mutating func commit(_ change: ChangeSet) throws(StorageError) -> CommitResult {
        if let expected = change.headerGeneration, expected != headerGeneration { throw .staleHeader }
        if change.header != nil, change.headerGeneration == nil {
            throw .failure("a header write must name the generation it replaces")
        }
        var inserted: PasswordEntity?
        var insertedHistory: [PasswordEntity] = []
        switch change.entry {
        case nil: break
        case .insert(let make):
            let id = try nextIdentifier()
            let entity = try make(id)
            guard entity.identifier == id else {
                throw .failure("an insert built entry \(entity.identifier) for identifier \(id)")
            }
            inserted = entity
        case .insertWithHistory(let make):
            let id = try nextIdentifier()
            let versions = try EntryChange.checkedVersions(try make(id), for: id)
            inserted = versions.entry
            insertedHistory = versions.history
        case .replace(let entity, let expectedVersion, let update):
            guard let old = entities[entity.identifier], old.version == expectedVersion else { throw .conflict }
            try check(update, of: entity.identifier)
        case .delete(let id, let expectedVersion):
            guard let old = entities[id], old.version == expectedVersion else { throw .conflict }
        }
        let insertedRequest = try checkRequests(change.requests, inserting: inserted)
        if let directory = change.directory { try check(directory) }
        var appended: [AuditRecord] = []
        var newHead: AuditHead?
        if let audit = change.audit {
            guard audit.after == auditHead else { throw .auditHeadMoved }
            appended = try audit.records(inserted?.identifier)
            newHead = try AuditAppend.head(after: auditHead, appending: appended)
        }

        // Every check passed: nothing below throws.
        switch change.entry {
        case nil: break
        case .insert:
            lastIdentifier += 1
            add(inserted!)
        case .insertWithHistory:
            lastIdentifier += 1
            add(inserted!)
            if !insertedHistory.isEmpty { history[inserted!.identifier] = insertedHistory }
        case .replace(let entity, _, let update):
            replace(entity)
            apply(update, of: entity.identifier)
        case .delete(let id, _):
            remove(id)
            history[id] = nil
            for request in requestsByEntry[id] ?? [] { removeRequest(request) }
        }
        applyRequests(change.requests, inserted: insertedRequest)
        for id in change.rotationMarks {
            guard var entity = entities[id], !entity.needsRotation else { continue }
            entity.needsRotation = true
            entity.version &+= 1
            entities[id] = entity
        }
        if let directory = change.directory { apply(directory) }
        if let header = change.header {
            self.header = header
            headerGeneration = headerGeneration.next
        }
        if let newHead {
            auditTrail += appended
            auditHead = newHead
        }
        return CommitResult(
            headerGeneration: headerGeneration, inserted: inserted, auditHead: newHead,
            insertedRequest: insertedRequest)
    }

    /// Checks the request parts (against the state after the entry part) and builds the
    /// inserted request, if any.
    private func checkRequests(
        _ changes: [AccessRequestChange], inserting inserted: PasswordEntity?
    ) throws(StorageError) -> AccessRequest? {
        var made: AccessRequest?
        for change in changes {
            switch change {
            case .insert(let make):
                guard made == nil else { throw .failure("a change set may insert one access request") }
                guard lastRequestIdentifier < Int64.max, let id = AccessRequestID(rawValue: lastRequestIdentifier + 1)
                else { throw .failure("no access request identifier is left") }
                let request = try make(id)
                guard request.identifier == id else {
                    throw .failure("an insert built access request \(request.identifier) for identifier \(id)")
                }
                guard entities[request.entry] != nil || inserted?.identifier == request.entry else { throw .conflict }
                made = request
            case .replace(let request, let expectedVersion):
                guard let old = requests[request.identifier], old.version == expectedVersion,
                    old.entry == request.entry
                else { throw .conflict }
            }
        }
        return made
    }

    private mutating func applyRequests(_ changes: [AccessRequestChange], inserted: AccessRequest?) {
        if let inserted {
            lastRequestIdentifier = inserted.identifier.rawValue
            storeRequest(inserted)
        }
        for case .replace(let request, _) in changes { requests[request.identifier] = request }
    }

    /// Stores a request and indexes it (commits, and decoding a file).
    mutating func storeRequest(_ request: AccessRequest) {
        requests[request.identifier] = request
        requestsByEntry[request.entry, default: []].insert(request.identifier)
        requestsByRequester[request.requester, default: []].insert(request.identifier)
    }

    private mutating func removeRequest(_ id: AccessRequestID) {
        guard let request = requests.removeValue(forKey: id) else { return }
        requestsByEntry[request.entry]?.remove(id)
        if requestsByEntry[request.entry]?.isEmpty == true { requestsByEntry[request.entry] = nil }
        requestsByRequester[request.requester]?.remove(id)
        if requestsByRequester[request.requester]?.isEmpty == true { requestsByRequester[request.requester] = nil }
    }

    /// The identifier an insert gets.
    private func nextIdentifier() throws(StorageError) -> EntryID {
        guard lastIdentifier < Int64.max, let id = EntryID(rawValue: lastIdentifier + 1) else {
            throw .failure("no identifier is left")
        }
        return id
    }

    /// Reserves `count` identifiers; returns the first.
    mutating func allocate(_ count: Int) throws(StorageError) -> Int64 {
        let (last, overflow) = lastIdentifier.addingReportingOverflow(Int64(count))
        guard count > 0, !overflow else { throw .failure("cannot allocate \(count) more identifiers") }
        let first = lastIdentifier + 1
        lastIdentifier = last
        return first
    }

    /// Stores an entry under an allocated identifier (batch loads and decoding a file).
    mutating func insert(_ entity: PasswordEntity) throws(StorageError) {
        let id = entity.identifier
        guard entities[id] == nil else { throw .duplicate("entry \(id)") }
        guard id.rawValue <= lastIdentifier else { throw .notFound("identifier \(id) was never allocated") }
        add(entity)
    }

    private mutating func add(_ entity: PasswordEntity) {
        entities[entity.identifier] = entity
        index(entity)
        orderedInsert(entity.identifier)
    }

    private mutating func replace(_ entity: PasswordEntity) {
        unindex(entities[entity.identifier]!)
        entities[entity.identifier] = entity
        index(entity)
    }

    private mutating func remove(_ id: EntryID) {
        unindex(entities[id]!)
        entities[id] = nil
        orderedRemove(id)
    }

    private func check(_ update: HistoryUpdate, of id: EntryID) throws(StorageError) {
        let kept = history[id] ?? []
        switch update {
        case .unchanged: break
        case .archive(let previous, let depth):
            guard previous.identifier == id else {
                throw .failure("entry \(id) cannot archive a version of entry \(previous.identifier)")
            }
            guard depth >= 0 else { throw .failure("a history depth of \(depth) is negative") }
            if let last = kept.last, last.revision >= previous.revision {
                throw .failure("entry \(id) already holds revision \(last.revision) in its history")
            }
        case .reseal(let versions):
            for version in versions {
                guard version.identifier == id, kept.contains(where: { $0.revision == version.revision }) else {
                    throw .conflict
                }
            }
        }
    }

    private mutating func apply(_ update: HistoryUpdate, of id: EntryID) {
        switch update {
        case .unchanged: break
        case .archive(let previous, let depth):
            var kept = history[id] ?? []
            kept.append(previous)
            if kept.count > depth { kept.removeFirst(kept.count - depth) }
            history[id] = kept.isEmpty ? nil : kept
        case .reseal(let versions):
            for version in versions {
                if let index = history[id]?.firstIndex(where: { $0.revision == version.revision }) {
                    history[id]![index] = version
                }
            }
        }
    }

    /// Stores a decoded old version (decoding a file): after the entry itself, ascending by revision.
    mutating func insertHistory(_ version: PasswordEntity) throws(StorageError) {
        let id = version.identifier
        guard let current = entities[id] else { throw .notFound("entry \(id) of a history version") }
        guard version.revision < current.revision, (history[id]?.last?.revision ?? 0) < version.revision else {
            throw .duplicate("revision \(version.revision) of entry \(id)")
        }
        history[id, default: []].append(version)
    }

    private func check(_ change: DirectoryChange) throws(StorageError) {
        switch change {
        case .addUser(let user):
            guard usersByID[user.id] == nil else { throw .duplicate("user id \(user.id)") }
            guard userIDsByName[user.username] == nil else { throw .duplicate("username \(user.username)") }
        case .addGroup(let name):
            guard groups[name] == nil else { throw .duplicate("group \(name)") }
        case .setMembership(let group, _, _):
            guard groups[group] != nil else { throw .notFound("group \(group)") }
        }
    }

    /// Applies a directory change that passed ``check(_:)`` (and decodes a file's directory).
    mutating func apply(_ change: DirectoryChange) {
        switch change {
        case .addUser(let user):
            usersByID[user.id] = user
            userIDsByName[user.username] = user.id
        case .addGroup(let name):
            groups[name] = Group(name: name)
        case .setMembership(let group, let username, true):
            groups[group]!.members.insert(username)
            groupsByMember[username, default: []].insert(group)
        case .setMembership(let group, let username, false):
            groups[group]!.members.remove(username)
            groupsByMember[username]?.remove(group)
        }
    }

    /// Applies a directory change after checking it (decoding a file's directory).
    mutating func applyChecked(_ change: DirectoryChange) throws(StorageError) {
        try check(change)
        apply(change)
    }
}

// MARK: Reads

extension StoreState {
    /// Served from the three indexes: only the entries the principal may see are touched.
    func visible(to query: VisibilityQuery) -> [PasswordEntity] {
        var examined = 0
        return visible(to: query, examined: &examined)
    }

    /// The same, adding to `examined` how many records the indexes led to.
    func visible(to query: VisibilityQuery, examined: inout Int) -> [PasswordEntity] {
        var ids = byOwner[query.owner] ?? []
        ids.formUnion(byUser[query.username] ?? [])
        for group in query.groups { ids.formUnion(byGroup[group] ?? []) }
        examined += ids.count
        return ids.sorted().compactMap { id in
            guard let entity = entities[id], query.includeDisabled || entity.isActive, query.filter.matches(entity)
            else { return nil }
            return entity
        }
    }

    func page(after: EntryID?, limit: Int) -> [PasswordEntity] {
        let start = after.map { firstIndex(above: $0) } ?? 0
        // `start + limit` would overflow for a limit near Int.max.
        let end = limit >= ordered.count - start ? ordered.count : start + Swift.max(limit, 0)
        guard start < end else { return [] }
        return ordered[start..<end].compactMap { entities[$0] }
    }

    func user(named username: String) -> User? {
        userIDsByName[username].flatMap { usersByID[$0] }
    }

    /// The requests `query` selects, from the entry or the requester index when it names one.
    func accessRequests(_ query: AccessRequestQuery) -> [AccessRequest] {
        var ids: Set<AccessRequestID>
        if let entries = query.entries {
            ids = []
            for entry in entries { ids.formUnion(requestsByEntry[entry] ?? []) }
        } else if let requester = query.requester {
            ids = requestsByRequester[requester] ?? []
        } else {
            ids = Set(requests.keys)
        }
        return ids.sorted().compactMap { id in requests[id].flatMap { query.matches($0) ? $0 : nil } }
    }

    /// The records `query` selects: seq n sits at index n - 1, so the walk starts at `fromSeq`.
    func auditRecords(_ query: AuditQuery) -> [AuditRecord] {
        guard query.limit > 0, query.fromSeq <= UInt64(auditTrail.count) else { return [] }
        var found: [AuditRecord] = []
        for record in auditTrail[Int(max(query.fromSeq, 1) - 1)...] where query.matches(record) {
            found.append(record)
            if found.count == query.limit { break }
        }
        return found
    }
}

// MARK: Indexes

extension StoreState {
    private mutating func index(_ entity: PasswordEntity) {
        let id = entity.identifier
        byOwner[entity.owner, default: []].insert(id)
        for share in entity.usersAllowed { byUser[share.username, default: []].insert(id) }
        for share in entity.groupsAllowed { byGroup[share.name, default: []].insert(id) }
    }

    private mutating func unindex(_ entity: PasswordEntity) {
        let id = entity.identifier
        byOwner[entity.owner]?.remove(id)
        if byOwner[entity.owner]?.isEmpty == true { byOwner[entity.owner] = nil }
        for share in entity.usersAllowed {
            byUser[share.username]?.remove(id)
            if byUser[share.username]?.isEmpty == true { byUser[share.username] = nil }
        }
        for share in entity.groupsAllowed {
            byGroup[share.name]?.remove(id)
            if byGroup[share.name]?.isEmpty == true { byGroup[share.name] = nil }
        }
    }

    /// The position of the first identifier greater than `id`.
    private func firstIndex(above id: EntryID) -> Int {
        var low = 0
        var high = ordered.count
        while low < high {
            let mid = (low + high) / 2
            if ordered[mid] <= id { low = mid + 1 } else { high = mid }
        }
        return low
    }

    private mutating func orderedInsert(_ id: EntryID) {
        if let last = ordered.last, last > id {
            ordered.insert(id, at: firstIndex(above: id))
        } else {
            ordered.append(id)
        }
    }

    private mutating func orderedRemove(_ id: EntryID) {
        let position = firstIndex(above: id) - 1
        if position >= 0, ordered[position] == id { ordered.remove(at: position) }
    }
}
