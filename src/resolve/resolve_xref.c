/* resolve_xref.c - cross-reference of one collection against another: the
 * stored pairs between records of two sources the reader may see, ranked,
 * streamed (Aleph's xref over resolution's pairs; docs/resolve.md "xref"). */
#include <stdlib.h>
#include <string.h>

#include "resolve/resolve_int.h"

/* A source as xref names it: a resolution source, or "entity:DATASET" (the
 * store entities of one dataset: a newly loaded list against the store).
 * *dataset points into spec (NULL without one). */
static int xref_source(const char *spec, char *source, size_t size, const char **dataset) {
    *dataset = NULL;
    const char *colon = spec ? strchr(spec, ':') : NULL;
    if (colon && (size_t)(colon - spec) == strlen(RESOLVE_SRC_ENTITY) && !strncmp(spec, RESOLVE_SRC_ENTITY, (size_t)(colon - spec))) {
        if (!colon[1] || strlen(colon + 1) > 100) return -1;
        *dataset = colon + 1;
        pu_strlcpy(source, RESOLVE_SRC_ENTITY, size);
        return 0;
    }
    if (!spec || resolve_source_index(spec) < 0 || strlen(spec) >= size) return -1;
    pu_strlcpy(source, spec, size);
    return 0;
}

/* The side `alias` (a resolve_record) of source `source`, of `dataset` when
 * given; with other_dataset (the other side's list, when both are entities)
 * the entities outside it: a list against the store, not against itself. */
static void side_sql(db_sql *q, const char *alias, const char *source, const char *dataset, const char *other_dataset) {
    db_sql_addf(q, "%s.source = ?", alias);
    db_sql_text(q, source);
    if (dataset) {
        db_sql_addf(q, " AND EXISTS (SELECT 1 FROM entity_dataset d WHERE d.entity_id = %s.ref AND d.dataset = ?)", alias);
        db_sql_text(q, dataset);
    } else if (other_dataset && !strcmp(source, RESOLVE_SRC_ENTITY)) {
        db_sql_addf(q, " AND NOT EXISTS (SELECT 1 FROM entity_dataset d WHERE d.entity_id = %s.ref AND d.dataset = ?)",
                    alias);
        db_sql_text(q, other_dataset);
    }
}

/* The latest active judgement on the pair (either order) the reader may
 * see, as a scalar subquery: what an analyst already decided. */
static void verdict_sql(db_sql *q, const store_scope *scope) {
    db_sql_add(q, ", (SELECT j.verdict FROM resolve_judgement j WHERE j.revoked IS NULL AND"
                  " ((j.a_key = ra.source || ':' || ra.ref AND j.b_key = rb.source || ':' || rb.ref) OR"
                  " (j.a_key = rb.source || ':' || rb.ref AND j.b_key = ra.source || ':' || ra.ref)) AND ");
    store_scope_sql(q, scope, "j");
    db_sql_add(q, " ORDER BY j.created DESC, j.id DESC LIMIT 1)");
}

int resolve_xref(db_t *db, const store_scope *scope, unsigned flags, const char *a, const char *b, double min,
                 int64_t limit, resolve_xref_cb cb, void *ctx, pu_err *err) {
    if (!scope) return pu_fail(err, PU_ERR_INTERNAL, NULL, "scope", "no reader scope");
    char sa[32], sb[32];
    const char *da = NULL, *db_ = NULL;
    int bad_a = xref_source(a, sa, sizeof sa, &da) < 0;
    if (bad_a || xref_source(b, sb, sizeof sb, &db_) < 0)
        return pu_fail(err, PU_ERR_INVALID, NULL, "source",
                       "expected entity, entity:DATASET, trace.purchaser, trace.possessor, dealer, cargo.party or"
                       " tip.mention, got '%s'", bad_a ? (a ? a : "") : (b ? b : ""));
    if (!(flags & RESOLVE_WITH_TIPS) && (!strcmp(sa, RESOLVE_SRC_TIP) || !strcmp(sb, RESOLVE_SRC_TIP)))
        return pu_fail(err, PU_ERR_DENIED, NULL, "source", "tip mentions are read by tip handlers only");
    db_sql q;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT p.score, ra.source, ra.ref, ra.label, rb.source, rb.ref, rb.label");
    verdict_sql(&q, scope);
    db_sql_add(&q, ", CASE WHEN ");   /* 1 when the stored pair's first record is on side b */
    side_sql(&q, "ra", sa, da, db_);
    db_sql_add(&q, " AND ");
    side_sql(&q, "rb", sb, db_, da);
    db_sql_add(&q, " THEN 0 ELSE 1 END");
    db_sql_add(&q, " FROM resolve_pair p JOIN resolve_record ra ON ra.id = p.a JOIN resolve_record rb ON rb.id = p.b"
                   " WHERE ((");
    side_sql(&q, "ra", sa, da, db_);
    db_sql_add(&q, " AND ");
    side_sql(&q, "rb", sb, db_, da);
    db_sql_add(&q, ") OR (");
    side_sql(&q, "ra", sb, db_, da);
    db_sql_add(&q, " AND ");
    side_sql(&q, "rb", sa, da, db_);
    db_sql_add(&q, "))");
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
        int swap = db_col_int64(st, 8) != 0;   /* the first side is always source a */
        r.score = s < 0 ? -s : s;
        r.conflict = s < 0;
        snprintf(r.a, sizeof r.a, "%s:%s", db_col_text(st, swap ? 4 : 1), db_col_text(st, swap ? 5 : 2));
        snprintf(r.b, sizeof r.b, "%s:%s", db_col_text(st, swap ? 1 : 4), db_col_text(st, swap ? 2 : 5));
        pu_err e = {0};
        if (store_unseal_buf(RESOLVE_LABEL_CTX, db_col_text(st, swap ? 6 : 3), r.name_a, sizeof r.name_a, &e))
            pu_strlcpy(r.name_a, "[sealed]", sizeof r.name_a);
        if (store_unseal_buf(RESOLVE_LABEL_CTX, db_col_text(st, swap ? 3 : 6), r.name_b, sizeof r.name_b, &e))
            pu_strlcpy(r.name_b, "[sealed]", sizeof r.name_b);
        if (!db_col_isnull(st, 7)) pu_strlcpy(r.verdict, db_col_text(st, 7), sizeof r.verdict);
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
