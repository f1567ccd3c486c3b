import Foundation
import PasswordVault
import Testing

/// Expects opening the file at `path` to be refused with `StorageError/corrupted(_:)`
/// whose message mentions `words`, and the file and its folder to be left exactly
/// as they were (same bytes, same modification time, no new files beside it).
public func expectRefusedUntouched(
    _ path: String, mentioning words: String, sourceLocation: SourceLocation = #_sourceLocation,
    open: (String) throws -> Void
) throws {
    let manager = FileManager.default
    let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
    let bytes = manager.contents(atPath: path)
    let modified = try manager.attributesOfItem(atPath: path)[.modificationDate] as? Date
    let neighbours = try manager.contentsOfDirectory(atPath: folder).sorted()
    do {
        try open(path)
        Issue.record("\(path) was opened", sourceLocation: sourceLocation)
    } catch StorageError.corrupted(let why) {
        #expect(
            why.localizedCaseInsensitiveContains(words), "“\(why)” does not mention “\(words)”",
            sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected corrupted(…), got \(error)", sourceLocation: sourceLocation)
    }
    #expect(manager.contents(atPath: path) == bytes, "the file changed", sourceLocation: sourceLocation)
    #expect(
        try manager.attributesOfItem(atPath: path)[.modificationDate] as? Date == modified,
        "the file's modification time changed", sourceLocation: sourceLocation)
    #expect(
        try manager.contentsOfDirectory(atPath: folder).sorted() == neighbours, "files appeared beside it",
        sourceLocation: sourceLocation)
}

/// Writes `bytes` to `path`.
public func writeFile(_ bytes: some Sequence<UInt8>, to path: String) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

/// The bytes of the file at `path`.
public func fileBytes(_ path: String) throws -> [UInt8] {
    Array(try Data(contentsOf: URL(fileURLWithPath: path)))
}

/// Random bytes (the system generator).
public func randomBytes(_ count: Int) -> [UInt8] {
    var generator = SystemRandomNumberGenerator()
    return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
}
