/* db_pg.c - the PostgreSQL backend of db.h (db_pg_ops, see db_int.h), over
 * libpq. db->conn is a pg_conn (below), st->impl a pg_stmt.
 *
 * How the SQLite behaviour of db.h is kept (docs/store.md, "PostgreSQL"):
 *  - `?` placeholders become `$1..$n` (outside literals, quoted names and
 *    comments); each statement is a named server-side prepared statement of
 *    its connection, prepared once and reused through db.c's cache;
 *  - results stream in libpq's single-row mode, so a SELECT over a whole
 *    table never sits in memory. A connection runs one command at a time: a
 *    statement that needs the connection while another still streams first
 *    moves the rest of that one's rows into memory (pg_park), which keeps
 *    nested reads (a callback that queries the store) working;
 *  - a statement marked by db_large_read runs as a cursor instead: DECLARE
 *    ... NO SCROLL CURSOR, then FETCH FORWARD PG_FETCH_ROWS at a time, each
 *    batch one PGresult walked by row index (single-row mode costs one
 *    PGresult per row: a fifth of the client's CPU in a trace run, perf); the
 *    FETCH of the next batch is sent before the current one is walked
 *    (c->inflight, read in before any other command). Inside
 *    the caller's transaction the cursor lives as long as the read (other
 *    commands run between two FETCHes; COMMIT or ROLLBACK first moves the
 *    rest of its rows into memory); outside one, the layer opens a READ
 *    ONLY transaction for it (c->implicit) and commits it when the last
 *    batch arrives, and any other command on the connection first moves
 *    the rest of the rows into memory and ends that transaction (pg_park),
 *    so nothing else ever runs inside it;
 *  - values are read as text and converted as SQLite converts them
 *    (booleans 1/0, integers from text, bytea unescaped);
 *  - db_begin is BEGIN plus a transaction-level advisory lock of the store
 *    (its database and schema), the one-writer-at-a-time rule of BEGIN
 *    IMMEDIATE; lock_timeout plays SQLite's busy timeout.
 */
#include "db/db_int.h"

#include <errno.h>
#include <libpq-fe.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Type OIDs of pg_type.h (stable since PostgreSQL 7). */
#define OID_BOOL 16
#define OID_BYTEA 17
#define OID_INT8 20
#define OID_TEXT 25
#define OID_FLOAT8 701

/* First number of the two-key advisory lock of db_begin: Puente's lock
 * space ("PU" in ASCII), so no other application's key collides. */
#define PG_LOCK_CLASS 0x5055

/* PQputCopyData takes the rows of a bulk insert in pieces of this size. */
#define PG_COPY_CHUNK ((size_t)1 << 20)

/* Longest SQL shown in an error message. */
#define PG_SQL_SHOWN 120

/* Rows a large read (db_large_read) fetches per round trip: one PGresult
 * of this many rows in memory at a time. Firearms are about 100 bytes a
 * row, entities a few KB: 10-40 MB at most for the latter. */
#define PG_FETCH_ROWS 8192

/* Blob columns of one row that can be read at once (columns beyond read as
 * NULL; no statement of Puente reads a blob past its 8th column). */
#define PG_BLOB_COLS 8

typedef struct pg_stmt pg_stmt;

typedef struct pg_conn {
    PGconn *pg;
    int lock_key;        /* second key of the write lock: hash of the schema */
    unsigned next_name;  /* prepared statements are named "pu<n>" */
    pg_stmt *streaming;  /* the statement whose rows are being read, if any */
    pg_stmt *implicit;   /* the large read whose transaction the layer opened */
    pg_stmt *cursors;    /* large reads open inside the caller's transaction */
    pg_stmt *inflight;   /* the large read whose next FETCH is on its way */
    int64_t changes;     /* rows of the last INSERT/UPDATE/DELETE */
} pg_conn;

enum { PS_IDLE, PS_STREAM, PS_PARKED, PS_CURSOR, PS_DONE };

/* one parameter value: text form (format 0) or bytes (format 1, bytea) */
typedef struct pg_param {
    char *val;  /* NULL = SQL NULL */
    int len, format;
    Oid type;   /* the type it was bound as; used when the server cannot infer one */
} pg_param;

struct pg_stmt {
    char name[24];
    char *sql;          /* with $n placeholders */
    int nparams;
    pg_param *params;
    int prepared;       /* 1 prepared with inferred types, 2 with the bound types */
    int state;
    PGresult *row;      /* the current row's result (single-row, or a batch) */
    int rowi;           /* the current row's index in row */
    /* a large read (db_large_read): its cursor, the batch being walked and,
     * after a park, the rest of the rows */
    int large, cursor_open;
    char cursor[24];
    PGresult *batch, *prefetched, *rest; /* in the order their rows come */
    int batch_n, batch_next;
    pg_stmt *next_cursor; /* in pg_conn.cursors */
    PGresult **parked;  /* rows read ahead by pg_park, in order */
    size_t nparked, nextparked, capparked;
    int parked_rc;      /* what the statement ended with after the parked rows */
    pu_err parked_err;
    PGresult *desc;     /* PQdescribePrepared, for col_count before a step */
    /* col_blob's unescaped bytes of the current row, one per column read
     * (valid until the next step, as SQLite's: two blob columns of one row
     * may be held at once) */
    unsigned char *blob[PG_BLOB_COLS];
    size_t bloblen[PG_BLOB_COLS];
    /* PQsendQueryPrepared's arrays, nparams long */
    const char **vals;
    int *lens, *fmts;
    Oid *types;
};

#define C(db) ((pg_conn *)(db)->conn)
#define S(st) ((pg_stmt *)(st)->impl)

/* ---- errors ---- */

/* SQLSTATE class 23 (integrity constraint violation) is a conflict; 53200
 * (out of memory) is NOMEM; anything else PU_ERR_DB. */
