import Foundation

/// One entry as an interchange file holds it, before it meets the vault's rules
/// (docs/contract.md §15): the five text fields, tags, the TOTP secret and the older versions.
public struct InterchangeEntry: Sendable, Equatable {
    /// Title (KDBX), name (Bitwarden): our `name`.
    public var name: String
    /// UserName / login.username: our `username`.
    public var username: String
    /// Password / login.password: our `password`.
    public var password: String
    /// URL / the first login URI: our `url`.
    public var url: String
    /// Notes: our `notes`.
    public var notes: String
    /// Tags, then the group path (KDBX) or folder (Bitwarden), in order, without repeats.
    public var tags: [String]
    /// Our `secret_key` as text: an `otpauth://totp/…` URI or a base32 seed; `nil` without one.
    public var secretKey: String?
    /// When this version was made, as the file says (KDBX `LastModificationTime`, whole
    /// seconds); `nil` when the file does not say or says it unreadably (docs/contract.md §15).
    public var changedAt: Date?
    /// Older versions, oldest first (KDBX History). They carry no history of their own.
    public var history: [InterchangeEntry]
    /// What the file held for this entry that has no place in ours (custom fields, attachments,
    /// expiry dates, icons…), one short description each, never a value.
    public var unmapped: [String]

    /// An entry.
    public init(
        name: String, username: String = "", password: String = "", url: String = "", notes: String = "",
        tags: [String] = [], secretKey: String? = nil, changedAt: Date? = nil, history: [InterchangeEntry] = [],
        unmapped: [String] = []
    ) {
        self.name = name
        self.username = username
        self.password = password
        self.url = url
        self.notes = notes
        self.tags = tags
        self.secretKey = secretKey
        self.changedAt = changedAt
        self.history = history
        self.unmapped = unmapped
    }
}

/// Why a file was refused: nothing of it is imported (docs/contract.md §15).
public enum InterchangeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file is not of the format asked.
    case notThisFormat(String)
    /// A version, cipher, KDF or stream this reader does not know.
    case unsupported(String)
    /// The passphrase does not open the file (KDBX 4: the header's HMAC does not match although
    /// its hash does; KDBX 3.1: the stream start bytes differ — a damaged header looks the same).
    case wrongPassphrase
    /// A checksum failed or a structure is broken.
    case damaged(String)
    /// The file ends before its structure does.
    case truncated
    /// A declared size, a cost or a depth over the reader's limits.
    case overLimit(String)

    /// A message for a person.
    public var description: String {
        switch self {
        case .notThisFormat(let what): "not a \(what) file"
        case .unsupported(let what): "unsupported: \(what)"
        case .wrongPassphrase: "wrong passphrase for this file (or its header is damaged)"
        case .damaged(let what): "the file is damaged: \(what)"
        case .truncated: "the file is truncated"
        case .overLimit(let what): "the file exceeds a limit: \(what)"
        }
    }
}
