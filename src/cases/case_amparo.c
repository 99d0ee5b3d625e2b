/* case_amparo.c - amparo suspensions of an extradition request's clocks.
 * In Mexico the person sought may challenge the extradition by amparo (LEI
 * Art. 33: the SRE's decision is open only to amparo); a district court's
 * suspension of the act complained of (Ley de Amparo Arts. 125-128, 147)
 * halts the procedure, and with it the periods that bind the authorities,
 * until the suspension ends. The periods are counted again from the day
 * after (verify against the DOF text: docs/cases.md "Amparo"). */
#include <stdlib.h>
#include <string.h>

#include "cases/case_int.h"

#define AMPARO_TEXT_MAX 200   /* bytes of a court name or file number */

static int text_field(const char *v, const char *field, pu_err *err) {
    if (!v || !*v) return pu_fail(err, PU_ERR_INVALID, NULL, field, "required");
    if (strlen(v) > AMPARO_TEXT_MAX) return pu_fail(err, PU_ERR_INVALID, NULL, field, "at most %d bytes", AMPARO_TEXT_MAX);
    return PU_OK;
}

int case_amparo_spans(db_t *db, int64_t xid, int64_t today, case_span *sp, size_t *n, char open_since[11],
                      pu_err *err) {
    db_stmt *st;
    *n = 0;
    open_since[0] = '\0';
    int rc = db_prepare(db, "SELECT started, ended FROM case_suspension WHERE extradition_id = ? ORDER BY started, id",
                        &st, err);
    if (rc) return rc;
    db_bind_int64(st, 1, xid);
    while ((rc = db_step(st, err)) == DB_ROW && *n < CASE_SUSPENSIONS_MAX) {
        const char *to = db_col_text(st, 1);
        case_span s;
        if (pu_parse_date(db_col_text(st, 0), &s.from)) continue;
        if (to && *to) {
            if (pu_parse_date(to, &s.to)) continue;
        } else {
            s.to = today > s.from ? today : s.from;
            pu_strlcpy(open_since, db_col_text(st, 0), 11);
        }
        sp[(*n)++] = s;
    }
    db_finalize(st);
    return rc == DB_ROW || rc == DB_DONE ? PU_OK : rc;
}

/* The request visible and writable by rd, in a stage where an amparo can be
 * recorded; r gets its row. */
static int amparo_target(db_t *db, const case_reader *rd, int64_t xid, ext_row *r, pu_err *err) {
    int rc = case_ext_get(db, rd, xid, r, err);
    if (!rc) rc = case_access(db, rd, r->case_id, 1, NULL, NULL, err);
    if (!rc && case_stage_final(r->stage))
        rc = pu_fail(err, PU_ERR_CONFLICT, NULL, "stage", "the request is %s: nothing left to suspend",
                     case_stage_name(r->stage));
    return rc;
}

