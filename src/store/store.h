/*
 * store.h - the entity store: FtM entities with owner and marking, persisted
 * through the portable SQL layer (db/db.h), so a PostgreSQL backend needs no
 * engine changes.
 *
 * Visibility: every read takes a store_scope (who is reading). The store
 * applies the releasability rule in the query itself, so hidden records are
 * never returned, never counted and never distinguishable from absent ones:
 *   PUBLIC, SHARED         -> every authenticated user (US and MX agencies)
 *   US-ONLY / MX-ONLY      -> users of agencies of that country
 *   AGENCY-ONLY            -> users of the owning agency
 *   and the owning agency always sees its own records.
 * STORE_SYSTEM (scope->system = 1) sees everything: used by importers, the
 * CLI run by an operator on the store file, and internal engines.
 *
 * Transactions: store_put/store_delete run inside the caller's transaction
 * when one is open (store_begin), else in their own. Imports wrap the whole
 * file in one transaction, so an interrupted import leaves the store as it was.
 *
 * Ownership: store_open returns a store the caller closes (NULL-safe).
 * Entities passed to callbacks are owned by the store and valid only during
 * the callback; entities returned through out-parameters are the caller's.
 */
#ifndef PU_STORE_H
#define PU_STORE_H

#include <stdint.h>
#include "common/pu.h"
#include "db/db.h"
#include "ftm/ftm.h"

typedef struct store store_t;

typedef struct store_scope {
    int system;            /* 1: sees everything */
    const char *country;   /* "US" or "MX" */
    const char *agency;    /* agency acronym */
} store_scope;

extern const store_scope store_scope_system;
#define STORE_SYSTEM (&store_scope_system)

/* Open the store at path (SQLite file; ":memory:" for tests), running all
 * migrations. Errors: PU_ERR_DB, PU_ERR_CONFLICT (store newer than binary). */
int store_open(const char *path, store_t **out, pu_err *err);
void store_close(store_t *st);
/* The underlying SQL handle, for modules that keep their own tables
 * (they register migrations with db_migrate under their module name). */
db_t *store_db(store_t *st);

int store_begin(store_t *st, pu_err *err);
int store_commit(store_t *st, pu_err *err);
void store_rollback(store_t *st);

/* Insert or replace an entity (by id). Sets created (first time) and updated.
 * Defaults: marking PUBLIC when NULL; owner must be set for non-PUBLIC.
 * Errors: PU_ERR_INVALID (bad marking), PU_ERR_DB. */
int store_put(store_t *st, const ftm_entity *e, pu_err *err);

/* store_put with options (additive). Flags:
 *  STORE_PUT_KEEP_TIMES: take created, updated, first_seen and last_seen from
 *    e as they are (now when NULL) instead of merging them with the stored
 *    row: used by `import ftm` so an export re-imported is identical.
 * Without flags: created stays as first stored (else e->created, else now),
 * updated = now, first_seen keeps the earliest known, last_seen the newest.
 * Same errors as store_put. */
#define STORE_PUT_KEEP_TIMES 1
/* STORE_PUT_NEW: the caller expects the id to be new (a bulk load into an
 * empty store): try a plain INSERT first, which skips the upsert and the
 * dataset cleanup; an id that exists after all falls back to the normal
 * path, so the result is the same either way. */
#define STORE_PUT_NEW 2
int store_put_ex(store_t *st, const ftm_entity *e, int flags, pu_err *err);

/* The bulk path (additive): store_put_ex split in two, so that importers
 * can validate and serialise entities on worker threads (store_row_fill
 * needs no store and is thread-safe) and keep the writing thread for SQL.
 * A row refers to its entity, which must outlive it; its buffers are reused
 * between fills. store_row_fill errors: PU_ERR_INVALID (bad marking, owner
 * missing), PU_ERR_NOMEM/LIMIT. store_put_row: as store_put. */
typedef struct store_row {
    const ftm_entity *e;
    pu_buf json, names;
} store_row;
void store_row_init(store_row *r);
int store_row_fill(store_row *r, const ftm_entity *e, pu_err *err);
void store_row_free(store_row *r);   /* frees the buffers, not the entity */
int store_put_row(store_t *st, const store_row *r, int flags, pu_err *err);
/* Errors: PU_ERR_NOTFOUND when absent or not visible to scope. */
int store_get(store_t *st, const store_scope *scope, const char *id, ftm_entity **out, pu_err *err);
int store_delete(store_t *st, const char *id, pu_err *err);

typedef struct store_query {
    const char *schema;    /* this schema and its descendants; NULL = all */
    const char *dataset;   /* NULL = all */
    const char *name;      /* case-insensitive substring of any name-type value; NULL = all */
    int64_t limit;         /* 0 = no limit */
    int64_t offset;
} store_query;

/* Called once per entity, in id order; return non-zero to stop early.
 * The callback may read from the store but must not write to it.
 * store_iter errors: PU_ERR_INVALID (unknown schema in q), PU_ERR_DB. */
typedef int (*store_entity_cb)(const ftm_entity *e, void *ctx);
int store_iter(store_t *st, const store_scope *scope, const store_query *q,
               store_entity_cb cb, void *ctx, pu_err *err);
