/*
 * screen_ents.c - the entities a screening service indexed, kept in memory
 * so that a change of a few entities (store change log, store.h "entity
 * change log") patches them in place of a full read of the store
 * (screen_int.h "screen_ents", docs/screening.md "Incremental update").
 */
#include <stdlib.h>
#include <string.h>

#include "screen/screen_int.h"

/* The schemata the index reads, in the order the index is built (as
 * screen_index_build: LegalEntity covers Person, Organization, Company and
 * PublicBody; Identification covers Passport). */
static const char *const wanted[] = {"LegalEntity", "Vessel", "Airplane", "Sanction", "Identification", NULL};
#define NWANTED 5
#define RANK_MEMO 16 /* distinct schema names remembered per build */

/* Index of the first wanted schema e's schema is, or -1 (not indexed). */
static int rank_of(const char *schema) {
    const ftm_schema *s = ftm_schema_get(schema);
    for (int i = 0; s && wanted[i]; i++)
        if (ftm_schema_is_a(s, wanted[i])) return i;
    return -1;
}

static int ent_cmp(const void *a, const void *b) {
    return strcmp((*(ftm_entity *const *)a)->id, (*(ftm_entity *const *)b)->id);
}

static int ents_push(screen_ents *c, ftm_entity *e) {
    if (c->n == c->cap) {
        size_t nc = c->cap ? c->cap * 2 : 1024;
        ftm_entity **a = realloc(c->e, nc * sizeof *a);
        if (!a) return PU_ERR_NOMEM;
        c->e = a;
        c->cap = nc;
    }
    c->e[c->n++] = e;
    return PU_OK;
}

typedef struct load_ctx {
    screen_ents *c;
    int rc;
} load_ctx;

static int on_load(const ftm_entity *e, void *vctx) {
    load_ctx *l = vctx;
    ftm_entity *copy = NULL;
    l->rc = ftm_entity_clone(e, &copy);
    if (!l->rc && (l->rc = ents_push(l->c, copy))) ftm_entity_free(copy);
    return l->rc != PU_OK;
}

void screen_ents_free(screen_ents *c) {
    if (!c) return;
    for (size_t i = 0; i < c->n; i++) ftm_entity_free(c->e[i]);
    free(c->e);
    memset(c, 0, sizeof *c);
}

int screen_ents_load(store_t *st, const screen_build_opts *o, screen_ents *out, pu_err *err) {
    memset(out, 0, sizeof *out);
    load_ctx l = {out, PU_OK};
    int rc = PU_OK;
    for (size_t i = 0; wanted[i] && !rc && !l.rc; i++) {
        store_query q;
        memset(&q, 0, sizeof q);
        q.schema = wanted[i];
        if (o && o->dataset) q.dataset = o->dataset;
        rc = store_iter(st, STORE_SYSTEM, &q, on_load, &l, err);
    }
    if (!rc && l.rc) rc = pu_fail(err, l.rc, NULL, NULL, "out of memory");
    if (rc) {
        screen_ents_free(out);
        return rc;
    }
    /* one order whatever the database's collation, so that a patched set
     * and a freshly loaded one build the same index */
    if (out->n > 1) qsort(out->e, out->n, sizeof *out->e, ent_cmp);
    return PU_OK;
}

/* Position of id in the sorted set, or c->n. */
static size_t ents_find(const screen_ents *c, const char *id) {
    size_t lo = 0, hi = c->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int k = strcmp(c->e[mid]->id, id);
        if (k == 0) return mid;
        if (k < 0) lo = mid + 1;
        else hi = mid;
    }
    return c->n;
}

/* The current state of id as the index needs it: *out NULL when it is gone,
 * not an indexed schema, or outside the build's dataset. */
static int fetch(store_t *st, const screen_build_opts *o, const char *id, ftm_entity **out, pu_err *err) {
    *out = NULL;
    ftm_entity *e = NULL;
    int rc = store_get(st, STORE_SYSTEM, id, &e, err);
    if (rc == PU_ERR_NOTFOUND) return PU_OK;
    if (rc) return rc;
    int keep = rank_of(e->schema) >= 0;
    if (keep && o && o->dataset) {
        keep = 0;
        for (size_t i = 0; i < e->ndatasets; i++) keep |= strcmp(e->datasets[i], o->dataset) == 0;
    }
    if (keep) *out = e;
    else ftm_entity_free(e);
    return PU_OK;
}

