/* case_justice.c - charges, warrants (with service attempts and recall),
 * arrests and INTERPOL Red Notice drafts: the NIEM Justice domain's Charge,
 * Warrant, Arrest, and the Red Notice fields. docs/cases.md "Records". */
#include <stdlib.h>
#include <string.h>

#include "cases/case_int.h"

static const char *const SEVERITIES[] = {"felony", "misdemeanor", "delito_grave", "delito_no_grave", NULL};
static const char *const DISPOSITIONS[] = {"pending", "dismissed", "convicted", "acquitted", "plea", "transferred", NULL};

static int in_set(const char *v, const char *const *set) {
    for (; v && *set; set++)
        if (!strcmp(*set, v)) return 1;
    return 0;
}

static int country_ok(const char *c, const char *field, pu_err *err) {
    if (c && (!strcmp(c, "US") || !strcmp(c, "MX"))) return PU_OK;
    return pu_fail(err, PU_ERR_INVALID, NULL, field, "expected US or MX, got '%s'", c ? c : "");
}

static int need(const char *v, const char *field, pu_err *err) {
    if (v && *v && strlen(v) <= CASE_TEXT_MAX && pu_utf8_valid(v, strlen(v))) return PU_OK;
    return pu_fail(err, PU_ERR_INVALID, NULL, field, "required");
}

/* "3,4": every number a charge of case id. */
static int charges_of_case(db_t *db, int64_t id, const char *list, pu_err *err) {
    char buf[512];
    pu_strlcpy(buf, list ? list : "", sizeof buf);
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *end;
        long long c = strtoll(tok, &end, 10);
        if (*end || c <= 0) return pu_fail(err, PU_ERR_INVALID, NULL, "charges", "expected charge numbers, got '%s'", tok);
        db_stmt *st;
        int rc = db_prepare(db, "SELECT 1 FROM case_charge WHERE id = ? AND case_id = ?", &st, err);
        if (rc) return rc;
        db_bind_int64(st, 1, c);
        db_bind_int64(st, 2, id);
        rc = db_step(st, err);
        db_finalize(st);
        if (rc == DB_DONE) return pu_fail(err, PU_ERR_INVALID, NULL, "charges", "charge %lld is not of this case", c);
        if (rc != DB_ROW) return rc;
    }
    return PU_OK;
}

int case_charge_add(db_t *db, const case_reader *rd, int64_t id, const case_charge_opts *o, int64_t *cid,
                    pu_err *err) {
    char filed[11];
    int rc = need(o->statute, "statute", err);
    if (rc || (rc = country_ok(o->country, "country", err))) return rc;
    if (!in_set(o->severity, SEVERITIES))
        return pu_fail(err, PU_ERR_INVALID, NULL, "severity",
                       "expected felony, misdemeanor, delito_grave or delito_no_grave");
    if (o->count < 1 || o->count > 10000) return pu_fail(err, PU_ERR_INVALID, NULL, "count", "expected 1 or more");
    if ((rc = case_day(o->filed, "filed", filed, err)) || (rc = case_access(db, rd, id, 1, NULL, NULL, err))) return rc;
    db_stmt *st;
    int64_t tmp;
    if ((rc = db_prepare(db, "INSERT INTO case_charge (case_id, subject, statute, country, count, severity, filed,"
                             " description, disposition) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending') RETURNING id",
                         &st, err)))
        return rc;
    db_bind_int64(st, 1, id);
    if (o->subject > 0) db_bind_int64(st, 2, o->subject);
    else db_bind_null(st, 2);
    db_bind_text(st, 3, o->statute, -1);
    db_bind_text(st, 4, o->country, -1);
    db_bind_int64(st, 5, o->count);
    db_bind_text(st, 6, o->severity, -1);
    db_bind_text(st, 7, filed, -1);
    db_bind_text(st, 8, o->description ? o->description : "", -1);
    rc = db_insert_id(st, cid ? cid : &tmp, err);
    db_finalize(st);
    return rc;
}

int case_charge_dispose(db_t *db, const case_reader *rd, int64_t charge, const char *disposition, pu_err *err) {
    int64_t cid;
    if (!in_set(disposition, DISPOSITIONS))
        return pu_fail(err, PU_ERR_INVALID, NULL, "disposition",
                       "expected pending, dismissed, convicted, acquitted, plea or transferred");
    int rc = case_parent_access(db, rd, "case_charge", charge, 1, &cid, err);
    if (rc) return rc;
    db_stmt *st;
    if ((rc = db_prepare(db, "UPDATE case_charge SET disposition = ? WHERE id = ?", &st, err))) return rc;
    db_bind_text(st, 1, disposition, -1);
    db_bind_int64(st, 2, charge);
    return case_exec(st, err);
}

