/// The key that chains a vault's audit records: 32 random bytes, made with the vault and kept
/// (wrapped in the header) across key rotation and passphrase change (docs/contract.md §12).
///
/// Whoever holds it can forge a whole trail, so it never leaves the engine; its description is
/// `<redacted>`.
public struct AuditKey: Sendable {
    /// Bytes in the key (`crypto_generichash_KEYBYTES`).
    public static let byteCount = 32
    let secret: SecretBytes

    /// Wraps 32 bytes of key.
    /// - Throws: ``CryptoError/invalidKeyLength(expected:actual:)`` for any other length.
    public init(_ secret: SecretBytes) throws(CryptoError) {
        guard secret.count == Self.byteCount else {
            throw .invalidKeyLength(expected: Self.byteCount, actual: secret.count)
        }
        self.secret = secret
    }

    /// A fresh random key from libsodium.
    public static func random() throws(CryptoError) -> AuditKey {
        try AuditKey(.random(count: byteCount))
    }
}

extension AuditKey: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Never the key.
    public var description: String { "<redacted>" }
    /// Never the key.
    public var debugDescription: String { "<redacted>" }
    /// No children, so `dump` shows nothing of the key.
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

/// Where a trail ends: the last record's `seq` and MAC, stored with the vault and moved in the
/// same atomic write as each new record. An empty trail's head is seq 0 with the genesis MAC.
public struct AuditHead: Sendable, Hashable {
    /// The last record's `seq`; 0 before the first record.
    public let seq: UInt64
    /// The last record's MAC; ``AuditMAC/genesis`` before the first record.
    public let mac: AuditMAC

    /// The head of an empty trail.
    public static let empty = AuditHead(seq: 0, mac: .genesis)

    /// A head.
    public init(seq: UInt64, mac: AuditMAC) {
        self.seq = seq
        self.mac = mac
    }
}

/// Making and checking the keyed chain of audit records.
///
/// `mac(n) = BLAKE2b-256(key: audit key, message: mac(n-1) ‖ canonical encoding of record n)`,
/// with `mac(0)` = 32 zero bytes (`crypto_generichash`, 32-byte output, 32-byte key).
public enum AuditChain {
    /// Chains `event` after `head`: the new record (seq `head.seq + 1`) and the new head.
    /// - Throws: ``AuditError`` when the event cannot be encoded, the sequence is exhausted, or
    ///   libsodium fails.
    public static func append(
        _ event: AuditEvent, after head: AuditHead, key: AuditKey
    ) throws(AuditError) -> (record: AuditRecord, head: AuditHead) {
        let (seq, overflow) = head.seq.addingReportingOverflow(1)
        guard !overflow else { throw .unencodable(seq: head.seq, reason: "the sequence is exhausted") }
        let mac = try self.mac(seq: seq, event: event, previous: head.mac, key: key)
        return (AuditRecord(seq: seq, event: event, mac: mac), AuditHead(seq: seq, mac: mac))
    }

    /// Chains `events` one after another after `head`: their records (seq `head.seq + 1` on)
    /// and the new head.
    /// - Throws: as ``append(_:after:key:)``.
    public static func append(
        contentsOf events: some Sequence<AuditEvent>, after head: AuditHead, key: AuditKey
    ) throws(AuditError) -> (records: [AuditRecord], head: AuditHead) {
        var records: [AuditRecord] = []
        var last = head
        for event in events {
            let record: AuditRecord
            (record, last) = try append(event, after: last, key: key)
            records.append(record)
        }
        return (records, last)
    }

    /// The MAC a record with this `seq` and `event` must carry after `previous`.
    static func mac(
        seq: UInt64, event: AuditEvent, previous: AuditMAC, key: AuditKey
    ) throws(AuditError) -> AuditMAC {
        var message: [UInt8] = []
        message.reserveCapacity(128)
        try chainedMessage(seq: seq, event: event, previous: previous, into: &message)
        do {
            return AuditMAC(unchecked: try Sodium.blake2b(message[...], key: key.secret))
        } catch {
            throw .crypto(error)
        }
    }

