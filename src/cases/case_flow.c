/* case_flow.c - extradition requests and their stage workflow. The
 * transitions are data (TRANSITIONS below, drawn in docs/cases.md); every
 * change is checked against it, kept in case_stage_history (entry and exit
 * days: the time spent in each stage) and written to the case timeline. */
#include <stdlib.h>
#include <string.h>

#include "cases/case_int.h"

static const char *const STAGE_NAMES[CS_NSTAGES] = {
    "provisional_arrest_requested", "person_located_arrested", "formal_request_due", "formal_request_filed",
    "judicial_phase", "executive_decision", "review", "surrender_scheduled", "surrendered", "released",
    "withdrawn", "lapsed"};

/* from -> to, and the executive decision it needs ("" = any). */
typedef struct transition {
    case_stage from, to;
    const char *decision;
} transition;

static const transition TRANSITIONS[] = {
    {CS_PROVISIONAL_ARREST_REQUESTED, CS_PERSON_LOCATED_ARRESTED, ""},
    {CS_PROVISIONAL_ARREST_REQUESTED, CS_WITHDRAWN, ""},
    {CS_PROVISIONAL_ARREST_REQUESTED, CS_LAPSED, ""},            /* never located */
    {CS_PERSON_LOCATED_ARRESTED, CS_FORMAL_REQUEST_DUE, ""},
    {CS_PERSON_LOCATED_ARRESTED, CS_FORMAL_REQUEST_FILED, ""},
    {CS_PERSON_LOCATED_ARRESTED, CS_RELEASED, ""},
    {CS_PERSON_LOCATED_ARRESTED, CS_WITHDRAWN, ""},
    {CS_FORMAL_REQUEST_DUE, CS_FORMAL_REQUEST_FILED, ""},
    {CS_FORMAL_REQUEST_DUE, CS_LAPSED, ""},                      /* Art. 11: no formal request in 60 days */
    {CS_FORMAL_REQUEST_DUE, CS_RELEASED, ""},
    {CS_FORMAL_REQUEST_DUE, CS_WITHDRAWN, ""},
    {CS_FORMAL_REQUEST_FILED, CS_JUDICIAL_PHASE, ""},
    {CS_FORMAL_REQUEST_FILED, CS_RELEASED, ""},
    {CS_FORMAL_REQUEST_FILED, CS_WITHDRAWN, ""},
    {CS_JUDICIAL_PHASE, CS_EXECUTIVE_DECISION, ""},
    {CS_JUDICIAL_PHASE, CS_RELEASED, ""},                        /* not certified / unfavourable opinion */
    {CS_JUDICIAL_PHASE, CS_WITHDRAWN, ""},
    {CS_EXECUTIVE_DECISION, CS_REVIEW, "granted"},               /* amparo / habeas against the grant */
    {CS_EXECUTIVE_DECISION, CS_SURRENDER_SCHEDULED, "granted"},
    {CS_EXECUTIVE_DECISION, CS_RELEASED, "denied"},
    {CS_EXECUTIVE_DECISION, CS_WITHDRAWN, ""},
    {CS_REVIEW, CS_SURRENDER_SCHEDULED, ""},                     /* review denied */
    {CS_REVIEW, CS_RELEASED, ""},                                /* review granted */
    {CS_REVIEW, CS_WITHDRAWN, ""},
    {CS_SURRENDER_SCHEDULED, CS_SURRENDERED, ""},
    {CS_SURRENDER_SCHEDULED, CS_RELEASED, ""},                   /* not taken within the legal period */
    {CS_SURRENDER_SCHEDULED, CS_WITHDRAWN, ""},
};

const char *case_stage_name(case_stage s) { return (unsigned)s < CS_NSTAGES ? STAGE_NAMES[s] : ""; }

int case_stage_parse(const char *s, case_stage *out, pu_err *err) {
    for (int i = 0; s && i < CS_NSTAGES; i++)
        if (!strcmp(s, STAGE_NAMES[i])) {
            *out = (case_stage)i;
            return PU_OK;
        }
    return pu_fail(err, PU_ERR_INVALID, NULL, "stage",
                   "expected provisional_arrest_requested, person_located_arrested, formal_request_due,"
                   " formal_request_filed, judicial_phase, executive_decision, review, surrender_scheduled,"
                   " surrendered, released, withdrawn or lapsed, got '%s'", s ? s : "");
}

