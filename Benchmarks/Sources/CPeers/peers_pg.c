// The PostgreSQL peers (issue 15, docs/contract.md §14): what the PostgreSQL adapter
// (Sources/PasswordVaultPostgres) asks of the server for a create, a reveal, an update with
// history, a listing and a key rotation, each with its audit record where the engine writes one,
// from C on libpq. Every statement is the adapter's text, sent the way postgres-nio sends it (the
// extended protocol, one unnamed statement per call, results in binary), one round trip each, in
// the same order and the same transactions. See CPeers.h.
#include "CPeers.h"
#include "peers_chain.h"

#include <libpq-fe.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// The entry row's 25 columns in the adapter's order (PostgresRows.swift, EntryColumns.list).
#define PG_ENTRY_COLUMNS                                                                                              \
    "id, name, username, url, tags, owner, user_names, user_edit, user_reveal, group_names, group_edit, "             \
    "group_reveal, is_active, created_at, updated_at, version, sealed_password, sealed_secret_key, sealed_notes, "    \
    "revision, changed_by, changed_fields, need_justify, need_approval, needs_rotation"
enum { pg_columns = 25, pg_updated_at = 14, pg_version = 15, pg_sealed_password = 16, pg_sealed_secret_key = 17,
       pg_revision = 19, pg_changed_by = 20, pg_changed_fields = 21 };

// PostgresStorage+Commit.swift (Statements, EntryColumns) and PostgresStorage+Reads.swift.
static const char begin_sql[] = "BEGIN";
static const char commit_sql[] = "COMMIT";
static const char rollback_sql[] = "ROLLBACK";
static const char generation_sql[] = "SELECT generation FROM vault_header WHERE id = 1";
static const char generation_share_sql[] = "SELECT generation FROM vault_header WHERE id = 1 FOR SHARE";
static const char generation_next_sql[] =
    "SELECT (SELECT generation FROM vault_header WHERE id = 1 FOR SHARE), nextval('entry_id_seq')";
static const char head_sql[] = "SELECT seq, mac FROM audit_head WHERE id = 1";
static const char lock_head_sql[] = "SELECT seq, mac FROM audit_head WHERE id = 1 FOR UPDATE";
static const char select_entry_sql[] = "SELECT " PG_ENTRY_COLUMNS " FROM entry WHERE id = $1";
static const char page_sql[] = "SELECT " PG_ENTRY_COLUMNS " FROM entry WHERE id > $1 ORDER BY id LIMIT $2";
static const char history_sql[] = "SELECT " PG_ENTRY_COLUMNS " FROM entry_history WHERE id = $1 ORDER BY revision";
static const char newest_sql[] = "SELECT max(revision) FROM entry_history WHERE id = $1";
static const char purge_sql[] = "DELETE FROM entry_history WHERE id = $1 AND revision NOT IN\n"
                                "    (SELECT revision FROM entry_history WHERE id = $1 ORDER BY revision DESC LIMIT $2)";
static const char groups_sql[] = "SELECT g.name FROM group_member m JOIN vault_group g ON g.name_key = m.group_key\n"
                                 "WHERE m.member_key = $1";
static const char list_sql[] = "SELECT " PG_ENTRY_COLUMNS " FROM entry WHERE (owner = $1 OR user_keys @> $2::text[]"
                               " OR group_keys && $3::text[]) AND is_active ORDER BY id";
static const char append_sql[] =
    "WITH moved AS (UPDATE audit_head SET seq = $1, mac = $2 WHERE id = 1 AND seq = $3 AND mac = $4 RETURNING id),"
    " added AS (\n    INSERT INTO audit_record (seq, time, actor_id, actor_username, action, entry, outcome, fields,"
    " justification, mac)\n    SELECT * FROM (VALUES ($5::bigint, $6::bigint, $7::bigint, $8::text, $9::text,"
    " $10::bigint, $11::integer, $12::text[], $13::text, $14::bytea)) AS v WHERE EXISTS (SELECT 1 FROM moved)\n)\n"
    "SELECT count(*) FROM moved";