/* The marking of a record filed in a case: the given one (checked), else
 * the case's. */
static int record_marking(const case_reader *rd, const char *given, const char *case_marking, char out[16],
                          pu_err *err) {
    store_marking m;
    int rc = store_marking_parse(given && *given ? given : case_marking, "marking", &m, err);
    if (rc || (rc = store_check_file(rd->scope, m, err))) return rc;
    pu_strlcpy(out, store_marking_name(m), 16);
    return PU_OK;
}

int case_warrant_add(db_t *db, const case_reader *rd, int64_t id, const case_warrant_opts *o, int64_t *wid,
                     pu_err *err) {
    char owner[32], cmark[16], mark[16], issued[11], expires[11];
    int rc = need(o->court, "court", err);
    if (!rc) rc = need(o->judge, "judge", err);
    if (!rc) rc = need(o->subject, "subject", err);
    if (!rc) rc = country_ok(o->jurisdiction, "jurisdiction", err);
    if (!rc) rc = case_day(o->issued, "issued", issued, err);
    if (!rc && o->expires) rc = case_day(o->expires, "expires", expires, err);
    if (!rc) rc = case_access(db, rd, id, 1, owner, cmark, err);
    if (!rc) rc = record_marking(rd, o->marking, cmark, mark, err);
    if (!rc) rc = charges_of_case(db, id, o->charges, err);
    if (rc) return rc;
    const char *rec_owner = rd->scope->system ? owner : rd->scope->agency;
    int own;
    db_stmt *st;
    int64_t tmp, *w = wid ? wid : &tmp;
    if ((rc = case_begin(db, &own, err))) return rc;
    rc = db_prepare(db, "INSERT INTO case_warrant (case_id, owner, marking, court, judge, issued, jurisdiction, charges,"
                        " subject, status, expires) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'issued', ?) RETURNING id",
                    &st, err);
    if (!rc) {
        db_bind_int64(st, 1, id);
        db_bind_text(st, 2, rec_owner, -1);
        db_bind_text(st, 3, mark, -1);
        db_bind_text(st, 4, o->court, -1);
        db_bind_text(st, 5, o->judge, -1);
        db_bind_text(st, 6, issued, -1);
        db_bind_text(st, 7, o->jurisdiction, -1);
        db_bind_text(st, 8, o->charges ? o->charges : "", -1);
        db_bind_text(st, 9, o->subject, -1);
        if (o->expires) db_bind_text(st, 10, expires, -1);
        else db_bind_null(st, 10);
        rc = db_insert_id(st, w, err);
        db_finalize(st);
    }
    char text[400];
    (void)pu_snprintf(text, sizeof text, "warrant %lld issued by %s for %s", (long long)*w, o->court, o->subject);
    if (!rc) rc = case_timeline(db, id, issued, "warrant", text, case_actor(rd), err);
    return case_end(db, own, rc, err);
}

/* The warrant's case and status, when the reader may write it. */
static int warrant_access(db_t *db, const case_reader *rd, int64_t warrant, int64_t *cid, char status[16], pu_err *err) {
    db_sql q;
    db_stmt *st;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT r.case_id, r.status FROM case_warrant r WHERE r.id = ? AND ");
    db_sql_int64(&q, warrant);
    case_record_sql(&q, rd, "warrant", "r");
    int rc = db_sql_prepare(db, &q, &st, err);
    db_sql_free(&q);
    if (rc) return rc;
    rc = db_step(st, err);
    if (rc == DB_ROW) {
        *cid = db_col_int64(st, 0);
        pu_strlcpy(status, db_col_text(st, 1), 16);
    }
    db_finalize(st);
    if (rc == DB_DONE) return pu_fail(err, PU_ERR_NOTFOUND, NULL, "warrant", "no such warrant %lld", (long long)warrant);
    if (rc != DB_ROW) return rc;
    rc = case_access(db, rd, *cid, 1, NULL, NULL, err);
    return rc == PU_ERR_NOTFOUND ? pu_fail(err, rc, NULL, "warrant", "no such warrant %lld", (long long)warrant) : rc;
}

