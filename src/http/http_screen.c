/* http_screen.c - screening over HTTP: POST /api/v1/screen (batch),
 * /api/v1/compare, reviewed decisions, and yente's POST /match/{dataset}.
 *
 * A thin shell over the screening service (screen.h, screen_service.c):
 * each handler takes a snapshot (the service first catches up with every
 * change in the store, by any process), answers from it and releases it.
 * Markings are applied by screen_run through the caller's scope: entities a
 * user may not see are never scored, returned or counted; decisions apply
 * only for readers who may see them. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "app/app.h"

#include "http/http_int.h"
#include "http/http_yente.h"
#include "monitor/monitor.h"
#include "resolve/resolve.h"
#include "sameas/sameas.h"
#include "screen/screen.h"
#include "screen/screen_algo.h"

#define BATCH_MAX 1000   /* queries per POST /api/v1/screen */
#define MATCH_MAX 100    /* queries per POST /match (yente's own limit) */
/* With a dataset or a yente filter, this many candidates are scored and
 * filtered before the limit is applied, so `limit` results still come back
 * (docs/screening.md "yente and watchman parity"). */
#define MATCH_FILTER_POOL 250

/* The shell's state: the screening service (src/screen/screen_service.c)
 * holds the index, the decisions, their freshness and the caches. */
struct http_screen_state {
    screen_service *svc;
};

/* The whole-answer cache of POST /match and POST /api/v1/screen is keyed by
 * BLAKE2b-128 of everything the answer depends on besides the store (whose
 * changes the service sees through its generations): the route, the
 * dataset, every query argument, the request body and the reader's scope
 * (store_visible reads only the scope's system flag, country and agency).
 * The audit entry of a hit is written like any other, with the same targets
 * (kept with the answer). */
static enum MHD_Result hash_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value) {
    (void)kind;
    crypto_generichash_state *h = cls;
    crypto_generichash_update(h, (const unsigned char *)key, strlen(key) + 1);
    crypto_generichash_update(h, (const unsigned char *)(value ? value : ""), (value ? strlen(value) : 0) + 1);
    return MHD_YES;
}

static void answer_key(http_req *r, const char *route, unsigned char key[16]) {
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, 16);
    if (r->conn) MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, hash_arg, &h);
    const char *parts[] = {route, r->params[0] ? r->params[0] : "",
                           r->scope.system ? "system" : "", r->scope.country ? r->scope.country : "",
                           r->scope.agency ? r->scope.agency : ""};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        crypto_generichash_update(&h, (const unsigned char *)parts[i], strlen(parts[i]) + 1);
    crypto_generichash_update(&h, (const unsigned char *)pu_buf_str(&r->body), r->body.len);
    /* answers carry hits by resolution (src/sameas): a judgement or a
     * resolution run makes them stale; an unreadable counter never matches */
    int64_t gen = -1;
    pu_err ge = {0};
    if (store_generation_get(r->db, RESOLVE_GENERATION, &gen, &ge)) gen = -1 - (int64_t)(pu_monotonic() * 1e9);
    crypto_generichash_update(&h, (const unsigned char *)&gen, sizeof gen);
    crypto_generichash_final(&h, key, 16);
}

/* Under a snapshot: 1 when the answer was copied from the cache into r. */
static int answer_cached(http_req *r, const char *route, unsigned char key[16]) {
    answer_key(r, route, key);
    if (!screen_service_answer_get(r->screen->svc, key, &r->out, &r->targets, &r->detail)) return 0;
    r->status = 200;
    return 1;
}

static void answer_keep(http_req *r, const unsigned char key[16]) {
    screen_service_answer_put(r->screen->svc, key, pu_buf_str(&r->out), r->out.len, pu_buf_str(&r->targets),
                              pu_buf_str(&r->detail));
}

int http_screen_init(screen_service *svc, http_screen_state **out, pu_err *err) {
    *out = NULL;
    http_screen_state *s = calloc(1, sizeof *s);
    if (!s) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    s->svc = svc;
    *out = s;
    return PU_OK;
}

void http_screen_free(http_screen_state *s) { free(s); }

/* A fresh snapshot for this request (the service rebuilds first when the
 * store changed); on failure the request fails, nothing stale is answered. */
static int screen_acquire(http_req *r, screen_snapshot *snap) {
    pu_err e;
    int rc = screen_service_acquire(r->screen->svc, r->st, snap, &e);
    return rc ? http_fail(r, rc, NULL, "the screening index could not be brought up to date: %s", e.msg) : PU_OK;
}

static void screen_release(http_req *r, screen_snapshot *snap) { screen_service_release(r->screen->svc, snap); }

const struct screen_index *http_screen_index_acquire(http_req *r) {
    if (!r->screen || r->screen_ix) return NULL;
    screen_snapshot snap;
    pu_err e;
    if (screen_service_acquire(r->screen->svc, r->st, &snap, &e) != PU_OK) return NULL;
    r->screen_ix = snap.ix;
    return snap.ix;
}

void http_screen_index_release(http_req *r) {
    if (!r->screen || !r->screen_ix) return;
    screen_snapshot snap = {.ix = r->screen_ix};
    screen_service_release(r->screen->svc, &snap);
    r->screen_ix = NULL;
}

static int check_unavailable(http_req *r) {
    return r->screen ? PU_OK : http_fail(r, PU_ERR_INTERRUPTED, NULL, "screening is not available");
}

/* Optional number member in [lo, hi]. */
static int num_member(http_req *r, json_t *o, const char *key, double lo, double hi, double *out) {
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v)) return PU_OK;
    if (!json_is_number(v) || json_number_value(v) < lo || json_number_value(v) > hi)
        return http_fail(r, PU_ERR_INVALID, key, "expected a number from %g to %g", lo, hi);
    *out = json_number_value(v);
    return PU_OK;
}

