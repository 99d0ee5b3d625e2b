/* cargo_resolved.c - the history rules' consignee keys by resolved person
 * (issue #21; docs/sameas.md "Cargo history rules"): every spelling of a
 * cluster of two or more records the reader sees maps to one key of the
 * cluster, so "ORTEGA, JUAN C." after "Juan C. Ortega" is not a first-time
 * consignee, and two spellings of one person at an address are one
 * consignee. */
#include "cargo/cargo_int.h"

#include <stdlib.h>
#include <string.h>

#include "resolve/resolve.h"

#define OF_TOKENS_MAX 32     /* tokens of a name for the order-free key */
#define OF_TAG 0x6f72646572667265ull   /* keeps order-free keys apart from cargo_key's */
#define CLUSTER_TAG 0xc1a5e7c1a5e7c1a5ull

typedef struct tok { const char *s; size_t n; } tok;

static int tok_cmp(const void *a, const void *b) {
    const tok *x = a, *y = b;
    size_t n = x->n < y->n ? x->n : y->n;
    int c = memcmp(x->s, y->s, n);
    return c ? c : (x->n > y->n) - (x->n < y->n);
}

static int alnum(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 128; }

/* An order-free key of a name: its alphanumeric tokens lower-cased and
 * sorted ("LOPEZ, SUSAN I." and "Susan I. Lopez" are one key); 0 for none. */
uint64_t cargo_name_key_unordered(const char *name) {
    if (!name) return 0;
    char low[CARGO_MAX_FIELD + 1];
    size_t len = 0;
    for (const unsigned char *p = (const unsigned char *)name; *p && len < CARGO_MAX_FIELD; p++)
        low[len++] = (char)(*p >= 'A' && *p <= 'Z' ? *p | 0x20 : *p);
    low[len] = 0;
    tok t[OF_TOKENS_MAX];
    size_t nt = 0;
    for (size_t i = 0; i < len && nt < OF_TOKENS_MAX;) {
        while (i < len && !alnum((unsigned char)low[i])) i++;
        size_t j = i;
        while (j < len && alnum((unsigned char)low[j])) j++;
        if (j > i) t[nt++] = (tok){low + i, j - i};
        i = j;
    }
    if (!nt) return 0;
    if (nt > 1) qsort(t, nt, sizeof *t, tok_cmp);
    uint64_t h = OF_TAG;
    for (size_t i = 0; i < nt; i++) h = (h ^ cargo_hash(t[i].s, t[i].n)) * 0x100000001b3ull + i;
    return h ? h : 1;
}

/* Map key to cluster index c + 1; a key of two clusters (namesakes that
 * resolution keeps apart) maps to none (-1). */
static int map_put(cargo_u64map *m, uint64_t key, int64_t c) {
    if (!key) return PU_OK;
    int64_t *v = cargo_u64map_get(m, key);
    if (v) {
        if (*v != c + 1) *v = -1;
        return PU_OK;
    }
    return cargo_u64map_put(m, key, c + 1) ? PU_ERR_NOMEM : PU_OK;
}

int cargo_resolved_load(db_t *db, const store_scope *scope, cargo_resolved *out, pu_err *err) {
    memset(out, 0, sizeof *out);
    int ver = 0;
    int rc = db_schema_version(db, "resolve", &ver, err);
    if (rc || ver <= 0) return rc;   /* a store without resolution: names stay the keys */
    if ((rc = resolve_clusters_ex(db, scope, 0, &out->v, err))) return rc;
    for (size_t i = 0; i < out->v->nm && !rc; i++) {
        const resolve_member *m = &out->v->m[i];
        if (out->v->c[m->cluster].size < 2) continue;
        rc = map_put(&out->by_name, cargo_key(m->name), m->cluster);
        if (!rc) rc = map_put(&out->by_name, cargo_name_key_unordered(m->name), m->cluster);
    }
    if (rc) {
        cargo_resolved_free(out);
        return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    return PU_OK;
}

void cargo_resolved_free(cargo_resolved *r) {
    if (!r) return;
    cargo_u64map_free(&r->by_name);
    resolve_view_free(r->v);
    memset(r, 0, sizeof *r);
}

/* The cluster index of a name key, or -1. */
static int64_t cluster_of(const cargo_resolved *r, uint64_t key) {
    const int64_t *v = key ? cargo_u64map_get(&r->by_name, key) : NULL;
    return v && *v > 0 ? *v - 1 : -1;
}

uint64_t cargo_resolved_key(const cargo_resolved *r, uint64_t key, const char *name, const char **cluster) {
    if (cluster) *cluster = NULL;
    if (!r || !r->v || !key) return key;
    int64_t c = cluster_of(r, key);
    if (c < 0 && name) c = cluster_of(r, cargo_name_key_unordered(name));
    if (c < 0) return key;
    if (cluster) *cluster = r->v->c[c].id;
    uint64_t h = CLUSTER_TAG ^ ((uint64_t)c + 1) * 0x9E3779B97F4A7C15ull;
    return h ? h : 1;
}
