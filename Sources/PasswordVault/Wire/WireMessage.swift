/// A request as any HTTP server hands it over: no transport, no headers.
public struct WireRequest: Sendable {
    /// `GET`, `POST`, `PUT` or `DELETE`, exactly: an RFC 9110 method token is case-sensitive.
    public var method: String
    /// The path, with or without a leading `/`, possibly with `?query`.
    public var path: String
    /// The raw body (UTF-8 JSON), empty when none.
    public var body: [UInt8]

    /// A request.
    public init(method: String, path: String, body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.body = body
    }
}

/// An answer: the HTTP status and the JSON body.
public struct WireResponse: Sendable, Equatable {
    /// The HTTP status code.
    public var status: Int
    /// The JSON body (UTF-8).
    public var body: [UInt8]

    /// An answer.
    public init(status: Int, body: [UInt8]) {
        self.status = status
        self.body = body
    }

    /// An answer with a JSON value as body.
    init(status: Int, json: JSONValue) {
        self.init(status: status, body: json.serialized())
    }

    /// The body as text.
    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// The status line, e.g. `HTTP/1.1 201 Created`.
    public var statusLine: String { "HTTP/1.1 \(status) \(Self.reasonPhrase(status))" }

    /// The standard reason phrase of a status code.
    public static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 201: "Created"
        case 400: "Bad Request"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 413: "Content Too Large"  // RFC 9110 §15.5.14
        case 500: "Internal Server Error"
        default: "Status \(status)"
        }
    }
}
