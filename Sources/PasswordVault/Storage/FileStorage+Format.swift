import Foundation

/// The single-file vault format, version 5 (versions 1 to 4 are read too).
///
/// All integers are little-endian. The file is a 40-byte header followed by the payload:
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 8 | magic `89 50 57 56 0D 0A 1A 0A` (`\x89PWV\r\n\x1A\n`, PNG-style: catches text-mode mangling) |
/// | 8 | 4 | format version, `5` (versions 1 to 4 are read; every commit writes version 5) |
/// | 12 | 4 | flags, `0` (a reader refuses flags it does not know) |
/// | 16 | 8 | file generation: incremented by every commit |
/// | 24 | 8 | payload length in bytes; the file ends exactly after the payload |
/// | 32 | 4 | CRC-32 (IEEE 802.3, as zlib's `crc32`) of the payload |
/// | 36 | 4 | CRC-32 of header bytes 0..<36 |
///
/// The payload, with `str` = u32 byte count + UTF-8, `bytes` = u32 count + bytes,
/// `opt` = u8 0 (absent) or 1 followed by `bytes`, `bool` = u8 0 or 1:
///
/// ```
/// i64 last identifier handed out
/// opt header
/// u64 header generation: 0 without a header, one more per header write (absent in version 1,
///     where it is read as 1 when there is a header, else 0)
/// u32 user count,  then per user (ascending id):    i64 id, str username
/// u32 group count, then per group (ascending name): str name, u32 member count, str members (sorted)
/// u32 entry count, then per entry (ascending id):
///     i64 id, str name, str username, str url, u32 tag count, str tags (in order), i64 owner,
///     u32 user-share count, (str username, bool canEdit [version 5: bool canReveal]) in order,
///     u32 group-share count, (str name, bool canEdit [version 5: bool canReveal]) in order,
///     bool isActive, u64 createdAt, u64 updatedAt (bit patterns of the Double seconds
///     since 2001-01-01, so dates round-trip exactly), u64 version,
///     [version 3: u64 revision, i64 changedBy, u16 changedFields bit mask],
///     [version 5: bool needJustify, u8 needApproval (0 to 5), bool needsRotation],
///     bytes sealed password, opt sealed secret key, opt sealed notes
/// [version 3 to 5: u32 history count, then per old version (ascending entry id, then revision):
///     the same entry record, its revision below its entry's]
/// [version 5, before the audit trail: the access requests (docs/contract.md §13):
///     i64 last request identifier handed out (never handed out again),
///     u32 request count, then per request (ascending identifier, none above the last one,
///     each naming a stored entry): i64 identifier, i64 entry, i64 requester, str requester
///     name, str justification, i64 minutes, u8 state (0 pending, 1 approved, 2 denied,
///     3 expired, 4 revoked), u32 approval count, i64 approvers (in order), u8 0 or 1 and
///     i64 deniedBy, u64 createdAt, u8 0 or 1 and u64 decidedAt, u8 0 or 1 and u64 expiresAt
///     (dates as the entries'), u64 version]
/// [version 4 and 5, last: the audit trail (docs/contract.md §12):
///     u64 head seq, 32 bytes head MAC (seq 0 and 32 zero bytes for an empty trail),
///     u32 record count, then per record (ascending seq: 1, 2, 3 … without a gap):
///     bytes canonical encoding (docs/format.md §8, exactly AuditRecord.canonicalEncoding()),
///     32 bytes MAC; the head is the last record's seq and MAC]
/// ```
///
/// Entries of a version 1 or 2 file are read with revision = version, changedBy = owner,
/// no changed fields and no history; a file of version 1 to 3 has an empty audit trail; a file
/// of version 1 to 4 has shares that reveal, entries without policies nor rotation marks, and
/// no access requests (the request counter at 0).
///
/// The checksums are an integrity check against torn or damaged files, not a
/// security measure: the secrets inside are sealed (and authenticated) by the engine.
enum FileFormat {
    static let magic: [UInt8] = [0x89, 0x50, 0x57, 0x56, 0x0D, 0x0A, 0x1A, 0x0A]
    /// The version written.
    static let version: UInt32 = 5
    /// The versions read: 1 lacks the header generation, 1 and 2 the history, 1 to 3 the audit
    /// trail, 1 to 4 the access policies and requests.
    static let readableVersions: ClosedRange<UInt32> = 1...5
    static let headerSize = 40

