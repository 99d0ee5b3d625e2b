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
/* STORE_PUT_NEW: the caller guarantees the id is new (a bulk load into an
 * empty store under the write lock, with duplicate ids of the input
 * removed). Inside a store_begin transaction the rows are queued for a bulk
 * insert (db_bulk: COPY FROM STDIN on PostgreSQL, a prepared INSERT on
 * SQLite) and sent when the queue passes a few MB, before any other call
 * of this store, and at store_commit; an id that exists after all is then
 * PU_ERR_CONFLICT, from this call or from the call that sends it (at the
 * latest store_commit), and the caller rolls back. Other modules' SQL on
 * store_db() does not see queued rows. Outside a transaction: a plain
 * INSERT, and an id that exists falls back to the upsert. */
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
    int export;            /* 1: a bulk export / re-share: records with the
                              ORCON caveat are left out unless the reader's
                              agency owns them or holds the owner's grant
                              (store_grant_add); the operator's system scope
                              (a store backup) keeps them. docs/access.md */
} store_query;

/* Called once per entity, in id order; return non-zero to stop early.
 * The callback may read from the store but must not write to it.
 * store_iter errors: PU_ERR_INVALID (unknown schema in q), PU_ERR_DB. */
typedef int (*store_entity_cb)(const ftm_entity *e, void *ctx);
int store_iter(store_t *st, const store_scope *scope, const store_query *q,
               store_entity_cb cb, void *ctx, pu_err *err);
/* Entities visible to scope that refer to `id` through an entity-typed
 * property (a Sanction's entity, a link's subject or object, an Ownership's
 * owner or asset, an Identification's holder...), at most limit (> 0), in
 * id order, each passed to cb as store_iter does. The bodies are searched
 * for the quoted id (a scan of the entity table: there is no reference
 * index; docs/web.md "Entity page") and every candidate is checked on its
 * properties, so only exact references are returned; bodies sealed at rest
 * are not searched. Errors: PU_ERR_INVALID (empty id), PU_ERR_DB. */
int store_referrers(store_t *st, const store_scope *scope, const char *id, int64_t limit, store_entity_cb cb,
                    void *ctx, pu_err *err);
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

/* ---- markings, the reader's scope and the write rule (store_scope.c) -----
 * This section is the ONE place where Puente decides who sees and who may
 * write what. Every engine filters reads with store_scope_sql (in SQL, never
 * in C) and checks writes with store_check_*; no engine keeps its own copy
 * of the marking list, the visibility rule or the write rule.
 */
#include "db/db_sql.h"

typedef enum store_marking {
    STORE_PUBLIC = 0,
    STORE_SHARED,
    STORE_US_ONLY,
    STORE_MX_ONLY,
    STORE_AGENCY_ONLY,
    STORE_NMARKINGS
} store_marking;

/* "PUBLIC, SHARED, US-ONLY, MX-ONLY or AGENCY-ONLY": for help and messages. */
#define STORE_MARKINGS_TEXT "PUBLIC, SHARED, US-ONLY, MX-ONLY or AGENCY-ONLY"
/* The ONE default: a record an agency files without naming a marking is
 * AGENCY-ONLY, in every engine, the API and the CLI. Releasing wider is a
 * deliberate act of the owner (least privilege, CJIS 5.5.2); an engine
 * never picks a wider default for convenience. Importers of public
 * designation lists mark what they import STORE_LIST_MARKING (the source is
 * public). docs/access.md "Default marking". */
#define STORE_DEFAULT_MARKING "AGENCY-ONLY"
#define STORE_LIST_MARKING "PUBLIC"

/* Parse a marking name (exact, upper case). field names the input field in
 * the error ("marking" when NULL). Errors: PU_ERR_INVALID "expected PUBLIC,
 * SHARED, US-ONLY, MX-ONLY or AGENCY-ONLY, got 'x'". */
