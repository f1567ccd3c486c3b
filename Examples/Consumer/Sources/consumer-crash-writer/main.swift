// The consumer's own crash writer (docs/contract.md §17): what an adapter in another package
// builds to run StorageConformance's crash harnesses on its store. Here the store is the
// library's single-file adapter under the consumer's own name for it, "consumer-file".
import PasswordVault
import StorageConformance

await CrashWriter.main(CommandLine.arguments) { kind, path in
    guard kind == "consumer-file" else { throw StorageError.failure("no store of kind '\(kind)'") }
    return try FileStorage.open(at: path)
}
