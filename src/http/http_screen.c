/* http_screen.c - screening over HTTP: POST /api/v1/screen (batch),
 * /api/v1/compare, reviewed decisions, and yente's POST /match/{dataset}.
 *
 * One immutable screening index and one immutable set of reviewed decisions
 * are shared by every worker thread; a reader holds the read lock while it
 * uses them, a rebuild swaps them under the write lock. Markings are applied
 * by screen_run through the caller's scope: entities a user may not see are
 * never scored, returned or counted. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_int.h"
#include "screen/screen.h"

#define REBUILD_MIN_SECONDS 5.0
#define BATCH_MAX 1000   /* queries per POST /api/v1/screen */
#define MATCH_MAX 100    /* queries per POST /match (yente's own limit) */

struct http_screen_state {
    pthread_rwlock_t lock;
    pthread_mutex_t rebuild;   /* one rebuild at a time */
    screen_index *ix;
    screen_reviews *reviews;
    atomic_int dirty;
    double built_at;
};

int http_screen_init(store_t *st, http_screen_state **out, pu_err *err) {
    *out = NULL;
    http_screen_state *s = calloc(1, sizeof *s);
    if (!s) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    pthread_rwlock_init(&s->lock, NULL);
    pthread_mutex_init(&s->rebuild, NULL);
    int rc = screen_index_build(st, NULL, &s->ix, err);
    if (rc == PU_OK) rc = screen_reviews_load(st, &s->reviews, err);
    if (rc) {
        http_screen_free(s);
        return rc;
    }
    s->built_at = pu_monotonic();
    *out = s;
    return PU_OK;
}

void http_screen_free(http_screen_state *s) {
    if (!s) return;
    screen_index_free(s->ix);
    screen_reviews_free(s->reviews);
    pthread_rwlock_destroy(&s->lock);
    pthread_mutex_destroy(&s->rebuild);
    free(s);
}

void http_screen_dirty(http_screen_state *s) {
    if (s) atomic_store(&s->dirty, 1);
}

/* Rebuild the index if entities changed (rate-limited), then take the read lock. */
static void screen_acquire(http_req *r) {
    http_screen_state *s = r->screen;
    if (atomic_load(&s->dirty) && pu_monotonic() - s->built_at >= REBUILD_MIN_SECONDS &&
        pthread_mutex_trylock(&s->rebuild) == 0) {
        screen_index *ix = NULL;
        pu_err e;
        atomic_store(&s->dirty, 0);
        if (screen_index_build(r->st, NULL, &ix, &e) == PU_OK) {
            pthread_rwlock_wrlock(&s->lock);
            screen_index *old = s->ix;
            s->ix = ix;
            s->built_at = pu_monotonic();
            pthread_rwlock_unlock(&s->lock);
            screen_index_free(old);
        } else {
            atomic_store(&s->dirty, 1); /* try again later; the old index keeps serving */
        }
        pthread_mutex_unlock(&s->rebuild);
    }
    pthread_rwlock_rdlock(&s->lock);
}

static void screen_release(http_req *r) { pthread_rwlock_unlock(&r->screen->lock); }

