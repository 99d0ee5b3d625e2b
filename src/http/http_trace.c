/* http_trace.c - firearms tracing routes (docs/trace.md, docs/API.md
 * "Firearms tracing"): the Form 3312.1 fields, submitting a request (run at
 * once with the caller's scope), the request list and one request with its
 * result, chain and candidates, the examiner's pick and status, leads and
 * statistics. A shell over the same engine functions as `puente trace`
 * (src/cli/cmd_trace.c): every read and write takes the caller's
 * store_scope, so the engine's SQL decides what is visible; a hidden request
 * answers exactly like an absent one (404). Every route is audited by the
 * dispatcher; the trace tables are migrated once at server start. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_int.h"
#include "trace/trace.h"

/* Upper bounds of one answer (the page shows 50 rows at a time). */
#define TRACE_LIST_MAX 1000
#define TRACE_LIST_DEFAULT 50
#define TRACE_LEADS_MAX 200
#define TRACE_LEADS_DEFAULT 20
/* Bytes of a rendered request or of the statistics (JSON). */
#define TRACE_RENDER_MAX ((size_t)16 << 20)

/* Cheap: one read that checks the schema (trace_open does not migrate). */
static int open_trace(http_req *r, trace_t **t) {
    pu_err pe;
    pu_err_clear(&pe);
    int rc = trace_open(r->db, NULL, t, &pe);
    return rc ? http_fail(r, rc, NULL, "the tracing store is unavailable: %s", pe.msg) : PU_OK;
}

/* Fail with the engine's error, its field named (the form key of a refused
 * value). */
static int engine_fail(http_req *r, int rc, const pu_err *pe) {
    return http_fail(r, rc, pe->field[0] ? pe->field : NULL, "%s", pe->msg);
}

/* A JSON text written by the engine, as an object for the response. */
static int respond_text(http_req *r, int status, const pu_buf *b) {
    json_error_t je;
    json_t *o = json_loadb(b->data, b->len, 0, &je);
    if (!o) return http_fail(r, PU_ERR_INTERNAL, NULL, "the engine wrote no JSON: %s", je.text);
    return http_json(r, status, o);
}

/* ---- GET /api/v1/trace/fields ---- */
int h_trace_fields(http_req *r) {
    int rc = http_only_args(r, (const char *const[]){NULL});
    trace_t *t;
    if (rc || (rc = open_trace(r, &t))) return rc;
    size_t n;
    const trace_form_field *f = trace_form_fields(&n);
    json_t *fields = json_array(), *types = json_array(), *states = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(fields, json_pack("{s:s,s:s,s:s,s:b}", "key", f[i].key, "label_en", f[i].label_en,
                                                "label_es", f[i].label_es, "required", f[i].required));
    const char *const *ty = trace_types(&n);
    for (size_t i = 0; i < n; i++) json_array_append_new(types, json_string(ty[i]));
    const char *code, *name;
    for (size_t i = 0; (name = trace_mx_state_at(i, &code)) != NULL; i++)
        json_array_append_new(states, json_pack("{s:s,s:s}", "code", code, "name", name));
    char today[16];
    pu_format_date(trace_today(t), today, sizeof today);
    trace_close(t);
    return http_json(r, 200, json_pack("{s:o,s:o,s:o,s:[s,s],s:s}", "fields", fields, "types", types, "states", states,
                                       "priorities", "ROUTINE", "URGENT", "today", today));
}

/* ---- GET /api/v1/trace/requests ---- */
static int list_row(const trace_request_row *x, void *ctx) {
    json_t *o = json_pack("{s:I,s:s,s:s,s:o,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:I}", "id",
                          (json_int_t)x->id, "number", x->number, "status", x->status, "reason",
                          *x->reason ? json_string(x->reason) : json_null(), "priority", x->priority, "request_date",
                          x->request_date, "agency", x->agency, "crime_code", x->crime_code, "manufacturer",
                          x->manufacturer, "serial", x->serial, "type", x->type, "recovery_date", x->recovery_date,
                          "recovery_state", x->recovery_state, "owner", x->owner, "marking", x->marking, "updated",
                          x->updated, "candidates", (json_int_t)x->candidates);
    return (!o || json_array_append_new((json_t *)ctx, o)) ? PU_ERR_NOMEM : PU_OK;
}