int case_amparo_start(db_t *db, const case_reader *rd, int64_t xid, const case_amparo_opts *o, int64_t *sid,
                      pu_err *err) {
    ext_row r;
    char d[11], open[11];
    case_span sp[CASE_SUSPENSIONS_MAX];
    size_t n;
    int rc = text_field(o->court, "court", err);
    if (!rc) rc = text_field(o->reference, "reference", err);
    if (!rc) rc = case_day(o->day, "day", d, err);
    if (!rc) rc = amparo_target(db, rd, xid, &r, err);
    if (!rc && strcmp(r.direction, "mx_to_us"))
        rc = pu_fail(err, PU_ERR_INVALID, NULL, "direction",
                     "an amparo is a Mexican remedy: only a request for a person held in Mexico (mx_to_us)");
    if (!rc) rc = case_amparo_spans(db, xid, 0, sp, &n, open, err);
    if (!rc && open[0]) rc = pu_fail(err, PU_ERR_CONFLICT, NULL, "amparo", "a suspension is already open since %s", open);
    if (!rc && n >= CASE_SUSPENSIONS_MAX) /* more would not all be counted by the clocks */
        rc = pu_fail(err, PU_ERR_LIMIT, NULL, "amparo", "at most %d suspensions per request", CASE_SUSPENSIONS_MAX);
    if (!rc && n > 0) {
        char last[11];
        pu_format_date(sp[n - 1].to, last, sizeof last);
        if (strcmp(d, last) <= 0) rc = pu_fail(err, PU_ERR_INVALID, NULL, "day", "%s is not after the last suspension (%s)", d, last);
    }
    int own;
    if (rc || (rc = case_begin(db, &own, err))) return rc;
    db_stmt *st;
    int64_t tmp, *id = sid ? sid : &tmp;
    char now[32];
    pu_now_iso(now, sizeof now);
    rc = db_prepare(db, "INSERT INTO case_suspension (extradition_id, kind, court, reference, started, note, actor,"
                        " created) VALUES (?, 'amparo', ?, ?, ?, ?, ?, ?) RETURNING id", &st, err);
    if (!rc) {
        db_bind_int64(st, 1, xid);
        db_bind_text(st, 2, o->court, -1);
        db_bind_text(st, 3, o->reference, -1);
        db_bind_text(st, 4, d, -1);
        db_bind_text(st, 5, o->note ? o->note : "", -1);
        db_bind_text(st, 6, case_actor(rd), -1);
        db_bind_text(st, 7, now, -1);
        rc = db_insert_id(st, id, err);
        db_finalize(st);
    }
    char text[300], t[40];
    (void)pu_snprintf(text, sizeof text, "extradition %lld: clocks suspended by amparo %s (%s)", (long long)xid,
                      o->reference, o->court);
    (void)pu_snprintf(t, sizeof t, "extradition:%lld", (long long)xid);
    if (!rc) rc = case_timeline(db, r.case_id, d, "amparo", text, case_actor(rd), err);
    if (!rc) rc = case_audit(db, rd, "case.extradition.amparo", t, text, err);
    return case_end(db, own, rc, err);
}

int case_amparo_end(db_t *db, const case_reader *rd, int64_t xid, const char *day, const char *note, pu_err *err) {
    ext_row r;
    char d[11], open[11];
    case_span sp[CASE_SUSPENSIONS_MAX];
    size_t n;
    int rc = case_day(day, "day", d, err);
    if (!rc) rc = case_ext_get(db, rd, xid, &r, err);
    if (!rc) rc = case_access(db, rd, r.case_id, 1, NULL, NULL, err);
    if (!rc) rc = case_amparo_spans(db, xid, 0, sp, &n, open, err);
    if (!rc && !open[0]) rc = pu_fail(err, PU_ERR_CONFLICT, NULL, "amparo", "no suspension is open");
    if (!rc && strcmp(d, open) < 0) rc = pu_fail(err, PU_ERR_INVALID, NULL, "day", "%s is before the suspension began (%s)", d, open);
    int own;
    if (rc || (rc = case_begin(db, &own, err))) return rc;
    db_stmt *st;
    rc = db_prepare(db, "UPDATE case_suspension SET ended = ?, note = CASE WHEN ? = '' THEN note ELSE ? END"
                        " WHERE extradition_id = ? AND ended IS NULL", &st, err);
    if (!rc) {
        db_bind_text(st, 1, d, -1);
        db_bind_text(st, 2, note ? note : "", -1);
        db_bind_text(st, 3, note ? note : "", -1);
        db_bind_int64(st, 4, xid);
        rc = case_exec(st, err);
    }
    char text[200], t[40];
    (void)pu_snprintf(text, sizeof text, "extradition %lld: amparo suspension ended; clocks run again", (long long)xid);
    (void)pu_snprintf(t, sizeof t, "extradition:%lld", (long long)xid);
    if (!rc) rc = case_timeline(db, r.case_id, d, "amparo", text, case_actor(rd), err);
    if (!rc) rc = case_audit(db, rd, "case.extradition.amparo_end", t, text, err);
    return case_end(db, own, rc, err);
}

int case_amparo_json(db_t *db, int64_t xid, json_t **out, pu_err *err) {
    static const char *const cols[] = {"id_n", "kind", "court", "reference", "started", "ended", "note", "actor", NULL};
    db_stmt *st;
    int rc = db_prepare(db, "SELECT id, kind, court, reference, started, ended, note, actor FROM case_suspension"
                            " WHERE extradition_id = ? ORDER BY started, id", &st, err);
    if (rc) return rc;
    db_bind_int64(st, 1, xid);
    return case_rows_json(st, cols, out, err);
}
