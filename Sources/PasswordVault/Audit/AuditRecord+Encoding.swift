/// The canonical encoding of a record, the bytes its MAC covers (docs/format.md, "Audit records").
///
/// Version 1; integers big-endian; strings are their UTF-8 bytes exactly as stored (no
/// normalisation), each behind its length:
///
/// | bytes | content |
/// |---|---|
/// | 1 | encoding version, `0x01` |
/// | 8 | `seq` (unsigned) |
/// | 8 | `time`, milliseconds since the Unix epoch (two's complement) |
/// | 1 | actor kind: `0x00` the vault, `0x01` a user |
/// | 8 + 2 + n | a user only: user id (two's complement) ‖ username length ‖ username |
/// | 1 + n | action length ‖ action name (ASCII, as exports write it: `reveal_version`) |
/// | 1 (+ 8) | entry present `0x00` / `0x01` (‖ its identifier) |
/// | 2 | outcome: `0` for `ok`, else the refusal's code |
/// | 2 | number of field names, then each: length (2) ‖ name |
/// | 1 (+ 2 + n) | justification present `0x00` / `0x01` (‖ length (2) ‖ text) |
///
/// Every length fits its width: the engine's limits (usernames 200 scalars, justifications
/// 500, field names from a closed list) are far below 65,535 bytes; a longer string is refused
/// by ``canonicalEncoding()`` rather than cut.
extension AuditRecord {
    /// The encoding version written first.
    static let encodingVersion: UInt8 = 1

    /// The canonical bytes of this record without its MAC.
    /// - Throws: ``AuditError/unencodable(seq:reason:)`` for a string longer than its length field.
    public func canonicalEncoding() throws(AuditError) -> [UInt8] {
        try Self.canonicalEncoding(seq: seq, event: event)
    }

    static func canonicalEncoding(seq: UInt64, event: AuditEvent) throws(AuditError) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64)
        try appendCanonicalEncoding(seq: seq, event: event, to: &bytes)
        return bytes
    }

    /// Appends the canonical bytes of a record with this `seq` and `event` to `bytes` (for a
    /// buffer reused from record to record, as the verifier's).
    static func appendCanonicalEncoding(seq: UInt64, event: AuditEvent, to bytes: inout [UInt8]) throws(AuditError) {
        bytes.append(encodingVersion)
        bytes.appendBigEndian(seq)
        bytes.appendBigEndian(UInt64(bitPattern: event.time.rawValue))
        switch event.actor {
        case .vault:
            bytes.append(0)
        case .user(let id, let username):
            bytes.append(1)
            bytes.appendBigEndian(UInt64(bitPattern: id.rawValue))
            try bytes.appendString(username, lengthBytes: 2, seq: seq, what: "username")
        }
        try bytes.appendString(event.action.rawValue, lengthBytes: 1, seq: seq, what: "action")
        if let entry = event.entry {
            bytes.append(1)
            bytes.appendBigEndian(UInt64(bitPattern: entry.rawValue))
        } else {
            bytes.append(0)
        }
        switch event.outcome {
        case .ok: bytes.appendBigEndian(UInt16(0))
        case .refused(let code): bytes.appendBigEndian(code)
        }
        guard event.fields.count <= Int(UInt16.max) else {
            throw .unencodable(seq: seq, reason: "more than 65535 field names")
        }
        bytes.appendBigEndian(UInt16(event.fields.count))
        for field in event.fields { try bytes.appendString(field, lengthBytes: 2, seq: seq, what: "a field name") }
        if let justification = event.justification {
            bytes.append(1)
            try bytes.appendString(justification, lengthBytes: 2, seq: seq, what: "justification")
        } else {
            bytes.append(0)
        }
    }
}

extension [UInt8] {
    /// Appends `text`'s UTF-8 bytes behind their count in `lengthBytes` (1 or 2) big-endian bytes.
    fileprivate mutating func appendString(
        _ text: String, lengthBytes: Int, seq: UInt64, what: String
    ) throws(AuditError) {
        let utf8 = text.utf8
        let limit = lengthBytes == 1 ? Int(UInt8.max) : Int(UInt16.max)
        guard utf8.count <= limit else {
            throw .unencodable(seq: seq, reason: "\(what) longer than \(limit) bytes")
        }
        if lengthBytes == 1 { append(UInt8(utf8.count)) } else { appendBigEndian(UInt16(utf8.count)) }
        append(contentsOf: utf8)
    }
}