static int valid_status(const char *s) {
    return !strcmp(s, "submitted") || !strcmp(s, "in_progress") || !strcmp(s, "completed") ||
           !strcmp(s, "cannot_trace");
}

/* The list as the engine's CSV (trace_request_write_csv), for download. */
static int requests_csv(http_req *r, trace_t *t, const trace_list_query *lq) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) {
        trace_close(t);
        return http_fail(r, PU_ERR_NOMEM, NULL, "out of memory");
    }
    pu_err pe;
    pu_err_clear(&pe);
    int rc = trace_request_write_csv(t, &r->scope, lq, f, &pe);
    fclose(f);
    trace_close(t);
    if (rc) {
        free(buf);
        return engine_fail(r, rc, &pe);
    }
    pu_buf_reset(&r->out);
    rc = pu_buf_append(&r->out, buf, len);
    free(buf);
    if (rc) return http_fail(r, rc, NULL, "out of memory");
    r->status = 200;
    r->content_type = "text/csv; charset=utf-8";
    (void)pu_buf_printf(&r->detail, "format=csv");
    return PU_OK;
}

int h_trace_requests(http_req *r) {
    static const char *const args[] = {"status", "state", "crime", "limit", "offset", "order", "format", NULL};
    int rc = http_only_args(r, args);
    if (rc) return rc;
    trace_list_query lq = {.status = http_arg(r, "status"), .crime = http_arg(r, "crime")};
    if (lq.crime && (strlen(lq.crime) != 4 || strspn(lq.crime, "0123456789") != 4))
        return http_fail(r, PU_ERR_INVALID, "crime", "expected the four digits of a crime code (0999), got '%.40s'", lq.crime);
    const char *format = http_arg(r, "format");
    if (format && strcmp(format, "json") && strcmp(format, "csv"))
        return http_fail(r, PU_ERR_INVALID, "format", "expected json or csv");
    if (lq.status && !valid_status(lq.status))
        return http_fail(r, PU_ERR_INVALID, "status", "expected submitted, in_progress, completed or cannot_trace");
    char state[8];
    const char *st = http_arg(r, "state");
    if (st) {
        if (trace_mx_state_code(st, state, sizeof state))
            return http_fail(r, PU_ERR_INVALID, "state", "expected a Mexican state name or ISO 3166-2:MX code, got '%.40s'", st);
        lq.recovery_state = state;
    }
    const char *order = http_arg(r, "order");
    if (order && strcmp(order, "newest") && strcmp(order, "oldest"))
        return http_fail(r, PU_ERR_INVALID, "order", "expected newest or oldest");
    lq.newest_first = !order || !strcmp(order, "newest");
    int64_t limit, offset;
    if ((rc = http_arg_int(r, "limit", 1, TRACE_LIST_MAX, TRACE_LIST_DEFAULT, &limit)) ||
        (rc = http_arg_int(r, "offset", 0, INT32_MAX, 0, &offset)))
        return rc;
    lq.limit = (long)limit;
    lq.offset = (long)offset;
    trace_t *t;
    if ((rc = open_trace(r, &t))) return rc;
    if (format && !strcmp(format, "csv")) return requests_csv(r, t, &lq);
    json_t *arr = json_array();
    int64_t total = 0;
    pu_err pe;
    pu_err_clear(&pe);
    rc = trace_request_each(t, &r->scope, &lq, list_row, arr, &total, &pe);
    trace_close(t);
    if (rc) {
        json_decref(arr);
        return rc == PU_ERR_NOMEM ? http_fail(r, rc, NULL, "out of memory") : engine_fail(r, rc, &pe);
    }
    (void)pu_buf_printf(&r->detail, "rows=%zu total=%lld", json_array_size(arr), (long long)total);
    return http_json(r, 200, json_pack("{s:I,s:I,s:I,s:o}", "total", (json_int_t)total, "limit", (json_int_t)limit,
                                       "offset", (json_int_t)offset, "results", arr));
}

/* The request named in the path (number or row id) as the caller sees it;
 * absent and hidden are the same 404. */
static int path_request(http_req *r, trace_t *t, int64_t *id) {
    http_target(r, r->params[0]);
    pu_err pe;
    pu_err_clear(&pe);
    int rc = trace_request_resolve(t, &r->scope, r->params[0], id, &pe);
    return rc ? http_fail(r, rc, "id", "%s", pe.msg) : PU_OK;
}

