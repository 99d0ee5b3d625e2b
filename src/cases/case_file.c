/* case_file.c - case files: filing, listing, showing, membership, shares,
 * subjects, timeline, notes and tasks. docs/cases.md "Records". */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cases/case_int.h"

static const char *const STATUSES[] = {"open", "suspended", "closed", NULL};

static int one_of(const char *v, const char *const *set) {
    for (; v && *set; set++)
        if (!strcmp(v, *set)) return 1;
    return 0;
}

static int text_ok(const char *s, const char *field, int required, pu_err *err) {
    if (!s || !*s) return required ? pu_fail(err, PU_ERR_INVALID, NULL, field, "required") : PU_OK;
    if (strlen(s) > CASE_TEXT_MAX) return pu_fail(err, PU_ERR_LIMIT, NULL, field, "longer than %d bytes", CASE_TEXT_MAX);
    if (!pu_utf8_valid(s, strlen(s))) return pu_fail(err, PU_ERR_INVALID, NULL, field, "not UTF-8");
    return PU_OK;
}

static int add_member(db_t *db, int64_t id, const char *kind, const char *principal, const char *right,
                      const char *by, pu_err *err) {
    char now[32];
    db_stmt *st;
    pu_now_iso(now, sizeof now);
    int rc = db_prepare(db, "INSERT INTO case_member (case_id, kind, principal, rights, added_by, created)"
                            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (case_id, kind, principal)"
                            " DO UPDATE SET rights = excluded.rights", &st, err);
    if (rc) return rc;
    db_bind_int64(st, 1, id);
    db_bind_text(st, 2, kind, -1);
    db_bind_text(st, 3, principal, -1);
    db_bind_text(st, 4, right, -1);
    db_bind_text(st, 5, by, -1);
    db_bind_text(st, 6, now, -1);
    return case_exec(st, err);
}

/* "HSI:US,FGR:MX": each agency a participant and a read member. */
static int add_agencies(db_t *db, int64_t id, const char *list, const char *by, pu_err *err) {
    char buf[1024];
    pu_strlcpy(buf, list ? list : "", sizeof buf);
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *colon = strchr(tok, ':');
        while (*tok == ' ') tok++;
        if (!colon || colon == tok || (strcmp(colon + 1, "US") && strcmp(colon + 1, "MX")))
            return pu_fail(err, PU_ERR_INVALID, NULL, "agencies", "expected AGENCY:US or AGENCY:MX, got '%s'", tok);
        *colon = '\0';
        db_stmt *st;
        int rc = db_prepare(db, "INSERT INTO case_agency (case_id, agency, country) VALUES (?, ?, ?)"
                                " ON CONFLICT (case_id, agency) DO NOTHING", &st, err);
        if (rc) return rc;
        db_bind_int64(st, 1, id);
        db_bind_text(st, 2, tok, -1);
        db_bind_text(st, 3, colon + 1, -1);
        if ((rc = case_exec(st, err))) return rc;
        /* a participant reads; the owner grants write to whom it chooses */
        db_stmt *q;
        if ((rc = db_prepare(db, "INSERT INTO case_member (case_id, kind, principal, rights, added_by, created)"
                                 " VALUES (?, 'agency', ?, 'read', ?, ?) ON CONFLICT (case_id, kind, principal) DO NOTHING",
                             &q, err)))
            return rc;
        char now[32];
        pu_now_iso(now, sizeof now);
        db_bind_int64(q, 1, id);
        db_bind_text(q, 2, tok, -1);
        db_bind_text(q, 3, by, -1);
        db_bind_text(q, 4, now, -1);
        if ((rc = case_exec(q, err))) return rc;
    }
    return PU_OK;
}