static int pg_code(const PGresult *r) {
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    if (state && strncmp(state, "23", 2) == 0) return PU_ERR_CONFLICT;
    if (state && strcmp(state, "53200") == 0) return PU_ERR_NOMEM;
    return PU_ERR_DB;
}

/* libpq messages end with a newline; messages here do not. */
static int pg_fail_msg(db_t *db, pu_err *err, int code, const char *what, const char *msg) {
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' ')) n--;
    return pu_fail(err, code, db->path, NULL, "%s: %.*s", what, (int)n, msg);
}

static int pg_fail_res(db_t *db, pu_err *err, const char *what, const PGresult *r) {
    const char *msg = r ? PQresultErrorMessage(r) : "";
    if (!*msg) msg = PQerrorMessage(C(db)->pg);
    return pg_fail_msg(db, err, pg_code(r), what, msg);
}

static int sqlstate_is(const PGresult *r, const char *state) {
    const char *s = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    return s && strcmp(s, state) == 0;
}

/* ---- placeholders ---- */

/* Copy sql with every `?` outside a string literal, a quoted name and a
 * comment replaced by $1, $2, ...; *n is their number. */
static char *rewrite_placeholders(const char *sql, int *n) {
    pu_buf b = PU_BUF_INIT((size_t)-1);
    int k = 0, rc = PU_OK;
    for (const char *p = sql; *p && rc == PU_OK;) {
        const char *start = p;
        if (*p == '\'' || *p == '"') { /* literal or name; a doubled quote stays inside */
            char q = *p++;
            while (*p && !(*p == q && p[1] != q)) p += (*p == q) ? 2 : 1;
            if (*p) p++;
        } else if (p[0] == '-' && p[1] == '-') {
            p += strcspn(p, "\n");
        } else if (p[0] == '/' && p[1] == '*') {
            const char *end = strstr(p + 2, "*/");
            p = end ? end + 2 : p + strlen(p);
        } else if (*p == '?') {
            char num[16];
            snprintf(num, sizeof num, "$%d", ++k);
            rc = pu_buf_puts(&b, num);
            p++;
            continue;
        } else {
            p++;
        }
        rc = pu_buf_append(&b, start, (size_t)(p - start));
    }
    if (rc) {
        pu_buf_free(&b);
        return NULL;
    }
    *n = k;
    char *out = pu_buf_detach(&b);
    return out ? out : pu_strdup("");
}

/* ---- connection ---- */

/* Notices (e.g. "relation already exists, skipping") are not errors and
 * must not reach stderr. */
static void pg_quiet(void *arg, const char *msg) {
    (void)arg;
    (void)msg;
}

static void pg_clear_row(pg_stmt *s);
static void cur_park(db_t *db, pg_stmt *s);
static void cur_collect(db_t *db);
static int pg_prepare_typed(db_stmt *st, pu_err *err);

/* Before the connection runs another command: read the rest of the
 * streaming statement's rows into memory, so it can go on from there. */
static void pg_park_stream(db_t *db) {
    cur_collect(db);
    pg_conn *c = C(db);
    pg_stmt *s = c->streaming;
    if (!s) return;
    c->streaming = NULL;
    s->state = PS_PARKED;
    s->parked_rc = DB_DONE;
    PGresult *r;
    while ((r = PQgetResult(c->pg))) {
        ExecStatusType t = PQresultStatus(r);
        if (t == PGRES_SINGLE_TUPLE) {
            if (s->nparked == s->capparked) {
                size_t cap = s->capparked ? s->capparked * 2 : 64;
                PGresult **grown = realloc(s->parked, cap * sizeof *grown);
                if (!grown) {
                    PQclear(r);
                    s->parked_rc = pu_fail(&s->parked_err, PU_ERR_NOMEM, db->path, NULL, "out of memory");
                    continue;
                }
                s->parked = grown;
                s->capparked = cap;
            }
            s->parked[s->nparked++] = r;
            continue;
        }
        if (t == PGRES_FATAL_ERROR && s->parked_rc == DB_DONE)
            s->parked_rc = pg_fail_res(db, &s->parked_err, "statement failed", r);
        PQclear(r);
    }
}

/* Before any other command: the single-row stream, and a large read in the
 * layer's own transaction (which must end before anything else runs). */
static void pg_park(db_t *db) {
    pg_park_stream(db);
    if (C(db)->implicit) cur_park(db, C(db)->implicit);
}

/* COMMIT and ROLLBACK close every cursor of the transaction: the large
 * reads still open in it keep the rest of their rows in memory first. */
static void pg_park_cursors(db_t *db, const char *sql) {
    if (strcmp(sql, "COMMIT") != 0 && strcmp(sql, "ROLLBACK") != 0) return;
    while (C(db)->cursors) cur_park(db, C(db)->cursors);
}

/* Run SQL without parameters; PGresult of the last statement in *out
 * (caller clears) or NULL. */
static int pg_exec_res(db_t *db, const char *sql, PGresult **out, pu_err *err) {
    pg_park(db);
    pg_park_cursors(db, sql);
    PGresult *r = PQexec(C(db)->pg, sql);
    ExecStatusType t = PQresultStatus(r);
    if (t != PGRES_COMMAND_OK && t != PGRES_TUPLES_OK) {
        int rc = pg_fail_res(db, err, "statement failed", r);
        PQclear(r);
        return rc;
    }
    /* COMMIT of a transaction that an error aborted "succeeds" as ROLLBACK:
     * that is a failed commit (SQLite would have committed the rest) */
    if (strcmp(sql, "COMMIT") == 0 && strcmp(PQcmdStatus(r), "ROLLBACK") == 0) {
        PQclear(r);
        return pu_fail(err, PU_ERR_DB, db->path, NULL,
                       "commit failed: an earlier statement failed and PostgreSQL rolled the transaction back");
    }
    const char *n = PQcmdTuples(r);
    if (*n) C(db)->changes = strtoll(n, NULL, 10);
    if (out) *out = r;
    else PQclear(r);
    return PU_OK;
}

