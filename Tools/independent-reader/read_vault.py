#!/usr/bin/env python3
"""An independent reader of PasswordVault vaults, written from docs/format.md alone.

It proves that the document is complete: given a vault (a SQLite database or a single-file
vault) and its passphrase or raw key, it checks the vault header's checksum and MAC, unwraps
every data key and the audit key, opens every sealed value (checking that it is bound to its
entry and field), decodes the TOTP seed's plaintext, verifies the audit trail's keyed chain
against its head, and prints every entry with its secrets and policies, the access requests, and
the trail, as JSON.

Only the Python standard library and PyNaCl (libsodium) are used.

    read_vault.py VAULT (--passphrase-file FILE | --raw-key-file FILE) [--format sqlite|file]

The passphrase file's content is the passphrase as it is, except one trailing line break
(LF or CRLF) is dropped; the raw-key file holds the 32 key bytes (or 64 hex digits).
Exit status: 0 with the JSON on stdout; 1 with a message on stderr when anything is refused.
Section numbers (§N) are docs/format.md's.
"""

import argparse
import base64
import json
import sqlite3
import struct
import sys
import zlib

import nacl.bindings
import nacl.exceptions
import nacl.hashlib
import nacl.pwhash


class Refused(Exception):
    """The vault (or the credential) is not what docs/format.md describes."""


# §1: primitives.

def blake2b_256(message, key=b""):
    return nacl.hashlib.blake2b(message, digest_size=32, key=key).digest()


def kdf(master, subkey_id, context):
    """crypto_kdf_derive_from_key: BLAKE2b-256 keyed with the master key over the empty message,
    salt = id as 8 little-endian bytes + 8 zeros, personal = context + 8 zeros."""
    assert len(master) == 32 and len(context) == 8
    return nacl.hashlib.blake2b(
        b"", digest_size=32, key=master, salt=subkey_id.to_bytes(8, "little") + bytes(8),
        person=context + bytes(8)).digest()


def secretbox_open(sealed, nonce, key):
    """Tag (16) ‖ ciphertext under secretbox; None when the tag does not verify."""
    try:
        return nacl.bindings.crypto_secretbox_open(bytes(sealed), bytes(nonce), bytes(key))
    except nacl.exceptions.CryptoError:
        return None


# §3: the vault header.

HEADER_MAGIC = b"PWVH"
KIND_ARGON2ID, KIND_RAW_KEY = 1, 2
WRAPPED_KEY_BYTES = 4 + 24 + 48
WRAPPED_AUDIT_KEY_BYTES = 24 + 48


def parse_header(data):
    if len(data) < 37 or data[:4] != HEADER_MAGIC:
        raise Refused("not a PasswordVault header")
    if blake2b_256(data[:-32]) != data[-32:]:
        raise Refused("header checksum mismatch")
    version = data[4]
    if version not in (1, 2, 3):
        raise Refused(f"unsupported header version {version}")
    settings = 1 if version >= 2 else 0  # version 2 on: one byte, the history depth
    audit = WRAPPED_AUDIT_KEY_BYTES if version >= 3 else 0  # version 3: the wrapped audit key
    if len(data) < 41 + 4 + 64:
        raise Refused("header truncated")
    kind = data[5]
    salt = data[6:22]
    opslimit, memlimit = struct.unpack(">QQ", data[22:38])
    algorithm = data[38]
    (count,) = struct.unpack(">H", data[39:41])
    if count < 1:
        raise Refused("header holds no data key")
    if len(data) != 109 + settings + audit + WRAPPED_KEY_BYTES * count:
        raise Refused("header has the wrong length")
    if kind == KIND_ARGON2ID:
        if algorithm != 2:
            raise Refused("unsupported key derivation algorithm")
    elif kind == KIND_RAW_KEY:
        if salt != bytes(16) or opslimit != 0 or memlimit != 0 or algorithm != 0:
            raise Refused("key derivation parameters in a raw-key header")
    else:
        raise Refused(f"unknown key derivation kind {kind}")
    wrapped = []
    for index in range(count):
        offset = 41 + WRAPPED_KEY_BYTES * index
        (key_id,) = struct.unpack(">I", data[offset:offset + 4])
        wrapped.append((key_id, data[offset + 4:offset + 28], data[offset + 28:offset + 76]))
    end = 41 + WRAPPED_KEY_BYTES * count
    (current,) = struct.unpack(">I", data[end:end + 4])
    history_depth = data[end + 4] if settings else 10
    if history_depth > 100:
        raise Refused(f"a history depth of {history_depth} is outside 0 to 100")
    end += 4 + settings
    # The audit key (45+76n + 1 on): nonce (24) ‖ tag (16) ‖ key sealed with secretbox (32).
    wrapped_audit_key = (data[end:end + 24], data[end + 24:end + 72]) if audit else None
    end += audit
    ids = [key_id for key_id, _, _ in wrapped]
    if len(set(ids)) != len(ids):
        raise Refused("a data key id repeats")
    if current not in ids:
        raise Refused("the current data key is missing")
    return {
        "version": version, "kind": kind, "salt": salt, "opslimit": opslimit, "memlimit": memlimit,
        "wrapped": wrapped, "current": current, "history_depth": history_depth,
        "wrapped_audit_key": wrapped_audit_key, "authenticated": data[:end], "mac": data[end:end + 32],
    }


