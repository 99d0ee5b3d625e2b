/* db_sqlite.c - the SQLite backend of db.h. */
#include "db/db.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

/* Idle prepared statements kept per connection (see db.h, "Statement
 * cache"). Small and bounded: the hot paths use a few dozen distinct SQL
 * texts; dynamically built SQL just cycles through the oldest slots. */
#define DB_STMT_CACHE 48

struct db {
    sqlite3 *h;
    char *path;
    int in_tx;
    int ncached;
    struct db_stmt *cache[DB_STMT_CACHE]; /* oldest first */
};

struct db_stmt {
    sqlite3_stmt *s;
    db_t *db;
};

static int db_fail(db_t *db, pu_err *err, const char *what) {
    int ext = db && db->h ? sqlite3_extended_errcode(db->h) : 0;
    int code = (ext & 0xff) == SQLITE_CONSTRAINT ? PU_ERR_CONFLICT : PU_ERR_DB;
    return pu_fail(err, code, db ? db->path : "", NULL, "%s: %s", what,
                   db && db->h ? sqlite3_errmsg(db->h) : "no database");
}

int db_open(const char *path, const db_opts *opts, db_t **out, pu_err *err) {
    *out = NULL;
    db_t *db = calloc(1, sizeof *db);
    if (!db) return pu_fail(err, PU_ERR_NOMEM, path, NULL, "out of memory");
    db->path = pu_strdup(path);
    int flags = opts && opts->readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    flags |= SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path, &db->h, flags, NULL) != SQLITE_OK) {
        int rc = db_fail(db, err, "cannot open store");
        db_close(db);
        return rc;
    }
    sqlite3_busy_timeout(db->h, opts && opts->busy_timeout_ms ? opts->busy_timeout_ms : 5000);
    sqlite3_extended_result_codes(db->h, 1);
    const char *pragmas = "PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;";
    if (sqlite3_exec(db->h, pragmas, NULL, NULL, NULL) != SQLITE_OK) {
        int rc = db_fail(db, err, "cannot configure store");
        db_close(db);
        return rc;
    }
    if (!(opts && opts->readonly) && strcmp(path, ":memory:") != 0 &&
        sqlite3_exec(db->h, "PRAGMA journal_mode=WAL;", NULL, NULL, NULL) != SQLITE_OK) {
        int rc = db_fail(db, err, "cannot enable WAL");
        db_close(db);
        return rc;
    }
    *out = db;
    return PU_OK;
}

static void stmt_free(struct db_stmt *st) {
    sqlite3_finalize(st->s);
    free(st);
}

void db_close(db_t *db) {
    if (!db) return;
    if (db->in_tx) db_rollback(db);
    for (int i = 0; i < db->ncached; i++) stmt_free(db->cache[i]);
    db->ncached = 0;
    sqlite3_close_v2(db->h);
    free(db->path);
    free(db);
}

const char *db_path(const db_t *db) { return db->path; }
const char *db_backend(const db_t *db) { (void)db; return "sqlite"; }

int db_exec(db_t *db, const char *sql, pu_err *err) {
    char *msg = NULL;
    if (sqlite3_exec(db->h, sql, NULL, NULL, &msg) != SQLITE_OK) {
        int rc = pu_fail(err, PU_ERR_DB, db->path, NULL, "%s", msg ? msg : sqlite3_errmsg(db->h));
        sqlite3_free(msg);
        return rc;
    }
    return PU_OK;
}

/* Take an idle statement with exactly this SQL text out of the cache. */
static db_stmt *cache_take(db_t *db, const char *sql) {
    for (int i = db->ncached - 1; i >= 0; i--) {
        db_stmt *st = db->cache[i];
        if (strcmp(sqlite3_sql(st->s), sql) != 0) continue;
        memmove(&db->cache[i], &db->cache[i + 1], (size_t)(db->ncached - i - 1) * sizeof db->cache[0]);
        db->ncached--;
        return st;
    }
    return NULL;
}

int db_prepare(db_t *db, const char *sql, db_stmt **out, pu_err *err) {
    *out = cache_take(db, sql);
    if (*out) return PU_OK;
    db_stmt *st = calloc(1, sizeof *st);
    if (!st) return pu_fail(err, PU_ERR_NOMEM, db->path, NULL, "out of memory");
    if (sqlite3_prepare_v2(db->h, sql, -1, &st->s, NULL) != SQLITE_OK) {
        free(st);
        return db_fail(db, err, "cannot prepare statement");
    }
    st->db = db;
    *out = st;
    return PU_OK;
}

