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
    var lastIdentifier: Int64 = 0
    var entities: [EntryID: PasswordEntity] = [:]
    /// Identifiers in ascending order, for paging and for a deterministic file.
    var ordered: [EntryID] = []
    var byOwner: [UserID: Set<EntryID>] = [:]
    var byUser: [String: Set<EntryID>] = [:]
    var byGroup: [String: Set<EntryID>] = [:]
    var usersByID: [UserID: User] = [:]
    var userIDsByName: [String: UserID] = [:]
    var groups: [String: Group] = [:]
    var groupsByMember: [String: Set<String>] = [:]
}

// MARK: Writes

extension StoreState {
    mutating func writeHeader(_ newHeader: [UInt8], expected: [UInt8]?) throws(StorageError) {
        guard header == expected else { throw .conflict }
        header = newHeader
    }

    /// Reserves `count` identifiers; returns the first.
    mutating func allocate(_ count: Int) throws(StorageError) -> Int64 {
        let (last, overflow) = lastIdentifier.addingReportingOverflow(Int64(count))
        guard count > 0, !overflow else { throw .failure("cannot allocate \(count) more identifiers") }
        let first = lastIdentifier + 1
        lastIdentifier = last
        return first
    }

    mutating func insert(_ entity: PasswordEntity) throws(StorageError) {
        let id = entity.identifier
        guard entities[id] == nil else { throw .duplicate("entry \(id)") }
        guard id.rawValue <= lastIdentifier else { throw .notFound("identifier \(id) was never allocated") }
        entities[id] = entity
        index(entity)
        orderedInsert(id)
    }

    mutating func replace(_ entity: PasswordEntity, expectedVersion: UInt64) throws(StorageError) {
        guard let old = entities[entity.identifier], old.version == expectedVersion else { throw .conflict }
        unindex(old)
        entities[entity.identifier] = entity
        index(entity)
    }

    mutating func delete(_ id: EntryID, expectedVersion: UInt64) throws(StorageError) {
        guard let old = entities[id], old.version == expectedVersion else { throw .conflict }
        unindex(old)
        entities[id] = nil
        orderedRemove(id)
    }

    mutating func addUser(_ user: User) throws(StorageError) {
        guard usersByID[user.id] == nil else { throw .duplicate("user id \(user.id)") }
        guard userIDsByName[user.username] == nil else { throw .duplicate("username \(user.username)") }
        usersByID[user.id] = user
        userIDsByName[user.username] = user.id
    }

    mutating func addGroup(named name: String) throws(StorageError) {
        guard groups[name] == nil else { throw .duplicate("group \(name)") }
        groups[name] = Group(name: name)
    }

    mutating func setMembership(group: String, username: String, isMember: Bool) throws(StorageError) {
        guard groups[group] != nil else { throw .notFound("group \(group)") }
        if isMember {
            groups[group]!.members.insert(username)
            groupsByMember[username, default: []].insert(group)
        } else {
            groups[group]!.members.remove(username)
            groupsByMember[username]?.remove(group)
        }
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