def key_encryption_key(header, passphrase, raw_key):
    if header["kind"] == KIND_RAW_KEY:
        if raw_key is None:
            raise Refused("wrong passphrase or key (the vault opens with a raw key)")
        return raw_key
    if passphrase is None:
        raise Refused("wrong passphrase or key (the vault opens with a passphrase)")
    return nacl.pwhash.argon2id.kdf(
        32, passphrase, header["salt"], opslimit=header["opslimit"], memlimit=header["memlimit"])


def unwrap_data_keys(header, kek):
    wrapping_key = kdf(kek, 1, b"PWVHEADR")
    mac_key = kdf(kek, 2, b"PWVHEADR")
    keys = {}
    current = next(w for w in header["wrapped"] if w[0] == header["current"])
    key = secretbox_open(current[2], current[1], wrapping_key)
    if key is None:
        raise Refused("wrong passphrase or key")
    keys[current[0]] = key
    if not nacl.bindings.sodium_memcmp(blake2b_256(header["authenticated"], mac_key), header["mac"]):
        raise Refused("header authentication failed (MAC)")
    for key_id, nonce, sealed in header["wrapped"]:
        if key_id == header["current"]:
            continue
        key = secretbox_open(sealed, nonce, wrapping_key)
        if key is None:
            raise Refused(f"data key {key_id} does not unwrap")
        keys[key_id] = key
    return keys


def unwrap_audit_key(header, kek):
    """The audit key (§3, header version 3), sealed like a data key under the wrapping key;
    None for an older header. Call after unwrap_data_keys, which checks the credential and MAC."""
    if header["wrapped_audit_key"] is None:
        return None
    nonce, sealed = header["wrapped_audit_key"]
    key = secretbox_open(sealed, nonce, kdf(kek, 1, b"PWVHEADR"))
    if key is None or len(key) != 32:
        raise Refused("the audit key does not unwrap")
    return key


# §4: sealed values.

FIELD_PASSWORD, FIELD_NOTES, FIELD_SECRET_KEY = 1, 2, 3
FIELD_NAMES = {FIELD_PASSWORD: "password", FIELD_NOTES: "notes", FIELD_SECRET_KEY: "secret_key"}


def open_sealed(sealed, data_keys, entry_id, field):
    where = f"entry {entry_id}, field {FIELD_NAMES[field]}"
    if len(sealed) < 54 or sealed[0] != 2:
        raise Refused(f"{where}: not a version 2 sealed value")
    (key_id,) = struct.unpack(">I", sealed[1:5])
    if key_id not in data_keys:
        raise Refused(f"{where}: sealed under unknown data key {key_id}")
    plaintext = secretbox_open(sealed[29:], sealed[5:29], data_keys[key_id])
    if plaintext is None:
        raise Refused(f"{where}: the sealed value does not authenticate")
    if plaintext[:9] != struct.pack(">QB", entry_id, field):
        raise Refused(f"{where}: the sealed value belongs to another entry or field")
    return key_id, plaintext[9:]


# §5: the secret key's plaintext.

