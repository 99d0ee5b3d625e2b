/* http_protect.c - the protection module's routes (docs/protection.md).
 *
 * Every route needs the protect permission (protection-officer role). The
 * officer first unlocks the protection key with the passphrase (POST
 * /api/v1/protect/unlock): the unlocked key stays in the server's memory
 * under a hash of the session's secret (protect_cache_*), never in the
 * store; the other routes use it. Reads need the stated purpose (header
 * X-Puente-Purpose), which the engine audits with each read. Search terms
 * travel in a POST body, never in a URL (no name in an access log). */
#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http/http_int.h"
#include "protect/protect.h"

static int64_t now_s(void) { return (int64_t)time(NULL); }

static int engine_fail(http_req *r, int rc, const pu_err *e) {
    return http_fail(r, rc, e->field[0] ? e->field : NULL, "%s", e->msg);
}

/* The session's unlocked protection key, with this request's store,
 * address and purpose. */
static int session(http_req *r, protect_session *s) {
    pu_err e;
    pu_err_clear(&e);
    int rc = protect_cache_get(r->secret, now_s(), s, &e);
    if (rc == PU_OK && strcmp(s->user, r->p.user) != 0) rc = pu_fail(&e, PU_ERR_DENIED, NULL, "unlock", "unlock your protection key first");
    if (rc) return engine_fail(r, rc, &e);
    s->db = r->db;
    s->source = r->source;
    s->perms = r->p.perms;
    if (r->purpose[0] && (rc = protect_set_purpose(s, r->purpose, &e))) {
        protect_session_end(s);
        return engine_fail(r, rc, &e);
    }
    return PU_OK;
}

static int body(http_req *r, json_t **o, const char *const *keys) {
    int rc = http_body_object(r, o);
    if (rc == PU_OK && (rc = http_only_keys(r, *o, keys, "body"))) {
        json_decref(*o);
        *o = NULL;
    }
    return rc;
}

static const char *str(json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }
static int64_t num(json_t *o, const char *k) { return (int64_t)json_integer_value(json_object_get(o, k)); }

/* ---- keys ---- */
int h_protect_keys(http_req *r) {
    static const char *const keys[] = {"passphrase", NULL};
    json_t *o;
    int rc = body(r, &o, keys);
    if (rc) return rc;
    pu_err e;
    pu_err_clear(&e);
    const char *pass = str(o, "passphrase");
    rc = protect_keygen(r->db, r->p.user, pass ? pass : "", &e);
    json_decref(o);
    if (rc) return engine_fail(r, rc, &e);
    protect_cache_drop(r->secret);
    return http_json(r, 201, json_pack("{s:s,s:b}", "user", r->p.user, "unlocked", 0));
}

int h_protect_unlock(http_req *r) {
    static const char *const keys[] = {"passphrase", NULL};
    json_t *o;
    int rc = body(r, &o, keys);
    if (rc) return rc;
    pu_err e;
    pu_err_clear(&e);
    protect_session s;
    const char *pass = str(o, "passphrase");
    rc = protect_unlock(r->db, r->p.user, pass ? pass : "", &s, &e);
    json_decref(o);
    if (rc == PU_OK) rc = protect_cache_put(r->secret, &s, now_s(), &e);
    protect_session_end(&s);
    if (rc) return engine_fail(r, rc, &e);
    return http_json(r, 200, json_pack("{s:b,s:i}", "unlocked", 1, "idle_seconds", PROTECT_UNLOCK_IDLE));
}

int h_protect_lock(http_req *r) {
    protect_cache_drop(r->secret);
    return http_json(r, 200, json_pack("{s:b,s:i}", "unlocked", 0, "idle_seconds", 0));
}

int h_protect_catalogue(http_req *r) {
    char *text = NULL;
    pu_err e;
    int rc = protect_catalogue_json(&text, &e);
    if (rc) return engine_fail(r, rc, &e);
    json_t *o = json_loads(text, 0, NULL);
    free(text);
    return http_json(r, 200, o);
}

/* ---- lists ---- */
static int case_row(const protect_case_row *c, void *ctx, pu_err *err) {
    (void)err;
    json_array_append_new(ctx, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "id", c->id, "name", c->name, "kind", c->kind, "path",
                                         c->path, "state", c->state, "status", c->status, "level", c->level, "received",
                                         c->received));
    return PU_OK;
}

