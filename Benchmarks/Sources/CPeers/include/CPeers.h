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

/// Opens (creating) a database for the vault create's reference: the adapter's schema as
/// ``peer_sqlite_open_vault_schema`` makes it, plus the header row (with its generation, 1) and
/// the identifier counter, and the adapter's writer settings (WAL, `synchronous = FULL`,
/// `secure_delete = ON`). Every statement of the create is prepared once. NULL on failure.
peer_db *peer_sqlite_open_vault(const char *path);

/// One create as the adapter's `commit(_:)` runs it for the vault, from C: `BEGIN IMMEDIATE`;
/// the header generation read and compared with `expected_generation`; the identifier counter's
/// increment (`UPDATE … RETURNING`); the 15-column `entry` row under that identifier (one tag,
/// no shares, two sealed values); `COMMIT` (one fsync of the log). The identifier goes to
/// `id_out`. Returns 0 on success; on any failure the transaction is rolled back.
int peer_sqlite_vault_create(peer_db *db, int64_t expected_generation, const char *name, const char *username,
                             const char *url, int64_t owner, const uint8_t *sealed_password, size_t password_length,
                             const uint8_t *sealed_secret_key, size_t secret_key_length, int64_t *id_out);

/// Inserts one such row in a transaction of its own (autocommit: one fsync'd commit).
int peer_sqlite_insert_one(peer_db *db, int64_t id, const char *name, const char *username, const char *url,
                           int64_t owner, const uint8_t *sealed, size_t sealed_length);

/// A primary-key lookup: reads every column of row `id` and copies the blob to `out`.
/// Returns the number of bytes of the row read, or -1 when there is no such row.
long peer_sqlite_lookup(peer_db *db, int64_t id, uint8_t *out, size_t capacity);

/// Closes the connection (finalising its statements).
void peer_sqlite_close(peer_db *db);

// MARK: Measuring

/// Bytes malloc holds for the program: glibc's `mallinfo2().uordblks` (not visible from Swift).
size_t bench_heap_in_use(void);

#endif