int store_marking_parse(const char *s, const char *field, store_marking *out, pu_err *err);
/* The canonical name of m ("US-ONLY"); "" for an out-of-range value. */
const char *store_marking_name(store_marking m);
/* 1 if marking is one of the known markings (exact match). */
int store_marking_valid(const char *marking);
/* The marking of a record derived from two records (an alert from reports,
 * a disposition over a line): the stricter of the two, so derived data never
 * reveals more than its sources. PUBLIC < SHARED < US-ONLY, MX-ONLY <
 * AGENCY-ONLY; US-ONLY with MX-ONLY gives AGENCY-ONLY. *owner_out (size
 * owner_size) gets the owner that goes with the result: the owner of the
 * stricter input (a's on ties). */
store_marking store_marking_stricter(store_marking a, const char *owner_a, store_marking b, const char *owner_b,
                                     char *owner_out, size_t owner_size);

/* Append the releasability rule for rows of one table to q: a parenthesised
 * SQL condition over the columns `<alias>.owner` and `<alias>.marking`
 * (alias NULL or "" = unqualified), with its bindings. Any table with those
 * two columns, owner TEXT (agency acronym) and marking TEXT (a marking
 * name), can be filtered this way. The rule:
 *   PUBLIC, SHARED         -> every reader with a scope
 *   US-ONLY / MX-ONLY      -> readers of agencies of that country
 *   AGENCY-ONLY            -> the owning agency
 *   the owning agency always sees its own rows; STORE_SYSTEM sees all.
 * A scope with an unknown country sees only PUBLIC, SHARED and its own.
 * Errors (also left in q->rc): PU_ERR_INTERNAL for a NULL scope (a reader
 * must always be named: pass STORE_SYSTEM for operator tools). */
int store_scope_sql(db_sql *q, const store_scope *scope, const char *alias);

/* The same rule for one row already in memory. ONLY for checking a row
 * that was read through store_scope_sql again after it was cached (caches
 * of rendered bodies); never to filter a table in C. */
int store_visible(const store_scope *scope, const char *owner, const char *marking);

/* May the reader file (create or re-mark) a record with marking m? An
 * agency may only use markings its own country may hold: a MX agency
 * cannot file US-ONLY, a US agency cannot file MX-ONLY. STORE_SYSTEM may
 * file anything. Errors: PU_ERR_DENIED naming field "marking". */
int store_check_file(const store_scope *scope, store_marking m, pu_err *err);
/* May the reader change a record owned by `owner` (update, delete,
 * dispose, re-mark)? Yes when the reader is the owner, when the owner
 * granted the reader's agency (store_grant_add), or for STORE_SYSTEM; and,
 * for every scope, only on the owner's home node (store_check_home) when the
 * store is a federation node.
 * Errors: PU_ERR_DENIED naming field "owner"; PU_ERR_DB. */
int store_check_owner(db_t *db, const store_scope *scope, const char *owner, pu_err *err);
/* May the reader act in the name of `agency` (acknowledge an alert for an
 * addressee, record a decision for an agency)? Only for its own agency;
 * STORE_SYSTEM (an operator) may act for any agency it names. Errors:
 * PU_ERR_INVALID (agency empty), PU_ERR_DENIED (another agency). */
int store_check_act_for(const store_scope *scope, const char *agency, pu_err *err);

/* Grants: owner lets grantee change its records (store_check_owner), for
 * instance CBP lets HSI dispose its cargo holds. Idempotent. Errors:
 * PU_ERR_INVALID (empty or equal agencies), PU_ERR_DB. */
int store_grant_add(db_t *db, const char *owner, const char *grantee, pu_err *err);
int store_grant_remove(db_t *db, const char *owner, const char *grantee, pu_err *err);
/* One grant as listed. */
typedef struct store_grant {
    char owner[32], grantee[32];
    char created[32];      /* ISO time */
} store_grant;
/* The grants that name agency as owner or grantee (every grant when agency
 * is NULL), ordered by owner then grantee. *out is owned by the caller
 * (free()). Errors: PU_ERR_DB, PU_ERR_NOMEM. */