int case_stage_allowed(case_stage from, case_stage to, const char *decision) {
    for (size_t i = 0; i < sizeof TRANSITIONS / sizeof TRANSITIONS[0]; i++) {
        const transition *t = &TRANSITIONS[i];
        if (t->from == from && t->to == to && (!*t->decision || (decision && !strcmp(decision, t->decision))))
            return 1;
    }
    return 0;
}

int case_stage_final(case_stage s) {
    return s == CS_SURRENDERED || s == CS_RELEASED || s == CS_WITHDRAWN || s == CS_LAPSED;
}

int case_stage_initial(case_stage s) { return s == CS_PROVISIONAL_ARREST_REQUESTED || s == CS_FORMAL_REQUEST_FILED; }

static int history_add(db_t *db, int64_t xid, const char *stage, const char *day, const char *actor, const char *note,
                       pu_err *err) {
    db_stmt *st;
    int rc = db_prepare(db, "INSERT INTO case_stage_history (extradition_id, stage, entered, actor, note)"
                            " VALUES (?, ?, ?, ?, ?)", &st, err);
    if (rc) return rc;
    db_bind_int64(st, 1, xid);
    db_bind_text(st, 2, stage, -1);
    db_bind_text(st, 3, day, -1);
    db_bind_text(st, 4, actor, -1);
    db_bind_text(st, 5, note ? note : "", -1);
    return case_exec(st, err);
}

int case_ext_new(db_t *db, const case_reader *rd, int64_t case_id, const case_ext_opts *o, int64_t *xid,
                 pu_err *err) {
    char owner[32], cmark[16], day[11];
    case_stage s = CS_PROVISIONAL_ARREST_REQUESTED;
    store_marking m;
    if (!o->direction || (strcmp(o->direction, "mx_to_us") && strcmp(o->direction, "us_to_mx")))
        return pu_fail(err, PU_ERR_INVALID, NULL, "direction", "expected mx_to_us or us_to_mx");
    if (!o->person || !*o->person) return pu_fail(err, PU_ERR_INVALID, NULL, "person", "required");
    int rc = o->stage ? case_stage_parse(o->stage, &s, err) : PU_OK;
    if (!rc && !case_stage_initial(s))
        rc = pu_fail(err, PU_ERR_INVALID, NULL, "stage", "a request starts at provisional_arrest_requested or"
                                                         " formal_request_filed");
    if (!rc) rc = case_day(o->day, "day", day, err);
    if (!rc) rc = case_access(db, rd, case_id, 1, owner, cmark, err);
    if (!rc) rc = store_marking_parse(o->marking && *o->marking ? o->marking : cmark, "marking", &m, err);
    if (!rc) rc = store_check_file(rd->scope, m, err);
    if (rc) return rc;
    int own;
    db_stmt *st;
    int64_t tmp, *x = xid ? xid : &tmp;
    char now[32];
    pu_now_iso(now, sizeof now);
    if ((rc = case_begin(db, &own, err))) return rc;
    rc = db_prepare(db, "INSERT INTO case_extradition (case_id, owner, marking, direction, person, treaty, notes,"
                        " assurances, stage, stage_since, decision, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?)"
                        " RETURNING id", &st, err);
    if (!rc) {
        db_bind_int64(st, 1, case_id);
        db_bind_text(st, 2, rd->scope->system ? owner : rd->scope->agency, -1);
        db_bind_text(st, 3, store_marking_name(m), -1);
        db_bind_text(st, 4, o->direction, -1);
        db_bind_text(st, 5, o->person, -1);
        db_bind_text(st, 6, o->treaty && *o->treaty ? o->treaty : "US-MX Extradition Treaty 1978", -1);
        db_bind_text(st, 7, o->notes ? o->notes : "", -1);
        db_bind_text(st, 8, o->assurances ? o->assurances : "", -1);
        db_bind_text(st, 9, case_stage_name(s), -1);
        db_bind_text(st, 10, day, -1);
        db_bind_text(st, 11, now, -1);
        rc = db_insert_id(st, x, err);
        db_finalize(st);
    }
    if (!rc) rc = history_add(db, *x, case_stage_name(s), day, case_actor(rd), NULL, err);
    char text[300];
    (void)pu_snprintf(text, sizeof text, "extradition %lld (%s) of %s: %s", (long long)*x, o->direction, o->person,
                      case_stage_name(s));
    if (!rc) rc = case_timeline(db, case_id, day, "extradition", text, case_actor(rd), err);
    return case_end(db, own, rc, err);
}