static int pg_exec(db_t *db, const char *sql, pu_err *err) { return pg_exec_res(db, sql, NULL, err); }

/* A store named by a schema that does not exist yet (search_path in the
 * URI's options) is created, as SQLite creates a missing file: the schema
 * is the store. */
static int pg_create_schema(db_t *db, pu_err *err) {
    PGresult *r = NULL;
    int rc = pg_exec_res(db,
                         "SELECT current_schema() IS NULL, "
                         "quote_ident(btrim(split_part(current_setting('search_path'), ',', 1), ' \"'))",
                         &r, err);
    if (rc) return rc;
    if (PQntuples(r) == 1 && *PQgetvalue(r, 0, 0) == 't') {
        pu_buf b = PU_BUF_INIT(1024);
        rc = pu_buf_printf(&b, "CREATE SCHEMA IF NOT EXISTS %s", PQgetvalue(r, 0, 1));
        if (!rc) rc = pg_exec(db, pu_buf_str(&b), err);
        else rc = pu_fail(err, rc, db->path, NULL, "schema name too long");
        pu_buf_free(&b);
        /* another connection may have created it at the same moment */
        if (rc == PU_ERR_CONFLICT) rc = PU_OK;
    }
    PQclear(r);
    return rc;
}

static int pg_open(db_t *db, const char *path, const db_opts *opts, pu_err *err) {
    pg_conn *c = calloc(1, sizeof *c);
    if (!c) return pu_fail(err, PU_ERR_NOMEM, db->path, NULL, "out of memory");
    db->conn = c;
    /* libpq knows the scheme in lower case only; db_open took any case */
    char *uri = pu_strdup(path);
    if (!uri) return pu_fail(err, PU_ERR_NOMEM, db->path, NULL, "out of memory");
    for (char *p = uri; *p && *p != ':'; p++)
        if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
    /* a malformed URI: libpq's message quotes it, password and all */
    char *perr = NULL;
    PQconninfoOption *parsed = PQconninfoParse(uri, &perr);
    PQfreemem(perr);
    if (!parsed) {
        free(uri);
        return pu_fail(err, PU_ERR_INVALID, db->path, NULL,
                       "not a valid PostgreSQL URI (expected postgresql://user@host:port/database?options)");
    }
    PQconninfoFree(parsed);
    c->pg = PQconnectdb(uri);
    free(uri);
    if (!c->pg) return pu_fail(err, PU_ERR_NOMEM, db->path, NULL, "out of memory");
    /* libpq's connection messages name the host, port, user and database,
     * never the password */
    if (PQstatus(c->pg) != CONNECTION_OK)
        return pg_fail_msg(db, err, PU_ERR_DB, "cannot connect to store", PQerrorMessage(c->pg));
    PQsetNoticeProcessor(c->pg, pg_quiet, NULL);
    if (PQsetClientEncoding(c->pg, "UTF8") != 0)
        return pg_fail_msg(db, err, PU_ERR_DB, "cannot set client encoding", PQerrorMessage(c->pg));
    char sql[256];
    int ms = opts && opts->busy_timeout_ms ? opts->busy_timeout_ms : 5000;
    snprintf(sql, sizeof sql,
             "SET lock_timeout = %d; SET client_min_messages = warning; SET extra_float_digits = 1%s", ms,
             opts && opts->readonly ? "; SET default_transaction_read_only = on" : "");
    int rc = pg_exec(db, sql, err);
    if (rc) return rc;
    if (!(opts && opts->readonly) && (rc = pg_create_schema(db, err))) return rc;
    PGresult *r = NULL;
    rc = pg_exec_res(db, "SELECT hashtext(current_schema())", &r, err);
    if (rc) return rc;
    c->lock_key = PQntuples(r) == 1 ? atoi(PQgetvalue(r, 0, 0)) : 0;
    PQclear(r);
    return PU_OK;
}

static void pg_close(db_t *db) {
    pg_conn *c = C(db);
    if (!c) return;
    if (c->pg) PQfinish(c->pg);
    free(c);
    db->conn = NULL;
}

/* BEGIN, then the store's write lock: write transactions run one at a time,
 * as with SQLite's BEGIN IMMEDIATE (docs/store.md, "Transactions"). The
 * lock is released by COMMIT or ROLLBACK. */
static int pg_begin(db_t *db, pu_err *err) {
    char sql[96];
    snprintf(sql, sizeof sql, "BEGIN; SELECT pg_advisory_xact_lock(%d, %d)", PG_LOCK_CLASS, C(db)->lock_key);
    int rc = pg_exec(db, sql, err);
    if (rc) (void)pg_exec(db, "ROLLBACK", NULL);
    return rc;
}

/* After explicit ids were written into an {ID} column: the identity
 * sequence would hand them out again, so it moves past the largest. */
static int pg_sync_ids(db_t *db, const char *table, pu_err *err) {
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT setval(pg_get_serial_sequence('%s', 'id'), COALESCE((SELECT MAX(id) FROM %s), 0) + 1, false)",
             table, table);
    return pg_exec(db, sql, err);
}

/* db_fk_suspend: the constraint's name and definition from the catalogue
 * (table resolved through the search path, like every statement); table and
 * column are checked names (db.c), safe inside the literals. */
