import CProcessHardening
import Dispatch
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// What pwvault does for itself before anything else: no core file (a core would hold the
/// passphrase), and on SIGINT, SIGTERM or SIGHUP the clean-ups registered so far (the
/// terminal's echo, the demo's folder) run before the signal ends the process as it would have.
enum ProcessGuard {
    /// Turns core dumps off and installs the signal handling. Call once, first.
    static func start() {
        _ = pwvault_disable_core_dumps()
        for signal in [SIGINT, SIGTERM, SIGHUP] {
            // The default action would end the process at once; the source runs the clean-ups first.
            Glibc.signal(signal, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signal, queue: .global())
            source.setEventHandler {
                CleanUps.shared.runAll()
                Glibc.signal(signal, SIG_DFL)
                // To the process, not this thread: `raise` sent it to this dispatch worker, which
                // blocks every signal, so it stayed pending and pwvault never ended (the
                // SignalCommandTests caught it hanging after the clean-up had run).
                kill(getpid(), signal)
            }
            source.resume()
            Sources.shared.keep(source)
        }
    }

    /// The signal sources, kept alive for the life of the process.
    final class Sources: @unchecked Sendable {
        static let shared = Sources()
        private let lock = NSLock()
        private var sources: [any DispatchSourceSignal] = []
        func keep(_ source: any DispatchSourceSignal) { lock.withLock { sources.append(source) } }
    }
}

/// Clean-ups to run if a signal ends the process; each removed again once its work is done.
final class CleanUps: @unchecked Sendable {
    // @unchecked: every access to `actions` holds `lock`.
    static let shared = CleanUps()
    private let lock = NSLock()
    private var actions: [Int: @Sendable () -> Void] = [:]
    private var next = 0

    /// Registers `action`; returns a token for ``remove(_:)``.
    func add(_ action: @escaping @Sendable () -> Void) -> Int {
        lock.withLock {
            next += 1
            actions[next] = action
            return next
        }
    }

    func remove(_ token: Int) { lock.withLock { _ = actions.removeValue(forKey: token) } }

    /// Runs every registered action once.
    func runAll() {
        let pending = lock.withLock {
            let all = actions
            actions = [:]
            return all
        }
        for (_, action) in pending.sorted(by: { $0.key > $1.key }) { action() }
    }
}