/* A recalled warrant flags every notice resting on it for cancellation. */
static int flag_notices(db_t *db, int64_t warrant, const char *reason, pu_err *err) {
    db_stmt *st;
    int rc = db_prepare(db, "UPDATE case_notice SET status = 'cancellation_requested', cancel_reason = ?"
                            " WHERE warrant_id = ? AND status = 'active'", &st, err);
    if (rc) return rc;
    db_bind_text(st, 1, reason, -1);
    db_bind_int64(st, 2, warrant);
    return case_exec(st, err);
}

int case_warrant_status(db_t *db, const case_reader *rd, int64_t warrant, const char *status, const char *day,
                        const char *reason, pu_err *err) {
    static const char *const TO[] = {"served", "recalled", "expired", NULL};
    char cur[16], d[11];
    int64_t cid;
    if (!in_set(status, TO)) return pu_fail(err, PU_ERR_INVALID, NULL, "status", "expected served, recalled or expired");
    if (!strcmp(status, "recalled") && (!reason || !*reason))
        return pu_fail(err, PU_ERR_INVALID, NULL, "reason", "a recall needs its reason");
    int own, rc = case_day(day, "day", d, err);
    if (rc || (rc = warrant_access(db, rd, warrant, &cid, cur, err))) return rc;
    if (strcmp(cur, "issued"))
        return pu_fail(err, PU_ERR_CONFLICT, NULL, "status", "warrant %lld is already %s", (long long)warrant, cur);
    if ((rc = case_begin(db, &own, err))) return rc;
    db_stmt *st;
    rc = db_prepare(db, "UPDATE case_warrant SET status = ?, status_day = ?, recall_reason = ? WHERE id = ?", &st, err);
    if (!rc) {
        db_bind_text(st, 1, status, -1);
        db_bind_text(st, 2, d, -1);
        if (reason && *reason) db_bind_text(st, 3, reason, -1);
        else db_bind_null(st, 3);
        db_bind_int64(st, 4, warrant);
        rc = case_exec(st, err);
    }
    if (!rc && !strcmp(status, "recalled")) rc = flag_notices(db, warrant, reason, err);
    char text[300];
    (void)pu_snprintf(text, sizeof text, "warrant %lld %s%s%s", (long long)warrant, status, reason ? ": " : "",
                      reason ? reason : "");
    if (!rc) rc = case_timeline(db, cid, d, "warrant", text, case_actor(rd), err);
    return case_end(db, own, rc, err);
}

int case_warrant_attempt(db_t *db, const case_reader *rd, int64_t warrant, const char *day, const char *place,
                         const char *outcome, pu_err *err) {
    char cur[16], d[11];
    int64_t cid;
    int rc = case_day(day, "day", d, err);
    if (!rc) rc = need(place, "place", err);
    if (!rc) rc = need(outcome, "outcome", err);
    if (rc || (rc = warrant_access(db, rd, warrant, &cid, cur, err))) return rc;
    db_stmt *st;
    if ((rc = db_prepare(db, "INSERT INTO case_attempt (warrant_id, day, place, outcome, actor) VALUES (?, ?, ?, ?, ?)",
                         &st, err)))
        return rc;
    db_bind_int64(st, 1, warrant);
    db_bind_text(st, 2, d, -1);
    db_bind_text(st, 3, place, -1);
    db_bind_text(st, 4, outcome, -1);
    db_bind_text(st, 5, case_actor(rd), -1);
    return case_exec(st, err);
}

