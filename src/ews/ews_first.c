/*
 * ews_first.c - first detections (anywhere, in a country, in a state) of the
 * substances of newly linked reports, and their alerts.
 */
#include "ews/ews.h"
#include "ews/ews_store_int.h"
#include "common/pu_io.h"
#include "common/pu_vec.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Add the national agencies of `country` to a ';' list (no duplicates). */
static void add_agencies(char *list, size_t cap, const char *more) {
    char buf[256];
    pu_strlcpy(buf, more, sizeof buf);
    char *save = NULL;
    for (char *t = strtok_r(buf, ";", &save); t; t = strtok_r(NULL, ";", &save)) {
        char probe[64];
        snprintf(probe, sizeof probe, ";%s;", t);
        char cur[300];
        snprintf(cur, sizeof cur, ";%s;", list);
        if (strstr(cur, probe)) continue;
        size_t l = strlen(list);
        snprintf(list + l, cap - l, "%s%s", l ? ";" : "", t);
    }
}

/* First detection of one (report, substance): scopes anywhere, country, state. */
static int first_detection(importer *im, const char *rid, const char *sid, int64_t day, const char *placecode,
                           const char *type, const char *owner, const char *marking, pu_err *err) {
    db_t *db = im->e->db;
    place pl;
    int rc = ews_place_lookup(db, placecode, &pl, err);
    if (rc) return rc;
    const char *scopes[3] = {"*", pl.country, pl.state};
    int isnew[3] = {0, 0, 0};
    for (int i = 0; i < 3 && !rc; i++) {
        if (!*scopes[i]) continue;
        db_stmt *st;
        rc = db_prepare(db, "SELECT day FROM ews_first WHERE substance = ? AND scope = ?", &st, err);
        if (rc) break;
        db_bind_text(st, 1, sid, -1);
        db_bind_text(st, 2, scopes[i], -1);
        int s = db_step(st, err);
        int64_t have = s == DB_ROW ? db_col_int64(st, 0) : -1;
        db_finalize(st);
        if (s != DB_ROW && s != DB_DONE) return s;
        if (s == DB_ROW && have <= day) continue;
        /* earlier evidence arriving late moves the first date but raises no new alert */
        isnew[i] = s == DB_DONE;
        rc = db_prepare(db, "INSERT INTO ews_first(substance, scope, report, day) VALUES (?,?,?,?) "
                            "ON CONFLICT (substance, scope) DO UPDATE SET report = excluded.report, day = excluded.day",
                        &st, err);
        if (rc) break;
        db_bind_text(st, 1, sid, -1);
        db_bind_text(st, 2, scopes[i], -1);
        db_bind_text(st, 3, rid, -1);
        db_bind_int64(st, 4, day);
        rc = ews_step_done(st, err);
        db_finalize(st);
    }
    if (rc) return rc;
    int k = isnew[0] ? 0 : isnew[1] ? 1 : isnew[2] ? 2 : -1;
    if (k < 0) return PU_OK;
    substance_info si;
    if ((rc = ews_substance_get(db, sid, &si, err))) return rc;
    static const char *const kinds[] = {"first-anywhere", "first-country", "first-state"};
    static const char *const where_en[] = {"in the network", "in the country", "in the state"};
    static const char *const where_es[] = {"en la red", "en el país", "en el estado"};
    int ti = ews_type_index(type);
    char date[16], dedup[256];
    pu_format_date(day, date, sizeof date);
    snprintf(dedup, sizeof dedup, "%s|%s|%s", kinds[k], sid, scopes[k]);
    alert_in a = {.kind = kinds[k], .substance = sid, .place = placecode, .week = date, .method = "first-detection",
                  .owner = owner, .marking = marking, .dedup = dedup, .observed = 1, .expected = 0, .upper = NAN};
    a.severity = (ews_potent(si.cls) ? 1 : 0) + 2 - k;
    snprintf(a.evidence, sizeof a.evidence, "report %s (%s) of %s in %s", rid, type, date, placecode);
    snprintf(a.en, sizeof a.en, "First detection of %s (%s) %s: %s, %s (%s), report %s of %s.", si.en,
             ews_class_text(si.cls, 0), where_en[k], ti >= 0 ? ews_type_en[ti] : type, pl.name_en, placecode, rid, date);
    snprintf(a.es, sizeof a.es, "Primera detección de %s (%s) %s: %s, %s (%s), informe %s del %s.", si.es,
             ews_class_text(si.cls, 1), where_es[k], ti >= 0 ? ews_type_es[ti] : type, pl.name_es, placecode, rid, date);
    pu_strlcpy(a.addressed, pl.agencies, sizeof a.addressed);
    if (k == 0) { /* a substance new to the network concerns both countries */
        place us, mx;
        if (ews_place_lookup(db, "US", &us, NULL) == PU_OK) add_agencies(a.addressed, sizeof a.addressed, us.agencies);
        if (ews_place_lookup(db, "MX", &mx, NULL) == PU_OK) add_agencies(a.addressed, sizeof a.addressed, mx.agencies);
    }
    int added;
    return ews_alert_add(im, &a, &added, err);
}


/* Run first detection over the detections selected by `where_sql` (one int
 * parameter), in date order so the earliest report is the "first". */
int ews_first_detections(importer *im, const char *where_sql, int64_t param, pu_err *err) {
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT r.id, d.substance, r.day, r.place, r.type, r.owner, r.marking FROM ews_detection d "
             "JOIN ews_report r ON r.id = d.report WHERE d.substance IS NOT NULL AND %s ORDER BY r.day, r.id",
             where_sql);
    db_stmt *st;
    int rc = db_prepare(im->e->db, sql, &st, err);
    if (rc) return rc;
    db_bind_int64(st, 1, param);
    /* copy rows first: first_detection runs statements of its own */
    typedef struct { char rid[128], sid[64], place[64], type[32], owner[32], marking[16]; int64_t day; } row_t;
    pu_vec v = PU_VEC_INIT(row_t, 0);
    int s;
    while ((s = db_step(st, err)) == DB_ROW) {
        void *slot;
        if ((s = pu_vec_push_zero(&v, &slot))) break;
        row_t *r = slot;
        pu_strlcpy(r->rid, db_col_text(st, 0), sizeof r->rid);
        pu_strlcpy(r->sid, db_col_text(st, 1), sizeof r->sid);
        r->day = db_col_int64(st, 2);
        pu_strlcpy(r->place, db_col_text(st, 3), sizeof r->place);
        pu_strlcpy(r->type, db_col_text(st, 4), sizeof r->type);
        pu_strlcpy(r->owner, db_col_text(st, 5), sizeof r->owner);
        pu_strlcpy(r->marking, db_col_text(st, 6), sizeof r->marking);
    }
    db_finalize(st);
    rc = s == DB_DONE ? PU_OK : ews_vec_fail(s, err);
    const row_t *rows = v.data;
    for (size_t i = 0; i < v.len && !rc; i++)
        rc = first_detection(im, rows[i].rid, rows[i].sid, rows[i].day, rows[i].place, rows[i].type, rows[i].owner,
                             rows[i].marking, err);
    pu_vec_free(&v);
    return rc;
}
