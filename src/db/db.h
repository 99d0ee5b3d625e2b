/*
 * db.h - Puente's portable SQL layer. Every module that persists data talks to
 * this interface only; no engine includes sqlite3.h or libpq-fe.h.
 *
 * Backends: db_open picks one by the path. A `postgresql://` or
 * `postgres://` URI selects the PostgreSQL backend (db_pg.c, libpq);
 * anything else is an SQLite file (or ":memory:"). The functions below are a generic front (db.c: the statement
 * cache, transactions, helpers, DDL type tokens) over the chosen backend's
 * operations table (src/db/db_int.h; db_sqlite.c implements it for SQLite).
 * See docs/store.md, "The SQL layer and its backends".
 *
 * Portable SQL rules for module authors (so the PostgreSQL backend needs no
 * engine changes):
 *  - placeholders are `?` only; no named parameters;
 *  - DDL in migrations writes the non-portable types as tokens, which
 *    db_migrate expands for the backend (see "DDL type tokens" below):
 *    {ID} auto id primary key, {INT} 64-bit integer, {REAL}, {BLOB},
 *    {TS} timestamp (ISO-8601 UTC text "YYYY-MM-DDTHH:MM:SSZ"), {BOOL} 0/1;
 *    TEXT is written as is;
 *  - a new auto id comes back with `INSERT ... RETURNING id` (db_insert_id);
 *  - use `INSERT ... ON CONFLICT (...) DO UPDATE/NOTHING` (both support it),
 *    never `INSERT OR REPLACE/IGNORE`;
 *  - no SQLite-only functions or names (json_*, GLOB, rowid, PRAGMA) in
 *    engine SQL; maintenance goes through db_checkpoint & co.
 *
 * Threads: a db_t is used by one thread at a time. Open one per thread (the
 * SQLite backend runs in WAL mode, so readers do not block the writer).
 *
 * Ownership: db_open returns a db_t the caller closes with db_close.
 * A db_stmt belongs to its db_t and is finalised with db_finalize (NULL-safe).
 * Column text returned by db_col_text is valid until the next step/reset.
 *
 * Statement cache: db_finalize does not destroy a statement; it resets it,
 * clears its bindings and keeps it (up to a few dozen per db_t, oldest
 * evicted) so that the next db_prepare of the byte-identical SQL text on the
 * same db_t reuses it without parsing the SQL again. This is invisible to
 * callers: a statement handed out by db_prepare is never shared (one in use is
 * not in the cache, so preparing the same SQL twice gives two statements), a
 * cached statement holds no read transaction (it is reset), and schema changes
 * are picked up (SQLite re-prepares automatically). db_close destroys the
 * cache. Dynamically built SQL works too; it just rarely hits.
 */
#ifndef PU_DB_H
#define PU_DB_H

#include <stddef.h>
#include <stdint.h>
#include "common/pu.h"

typedef struct db db_t;
typedef struct db_stmt db_stmt;

/* db_step results (not errors) */
#define DB_ROW 100
#define DB_DONE 101

typedef struct db_opts {
    int readonly;        /* open without write access */
    int busy_timeout_ms; /* wait for a lock this long; default 5000 */
} db_opts;

/* Open the store at `path` (opts may be NULL). A `postgresql://` or
 * `postgres://` URI (any case) selects the PostgreSQL backend; anything else
 * is an SQLite file, created if needed, or ":memory:" (an in-memory store).
 * SQLite: WAL (not for ":memory:" or readonly), foreign keys on, synchronous
 * NORMAL. *out is the caller's (db_close); NULL on failure.
 * PostgreSQL: the URI is libpq's (user, password, host, port, database,
 * options such as `options=-csearch_path%3Dschema`); lock_timeout is
 * busy_timeout_ms; readonly sets default_transaction_read_only.
 * Errors: PU_ERR_INVALID for an empty path; PU_ERR_DB (cannot
 * open: the message says why); PU_ERR_NOMEM. */
int db_open(const char *path, const db_opts *opts, db_t **out, pu_err *err);
/* Roll back an open transaction, free the cached statements, disconnect,
 * free. Statements still handed out must be finalised before. NULL-safe. */
