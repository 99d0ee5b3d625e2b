/*
 * http_cases.c - the thin HTTP shell over src/cases (docs/cases.md, routes
 * in docs/openapi.yaml). The reader is the request's principal: its agency
 * and country (r->scope) and its user name (case membership). Every route
 * is audited by the dispatcher (reads included); a stage change the
 * workflow does not allow is 409 (PU_ERR_CONFLICT).
 */
#include <stdlib.h>
#include <string.h>

#include "cases/cases.h"
#include "http/http_int.h"

static case_reader reader(http_req *r) {
    case_reader rd = {&r->scope, r->p.user[0] ? r->p.user : NULL};
    return rd;
}

static int fail(http_req *r, int rc, const pu_err *e) { return http_fail(r, rc, e->field[0] ? e->field : NULL, "%s", e->msg); }

static int path_id(http_req *r, int i, int64_t *id) {
    char *end;
    long long v = strtoll(r->params[i], &end, 10);
    if (*end || v <= 0) return http_fail(r, PU_ERR_NOTFOUND, "id", "no such record");
    *id = v;
    http_target(r, r->params[i]);
    return PU_OK;
}

int h_cases_list(http_req *r) {
    static const char *const args[] = {"status", "existing", NULL};
    int rc = http_only_args(r, args);
    if (rc) return rc;
    case_reader rd = reader(r);
    const char *ex = http_arg(r, "existing");
    json_t *a;
    pu_err e;
    pu_err_clear(&e);
    if ((rc = case_list(r->db, &rd, http_arg(r, "status"), ex && !strcmp(ex, "true") ? CASE_LIST_EXISTING : 0, &a, &e)))
        return fail(r, rc, &e);
    (void)pu_buf_printf(&r->detail, "rows=%zu", json_array_size(a));
    return http_json(r, 200, json_pack("{s:I,s:o}", "total", (json_int_t)json_array_size(a), "results", a));
}

int h_cases_new(http_req *r) {
    static const char *const keys[] = {"title", "summary", "marking", "opened", "agencies", "offences", NULL};
    json_t *o;
    int rc = http_body_object(r, &o);
    if (rc) return rc;
    case_new_opts n = {0};
    if ((rc = http_only_keys(r, o, keys, "body")) || (rc = http_str_member(r, o, "title", "body", &n.title)) ||
        (rc = http_str_member(r, o, "summary", "body", &n.summary)) ||
        (rc = http_str_member(r, o, "marking", "body", &n.marking)) ||
        (rc = http_str_member(r, o, "opened", "body", &n.opened)) ||
        (rc = http_str_member(r, o, "agencies", "body", &n.agencies)) ||
        (rc = http_str_member(r, o, "offences", "body", &n.offences)))
        goto out;
    case_reader rd = reader(r);
    int64_t id;
    pu_err e;
    pu_err_clear(&e);
    if ((rc = case_new(r->db, &rd, &n, &id, &e))) {
        rc = fail(r, rc, &e);
        goto out;
    }
    char t[32];
    (void)pu_snprintf(t, sizeof t, "%lld", (long long)id);
    http_target(r, t);
    rc = http_json(r, 201, json_pack("{s:I}", "id", (json_int_t)id));
out:
    json_decref(o);
    return rc;
}

int h_cases_get(http_req *r) {
    int64_t id;
    int rc = http_only_args(r, (const char *const[]){NULL});
    if (rc || (rc = path_id(r, 0, &id))) return rc;
    case_reader rd = reader(r);
    json_t *c;
    pu_err e;
    pu_err_clear(&e);
    if ((rc = case_show(r->db, &rd, id, &c, &e))) return fail(r, rc, &e);
    return http_json(r, 200, c);
}