/* The request rendered for the caller (result, chain and candidates as
 * the caller may see them). */
static int respond_request(http_req *r, trace_t *t, int64_t id, int status) {
    pu_buf b = PU_BUF_INIT(TRACE_RENDER_MAX);
    pu_err pe;
    pu_err_clear(&pe);
    int rc = trace_request_render(t, &r->scope, id, "en", 1, &b, &pe);
    rc = rc ? engine_fail(r, rc, &pe) : respond_text(r, status, &b);
    pu_buf_free(&b);
    return rc;
}

/* ---- GET /api/v1/trace/requests/{id} ---- */
int h_trace_request(http_req *r) {
    int rc = http_only_args(r, (const char *const[]){NULL});
    trace_t *t;
    if (rc || (rc = open_trace(r, &t))) return rc;
    int64_t id;
    if (!(rc = path_request(r, t, &id))) rc = respond_request(r, t, id, 200);
    trace_close(t);
    return rc;
}

/* Run a request the caller just filed or changed, with the caller's scope
 * (as `puente trace run --agency A --country C`); the outcome goes to the
 * audit detail. */
static int run_now(http_req *r, trace_t *t, int64_t id) {
    trace_run_stats rs;
    pu_err pe;
    pu_err_clear(&pe);
    int rc = trace_run_request(t, &r->scope, id, &rs, &pe);
    if (rc) return http_fail(r, rc, NULL, "the request was stored but could not be traced: %s", pe.msg);
    (void)pu_buf_printf(&r->detail, " traced=%llu completed=%llu cannot_trace=%llu review=%llu",
                        (unsigned long long)rs.processed, (unsigned long long)rs.completed,
                        (unsigned long long)rs.cannot_trace, (unsigned long long)rs.pending_review);
    return PU_OK;
}

/* ---- POST /api/v1/trace/requests ----
 * Body: one JSON object of Form 3312.1 keys (strings; "obliterated" may be a
 * boolean) and an optional "marking". Filed for the caller's agency, which
 * is the requesting agency (a body naming another is refused). ?dry_run=true
 * validates only and answers the normalised values. */
#define TRACE_FORM_MAX 32
typedef struct form_body {
    const char *keys[TRACE_FORM_MAX], *vals[TRACE_FORM_MAX];
    size_t n;
    const char *marking;
} form_body;

static int form_key(const char *k) {
    size_t n;
    const trace_form_field *ff = trace_form_fields(&n);
    for (size_t i = 0; i < n; i++)
        if (!strcmp(ff[i].key, k)) return 1;
    return 0;
}

static int form_member(http_req *r, const char *k, json_t *v, form_body *f) {
    if (!strcmp(k, "marking")) {
        if (!json_is_string(v)) return http_fail(r, PU_ERR_INVALID, "marking", "expected a string");
        f->marking = json_string_value(v);
        return PU_OK;
    }
    if (!form_key(k)) return http_fail(r, PU_ERR_INVALID, k, "unknown field of the trace request form");
    if (f->n >= TRACE_FORM_MAX) return http_fail(r, PU_ERR_LIMIT, k, "too many fields");
    if (json_is_boolean(v)) f->vals[f->n] = json_is_true(v) ? "yes" : "no";
    else if (json_is_null(v)) return PU_OK;
    else if (json_is_string(v)) f->vals[f->n] = json_string_value(v);
    else return http_fail(r, PU_ERR_INVALID, k, "expected a string");
    f->keys[f->n++] = k;
    return PU_OK;
}

static int form_read(http_req *r, json_t *o, form_body *f) {
    const char *k;
    json_t *v;
    int has_agency = 0;
    json_object_foreach(o, k, v) {
        int rc = form_member(r, k, v, f);
        if (rc) return rc;
        if (!strcmp(k, "agency") && json_is_string(v)) {
            has_agency = 1;
            if (!pu_strieq(json_string_value(v), r->p.agency))
                return http_fail(r, PU_ERR_DENIED, "agency", "the requesting agency is the caller's own (%s)", r->p.agency);
            f->vals[f->n - 1] = r->p.agency; /* as the agency is registered ("fgr" -> "FGR") */
        }
    }
    if (!has_agency && f->n < TRACE_FORM_MAX) {
        f->keys[f->n] = "agency";
        f->vals[f->n++] = r->p.agency;
    }
    return PU_OK;
}

