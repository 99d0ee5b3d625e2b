/*
 * ews_first.c - first detections (anywhere, in a country, in a state) of the
 * substances of newly linked reports, and their alerts.
 */
#include "ews/ews.h"
#include "ews/ews_store_int.h"
#include "common/pu_io.h"
#include "common/pu_vec.h"

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

/* ---- the audience of a report ----------------------------------------------
 * A first-detection fact ("no report of S in this place before R") depends
 * on every other report of S, including their absence. To reveal nothing
 * hidden, it is computed over the reports that EVERY reader of R may see -
 * R's audience - and the alert carries the audience's marking, so a reader
 * who sees the alert sees all the evidence it rests on:
 *   PUBLIC, SHARED  -> everyone: the SHARED reports        (EWS, SHARED)
 *   US-ONLY         -> the US agencies: SHARED + US-ONLY   (EWS, US-ONLY)
 *   MX-ONLY         -> the MX agencies: SHARED + MX-ONLY   (EWS, MX-ONLY)
 *   AGENCY-ONLY     -> its owner A: what A may see          (A, AGENCY-ONLY)
 * Each processed (substance, place scope) leaves a mark in ews_first_seen
 * under the audience's (owner, marking); "R is new" means no mark that the
 * audience's scope may see (store_scope_sql over the marks: the one
 * visibility rule decides which audiences' facts reach which reader).
 * docs/ews.md "First detection: computed for the report's audience". */

/* The country of agency `owner`: the filer's own scope when it is the
 * filer, else the country whose places list the agency (data/ews/places.csv);
 * "" when unknown or ambiguous (the audience then sees only SHARED and its
 * own marks: it may be told "first" too often, but never learns of a
 * report it may not see). */
static int owner_country(importer *im, const char *owner, char *out, size_t n, pu_err *err) {
    out[0] = 0;
    if (im->scope && !im->scope->system && im->scope->agency && strcmp(im->scope->agency, owner) == 0) {
        pu_strlcpy(out, im->scope->country ? im->scope->country : "", n);
        return PU_OK;
    }
    db_sql sql;
    db_sql_init(&sql);
    db_sql_add(&sql, "SELECT DISTINCT p.country FROM ews_place p WHERE ");
    ews_sql_in_list(&sql, "p.agencies", owner);
    db_stmt *st;
    int rc = db_sql_prepare(im->e->db, &sql, &st, err);
    db_sql_free(&sql);
    if (rc) return rc;
    int s, rows = 0;
    while ((s = db_step(st, err)) == DB_ROW)
        if (rows++ == 0) pu_strlcpy(out, db_col_text(st, 0), n);
    db_finalize(st);
    if (rows > 1) out[0] = 0;
    return s == DB_DONE ? PU_OK : s;
}

int ews_audience_of(importer *im, const char *owner, const char *marking, audience *a, pu_err *err) {
    memset(a, 0, sizeof *a);
    store_marking m;
    /* markings were parsed at import: an unknown one is a damaged row, kept to its owner */
    if (store_marking_parse(marking, "marking", &m, NULL) != PU_OK) m = STORE_AGENCY_ONLY;
    pu_strlcpy(a->owner, "EWS", sizeof a->owner);
    a->marking = store_marking_stricter(m, owner, STORE_SHARED, "EWS", a->owner, sizeof a->owner);
    if (a->marking == STORE_US_ONLY || a->marking == STORE_MX_ONLY) {
        pu_strlcpy(a->owner, "EWS", sizeof a->owner);
        pu_strlcpy(a->country, a->marking == STORE_US_ONLY ? "US" : "MX", sizeof a->country);
    } else if (a->marking == STORE_AGENCY_ONLY) {
        pu_strlcpy(a->owner, owner, sizeof a->owner);
        pu_strlcpy(a->agency, owner, sizeof a->agency);
        return owner_country(im, owner, a->country, sizeof a->country, err);
    } else {
        pu_strlcpy(a->owner, "EWS", sizeof a->owner);
    }
    return PU_OK;
}