void db_close(db_t *db);
/* The store's path for messages (owned by db): the path given to db_open;
 * for a URI without its user, password and query
 * ("postgresql://u:pw@h/db?sslmode=x" -> "postgresql://h/db"). */
const char *db_path(const db_t *db);
/* Backend name (static): "sqlite" or "postgresql". For messages and tests;
 * engines must not branch on it (use the maintenance functions below). */
const char *db_backend(const db_t *db);

/* 0 when the connection is known to be broken (PostgreSQL: the server went
 * away, e.g. a failover to another primary, and a statement failed on it);
 * 1 otherwise, SQLite always. No round trip: it reports what the last
 * statement found. A long-lived connection that is not alive is closed and
 * opened again by its owner (the server's per-thread stores), which a
 * multi-host URI with target_session_attrs=read-write sends to the new
 * primary (docs/deploy.md). */
int db_alive(db_t *db);

/* Run SQL without parameters (may hold several statements).
 * Errors: PU_ERR_CONFLICT (constraint violation), PU_ERR_DB, PU_ERR_NOMEM. */
int db_exec(db_t *db, const char *sql, pu_err *err);

/* Prepare one statement (or take the cached one with the same text). *out
 * belongs to db; give it back with db_finalize. Errors: PU_ERR_DB (the SQL
 * does not compile: the message says why), PU_ERR_NOMEM. */
int db_prepare(db_t *db, const char *sql, db_stmt **out, pu_err *err);
/* Bind the 1-based parameter idx. len < 0 means NUL-terminated; text is
 * copied; text NULL binds NULL. Blob bytes are copied.
 * Returns PU_OK, PU_ERR_NOMEM or PU_ERR_DB (bad index). */
int db_bind_text(db_stmt *st, int idx, const char *text, long len);
int db_bind_int64(db_stmt *st, int idx, int64_t v);
int db_bind_double(db_stmt *st, int idx, double v);
int db_bind_blob(db_stmt *st, int idx, const void *data, size_t n);
int db_bind_null(db_stmt *st, int idx);
/* Say that st's result may be large (a whole table: an index build): the
 * backend then reads it in batches instead of row by row. Rows come through
 * db_step exactly as without the hint; no more than one batch of them is in
 * memory at a time (the streaming contract). PostgreSQL: the statement runs
 * as a cursor (DECLARE ... NO SCROLL CURSOR, FETCH FORWARD of a batch, one
 * result walked by row index), inside the caller's transaction or, outside
 * one, inside a read-only transaction the layer opens for the read and
 * commits at its end; another command on the connection while such a read
 * is open (a write, a nested read, db_begin) first reads the rest of its
 * rows into memory, as a nested command does with any unfinished statement
 * (docs/store.md "Large reads"). SQLite: nothing to do. Call before the
 * first step; the hint stays with the statement until it is evicted from
 * the statement cache. Only a SELECT takes it (other statements ignore it).
 * Returns PU_OK. */
int db_large_read(db_stmt *st);
/* Returns DB_ROW, DB_DONE, or a PU_ERR_* code (PU_ERR_CONFLICT for a
 * constraint violation, PU_ERR_DB otherwise) with details in *err. */
int db_step(db_stmt *st, pu_err *err);
/* Step a statement that returns no row (INSERT/UPDATE/DELETE without
 * RETURNING, DDL): PU_OK when it is done. Otherwise db_step's error code is
 * kept (PU_ERR_CONFLICT for a constraint violation, PU_ERR_DB, PU_ERR_NOMEM);
 * a row is PU_ERR_INTERNAL (a bug: the SQL returns rows), naming the SQL. */
int db_step_done(db_stmt *st, pu_err *err);
/* Step an `INSERT ... RETURNING id` and set *id to the first column of its
 * single row (0 on failure). The statement is stepped to its end.
 * Errors: db_step's (PU_ERR_CONFLICT for a constraint violation, PU_ERR_DB),
 * PU_ERR_INTERNAL when it returns no row (e.g. no RETURNING, or ON CONFLICT
 * DO NOTHING skipped the row) or more than one. */
