/* graph_cache.c - the readers' graphs kept between requests (graph.h "the
 * graph cache"): one entry per (scope, options), valid while the change
 * generations of the domains the graph reads are those it was built at. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "graph/graph_int.h"
#include "cases/cases.h"
#include "resolve/resolve.h"

/* The generation domains graph_load reads: the store's entities and grants,
 * resolution, trace, cargo, tips, case files (the writers bump them in their
 * transactions). */
static const char *const GRAPH_CACHE_DOMAINS[] = {"entity", "grant", RESOLVE_GENERATION, "trace", "cargo", "tips",
                                                  CASES_GENERATION};
#define NDOMAINS (sizeof GRAPH_CACHE_DOMAINS / sizeof GRAPH_CACHE_DOMAINS[0])
#define GRAPH_CACHE_KEY_MAX 160

typedef struct centry {
    char key[GRAPH_CACHE_KEY_MAX];
    int64_t gen[NDOMAINS];
    graph *g;            /* one reference held by the cache */
    uint64_t used;       /* LRU tick */
} centry;

struct graph_cache {
    pthread_mutex_t mu;
    size_t cap, bytes;
    centry *e;
    size_t n, size;
    uint64_t tick;
    graph_cache_stats st;
};

int graph_cache_new(size_t cap, graph_cache **out, pu_err *err) {
    *out = calloc(1, sizeof **out);
    if (!*out) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    pthread_mutex_init(&(*out)->mu, NULL);
    (*out)->cap = cap ? cap : GRAPH_CACHE_BYTES;
    return PU_OK;
}

void graph_cache_free(graph_cache *c) {
    if (!c) return;
    for (size_t i = 0; i < c->n; i++) graph_free(c->e[i].g);
    free(c->e);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

/* The cache key: who reads (the operator, or agency and country) and the
 * options that change what is loaded. */
static void cache_key(const store_scope *s, const graph_opts *o, char *key, size_t size) {
    snprintf(key, size, "%s|%s|%s|%s|%s|%d", s->system ? "*" : "r", s->system ? "" : (s->agency ? s->agency : ""),
             s->system ? "" : (s->country ? s->country : ""), o && o->from ? o->from : "", o && o->to ? o->to : "",
             o && o->with_tips);
}

static int generations(db_t *db, int64_t *gen, pu_err *err) {
    for (size_t i = 0; i < NDOMAINS; i++) {
        int rc = store_generation_get(db, GRAPH_CACHE_DOMAINS[i], &gen[i], err);
        if (rc) return rc;
    }
    return PU_OK;
}

/* Drop entry i (the caller holds the lock). */
static void drop(graph_cache *c, size_t i) {
    c->bytes -= c->e[i].g->bytes;
    graph_free(c->e[i].g);
    c->e[i] = c->e[--c->n];
}

/* A current entry for key, taking a reference for the caller. The
 * generations are the store's, not the reader's: an entry of any reader
 * built at other generations is stale, and is dropped here (its memory goes
 * with its last holder). */
static graph *lookup(graph_cache *c, const char *key, const int64_t *gen) {
    for (size_t i = c->n; i-- > 0;)
        if (memcmp(c->e[i].gen, gen, sizeof c->e[i].gen)) drop(c, i);
    for (size_t i = 0; i < c->n; i++) {
        if (strcmp(c->e[i].key, key)) continue;
        c->e[i].used = ++c->tick;
        atomic_fetch_add(&c->e[i].g->refs, 1);
        return c->e[i].g;
    }
    return NULL;
}

/* Keep g under key (the caller holds the lock), evicting the least
 * recently used past the cap. A graph over the cap is not kept. */
static void keep(graph_cache *c, const char *key, const int64_t *gen, graph *g) {
    if (g->bytes > c->cap) return;
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->e[i].key, key)) {   /* another thread loaded it meanwhile */
            if (!memcmp(c->e[i].gen, gen, sizeof c->e[i].gen)) return;
            drop(c, i);
            break;
        }
    while (c->n && c->bytes + g->bytes > c->cap) {
        size_t old = 0;
        for (size_t i = 1; i < c->n; i++)
            if (c->e[i].used < c->e[old].used) old = i;
        drop(c, old);
        c->st.evictions++;
    }
    if (c->n == c->size) {
        size_t ns = c->size ? 2 * c->size : 8;
        centry *e = realloc(c->e, ns * sizeof *e);
        if (!e) return;   /* not kept: the caller still has its graph */
        c->e = e;
        c->size = ns;
    }
    centry *x = &c->e[c->n++];
    pu_strlcpy(x->key, key, sizeof x->key);
    memcpy(x->gen, gen, sizeof x->gen);
    x->g = g;
    x->used = ++c->tick;
    atomic_fetch_add(&g->refs, 1);
    c->bytes += g->bytes;
}

int graph_cache_get(graph_cache *c, db_t *db, store_t *st, const store_scope *scope, const graph_opts *o, graph **out,
                    int *hit, pu_err *err) {
    *out = NULL;
    if (hit) *hit = 0;
    if (!c) return graph_load(db, st, scope, o, out, err);
    if (!scope) return pu_fail(err, PU_ERR_INTERNAL, NULL, "scope", "no reader scope");
    char key[GRAPH_CACHE_KEY_MAX];
    int64_t gen[NDOMAINS];
    cache_key(scope, o, key, sizeof key);
    /* the generations are read BEFORE the load: a change made during the
     * load leaves the entry older than the store, so the next call reloads */
    int rc = generations(db, gen, err);
    if (rc) return rc;
    pthread_mutex_lock(&c->mu);
    graph *g = lookup(c, key, gen);
    if (g) c->st.hits++;
    else c->st.misses++;
    pthread_mutex_unlock(&c->mu);
    if (g) {
        if (hit) *hit = 1;
        *out = g;
        return PU_OK;
    }
    if ((rc = graph_load(db, st, scope, o, &g, err))) return rc;
    pthread_mutex_lock(&c->mu);
    keep(c, key, gen, g);
    pthread_mutex_unlock(&c->mu);
    *out = g;
    return PU_OK;
}

void graph_cache_get_stats(graph_cache *c, graph_cache_stats *out) {
    memset(out, 0, sizeof *out);
    if (!c) return;
    pthread_mutex_lock(&c->mu);
    *out = c->st;
    out->graphs = c->n;
    out->bytes = c->bytes;
    pthread_mutex_unlock(&c->mu);
}

int graph_cache_state_open(store_t *st, void **state, pu_err *err) {
    (void)st;
    graph_cache *c = NULL;
    int rc = graph_cache_new(0, &c, err);
    *state = c;
    return rc;
}

void graph_cache_state_close(void *state) { graph_cache_free(state); }