static int pg_fk_suspend(db_t *db, const char *table, const char *column, char **restore, pu_err *err) {
    char sql[1024];
    snprintf(sql, sizeof sql,
             "SELECT format('ALTER TABLE %%I DROP CONSTRAINT %%I', '%s', c.conname),"
             " format('ALTER TABLE %%I ADD CONSTRAINT %%I %%s', '%s', c.conname, pg_get_constraintdef(c.oid))"
             " FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]"
             " WHERE c.conrelid = to_regclass('%s') AND c.contype = 'f' AND cardinality(c.conkey) = 1"
             " AND a.attname = '%s'",
             table, table, table, column);
    PGresult *r = NULL;
    int rc = pg_exec_res(db, sql, &r, err);
    if (rc) return rc;
    if (PQntuples(r) != 1) {
        PQclear(r);
        return pu_fail(err, PU_ERR_INTERNAL, db->path, NULL, "db_fk_suspend: no foreign key on %s(%s)", table, column);
    }
    *restore = pu_strdup(PQgetvalue(r, 0, 1));
    if (!*restore) rc = pu_fail(err, PU_ERR_NOMEM, db->path, NULL, "out of memory");
    if (!rc) rc = pg_exec(db, PQgetvalue(r, 0, 0), err);
    PQclear(r);
    return rc;
}

/* ---- statements ---- */

static void pg_free_arrays(pg_stmt *s) {
    free(s->params);
    free(s->vals);
    free(s->lens);
    free(s->fmts);
    free(s->types);
    free(s->sql);
}

static int pg_prepare(db_stmt *st, const char *sql, pu_err *err) {
    pg_stmt *s = calloc(1, sizeof *s);
    if (!s) return pu_fail(err, PU_ERR_NOMEM, st->db->path, NULL, "out of memory");
    st->impl = s;
    size_t np = 0;
    if ((s->sql = rewrite_placeholders(sql, &s->nparams))) np = (size_t)s->nparams + 1;
    if (!s->sql || !(s->params = calloc(np, sizeof *s->params)) || !(s->vals = calloc(np, sizeof *s->vals)) ||
        !(s->lens = calloc(np, sizeof *s->lens)) || !(s->fmts = calloc(np, sizeof *s->fmts)) ||
        !(s->types = calloc(np, sizeof *s->types))) {
        pg_free_arrays(s);
        free(s);
        st->impl = NULL;
        return pu_fail(err, PU_ERR_NOMEM, st->db->path, NULL, "out of memory");
    }
    pg_conn *c = C(st->db);
    snprintf(s->name, sizeof s->name, "pu%u", ++c->next_name);
    pg_park(st->db);
    /* prepared now with the types the server infers, so bad SQL fails here
     * as it does with SQLite; a parameter whose type cannot be inferred
     * (`? IS NULL`) is prepared at the first step with its bound type */
    /* inside a transaction a failed PREPARE would abort it (SQLite's
     * failed prepare does not): a savepoint keeps it */
    int in_tx = db_in_tx(st->db);
    int rc = in_tx ? pg_exec(st->db, "SAVEPOINT pu_prep", err) : PU_OK;
    if (rc) goto fail;
    PGresult *r = PQprepare(c->pg, s->name, s->sql, s->nparams, NULL);
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (ok) s->prepared = 1;
    else if (!sqlstate_is(r, "42P18") && !sqlstate_is(r, "42725")) rc = pg_fail_res(st->db, err, "cannot prepare statement", r);
    PQclear(r);
    if (in_tx)
        (void)pg_exec(st->db, ok ? "RELEASE SAVEPOINT pu_prep" : "ROLLBACK TO SAVEPOINT pu_prep; RELEASE SAVEPOINT pu_prep",
                      NULL);
fail:
    if (rc) {
        pg_free_arrays(s);
        free(s);
        st->impl = NULL;
    }
    return rc;
}

static void pg_clear_row(pg_stmt *s) {
    if (s->row != s->batch) PQclear(s->row); /* a batch is freed when used up */
    s->row = NULL;
    s->rowi = 0;
    for (int i = 0; i < PG_BLOB_COLS; i++) {
        PQfreemem(s->blob[i]);
        s->blob[i] = NULL;
    }
}

/* ---- large reads: a cursor, read a batch at a time ---- */

/* The batch being walked and a parked rest, freed. */
static void cur_drop(pg_stmt *s) {
    if (s->row == s->batch) s->row = NULL;
    PQclear(s->batch);
    PQclear(s->prefetched);
    PQclear(s->rest);
    s->batch = s->prefetched = s->rest = NULL;
    s->batch_n = s->batch_next = 0;
}

/* The connection is needed: the FETCH sent ahead is read in (its rows wait
 * in s->prefetched; an error result too, for the step that reaches it). */
static void cur_collect(db_t *db) {
    pg_conn *c = C(db);
    pg_stmt *s = c->inflight;
    if (!s) return;
    c->inflight = NULL;
    PGresult *r, *first = NULL;
    while ((r = PQgetResult(c->pg))) {
        if (!first) first = r;
        else PQclear(r);
    }
    s->prefetched = first; /* NULL: the connection broke; the next FETCH says so */
}

/* Run a command of the cursor machinery itself (no park: it is the reads'
 * own traffic). The result is the caller's. */
static PGresult *cur_exec(db_t *db, const char *sql) {
    pg_park_stream(db);
    return PQexec(C(db)->pg, sql);
}

static void cur_unlink(pg_conn *c, pg_stmt *s) {
    if (c->implicit == s) c->implicit = NULL;
    for (pg_stmt **p = &c->cursors; *p; p = &(*p)->next_cursor)
        if (*p == s) {
            *p = s->next_cursor;
            break;
        }
    s->next_cursor = NULL;
}

/* Close the cursor; the layer's own transaction ends with it (committed:
 * it only read; rolled back when an error aborted it). `failed`: the
 * transaction is known to be aborted. */
static void cur_close(db_t *db, pg_stmt *s, int failed) {
    pg_conn *c = C(db);
    if (!s->cursor_open) return;
    int implicit = c->implicit == s;
    cur_unlink(c, s);
    s->cursor_open = 0;
    if (!c->pg) return;
    char sql[64];
    snprintf(sql, sizeof sql, implicit ? "CLOSE %s; COMMIT" : "CLOSE %s", s->cursor);
    PGresult *r = failed ? NULL : cur_exec(db, sql);
    if (failed || PQresultStatus(r) != PGRES_COMMAND_OK) {
        PQclear(r);
        /* in the caller's transaction a failure is the caller's to end */
        r = implicit ? cur_exec(db, "ROLLBACK") : NULL;
    }
    PQclear(r);
}