int h_cases_export(http_req *r) {
    static const char *const args[] = {"format", NULL};
    int64_t id;
    int rc = http_only_args(r, args);
    if (rc || (rc = path_id(r, 0, &id))) return rc;
    const char *f = http_arg(r, "format");
    if (f && strcmp(f, "niem")) return http_fail(r, PU_ERR_INVALID, "format", "expected niem");
    case_reader rd = reader(r);
    json_t *c;
    pu_err e;
    pu_err_clear(&e);
    if ((rc = case_export_niem(r->db, &rd, id, &c, &e))) return fail(r, rc, &e);
    return http_json(r, 200, c);
}

int h_cases_link(http_req *r) {
    static const char *const keys[] = {"kind", "target", "note", NULL};
    int64_t id, lid;
    json_t *o;
    int rc = path_id(r, 0, &id);
    if (rc || (rc = http_body_object(r, &o))) return rc;
    const char *kind = NULL, *target = NULL, *note = NULL;
    if ((rc = http_only_keys(r, o, keys, "body")) || (rc = http_str_member(r, o, "kind", "body", &kind)) ||
        (rc = http_str_member(r, o, "target", "body", &target)) || (rc = http_str_member(r, o, "note", "body", &note)))
        goto out;
    case_reader rd = reader(r);
    pu_err e;
    pu_err_clear(&e);
    if ((rc = case_link_add(r->db, &rd, id, kind, target, note, &lid, &e))) {
        rc = fail(r, rc, &e);
        goto out;
    }
    rc = http_json(r, 201, json_pack("{s:I}", "id", (json_int_t)lid));
out:
    json_decref(o);
    return rc;
}

int h_cases_member(http_req *r) {
    static const char *const keys[] = {"kind", "principal", "right", NULL};
    int64_t id;
    json_t *o;
    int rc = path_id(r, 0, &id);
    if (rc || (rc = http_body_object(r, &o))) return rc;
    const char *kind = NULL, *principal = NULL, *right = NULL;
    if ((rc = http_only_keys(r, o, keys, "body")) || (rc = http_str_member(r, o, "kind", "body", &kind)) ||
        (rc = http_str_member(r, o, "principal", "body", &principal)) ||
        (rc = http_str_member(r, o, "right", "body", &right)))
        goto out;
    case_reader rd = reader(r);
    pu_err e;
    pu_err_clear(&e);
    if ((rc = case_member_set(r->db, &rd, id, kind, principal, right && strcmp(right, "remove") ? right : NULL, &e))) {
        rc = fail(r, rc, &e);
        goto out;
    }
    rc = http_json(r, 200, json_pack("{s:s,s:s,s:s}", "kind", kind, "principal", principal, "right",
                                     right ? right : "remove"));
out:
    json_decref(o);
    return rc;
}

int h_cases_due(http_req *r) {
    static const char *const args[] = {"within", "today", NULL};
    int64_t within;
    int rc = http_only_args(r, args);
    if (rc || (rc = http_arg_int(r, "within", -1, 3660, -1, &within))) return rc;
    case_reader rd = reader(r);
    json_t *a;
    pu_err e;
    pu_err_clear(&e);
    if ((rc = case_due(r->db, &rd, http_arg(r, "today"), (int)within, &a, &e))) return fail(r, rc, &e);
    return http_json(r, 200, json_pack("{s:I,s:o}", "total", (json_int_t)json_array_size(a), "results", a));
}

int h_extraditions_list(http_req *r) {
    static const char *const args[] = {"case", "today", NULL};
    int64_t cid;
    int rc = http_only_args(r, args);
    if (rc || (rc = http_arg_int(r, "case", 0, INT64_MAX, 0, &cid))) return rc;
    case_reader rd = reader(r);
    json_t *a;
    pu_err e;
    pu_err_clear(&e);
    if ((rc = case_ext_list(r->db, &rd, cid, http_arg(r, "today"), &a, &e))) return fail(r, rc, &e);
    return http_json(r, 200, json_pack("{s:I,s:o}", "total", (json_int_t)json_array_size(a), "results", a));
}