ALGORITHMS = {1: "sha1", 2: "sha256", 3: "sha512"}


def decode_secret_key(plain):
    """Layout 1 (a bare seed) or 2 (a seed with its otpauth URI); "uri" is None for layout 1."""
    if len(plain) < 16 or plain[0] not in (1, 2):
        raise Refused("secret key plaintext: unknown layout")
    if plain[1] not in ALGORITHMS:
        raise Refused(f"secret key plaintext: unknown algorithm {plain[1]}")
    digits = plain[2]
    (period,) = struct.unpack(">I", plain[3:7])
    (t0,) = struct.unpack(">q", plain[7:15])
    if not 6 <= digits <= 10 or period < 1:
        raise Refused("secret key plaintext: digits or period out of range")
    uri = None
    if plain[0] == 1:
        seed = plain[15:]
    else:
        if len(plain) < 18:
            raise Refused("secret key plaintext: layout 2 too short")
        (length,) = struct.unpack(">H", plain[15:17])
        seed, text = plain[17:17 + length], plain[17 + length:]
        if length == 0 or len(seed) != length or not text:
            raise Refused("secret key plaintext: layout 2 without its seed or its URI")
        try:
            uri = text.decode("utf-8")
        except UnicodeDecodeError:
            raise Refused("secret key plaintext: the URI is not UTF-8") from None
        if not uri.startswith("otpauth://totp/") or t0 != 0:
            raise Refused("secret key plaintext: layout 2 holds no otpauth://totp/ URI")
    seed_base32 = base64.b32encode(seed).decode("ascii").rstrip("=")
    if uri is not None:
        # The URI names the same seed: its first parameter is secret=BASE32 (upper case, unpadded).
        query = uri.split("?", 1)[1] if "?" in uri else ""
        if query.split("&", 1)[0] != "secret=" + seed_base32:
            raise Refused("secret key plaintext: the URI and the seed disagree")
    return {
        "algorithm": ALGORITHMS[plain[1]], "digits": digits, "period": period, "t0": t0,
        "seed_base32": seed_base32, "uri": uri,
    }


# §6: the SQLite database.

def read_sqlite(path):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        (application_id,) = db.execute("PRAGMA application_id").fetchone()
        if application_id != 0x50575631:
            raise Refused(f"not a PasswordVault database (application_id {application_id:#x})")
        migrations = {row[0] for row in db.execute("SELECT identifier FROM grdb_migrations")}
        unknown = migrations - {"v1", "v2", "v3", "v4", "v5"}
        if unknown:
            raise Refused(f"written by a newer version (migration {sorted(unknown)[0]})")
        header = db.execute("SELECT bytes FROM vault_header WHERE id = 1").fetchone()
        (last_identifier,) = db.execute("SELECT last_value FROM identifier_counter WHERE id = 1").fetchone()
        users = [{"id": i, "username": u} for i, u in db.execute("SELECT id, username FROM vault_user ORDER BY id")]
        groups = []
        for key, name in db.execute("SELECT name_key, name FROM vault_group ORDER BY name_key"):
            members = [m for (m,) in db.execute(
                "SELECT member FROM group_member WHERE group_key = ? ORDER BY member_key", (key,))]
            groups.append({"name": name, "members": members})
        history_columns = "revision, changed_by, changed_fields" if "v3" in migrations else "version, owner, 0"
        # Migration v5 (§6): the policies and the rotation mark; before it, none of them.
        policy_columns = "need_justify, need_approval, needs_rotation" if "v5" in migrations else "0, 0, 0"
        columns = ("id, name, username, url, tags, owner, users_allowed, groups_allowed, is_active, "
                   "created_at, updated_at, version, sealed_password, sealed_secret_key, sealed_notes, "
                   + history_columns + ", " + policy_columns)
        entries = [sqlite_entry(row) for row in db.execute(f"SELECT {columns} FROM entry ORDER BY id")]
        if "v3" in migrations:
            by_id = {entry["identifier"]: entry for entry in entries}
            for row in db.execute(f"SELECT {columns} FROM entry_history ORDER BY id, revision"):
                old = sqlite_entry(row)
                if old["identifier"] not in by_id:
                    raise Refused(f"a history version of unknown entry {old['identifier']}")
                by_id[old["identifier"]]["history"].append(old)
        audit = read_sqlite_audit(db) if "v4" in migrations else None
        requests = read_sqlite_requests(db) if "v5" in migrations else None
    finally:
        db.close()
    return {"header": None if header is None else bytes(header[0]), "last_identifier": last_identifier,
            "users": users, "groups": groups, "entries": entries, "audit": audit, "requests": requests}


