import Foundation
import PasswordVault
import Synchronization
import Testing

@testable import PasswordVaultPostgres

/// The connect timeout is a bound (docs/contract.md §14): the caller resumes when it passes, even
/// when the attempt ignores cancellation, and a connection that arrives after it is closed. No
/// wall-clock assertion here (the machine is shared): each test would hang, not fail slowly,
/// without the bound.
@Suite("PostgresStorage connect timeout")
struct PostgresConnectTimeoutTests {
    /// A TCP listener on 127.0.0.1 that never accepts: the kernel completes the handshake, then
    /// nothing ever answers PostgreSQL's start-up message.
    final class SilentServer {
        let descriptor: Int32
        let port: Int

        init() throws {
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard descriptor >= 0 else { throw POSIXError(.EBADF) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = 0
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                    bind(descriptor, socketAddress, length) == 0 && listen(descriptor, 16) == 0
                        && getsockname(descriptor, socketAddress, &length) == 0
                }
            }
            guard bound else {
                close(descriptor)
                throw POSIXError(.EADDRNOTAVAIL)
            }
            self.descriptor = descriptor
            port = Int(UInt16(bigEndian: address.sin_port))
        }

        deinit { close(descriptor) }
    }

    /// Opened by the test alone, whatever the waiter does with cancellation.
    final class Gate: Sendable {
        private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

        func wait() async {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state in
                    if state.open { return true }
                    state.waiters.append(continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }

        func open() {
            let waiters = state.withLock { state in
                state.open = true
                defer { state.waiters = [] }
                return state.waiters
            }
            for waiter in waiters { waiter.resume() }
        }
    }

    @Test func aServerThatNeverAnswersFailsAtTheTimeoutNamingTheServer() async throws {
        let server = try SilentServer()
        let configuration = PostgresConfiguration(
            endpoint: .tcp(host: "127.0.0.1", port: server.port), username: "pwvault_test", database: "pwvault_test",
            connectTimeout: .seconds(1))
        let error = await #expect(throws: StorageError.self) { try await PostgresStorage.open(configuration) }
        let text = try #require(error).description
        #expect(text.contains("127.0.0.1:\(server.port)"), "\(text)")
        #expect(text.contains("no answer within"), "\(text)")
        withExtendedLifetime(server) {}
    }

    @Test func aValueThatArrivesAfterTheTimeoutIsDiscarded() async throws {
        let gate = Gate()
        let discarded = Mutex<[Int]>([])
        let discardedSignal = Gate()
        // The attempt ignores cancellation and finishes only once the caller has given up.
        await #expect(throws: ConnectionPool.ConnectTimedOut.self) {
            try await ConnectionPool.bounded(
                by: .milliseconds(20),
                {
                    await gate.wait()
                    return 42
                },
                discardingLate: { value in
                    discarded.withLock { $0.append(value) }
                    discardedSignal.open()
                })
        }
        gate.open()
        await discardedSignal.wait()
        #expect(discarded.withLock { $0 } == [42])
    }

    @Test func aValueInTimeIsReturnedAndNotDiscarded() async throws {
        let discarded = Mutex<[Int]>([])
        let value = try await ConnectionPool.bounded(
            by: .seconds(3600), { 7 }, discardingLate: { value in discarded.withLock { $0.append(value) } })
        #expect(value == 7)
        #expect(discarded.withLock { $0 }.isEmpty)
    }

    @Test func aCancelledCallerResumesWithoutWaitingForTheAttempt() async throws {
        let gate = Gate()
        let caller = Task {
            try await ConnectionPool.bounded(
                by: .seconds(3600),
                {
                    await gate.wait()
                    return 1
                },
                discardingLate: { _ in })
        }
        caller.cancel()
        let result = await caller.result
        #expect(throws: CancellationError.self) { try result.get() }
        gate.open()
    }
}