static int reload_reviews(http_req *r) {
    screen_reviews *nr;
    pu_err e;
    int rc = screen_reviews_load(r->st, &nr, &e);
    if (rc) return rc;
    pthread_rwlock_wrlock(&r->screen->lock);
    screen_reviews *old = r->screen->reviews;
    r->screen->reviews = nr;
    pthread_rwlock_unlock(&r->screen->lock);
    screen_reviews_free(old);
    return PU_OK;
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

/* ---- POST /api/v1/screen ---- */
int h_screen(http_req *r) {
    static const char *const keys[] = {"queries", "threshold", "limit", "explain", NULL};
    int rc = check_unavailable(r);
    json_t *o = NULL;
    if (rc || (rc = http_body_object(r, &o))) return rc;
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
    screen_params p = {.threshold = threshold, .limit = (int)limit, .explain = json_is_true(ex), .scope = &r->scope};
    json_t *results = json_array();
    size_t nmatch = 0;
    screen_acquire(r);
    p.reviews = r->screen->reviews;
    for (size_t i = 0; rc == PU_OK && i < json_array_size(qs); i++) {
        char where[32];
        snprintf(where, sizeof where, "queries[%zu]", i);
        screen_query_owned qo;
        screen_result *res = NULL;
        pu_err e;
        json_t *jr = NULL;
        rc = screen_query_from_json(json_array_get(qs, i), where, &qo, &e);
        if (rc == PU_OK) {
            rc = screen_run(r->screen->ix, &qo.q, &p, &res, &e);
            screen_query_owned_clear(&qo);
        }
        if (rc) {
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
        else json_array_append_new(results, jr);
    }
    screen_release(r);
    (void)pu_buf_printf(&r->detail, "queries=%zu; matches=%zu; threshold=%.2f", json_array_size(qs), nmatch, threshold);
    json_decref(o);
    if (rc) {
        json_decref(results);
        return rc;
    }
    return http_json(r, 200, json_pack("{s:f,s:o}", "threshold", threshold, "results", results));
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
    pu_err e;
    if (rc == PU_OK) {
        screen_acquire(r);
        rc = screen_compare(r->screen->ix, schema, n1, n2, threshold, &m, &e);
        screen_release(r);
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

static int dec_cb(const char *subject, const char *entity_id, const char *decision, const char *analyst,
                  const char *note, const char *created, void *ctx) {
    dec_ctx *c = ctx;
    ftm_entity *e = NULL;
    pu_err err;
    /* only decisions about records the reader may see */
    if (store_get(c->r->st, &c->r->scope, entity_id, &e, &err) != PU_OK) return 0;
    ftm_entity_free(e);
    json_array_append_new(c->arr, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "subject", subject, "entity_id", entity_id,
                                            "decision", decision, "analyst", analyst, "note", note, "created", created));
    http_target(c->r, entity_id);
    return 0;
}

int h_decisions_list(http_req *r) {
    static const char *const no_args[] = {NULL};
    int rc = check_unavailable(r);
    if (rc || (rc = http_only_args(r, no_args))) return rc;
    dec_ctx c = {r, json_array()};
    screen_acquire(r);
    screen_reviews_each(r->screen->reviews, dec_cb, &c);
    screen_release(r);
    (void)pu_buf_printf(&r->detail, "decisions=%zu", json_array_size(c.arr));
    return http_json(r, 200, json_pack("{s:o}", "decisions", c.arr));
}

int h_decision_add(http_req *r) {
    static const char *const keys[] = {"query", "subject", "entity_id", "decision", "note", NULL};
    int rc = check_unavailable(r);
    json_t *o = NULL;
    if (rc || (rc = http_body_object(r, &o))) return rc;
    const char *subject = NULL, *eid = NULL, *decision = NULL, *note = NULL;
    json_t *q = json_object_get(o, "query");
    char key[2048];
    pu_err e;
    if (!(rc = http_only_keys(r, o, keys, NULL)) && !(rc = http_str_member(r, o, "subject", NULL, &subject)) &&
        !(rc = http_str_member(r, o, "entity_id", NULL, &eid)) &&
        !(rc = http_str_member(r, o, "decision", NULL, &decision)) && !(rc = http_str_member(r, o, "note", NULL, &note))) {
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
    if (rc == PU_OK && (rc = screen_review_add(r->st, subject, eid, decision, r->p.user, note, &e)))
        rc = http_fail(r, rc, e.field[0] ? e.field : NULL, "%s", e.msg);
    json_t *resp = rc ? NULL : json_pack("{s:s,s:s,s:s,s:s,s:s}", "subject", subject, "entity_id", eid, "decision",
                                         decision, "analyst", r->p.user, "note", note);
    json_decref(o);
    if (rc) return rc;
    if ((rc = reload_reviews(r))) {
        json_decref(resp);
        return http_fail(r, rc, NULL, "the decision was stored but could not be loaded");
    }
    return http_json(r, 201, resp);
}

/* ---- yente POST /match/{dataset} ---- */
static int in_dataset(const screen_match *m, const char *ds) {
    if (!ds) return 1;
    for (size_t i = 0; i < m->ndatasets; i++)
        if (strcmp(m->datasets[i], ds) == 0) return 1;
    return 0;
}

/* One yente ScoredEntityResponse: the entity + score, match, features, explanations. */
static json_t *scored(http_req *r, const screen_match *m) {
    ftm_entity *e = NULL;
    pu_err err;
    json_t *o = NULL;
    if (store_get(r->st, &r->scope, m->entity_id, &e, &err) != PU_OK || http_yente_entity(e, &o) != PU_OK) {
        ftm_entity_free(e);
        return NULL; /* deleted since the index was built: skip */
    }
    ftm_entity_free(e);
    json_object_set_new(o, "score", json_real(m->score));
    json_object_set_new(o, "match", json_boolean(m->match));
    json_t *feat = json_object(), *expl = json_object();
    for (size_t i = 0; i < m->explain.nfeatures; i++) {
        const screen_feature *f = &m->explain.features[i];
        json_object_set_new(feat, f->name, json_real(f->value));
        json_object_set_new(expl, f->name, json_pack("{s:f,s:s}", "score", f->value, "detail", f->detail ? f->detail : ""));
    }
    json_object_set_new(o, "features", feat);
    json_object_set_new(o, "explanations", expl);
    json_object_set_new(o, "token", json_null());
    return o;
}

int h_yente_match(http_req *r) {
    int rc = check_unavailable(r);
    int64_t limit = 5;
    double threshold = SCREEN_DEFAULT_THRESHOLD;
    if (rc || (rc = http_arg_int(r, "limit", 1, 100, 5, &limit))) return rc;
    const char *t = http_arg(r, "threshold");
    if (t) {
        char *end;
        threshold = strtod(t, &end);
        if (*end || end == t || threshold <= 0 || threshold > 1)
            return http_fail(r, PU_ERR_INVALID, "threshold", "expected a number in (0, 1]");
    }
    const char *ds = strcmp(r->params[0], "default") == 0 || strcmp(r->params[0], "all") == 0 ? NULL : r->params[0];
    if (ds) {
        store_query dq = {.dataset = ds, .limit = 1};
        int64_t n = 0;
        pu_err e;
        if ((rc = store_count(r->st, &r->scope, &dq, &n, &e))) return http_fail(r, rc, NULL, "%s", e.msg);
        if (n == 0) return http_fail(r, PU_ERR_NOTFOUND, "dataset", "no such dataset: '%.60s'", ds);
    }
    json_t *o;
    if ((rc = http_body_object(r, &o))) return rc;
    json_t *qs = json_object_get(o, "queries");
    if (!json_is_object(qs) || json_object_size(qs) == 0) rc = http_fail(r, PU_ERR_INVALID, "queries", "expected an object of named queries");
    else if (json_object_size(qs) > MATCH_MAX) rc = http_fail(r, PU_ERR_LIMIT, "queries", "at most %d queries per request", MATCH_MAX);
    if (rc) {
        json_decref(o);
        return rc;
    }
    /* results are filtered by dataset after scoring: ask for more */
    screen_params p = {.threshold = threshold, .limit = (int)(ds ? limit * 4 : limit), .explain = 1, .scope = &r->scope};
    json_t *responses = json_object();
    const char *key;
    json_t *qv;
    screen_acquire(r);
    p.reviews = r->screen->reviews;
    json_object_foreach(qs, key, qv) {
        char where[96];
        snprintf(where, sizeof where, "queries.%.60s", key);
        screen_query_owned qo;
        screen_result *res = NULL;
        pu_err e;
        rc = screen_query_from_json(qv, where, &qo, &e);
        if (rc == PU_OK) {
            rc = screen_run(r->screen->ix, &qo.q, &p, &res, &e);
            screen_query_owned_clear(&qo);
        }
        if (rc) {
            rc = screen_err(r, rc, where, &e);
            break;
        }
        json_t *results = json_array();
        for (size_t k = 0; k < res->n && (int64_t)json_array_size(results) < limit; k++) {
            if (!in_dataset(&res->matches[k], ds)) continue;
            json_t *j = scored(r, &res->matches[k]);
            if (!j) continue;
            json_array_append_new(results, j);
            http_target(r, res->matches[k].entity_id);
        }
        json_t *resp = json_pack("{s:i,s:o,s:{s:I,s:s},s:O}", "status", 200, "results", results, "total", "value",
                                 (json_int_t)json_array_size(results), "relation", "eq", "query", qv);
        json_object_set_new(responses, key, resp);
        screen_result_free(res);
    }
    screen_release(r);
    (void)pu_buf_printf(&r->detail, "queries=%zu; dataset=%s", json_object_size(qs), r->params[0]);
    json_decref(o);
    if (rc) {
        json_decref(responses);
        return rc;
    }
    return http_json(r, 200, json_pack("{s:o,s:{s:s,s:s},s:I}", "responses", responses, "matcher", "name", "puente",
                                       "version", PUENTE_VERSION, "limit", (json_int_t)limit));
}
