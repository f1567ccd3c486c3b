/// JSON bodies into ``PasswordRequest``s, keeping absent, `null`, values and
/// wrong types apart; unknown fields are ignored. Type errors are not thrown
/// here: they travel as ``Input/invalid(reason:)`` so that the vault answers
/// 1002 only after its access checks.
enum RequestDecoding {
    /// Parses a body that must be a JSON object; `nil` otherwise (the wire answers 1000).
    static func object(_ body: [UInt8]) -> JSONValue? {
        guard let value = JSONParser.parse(body), case .object = value else { return nil }
        return value
    }

    /// The MySafe create/update fields of a body object.
    static func passwordRequest(_ body: JSONValue) -> PasswordRequest {
        PasswordRequest(
            name: string(body["name"]),
            username: string(body["username"]),
            password: string(body["password"]),
            url: string(body["url"]),
            secretKey: string(body["secret_key"]),
            notes: string(body["notes"]),
            tags: tags(body["tags"]),
            usersAllowed: shares(body["users_allowed"], key: "username"),
            groupsAllowed: shares(body["groups_allowed"], key: "name"),
            needJustify: bool(body["need_justify"]),
            needApproval: int(body["need_approval"]))
    }

    /// A JSON integer: digits with an optional minus sign, no fraction, no exponent.
    static func int(_ value: JSONValue?) -> Input<Int> {
        switch value {
        case nil: return .absent
        case .null: return .null
        case .number(let text):
            let digits = text.utf8.drop { $0 == UInt8(ascii: "-") }
            guard !digits.isEmpty, digits.count <= 18, digits.allSatisfy({ (0x30...0x39).contains($0) }),
                let number = Int(text)
            else {
                // The reason never echoes the value (docs/contract.md §3).
                return .invalid(reason: "expected an integer, got a number that is not one")
            }
            return .value(number)
        case let other?: return .invalid(reason: "expected an integer, got \(other.typeName)")
        }
    }

    static func string(_ value: JSONValue?) -> Input<String> {
        switch value {
        case nil: .absent
        case .null: .null
        case .string(let text): .value(text)
        case let other?: .invalid(reason: "expected a string, got \(other.typeName)")
        }
    }

    static func bool(_ value: JSONValue?) -> Input<Bool> {
        switch value {
        case nil: .absent
        case .null: .null
        case .bool(let flag): .value(flag)
        case let other?: .invalid(reason: "expected a boolean, got \(other.typeName)")
        }
    }

    /// `"tag1, tag2"` split on commas, or an array of strings.
    static func tags(_ value: JSONValue?) -> Input<[String]> {
        switch value {
        case nil: return .absent
        case .null: return .null
        case .string(let text): return .value(Tags.split(text))
        case .array(let items):
            var tags: [String] = []
            for (offset, item) in items.enumerated() {
                guard case .string(let tag) = item else {
                    return .invalid(reason: "tag \(offset + 1) must be a string, got \(item.typeName)")
                }
                tags.append(tag)
            }
            return .value(tags)
        case let other?: return .invalid(reason: "expected a string or an array of strings, got \(other.typeName)")
        }
    }

    /// `users_allowed` / `groups_allowed`: an array of objects naming `key`, `can_edit` and `can_reveal`.
    static func shares(_ value: JSONValue?, key: String) -> Input<[ShareRequest]> {
        switch value {
        case nil: return .absent
        case .null: return .null
        case .array(let items):
            var shares: [ShareRequest] = []
            for (offset, item) in items.enumerated() {
                guard case .object = item else {
                    return .invalid(reason: "item \(offset + 1) must be an object, got \(item.typeName)")
                }
                shares.append(
                    ShareRequest(
                        name: string(item[key]), canEdit: bool(item["can_edit"]), canReveal: bool(item["can_reveal"])))
            }
            return .value(shares)
        case let other?: return .invalid(reason: "expected an array of objects, got \(other.typeName)")
        }
    }
}