static int dry_run(http_req *r, trace_t *t, const form_body *f, const trace_import_opts *io) {
    trace_checked c;
    pu_err pe;
    pu_err_clear(&pe);
    int rc = trace_request_check(t, &r->scope, f->keys, f->vals, f->n, io, &c, &pe);
    if (rc) return engine_fail(r, rc, &pe);
    (void)pu_buf_puts(&r->detail, "dry_run");
    return http_json(r, 200, json_pack("{s:b,s:s,s:b,s:b,s:s,s:b,s:s,s:s,s:s,s:s}", "valid", 1, "serial_norm",
                                       c.serial_norm, "partial", c.partial, "obliterated", c.obliterated,
                                       "manufacturer", c.manufacturer, "manufacturer_known", c.manufacturer_known,
                                       "type", c.type, "priority", c.priority, "recovery_state", c.recovery_state,
                                       "request_date", c.request_date));
}

int h_trace_submit(http_req *r) {
    static const char *const args[] = {"dry_run", NULL};
    int rc = http_only_args(r, args);
    if (rc) return rc;
    const char *dr = http_arg(r, "dry_run");
    if (dr && strcmp(dr, "true") && strcmp(dr, "false"))
        return http_fail(r, PU_ERR_INVALID, "dry_run", "expected true or false");
    json_t *o;
    if ((rc = http_body_object(r, &o))) return rc;
    form_body f = {0};
    trace_t *t = NULL;
    if ((rc = form_read(r, o, &f)) || (rc = open_trace(r, &t))) goto out;
    trace_import_opts io = {.owner = r->p.agency, .marking = f.marking};
    if (dr && !strcmp(dr, "true")) {
        rc = dry_run(r, t, &f, &io);
        goto out;
    }
    int64_t id = 0;
    char number[32] = "";
    pu_err pe;
    pu_err_clear(&pe);
    if ((rc = trace_request_submit(t, &r->scope, f.keys, f.vals, f.n, &io, &id, number, sizeof number, &pe))) {
        rc = engine_fail(r, rc, &pe);
        goto out;
    }
    http_target(r, number);
    (void)pu_buf_printf(&r->detail, "marking=%s", f.marking ? f.marking : STORE_DEFAULT_MARKING);
    if (!(rc = run_now(r, t, id))) rc = respond_request(r, t, id, 201);
out:
    trace_close(t);
    json_decref(o);
    return rc;
}

/* ---- POST /api/v1/trace/requests/{id}/pick  {"rank": N} ---- */
int h_trace_pick(http_req *r) {
    json_t *o;
    int rc = http_body_object(r, &o);
    if (rc) return rc;
    static const char *const keys[] = {"rank", NULL};
    trace_t *t = NULL;
    json_t *rank = json_object_get(o, "rank");
    if ((rc = http_only_keys(r, o, keys, "body"))) goto out;
    if (!json_is_integer(rank) || json_integer_value(rank) < 1 || json_integer_value(rank) > 1000) {
        rc = http_fail(r, PU_ERR_INVALID, "rank", "expected the candidate's rank, an integer from 1");
        goto out;
    }
    int64_t id;
    if ((rc = open_trace(r, &t)) || (rc = path_request(r, t, &id))) goto out;
    pu_err pe;
    pu_err_clear(&pe);
    if ((rc = trace_request_pick(t, &r->scope, id, (int)json_integer_value(rank), &pe))) {
        rc = engine_fail(r, rc, &pe);
        goto out;
    }
    (void)pu_buf_printf(&r->detail, "rank=%lld", (long long)json_integer_value(rank));
    /* the examiner's choice is traced at once, as a new submission is */
    if (!(rc = run_now(r, t, id))) rc = respond_request(r, t, id, 200);
out:
    trace_close(t);
    json_decref(o);
    return rc;
}

