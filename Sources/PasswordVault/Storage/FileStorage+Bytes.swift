import Foundation

/// Appends little-endian fields to a byte buffer (see ``FileFormat``).
struct ByteWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    /// A writer that appends to `bytes`.
    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func raw(_ data: [UInt8]) { bytes.append(contentsOf: data) }
    mutating func u8(_ value: UInt8) { bytes.append(value) }
    mutating func bool(_ value: Bool) { bytes.append(value ? 1 : 0) }

    mutating func u16(_ value: UInt16) {
        bytes.append(UInt8(value & 0xFF))
        bytes.append(UInt8(value >> 8))
    }

    mutating func u32(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func u64(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func i64(_ value: Int64) { u64(UInt64(bitPattern: value)) }
    mutating func count(_ value: Int) { u32(UInt32(value)) }

    mutating func string(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            u32(UInt32(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    mutating func byteString(_ value: [UInt8]) {
        u32(UInt32(value.count))
        bytes.append(contentsOf: value)
    }

    mutating func optionalBytes(_ value: [UInt8]?) {
        guard let value else { return u8(0) }
        u8(1)
        byteString(value)
    }

    mutating func entity(_ entity: PasswordEntity) {
        i64(entity.identifier.rawValue)
        string(entity.name)
        string(entity.username)
        string(entity.url)
        count(entity.tags.count)
        for tag in entity.tags { string(tag) }
        i64(entity.owner.rawValue)
        count(entity.usersAllowed.count)
        for share in entity.usersAllowed {
            string(share.username)
            bool(share.canEdit)
            bool(share.canReveal)
        }
        count(entity.groupsAllowed.count)
        for share in entity.groupsAllowed {
            string(share.name)
            bool(share.canEdit)
            bool(share.canReveal)
        }
        bool(entity.isActive)
        u64(entity.createdAt.timeIntervalSinceReferenceDate.bitPattern)
        u64(entity.updatedAt.timeIntervalSinceReferenceDate.bitPattern)
        u64(entity.version)
        u64(entity.revision)
        i64(entity.changedBy.rawValue)
        u16(entity.changedFields.rawValue)
        bool(entity.needJustify)
        // 0–5, checked by FileFormat.encode before any entity is written.
        u8(UInt8(truncatingIfNeeded: entity.needApproval))
        bool(entity.needsRotation)
        byteString(entity.sealedPassword.bytes)
        optionalBytes(entity.sealedSecretKey?.bytes)
        optionalBytes(entity.sealedNotes?.bytes)
    }

    /// An optional date: u8 0, or u8 1 and the bit pattern of its seconds since 2001-01-01.
    mutating func optionalDate(_ date: Date?) {
        guard let date else { return u8(0) }
        u8(1)
        u64(date.timeIntervalSinceReferenceDate.bitPattern)
    }

    /// An access request record of format 5 (docs/contract.md §13; see ``FileFormat``).
    mutating func request(_ request: AccessRequest) {
        i64(request.identifier.rawValue)
        i64(request.entry.rawValue)
        i64(request.requester.rawValue)
        string(request.requesterName)
        string(request.justification)
        i64(Int64(request.minutes))
        u8(FileFormat.stateCode(request.storedState))
        count(request.approvals.count)
        for approver in request.approvals { i64(approver.rawValue) }
        if let deniedBy = request.deniedBy {
            u8(1)
            i64(deniedBy.rawValue)
        } else {
            u8(0)
        }
        u64(request.createdAt.timeIntervalSinceReferenceDate.bitPattern)
        optionalDate(request.decidedAt)
        optionalDate(request.expiresAt)
        u64(request.version)
    }
}

/// Reads the fields ``ByteWriter`` wrote, checking every length against what is left.
struct ByteReader {
    private let bytes: ArraySlice<UInt8>
    var offset: Int

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        self.offset = bytes.startIndex
    }

    var isAtEnd: Bool { offset == bytes.endIndex }

    private mutating func take(_ count: Int) throws(FormatError) -> ArraySlice<UInt8> {
        guard count >= 0, bytes.endIndex - offset >= count else {
            throw FormatError("a field runs past the end of the payload")
        }
        defer { offset += count }
        return bytes[offset..<offset + count]
    }

    mutating func u8() throws(FormatError) -> UInt8 { try take(1).first! }

    mutating func bool() throws(FormatError) -> Bool {
        switch try u8() {
        case 0: return false
        case 1: return true
        case let other: throw FormatError("\(other) is not a boolean")
        }
    }

    mutating func u16() throws(FormatError) -> UInt16 {
        try take(2).reversed().reduce(0) { $0 << 8 | UInt16($1) }
    }

    mutating func u32() throws(FormatError) -> UInt32 {
        try take(4).reversed().reduce(0) { $0 << 8 | UInt32($1) }
    }

    mutating func u64() throws(FormatError) -> UInt64 {
        try take(8).reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }

    mutating func i64() throws(FormatError) -> Int64 { Int64(bitPattern: try u64()) }

    /// An element count; never more than the bytes left, so a damaged count cannot
    /// make the reader allocate or loop without bound.
    mutating func count() throws(FormatError) -> Int {
        let count = Int(try u32())
        guard count <= bytes.endIndex - offset else { throw FormatError("a count runs past the end of the payload") }
        return count
    }

    mutating func byteString() throws(FormatError) -> [UInt8] { Array(try byteSlice()) }

    /// A `bytes` field, without copying it out.
    mutating func byteSlice() throws(FormatError) -> ArraySlice<UInt8> { try take(Int(try u32())) }

    /// The bytes from `start` (an earlier ``offset``) to the current offset.
    func bytes(from start: Int) throws(FormatError) -> [UInt8] {
        guard start >= bytes.startIndex, start <= offset else { throw FormatError("a section starts after its end") }
        return Array(bytes[start..<offset])
    }

    /// The next `count` bytes as they are (no length before them).
    mutating func raw(_ count: Int) throws(FormatError) -> [UInt8] { Array(try take(count)) }

    mutating func string() throws(FormatError) -> String {
        guard let string = String(validating: try take(Int(try u32())), as: UTF8.self) else {
            throw FormatError("a string is not valid UTF-8")
        }
        return string
    }

    mutating func optionalBytes() throws(FormatError) -> [UInt8]? {
        guard try bool() else { return nil }
        return try byteString()
    }

    /// An entry record of a file of format version `format` (3 adds revision, changedBy and
    /// changedFields; 5 adds canReveal to each share, then the policies and the rotation mark).
    mutating func entity(format: UInt32) throws(FormatError) -> PasswordEntity {
        guard let id = EntryID(rawValue: try i64()) else { throw FormatError("an entry identifier is not positive") }
        let name = try string()
        let username = try string()
        let url = try string()
        var tags: [String] = []
        let tagCount = try count()
        for _ in 0..<tagCount { tags.append(try string()) }
        let owner = UserID(rawValue: try i64())
        var users: [UserShare] = []
        let userCount = try count()
        for _ in 0..<userCount {
            let name = try string()
            let canEdit = try bool()
            users.append(UserShare(username: name, canEdit: canEdit, canReveal: format >= 5 ? try bool() : true))
        }
        var groups: [GroupShare] = []
        let groupCount = try count()
        for _ in 0..<groupCount {
            let name = try string()
            let canEdit = try bool()
            groups.append(GroupShare(name: name, canEdit: canEdit, canReveal: format >= 5 ? try bool() : true))
        }
        let isActive = try bool()
        let createdAt = Date(timeIntervalSinceReferenceDate: Double(bitPattern: try u64()))
        let updatedAt = Date(timeIntervalSinceReferenceDate: Double(bitPattern: try u64()))
        let version = try u64()
        var revision = version
        var changedBy = owner
        var changedFields = ChangedFields()
        if format >= 3 {
            revision = try u64()
            changedBy = UserID(rawValue: try i64())
            changedFields = ChangedFields(rawValue: try u16())
            guard revision >= 1 else { throw FormatError("entry \(id) has revision 0") }
            guard ChangedFields.known.isSuperset(of: changedFields) else {
                throw FormatError("entry \(id) names unknown changed fields")
            }
        }
        // Before format 5: no policy, no rotation needed (docs/contract.md §13).
        var needJustify = false
        var needApproval = 0
        var needsRotation = false
        if format >= 5 {
            needJustify = try bool()
            needApproval = Int(try u8())
            guard needApproval <= 5 else {
                throw FormatError("entry \(id) needs \(needApproval) approvals (at most 5)")
            }
            needsRotation = try bool()
        }
        let password = SealedValue(bytes: try byteString())
        let secretKey = try optionalBytes().map(SealedValue.init(bytes:))
        let notes = try optionalBytes().map(SealedValue.init(bytes:))
        return PasswordEntity(
            identifier: id, name: name, username: username, url: url, tags: tags, owner: owner,
            usersAllowed: users, groupsAllowed: groups, isActive: isActive, createdAt: createdAt,
            updatedAt: updatedAt, version: version, revision: revision, changedBy: changedBy,
            changedFields: changedFields, sealedPassword: password, sealedSecretKey: secretKey,
            sealedNotes: notes, needJustify: needJustify, needApproval: needApproval, needsRotation: needsRotation)
    }

    /// An optional date (see ``ByteWriter/optionalDate(_:)``).
    mutating func optionalDate() throws(FormatError) -> Date? {
        guard try bool() else { return nil }
        return Date(timeIntervalSinceReferenceDate: Double(bitPattern: try u64()))
    }

    /// An access request record of format 5; its place among the others is checked by the caller.
    mutating func request() throws(FormatError) -> AccessRequest {
        guard let id = AccessRequestID(rawValue: try i64()) else {
            throw FormatError("an access request identifier is not positive")
        }
        guard let entry = EntryID(rawValue: try i64()) else {
            throw FormatError("access request \(id) names an entry identifier that is not positive")
        }
        let requester = UserID(rawValue: try i64())
        let requesterName = try string()
        let justification = try string()
        let minutes = Int(try i64())
        guard let state = FileFormat.state(code: try u8()) else {
            throw FormatError("access request \(id) has an unknown state")
        }
        var approvals: [UserID] = []
        let approvalCount = try count()
        for _ in 0..<approvalCount { approvals.append(UserID(rawValue: try i64())) }
        let deniedBy = try bool() ? UserID(rawValue: try i64()) : nil
        let createdAt = Date(timeIntervalSinceReferenceDate: Double(bitPattern: try u64()))
        let decidedAt = try optionalDate()
        let expiresAt = try optionalDate()
        let version = try u64()
        return AccessRequest(
            identifier: id, entry: entry, requester: requester, requesterName: requesterName,
            justification: justification, minutes: minutes, storedState: state, approvals: approvals,
            deniedBy: deniedBy, createdAt: createdAt, decidedAt: decidedAt, expiresAt: expiresAt, version: version)
    }
}
