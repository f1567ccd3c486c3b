/// Limits on what a KDBX file may declare, so that a hostile file costs bounded memory and time
/// (docs/contract.md §15).
public struct KDBXLimits: Sendable {
    /// The largest file read at all.
    public var fileBytes = 256 << 20
    /// The largest header field, and the whole header.
    public var headerBytes = 1 << 20
    /// The largest single block of the block streams.
    public var blockBytes = 64 << 20
    /// The largest payload after inflating.
    public var inflatedBytes = 512 << 20
    /// The most AES-KDF rounds.
    public var aesRounds: UInt64 = 200_000_000
    /// The most Argon2 memory, in bytes.
    public var argon2Memory: UInt64 = 1 << 30
    /// The most Argon2 iterations.
    public var argon2Iterations: UInt64 = 1_000
    /// The most Argon2 lanes.
    public var argon2Parallelism: UInt32 = 64
    /// The deepest XML nesting.
    public var xmlDepth = 64
    /// The most entries, history versions included.
    public var entries = 1_000_000

    /// The default limits.
    public init() {}
}

/// KDBX's key derivation settings.
public enum KDBXKDF: Sendable, Equatable {
    /// AES-KDF: `rounds` AES-256 rounds.
    case aesKDF(rounds: UInt64)
    /// Argon2d.
    case argon2d(memory: UInt64, iterations: UInt64, parallelism: UInt32)
    /// Argon2id.
    case argon2id(memory: UInt64, iterations: UInt64, parallelism: UInt32)
}

/// KDBX's outer ciphers.
public enum KDBXCipher: Sendable, Equatable {
    /// AES-256-CBC.
    case aes256
    /// ChaCha20 (IETF).
    case chaCha20
}

/// A KDBX file opened: what its header said and its entries.
public struct KDBXDatabase: Sendable {
    /// Major and minor version, e.g. (3, 1) or (4, 0).
    public var version: (major: UInt16, minor: UInt16)
    /// The outer cipher.
    public var cipher: KDBXCipher
    /// The key derivation.
    public var kdf: KDBXKDF
    /// The entries, in document order (recycle-bin entries left out and reported).
    public var entries: [InterchangeEntry]
    /// Things of the file as a whole that had no place (e.g. entries in the recycle bin).
    public var notes: [String]
}

enum KDBXConstant {
    static let signature1: UInt32 = 0x9AA2_D903
    static let signature2: UInt32 = 0xB54B_FB67
    static let aes256: [UInt8] = uuid("31c1f2e6bf714350be5805216afc5aff")
    static let chaCha20: [UInt8] = uuid("d6038a2b8b6f4cb5a524339a31dbb59a")
    static let aesKDF3: [UInt8] = uuid("c9d9f39a628a4460bf740d08c18a4fea")
    static let aesKDF4: [UInt8] = uuid("7c02bb8279a74ac0927d114a00648238")
    static let argon2d: [UInt8] = uuid("ef636ddf8c29444b91f7a9a403e30a0c")
    static let argon2id: [UInt8] = uuid("9e298b1956db4773b23dfc3ec6f0a1e6")

    static func uuid(_ hex: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            bytes.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return bytes
    }
}

/// A bounds-checked little-endian reader.
struct ByteCursor {
    let bytes: [UInt8]
    var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var remaining: Int { bytes.count - offset }

    mutating func take(_ count: Int) throws(InterchangeError) -> [UInt8] {
        guard count >= 0, count <= remaining else { throw .truncated }
        defer { offset += count }
        return Array(bytes[offset..<(offset + count)])
    }

    mutating func u8() throws(InterchangeError) -> UInt8 { try take(1)[0] }
    mutating func u16() throws(InterchangeError) -> UInt16 { UInt16(try uint(2)) }
    mutating func u32() throws(InterchangeError) -> UInt32 { UInt32(try uint(4)) }
    mutating func u64() throws(InterchangeError) -> UInt64 { try uint(8) }