store_scope ews_audience_scope(const audience *au) { return (store_scope){0, au->country, au->agency}; }

/* *isnew = 1 when no mark of (sid, scope) is visible to the audience. */
static int seen_before(db_t *db, const audience *au, const char *sid, const char *scope, int *isnew, pu_err *err) {
    store_scope sc = ews_audience_scope(au);
    db_sql sql;
    db_sql_init(&sql);
    db_sql_add(&sql, "SELECT COUNT(*) FROM ews_first_seen f WHERE f.substance = ? AND f.scope = ? AND ");
    db_sql_text(&sql, sid);
    db_sql_text(&sql, scope);
    store_scope_sql(&sql, &sc, "f");
    db_stmt *st;
    int rc = db_sql_prepare(db, &sql, &st, err);
    db_sql_free(&sql);
    if (rc) return rc;
    int s = db_step(st, err);
    *isnew = s == DB_ROW && db_col_int64(st, 0) == 0;
    db_finalize(st);
    return s == DB_ROW ? PU_OK : s;
}

/* Leave the audience's mark; earlier evidence arriving late moves its date. */
static int mark_seen(db_t *db, const audience *au, const char *sid, const char *scope, const char *rid, int64_t day,
                     pu_err *err) {
    db_stmt *st;
    int rc = db_prepare(db, "INSERT INTO ews_first_seen(substance, scope, owner, marking, report, day) "
                            "VALUES (?,?,?,?,?,?) ON CONFLICT (substance, scope, owner, marking) DO UPDATE "
                            "SET report = excluded.report, day = excluded.day WHERE excluded.day < ews_first_seen.day",
                        &st, err);
    if (rc) return rc;
    db_bind_text(st, 1, sid, -1);
    db_bind_text(st, 2, scope, -1);
    db_bind_text(st, 3, au->owner, -1);
    db_bind_text(st, 4, store_marking_name(au->marking), -1);
    db_bind_text(st, 5, rid, -1);
    db_bind_int64(st, 6, day);
    rc = db_step_done(st, err);
    db_finalize(st);
    return rc;
}

/* Addressees of a first detection: the agencies of the place, and for a
 * substance new to the network the national agencies of each country that
 * may read the alert; an AGENCY-ONLY alert goes to its only reader. */
static void first_addressees(db_t *db, const audience *au, const place *pl, int anywhere, char *out, size_t n) {
    if (au->marking == STORE_AGENCY_ONLY) {
        pu_strlcpy(out, au->owner, n);
        return;
    }
    pu_strlcpy(out, pl->agencies, n);
    if (!anywhere) return;
    place nat;
    if (au->marking != STORE_MX_ONLY && ews_place_lookup(db, "US", &nat, NULL) == PU_OK)
        add_agencies(out, n, nat.agencies);
    if (au->marking != STORE_US_ONLY && ews_place_lookup(db, "MX", &nat, NULL) == PU_OK)
        add_agencies(out, n, nat.agencies);
}

/* First detection of one (report, substance) for the report's audience:
 * scopes anywhere, country, state; an alert for the broadest new one
 * (unless alerts == 0: marks only, for the backfill of ews_migrate). */
