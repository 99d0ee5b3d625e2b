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

#include <sodium.h>

#include "http/http_int.h"
#include "screen/screen.h"

#define REBUILD_MIN_SECONDS 5.0
#define BATCH_MAX 1000   /* queries per POST /api/v1/screen */
#define MATCH_MAX 100    /* queries per POST /match (yente's own limit) */

/* Yente answers carry each result's full entity. Reading it from the store
 * (a row read, a JSON parse, two re-serialisations) cost more than the
 * screening itself, so rendered bodies are kept here, keyed by entity id:
 * open addressing, at most BODY_SLOTS/2 entries and BODY_BYTES_MAX bytes,
 * emptied when full, when this server changes an entity
 * (http_screen_dirty) and when the index is rebuilt. So a body is never
 * older than the screening index that found it. Each entry keeps the
 * entity's owner and marking, and every hit is checked against the reader's
 * scope again (store_visible), so the cache can never widen what a user sees. */
#define BODY_SLOTS 65536u            /* power of two */
#define BODY_BYTES_MAX ((size_t)64 << 20)
#define BODY_ONE_MAX ((size_t)256 << 10)  /* larger bodies are not cached */

/* Whole answers of POST /match and POST /api/v1/screen, keyed by
 * BLAKE2b-128 of everything the answer depends on: the route, the dataset,
 * every query argument, the request body and the reader's scope
 * (store_visible reads only the scope's system flag, country and agency). Screening workloads repeat names (the same counterparties come
 * back every day), and a repeated query then costs a copy instead of a
 * screening. Direct-mapped (a colliding key replaces the entry), at most
 * RESULT_BYTES_MAX bytes, entries live RESULT_TTL_S seconds, and every event
 * that can change an answer empties the table and bumps `generation`: an
 * entity changed through this server, an index rebuild, a reviewed decision.
 * A request stores its answer only if the generation it started under is
 * still current, so an answer computed before a change is never kept after
 * it. The audit entry of a hit is written like any other, with the same
 * targets (kept with the answer). */
#define RESULT_SLOTS 4096u              /* power of two */
#define RESULT_BYTES_MAX ((size_t)32 << 20)
#define RESULT_ONE_MAX ((size_t)256 << 10)
#define RESULT_TTL_S 60.0

typedef struct result_entry {
    unsigned char key[16];
    double at;                 /* pu_monotonic() when stored; 0 = empty */
    char *body, *targets, *detail;
    size_t len;
} result_entry;

typedef struct body_entry {
    char *id, *owner, *marking;
    char *json;  /* the yente entity object, compact */
    size_t len;
} body_entry;

struct http_screen_state {
    pthread_rwlock_t lock;
    pthread_mutex_t rebuild;   /* one rebuild at a time */
    screen_index *ix;
    screen_reviews *reviews;
    atomic_int dirty;
    double built_at;
    pthread_mutex_t bodies_mu; /* guards everything below */
    body_entry *bodies;        /* BODY_SLOTS, or NULL when out of memory */
    size_t nbodies, body_bytes;
    pthread_mutex_t results_mu; /* guards everything below */
    result_entry *results;      /* RESULT_SLOTS, or NULL when out of memory */
    size_t result_bytes;
    uint64_t generation;
};

static void result_free(result_entry *e) {
    free(e->body);
    free(e->targets);
    free(e->detail);
    memset(e, 0, sizeof *e);
}

/* Free every stored answer (caller holds results_mu). */
static void results_drop_locked(http_screen_state *s) {
    for (size_t i = 0; s->results && i < RESULT_SLOTS && s->result_bytes; i++)
        if (s->results[i].at) {
            s->result_bytes -= s->results[i].len;
            result_free(&s->results[i]);
        }
    s->result_bytes = 0;
}

/* Forget every stored answer because an answer may have changed: answers
 * being computed now are not stored either (generation). */
static void results_clear(http_screen_state *s) {
    pthread_mutex_lock(&s->results_mu);
    s->generation++;
    results_drop_locked(s);
    pthread_mutex_unlock(&s->results_mu);
}