int db_insert_id(db_stmt *st, int64_t *id, pu_err *err);
/* db_step_done for a statement that may fail as expected inside a
 * transaction (an insert that may hit a UNIQUE key, the caller then doing
 * something else): after a failure the transaction goes on, as it does on
 * SQLite. PostgreSQL aborts a transaction on any error, so there the
 * statement runs under a savepoint that the failure rolls back. Outside a
 * transaction it is db_step_done. Errors: db_step_done's. */
int db_step_try(db_stmt *st, pu_err *err);
/* After rows were inserted with explicit values in an {ID} column: make the
 * next generated id larger than every id of `table` (PostgreSQL: setval of
 * the identity sequence; SQLite: nothing, it takes max(id)+1 anyway).
 * table: lower-case letters, digits and '_'. Errors: PU_ERR_DB,
 * PU_ERR_INTERNAL (bad name). */
int db_sync_ids(db_t *db, const char *table, pu_err *err);
int db_reset(db_stmt *st);  /* reset and clear bindings for reuse; PU_OK */
/* Give the statement back (to the cache); NULL-safe. */
void db_finalize(db_stmt *st);

/* Columns of the current row (0-based). Values convert as SQLite does. */
int db_col_count(db_stmt *st);
int db_col_isnull(db_stmt *st, int col);
const char *db_col_text(db_stmt *st, int col);   /* "" for NULL, never NULL */
int64_t db_col_int64(db_stmt *st, int col);
double db_col_double(db_stmt *st, int col);
/* A blob column's bytes, valid until the next step, reset or finalize of st
 * (several blob columns of one row may be held at once; on PostgreSQL the
 * first 8 columns can be blobs). NULL for SQL NULL. */
const void *db_col_blob(db_stmt *st, int col, size_t *n);

/* Rows changed by the last INSERT/UPDATE/DELETE on this db_t. */
int64_t db_changes(db_t *db);

/* Transactions. db_begin takes the write lock at once, so write
 * transactions run one at a time (serializable writes) and none fails
 * half-way for a lock upgrade. SQLite: BEGIN IMMEDIATE. PostgreSQL:
 * BEGIN (READ COMMITTED) plus a transaction-level advisory lock of the store
 * (pg_advisory_xact_lock keyed by the schema), the same one-writer-at-a-time
 * rule. Nesting is not allowed: db_begin
 * inside a transaction is PU_ERR_INTERNAL. Errors: PU_ERR_DB (e.g. the lock
 * was not granted within busy_timeout_ms). db_commit rolls back when the
 * commit fails. */
int db_begin(db_t *db, pu_err *err);
int db_commit(db_t *db, pu_err *err);
int db_rollback(db_t *db);   /* NULL-safe, no-op outside a transaction; PU_OK */
int db_in_tx(const db_t *db);

/* Schema migrations, per module. `steps[i]` moves the module's schema from
 * version i to i+1; its type tokens (below) are expanded for the backend.
 * db_migrate applies the missing steps, each in its own transaction,
 * recording the version in table schema_version(module,version); the
 * version is read again under the write lock, so processes migrating one
 * store at the same moment apply each step once.
 * Errors: PU_ERR_DB, PU_ERR_INVALID (unknown type token), or
 * PU_ERR_CONFLICT when the store is newer than this binary. */
int db_migrate(db_t *db, const char *module, const char *const *steps, int nsteps, pu_err *err);
/* Current version of a module's schema (0 = none). */
int db_schema_version(db_t *db, const char *module, int *version, pu_err *err);

/* DDL type tokens: `{NAME}` (upper-case letters in braces) in a migration.
 *   token   SQLite                PostgreSQL
 *   {ID}    INTEGER PRIMARY KEY   BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY
 *   {INT}   INTEGER               BIGINT            (64-bit integer)
 *   {REAL}  REAL                  DOUBLE PRECISION
 *   {BLOB}  BLOB                  BYTEA
 *   {TS}    TEXT                  TEXT              (ISO-8601 UTC, for now)
 *   {BOOL}  INTEGER               INTEGER           (0/1)
 * The SQLite text is exactly what migrations wrote before the tokens, so
 * existing stores keep their schema. Any other `{WORD}` is an error (a
 * typo); braces not around upper-case letters are copied as they are.
 * db_expand_types returns the expanded text in *out (the caller frees it with
 * free()). Errors: PU_ERR_INVALID (unknown token), PU_ERR_NOMEM. */