static int list(http_req *r, const char *search) {
    protect_session s;
    int rc = session(r, &s);
    if (rc) return rc;
    pu_err e;
    pu_err_clear(&e);
    json_t *a = json_array();
    rc = protect_list(&s, search, case_row, a, &e);
    protect_session_end(&s);
    if (rc) {
        json_decref(a);
        return engine_fail(r, rc, &e);
    }
    return http_json(r, 200, json_pack("{s:I,s:o}", "total", (json_int_t)json_array_size(a), "cases", a));
}

int h_protect_list(http_req *r) {
    static const char *const args[] = {NULL};
    int rc = http_only_args(r, args);
    return rc ? rc : list(r, NULL);
}

int h_protect_search(http_req *r) {
    static const char *const keys[] = {"q", NULL};
    json_t *o;
    int rc = body(r, &o, keys);
    if (rc) return rc;
    const char *q = str(o, "q");
    rc = q && *q ? list(r, q) : http_fail(r, PU_ERR_INVALID, "q", "a name to search for");
    json_decref(o);
    return rc;
}

static int clock_row(const protect_clock_row *c, void *ctx, pu_err *err) {
    (void)err;
    json_array_append_new(ctx, json_pack("{s:s,s:s,s:s,s:I,s:I,s:I,s:b,s:s}", "case", c->case_id, "rule", c->rule, "path", c->path,
                                         "started", (json_int_t)c->started, "due", (json_int_t)c->due, "done",
                                         (json_int_t)c->done, "late", c->late, "source", c->source));
    return PU_OK;
}

int h_protect_clocks(http_req *r) {
    static const char *const args[] = {"late", NULL};
    int64_t late = 0;
    int rc = http_only_args(r, args);
    if (rc == PU_OK) rc = http_arg_int(r, "late", 0, 1, 0, &late);
    protect_session s;
    if (rc || (rc = session(r, &s))) return rc;
    pu_err e;
    pu_err_clear(&e);
    json_t *a = json_array();
    rc = protect_clocks(&s, (int)late, clock_row, a, &e);
    protect_session_end(&s);
    if (rc) {
        json_decref(a);
        return engine_fail(r, rc, &e);
    }
    return http_json(r, 200, json_pack("{s:I,s:I,s:o}", "now", (json_int_t)now_s(), "total", (json_int_t)json_array_size(a), "clocks", a));
}

/* ---- one case ---- */
int h_protect_case_get(http_req *r) {
    http_target(r, r->params[0]);
    protect_session s;
    int rc = session(r, &s);
    if (rc) return rc;
    pu_err e;
    pu_err_clear(&e);
    char *text = NULL;
    rc = protect_show_json(&s, r->params[0], &text, &e);
    protect_session_end(&s);
    if (rc) return engine_fail(r, rc, &e);
    json_t *o = json_loads(text, 0, NULL);
    sodium_memzero(text, strlen(text));
    free(text);
    return http_json(r, 200, o);
}

/* ---- writes: one engine call each ---- */
typedef int (*write_fn)(protect_session *s, http_req *r, json_t *o, json_t **reply, pu_err *e);

static int write_route(http_req *r, const char *const *keys, write_fn fn, int status) {
    json_t *o = NULL, *reply = NULL;
    if (r->params[0]) http_target(r, r->params[0]);
    int rc = body(r, &o, keys);
    if (rc) return rc;
    protect_session s;
    if ((rc = session(r, &s))) {
        json_decref(o);
        return rc;
    }
    pu_err e;
    pu_err_clear(&e);
    rc = fn(&s, r, o, &reply, &e);
    protect_session_end(&s);
    json_decref(o);
    if (rc) return engine_fail(r, rc, &e);
    return http_json(r, status, reply);
}

static json_t *id_json(int64_t id) { return json_pack("{s:I}", "id", (json_int_t)id); }

static int w_case(protect_session *s, http_req *r, json_t *o, json_t **reply, pu_err *e) {
    (void)r;
    char id[PROTECT_ID_MAX];
    protect_case_in in = {str(o, "kind"), str(o, "path"), str(o, "state"), NULL, num(o, "received")};
    int rc = protect_case_open(s, &in, id, e);
    if (rc == PU_OK) *reply = json_pack("{s:s}", "id", id);
    return rc;
}
int h_protect_case_add(http_req *r) {
    static const char *const keys[] = {"kind", "path", "state", "received", NULL};
    return write_route(r, keys, w_case, 201);
}

