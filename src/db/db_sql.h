/*
 * db_sql.h - a SQL statement built in pieces, with its bindings.
 *
 * Engines that filter in SQL (the releasability rule, optional filters)
 * build the text and the parameters together, so a `?` and its value can
 * never drift apart:
 *
 *     db_sql q;
 *     db_sql_init(&q);
 *     db_sql_add(&q, "SELECT id FROM ews_alert a WHERE ");
 *     store_scope_sql(&q, scope, "a");              // the one visibility rule
 *     if (status) { db_sql_add(&q, " AND a.status = ?"); db_sql_text(&q, status); }
 *     rc = db_sql_prepare(db, &q, &st, err);       // prepared and bound
 *     db_sql_free(&q);
 *
 * Invariants: the number of arguments added equals the number of `?` the
 * caller wrote (db_sql_prepare fails with PU_ERR_INTERNAL when there are
 * more arguments than placeholders; fewer bind SQL NULL, as SQL does). Errors are sticky: the first failing append records
 * its code in q->rc, later appends do nothing, and db_sql_prepare returns
 * it. So callers may append without checking each call.
 *
 * Ownership: text arguments are copied; the query owns its SQL and copies
 * until db_sql_free (NULL-safe, idempotent). The statement handed out by
 * db_sql_prepare belongs to the caller (db_finalize) and does not refer to
 * the query, which may be freed at once.
 */
#ifndef PU_DB_SQL_H
#define PU_DB_SQL_H

#include <stdint.h>
#include "common/pu.h"
#include "db/db.h"

#define DB_SQL_MAX_ARGS 64
#define DB_SQL_MAX_SQL ((size_t)64 << 10)

typedef struct db_sql_arg {
    int kind;       /* 0 null, 1 text, 2 int64, 3 double */
    char *text;
    int64_t i;
    double d;
} db_sql_arg;

typedef struct db_sql {
    pu_buf sql;
    db_sql_arg args[DB_SQL_MAX_ARGS];
    int nargs;
    int rc;         /* first error, sticky */
} db_sql;

void db_sql_init(db_sql *q);
void db_sql_free(db_sql *q);
/* Append SQL text as it is (no arguments). */
int db_sql_add(db_sql *q, const char *sql);
/* Append SQL with printf formatting: ONLY for trusted fragments built by
 * Puente itself (table aliases, column names, numbers); never user values,
 * which go through the argument functions. */
int db_sql_addf(db_sql *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Add the value of the next `?` (text NULL binds SQL NULL). */
int db_sql_text(db_sql *q, const char *v);
int db_sql_int64(db_sql *q, int64_t v);
int db_sql_double(db_sql *q, double v);
int db_sql_null(db_sql *q);
/* The SQL text so far (for tests and error messages). */
const char *db_sql_str(const db_sql *q);
/* Prepare q on db and bind every argument. Errors: q->rc when an append
 * failed (PU_ERR_LIMIT, PU_ERR_NOMEM), PU_ERR_INTERNAL when a bind fails
 * (more arguments than `?`), else db_prepare's. */
int db_sql_prepare(db_t *db, const db_sql *q, db_stmt **out, pu_err *err);

#endif
