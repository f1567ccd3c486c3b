// The peers of the audit rows (docs/contract.md §12): what the SQLite adapter asks of SQLite for a
// reveal, a create, an update with history and a history list, each with its audit record, and
// the verification of a whole trail, from C. See CPeers.h.
#include "CPeers.h"
#include "peers_chain.h"

#include <pthread.h>
#include <sched.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

// The entry row's 21 columns, in the adapter's order (SQLiteStorage+Rows.swift, EntryRow.columns;
// the last three since schema migration v5, docs/contract.md §13).
#define ENTRY_COLUMNS                                                                                                 \
    "id, name, username, url, tags, owner, users_allowed, groups_allowed, is_active, created_at, updated_at,"         \
    " version, sealed_password, sealed_secret_key, sealed_notes, revision, changed_by, changed_fields,"               \
    " need_justify, need_approval, needs_rotation"
#define ENTRY_PLACEHOLDERS "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?"
enum { entry_column_count = 21, col_updated_at = 10, col_version = 11, col_sealed_password = 12, col_revision = 15,
       col_changed_by = 16, col_changed_fields = 17 };

#define AUDIT_COLUMNS "seq, time, actor_id, actor_username, action, entry, outcome, fields, justification, mac"

struct peer_audit {
    sqlite3 *db;
    uint8_t key[32];
    sqlite3_stmt *begin, *commit, *rollback, *generation, *head, *insert_record, *move_head;
    sqlite3_stmt *select_entry, *next_id, *insert_entry, *update_entry, *remove_user_share, *remove_group_share;
    sqlite3_stmt *newest, *insert_history, *purge, *select_history, *select_user, *select_records;
};

static const char *const statements[] = {
    "BEGIN IMMEDIATE",
    "COMMIT",
    "ROLLBACK",
    "SELECT generation FROM vault_header WHERE id = 1",
    "SELECT seq, mac FROM audit_head WHERE id = 1",
    "INSERT INTO audit_record (" AUDIT_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    "UPDATE audit_head SET seq = ?, mac = ? WHERE id = 1",
    "SELECT " ENTRY_COLUMNS " FROM entry WHERE id = ?",
    "UPDATE identifier_counter SET last_value = last_value + 1 WHERE id = 1 RETURNING last_value",
    "INSERT INTO entry (" ENTRY_COLUMNS ") VALUES (" ENTRY_PLACEHOLDERS ")",
    "UPDATE entry SET (" ENTRY_COLUMNS ") = (" ENTRY_PLACEHOLDERS ") WHERE id = ? AND version = ?",
    "DELETE FROM entry_user_share WHERE entry_id = ?",
    "DELETE FROM entry_group_share WHERE entry_id = ?",
    "SELECT MAX(revision) FROM entry_history WHERE id = ?",
    "INSERT INTO entry_history (" ENTRY_COLUMNS ") VALUES (" ENTRY_PLACEHOLDERS ")",
    "DELETE FROM entry_history WHERE id = ?1 AND revision NOT IN"
    " (SELECT revision FROM entry_history WHERE id = ?1 ORDER BY revision DESC LIMIT ?2)",
    "SELECT " ENTRY_COLUMNS " FROM entry_history WHERE id = ? ORDER BY revision",
    "SELECT id, username FROM vault_user WHERE id = ?",
    "SELECT " AUDIT_COLUMNS " FROM audit_record WHERE seq >= ? ORDER BY seq",
};

static sqlite3_stmt **statement_slots(peer_audit *p) { return &p->begin; }
enum { statement_count = sizeof statements / sizeof statements[0] };

// While another connection writes: retry every 20 µs, for up to about 10 s. SQLite's own busy
// timeout sleeps in steps of 1 to 100 ms, which would time its back-off, not the commits.
static int retry_soon(void *unused, int attempts) {
    (void)unused;
    if (attempts > 500000) return 0;
    sched_yield();
    usleep(20);
    return 1;
}

