/// Redacted renderings of wire messages: a request body may hold a password, notes or a seed,
/// and the answer to a get-one request holds all three. Method, path and status are shown;
/// bodies only by their length. ``WireRequest/body`` and ``WireResponse/bodyText`` stay usable.
extension WireRequest: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// `WireRequest(POST api/mysafe/password, body: 312 bytes)`.
    public var description: String { "WireRequest(\(method) \(path), body: \(body.count) bytes)" }
    /// Same as ``description``.
    public var debugDescription: String { description }
    /// Method and path; the body as `<312 bytes redacted>`.
    public var customMirror: Mirror {
        Mirror(
            self, children: ["method": method, "path": path, "body": "<\(body.count) bytes redacted>"],
            displayStyle: .struct)
    }
}

extension WireResponse: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// `WireResponse(200 OK, body: 345 bytes)`.
    public var description: String {
        "WireResponse(\(status) \(Self.reasonPhrase(status)), body: \(body.count) bytes)"
    }
    /// Same as ``description``.
    public var debugDescription: String { description }
    /// The status; the body as `<345 bytes redacted>`.
    public var customMirror: Mirror {
        Mirror(self, children: ["status": status, "body": "<\(body.count) bytes redacted>"], displayStyle: .struct)
    }
}