static int screen_err(http_req *r, int rc, const char *where, const pu_err *e) {
    char field[PU_ERR_FIELD_MAX];
    pu_buf b = PU_BUF_INIT(sizeof field - 1);
    (void)pu_buf_printf(&b, "%s%s%s", where, e->field[0] ? "." : "", e->field);
    pu_strlcpy(field, pu_buf_str(&b), sizeof field);
    pu_buf_free(&b);
    return http_fail(r, rc, field, "%s", e->msg);
}

/* The reader's sameas table (src/sameas) from the process's cache: built
 * when the reader has none current; NULL when it cannot be had (the
 * resolution hits are additional: the screening stands without them). */
static sameas *same_table(http_req *r, const screen_snapshot *snap) {
    void *cache = NULL;   /* sameas.h "The sameas cache" */
    if (r->app && app_state(r->app, "sameas", &cache, NULL) != PU_OK) cache = NULL;
    sameas *same = NULL;
    if (sameas_cache_get(cache, r->db, snap->ix, snap->entity_gen, &r->scope, 0, &same, NULL, NULL) != PU_OK) same = NULL;
    return same;
}

/* yente's per-query response gets "resolved" (SameAsHit, docs/sameas.md)
 * before its closing brace: the designated persons the query's names are
 * resolved spellings of, leaving out entities the response matches. yente
 * clients ignore the member; nothing is added when there is none. */
static int put_resolved(const sameas *same, const screen_query *q, const screen_result *res, pu_buf *out) {
    if (!same || !sameas_spellings(same)) return PU_OK;
    json_t *j = json_pack("{s:[]}", "results");
    json_t *arr = json_object_get(j, "results");
    for (size_t k = 0; k < res->n; k++)
        if (res->matches[k].entity_id)
            json_array_append_new(arr, json_pack("{s:s,s:b}", "id", res->matches[k].entity_id, "match", res->matches[k].match));
    int rc = sameas_annotate_json(same, q->names, q->nnames, j, NULL);
    json_t *hits = json_object_get(j, "resolved");
    if (!rc && hits && out->len && out->data[out->len - 1] == '}') {
        pu_buf_truncate(out, out->len - 1);
        rc = pu_buf_puts(out, ",\"resolved\":");
        if (!rc) rc = http_put_json(out, hits);
        if (!rc) rc = pu_buf_putc(out, '}');
    }
    json_decref(j);
    return rc;
}

/* ---- POST /api/v1/screen ---- */
static int screen_batch(http_req *r, const screen_snapshot *snap) {
    static const char *const keys[] = {"queries", "threshold", "limit", "explain", "scope_topics", "scope_datasets", NULL};
    unsigned char akey[16];
    if (answer_cached(r, "screen", akey)) return PU_OK;
    json_t *o = NULL;
    int rc = http_body_object(r, &o);
    if (rc) return rc;
    double threshold = SCREEN_DEFAULT_THRESHOLD, limit = SCREEN_DEFAULT_LIMIT;
    json_t *qs = json_object_get(o, "queries"), *ex = json_object_get(o, "explain");
    if (!(rc = http_only_keys(r, o, keys, NULL)) && !(rc = num_member(r, o, "threshold", 0.01, 1.0, &threshold)) &&
        !(rc = num_member(r, o, "limit", 1, 100, &limit))) {
        if (!json_is_array(qs) || json_array_size(qs) == 0)
            rc = http_fail(r, PU_ERR_INVALID, "queries", "expected a non-empty array of queries");
        else if (json_array_size(qs) > BATCH_MAX)
            rc = http_fail(r, PU_ERR_LIMIT, "queries", "at most %d queries per request", BATCH_MAX);
        else if (ex && !json_is_boolean(ex))
            rc = http_fail(r, PU_ERR_INVALID, "explain", "expected true or false");
    }
    if (rc) {
        json_decref(o);
        return rc;
    }
    screen_scope_owned designated; /* the designated scope (docs/lists.md) */
    pu_err se;
    json_t *st_ = json_object_get(o, "scope_topics"), *sd_ = json_object_get(o, "scope_datasets");
    if ((st_ && !json_is_string(st_)) || (sd_ && !json_is_string(sd_))) {
        const char *field = st_ && !json_is_string(st_) ? "scope_topics" : "scope_datasets";
        json_decref(o); /* st_ and sd_ are o's */
        return http_fail(r, PU_ERR_INVALID, field, "expected a comma-separated string");
    }
    if (screen_scope_parse(json_string_value(json_object_get(o, "scope_topics")),
                           json_string_value(json_object_get(o, "scope_datasets")), &designated, &se)) {
        json_decref(o);
        return http_fail(r, PU_ERR_INVALID, se.field, "%s", se.msg);
    }
    screen_params p = {.threshold = threshold, .limit = (int)limit, .explain = json_is_true(ex), .scope = &r->scope,
                       .reviews = snap->reviews, .designated = &designated.s};
    json_t *results = json_array();
    size_t nmatch = 0;
    pu_buf names = PU_BUF_INIT(HTTP_AUDIT_NAMES_MAX);
    monitor_graph *owners = NULL; /* the 50 % rule on matched companies (src/monitor) */
    monitor_blocked_set blocked = {0}; /* ... which are designated too (OFAC's 50 % rule) */
    if (monitor_graph_load(r->st, &r->scope, &owners, NULL) != PU_OK) owners = NULL;
    if (owners && monitor_graph_blocked_ids(owners, &blocked.ids, &blocked.n, NULL) != PU_OK) blocked.n = 0;
    p.also_designated = monitor_blocked_has;
    p.also_ctx = &blocked;
    /* the resolved person (issue #21): an additional, explained hit; the
     * answer cache's key holds the resolution generation (answer_key) */
    sameas *same = same_table(r, snap);
    for (size_t i = 0; rc == PU_OK && i < json_array_size(qs); i++) {
        char where[32];
        snprintf(where, sizeof where, "queries[%zu]", i);
        screen_query_owned qo;
        screen_result *res = NULL;
        pu_err e;
        json_t *jr = NULL;
        http_audit_query_names(&names, json_array_get(qs, i)); /* what was asked */
        rc = screen_query_from_json(json_array_get(qs, i), where, &qo, &e);
        int parsed = rc == PU_OK;   /* qo is kept for the resolved person's lookup */
        if (parsed) rc = screen_run(snap->ix, &qo.q, &p, &res, &e);
        if (rc) {
            if (parsed) screen_query_owned_clear(&qo);
            rc = screen_err(r, rc, where, &e);
            break;
        }
        for (size_t k = 0; k < res->n; k++) {
            http_target(r, res->matches[k].entity_id);
            nmatch += res->matches[k].match;
        }
        rc = screen_result_to_json(res, &jr);
        screen_result_free(res);
        if (rc) rc = http_fail(r, rc, NULL, "cannot serialise the result");
        else {
            (void)monitor_annotate_result(owners, jr, NULL);
            (void)sameas_annotate_json(same, qo.q.names, qo.q.nnames, jr, NULL);
            json_array_append_new(results, jr);
        }
        screen_query_owned_clear(&qo);
    }
    monitor_graph_free(owners);
    sameas_free(same);
    monitor_blocked_set_free(&blocked);
    (void)pu_buf_printf(&r->detail, "queries=%zu; matches=%zu; threshold=%.2f", json_array_size(qs), nmatch, threshold);
    http_audit_names_put(r, &names);
    pu_buf_free(&names);
    json_decref(o);
    if (rc) {
        json_decref(results);
        return rc;
    }
    rc = http_json(r, 200, json_pack("{s:f,s:o}", "threshold", threshold, "results", results));
    if (rc == PU_OK) answer_keep(r, akey);
    return rc;
}

