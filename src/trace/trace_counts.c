/*
 * trace_counts.c - the tracing engine's named counts for the impact
 * indicators (common/pu_count.h, docs/trace.md "Named counts").
 *
 * Cell of a request: the year and month of its request date, the country
 * of the requesting agency (its owner in acl_agency), the Mexican state of
 * the recovery ("MX-CHH") and the requesting agency. Every read goes
 * through store_scope_sql with the reader's scope; a trace result (US
 * source, time-to-crime) counts only when the retail sale it was read from
 * is visible too, the rule trace_request_render applies to the result.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace/trace.h"
#include "store/store.h"

/* Figures of one request row (columns of the SELECT below). */
enum { C_DATE, C_COUNTRY, C_STATE, C_AGENCY, C_STATUS, C_RESULT_VISIBLE, C_US, C_TTC, C_TTC_NULL,
       C_NUMBER, C_MARKING, C_MODEL, C_CALIBRE, C_MFR };

typedef struct tc_ctx {
    pu_count_cb cb;
    void *ctx;
    pu_err *err;
    int records;   /* trace_count_records: each row carries its request */
} tc_ctx;

/* The request as the drill-down lists it: number, firearm, recovery state
 * (proper names and codes, no words to translate; no possessor or
 * purchaser). */
static void request_record(db_stmt *st, pu_count_record *rec, char *label, size_t size, char *link, size_t lsize) {
    const char *number = db_col_text(st, C_NUMBER);
    (void)pu_snprintf(label, size, "%s %s %s", db_col_text(st, C_MFR), db_col_text(st, C_MODEL),
                      db_col_text(st, C_CALIBRE));
    (void)pu_snprintf(link, lsize, "/app/trace/%s", number);
    *rec = (pu_count_record){.kind = "trace_request", .id = number, .label = label,
                             .date = db_col_text(st, C_DATE), .marking = db_col_text(st, C_MARKING), .link = link};
}

static int emit(tc_ctx *c, const char *name, const pu_count_row *cell, double value) {
    pu_count_row r = *cell;
    r.name = name;
    r.value = value;
    return c->cb(&r, c->ctx, c->err);
}

/* The request's rows: one per figure it contributes to. */
static int emit_request(tc_ctx *c, db_stmt *st) {
    char state[16] = "";
    const char *code = db_col_text(st, C_STATE);
    if (*code) snprintf(state, sizeof state, "MX-%s", code);
    const char *date = db_col_text(st, C_DATE);
    pu_count_row cell = {.year = atoi(date), .month = strlen(date) >= 7 ? atoi(date + 5) : 0,
                         .country = db_col_text(st, C_COUNTRY), .state = state,
                         .agency = db_col_text(st, C_AGENCY)};
    pu_count_record rec;
    char label[160], link[96];
    if (c->records) {
        request_record(st, &rec, label, sizeof label, link, sizeof link);
        cell.rec = &rec;
    }
    int rc = emit(c, "trace.requests_submitted", &cell, 1);
    int completed = !strcmp(db_col_text(st, C_STATUS), "completed");
    if (!rc && completed) rc = emit(c, "trace.requests_completed", &cell, 1);
    if (!rc && !strcmp(db_col_text(st, C_STATUS), "cannot_trace")) rc = emit(c, "trace.requests_untraceable", &cell, 1);
    if (rc || !completed || !db_col_int64(st, C_RESULT_VISIBLE)) return rc;
    rc = emit(c, "trace.traced_firearms", &cell, 1);
    if (!rc && db_col_int64(st, C_US)) rc = emit(c, "trace.us_sourced", &cell, 1);
    if (!rc && !db_col_int64(st, C_TTC_NULL)) {
        rc = emit(c, "trace.ttc_count", &cell, 1);
        /* one row per request, so median(trace.ttc_days) sees each value */
        if (!rc) rc = emit(c, "trace.ttc_days", &cell, (double)db_col_int64(st, C_TTC));
    }
    return rc;
}

static int walk(db_t *db, const store_scope *scope, int records, pu_count_cb cb, void *ctx, pu_err *err) {
    if (!scope) return pu_fail(err, PU_ERR_INTERNAL, NULL, NULL, "trace counts need the reader's scope");
    db_sql q;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT r.request_date, COALESCE(g.country, ''), r.recovery_state, r.owner, r.status,"
                   " CASE WHEN e.id IS NOT NULL THEN 1 ELSE 0 END, COALESCE(r.us_sourced, 0),"
                   " COALESCE(r.ttc_days, 0), CASE WHEN r.ttc_days IS NULL THEN 1 ELSE 0 END,"
                   " r.number, r.marking, COALESCE(r.model, ''), COALESCE(r.calibre, ''), COALESCE(r.mfr, '')"
                   " FROM trace_request r LEFT JOIN acl_agency g ON g.acronym = r.owner"
                   " LEFT JOIN trace_event e ON e.id = r.retail_event_id AND ");
    store_scope_sql(&q, scope, "e");
    db_sql_add(&q, " WHERE ");
    store_scope_sql(&q, scope, "r");
    db_sql_add(&q, " ORDER BY r.id");
    db_stmt *st = NULL;
    int rc = db_sql_prepare(db, &q, &st, err);
    db_sql_free(&q);
    if (rc) return rc;
    tc_ctx c = {cb, ctx, err, records};
    while ((rc = db_step(st, err)) == DB_ROW)
        if ((rc = emit_request(&c, st))) break;
    db_finalize(st);
    return rc == DB_DONE ? PU_OK : rc;
}

int trace_counts(db_t *db, const store_scope *scope, pu_count_cb cb, void *ctx, pu_err *err) {
    return walk(db, scope, 0, cb, ctx, err);
}

int trace_count_records(db_t *db, const store_scope *scope, pu_count_cb cb, void *ctx, pu_err *err) {
    return walk(db, scope, 1, cb, ctx, err);
}