/* The next batch into s->batch: the one fetched ahead, or a FETCH now. A
 * full batch sends the FETCH of the next one before its rows are walked,
 * so the server produces batch k+1 while the caller consumes batch k (the
 * overlap that single-row mode had); a short one is the last and closes
 * the cursor. At most two batches are in memory. */
static int cur_fetch(db_t *db, pg_stmt *s, pu_err *err) {
    pg_conn *c = C(db);
    if (s->row == s->batch) s->row = NULL;
    /* the used batch is freed after the next one is read in: its memory,
     * below the new one's, is reused by the batch after, instead of the top
     * of the heap being given back and faulted in again for every batch */
    PGresult *used = s->batch;
    s->batch = NULL;
    s->batch_n = s->batch_next = 0;
    char sql[64];
    snprintf(sql, sizeof sql, "FETCH FORWARD %d FROM %s", PG_FETCH_ROWS, s->cursor);
    pg_park_stream(db); /* collects our own FETCH sent ahead */
    PGresult *r = s->prefetched;
    s->prefetched = NULL;
    if (!r && s->cursor_open) r = PQexec(c->pg, sql);
    PQclear(used);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        int rc = pg_fail_res(db, err, "statement failed", r);
        PQclear(r);
        cur_close(db, s, 1);
        return rc;
    }
    s->batch = r;
    s->batch_n = PQntuples(r);
    if (!s->cursor_open) return PU_OK; /* parked: the rest is in memory */
    if (s->batch_n < PG_FETCH_ROWS) {
        cur_close(db, s, 0);
    } else if (PQsendQuery(c->pg, sql)) {
        c->inflight = s;
    } /* else: the next step fetches synchronously (and reports the error) */
    return PU_OK;
}

/* Another command needs the connection (or the transaction ends): the
 * rest of the rows into memory, behind the batch being walked, and the
 * cursor closed. An error is returned by the step after the kept rows. */
static void cur_park(db_t *db, pg_stmt *s) {
    char sql[64];
    snprintf(sql, sizeof sql, "FETCH ALL FROM %s", s->cursor);
    PGresult *r = cur_exec(db, sql);
    int failed = PQresultStatus(r) != PGRES_TUPLES_OK;
    if (failed) {
        s->parked_rc = pg_fail_res(db, &s->parked_err, "statement failed", r);
        PQclear(r);
    } else {
        s->rest = r;
    }
    cur_close(db, s, failed);
}

/* First step of a large read: DECLARE (in a transaction of the layer's when
 * the caller has none), then the first batch. */
static int cur_open(db_stmt *st, pu_err *err) {
    pg_stmt *s = S(st);
    pg_conn *c = C(st->db);
    pg_park(st->db);
    int implicit = !db_in_tx(st->db);
    if (implicit) {
        PGresult *r = cur_exec(st->db, "BEGIN READ ONLY");
        int rc = PQresultStatus(r) == PGRES_COMMAND_OK ? PU_OK : pg_fail_res(st->db, err, "statement failed", r);
        PQclear(r);
        if (rc) return rc;
    }
    snprintf(s->cursor, sizeof s->cursor, "puc%u", ++c->next_name);
    pu_buf decl = PU_BUF_INIT((size_t)-1);
    int rc = pu_buf_printf(&decl, "DECLARE %s NO SCROLL CURSOR FOR ", s->cursor);
    if (!rc) rc = pu_buf_puts(&decl, s->sql);
    if (rc) rc = pu_fail(err, PU_ERR_NOMEM, st->db->path, NULL, "out of memory");
    for (int i = 0; !rc && i < s->nparams; i++) {
        s->vals[i] = s->params[i].val;
        s->lens[i] = s->params[i].len;
        s->fmts[i] = s->params[i].format;
    }
    if (!rc && !s->prepared) rc = pg_prepare_typed(st, err);
    if (!rc) {
        /* the types the statement was prepared with: inferred, or bound */
        PGresult *r = PQexecParams(c->pg, pu_buf_str(&decl), s->nparams, s->prepared == 2 ? s->types : NULL,
                                   s->vals, s->lens, s->fmts, 0);
        if (PQresultStatus(r) != PGRES_COMMAND_OK) rc = pg_fail_res(st->db, err, "statement failed", r);
        PQclear(r);
    }
    pu_buf_free(&decl);
    if (rc) {
        if (implicit) PQclear(cur_exec(st->db, "ROLLBACK"));
        return rc;
    }
    s->cursor_open = 1;
    s->parked_rc = DB_DONE;
    if (implicit) {
        c->implicit = s;
    } else {
        s->next_cursor = c->cursors;
        c->cursors = s;
    }
    s->state = PS_CURSOR;
    rc = cur_fetch(st->db, s, err);
    if (rc) {
        cur_drop(s);
        s->state = PS_DONE;
    }
    return rc;
}

/* The next row of a large read: the batch, the batch fetched ahead, the
 * next FETCH while the cursor is open, then (after a park) the rest. */
static int cur_step(db_stmt *st, pu_err *err) {
    pg_stmt *s = S(st);
    while (s->batch_next >= s->batch_n) {
        int rc;
        if (s->prefetched || C(st->db)->inflight == s || s->cursor_open) {
            rc = cur_fetch(st->db, s, err);
        } else if (s->rest) {
            PQclear(s->batch);
            s->batch = s->rest;
            s->rest = NULL;
            s->batch_n = PQntuples(s->batch);
            s->batch_next = 0;
            continue;
        } else { /* every row read (DB_DONE), or the error of a park */
            rc = s->parked_rc;
            if (rc != DB_DONE && err) *err = s->parked_err;
        }
        if (rc != PU_OK) {
            cur_drop(s);
            s->state = PS_DONE;
            return rc;
        }
    }
    s->row = s->batch;
    s->rowi = s->batch_next++;
    return DB_ROW;
}