int h_screen(http_req *r) {
    screen_snapshot snap;
    int rc = check_unavailable(r);
    if (rc || (rc = screen_acquire(r, &snap))) return rc;
    rc = screen_batch(r, &snap);
    screen_release(r, &snap);
    return rc;
}

/* ---- POST /api/v1/compare ---- */
int h_compare(http_req *r) {
    static const char *const keys[] = {"name1", "name2", "schema", "threshold", NULL};
    int rc = check_unavailable(r);
    json_t *o = NULL;
    if (rc || (rc = http_body_object(r, &o))) return rc;
    const char *n1 = NULL, *n2 = NULL, *schema = NULL;
    double threshold = SCREEN_DEFAULT_THRESHOLD;
    if (!(rc = http_only_keys(r, o, keys, NULL)) && !(rc = http_str_member(r, o, "name1", NULL, &n1)) &&
        !(rc = http_str_member(r, o, "name2", NULL, &n2)) && !(rc = http_str_member(r, o, "schema", NULL, &schema)) &&
        !(rc = num_member(r, o, "threshold", 0.01, 1.0, &threshold))) {
        if (!n1 || !n2) rc = http_fail(r, PU_ERR_INVALID, n1 ? "name2" : "name1", "required");
        else if (schema && !ftm_schema_get(schema)) rc = http_fail(r, PU_ERR_INVALID, "schema", "unknown schema");
    }
    screen_match *m = NULL;
    screen_snapshot snap;
    pu_err e;
    if (rc == PU_OK && (rc = screen_acquire(r, &snap)) == PU_OK) {
        /* the list's token weights score the names; the reader's scope
         * decides whether they are shown */
        rc = screen_compare_as(snap.ix, &r->scope, schema, n1, n2, threshold, &m, &e);
        screen_release(r, &snap);
        if (rc) rc = http_fail(r, rc, e.field[0] ? e.field : NULL, "%s", e.msg);
    }
    json_decref(o);
    if (rc) return rc;
    json_t *j = screen_match_to_json(m);
    screen_match_free(m);
    return http_json(r, 200, j);
}

/* ---- decisions ---- */
typedef struct dec_ctx {
    http_req *r;
    json_t *arr;
} dec_ctx;

static int dec_cb(const screen_review_row *row, void *ctx) {
    dec_ctx *c = ctx;
    ftm_entity *e = NULL;
    pu_err err;
    /* decisions the reader may see (store_scope_sql in screen_reviews_list)
     * about records the reader may see */
    if (store_get(c->r->st, &c->r->scope, row->entity_id, &e, &err) != PU_OK) return 0;
    ftm_entity_free(e);
    json_array_append_new(c->arr, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s?,s:s}", "subject", row->subject,
                                            "entity_id", row->entity_id, "decision", row->decision, "analyst",
                                            row->analyst, "note", row->note, "created", row->created, "agency",
                                            row->owner, "marking", row->marking));
    http_target(c->r, row->entity_id);
    return 0;
}

int h_decisions_list(http_req *r) {
    static const char *const no_args[] = {NULL};
    int rc = check_unavailable(r);
    if (rc || (rc = http_only_args(r, no_args))) return rc;
    dec_ctx c = {r, json_array()};
    pu_err e;
    if ((rc = screen_reviews_list(r->st, &r->scope, dec_cb, &c, &e))) {
        json_decref(c.arr);
        return http_fail(r, rc, NULL, "%s", e.msg);
    }
    (void)pu_buf_printf(&r->detail, "decisions=%zu", json_array_size(c.arr));
    return http_json(r, 200, json_pack("{s:o}", "decisions", c.arr));
}