REQUEST_STATES = ["pending", "approved", "denied", "expired", "revoked"]


def read_sqlite_requests(db):
    """The access requests (migration v5, §6): access_request in identifier order, and the counter."""
    (last,) = db.execute("SELECT last_value FROM request_counter WHERE id = 1").fetchone()
    requests = []
    for row in db.execute(
            "SELECT id, entry, requester, requester_name, justification, minutes, state, approvals, denied_by, "
            "created_at, decided_at, expires_at, version FROM access_request ORDER BY id"):
        (request_id, entry, requester, requester_name, justification, minutes, state, approvals, denied_by,
         created_at, decided_at, expires_at, version) = row
        if state not in REQUEST_STATES:
            raise Refused(f"access request {request_id} has an unknown state")
        requests.append({
            "identifier": request_id, "entry": entry, "requester": requester, "requester_name": requester_name,
            "justification": justification, "minutes": minutes, "state": state, "approvals": json.loads(approvals),
            "denied_by": denied_by, "created_at": float(created_at),
            "decided_at": None if decided_at is None else float(decided_at),
            "expires_at": None if expires_at is None else float(expires_at),
            "version": version & 0xFFFFFFFFFFFFFFFF})
    return {"last_identifier": last, "requests": requests}


def read_sqlite_audit(db):
    """The audit trail (migration v4, §6): the rows of audit_record in seq order, and the head."""
    row = db.execute("SELECT seq, mac FROM audit_head WHERE id = 1").fetchone()
    if row is None or not isinstance(row[0], int) or not isinstance(row[1], bytes) or len(row[1]) != 32:
        raise Refused("the audit trail's head is missing or damaged")
    head = (row[0], bytes(row[1]))
    records = []
    for (seq, time, actor_id, actor_username, action, entry, outcome, fields, justification, mac) in db.execute(
            "SELECT seq, time, actor_id, actor_username, action, entry, outcome, fields, justification, mac "
            "FROM audit_record ORDER BY seq"):
        where = f"audit record {seq}"
        if not isinstance(time, int) or (actor_id is None) != (actor_username is None):
            raise Refused(f"{where}: a damaged time or actor")
        if action not in AUDIT_ACTIONS:
            raise Refused(f"{where}: an unknown action")
        if not isinstance(outcome, int) or not 0 <= outcome <= 65535:
            raise Refused(f"{where}: a damaged outcome")
        if not isinstance(mac, bytes) or len(mac) != 32:
            raise Refused(f"{where}: a MAC that is not 32 bytes")
        names = json.loads(fields)
        if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
            raise Refused(f"{where}: fields that are not a JSON array of strings")
        records.append({
            "seq": seq, "time": time,
            "actor": "vault" if actor_id is None else {"id": actor_id, "username": actor_username},
            "action": action, "entry": entry, "outcome": "ok" if outcome == 0 else str(outcome),
            "fields": names, "justification": justification, "mac": bytes(mac).hex(),
        })
    return {"records": records, "head": head}


# §8: the audit chain.

AUDIT_ACTIONS = {
    "create", "update", "reveal", "code", "history", "reveal_version", "restore", "disable", "enable", "delete",
    "request_access", "approve", "deny", "user_add", "group_add", "member_add", "member_remove",
    "passphrase_change", "key_rotation", "import", "export",
}


def text_field(text, length_bytes):
    data = text.encode("utf-8")
    return (struct.pack(">B", len(data)) if length_bytes == 1 else struct.pack(">H", len(data))) + data