static int w_member(protect_session *s, http_req *r, json_t *o, json_t **reply, pu_err *e) {
    const char *user = str(o, "user");
    int rc = protect_member_add(s, r->params[0], user ? user : "", e);
    if (rc == PU_OK) *reply = json_pack("{s:s,s:s}", "id", r->params[0], "user", user);
    return rc;
}
int h_protect_member_add(http_req *r) {
    static const char *const keys[] = {"user", NULL};
    return write_route(r, keys, w_member, 200);
}

int h_protect_member_remove(http_req *r) {
    http_target(r, r->params[0]);
    protect_session s;
    int rc = session(r, &s);
    if (rc) return rc;
    pu_err e;
    pu_err_clear(&e);
    rc = protect_member_remove(&s, r->params[0], r->params[1], &e);
    protect_session_end(&s);
    if (rc) return engine_fail(r, rc, &e);
    return http_json(r, 200, json_pack("{s:s,s:s}", "id", r->params[0], "user", r->params[1]));
}

static int w_person(protect_session *s, http_req *r, json_t *o, json_t **reply, pu_err *e) {
    protect_person_in in = {str(o, "role"), str(o, "name"), str(o, "occupation")};
    int64_t id = 0;
    int rc = protect_person_add(s, r->params[0], &in, &id, e);
    if (rc == PU_OK) *reply = id_json(id);
    return rc;
}
int h_protect_person_add(http_req *r) {
    static const char *const keys[] = {"role", "name", "occupation", NULL};
    return write_route(r, keys, w_person, 201);
}

static int w_contact(protect_session *s, http_req *r, json_t *o, json_t **reply, pu_err *e) {
    int64_t id = 0;
    int rc = protect_contact_add(s, r->params[0], num(o, "person"), str(o, "channel"), str(o, "value"), &id, e);
    if (rc == PU_OK) *reply = id_json(id);
    return rc;
}
int h_protect_contact_add(http_req *r) {
    static const char *const keys[] = {"person", "channel", "value", NULL};
    return write_route(r, keys, w_contact, 201);
}

static int w_place(protect_session *s, http_req *r, json_t *o, json_t **reply, pu_err *e) {
    int64_t id = 0;
    int rc = protect_place_add(s, r->params[0], num(o, "person"), str(o, "day"), str(o, "state"), str(o, "address"), &id, e);
    if (rc == PU_OK) *reply = id_json(id);
    return rc;
}
int h_protect_place_add(http_req *r) {
    static const char *const keys[] = {"person", "day", "state", "address", NULL};
    return write_route(r, keys, w_place, 201);
}

static int w_incident(protect_session *s, http_req *r, json_t *o, json_t **reply, pu_err *e) {
    protect_incident_in in = {str(o, "day"), str(o, "state"), str(o, "type"), num(o, "place"), str(o, "narrative"),
                              str(o, "aggressor"), str(o, "entity")};
    int64_t id = 0;
    int rc = protect_incident_add(s, r->params[0], &in, &id, e);
    if (rc == PU_OK) *reply = id_json(id);
    return rc;
}
int h_protect_incident_add(http_req *r) {
    static const char *const keys[] = {"day", "state", "type", "place", "narrative", "aggressor", "entity", NULL};
    return write_route(r, keys, w_incident, 201);
}

static int w_study(protect_session *s, http_req *r, json_t *o, json_t **reply, pu_err *e) {
    protect_study_in in = {str(o, "level"), str(o, "reasons"), str(o, "analyst"), str(o, "board") ? str(o, "board") : "pending",
                           str(o, "next_review")};
    int v = 0;
    int rc = protect_study_add(s, r->params[0], &in, &v, e);
    if (rc == PU_OK) *reply = json_pack("{s:i}", "version", v);
    return rc;
}
int h_protect_study_add(http_req *r) {
    static const char *const keys[] = {"level", "reasons", "analyst", "board", "next_review", NULL};
    return write_route(r, keys, w_study, 201);
}

static int w_measure(protect_session *s, http_req *r, json_t *o, json_t **reply, pu_err *e) {
    int64_t id = 0;
    int rc = protect_measure_add(s, r->params[0], str(o, "code"), str(o, "provider"), json_number_value(json_object_get(o, "cost")),
                                 json_is_true(json_object_get(o, "urgent")), &id, e);
    if (rc == PU_OK) *reply = id_json(id);
    return rc;
}
int h_protect_measure_add(http_req *r) {
    static const char *const keys[] = {"code", "provider", "cost", "urgent", NULL};
    return write_route(r, keys, w_measure, 201);
}