int case_ext_get(db_t *db, const case_reader *rd, int64_t xid, ext_row *r, pu_err *err) {
    db_sql q;
    db_stmt *st;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT r.case_id, r.stage, r.stage_since, r.decision, r.direction FROM case_extradition r"
                   " JOIN case_file c ON c.id = r.case_id WHERE r.id = ? AND ");
    db_sql_int64(&q, xid);
    case_record_sql(&q, rd, "extradition", "r");
    db_sql_add(&q, " AND ");
    case_visible_sql(&q, rd, "c");
    int rc = db_sql_prepare(db, &q, &st, err);
    db_sql_free(&q);
    if (rc) return rc;
    rc = db_step(st, err);
    if (rc == DB_ROW) {
        r->case_id = db_col_int64(st, 0);
        pu_err ignore;
        if (case_stage_parse(db_col_text(st, 1), &r->stage, &ignore)) r->stage = CS_NSTAGES;
        pu_strlcpy(r->since, db_col_text(st, 2), sizeof r->since);
        pu_strlcpy(r->decision, db_col_text(st, 3), sizeof r->decision);
        pu_strlcpy(r->direction, db_col_text(st, 4), sizeof r->direction);
    }
    db_finalize(st);
    if (rc == DB_DONE) return pu_fail(err, PU_ERR_NOTFOUND, NULL, "extradition", "no such extradition request %lld",
                                      (long long)xid);
    return rc == DB_ROW ? PU_OK : rc;
}

/* Entering executive_decision may record the decision at once; while in it,
 * "stage ID executive_decision --decision D" records it later (once). */
static int stage_checks(const ext_row *r, case_stage to, const char *day, const char *decision, int *record_only,
                        pu_err *err) {
    int deciding = to == CS_EXECUTIVE_DECISION;
    *record_only = 0;
    if (decision && *decision && (strcmp(decision, "granted") && strcmp(decision, "denied")))
        return pu_fail(err, PU_ERR_INVALID, NULL, "decision", "expected granted or denied, got '%s'", decision);
    if (!deciding && decision && *decision)
        return pu_fail(err, PU_ERR_INVALID, NULL, "decision", "a decision is recorded only at executive_decision");
    if (deciding && r->stage == CS_EXECUTIVE_DECISION) {
        if (r->decision[0])
            return pu_fail(err, PU_ERR_CONFLICT, NULL, "decision", "the decision is already recorded (%s)", r->decision);
        if (!decision || !*decision)
            return pu_fail(err, PU_ERR_CONFLICT, NULL, "stage", "the request is already at executive_decision");
        *record_only = 1;
    } else if (!case_stage_allowed(r->stage, to, r->decision)) {
        return pu_fail(err, PU_ERR_CONFLICT, NULL, "stage", "the workflow does not allow %s -> %s%s%s",
                       case_stage_name(r->stage), case_stage_name(to), r->decision[0] ? " after a decision " : "",
                       r->decision);
    }
    if (strcmp(day, r->since) < 0)
        return pu_fail(err, PU_ERR_INVALID, NULL, "day", "%s is before the current stage began (%s)", day, r->since);
    return PU_OK;
}

static int record_decision(db_t *db, int64_t xid, const char *decision, pu_err *err) {
    db_stmt *st;
    int rc = db_prepare(db, "UPDATE case_extradition SET decision = ? WHERE id = ?", &st, err);
    if (rc) return rc;
    db_bind_text(st, 1, decision, -1);
    db_bind_int64(st, 2, xid);
    return case_exec(st, err);
}

