/*
 * audit.h - the tamper-evident audit trail (docs/audit.md).
 *
 * Every entry carries the CJIS Security Policy 5.4.1.1 fields: time (UTC
 * ISO-8601), component, user, agency, action (event type), target ids,
 * outcome, plus a short detail. Entries are numbered 1, 2, 3... (seq) and
 * chained: hash(n) = BLAKE2b-256(hash(n-1) || seq || every field), each field
 * length-prefixed so no two entries serialise alike. The hash before the
 * first entry is 32 zero bytes.
 *
 * `audit_verify` recomputes the chain: an edited entry breaks its own hash, a
 * deleted one leaves a gap in seq and breaks the next link, a reordering
 * breaks the links around it. The head (last seq and hash) is also kept in
 * its own row and checked, so deleting the newest entries is caught too.
 *
 * Retention (`audit_prune`): entries older than the retention period are
 * removed from the front of the chain; the hash of the last removed entry is
 * kept as the new anchor, and the pruning itself is appended as an entry
 * ("audit.prune") that names the anchor, so verification starts at the
 * anchor and an anchor edited after the fact contradicts the chained record.
 *
 * Table: audit_log / audit_meta (module "audit"). Append-only by contract:
 * nothing in Puente updates or deletes entries except audit_prune.
 * Appends join the caller's transaction when one is open, so a change and
 * its audit entry commit together.
 */
#ifndef PU_AUDIT_H
#define PU_AUDIT_H

#include <stdint.h>
#include <stdio.h>
#include "common/pu.h"
#include "db/db.h"

#define AUDIT_HASH_HEX 65            /* 64 hex digits + NUL */
#define AUDIT_DEFAULT_RETENTION_DAYS 365
#define AUDIT_FIELD_MAX 4096         /* longer fields are truncated (marked "...") */

/* One event to record. Any field may be NULL (stored as ""). */
typedef struct audit_event {
    const char *component;  /* "http", "cli" */
    const char *user;       /* user name, "-" when unauthenticated */
    const char *agency;     /* the user's agency acronym */
    const char *action;     /* "entity.read", "login", "user.add", ... */
    const char *targets;    /* comma-separated target ids */
    const char *outcome;    /* "success", "denied", "not_found", "invalid", ... */
    const char *detail;     /* free text: query, counts, reason */
    const char *source;     /* where the request came from: the client
                               address ("203.0.113.7"), "cli" for the CLI */
    const char *purpose;    /* the stated purpose of a read of case data */
} audit_event;

/* Create/upgrade the audit tables. Errors: PU_ERR_DB, PU_ERR_CONFLICT. */
int audit_migrate(db_t *db, pu_err *err);

/* Append one entry (time = now). Errors: PU_ERR_DB (the caller must treat a
 * failed audit as a failed request), PU_ERR_NOMEM. */
int audit_append(db_t *db, const audit_event *ev, pu_err *err);
/* Append n entries in order, all with the time now, in one transaction (the
 * head is read and the statements prepared once: for group commit).
 * Errors as audit_append; on error none of them is written. */
int audit_append_many(db_t *db, const audit_event *const *evs, size_t n, pu_err *err);
/* Same as audit_append with an explicit timestamp "YYYY-MM-DDTHH:MM:SSZ" (tests, imports). */
int audit_append_at(db_t *db, const audit_event *ev, const char *ts, pu_err *err);

