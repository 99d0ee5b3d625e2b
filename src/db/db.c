/* db.c - the generic front of db.h: backend selection, statement cache,
 * transactions, helpers and DDL type tokens, over a backend's db_ops
 * (db_int.h). No backend library is included here. */
#include "db/db_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- backends ----
 * db_open takes the first entry whose prefix starts the path (ASCII case
 * insensitive); an entry without prefixes takes any path. An entry whose
 * ops are NULL is a backend that is not built: opening such a path is
 * PU_ERR_UNSUPPORTED with `missing` as the message. */
static const char *const PG_PREFIXES[] = {"postgresql://", "postgres://", NULL};

static const struct backend {
    const char *const *prefixes;
    const db_ops *ops;
    const char *missing;
} BACKENDS[] = {
    {PG_PREFIXES, &db_pg_ops, NULL},
    {NULL, &db_sqlite_ops, NULL}, /* anything else: a file path or ":memory:" */
};

static const struct backend *backend_for(const char *path) {
    size_t n = sizeof BACKENDS / sizeof BACKENDS[0];
    for (size_t i = 0; i < n; i++) {
        const struct backend *b = &BACKENDS[i];
        if (!b->prefixes) return b;
        for (const char *const *p = b->prefixes; *p; p++)
            if (strncasecmp(path, *p, strlen(*p)) == 0) return b;
    }
    return NULL;
}

char *db_where_of(const char *path) {
    const char *sep = strstr(path, "://");
    if (!sep) return pu_strdup(path);
    const char *host = sep + 3, *end = host + strcspn(host, "/?#");
    const char *at = memchr(host, '@', (size_t)(end - host));
    while (at) { /* the last '@' of the authority ends the user info */
        host = at + 1;
        at = memchr(host, '@', (size_t)(end - host));
    }
    size_t keep = strcspn(end, "?#");
    pu_buf b = PU_BUF_INIT((size_t)-1);
    if (pu_buf_append(&b, path, (size_t)(sep + 3 - path)) || pu_buf_append(&b, host, (size_t)(end - host)) ||
        pu_buf_append(&b, end, keep)) {
        pu_buf_free(&b);
        return NULL;
    }
    return pu_buf_detach(&b);
}

int db_open(const char *path, const db_opts *opts, db_t **out, pu_err *err) {
    *out = NULL;
    if (!path || !*path) return pu_fail(err, PU_ERR_INVALID, NULL, "db", "expected a store path or URI, got ''");
    const struct backend *b = backend_for(path);
    if (!b) return pu_fail(err, PU_ERR_INTERNAL, NULL, "db", "no store backend for this path");
    /* no `where`: a URI may carry a password */
    if (!b->ops) return pu_fail(err, PU_ERR_UNSUPPORTED, NULL, "db", "%s", b->missing);
    db_t *db = calloc(1, sizeof *db);
    if (!db || !(db->path = db_where_of(path))) {
        free(db);
        return pu_fail(err, PU_ERR_NOMEM, NULL, "db", "out of memory");
    }
    db->ops = b->ops;
    int rc = db->ops->open(db, path, opts, err);
    if (rc) {
        db_close(db);
        return rc;
    }
    *out = db;
    return PU_OK;
}

static void stmt_free(db_stmt *st) {
    st->ops->finalize(st);
    free(st->sql);
    free(st);
}

void db_close(db_t *db) {
    if (!db) return;
    if (db->in_tx) db_rollback(db);
    for (int i = 0; i < db->ncached; i++) stmt_free(db->cache[i]);
    db->ncached = 0;
    db->ops->close(db);
    free(db->path);
    free(db);
}

const char *db_path(const db_t *db) { return db->path; }
const char *db_backend(const db_t *db) { return db->ops->name; }

int db_alive(db_t *db) { return !db->ops->alive || db->ops->alive(db); }

int db_exec(db_t *db, const char *sql, pu_err *err) { return db->ops->exec(db, sql, err); }

/* ---- statements and the statement cache (db.h) ---- */

