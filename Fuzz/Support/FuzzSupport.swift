import Dispatch
import Synchronization

/// What the libFuzzer harnesses share: running the vault's `async` API from the fuzzer's
/// synchronous entry point, and failing loudly when an oracle does not hold.

/// Runs `body` and blocks the calling thread until it returns.
///
/// The task prefers an ``InlineExecutor`` drained by the calling thread, so the vault's code
/// (non-isolated `async` functions over `Mutex`-guarded state: nothing needs another thread)
/// runs right here, without a hop to the global pool and back for every input — about five
/// times the inputs per second on a busy machine. libFuzzer calls `LLVMFuzzerTestOneInput` on
/// a thread of its own, never on one of the pool's, so blocking it starves nothing.
public func runBlocking<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T {
    let executor = InlineExecutor()
    let result = Mutex<T?>(nil)
    Task(executorPreference: executor) {
        let value = await body()
        result.withLock { $0 = value }
        executor.wake()
    }
    executor.drain { result.withLock { $0 != nil } }
    return result.withLock { $0! }
}

/// A task executor whose jobs run on the thread that calls ``drain(until:)``.
final class InlineExecutor: TaskExecutor {
    private let jobs = Mutex<[UnownedJob]>([])
    private let ready = DispatchSemaphore(value: 0)

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        jobs.withLock { $0.append(job) }
        ready.signal()
    }

    /// Wakes ``drain(until:)`` to look at its condition again.
    func wake() { ready.signal() }

    /// Runs the enqueued jobs, waiting for more, until `done` holds.
    func drain(until done: () -> Bool) {
        while !done() {
            ready.wait()
            while let job = jobs.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) {
                job.runSynchronously(on: asUnownedTaskExecutor())
            }
        }
    }
}

/// Stops the run with `message` when an oracle fails: libFuzzer records the input as a crash.
///
/// Messages say what failed (the harnesses' canary secrets are not real ones); the input itself
/// is in the crash artifact libFuzzer writes.
public func expect(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError("oracle failed: \(message())") }
}

/// A byte source over the fuzzer's input: choices first, the rest as a body.
public struct FuzzInput {
    private var bytes: ArraySlice<UInt8>

    /// The input as the fuzzer gave it.
    public init(_ data: UnsafePointer<UInt8>, _ size: Int) {
        bytes = ArraySlice(UnsafeBufferPointer(start: data, count: size))
    }

    /// The next byte, or 0 once the input is used up.
    public mutating func byte() -> UInt8 {
        bytes.popFirst() ?? 0
    }

    /// A choice among `count` options, from the next byte.
    public mutating func choice(_ count: Int) -> Int {
        Int(byte()) % count
    }

    /// Every byte not taken yet.
    public var rest: [UInt8] { Array(bytes) }
}
