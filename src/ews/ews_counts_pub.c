/*
 * ews_counts_pub.c - the early-warning engine's named counts for the impact
 * indicators (common/pu_count.h, docs/ews.md "Named counts"). Not to be
 * confused with ews_counts.c, the weekly series reader.
 *
 * Cells: a report counts in the year/month of its date, its country and
 * state, its owner agency. A substance is "new" in the cell of its first
 * report the reader may see (each substance once: additive across cells).
 * Timeliness of the first alert: days from the arrival in Puente of the
 * first report of the substance (ews_report.imported, the earliest the
 * reader sees) to the creation of the first first-anywhere alert the reader
 * sees, published one row per substance (ews.first_alert_days) so that both
 * the mean (with ews.first_alerts) and the median can be computed. Every
 * read goes through store_scope_sql.
 */
#include <stdlib.h>
#include <string.h>

#include "common/pu_vec.h"
#include "ews/ews.h"
#include "store/store.h"

#define EWS_SUBSTANCE_MAX 64
#define EWS_CELL_TEXT 32

typedef struct first_sub {
    char substance[EWS_SUBSTANCE_MAX];
    char country[EWS_CELL_TEXT], state[EWS_CELL_TEXT], agency[EWS_CELL_TEXT];
    int year, month;
    int64_t first_arrival;   /* day number of the earliest arrival seen */
    int64_t alert_day;       /* -1: no first alert visible */
    char date[EWS_CELL_TEXT], marking[EWS_CELL_TEXT];  /* of the first report (records) */
} first_sub;

/* Records have no page of their own in the web application: the link opens
 * the alerts page, where substances and their reports are listed. */
#define EWS_RECORD_LINK "/app/alerts"

static int date_day(const char *iso, int64_t *day) {
    char d[11];
    pu_strlcpy(d, iso, sizeof d);
    return pu_parse_date(d, day);
}

/* The first report of each substance the reader sees (its cell) and the
 * earliest arrival among its reports. */
static int read_firsts(db_t *db, const store_scope *scope, pu_vec *subs, pu_err *err) {
    db_sql q;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT r.date, r.country, r.state, r.owner, r.imported, d.substance, r.id, r.marking"
                   " FROM ews_report r JOIN ews_detection d ON d.report = r.id WHERE d.substance IS NOT NULL AND ");
    store_scope_sql(&q, scope, "r");
    db_sql_add(&q, " ORDER BY d.substance, r.date, r.id");
    db_stmt *st = NULL;
    int rc = db_sql_prepare(db, &q, &st, err);
    db_sql_free(&q);
    if (rc) return rc;
    while ((rc = db_step(st, err)) == DB_ROW) {
        const char *date = db_col_text(st, 0), *sub = db_col_text(st, 5);
        int64_t arrival = 0;
        if (date_day(db_col_text(st, 4), &arrival)) arrival = 0;
        first_sub *last = subs->len ? (first_sub *)subs->data + subs->len - 1 : NULL;
        if (!*sub) continue;
        if (last && !strcmp(last->substance, sub)) {
            if (arrival < last->first_arrival) last->first_arrival = arrival;
            continue;
        }
        first_sub *f;
        if ((rc = pu_vec_push_zero(subs, (void **)&f))) break;
        pu_strlcpy(f->substance, sub, sizeof f->substance);
        f->year = atoi(date);
        f->month = strlen(date) >= 7 ? atoi(date + 5) : 0;
        pu_strlcpy(f->country, db_col_text(st, 1), sizeof f->country);
        pu_strlcpy(f->state, db_col_text(st, 2), sizeof f->state);
        pu_strlcpy(f->agency, db_col_text(st, 3), sizeof f->agency);
        pu_strlcpy(f->date, date, sizeof f->date);
        pu_strlcpy(f->marking, db_col_text(st, 7), sizeof f->marking);
        f->first_arrival = arrival;
        f->alert_day = -1;
    }
    db_finalize(st);
    return rc == DB_DONE ? PU_OK : rc;
}

/* ews.reports: one row per report, in its cell (a separate read: a report
 * names several substances in the join above). */
