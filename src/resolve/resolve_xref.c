/* resolve_xref.c - cross-reference of one collection against another: the
 * stored pairs between records of two sources the reader may see, ranked,
 * streamed (Aleph's xref over resolution's pairs; docs/resolve.md "xref"). */
#include <stdlib.h>
#include <string.h>

#include "resolve/resolve_int.h"

int resolve_xref(db_t *db, const store_scope *scope, unsigned flags, const char *a, const char *b, double min,
                 int64_t limit, resolve_xref_cb cb, void *ctx, pu_err *err) {
    if (!scope) return pu_fail(err, PU_ERR_INTERNAL, NULL, "scope", "no reader scope");
    if (resolve_source_index(a) < 0 || resolve_source_index(b) < 0)
        return pu_fail(err, PU_ERR_INVALID, NULL, "source",
                       "expected entity, trace.purchaser, trace.possessor, cargo.party or tip.mention, got '%s'",
                       resolve_source_index(a) < 0 ? a : b);
    if (!(flags & RESOLVE_WITH_TIPS) && (!strcmp(a, RESOLVE_SRC_TIP) || !strcmp(b, RESOLVE_SRC_TIP)))
        return pu_fail(err, PU_ERR_DENIED, NULL, "source", "tip mentions are read by tip handlers only");
    db_sql q;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT p.score, ra.source, ra.ref, ra.label, rb.source, rb.ref, rb.label FROM resolve_pair p"
                   " JOIN resolve_record ra ON ra.id = p.a JOIN resolve_record rb ON rb.id = p.b"
                   " WHERE ((ra.source = ? AND rb.source = ?) OR (ra.source = ? AND rb.source = ?))");
    db_sql_text(&q, a);
    db_sql_text(&q, b);
    db_sql_text(&q, b);
    db_sql_text(&q, a);
    db_sql_add(&q, " AND (p.score >= ? OR p.score <= ?) AND ");
    db_sql_double(&q, min);
    db_sql_double(&q, -min);
    store_scope_sql(&q, scope, "p");
    db_sql_add(&q, " AND ");
    store_scope_sql(&q, scope, "ra");
    db_sql_add(&q, " AND ");
    store_scope_sql(&q, scope, "rb");
    db_sql_add(&q, " ORDER BY ABS(p.score) DESC, ra.source, ra.ref, rb.ref");
    if (limit > 0) {
        db_sql_add(&q, " LIMIT ?");
        db_sql_int64(&q, limit);
    }
    db_stmt *st = NULL;
    int rc = db_sql_prepare(db, &q, &st, err);
    db_sql_free(&q);
    if (rc) return rc;
    while ((rc = db_step(st, err)) == DB_ROW) {
        resolve_xref_row r = {0};
        double s = db_col_double(st, 0);
        int swap = strcmp(db_col_text(st, 1), a) != 0;   /* the first side is always source a */
        r.score = s < 0 ? -s : s;
        r.conflict = s < 0;
        snprintf(r.a, sizeof r.a, "%s:%s", db_col_text(st, swap ? 4 : 1), db_col_text(st, swap ? 5 : 2));
        snprintf(r.b, sizeof r.b, "%s:%s", db_col_text(st, swap ? 1 : 4), db_col_text(st, swap ? 2 : 5));
        pu_err e = {0};
        if (store_unseal_buf(RESOLVE_LABEL_CTX, db_col_text(st, swap ? 6 : 3), r.name_a, sizeof r.name_a, &e))
            pu_strlcpy(r.name_a, "[sealed]", sizeof r.name_a);
        if (store_unseal_buf(RESOLVE_LABEL_CTX, db_col_text(st, swap ? 3 : 6), r.name_b, sizeof r.name_b, &e))
            pu_strlcpy(r.name_b, "[sealed]", sizeof r.name_b);
        if ((rc = cb(&r, ctx))) break;
    }
    db_finalize(st);
    return rc == DB_DONE ? PU_OK : rc;
}

/* ---- named counts for the impact indicators (common/pu_count.h) ---- */

int resolve_counts(db_t *db, const store_scope *scope, pu_count_cb cb, void *ctx, pu_err *err) {
    if (!scope) return pu_fail(err, PU_ERR_INTERNAL, NULL, "scope", "no reader scope");
    db_sql q;
    db_sql_init(&q);
    /* each judgement once, in its finest cell: the month it was recorded and
     * the agency that recorded it (revoked ones too: they were decided) */
    db_sql_add(&q, "SELECT SUBSTR(j.created, 1, 4), SUBSTR(j.created, 6, 2), COALESCE(j.agency, ''), COUNT(*)"
                   " FROM resolve_judgement j WHERE ");
    store_scope_sql(&q, scope, "j");
    db_sql_add(&q, " GROUP BY SUBSTR(j.created, 1, 4), SUBSTR(j.created, 6, 2), COALESCE(j.agency, '')"
                   " ORDER BY 1, 2, 3");
    db_stmt *st = NULL;
    int rc = db_sql_prepare(db, &q, &st, err);
    db_sql_free(&q);
    if (rc) return rc;
    while ((rc = db_step(st, err)) == DB_ROW) {
        pu_count_row r = {.name = "resolve.judgements", .year = atoi(db_col_text(st, 0)),
                          .month = atoi(db_col_text(st, 1)), .country = "", .state = "",
                          .agency = db_col_text(st, 2), .value = (double)db_col_int64(st, 3)};
        if ((rc = cb(&r, ctx, err))) break;
    }
    db_finalize(st);
    return rc == DB_DONE ? PU_OK : rc;
}