int h_extraditions_new(http_req *r) {
    static const char *const keys[] = {"case_id", "direction", "person", "treaty", "notes", "assurances", "stage", "day",
                                       "marking", NULL};
    json_t *o;
    int rc = http_body_object(r, &o);
    if (rc) return rc;
    case_ext_opts x = {0};
    json_t *cid = json_object_get(o, "case_id");
    if ((rc = http_only_keys(r, o, keys, "body")) || (rc = http_str_member(r, o, "direction", "body", &x.direction)) ||
        (rc = http_str_member(r, o, "person", "body", &x.person)) ||
        (rc = http_str_member(r, o, "treaty", "body", &x.treaty)) ||
        (rc = http_str_member(r, o, "notes", "body", &x.notes)) ||
        (rc = http_str_member(r, o, "assurances", "body", &x.assurances)) ||
        (rc = http_str_member(r, o, "stage", "body", &x.stage)) || (rc = http_str_member(r, o, "day", "body", &x.day)) ||
        (rc = http_str_member(r, o, "marking", "body", &x.marking)))
        goto out;
    if (!json_is_integer(cid)) {
        rc = http_fail(r, PU_ERR_INVALID, "case_id", "expected a case number");
        goto out;
    }
    case_reader rd = reader(r);
    int64_t xid;
    pu_err e;
    pu_err_clear(&e);
    if ((rc = case_ext_new(r->db, &rd, json_integer_value(cid), &x, &xid, &e))) {
        rc = fail(r, rc, &e);
        goto out;
    }
    rc = http_json(r, 201, json_pack("{s:I,s:s}", "id", (json_int_t)xid, "stage",
                                     x.stage ? x.stage : "provisional_arrest_requested"));
out:
    json_decref(o);
    return rc;
}

int h_extraditions_get(http_req *r) {
    static const char *const args[] = {"today", NULL};
    int64_t id;
    int rc = http_only_args(r, args);
    if (rc || (rc = path_id(r, 0, &id))) return rc;
    case_reader rd = reader(r);
    json_t *x;
    pu_err e;
    pu_err_clear(&e);
    if ((rc = case_ext_show(r->db, &rd, id, http_arg(r, "today"), &x, &e))) return fail(r, rc, &e);
    return http_json(r, 200, x);
}

int h_extraditions_stage(http_req *r) {
    static const char *const keys[] = {"stage", "day", "decision", "note", NULL};
    int64_t id;
    json_t *o;
    int rc = path_id(r, 0, &id);
    if (rc || (rc = http_body_object(r, &o))) return rc;
    const char *stage = NULL, *day = NULL, *decision = NULL, *note = NULL;
    if ((rc = http_only_keys(r, o, keys, "body")) || (rc = http_str_member(r, o, "stage", "body", &stage)) ||
        (rc = http_str_member(r, o, "day", "body", &day)) || (rc = http_str_member(r, o, "decision", "body", &decision)) ||
        (rc = http_str_member(r, o, "note", "body", &note)))
        goto out;
    case_reader rd = reader(r);
    pu_err e;
    pu_err_clear(&e);
    if ((rc = case_ext_stage(r->db, &rd, id, stage, day, decision, note, &e))) {
        rc = fail(r, rc, &e);
        goto out;
    }
    (void)pu_buf_printf(&r->detail, "stage=%s", stage ? stage : "");
    rc = http_json(r, 200, json_pack("{s:I,s:s}", "id", (json_int_t)id, "stage", stage));
out:
    json_decref(o);
    return rc;
}

/* ---- writes of a case's records: one JSON object of string members ---- */
#define MAX_KEYS 12

/* Read the string members named in keys (NULL-terminated) into vals (NULL
 * when absent); unknown members are refused. */
static int str_members(http_req *r, json_t *o, const char *const *keys, const char **vals) {
    int rc = http_only_keys(r, o, keys, "body");
    for (int i = 0; !rc && keys[i]; i++) {
        vals[i] = NULL;
        if (json_is_integer(json_object_get(o, keys[i]))) continue; /* numbers read by the caller */
        rc = http_str_member(r, o, keys[i], "body", &vals[i]);
    }
    return rc;
}