int store_grant_list(db_t *db, const char *agency, store_grant **out, size_t *n, pu_err *err);

/* The id namespace of an agency: records an agency creates have ids
 * starting with its lower-cased acronym and '-' ("dea-..."). Acronyms hold
 * no '-' (acl_agency_add refuses one), so the prefix up to the first '-'
 * names exactly one agency and no agency can squat or probe another's ids.
 * Writes `<prefix><id>` to out unless id already carries the prefix.
 * Errors: PU_ERR_INVALID (empty agency or id, '-' in the agency),
 * PU_ERR_LIMIT (out too small). */
int store_id_in_namespace(const char *agency, const char *id, char *out, size_t size, pu_err *err);

/* ---- federation: the node and the home rule (store_home.c) -----------------
 * In a two-country federation (docs/federation.md) each store is one node,
 * US or MX, and records travel between nodes by PostgreSQL logical
 * replication. An agency's home node is the node of its country
 * (acl_agency.country); a record is written on its owner's home node only,
 * so a record that arrived by replication is read-only where it arrived,
 * and two nodes never write the same row. The store enforces this in every
 * write path: store_put/store_put_row/store_delete and store_check_owner
 * (which every engine calls before changing a record), for every scope,
 * STORE_SYSTEM included (a local change of a replicated row would silently
 * diverge from its home). A store that is no node (no store_node row: every
 * SQLite store, every PostgreSQL store before `puente federation init`)
 * has no home rule. Records without an owner (public lists imported on each
 * node) are local reference data: never replicated, always writable. */
typedef struct store_node {
    char name[32];      /* "us": lower-case letters, digits, '_' */
    char country[3];    /* "US" or "MX" */
} store_node;
/* The node this store is. *federated = 0 (and out zeroed) when it is none.
 * Errors: PU_ERR_DB. */
int store_node_get(db_t *db, store_node *out, int *federated, pu_err *err);
/* Make this store node `name` of `country` (replaces an earlier identity;
 * joins the caller's transaction if one is open). Records already in the
 * store become this node's (entity.home), as they were written here.
 * Errors: PU_ERR_INVALID (bad name or country), PU_ERR_CONFLICT (the store
 * holds records of agencies of the other country: they would have two
 * homes), PU_ERR_DB. */
int store_node_set(db_t *db, const char *name, const char *country, pu_err *err);
/* May this node write a record owned by `owner`? PU_OK when the store is no
 * node, when owner is NULL/empty, or when owner's agency is of this node's
 * country. record names the record in the message (may be NULL).
 * Errors: PU_ERR_DENIED (field "owner": the owner's home is the other node,
 * or the agency is unknown here so its home is unknown), PU_ERR_DB. */
int store_check_home(db_t *db, const char *owner, const char *record, pu_err *err);
/* The markings the other country's agencies may see, as a SQL condition
 * over the column `marking` (`marking` followed by IN and the list), generated from
 * the same table as store_scope_sql: the row filter of what a node
 * publishes to the node of country `to` (AGENCY-ONLY never leaves home:
 * only its owner sees it, and the owner is home). Writes into out (size
 * bytes). Errors: PU_ERR_INVALID (country not US or MX), PU_ERR_LIMIT. */
int store_release_sql(const char *to, char *out, size_t size, pu_err *err);

/* ---- change generations (store_scope.c) ----------------------------------
 * Caches and indexes built from the store (the screening index, rendered
 * entity bodies, answers, later the graph) must see a change made by any
 * process at once: by this server, another server on the same store, or the
 * CLI. Writers bump a per-domain counter inside the transaction that makes
 * the change; readers compare the counter they were built at with the
 * current one (one indexed row read) before they answer from the cache.
 * Domains: "entity" (store_put/store_delete/marking changes; bumped by the
 * store itself), "review" (screening decisions), "grant"; engines add
 * their own names. */