peer_audit *peer_audit_open(const char *path) {
    peer_audit *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    randombytes_buf(p->key, sizeof p->key);
    if (sqlite3_open_v2(path, &p->db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) goto fail;
    // The adapter's writer connection (SQLiteStorage.swift): WAL (the file is in WAL mode since
    // its creation), synchronous = FULL, secure_delete = ON; a busy handler for the threads.
    if (sqlite3_exec(p->db, "PRAGMA synchronous = FULL; PRAGMA secure_delete = ON;", NULL, NULL, NULL) != SQLITE_OK)
        goto fail;
    sqlite3_busy_handler(p->db, retry_soon, NULL);
    sqlite3_stmt **slots = statement_slots(p);
    for (int i = 0; i < statement_count; i++)
        if (sqlite3_prepare_v3(p->db, statements[i], -1, SQLITE_PREPARE_PERSISTENT, &slots[i], NULL) != SQLITE_OK)
            goto fail;
    return p;
fail:
    peer_audit_close(p);
    return NULL;
}

void peer_audit_close(peer_audit *p) {
    if (!p) return;
    sqlite3_stmt **slots = statement_slots(p);
    for (int i = 0; i < statement_count; i++) sqlite3_finalize(slots[i]);
    sqlite3_close(p->db);
    free(p);
}

static int step_reset(sqlite3_stmt *s, int expected) {
    int status = sqlite3_step(s);
    sqlite3_reset(s);
    return status == expected ? 0 : -1;
}

// MARK: The canonical encoding and the chain (Sources/PasswordVault/Audit/AuditRecord+Encoding.swift)

static size_t put_u64(uint8_t *b, uint64_t v) {
    for (int i = 0; i < 8; i++) b[i] = (uint8_t)(v >> (56 - 8 * i));
    return 8;
}
static size_t put_u16(uint8_t *b, uint16_t v) {
    b[0] = (uint8_t)(v >> 8);
    b[1] = (uint8_t)v;
    return 2;
}
static size_t put_text(uint8_t *b, const char *text, size_t length, int length_bytes) {
    size_t n = length_bytes == 1 ? (b[0] = (uint8_t)length, 1) : put_u16(b, (uint16_t)length);
    memcpy(b + n, text, length);
    return n + length;
}

// mac(n) = BLAKE2b-256(key, mac(n-1) ‖ canonical encoding); `buffer` holds at least 4096 bytes.
int peer_chain_mac(const uint8_t *key, const uint8_t *previous, uint64_t seq, const event *e, uint8_t *mac) {
    uint8_t buffer[4096];
    size_t n = 0;
    memcpy(buffer, previous, 32);
    n += 32;
    buffer[n++] = 1;
    n += put_u64(buffer + n, seq);
    n += put_u64(buffer + n, (uint64_t)e->time);
    if (e->actor_id > 0) {
        buffer[n++] = 1;
        n += put_u64(buffer + n, (uint64_t)e->actor_id);
        size_t length = strlen(e->username);
        if (length > 1024) return -1;
        n += put_text(buffer + n, e->username, length, 2);
    } else {
        buffer[n++] = 0;
    }
    n += put_text(buffer + n, e->action, strlen(e->action), 1);
    if (e->entry > 0) {
        buffer[n++] = 1;
        n += put_u64(buffer + n, (uint64_t)e->entry);
    } else {
        buffer[n++] = 0;
    }
    n += put_u16(buffer + n, (uint16_t)e->outcome);
    n += put_u16(buffer + n, (uint16_t)e->field_count);
    for (int i = 0; i < e->field_count; i++) {
        if (n + 2 + e->field_lengths[i] > sizeof buffer - 1100) return -1;
        n += put_text(buffer + n, e->fields[i], e->field_lengths[i], 2);
    }
    if (e->justification) {
        buffer[n++] = 1;
        size_t length = strlen(e->justification);
        if (length > 1024) return -1;
        n += put_text(buffer + n, e->justification, length, 2);
    } else {
        buffer[n++] = 0;
    }
    return crypto_generichash(mac, 32, buffer, n, key, 32);
}

// The fields as the adapter stores them: a JSON array of strings (these have no escapes).
static size_t fields_json(const event *e, char *out, size_t capacity) {
    size_t n = 0;
    out[n++] = '[';
    for (int i = 0; i < e->field_count && n + e->field_lengths[i] + 4 < capacity; i++) {
        if (i) out[n++] = ',';
        out[n++] = '"';
        memcpy(out + n, e->fields[i], e->field_lengths[i]);
        n += e->field_lengths[i];
        out[n++] = '"';
    }
    out[n++] = ']';
    return n;
}

// Appends `e` after the stored head and moves the head, in the open transaction (AuditRows.append).
static int append_record(peer_audit *p, const event *e) {
    if (sqlite3_step(p->head) != SQLITE_ROW || sqlite3_column_bytes(p->head, 1) != 32) {
        sqlite3_reset(p->head);
        return -1;
    }
    int64_t seq = sqlite3_column_int64(p->head, 0) + 1;
    uint8_t mac[32];
    int status = peer_chain_mac(p->key, sqlite3_column_blob(p->head, 1), (uint64_t)seq, e, mac);
    sqlite3_reset(p->head);
    if (status != 0) return -1;
    char fields[512];
    size_t fields_length = fields_json(e, fields, sizeof fields);
    sqlite3_stmt *s = p->insert_record;
    sqlite3_bind_int64(s, 1, seq);
    sqlite3_bind_int64(s, 2, e->time);
    if (e->actor_id > 0) {
        sqlite3_bind_int64(s, 3, e->actor_id);
        sqlite3_bind_text(s, 4, e->username, -1, SQLITE_STATIC);
    } else {
        sqlite3_bind_null(s, 3);
        sqlite3_bind_null(s, 4);
    }
    sqlite3_bind_text(s, 5, e->action, -1, SQLITE_STATIC);
    if (e->entry > 0) sqlite3_bind_int64(s, 6, e->entry);
    else sqlite3_bind_null(s, 6);
    sqlite3_bind_int(s, 7, e->outcome);
    sqlite3_bind_text(s, 8, fields, (int)fields_length, SQLITE_TRANSIENT);
    sqlite3_bind_null(s, 9);
    sqlite3_bind_blob(s, 10, mac, 32, SQLITE_TRANSIENT);
    if (step_reset(s, SQLITE_DONE) != 0) return -1;
    sqlite3_bind_int64(p->move_head, 1, seq);
    sqlite3_bind_blob(p->move_head, 2, mac, 32, SQLITE_TRANSIENT);
    return step_reset(p->move_head, SQLITE_DONE);
}

// BEGIN IMMEDIATE and the header generation's check, as every adapter commit starts.
static int begin_commit(peer_audit *p) {
    if (step_reset(p->begin, SQLITE_DONE) != 0) return -1;
    int ok = sqlite3_step(p->generation) == SQLITE_ROW;
    sqlite3_reset(p->generation);
    return ok ? 0 : -1;
}

static int finish_commit(peer_audit *p, int status) {
    if (status == 0 && step_reset(p->commit, SQLITE_DONE) == 0) return 0;
    step_reset(p->rollback, SQLITE_DONE);
    return -1;
}


// MARK: Rows

typedef struct {
    sqlite3_value *values[entry_column_count];
} entry_row;

static void free_row(entry_row *row) {
    for (int i = 0; i < entry_column_count; i++) sqlite3_value_free(row->values[i]);
}

// Reads every column of the row `s` stands on, as the adapter's decoder does.
static long read_columns(sqlite3_stmt *s, entry_row *keep) {
    long bytes = 0;
    for (int i = 0; i < entry_column_count; i++) {
        switch (sqlite3_column_type(s, i)) {
        case SQLITE_TEXT: (void)sqlite3_column_text(s, i); break;
        case SQLITE_BLOB: (void)sqlite3_column_blob(s, i); break;
        default: break;
        }
        bytes += sqlite3_column_bytes(s, i);
        if (keep) keep->values[i] = sqlite3_value_dup(sqlite3_column_value(s, i));
    }
    return bytes;
}

static long select_entry(peer_audit *p, int64_t id, entry_row *keep) {
    sqlite3_bind_int64(p->select_entry, 1, id);
    long bytes = -1;
    if (sqlite3_step(p->select_entry) == SQLITE_ROW) bytes = read_columns(p->select_entry, keep);
    sqlite3_reset(p->select_entry);
    return bytes;
}

// MARK: The operations

long peer_audit_reveal(peer_audit *p, int64_t id, int64_t actor_id, const char *username, int64_t time) {
    long bytes = select_entry(p, id, NULL);
    if (bytes < 0) return -1;
    event e = user_event("reveal", id, actor_id, username, time, "password");
    if (begin_commit(p) != 0) return -1;
    return finish_commit(p, append_record(p, &e)) == 0 ? bytes : -1;
}

typedef struct {
    peer_audit *connection;
    const int64_t *ids;
    int count;
    int64_t actor_id;
    const char *username;
    int64_t time;
    int status;
} reveal_job;

static void *run_reveals(void *argument) {
    reveal_job *job = argument;
    for (int i = 0; i < job->count && job->status == 0; i++)
        if (peer_audit_reveal(job->connection, job->ids[i], job->actor_id, job->username, job->time) < 0)
            job->status = -1;
    return NULL;
}

int peer_audit_reveal_threads(peer_audit *const *connections, int threads, const int64_t *ids, int per_thread,
                              int64_t actor_id, const char *username, int64_t time) {
    if (threads > 64) return -1;
    pthread_t handles[64];
    reveal_job jobs[64];
    int started = 0, status = 0;
    for (int t = 0; t < threads; t++) {
        jobs[t] = (reveal_job){connections[t], ids + (size_t)t * per_thread, per_thread, actor_id, username, time, 0};
        if (pthread_create(&handles[t], NULL, run_reveals, &jobs[t]) != 0) {
            status = -1;
            break;
        }
        started++;
    }
    for (int t = 0; t < started; t++) {
        pthread_join(handles[t], NULL);
        status |= jobs[t].status;
    }
    return status;
}

static void bind_created_row(sqlite3_stmt *s, int64_t id, const char *name, const char *username, const char *url,
                             int64_t owner, const uint8_t *password, size_t password_length, const uint8_t *secret_key,
                             size_t secret_key_length) {
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_text(s, 2, name, -1, SQLITE_TRANSIENT);
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
    sqlite3_bind_blob(s, 13, password, (int)password_length, SQLITE_STATIC);
    sqlite3_bind_blob(s, 14, secret_key, (int)secret_key_length, SQLITE_STATIC);
    sqlite3_bind_null(s, 15);
    sqlite3_bind_int64(s, 16, 1);
    sqlite3_bind_int64(s, 17, owner);
    sqlite3_bind_int64(s, 18, 0);
    sqlite3_bind_int(s, 19, 0);  // no policy, no rotation mark (docs/contract.md §13)
    sqlite3_bind_int(s, 20, 0);
    sqlite3_bind_int(s, 21, 0);
}

int peer_audit_create(peer_audit *p, const char *name, const char *username, const char *url, int64_t owner,
                      const char *owner_username, const uint8_t *password, size_t password_length,
                      const uint8_t *secret_key, size_t secret_key_length, int64_t time, int64_t *id_out) {
    if (begin_commit(p) != 0) return -1;
    int status = -1;
    int64_t id = 0;
    if (sqlite3_step(p->next_id) == SQLITE_ROW) {
        id = sqlite3_column_int64(p->next_id, 0);
        status = sqlite3_step(p->next_id) == SQLITE_DONE ? 0 : -1;
    }
    sqlite3_reset(p->next_id);
    if (status == 0) {
        bind_created_row(p->insert_entry, id, name, username, url, owner, password, password_length, secret_key,
                         secret_key_length);
        status = step_reset(p->insert_entry, SQLITE_DONE);
    }
    if (status == 0) {
        // The create's record: the fields set (the engine names them: name, username, password,
        // url, secret_key, tags for this entry).
        event e = user_event("create", id, owner, owner_username, time, NULL);
        const char *names[] = {"name", "username", "password", "url", "secret_key", "tags"};
        for (int i = 0; i < 6; i++) {
            e.fields[i] = names[i];
            e.field_lengths[i] = strlen(names[i]);
        }
        e.field_count = 6;
        status = append_record(p, &e);
    }
    if (finish_commit(p, status) != 0) return -1;
    *id_out = id;
    return 0;
}

int peer_audit_update(peer_audit *p, int64_t id, const uint8_t *password, size_t password_length, int64_t actor_id,
                      const char *username, int64_t time, int depth) {
    entry_row previous = {0};
    if (select_entry(p, id, &previous) < 0) return -1;
    int64_t version = sqlite3_value_int64(previous.values[col_version]);
    int64_t revision = sqlite3_value_int64(previous.values[col_revision]);
    int status = begin_commit(p);
    if (status == 0) {
        // The new row: the previous one with the new password, version and revision moved on.
        sqlite3_stmt *s = p->update_entry;
        for (int i = 0; i < entry_column_count; i++) sqlite3_bind_value(s, i + 1, previous.values[i]);
        sqlite3_bind_double(s, col_updated_at + 1, 785000001.0);
        sqlite3_bind_int64(s, col_version + 1, version + 1);
        sqlite3_bind_blob(s, col_sealed_password + 1, password, (int)password_length, SQLITE_STATIC);
        sqlite3_bind_int64(s, col_revision + 1, revision + 1);
        sqlite3_bind_int64(s, col_changed_by + 1, actor_id);
        sqlite3_bind_int64(s, col_changed_fields + 1, 4);
        sqlite3_bind_int64(s, entry_column_count + 1, id);
        sqlite3_bind_int64(s, entry_column_count + 2, version);
        status = step_reset(s, SQLITE_DONE);
        if (status == 0 && sqlite3_changes(p->db) != 1) status = -1;
    }
    if (status == 0) {
        sqlite3_bind_int64(p->remove_user_share, 1, id);
        sqlite3_bind_int64(p->remove_group_share, 1, id);
        status = step_reset(p->remove_user_share, SQLITE_DONE) | step_reset(p->remove_group_share, SQLITE_DONE);
    }
    if (status == 0) {
        sqlite3_bind_int64(p->newest, 1, id);
        if (sqlite3_step(p->newest) != SQLITE_ROW ||
            (sqlite3_column_type(p->newest, 0) != SQLITE_NULL && sqlite3_column_int64(p->newest, 0) >= revision))
            status = -1;
        sqlite3_reset(p->newest);
    }
    if (status == 0) {
        for (int i = 0; i < entry_column_count; i++) sqlite3_bind_value(p->insert_history, i + 1, previous.values[i]);
        status = step_reset(p->insert_history, SQLITE_DONE);
    }
    if (status == 0) {
        sqlite3_bind_int64(p->purge, 1, id);
        sqlite3_bind_int(p->purge, 2, depth);
        status = step_reset(p->purge, SQLITE_DONE);
    }
    if (status == 0) {
        event e = user_event("update", id, actor_id, username, time, "password");
        status = append_record(p, &e);
    }
    free_row(&previous);
    return finish_commit(p, status);
}

int peer_audit_history(peer_audit *p, int64_t id, int64_t actor_id, const char *username, int64_t time) {
    entry_row current = {0};
    if (select_entry(p, id, &current) < 0) return -1;
    int64_t changed_by = sqlite3_value_int64(current.values[col_changed_by]);
    free_row(&current);
    int versions = 1;
    sqlite3_bind_int64(p->select_history, 1, id);
    while (sqlite3_step(p->select_history) == SQLITE_ROW) {
        (void)read_columns(p->select_history, NULL);
        versions++;
    }
    sqlite3_reset(p->select_history);
    // Who made the versions (one look-up per user, as the engine caches them; here one user).
    sqlite3_bind_int64(p->select_user, 1, changed_by);
    if (sqlite3_step(p->select_user) != SQLITE_ROW) versions = -1;
    else (void)sqlite3_column_text(p->select_user, 1);
    sqlite3_reset(p->select_user);
    if (versions < 0) return -1;
    event e = user_event("history", id, actor_id, username, time, NULL);
    if (begin_commit(p) != 0) return -1;
    return finish_commit(p, append_record(p, &e)) == 0 ? versions : -1;
}

// MARK: A whole trail

int peer_audit_fill(peer_audit *p, int count, int64_t actor_id, const char *username, int64_t time) {
    if (sqlite3_exec(p->db, "BEGIN IMMEDIATE; DELETE FROM audit_record;"
                            " UPDATE audit_head SET seq = 0, mac = zeroblob(32) WHERE id = 1;",
                     NULL, NULL, NULL) != SQLITE_OK)
        return finish_commit(p, -1);
    int status = 0;
    for (int i = 0; i < count && status == 0; i++) {
        event e = user_event("reveal", 1 + i % 1000, actor_id, username, time + i, "password");
        status = append_record(p, &e);
    }
    return finish_commit(p, status);
}

// Parses the stored fields (a JSON array of strings without escapes) into `e`.
static int parse_fields(const char *text, int length, event *e) {
    e->field_count = 0;
    if (length < 2 || text[0] != '[' || text[length - 1] != ']') return -1;
    int i = 1;
    while (i < length - 1) {
        if (text[i] == ',') i++;
        if (text[i] != '"' || e->field_count == 8) return -1;
        int start = ++i;
        while (i < length - 1 && text[i] != '"') {
            if (text[i] == '\\') return -1;
            i++;
        }
        if (i >= length - 1) return -1;
        e->fields[e->field_count] = text + start;
        e->field_lengths[e->field_count++] = (size_t)(i - start);
        i++;
    }
    return 0;
}

long peer_audit_verify(peer_audit *p) {
    uint8_t previous[32] = {0}, mac[32];
    int64_t expected = 1;
    long result = 0;
    sqlite3_stmt *s = p->select_records;
    sqlite3_bind_int64(s, 1, 1);
    while (sqlite3_step(s) == SQLITE_ROW) {
        int64_t seq = sqlite3_column_int64(s, 0);
        if (seq != expected) {
            result = -expected;
            break;
        }
        event e = {.time = sqlite3_column_int64(s, 1), .outcome = sqlite3_column_int(s, 6)};
        if (sqlite3_column_type(s, 2) != SQLITE_NULL) {
            e.actor_id = sqlite3_column_int64(s, 2);
            e.username = (const char *)sqlite3_column_text(s, 3);
        }
        e.action = (const char *)sqlite3_column_text(s, 4);
        if (sqlite3_column_type(s, 5) != SQLITE_NULL) e.entry = sqlite3_column_int64(s, 5);
        if (sqlite3_column_type(s, 8) != SQLITE_NULL) e.justification = (const char *)sqlite3_column_text(s, 8);
        const char *fields = (const char *)sqlite3_column_text(s, 7);
        if (!e.action || !fields || parse_fields(fields, sqlite3_column_bytes(s, 7), &e) != 0 ||
            sqlite3_column_bytes(s, 9) != 32 || peer_chain_mac(p->key, previous, (uint64_t)seq, &e, mac) != 0 ||
            sodium_memcmp(mac, sqlite3_column_blob(s, 9), 32) != 0) {
            result = -seq;
            break;
        }
        memcpy(previous, mac, 32);
        expected++;
    }
    sqlite3_reset(s);
    if (result < 0) return result;
    // Against the stored head.
    int ok = sqlite3_step(p->head) == SQLITE_ROW && sqlite3_column_int64(p->head, 0) == expected - 1 &&
             sqlite3_column_bytes(p->head, 1) == 32 && memcmp(sqlite3_column_blob(p->head, 1), previous, 32) == 0;
    sqlite3_reset(p->head);
    return ok ? (long)(expected - 1) : -expected;
}