def canonical_encoding(record):
    """The bytes a record's MAC covers (§8), version 1, big-endian."""
    out = bytes([1]) + struct.pack(">Qq", record["seq"], record["time"])
    actor = record["actor"]
    if actor == "vault":
        out += b"\x00"
    else:
        out += b"\x01" + struct.pack(">q", actor["id"]) + text_field(actor["username"], 2)
    out += text_field(record["action"], 1)
    out += b"\x00" if record["entry"] is None else b"\x01" + struct.pack(">q", record["entry"])
    out += struct.pack(">H", 0 if record["outcome"] == "ok" else int(record["outcome"]))
    out += struct.pack(">H", len(record["fields"])) + b"".join(text_field(name, 2) for name in record["fields"])
    justification = record["justification"]
    out += b"\x00" if justification is None else b"\x01" + text_field(justification, 2)
    return out


def verify_audit(records, head, audit_key):
    """Walks the chain from seq 1: mac(n) = BLAKE2b-256(key = audit key, mac(n-1) ‖ encoding(n)),
    mac(0) = 32 zero bytes; then compares the last record with the stored head. Returns None
    when intact, else (the first seq at which it breaks, why)."""
    previous_seq, previous_mac = 0, bytes(32)
    for record in records:
        if record["seq"] != previous_seq + 1:
            return previous_seq + 1, "a record is missing or out of order"
        mac = blake2b_256(previous_mac + canonical_encoding(record), audit_key)
        if not nacl.bindings.sodium_memcmp(mac, bytes.fromhex(record["mac"])):
            return record["seq"], "its MAC does not match"
        previous_seq, previous_mac = record["seq"], mac
    if previous_seq < head[0]:
        return previous_seq + 1, "the trail ends before its head"
    if (previous_seq, previous_mac) != head:
        return previous_seq, "the last record is not the stored head"
    return None


def sqlite_entry(row):
    (entry_id, name, username, url, tags, owner, users_allowed, groups_allowed, is_active,
     created_at, updated_at, version, password, secret_key, notes, revision, changed_by, changed_fields,
     need_justify, need_approval, needs_rotation) = row
    return {
        "identifier": entry_id, "name": name, "username": username, "url": url,
        "tags": json.loads(tags), "owner": owner,
        # canReveal is written only where it is false (§6): a share without it reveals.
        "users_allowed": [{"username": s["username"], "can_edit": s["canEdit"], "can_reveal": s.get("canReveal", True)}
                          for s in json.loads(users_allowed)],
        "groups_allowed": [{"name": s["name"], "can_edit": s["canEdit"], "can_reveal": s.get("canReveal", True)}
                           for s in json.loads(groups_allowed)],
        "is_active": bool(is_active), "created_at": float(created_at), "updated_at": float(updated_at),
        "version": version & 0xFFFFFFFFFFFFFFFF,
        "revision": revision & 0xFFFFFFFFFFFFFFFF, "changed_by": changed_by,
        "changed_fields": changed_field_names(changed_fields), "history": [],
        "need_justify": bool(need_justify), "need_approval": need_approval, "needs_rotation": bool(needs_rotation),
        "sealed": {FIELD_PASSWORD: password, FIELD_SECRET_KEY: secret_key, FIELD_NOTES: notes},
    }


# docs/format.md §6: the bits of changed_fields, bit 0 first.
CHANGED_FIELDS = ["name", "username", "password", "url", "secret_key", "notes", "tags", "users_allowed",
                  "groups_allowed", "is_active", "need_justify", "need_approval"]


def changed_field_names(mask):
    if mask >> len(CHANGED_FIELDS):
        raise Refused(f"unknown changed-field bits in {mask:#x}")
    return [name for bit, name in enumerate(CHANGED_FIELDS) if mask & (1 << bit)]


# §7: the single-file format.

FILE_MAGIC = bytes([0x89, 0x50, 0x57, 0x56, 0x0D, 0x0A, 0x1A, 0x0A])


class Payload:
    def __init__(self, data):
        self.data, self.offset = data, 0

    def take(self, count):
        if count < 0 or len(self.data) - self.offset < count:
            raise Refused("a field runs past the end of the payload")
        chunk = self.data[self.offset:self.offset + count]
        self.offset += count
        return chunk

    def u8(self):
        return self.take(1)[0]

    def u16(self):
        return struct.unpack("<H", self.take(2))[0]

    def u32(self):
        return struct.unpack("<I", self.take(4))[0]

    def u64(self):
        return struct.unpack("<Q", self.take(8))[0]

    def i64(self):
        return struct.unpack("<q", self.take(8))[0]

    def boolean(self):
        value = self.u8()
        if value not in (0, 1):
            raise Refused(f"{value} is not a boolean")
        return value == 1

    def bytes_(self):
        return self.take(self.u32())

    def string(self):
        try:
            return self.bytes_().decode("utf-8")
        except UnicodeDecodeError:
            raise Refused("a string is not valid UTF-8")

    def optional(self):
        return self.bytes_() if self.boolean() else None

    def date(self):
        return struct.unpack("<d", self.take(8))[0]