/* Back to idle: rows of an unfinished statement are read and dropped (the
 * connection can run nothing else until they are). */
static void pg_stop(db_stmt *st) {
    pg_stmt *s = S(st);
    pg_conn *c = C(st->db);
    if (c->streaming == s) {
        PGresult *r;
        while ((r = PQgetResult(c->pg))) PQclear(r);
        c->streaming = NULL;
    }
    for (size_t i = s->nextparked; i < s->nparked; i++) PQclear(s->parked[i]);
    s->nparked = s->nextparked = 0;
    pg_clear_row(s);
    cur_close(st->db, s, 0);
    cur_drop(s);
    s->state = PS_IDLE;
}

static void pg_reset(db_stmt *st) {
    pg_stmt *s = S(st);
    pg_stop(st);
    for (int i = 0; i < s->nparams; i++) {
        free(s->params[i].val);
        s->params[i] = (pg_param){0};
    }
}

static void pg_finalize(db_stmt *st) {
    pg_stmt *s = S(st);
    if (!s) return;
    pg_reset(st);
    if (s->prepared && C(st->db) && C(st->db)->pg) {
        char sql[48];
        snprintf(sql, sizeof sql, "DEALLOCATE %s", s->name);
        (void)pg_exec(st->db, sql, NULL);
    }
    PQclear(s->desc);
    free(s->parked);
    pg_free_arrays(s);
    free(s);
    st->impl = NULL;
}

static int set_param(db_stmt *st, int idx, const void *val, size_t len, int format, Oid type) {
    pg_stmt *s = S(st);
    if (idx < 1 || idx > s->nparams) return PU_ERR_DB;
    pg_param *p = &s->params[idx - 1];
    free(p->val);
    *p = (pg_param){.format = format, .type = type};
    if (!val) return PU_OK;
    if (len > (size_t)INT32_MAX) return PU_ERR_DB;
    if (!(p->val = malloc(len + 1))) return PU_ERR_NOMEM;
    memcpy(p->val, val, len);
    p->val[len] = 0;
    p->len = (int)len;
    return PU_OK;
}

static int pg_bind_text(db_stmt *st, int idx, const char *text, long len) {
    return set_param(st, idx, text, len < 0 ? strlen(text) : (size_t)len, 0, OID_TEXT);
}
static int pg_bind_int64(db_stmt *st, int idx, int64_t v) {
    char num[24];
    int n = snprintf(num, sizeof num, "%lld", (long long)v);
    return set_param(st, idx, num, (size_t)n, 0, OID_INT8);
}
static int pg_bind_double(db_stmt *st, int idx, double v) {
    char num[40];
    int n;
    if (isnan(v)) n = snprintf(num, sizeof num, "NaN");
    else if (isinf(v)) n = snprintf(num, sizeof num, "%sInfinity", v < 0 ? "-" : "");
    else n = snprintf(num, sizeof num, "%.17g", v);
    return set_param(st, idx, num, (size_t)n, 0, OID_FLOAT8);
}
static int pg_bind_blob(db_stmt *st, int idx, const void *data, size_t n) {
    return set_param(st, idx, data ? data : "", n, 1, OID_BYTEA);
}
static int pg_bind_null(db_stmt *st, int idx) { return set_param(st, idx, NULL, 0, 0, OID_TEXT); }

/* Prepare with the bound types: for statements whose parameter types the
 * server could not infer. */
static int pg_prepare_typed(db_stmt *st, pu_err *err) {
    pg_stmt *s = S(st);
    for (int i = 0; i < s->nparams; i++) s->types[i] = s->params[i].type ? s->params[i].type : OID_TEXT;
    PGresult *r = PQprepare(C(st->db)->pg, s->name, s->sql, s->nparams, s->types);
    int rc = PQresultStatus(r) == PGRES_COMMAND_OK ? PU_OK : pg_fail_res(st->db, err, "cannot prepare statement", r);
    PQclear(r);
    if (!rc) s->prepared = 2;
    return rc;
}

/* Send the statement and switch to single-row mode. */
static int pg_send(db_stmt *st, pu_err *err) {
    pg_stmt *s = S(st);
    pg_conn *c = C(st->db);
    pg_park(st->db);
    if (!s->prepared) {
        int rc = pg_prepare_typed(st, err);
        if (rc) return rc;
    }
    for (int i = 0; i < s->nparams; i++) {
        s->vals[i] = s->params[i].val;
        s->lens[i] = s->params[i].len;
        s->fmts[i] = s->params[i].format;
    }
    if (!PQsendQueryPrepared(c->pg, s->name, s->nparams, s->vals, s->lens, s->fmts, 0))
        return pg_fail_msg(st->db, err, PU_ERR_DB, "statement failed", PQerrorMessage(c->pg));
    PQsetSingleRowMode(c->pg);
    c->streaming = s;
    s->state = PS_STREAM;
    return PU_OK;
}

/* The next result of a streaming statement. */
static int pg_next_streamed(db_stmt *st, pu_err *err) {
    pg_stmt *s = S(st);
    pg_conn *c = C(st->db);
    PGresult *r = PQgetResult(c->pg);
    ExecStatusType t = PQresultStatus(r);
    if (r && t == PGRES_SINGLE_TUPLE) {
        s->row = r;
        return DB_ROW;
    }
    int rc = DB_DONE;
    if (t == PGRES_TUPLES_OK || t == PGRES_COMMAND_OK) {
        const char *n = PQcmdTuples(r);
        if (*n) c->changes = strtoll(n, NULL, 10);
    } else {
        rc = pg_fail_res(st->db, err, "statement failed", r);
    }
    PQclear(r);
    while ((r = PQgetResult(c->pg))) PQclear(r);
    c->streaming = NULL;
    s->state = PS_DONE;
    return rc;
}

