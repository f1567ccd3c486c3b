// The peer rows of the benchmark suite, in C: what a program that skips our library would
// call directly. Each function does one operation with the same sizes and inputs as the
// matching Swift row; the Swift benchmarks call them in the same run, on the same machine.
#ifndef CPEERS_H
#define CPEERS_H

#include <stddef.h>
#include <stdint.h>

// MARK: One-time codes (liboath)

/// Initialises liboath (`oath_init`) and libsodium (`sodium_init`); 0 on success.
int peer_init(void);

/// One TOTP code with `oath_totp_generate2`: period 30 s, T0 0. `algorithm` 1 SHA-1,
/// 256 SHA-256, 512 SHA-512. Writes `digits` characters and a NUL to `out` (12 bytes).
/// Returns liboath's status (0, OATH_OK, on success).
int peer_totp(const uint8_t *secret, size_t secret_length, int64_t unix_time, unsigned digits, int algorithm,
              char *out);

/// Decodes base32 with `oath_base32_decode` (which allocates the output, freed here).
/// Returns the number of decoded bytes, or -1.
long peer_base32_decode(const char *text, size_t length);

// MARK: Sealing (libsodium)

/// libsodium's secretbox (XSalsa20-Poly1305) seal then open, with a fresh random nonce, as
/// the library does: `sealed` holds 24 + 16 + `length` bytes (nonce ‖ tag ‖ ciphertext),
/// `opened` holds `length` bytes. Returns 0 when the value opened.
int peer_secretbox_seal_open(const uint8_t *key, const uint8_t *message, size_t length, uint8_t *sealed,
                             uint8_t *opened);

/// The library's construction in C, for reference: the same seal and open of the plaintext
/// entry (8 bytes, big-endian) ‖ field (1 byte) ‖ message, then the check of that binding:
/// `sealed` holds 24 + 16 + 9 + `length` bytes, `opened` 9 + `length`. Returns 0 when the value
/// opened for `entry` and `field`.
int peer_secretbox_bound_seal_open(const uint8_t *key, uint64_t entry, uint8_t field, const uint8_t *message,
                                   size_t length, uint8_t *sealed, uint8_t *opened);

/// Argon2id (`crypto_pwhash`, ALG_ARGON2ID13) of `passphrase` into a 32-byte key.
int peer_argon2id(uint8_t *key, const char *passphrase, size_t passphrase_length, const uint8_t *salt,
                  unsigned long long ops_limit, size_t mem_limit);

// MARK: SQLite (the C API)

typedef struct peer_db peer_db;

/// Opens (creating) a database at `path` the way the library's adapter does: WAL journal,
/// `synchronous = FULL`; creates `entry (id INTEGER PRIMARY KEY, name, username, url, owner,
/// sealed)`. NULL on failure.
peer_db *peer_sqlite_open(const char *path);

/// Inserts `count` rows with ids `first_id`… in one transaction; each row is `name` with
/// its id appended, `username`, `url`, `owner` and the `sealed_length` bytes of `sealed`.
/// Returns 0 on success.
int peer_sqlite_insert_batch(peer_db *db, int64_t first_id, int count, const char *name, const char *username,
                             const char *url, int64_t owner, const uint8_t *sealed, size_t sealed_length);

/// Opens (creating) a database with the library's SQLite schema (a copy of the adapter's
/// migration v1: the `entry` table with its owner index, the two share index tables), WAL and
/// `synchronous = FULL`: the SQL work of the adapter, without Swift or GRDB. With `former` 1,
/// the schema as it was before: three `COLLATE NOCASE` indexes on name, username and url (which
/// no query used) and a tag table with its index.
peer_db *peer_sqlite_open_vault_schema(const char *path, int former);

/// What the adapter's `insert(contentsOf:)` asks of SQLite, from C: in one transaction, for
/// each of `count` entries, the 15-column `entry` row (name numbered, one tag, no shares, two
/// sealed values of `password_length` and `secret_key_length` bytes); with the former schema
/// also the existence check before it and the tag row after it.
int peer_sqlite_insert_batch_vault_schema(peer_db *db, int64_t first_id, int count, const char *name,
                                          const char *username, const char *url, int64_t owner,
                                          const uint8_t *sealed_password, size_t password_length,
                                          const uint8_t *sealed_secret_key, size_t secret_key_length);

/// Inserts one such row in a transaction of its own (autocommit: one fsync'd commit).
int peer_sqlite_insert_one(peer_db *db, int64_t id, const char *name, const char *username, const char *url,
                           int64_t owner, const uint8_t *sealed, size_t sealed_length);

/// A primary-key lookup: reads every column of row `id` and copies the blob to `out`.
/// Returns the number of bytes of the row read, or -1 when there is no such row.
long peer_sqlite_lookup(peer_db *db, int64_t id, uint8_t *out, size_t capacity);

/// Closes the connection (finalising its statements).
void peer_sqlite_close(peer_db *db);

// MARK: SQLite with the audit trail (peers_audit.c)

/// A connection to a vault database the library made (the adapter's schema, migrations v1–v4),
/// with the adapter's writer settings (`synchronous = FULL`, `secure_delete = ON`; the file is
/// in WAL mode), a busy handler that retries every 20 µs, every statement below prepared once,
/// and a random audit key of its own (the vault's never leaves the engine). NULL on failure.
typedef struct peer_audit peer_audit;
peer_audit *peer_audit_open(const char *path);
void peer_audit_close(peer_audit *p);

/// A reveal as the engine asks it of the adapter: the entry row by primary key (all 18 columns
/// read), then one commit: `BEGIN IMMEDIATE`, the header generation, the audit head, the record
/// (canonical encoding, keyed BLAKE2b after the head's MAC) inserted, the head moved, `COMMIT`
/// (fsync'd). Returns the bytes of the row read, or -1.
long peer_audit_reveal(peer_audit *p, int64_t id, int64_t actor_id, const char *username, int64_t time);