def file_entry(payload, version):
    entry = {"identifier": payload.i64(), "name": payload.string(), "username": payload.string(),
             "url": payload.string()}
    entry["tags"] = [payload.string() for _ in range(payload.u32())]
    entry["owner"] = payload.i64()
    # Format 5 (§7): each share's canReveal after its canEdit; before it, every share reveals.
    entry["users_allowed"] = [{"username": payload.string(), "can_edit": payload.boolean(),
                               "can_reveal": payload.boolean() if version >= 5 else True}
                              for _ in range(payload.u32())]
    entry["groups_allowed"] = [{"name": payload.string(), "can_edit": payload.boolean(),
                                "can_reveal": payload.boolean() if version >= 5 else True}
                               for _ in range(payload.u32())]
    entry["is_active"] = payload.boolean()
    entry["created_at"] = payload.date()
    entry["updated_at"] = payload.date()
    entry["version"] = payload.u64()
    if version >= 3:
        entry["revision"] = payload.u64()
        entry["changed_by"] = payload.i64()
        entry["changed_fields"] = changed_field_names(payload.u16())
    else:
        entry["revision"], entry["changed_by"], entry["changed_fields"] = entry["version"], entry["owner"], []
    entry["need_justify"], entry["need_approval"], entry["needs_rotation"] = False, 0, False
    if version >= 5:
        entry["need_justify"] = payload.boolean()
        entry["need_approval"] = payload.u8()
        if entry["need_approval"] > 5:
            raise Refused(f"entry {entry['identifier']} needs {entry['need_approval']} approvals")
        entry["needs_rotation"] = payload.boolean()
    entry["history"] = []
    password = payload.bytes_()
    secret_key = payload.optional()
    notes = payload.optional()
    entry["sealed"] = {FIELD_PASSWORD: password, FIELD_SECRET_KEY: secret_key, FIELD_NOTES: notes}
    return entry


def read_single_file(path):
    with open(path, "rb") as handle:
        data = handle.read()
    if data[:8] != FILE_MAGIC:
        raise Refused("not a PasswordVault file")
    if len(data) < 40:
        raise Refused("truncated file header")
    version, flags, _generation, length, payload_crc, header_crc = struct.unpack("<IIQQII", data[8:40])
    if version not in (1, 2, 3, 4, 5):
        raise Refused(f"file format version {version} is not supported")
    if zlib.crc32(data[:36]) != header_crc:
        raise Refused("the file header's checksum does not match")
    if flags != 0:
        raise Refused(f"unknown flags {flags}")
    if len(data) - 40 != length:
        raise Refused("the payload length does not match the file")
    if zlib.crc32(data[40:]) != payload_crc:
        raise Refused("the payload's checksum does not match")
    payload = Payload(data[40:])
    last_identifier = payload.i64()
    header = payload.optional()
    if version >= 2:
        payload.u64()  # the header generation (docs/format.md §7); version 1 has none
    users = [{"id": payload.i64(), "username": payload.string()} for _ in range(payload.u32())]
    groups = []
    for _ in range(payload.u32()):
        name = payload.string()
        groups.append({"name": name, "members": [payload.string() for _ in range(payload.u32())]})
    entries = [file_entry(payload, version) for _ in range(payload.u32())]
    if version >= 3:
        by_id = {entry["identifier"]: entry for entry in entries}
        for _ in range(payload.u32()):
            old = file_entry(payload, version)
            if old["identifier"] not in by_id:
                raise Refused(f"a history version of unknown entry {old['identifier']}")
            by_id[old["identifier"]]["history"].append(old)
    requests = None
    if version >= 5:
        requests = file_requests(payload, {entry["identifier"] for entry in entries})
    audit = None
    if version >= 4:
        head = (payload.u64(), bytes(payload.take(32)))
        records = []
        for position in range(1, payload.u32() + 1):
            record = decode_canonical(payload.bytes_())
            record["mac"] = bytes(payload.take(32)).hex()
            if record["seq"] != position:
                raise Refused(f"audit record {record['seq']} stands at position {position}")
            records.append(record)
        audit = {"records": records, "head": head}
    if payload.offset != len(payload.data):
        raise Refused("bytes left over after the last entry")
    return {"header": header, "last_identifier": last_identifier, "users": users, "groups": groups,
            "entries": entries, "audit": audit, "requests": requests}


