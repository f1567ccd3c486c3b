import Foundation

/// Audit export as JSON Lines (docs/contract.md §12): one record a line, the fields of the
/// record in this order, `mac` in hex:
///
/// ```
/// {"seq":3,"time":"2026-12-01T21:26:40.123Z","actor":{"id":1,"username":"alice"},"action":"reveal","entry":"2","outcome":"ok","fields":["password"],"justification":null,"mac":"9f…"}
/// ```
///
/// `actor` is the string `"vault"` for the administrator; `entry` is the identifier's decimal
/// string or null; `outcome` is `"ok"` or the refusal's code as a string (`"1006"`).
extension AuditRecord {
    /// The record as one JSON line, without the line break.
    /// - Throws: ``AuditError/unencodable(seq:reason:)`` for a time outside years 0000–9999.
    public func jsonLine() throws(AuditError) -> String {
        guard let time = event.time.iso8601 else {
            throw .unencodable(seq: seq, reason: "its time is outside the years 0000 to 9999")
        }
        var line = "{\"seq\":\(seq),\"time\":\"\(time)\",\"actor\":"
        switch event.actor {
        case .vault: line += "\"vault\""
        case .user(let id, let username): line += "{\"id\":\(id.rawValue),\"username\":\(Self.quoted(username))}"
        }
        line += ",\"action\":\"\(event.action.rawValue)\",\"entry\":"
        line += event.entry.map { "\"\($0)\"" } ?? "null"
        line += ",\"outcome\":\"\(event.outcome.text)\",\"fields\":["
        line += event.fields.map(Self.quoted).joined(separator: ",")
        line += "],\"justification\":" + (event.justification.map(Self.quoted) ?? "null")
        line += ",\"mac\":\"\(mac.hex)\"}"
        return line
    }

    /// Reads one line that ``jsonLine()`` wrote (keys in any order; every key required, no other).
    /// - Parameters:
    ///   - text: the line, without its newline.
    ///   - number: the line's 1-based number, for the error.
    /// - Throws: ``AuditError/malformedExport(line:reason:)``, naming the key, never a value.
    public init(jsonLine text: String, number: Int) throws(AuditError) {
        func fail(_ reason: String) -> AuditError { .malformedExport(line: number, reason: reason) }
        let object: [String: Any]
        do {
            guard let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
                throw fail("not a JSON object")
            }
            object = parsed
        } catch let error as AuditError {
            throw error
        } catch {
            throw fail("not JSON")
        }
        let keys: Set = ["seq", "time", "actor", "action", "entry", "outcome", "fields", "justification", "mac"]
        if let extra = Set(object.keys).subtracting(keys).sorted().first { throw fail("unknown key '\(extra)'") }
        if let missing = keys.subtracting(object.keys).sorted().first { throw fail("missing key '\(missing)'") }

        guard let seqNumber = object["seq"] as? NSNumber, let seq = UInt64(exactly: seqNumber.doubleValue),
            seq >= 1, String(seq) == seqNumber.stringValue
        else { throw fail("'seq' is not a positive integer") }
        guard let timeText = object["time"] as? String, let time = AuditTime(iso8601: timeText) else {
            throw fail("'time' is not YYYY-MM-DDTHH:MM:SS.mmmZ")
        }
        let actor: AuditActor
        if let name = object["actor"] as? String, name == "vault" {
            actor = .vault
        } else if let user = object["actor"] as? [String: Any], user.count == 2,
            let idNumber = user["id"] as? NSNumber, let id = Int64(exactly: idNumber.doubleValue),
            String(id) == idNumber.stringValue, let username = user["username"] as? String
        {
            actor = .user(id: UserID(rawValue: id), username: username)
        } else {
            throw fail("'actor' is neither \"vault\" nor {\"id\", \"username\"}")
        }
        guard let actionName = object["action"] as? String, let action = AuditAction(rawValue: actionName) else {
            throw fail("'action' is not one of the audit actions")
        }
        let entry: EntryID?
        if object["entry"] is NSNull {
            entry = nil
        } else if let entryText = object["entry"] as? String, let id = EntryID(entryText) {
            entry = id
        } else {
            throw fail("'entry' is neither null nor an identifier")
        }
        guard let outcomeText = object["outcome"] as? String, let outcome = AuditOutcome(text: outcomeText) else {
            throw fail("'outcome' is neither \"ok\" nor a code")
        }
        guard let fields = object["fields"] as? [String] else { throw fail("'fields' is not an array of strings") }
        let justification: String?
        if object["justification"] is NSNull {
            justification = nil
        } else if let text = object["justification"] as? String {
            justification = text
        } else {
            throw fail("'justification' is neither null nor a string")
        }
        guard let macText = object["mac"] as? String, let mac = AuditMAC(hex: macText) else {
            throw fail("'mac' is not 64 hexadecimal digits")
        }
        self.init(
            seq: seq,
            event: AuditEvent(
                time: time, actor: actor, action: action, entry: entry, outcome: outcome, fields: fields,
                justification: justification),
            mac: mac)
    }

    /// `text` as a JSON string: quotes, backslashes and every control character escaped.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _
            where scalar.value < 0x20 || (0x7f...0x9f).contains(scalar.value) || scalar == "\u{2028}"
                || scalar == "\u{2029}":
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
