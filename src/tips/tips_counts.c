/*
 * tips_counts.c - the tip line's named counts for the impact indicators
 * (common/pu_count.h, docs/tips.md "Named counts").
 *
 * Cell of a tip: the year and month of the day it was received, the
 * country and state it is about ("MX-SIN"), the owner agency (the agency
 * handling it). A tip counts when the reader may see it (store_scope_sql).
 * "Linked" is a tip in state linked or with a confirmed link to an ongoing
 * investigation, the fact sheet's "linked to ongoing investigations";
 * "opened an investigation" is the handler's mark (tips_change.opened_new).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tips/tips.h"
#include "store/store.h"

enum { C_DAY, C_COUNTRY, C_STATE, C_AGENCY, C_LINKED, C_OPENED, C_CLOSED, C_DUP, C_SPAM, C_ID, C_MARKING };

static int emit(pu_count_cb cb, void *ctx, pu_err *err, const pu_count_row *cell, const char *name, int when) {
    if (!when) return PU_OK;
    pu_count_row r = *cell;
    r.name = name;
    r.value = 1;
    return cb(&r, ctx, err);
}

/* records: each row carries its tip (id and place only: a tip's text is
 * the tipster's and shows on the tip's own page, to its handlers). */
static int emit_tip(db_stmt *st, int records, pu_count_cb cb, void *ctx, pu_err *err) {
    const char *day = db_col_text(st, C_DAY), *country = db_col_text(st, C_COUNTRY), *code = db_col_text(st, C_STATE);
    char state[16] = "";
    if (strchr(code, '-')) pu_strlcpy(state, code, sizeof state);
    else if (*code && *country) snprintf(state, sizeof state, "%s-%s", country, code);
    pu_count_row cell = {.year = atoi(day), .month = strlen(day) >= 7 ? atoi(day + 5) : 0, .country = country,
                         .state = state, .agency = db_col_text(st, C_AGENCY)};
    pu_count_record rec;
    char link[96];
    if (records) {
        (void)pu_snprintf(link, sizeof link, "/app/tips/%s", db_col_text(st, C_ID));
        rec = (pu_count_record){.kind = "tip", .id = db_col_text(st, C_ID), .label = *state ? state : country,
                                .date = day, .marking = db_col_text(st, C_MARKING), .link = link};
        cell.rec = &rec;
    }
    int rc = emit(cb, ctx, err, &cell, "tips.received", 1);
    if (!rc) rc = emit(cb, ctx, err, &cell, "tips.linked", (int)db_col_int64(st, C_LINKED));
    if (!rc) rc = emit(cb, ctx, err, &cell, "tips.opened_investigation", (int)db_col_int64(st, C_OPENED));
    if (!rc) rc = emit(cb, ctx, err, &cell, "tips.closed", (int)db_col_int64(st, C_CLOSED));
    if (!rc) rc = emit(cb, ctx, err, &cell, "tips.duplicates", (int)db_col_int64(st, C_DUP));
    if (!rc) rc = emit(cb, ctx, err, &cell, "tips.spam", (int)db_col_int64(st, C_SPAM));
    return rc;
}

static int walk(db_t *db, const store_scope *scope, int records, pu_count_cb cb, void *ctx, pu_err *err) {
    if (!scope) return pu_fail(err, PU_ERR_INTERNAL, NULL, NULL, "tip counts need the reader's scope");
    db_sql q;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT t.received_day, t.country, t.state_code, t.owner,"
                   " CASE WHEN t.status = 'linked' OR EXISTS (SELECT 1 FROM tip_link l WHERE l.tip_id = t.id"
                   " AND l.status = 'confirmed') THEN 1 ELSE 0 END,"
                   " CASE WHEN t.opened_new = 1 THEN 1 ELSE 0 END, CASE WHEN t.status = 'closed' THEN 1 ELSE 0 END,"
                   " CASE WHEN t.dup_of IS NOT NULL THEN 1 ELSE 0 END, CASE WHEN t.spam = 1 THEN 1 ELSE 0 END, t.id, t.marking"
                   " FROM tip t WHERE ");
    store_scope_sql(&q, scope, "t");
    db_sql_add(&q, " ORDER BY t.id");
    db_stmt *st = NULL;
    int rc = db_sql_prepare(db, &q, &st, err);
    db_sql_free(&q);
    if (rc) return rc;
    while ((rc = db_step(st, err)) == DB_ROW)
        if ((rc = emit_tip(st, records, cb, ctx, err))) break;
    db_finalize(st);
    return rc == DB_DONE ? PU_OK : rc;
}

int tips_counts(db_t *db, const store_scope *scope, pu_count_cb cb, void *ctx, pu_err *err) {
    return walk(db, scope, 0, cb, ctx, err);
}

int tips_count_records(db_t *db, const store_scope *scope, pu_count_cb cb, void *ctx, pu_err *err) {
    return walk(db, scope, 1, cb, ctx, err);
}