static int created(http_req *r, int64_t id) { return http_json(r, 201, json_pack("{s:I}", "id", (json_int_t)id)); }

int h_cases_note(http_req *r) {
    static const char *const keys[] = {"text", NULL};
    const char *v[MAX_KEYS];
    int64_t id, nid;
    json_t *o;
    int rc = path_id(r, 0, &id);
    if (rc || (rc = http_body_object(r, &o))) return rc;
    if (!(rc = str_members(r, o, keys, v))) {
        case_reader rd = reader(r);
        pu_err e;
        pu_err_clear(&e);
        rc = (rc = case_note_add(r->db, &rd, id, v[0], &nid, &e)) ? fail(r, rc, &e) : created(r, nid);
    }
    json_decref(o);
    return rc;
}

int h_cases_task(http_req *r) {
    static const char *const keys[] = {"title", "due", "assignee", NULL};
    const char *v[MAX_KEYS];
    int64_t id, tid;
    json_t *o;
    int rc = path_id(r, 0, &id);
    if (rc || (rc = http_body_object(r, &o))) return rc;
    if (!(rc = str_members(r, o, keys, v))) {
        case_reader rd = reader(r);
        pu_err e;
        pu_err_clear(&e);
        rc = (rc = case_task_add(r->db, &rd, id, v[0], v[1], v[2], &tid, &e)) ? fail(r, rc, &e) : created(r, tid);
    }
    json_decref(o);
    return rc;
}

int h_cases_charge(http_req *r) {
    static const char *const keys[] = {"statute", "country", "severity", "filed", "description", "count", "subject", NULL};
    const char *v[MAX_KEYS];
    int64_t id, cid;
    json_t *o;
    int rc = path_id(r, 0, &id);
    if (rc || (rc = http_body_object(r, &o))) return rc;
    if (!(rc = str_members(r, o, keys, v))) {
        json_t *n = json_object_get(o, "count"), *s = json_object_get(o, "subject");
        case_charge_opts c = {v[0], v[1], n ? (int)json_integer_value(n) : 1, v[2], v[3], v[4],
                              json_is_integer(s) ? json_integer_value(s) : 0};
        case_reader rd = reader(r);
        pu_err e;
        pu_err_clear(&e);
        if (n && !json_is_integer(n)) rc = http_fail(r, PU_ERR_INVALID, "count", "expected a whole number");
        else rc = (rc = case_charge_add(r->db, &rd, id, &c, &cid, &e)) ? fail(r, rc, &e) : created(r, cid);
    }
    json_decref(o);
    return rc;
}

int h_cases_warrant(http_req *r) {
    static const char *const keys[] = {"court", "judge", "issued", "jurisdiction", "charges", "subject", "expires",
                                       "marking", NULL};
    const char *v[MAX_KEYS];
    int64_t id, wid;
    json_t *o;
    int rc = path_id(r, 0, &id);
    if (rc || (rc = http_body_object(r, &o))) return rc;
    if (!(rc = str_members(r, o, keys, v))) {
        case_warrant_opts w = {v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]};
        case_reader rd = reader(r);
        pu_err e;
        pu_err_clear(&e);
        rc = (rc = case_warrant_add(r->db, &rd, id, &w, &wid, &e)) ? fail(r, rc, &e) : created(r, wid);
    }
    json_decref(o);
    return rc;
}