struct peer_pg {
    PGconn *conn;
    char insert_sql[1024], update_sql[1024], insert_history_sql[1024];
    uint8_t audit_key[32];
    int head_known;
    int64_t head_seq;
    uint8_t head_mac[32];
    uint8_t data_key[32];  // the rotation peer's current key
};

static void placeholders(char *out, size_t capacity, int from, int to) {
    size_t n = 0;
    for (int i = from; i <= to && n + 8 < capacity; i++) n += (size_t)snprintf(out + n, capacity - n, i > from ? ", $%d" : "$%d", i);
}

peer_pg *peer_pg_open(const char *socket_folder, const char *database, const char *user, const char *schema) {
    peer_pg *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    // The adapter's session settings (ConnectionPool.swift): no parallel workers.
    char options[200];
    snprintf(options, sizeof options,
             "-c search_path=%s -c client_min_messages=warning -c max_parallel_workers_per_gather=0", schema);
    const char *keys[] = {"host", "dbname", "user", "options", "connect_timeout", NULL};
    const char *values[] = {socket_folder, database, user, options, "10", NULL};
    p->conn = PQconnectdbParams(keys, values, 0);
    if (!p->conn || PQstatus(p->conn) != CONNECTION_OK) {
        if (p->conn) fprintf(stderr, "peer_pg_open: %s", PQerrorMessage(p->conn));
        peer_pg_close(p);
        return NULL;
    }
    char marks[512];
    placeholders(marks, sizeof marks, 1, pg_columns + 2);
    snprintf(p->insert_sql, sizeof p->insert_sql,
             "INSERT INTO entry (" PG_ENTRY_COLUMNS ", user_keys, group_keys) VALUES (%s)", marks);
    snprintf(p->update_sql, sizeof p->update_sql,
             "UPDATE entry SET (" PG_ENTRY_COLUMNS ", user_keys, group_keys) = (%s) WHERE id = $%d AND version = $%d"
             " RETURNING id",
             marks, pg_columns + 3, pg_columns + 4);
    placeholders(marks, sizeof marks, 1, pg_columns);
    snprintf(p->insert_history_sql, sizeof p->insert_history_sql,
             "INSERT INTO entry_history (" PG_ENTRY_COLUMNS ") VALUES (%s)", marks);
    randombytes_buf(p->audit_key, sizeof p->audit_key);
    randombytes_buf(p->data_key, sizeof p->data_key);
    return p;
}

void peer_pg_close(peer_pg *p) {
    if (!p) return;
    if (p->conn) PQfinish(p->conn);
    free(p);
}

// One statement: the extended protocol (PQexecParams, as postgres-nio's unnamed statements),
// results in binary. NULL when it failed.
static PGresult *run(peer_pg *p, const char *sql, int count, const char *const *values, const int *lengths,
                     const int *formats) {
    PGresult *r = PQexecParams(p->conn, sql, count, NULL, values, lengths, formats, 1);
    ExecStatusType status = PQresultStatus(r);
    if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) return r;
    PQclear(r);
    return NULL;
}

static int run_ok(peer_pg *p, const char *sql) {
    PGresult *r = run(p, sql, 0, NULL, NULL, NULL);
    if (!r) return -1;
    PQclear(r);
    return 0;
}

int peer_pg_exec(peer_pg *p, const char *sql) {
    PGresult *r = PQexec(p->conn, sql);
    ExecStatusType status = PQresultStatus(r);
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
        fprintf(stderr, "peer_pg_exec: %s", PQerrorMessage(p->conn));
        PQclear(r);
        return -1;
    }
    PQclear(r);
    return 0;
}