    private mutating func uint(_ count: Int) throws(InterchangeError) -> UInt64 {
        let raw = try take(count)
        return raw.reversed().reduce(0) { ($0 << 8) | UInt64($1) }
    }
}

func littleEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
    withUnsafeBytes(of: value.littleEndian) { Array($0) }
}

/// Reads KDBX 3.1 and 4.x (docs/contract.md §15).
public enum KDBXReader {
    /// Opens `file` with `passphrase`. Every checksum is verified before the XML is parsed.
    public static func read(
        _ file: [UInt8], passphrase: String, limits: KDBXLimits = KDBXLimits()
    ) throws(InterchangeError) -> KDBXDatabase {
        guard file.count <= limits.fileBytes else { throw .overLimit("file size") }
        var cursor = ByteCursor(file)
        guard file.count >= 12 else {
            throw file.count >= 8 && ByteCursor(file).peekSignatures ? .truncated : .notThisFormat("KDBX")
        }
        guard try cursor.u32() == KDBXConstant.signature1, try cursor.u32() == KDBXConstant.signature2 else {
            throw .notThisFormat("KDBX")
        }
        let minor = try cursor.u16()
        let major = try cursor.u16()
        guard major == 3 || major == 4 else { throw .unsupported("KDBX version \(major).\(minor)") }
        let header = try Header.read(&cursor, major: major, limits: limits)
        let composite = KDBXCrypto.sha256(KDBXCrypto.sha256(Array(passphrase.utf8)))
        let transformed = try header.kdf.derive(composite, limits: limits)
        let payload: [UInt8]
        let streamKey: [UInt8]
        let streamID: UInt32
        if major == 3 {
            payload = try openV3(&cursor, header: header, transformed: transformed, limits: limits)
            guard let key = header.protectedStreamKey, let id = header.innerStreamID else {
                throw .damaged("missing inner stream settings")
            }
            streamKey = key
            streamID = id
        } else {
            let headerBytes = Array(file[0..<cursor.offset])
            let inner = try openV4(
                &cursor, headerBytes: headerBytes, header: header, transformed: transformed, limits: limits)
            var innerCursor = ByteCursor(inner)
            var key: [UInt8]?
            var id: UInt32?
            while true {
                let field = try innerCursor.u8()
                let size = Int(try innerCursor.u32())
                guard size <= limits.headerBytes else { throw .overLimit("inner header field") }
                let data = try innerCursor.take(size)
                if field == 0 { break }
                if field == 1 {
                    guard data.count == 4 else { throw .damaged("inner stream id") }
                    id = ByteCursor(data).peekU32
                } else if field == 2 {
                    key = data
                }
            }
            guard let key, let id else { throw .damaged("missing inner stream settings") }
            streamKey = key
            streamID = id
            payload = Array(inner[innerCursor.offset...])
        }
        guard let stream = InnerStream(algorithm: streamID, key: streamKey) else {
            throw .unsupported("inner stream \(streamID)")
        }
        var parsed = try KDBXXMLReader.parse(payload, stream: stream, limits: limits)
        if major == 3, let hash = parsed.headerHash {
            let headerHash = KDBXCrypto.sha256(Array(file[0..<header.endOffset]))
            guard KDBXCrypto.equal(hash, headerHash) else { throw .damaged("header hash") }
        }
        parsed.notes.sort()
        return KDBXDatabase(
            version: (major, minor), cipher: header.cipher, kdf: header.kdf.publicForm, entries: parsed.entries,
            notes: parsed.notes)
    }

