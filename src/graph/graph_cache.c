/* graph_cache.c - the readers' graphs kept between requests (graph.h "the
 * graph cache"): one entry per (scope, options), valid while the change
 * generations of the domains the graph reads are those it was built at.
 * The keeping itself is common/pu_gencache (LRU by bytes, stale entries
 * dropped at lookup); this file says what a graph's key and generations are. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases/cases.h"
#include "common/pu_gencache.h"
#include "graph/graph_int.h"
#include "resolve/resolve.h"

/* The generation domains graph_load reads: the store's entities and grants,
 * resolution, trace, cargo, tips, case files (the writers bump them in their
 * transactions). */
static const char *const GRAPH_CACHE_DOMAINS[] = {"entity", "grant", RESOLVE_GENERATION, "trace", "cargo", "tips",
                                                  CASES_GENERATION};
#define NDOMAINS (sizeof GRAPH_CACHE_DOMAINS / sizeof GRAPH_CACHE_DOMAINS[0])
_Static_assert(NDOMAINS <= PU_GENCACHE_GEN_MAX, "graph cache: too many generations for pu_gencache");

struct graph_cache {
    pu_gencache *c;
};

static void *hold(void *v) {
    atomic_fetch_add(&((graph *)v)->refs, 1);
    return v;
}
static void release(void *v) { graph_free(v); }
static size_t bytes(const void *v) { return ((const graph *)v)->bytes; }
static const pu_gencache_ops GRAPH_OPS = {hold, release, bytes};

int graph_cache_new(size_t cap, graph_cache **out, pu_err *err) {
    *out = calloc(1, sizeof **out);
    if (!*out) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    int rc = pu_gencache_new(cap ? cap : GRAPH_CACHE_BYTES, NDOMAINS, &GRAPH_OPS, &(*out)->c, err);
    if (rc) {
        free(*out);
        *out = NULL;
    }
    return rc;
}

void graph_cache_free(graph_cache *c) {
    if (!c) return;
    pu_gencache_free(c->c);
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

int graph_cache_get(graph_cache *c, db_t *db, store_t *st, const store_scope *scope, const graph_opts *o, graph **out,
                    int *hit, pu_err *err) {
    *out = NULL;
    if (hit) *hit = 0;
    if (!c) return graph_load(db, st, scope, o, out, err);
    if (!scope) return pu_fail(err, PU_ERR_INTERNAL, NULL, "scope", "no reader scope");
    char key[PU_GENCACHE_KEY_MAX];
    int64_t gen[NDOMAINS];
    cache_key(scope, o, key, sizeof key);
    /* the generations are read BEFORE the load: a change made during the
     * load leaves the entry older than the store, so the next call reloads */
    int rc = generations(db, gen, err);
    if (rc) return rc;
    graph *g = pu_gencache_lookup(c->c, key, gen);
    if (g) {
        if (hit) *hit = 1;
        *out = g;
        return PU_OK;
    }
    if ((rc = graph_load(db, st, scope, o, &g, err))) return rc;
    pu_gencache_keep(c->c, key, gen, g);
    *out = g;
    return PU_OK;
}

void graph_cache_get_stats(graph_cache *c, graph_cache_stats *out) {
    memset(out, 0, sizeof *out);
    if (!c) return;
    pu_gencache_stats s;
    pu_gencache_get_stats(c->c, &s);
    *out = (graph_cache_stats){s.hits, s.misses, s.evictions, s.entries, s.bytes};
}

int graph_cache_state_open(store_t *st, void **state, pu_err *err) {
    (void)st;
    graph_cache *c = NULL;
    int rc = graph_cache_new(0, &c, err);
    *state = c;
    return rc;
}

void graph_cache_state_close(void *state) { graph_cache_free(state); }
