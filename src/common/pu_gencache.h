/*
 * pu_gencache.h - values built per reader and kept while the store's change
 * generations they were built at hold: the graph cache (src/graph) and the
 * sameas cache (src/sameas) are this cache with their own key, generations
 * and value type.
 *
 * Invariants:
 *   - an entry is (key, generations, value); a lookup answers only an entry
 *     whose generations equal the caller's current ones, and drops every
 *     entry of ANY key built at other generations (the generations are the
 *     store's, not the reader's: such an entry can never answer again);
 *   - the cache holds one reference to each value (ops.hold); a dropped or
 *     evicted value lives until its last holder releases it (ops.release);
 *   - the sum of ops.bytes of the kept values stays at most the cap: the
 *     least recently used are evicted first, a value over the cap is not
 *     kept at all (the caller still answers with it);
 *   - all functions are thread-safe (one mutex); building a value happens
 *     outside the cache, so two callers that miss at once both build and
 *     the first kept wins.
 * The caller reads the generations BEFORE it builds: a change made during the
 * build leaves the entry older than the store, and the next call rebuilds.
 */
#ifndef PU_GENCACHE_H
#define PU_GENCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "common/pu.h"

#define PU_GENCACHE_KEY_MAX 160   /* bytes of a key, NUL included; longer keys are cut (callers stay below) */
#define PU_GENCACHE_GEN_MAX 8     /* generations per entry */

typedef struct pu_gencache pu_gencache;

/* How the cache handles its values (like SQLite's VFS: one table of
 * operations per value type). */
typedef struct pu_gencache_ops {
    void *(*hold)(void *v);          /* take one reference; returns v */
    void (*release)(void *v);        /* drop one reference */
    size_t (*bytes)(const void *v);  /* the value's estimated memory */
} pu_gencache_ops;

typedef struct pu_gencache_stats {
    uint64_t hits, misses, evictions;
    size_t entries, bytes;
} pu_gencache_stats;

/* A cache of at most cap bytes whose entries carry ngen generations
 * (1..PU_GENCACHE_GEN_MAX); ops is the caller's, kept by pointer. *out the
 * caller's (pu_gencache_free). Errors: PU_ERR_INVALID (ngen), PU_ERR_NOMEM. */
int pu_gencache_new(size_t cap, size_t ngen, const pu_gencache_ops *ops, pu_gencache **out, pu_err *err);
/* Release every kept value and free the cache. NULL-safe. */
void pu_gencache_free(pu_gencache *c);
/* The value kept under key at generations gen (ngen values), with a
 * reference for the caller, or NULL (counted as a hit or a miss); stale
 * entries of every key are dropped first. */
void *pu_gencache_lookup(pu_gencache *c, const char *key, const int64_t *gen);
/* Keep v under key at gen (the cache takes its own reference), evicting the
 * least recently used past the cap; a value over the cap, or one another
 * caller kept meanwhile at the same generations, is not kept. Out of memory
 * keeps nothing (the cache is only a cache). */
void pu_gencache_keep(pu_gencache *c, const char *key, const int64_t *gen, void *v);
/* Counters and current size. */
void pu_gencache_get_stats(pu_gencache *c, pu_gencache_stats *out);

#endif
