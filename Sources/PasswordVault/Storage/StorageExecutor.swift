/// A storage whose operations block (disk I/O, locks, fsync) on threads of its own can offer
/// those threads to the engine as a task executor (docs/contract.md §7: nothing blocks a thread
/// of the cooperative pool).
///
/// Every recorded engine call (a reveal, an update, a history read… — whatever appends an audit
/// record, docs/contract.md §12) then runs on ``preferredExecutor`` from its start to its end
/// (`withTaskExecutorPreference`), and the storage may run its statements inline when it finds
/// itself on one of its threads, instead of hopping there and back for each of them: a reveal's
/// read and its durable commit cost one hop in and one out, not two of each. The engine's own
/// work in between (the access check, opening the secret, chaining the record) is CPU only.
public protocol StorageExecutorProviding: Sendable {
    /// The executor of the storage's own threads; never the cooperative pool's.
    var preferredExecutor: any TaskExecutor { get }
}
