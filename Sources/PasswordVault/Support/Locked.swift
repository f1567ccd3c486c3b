#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A value guarded by a POSIX mutex: the library's one lock for shared mutable state.
///
/// Why not the standard library's `Mutex`: on Linux it is built on a futex that the thread
/// sanitizer does not model, so `make test-tsan` reported the very accesses it protects as races
/// (seen on `InMemoryStorage` under concurrent reads and writes). `pthread_mutex_lock` is
/// intercepted by the sanitizer, so the happens-before it creates is seen and a real race would
/// still be reported. The cost is a few nanoseconds more per uncontended lock.
final class Locked<Value: ~Copyable> {
    private var value: Value
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    /// A lock around `value`.
    init(_ value: consuming Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    /// Runs `body` with the value, the lock held. Do not call back into the same lock.
    func withLock<R, E: Error>(_ body: (inout Value) throws(E) -> R) throws(E) -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}

// Every access to `value` happens with `mutex` held, so the box may be shared when its value may.
extension Locked: @unchecked Sendable where Value: ~Copyable & Sendable {}