static int add_offences(db_t *db, int64_t id, const char *list, pu_err *err) {
    char buf[2048];
    pu_strlcpy(buf, list ? list : "", sizeof buf);
    for (char *save = NULL, *tok = strtok_r(buf, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
        while (isspace((unsigned char)*tok)) tok++;
        if (!*tok) continue;
        db_stmt *st;
        int rc = db_prepare(db, "INSERT INTO case_offence (case_id, offence) VALUES (?, ?)", &st, err);
        if (rc) return rc;
        db_bind_int64(st, 1, id);
        db_bind_text(st, 2, tok, -1);
        if ((rc = case_exec(st, err))) return rc;
    }
    return PU_OK;
}

static int insert_case(db_t *db, const case_new_opts *o, const char *owner, const char *marking, const char *opened,
                       int64_t *id, pu_err *err) {
    char now[32];
    db_stmt *st;
    pu_now_iso(now, sizeof now);
    int rc = db_prepare(db, "INSERT INTO case_file (title, summary, status, owner, marking, opened, created, updated)"
                            " VALUES (?, ?, 'open', ?, ?, ?, ?, ?) RETURNING id", &st, err);
    if (rc) return rc;
    db_bind_text(st, 1, o->title, -1);
    db_bind_text(st, 2, o->summary ? o->summary : "", -1);
    db_bind_text(st, 3, owner, -1);
    db_bind_text(st, 4, marking, -1);
    db_bind_text(st, 5, opened, -1);
    db_bind_text(st, 6, now, -1);
    db_bind_text(st, 7, now, -1);
    rc = db_insert_id(st, id, err);
    db_finalize(st);
    return rc;
}

/* The owner of a new case: the reader's agency; the operator names it as the
 * first participating agency. */
static int new_owner(const case_reader *rd, const case_new_opts *o, char owner[32], pu_err *err) {
    if (!rd->scope->system) {
        pu_strlcpy(owner, rd->scope->agency ? rd->scope->agency : "", 32);
    } else {
        const char *a = o->agencies ? o->agencies : "";
        size_t k = strcspn(a, ":,");
        if (k == 0 || k >= 32) return pu_fail(err, PU_ERR_INVALID, NULL, "agencies",
                                             "the operator names the owning agency first (--agencies HSI:US,...)");
        memcpy(owner, a, k);
        owner[k] = '\0';
    }
    return owner[0] ? PU_OK : pu_fail(err, PU_ERR_INVALID, NULL, "agency", "no owning agency");
}

int case_new(db_t *db, const case_reader *rd, const case_new_opts *o, int64_t *id, pu_err *err) {
    char owner[32], opened[11];
    store_marking m;
    int rc, own;
    if (!rd || !rd->scope) return pu_fail(err, PU_ERR_INTERNAL, NULL, "scope", "a reader must be named");
    if ((rc = text_ok(o->title, "title", 1, err)) || (rc = text_ok(o->summary, "summary", 0, err))) return rc;
    if ((rc = store_marking_parse(o->marking ? o->marking : STORE_DEFAULT_MARKING, "marking", &m, err))) return rc;
    if ((rc = store_check_file(rd->scope, m, err))) return rc;
    if ((rc = case_day(o->opened, "opened", opened, err)) || (rc = new_owner(rd, o, owner, err))) return rc;
    if ((rc = case_begin(db, &own, err))) return rc;
    rc = insert_case(db, o, owner, store_marking_name(m), opened, id, err);
    if (!rc) rc = add_agencies(db, *id, o->agencies, case_actor(rd), err);
    if (!rc) rc = add_offences(db, *id, o->offences, err);
    if (!rc && rd->user && *rd->user) rc = add_member(db, *id, "user", rd->user, "write", case_actor(rd), err);
    if (!rc) rc = add_member(db, *id, "agency", owner, "write", case_actor(rd), err);
    if (!rc) rc = case_timeline(db, *id, opened, "opened", o->title, case_actor(rd), err);
    char t[32];
    (void)pu_snprintf(t, sizeof t, "case:%lld", (long long)*id);
    if (!rc) rc = case_audit(db, rd, "case.new", t, store_marking_name(m), err);
    return case_end(db, own, rc, err);
}

static const char *const LIST_COLS[] = {"id_n", "title", "status", "owner", "marking", "opened", "updated",
                                        "extraditions_n", "warrants_n", NULL};
#define LIST_SELECT                                                                                          \
    "SELECT c.id, c.title, c.status, c.owner, c.marking, c.opened, c.updated,"                            \
    " (SELECT COUNT(*) FROM case_extradition x WHERE x.case_id = c.id),"                                    \
    " (SELECT COUNT(*) FROM case_warrant w WHERE w.case_id = c.id) FROM case_file c WHERE "

/* PUBLIC/SHARED cases the reader is not a member of: that they exist. */
static int existing_stubs(db_t *db, const case_reader *rd, const char *status, json_t *a, pu_err *err) {
    if (rd->scope->system) return PU_OK;
    db_sql q;
    db_stmt *st;
    db_sql_init(&q);
    /* "that it exists" is for cases every signed-in reader may see by their
     * marking (PUBLIC, SHARED): the one rule, asked for a reader of no
     * country and no agency */
    static const store_scope anyone = {0, "", ""};
    db_sql_add(&q, "SELECT c.id, c.owner, c.marking, c.status FROM case_file c WHERE ");
    store_scope_sql(&q, &anyone, "c");
    db_sql_add(&q, " AND NOT (");
    case_visible_sql(&q, rd, "c");
    db_sql_add(&q, ")");
    if (status) {
        db_sql_add(&q, " AND c.status = ?");
        db_sql_text(&q, status);
    }
    db_sql_add(&q, " ORDER BY c.id DESC");
    int rc = db_sql_prepare(db, &q, &st, err);
    db_sql_free(&q);
    if (rc) return rc;
    json_t *stubs;
    static const char *const cols[] = {"id_n", "owner", "marking", "status", NULL};
    if ((rc = case_rows_json(st, cols, &stubs, err))) return rc;
    size_t i;
    json_t *v;
    json_array_foreach(stubs, i, v) {
        json_object_set_new(v, "restricted", json_true());
        json_array_append(a, v);
    }
    json_decref(stubs);
    return PU_OK;
}

int case_list(db_t *db, const case_reader *rd, const char *status, int flags, json_t **out, pu_err *err) {
    if (!rd || !rd->scope) return pu_fail(err, PU_ERR_INTERNAL, NULL, "scope", "a reader must be named");
    if (status && !one_of(status, STATUSES))
        return pu_fail(err, PU_ERR_INVALID, NULL, "status", "expected open, suspended or closed, got '%s'", status);
    db_sql q;
    db_stmt *st;
    db_sql_init(&q);
    db_sql_add(&q, LIST_SELECT);
    case_visible_sql(&q, rd, "c");
    if (status) {
        db_sql_add(&q, " AND c.status = ?");
        db_sql_text(&q, status);
    }
    db_sql_add(&q, " ORDER BY c.id DESC");
    int rc = db_sql_prepare(db, &q, &st, err);
    db_sql_free(&q);
    if (rc || (rc = case_rows_json(st, LIST_COLS, out, err))) return rc;
    if ((flags & CASE_LIST_EXISTING) && (rc = existing_stubs(db, rd, status, *out, err))) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

int case_count(db_t *db, const case_reader *rd, int64_t *out, pu_err *err) {
    db_sql q;
    db_stmt *st;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT COUNT(*) FROM case_file c WHERE ");
    case_visible_sql(&q, rd, "c");
    int rc = db_sql_prepare(db, &q, &st, err);
    db_sql_free(&q);
    if (rc) return rc;
    rc = db_step(st, err);
    *out = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    db_finalize(st);
    return rc == DB_ROW ? PU_OK : rc;
}

/* sql's rows (one ? bound to the case id) into obj[key]. */
static int section(db_t *db, json_t *obj, const char *key, const char *sql, const char *const *cols, int64_t id,
                   pu_err *err) {
    db_stmt *st;
    json_t *a;
    int rc = db_prepare(db, sql, &st, err);
    if (rc) return rc;
    db_bind_int64(st, 1, id);
    if ((rc = case_rows_json(st, cols, &a, err))) return rc;
    json_object_set_new(obj, key, a);
    return PU_OK;
}

/* sub-records with their own owner/marking: case id plus the record rule */
static int record_section(db_t *db, const case_reader *rd, json_t *obj, const char *key, const char *kind,
                          const char *select, const char *const *cols, int64_t id, pu_err *err) {
    db_sql q;
    db_stmt *st;
    json_t *a;
    db_sql_init(&q);
    db_sql_add(&q, select);
    db_sql_add(&q, " WHERE r.case_id = ? AND ");
    db_sql_int64(&q, id);
    case_record_sql(&q, rd, kind, "r");
    db_sql_add(&q, " ORDER BY r.id");
    int rc = db_sql_prepare(db, &q, &st, err);
    db_sql_free(&q);
    if (rc || (rc = case_rows_json(st, cols, &a, err))) return rc;
    json_object_set_new(obj, key, a);
    return PU_OK;
}

static int header(db_t *db, int64_t id, json_t **out, pu_err *err) {
    static const char *const cols[] = {"id_n", "title", "summary", "status", "owner", "marking", "opened", "closed",
                                       "created", "updated", NULL};
    db_stmt *st;
    json_t *a;
    int rc = db_prepare(db, "SELECT id, title, summary, status, owner, marking, opened, closed, created, updated"
                            " FROM case_file WHERE id = ?", &st, err);
    if (rc) return rc;
    db_bind_int64(st, 1, id);
    if ((rc = case_rows_json(st, cols, &a, err))) return rc;
    *out = json_incref(json_array_get(a, 0));
    json_decref(a);
    return *out ? PU_OK : pu_fail(err, PU_ERR_NOTFOUND, NULL, "case", "no such case");
}

static int case_sections(db_t *db, const case_reader *rd, json_t *o, int64_t id, pu_err *err) {
    static const char *const ag[] = {"agency", "country", NULL}, *const mem[] = {"kind", "principal", "rights", NULL},
                             *const off[] = {"offence", NULL},
                             *const sub[] = {"id_n", "entity_id", "name", "role", NULL},
                             *const ev[] = {"day", "kind", "text", "actor", NULL},
                             *const task[] = {"id_n", "title", "due", "assignee", "done_b", NULL},
                             *const note[] = {"id_n", "text", "author", "created", NULL},
                             *const chg[] = {"id_n", "subject_n", "statute", "country", "count_n", "severity", "filed",
                                             "description", "disposition", NULL},
                             *const war[] = {"id_n", "owner", "marking", "court", "judge", "issued", "jurisdiction",
                                             "charges", "subject", "status", "status_day", "recall_reason", "expires",
                                             NULL},
                             *const arr[] = {"id_n", "owner", "marking", "day", "place", "country", "agency",
                                             "officers", "warrant_n", "charges", "custody", "released", "person", NULL},
                             *const ntc[] = {"id_n", "warrant_n", "name", "forename", "dob", "place_of_birth",
                                             "nationalities", "sex", "charge", "charge_translation", "status",
                                             "cancel_reason", NULL},
                             *const doc[] = {"id_n", "name", "sha256", "size_n", "certified_b", "translated_b",
                                             "sensitive_b", "added_by", "created", "content_type", NULL};
    int rc = section(db, o, "agencies", "SELECT agency, country FROM case_agency WHERE case_id = ? ORDER BY agency", ag, id, err);
    if (!rc) rc = section(db, o, "members", "SELECT kind, principal, rights FROM case_member WHERE case_id = ?"
                                            " ORDER BY kind, principal", mem, id, err);
    if (!rc) rc = section(db, o, "offences", "SELECT offence FROM case_offence WHERE case_id = ? ORDER BY id", off, id, err);
    if (!rc) rc = section(db, o, "subjects", "SELECT id, entity_id, name, role FROM case_subject WHERE case_id = ?"
                                             " ORDER BY id", sub, id, err);
    if (!rc) rc = section(db, o, "timeline", "SELECT day, kind, text, actor FROM case_event WHERE case_id = ?"
                                             " ORDER BY day, id", ev, id, err);
    if (!rc) rc = section(db, o, "tasks", "SELECT id, title, due, assignee, done FROM case_task WHERE case_id = ?"
                                          " ORDER BY done, due, id", task, id, err);
    if (!rc) rc = section(db, o, "notes", "SELECT id, text, author, created FROM case_note WHERE case_id = ?"
                                          " ORDER BY id", note, id, err);
    if (!rc) rc = section(db, o, "charges", "SELECT id, subject, statute, country, count, severity, filed, description,"
                                            " disposition FROM case_charge WHERE case_id = ? ORDER BY id", chg, id, err);
    if (!rc) rc = record_section(db, rd, o, "warrants", "warrant", "SELECT r.id, r.owner, r.marking, r.court, r.judge,"
                                 " r.issued, r.jurisdiction, r.charges, r.subject, r.status, r.status_day,"
                                 " r.recall_reason, r.expires FROM case_warrant r", war, id, err);
    if (!rc) rc = record_section(db, rd, o, "arrests", "arrest", "SELECT r.id, r.owner, r.marking, r.day, r.place,"
                                 " r.country, r.agency, r.officers, r.warrant_id, r.charges, r.custody, r.released,"
                                 " r.person FROM case_arrest r", arr, id, err);
    if (!rc) rc = section(db, o, "notices", "SELECT id, warrant_id, name, forename, dob, place_of_birth, nationalities,"
                                            " sex, charge, charge_translation, status, cancel_reason FROM case_notice"
                                            " WHERE case_id = ? ORDER BY id", ntc, id, err);
    if (!rc) rc = section(db, o, "documents", "SELECT id, name, sha256, size, certified, translated, sensitive,"
                                              " added_by, created, content_type FROM case_document WHERE case_id = ?"
                                              " ORDER BY id",
                          doc, id, err);
    return rc;
}

int case_show(db_t *db, const case_reader *rd, int64_t id, json_t **out, pu_err *err) {
    int rc = case_access(db, rd, id, 0, NULL, NULL, err);
    json_t *o = NULL, *a;
    if (rc || (rc = header(db, id, &o, err))) return rc;
    rc = case_sections(db, rd, o, id, err);
    if (!rc && !(rc = case_links_json(db, rd, id, &a, err))) json_object_set_new(o, "links", a);
    if (!rc && !(rc = case_ext_list(db, rd, id, NULL, &a, err))) json_object_set_new(o, "extraditions", a);
    if (rc) {
        json_decref(o);
        return rc;
    }
    *out = o;
    return PU_OK;
}

int case_set_status(db_t *db, const case_reader *rd, int64_t id, const char *status, pu_err *err) {
    if (!one_of(status, STATUSES))
        return pu_fail(err, PU_ERR_INVALID, NULL, "status", "expected open, suspended or closed, got '%s'",
                       status ? status : "");
    int own, rc = case_access(db, rd, id, 1, NULL, NULL, err);
    if (rc || (rc = case_begin(db, &own, err))) return rc;
    char now[32];
    db_stmt *st;
    pu_now_iso(now, sizeof now);
    rc = db_prepare(db, "UPDATE case_file SET status = ?, updated = ?, closed = CASE WHEN ? = 'closed' THEN ?"
                        " ELSE NULL END WHERE id = ?", &st, err);
    if (!rc) {
        char day[11];
        pu_strlcpy(day, now, sizeof day);
        db_bind_text(st, 1, status, -1);
        db_bind_text(st, 2, now, -1);
        db_bind_text(st, 3, status, -1);
        db_bind_text(st, 4, day, -1);
        db_bind_int64(st, 5, id);
        rc = case_exec(st, err);
    }
    if (!rc) rc = case_timeline(db, id, NULL, "status", status, case_actor(rd), err);
    return case_end(db, own, rc, err);
}

int case_member_set(db_t *db, const case_reader *rd, int64_t id, const char *kind, const char *principal,
                    const char *right, pu_err *err) {
    static const char *const KINDS[] = {"user", "agency", NULL}, *const RIGHTS[] = {"read", "write", NULL};
    char owner[32];
    if (!one_of(kind, KINDS)) return pu_fail(err, PU_ERR_INVALID, NULL, "kind", "expected user or agency");
    if (!principal || !*principal || strlen(principal) > 96)
        return pu_fail(err, PU_ERR_INVALID, NULL, "principal", "expected a user or agency name");
    if (right && !one_of(right, RIGHTS)) return pu_fail(err, PU_ERR_INVALID, NULL, "right", "expected read or write");
    int own, rc = case_access(db, rd, id, 1, owner, NULL, err);
    if (rc || (rc = store_check_owner(db, rd->scope, owner, err))) return rc;
    /* the owning agency answers for its case: it stays a write member */
    if (!strcmp(kind, "agency") && !strcmp(principal, owner) && (!right || strcmp(right, "write")))
        return pu_fail(err, PU_ERR_CONFLICT, NULL, "principal", "the owning agency %s stays a write member", owner);
    if ((rc = case_begin(db, &own, err))) return rc;
    if (right) {
        rc = add_member(db, id, kind, principal, right, case_actor(rd), err);
    } else {
        db_stmt *st;
        rc = db_prepare(db, "DELETE FROM case_member WHERE case_id = ? AND kind = ? AND principal = ?", &st, err);
        if (!rc) {
            db_bind_int64(st, 1, id);
            db_bind_text(st, 2, kind, -1);
            db_bind_text(st, 3, principal, -1);
            rc = case_exec(st, err);
        }
    }
    char text[200], t[40];
    (void)pu_snprintf(text, sizeof text, "%s %s: %s", kind, principal, right ? right : "removed");
    (void)pu_snprintf(t, sizeof t, "case:%lld", (long long)id);
    if (!rc) rc = case_timeline(db, id, NULL, "member", text, case_actor(rd), err);
    if (!rc) rc = case_audit(db, rd, "case.member", t, text, err);
    return case_end(db, own, rc, err);
}

/* The owner of a shareable record, and its case (for the reader's access). */
static int record_owner(db_t *db, const char *kind, int64_t rec, char owner[32], int64_t *case_id, pu_err *err) {
    static const char *const KINDS[] = {"case", "warrant", "arrest", "extradition", NULL};
    static const char *const SQL[] = {"SELECT owner, id FROM case_file WHERE id = ?",
                                      "SELECT owner, case_id FROM case_warrant WHERE id = ?",
                                      "SELECT owner, case_id FROM case_arrest WHERE id = ?",
                                      "SELECT owner, case_id FROM case_extradition WHERE id = ?"};
    int k = 0;
    while (KINDS[k] && (!kind || strcmp(KINDS[k], kind))) k++;
    if (!KINDS[k]) return pu_fail(err, PU_ERR_INVALID, NULL, "kind", "expected case, warrant, arrest or extradition");
    db_stmt *st;
    int rc = db_prepare(db, SQL[k], &st, err);
    if (rc) return rc;
    db_bind_int64(st, 1, rec);
    rc = db_step(st, err);
    if (rc == DB_ROW) {
        pu_strlcpy(owner, db_col_text(st, 0), 32);
        *case_id = db_col_int64(st, 1);
        rc = PU_OK;
    } else if (rc == DB_DONE) {
        rc = pu_fail(err, PU_ERR_NOTFOUND, NULL, kind, "no such %s %lld", kind, (long long)rec);
    }
    db_finalize(st);
    return rc;
}

int case_share(db_t *db, const case_reader *rd, const char *kind, int64_t record, const char *agency,
               const char *reason, pu_err *err) {
    char owner[32], now[32], t[48], detail[400];
    int64_t cid = 0;
    int own, rc = record_owner(db, kind, record, owner, &cid, err);
    if (rc || (rc = case_access(db, rd, cid, 1, NULL, NULL, err))) {
        if (rc == PU_ERR_NOTFOUND) pu_fail(err, rc, NULL, kind, "no such %s %lld", kind, (long long)record);
        return rc;
    }
    if (!agency || !*agency || strchr(agency, '-') || strlen(agency) > 31)
        return pu_fail(err, PU_ERR_INVALID, NULL, "agency", "expected an agency acronym");
    if ((rc = text_ok(reason, "reason", 1, err)) || (rc = store_check_owner(db, rd->scope, owner, err))) return rc;
    if ((rc = case_begin(db, &own, err))) return rc;
    db_stmt *st;
    pu_now_iso(now, sizeof now);
    rc = db_prepare(db, "INSERT INTO case_share (kind, record, agency, reason, granted_by, created)"
                        " VALUES (?, ?, ?, ?, ?, ?)", &st, err);
    if (!rc) {
        db_bind_text(st, 1, kind, -1);
        db_bind_int64(st, 2, record);
        db_bind_text(st, 3, agency, -1);
        db_bind_text(st, 4, reason, -1);
        db_bind_text(st, 5, case_actor(rd), -1);
        db_bind_text(st, 6, now, -1);
        rc = case_exec(st, err);
    }
    (void)pu_snprintf(t, sizeof t, "%s:%lld", kind, (long long)record);
    (void)pu_snprintf(detail, sizeof detail, "shared with %s: %s", agency, reason);
    if (!rc) rc = case_timeline(db, cid, NULL, "share", detail, case_actor(rd), err);
    if (!rc) rc = case_audit(db, rd, "case.share", t, detail, err);
    return case_end(db, own, rc, err);
}

int case_note_add(db_t *db, const case_reader *rd, int64_t id, const char *text, int64_t *nid, pu_err *err) {
    int rc = text_ok(text, "text", 1, err);
    if (rc || (rc = case_access(db, rd, id, 1, NULL, NULL, err))) return rc;
    char now[32];
    db_stmt *st;
    int64_t tmp;
    pu_now_iso(now, sizeof now);
    if ((rc = db_prepare(db, "INSERT INTO case_note (case_id, text, author, created) VALUES (?, ?, ?, ?) RETURNING id",
                         &st, err)))
        return rc;
    db_bind_int64(st, 1, id);
    db_bind_text(st, 2, text, -1);
    db_bind_text(st, 3, case_actor(rd), -1);
    db_bind_text(st, 4, now, -1);
    rc = db_insert_id(st, nid ? nid : &tmp, err);
    db_finalize(st);
    return rc;
}

int case_event_add(db_t *db, const case_reader *rd, int64_t id, const char *day, const char *kind,
                   const char *text, pu_err *err) {
    char d[11];
    int rc = text_ok(text, "text", 1, err);
    if (rc || (rc = case_day(day, "day", d, err)) || (rc = case_access(db, rd, id, 1, NULL, NULL, err))) return rc;
    return case_timeline(db, id, d, kind && *kind ? kind : "event", text, case_actor(rd), err);
}

int case_task_add(db_t *db, const case_reader *rd, int64_t id, const char *title, const char *due,
                  const char *assignee, int64_t *tid, pu_err *err) {
    char d[11], now[32];
    int rc = text_ok(title, "title", 1, err);
    if (rc || (due && (rc = case_day(due, "due", d, err))) || (rc = case_access(db, rd, id, 1, NULL, NULL, err)))
        return rc;
    db_stmt *st;
    int64_t tmp;
    pu_now_iso(now, sizeof now);
    if ((rc = db_prepare(db, "INSERT INTO case_task (case_id, title, due, assignee, done, created)"
                             " VALUES (?, ?, ?, ?, 0, ?) RETURNING id", &st, err)))
        return rc;
    db_bind_int64(st, 1, id);
    db_bind_text(st, 2, title, -1);
    if (due) db_bind_text(st, 3, d, -1);
    else db_bind_null(st, 3);
    db_bind_text(st, 4, assignee, -1);
    db_bind_text(st, 5, now, -1);
    rc = db_insert_id(st, tid ? tid : &tmp, err);
    db_finalize(st);
    return rc;
}

int case_task_done(db_t *db, const case_reader *rd, int64_t task, int done, pu_err *err) {
    int64_t cid;
    int rc = case_parent_access(db, rd, "case_task", task, 1, &cid, err);
    if (rc) return rc;
    db_stmt *st;
    if ((rc = db_prepare(db, "UPDATE case_task SET done = ? WHERE id = ?", &st, err))) return rc;
    db_bind_int64(st, 1, done ? 1 : 0);
    db_bind_int64(st, 2, task);
    return case_exec(st, err);
}

int case_subject_add(db_t *db, const case_reader *rd, int64_t id, const char *entity_id, const char *name,
                     const char *role, int64_t *sid, pu_err *err) {
    char caption[256] = "";
    int rc = case_access(db, rd, id, 1, NULL, NULL, err);
    if (rc) return rc;
    if (entity_id && *entity_id) { /* only an entity the reader may see, named by its caption */
        db_sql q;
        db_stmt *st;
        db_sql_init(&q);
        db_sql_add(&q, "SELECT caption FROM entity e WHERE e.id = ? AND ");
        db_sql_text(&q, entity_id);
        store_scope_sql(&q, rd->scope, "e");
        rc = db_sql_prepare(db, &q, &st, err);
        db_sql_free(&q);
        if (rc) return rc;
        rc = db_step(st, err);
        if (rc == DB_ROW) pu_strlcpy(caption, db_col_text(st, 0), sizeof caption);
        db_finalize(st);
        if (rc == DB_DONE) return pu_fail(err, PU_ERR_NOTFOUND, entity_id, "entity", "no such entity");
        if (rc != DB_ROW) return rc;
    }
    const char *nm = name && *name ? name : caption;
    if ((rc = text_ok(nm, "name", 1, err))) return rc;
    db_stmt *st;
    int64_t tmp;
    int own;
    if ((rc = case_begin(db, &own, err))) return rc;   /* the subject and the generation bump (case_end) */
    if ((rc = db_prepare(db, "INSERT INTO case_subject (case_id, entity_id, name, role) VALUES (?, ?, ?, ?) RETURNING id",
                         &st, err)))
        return case_end(db, own, rc, err);
    db_bind_int64(st, 1, id);
    if (entity_id && *entity_id) db_bind_text(st, 2, entity_id, -1);
    else db_bind_null(st, 2);
    db_bind_text(st, 3, nm, -1);
    db_bind_text(st, 4, role && *role ? role : "suspect", -1);
    rc = db_insert_id(st, sid ? sid : &tmp, err);
    db_finalize(st);
    return case_end(db, own, rc, err);
}