int h_decision_add(http_req *r) {
    static const char *const keys[] = {"query", "subject", "entity_id", "decision", "note", "marking", NULL};
    int rc = check_unavailable(r);
    json_t *o = NULL;
    if (rc || (rc = http_body_object(r, &o))) return rc;
    const char *subject = NULL, *eid = NULL, *decision = NULL, *note = NULL, *marking = NULL;
    json_t *q = json_object_get(o, "query");
    char key[2048];
    pu_err e;
    if (!(rc = http_only_keys(r, o, keys, NULL)) && !(rc = http_str_member(r, o, "subject", NULL, &subject)) &&
        !(rc = http_str_member(r, o, "entity_id", NULL, &eid)) &&
        !(rc = http_str_member(r, o, "decision", NULL, &decision)) && !(rc = http_str_member(r, o, "note", NULL, &note)) &&
        !(rc = http_str_member(r, o, "marking", NULL, &marking))) {
        if (!eid || !decision || !note) rc = http_fail(r, PU_ERR_INVALID, !eid ? "entity_id" : !decision ? "decision" : "note", "required");
        else if (!subject == !q) rc = http_fail(r, PU_ERR_INVALID, "query", "give either query (a screening query) or subject (its key)");
    }
    if (rc == PU_OK && q) {
        /* the subject key is derived from the query exactly as screening does */
        screen_query_owned qo;
        if ((rc = screen_query_from_json(q, "query", &qo, &e)) == PU_OK) {
            rc = screen_subject_key(&qo.q, key, sizeof key, &e);
            screen_query_owned_clear(&qo);
        }
        if (rc) rc = screen_err(r, rc, "query", &e);
        subject = key;
    }
    if (rc == PU_OK) {
        http_target(r, eid);
        (void)pu_buf_printf(&r->detail, "subject=%.200s; decision=%s", subject, decision);
        ftm_entity *ent = NULL;
        if (store_get(r->st, &r->scope, eid, &ent, &e) != PU_OK)
            rc = http_fail(r, PU_ERR_NOTFOUND, "entity_id", "no entity '%.100s'", eid);
        ftm_entity_free(ent);
    }
    /* the decision is the reader's agency's (screen_review_add records the
     * scope's agency as owner); the service reloads it through the review
     * generation before the next answer */
    screen_review_in in = {subject, eid, decision, r->p.user, note, marking};
    if (rc == PU_OK && (rc = screen_review_add(r->st, &r->scope, &in, &e)))
        rc = http_fail(r, rc, e.field[0] ? e.field : NULL, "%s", e.msg);
    json_t *resp = rc ? NULL : json_pack("{s:s,s:s,s:s,s:s,s:s,s:s?,s:s}", "subject", subject, "entity_id", eid,
                                         "decision", decision, "analyst", r->p.user, "note", note, "agency",
                                         r->scope.system ? NULL : r->scope.agency, "marking",
                                         marking ? marking : SCREEN_REVIEW_DEFAULT_MARKING);
    json_decref(o);
    return rc ? rc : http_json(r, 201, resp);
}

/* ---- yente POST /match/{dataset} ---- */

/* Append the yente entity of id minus its closing brace, from the body cache
 * or the store. PU_ERR_NOTFOUND: deleted (or hidden from this reader) since
 * the index was built. */
static int put_entity(http_req *r, const char *id, pu_buf *out) {
    int rc = PU_OK;
    if (screen_service_body_get(r->screen->svc, id, &r->scope, out, &rc)) return rc;
    ftm_entity *e = NULL;
    json_t *o = NULL;
    pu_err err;
    if (store_get(r->st, &r->scope, id, &e, &err) != PU_OK || http_yente_entity(e, &o) != PU_OK) {
        ftm_entity_free(e);
        return PU_ERR_NOTFOUND;
    }
    pu_buf one = PU_BUF_INIT(HTTP_OUT_MAX);
    rc = http_put_json(&one, o);
    json_decref(o);
    if (rc == PU_OK && (one.len < 2 || pu_buf_str(&one)[one.len - 1] != '}')) rc = PU_ERR_INTERNAL;
    if (rc == PU_OK) {
        /* kept without the closing brace: the scored fields follow it */
        screen_service_body_put(r->screen->svc, e->id, e->owner, e->marking, pu_buf_str(&one), one.len - 1);
        rc = pu_buf_append(out, pu_buf_str(&one), one.len - 1);
    }
    pu_buf_free(&one);
    ftm_entity_free(e);
    return rc;
}

/* One yente ScoredEntityResponse: the entity, then score, match, features,
 * explanations. Written directly: no JSON tree per result. */