int db_expand_types(db_t *db, const char *sql, char **out, pu_err *err);

/* Whole-string, case-sensitive pattern match with SQLite's GLOB syntax
 * (`*` any run, `?` one character, `[set]`, `[^set]`), for a pattern bound
 * as a parameter: write `expr <db_glob_op(db)> ?` and bind the text that
 * db_glob_pattern made of the GLOB pattern. SQLite: "GLOB" and the pattern
 * as it is; PostgreSQL: "~" and the equivalent anchored regular
 * expression. db_glob_pattern returns PU_OK or PU_ERR_LIMIT (out too
 * small). */
const char *db_glob_op(const db_t *db);
int db_glob_pattern(const db_t *db, const char *glob, char *out, size_t size);

/* Convenience: run SQL with one optional text parameter and return the
 * first column of the first row as int64 (0 when no row). */
int db_query_int64(db_t *db, const char *sql, const char *param, int64_t *out, pu_err *err);

/* ---- bulk insert ----
 * Many new rows into one table, without one round trip per row: the
 * PostgreSQL backend queues them in COPY's text format and sends them with
 * `COPY table (cols) FROM STDIN` at db_bulk_flush (one command for
 * thousands of rows); SQLite, which runs in-process, inserts each row at
 * db_bulk_row with one prepared INSERT (already the fast path there). For
 * loads where every row is new: there is no ON CONFLICT, so a constraint
 * violation is an error (PU_ERR_CONFLICT), reported by db_bulk_row
 * (SQLite) or by the db_bulk_flush that sends the row (PostgreSQL, where
 * it also aborts the transaction). Use inside a transaction (db_begin):
 * a failure then leaves nothing behind once the caller rolls back.
 * A row is in the table at the latest when db_bulk_flush returns; statements
 * of the same connection see queued rows only after it (flush before reading
 * them, and before db_commit). Values are text (NULL = SQL NULL), converted
 * by the column's type as an INSERT of a text parameter would be.
 * Ownership: the db_bulk belongs to the caller (db_bulk_close) and must be
 * closed before its db_t. */
typedef struct db_bulk db_bulk;
/* Prepare a bulk insert of ncols columns (1..DB_BULK_MAX_COLS) into table.
 * Names: lower-case letters, digits and '_'. Errors: PU_ERR_INTERNAL (a
 * bad name or column count), PU_ERR_DB (SQLite: the INSERT does not
 * compile), PU_ERR_NOMEM. */
#define DB_BULK_MAX_COLS 40
int db_bulk_open(db_t *db, const char *table, const char *const *cols, int ncols, db_bulk **out, pu_err *err);
/* Add one row: vals[0..ncols-1], NUL-terminated text or NULL for SQL NULL
 * (copied; the caller may reuse them at once). Errors: PU_ERR_CONFLICT,
 * PU_ERR_DB (SQLite, from the insert), PU_ERR_NOMEM. */
int db_bulk_row(db_bulk *b, const char *const *vals, pu_err *err);
/* Bytes of rows queued and not sent yet (0 on SQLite): callers flush when
 * it passes their memory bound. */
size_t db_bulk_pending(const db_bulk *b);
/* Send the queued rows (nothing to do on SQLite, or when none are queued).
 * Errors: PU_ERR_CONFLICT (a constraint violation: no row of this flush is
 * written and, on PostgreSQL, the transaction is aborted), PU_ERR_DB,
 * PU_ERR_NOMEM. The queue is empty afterwards, on success or failure. */
int db_bulk_flush(db_bulk *b, pu_err *err);
/* Rows written so far (flushed or, on SQLite, inserted). */
int64_t db_bulk_rows(const db_bulk *b);
/* Drop rows not flushed, free. NULL-safe. */
void db_bulk_close(db_bulk *b);

/* ---- maintenance ----
 * Backend housekeeping that engines used to ask for with PRAGMA strings.
 * Each returns PU_OK and does nothing on a backend that has nothing to do
 * (PostgreSQL: the server checkpoints and sizes its caches itself). */