/* Bump domain's counter (inside the caller's transaction, if one is open).
 * Errors: PU_ERR_DB. */
int store_generation_bump(db_t *db, const char *domain, pu_err *err);
/* Current counter of domain (0 before its first change). Errors: PU_ERR_DB. */
int store_generation_get(db_t *db, const char *domain, int64_t *out, pu_err *err);
/* ---- entity change log (store.c) ------------------------------------------
 * Which entities each `entity` generation changed: store_put / store_delete
 * write (generation, entity id) rows into `entity_change` in the transaction
 * that bumps the generation, so a cache built at generation g patches itself
 * with the entities of (g, G] instead of re-reading the store. A transaction
 * that changes more than STORE_CHANGE_LOG_MAX entities (a bulk import) logs
 * nothing for its generation, nor do writers outside the store (federation
 * withdrawals, replicated rows): a reader finds that generation missing and
 * rebuilds. The log keeps the last STORE_CHANGE_LOG_KEEP generations. */
#define STORE_CHANGE_LOG_MAX 1000
#define STORE_CHANGE_LOG_KEEP 10000
#define STORE_CHANGE_LOG_PRUNE_EVERY 256
/* The ids changed by the generations (from, to] (repeated ids possible, in
 * generation order) into *ids / *n (owned by the caller:
 * store_changes_free). *complete = 1 when every one of those generations
 * has its rows (the ids are then exactly what changed), 0 when one is
 * missing (pruned, a bulk transaction, a writer outside the store): the
 * caller must re-read everything. from >= to: nothing, complete.
 * Errors: PU_ERR_DB, PU_ERR_NOMEM. */
int store_changes_since(db_t *db, int64_t from, int64_t to, char ***ids, size_t *n, int *complete, pu_err *err);
/* Free what store_changes_since returned (NULL-safe). */
void store_changes_free(char **ids, size_t n);
/* ---- watching the generations (store_watch.c; docs/store.md "Watching the
 * generations") -------------------------------------------------------------
 * On PostgreSQL a trigger on store_generation NOTIFYs every change on commit
 * (channel STORE_NOTIFY_CHANNEL, payload "<schema> <domain> <n>"). A watcher
 * LISTENs on its own connection and thread and keeps the counters in
 * memory; once installed, store_generation_get (and the screening service's
 * freshness check) answer from memory for the watcher's store while the
 * watcher is live, and read the store otherwise (SQLite, not yet in sync,
 * connection lost: the counter check is the fallback). What this trades:
 * a change committed by another process is seen once its notification
 * arrives (about a millisecond on one machine), not on the very next
 * request — which is why a server uses it only when asked
 * (`puente serve --change-watch notify`). */
#define STORE_NOTIFY_CHANNEL "puente_generation"
typedef struct store_watch store_watch;
/* Start watching the store at uri (a PostgreSQL URI). The watcher connects,
 * migrates, LISTENs and reads every counter in its thread, and reconnects
 * after a lost connection. *out owned by the caller (store_watch_stop).
 * Errors: PU_ERR_UNSUPPORTED (not PostgreSQL), PU_ERR_NOMEM,
 * PU_ERR_INTERNAL (no thread). */
int store_watch_start(const char *uri, store_watch **out, pu_err *err);
/* Stop and free (uninstalls it first). NULL-safe. Call it when no other
 * thread can be inside store_generation_get any more (the server stops it
 * after its request threads have ended). */
void store_watch_stop(store_watch *w);
/* 1 while w listens and is in sync (its values may be used). */
int store_watch_live(store_watch *w);
/* Notifications applied so far (tests, metrics). */
uint64_t store_watch_notes(store_watch *w);
/* Make w the process's watcher (NULL: none): store_generation_get and
 * store_generation_watched consult it for the connections of its store. */
void store_watch_install(store_watch *w);
/* 1 and *out when the installed watcher is live and watches db's store; 0
 * when the caller must read the store. */
int store_generation_watched(db_t *db, const char *domain, int64_t *out);

