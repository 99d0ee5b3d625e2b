/* cargo_party.c - shipper/consignee/notify screening through the screening
 * engine (src/screen) over the designated parties in the store. */
#include "cargo/cargo_int.h"

#include <stdlib.h>
#include <string.h>

#include "resolve/resolve.h"
#include "sameas/sameas.h"
#include "screen/screen.h"

struct cargo_party_ctx {
    screen_index *ix;
    int borrowed;              /* ix belongs to the caller */
    const store_scope *scope;  /* the reader: parties it may not see are never scored */
    sameas *same;              /* designated persons by resolution, as the reader sees them (NULL: none) */
};

int cargo_party_new(store_t *st, const screen_index *ix, const store_scope *scope, cargo_party_ctx **out,
                    pu_err *err) {
    *out = NULL;
    if (!scope) return pu_fail(err, PU_ERR_INTERNAL, NULL, NULL, "party screening needs the reader's scope");
    screen_index *own = NULL;
    if (!ix) {
        int rc = screen_index_build(st, NULL, &own, err);
        if (rc) return rc;
        ix = own;
    }
    screen_index_stats s;
    screen_index_get_stats(ix, &s);
    if (!s.entities) { /* nothing designated in this store: nothing to screen against */
        screen_index_free(own);
        return PU_OK;
    }
    cargo_party_ctx *c = calloc(1, sizeof *c);
    if (!c) {
        screen_index_free(own);
        return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    c->ix = own ? own : (screen_index *)ix; /* a borrowed one is only ever read through screen_run */
    c->borrowed = own == NULL;
    c->scope = scope;
    /* the resolved person (issue #21): a party whose name resolution joined
     * with a designated entity is an additional, explained hit; tip
     * mentions never join anything for cargo (tips are for tip handlers) */
    int rc = st ? sameas_build(store_db(st), c->ix, scope, 0, &c->same, err) : PU_OK;
    if (rc) {
        cargo_party_free(c);
        return rc;
    }
    *out = c;
    return PU_OK;
}

/* The designated persons the party is by resolution (sameas.h), after the
 * screening hits, an entity screening already named left out. */
static int add_resolved(const cargo_party_ctx *c, const char *name, cargo_party_hit *hits, size_t max, size_t *n,
                        pu_err *err) {
    sameas_hit same[CARGO_MAX_PARTY_HITS];
    size_t ns = 0;
    int rc = sameas_lookup(c->same, name, same, CARGO_MAX_PARTY_HITS, &ns, err);
    for (size_t i = 0; !rc && i < ns && *n < max; i++) {
        int dup = 0;
        for (size_t k = 0; k < *n && !dup; k++) dup = !strcmp(hits[k].entity_id, same[i].entity_id);
        if (dup) continue;
        cargo_party_hit *h = &hits[(*n)++];
        memset(h, 0, sizeof *h);
        pu_strlcpy(h->entity_id, same[i].entity_id, sizeof h->entity_id);
        pu_strlcpy(h->caption, same[i].caption, sizeof h->caption);
        h->score = 1.0;
        pu_strlcpy(h->resolved, same[i].reason, sizeof h->resolved);
    }
    return rc;
}

int cargo_party_screen(void *ctx, const char *name, const char *country, cargo_party_hit *hits, size_t max,
                       size_t *n, pu_err *err) {
    cargo_party_ctx *c = ctx;
    *n = 0;
    const char *names[1] = {name};
    screen_query q;
    memset(&q, 0, sizeof q);
    q.names = names;
    q.nnames = 1;
    q.country = country && *country ? country : NULL;
    screen_params p;
    memset(&p, 0, sizeof p);
    p.limit = (int)max;
    p.scope = c->scope;
    p.designated = SCREEN_SCOPE_DEFAULT; /* a designated party: the designation lists only */
    screen_result *res = NULL;
    pu_err e;
    pu_err_clear(&e);
    int rc = screen_run(c->ix, &q, &p, &res, &e);
    if (rc == PU_ERR_INVALID || rc == PU_ERR_LIMIT) {
        /* a party "name" with nothing screenable in it (e.g. "---"): no match,
         * not a failure of the whole manifest */
        return PU_OK;
    }
    if (rc) {
        if (err) *err = e;
        return rc;
    }
    for (size_t i = 0; i < res->n && *n < max; i++) {
        const screen_match *m = &res->matches[i];
        if (m->suppressed) continue;
        cargo_party_hit *h = &hits[(*n)++];
        memset(h, 0, sizeof *h);
        pu_strlcpy(h->entity_id, m->entity_id ? m->entity_id : "", sizeof h->entity_id);
        pu_strlcpy(h->caption, m->caption ? m->caption : "", sizeof h->caption);
        h->score = m->score;
    }
    screen_result_free(res);
    return add_resolved(c, name, hits, max, n, err);
}

void cargo_party_free(cargo_party_ctx *c) {
    if (!c) return;
    if (!c->borrowed) screen_index_free(c->ix);
    sameas_free(c->same);
    free(c);
}