/* ---- the audit journal (audit_journal.c) ----
 *
 * Why: a read request must not be answered before its audit entry is safe
 * (fail closed), but a store transaction per request (or per small batch,
 * with the request waiting for it) costs more than the request. The journal
 * is an append-only staging file, mapped into the server, at a path the
 * caller gives (configuration: `puente serve --audit-journal`,
 * $PUENTE_AUDIT_JOURNAL, by default next to an SQLite store file; see
 * cli_audit_journal_path):
 * audit_journal_append copies the entry into it as one line and returns (no
 * system call); a background thread appends the entries to the chain
 * (audit_log) in large batches, within AUDIT_JOURNAL_FLUSH_MS, and recycles
 * the file's space once its entries are in the chain. An entry whose append
 * returned survives a crash of the process (the bytes are in the kernel's
 * page cache): the next audit_journal_open or audit_journal_recover puts it
 * in the chain. That is the same guarantee as a store commit with SQLite's
 * synchronous=NORMAL (the store's setting), which does not fsync either.
 * The file has a fixed size (2 x AUDIT_JOURNAL_HALF, reserved on disk at
 * open); if the chain cannot be written for so long that both halves fill
 * up, appends fail (fail closed) until it can.
 *
 * Several servers on one store (PostgreSQL): each keeps its own journal
 * file on its own disk. A journal has an id (32 hex digits, made when a
 * server opens it, written in its header); its entries are numbered 1, 2,
 * 3... (jid) and table audit_journal holds, per journal id, the newest jid
 * in the chain (seq), updated in the same transaction as the entries and
 * under the store's write lock, so ingesting is idempotent per journal and
 * two ingesters (a server and `puente audit verify` run beside it) never
 * append an entry twice. The chain's order is the order of ingestion
 * (within one journal: jid order). A journal file without an id (written
 * before ids existed, or by hand) has the id "" (its mark was
 * audit_meta.journal_seq, moved by migration 6). Each line: jid, ts, then the nine event fields (seven in lines written before source and purpose), separated
 * by tabs; \\, \t, \n, \r and other control bytes are escaped (\xHH).
 * The chain hash is computed when an entry reaches audit_log (in jid order),
 * so seq order = jid order for journal entries. Entries written inside a
 * change's transaction (audit_append) do not use the journal. */
#define AUDIT_JOURNAL_FLUSH_MS 20        /* ingest at least this often */
#define AUDIT_JOURNAL_BACKLOG 200000     /* entries waiting for the chain; more is PU_ERR_LIMIT */
#define AUDIT_JOURNAL_HALF ((size_t)32 << 20)   /* the file is two halves (audit_journal.c) */
#define AUDIT_JOURNAL_SWITCH ((size_t)4 << 20)  /* move to the other half once this much is used */

/* One journal entry as it reaches the chain. */
typedef struct audit_staged {
    int64_t jid;
    char ts[24];        /* "YYYY-MM-DDTHH:MM:SSZ" of the request */
    audit_event ev;
} audit_staged;

/* Append staged entries of the journal journal_id (NULL = "") to the chain,
 * in one transaction (the caller's, if open), skipping those whose jid is
 * already in it (<= that journal's seq in audit_journal). The rest must
 * continue that seq without a gap (else PU_ERR_INVALID, naming the missing
 * jid, and nothing is written). *applied (may be NULL) = entries appended.
 * Errors: PU_ERR_INVALID, PU_ERR_DB, PU_ERR_NOMEM. */
int audit_append_staged(db_t *db, const char *journal_id, const audit_staged *ents, size_t n, int64_t *applied, pu_err *err);
/* This store's trail id (32 hex digits), made on first use. A journal
 * carries the id of the store it belongs to, so a journal left beside a
 * store that was replaced is never put into the new store's chain.
 * Errors: PU_ERR_DB. */
#define AUDIT_STORE_ID_HEX 33
int audit_store_id(db_t *db, char out[AUDIT_STORE_ID_HEX], pu_err *err);
/* The newest jid of journal journal_id (NULL = "") already in the chain (0
 * if none). Errors: PU_ERR_DB. */
int audit_journal_seq(db_t *db, const char *journal_id, int64_t *out, pu_err *err);
/* Record a new journal (seq 0) with the host and path of the server that
 * writes it, so an auditor sees which journals feed the chain (`puente
 * audit journals`). Errors: PU_ERR_INVALID (empty id), PU_ERR_CONFLICT
 * (the id already has entries in the chain), PU_ERR_DB. */
