import Foundation
import FuzzSupport
import PasswordVault

/// `otpauth://` key URI parsing of any text. What parses must:
///
/// - write a `uriString` that parses back to an equal value (secret included);
/// - make the generator of its kind, which computes a code of its digit count;
/// - keep its secret out of `description`.
@_cdecl("LLVMFuzzerTestOneInput")
public func otpAuthURIFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let uri = try? OTPAuthURI(parsing: text) else { return 0 }

    let written = uri.uriString
    let reparsed = Result(catching: { () throws(OTPAuthURIError) in try OTPAuthURI(parsing: written) })
    switch reparsed {
    case .success(let again):
        expect(again == uri, "uriString parses to another value: \(uri) became \(again)")
    case .failure(let error):
        expect(false, "uriString does not parse (\(error)): \(uri)")
    }

    // The description is the written URI with the secret parameter's value, the first
    // `?secret=` (a label never holds a literal `?`), replaced; other parameters are as written,
    // even one whose value happens to be the secret's text.
    let secretParameter = "?secret=" + Base32.encode(uri.secret)
    let range = written.range(of: "?secret=")
    expect(range != nil && written[range!.lowerBound...].hasPrefix(secretParameter), "uriString misplaces the secret")
    let redacted = written.replacingCharacters(in: written.range(of: secretParameter)!, with: "?secret=<redacted>")
    expect(uri.description == redacted, "the description is not the URI with its secret redacted")
    expect(uri.debugDescription == redacted, "the debug description is not the URI with its secret redacted")

    switch uri.kind {
    case .totp:
        let totp = try? uri.makeTOTP()
        expect(totp != nil, "a parsed totp URI makes no TOTP")
        expect((try? uri.makeHOTP()) == nil, "a totp URI makes an HOTP")
        if let totp {
            let code = try? totp.code(atUnixTime: 1_700_000_000)
            expect(code?.utf8.count == uri.digits, "a TOTP code of the wrong length")
        }
    case .hotp(let counter):
        let hotp = try? uri.makeHOTP()
        expect(hotp != nil, "a parsed hotp URI makes no HOTP")
        expect((try? uri.makeTOTP()) == nil, "an hotp URI makes a TOTP")
        if let hotp {
            let code = hotp.code(counter: counter)
            expect(code.utf8.count == uri.digits, "an HOTP code of the wrong length")
            expect(hotp.verify(code, counter: counter, window: 0) == counter, "an HOTP code does not verify")
        }
    }
    return 0
}