/* Number of entities matching q (limit/offset ignored: it is the total for
 * paging). Errors: PU_ERR_INVALID (unknown schema in q), PU_ERR_DB. */
int store_count(store_t *st, const store_scope *scope, const store_query *q, int64_t *out, pu_err *err);

/* Per-schema counts visible to scope: parallel arrays owned by the caller,
 * freed with store_stats_free. */
typedef struct store_stats {
    size_t n;
    char **schema;
    int64_t *count;
    int64_t total;
} store_stats;
int store_stats_get(store_t *st, const store_scope *scope, store_stats **out, pu_err *err);
void store_stats_free(store_stats *s);

/* Ids of all entities in `dataset` (any visibility: for importers that
 * replace a dataset), sorted by strcmp. *ids is owned by the caller: free
 * each string and the array. Errors: PU_ERR_DB, PU_ERR_NOMEM. */
int store_dataset_ids(store_t *st, const char *dataset, char ***ids, size_t *n, pu_err *err);

/* 1 if a record with this owner/marking is visible to scope (the same rule
 * the SQL applies; exported for engines that keep their own marked records). */
int store_visible(const store_scope *scope, const char *owner, const char *marking);
/* 1 if marking is one of the known markings. */
int store_marking_valid(const char *marking);

/* The folding used for store_query.name: Unicode case fold, accents
 * stripped (NFD without marks), so "TREVIÑO" matches "trevino".
 * *out is owned by the caller (free()). Errors: PU_ERR_INVALID (bad UTF-8),
 * PU_ERR_NOMEM. */
int store_fold(const char *s, char **out);

/* ---- imports and exports (additive; store_io.c) ------------------------
 * Importers (FtM JSON lines here, OFAC in src/ofac) share one summary and one
 * write funnel, so every import reports the same way:
 *   records read, entities written per schema, rejected records with the
 *   first reasons ("file:line: field 'x': message"), warnings, seconds.
 * Test hook: when $PUENTE_TEST_STOP_AFTER=N is set, the process stops itself
 * (SIGSTOP) after writing N entities, inside the open transaction; the e2e
 * test then kills it with SIGKILL to prove an interrupted import changes
 * nothing.
 */
#include <stdio.h>

#define STORE_SUMMARY_NOTES 50
#define STORE_MAX_SCHEMATA 32

typedef struct store_summary {
    int64_t read;        /* input records seen */
    int64_t written;     /* entities written (all schemata) */
    int64_t rejected;    /* input records skipped (bad input) */
    int64_t warnings;    /* accepted with a loss, e.g. an unresolved link */
    int64_t removed;     /* entities deleted because the source dropped them */
    int64_t per_schema[STORE_MAX_SCHEMATA]; /* indexed like ftm_schema_names() */
    char *notes[STORE_SUMMARY_NOTES];       /* the first rejects and warnings */
    size_t nnotes;
    double start, seconds;
} store_summary;

void store_summary_init(store_summary *s);
void store_summary_free(store_summary *s);   /* frees the notes; NULL-safe */
/* Record a rejected record (is_reject=1) or a warning (0) with err's text. */
void store_summary_note(store_summary *s, const pu_err *err, int is_reject);
/* Print the summary ("imported N entities: 4620 Person, ...") to out. */
void store_summary_print(const store_summary *s, const char *label, FILE *out);
/* store_put_ex + count in s + the test hook. Same errors as store_put. */
int store_summary_put(store_t *st, const ftm_entity *e, int flags, store_summary *s, pu_err *err);
/* The same for a filled row (store_put_row). */
int store_summary_put_row(store_t *st, const store_row *r, int flags, store_summary *s, pu_err *err);

typedef struct store_import_opts {
    int strict;            /* 1: the first bad record aborts (and rolls back) */
    const char *owner;     /* default owner for records without one */
    const char *marking;   /* default marking for records without one */
    const char *dataset;   /* added to every record's datasets when non-NULL */
} store_import_opts;

/* Import FtM JSON lines (OpenSanctions / Aleph / `puente export ftm`) from
 * path ("-" = stdin) in ONE transaction: on any failure, or on a bad record
 * with opts->strict, nothing is written. Records keep their own created /
 * updated / first_seen / last_seen (STORE_PUT_KEEP_TIMES), so an export
 * re-imported is identical. Bad lines are skipped and counted in *sum (with
 * "file:line" reasons) unless strict. sum must be initialised by the caller.
 * Errors: PU_ERR_IO, PU_ERR_INVALID/PU_ERR_LIMIT (strict), PU_ERR_DB. */
int store_import_ftm(store_t *st, const char *path, const store_import_opts *opts, store_summary *sum,
                     pu_err *err);

/* Write the entities matching q (visible to scope), one FtM JSON object per
 * line in id order, with the Puente fields when with_puente. *count gets the
 * number written (may be NULL). Errors: PU_ERR_IO, PU_ERR_DB, PU_ERR_INVALID. */
int store_export_ftm(store_t *st, const store_scope *scope, const store_query *q, int with_puente, FILE *out,
                     int64_t *count, pu_err *err);

#endif