    /// Replaces `message` with what the MAC of a record with this `seq` and `event` covers after
    /// `previous`: the previous MAC ‖ the record's canonical encoding.
    static func chainedMessage(
        seq: UInt64, event: AuditEvent, previous: AuditMAC, into message: inout [UInt8]
    ) throws(AuditError) {
        message.removeAll(keepingCapacity: true)
        message.append(contentsOf: previous.bytes)
        try AuditRecord.appendCanonicalEncoding(seq: seq, event: event, to: &message)
    }

    /// Walks a whole trail from its first record and checks it against the stored head.
    ///
    /// - Returns: ``AuditVerification/intact(records:)``, or the first `seq` at which the trail
    ///   breaks: a record edited, removed, inserted or reordered, or the tail cut off behind the head.
    public static func verify(
        _ records: some Sequence<AuditRecord>, head: AuditHead, key: AuditKey
    ) -> AuditVerification {
        var verifier = AuditVerifier(key: key)
        for record in records {
            if let broken = verifier.check(record) { return broken }
        }
        return verifier.finish(head: head)
    }
}

/// The result of walking a trail.
public enum AuditVerification: Sendable, Hashable {
    /// Every record links to the one before it, from seq 1 to the head.
    case intact(records: UInt64)
    /// The trail breaks at `seq`: the first record that is missing, out of place, or whose MAC
    /// does not match.
    case broken(seq: UInt64, reason: AuditBreak)
}

/// Why a trail breaks at a `seq`.
public enum AuditBreak: String, Sendable, Hashable {
    /// The record at this seq does not carry the MAC its content and predecessor give: it was
    /// edited, inserted, or moved here.
    case macMismatch = "its MAC does not match"
    /// The record that should stand at this seq is missing or another seq stands there:
    /// removed or reordered.
    case outOfSequence = "a record is missing or out of order"
    /// The trail ends before the stored head: records were cut off from the tail.
    case truncated = "the trail ends before its head"
    /// The last record is not the head the vault stored.
    case headMismatch = "the last record is not the stored head"
}

/// Checks a trail one record at a time, for trails read in pages from a store.
public struct AuditVerifier: Sendable {
    private let key: AuditKey
    private var previous = AuditHead.empty
    /// The chained message of the record being checked, reused from record to record.
    private var message: [UInt8] = []

    /// A verifier for a trail chained under `key`, expecting seq 1 first.
    public init(key: AuditKey) {
        self.key = key
        message.reserveCapacity(256)
    }

    /// How many records have been checked and found linked.
    public var checked: UInt64 { previous.seq }

    /// Checks the next record; returns the break when it is not the next link.
    public mutating func check(_ record: AuditRecord) -> AuditVerification? {
        let expected = previous.seq &+ 1
        guard record.seq == expected else { return .broken(seq: expected, reason: .outOfSequence) }
        // The message in a buffer reused from record to record, the digest on the stack: no
        // allocation per record (docs/performance.md, "The audit trail on SQLite").
        guard
            (try? AuditChain.chainedMessage(
                seq: record.seq, event: record.event, previous: previous.mac, into: &message)) != nil,
            (try? Sodium.blake2bMatches(message, key: key.secret, expected: record.mac.bytes)) == true
        else { return .broken(seq: record.seq, reason: .macMismatch) }
        previous = AuditHead(seq: record.seq, mac: record.mac)
        return nil
    }

    /// The verdict once every record has been checked, against the head the vault stored.
    public func finish(head: AuditHead) -> AuditVerification {
        if previous.seq < head.seq { return .broken(seq: previous.seq + 1, reason: .truncated) }
        guard previous == head else { return .broken(seq: previous.seq, reason: .headMismatch) }
        return .intact(records: previous.seq)
    }
}

/// A failure to make, read or export audit records.
public enum AuditError: Error, Sendable, Equatable {
    /// A record cannot be encoded (a string longer than its length field, the sequence exhausted).
    case unencodable(seq: UInt64, reason: String)
    /// A line of a JSON Lines export is not a record (1-based line number; never the line's text).
    case malformedExport(line: Int, reason: String)
    /// libsodium failed.
    case crypto(CryptoError)
}

extension AuditError: CustomStringConvertible {
    /// A sentence naming the seq or line, never a value.
    public var description: String {
        switch self {
        case .unencodable(let seq, let reason): "audit record \(seq) cannot be encoded: \(reason)"
        case .malformedExport(let line, let reason): "line \(line) of the audit export is not a record: \(reason)"
        case .crypto(let error): "audit chain: \(error)"
        }
    }
}