def file_requests(payload, entry_ids):
    """The access requests of format 5 (§7): the counter, then each request, ascending."""
    last = payload.i64()
    requests, previous = [], 0
    for _ in range(payload.u32()):
        request = {"identifier": payload.i64(), "entry": payload.i64(), "requester": payload.i64(),
                   "requester_name": payload.string(), "justification": payload.string(), "minutes": payload.i64()}
        state = payload.u8()
        if state >= len(REQUEST_STATES):
            raise Refused(f"access request {request['identifier']} has an unknown state")
        request["state"] = REQUEST_STATES[state]
        request["approvals"] = [payload.i64() for _ in range(payload.u32())]
        request["denied_by"] = payload.i64() if payload.boolean() else None
        request["created_at"] = payload.date()
        request["decided_at"] = payload.date() if payload.boolean() else None
        request["expires_at"] = payload.date() if payload.boolean() else None
        request["version"] = payload.u64()
        if not previous < request["identifier"] <= last:
            raise Refused(f"access request {request['identifier']} is out of order or above the last identifier")
        if request["entry"] not in entry_ids:
            raise Refused(f"access request {request['identifier']} names unknown entry {request['entry']}")
        previous = request["identifier"]
        requests.append(request)
    return {"last_identifier": last, "requests": requests}


def decode_canonical(data):
    """A record from its canonical encoding (§8), strictly: every length within the bytes,
    UTF-8 text, flags 0 or 1, a positive entry, a known action, nothing left over."""
    offset = 0

    def take(count):
        nonlocal offset
        if len(data) - offset < count:
            raise Refused("an audit record's encoding is cut short")
        chunk = data[offset:offset + count]
        offset += count
        return chunk

    def text(length_bytes):
        (length,) = struct.unpack(">B" if length_bytes == 1 else ">H", take(length_bytes))
        try:
            return take(length).decode("utf-8")
        except UnicodeDecodeError:
            raise Refused("an audit record's text is not UTF-8") from None

    def flag():
        value = take(1)[0]
        if value not in (0, 1):
            raise Refused("an audit record's flag is neither 0 nor 1")
        return value == 1

    if take(1) != b"\x01":
        raise Refused("an audit record's encoding version is not 1")
    seq, time = struct.unpack(">Qq", take(16))
    actor = "vault"
    if flag():
        (actor_id,) = struct.unpack(">q", take(8))
        actor = {"id": actor_id, "username": text(2)}
    action = text(1)
    if action not in AUDIT_ACTIONS:
        raise Refused(f"audit record {seq}: an unknown action")
    entry = struct.unpack(">q", take(8))[0] if flag() else None
    if entry is not None and entry < 1:
        raise Refused(f"audit record {seq}: entry {entry} is not positive")
    (outcome,) = struct.unpack(">H", take(2))
    (count,) = struct.unpack(">H", take(2))
    fields = [text(2) for _ in range(count)]
    justification = text(2) if flag() else None
    if offset != len(data):
        raise Refused(f"audit record {seq}: bytes left over in its encoding")
    return {"seq": seq, "time": time, "actor": actor, "action": action, "entry": entry,
            "outcome": "ok" if outcome == 0 else str(outcome), "fields": fields,
            "justification": justification}


# §9: putting it together.