static int pg_step(db_stmt *st, pu_err *err) {
    pg_stmt *s = S(st);
    pg_clear_row(s);
    switch (s->state) {
    case PS_IDLE: {
        if (s->large) {
            int rc = cur_open(st, err);
            return rc ? rc : cur_step(st, err);
        }
        int rc = pg_send(st, err);
        if (rc) return rc;
        rc = pg_next_streamed(st, err);
        /* a plan cached before a schema change: prepare again, once */
        if (rc == PU_ERR_DB && strstr(err ? err->msg : "", "cached plan must not change result type") &&
            !db_in_tx(st->db)) {
            char sql[48];
            snprintf(sql, sizeof sql, "DEALLOCATE %s", s->name);
            (void)pg_exec(st->db, sql, NULL);
            s->prepared = 0;
            PQclear(s->desc);
            s->desc = NULL;
            s->state = PS_IDLE;
            if ((rc = pg_send(st, err))) return rc;
            rc = pg_next_streamed(st, err);
        }
        return rc;
    }
    case PS_STREAM:
        return pg_next_streamed(st, err);
    case PS_CURSOR:
        return cur_step(st, err);
    case PS_PARKED:
        if (s->nextparked < s->nparked) {
            s->row = s->parked[s->nextparked++];
            return DB_ROW;
        }
        s->state = PS_DONE;
        s->nparked = s->nextparked = 0;
        if (s->parked_rc != DB_DONE && err) *err = s->parked_err;
        return s->parked_rc;
    default:
        return DB_DONE;
    }
}

/* db_large_read: only a SELECT can be a cursor's query. */
static void pg_large_read(db_stmt *st) {
    pg_stmt *s = S(st);
    const char *p = s->sql;
    while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '(') p++;
    if (strncasecmp(p, "SELECT", 6) == 0) s->large = 1;
}

/* ---- columns: converted as SQLite converts ---- */

static int pg_col_count(db_stmt *st) {
    pg_stmt *s = S(st);
    if (s->row) return PQnfields(s->row);
    if (!s->desc && s->prepared) {
        pg_park(st->db);
        s->desc = PQdescribePrepared(C(st->db)->pg, s->name);
    }
    return s->desc && PQresultStatus(s->desc) == PGRES_COMMAND_OK ? PQnfields(s->desc) : 0;
}

static int has_col(const pg_stmt *s, int col) { return s->row && col >= 0 && col < PQnfields(s->row); }

static int pg_col_isnull(db_stmt *st, int col) {
    pg_stmt *s = S(st);
    return !has_col(s, col) || PQgetisnull(s->row, s->rowi, col);
}

static const char *pg_col_text(db_stmt *st, int col) {
    pg_stmt *s = S(st);
    if (pg_col_isnull(st, col)) return NULL;
    const char *v = PQgetvalue(s->row, s->rowi, col);
    if (PQftype(s->row, col) == OID_BOOL) return *v == 't' ? "1" : "0";
    return v;
}

/* Integer of a text value: its leading integer, or the truncated real
 * ("3.7" -> 3), or 0, as SQLite's cast does. */
static int64_t int_of(const char *v) {
    errno = 0;
    char *end;
    long long n = strtoll(v, &end, 10);
    if (*end == '.' || *end == 'e' || *end == 'E') {
        double d = strtod(v, NULL);
        if (d >= 9.2e18) return INT64_MAX;
        if (d <= -9.2e18) return INT64_MIN;
        return (int64_t)d;
    }
    return (int64_t)n;
}

static int64_t pg_col_int64(db_stmt *st, int col) {
    const char *v = pg_col_text(st, col);
    return v ? int_of(v) : 0;
}

static double pg_col_double(db_stmt *st, int col) {
    const char *v = pg_col_text(st, col);
    return v ? strtod(v, NULL) : 0.0;
}

static const void *pg_col_blob(db_stmt *st, int col, size_t *n) {
    pg_stmt *s = S(st);
    if (n) *n = 0;
    if (pg_col_isnull(st, col)) return NULL;
    const char *v = PQgetvalue(s->row, s->rowi, col);
    if (PQftype(s->row, col) != OID_BYTEA) { /* text read as bytes */
        if (n) *n = (size_t)PQgetlength(s->row, s->rowi, col);
        return v;
    }
    if (col < 0 || col >= PG_BLOB_COLS) return NULL; /* db.h: DB_BLOB_COLS */
    if (!s->blob[col]) {
        size_t len = 0;
        s->blob[col] = PQunescapeBytea((const unsigned char *)v, &len);
        s->bloblen[col] = s->blob[col] ? len : 0;
    }
    if (n) *n = s->bloblen[col];
    return s->blob[col];
}

/* ---- bulk insert: COPY FROM STDIN ---- */

/* One row in COPY's text format: values separated by tabs, the row ended
 * by a newline, NULL as \N; a backslash, tab, newline or carriage return
 * inside a value is escaped with a backslash. */
static int pg_bulk_encode(pu_buf *q, const char *const *vals, int ncols) {
    int rc = PU_OK;
    for (int i = 0; i < ncols && !rc; i++) {
        if (i) rc = pu_buf_putc(q, '\t');
        if (rc) break;
        if (!vals[i]) {
            rc = pu_buf_append(q, "\\N", 2);
            continue;
        }
        for (const char *p = vals[i]; *p && !rc;) {
            size_t run = strcspn(p, "\\\t\n\r");
            rc = pu_buf_append(q, p, run);
            p += run;
            if (!*p || rc) break;
            char esc[2] = {'\\', *p == '\t' ? 't' : *p == '\n' ? 'n' : *p == '\r' ? 'r' : '\\'};
            rc = pu_buf_append(q, esc, 2);
            p++;
        }
    }
    return rc ? rc : pu_buf_putc(q, '\n');
}