int case_arrest_add(db_t *db, const case_reader *rd, int64_t id, const case_arrest_opts *o, int64_t *aid,
                    pu_err *err) {
    char owner[32], cmark[16], mark[16], day[11], rel[11];
    int rc = case_day(o->day, "day", day, err);
    if (!rc) rc = need(o->place, "place", err);
    if (!rc) rc = need(o->agency, "agency", err);
    if (!rc) rc = need(o->person, "person", err);
    if (!rc) rc = country_ok(o->country, "country", err);
    if (!rc && o->released) rc = case_day(o->released, "released", rel, err);
    if (!rc) rc = case_access(db, rd, id, 1, owner, cmark, err);
    if (!rc) rc = record_marking(rd, NULL, cmark, mark, err);
    if (!rc) rc = charges_of_case(db, id, o->charges, err);
    if (!rc && o->warrant > 0) {
        char cur[16];
        int64_t wc;
        rc = warrant_access(db, rd, o->warrant, &wc, cur, err);
        if (!rc && wc != id) rc = pu_fail(err, PU_ERR_INVALID, NULL, "warrant", "warrant of another case");
    }
    if (rc) return rc;
    int own;
    db_stmt *st;
    int64_t tmp, *a = aid ? aid : &tmp;
    if ((rc = case_begin(db, &own, err))) return rc;
    rc = db_prepare(db, "INSERT INTO case_arrest (case_id, owner, marking, day, place, country, agency, officers,"
                        " warrant_id, charges, custody, released, person) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                        " RETURNING id", &st, err);
    if (!rc) {
        db_bind_int64(st, 1, id);
        db_bind_text(st, 2, rd->scope->system ? owner : rd->scope->agency, -1);
        db_bind_text(st, 3, mark, -1);
        db_bind_text(st, 4, day, -1);
        db_bind_text(st, 5, o->place, -1);
        db_bind_text(st, 6, o->country, -1);
        db_bind_text(st, 7, o->agency, -1);
        db_bind_text(st, 8, o->officers ? o->officers : "", -1);
        if (o->warrant > 0) db_bind_int64(st, 9, o->warrant);
        else db_bind_null(st, 9);
        db_bind_text(st, 10, o->charges ? o->charges : "", -1);
        db_bind_text(st, 11, o->custody && *o->custody ? o->custody : "in_custody", -1);
        if (o->released) db_bind_text(st, 12, rel, -1);
        else db_bind_null(st, 12);
        db_bind_text(st, 13, o->person, -1);
        rc = db_insert_id(st, a, err);
        db_finalize(st);
    }
    char text[300];
    (void)pu_snprintf(text, sizeof text, "%s arrested by %s in %s", o->person, o->agency, o->place);
    if (!rc) rc = case_timeline(db, id, day, "arrest", text, case_actor(rd), err);
    return case_end(db, own, rc, err);
}

int case_notice_add(db_t *db, const case_reader *rd, int64_t id, const case_notice_opts *o, int64_t *nid,
                    pu_err *err) {
    char dob[11], cur[16];
    int64_t wc;
    int rc = need(o->name, "name", err);
    if (!rc) rc = need(o->charge, "charge", err);
    if (!rc) rc = need(o->charge_translation, "charge_translation", err);
    if (!rc && o->dob) rc = case_day(o->dob, "dob", dob, err);
    if (!rc) rc = case_access(db, rd, id, 1, NULL, NULL, err);
    if (!rc && o->warrant <= 0) rc = pu_fail(err, PU_ERR_INVALID, NULL, "warrant", "a notice rests on a warrant");
    if (!rc) rc = warrant_access(db, rd, o->warrant, &wc, cur, err);
    if (!rc && wc != id) rc = pu_fail(err, PU_ERR_INVALID, NULL, "warrant", "warrant of another case");
    if (!rc && strcmp(cur, "issued"))
        rc = pu_fail(err, PU_ERR_CONFLICT, NULL, "warrant", "warrant %lld is %s", (long long)o->warrant, cur);
    if (rc) return rc;
    db_stmt *st;
    int64_t tmp;
    if ((rc = db_prepare(db, "INSERT INTO case_notice (case_id, warrant_id, name, forename, dob, place_of_birth,"
                             " nationalities, sex, charge, charge_translation, status)"
                             " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active') RETURNING id", &st, err)))
        return rc;
    db_bind_int64(st, 1, id);
    db_bind_int64(st, 2, o->warrant);
    db_bind_text(st, 3, o->name, -1);
    db_bind_text(st, 4, o->forename ? o->forename : "", -1);
    if (o->dob) db_bind_text(st, 5, dob, -1);
    else db_bind_null(st, 5);
    db_bind_text(st, 6, o->place_of_birth ? o->place_of_birth : "", -1);
    db_bind_text(st, 7, o->nationalities ? o->nationalities : "", -1);
    db_bind_text(st, 8, o->sex ? o->sex : "U", -1);
    db_bind_text(st, 9, o->charge, -1);
    db_bind_text(st, 10, o->charge_translation, -1);
    rc = db_insert_id(st, nid ? nid : &tmp, err);
    db_finalize(st);
    return rc;
}
