/* db_sqlite.c - the SQLite backend of db.h (db_sqlite_ops, see db_int.h).
 * db->conn is the sqlite3 *, st->impl the sqlite3_stmt *. */
#include "db/db_int.h"

#include <sqlite3.h>
#include <string.h>

#define H(db) ((sqlite3 *)(db)->conn)
#define S(st) ((sqlite3_stmt *)(st)->impl)

/* PU_ERR_CONFLICT for a constraint violation, PU_ERR_NOMEM, else PU_ERR_DB. */
static int sq_code(sqlite3 *h) {
    int prim = h ? sqlite3_extended_errcode(h) & 0xff : SQLITE_ERROR;
    return prim == SQLITE_CONSTRAINT ? PU_ERR_CONFLICT : prim == SQLITE_NOMEM ? PU_ERR_NOMEM : PU_ERR_DB;
}

static int sq_fail(db_t *db, pu_err *err, const char *what) {
    sqlite3 *h = H(db);
    return pu_fail(err, sq_code(h), db->path, NULL, "%s: %s", what, h ? sqlite3_errmsg(h) : pu_tr("no database"));
}

/* Switching a new file to WAL needs a moment alone with it, and SQLite
 * answers SQLITE_BUSY at once (without its busy handler) while another
 * process is creating the same store: retry for up to WAL_RETRY_MS (seen as
 * "cannot enable WAL: database is locked" when four processes open a new
 * store together, tests/http/test_two_servers.py). */
#define WAL_RETRY_MS 5000
#define WAL_RETRY_STEP_MS 10
static int enable_wal(sqlite3 *h) {
    int rc = SQLITE_BUSY;
    for (int waited = 0; waited <= WAL_RETRY_MS; waited += WAL_RETRY_STEP_MS) {
        rc = sqlite3_exec(h, "PRAGMA journal_mode=WAL;", NULL, NULL, NULL);
        if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED) break;
        sqlite3_sleep(WAL_RETRY_STEP_MS);
    }
    return rc;
}

static int sq_open(db_t *db, const char *path, const db_opts *opts, pu_err *err) {
    int flags = opts && opts->readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    flags |= SQLITE_OPEN_NOMUTEX;
    sqlite3 *h = NULL;
    int rc = sqlite3_open_v2(path, &h, flags, NULL);
    db->conn = h;
    if (rc != SQLITE_OK) return sq_fail(db, err, "cannot open store");
    sqlite3_busy_timeout(h, opts && opts->busy_timeout_ms ? opts->busy_timeout_ms : 5000);
    sqlite3_extended_result_codes(h, 1);
    if (sqlite3_exec(h, "PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;", NULL, NULL, NULL) != SQLITE_OK)
        return sq_fail(db, err, "cannot configure store");
    if (!(opts && opts->readonly) && strcmp(path, ":memory:") != 0 && enable_wal(h) != SQLITE_OK)
        return sq_fail(db, err, "cannot enable WAL");
    return PU_OK;
}

static void sq_close(db_t *db) { sqlite3_close_v2(H(db)); }

static int sq_exec(db_t *db, const char *sql, pu_err *err) {
    char *msg = NULL;
    if (sqlite3_exec(H(db), sql, NULL, NULL, &msg) != SQLITE_OK) {
        int rc = pu_fail(err, sq_code(H(db)), db->path, NULL, "%s", msg ? msg : sqlite3_errmsg(H(db)));
        sqlite3_free(msg);
        return rc;
    }
    return PU_OK;
}

static int sq_prepare(db_stmt *st, const char *sql, pu_err *err) {
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(H(st->db), sql, -1, &s, NULL) != SQLITE_OK)
        return sq_fail(st->db, err, "cannot prepare statement");
    st->impl = s;
    return PU_OK;
}

static void sq_finalize(db_stmt *st) { sqlite3_finalize(S(st)); }

static void sq_reset(db_stmt *st) {
    sqlite3_reset(S(st));
    sqlite3_clear_bindings(S(st));
}

static int bind_rc(int rc) { return rc == SQLITE_OK ? PU_OK : rc == SQLITE_NOMEM ? PU_ERR_NOMEM : PU_ERR_DB; }

static int sq_bind_text(db_stmt *st, int idx, const char *text, long len) {
    return bind_rc(sqlite3_bind_text(S(st), idx, text, len < 0 ? -1 : (int)len, SQLITE_TRANSIENT));
}
static int sq_bind_int64(db_stmt *st, int idx, int64_t v) { return bind_rc(sqlite3_bind_int64(S(st), idx, v)); }
static int sq_bind_double(db_stmt *st, int idx, double v) { return bind_rc(sqlite3_bind_double(S(st), idx, v)); }
static int sq_bind_blob(db_stmt *st, int idx, const void *data, size_t n) {
    return bind_rc(sqlite3_bind_blob64(S(st), idx, data, n, SQLITE_TRANSIENT));
}
static int sq_bind_null(db_stmt *st, int idx) { return bind_rc(sqlite3_bind_null(S(st), idx)); }

