import Dispatch
import Synchronization

/// What the libFuzzer harnesses share: running the vault's `async` API from the fuzzer's
/// synchronous entry point, and failing loudly when an oracle does not hold.

/// Runs `body` on the concurrency runtime and blocks the calling thread until it returns.
///
/// libFuzzer calls `LLVMFuzzerTestOneInput` on a thread of its own, never on a thread of the
/// cooperative pool, so blocking it cannot starve the task it waits for.
public func runBlocking<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T {
    let result = Mutex<T?>(nil)
    let done = DispatchSemaphore(value: 0)
    Task {
        let value = await body()
        result.withLock { $0 = value }
        done.signal()
    }
    done.wait()
    return result.withLock { $0! }
}

/// Stops the run with `message` when an oracle fails: libFuzzer records the input as a crash.
///
/// Messages name what failed, never the input (it may hold a secret the harness planted).
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