static uint64_t results_generation(http_screen_state *s) {
    pthread_mutex_lock(&s->results_mu);
    uint64_t g = s->generation;
    pthread_mutex_unlock(&s->results_mu);
    return g;
}

static enum MHD_Result hash_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value) {
    (void)kind;
    crypto_generichash_state *h = cls;
    crypto_generichash_update(h, (const unsigned char *)key, strlen(key) + 1);
    crypto_generichash_update(h, (const unsigned char *)(value ? value : ""), (value ? strlen(value) : 0) + 1);
    return MHD_YES;
}

/* The key of an answer: the route, the path parameter, every query
 * argument, the reader's scope and the body. */
static void result_key(http_req *r, const char *route, unsigned char key[16]) {
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, 16);
    if (r->conn) MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, hash_arg, &h);
    const char *parts[] = {route, r->params[0] ? r->params[0] : "",
                           r->scope.system ? "system" : "", r->scope.country ? r->scope.country : "",
                           r->scope.agency ? r->scope.agency : ""};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        crypto_generichash_update(&h, (const unsigned char *)parts[i], strlen(parts[i]) + 1);
    crypto_generichash_update(&h, (const unsigned char *)pu_buf_str(&r->body), r->body.len);
    crypto_generichash_final(&h, key, 16);
}

static result_entry *result_slot(http_screen_state *s, const unsigned char key[16]) {
    uint32_t i;
    memcpy(&i, key, sizeof i);
    return &s->results[i & (RESULT_SLOTS - 1)];
}

/* Answer from the table: body, audit targets and detail. 1 if it was there. */
static int results_get(http_screen_state *s, const unsigned char key[16], http_req *r) {
    int hit = 0;
    pthread_mutex_lock(&s->results_mu);
    result_entry *e = s->results ? result_slot(s, key) : NULL;
    if (e && e->at && memcmp(e->key, key, 16) == 0 && pu_monotonic() - e->at < RESULT_TTL_S) {
        pu_buf_reset(&r->out);
        hit = pu_buf_append(&r->out, e->body, e->len) == PU_OK && pu_buf_puts(&r->targets, e->targets) == PU_OK &&
              pu_buf_puts(&r->detail, e->detail) == PU_OK;
    }
    pthread_mutex_unlock(&s->results_mu);
    if (!hit) {
        pu_buf_reset(&r->out);
        pu_buf_reset(&r->targets);
        pu_buf_reset(&r->detail);
    }
    return hit;
}

/* Look the request up (key and generation are kept for results_put): 1 when
 * the answer was copied from the table into r, with status 200. */
static int answer_cached(http_req *r, const char *route, unsigned char key[16], uint64_t *gen) {
    result_key(r, route, key);
    *gen = results_generation(r->screen);
    if (!results_get(r->screen, key, r)) return 0;
    r->status = 200;
    return 1;
}

static void results_put(http_screen_state *s, const unsigned char key[16], uint64_t gen, const http_req *r) {
    if (r->out.len > RESULT_ONE_MAX) return;
    result_entry n = {.at = pu_monotonic(), .len = r->out.len};
    memcpy(n.key, key, 16);
    n.body = malloc(n.len ? n.len : 1);
    n.targets = pu_strdup(pu_buf_str(&r->targets));
    n.detail = pu_strdup(pu_buf_str(&r->detail));
    if (!n.body || !n.targets || !n.detail) {
        result_free(&n);
        return;
    }
    memcpy(n.body, pu_buf_str(&r->out), n.len);
    pthread_mutex_lock(&s->results_mu);
    if (s->results && gen == s->generation) {
        /* full: start over (nothing changed, so the generation stays) */
        if (s->result_bytes + n.len > RESULT_BYTES_MAX) results_drop_locked(s);
        result_entry *e = result_slot(s, key);
        if (e->at) {
            s->result_bytes -= e->len;
            result_free(e);
        }
        *e = n;
        s->result_bytes += n.len;
        n.body = n.targets = n.detail = NULL;
    }
    pthread_mutex_unlock(&s->results_mu);
    result_free(&n);
}

