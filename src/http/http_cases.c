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


/* ---- the module's writes: one engine operation each (case_ops.c) ---- */
#define OP_NUMS 16   /* integer members turned into text per request */

typedef struct body_params {
    json_t *o;
    char num[OP_NUMS][24];
    int used;
} body_params;

/* A member of the body as text: strings as they are, integers written out. */
static const char *body_get(void *ctx, const char *key) {
    body_params *b = ctx;
    json_t *v = json_object_get(b->o, key);
    if (json_is_string(v)) return json_string_value(v);
    if (!json_is_integer(v) || b->used >= OP_NUMS) return NULL;
    char *t = b->num[b->used++];
    (void)pu_snprintf(t, sizeof b->num[0], "%lld", (long long)json_integer_value(v));
    return t;
}

/* POST .../{id}/...: the body's members (strings or integers, only the
 * operation's) run as operation `name` on the path's record. */
static int op_route(http_req *r, const char *name) {
    const case_op *op = case_op_find(name);
    int64_t id;
    json_t *o;
    int rc = path_id(r, 0, &id);
    if (rc || (rc = http_body_object(r, &o))) return rc;
    if ((rc = http_only_keys(r, o, op->keys, "body"))) goto out;
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v) {
        if (!json_is_string(v) && !json_is_integer(v) && !json_is_null(v)) {
            rc = http_fail(r, PU_ERR_INVALID, k, "expected a string");
            goto out;
        }
    }
    body_params b = {.o = o};
    case_params p = {body_get, &b};
    case_reader rd = reader(r);
    json_t *res;
    pu_err e;
    pu_err_clear(&e);
    if ((rc = case_op_run(r->db, &rd, op, id, &p, &res, &e))) {
        rc = fail(r, rc, &e);
        goto out;
    }
    if (json_is_string(json_object_get(res, "stage")))
        (void)pu_buf_printf(&r->detail, "stage=%s", json_string_value(json_object_get(res, "stage")));
    rc = http_json(r, op->created ? 201 : 200, res);
out:
    json_decref(o);
    return rc;
}

int h_cases_link(http_req *r) { return op_route(r, "link"); }
int h_cases_note(http_req *r) { return op_route(r, "note"); }
int h_cases_task(http_req *r) { return op_route(r, "task"); }
int h_cases_charge(http_req *r) { return op_route(r, "charge"); }
int h_cases_warrant(http_req *r) { return op_route(r, "warrant"); }
int h_cases_arrest(http_req *r) { return op_route(r, "arrest"); }
int h_warrants_status(http_req *r) { return op_route(r, "warrant_status"); }
int h_extraditions_stage(http_req *r) { return op_route(r, "extradition_stage"); }
int h_extraditions_amparo(http_req *r) { return op_route(r, "amparo"); }
int h_extraditions_amparo_end(http_req *r) { return op_route(r, "amparo_end"); }