    /// The whole file for `store`; encodes only the audit records that ``StoreState/encodedTrail``
    /// does not hold yet, and adds them to it.
    /// - Throws: ``StorageError/failure(_:)`` when an audit record cannot be encoded (a string
    ///   longer than its length field) or an entry's `needApproval` is outside 0–5: nothing is
    ///   written then.
    static func encode(_ store: inout StoreState, capacity: Int = 0) throws(StorageError) -> [UInt8] {
        var payload = ByteWriter(capacity: capacity)
        payload.i64(store.lastIdentifier)
        payload.optionalBytes(store.header)
        payload.u64(store.headerGeneration.rawValue)
        let users = store.usersByID.values.sorted { $0.id < $1.id }
        payload.count(users.count)
        for user in users {
            payload.i64(user.id.rawValue)
            payload.string(user.username)
        }
        let groups = store.groups.values.sorted { $0.name < $1.name }
        payload.count(groups.count)
        for group in groups {
            payload.string(group.name)
            payload.count(group.members.count)
            for member in group.members.sorted() { payload.string(member) }
        }
        let history = store.history.keys.sorted().flatMap { store.history[$0]! }
        for entity in store.ordered.map({ store.entities[$0]! }) + history where !(0...5).contains(entity.needApproval)
        {
            throw .failure("entry \(entity.identifier): need_approval \(entity.needApproval) is outside 0 to 5")
        }
        payload.count(store.ordered.count)
        for id in store.ordered { payload.entity(store.entities[id]!) }
        payload.count(history.count)
        for version in history { payload.entity(version) }
        payload.i64(store.lastRequestIdentifier)
        payload.count(store.requests.count)
        for id in store.requests.keys.sorted() { payload.request(store.requests[id]!) }
        payload.u64(store.auditHead.seq)
        payload.raw(store.auditHead.mac.bytes)
        payload.count(store.auditTrail.count)
        var trail = store.encodedTrail
        if trail.count > store.auditTrail.count
            || (trail.count > 0 && store.auditTrail[trail.count - 1].mac != trail.lastMAC)
        {
            trail = EncodedTrail()
        }
        var records = ByteWriter(bytes: trail.bytes)
        for record in store.auditTrail[trail.count...] {
            do { records.byteString(try record.canonicalEncoding()) } catch { throw .failure("\(error)") }
            records.raw(record.mac.bytes)
        }
        store.encodedTrail = EncodedTrail(
            count: store.auditTrail.count, lastMAC: store.auditHead.mac, bytes: records.bytes)
        payload.raw(store.encodedTrail.bytes)

        var file = ByteWriter(capacity: headerSize + payload.bytes.count)
        file.raw(magic)
        file.u32(version)
        file.u32(0)
        file.u64(store.generation)
        file.u64(UInt64(payload.bytes.count))
        file.u32(CRC32.checksum(payload.bytes[...]))
        file.u32(CRC32.checksum(file.bytes[0..<36]))
        file.raw(payload.bytes)
        return file.bytes
    }

