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

/* Result of a verification. */
typedef struct audit_report {
    int64_t entries;        /* entries checked */
    int64_t first_seq;      /* first entry after the anchor (0 if none) */
    int64_t last_seq;       /* head seq */
    char head[AUDIT_HASH_HEX];
    int64_t bad_seq;        /* first entry that fails (0 if none) */
    char problem[256];      /* what failed, in words */
} audit_report;

/* Recompute the chain. PU_OK when intact; PU_ERR_INVALID when not, with
 * rep->bad_seq and rep->problem (and err) saying where and why.
 * Errors: PU_ERR_INVALID, PU_ERR_DB. */
int audit_verify(db_t *db, audit_report *rep, pu_err *err);

/* Which entries to export. Every field is optional (NULL / 0). */
typedef struct audit_filter {
    const char *since, *until;  /* inclusive ISO timestamps or dates */
    const char *agency;         /* only entries of this agency */
    int64_t limit, offset;      /* 0 = no limit */
} audit_filter;

/* Write entries in seq order as JSON lines (one object per entry with seq,
 * ts, component, user, agency, action, targets, outcome, detail, prev, hash)
 * to out. f may be NULL (everything). *count (may be NULL) receives the
 * number written. Errors: PU_ERR_DB, PU_ERR_IO. */
int audit_export(db_t *db, FILE *out, const audit_filter *f, int64_t *count, pu_err *err);

/* Remove entries older than `days` days before `now_iso` (NULL = now),
 * keeping the chain verifiable (see above). *removed may be NULL.
 * Errors: PU_ERR_INVALID (days < 1), PU_ERR_DB. */
int audit_prune(db_t *db, int days, const char *now_iso, int64_t *removed, pu_err *err);

#endif
