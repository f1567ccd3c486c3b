/// `POST api/password-generator/save-passwords/` (seed 000), in Django REST
/// framework's shapes: field errors `{"field": ["…"]}` listing every bad field,
/// 403 `{"detail": …}` when `user` is not the caller, 200 `"password saved successfully"`.
struct SavePasswordsProfile {
    let vault: Vault

    static let maximumLength = 200
    static let required = "This field is required."
    static let notNull = "This field may not be null."
    static let notBlank = "This field may not be blank."
    static let notString = "Not a valid string."
    static let notInteger = "A valid integer is required."
    static let tooLong = "Ensure this field has no more than 200 characters."

    func handle(_ body: [UInt8], as caller: User) async -> WireResponse {
        guard let value = JSONParser.parse(body) else {
            return WireResponse(status: 400, json: .object([("detail", .string("JSON parse error - invalid JSON"))]))
        }
        guard case .object = value else {
            return WireResponse(
                status: 400,
                json: .object([
                    (
                        "non_field_errors",
                        .array([.string("Invalid data. Expected a dictionary, but got \(Self.pythonType(value)).")])
                    )
                ]))
        }
        var errors: [(String, JSONValue)] = []
        func fail(_ field: String, _ message: String) { errors.append((field, .array([.string(message)]))) }

        let user = Self.integer(value["user"])
        if case .failure(let message) = user { fail("user", message) }
        // The password is kept exactly as sent (docs/contract.md §16): never trimmed.
        let password = Self.text(value["password_saved"], required: true, trimmed: false)
        if case .failure(let message) = password { fail("password_saved", message) }
        let url = Self.text(value["url"], required: true)
        if case .failure(let message) = url { fail("url", message) }
        let name = Self.text(value["name_pages"], required: false)
        if case .failure(let message) = name { fail("name_pages", message) }
        guard errors.isEmpty, case .success(let userID?) = user, case .success(let secret?) = password,
            case .success(let address?) = url, case .success(let title) = name
        else {
            return WireResponse(status: 400, json: .object(errors))
        }
        guard userID == caller.id.rawValue else {
            return WireResponse(
                status: 403, json: .object([("detail", .string("You do not have permission to perform this action."))]))
        }
        do {
            _ = try await vault.insert(Self.entry(url: address, password: secret, name: title), as: caller)
            return WireResponse(status: 200, json: .string("password saved successfully"))
        } catch .invalidParameter(let field, let reason) {
            let wireField = ["password": "password_saved", "name": "name_pages"][field] ?? field
            return WireResponse(status: 400, json: .object([(wireField, .array([.string("This field \(reason).")]))]))
        } catch {
            return WireResponse(status: 500, json: .object([("error", .string("Unexpected error."))]))
        }
    }

    /// 413, a body over the handler's limit (docs/contract.md §8), as DRF's `{"detail": …}`.
    static func tooLarge(limit: Int) -> WireResponse {
        WireResponse(status: 413, json: .object([("detail", .string(MySafeEnvelope.tooLargeMessage(limit: limit)))]))
    }

    /// The entry seed 000 saves (docs/contract.md §8): named `name_pages`, or the URL when none
    /// is given; an empty username; the password as sent. 1002 for a field the vault's rules refuse.
    static func entry(url: String, password: String, name: String?) throws(VaultError) -> NewEntry {
        try TextRule.check(url, field: "url", limit: FieldLimits.url, kind: .singleLine)
        try TextRule.check(password, field: "password", limit: FieldLimits.password, kind: .secret)
        let title = name ?? url
        try TextRule.check(title, field: "name", limit: FieldLimits.name, kind: .singleLine)
        return NewEntry(name: title, username: "", password: SecretBytes(utf8: password), url: url)
    }

    enum Field<Value> {
        case success(Value?)
        case failure(String)
    }

    /// A DRF `CharField(max_length=200)`: numbers are taken as their text; blank is refused.
    /// With `trimmed` (DRF's `trim_whitespace`, its default) white space around the value is
    /// dropped first, and a value of only white space is blank; without it the value is kept
    /// exactly as sent and only `""` is blank.
    static func text(_ value: JSONValue?, required: Bool, trimmed: Bool = true) -> Field<String> {
        let text: String
        switch value {
        case nil: return required ? .failure(Self.required) : .success(nil)
        case .null: return required ? .failure(notNull) : .success(nil)
        case .string(let string): text = trimmed ? string.trimmedWhitespace : string
        case .number(let number): text = number
        case .bool, .array, .object: return .failure(notString)
        }
        if text.isEmpty { return required ? .failure(notBlank) : .success(nil) }
        guard text.unicodeScalars.count <= maximumLength else { return .failure(tooLong) }
        return .success(text)
    }

    /// A DRF `IntegerField`: an integer, or a string or number holding one.
    static func integer(_ value: JSONValue?) -> Field<Int64> {
        switch value {
        case nil: return .failure(required)
        case .null: return .failure(notNull)
        case .number(let text), .string(let text):
            var digits = text.trimmedWhitespace
            // DRF strips a decimal part made only of zeros ("1.0" is 1).
            if let dot = digits.firstIndex(of: "."), digits[digits.index(after: dot)...].allSatisfy({ $0 == "0" }) {
                digits = String(digits[..<dot])
            }
            guard let number = Int64(digits) else { return .failure(notInteger) }
            return .success(number)
        case .bool, .array, .object: return .failure(notInteger)
        }
    }

    static func pythonType(_ value: JSONValue) -> String {
        switch value {
        case .array: "list"
        case .string: "str"
        case .number(let text): text.contains(where: { ".eE".contains($0) }) ? "float" : "int"
        case .bool: "bool"
        case .null: "NoneType"
        case .object: "dict"
        }
    }
}