static int sq_step(db_stmt *st, pu_err *err) {
    int rc = sqlite3_step(S(st));
    if (rc == SQLITE_ROW) return DB_ROW;
    if (rc == SQLITE_DONE) return DB_DONE;
    return sq_fail(st->db, err, "statement failed");
}

static int sq_col_count(db_stmt *st) { return sqlite3_column_count(S(st)); }
static int sq_col_isnull(db_stmt *st, int col) { return sqlite3_column_type(S(st), col) == SQLITE_NULL; }
static const char *sq_col_text(db_stmt *st, int col) { return (const char *)sqlite3_column_text(S(st), col); }
static int64_t sq_col_int64(db_stmt *st, int col) { return sqlite3_column_int64(S(st), col); }
static double sq_col_double(db_stmt *st, int col) { return sqlite3_column_double(S(st), col); }
static const void *sq_col_blob(db_stmt *st, int col, size_t *n) {
    const void *p = sqlite3_column_blob(S(st), col);
    if (n) *n = (size_t)sqlite3_column_bytes(S(st), col);
    return p;
}

static int64_t sq_changes(db_t *db) { return sqlite3_changes64(H(db)); }

/* PASSIVE: copy what the WAL holds into the store file without waiting for
 * readers or the writer (never blocks them). Another connection running a
 * checkpoint at the same moment (SQLITE_BUSY) counts as done. */
static int sq_checkpoint(db_t *db, pu_err *err) {
    int rc = sqlite3_wal_checkpoint_v2(H(db), NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    return rc == SQLITE_OK || rc == SQLITE_BUSY ? PU_OK : sq_fail(db, err, "checkpoint failed");
}

/* SQLite's default: checkpoint on commit once the WAL has 1000 pages. */
static int sq_autocheckpoint(db_t *db, int on, pu_err *err) {
    if (sqlite3_wal_autocheckpoint(H(db), on ? 1000 : 0) != SQLITE_OK)
        return sq_fail(db, err, "cannot set autocheckpoint");
    return PU_OK;
}

/* The page cache of this connection, in KiB (negative cache_size); 0 = the
 * compiled-in default (SQLITE_DEFAULT_CACHE_SIZE, -2000). */
static int sq_bulk_load_hint(db_t *db, size_t cache_bytes, pu_err *err) {
    char sql[64];
    size_t kib = cache_bytes / 1024;
    if (kib > (size_t)1 << 40) kib = (size_t)1 << 40;
    if (cache_bytes) snprintf(sql, sizeof sql, "PRAGMA cache_size = -%zu", kib ? kib : 1);
    else snprintf(sql, sizeof sql, "PRAGMA cache_size = -2000");
    return sq_exec(db, sql, err);
}

const db_ops db_sqlite_ops = {
    .name = "sqlite",
    .open = sq_open,
    .close = sq_close,
    .exec = sq_exec,
    .prepare = sq_prepare,
    .finalize = sq_finalize,
    .reset = sq_reset,
    .bind_text = sq_bind_text,
    .bind_int64 = sq_bind_int64,
    .bind_double = sq_bind_double,
    .bind_blob = sq_bind_blob,
    .bind_null = sq_bind_null,
    .step = sq_step,
    .col_count = sq_col_count,
    .col_isnull = sq_col_isnull,
    .col_text = sq_col_text,
    .col_int64 = sq_col_int64,
    .col_double = sq_col_double,
    .col_blob = sq_col_blob,
    .changes = sq_changes,
    /* takes the write lock at once: write transactions run one at a time
     * (serializable), and none fails half-way upgrading a read lock */
    .begin_sql = "BEGIN IMMEDIATE",
    /* must stay byte-identical to the types the migrations used before the
     * tokens, so existing stores keep the same schema text */
    .types = {
        [DB_T_ID] = "INTEGER PRIMARY KEY", /* rowid alias: a new row gets max(id)+1 */
        [DB_T_INT] = "INTEGER",            /* 64-bit */
        [DB_T_REAL] = "REAL",
        [DB_T_BLOB] = "BLOB",
        [DB_T_TS] = "TEXT",                /* ISO-8601 UTC "YYYY-MM-DDTHH:MM:SSZ" */
        [DB_T_BOOL] = "INTEGER",           /* 0/1 */
    },
    .checkpoint = sq_checkpoint,
    .autocheckpoint = sq_autocheckpoint,
    .bulk_load_hint = sq_bulk_load_hint,
};