extension AuditRecord {
    /// Reads a record back from its ``canonicalEncoding()`` and its MAC, as a store that keeps
    /// the encoding holds them (the single-file format, docs/format.md §7).
    ///
    /// Strict: encoding version 1, every length within the bytes, strings valid UTF-8, the actor
    /// kind and the present/absent flags `0x00` or `0x01`, an entry identifier positive, the
    /// action one of the closed set, no byte after the justification. The bytes decoded are the
    /// bytes ``canonicalEncoding()`` gives back, so the MAC is checked over what was stored.
    /// The MAC itself is not checked here: ``AuditChain/verify(_:head:key:)`` does that.
    /// - Throws: ``StorageError/corrupted(_:)`` naming the record's `seq` (once it is read) and
    ///   what is wrong, never a value of the record.
    init(canonicalEncoding bytes: ArraySlice<UInt8>, mac: AuditMAC) throws(StorageError) {
        var reader = BigEndianReader(bytes)
        guard let version = reader.read(1)?.first else { throw .corrupted("an audit record is empty") }
        guard version == Self.encodingVersion else {
            throw .corrupted("an audit record has an unknown encoding version")
        }
        guard let seq = reader.readBigEndian(UInt64.self) else {
            throw .corrupted("an audit record is truncated before its seq")
        }
        func fail(_ reason: String) -> StorageError { .corrupted("audit record \(seq): \(reason)") }
        func field<T: FixedWidthInteger & UnsignedInteger>(_ what: String, _: T.Type = T.self) throws(StorageError) -> T
        {
            guard let value = reader.readBigEndian(T.self) else { throw fail("truncated in its \(what)") }
            return value
        }
        func flag(_ what: String) throws(StorageError) -> Bool {
            switch try field(what, UInt8.self) {
            case 0: return false
            case 1: return true
            default: throw fail("its \(what) flag is neither 0 nor 1")
            }
        }
        func string<T: FixedWidthInteger & UnsignedInteger>(_ what: String, length: T.Type) throws(StorageError)
            -> String
        {
            let count = Int(try field(what, T.self))
            guard let utf8 = reader.read(count) else { throw fail("truncated in its \(what)") }
            guard let text = String(validating: utf8, as: UTF8.self) else { throw fail("its \(what) is not UTF-8") }
            return text
        }
        let time = AuditTime(rawValue: Int64(bitPattern: try field("time", UInt64.self)))
        let actor: AuditActor
        switch try field("actor kind", UInt8.self) {
        case 0: actor = .vault
        case 1:
            let id = UserID(rawValue: Int64(bitPattern: try field("user id", UInt64.self)))
            actor = .user(id: id, username: try string("username", length: UInt16.self))
        default: throw fail("unknown actor kind")
        }
        guard let action = AuditAction(rawValue: try string("action", length: UInt8.self)) else {
            throw fail("unknown action")
        }
        var entry: EntryID?
        if try flag("entry") {
            guard let id = EntryID(rawValue: Int64(bitPattern: try field("entry", UInt64.self))) else {
                throw fail("its entry identifier is not positive")
            }
            entry = id
        }
        let code = try field("outcome", UInt16.self)
        let fieldCount = Int(try field("field count", UInt16.self))
        var fields: [String] = []
        for _ in 0..<fieldCount { fields.append(try string("field names", length: UInt16.self)) }
        let justification = try flag("justification") ? try string("justification", length: UInt16.self) : nil
        guard reader.isAtEnd else { throw fail("bytes follow its justification") }
        self.init(
            seq: seq,
            event: AuditEvent(
                time: time, actor: actor, action: action, entry: entry, outcome: code == 0 ? .ok : .refused(code: code),
                fields: fields, justification: justification),
            mac: mac)
    }
}
