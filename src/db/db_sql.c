/* db_sql.c - SQL text and bindings built together (db_sql.h). */
#include "db/db_sql.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void db_sql_init(db_sql *q) {
    memset(q, 0, sizeof *q);
    pu_buf_init(&q->sql, DB_SQL_MAX_SQL);
}

void db_sql_free(db_sql *q) {
    if (!q) return;
    for (int i = 0; i < q->nargs; i++) free(q->args[i].text);
    pu_buf_free(&q->sql);
    q->nargs = 0;
}

int db_sql_add(db_sql *q, const char *sql) {
    if (q->rc == PU_OK) q->rc = pu_buf_puts(&q->sql, sql);
    return q->rc;
}

int db_sql_addf(db_sql *q, const char *fmt, ...) {
    if (q->rc) return q->rc;
    va_list ap;
    va_start(ap, fmt);
    q->rc = pu_buf_vprintf(&q->sql, fmt, ap);
    va_end(ap);
    return q->rc;
}

static db_sql_arg *next_arg(db_sql *q) {
    if (q->rc) return NULL;
    if (q->nargs >= DB_SQL_MAX_ARGS) {
        q->rc = PU_ERR_LIMIT;
        return NULL;
    }
    db_sql_arg *a = &q->args[q->nargs++];
    memset(a, 0, sizeof *a);
    return a;
}

int db_sql_text(db_sql *q, const char *v) {
    db_sql_arg *a = next_arg(q);
    if (!a) return q->rc;
    if (!v) return PU_OK; /* kind 0: NULL */
    a->kind = 1;
    if (!(a->text = pu_strdup(v))) q->rc = PU_ERR_NOMEM;
    return q->rc;
}

int db_sql_int64(db_sql *q, int64_t v) {
    db_sql_arg *a = next_arg(q);
    if (a) a->kind = 2, a->i = v;
    return q->rc;
}

int db_sql_double(db_sql *q, double v) {
    db_sql_arg *a = next_arg(q);
    if (a) a->kind = 3, a->d = v;
    return q->rc;
}

int db_sql_null(db_sql *q) {
    (void)next_arg(q);
    return q->rc;
}

const char *db_sql_str(const db_sql *q) { return pu_buf_str(&q->sql); }

int db_sql_prepare(db_t *db, const db_sql *q, db_stmt **out, pu_err *err) {
    *out = NULL;
    if (q->rc == PU_ERR_LIMIT)
        return pu_fail(err, q->rc, NULL, NULL, "query too large (more than %d arguments or %zu bytes)", DB_SQL_MAX_ARGS,
                       DB_SQL_MAX_SQL);
    if (q->rc) return pu_fail(err, q->rc, NULL, NULL, "out of memory building a query");
    db_stmt *st;
    int rc = db_prepare(db, pu_buf_str(&q->sql), &st, err);
    if (rc) return rc;
    for (int i = 0; i < q->nargs && rc == PU_OK; i++) {
        const db_sql_arg *a = &q->args[i];
        rc = a->kind == 1   ? db_bind_text(st, i + 1, a->text, -1)
             : a->kind == 2 ? db_bind_int64(st, i + 1, a->i)
             : a->kind == 3 ? db_bind_double(st, i + 1, a->d)
                            : db_bind_null(st, i + 1);
    }
    if (rc) {
        db_finalize(st);
        return pu_fail(err, PU_ERR_INTERNAL, NULL, NULL, "query arguments do not match its placeholders (argument %d)",
                       q->nargs);
    }
    *out = st;
    return PU_OK;
}
