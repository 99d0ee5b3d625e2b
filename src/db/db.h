/*
 * db.h - Puente's portable SQL layer. Every module that persists data talks to
 * this interface only; no engine includes sqlite3.h or libpq-fe.h.
 *
 * Backends: SQLite (embedded default, implemented in db_sqlite.c). A PostgreSQL
 * backend implements the same functions over libpq (placeholders `?` are
 * rewritten to `$n`; see docs/ARCHITECTURE.md "Store interface").
 *
 * Portable SQL rules for module authors (so the PostgreSQL backend needs no
 * engine changes):
 *  - placeholders are `?` only; no named parameters;
 *  - types: INTEGER (64-bit), REAL, TEXT, BLOB; booleans are INTEGER 0/1;
 *    timestamps are TEXT ISO-8601 UTC "YYYY-MM-DDTHH:MM:SSZ";
 *  - use `INSERT ... ON CONFLICT (...) DO UPDATE/NOTHING` (both support it);
 *  - no SQLite-only functions (json_*, GLOB, rowid) in engine SQL;
 *  - auto ids: `id INTEGER PRIMARY KEY` + db_last_id() (PostgreSQL backend
 *    maps it to a BIGSERIAL + RETURNING).
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

/* Open (creating if needed) the store at `path`; ":memory:" is an in-memory
 * store. Sets WAL, foreign keys on, synchronous NORMAL.
 * Errors: PU_ERR_DB (cannot open: message says why), PU_ERR_NOMEM. */
int db_open(const char *path, const db_opts *opts, db_t **out, pu_err *err);
void db_close(db_t *db);
const char *db_path(const db_t *db);
/* Backend name: "sqlite" or "postgresql". */
const char *db_backend(const db_t *db);

/* Run SQL without parameters (may hold several statements). */
int db_exec(db_t *db, const char *sql, pu_err *err);

int db_prepare(db_t *db, const char *sql, db_stmt **out, pu_err *err);
/* Bind the 1-based parameter idx. len < 0 means NUL-terminated; text is copied. */
int db_bind_text(db_stmt *st, int idx, const char *text, long len);
int db_bind_int64(db_stmt *st, int idx, int64_t v);
int db_bind_double(db_stmt *st, int idx, double v);
int db_bind_blob(db_stmt *st, int idx, const void *data, size_t n);
int db_bind_null(db_stmt *st, int idx);
/* Returns DB_ROW, DB_DONE, or a PU_ERR_* code (PU_ERR_CONFLICT for a
 * constraint violation, PU_ERR_DB otherwise) with details in *err. */
int db_step(db_stmt *st, pu_err *err);
int db_reset(db_stmt *st);  /* reset and clear bindings for reuse */
void db_finalize(db_stmt *st);

int db_col_count(db_stmt *st);
int db_col_isnull(db_stmt *st, int col);
const char *db_col_text(db_stmt *st, int col);   /* "" for NULL, never NULL */
int64_t db_col_int64(db_stmt *st, int col);
double db_col_double(db_stmt *st, int col);
const void *db_col_blob(db_stmt *st, int col, size_t *n);

int64_t db_last_id(db_t *db);
int64_t db_changes(db_t *db);

/* Transactions. db_begin takes the write lock at once (BEGIN IMMEDIATE), so a
 * transaction never fails half-way for lock upgrades. Nesting is not allowed:
 * db_begin inside a transaction is PU_ERR_INTERNAL. */
int db_begin(db_t *db, pu_err *err);
int db_commit(db_t *db, pu_err *err);
int db_rollback(db_t *db);   /* NULL-safe, no-op outside a transaction */
int db_in_tx(const db_t *db);

/* Schema migrations, per module. `steps[i]` moves the module's schema from
 * version i to i+1. db_migrate applies the missing steps, each in its own
 * transaction, recording the version in table schema_version(module,version).
 * Errors: PU_ERR_DB, or PU_ERR_CONFLICT when the store is newer than this
 * binary. */
int db_migrate(db_t *db, const char *module, const char *const *steps, int nsteps, pu_err *err);
/* Current version of a module's schema (0 = none). */
int db_schema_version(db_t *db, const char *module, int *version, pu_err *err);

/* Convenience: run SQL with one optional text parameter and return the
 * first column of the first row as int64 (0 when no row). */
int db_query_int64(db_t *db, const char *sql, const char *param, int64_t *out, pu_err *err);

#endif
