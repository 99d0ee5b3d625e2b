/* pu_gencache.c - values kept per key while the store's generations hold
 * (contract in pu_gencache.h). A flat pu_vec scanned under one mutex: the
 * entries are one per reader scope, a few dozen at most. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/pu_gencache.h"
#include "common/pu_vec.h"

typedef struct gentry {
    char key[PU_GENCACHE_KEY_MAX];
    int64_t gen[PU_GENCACHE_GEN_MAX];
    void *v;            /* one reference held by the cache */
    size_t bytes;       /* ops->bytes(v) when kept */
    uint64_t used;      /* LRU tick */
} gentry;

struct pu_gencache {
    pthread_mutex_t mu;
    const pu_gencache_ops *ops;
    size_t cap, ngen, bytes;
    pu_vec entries;     /* gentry */
    uint64_t tick;
    pu_gencache_stats st;
};

int pu_gencache_new(size_t cap, size_t ngen, const pu_gencache_ops *ops, pu_gencache **out, pu_err *err) {
    *out = NULL;
    if (!ngen || ngen > PU_GENCACHE_GEN_MAX || !ops)
        return pu_fail(err, PU_ERR_INVALID, NULL, "ngen", "expected 1 to %d generations", PU_GENCACHE_GEN_MAX);
    pu_gencache *c = calloc(1, sizeof *c);
    if (!c) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    pthread_mutex_init(&c->mu, NULL);
    c->ops = ops;
    c->cap = cap;
    c->ngen = ngen;
    pu_vec_init(&c->entries, sizeof(gentry), 0);
    *out = c;
    return PU_OK;
}

void pu_gencache_free(pu_gencache *c) {
    if (!c) return;
    gentry *e = c->entries.data;
    for (size_t i = 0; i < c->entries.len; i++) c->ops->release(e[i].v);
    pu_vec_free(&c->entries);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

static int same_gen(const pu_gencache *c, const gentry *x, const int64_t *gen) {
    return !memcmp(x->gen, gen, c->ngen * sizeof *gen);
}

/* Drop entry i (the caller holds the lock). */
static void drop(pu_gencache *c, size_t i) {
    gentry *e = c->entries.data;
    c->bytes -= e[i].bytes;
    c->ops->release(e[i].v);
    e[i] = e[--c->entries.len];
}

void *pu_gencache_lookup(pu_gencache *c, const char *key, const int64_t *gen) {
    void *v = NULL;
    pthread_mutex_lock(&c->mu);
    gentry *e = c->entries.data;
    for (size_t i = c->entries.len; i-- > 0;)
        if (!same_gen(c, &e[i], gen)) drop(c, i);
    for (size_t i = 0; i < c->entries.len && !v; i++)
        if (!strcmp(e[i].key, key)) {
            e[i].used = ++c->tick;
            v = c->ops->hold(e[i].v);
        }
    if (v) c->st.hits++;
    else c->st.misses++;
    pthread_mutex_unlock(&c->mu);
    return v;
}

void pu_gencache_keep(pu_gencache *c, const char *key, const int64_t *gen, void *v) {
    size_t b = c->ops->bytes(v);
    if (b > c->cap) return;
    pthread_mutex_lock(&c->mu);
    gentry *e = c->entries.data;
    int kept = 0;
    for (size_t i = 0; i < c->entries.len; i++)
        if (!strcmp(e[i].key, key)) {   /* another caller built it meanwhile */
            if (same_gen(c, &e[i], gen)) kept = 1;
            else drop(c, i);
            break;
        }
    while (!kept && c->entries.len && c->bytes + b > c->cap) {
        size_t old = 0;
        for (size_t i = 1; i < c->entries.len; i++)
            if (e[i].used < e[old].used) old = i;
        drop(c, old);
        c->st.evictions++;
    }
    gentry x = {.v = v, .bytes = b, .used = c->tick + 1};
    pu_strlcpy(x.key, key, sizeof x.key);
    memcpy(x.gen, gen, c->ngen * sizeof *gen);
    if (!kept && pu_vec_push(&c->entries, &x, sizeof x) == PU_OK) {   /* out of memory: not kept */
        c->ops->hold(v);
        c->tick++;
        c->bytes += b;
    }
    pthread_mutex_unlock(&c->mu);
}

void pu_gencache_get_stats(pu_gencache *c, pu_gencache_stats *out) {
    memset(out, 0, sizeof *out);
    if (!c) return;
    pthread_mutex_lock(&c->mu);
    *out = c->st;
    out->entries = c->entries.len;
    out->bytes = c->bytes;
    pthread_mutex_unlock(&c->mu);
}
