import CoreMetrics
import PasswordVault

/// A vault's counters through swift-metrics, made from its committed audit records
/// (docs/contract.md §12, "Observing the vault"). Off unless the host bootstraps a metrics
/// backend: swift-metrics' default factory does nothing.
///
/// Every label and dimension is from a closed set — the action's name and the refusal's
/// catalogue code — and every value is a count: no username, entry identifier, justification or
/// secret is ever emitted.
///
/// | label | dimensions | counts |
/// |---|---|---|
/// | `pwvault_audit_records` | `action` | every committed record |
/// | `pwvault_reveals` | `action` (`reveal`, `reveal_version`) | secrets returned |
/// | `pwvault_refusals` | `code`, `action` | refused calls that were recorded |
/// | `pwvault_cas_conflicts` | — | lost compare-and-sets (1008) |
/// | `pwvault_audit_stream_dropped` | — | records this consumer lost behind its buffer |
///
/// ```swift
/// MetricsSystem.bootstrap(myBackend)  // once per process, by the host
/// let metrics = VaultMetrics(vault: vault)  // counts from now on
/// Task { await metrics.run() }  // until the vault is released or the task cancelled
/// ```
public struct VaultMetrics: Sendable {
    /// The labels, for dashboards and tests.
    public enum Label {
        /// Every committed record, by `action`.
        public static let auditRecords = "pwvault_audit_records"
        /// Successful `reveal` and `reveal_version` calls, by `action`.
        public static let reveals = "pwvault_reveals"
        /// Recorded refusals, by `code` and `action`.
        public static let refusals = "pwvault_refusals"
        /// Lost compare-and-sets: refusals with code 1008.
        public static let casConflicts = "pwvault_cas_conflicts"
        /// Records the consumer lost because its buffer was full.
        public static let streamDropped = "pwvault_audit_stream_dropped"
    }

    private let records: AuditRecordStream
    private let factory: any MetricsFactory

    /// Subscribes to `vault`'s committed records now; ``run()`` counts them.
    /// - Parameters:
    ///   - factory: where the metrics go; by default the one the host bootstrapped.
    ///   - limit: records the consumer may fall behind by before the oldest are dropped (and
    ///     counted as `pwvault_audit_stream_dropped`).
    public init(
        vault: Vault, factory: any MetricsFactory = MetricsSystem.factory,
        bufferingNewest limit: Int = Vault.defaultAuditStreamBuffer
    ) {
        records = vault.committedAuditRecords(bufferingNewest: limit)
        self.factory = factory
    }

    /// Counts the records as they arrive, until the vault is released or the task cancelled.
    public func run() async {
        var counters = Counters(factory: factory)
        var counted = 0
        for await record in records {
            counters.count(record)
            let lost = records.droppedCount
            if lost > counted {
                counters[Label.streamDropped, []].increment(by: lost - counted)
                counted = lost
            }
        }
        let lost = records.droppedCount
        if lost > counted { counters[Label.streamDropped, []].increment(by: lost - counted) }
    }

    /// The counters made so far, by label and dimensions: each is made once.
    private struct Counters {
        let factory: any MetricsFactory
        var made: [String: Counter] = [:]

        subscript(label: String, dimensions: [(String, String)]) -> Counter {
            mutating get {
                let key = ([label] + dimensions.map { "\($0.0)=\($0.1)" }).joined(separator: " ")
                if let counter = made[key] { return counter }
                let counter = Counter(label: label, dimensions: dimensions, factory: factory)
                made[key] = counter
                return counter
            }
        }

        mutating func count(_ record: AuditRecord) {
            let action = record.event.action.rawValue
            self[Label.auditRecords, [("action", action)]].increment()
            switch record.event.outcome {
            case .ok:
                if record.event.action == .reveal || record.event.action == .revealVersion {
                    self[Label.reveals, [("action", action)]].increment()
                }
            case .refused(let code):
                self[Label.refusals, [("code", String(code)), ("action", action)]].increment()
                if code == 1008 { self[Label.casConflicts, []].increment() }
            }
        }
    }
}