int screen_ents_patch(store_t *st, const screen_build_opts *o, screen_ents *c, char *const *ids, size_t n,
                      pu_err *err) {
    screen_ents add = {0};
    int rc = PU_OK;
    /* the new states first: a failure leaves the set as it was */
    for (size_t i = 0; i < n && !rc; i++) {
        int seen = 0; /* an id changed by several generations: once */
        for (size_t j = 0; j < i && !seen; j++) seen = strcmp(ids[j], ids[i]) == 0;
        ftm_entity *e = NULL;
        if (!seen && !(rc = fetch(st, o, ids[i], &e, err)) && e && ents_push(&add, e)) {
            ftm_entity_free(e);
            rc = pu_fail(err, PU_ERR_NOMEM, ids[i], NULL, "out of memory");
        }
    }
    if (rc) {
        screen_ents_free(&add);
        return rc;
    }
    if (add.n > 1) qsort(add.e, add.n, sizeof *add.e, ent_cmp);
    size_t mcap = c->n + add.n + 1;
    ftm_entity **m = malloc(mcap * sizeof *m);
    if (!m) {
        screen_ents_free(&add);
        return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    /* drop the old states of every changed id (found first, then emptied:
     * the search needs the whole array), then merge the new ones in: one
     * pass over the set whatever the number of changes */
    size_t *gone = malloc((n + 1) * sizeof *gone), ngone = 0;
    if (!gone) {
        free(m);
        screen_ents_free(&add);
        return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        size_t k = ents_find(c, ids[i]);
        if (k < c->n) gone[ngone++] = k;
    }
    for (size_t i = 0; i < ngone; i++) {
        ftm_entity_free(c->e[gone[i]]); /* a repeated id: freed once, then NULL */
        c->e[gone[i]] = NULL;
    }
    free(gone);
    size_t a = 0, b = 0, w = 0;
    while (a < c->n || b < add.n) {
        if (a < c->n && !c->e[a]) {
            a++;
            continue;
        }
        m[w++] = b == add.n || (a < c->n && strcmp(c->e[a]->id, add.e[b]->id) < 0) ? c->e[a++] : add.e[b++];
    }
    free(c->e);
    free(add.e);
    c->e = m;
    c->n = w;
    c->cap = mcap;
    return PU_OK;
}

int screen_ents_build(const screen_ents *c, const screen_build_opts *o, screen_ncache *nc, const screen_index *prev,
                      screen_index **out, pu_err *err) {
    *out = NULL;
    screen_builder *b;
    if (screen_builder_new(o, &b)) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    screen_builder_reuse(b, nc, prev);
    signed char *rank = malloc(c->n + 1);
    if (!rank) {
        screen_builder_free(b);
        return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    /* rank by schema name, memoised: a list has a handful of schemata, and
     * the schema registry's look-up per entity was 6 % of a rebuild */
    const char *seen[RANK_MEMO];
    signed char seen_rank[RANK_MEMO];
    size_t nseen = 0;
    for (size_t i = 0; i < c->n; i++) {
        const char *sc = c->e[i]->schema;
        size_t k = 0;
        while (sc && k < nseen && strcmp(seen[k], sc) != 0) k++;
        if (sc && k < nseen) {
            rank[i] = seen_rank[k];
            continue;
        }
        rank[i] = (signed char)rank_of(sc);
        if (sc && nseen < RANK_MEMO) {
            seen[nseen] = sc;
            seen_rank[nseen++] = rank[i];
        }
    }
    /* schema group by schema group, as the store is read */
    int rc = PU_OK;
    for (int r = 0; r < NWANTED && !rc; r++)
        for (size_t i = 0; i < c->n && !rc; i++)
            if (rank[i] == r) rc = screen_builder_add(b, c->e[i], err);
    free(rank);
    if (rc) {
        screen_builder_free(b);
        return rc;
    }
    return screen_builder_finish(b, out, err);
}