static int put_scored(http_req *r, const screen_match *m, pu_buf *out) {
    int rc = put_entity(r, m->entity_id, out);
    if (rc == PU_OK) rc = pu_buf_puts(out, ",\"score\":");
    if (rc == PU_OK) rc = http_put_jreal(out, m->score);
    if (rc == PU_OK) rc = pu_buf_puts(out, m->match ? ",\"match\":true,\"features\":{" : ",\"match\":false,\"features\":{");
    for (size_t i = 0; rc == PU_OK && i < m->explain.nfeatures; i++) {
        const screen_feature *f = &m->explain.features[i];
        if (i) rc = pu_buf_putc(out, ',');
        if (rc == PU_OK) rc = http_put_jstr(out, f->name);
        if (rc == PU_OK) rc = pu_buf_putc(out, ':');
        if (rc == PU_OK) rc = http_put_jreal(out, f->value);
    }
    if (rc == PU_OK) rc = pu_buf_puts(out, "},\"explanations\":{");
    for (size_t i = 0; rc == PU_OK && i < m->explain.nfeatures; i++) {
        const screen_feature *f = &m->explain.features[i];
        if (i) rc = pu_buf_putc(out, ',');
        if (rc == PU_OK) rc = http_put_jstr(out, f->name);
        if (rc == PU_OK) rc = pu_buf_puts(out, ":{\"score\":");
        if (rc == PU_OK) rc = http_put_jreal(out, f->value);
        if (rc == PU_OK) rc = pu_buf_puts(out, ",\"detail\":");
        if (rc == PU_OK) rc = http_put_jstr(out, f->detail ? f->detail : "");
        if (rc == PU_OK) rc = pu_buf_putc(out, '}');
    }
    return rc == PU_OK ? pu_buf_puts(out, "},\"token\":null}") : rc;
}

/* One member of "responses": "key":{"status":200,"results":[...],"total":...,"query":...}. */
static int put_response(http_req *r, const char *key, const json_t *qv, const screen_result *res, const char *ds,
                        const yente_filter *f, int64_t limit, pu_buf *out) {
    int rc = http_put_jstr(out, key);
    if (rc == PU_OK) rc = pu_buf_puts(out, ":{\"status\":200,\"results\":[");
    int64_t n = 0, total = 0;
    for (size_t k = 0; rc == PU_OK && k < res->n; k++) {
        if (!screen_match_in_dataset(&res->matches[k], ds)) continue;
        if (f->active && !yente_filter_keep(r, f, &res->matches[k])) continue;
        total++; /* every candidate that passes, before the limit */
        if (n >= limit) continue;
        size_t mark = out->len;
        if (n && (rc = pu_buf_putc(out, ','))) break;
        rc = put_scored(r, &res->matches[k], out);
        if (rc == PU_ERR_NOTFOUND) { /* deleted since the index was built: skip */
            pu_buf_truncate(out, mark);
            rc = PU_OK;
            continue;
        }
        n++;
        http_target(r, res->matches[k].entity_id);
    }
    /* candidates past the pool were not filtered: the total is a lower bound */
    if (rc == PU_OK)
        rc = pu_buf_printf(out, "],\"total\":{\"value\":%lld,\"relation\":\"%s\"},\"query\":", (long long)total,
                           res->total > res->n && (ds || f->active) ? "gte" : "eq");
    if (rc == PU_OK) rc = http_put_json(out, qv);
    return rc == PU_OK ? pu_buf_putc(out, '}') : rc;
}

/* yente's body members beside `queries`: `weights` (feature -> number; an
 * unknown or unweightable feature is a 400, not ignored: a misspelt weight
 * would silently screen with the default) and `config` (no configuration
 * keys here: any key is a 400, as yente answers an unknown one). *have is 1
 * when weights were given. */
static int match_weights(http_req *r, json_t *o, screen_weights *w, int *have) {
    *have = 0;
    screen_weights_default(w);
    json_t *ws = json_object_get(o, "weights"), *cfg = json_object_get(o, "config");
    if (cfg && !json_is_null(cfg)) {
        if (!json_is_object(cfg)) return http_fail(r, PU_ERR_INVALID, "config", "expected an object");
        const char *k;
        json_t *v;
        json_object_foreach(cfg, k, v) {
            (void)v;
            return http_fail(r, PU_ERR_INVALID, "config", "unknown configuration key '%.60s' (%s has none)", k,
                             SCREEN_ALGO_NAME);
        }
    }
    if (!ws || json_is_null(ws)) return PU_OK;
    if (!json_is_object(ws)) return http_fail(r, PU_ERR_INVALID, "weights", "expected an object of feature weights");
    const char *k;
    json_t *v;
    json_object_foreach(ws, k, v) {
        char field[96];
        snprintf(field, sizeof field, "weights.%.60s", k);
        if (!json_is_number(v)) return http_fail(r, PU_ERR_INVALID, field, "expected a number");
        pu_err e;
        if (screen_weights_set(w, k, json_number_value(v), &e) != PU_OK)
            return http_fail(r, PU_ERR_INVALID, field, "%s", e.msg);
        *have = 1;
    }
    return PU_OK;
}

