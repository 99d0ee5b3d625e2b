/*
 * ews_scan.c - weekly counts from the stored reports and the aberration scan.
 */
#include "ews/ews.h"
#include "common/pu_parse.h"
#include "ews/ews_store_int.h"
#include "common/pu_io.h"
#include "common/pu_vec.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- weekly counts and the aberration scan ------------------------------- */

/* Counts for people: 3 significant digits, and "<0.01" instead of 3.8e-12. */
static void fmt_count(char *b, size_t n, double v) {
    if (v > 0 && v < 0.01) snprintf(b, n, "<0.01");
    else snprintf(b, n, "%.3g", v);
}

static int64_t monday_of(int64_t day) { return day - (((day + 4) % 7 + 7) % 7 + 6) % 7; }

int ews_counts_from_store(ews_t *e, const store_scope *scope, const char *substance, const char *placep,
                          ews_counts **out, pu_err *err) {
    *out = NULL;
    int rc = ews_substance_exists(e->db, scope, substance, err);
    if (rc) return rc;
    db_sql sql;
    db_sql_init(&sql);
    db_sql_add(&sql, "SELECT DISTINCT r.id, r.week FROM ews_detection d JOIN ews_report r ON r.id = d.report "
                     "WHERE d.substance = ? AND ");
    db_sql_text(&sql, substance);
    store_scope_sql(&sql, scope, "r");
    if (placep && *placep) {
        db_sql_add(&sql, " AND ");
        ews_sql_place_under(&sql, "r.place", placep);
    }
    db_sql_add(&sql, " ORDER BY r.week");
    db_stmt *st;
    rc = db_sql_prepare(e->db, &sql, &st, err);
    db_sql_free(&sql);
    if (rc) return rc;
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    pu_vec weeks = PU_VEC_INIT(int64_t, 0);
    int s;
    while ((s = db_step(st, err)) == DB_ROW) {
        int64_t w = db_col_int64(st, 1);
        int vr = pu_vec_push(&weeks, &w, sizeof w);
        if (vr) { s = vr; break; }
        if (w < lo) lo = w;
        if (w > hi) hi = w;
    }
    db_finalize(st);
    if (s != DB_DONE) {
        pu_vec_free(&weeks);
        return ews_vec_fail(s, err);
    }
    size_t n = weeks.len;
    ews_counts *c = calloc(1, sizeof *c);
    size_t len = n ? (size_t)((hi - lo) / 7 + 1) : 0;
    if (c && len) {
        c->y = calloc(len, sizeof *c->y);
        c->days = calloc(len, sizeof *c->days);
        c->week = calloc(len, sizeof *c->week);
    }
    if (!c || (len && (!c->y || !c->days || !c->week))) {
        ews_counts_free(c);
        pu_vec_free(&weeks);
        return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    c->n = len;
    for (size_t i = 0; i < len; i++) {
        c->days[i] = lo + 7 * (int64_t)i;
        c->week[i] = (int64_t)i + 1;
    }
    const int64_t *wk = weeks.data;
    for (size_t i = 0; i < n; i++) c->y[(wk[i] - lo) / 7] += 1;
    pu_vec_free(&weeks);
    *out = c;
    return PU_OK;
}

/* Marking of an aberration alert: the stricter (store_marking_stricter) of
 * SHARED and the markings of every report behind the alarm week, owned by
 * the owner of the strictest one, so an alert never reveals more than its
 * evidence. */
static int week_marking(db_t *db, const char *sid, const char *state, int64_t week, char *owner, char *marking,
                        pu_err *err) {
    db_stmt *st;
    store_marking mk = STORE_SHARED;
    pu_strlcpy(owner, "EWS", 32);
    int rc = db_prepare(db, "SELECT DISTINCT r.owner, r.marking FROM ews_detection d JOIN ews_report r ON r.id = d.report "
                            "WHERE d.substance = ? AND r.state = ? AND r.week = ?", &st, err);
    if (rc) return rc;
    db_bind_text(st, 1, sid, -1);
    db_bind_text(st, 2, state, -1);
    db_bind_int64(st, 3, week);
    int s;
    while ((s = db_step(st, err)) == DB_ROW) {
        store_marking m;
        char cur[32];
        /* markings were parsed at import: an unknown one is a damaged row, treated as the strictest */
        if (store_marking_parse(db_col_text(st, 1), "marking", &m, NULL) != PU_OK) m = STORE_AGENCY_ONLY;
        pu_strlcpy(cur, owner, sizeof cur);
        mk = store_marking_stricter(mk, cur, m, db_col_text(st, 0), owner, 32);
    }
    db_finalize(st);
    pu_strlcpy(marking, store_marking_name(mk), 16);
    return s == DB_DONE ? PU_OK : s;
}

int ews_scan(ews_t *e, const ews_params *p, const char *until, int last_weeks, int64_t *raised, int64_t *too_short,
             pu_err *err) {
    *raised = 0;
    if (too_short) *too_short = 0;
    int64_t until_day = INT64_MAX;
    if (until && pu_date_parse_days(until, NULL, "until", &until_day, err) != PU_OK) return PU_ERR_INVALID;
    int64_t lo = 0, hi = 0;
    int rc = db_query_int64(e->db, "SELECT COALESCE(MIN(week), 0) FROM ews_report", NULL, &lo, err);
    if (!rc) rc = db_query_int64(e->db, "SELECT COALESCE(MAX(week), 0) FROM ews_report", NULL, &hi, err);
    if (rc) return rc;
    if (until) hi = monday_of(until_day);
    if (hi < lo) return PU_OK;
    size_t len = (size_t)((hi - lo) / 7 + 1);
    if (last_weeks < 1) last_weeks = 1;
    db_stmt *st;
    rc = db_prepare(e->db, "SELECT d.substance, r.state, r.week, COUNT(DISTINCT r.id) FROM ews_detection d "
                           "JOIN ews_report r ON r.id = d.report WHERE d.substance IS NOT NULL AND r.state <> '' "
                           "AND r.week <= ? GROUP BY d.substance, r.state, r.week ORDER BY 1, 2, 3", &st, err);
    if (rc) return rc;
    db_bind_int64(st, 1, hi);
    typedef struct { char sid[64], state[16]; int64_t week, n; } cell;
    pu_vec cv = PU_VEC_INIT(cell, 0);
    int s;
    while ((s = db_step(st, err)) == DB_ROW) {
        cell c = {"", "", db_col_int64(st, 2), db_col_int64(st, 3)};
        pu_strlcpy(c.sid, db_col_text(st, 0), sizeof c.sid);
        pu_strlcpy(c.state, db_col_text(st, 1), sizeof c.state);
        int vr = pu_vec_push(&cv, &c, sizeof c);
        if (vr) { s = vr; break; }
    }
    db_finalize(st);
    if (s != DB_DONE) {
        pu_vec_free(&cv);
        return ews_vec_fail(s, err);
    }
    const cell *cells = cv.data;
    size_t nc = cv.len;
    double *y = calloc(len, sizeof *y);
    int64_t *days = calloc(len, sizeof *days);
    importer im;
    if (!y || !days) rc = pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    if (!rc) rc = ews_importer_init(&im, e, err);
    if (!rc) rc = db_begin(e->db, err);
    int began = rc == PU_OK;
    for (size_t i = 0; i < len && !rc; i++) days[i] = lo + 7 * (int64_t)i;
    for (size_t a = 0; a < nc && !rc;) {
        size_t b = a;
        memset(y, 0, len * sizeof *y);
        while (b < nc && strcmp(cells[b].sid, cells[a].sid) == 0 && strcmp(cells[b].state, cells[a].state) == 0) {
            y[(cells[b].week - lo) / 7] = (double)cells[b].n;
            b++;
        }
        ews_series ser = {len, y, days};
        ews_result *res = NULL;
        pu_err derr;
        int drc = ews_detect(&ser, p, &res, &derr);
        if (drc != PU_OK && too_short) (*too_short)++;      /* too short a history: no verdict, counted */
        if (drc == PU_OK) {
            for (size_t t = len > (size_t)last_weeks ? len - (size_t)last_weeks : 0; t < len && !rc; t++) {
                if (t < res->from || res->alarm[t] != 1) continue;
                substance_info si;
                place pl;
                char wk[16], dedup[256], owner[32], marking[16];
                pu_format_date(days[t], wk, sizeof wk);
                if ((rc = ews_substance_get(e->db, cells[a].sid, &si, err))) break;
                if ((rc = ews_place_lookup(e->db, cells[a].state, &pl, err))) break;
                if ((rc = week_marking(e->db, cells[a].sid, cells[a].state, days[t], owner, marking, err))) break;
                snprintf(dedup, sizeof dedup, "aberration|%s|%s|%s|%s", cells[a].sid, cells[a].state, wk,
                         ews_method_name(p->method));
                alert_in al = {.kind = "aberration", .substance = cells[a].sid, .place = cells[a].state, .week = wk,
                               .method = ews_method_name(p->method), .owner = owner, .marking = marking,
                               .dedup = dedup, .observed = y[t], .expected = res->expected[t], .upper = res->upper[t]};
                al.severity = 1 + ews_potent(si.cls) + (!isnan(res->upper[t]) && y[t] > 2 * res->upper[t] ? 1 : 0);
                char ub[32] = "n/a", ex[32] = "n/a";
                if (!isnan(res->upper[t])) fmt_count(ub, sizeof ub, res->upper[t]);
                if (!isnan(res->expected[t])) fmt_count(ex, sizeof ex, res->expected[t]);
                snprintf(al.evidence, sizeof al.evidence, "week %s: observed %.0f, expected %s, upper bound %s (%s)",
                         wk, y[t], ex, ub, ews_method_name(p->method));
                snprintf(al.en, sizeof al.en,
                         "Unusual rise of %s (%s) in %s (%s), week of %s: %.0f reports, expected %s, upper bound %s (%s).",
                         si.en, ews_class_text(si.cls, 0), pl.name_en, cells[a].state, wk, y[t], ex, ub,
                         ews_method_name(p->method));
                snprintf(al.es, sizeof al.es,
                         "Aumento inusual de %s (%s) en %s (%s), semana del %s: %.0f informes, esperado %s, límite "
                         "superior %s (%s).",
                         si.es, ews_class_text(si.cls, 1), pl.name_es, cells[a].state, wk, y[t], ex, ub,
                         ews_method_name(p->method));
                pu_strlcpy(al.addressed, pl.agencies, sizeof al.addressed);
                int added;
                rc = ews_alert_add(&im, &al, &added, err);
                *raised += added;
            }
        }
        ews_result_free(res);
        a = b;
    }
    if (began) {
        if (rc) db_rollback(e->db);
        else rc = db_commit(e->db, err);
    }
    pu_vec_free(&cv);
    free(y);
    free(days);
    return rc;
}