static int emit_reports(db_t *db, const store_scope *scope, int records, pu_count_cb cb, void *ctx, pu_err *err) {
    db_sql q;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT r.date, r.country, r.state, r.owner, r.id, r.marking, r.place FROM ews_report r WHERE ");
    store_scope_sql(&q, scope, "r");
    db_sql_add(&q, " ORDER BY r.id");
    db_stmt *st = NULL;
    int rc = db_sql_prepare(db, &q, &st, err);
    db_sql_free(&q);
    if (rc) return rc;
    while ((rc = db_step(st, err)) == DB_ROW) {
        const char *date = db_col_text(st, 0);
        pu_count_row r = {.name = "ews.reports", .year = atoi(date), .month = strlen(date) >= 7 ? atoi(date + 5) : 0,
                          .country = db_col_text(st, 1), .state = db_col_text(st, 2), .agency = db_col_text(st, 3),
                          .value = 1};
        pu_count_record rec = {.kind = "ews_report", .id = db_col_text(st, 4), .label = db_col_text(st, 6),
                               .date = date, .marking = db_col_text(st, 5), .link = EWS_RECORD_LINK};
        if (records) r.rec = &rec;
        if ((rc = cb(&r, ctx, err))) break;
    }
    db_finalize(st);
    return rc == DB_DONE ? PU_OK : rc;
}

static int cmp_sub(const void *key, const void *elem) {
    return strcmp(key, ((const first_sub *)elem)->substance);
}

/* The first first-anywhere alert the reader sees, per substance. */
static int read_alerts(db_t *db, const store_scope *scope, pu_vec *subs, pu_err *err) {
    db_sql q;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT a.substance, a.created FROM ews_alert a WHERE a.kind = 'first-anywhere' AND ");
    store_scope_sql(&q, scope, "a");
    db_sql_add(&q, " ORDER BY a.substance, a.created, a.id");
    db_stmt *st = NULL;
    int rc = db_sql_prepare(db, &q, &st, err);
    db_sql_free(&q);
    if (rc) return rc;
    while ((rc = db_step(st, err)) == DB_ROW) {
        /* ORDER BY in SQL and strcmp may disagree on non-ASCII ids: bsearch
         * over an array sorted by strcmp below, not by the SQL order */
        first_sub *f = bsearch(db_col_text(st, 0), subs->data, subs->len, sizeof *f, cmp_sub);
        int64_t day;
        if (f && f->alert_day < 0 && !date_day(db_col_text(st, 1), &day)) f->alert_day = day;
    }
    db_finalize(st);
    return rc == DB_DONE ? PU_OK : rc;
}

static int cmp_subs(const void *a, const void *b) {
    return strcmp(((const first_sub *)a)->substance, ((const first_sub *)b)->substance);
}

static int emit_subs(const pu_vec *subs, int records, pu_count_cb cb, void *ctx, pu_err *err) {
    int rc = PU_OK;
    for (size_t i = 0; i < subs->len && !rc; i++) {
        const first_sub *f = (const first_sub *)subs->data + i;
        pu_count_row r = {.name = "ews.new_substances", .year = f->year, .month = f->month, .country = f->country,
                          .state = f->state, .agency = f->agency, .value = 1};
        /* the substance is the record: each counts once, in its first visible report's cell */
        pu_count_record rec = {.kind = "ews_substance", .id = f->substance, .label = f->substance, .date = f->date,
                               .marking = f->marking, .link = EWS_RECORD_LINK};
        if (records) r.rec = &rec;
        rc = cb(&r, ctx, err);
        if (rc || f->alert_day < 0) continue;
        r.name = "ews.first_alerts";
        if ((rc = cb(&r, ctx, err))) break;
        r.name = "ews.first_alert_days";
        r.value = (double)(f->alert_day > f->first_arrival ? f->alert_day - f->first_arrival : 0);
        rc = cb(&r, ctx, err);
    }
    return rc;
}

static int walk(db_t *db, const store_scope *scope, int records, pu_count_cb cb, void *ctx, pu_err *err) {
    if (!scope) return pu_fail(err, PU_ERR_INTERNAL, NULL, NULL, "ews counts need the reader's scope");
    pu_vec subs = PU_VEC_INIT(first_sub, 0);
    int rc = emit_reports(db, scope, records, cb, ctx, err);
    if (!rc) rc = read_firsts(db, scope, &subs, err);
    if (!rc && subs.len) qsort(subs.data, subs.len, sizeof(first_sub), cmp_subs);
    if (!rc) rc = read_alerts(db, scope, &subs, err);
    if (!rc) rc = emit_subs(&subs, records, cb, ctx, err);
    pu_vec_free(&subs);
    return rc;
}

int ews_counts_publish(db_t *db, const store_scope *scope, pu_count_cb cb, void *ctx, pu_err *err) {
    return walk(db, scope, 0, cb, ctx, err);
}

int ews_count_records(db_t *db, const store_scope *scope, pu_count_cb cb, void *ctx, pu_err *err) {
    return walk(db, scope, 1, cb, ctx, err);
}