static int64_t get_int8(const char *b) {
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = v << 8 | (uint8_t)b[i];
    return (int64_t)v;
}
static void put_int8(char *b, int64_t value) {
    for (int i = 0; i < 8; i++) b[i] = (char)((uint64_t)value >> (56 - 8 * i));
}
static void put_int4(char *b, int32_t value) {
    for (int i = 0; i < 4; i++) b[i] = (char)((uint32_t)value >> (24 - 8 * i));
}
static void put_float8(char *b, double value) {
    uint64_t bits;
    memcpy(&bits, &value, 8);
    put_int8(b, (int64_t)bits);
}

// Every cell of every row, touched as the adapter's decoder reads them; the bytes read.
static long touch(const PGresult *r) {
    long bytes = 0;
    for (int row = 0; row < PQntuples(r); row++)
        for (int column = 0; column < PQnfields(r); column++) {
            int length = PQgetlength(r, row, column);
            if (length > 0) bytes += length + (PQgetvalue(r, row, column)[0] & 1);
        }
    return bytes;
}

// MARK: The audit record (the engine's AuditLog and the adapter's append)

static int read_head(peer_pg *p, const char *sql) {
    PGresult *r = run(p, sql, 0, NULL, NULL, NULL);
    if (!r || PQntuples(r) != 1 || PQgetlength(r, 0, 0) != 8 || PQgetlength(r, 0, 1) != 32) {
        if (r) PQclear(r);
        return -1;
    }
    p->head_seq = get_int8(PQgetvalue(r, 0, 0));
    memcpy(p->head_mac, PQgetvalue(r, 0, 1), 32);
    p->head_known = 1;
    PQclear(r);
    return 0;
}

