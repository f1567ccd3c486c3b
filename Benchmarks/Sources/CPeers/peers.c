// The peer rows: liboath, libsodium and SQLite called directly from C. See CPeers.h.
#include "CPeers.h"

#include <liboath/oath.h>
#include <malloc.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// MARK: One-time codes

int peer_init(void) { return oath_init() == OATH_OK && sodium_init() >= 0 ? 0 : -1; }

int peer_totp(const uint8_t *secret, size_t secret_length, int64_t unix_time, unsigned digits, int algorithm,
              char *out) {
    int flags = 0;
    if (algorithm == 256) flags = OATH_TOTP_HMAC_SHA256;
    if (algorithm == 512) flags = OATH_TOTP_HMAC_SHA512;
    return oath_totp_generate2((const char *)secret, secret_length, (time_t)unix_time, 30, 0, digits, flags, out);
}

long peer_base32_decode(const char *text, size_t length) {
    char *out = NULL;
    size_t out_length = 0;
    if (oath_base32_decode(text, length, &out, &out_length) != OATH_OK) return -1;
    free(out);
    return (long)out_length;
}

// MARK: Sealing

int peer_secretbox_seal_open(const uint8_t *key, const uint8_t *message, size_t length, uint8_t *sealed,
                             uint8_t *opened) {
    randombytes_buf(sealed, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(sealed + crypto_secretbox_NONCEBYTES, message, length, sealed, key);
    return crypto_secretbox_open_easy(opened, sealed + crypto_secretbox_NONCEBYTES,
                                      length + crypto_secretbox_MACBYTES, sealed, key);
}

int peer_secretbox_bound_seal_open(const uint8_t *key, uint64_t entry, uint8_t field, const uint8_t *message,
                                   size_t length, uint8_t *sealed, uint8_t *opened) {
    enum { binding = 9 };
    uint8_t *box = sealed + crypto_secretbox_NONCEBYTES;
    uint8_t *plaintext = box + crypto_secretbox_MACBYTES;
    for (int i = 0; i < 8; i++) plaintext[i] = (uint8_t)(entry >> (56 - 8 * i));
    plaintext[8] = field;
    memcpy(plaintext + binding, message, length);
    randombytes_buf(sealed, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(box, plaintext, binding + length, sealed, key); // in place
    int status = crypto_secretbox_open_easy(opened, box, crypto_secretbox_MACBYTES + binding + length, sealed, key);
    if (status != 0) return status;
    for (int i = 0; i < 8; i++) status |= opened[i] != (uint8_t)(entry >> (56 - 8 * i));
    if (status != 0 || opened[8] != field) {
        sodium_memzero(opened, binding + length);
        return -2;
    }
    return 0;
}

int peer_argon2id(uint8_t *key, const char *passphrase, size_t passphrase_length, const uint8_t *salt,
                  unsigned long long ops_limit, size_t mem_limit) {
    return crypto_pwhash(key, 32, passphrase, passphrase_length, salt, ops_limit, mem_limit,
                         crypto_pwhash_ALG_ARGON2ID13);
}

// MARK: SQLite

struct peer_db {
    sqlite3 *db;
    sqlite3_stmt *insert;
    sqlite3_stmt *lookup;
    sqlite3_stmt *exists;
    sqlite3_stmt *tag;
};

peer_db *peer_sqlite_open(const char *path) {
    peer_db *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    if (sqlite3_open_v2(path, &p->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) goto fail;
    const char *schema =
        "PRAGMA journal_mode = WAL;"
        "PRAGMA synchronous = FULL;"
        "CREATE TABLE IF NOT EXISTS entry (id INTEGER PRIMARY KEY, name TEXT NOT NULL, username TEXT NOT NULL,"
        " url TEXT NOT NULL, owner INTEGER NOT NULL, sealed BLOB NOT NULL);";
    if (sqlite3_exec(p->db, schema, NULL, NULL, NULL) != SQLITE_OK) goto fail;
    if (sqlite3_prepare_v2(p->db, "INSERT INTO entry (id, name, username, url, owner, sealed) VALUES (?, ?, ?, ?, ?, ?)",
                           -1, &p->insert, NULL) != SQLITE_OK)
        goto fail;
    if (sqlite3_prepare_v2(p->db, "SELECT id, name, username, url, owner, sealed FROM entry WHERE id = ?", -1,
                           &p->lookup, NULL) != SQLITE_OK)
        goto fail;
    return p;
fail:
    peer_sqlite_close(p);
    return NULL;
}

static int insert_row(peer_db *p, int64_t id, const char *name, const char *username, const char *url,
                      int64_t owner, const uint8_t *sealed, size_t sealed_length) {
    char numbered[256];
    int length = snprintf(numbered, sizeof numbered, "%s %lld", name, (long long)id);
    sqlite3_stmt *s = p->insert;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_text(s, 2, numbered, length, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, username, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, url, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 5, owner);
    sqlite3_bind_blob(s, 6, sealed, (int)sealed_length, SQLITE_STATIC);
    int status = sqlite3_step(s);
    sqlite3_reset(s);
    return status == SQLITE_DONE ? 0 : -1;
}

int peer_sqlite_insert_batch(peer_db *p, int64_t first_id, int count, const char *name, const char *username,
                             const char *url, int64_t owner, const uint8_t *sealed, size_t sealed_length) {
    if (sqlite3_exec(p->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) return -1;
    for (int i = 0; i < count; i++) {
        if (insert_row(p, first_id + i, name, username, url, owner, sealed, sealed_length) != 0) {
            sqlite3_exec(p->db, "ROLLBACK", NULL, NULL, NULL);
            return -1;
        }
    }
    return sqlite3_exec(p->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

// A copy of the entry part of the adapter's schema (Sources/PasswordVaultSQLite, migration v1).
static const char *vault_schema =
    "PRAGMA journal_mode = WAL;"
    "PRAGMA synchronous = FULL;"
    "CREATE TABLE IF NOT EXISTS entry (id INTEGER PRIMARY KEY, name TEXT NOT NULL, username TEXT NOT NULL,"
    " url TEXT NOT NULL, tags TEXT NOT NULL, owner INTEGER NOT NULL, users_allowed TEXT NOT NULL,"
    " groups_allowed TEXT NOT NULL, is_active INTEGER NOT NULL, created_at REAL NOT NULL, updated_at REAL NOT NULL,"
    " version INTEGER NOT NULL, sealed_password BLOB NOT NULL, sealed_secret_key BLOB, sealed_notes BLOB);"
    "CREATE INDEX IF NOT EXISTS entry_owner ON entry (owner);"
    "CREATE TABLE IF NOT EXISTS entry_user_share (username TEXT NOT NULL, entry_id INTEGER NOT NULL,"
    " PRIMARY KEY (username, entry_id)) WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS entry_user_share_entry ON entry_user_share (entry_id);"
    "CREATE TABLE IF NOT EXISTS entry_group_share (group_name TEXT NOT NULL, entry_id INTEGER NOT NULL,"
    " PRIMARY KEY (group_name, entry_id)) WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS entry_group_share_entry ON entry_group_share (entry_id);";

// What the schema had before (three NOCASE text indexes no query used, a tag table).
static const char *former_additions =
    "CREATE INDEX IF NOT EXISTS entry_name ON entry (name COLLATE NOCASE);"
    "CREATE INDEX IF NOT EXISTS entry_username ON entry (username COLLATE NOCASE);"
    "CREATE INDEX IF NOT EXISTS entry_url ON entry (url COLLATE NOCASE);"
    "CREATE TABLE IF NOT EXISTS entry_tag (entry_id INTEGER NOT NULL, tag TEXT NOT NULL COLLATE NOCASE,"
    " PRIMARY KEY (entry_id, tag)) WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS entry_tag_tag ON entry_tag (tag, entry_id);";

peer_db *peer_sqlite_open_vault_schema(const char *path, int former) {
    peer_db *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    if (sqlite3_open_v2(path, &p->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) goto fail;
    if (sqlite3_exec(p->db, vault_schema, NULL, NULL, NULL) != SQLITE_OK) goto fail;
    if (former && sqlite3_exec(p->db, former_additions, NULL, NULL, NULL) != SQLITE_OK) goto fail;
    if (sqlite3_prepare_v2(p->db,
                           "INSERT INTO entry (id, name, username, url, tags, owner, users_allowed, groups_allowed,"
                           " is_active, created_at, updated_at, version, sealed_password, sealed_secret_key,"
                           " sealed_notes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           -1, &p->insert, NULL) != SQLITE_OK)
        goto fail;
    // The former adapter looked each identifier up before inserting it and wrote a tag row;
    // the adapter now lets the primary key refuse a duplicate and keeps tags in the row only.
    if (former) {
        if (sqlite3_prepare_v2(p->db, "SELECT 1 FROM entry WHERE id = ?", -1, &p->exists, NULL) != SQLITE_OK)
            goto fail;
        if (sqlite3_prepare_v2(p->db, "INSERT OR IGNORE INTO entry_tag (entry_id, tag) VALUES (?, ?)", -1, &p->tag,
                               NULL) != SQLITE_OK)
            goto fail;
    }
    return p;
fail:
    peer_sqlite_close(p);
    return NULL;
}

// Binds the adapter's 15-column `entry` row: one tag, no shares, active, version 1, two sealed
// values, no notes. `name` is copied (SQLITE_TRANSIENT), the rest is bound in place.
static void bind_vault_row(sqlite3_stmt *s, int64_t id, const char *name, int name_length, const char *username,
                           const char *url, int64_t owner, const uint8_t *sealed_password, size_t password_length,
                           const uint8_t *sealed_secret_key, size_t secret_key_length) {
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_text(s, 2, name, name_length, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, username, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, url, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, "[\"work\"]", -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 6, owner);
    sqlite3_bind_text(s, 7, "[]", -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 8, "[]", -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 9, 1);
    sqlite3_bind_double(s, 10, 785000000.0);
    sqlite3_bind_double(s, 11, 785000000.0);
    sqlite3_bind_int64(s, 12, 1);
    sqlite3_bind_blob(s, 13, sealed_password, (int)password_length, SQLITE_STATIC);
    sqlite3_bind_blob(s, 14, sealed_secret_key, (int)secret_key_length, SQLITE_STATIC);
    sqlite3_bind_null(s, 15);
}

int peer_sqlite_insert_batch_vault_schema(peer_db *p, int64_t first_id, int count, const char *name,
                                          const char *username, const char *url, int64_t owner,
                                          const uint8_t *sealed_password, size_t password_length,
                                          const uint8_t *sealed_secret_key, size_t secret_key_length) {
    if (sqlite3_exec(p->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) return -1;
    for (int i = 0; i < count; i++) {
        int64_t id = first_id + i;
        if (p->exists) {
            sqlite3_bind_int64(p->exists, 1, id);
            int found = sqlite3_step(p->exists) == SQLITE_ROW;
            sqlite3_reset(p->exists);
            if (found) goto fail;
        }
        char numbered[256];
        int length = snprintf(numbered, sizeof numbered, "%s %lld", name, (long long)id);
        sqlite3_stmt *s = p->insert;
        bind_vault_row(s, id, numbered, length, username, url, owner, sealed_password, password_length,
                       sealed_secret_key, secret_key_length);
        int status = sqlite3_step(s);
        sqlite3_reset(s);
        if (status != SQLITE_DONE) goto fail;
        if (p->tag) {
            sqlite3_bind_int64(p->tag, 1, id);
            sqlite3_bind_text(p->tag, 2, "work", -1, SQLITE_STATIC);
            status = sqlite3_step(p->tag);
            sqlite3_reset(p->tag);
            if (status != SQLITE_DONE) goto fail;
        }
    }
    return sqlite3_exec(p->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
fail:
    sqlite3_exec(p->db, "ROLLBACK", NULL, NULL, NULL);
    return -1;
}

int peer_sqlite_insert_one(peer_db *p, int64_t id, const char *name, const char *username, const char *url,
                           int64_t owner, const uint8_t *sealed, size_t sealed_length) {
    return insert_row(p, id, name, username, url, owner, sealed, sealed_length);
}

long peer_sqlite_lookup(peer_db *p, int64_t id, uint8_t *out, size_t capacity) {
    sqlite3_stmt *s = p->lookup;
    sqlite3_bind_int64(s, 1, id);
    long read = -1;
    if (sqlite3_step(s) == SQLITE_ROW) {
        read = 8 + sqlite3_column_bytes(s, 1) + sqlite3_column_bytes(s, 2) + sqlite3_column_bytes(s, 3) + 8;
        const unsigned char *name = sqlite3_column_text(s, 1);
        const unsigned char *username = sqlite3_column_text(s, 2);
        const unsigned char *url = sqlite3_column_text(s, 3);
        (void)name, (void)username, (void)url, (void)sqlite3_column_int64(s, 4);
        const void *blob = sqlite3_column_blob(s, 5);
        int blob_length = sqlite3_column_bytes(s, 5);
        if ((size_t)blob_length <= capacity) memcpy(out, blob, (size_t)blob_length);
        read += blob_length;
    }
    sqlite3_reset(s);
    return read;
}

void peer_sqlite_close(peer_db *p) {
    if (!p) return;
    sqlite3_finalize(p->insert);
    sqlite3_finalize(p->lookup);
    sqlite3_finalize(p->exists);
    sqlite3_finalize(p->tag);
    sqlite3_close(p->db);
    free(p);
}

// MARK: Measuring

size_t bench_heap_in_use(void) { return mallinfo2().uordblks; }