#define AUDIT_JOURNAL_ID_HEX 33
int audit_journal_register(db_t *db, const char *journal_id, const char *host, const char *path, pu_err *err);
/* The journals known to the chain, oldest first. *out (free()) holds *n
 * rows. Errors: PU_ERR_DB, PU_ERR_NOMEM. */
typedef struct audit_journal_info {
    char journal_id[AUDIT_JOURNAL_ID_HEX];
    int64_t seq;            /* newest jid in the chain */
    char host[256];
    char path[1024];
    char started[24];       /* when the server registered it ("" for the journal before ids) */
    char last_flush[24];    /* last ingestion of its entries ("" none) */
} audit_journal_info;
int audit_journal_list(db_t *db, audit_journal_info **out, size_t *n, pu_err *err);

typedef struct audit_journal audit_journal;

/* Open (create) the journal at path for the store db_path, for the life of a
 * server: takes an exclusive lock on it (PU_ERR_CONFLICT when another process
 * holds it: two servers never share one journal file), puts what a previous
 * run left into the chain, empties the file, gives it a new journal id
 * (registered with this host and path: audit_journal_register) and starts
 * the ingest thread (with its own store connection). A journal
 * that cannot be read back (a gap, a malformed line other than a torn last
 * line) is PU_ERR_INVALID naming the file and line: the server must not
 * start over an audit trail it cannot complete. *out is owned by the caller
 * (audit_journal_close). Errors: those, PU_ERR_IO, PU_ERR_DB, PU_ERR_NOMEM. */
int audit_journal_open(const char *path, const char *db_path, audit_journal **out, pu_err *err);
/* The same with halves of `half` bytes (a multiple of 4096 up to
 * AUDIT_JOURNAL_HALF; appends switch halves at half/8): for tests that fill
 * the journal. Errors: as audit_journal_open, PU_ERR_INVALID for half. */
int audit_journal_open_sized(const char *path, const char *db_path, size_t half, audit_journal **out, pu_err *err);
/* Record ev (time now). Thread-safe. PU_OK once the line is in the file's
 * mapping (see above); then the caller may answer. Errors (the caller must
 * fail the request): PU_ERR_LIMIT (the journal is full or more than
 * AUDIT_JOURNAL_BACKLOG entries wait, because the chain cannot be written;
 * err says why), PU_ERR_INTERRUPTED (closed), PU_ERR_NOMEM. ev is copied. */
int audit_journal_append(audit_journal *j, const audit_event *ev, pu_err *err);
/* Wait until every entry appended before this call is in the chain (e.g.
 * before the audit trail is read over HTTP). Errors: PU_ERR_DB (the chain
 * could not be written within 10 s; err says why), PU_ERR_INTERRUPTED. */
int audit_journal_sync(audit_journal *j, pu_err *err);
/* The id of this journal (32 hex digits), owned by j. */
const char *audit_journal_id(const audit_journal *j);
/* Put everything in the chain, empty the file, stop the thread, close,
 * free. NULL-safe. Entries that cannot be put in the chain stay in the file
 * for the next open (reported on stderr). */
void audit_journal_close(audit_journal *j);
/* For the CLI (verify, export, prune): put the entries of the journal at
 * path that are not yet in the chain into it, through db. Works beside a
 * running server (idempotent; the server's own thread then skips them). A
 * missing file is 0 entries. When no server holds the journal, the file is
 * emptied afterwards. *n (may be NULL) = entries appended.
 * Errors: PU_ERR_INVALID (file:line), PU_ERR_CONFLICT (the journal belongs
 * to another store: audit_store_id), PU_ERR_IO, PU_ERR_DB. */
int audit_journal_recover(db_t *db, const char *path, int64_t *n, pu_err *err);
/* Parse journal text (buf, len) into entries (for recovery and the fuzz
 * target). Complete lines only; a last line without its newline (a torn
 * write) is left out and counted in *torn. *out (free with
 * audit_staged_free) holds *n entries whose strings point into *store.
 * Errors: PU_ERR_INVALID naming "name:line" and the field, PU_ERR_NOMEM. */
