/* sameas_cache.c - the readers' sameas tables kept between requests
 * (sameas.h "The sameas cache"): one entry per (scope, flags), valid while
 * the generations of what the build reads are those it was built at. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resolve/resolve.h"
#include "sameas/sameas.h"

/* What sameas_build reads: resolution (records, pairs, judgements), the
 * store's entities (designations and their names) and grants (what the
 * reader may see); the index's own generation is the caller's ix_gen. */
static const char *const DOMAINS[] = {RESOLVE_GENERATION, "entity", "grant"};
#define NDOMAINS (sizeof DOMAINS / sizeof DOMAINS[0])
#define NGEN (NDOMAINS + 1)
#define KEY_MAX 160

typedef struct centry {
    char key[KEY_MAX];
    int64_t gen[NGEN];
    sameas *s;           /* one reference held by the cache */
    uint64_t used;       /* LRU tick */
} centry;

struct sameas_cache {
    pthread_mutex_t mu;
    size_t cap, bytes;
    centry *e;
    size_t n, size;
    uint64_t tick;
    sameas_cache_stats st;
};

int sameas_cache_new(size_t cap, sameas_cache **out, pu_err *err) {
    *out = calloc(1, sizeof **out);
    if (!*out) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    pthread_mutex_init(&(*out)->mu, NULL);
    (*out)->cap = cap ? cap : SAMEAS_CACHE_BYTES;
    return PU_OK;
}

void sameas_cache_free(sameas_cache *c) {
    if (!c) return;
    for (size_t i = 0; i < c->n; i++) sameas_free(c->e[i].s);
    free(c->e);
    pthread_mutex_destroy(&c->mu);
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

/* Drop entry i (the caller holds the lock). */
static void drop(sameas_cache *c, size_t i) {
    c->bytes -= sameas_bytes(c->e[i].s);
    sameas_free(c->e[i].s);
    c->e[i] = c->e[--c->n];
}

/* A current entry for key, with a reference for the caller. An entry of any
 * reader built at other generations is stale and dropped here. */
static sameas *lookup(sameas_cache *c, const char *key, const int64_t *gen) {
    for (size_t i = c->n; i-- > 0;)
        if (memcmp(c->e[i].gen, gen, sizeof c->e[i].gen)) drop(c, i);
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->e[i].key, key)) {
            c->e[i].used = ++c->tick;
            return sameas_hold(c->e[i].s);
        }
    return NULL;
}

/* Keep s under key (the caller holds the lock), evicting the least recently
 * used past the cap. A table over the cap is not kept. */
static void keep(sameas_cache *c, const char *key, const int64_t *gen, sameas *s) {
    size_t b = sameas_bytes(s);
    if (b > c->cap) return;
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->e[i].key, key)) {   /* another thread built it meanwhile */
            if (!memcmp(c->e[i].gen, gen, sizeof c->e[i].gen)) return;
            drop(c, i);
            break;
        }
    while (c->n && c->bytes + b > c->cap) {
        size_t old = 0;
        for (size_t i = 1; i < c->n; i++)
            if (c->e[i].used < c->e[old].used) old = i;
        drop(c, old);
        c->st.evictions++;
    }
    if (c->n == c->size) {
        size_t ns = c->size ? 2 * c->size : 8;
        centry *e = realloc(c->e, ns * sizeof *e);
        if (!e) return;   /* not kept: the caller still has its table */
        c->e = e;
        c->size = ns;
    }
    centry *x = &c->e[c->n++];
    pu_strlcpy(x->key, key, sizeof x->key);
    memcpy(x->gen, gen, sizeof x->gen);
    x->s = sameas_hold(s);
    x->used = ++c->tick;
    c->bytes += b;
}

int sameas_cache_get(sameas_cache *c, db_t *db, const struct screen_index *ix, int64_t ix_gen,
                     const store_scope *scope, unsigned flags, sameas **out, int *hit, pu_err *err) {
    *out = NULL;
    if (hit) *hit = 0;
    if (!c) return sameas_build(db, ix, scope, flags, out, err);
    if (!scope) return pu_fail(err, PU_ERR_INTERNAL, NULL, "scope", "no reader scope");
    char key[KEY_MAX];
    int64_t gen[NGEN];
    cache_key(scope, flags, key, sizeof key);
    /* read BEFORE the build: a change made during it leaves the entry older
     * than the store, so the next call builds again */
    int rc = generations(db, ix_gen, gen, err);
    if (rc) return rc;
    pthread_mutex_lock(&c->mu);
    sameas *s = lookup(c, key, gen);
    if (s) c->st.hits++;
    else c->st.misses++;
    pthread_mutex_unlock(&c->mu);
    if (s) {
        if (hit) *hit = 1;
        *out = s;
        return PU_OK;
    }
    if ((rc = sameas_build(db, ix, scope, flags, &s, err))) return rc;
    pthread_mutex_lock(&c->mu);
    keep(c, key, gen, s);
    pthread_mutex_unlock(&c->mu);
    *out = s;
    return PU_OK;
}

void sameas_cache_get_stats(sameas_cache *c, sameas_cache_stats *out) {
    memset(out, 0, sizeof *out);
    if (!c) return;
    pthread_mutex_lock(&c->mu);
    *out = c->st;
    out->tables = c->n;
    out->bytes = c->bytes;
    pthread_mutex_unlock(&c->mu);
}

int sameas_cache_state_open(store_t *st, void **state, pu_err *err) {
    (void)st;
    sameas_cache *c = NULL;
    int rc = sameas_cache_new(0, &c, err);
    *state = c;
    return rc;
}

void sameas_cache_state_close(void *state) { sameas_cache_free(state); }
