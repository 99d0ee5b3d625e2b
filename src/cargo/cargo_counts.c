/*
 * cargo_counts.c - cargo targeting's named counts for the impact indicators
 * (common/pu_count.h, docs/cargo.md "Named counts").
 *
 * Cell of a manifest line: the year and month of its arrival date, the
 * destination country, no state, the owner agency. A line counts when its
 * own marking lets the reader see it; its outcome is the latest disposition
 * the reader may see (cargo_queue's rule: a hidden disposition leaves the
 * line undisposed for that reader). Both rules are store_scope_sql in SQL.
 */
#include <stdlib.h>
#include <string.h>

#include "cargo/cargo.h"
#include "store/store.h"

enum { C_DATE, C_COUNTRY, C_AGENCY, C_DECISION, C_CHEMICALS, C_PARTIES, C_OUTCOME, C_ID, C_AWB, C_HAWB,
       C_ORIGIN, C_DEST, C_MARKING };

typedef struct cc_ctx {
    pu_count_cb cb;
    void *ctx;
    pu_err *err;
    pu_count_row cell;
    int records;            /* cargo_count_records: each row carries its line */
    pu_count_record rec;
    char id[24], label[160];
} cc_ctx;

/* The line as the drill-down lists it: air waybill and route (codes and
 * numbers, as the queue shows them; no party names). Lines have no page of
 * their own: the link opens the targeting queue. */
static void line_record(cc_ctx *c, db_stmt *st) {
    (void)pu_snprintf(c->id, sizeof c->id, "%lld", (long long)db_col_int64(st, C_ID));
    (void)pu_snprintf(c->label, sizeof c->label, "AWB %s/%s %s-%s", db_col_text(st, C_AWB), db_col_text(st, C_HAWB),
                      db_col_text(st, C_ORIGIN), db_col_text(st, C_DEST));
    c->rec = (pu_count_record){.kind = "cargo_line", .id = c->id, .label = c->label, .date = db_col_text(st, C_DATE),
                               .marking = db_col_text(st, C_MARKING), .link = "/app/cargo"};
    c->cell.rec = &c->rec;
}

static int emit(cc_ctx *c, const char *name, int when) {
    if (!when) return PU_OK;
    pu_count_row r = c->cell;
    r.name = name;
    r.value = 1;
    return c->cb(&r, c->ctx, c->err);
}

static int emit_line(cc_ctx *c, db_stmt *st) {
    const char *date = db_col_text(st, C_DATE), *decision = db_col_text(st, C_DECISION);
    const char *outcome = db_col_text(st, C_OUTCOME);
    c->cell = (pu_count_row){.year = atoi(date), .month = strlen(date) >= 7 ? atoi(date + 5) : 0,
                             .country = db_col_text(st, C_COUNTRY), .state = "", .agency = db_col_text(st, C_AGENCY)};
    if (c->records) line_record(c, st);
    int inspected = !strcmp(outcome, "inspected_found") || !strcmp(outcome, "inspected_not_found");
    int rc = emit(c, "cargo.shipments_screened", 1);
    if (!rc) rc = emit(c, "cargo.shipments_flagged_hold", !strcmp(decision, "hold"));
    if (!rc) rc = emit(c, "cargo.shipments_flagged_review", !strcmp(decision, "review"));
    if (!rc) rc = emit(c, "cargo.precursor_shipments", *db_col_text(st, C_CHEMICALS) != '\0');
    if (!rc) rc = emit(c, "cargo.designated_parties_found", *db_col_text(st, C_PARTIES) != '\0');
    if (!rc) rc = emit(c, "cargo.shipments_held", !strcmp(outcome, "held") || !strcmp(outcome, "inspected_found"));
    if (!rc) rc = emit(c, "cargo.shipments_inspected", inspected);
    if (!rc) rc = emit(c, "cargo.inspection_hits", !strcmp(outcome, "inspected_found"));
    return rc;
}

static int walk(db_t *db, const store_scope *scope, int records, pu_count_cb cb, void *ctx, pu_err *err) {
    if (!scope) return pu_fail(err, PU_ERR_INTERNAL, NULL, NULL, "cargo counts need the reader's scope");
    db_sql q;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT COALESCE(s.arrival_date, ''), COALESCE(s.destination_country, ''), s.owner, s.decision,"
                   " COALESCE(s.chemicals, ''), COALESCE(s.parties, ''), COALESCE(d.outcome, ''), s.id, s.awb, s.hawb,"
                   " COALESCE(s.origin, ''), COALESCE(s.destination, ''), s.marking"
                   " FROM cargo_shipment s LEFT JOIN cargo_disposition d ON d.id ="
                   " (SELECT MAX(x.id) FROM cargo_disposition x WHERE x.shipment_id = s.id AND ");
    store_scope_sql(&q, scope, "x");
    db_sql_add(&q, ") WHERE ");
    store_scope_sql(&q, scope, "s");
    db_sql_add(&q, " ORDER BY s.id");
    db_stmt *st = NULL;
    int rc = db_sql_prepare(db, &q, &st, err);
    db_sql_free(&q);
    if (rc) return rc;
    cc_ctx c = {.cb = cb, .ctx = ctx, .err = err, .records = records};
    while ((rc = db_step(st, err)) == DB_ROW)
        if ((rc = emit_line(&c, st))) break;
    db_finalize(st);
    return rc == DB_DONE ? PU_OK : rc;
}

int cargo_counts(db_t *db, const store_scope *scope, pu_count_cb cb, void *ctx, pu_err *err) {
    return walk(db, scope, 0, cb, ctx, err);
}

int cargo_count_records(db_t *db, const store_scope *scope, pu_count_cb cb, void *ctx, pu_err *err) {
    return walk(db, scope, 1, cb, ctx, err);
}