int h_warrants_status(http_req *r) {
    static const char *const keys[] = {"status", "day", "reason", NULL};
    const char *v[MAX_KEYS];
    int64_t id;
    json_t *o;
    int rc = path_id(r, 0, &id);
    if (rc || (rc = http_body_object(r, &o))) return rc;
    if (!(rc = str_members(r, o, keys, v))) {
        case_reader rd = reader(r);
        pu_err e;
        pu_err_clear(&e);
        if ((rc = case_warrant_status(r->db, &rd, id, v[0], v[1], v[2], &e))) rc = fail(r, rc, &e);
        else rc = http_json(r, 200, json_pack("{s:I,s:s}", "id", (json_int_t)id, "status", v[0]));
    }
    json_decref(o);
    return rc;
}

int h_cases_arrest(http_req *r) {
    static const char *const keys[] = {"person", "day", "place", "country", "agency", "officers", "custody", "released",
                                       "charges", "warrant", NULL};
    const char *v[MAX_KEYS];
    int64_t id, aid;
    json_t *o;
    int rc = path_id(r, 0, &id);
    if (rc || (rc = http_body_object(r, &o))) return rc;
    if (!(rc = str_members(r, o, keys, v))) {
        json_t *w = json_object_get(o, "warrant");
        case_arrest_opts a = {v[1], v[2], v[3], v[4], v[5], v[6], v[7], json_is_integer(w) ? json_integer_value(w) : 0,
                              v[8], v[0]};
        case_reader rd = reader(r);
        pu_err e;
        pu_err_clear(&e);
        rc = (rc = case_arrest_add(r->db, &rd, id, &a, &aid, &e)) ? fail(r, rc, &e) : created(r, aid);
    }
    json_decref(o);
    return rc;
}

int h_cases_share(http_req *r) {
    static const char *const keys[] = {"kind", "record", "agency", "reason", NULL};
    const char *v[MAX_KEYS];
    json_t *o;
    int rc = http_body_object(r, &o);
    if (rc) return rc;
    if (!(rc = str_members(r, o, keys, v))) {
        json_t *rec = json_object_get(o, "record");
        case_reader rd = reader(r);
        pu_err e;
        pu_err_clear(&e);
        if (!json_is_integer(rec)) {
            rc = http_fail(r, PU_ERR_INVALID, "record", "expected the record's number");
        } else if ((rc = case_share(r->db, &rd, v[0], json_integer_value(rec), v[2], v[3], &e))) {
            rc = fail(r, rc, &e);
        } else {
            (void)pu_buf_printf(&r->detail, "%s %lld to %s", v[0], (long long)json_integer_value(rec), v[2]);
            rc = http_json(r, 201, json_pack("{s:s,s:I,s:s}", "kind", v[0], "record", json_integer_value(rec), "agency", v[2]));
        }
    }
    json_decref(o);
    return rc;
}

/* ---- documents: raw-body uploads, downloads (http_upload.c) ---- */
/* A boolean query flag: absent or "false" 0, "true" 1. */
static int flag_arg(http_req *r, const char *name, int *out) {
    const char *v = http_arg(r, name);
    *out = v && !strcmp(v, "true");
    if (v && !*out && strcmp(v, "false")) return http_fail(r, PU_ERR_INVALID, name, "expected true or false");
    return PU_OK;
}

int h_cases_doc_add(http_req *r) {
    static const char *const args[] = {"certified", "translated", "sensitive", NULL};
    int64_t id, doc;
    const unsigned char *data;
    size_t n;
    char name[HTTP_UPLOAD_NAME_MAX + 1], type[HTTP_UPLOAD_TYPE_MAX + 1], hex[65];
    case_doc_opts o = {name, 0, 0, 0, type};
    int rc = http_only_args(r, args);
    if (rc || (rc = path_id(r, 0, &id)) || (rc = flag_arg(r, "certified", &o.certified)) ||
        (rc = flag_arg(r, "translated", &o.translated)) || (rc = flag_arg(r, "sensitive", &o.sensitive)) ||
        (rc = http_upload_get(r, CASE_DOC_MAX, &data, &n, name, type)))
        return rc;
    case_reader rd = reader(r);
    pu_err e;
    pu_err_clear(&e);
    if ((rc = case_doc_add(r->db, &rd, id, &o, data, n, &doc, hex, &e))) return fail(r, rc, &e);
    (void)pu_buf_printf(&r->detail, "document=%lld; sha256=%s; size=%zu", (long long)doc, hex, n);
    return http_json(r, 201, json_pack("{s:I,s:I,s:s,s:s,s:I,s:s,s:b,s:b,s:b}", "id", (json_int_t)doc, "case_id",
                                       (json_int_t)id, "name", name, "sha256", hex, "size", (json_int_t)n,
                                       "content_type", type, "certified", o.certified, "translated", o.translated,
                                       "sensitive", o.sensitive));
}