static int bind_rc(int rc) { return rc == SQLITE_OK ? PU_OK : rc == SQLITE_NOMEM ? PU_ERR_NOMEM : PU_ERR_DB; }

int db_bind_text(db_stmt *st, int idx, const char *text, long len) {
    if (!text) return db_bind_null(st, idx);
    return bind_rc(sqlite3_bind_text(st->s, idx, text, len < 0 ? -1 : (int)len, SQLITE_TRANSIENT));
}
int db_bind_int64(db_stmt *st, int idx, int64_t v) { return bind_rc(sqlite3_bind_int64(st->s, idx, v)); }
int db_bind_double(db_stmt *st, int idx, double v) { return bind_rc(sqlite3_bind_double(st->s, idx, v)); }
int db_bind_blob(db_stmt *st, int idx, const void *data, size_t n) {
    return bind_rc(sqlite3_bind_blob64(st->s, idx, data, n, SQLITE_TRANSIENT));
}
int db_bind_null(db_stmt *st, int idx) { return bind_rc(sqlite3_bind_null(st->s, idx)); }

int db_step(db_stmt *st, pu_err *err) {
    int rc = sqlite3_step(st->s);
    if (rc == SQLITE_ROW) return DB_ROW;
    if (rc == SQLITE_DONE) return DB_DONE;
    return db_fail(st->db, err, "statement failed");
}

int db_reset(db_stmt *st) {
    sqlite3_reset(st->s);
    sqlite3_clear_bindings(st->s);
    return PU_OK;
}

/* Return the statement to its connection's cache (reset, bindings cleared,
 * so it holds no read snapshot and no caller data); evict the oldest idle
 * one when the cache is full. */
void db_finalize(db_stmt *st) {
    if (!st) return;
    db_t *db = st->db;
    const char *sql = sqlite3_sql(st->s);
    if (!db || !sql || !*sql) { stmt_free(st); return; }
    sqlite3_reset(st->s);
    sqlite3_clear_bindings(st->s);
    if (db->ncached == DB_STMT_CACHE) {
        stmt_free(db->cache[0]);
        memmove(&db->cache[0], &db->cache[1], (size_t)(DB_STMT_CACHE - 1) * sizeof db->cache[0]);
        db->ncached--;
    }
    db->cache[db->ncached++] = st;
}

int db_col_count(db_stmt *st) { return sqlite3_column_count(st->s); }
int db_col_isnull(db_stmt *st, int col) { return sqlite3_column_type(st->s, col) == SQLITE_NULL; }
const char *db_col_text(db_stmt *st, int col) {
    const unsigned char *t = sqlite3_column_text(st->s, col);
    return t ? (const char *)t : "";
}
int64_t db_col_int64(db_stmt *st, int col) { return sqlite3_column_int64(st->s, col); }
double db_col_double(db_stmt *st, int col) { return sqlite3_column_double(st->s, col); }
const void *db_col_blob(db_stmt *st, int col, size_t *n) {
    const void *p = sqlite3_column_blob(st->s, col);
    if (n) *n = (size_t)sqlite3_column_bytes(st->s, col);
    return p;
}

int64_t db_last_id(db_t *db) { return sqlite3_last_insert_rowid(db->h); }
int64_t db_changes(db_t *db) { return sqlite3_changes64(db->h); }

int db_begin(db_t *db, pu_err *err) {
    if (db->in_tx) return pu_fail(err, PU_ERR_INTERNAL, db->path, NULL, "nested transaction");
    int rc = db_exec(db, "BEGIN IMMEDIATE", err);
    if (rc == PU_OK) db->in_tx = 1;
    return rc;
}

int db_commit(db_t *db, pu_err *err) {
    if (!db->in_tx) return pu_fail(err, PU_ERR_INTERNAL, db->path, NULL, "commit outside a transaction");
    int rc = db_exec(db, "COMMIT", err);
    if (rc == PU_OK) db->in_tx = 0;
    else db_rollback(db);
    return rc;
}

int db_rollback(db_t *db) {
    if (!db || !db->in_tx) return PU_OK;
    sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
    db->in_tx = 0;
    return PU_OK;
}

int db_in_tx(const db_t *db) { return db->in_tx; }

int db_query_int64(db_t *db, const char *sql, const char *param, int64_t *out, pu_err *err) {
    db_stmt *st;
    *out = 0;
    int rc = db_prepare(db, sql, &st, err);
    if (rc) return rc;
    if (param) db_bind_text(st, 1, param, -1);
    rc = db_step(st, err);
    if (rc == DB_ROW) *out = db_col_int64(st, 0);
    db_finalize(st);
    return rc == DB_ROW || rc == DB_DONE ? PU_OK : rc;
}