static int first_detection(importer *im, const char *rid, const char *sid, int64_t day, const char *placecode,
                           const char *type, const char *owner, const char *marking, int alerts, pu_err *err) {
    db_t *db = im->e->db;
    place pl;
    audience au;
    int rc = ews_place_lookup(db, placecode, &pl, err);
    if (!rc) rc = ews_audience_of(im, owner, marking, &au, err);
    if (rc) return rc;
    const char *scopes[3] = {"*", pl.country, pl.state};
    int isnew[3] = {0, 0, 0};
    for (int i = 0; i < 3 && !rc; i++) {
        if (!*scopes[i]) continue;
        rc = seen_before(db, &au, sid, scopes[i], &isnew[i], err);
        if (!rc) rc = mark_seen(db, &au, sid, scopes[i], rid, day, err);
    }
    if (rc) return rc;
    int k = isnew[0] ? 0 : isnew[1] ? 1 : isnew[2] ? 2 : -1;
    if (k < 0 || !alerts) return PU_OK;
    substance_info si;
    if ((rc = ews_substance_get(db, sid, &si, err))) return rc;
    static const char *const kinds[] = {"first-anywhere", "first-country", "first-state"};
    static const char *const where_en[] = {"in the network", "in the country", "in the state"};
    static const char *const where_es[] = {"en la red", "en el país", "en el estado"};
    int ti = ews_type_index(type);
    char date[16], dedup[256];
    pu_format_date(day, date, sizeof date);
    /* one alert per audience: everyone's keeps the key it always had */
    if (au.marking == STORE_SHARED) snprintf(dedup, sizeof dedup, "%s|%s|%s", kinds[k], sid, scopes[k]);
    else snprintf(dedup, sizeof dedup, "%s|%s|%s|%s|%s", kinds[k], sid, scopes[k], au.owner, store_marking_name(au.marking));
    alert_in a = {.kind = kinds[k], .substance = sid, .place = placecode, .week = date, .method = "first-detection",
                  .owner = au.owner, .marking = store_marking_name(au.marking), .dedup = dedup, .observed = 1,
                  .expected = 0, .upper = NAN};
    a.severity = (ews_potent(si.cls) ? 1 : 0) + 2 - k;
    snprintf(a.evidence, sizeof a.evidence, "report %s (%s) of %s in %s", rid, type, date, placecode);
    snprintf(a.en, sizeof a.en, "First detection of %s (%s) %s: %s, %s (%s), report %s of %s.", si.en,
             ews_class_text(si.cls, 0), where_en[k], ti >= 0 ? ews_type_en[ti] : type, pl.name_en, placecode, rid, date);
    snprintf(a.es, sizeof a.es, "Primera detección de %s (%s) %s: %s, %s (%s), informe %s del %s.", si.es,
             ews_class_text(si.cls, 1), where_es[k], ti >= 0 ? ews_type_es[ti] : type, pl.name_es, placecode, rid, date);
    first_addressees(db, &au, &pl, k == 0, a.addressed, sizeof a.addressed);
    int added;
    return ews_alert_add(im, &a, &added, err);
}

/* Run first detection over the detections selected by `where_sql` (one int
 * parameter), in date order so the earliest report is the "first". */
static int run_first(importer *im, const char *where_sql, int64_t param, int alerts, pu_err *err) {
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
                             rows[i].marking, alerts, err);
    pu_vec_free(&v);
    return rc;
}

int ews_first_detections(importer *im, const char *where_sql, int64_t param, pu_err *err) {
    return run_first(im, where_sql, param, 1, err);
}

int ews_first_marks(importer *im, const char *where_sql, int64_t param, pu_err *err) {
    return run_first(im, where_sql, param, 0, err);
}

int ews_first_backfill(ews_t *e, pu_err *err) {
    int64_t marks = 0, linked = 0;
    int rc = db_query_int64(e->db, "SELECT COUNT(*) FROM ews_first_seen", NULL, &marks, err);
    if (!rc && marks == 0)
        rc = db_query_int64(e->db, "SELECT COUNT(*) FROM ews_detection WHERE substance IS NOT NULL", NULL, &linked, err);
    if (rc || marks > 0 || linked == 0) return rc;
    importer im;
    if ((rc = ews_importer_init(&im, e, err)) || (rc = db_begin(e->db, err))) return rc;
    rc = run_first(&im, "1 = ?", 1, 0, err);
    if (rc) {
        db_rollback(e->db);
        return rc;
    }
    return db_commit(e->db, err);
}
