/*
 * db_int.h - inside src/db only: the backend interface behind db.h.
 *
 * db.c is the generic front: the public functions of db.h, backend selection
 * in db_open, the statement cache, transaction bookkeeping, db_step_done /
 * db_insert_id, the DDL type tokens and the maintenance calls. It reaches the
 * database only through the db_ops table that db_open picked for the path
 * (as SQLite's VFS or nomenklatura's Store classes do). A backend is one file
 * defining one `const db_ops` (db_sqlite.c: db_sqlite_ops) and one line in
 * the backend table in db.c.
 *
 * Backends: db_sqlite.c (db_sqlite_ops) and db_pg.c (db_pg_ops, libpq).
 */
#ifndef PU_DB_INT_H
#define PU_DB_INT_H

#include "db/db.h"

/* The type tokens of migrations (db.h, "DDL type tokens"), in the order of
 * db_type_token_names. */
enum db_type_token { DB_T_ID, DB_T_INT, DB_T_REAL, DB_T_BLOB, DB_T_TS, DB_T_BOOL, DB_T_COUNT };

/* "ID", "INT", ... (without braces), indexed by enum db_type_token. */
extern const char *const db_type_token_names[DB_T_COUNT];

/* Statements kept idle per connection (db.h, "Statement cache"). */
#define DB_STMT_CACHE 48

struct db {
    const struct db_ops *ops;
    void *conn;      /* the backend's connection (sqlite3 *, PGconn * ...) */
    char *path;      /* db_path(): the path given to db_open, or a URI without
                        its user, password and query (db_where_of); the
                        `where` of error messages */
    int in_tx;
    int ncached;
    struct db_stmt *cache[DB_STMT_CACHE]; /* idle statements, oldest first */
};

struct db_stmt {
    const struct db_ops *ops;
    db_t *db;
    void *impl;      /* the backend's statement (sqlite3_stmt * ...) */
    char *sql;       /* the text given to db_prepare (cache key); owned */
};

/*
 * One backend. Every function pointer is required unless marked optional.
 * Functions receive the generic handles; the backend keeps its state in
 * db->conn and st->impl. Error codes follow db.h: PU_ERR_CONFLICT for a
 * constraint violation, PU_ERR_DB for other database failures, PU_ERR_NOMEM.
 */
typedef struct db_ops {
    const char *name; /* db_backend(): "sqlite", "postgresql" */

    /* Connect to `path` and set db->conn. On failure db->conn may be set
     * (close is called on it). db->path is already set. */
    int (*open)(db_t *db, const char *path, const db_opts *opts, pu_err *err);
    /* Release db->conn (may be NULL). Idle statements are already freed. */
    void (*close)(db_t *db);
    /* Run SQL without parameters, possibly several statements. */
    int (*exec)(db_t *db, const char *sql, pu_err *err);

    /* Prepare sql for st->db into st->impl. */
    int (*prepare)(db_stmt *st, const char *sql, pu_err *err);
    /* Free st->impl (st itself is freed by the front). */
    void (*finalize)(db_stmt *st);
    /* Back to before the first step, bindings cleared, no open cursor or
     * snapshot held. */
    void (*reset)(db_stmt *st);
    int (*bind_text)(db_stmt *st, int idx, const char *text, long len); /* text != NULL */
    int (*bind_int64)(db_stmt *st, int idx, int64_t v);
    int (*bind_double)(db_stmt *st, int idx, double v);
    int (*bind_blob)(db_stmt *st, int idx, const void *data, size_t n);
    int (*bind_null)(db_stmt *st, int idx);
    /* Optional (db_large_read): read st's result in batches from its next
     * execution on; NULL: the hint means nothing to this backend. */
    void (*large_read)(db_stmt *st);
    /* DB_ROW, DB_DONE or an error code with *err filled. */
    int (*step)(db_stmt *st, pu_err *err);
    int (*col_count)(db_stmt *st);
    int (*col_isnull)(db_stmt *st, int col);
    const char *(*col_text)(db_stmt *st, int col); /* NULL or the text */
    int64_t (*col_int64)(db_stmt *st, int col);
    double (*col_double)(db_stmt *st, int col);
    const void *(*col_blob)(db_stmt *st, int col, size_t *n);
    /* Rows changed by the last INSERT/UPDATE/DELETE on this connection. */
    int64_t (*changes)(db_t *db);

    /* The statement db_begin runs: it must take the store's write lock at
     * once (one writer at a time), so a transaction never fails half-way on
     * a lock upgrade. SQLite: "BEGIN IMMEDIATE". */
    const char *begin_sql;
    /* Optional: a function that begins instead of begin_sql (PostgreSQL:
     * BEGIN plus the store's advisory lock); on failure no transaction is
     * left open. */
    int (*begin)(db_t *db, pu_err *err);
    /* 1 when an error inside a transaction aborts the whole transaction
     * (PostgreSQL): db_step_try then runs its statement under a savepoint,
     * so the transaction goes on as it does on SQLite. */
    int error_aborts_tx;
    /* Optional (db_sync_ids): move the id generator of `table` (a checked
     * name, lower-case letters, digits, '_') past its largest id. */
    int (*sync_ids)(db_t *db, const char *table, pu_err *err);

    /* Optional bulk insert (db.h, "bulk insert"); NULL: db.c inserts each
     * row with a prepared INSERT. bulk_encode appends one row (ncols values,
     * NULL = SQL NULL) to the queue in the backend's own format;
     * bulk_send writes the queue into `target` ("table (col, ...)"). */
    int (*bulk_encode)(pu_buf *queue, const char *const *vals, int ncols);
    int (*bulk_send)(db_t *db, const char *target, const char *data, size_t len, pu_err *err);

    /* What each DDL type token expands to (every entry set). */
    const char *types[DB_T_COUNT];

    /* Maintenance (db.h); optional: NULL means nothing to do (PU_OK). */
    int (*checkpoint)(db_t *db, pu_err *err);
    int (*autocheckpoint)(db_t *db, int on, pu_err *err);
    int (*bulk_load_hint)(db_t *db, size_t cache_bytes, pu_err *err);
    /* Optional (db_scratch_empty): the SQL verb that empties a temporary
     * table, followed by its (checked) name; NULL: "DELETE FROM". */
    const char *scratch_empty;
    /* Optional (db_fk_suspend): drop the foreign key on table(column) and
     * set *restore to the SQL that adds it back (malloc'd); NULL: nothing to do. */
    int (*fk_suspend)(db_t *db, const char *table, const char *column, char **restore, pu_err *err);
    /* Optional (db_alive): 0 when the connection is known to be broken,
     * without a round trip; NULL means always alive (a file). */
    int (*alive)(db_t *db);
} db_ops;

/* The path shown in messages: a `scheme://` URI loses its user, password
 * and query ("postgresql://u:pw@h:5432/db?x=y" -> "postgresql://h:5432/db");
 * other paths are kept. Caller frees; NULL when out of memory. */
char *db_where_of(const char *path);

extern const db_ops db_sqlite_ops; /* db_sqlite.c */
extern const db_ops db_pg_ops;     /* db_pg.c */

#endif