int audit_journal_parse(const char *name, const char *buf, size_t len, audit_staged **out, size_t *n, char **store,
                        size_t *torn, pu_err *err);
void audit_staged_free(audit_staged *ents, char *store);
/* Parse a journal file's header line hdr (NUL-terminated; "puente-audit-
 * journal v1 store=ID half=N[ journal=JID]"): store id, half size (0 and
 * PU_OK when hdr is not a header: a file written by hand) and journal id
 * ("" in a header of before journal ids). For recovery and the fuzz
 * target. Errors: PU_ERR_INVALID naming `name` and the field. */
int audit_journal_header(const char *name, const char *hdr, char store[AUDIT_STORE_ID_HEX], size_t *half,
                         char jid[AUDIT_JOURNAL_ID_HEX], pu_err *err);

/* Result of a verification. */
typedef struct audit_report {
    int64_t entries;        /* entries checked */
    int64_t first_seq;      /* first entry after the anchor (0 if none) */
    int64_t last_seq;       /* head seq */
    char head[AUDIT_HASH_HEX];
    int64_t bad_seq;        /* first entry that fails (0 if none) */
    char problem[256];      /* what failed, in words */
    int64_t keyed;          /* entries hashed with a chain key */
    int64_t key_verified;   /* keyed entries whose hash was recomputed with their key */
    int64_t unkeyed;        /* entries hashed without a key (before a key was configured) */
} audit_report;

/* ---- the chain key (audit_key.c) ----
 * Why: an unkeyed chain can be recomputed by anyone who can write the store
 * file. With a key (outside the store: $PUENTE_AUDIT_KEY = 64 hex digits, or
 * $PUENTE_AUDIT_KEY_FILE = a file with one such key per line, the last one
 * current, earlier ones kept to verify entries from before a rotation), each
 * new entry is hashed with keyed BLAKE2b-256 and carries the key's id (16 hex
 * digits of a hash of the key, never the key): recomputing the chain needs
 * the key. Once keyed entries exist, an unkeyed entry after them is reported
 * as a downgrade (the chain was recomputed without the key). No key
 * configured: entries are hashed as before (unkeyed), and the server and CLI
 * say so. */
#define AUDIT_KEY_BYTES 32
#define AUDIT_KEY_ID_HEX 17         /* 16 hex digits + NUL */
#define AUDIT_KEYS_MAX 16
/* (Re)read the key configuration from the environment (it is read once on
 * first use otherwise; for tests and tools that change it). Not safe while
 * other threads append. Errors: PU_ERR_INVALID (a malformed key),
 * PU_ERR_IO (key file unreadable), PU_ERR_LIMIT (too many keys). */
int audit_key_reload(pu_err *err);
/* The current key and its id (*key NULL and *id "" when none is
 * configured). The key stays owned by the module. Errors: as
 * audit_key_reload when the configured key is bad (appends then fail:
 * the trail must not silently go unkeyed). */
int audit_key_current(const unsigned char **key, const char **id, pu_err *err);
/* The key with this id. PU_ERR_NOTFOUND when not in the ring. */
int audit_key_find(const char *id, const unsigned char **key);
/* 1 when a (valid) chain key is configured. */
int audit_key_configured(void);

/* ---- anchors (audit_key.c) ----
 * Why: the head kept in audit_meta lives in the same store file as the
 * chain, so whoever truncates or rewrites the chain can rewrite the head.
 * An anchor is the head (seq, hash) appended, with its time, to a file
 * outside the store (fsync'ed; copy it to a second party for full effect):
 * by the server at start, every AUDIT_ANCHOR_INTERVAL_S and at stop, and by
 * `puente audit anchor`. With a key, each anchor line carries a MAC under
 * the key, so anchors cannot be forged. audit_anchor_check then finds an
 * anchor beyond the head (the newest entries were removed) and an anchored
 * entry whose hash changed (the chain was recomputed from before it).
 * Path: `--anchors PATH`, else $PUENTE_AUDIT_ANCHORS, else
 * `<db>-audit.anchors` for a store file (cli_audit_anchor_path). */
