/* sameas_cache.c - the readers' sameas tables kept between requests
 * (sameas.h "The sameas cache"): one entry per (scope, flags), valid while
 * the generations of what the build reads are those it was built at. The
 * keeping itself is common/pu_gencache; this file says what a table's key
 * and generations are. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/pu_gencache.h"
#include "resolve/resolve.h"
#include "sameas/sameas.h"

/* What sameas_build reads: resolution (records, pairs, judgements), the
 * store's entities (designations and their names) and grants (what the
 * reader may see); the index's own generation is the caller's ix_gen. */
static const char *const DOMAINS[] = {RESOLVE_GENERATION, "entity", "grant"};
#define NDOMAINS (sizeof DOMAINS / sizeof DOMAINS[0])
#define NGEN (NDOMAINS + 1)
_Static_assert(NGEN <= PU_GENCACHE_GEN_MAX, "sameas cache: too many generations for pu_gencache");

struct sameas_cache {
    pu_gencache *c;
};

static void *hold(void *v) { return sameas_hold(v); }
static void release(void *v) { sameas_free(v); }
static size_t bytes(const void *v) { return sameas_bytes(v); }
static const pu_gencache_ops SAMEAS_OPS = {hold, release, bytes};

int sameas_cache_new(size_t cap, sameas_cache **out, pu_err *err) {
    *out = calloc(1, sizeof **out);
    if (!*out) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    int rc = pu_gencache_new(cap ? cap : SAMEAS_CACHE_BYTES, NGEN, &SAMEAS_OPS, &(*out)->c, err);
    if (rc) {
        free(*out);
        *out = NULL;
    }
    return rc;
}

void sameas_cache_free(sameas_cache *c) {
    if (!c) return;
    pu_gencache_free(c->c);
    free(c);
}

/* Who reads (the operator, or agency and country) and the flags. */
static void cache_key(const store_scope *s, unsigned flags, char *key, size_t size) {
    snprintf(key, size, "%s|%s|%s|%u", s->system ? "*" : "r", s->system ? "" : (s->agency ? s->agency : ""),
             s->system ? "" : (s->country ? s->country : ""), flags);
}

static int generations(db_t *db, int64_t ix_gen, int64_t *gen, pu_err *err) {
    for (size_t i = 0; i < NDOMAINS; i++) {
        int rc = store_generation_get(db, DOMAINS[i], &gen[i], err);
        if (rc) return rc;
    }
    gen[NDOMAINS] = ix_gen;
    return PU_OK;
}

int sameas_cache_get(sameas_cache *c, db_t *db, const struct screen_index *ix, int64_t ix_gen,
                     const store_scope *scope, unsigned flags, sameas **out, int *hit, pu_err *err) {
    *out = NULL;
    if (hit) *hit = 0;
    if (!c) return sameas_build(db, ix, scope, flags, out, err);
    if (!scope) return pu_fail(err, PU_ERR_INTERNAL, NULL, "scope", "no reader scope");
    char key[PU_GENCACHE_KEY_MAX];
    int64_t gen[NGEN];
    cache_key(scope, flags, key, sizeof key);
    /* read BEFORE the build: a change made during it leaves the entry older
     * than the store, so the next call builds again */
    int rc = generations(db, ix_gen, gen, err);
    if (rc) return rc;
    sameas *s = pu_gencache_lookup(c->c, key, gen);
    if (s) {
        if (hit) *hit = 1;
        *out = s;
        return PU_OK;
    }
    if ((rc = sameas_build(db, ix, scope, flags, &s, err))) return rc;
    pu_gencache_keep(c->c, key, gen, s);
    *out = s;
    return PU_OK;
}

void sameas_cache_get_stats(sameas_cache *c, sameas_cache_stats *out) {
    memset(out, 0, sizeof *out);
    if (!c) return;
    pu_gencache_stats st;
    pu_gencache_get_stats(c->c, &st);
    *out = (sameas_cache_stats){st.hits, st.misses, st.evictions, st.entries, st.bytes};
}

int sameas_cache_state_open(store_t *st, void **state, pu_err *err) {
    (void)st;
    sameas_cache *c = NULL;
    int rc = sameas_cache_new(0, &c, err);
    *state = c;
    return rc;
}

void sameas_cache_state_close(void *state) { sameas_cache_free(state); }
