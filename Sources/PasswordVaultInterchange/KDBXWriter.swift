import Foundation

/// Writes KDBX 4.0 (docs/contract.md §15): by default Argon2id and ChaCha20, inner stream
/// ChaCha20, GZip, with random seeds, salt and IV from libsodium.
public enum KDBXWriter {
    /// How a file is written.
    public struct Options: Sendable {
        /// The outer cipher.
        public var cipher: KDBXCipher
        /// The key derivation and its cost.
        public var kdf: KDBXKDF

        /// Argon2id (64 MiB, 3 passes, 2 lanes) and ChaCha20 by default.
        public init(
            cipher: KDBXCipher = .chaCha20,
            kdf: KDBXKDF = .argon2id(memory: 64 << 20, iterations: 3, parallelism: 2)
        ) {
            self.cipher = cipher
            self.kdf = kdf
        }
    }

    /// `entries` as a KDBX 4 file opened by `passphrase`, all in the root group.
    public static func write(
        _ entries: [InterchangeEntry], passphrase: String, options: Options = Options(), now: Date = Date()
    ) -> [UInt8] {
        seal(passphrase: passphrase, options: options) { stream in
            KDBXXMLWriter.document(entries, stream: &stream, now: now)
        }
    }

    /// A KDBX 4 file around an XML document of the caller's (the fuzz target's), the inner stream
    /// ChaCha20 with a key of its own.
    @_spi(Fuzzing)
    public static func sealXML(_ xml: [UInt8], passphrase: String, options: Options) -> [UInt8] {
        seal(passphrase: passphrase, options: options) { _ in String(decoding: xml, as: UTF8.self) }
    }

    /// A KDBX 4 file around the XML `document` makes with the inner stream (tests craft theirs).
    static func seal(
        passphrase: String, options: Options, compress: Bool = true, document: (inout InnerStream) -> String
    ) -> [UInt8] {
        let masterSeed = KDBXCrypto.random(32)
        let iv = KDBXCrypto.random(options.cipher == .aes256 ? 16 : 12)
        let kdf: KDFParameters
        var dictionary = VariantDictionary()
        switch options.kdf {
        case .aesKDF(let rounds):
            let seed = KDBXCrypto.random(32)
            kdf = .aes(seed: seed, rounds: rounds)
            dictionary.bytes("$UUID", KDBXConstant.aesKDF4)
            dictionary.uint64("R", rounds)
            dictionary.bytes("S", seed)
        case .argon2d(let memory, let iterations, let parallelism),
            .argon2id(let memory, let iterations, let parallelism):
            let identified = if case .argon2id = options.kdf { true } else { false }
            let salt = KDBXCrypto.random(32)
            kdf = .argon2(
                identified: identified, salt: salt, secret: [], associatedData: [], memory: memory,
                iterations: iterations, parallelism: parallelism,
                version: 0x13)
            dictionary.bytes("$UUID", identified ? KDBXConstant.argon2id : KDBXConstant.argon2d)
            dictionary.bytes("S", salt)
            dictionary.uint32("P", parallelism)
            dictionary.uint64("M", memory)
            dictionary.uint64("I", iterations)
            dictionary.uint32("V", 0x13)
        }
        var header: [UInt8] = []
        header += littleEndian(KDBXConstant.signature1) + littleEndian(KDBXConstant.signature2)
        header += littleEndian(UInt16(0)) + littleEndian(UInt16(4))
        func field(_ id: UInt8, _ data: [UInt8]) {
            header.append(id)
            header += littleEndian(UInt32(data.count))
            header += data
        }
        field(2, options.cipher == .aes256 ? KDBXConstant.aes256 : KDBXConstant.chaCha20)
        field(3, littleEndian(UInt32(compress ? 1 : 0)))
        field(4, masterSeed)
        field(7, iv)
        field(11, dictionary.encoded)
        field(0, [0x0D, 0x0A, 0x0D, 0x0A])

        let composite = KDBXCrypto.sha256(KDBXCrypto.sha256(Array(passphrase.utf8)))
        // The limits are the writer's own settings: never over them.
        var limits = KDBXLimits()
        limits.aesRounds = .max
        limits.argon2Memory = .max
        limits.argon2Iterations = .max
        limits.argon2Parallelism = .max
        let transformed = (try? kdf.derive(composite, limits: limits)) ?? []
        precondition(transformed.count == 32, "the KDF settings are not usable")
        let hmacBase = KDBXCrypto.sha512(masterSeed, transformed, [1])
        let headerKey = KDBXCrypto.sha512(littleEndian(UInt64.max), hmacBase)
        var file = header
        file += KDBXCrypto.sha256(header)
        file += KDBXCrypto.hmacSHA256(key: headerKey, header)

        let streamKey = KDBXCrypto.random(64)
        var inner: [UInt8] = []
        inner += [1] + littleEndian(UInt32(4)) + littleEndian(UInt32(3))
        inner += [2] + littleEndian(UInt32(streamKey.count)) + streamKey
        inner += [0] + littleEndian(UInt32(0))
        var stream = InnerStream(algorithm: 3, key: streamKey)!
        inner += Array(document(&stream).utf8)

        let key = KDBXCrypto.sha256(masterSeed, transformed)
        let compressed = compress ? GZip.deflate(inner) : inner
        let encrypted: [UInt8]
        switch options.cipher {
        case .aes256: encrypted = KDBXCrypto.aesCBC(compressed, key: key, iv: iv, encrypt: true)!
        case .chaCha20: encrypted = KDBXCrypto.chaCha20(compressed, key: key, nonce: iv)!
        }
        var offset = 0
        var index: UInt64 = 0
        let blockSize = 1 << 20
        while true {
            let end = min(offset + blockSize, encrypted.count)
            let data = Array(encrypted[offset..<end])
            let sizeBytes = littleEndian(UInt32(data.count))
            let blockKey = KDBXCrypto.sha512(littleEndian(index), hmacBase)
            file += KDBXCrypto.hmacSHA256(key: blockKey, littleEndian(index), sizeBytes, data)
            file += sizeBytes + data
            if data.isEmpty { break }
            offset = end
            index += 1
        }
        return file
    }
}