static int w_measure_status(protect_session *s, http_req *r, json_t *o, json_t **reply, pu_err *e) {
    char *end = NULL;
    long long m = strtoll(r->params[1], &end, 10);
    if (!end || *end || m <= 0) return pu_fail(e, PU_ERR_NOTFOUND, r->params[1], "measure", "no such measure");
    const char *to = str(o, "status");
    int rc = protect_measure_status(s, r->params[0], m, to ? to : "", e);
    if (rc == PU_OK) *reply = json_pack("{s:I,s:s}", "id", (json_int_t)m, "status", to);
    return rc;
}
int h_protect_measure_status(http_req *r) {
    static const char *const keys[] = {"status", NULL};
    return write_route(r, keys, w_measure_status, 200);
}

static int w_step(protect_session *s, http_req *r, json_t *o, json_t **reply, pu_err *e) {
    const char *step = str(o, "step");
    int rc = protect_request_step(s, r->params[0], step ? step : "", num(o, "at"), e);
    if (rc == PU_OK) *reply = json_pack("{s:s,s:s}", "id", r->params[0], "step", step);
    return rc;
}
int h_protect_step_add(http_req *r) {
    static const char *const keys[] = {"step", "at", NULL};
    return write_route(r, keys, w_step, 200);
}

static int w_prosecution(protect_session *s, http_req *r, json_t *o, json_t **reply, pu_err *e) {
    int64_t id = 0;
    int rc = protect_prosecution_add(s, r->params[0], num(o, "incident"), str(o, "authority"), str(o, "file_no"), str(o, "outcome"),
                                     &id, e);
    if (rc == PU_OK) *reply = id_json(id);
    return rc;
}
int h_protect_prosecution_add(http_req *r) {
    static const char *const keys[] = {"incident", "authority", "file_no", "outcome", NULL};
    return write_route(r, keys, w_prosecution, 201);
}

/* ---- evidence files: raw-body upload (incident in the query), download ----
 * The name, type and hash are sealed with the case key like the bytes; the
 * audit entry holds only ids (never the name). Reading needs the purpose
 * (X-Puente-Purpose), which protect_evidence_get audits. */
int h_protect_evidence_add(http_req *r) {
    static const char *const args[] = {"incident", NULL};
    int64_t incident = 0, id = 0;
    const unsigned char *data;
    size_t n;
    char name[HTTP_UPLOAD_NAME_MAX + 1], type[HTTP_UPLOAD_TYPE_MAX + 1], hex[65];
    http_target(r, r->params[0]);
    int rc = http_only_args(r, args);
    if (rc || (rc = http_arg_int(r, "incident", 1, INT64_MAX, 0, &incident))) return rc;
    if (!incident) return http_fail(r, PU_ERR_INVALID, "incident", "the incident the file is evidence of");
    if ((rc = http_upload_get(r, PROTECT_EVIDENCE_MAX, &data, &n, name, type))) return rc;
    protect_session s;
    if ((rc = session(r, &s))) return rc;
    pu_err e;
    pu_err_clear(&e);
    protect_evidence_in in = {incident, name, type, data, n};
    rc = protect_evidence_put(&s, r->params[0], &in, &id, hex, &e);
    protect_session_end(&s);
    sodium_memzero(name, sizeof name);
    if (rc) return engine_fail(r, rc, &e);
    (void)pu_buf_printf(&r->detail, "evidence=%lld; incident=%lld", (long long)id, (long long)incident);
    return http_json(r, 201, json_pack("{s:I,s:I,s:s,s:I}", "id", (json_int_t)id, "incident", (json_int_t)incident,
                                       "sha256", hex, "size", (json_int_t)n));
}

int h_protect_evidence_get(http_req *r) {
    http_target(r, r->params[0]);
    char *end = NULL;
    long long ev = strtoll(r->params[1], &end, 10);
    if (!end || *end || ev <= 0) return http_fail(r, PU_ERR_NOTFOUND, "evidence", "no such file in the case");
    int rc = http_only_args(r, (const char *const[]){NULL});
    protect_session s;
    if (rc || (rc = session(r, &s))) return rc;
    pu_err e;
    pu_err_clear(&e);
    protect_evidence_meta m;
    unsigned char *data = NULL;
    size_t n = 0;
    rc = protect_evidence_read(&s, r->params[0], ev, &data, &n, &m, &e);
    protect_session_end(&s);
    if (rc) return engine_fail(r, rc, &e);
    (void)pu_buf_printf(&r->detail, "evidence=%lld", ev);
    rc = http_send_file(r, data, n, m.name, m.content_type, m.sha256);
    sodium_memzero(data, n);
    free(data);
    sodium_memzero(&m, sizeof m);
    return rc;
}