    /// Checks and decodes a whole file; any damage is ``StorageError/corrupted(_:)``.
    static func decode(_ file: [UInt8]) throws(StorageError) -> StoreState {
        guard !file.isEmpty else { throw .corrupted("the file is empty (0 bytes)") }
        guard file.count >= magic.count, file[0..<magic.count].elementsEqual(magic) else {
            if file.count < magic.count, magic.starts(with: file) {
                throw .corrupted("truncated: \(file.count) bytes, shorter than the \(headerSize)-byte header")
            }
            throw .corrupted("not a PasswordVault file: unknown magic bytes")
        }
        guard file.count >= headerSize else {
            throw .corrupted("truncated: \(file.count) bytes, shorter than the \(headerSize)-byte header")
        }
        let version = UInt32(littleEndian: file, at: 8)
        let flags = UInt32(littleEndian: file, at: 12)
        let generation = UInt64(littleEndian: file, at: 16)
        let length = UInt64(littleEndian: file, at: 24)
        let payloadChecksum = UInt32(littleEndian: file, at: 32)
        let headerChecksum = UInt32(littleEndian: file, at: 36)
        // The version comes first: another version may lay out the rest of the header differently.
        guard readableVersions.contains(version) else {
            throw .corrupted(
                "format version \(version) is not supported (this library reads versions 1 to \(self.version))")
        }
        guard CRC32.checksum(file[0..<36]) == headerChecksum else {
            throw .corrupted("the file header's checksum does not match")
        }
        guard flags == 0 else { throw .corrupted("unknown format flags \(flags)") }
        let actual = UInt64(file.count - headerSize)
        guard actual == length else {
            throw .corrupted(
                actual < length
                    ? "truncated: the header announces \(length) payload bytes, the file holds \(actual)"
                    : "\(actual - length) unexpected bytes after the payload")
        }
        let payload = file[headerSize...]
        guard CRC32.checksum(payload) == payloadChecksum else {
            throw .corrupted("the payload's checksum does not match (torn or damaged file)")
        }
        do {
            var store = try decodePayload(ByteReader(payload), version: version)
            store.generation = generation
            return store
        } catch {
            throw .corrupted("malformed payload: \(error.reason)")
        }
    }

    private static func decodePayload(_ input: ByteReader, version: UInt32) throws(FormatError) -> StoreState {
        var reader = input
        var store = StoreState()
        store.lastIdentifier = try reader.i64()
        guard store.lastIdentifier >= 0 else { throw FormatError("negative last identifier") }
        store.header = try reader.optionalBytes()
        if version >= 2 {
            store.headerGeneration = HeaderGeneration(rawValue: try reader.u64())
            guard (store.header == nil) == (store.headerGeneration == .noHeader) else {
                throw FormatError("header generation \(store.headerGeneration) does not fit the header's presence")
            }
        } else {
            store.headerGeneration = store.header == nil ? .noHeader : HeaderGeneration(rawValue: 1)
        }
        let userCount = try reader.count()
        for _ in 0..<userCount {
            let user = User(id: UserID(rawValue: try reader.i64()), username: try reader.string())
            do { try store.applyChecked(.addUser(user)) } catch { throw FormatError("user \(user.id) appears twice") }
        }
        let groupCount = try reader.count()
        for _ in 0..<groupCount {
            let name = try reader.string()
            do { try store.applyChecked(.addGroup(name)) } catch { throw FormatError("a group name appears twice") }
            let memberCount = try reader.count()
            for _ in 0..<memberCount {
                let member = try reader.string()
                store.apply(.setMembership(group: name, username: member, isMember: true))
            }
        }
        var previous: Int64 = 0
        let entryCount = try reader.count()
        for _ in 0..<entryCount {
            let entity = try reader.entity(format: version)
            let id = entity.identifier
            guard id.rawValue > previous else { throw FormatError("entry \(id) is out of order") }
            guard id.rawValue <= store.lastIdentifier else {
                throw FormatError("entry \(id) is above the last identifier handed out")
            }
            previous = id.rawValue
            do { try store.insert(entity) } catch { throw FormatError("entry \(id) cannot be indexed") }
        }
        if version >= 3 {
            let historyCount = try reader.count()
            var previousVersion: (id: EntryID, revision: UInt64)?
            for _ in 0..<historyCount {
                let old = try reader.entity(format: version)
                if let previousVersion, (previousVersion.id, previousVersion.revision) >= (old.identifier, old.revision)
                {
                    throw FormatError("history version \(old.revision) of entry \(old.identifier) is out of order")
                }
                previousVersion = (old.identifier, old.revision)
                do { try store.insertHistory(old) } catch {
                    throw FormatError("history version \(old.revision) of entry \(old.identifier): \(error)")
                }
            }
        }
        if version >= 5 { try decodeRequests(&reader, into: &store) }
        if version >= 4 { try decodeAuditTrail(&reader, into: &store) }
        guard reader.isAtEnd else { throw FormatError("bytes left over after the last entry") }
        return store
    }