int h_cases_doc_list(http_req *r) {
    int64_t id;
    int rc = http_only_args(r, (const char *const[]){NULL});
    if (rc || (rc = path_id(r, 0, &id))) return rc;
    case_reader rd = reader(r);
    json_t *a;
    pu_err e;
    pu_err_clear(&e);
    if ((rc = case_doc_list(r->db, &rd, id, &a, &e))) return fail(r, rc, &e);
    return http_json(r, 200, json_pack("{s:I,s:o}", "total", (json_int_t)json_array_size(a), "results", a));
}

int h_cases_doc_get(http_req *r) {
    int64_t id, doc;
    int rc = http_only_args(r, (const char *const[]){NULL});
    if (rc || (rc = path_id(r, 0, &id)) || (rc = path_id(r, 1, &doc))) return rc;
    case_reader rd = reader(r);
    case_doc_meta m;
    unsigned char *data = NULL;
    size_t n = 0;
    pu_err e;
    pu_err_clear(&e);
    if ((rc = case_doc_read(r->db, &rd, doc, &m, &data, &n, &e))) return fail(r, rc, &e);
    if (m.case_id != id) { /* another case's document: the same answer as an absent one */
        free(data);
        return http_fail(r, PU_ERR_NOTFOUND, "document", "no such document in this case");
    }
    (void)pu_buf_printf(&r->detail, "document=%lld; sha256=%s", (long long)doc, m.sha256);
    rc = http_send_file(r, data, n, m.name, m.content_type, m.sha256);
    free(data);
    return rc;
}

/* ---- amparo suspensions of a request's clocks ---- */
int h_extraditions_amparo(http_req *r) {
    static const char *const keys[] = {"day", "court", "reference", "note", NULL};
    const char *v[MAX_KEYS];
    int64_t id, sid;
    json_t *o;
    int rc = path_id(r, 0, &id);
    if (rc || (rc = http_body_object(r, &o))) return rc;
    if (!(rc = str_members(r, o, keys, v))) {
        case_amparo_opts a = {v[0], v[1], v[2], v[3]};
        case_reader rd = reader(r);
        pu_err e;
        pu_err_clear(&e);
        if ((rc = case_amparo_start(r->db, &rd, id, &a, &sid, &e))) rc = fail(r, rc, &e);
        else rc = http_json(r, 201, json_pack("{s:I,s:I,s:b}", "id", (json_int_t)sid, "extradition_id", (json_int_t)id,
                                              "suspended", 1));
    }
    json_decref(o);
    return rc;
}

int h_extraditions_amparo_end(http_req *r) {
    static const char *const keys[] = {"day", "note", NULL};
    const char *v[MAX_KEYS];
    int64_t id;
    json_t *o;
    int rc = path_id(r, 0, &id);
    if (rc || (rc = http_body_object(r, &o))) return rc;
    if (!(rc = str_members(r, o, keys, v))) {
        case_reader rd = reader(r);
        pu_err e;
        pu_err_clear(&e);
        if ((rc = case_amparo_end(r->db, &rd, id, v[0], v[1], &e))) rc = fail(r, rc, &e);
        else rc = http_json(r, 200, json_pack("{s:I,s:b}", "extradition_id", (json_int_t)id, "suspended", 0));
    }
    json_decref(o);
    return rc;
}