/* COPY target FROM STDIN with the queued rows: one command for all of them. */
static int pg_bulk_send(db_t *db, const char *target, const char *data, size_t len, pu_err *err) {
    pg_conn *c = C(db);
    pg_park(db);
    pu_buf sql = PU_BUF_INIT(64u * 1024u);
    if (pu_buf_printf(&sql, "COPY %s FROM STDIN", target)) {
        pu_buf_free(&sql);
        return pu_fail(err, PU_ERR_NOMEM, db->path, NULL, "out of memory");
    }
    PGresult *r = PQexec(c->pg, pu_buf_str(&sql));
    pu_buf_free(&sql);
    if (PQresultStatus(r) != PGRES_COPY_IN) {
        int rc = pg_fail_res(db, err, "bulk insert failed", r);
        PQclear(r);
        while ((r = PQgetResult(c->pg))) PQclear(r);
        return rc;
    }
    PQclear(r);
    int sent = 1;
    /* PQputCopyData takes an int length: send in pieces */
    for (size_t off = 0; off < len && sent == 1;) {
        size_t n = len - off > PG_COPY_CHUNK ? PG_COPY_CHUNK : len - off;
        sent = PQputCopyData(c->pg, data + off, (int)n);
        off += n;
    }
    if (sent == 1) sent = PQputCopyEnd(c->pg, NULL);
    else (void)PQputCopyEnd(c->pg, "client could not send the rows");
    int rc = PU_OK;
    while ((r = PQgetResult(c->pg))) {
        if (!rc && PQresultStatus(r) != PGRES_COMMAND_OK) rc = pg_fail_res(db, err, "bulk insert failed", r);
        else if (!rc) c->changes = strtoll(PQcmdTuples(r), NULL, 10);
        PQclear(r);
    }
    if (!rc && sent != 1) rc = pg_fail_msg(db, err, PU_ERR_DB, "bulk insert failed", PQerrorMessage(c->pg));
    return rc;
}

static int64_t pg_changes(db_t *db) { return C(db)->changes; }

/* db_alive: libpq marks the connection bad once a command found the server
 * gone (docs/deploy.md, failover). */
static int pg_alive(db_t *db) { return C(db) && PQstatus(C(db)->pg) == CONNECTION_OK; }

const db_ops db_pg_ops = {
    .name = "postgresql",
    .open = pg_open,
    .close = pg_close,
    .exec = pg_exec,
    .prepare = pg_prepare,
    .finalize = pg_finalize,
    .reset = pg_reset,
    .bind_text = pg_bind_text,
    .bind_int64 = pg_bind_int64,
    .bind_double = pg_bind_double,
    .bind_blob = pg_bind_blob,
    .bind_null = pg_bind_null,
    .step = pg_step,
    .large_read = pg_large_read,
    .col_count = pg_col_count,
    .col_isnull = pg_col_isnull,
    .col_text = pg_col_text,
    .col_int64 = pg_col_int64,
    .col_double = pg_col_double,
    .col_blob = pg_col_blob,
    .changes = pg_changes,
    .begin = pg_begin,
    .begin_sql = "BEGIN",
    /* an error aborts the transaction: db_step_try runs under a savepoint */
    .error_aborts_tx = 1,
    .sync_ids = pg_sync_ids,
    .alive = pg_alive,
    .types = {
        [DB_T_ID] = "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
        [DB_T_INT] = "BIGINT",
        [DB_T_REAL] = "DOUBLE PRECISION",
        [DB_T_BLOB] = "BYTEA",
        [DB_T_TS] = "TEXT",
        [DB_T_BOOL] = "INTEGER",
    },
    /* the server checkpoints and sizes its caches itself */
    .checkpoint = NULL,
    .autocheckpoint = NULL,
    .bulk_load_hint = NULL,
    .fk_suspend = pg_fk_suspend,
    .scratch_empty = "TRUNCATE",
    /* COPY FROM STDIN */
    .bulk_encode = pg_bulk_encode,
    .bulk_send = pg_bulk_send,
};

/* ---- notifications (db.h "change notifications") ---- */

int db_listen(db_t *db, const char *channel, pu_err *err) {
    if (!db || db->ops != &db_pg_ops) return pu_fail(err, PU_ERR_UNSUPPORTED, NULL, NULL, "LISTEN needs PostgreSQL");
    for (const char *p = channel; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
            return pu_fail(err, PU_ERR_INTERNAL, NULL, "channel", "bad channel name");
    char sql[128];
    if (pu_snprintf(sql, sizeof sql, "LISTEN %s", channel)) return pu_fail(err, PU_ERR_LIMIT, NULL, "channel", "too long");
    return pg_exec(db, sql, err);
}

int db_wait_notify(db_t *db, int timeout_ms, db_notify_fn fn, void *ctx, pu_err *err) {
    if (!db || db->ops != &db_pg_ops) return pu_fail(err, PU_ERR_UNSUPPORTED, NULL, NULL, "notifications need PostgreSQL");
    PGconn *pg = C(db)->pg;
    int sock = PQsocket(pg);
    if (sock < 0) return pu_fail(err, PU_ERR_DB, db->path, NULL, "the connection is closed");
    struct pollfd pfd = {.fd = sock, .events = POLLIN};
    int n = poll(&pfd, 1, timeout_ms);
    if (n < 0 && errno != EINTR) return pu_fail(err, PU_ERR_IO, db->path, NULL, "poll: %s", strerror(errno));
    if (n > 0 && (!PQconsumeInput(pg) || PQstatus(pg) != CONNECTION_OK))
        return pg_fail_msg(db, err, PU_ERR_DB, "connection lost", PQerrorMessage(pg));
    PGnotify *note;
    while ((note = PQnotifies(pg))) {
        fn(note->relname, note->extra ? note->extra : "", ctx);
        PQfreemem(note);
    }
    return PU_OK;
}