/// `threads` threads, each on its own connection (`connections[t]`), each revealing
/// `per_thread` entries (`ids[t * per_thread …]`) one after another; SQLite serialises their
/// commits (one writer at a time; each commit its own fsync). 0 when every reveal succeeded.
int peer_audit_reveal_threads(peer_audit *const *connections, int threads, const int64_t *ids, int per_thread,
                              int64_t actor_id, const char *username, int64_t time);

/// A create in one commit: the generation, the identifier counter's increment, the 18-column
/// row (one tag, no shares, two sealed values), the create's record (six field names), the head
/// moved, `COMMIT`. The identifier goes to `id_out`. 0 on success.
int peer_audit_create(peer_audit *p, const char *name, const char *username, const char *url, int64_t owner,
                      const char *owner_username, const uint8_t *password, size_t password_length,
                      const uint8_t *secret_key, size_t secret_key_length, int64_t time, int64_t *id_out);

/// An update of the password with history: the row read; in one commit the generation, the
/// compare-and-set `UPDATE` (version + 1, revision + 1), the share index rows replaced (none
/// here), the newest history revision checked, the previous row inserted into `entry_history`,
/// the history purged beyond `depth`, the record, the head moved, `COMMIT`. 0 on success.
int peer_audit_update(peer_audit *p, int64_t id, const uint8_t *password, size_t password_length, int64_t actor_id,
                      const char *username, int64_t time, int depth);

/// The history list: the entry row, its `entry_history` rows (every column read), the user who
/// changed them, then the `history` record's commit. Returns the number of versions, or -1.
int peer_audit_history(peer_audit *p, int64_t id, int64_t actor_id, const char *username, int64_t time);

/// Replaces the trail with `count` reveal records chained under this connection's key, in one
/// transaction. 0 on success.
int peer_audit_fill(peer_audit *p, int count, int64_t actor_id, const char *username, int64_t time);

/// Verifies the whole trail under this connection's key: every row read in seq order, its
/// canonical encoding rebuilt, its MAC checked, then the head. Returns the number of records,
/// or minus the first seq at which the trail breaks.
long peer_audit_verify(peer_audit *p);

// MARK: PostgreSQL (libpq): the PostgreSQL adapter's statements (peers_pg.c)

/// A libpq connection to a vault's schema (`search_path`) on the server's Unix socket, with an
/// audit key of its own (its records chain under it) and a data key for the rotation peer.
typedef struct peer_pg peer_pg;
/// NULL when the connection failed (libpq's message on stderr).
peer_pg *peer_pg_open(const char *socket_folder, const char *database, const char *user, const char *schema);
void peer_pg_close(peer_pg *p);
/// One statement by the simple protocol (fixtures: loads, indexes, ANALYZE); 0 on success.
int peer_pg_exec(peer_pg *p, const char *sql);

/// The adapter's create: BEGIN; the header generation FOR SHARE with the next identifier; the
/// 27-column row; the record chained after the head with the head moved (one statement) — when
/// another writer moved it, the head locked and the record chained after that one —; COMMIT.
/// The identifier, or -1.
int64_t peer_pg_create(peer_pg *p, const char *name, const char *username, const char *url, int64_t owner,
                       const char *owner_username, const uint8_t *password, size_t password_length,
                       const uint8_t *secret_key, size_t secret_key_length, int64_t time);

/// `threads` threads, each on its own connection, each `per_thread` creates. 0 on success.
int peer_pg_create_threads(peer_pg *const *connections, int threads, int per_thread, const char *name,
                           const char *username, const char *url, int64_t owner, const char *owner_username,
                           const uint8_t *password, size_t password_length, const uint8_t *secret_key,
                           size_t secret_key_length, int64_t time);

/// The engine's reveal on the adapter: the row by identifier, then the record's commit (BEGIN,
/// the generation, the record and head, COMMIT). The bytes read, or -1.
long peer_pg_reveal(peer_pg *p, int64_t id, int64_t actor_id, const char *username, int64_t time);

/// The update of a password with history: the row, then BEGIN, the generation FOR SHARE, the
/// compare-and-set UPDATE, the newest history revision, the old version into the history, the
/// purge beyond `depth`, the record and head, COMMIT. 0 on success.
int peer_pg_update(peer_pg *p, int64_t id, const uint8_t *password, size_t password_length, int64_t actor_id,
                   const char *username, int64_t time, int depth);

/// The listing: the user's groups, then the visibility statement (owner B-tree, the shares' GIN
/// indexes). The rows listed, or -1.
long peer_pg_list(peer_pg *p, int64_t owner, const char *username_key);

/// Bytes of a value of `length` bytes sealed by the rotation peer (the library's size).
size_t peer_pg_sealed_length(size_t length);

/// Inserts `count` entries (owners `owner_base` + 0…999) whose password and TOTP seed are sealed
/// under this connection's data key, identifiers from the sequence. 0 on success.
int peer_pg_fill(peer_pg *p, int count, int64_t owner_base, const uint8_t *password, size_t password_length,
                 const uint8_t *secret_key, size_t secret_key_length);

/// The engine's rotation on the adapter: a pass of pages of `batch` to count, then per entry its
/// history read, both values opened and sealed under a new key (libsodium), and BEGIN, the
/// generation FOR SHARE, the compare-and-set UPDATE, COMMIT. The entries resealed, or -1.
long peer_pg_rotate(peer_pg *p, int batch);

// MARK: Measuring

/// Bytes malloc holds for the program: glibc's `mallinfo2().uordblks` (not visible from Swift).
size_t bench_heap_in_use(void);

#endif