static void bodies_clear_locked(http_screen_state *s) {
    if (!s->bodies) return;
    for (size_t i = 0; i < BODY_SLOTS && s->nbodies; i++) {
        body_entry *b = &s->bodies[i];
        if (!b->id) continue;
        free(b->id);
        free(b->owner);
        free(b->marking);
        free(b->json);
        memset(b, 0, sizeof *b);
        s->nbodies--;
    }
    s->nbodies = 0;
    s->body_bytes = 0;
}

/* Entity bodies and whole answers go together: whatever makes a body stale
 * makes the answers that hold it stale. */
static void bodies_clear(http_screen_state *s) {
    pthread_mutex_lock(&s->bodies_mu);
    bodies_clear_locked(s);
    pthread_mutex_unlock(&s->bodies_mu);
    results_clear(s);
}

static size_t body_slot(const body_entry *tab, const char *id) {
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)id; *p; p++) h = (h ^ *p) * 1099511628211ull;
    size_t i = (size_t)h & (BODY_SLOTS - 1);
    while (tab[i].id && strcmp(tab[i].id, id) != 0) i = (i + 1) & (BODY_SLOTS - 1);
    return i;
}

/* Append the cached body of id minus its closing brace; 1 if it was there. */
static int bodies_put(http_screen_state *s, const char *id, const store_scope *scope, pu_buf *out, int *rc) {
    int hit = 0;
    pthread_mutex_lock(&s->bodies_mu);
    if (s->bodies) {
        const body_entry *b = &s->bodies[body_slot(s->bodies, id)];
        if (b->id && store_visible(scope, b->owner, b->marking)) {
            *rc = pu_buf_append(out, b->json, b->len - 1);
            hit = 1;
        }
    }
    pthread_mutex_unlock(&s->bodies_mu);
    return hit;
}

static void bodies_add(http_screen_state *s, const ftm_entity *e, const char *json, size_t len) {
    if (len < 2 || len > BODY_ONE_MAX) return;
    pthread_mutex_lock(&s->bodies_mu);
    if (s->bodies && (s->nbodies >= BODY_SLOTS / 2 || s->body_bytes + len > BODY_BYTES_MAX)) bodies_clear_locked(s);
    body_entry *b = s->bodies ? &s->bodies[body_slot(s->bodies, e->id)] : NULL;
    if (b && !b->id) {
        b->id = pu_strdup(e->id);
        b->owner = pu_strdup(e->owner ? e->owner : "");
        b->marking = pu_strdup(e->marking ? e->marking : "");
        b->json = malloc(len);
        if (b->id && b->owner && b->marking && b->json) {
            memcpy(b->json, json, len);
            b->len = len;
            s->nbodies++;
            s->body_bytes += len;
        } else {
            free(b->id);
            free(b->owner);
            free(b->marking);
            free(b->json);
            memset(b, 0, sizeof *b);
        }
    }
    pthread_mutex_unlock(&s->bodies_mu);
}

int http_screen_init(store_t *st, http_screen_state **out, pu_err *err) {
    *out = NULL;
    http_screen_state *s = calloc(1, sizeof *s);
    if (!s) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    pthread_rwlock_init(&s->lock, NULL);
    pthread_mutex_init(&s->rebuild, NULL);
    pthread_mutex_init(&s->bodies_mu, NULL);
    pthread_mutex_init(&s->results_mu, NULL);
    s->bodies = calloc(BODY_SLOTS, sizeof *s->bodies); /* NULL: no cache, still correct */
    s->results = calloc(RESULT_SLOTS, sizeof *s->results);
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
    bodies_clear(s);
    free(s->bodies);
    free(s->results);
    pthread_mutex_destroy(&s->results_mu);
    pthread_rwlock_destroy(&s->lock);
    pthread_mutex_destroy(&s->rebuild);
    pthread_mutex_destroy(&s->bodies_mu);
    free(s);
}