static int yente_match(http_req *r, const screen_snapshot *snap, int64_t limit, double threshold, double cutoff,
                       const yente_filter *f) {
    unsigned char akey[16];
    if (answer_cached(r, "match", akey)) return PU_OK;
    const char *ds = strcmp(r->params[0], "default") == 0 || strcmp(r->params[0], "all") == 0 ? NULL : r->params[0];
    int rc;
    if (ds) {
        int exists = 0;
        pu_err e;
        if ((rc = screen_dataset_visible(r->st, &r->scope, ds, &exists, &e))) return http_fail(r, rc, NULL, "%s", e.msg);
        if (!exists) return http_fail(r, PU_ERR_NOTFOUND, "dataset", "no such dataset: '%.60s'", ds);
    }
    json_t *o;
    if ((rc = http_body_object(r, &o))) return rc;
    json_t *qs = json_object_get(o, "queries");
    if (!json_is_object(qs) || json_object_size(qs) == 0) rc = http_fail(r, PU_ERR_INVALID, "queries", "expected an object of named queries");
    else if (json_object_size(qs) > MATCH_MAX) rc = http_fail(r, PU_ERR_LIMIT, "queries", "at most %d queries per request", MATCH_MAX);
    screen_weights weights;
    int weighted = 0;
    if (rc == PU_OK) rc = match_weights(r, o, &weights, &weighted);
    if (rc) {
        json_decref(o);
        return rc;
    }
    /* results are filtered by dataset and the yente filters after scoring:
     * score a pool of candidates, filter, then apply the limit. yente's
     * /match/{dataset} is also the designated scope of that dataset;
     * default/all: the designation lists (docs/lists.md) */
    /* topics / include_dataset name what counts as a hit, as in yente: they
     * replace the default scope (the designation lists) instead of
     * narrowing it, so /match?topics=crime finds what no list designates */
    const char *dsl[YENTE_FILTER_MAX + 1] = {ds, NULL}, *tpl[YENTE_FILTER_MAX + 1] = {NULL};
    if (!ds)
        for (size_t i = 0; i < f->ninclude_ds; i++) dsl[i] = f->include_ds[i], dsl[i + 1] = NULL;
    for (size_t i = 0; i < f->ntopics; i++) tpl[i] = f->topics[i], tpl[i + 1] = NULL;
    screen_scope named = {f->ntopics ? tpl : NULL, dsl[0] ? dsl : NULL, 0};
    screen_params p = {.threshold = threshold, .min_score = cutoff, .limit = (int)(ds || f->active ? MATCH_FILTER_POOL : limit),
                       .explain = 1, .scope = &r->scope, .reviews = snap->reviews,
                       .designated = named.topics || named.datasets ? &named : SCREEN_SCOPE_DEFAULT,
                       .weights = weighted ? &weights : NULL};
    const char *key;
    json_t *qv;
    pu_buf *out = &r->out;
    pu_buf_reset(out);
    rc = pu_buf_puts(out, "{\"responses\":{");
    size_t nq = 0;
    pu_buf names = PU_BUF_INIT(HTTP_AUDIT_NAMES_MAX);
    /* hits by resolution (src/sameas) for the default designated scope
     * only: the table's designations are the designation lists', not a
     * dataset's or a filter's (docs/sameas.md) */
    sameas *same = ds || f->active ? NULL : same_table(r, snap);
    json_object_foreach(qs, key, qv) {
        char where[96];
        snprintf(where, sizeof where, "queries.%.60s", key);
        screen_query_owned qo;
        screen_result *res = NULL;
        pu_err e;
        if (rc) break;
        http_audit_query_names(&names, qv);
        rc = screen_query_from_json(qv, where, &qo, &e);
        int parsed = rc == PU_OK;   /* qo is kept for the resolved person's lookup */
        if (parsed) rc = screen_run(snap->ix, &qo.q, &p, &res, &e);
        if (rc) {
            if (parsed) screen_query_owned_clear(&qo);
            rc = screen_err(r, rc, where, &e);
            break;
        }
        if (nq++) rc = pu_buf_putc(out, ',');
        if (rc == PU_OK) rc = put_response(r, key, qv, res, ds, f, limit, out);
        if (rc == PU_OK) rc = put_resolved(same, &qo.q, res, out);
        screen_query_owned_clear(&qo);
        screen_result_free(res);
    }
    sameas_free(same);
    (void)pu_buf_printf(&r->detail, "queries=%zu; dataset=%s", json_object_size(qs), r->params[0]);
    http_audit_names_put(r, &names);
    pu_buf_free(&names);
    json_decref(o);
    if (rc == PU_OK) rc = pu_buf_printf(out, "},\"matcher\":{\"name\":\"" SCREEN_ALGO_NAME "\",\"version\":");
    if (rc == PU_OK) rc = http_put_jstr(out, PUENTE_VERSION);
    if (rc == PU_OK) rc = pu_buf_printf(out, "},\"limit\":%lld}", (long long)limit);
    if (rc) {
        pu_buf_reset(out);
        return rc;
    }
    r->status = 200;
    answer_keep(r, akey);
    return PU_OK;
}

int h_yente_match(http_req *r) {
    int rc = check_unavailable(r);
    int64_t limit = 5;
    double threshold = SCREEN_DEFAULT_THRESHOLD, cutoff = 0;
    yente_filter f;
    if (rc || (rc = http_arg_int(r, "limit", 1, 100, 5, &limit)) ||
        (rc = http_arg_real(r, "threshold", 0, 1, SCREEN_DEFAULT_THRESHOLD, &threshold)) ||
        (rc = http_arg_real(r, "cutoff", 0, 1, 0, &cutoff)) || (rc = yente_filter_parse(r, 0, &f)))
        return rc;
    if (threshold <= 0) return http_fail(r, PU_ERR_INVALID, "threshold", "expected a number in (0, 1]");
    const char *algo = http_arg(r, "algorithm");
    if (algo && !screen_algo_known(algo))
        return http_fail(r, PU_ERR_INVALID, "algorithm", "unknown algorithm '%.40s' (GET /algorithms lists them)", algo);
    screen_snapshot snap;
    if ((rc = screen_acquire(r, &snap))) return rc;
    rc = yente_match(r, &snap, limit, threshold, cutoff, &f);
    screen_release(r, &snap);
    return rc;
}

/* ---- GET|POST /reconcile[/{dataset}]: the OpenRefine reconciliation API ----
 * docs/screening.md "Reconciliation (OpenRefine)". Without `queries`: the
 * service manifest. With `queries` (a JSON object of named queries, sent by
 * OpenRefine as the form field `queries`, also accepted as ?queries= or as a
 * JSON body {"queries": {...}}): per query its candidates with score and
 * match, screened exactly as POST /match/{dataset} screens (the designated
 * scope of the dataset, the reader's scope, reviewed decisions). */

#define RECONCILE_DEFAULT_LIMIT 5
#define RECONCILE_MAX_LIMIT 100

static int hexval(char c) { return isdigit((unsigned char)c) ? c - '0' : (tolower((unsigned char)c) - 'a' + 10); }

