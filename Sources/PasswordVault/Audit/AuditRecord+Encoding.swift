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
        var bytes: [UInt8] = [encodingVersion]
        bytes.reserveCapacity(64)
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
        return bytes
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