/* Run the store's own migrations (entity, grants, generations) on db: for
 * engines and tools that open a db_t without store_open. Errors: PU_ERR_DB,
 * PU_ERR_CONFLICT. */
int store_migrate(db_t *db, pu_err *err);

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
    int64_t duplicate;   /* input records refused: their id appeared earlier in the same input */
    int64_t per_schema[STORE_MAX_SCHEMATA]; /* indexed like ftm_schema_names() */
    char *notes[STORE_SUMMARY_NOTES];       /* the first rejects and warnings */
    size_t nnotes;
    double start, seconds;
} store_summary;

void store_summary_init(store_summary *s);
void store_summary_free(store_summary *s);   /* frees the notes; NULL-safe */
/* Record a rejected record (is_reject=1) or a warning (0) with err's text. */
void store_summary_note(store_summary *s, const pu_err *err, int is_reject);
/* Record a record refused because its id appeared earlier in the same input
 * (both places named in the note). */
void store_summary_duplicate(store_summary *s, const char *id, const char *where, const char *first);
/* The exit code of an import that completed: 0, or PU_EXIT_PARTIAL (7) when
 * records were rejected or duplicate (docs/CLI.md, docs/input.md). */
int store_summary_exit(const store_summary *s);
/* Print the summary ("imported N entities: 4620 Person, ...") to out. */
void store_summary_print(const store_summary *s, const char *label, FILE *out);
/* store_put_ex + count in s + the test hook. Same errors as store_put. */
int store_summary_put(store_t *st, const ftm_entity *e, int flags, store_summary *s, pu_err *err);
/* The same for a filled row (store_put_row). */
int store_summary_put_row(store_t *st, const store_row *r, int flags, store_summary *s, pu_err *err);

/* Called inside the import's transaction after a record that was already in
 * the store was written with another marking or other caveats (a re-marking),
 * with the values it had before; e holds the new ones (e->marking,
 * e->caveats; NULL = none). An error aborts the import (nothing is written):
 * the CLI records each re-marking in the audit trail this way, in the same
 * transaction as the change. */
typedef int (*store_remark_cb)(void *ctx, const ftm_entity *e, const char *old_marking, const char *old_caveats,
                               pu_err *err);

typedef struct store_import_opts {
    int strict;            /* 1: the first bad record aborts (and rolls back) */
    const char *owner;     /* default owner for records without one */
    const char *marking;   /* default marking for records without one */
    const char *dataset;   /* added to every record's datasets when non-NULL */
    store_remark_cb on_remark; /* may be NULL */
    void *remark_ctx;
} store_import_opts;

/* Import FtM JSON lines (OpenSanctions / Aleph / `puente export ftm`) from
 * path ("-" = stdin); a record whose id is in the store with another
 * marking or caveats is reported to opts->on_remark (when set). From
 * path ("-" = stdin) in ONE transaction: on any failure, or on a bad record
 * with opts->strict, nothing is written. Records keep their own created /
 * updated / first_seen / last_seen (STORE_PUT_KEEP_TIMES), so an export
 * re-imported is identical. Bad lines are skipped and counted in *sum (with
 * "file:line" reasons) unless strict. sum must be initialised by the caller.
 * Errors: PU_ERR_IO, PU_ERR_INVALID/PU_ERR_LIMIT (strict), PU_ERR_DB. */
int store_import_ftm(store_t *st, const char *path, const store_import_opts *opts, store_summary *sum,
                     pu_err *err);

/* Write the entities matching q (visible to scope), one FtM JSON object per
 * line in id order, with the Puente fields when with_puente. Always an
 * export (q->export is implied: ORCON records of other agencies are left
 * out unless granted). *count gets the
 * number written (may be NULL). Errors: PU_ERR_IO, PU_ERR_DB, PU_ERR_INVALID. */
int store_export_ftm(store_t *st, const store_scope *scope, const store_query *q, int with_puente, FILE *out,
                     int64_t *count, pu_err *err);