/* ---- POST /api/v1/trace/requests/{id}/status  {"status", "reason"} ---- */
int h_trace_status(http_req *r) {
    json_t *o;
    int rc = http_body_object(r, &o);
    if (rc) return rc;
    static const char *const keys[] = {"status", "reason", NULL};
    const char *status = NULL, *reason = NULL;
    trace_t *t = NULL;
    if ((rc = http_only_keys(r, o, keys, "body")) || (rc = http_str_member(r, o, "status", "body", &status)) ||
        (rc = http_str_member(r, o, "reason", "body", &reason)))
        goto out;
    if (!status || !valid_status(status)) {
        rc = http_fail(r, PU_ERR_INVALID, "status", "expected submitted, in_progress, completed or cannot_trace");
        goto out;
    }
    int64_t id;
    if ((rc = open_trace(r, &t)) || (rc = path_request(r, t, &id))) goto out;
    pu_err pe;
    pu_err_clear(&pe);
    if ((rc = trace_request_set_status(t, &r->scope, id, status, reason, &pe))) {
        rc = engine_fail(r, rc, &pe);
        goto out;
    }
    (void)pu_buf_printf(&r->detail, "status=%s", status);
    /* sent back to be traced again: traced now */
    if (!strcmp(status, "submitted") && (rc = run_now(r, t, id))) goto out;
    rc = respond_request(r, t, id, 200);
out:
    trace_close(t);
    json_decref(o);
    return rc;
}

/* ---- GET /api/v1/trace/leads ---- */
static int leads_of(http_req *r, trace_t *t, const char *kind, size_t top, json_t *res) {
    trace_lead *l = NULL;
    size_t n = 0;
    pu_err pe;
    pu_err_clear(&pe);
    int rc = trace_leads(t, &r->scope, kind, top, &l, &n, &pe);
    if (rc) return engine_fail(r, rc, &pe);
    pu_buf b = PU_BUF_INIT(TRACE_RENDER_MAX);
    trace_leads_write(l, n, 1, &b);
    trace_leads_free(l, n);
    json_error_t je;
    json_t *arr = json_loadb(b.data, b.len, 0, &je);
    pu_buf_free(&b);
    if (!arr) return http_fail(r, PU_ERR_INTERNAL, NULL, "the engine wrote no JSON: %s", je.text);
    json_object_set_new(res, !strcmp(kind, "purchaser") ? "purchasers" : "dealers", arr);
    return PU_OK;
}

int h_trace_leads(http_req *r) {
    static const char *const args[] = {"kind", "top", NULL};
    int rc = http_only_args(r, args);
    if (rc) return rc;
    const char *kind = http_arg(r, "kind");
    if (kind && strcmp(kind, "purchaser") && strcmp(kind, "dealer"))
        return http_fail(r, PU_ERR_INVALID, "kind", "expected purchaser or dealer");
    int64_t top;
    if ((rc = http_arg_int(r, "top", 1, TRACE_LEADS_MAX, TRACE_LEADS_DEFAULT, &top))) return rc;
    trace_t *t;
    if ((rc = open_trace(r, &t))) return rc;
    json_t *res = json_object();
    /* each kind on its own scale: two lists, never merged */
    if (!kind || !strcmp(kind, "purchaser")) rc = leads_of(r, t, "purchaser", (size_t)top, res);
    if (!rc && (!kind || !strcmp(kind, "dealer"))) rc = leads_of(r, t, "dealer", (size_t)top, res);
    trace_close(t);
    if (rc) {
        json_decref(res);
        return rc;
    }
    json_t *p = json_object_get(res, "purchasers"), *d = json_object_get(res, "dealers");
    (void)pu_buf_printf(&r->detail, "purchasers=%zu dealers=%zu", p ? json_array_size(p) : 0,
                        d ? json_array_size(d) : 0);
    return http_json(r, 200, res);
}

/* ---- GET /api/v1/trace/stats ---- */
int h_trace_stats(http_req *r) {
    int rc = http_only_args(r, (const char *const[]){NULL});
    trace_t *t;
    if (rc || (rc = open_trace(r, &t))) return rc;
    pu_buf b = PU_BUF_INIT(TRACE_RENDER_MAX);
    pu_err pe;
    pu_err_clear(&pe);
    rc = trace_stats(t, &r->scope, 1, &b, &pe);
    trace_close(t);
    rc = rc ? engine_fail(r, rc, &pe) : respond_text(r, 200, &b);
    pu_buf_free(&b);
    return rc;
}