void http_screen_dirty(http_screen_state *s) {
    if (!s) return;
    atomic_store(&s->dirty, 1);
    bodies_clear(s);
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
            bodies_clear(s);
        } else {
            atomic_store(&s->dirty, 1); /* try again later; the old index keeps serving */
        }
        pthread_mutex_unlock(&s->rebuild);
    }
    pthread_rwlock_rdlock(&s->lock);
}

static void screen_release(http_req *r) { pthread_rwlock_unlock(&r->screen->lock); }

const struct screen_index *http_screen_index_acquire(http_req *r) {
    if (!r->screen) return NULL;
    screen_acquire(r);
    return r->screen->ix;
}

void http_screen_index_release(http_req *r) {
    if (r->screen) screen_release(r);
}

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
    results_clear(r->screen); /* suppressions changed */
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
    if (rc) return rc;
    unsigned char rkey[16];
    uint64_t gen;
    if (answer_cached(r, "screen", rkey, &gen)) return PU_OK;
    if ((rc = http_body_object(r, &o))) return rc;
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
    rc = http_json(r, 200, json_pack("{s:f,s:o}", "threshold", threshold, "results", results));
    if (rc == PU_OK) results_put(r->screen, rkey, gen, r);
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

/* Append the yente entity of id minus its closing brace, from the body cache
 * or the store. PU_ERR_NOTFOUND: deleted since the index was built. */
static int put_entity(http_req *r, const char *id, pu_buf *out) {
    int rc = PU_OK;
    if (bodies_put(r->screen, id, &r->scope, out, &rc)) return rc;
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
        bodies_add(r->screen, e, pu_buf_str(&one), one.len);
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
                        int64_t limit, pu_buf *out) {
    int rc = http_put_jstr(out, key);
    if (rc == PU_OK) rc = pu_buf_puts(out, ":{\"status\":200,\"results\":[");
    int64_t n = 0;
    for (size_t k = 0; rc == PU_OK && k < res->n && n < limit; k++) {
        if (!in_dataset(&res->matches[k], ds)) continue;
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
    if (rc == PU_OK) rc = pu_buf_printf(out, "],\"total\":{\"value\":%lld,\"relation\":\"eq\"},\"query\":", (long long)n);
    if (rc == PU_OK) rc = http_put_json(out, qv);
    return rc == PU_OK ? pu_buf_putc(out, '}') : rc;
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
    unsigned char rkey[16];
    uint64_t gen;
    if (answer_cached(r, "match", rkey, &gen)) return PU_OK;
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
    const char *key;
    json_t *qv;
    pu_buf *out = &r->out;
    pu_buf_reset(out);
    rc = pu_buf_puts(out, "{\"responses\":{");
    size_t nq = 0;
    screen_acquire(r);
    p.reviews = r->screen->reviews;
    json_object_foreach(qs, key, qv) {
        char where[96];
        snprintf(where, sizeof where, "queries.%.60s", key);
        screen_query_owned qo;
        screen_result *res = NULL;
        pu_err e;
        if (rc) break;
        rc = screen_query_from_json(qv, where, &qo, &e);
        if (rc == PU_OK) {
            rc = screen_run(r->screen->ix, &qo.q, &p, &res, &e);
            screen_query_owned_clear(&qo);
        }
        if (rc) {
            rc = screen_err(r, rc, where, &e);
            break;
        }
        if (nq++) rc = pu_buf_putc(out, ',');
        if (rc == PU_OK) rc = put_response(r, key, qv, res, ds, limit, out);
        screen_result_free(res);
    }
    screen_release(r);
    (void)pu_buf_printf(&r->detail, "queries=%zu; dataset=%s", json_object_size(qs), r->params[0]);
    json_decref(o);
    if (rc == PU_OK) rc = pu_buf_printf(out, "},\"matcher\":{\"name\":\"puente\",\"version\":");
    if (rc == PU_OK) rc = http_put_jstr(out, PUENTE_VERSION);
    if (rc == PU_OK) rc = pu_buf_printf(out, "},\"limit\":%lld}", (long long)limit);
    if (rc) {
        pu_buf_reset(out);
        return rc;
    }
    r->status = 200;
    results_put(r->screen, rkey, gen, r);
    return PU_OK;
}