/* Take an idle statement with exactly this SQL text out of the cache. */
static db_stmt *cache_take(db_t *db, const char *sql) {
    for (int i = db->ncached - 1; i >= 0; i--) {
        db_stmt *st = db->cache[i];
        if (strcmp(st->sql, sql) != 0) continue;
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
    if (!st || !(st->sql = pu_strdup(sql))) {
        free(st);
        return pu_fail(err, PU_ERR_NOMEM, db->path, NULL, "out of memory");
    }
    st->ops = db->ops;
    st->db = db;
    int rc = db->ops->prepare(st, sql, err);
    if (rc) {
        free(st->sql);
        free(st);
        return rc;
    }
    *out = st;
    return PU_OK;
}

int db_bind_text(db_stmt *st, int idx, const char *text, long len) {
    if (!text) return st->ops->bind_null(st, idx);
    return st->ops->bind_text(st, idx, text, len);
}
int db_bind_int64(db_stmt *st, int idx, int64_t v) { return st->ops->bind_int64(st, idx, v); }
int db_bind_double(db_stmt *st, int idx, double v) { return st->ops->bind_double(st, idx, v); }
int db_bind_blob(db_stmt *st, int idx, const void *data, size_t n) { return st->ops->bind_blob(st, idx, data, n); }
int db_bind_null(db_stmt *st, int idx) { return st->ops->bind_null(st, idx); }

int db_step(db_stmt *st, pu_err *err) { return st->ops->step(st, err); }

int db_large_read(db_stmt *st) {
    if (st->ops->large_read) st->ops->large_read(st);
    return PU_OK;
}

int db_reset(db_stmt *st) {
    st->ops->reset(st);
    return PU_OK;
}

/* Return the statement to its connection's cache (reset, bindings cleared,
 * so it holds no read snapshot and no caller data); evict the oldest idle
 * one when the cache is full. Empty SQL is not worth a slot. */
void db_finalize(db_stmt *st) {
    if (!st) return;
    db_t *db = st->db;
    if (!*st->sql) {
        stmt_free(st);
        return;
    }
    st->ops->reset(st);
    if (db->ncached == DB_STMT_CACHE) {
        stmt_free(db->cache[0]);
        memmove(&db->cache[0], &db->cache[1], (size_t)(DB_STMT_CACHE - 1) * sizeof db->cache[0]);
        db->ncached--;
    }
    db->cache[db->ncached++] = st;
}

int db_col_count(db_stmt *st) { return st->ops->col_count(st); }
int db_col_isnull(db_stmt *st, int col) { return st->ops->col_isnull(st, col); }
const char *db_col_text(db_stmt *st, int col) {
    const char *t = st->ops->col_text(st, col);
    return t ? t : "";
}
int64_t db_col_int64(db_stmt *st, int col) { return st->ops->col_int64(st, col); }
double db_col_double(db_stmt *st, int col) { return st->ops->col_double(st, col); }
const void *db_col_blob(db_stmt *st, int col, size_t *n) { return st->ops->col_blob(st, col, n); }

int64_t db_changes(db_t *db) { return db->ops->changes(db); }

/* At most this many bytes of a statement's SQL go into a message. */
#define SQL_SHOWN 80

int db_step_done(db_stmt *st, pu_err *err) {
    int rc = db_step(st, err);
    if (rc == DB_DONE) return PU_OK;
    if (rc == DB_ROW)
        return pu_fail(err, PU_ERR_INTERNAL, st->db->path, NULL,
                       "statement returned a row where none was expected: %.*s", SQL_SHOWN, st->sql);
    return rc;
}

int db_insert_id(db_stmt *st, int64_t *id, pu_err *err) {
    *id = 0;
    int rc = db_step(st, err);
    if (rc == DB_DONE)
        return pu_fail(err, PU_ERR_INTERNAL, st->db->path, NULL,
                       "insert returned no id (expected INSERT ... RETURNING id): %.*s", SQL_SHOWN, st->sql);
    if (rc != DB_ROW) return rc;
    int64_t v = db_col_int64(st, 0);
    /* step to the end: the statement is complete (SQLite keeps a RETURNING
     * statement active until then) and exactly one row came back */
    rc = db_step(st, err);
    if (rc == DB_ROW)
        return pu_fail(err, PU_ERR_INTERNAL, st->db->path, NULL, "insert returned more than one row: %.*s", SQL_SHOWN,
                       st->sql);
    if (rc != DB_DONE) return rc;
    *id = v;
    return PU_OK;
}

/* The savepoint of db_step_try; statements never nest, so one name does. */
#define TRY_SAVEPOINT "pu_try"

int db_step_try(db_stmt *st, pu_err *err) {
    db_t *db = st->db;
    if (!db->in_tx || !db->ops->error_aborts_tx) return db_step_done(st, err);
    int rc = db->ops->exec(db, "SAVEPOINT " TRY_SAVEPOINT, err);
    if (rc) return rc;
    rc = db_step_done(st, err); /* done or failed: the statement is complete */
    const char *end = rc ? "ROLLBACK TO SAVEPOINT " TRY_SAVEPOINT "; RELEASE SAVEPOINT " TRY_SAVEPOINT
                         : "RELEASE SAVEPOINT " TRY_SAVEPOINT;
    pu_err ignored;
    int rc2 = db->ops->exec(db, end, &ignored);
    if (rc2 && !rc) {
        if (err) *err = ignored;
        rc = rc2;
    }
    return rc;
}

int db_sync_ids(db_t *db, const char *table, pu_err *err) {
    for (const char *p = table; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
            return pu_fail(err, PU_ERR_INTERNAL, db->path, NULL, "db_sync_ids: bad table name '%s'", table);
    return db->ops->sync_ids ? db->ops->sync_ids(db, table, err) : PU_OK;
}

/* ---- transactions ---- */

int db_begin(db_t *db, pu_err *err) {
    if (db->in_tx) return pu_fail(err, PU_ERR_INTERNAL, db->path, NULL, "nested transaction");
    int rc = db->ops->begin ? db->ops->begin(db, err) : db->ops->exec(db, db->ops->begin_sql, err);
    if (rc == PU_OK) db->in_tx = 1;
    return rc;
}

int db_commit(db_t *db, pu_err *err) {
    if (!db->in_tx) return pu_fail(err, PU_ERR_INTERNAL, db->path, NULL, "commit outside a transaction");
    int rc = db->ops->exec(db, "COMMIT", err);
    if (rc == PU_OK) db->in_tx = 0;
    else db_rollback(db);
    return rc;
}

int db_rollback(db_t *db) {
    if (!db || !db->in_tx) return PU_OK;
    (void)db->ops->exec(db, "ROLLBACK", NULL);
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

/* ---- GLOB (db.h) ---- */

/* PostgreSQL has no GLOB: its POSIX regular expressions (`~`) do the same
 * once the pattern is translated and anchored. */
static int glob_as_regex(const db_t *db) { return strcmp(db->ops->name, "postgresql") == 0; }

const char *db_glob_op(const db_t *db) { return glob_as_regex(db) ? "~" : "GLOB"; }

int db_glob_pattern(const db_t *db, const char *glob, char *out, size_t size) {
    if (!glob_as_regex(db)) return pu_strlcpy(out, glob, size) < size ? PU_OK : PU_ERR_LIMIT;
    pu_buf b = PU_BUF_INIT(size ? size - 1 : 0);
    int rc = pu_buf_putc(&b, '^');
    for (const char *p = glob; *p && !rc; p++) {
        if (*p == '*') {
            rc = pu_buf_puts(&b, ".*");
        } else if (*p == '?') {
            rc = pu_buf_putc(&b, '.');
        } else if (*p == '[' && strchr(p + 1 + (p[1] == '^') + 1, ']')) {
            /* a set reads the same in both: '^' first negates, a ']' right
             * after the opening (or the '^') is a member, '-' a range */
            const char *q = p + 1;
            if (*q == '^') q++;
            q = strchr(q + 1, ']');
            rc = pu_buf_append(&b, p, (size_t)(q - p) + 1);
            p = q;
        } else {
            if (strchr(".^$|()+{}[]\\", *p)) rc = pu_buf_putc(&b, '\\');
            if (!rc) rc = pu_buf_putc(&b, *p);
        }
    }
    if (!rc) rc = pu_buf_putc(&b, '$');
    if (!rc) {
        if (b.len + 1 > size) rc = PU_ERR_LIMIT;
        else memcpy(out, pu_buf_str(&b), b.len + 1);
    }
    pu_buf_free(&b);
    return rc ? PU_ERR_LIMIT : PU_OK;
}

/* ---- DDL type tokens ---- */

const char *const db_type_token_names[DB_T_COUNT] = {
    [DB_T_ID] = "ID", [DB_T_INT] = "INT", [DB_T_REAL] = "REAL",
    [DB_T_BLOB] = "BLOB", [DB_T_TS] = "TS", [DB_T_BOOL] = "BOOL",
};

#define DDL_MAX ((size_t)16 << 20)

int db_expand_types(db_t *db, const char *sql, char **out, pu_err *err) {
    *out = NULL;
    pu_buf b = PU_BUF_INIT(DDL_MAX);
    int rc = PU_OK;
    const char *p = sql;
    while (rc == PU_OK && *p) {
        const char *open = strchr(p, '{');
        if (!open) {
            rc = pu_buf_puts(&b, p);
            break;
        }
        const char *q = open + 1;
        while (*q >= 'A' && *q <= 'Z') q++;
        if (*q != '}' || q == open + 1) { /* not a token: copy the brace */
            rc = pu_buf_append(&b, p, (size_t)(open - p) + 1);
            p = open + 1;
            continue;
        }
        size_t n = (size_t)(q - open - 1);
        int tok = -1;
        for (int i = 0; i < DB_T_COUNT; i++)
            if (strlen(db_type_token_names[i]) == n && memcmp(db_type_token_names[i], open + 1, n) == 0) tok = i;
        if (tok < 0) {
            pu_buf_free(&b);
            return pu_fail(err, PU_ERR_INVALID, db->path, NULL,
                           "unknown type token {%.*s} in DDL (expected {ID}, {INT}, {REAL}, {BLOB}, {TS} or {BOOL})",
                           (int)(n > 32 ? 32 : n), open + 1);
        }
        const char *type = db->ops->types[tok];
        if (!type) {
            pu_buf_free(&b);
            return pu_fail(err, PU_ERR_INTERNAL, db->path, NULL, "the %s backend has no type for {%s}", db->ops->name,
                           db_type_token_names[tok]);
        }
        rc = pu_buf_append(&b, p, (size_t)(open - p));
        if (rc == PU_OK) rc = pu_buf_puts(&b, type);
        p = q + 1;
    }
    if (rc != PU_OK) {
        pu_buf_free(&b);
        return pu_fail(err, rc, db->path, NULL, rc == PU_ERR_LIMIT ? "DDL text too long" : "out of memory");
    }
    *out = pu_buf_detach(&b);
    if (!*out) return pu_fail(err, PU_ERR_NOMEM, db->path, NULL, "out of memory");
    return PU_OK;
}

/* ---- maintenance ---- */

int db_checkpoint(db_t *db, pu_err *err) { return db->ops->checkpoint ? db->ops->checkpoint(db, err) : PU_OK; }

int db_autocheckpoint(db_t *db, int on, pu_err *err) {
    return db->ops->autocheckpoint ? db->ops->autocheckpoint(db, on, err) : PU_OK;
}

int db_bulk_load_hint(db_t *db, size_t cache_bytes, pu_err *err) {
    return db->ops->bulk_load_hint ? db->ops->bulk_load_hint(db, cache_bytes, err) : PU_OK;
}

static int bulk_name_ok(const char *s);

int db_scratch_empty(db_t *db, const char *table, pu_err *err) {
    if (!bulk_name_ok(table)) return pu_fail(err, PU_ERR_INTERNAL, db->path, NULL, "db_scratch_empty: bad table name");
    char sql[128];
    int n = snprintf(sql, sizeof sql, "%s %s", db->ops->scratch_empty ? db->ops->scratch_empty : "DELETE FROM", table);
    if (n < 0 || (size_t)n >= sizeof sql)
        return pu_fail(err, PU_ERR_INTERNAL, db->path, NULL, "db_scratch_empty: bad table name");
    return db->ops->exec(db, sql, err);
}

struct db_fk {
    char *restore; /* the backend's SQL that adds the constraint back */
};

int db_fk_suspend(db_t *db, const char *table, const char *column, db_fk **out, pu_err *err) {
    *out = NULL;
    if (!bulk_name_ok(table) || !bulk_name_ok(column))
        return pu_fail(err, PU_ERR_INTERNAL, db->path, NULL, "db_fk_suspend: bad table or column name");
    if (!db->ops->fk_suspend) return PU_OK;
    db_fk *fk = calloc(1, sizeof *fk);
    if (!fk) return pu_fail(err, PU_ERR_NOMEM, db->path, NULL, "out of memory");
    int rc = db->ops->fk_suspend(db, table, column, &fk->restore, err);
    if (rc) {
        db_fk_free(fk);
        return rc;
    }
    *out = fk;
    return PU_OK;
}

int db_fk_restore(db_t *db, db_fk *fk, pu_err *err) {
    if (!fk) return PU_OK;
    int rc = db->ops->exec(db, fk->restore, err);
    db_fk_free(fk);
    return rc;
}

void db_fk_free(db_fk *fk) {
    if (!fk) return;
    free(fk->restore);
    free(fk);
}

/* ---- bulk insert (db.h) ---- */

/* Rows queued by a backend's bulk_encode are at most this large in memory
 * (a caller that never flushes gets PU_ERR_NOMEM, not an unbounded heap). */
#define BULK_QUEUE_MAX ((size_t)1 << 30)

struct db_bulk {
    db_t *db;
    int ncols;
    char *target;   /* "table (col, ...)" */
    db_stmt *ins;   /* backends without bulk_encode: the prepared INSERT */
    pu_buf queue;   /* backends with it: rows not sent yet */
    int64_t queued, rows;
};

static int bulk_name_ok(const char *s) {
    if (!s || !*s) return 0;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_')) return 0;
    return 1;
}

/* "table (a, b)" into t; "INSERT INTO table (a, b) VALUES (?, ?)" into ins. */
static int bulk_sql(const char *table, const char *const *cols, int ncols, pu_buf *t, pu_buf *ins) {
    int rc = pu_buf_printf(t, "%s (", table);
    for (int i = 0; i < ncols && !rc; i++) rc = pu_buf_printf(t, "%s%s", i ? ", " : "", cols[i]);
    if (!rc) rc = pu_buf_putc(t, ')');
    if (!rc) rc = pu_buf_printf(ins, "INSERT INTO %s VALUES (", pu_buf_str(t));
    for (int i = 0; i < ncols && !rc; i++) rc = pu_buf_puts(ins, i ? ", ?" : "?");
    if (!rc) rc = pu_buf_putc(ins, ')');
    return rc;
}

int db_bulk_open(db_t *db, const char *table, const char *const *cols, int ncols, db_bulk **out, pu_err *err) {
    *out = NULL;
    if (ncols < 1 || ncols > DB_BULK_MAX_COLS || !bulk_name_ok(table))
        return pu_fail(err, PU_ERR_INTERNAL, db->path, NULL, "db_bulk_open: bad table name or column count");
    for (int i = 0; i < ncols; i++)
        if (!bulk_name_ok(cols[i])) return pu_fail(err, PU_ERR_INTERNAL, db->path, NULL, "db_bulk_open: bad column name");
    db_bulk *b = calloc(1, sizeof *b);
    pu_buf t = PU_BUF_INIT(64u * 1024u), ins = PU_BUF_INIT(64u * 1024u);
    if (!b || bulk_sql(table, cols, ncols, &t, &ins) || !(b->target = pu_buf_detach(&t))) {
        free(b);
        pu_buf_free(&t);
        pu_buf_free(&ins);
        return pu_fail(err, PU_ERR_NOMEM, db->path, NULL, "out of memory");
    }
    b->db = db;
    b->ncols = ncols;
    pu_buf_init(&b->queue, BULK_QUEUE_MAX);
    int rc = db->ops->bulk_encode ? PU_OK : db_prepare(db, pu_buf_str(&ins), &b->ins, err);
    pu_buf_free(&ins);
    if (rc) {
        db_bulk_close(b);
        return rc;
    }
    *out = b;
    return PU_OK;
}

int db_bulk_row(db_bulk *b, const char *const *vals, pu_err *err) {
    if (b->db->ops->bulk_encode) {
        if (b->db->ops->bulk_encode(&b->queue, vals, b->ncols))
            return pu_fail(err, PU_ERR_NOMEM, b->db->path, NULL, "bulk insert into %s: queue full", b->target);
        b->queued++;
        return PU_OK;
    }
    for (int i = 0; i < b->ncols; i++) db_bind_text(b->ins, i + 1, vals[i], -1);
    int rc = db_step_done(b->ins, err);
    db_reset(b->ins);
    if (!rc) b->rows++;
    return rc;
}

size_t db_bulk_pending(const db_bulk *b) { return b->queue.len; }

int db_bulk_flush(db_bulk *b, pu_err *err) {
    if (!b->queue.len) return PU_OK;
    int rc = b->db->ops->bulk_send(b->db, b->target, b->queue.data, b->queue.len, err);
    if (!rc) b->rows += b->queued;
    b->queued = 0;
    pu_buf_reset(&b->queue);
    return rc;
}

int64_t db_bulk_rows(const db_bulk *b) { return b->rows; }

void db_bulk_close(db_bulk *b) {
    if (!b) return;
    db_finalize(b->ins);
    pu_buf_free(&b->queue);
    free(b->target);
    free(b);
}