/* application/x-www-form-urlencoded: the value of key in body (decoded,
 * malloc'd) or NULL when absent. '+' is a space; a bad %XX is kept as is. */
static char *form_value(const char *body, size_t n, const char *key) {
    size_t klen = strlen(key);
    for (size_t i = 0; i < n;) {
        size_t end = i;
        while (end < n && body[end] != '&') end++;
        if (end - i > klen && strncmp(body + i, key, klen) == 0 && body[i + klen] == '=') {
            size_t from = i + klen + 1, len = end - from;
            char *out = malloc(len + 1);
            if (!out) return NULL;
            size_t o = 0;
            for (size_t k = from; k < end; k++) {
                if (body[k] == '+') out[o++] = ' ';
                else if (body[k] == '%' && k + 2 < end && isxdigit((unsigned char)body[k + 1]) &&
                         isxdigit((unsigned char)body[k + 2])) {
                    out[o++] = (char)(hexval(body[k + 1]) << 4 | hexval(body[k + 2]));
                    k += 2;
                } else out[o++] = body[k];
            }
            out[o] = 0;
            return out;
        }
        i = end + 1;
    }
    return NULL;
}

/* The `queries` object of the request, or NULL (*rc PU_OK: none given, the
 * manifest is asked for; else the request failed). New reference. */
static json_t *reconcile_queries(http_req *r, int *rc) {
    *rc = PU_OK;
    const char *arg = http_arg(r, "queries");
    char *owned = NULL;
    json_t *qs = NULL;
    const char *body = pu_buf_str(&r->body);
    size_t i = 0;
    while (i < r->body.len && isspace((unsigned char)body[i])) i++;
    if (!arg && i < r->body.len && body[i] == '{') { /* a JSON body */
        json_t *o = NULL;
        if ((*rc = http_body_object(r, &o))) return NULL;
        qs = json_incref(json_object_get(o, "queries"));
        json_decref(o);
        if (!qs) {
            *rc = http_fail(r, PU_ERR_INVALID, "queries", "expected an object of named queries");
            return NULL;
        }
    } else {
        if (!arg && r->body.len) arg = owned = form_value(body, r->body.len, "queries");
        if (!arg) return NULL;
        json_error_t je;
        qs = json_loads(arg, 0, &je);
        free(owned);
        if (!qs) {
            *rc = http_fail(r, PU_ERR_INVALID, "queries", "not JSON: %s", je.text);
            return NULL;
        }
    }
    if (!json_is_object(qs) || json_object_size(qs) == 0)
        *rc = http_fail(r, PU_ERR_INVALID, "queries", "expected an object of named queries");
    else if (json_object_size(qs) > MATCH_MAX)
        *rc = http_fail(r, PU_ERR_LIMIT, "queries", "at most %d queries per request", MATCH_MAX);
    if (*rc) {
        json_decref(qs);
        return NULL;
    }
    return qs;
}

/* The service manifest (reconciliation API 0.2). */
static int reconcile_manifest(http_req *r, const char *ds) {
    static const char *const types[] = {"Person", "Company", "Organization", "LegalEntity", "Vessel", "Airplane"};
    json_t *dt = json_array();
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        json_array_append_new(dt, json_pack("{s:s,s:s}", "id", types[i], "name", types[i]));
    char name[160];
    snprintf(name, sizeof name, "Puente screening (%.60s)", ds);
    (void)pu_buf_printf(&r->detail, "manifest; dataset=%s", ds);
    return http_json(r, 200,
                     json_pack("{s:[s,s],s:s,s:s,s:s,s:{s:s},s:o}", "versions", "0.1", "0.2", "name", name,
                               "identifierSpace", "https://followthemoney.tech/explorer/#entity", "schemaSpace",
                               "https://followthemoney.tech/explorer/schemata/", "view", "url", "/entities/{{id}}",
                               "defaultTypes", dt));
}

/* One reconciliation query as a /match query object: {"schema", "properties":
 * {"name": [query], pid: [v...]}}. Errors: 400 naming the member. */
static int reconcile_to_match(http_req *r, const char *key, json_t *q, json_t **out, int64_t *limit) {
    *out = NULL;
    *limit = RECONCILE_DEFAULT_LIMIT;
    char field[160];
    snprintf(field, sizeof field, "queries.%.60s", key);
    if (!json_is_object(q)) return http_fail(r, PU_ERR_INVALID, field, "expected an object with `query`");
    const char *text = json_string_value(json_object_get(q, "query"));
    if (!text || pu_blank(text)) {
        snprintf(field, sizeof field, "queries.%.60s.query", key);
        return http_fail(r, PU_ERR_INVALID, field, "expected a non-empty string");
    }
    json_t *t = json_object_get(q, "type"), *lim = json_object_get(q, "limit");
    if (json_is_array(t)) t = json_array_get(t, 0); /* the API allows a list: the first is the one screened */
    const char *schema = t && !json_is_null(t) ? json_string_value(t) : "LegalEntity";
    if (!schema || !ftm_schema_get(schema)) {
        snprintf(field, sizeof field, "queries.%.60s.type", key);
        return http_fail(r, PU_ERR_INVALID, field, "expected an FtM schema (Person, Company, Organization...)");
    }
    if (lim && !json_is_null(lim)) {
        if (!json_is_integer(lim) || json_integer_value(lim) < 1 || json_integer_value(lim) > RECONCILE_MAX_LIMIT) {
            snprintf(field, sizeof field, "queries.%.60s.limit", key);
            return http_fail(r, PU_ERR_INVALID, field, "expected an integer from 1 to %d", RECONCILE_MAX_LIMIT);
        }
        *limit = json_integer_value(lim);
    }
    json_t *props = json_pack("{s:[s]}", "name", text), *ps = json_object_get(q, "properties");
    if (ps && !json_is_null(ps) && !json_is_array(ps)) {
        json_decref(props);
        snprintf(field, sizeof field, "queries.%.60s.properties", key);
        return http_fail(r, PU_ERR_INVALID, field, "expected a list of {\"pid\", \"v\"}");
    }
    size_t i;
    json_t *p;
    json_array_foreach(ps, i, p) {
        const char *pid = json_string_value(json_object_get(p, "pid"));
        json_t *v = json_object_get(p, "v");
        if (!pid || !*pid || !v) {
            json_decref(props);
            snprintf(field, sizeof field, "queries.%.60s.properties[%zu]", key, i);
            return http_fail(r, PU_ERR_INVALID, field, "expected {\"pid\": property, \"v\": value}");
        }
        json_t *vals = json_object_get(props, pid);
        if (!vals) json_object_set_new(props, pid, vals = json_array());
        if (json_is_array(v)) json_array_extend(vals, v);
        else if (json_is_object(v) && json_is_string(json_object_get(v, "id")))
            json_array_append(vals, json_object_get(v, "id")); /* a reconciled cell: its id */
        else json_array_append(vals, v);
    }
    *out = json_pack("{s:s,s:o}", "schema", schema, "properties", props);
    return PU_OK;
}