def open_entry(entry, data_keys):
    """Opens an entry's sealed values, and those of its old versions (docs/format.md §5)."""
    sealed = entry.pop("sealed")
    key_ids = {}
    key_ids["password"], password = open_sealed(
        sealed[FIELD_PASSWORD], data_keys, entry["identifier"], FIELD_PASSWORD)
    entry["password"] = password.decode("utf-8")
    entry["notes"] = None
    if sealed[FIELD_NOTES] is not None:
        key_ids["notes"], notes = open_sealed(sealed[FIELD_NOTES], data_keys, entry["identifier"], FIELD_NOTES)
        entry["notes"] = notes.decode("utf-8")
    entry["secret_key"] = None
    if sealed[FIELD_SECRET_KEY] is not None:
        key_ids["secret_key"], plain = open_sealed(
            sealed[FIELD_SECRET_KEY], data_keys, entry["identifier"], FIELD_SECRET_KEY)
        entry["secret_key"] = decode_secret_key(plain)
    entry["key_ids"] = key_ids
    entry["history"] = [open_entry(old, data_keys) for old in entry["history"]]
    return entry

def read_vault(path, container, passphrase, raw_key):
    if container is None:
        with open(path, "rb") as handle:
            container = "file" if handle.read(8) == FILE_MAGIC else "sqlite"
    store = read_single_file(path) if container == "file" else read_sqlite(path)
    if store["header"] is None:
        raise Refused("the vault has no header")
    previous = 0
    for entry in store["entries"]:
        if not previous < entry["identifier"] <= store["last_identifier"]:
            raise Refused(f"entry {entry['identifier']} is out of order or above the last identifier handed out")
        previous = entry["identifier"]
    header = parse_header(store["header"])
    kek = key_encryption_key(header, passphrase, raw_key)
    data_keys = unwrap_data_keys(header, kek)
    audit_key = unwrap_audit_key(header, kek)
    entries = [open_entry(entry, data_keys) for entry in store["entries"]]
    audit = None
    if store["audit"] is not None:
        records, head = store["audit"]["records"], store["audit"]["head"]
        if audit_key is None:
            # A header older than version 3 has no audit key: its trail must still be empty.
            broken = None if not records and head == (0, bytes(32)) else (1, "its MAC does not match")
        else:
            broken = verify_audit(records, head, audit_key)
        audit = {
            "head_seq": head[0], "head_mac": head[1].hex(), "intact": broken is None,
            "broken_seq": None if broken is None else broken[0], "reason": None if broken is None else broken[1],
            "records": records,
        }
    return {
        "container": container,
        "kdf": "argon2id" if header["kind"] == KIND_ARGON2ID else "raw-key",
        "opslimit": header["opslimit"], "memlimit": header["memlimit"],
        "data_key_ids": sorted(data_keys), "current_key_id": header["current"],
        "history_depth": header["history_depth"], "header_version": header["version"],
        "has_audit_key": audit_key is not None, "audit": audit,
        "last_identifier": store["last_identifier"], "users": store["users"], "groups": store["groups"],
        "entries": entries,
        "last_request_identifier": None if store["requests"] is None else store["requests"]["last_identifier"],
        "access_requests": None if store["requests"] is None else store["requests"]["requests"],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("vault")
    credential = parser.add_mutually_exclusive_group(required=True)
    credential.add_argument("--passphrase-file")
    credential.add_argument("--raw-key-file")
    parser.add_argument("--format", choices=["sqlite", "file"])
    arguments = parser.parse_args()
    passphrase = raw_key = None
    try:
        if arguments.passphrase_file is not None:
            with open(arguments.passphrase_file, "rb") as handle:
                passphrase = handle.read()
            for ending in (b"\r\n", b"\n"):
                if passphrase.endswith(ending):
                    passphrase = passphrase[:-len(ending)]
                    break
        else:
            with open(arguments.raw_key_file, "rb") as handle:
                raw_key = handle.read()
            if len(raw_key) != 32:
                raw_key = bytes.fromhex(raw_key.decode("ascii").strip())
            if len(raw_key) != 32:
                raise Refused("a raw key has 32 bytes")
        result = read_vault(arguments.vault, arguments.format, passphrase, raw_key)
    except (Refused, OSError, sqlite3.Error, ValueError) as error:
        print(f"read_vault: {error}", file=sys.stderr)
        return 1
    sys.stdout.buffer.write(json.dumps(result, ensure_ascii=False, indent=1).encode("utf-8") + b"\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