    private static func openV3(
        _ cursor: inout ByteCursor, header: Header, transformed: [UInt8], limits: KDBXLimits
    ) throws(InterchangeError) -> [UInt8] {
        let key = KDBXCrypto.sha256(header.masterSeed, transformed)
        let encrypted = Array(cursor.bytes[cursor.offset...])
        guard !encrypted.isEmpty else { throw .truncated }
        guard let plain = header.decrypt(encrypted, key: key) else {
            throw encrypted.count % 16 == 0 ? .wrongPassphrase : .truncated
        }
        guard let start = header.streamStartBytes, plain.count >= start.count,
            KDBXCrypto.equal(Array(plain[0..<start.count]), start)
        else { throw .wrongPassphrase }
        var blocks = ByteCursor(Array(plain[start.count...]))
        var body: [UInt8] = []
        var expectedIndex: UInt32 = 0
        while true {
            let index = try blocks.u32()
            let hash = try blocks.take(32)
            let size = Int(try blocks.u32())
            guard index == expectedIndex else { throw .damaged("block order") }
            guard size <= limits.blockBytes else { throw .overLimit("block size") }
            if size == 0 {
                guard hash.allSatisfy({ $0 == 0 }) else { throw .damaged("final block") }
                break
            }
            let data = try blocks.take(size)
            guard KDBXCrypto.equal(KDBXCrypto.sha256(data), hash) else { throw .damaged("block \(index) hash") }
            guard body.count + size <= limits.inflatedBytes else { throw .overLimit("payload size") }
            body += data
            expectedIndex += 1
        }
        return try header.inflateIfNeeded(body, limits: limits)
    }

    private static func openV4(
        _ cursor: inout ByteCursor, headerBytes: [UInt8], header: Header, transformed: [UInt8], limits: KDBXLimits
    ) throws(InterchangeError) -> [UInt8] {
        let storedHash = try cursor.take(32)
        let storedMAC = try cursor.take(32)
        guard KDBXCrypto.equal(KDBXCrypto.sha256(headerBytes), storedHash) else { throw .damaged("header hash") }
        let hmacBase = KDBXCrypto.sha512(header.masterSeed, transformed, [1])
        let headerKey = KDBXCrypto.sha512(littleEndian(UInt64.max), hmacBase)
        guard KDBXCrypto.equal(KDBXCrypto.hmacSHA256(key: headerKey, headerBytes), storedMAC) else {
            throw .wrongPassphrase
        }
        var encrypted: [UInt8] = []
        var index: UInt64 = 0
        while true {
            let mac = try cursor.take(32)
            let sizeBytes = try cursor.take(4)
            let size = Int(ByteCursor(sizeBytes).peekU32)
            guard size <= limits.blockBytes, size <= Int(Int32.max) else { throw .overLimit("block size") }
            let data = try cursor.take(size)
            let blockKey = KDBXCrypto.sha512(littleEndian(index), hmacBase)
            guard KDBXCrypto.equal(KDBXCrypto.hmacSHA256(key: blockKey, littleEndian(index), sizeBytes, data), mac)
            else { throw .damaged("block \(index) HMAC") }
            if size == 0 { break }
            guard encrypted.count + size <= limits.inflatedBytes else { throw .overLimit("payload size") }
            encrypted += data
            index += 1
        }
        let key = KDBXCrypto.sha256(header.masterSeed, transformed)
        guard let plain = header.decrypt(encrypted, key: key) else { throw .damaged("payload padding") }
        return try header.inflateIfNeeded(plain, limits: limits)
    }
}

extension ByteCursor {
    var peekSignatures: Bool {
        var copy = self
        return (try? copy.u32()) == KDBXConstant.signature1 && (try? copy.u32()) == KDBXConstant.signature2
    }

    var peekU32: UInt32 {
        var copy = self
        return (try? copy.u32()) ?? 0
    }
}

/// The outer header's fields.
struct Header {
    var cipher: KDBXCipher = .aes256
    var compressed = false
    var masterSeed: [UInt8] = []
    var iv: [UInt8] = []
    var kdf: KDFParameters = .aes(seed: [], rounds: 0)
    var protectedStreamKey: [UInt8]?
    var streamStartBytes: [UInt8]?
    var innerStreamID: UInt32?
    var endOffset = 0

