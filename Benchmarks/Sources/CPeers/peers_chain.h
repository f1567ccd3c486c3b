// What the audit peers share (peers_audit.c for SQLite, peers_pg.c for PostgreSQL): an event
// and its chained MAC, as Sources/PasswordVault/Audit/AuditRecord+Encoding.swift encodes it.
// Internal to CPeers (not in include/: Swift does not see it).
#ifndef PEERS_CHAIN_H
#define PEERS_CHAIN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

// One event of the peers: a user's (actor_id > 0, else the vault's), fields and their count.
typedef struct {
    int64_t time, actor_id, entry;
    const char *username, *action;
    int outcome, field_count;
    const char *fields[8];
    size_t field_lengths[8];
    const char *justification;
} event;

// mac(n) = BLAKE2b-256(key, mac(n-1) ‖ canonical encoding of record n); 0 on success.
int peer_chain_mac(const uint8_t *key, const uint8_t *previous, uint64_t seq, const event *e, uint8_t *mac);

static inline event user_event(const char *action, int64_t entry, int64_t actor_id, const char *username, int64_t time,
                        const char *field) {
    event e = {.time = time, .actor_id = actor_id, .entry = entry, .username = username, .action = action};
    if (field) {
        e.fields[0] = field;
        e.field_lengths[0] = strlen(field);
        e.field_count = 1;
    }
    return e;
}

#endif
