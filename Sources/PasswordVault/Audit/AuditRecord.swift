/// One line of a vault's audit trail (docs/contract.md §12): who did what to which entry, when,
/// how it ended, and the keyed link that chains it to the record before it.
///
/// A record never holds a secret value or a one-time code: `fields` names what was changed or
/// returned (`password`, `notes`…), never its content. The ``mac`` is made by ``AuditChain``
/// over the previous record's MAC and this record's ``canonicalEncoding()``; see docs/format.md.
public struct AuditRecord: Sendable, Hashable {
    /// 1, 2, 3 … with no gaps, in the order the records were committed.
    public let seq: UInt64
    /// What happened; everything but `seq` and `mac`.
    public let event: AuditEvent
    /// Keyed BLAKE2b-256 over the previous record's MAC ‖ this record's canonical encoding.
    public let mac: AuditMAC

    /// A record as read back from a store or an export; ``AuditChain`` checks it.
    public init(seq: UInt64, event: AuditEvent, mac: AuditMAC) {
        self.seq = seq
        self.event = event
        self.mac = mac
    }
}

/// What one engine call did: the content of an ``AuditRecord`` before it is chained.
public struct AuditEvent: Sendable, Hashable {
    /// When, by the vault clock, at millisecond precision.
    public var time: AuditTime
    /// Who acted.
    public var actor: AuditActor
    /// What they did.
    public var action: AuditAction
    /// The entry acted on, if any.
    public var entry: EntryID?
    /// `ok`, or the catalogue code of the refusal.
    public var outcome: AuditOutcome
    /// For writes: the names of the fields changed; for reveals: the secrets returned.
    public var fields: [String]
    /// The justification given for the call (docs/contract.md §13), if any.
    public var justification: String?

    /// An event.
    public init(
        time: AuditTime, actor: AuditActor, action: AuditAction, entry: EntryID? = nil,
        outcome: AuditOutcome = .ok, fields: [String] = [], justification: String? = nil
    ) {
        self.time = time
        self.actor = actor
        self.action = action
        self.entry = entry
        self.outcome = outcome
        self.fields = fields
        self.justification = justification
    }
}

/// Who made a call: a user of the directory, or the vault's administrator (a call made with the
/// vault's own credential, without `as:`).
public enum AuditActor: Sendable, Hashable {
    /// The administrator: whoever opened the vault with its credential.
    case vault
    /// A user, by id and username as they were at the time.
    case user(id: UserID, username: String)
}

/// The closed set of actions a record can name (docs/contract.md §12).
public enum AuditAction: String, Sendable, Hashable, CaseIterable {
    case create, update, reveal, code, history
    case revealVersion = "reveal_version"
    case restore, disable, enable, delete
    case requestAccess = "request_access"
    case approve, deny
    case userAdd = "user_add"
    case groupAdd = "group_add"
    case memberAdd = "member_add"
    case memberRemove = "member_remove"
    case passphraseChange = "passphrase_change"
    case keyRotation = "key_rotation"
    case `import`, export
}

/// How a call ended: `ok`, or refused with a catalogue code (1005, 1006, 1007, 1009, 1010…).
public enum AuditOutcome: Sendable, Hashable {
    /// The call did what it was asked.
    case ok
    /// The call was refused with this catalogue code (1 … 65535).
    case refused(code: UInt16)

    /// `"ok"` or the code's decimal text, e.g. `"1006"`.
    public var text: String {
        switch self {
        case .ok: "ok"
        case .refused(let code): String(code)
        }
    }

    /// Reads ``text``: `"ok"`, or a code of 1 to 5 ASCII digits without a leading zero.
    public init?(text: String) {
        if text == "ok" {
            self = .ok
            return
        }
        guard let first = text.utf8.first, first != UInt8(ascii: "0"), text.utf8.count <= 5,
            text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            let code = UInt16(text)
        else { return nil }
        self = .refused(code: code)
    }
}

/// An instant at millisecond precision: milliseconds since 1970-01-01T00:00:00Z.
public struct AuditTime: RawRepresentable, Sendable, Hashable, Comparable {
    /// Milliseconds since the Unix epoch (negative before it).
    public let rawValue: Int64
    /// Wraps a count of milliseconds.
    public init(rawValue: Int64) { self.rawValue = rawValue }
    /// Orders by time.
    public static func < (lhs: AuditTime, rhs: AuditTime) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The 32-byte keyed BLAKE2b digest that chains a record to the one before it. Not secret.
public struct AuditMAC: Sendable, Hashable, CustomStringConvertible {
    /// Bytes in a MAC.
    public static let byteCount = 32
    /// The MAC that stands before the first record: 32 zero bytes.
    public static let genesis = AuditMAC(unchecked: [UInt8](repeating: 0, count: byteCount))

    /// The digest.
    public let bytes: [UInt8]

    /// Wraps 32 bytes; `nil` for any other length.
    public init?(_ bytes: [UInt8]) {
        guard bytes.count == Self.byteCount else { return nil }
        self.bytes = bytes
    }

    init(unchecked bytes: [UInt8]) { self.bytes = bytes }

    /// Reads 64 hexadecimal digits (either case); `nil` for anything else.
    public init?(hex: String) {
        let digits = Array(hex.utf8)
        guard digits.count == 2 * Self.byteCount else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.byteCount)
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = Self.nibble(digits[index]), let low = Self.nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        self.bytes = bytes
    }

    /// The MAC as 64 lower-case hexadecimal digits, as exports write it.
    public var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(2 * bytes.count)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The hexadecimal form.
    public var description: String { hex }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