    static func read(_ cursor: inout ByteCursor, major: UInt16, limits: KDBXLimits) throws(InterchangeError) -> Header {
        var header = Header()
        var seenCipher = false
        var transformSeed: [UInt8]?
        var rounds: UInt64?
        var kdf: KDFParameters?
        while true {
            let id = try cursor.u8()
            let size = major == 3 ? Int(try cursor.u16()) : Int(try cursor.u32())
            guard size <= limits.headerBytes, cursor.offset <= limits.headerBytes else {
                throw .overLimit("header field size")
            }
            let data = try cursor.take(size)
            switch id {
            case 0:
                header.endOffset = cursor.offset
                guard seenCipher, header.masterSeed.count == 32 else { throw .damaged("header fields missing") }
                if major == 3 {
                    guard let transformSeed, let rounds else { throw .damaged("header fields missing") }
                    header.kdf = .aes(seed: transformSeed, rounds: rounds)
                } else {
                    guard let kdf else { throw .damaged("header fields missing") }
                    header.kdf = kdf
                }
                try header.kdf.check(limits)
                let ivSize = header.cipher == .aes256 ? 16 : 12
                guard header.iv.count == ivSize else { throw .damaged("encryption IV") }
                return header
            case 2:
                if data == KDBXConstant.aes256 {
                    header.cipher = .aes256
                } else if data == KDBXConstant.chaCha20 {
                    header.cipher = .chaCha20
                } else {
                    throw .unsupported("outer cipher (only AES-256 and ChaCha20)")
                }
                seenCipher = true
            case 3:
                guard data.count == 4 else { throw .damaged("compression flags") }
                let flag = ByteCursor(data).peekU32
                guard flag <= 1 else { throw .unsupported("compression \(flag)") }
                header.compressed = flag == 1
            case 4: header.masterSeed = data
            case 5 where major == 3: transformSeed = data
            case 6 where major == 3:
                guard data.count == 8 else { throw .damaged("transform rounds") }
                var field = ByteCursor(data)
                rounds = try field.u64()
            case 7: header.iv = data
            case 8 where major == 3: header.protectedStreamKey = data
            case 9 where major == 3: header.streamStartBytes = data
            case 10 where major == 3:
                guard data.count == 4 else { throw .damaged("inner stream id") }
                header.innerStreamID = ByteCursor(data).peekU32
            case 11 where major == 4: kdf = try KDFParameters.parse(data)
            default: break
            }
        }
    }

    func decrypt(_ data: [UInt8], key: [UInt8]) -> [UInt8]? {
        switch cipher {
        case .aes256: KDBXCrypto.aesCBC(data, key: key, iv: iv, encrypt: false)
        case .chaCha20: KDBXCrypto.chaCha20(data, key: key, nonce: iv)
        }
    }

    func inflateIfNeeded(_ data: [UInt8], limits: KDBXLimits) throws(InterchangeError) -> [UInt8] {
        guard compressed else { return data }
        guard let inflated = try GZip.inflate(data, limit: limits.inflatedBytes) else {
            throw .damaged("GZip stream")
        }
        return inflated
    }
}

/// The KDF as the header declares it.
enum KDFParameters {
    case aes(seed: [UInt8], rounds: UInt64)
    /// Argon2d or Argon2id; `secret` and `associatedData` are KeePass's optional `K` and `A`
    /// (empty when absent).
    case argon2(
        identified: Bool, salt: [UInt8], secret: [UInt8], associatedData: [UInt8], memory: UInt64, iterations: UInt64,
        parallelism: UInt32, version: UInt32)

    var publicForm: KDBXKDF {
        switch self {
        case .aes(_, let rounds): .aesKDF(rounds: rounds)
        case .argon2(let identified, _, _, _, let memory, let iterations, let parallelism, _):
            identified
                ? .argon2id(memory: memory, iterations: iterations, parallelism: parallelism)
                : .argon2d(memory: memory, iterations: iterations, parallelism: parallelism)
        }
    }