#define AUDIT_ANCHOR_INTERVAL_S 300
typedef struct audit_anchor {
    int64_t seq;
    char hash[AUDIT_HASH_HEX];
    int written;            /* 0: the head had not moved since the last anchor */
} audit_anchor;
/* Append the current head to the anchor file at path (created 0640), unless
 * it equals the last anchor. out may be NULL.
 * Errors: PU_ERR_INVALID (no path), PU_ERR_IO, PU_ERR_DB, key errors. */
int audit_anchor_write(db_t *db, const char *path, audit_anchor *out, pu_err *err);
typedef struct audit_anchor_report {
    int missing;            /* no anchor file */
    int64_t anchors;        /* lines read; = checked + pruned + unverified when consistent */
    int64_t checked;        /* anchors whose entry is in the chain with that hash (mark verified) */
    int64_t pruned;         /* anchors of entries removed by retention (mark verified) */
    int64_t unverified;     /* anchors whose MAC key is not configured here (their seq and
                             * hash are still checked against the chain) */
    int64_t last_seq;       /* newest anchored seq (-1 none) */
    int truncated;          /* an anchor names an entry beyond the head */
    char problem[256];
} audit_anchor_report;
/* Check the anchor file against the chain. PU_OK when every anchor is
 * consistent (a missing file is rep->missing, PU_OK); PU_ERR_INVALID with
 * rep->problem (and err) when an anchor is beyond the head (truncation),
 * names an entry whose hash differs (rewritten), carries a wrong MAC, or
 * goes backwards. A torn last line is ignored. Errors: those, PU_ERR_IO,
 * PU_ERR_DB. */
int audit_anchor_check(db_t *db, const char *path, audit_anchor_report *rep, pu_err *err);
/* The head (last seq and hash) as recorded in audit_meta. Errors: PU_ERR_DB. */
int audit_head(db_t *db, int64_t *seq, char hash[AUDIT_HASH_HEX], pu_err *err);
/* The seq of the pruning anchor (0 when nothing was pruned). Errors: PU_ERR_DB. */
int audit_anchor_seq(db_t *db, int64_t *seq, pu_err *err);

/* Recompute the chain. PU_OK when intact; PU_ERR_INVALID when not, with
 * rep->bad_seq and rep->problem (and err) saying where and why.
 * Errors: PU_ERR_INVALID, PU_ERR_DB. */
int audit_verify(db_t *db, audit_report *rep, pu_err *err);

/* Which entries to export. Every field is optional (NULL / 0). */
typedef struct audit_filter {
    const char *since, *until;  /* inclusive ISO timestamps or dates */
    const char *agency;         /* only entries of this agency */
    int64_t limit, offset;      /* 0 = no limit */
    const char *user;           /* only entries of this user (exact) */
    const char *action;         /* this action ("entity.read"), or every action
                                   under a prefix ("entity" = entity.*) */
    const char *target;         /* entries naming this id among their targets */
    const char *outcome;        /* "success", "denied", ... (exact) */
    int newest_first;           /* 1: descending seq (paging back from now) */
    int64_t before_seq;         /* > 0: only entries with seq below it (a page
                                   cursor that new entries do not shift) */
} audit_filter;

/* Write entries in seq order (descending with f->newest_first) as JSON lines (one object per entry with seq,
 * ts, component, user, agency, action, targets, outcome, detail, prev, hash)
 * to out. f may be NULL (everything). *count (may be NULL) receives the
 * number written. Errors: PU_ERR_DB, PU_ERR_IO. */
int audit_export(db_t *db, FILE *out, const audit_filter *f, int64_t *count, pu_err *err);

/* Remove entries older than `days` days before `now_iso` (NULL = now),
 * keeping the chain verifiable (see above). *removed may be NULL.
 * Errors: PU_ERR_INVALID (days < 1), PU_ERR_DB. */
int audit_prune(db_t *db, int days, const char *now_iso, int64_t *removed, pu_err *err);

#endif
