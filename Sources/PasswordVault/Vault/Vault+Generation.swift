/// The header-generation rule (docs/contract.md §14): no secret is ever stored under a data key
/// that a rotation has dropped, whichever process or host rotates.
///
/// Every write that seals names the generation of the header whose keys it sealed with
/// (``KeyState/sealingGeneration``), and the storage commits it only if that generation is
/// still the stored one, in the same transaction as the write. A rotation writes a header
/// (generation g+1) before its resealing pass and another (g+2) when it drops the old key, so:
///
/// - a write sealed under the old key at generation g that has not committed before the
///   rotation's first header write is refused (``StorageError/staleHeader``), reloads the
///   header (whose current key is the new one) and reseals;
/// - a write that committed before that header write is in the store when the resealing pass
///   starts, so the pass sees it and reseals it;
/// - a write at g+1 seals under the new key, which the rotation keeps; a write that only keeps
///   a value it read (an update of the name) is a compare-and-set on the version, which the
///   pass's own compare-and-set orders.
///
/// This is why the vault no longer counts its writes in progress nor makes a second resealing
/// pass (the first release did both, and could still lose an entry written by another process).
extension Vault {
    /// Runs a write that seals with the vault's keys: `attempt` seals with the ring and commits
    /// naming the generation; when the storage answers ``StorageError/staleHeader`` the vault
    /// adopts the stored header (``reloadHeader()``) and runs `attempt` again, at most
    /// ``staleHeaderRetries`` times.
    /// - Throws: what `attempt` throws; ``VaultError/unexpected(cause:)`` with a
    ///   ``VaultKeyError/conflict`` when the keys changed under a credential this vault does not
    ///   hold (another process changed the passphrase and rotated): nothing is written then.
    func sealingWrite<T>(
        _ attempt: (KeyRing, HeaderGeneration) async throws(VaultError) -> T
    ) async throws(VaultError) -> T {
        var attempts = 0
        while true {
            let (ring, generation) = keys.withLock { ($0.ring, $0.sealingGeneration) }
            do {
                return try await attempt(ring, generation)
            } catch .unexpected(let cause) where (cause as? StorageError) == .staleHeader {
                attempts += 1
                guard attempts < Self.staleHeaderRetries else { throw .unexpected(cause: VaultKeyError.conflict) }
                do { try await reloadHeader() } catch { throw .unexpected(cause: error) }
            }
        }
    }

    /// Reads the stored header and adopts it with the KEK this vault holds — no Argon2id.
    ///
    /// When the header opens with that KEK (a rotation step by another writer, or the same
    /// credential), its ring becomes this vault's. When it does not (the passphrase or key was
    /// changed elsewhere) but names the same current data key, the vault keeps its ring and only
    /// seals under the newer generation (`KeyRing.reopening(_:)` argues why that is safe); it can
    /// no longer write a header, since it lacks the new KEK.
    /// - Returns: whether the vault's KEK opens the stored header (header writes may go on).
    /// - Throws: ``VaultKeyError/conflict`` when another data key is current under a credential this
    ///   vault does not hold; ``VaultKeyError/noVault``, header and storage failures.
    @discardableResult
    func reloadHeader() async throws(VaultKeyError) -> Bool {
        let stored: StoredHeader?
        do { stored = try await storage.readHeader() } catch { throw VaultKeyError(error) }
        guard let stored else { throw .noVault }
        let state = keys.withLock { $0 }
        if stored.generation <= state.headerGeneration { return true }
        let reopened: KeyRing.Reopened
        do { reopened = try state.ring.reopening(stored.bytes) } catch { throw VaultKeyError(error) }
        switch reopened {
        case .opened(let ring):
            keys.withLock { keys in
                if keys.headerGeneration < stored.generation {
                    keys = KeyState(ring: ring, generation: stored.generation)
                }
            }
            return true
        case .sameCurrentKey:
            keys.withLock { $0.sealingGeneration = max($0.sealingGeneration, stored.generation) }
            return false
        case .keysChanged:
            throw .conflict
        }
    }

    /// The keys to open `entity`'s secrets: the vault's ring, or — when the entry names a data
    /// key the ring lacks because another process rotated since — the ring of the stored header,
    /// reloaded with the KEK held. (A value under a key no header holds still fails to open,
    /// naming its entry.)
    func keyRing(opening entity: PasswordEntity) async throws(VaultError) -> KeyRing {
        let ring = self.ring
        let sealed = [entity.sealedPassword, entity.sealedSecretKey, entity.sealedNotes].compactMap { $0 }
        guard sealed.contains(where: { ring.keyID(of: $0).map { ring.dataKeys[$0] == nil } ?? false }) else {
            return ring
        }
        do { try await reloadHeader() } catch { throw .unexpected(cause: error) }
        return self.ring
    }
}