int case_ext_stage(db_t *db, const case_reader *rd, int64_t xid, const char *to, const char *day,
                   const char *decision, const char *note, pu_err *err) {
    case_stage s;
    ext_row r;
    char d[11];
    int rc = case_stage_parse(to, &s, err);
    if (!rc) rc = case_day(day, "day", d, err);
    if (!rc) rc = case_ext_get(db, rd, xid, &r, err);
    if (!rc) rc = case_access(db, rd, r.case_id, 1, NULL, NULL, err);
    int own, record_only;
    if (!rc) rc = stage_checks(&r, s, d, decision, &record_only, err);
    if (!rc && (s == CS_SURRENDER_SCHEDULED || s == CS_SURRENDERED)) { /* the amparo's suspension forbids surrender */
        case_span sp[CASE_SUSPENSIONS_MAX];
        size_t nsp;
        char open[11];
        if (!(rc = case_amparo_spans(db, xid, 0, sp, &nsp, open, err)) && open[0])
            rc = pu_fail(err, PU_ERR_CONFLICT, NULL, "stage", "suspended by amparo since %s: record its end first", open);
    }
    if (rc || (rc = case_begin(db, &own, err))) return rc;
    db_stmt *st;
    if (record_only) {
        char text[200];
        (void)pu_snprintf(text, sizeof text, "extradition %lld: executive decision %s", (long long)xid, decision);
        rc = record_decision(db, xid, decision, err);
        if (!rc) rc = case_timeline(db, r.case_id, d, "extradition", text, case_actor(rd), err);
        if (!rc) rc = case_audit(db, rd, "case.extradition.decision", text, decision, err);
        return case_end(db, own, rc, err);
    }
    rc = db_prepare(db, "UPDATE case_stage_history SET left_day = ? WHERE extradition_id = ? AND left_day IS NULL",
                    &st, err);
    if (!rc) {
        db_bind_text(st, 1, d, -1);
        db_bind_int64(st, 2, xid);
        rc = case_exec(st, err);
    }
    if (!rc) rc = db_prepare(db, "UPDATE case_extradition SET stage = ?, stage_since = ?,"
                                 " decision = CASE WHEN ? = '' THEN decision ELSE ? END WHERE id = ?", &st, err);
    if (!rc) {
        const char *dec = decision ? decision : "";
        db_bind_text(st, 1, case_stage_name(s), -1);
        db_bind_text(st, 2, d, -1);
        db_bind_text(st, 3, dec, -1);
        db_bind_text(st, 4, dec, -1);
        db_bind_int64(st, 5, xid);
        rc = case_exec(st, err);
    }
    if (!rc) rc = history_add(db, xid, case_stage_name(s), d, case_actor(rd), note, err);
    char text[300], t[40];
    (void)pu_snprintf(text, sizeof text, "extradition %lld: %s -> %s%s%s", (long long)xid, case_stage_name(r.stage),
                      case_stage_name(s), decision ? " " : "", decision ? decision : "");
    (void)pu_snprintf(t, sizeof t, "extradition:%lld", (long long)xid);
    if (!rc) rc = case_timeline(db, r.case_id, d, "extradition", text, case_actor(rd), err);
    if (!rc) rc = case_audit(db, rd, "case.extradition.stage", t, text, err);
    return case_end(db, own, rc, err);
}

/* Add the running clocks of each request in a (objects with id, direction,
 * stage) as "clocks", and the soonest due day as "next_due". */
static int add_clocks(db_t *db, json_t *a, const char *today, pu_err *err) {
    size_t i;
    json_t *x;
    json_array_foreach(a, i, x) {
        case_stage s;
        pu_err ignore;
        case_clock c[8];
        size_t n = 0;
        if (case_stage_parse(json_string_value(json_object_get(x, "stage")), &s, &ignore)) continue;
        int rc = case_clocks(db, json_integer_value(json_object_get(x, "id")),
                             json_string_value(json_object_get(x, "direction")), s, today, c, 8, &n, err);
        if (rc) return rc;
        json_t *cl = json_array();
        for (size_t k = 0; k < n; k++)
            json_array_append_new(cl, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:b,s:b,s:o,s:i}", "rule", c[k].rule,
                                                "label_en", c[k].label_en, "label_es", c[k].label_es, "source",
                                                c[k].source, "started", c[k].started, "due", c[k].due, "days_left",
                                                c[k].days_left, "escalate", c[k].escalate, "suspended", c[k].suspended,
                                                "suspended_since", c[k].suspended_since[0]
                                                    ? json_string(c[k].suspended_since) : json_null(),
                                                "paused_days", c[k].paused_days));
        json_object_set_new(x, "clocks", cl);
        /* the open amparo suspension, if any (the tracker shows "suspended by amparo") */
        case_span sp[CASE_SUSPENSIONS_MAX];
        size_t nsp;
        char open[11];
        if ((rc = case_amparo_spans(db, json_integer_value(json_object_get(x, "id")), 0, sp, &nsp, open, err)))
            return rc;
        json_object_set_new(x, "suspended_since", open[0] ? json_string(open) : json_null());
        /* the stages the workflow allows next (the tracker offers only these) */
        const char *dec = json_string_value(json_object_get(x, "decision"));
        json_t *next = json_array();
        if (s == CS_EXECUTIVE_DECISION && (!dec || !*dec)) json_array_append_new(next, json_string(case_stage_name(s)));
        for (int t = 0; t < CS_NSTAGES; t++)
            if (case_stage_allowed(s, (case_stage)t, dec)) json_array_append_new(next, json_string(case_stage_name(t)));
        json_object_set_new(x, "next", next);
        json_object_set_new(x, "next_due", n ? json_string(c[0].due) : json_null());
    }
    return PU_OK;
}