/* {"result": [{"id","name","score","match","type":[{"id","name"}],"description"}]} */
static json_t *reconcile_result(http_req *r, const screen_result *res, const char *ds, int64_t limit) {
    json_t *arr = json_array();
    for (size_t k = 0; k < res->n && (int64_t)json_array_size(arr) < limit; k++) {
        const screen_match *m = &res->matches[k];
        if (!screen_match_in_dataset(m, ds)) continue;
        pu_buf d = PU_BUF_INIT(1024);
        for (size_t i = 0; i < m->nprograms; i++) (void)pu_buf_printf(&d, "%s%s", i ? ", " : "", m->programs[i]);
        json_t *o = json_pack("{s:s,s:s,s:f,s:b,s:[{s:s,s:s}]}", "id", m->entity_id, "name", m->caption, "score",
                              m->score, "match", m->match, "type", "id", m->schema, "name", m->schema);
        if (o && d.len) json_object_set_new(o, "description", json_string(pu_buf_str(&d)));
        pu_buf_free(&d);
        if (o) json_array_append_new(arr, o);
        http_target(r, m->entity_id);
    }
    return json_pack("{s:o}", "result", arr);
}

static int reconcile_run(http_req *r, const screen_snapshot *snap, const char *ds, json_t *qs) {
    const char *dsl[2] = {ds, NULL};
    screen_scope named = {NULL, dsl, 0};
    screen_params p = {.limit = ds ? MATCH_FILTER_POOL : RECONCILE_MAX_LIMIT, .scope = &r->scope,
                       .reviews = snap->reviews, .designated = ds ? &named : SCREEN_SCOPE_DEFAULT};
    json_t *out = json_object();
    pu_buf names = PU_BUF_INIT(HTTP_AUDIT_NAMES_MAX);
    const char *key;
    json_t *q;
    int rc = PU_OK;
    json_object_foreach(qs, key, q) {
        json_t *mq = NULL;
        int64_t limit;
        if ((rc = reconcile_to_match(r, key, q, &mq, &limit))) break;
        char where[96];
        snprintf(where, sizeof where, "queries.%.60s", key);
        http_audit_query_names(&names, mq);
        screen_query_owned qo;
        screen_result *res = NULL;
        pu_err e;
        rc = screen_query_from_json(mq, where, &qo, &e);
        json_decref(mq);
        if (rc == PU_OK) {
            rc = screen_run(snap->ix, &qo.q, &p, &res, &e);
            screen_query_owned_clear(&qo);
        }
        if (rc) {
            rc = screen_err(r, rc, where, &e);
            break;
        }
        json_object_set_new(out, key, reconcile_result(r, res, ds, limit));
        screen_result_free(res);
    }
    (void)pu_buf_printf(&r->detail, "reconcile queries=%zu; dataset=%s", json_object_size(qs), ds ? ds : "default");
    http_audit_names_put(r, &names);
    pu_buf_free(&names);
    if (rc) {
        json_decref(out);
        return rc;
    }
    return http_json(r, 200, out);
}

int h_yente_reconcile(http_req *r) {
    int rc = check_unavailable(r);
    if (rc) return rc;
    const char *ds = r->params[0] && strcmp(r->params[0], "default") != 0 && strcmp(r->params[0], "all") != 0
                         ? r->params[0] : NULL;
    if (ds) {
        int exists = 0;
        pu_err e;
        if ((rc = screen_dataset_visible(r->st, &r->scope, ds, &exists, &e))) return http_fail(r, rc, NULL, "%s", e.msg);
        if (!exists) return http_fail(r, PU_ERR_NOTFOUND, "dataset", "no such dataset: '%.60s'", ds);
    }
    json_t *qs = reconcile_queries(r, &rc);
    if (rc) return rc;
    if (!qs) {
        if (strcmp(r->method, "POST") == 0)
            return http_fail(r, PU_ERR_INVALID, "queries", "expected the form field `queries` (a JSON object)");
        return reconcile_manifest(r, ds ? ds : "default");
    }
    screen_snapshot snap;
    if ((rc = screen_acquire(r, &snap))) {
        json_decref(qs);
        return rc;
    }
    rc = reconcile_run(r, &snap, ds, qs);
    screen_release(r, &snap);
    json_decref(qs);
    return rc;
}