/* ---- sealed fields: encryption at rest (store_seal.c) ----------------------
 * Sensitive fields are sealed before they are written: XChaCha20-Poly1305
 * (libsodium) under the deployment's key, with the field's context string
 * ("screen_review.note") as associated data, so a sealed value moved to
 * another field does not open. The stored text is
 * "pu1:<key id, 16 hex>:<base64url(nonce || ciphertext)>". Keys come from
 * $PUENTE_SEAL_KEY_FILE (one key of 64 hex digits per line; the last one
 * seals, all of them open: rotation) or $PUENTE_SEAL_KEY. Without a key
 * sealing is the identity (make demo, tests): values are stored as given
 * and the server and CLI say that encryption at rest is off. Values
 * written before a key was configured open as they are. A sealed field
 * cannot be searched in SQL (no LIKE, no equality): seal only what is read
 * back by id. Sealed today: screening decision notes and analysts, cargo
 * disposition notes, EWS alert notes, entity bodies with a PII or LES
 * caveat (their name index is left empty), trace purchasers' and possessors'
 * names (joined on a blind index: store_blind_index). docs/security.md. */
/* Seal plain (NULL stays NULL) for the field ctx; *out is the caller's
 * (free()). Errors: PU_ERR_INVALID/PU_ERR_IO (a bad key configuration: the
 * write must fail rather than store plaintext), PU_ERR_NOMEM. */
int store_seal(const char *ctx, const char *plain, char **out, pu_err *err);
/* Open a stored value (sealed or not) of the field ctx; *out is the
 * caller's (free()). Errors: PU_ERR_DENIED (sealed with a key that is not
 * configured), PU_ERR_INVALID (altered, moved from another field, or
 * malformed), PU_ERR_NOMEM. */
int store_unseal(const char *ctx, const char *stored, char **out, pu_err *err);
/* store_unseal into a fixed buffer (truncated to size). Errors as store_unseal. */
int store_unseal_buf(const char *ctx, const char *stored, char *out, size_t size, pu_err *err);
/* 1 when the stored text is a sealed value. */
int store_is_sealed(const char *stored);
/* 1 when a (valid) sealing key is configured. */
int store_seal_configured(void);
/* PU_OK when the key configuration is valid or absent; the configuration's
 * error otherwise (for a start-up check). */
int store_seal_check(pu_err *err);
/* Re-read the key configuration (tests, tools; not while other threads seal). */
int store_seal_reload(pu_err *err);
/* One line for banners: "encryption at rest: on (...)" / "...: OFF (...)". */
const char *store_seal_status(void);

/* ---- keyed blind index (store_seal.c) ----
 * A sealed field cannot be compared in SQL; when a sealed value is also a
 * join or lookup key (a purchaser's name), the table keeps beside it a blind
 * index: "bi1:" + 32 hex digits, the first 128 bits of HMAC-SHA-256 of
 * ctx || NUL || value under a subkey derived (crypto_kdf, context
 * "pubindex") from the FIRST key of the sealing ring, so it stays the same
 * when sealing keys rotate. Equal values give equal indexes (equality joins,
 * GROUP BY, lookups keep working); nothing else is preserved (no order, no
 * prefix, no similarity), and equal values are visibly equal: the frequency
 * of each value leaks (docs/security.md "Blind index"). The caller
 * normalises the value first. Without a key the index is the value itself
 * (encryption at rest off). Errors: PU_ERR_INVALID/PU_ERR_IO (bad key
 * configuration), PU_ERR_LIMIT (out too small: give STORE_BLIND_MAX, or
 * the value's length + 1 without a key). */
#define STORE_BLIND_MAX 40
int store_blind_index(const char *ctx, const char *plain, char *out, size_t size, pu_err *err);
/* The id of the key blind indexes are made with ("" when no key): stored
 * with the indexes, so a store indexed under another key (or none) is
 * recognised. out has 17 bytes. */
void store_blind_key_id(char out[17]);

#endif