    /// The access requests of a version 5 file: the counter, then the requests in ascending
    /// identifier order, none above the counter, each naming a stored entry (a delete takes an
    /// entry's requests with it).
    private static func decodeRequests(_ reader: inout ByteReader, into store: inout StoreState)
        throws(FormatError)
    {
        store.lastRequestIdentifier = try reader.i64()
        guard store.lastRequestIdentifier >= 0 else { throw FormatError("negative last access request identifier") }
        var previous: Int64 = 0
        let count = try reader.count()
        for _ in 0..<count {
            let request = try reader.request()
            let id = request.identifier
            guard id.rawValue > previous else { throw FormatError("access request \(id) is out of order") }
            guard id.rawValue <= store.lastRequestIdentifier else {
                throw FormatError("access request \(id) is above the last identifier handed out")
            }
            guard store.entities[request.entry] != nil else {
                throw FormatError("access request \(id) names entry \(request.entry), which is not stored")
            }
            previous = id.rawValue
            store.storeRequest(request)
        }
    }

    /// The byte of a request's state in a version 5 file.
    static func stateCode(_ state: AccessRequestState) -> UInt8 {
        switch state {
        case .pending: 0
        case .approved: 1
        case .denied: 2
        case .expired: 3
        case .revoked: 4
        }
    }

    /// The state of a byte of a version 5 file; `nil` for a byte no state has.
    static func state(code: UInt8) -> AccessRequestState? {
        switch code {
        case 0: .pending
        case 1: .approved
        case 2: .denied
        case 3: .expired
        case 4: .revoked
        default: nil
        }
    }

    /// The audit trail of a version 4 file: the head, then records 1 … n, the head the last one.
    private static func decodeAuditTrail(_ reader: inout ByteReader, into store: inout StoreState)
        throws(FormatError)
    {
        let headSeq = try reader.u64()
        let head = AuditHead(seq: headSeq, mac: AuditMAC(unchecked: try reader.raw(AuditMAC.byteCount)))
        let count = try reader.count()
        let start = reader.offset
        var trail: [AuditRecord] = []
        trail.reserveCapacity(count)
        for index in 0..<count {
            let encoding = try reader.byteSlice()
            let mac = AuditMAC(unchecked: try reader.raw(AuditMAC.byteCount))
            let record: AuditRecord
            do { record = try AuditRecord(canonicalEncoding: encoding, mac: mac) } catch {
                guard case .corrupted(let why) = error else { throw FormatError("\(error)") }
                throw FormatError(why)
            }
            // StoreState finds seq n at index n - 1.
            guard record.seq == UInt64(index) + 1 else {
                throw FormatError("audit record \(record.seq) stands where seq \(index + 1) belongs")
            }
            trail.append(record)
        }
        let last = trail.last.map { AuditHead(seq: $0.seq, mac: $0.mac) } ?? .empty
        guard head.seq == last.seq else {
            throw FormatError("the audit head (seq \(head.seq)) is not the last record (seq \(last.seq))")
        }
        guard head.mac == last.mac else {
            throw FormatError("the audit head's MAC is not the last record's (seq \(last.seq))")
        }
        store.auditTrail = trail
        store.auditHead = head
        // Exactly the bytes read: a commit rewrites them as they are.
        store.encodedTrail = EncodedTrail(count: trail.count, lastMAC: head.mac, bytes: try reader.bytes(from: start))
    }
}

extension FixedWidthInteger {
    /// The little-endian integer at `offset` (the caller has checked the bounds).
    fileprivate init(littleEndian bytes: [UInt8], at offset: Int) {
        self = bytes[offset..<offset + Self.bitWidth / 8].reversed().reduce(0) { $0 << 8 | Self($1) }
    }
}

/// Why a payload does not decode (folded into ``StorageError/corrupted(_:)``).
struct FormatError: Error {
    var reason: String
    init(_ reason: String) { self.reason = reason }
}

/// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320): the checksum of zlib, PNG and gzip,
/// so a file can be checked with any tool (`python3 -c 'import zlib; …'`).
enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { (n: UInt32) in
        var c = n
        for _ in 0..<8 { c = c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func checksum(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        table.withUnsafeBufferPointer { table in
            bytes.withUnsafeBufferPointer { buffer in
                var crc: UInt32 = 0xFFFF_FFFF
                for byte in buffer { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
                return crc ^ 0xFFFF_FFFF
            }
        }
    }
}