// The record of `e` chained after the cached head, with the head moved in the same statement.
// 1: appended (the head cached is the new one); 0: another writer moved the head; -1: failure.
static int append_record(peer_pg *p, const event *e) {
    int64_t seq = p->head_seq + 1;
    uint8_t mac[32];
    if (peer_chain_mac(p->audit_key, p->head_mac, (uint64_t)seq, e, mac) != 0) return -1;
    char seq_text[24], after_text[24], time_text[24], actor_text[24], entry_text[24], outcome_text[8];
    char fields[512];
    snprintf(seq_text, sizeof seq_text, "%lld", (long long)seq);
    snprintf(after_text, sizeof after_text, "%lld", (long long)p->head_seq);
    snprintf(time_text, sizeof time_text, "%lld", (long long)e->time);
    snprintf(actor_text, sizeof actor_text, "%lld", (long long)e->actor_id);
    snprintf(entry_text, sizeof entry_text, "%lld", (long long)e->entry);
    snprintf(outcome_text, sizeof outcome_text, "%d", e->outcome);
    size_t n = 0;
    fields[n++] = '{';
    for (int i = 0; i < e->field_count && n + e->field_lengths[i] + 3 < sizeof fields; i++) {
        if (i) fields[n++] = ',';
        memcpy(fields + n, e->fields[i], e->field_lengths[i]);
        n += e->field_lengths[i];
    }
    fields[n++] = '}';
    fields[n] = 0;
    const char *values[14] = {seq_text, (const char *)mac, after_text, (const char *)p->head_mac, seq_text, time_text,
                              e->actor_id > 0 ? actor_text : NULL, e->actor_id > 0 ? e->username : NULL, e->action,
                              e->entry > 0 ? entry_text : NULL, outcome_text, fields, e->justification,
                              (const char *)mac};
    int lengths[14] = {0, 32, 0, 32, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32};
    int formats[14] = {0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    PGresult *r = run(p, append_sql, 14, values, lengths, formats);
    if (!r || PQntuples(r) != 1 || PQgetlength(r, 0, 0) != 8) {
        if (r) PQclear(r);
        return -1;
    }
    int64_t moved = get_int8(PQgetvalue(r, 0, 0));
    PQclear(r);
    if (moved != 1) return 0;
    p->head_seq = seq;
    memcpy(p->head_mac, mac, 32);
    return 1;
}

// The append as the adapter makes it: after the cached head; when another writer moved it, the
// head locked (FOR UPDATE: after the commits that hold it) and the record chained after that
// one, in the same transaction. 1: appended; -1: failure.
static int append_or_rechain(peer_pg *p, const event *e) {
    int appended = append_record(p, e);
    if (appended != 0) return appended;
    if (read_head(p, lock_head_sql) != 0) return -1;
    return append_record(p, e) == 1 ? 1 : -1;
}

// How many times a write retries after another writer moved the head (the AuditLog's bound).
enum { head_retries = 64 };

typedef int (*commit_body)(peer_pg *p, void *context, const PGresult *generation);

// A commit as the engine makes one: BEGIN, the header generation (`generation`), the change's
// own statements, the record after the head, COMMIT. Another writer having moved the head rolls
// it back; the head is read again (outside a transaction, as `auditHead()` is) and it is retried.
static int commit_with_record(peer_pg *p, const char *generation, commit_body body, void *context, const event *e) {
    for (int attempt = 0; attempt < head_retries; attempt++) {
        if (!p->head_known && read_head(p, head_sql) != 0) return -1;
        int appended = -1;
        if (run_ok(p, begin_sql) == 0) {
            PGresult *r = run(p, generation, 0, NULL, NULL, NULL);
            if (r && PQntuples(r) == 1 && body(p, context, r) == 0) appended = append_or_rechain(p, e);
            if (r) PQclear(r);
        }
        if (appended == 1 && run_ok(p, commit_sql) == 0) return 0;
        run_ok(p, rollback_sql);
        p->head_known = 0;
        if (appended != 0) return -1;
    }
    return -1;
}

// MARK: The operations

typedef struct {
    const char *name, *username, *url;
    int64_t owner, time;
    const uint8_t *password, *secret_key;
    size_t password_length, secret_key_length;
    int64_t id;
} create_job;

// The create's statements after the generation: the entry row (its identifier from the same
// statement as the generation, as the adapter's lockHeader asks for it).
static int insert_entry(peer_pg *p, void *context, const PGresult *generation) {
    create_job *c = context;
    if (PQgetlength(generation, 0, 1) != 8) return -1;
    c->id = get_int8(PQgetvalue(generation, 0, 1));
    char id[24], owner[24], created[32], changed_fields[8];
    snprintf(id, sizeof id, "%lld", (long long)c->id);
    snprintf(owner, sizeof owner, "%lld", (long long)c->owner);
    snprintf(created, sizeof created, "%.6f", (double)c->time / 1000.0 - 978307200.0);
    snprintf(changed_fields, sizeof changed_fields, "%d", 0);
    const char *values[pg_columns + 2] = {
        id, c->name, c->username, c->url, "{work}", owner, "{}", "{}", "{}", "{}", "{}", "{}", "t", created, created,
        "1", (const char *)c->password, (const char *)c->secret_key, NULL, "1", owner, changed_fields, "f", "0", "f",
        "{}", "{}"};
    int lengths[pg_columns + 2] = {0};
    int formats[pg_columns + 2] = {0};
    lengths[pg_sealed_password] = (int)c->password_length;
    lengths[pg_sealed_secret_key] = (int)c->secret_key_length;
    formats[pg_sealed_password] = formats[pg_sealed_secret_key] = 1;
    PGresult *r = run(p, p->insert_sql, pg_columns + 2, values, lengths, formats);
    if (!r) return -1;
    PQclear(r);
    return 0;
}

int64_t peer_pg_create(peer_pg *p, const char *name, const char *username, const char *url, int64_t owner,
                       const char *owner_username, const uint8_t *password, size_t password_length,
                       const uint8_t *secret_key, size_t secret_key_length, int64_t time) {
    create_job c = {name, username, url, owner, time, password, secret_key, password_length, secret_key_length, 0};
    event e = user_event("create", 0, owner, owner_username, time, NULL);
    const char *names[] = {"name", "username", "password", "url", "secret_key", "tags"};
    for (int i = 0; i < 6; i++) {
        e.fields[i] = names[i];
        e.field_lengths[i] = strlen(names[i]);
    }
    e.field_count = 6;
    // The record names the entry: its identifier is known once the first statement ran, so the
    // event is completed inside the body (the engine's `namesInserted`).
    for (int attempt = 0; attempt < head_retries; attempt++) {
        if (!p->head_known && read_head(p, head_sql) != 0) return -1;
        int appended = -1;
        if (run_ok(p, begin_sql) == 0) {
            PGresult *r = run(p, generation_next_sql, 0, NULL, NULL, NULL);
            if (r && PQntuples(r) == 1 && insert_entry(p, &c, r) == 0) {
                e.entry = c.id;
                appended = append_or_rechain(p, &e);
            }
            if (r) PQclear(r);
        }
        if (appended == 1 && run_ok(p, commit_sql) == 0) return c.id;
        run_ok(p, rollback_sql);
        p->head_known = 0;
        if (appended != 0) return -1;
    }
    return -1;
}

static int nothing(peer_pg *p, void *context, const PGresult *generation) {
    (void)p, (void)context, (void)generation;
    return 0;
}

static PGresult *select_by_id(peer_pg *p, const char *sql, int64_t id) {
    char text[24];
    snprintf(text, sizeof text, "%lld", (long long)id);
    const char *values[1] = {text};
    return run(p, sql, 1, values, NULL, NULL);
}

long peer_pg_reveal(peer_pg *p, int64_t id, int64_t actor_id, const char *username, int64_t time) {
    PGresult *r = select_by_id(p, select_entry_sql, id);
    if (!r || PQntuples(r) != 1) {
        if (r) PQclear(r);
        return -1;
    }
    long bytes = touch(r);
    PQclear(r);
    event e = user_event("reveal", id, actor_id, username, time, "password");
    return commit_with_record(p, generation_sql, nothing, NULL, &e) == 0 ? bytes : -1;
}

typedef struct {
    const PGresult *previous;
    int64_t id, actor_id, time;
    const uint8_t *password, *secret_key;
    size_t password_length, secret_key_length;
    int depth;
} update_job;

// The compare-and-set UPDATE of `row` with the new sealed values, version + 1 and (for an update,
// not a reseal) revision + 1; 0 when it matched the row.
static int update_row(peer_pg *p, const PGresult *r0, int row, const uint8_t *password, size_t password_length,
                      const uint8_t *secret_key, size_t secret_key_length, int new_revision, int64_t actor_id,
                      int64_t time) {
    const char *values[pg_columns + 4];
    int lengths[pg_columns + 4], formats[pg_columns + 4];
    for (int i = 0; i < pg_columns; i++) {
        values[i] = PQgetisnull(r0, row, i) ? NULL : PQgetvalue(r0, row, i);
        lengths[i] = PQgetlength(r0, row, i);
        formats[i] = 1;
    }
    int64_t version = get_int8(PQgetvalue(r0, row, pg_version));
    char version_next[8], revision_next[8], updated[8], changed_by[8], changed_fields[4];
    put_int8(version_next, version + 1);
    values[pg_version] = version_next;
    values[pg_sealed_password] = (const char *)password;
    lengths[pg_sealed_password] = (int)password_length;
    if (secret_key) {
        values[pg_sealed_secret_key] = (const char *)secret_key;
        lengths[pg_sealed_secret_key] = (int)secret_key_length;
    }
    if (new_revision) {
        put_int8(revision_next, get_int8(PQgetvalue(r0, row, pg_revision)) + 1);
        put_float8(updated, (double)time / 1000.0 - 978307200.0);
        put_int8(changed_by, actor_id);
        put_int4(changed_fields, 4);
        values[pg_revision] = revision_next;
        values[pg_updated_at] = updated;
        values[pg_changed_by] = changed_by;
        values[pg_changed_fields] = changed_fields;
    }
    char id_text[24], version_text[24];
    snprintf(id_text, sizeof id_text, "%lld", (long long)get_int8(PQgetvalue(r0, row, 0)));
    snprintf(version_text, sizeof version_text, "%lld", (long long)version);
    const char *tail[4] = {"{}", "{}", id_text, version_text};
    for (int i = 0; i < 4; i++) {
        values[pg_columns + i] = tail[i];
        lengths[pg_columns + i] = 0;
        formats[pg_columns + i] = 0;
    }
    PGresult *r = run(p, p->update_sql, pg_columns + 4, values, lengths, formats);
    int matched = r && PQntuples(r) == 1;
    if (r) PQclear(r);
    return matched ? 0 : -1;
}

// The update's statements after the generation: the row, then its history (newest revision,
// the old version, the purge beyond depth).
static int update_with_history(peer_pg *p, void *context, const PGresult *generation) {
    (void)generation;
    update_job *u = context;
    if (update_row(p, u->previous, 0, u->password, u->password_length, NULL, 0, 1, u->actor_id, u->time) != 0) return -1;
    PGresult *r = select_by_id(p, newest_sql, u->id);
    if (!r) return -1;
    int64_t revision = get_int8(PQgetvalue(u->previous, 0, pg_revision));
    int stale = PQntuples(r) == 1 && !PQgetisnull(r, 0, 0) && get_int8(PQgetvalue(r, 0, 0)) >= revision;
    PQclear(r);
    if (stale) return -1;
    const char *values[pg_columns];
    int lengths[pg_columns], formats[pg_columns];
    for (int i = 0; i < pg_columns; i++) {
        values[i] = PQgetisnull(u->previous, 0, i) ? NULL : PQgetvalue(u->previous, 0, i);
        lengths[i] = PQgetlength(u->previous, 0, i);
        formats[i] = 1;
    }
    r = run(p, p->insert_history_sql, pg_columns, values, lengths, formats);
    if (!r) return -1;
    PQclear(r);
    char id_text[24], depth_text[8];
    snprintf(id_text, sizeof id_text, "%lld", (long long)u->id);
    snprintf(depth_text, sizeof depth_text, "%d", u->depth);
    const char *purge[2] = {id_text, depth_text};
    r = run(p, purge_sql, 2, purge, NULL, NULL);
    if (!r) return -1;
    PQclear(r);
    return 0;
}

int peer_pg_update(peer_pg *p, int64_t id, const uint8_t *password, size_t password_length, int64_t actor_id,
                   const char *username, int64_t time, int depth) {
    PGresult *previous = select_by_id(p, select_entry_sql, id);
    if (!previous || PQntuples(previous) != 1) {
        if (previous) PQclear(previous);
        return -1;
    }
    touch(previous);
    update_job u = {previous, id, actor_id, time, password, NULL, password_length, 0, depth};
    event e = user_event("update", id, actor_id, username, time, "password");
    int status = commit_with_record(p, generation_share_sql, update_with_history, &u, &e);
    PQclear(previous);
    return status;
}

long peer_pg_list(peer_pg *p, int64_t owner, const char *username_key) {
    const char *member[1] = {username_key};
    PGresult *r = run(p, groups_sql, 1, member, NULL, NULL);
    if (!r) return -1;
    // The groups as a text[] literal (their names here are plain words).
    char groups[1024] = "{";
    size_t n = 1;
    for (int i = 0; i < PQntuples(r) && n + (size_t)PQgetlength(r, i, 0) + 3 < sizeof groups; i++) {
        if (i) groups[n++] = ',';
        memcpy(groups + n, PQgetvalue(r, i, 0), (size_t)PQgetlength(r, i, 0));
        n += (size_t)PQgetlength(r, i, 0);
    }
    groups[n++] = '}';
    groups[n] = 0;
    PQclear(r);
    char owner_text[24], user_keys[256];
    snprintf(owner_text, sizeof owner_text, "%lld", (long long)owner);
    snprintf(user_keys, sizeof user_keys, "{%s}", username_key);
    const char *values[3] = {owner_text, user_keys, groups};
    r = run(p, list_sql, 3, values, NULL, NULL);
    if (!r) return -1;
    touch(r);
    long rows = PQntuples(r);
    PQclear(r);
    return rows;
}

typedef struct {
    peer_pg *connection;
    int count;
    const char *name, *username, *url, *owner_username;
    int64_t owner, time;
    const uint8_t *password, *secret_key;
    size_t password_length, secret_key_length;
    int status;
} creates_job;

static void *run_creates(void *argument) {
    creates_job *job = argument;
    for (int i = 0; i < job->count && job->status == 0; i++)
        if (peer_pg_create(job->connection, job->name, job->username, job->url, job->owner, job->owner_username,
                           job->password, job->password_length, job->secret_key, job->secret_key_length,
                           job->time) < 0)
            job->status = -1;
    return NULL;
}

int peer_pg_create_threads(peer_pg *const *connections, int threads, int per_thread, const char *name,
                           const char *username, const char *url, int64_t owner, const char *owner_username,
                           const uint8_t *password, size_t password_length, const uint8_t *secret_key,
                           size_t secret_key_length, int64_t time) {
    if (threads > 64) return -1;
    pthread_t handles[64];
    creates_job jobs[64];
    int started = 0, status = 0;
    for (int t = 0; t < threads; t++) {
        jobs[t] = (creates_job){connections[t], per_thread, name, username, url, owner_username, owner, time,
                                password, secret_key, password_length, secret_key_length, 0};
        if (pthread_create(&handles[t], NULL, run_creates, &jobs[t]) != 0) {
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

// MARK: Rotation

// A sealed value of the rotation peer: `pad` bytes (the place of the library's layout and
// binding), then libsodium's secretbox (nonce ‖ tag ‖ ciphertext) under `key`.
enum { rotation_pad = 14 };

static int seal(const uint8_t *key, const uint8_t *message, size_t length, uint8_t *out) {
    memset(out, 0, rotation_pad);
    uint8_t *nonce = out + rotation_pad;
    randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
    return crypto_secretbox_easy(nonce + crypto_secretbox_NONCEBYTES, message, length, nonce, key);
}

size_t peer_pg_sealed_length(size_t length) {
    return rotation_pad + crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + length;
}

int peer_pg_fill(peer_pg *p, int count, int64_t owner_base, const uint8_t *password, size_t password_length,
                 const uint8_t *secret_key, size_t secret_key_length) {
    uint8_t sealed_password[512], sealed_secret_key[512];
    if (peer_pg_sealed_length(password_length) > sizeof sealed_password ||
        peer_pg_sealed_length(secret_key_length) > sizeof sealed_secret_key)
        return -1;
    if (seal(p->data_key, password, password_length, sealed_password) != 0 ||
        seal(p->data_key, secret_key, secret_key_length, sealed_secret_key) != 0)
        return -1;
    char count_text[24], base_text[24];
    snprintf(count_text, sizeof count_text, "%d", count);
    snprintf(base_text, sizeof base_text, "%lld", (long long)owner_base);
    const char *values[4] = {count_text, base_text, (const char *)sealed_password, (const char *)sealed_secret_key};
    int lengths[4] = {0, 0, (int)peer_pg_sealed_length(password_length), (int)peer_pg_sealed_length(secret_key_length)};
    int formats[4] = {0, 0, 1, 1};
    PGresult *r = run(
        p,
        "INSERT INTO entry (" PG_ENTRY_COLUMNS ", user_keys, group_keys)"
        " SELECT nextval('entry_id_seq'), 'entry ' || i, 'svc', 'https://db.example.com/admin', '{work}',"
        " $2::bigint + i % 1000, '{}', '{}', '{}', '{}', '{}', '{}', true, 0, 0, 1, $3::bytea, $4::bytea, NULL, 1,"
        " $2::bigint + i % 1000, 0, false, 0, false, '{}', '{}' FROM generate_series(1, $1::integer) AS i",
        4, values, lengths, formats);
    if (!r) {
        fprintf(stderr, "peer_pg_fill: %s", PQerrorMessage(p->conn));
        return -1;
    }
    PQclear(r);
    return 0;
}

typedef struct {
    const PGresult *page;
    int row;
} reseal_job;

static int open_sealed(const uint8_t *key, const char *sealed, int length, uint8_t *out) {
    int overhead = rotation_pad + crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES;
    if (length < overhead) return -1;
    const uint8_t *nonce = (const uint8_t *)sealed + rotation_pad;
    return crypto_secretbox_open_easy(out, nonce + crypto_secretbox_NONCEBYTES,
                                      (unsigned long long)(length - rotation_pad - crypto_secretbox_NONCEBYTES), nonce,
                                      key);
}

// One page of entries after `cursor`; NULL on failure.
static PGresult *page(peer_pg *p, int64_t cursor, int limit) {
    char after[24], count[16];
    snprintf(after, sizeof after, "%lld", (long long)cursor);
    snprintf(count, sizeof count, "%d", limit);
    const char *values[2] = {after, count};
    return run(p, page_sql, 2, values, NULL, NULL);
}

long peer_pg_rotate(peer_pg *p, int batch) {
    uint8_t next_key[32];
    randombytes_buf(next_key, sizeof next_key);
    // The engine counts the entries first (a pass of pages), then reseals page by page.
    long total = 0;
    for (int64_t cursor = 0;;) {
        PGresult *r = page(p, cursor, batch);
        if (!r) return -1;
        int rows = PQntuples(r);
        if (rows > 0) cursor = get_int8(PQgetvalue(r, rows - 1, 0));
        total += rows;
        PQclear(r);
        if (rows == 0) break;
    }
    long resealed = 0;
    for (int64_t cursor = 0;;) {
        PGresult *r = page(p, cursor, batch);
        if (!r) return -1;
        int rows = PQntuples(r);
        for (int row = 0; row < rows; row++) {
            int64_t id = get_int8(PQgetvalue(r, row, 0));
            PGresult *history = select_by_id(p, history_sql, id);
            if (!history) goto fail;
            touch(history);
            PQclear(history);
            uint8_t plain_password[512], plain_secret[512], sealed_password[600], sealed_secret[600];
            int password_length = PQgetlength(r, row, pg_sealed_password);
            int secret_length = PQgetlength(r, row, pg_sealed_secret_key);
            int overhead = (int)peer_pg_sealed_length(0);
            if (password_length > 500 || secret_length > 500 || password_length < overhead ||
                secret_length < overhead ||
                open_sealed(p->data_key, PQgetvalue(r, row, pg_sealed_password), password_length, plain_password) ||
                open_sealed(p->data_key, PQgetvalue(r, row, pg_sealed_secret_key), secret_length, plain_secret) ||
                seal(next_key, plain_password, (size_t)(password_length - overhead), sealed_password) ||
                seal(next_key, plain_secret, (size_t)(secret_length - overhead), sealed_secret))
                goto fail;
            sodium_memzero(plain_password, sizeof plain_password);
            sodium_memzero(plain_secret, sizeof plain_secret);
            int status = -1;
            if (run_ok(p, begin_sql) == 0) {
                PGresult *g = run(p, generation_share_sql, 0, NULL, NULL, NULL);
                if (g && PQntuples(g) == 1 &&
                    update_row(p, r, row, sealed_password, (size_t)password_length, sealed_secret, (size_t)secret_length,
                               0, 0, 0) == 0)
                    status = run_ok(p, commit_sql);
                if (g) PQclear(g);
                if (status != 0) run_ok(p, rollback_sql);
            }
            if (status != 0) goto fail;
            resealed++;
        }
        if (rows > 0) cursor = get_int8(PQgetvalue(r, rows - 1, 0));
        PQclear(r);
        if (rows == 0) break;
        continue;
    fail:
        PQclear(r);
        return -1;
    }
    memcpy(p->data_key, next_key, sizeof next_key);
    sodium_memzero(next_key, sizeof next_key);
    return resealed == total ? resealed : -1;
}