    func check(_ limits: KDBXLimits) throws(InterchangeError) {
        switch self {
        case .aes(let seed, let rounds):
            guard seed.count == 32 else { throw .damaged("AES-KDF seed") }
            guard rounds <= limits.aesRounds else { throw .overLimit("AES-KDF rounds") }
        case .argon2(_, let salt, _, _, let memory, let iterations, let parallelism, let version):
            guard salt.count >= 8, salt.count <= 1024 else { throw .damaged("Argon2 salt") }
            guard memory <= limits.argon2Memory else { throw .overLimit("Argon2 memory") }
            guard iterations <= limits.argon2Iterations else { throw .overLimit("Argon2 iterations") }
            guard parallelism <= limits.argon2Parallelism else { throw .overLimit("Argon2 parallelism") }
            guard memory >= 8 * 1024, iterations >= 1, parallelism >= 1, version == 0x10 || version == 0x13 else {
                throw .damaged("Argon2 parameters")
            }
        }
    }

    func derive(_ composite: [UInt8], limits: KDBXLimits) throws(InterchangeError) -> [UInt8] {
        switch self {
        case .aes(let seed, let rounds):
            guard let key = KDBXCrypto.aesKDF(key: composite, seed: seed, rounds: rounds) else {
                throw .damaged("AES-KDF parameters")
            }
            return key
        case .argon2(
            let identified, let salt, let secret, let associatedData, let memory, let iterations, let parallelism,
            let version):
            guard
                let key = KDBXCrypto.argon2(
                    password: composite, salt: salt, secret: secret, associatedData: associatedData,
                    iterations: UInt32(iterations), memoryKiB: UInt32(memory / 1024), parallelism: parallelism,
                    version: version, identified: identified)
            else { throw .damaged("Argon2 parameters") }
            return key
        }
    }

    /// KDBX 4's KDF parameters: a variant dictionary.
    static func parse(_ data: [UInt8]) throws(InterchangeError) -> KDFParameters {
        var cursor = ByteCursor(data)
        let version = try cursor.u16()
        guard version >> 8 == 1 else { throw .unsupported("KDF parameters version") }
        var values: [String: [UInt8]] = [:]
        while true {
            let type = try cursor.u8()
            if type == 0 { break }
            let keySize = Int(try cursor.u32())
            let key = String(decoding: try cursor.take(keySize), as: UTF8.self)
            let valueSize = Int(try cursor.u32())
            values[key] = try cursor.take(valueSize)
        }
        func number(_ key: String) -> UInt64? {
            guard let raw = values[key], raw.count == 4 || raw.count == 8 else { return nil }
            return raw.reversed().reduce(0) { ($0 << 8) | UInt64($1) }
        }
        guard let uuid = values["$UUID"] else { throw .damaged("KDF parameters") }
        if uuid == KDBXConstant.aesKDF3 || uuid == KDBXConstant.aesKDF4 {
            guard let seed = values["S"], let rounds = number("R") else { throw .damaged("AES-KDF parameters") }
            return .aes(seed: seed, rounds: rounds)
        }
        guard uuid == KDBXConstant.argon2d || uuid == KDBXConstant.argon2id else {
            throw .unsupported("KDF (only AES-KDF, Argon2d and Argon2id)")
        }
        guard let salt = values["S"], let memory = number("M"), let iterations = number("I"),
            let parallelism = number("P"), let argonVersion = number("V"), parallelism <= UInt64(UInt32.max),
            argonVersion <= UInt64(UInt32.max)
        else { throw .damaged("Argon2 parameters") }
        // KeePass's optional secret key `K` and associated data `A` (each bounded by the header
        // field's limit) go into Argon2 as RFC 9106 §3.1 defines them.
        return .argon2(
            identified: uuid == KDBXConstant.argon2id, salt: salt, secret: values["K"] ?? [],
            associatedData: values["A"] ?? [], memory: memory, iterations: iterations,
            parallelism: UInt32(parallelism), version: UInt32(argonVersion))
    }
}
