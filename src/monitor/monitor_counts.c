/*
 * monitor_counts.c - the module's named counts for the impact indicators
 * (common/pu_count.h): read through store_scope_sql, one row per
 * (month, agency) cell, additive.
 */
#include <stdlib.h>
#include <string.h>

#include "monitor/monitor_int.h"

/* Emit one named count per (year, month, agency) of the date column `when`
 * over the alerts matching `cond` (trusted SQL built here). */
static int count_by_month(db_t *db, const store_scope *scope, const char *name, const char *when, const char *cond,
                          pu_count_cb cb, void *ctx, pu_err *err) {
    db_sql q;
    db_sql_init(&q);
    db_sql_addf(&q, "SELECT substr(a.%s, 1, 4), substr(a.%s, 6, 2), coalesce(a.owner, ''), count(*)"
                    " FROM monitor_alert a WHERE %s AND ", when, when, cond);
    store_scope_sql(&q, scope, "a");
    db_sql_add(&q, " GROUP BY 1, 2, 3 ORDER BY 1, 2, 3");
    db_stmt *s = NULL;
    int rc = db_sql_prepare(db, &q, &s, err);
    db_sql_free(&q);
    while (!rc) {
        int step = db_step(s, err);
        if (step == DB_DONE) break;
        if (step != DB_ROW) {
            rc = step;
            break;
        }
        pu_count_row row = {name, atoi(db_col_text(s, 0)), atoi(db_col_text(s, 1)), "", "", db_col_text(s, 2),
                            (double)db_col_int64(s, 3), 0, NULL};
        rc = cb(&row, ctx, err);
    }
    db_finalize(s);
    return rc;
}

int monitor_counts(db_t *db, const store_scope *scope, pu_count_cb cb, void *ctx, pu_err *err) {
    if (!scope) return pu_fail(err, PU_ERR_INTERNAL, NULL, NULL, "no reader scope");
    int rc = count_by_month(db, scope, "monitor.alerts_opened", "created", "1 = 1", cb, ctx, err);
    if (!rc)
        rc = count_by_month(db, scope, "monitor.true_matches", "confirmed_at",
                            "a.decision = 'true_match' AND a.status = 'closed' AND a.confirmed_at IS NOT NULL", cb,
                            ctx, err);
    return rc;
}