static int ext_query(db_t *db, const case_reader *rd, int64_t case_id, int64_t xid, const char *today, json_t **out,
                     pu_err *err) {
    static const char *const cols[] = {"id_n", "case_id_n", "owner", "marking", "direction", "person", "treaty", "notes",
                                       "assurances", "stage", "stage_since", "decision", NULL};
    db_sql q;
    db_stmt *st;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT r.id, r.case_id, r.owner, r.marking, r.direction, r.person, r.treaty, r.notes, r.assurances,"
                   " r.stage, r.stage_since, r.decision FROM case_extradition r JOIN case_file c ON c.id = r.case_id"
                   " WHERE ");
    case_record_sql(&q, rd, "extradition", "r");
    db_sql_add(&q, " AND ");
    case_visible_sql(&q, rd, "c");
    if (case_id > 0) {
        db_sql_add(&q, " AND r.case_id = ?");
        db_sql_int64(&q, case_id);
    }
    if (xid > 0) {
        db_sql_add(&q, " AND r.id = ?");
        db_sql_int64(&q, xid);
    }
    db_sql_add(&q, " ORDER BY r.id");
    int rc = db_sql_prepare(db, &q, &st, err);
    db_sql_free(&q);
    if (rc || (rc = case_rows_json(st, cols, out, err))) return rc;
    if ((rc = add_clocks(db, *out, today, err))) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

int case_ext_list(db_t *db, const case_reader *rd, int64_t case_id, const char *today, json_t **out, pu_err *err) {
    if (!rd || !rd->scope) return pu_fail(err, PU_ERR_INTERNAL, NULL, "scope", "a reader must be named");
    return ext_query(db, rd, case_id, 0, today, out, err);
}

int case_ext_show(db_t *db, const case_reader *rd, int64_t xid, const char *today, json_t **out, pu_err *err) {
    json_t *a;
    int rc = ext_query(db, rd, 0, xid, today, &a, err);
    if (rc) return rc;
    json_t *x = json_incref(json_array_get(a, 0));
    json_decref(a);
    if (!x) return pu_fail(err, PU_ERR_NOTFOUND, NULL, "extradition", "no such extradition request %lld", (long long)xid);
    static const char *const cols[] = {"stage", "entered", "left", "actor", "note", NULL};
    db_stmt *st;
    json_t *h;
    rc = db_prepare(db, "SELECT stage, entered, left_day, actor, note FROM case_stage_history WHERE extradition_id = ?"
                        " ORDER BY id", &st, err);
    if (!rc) {
        db_bind_int64(st, 1, xid);
        rc = case_rows_json(st, cols, &h, err);
    }
    if (rc) {
        json_decref(x);
        return rc;
    }
    json_object_set_new(x, "history", h);
    if ((rc = case_amparo_json(db, xid, &h, err))) {
        json_decref(x);
        return rc;
    }
    json_object_set_new(x, "suspensions", h);
    *out = x;
    return PU_OK;
}

/* CSV field: quoted when it holds a comma, quote or line break. */
static void csv_field(FILE *out, const char *v, int last) {
    if (strpbrk(v, ",\"\r\n")) {
        fputc('"', out);
        for (const char *p = v; *p; p++) {
            if (*p == '"') fputc('"', out);
            fputc(*p, out);
        }
        fputc('"', out);
    } else {
        fputs(v, out);
    }
    fputc(last ? '\n' : ',', out);
}

int case_ext_write_csv(db_t *db, const case_reader *rd, const char *today, FILE *out, pu_err *err) {
    json_t *a;
    int rc = case_ext_list(db, rd, 0, today, &a, err);
    if (rc) return rc;
    fputs("id,case_id,direction,person,stage,stage_since,next_due\n", out);
    size_t i;
    json_t *x;
    json_array_foreach(a, i, x) {
        char id[24], cid[24];
        (void)pu_snprintf(id, sizeof id, "%lld", (long long)json_integer_value(json_object_get(x, "id")));
        (void)pu_snprintf(cid, sizeof cid, "%lld", (long long)json_integer_value(json_object_get(x, "case_id")));
        const char *due = json_string_value(json_object_get(x, "next_due"));
        csv_field(out, id, 0);
        csv_field(out, cid, 0);
        csv_field(out, json_string_value(json_object_get(x, "direction")), 0);
        csv_field(out, json_string_value(json_object_get(x, "person")), 0);
        csv_field(out, json_string_value(json_object_get(x, "stage")), 0);
        csv_field(out, json_string_value(json_object_get(x, "stage_since")), 0);
        csv_field(out, due ? due : "", 1);
    }
    json_decref(a);
    return PU_OK;
}
