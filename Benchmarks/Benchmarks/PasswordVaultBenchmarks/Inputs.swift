import PasswordVault

/// The inputs every row shares with its peer: same seeds, same sizes, same texts.
enum Inputs {
    /// RFC 6238 Appendix B seeds: 20 bytes for SHA-1, 32 for SHA-256, 64 for SHA-512.
    static func seed(_ algorithm: OTPAlgorithm) -> [UInt8] {
        let ascii = "1234567890"
        let length: Int
        switch algorithm {
        case .sha1: length = 20
        case .sha256: length = 32
        case .sha512: length = 64
        }
        return Array(String(repeating: ascii, count: 7).utf8.prefix(length))
    }

    /// RFC 6238's T = 59 s, then one step further per code.
    static let firstTime: Int64 = 59

    /// A 16-character base32 seed (10 bytes; the seeds' example) and a 32-character one (20 bytes).
    static let base32Short = "JBSWY3DPEHPK3PXP"
    static let base32Long = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

    /// The sizes of the sealing rows.
    static let sealSizes: [(label: String, bytes: Int)] = [("32 B", 32), ("200 B", 200), ("4 KiB", 4096)]

    /// Printable ASCII text of `count` bytes (notes and messages).
    static func text(_ count: Int) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789".utf8)
        return String(decoding: (0..<count).map { alphabet[($0 * 7 + 3) % alphabet.count] }, as: UTF8.self)
    }

    // A typical entry: about 300 bytes as an SQLite row (texts, tags, two sealed values).
    static let name = "Production database"
    static let username = "dba.admin@example.com"
    static let url = "https://db.example.com/admin"
    static let tags = ["work"]
    static let password = "correct-horse-42"
    static let otherPassword = "battery-staple-17"
    static let secretKey = base32Long

    /// A create request for a typical entry named `name`.
    static func request(name: String, notes: String? = nil) -> PasswordRequest {
        var request = PasswordRequest(
            name: .value(name), username: .value(username), password: .value(password), url: .value(url),
            secretKey: .value(secretKey), tags: .value(tags))
        if let notes { request.notes = .value(notes) }
        return request
    }

    /// The create body of the wire row (the seeds' fields).
    static let createBody = Array(
        """
        {"name": "senseg account", "username": "npass", "password": "8jhfy@3789", "url": "www.senhasegura.com", \
        "secret_key": "3DPEHPK3PXPGHODADA", "notes": "created by the benchmark", "tags": "tag1, tag2", \
        "users_allowed": [{"username": "bob", "can_edit": true}], "groups_allowed": [{"name": "team"}]}
        """.utf8)
}