/* Copy what the write-ahead log holds into the store file, without waiting
 * for (or blocking) readers and the writer (SQLite: a PASSIVE WAL
 * checkpoint; one another connection is running counts as done). Meant for
 * a housekeeping connection of its own. Errors: PU_ERR_DB. */
int db_checkpoint(db_t *db, pu_err *err);
/* on = 0: this connection's commits no longer checkpoint the WAL (a
 * checkpoint fsyncs the store and stalls the committing thread; run
 * db_checkpoint from another connection instead). on = 1: back to the
 * default (SQLite: every 1000 WAL pages). Errors: PU_ERR_DB. */
int db_autocheckpoint(db_t *db, int on, pu_err *err);
/* Before a large load in one transaction: let this connection cache up to
 * cache_bytes of the store (SQLite's default 2 MB page cache spills the same
 * pages to the WAL over and over under random index inserts); 0 = back to
 * the default. Errors: PU_ERR_DB. */
int db_bulk_load_hint(db_t *db, size_t cache_bytes, pu_err *err);
/* Empty `table`, a temporary table of this connection that is filled and
 * emptied many times inside one transaction (a chunk's results before an
 * UPDATE ... FROM). PostgreSQL: TRUNCATE, which gives the table a new empty
 * file: a DELETE there leaves the dead rows and their pages, nothing
 * vacuums them before the commit, each refill appends new pages, and every
 * later scan of the table (and the planner's estimate of its rows) grows
 * with all the rows it ever held. SQLite: DELETE FROM (its truncate
 * optimisation). Names: lower-case letters, digits, '_'. Errors:
 * PU_ERR_INTERNAL (a bad name), PU_ERR_DB. */
int db_scratch_empty(db_t *db, const char *table, pu_err *err);
/* A load of many new rows into `table` inside one transaction (db_begin):
 * db_fk_suspend drops the foreign key on table(column) for the load and
 * db_fk_restore puts the same constraint back, which checks every row in one
 * statement (a row without its referenced row: PU_ERR_CONFLICT, and the
 * caller rolls back, the drop with the rest). Why: PostgreSQL checks a
 * foreign key per inserted row with a query that locks the referenced row:
 * more than half of the server's work in a COPY of trace events
 * (docs/perf/pg.md, 2026-12-06 22:10). SQLite's check is an index lookup in
 * the process: there both do nothing (*out = NULL, PU_OK). While suspended,
 * until the commit, PostgreSQL holds table's ACCESS EXCLUSIVE lock: its
 * readers wait for the commit (meant for loads into an empty table).
 * *out belongs to the caller until db_fk_restore (which frees it, NULL-safe)
 * or db_fk_free (on the error path, after a rollback). Names: lower-case
 * letters, digits, '_'. Errors: PU_ERR_INTERNAL (a bad name, no such foreign
 * key), PU_ERR_NOMEM, PU_ERR_DB, PU_ERR_CONFLICT (restore). */
typedef struct db_fk db_fk;
int db_fk_suspend(db_t *db, const char *table, const char *column, db_fk **out, pu_err *err);
int db_fk_restore(db_t *db, db_fk *fk, pu_err *err);
void db_fk_free(db_fk *fk);

/* ---- change notifications (PostgreSQL LISTEN/NOTIFY; db_pg.c) ----------
 * A connection that listens receives what other connections NOTIFY on the
 * channel, after their transaction commits. SQLite has no such thing: both
 * functions return PU_ERR_UNSUPPORTED there (callers read counters). */
typedef void (*db_notify_fn)(const char *channel, const char *payload, void *ctx);
/* LISTEN on channel ([a-z0-9_] only) on db. Errors: PU_ERR_UNSUPPORTED
 * (not PostgreSQL), PU_ERR_INTERNAL (bad name), PU_ERR_DB. */
int db_listen(db_t *db, const char *channel, pu_err *err);
/* Wait up to timeout_ms for input on db's connection, then call fn for each
 * notification received (none on a timeout). db must not be in the middle of
 * a statement. Errors: PU_ERR_UNSUPPORTED, PU_ERR_DB (connection lost: the
 * caller reopens), PU_ERR_IO. */
int db_wait_notify(db_t *db, int timeout_ms, db_notify_fn fn, void *ctx, pu_err *err);

#endif