/// KDBX 4's variant dictionary (the KDF parameters).
struct VariantDictionary {
    private var body: [UInt8] = []

    private mutating func item(_ type: UInt8, _ key: String, _ value: [UInt8]) {
        body.append(type)
        body += littleEndian(UInt32(key.utf8.count)) + Array(key.utf8)
        body += littleEndian(UInt32(value.count)) + value
    }

    mutating func uint32(_ key: String, _ value: UInt32) { item(0x04, key, littleEndian(value)) }
    mutating func uint64(_ key: String, _ value: UInt64) { item(0x05, key, littleEndian(value)) }
    mutating func bytes(_ key: String, _ value: [UInt8]) { item(0x42, key, value) }

    var encoded: [UInt8] { littleEndian(UInt16(0x0100)) + body + [0] }
}

/// The XML document: written here, every text escaped.
enum KDBXXMLWriter {
    static func document(_ entries: [InterchangeEntry], stream: inout InnerStream, now: Date) -> String {
        let time = KDBXTime.binary(now)
        var xml = "<?xml version=\"1.0\" encoding=\"utf-8\" standalone=\"yes\"?>\n<KeePassFile>"
        xml += "<Meta><Generator>PasswordVault</Generator><DatabaseName>PasswordVault export</DatabaseName>"
        xml += "<MemoryProtection><ProtectTitle>False</ProtectTitle><ProtectUserName>False</ProtectUserName>"
        xml += "<ProtectPassword>True</ProtectPassword><ProtectURL>False</ProtectURL>"
        xml += "<ProtectNotes>False</ProtectNotes></MemoryProtection>"
        xml += "<RecycleBinEnabled>False</RecycleBinEnabled></Meta>"
        xml += "<Root><Group><UUID>\(uuid())</UUID><Name>Root</Name>"
        xml += "<Times>\(times(modified: time, created: time))</Times><IsExpanded>True</IsExpanded>"
        for entry in entries {
            // KDBX History: the entry's older versions, oldest first, each with its own fields,
            // secrets and time, under the entry's UUID (docs/contract.md §15, §11).
            let created = KDBXTime.binary(entry.history.first?.changedAt ?? entry.changedAt ?? now)
            xml += self.entry(
                entry, uuid: uuid(), created: created, stream: &stream, now: now, history: entry.history)
        }
        xml += "</Group><DeletedObjects/></Root></KeePassFile>\n"
        return xml
    }

    /// One `Entry` element, its `History` (older versions, none of their own) last: the inner
    /// stream masks protected values in document order.
    private static func entry(
        _ entry: InterchangeEntry, uuid: String, created: String, stream: inout InnerStream, now: Date,
        history: [InterchangeEntry]
    ) -> String {
        var xml = "<Entry><UUID>\(uuid)</UUID><IconID>0</IconID>"
        xml += "<Tags>\(escape(entry.tags.joined(separator: ";")))</Tags>"
        xml += "<Times>\(times(modified: KDBXTime.binary(entry.changedAt ?? now), created: created))</Times>"
        func string(_ key: String, _ value: String, protected: Bool) {
            xml += "<String><Key>\(escape(key))</Key>"
            if protected {
                let masked = Data(stream.apply(Array(value.utf8))).base64EncodedString()
                xml += "<Value Protected=\"True\">\(masked)</Value></String>"
            } else {
                xml += "<Value>\(escape(value))</Value></String>"
            }
        }
        string("Title", entry.name, protected: false)
        string("UserName", entry.username, protected: false)
        string("Password", entry.password, protected: true)
        string("URL", entry.url, protected: false)
        string("Notes", entry.notes, protected: false)
        if let key = entry.secretKey { string("otp", otpURI(key, label: entry.name), protected: true) }
        if !history.isEmpty {
            xml += "<History>"
            for old in history {
                xml += self.entry(old, uuid: uuid, created: created, stream: &stream, now: now, history: [])
            }
            xml += "</History>"
        }
        return xml + "</Entry>"
    }

    /// A base32 seed becomes the otpauth URI KeePassXC reads; a URI is kept as it is.
    static func otpURI(_ key: String, label: String) -> String {
        if key.lowercased().hasPrefix("otpauth://") { return key }
        return TOTPFields.uri(seed: key, settings: nil, label: label)
    }

    private static func times(modified: String, created: String) -> String {
        "<CreationTime>\(created)</CreationTime><LastModificationTime>\(modified)</LastModificationTime>"
            + "<LastAccessTime>\(modified)</LastAccessTime><ExpiryTime>\(modified)</ExpiryTime>"
            + "<Expires>False</Expires><UsageCount>0</UsageCount><LocationChanged>\(created)</LocationChanged>"
    }

    private static func uuid() -> String { Data(KDBXCrypto.random(16)).base64EncodedString() }

    /// Text for an XML element: the five markup characters escaped; characters XML 1.0 cannot
    /// hold (C0 controls other than tab, LF, CR) cannot reach here — our fields refuse them.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\r": out += "&#13;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
