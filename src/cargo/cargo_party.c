/* cargo_party.c - shipper/consignee/notify screening through the screening
 * engine (src/screen) over the designated parties in the store. */
#include "cargo/cargo_party.h"

#include <stdlib.h>
#include <string.h>

#include "screen/screen.h"

struct cargo_party_ctx {
    screen_index *ix;
    int borrowed;              /* ix belongs to the caller */
    const store_scope *scope;
};

void cargo_party_set_scope(cargo_party_ctx *c, const store_scope *scope) {
    if (c) c->scope = scope;
}

int cargo_party_new(store_t *st, cargo_party_ctx **out, pu_err *err) {
    *out = NULL;
    screen_index *ix = NULL;
    int rc = screen_index_build(st, NULL, &ix, err);
    if (rc) return rc;
    screen_index_stats s;
    screen_index_get_stats(ix, &s);
    if (!s.entities) { /* nothing designated in this store: nothing to screen against */
        screen_index_free(ix);
        return PU_OK;
    }
    cargo_party_ctx *c = calloc(1, sizeof *c);
    if (!c) {
        screen_index_free(ix);
        return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    c->ix = ix;
    *out = c;
    return PU_OK;
}

int cargo_party_borrow(const screen_index *ix, cargo_party_ctx **out, pu_err *err) {
    *out = NULL;
    screen_index_stats s;
    screen_index_get_stats(ix, &s);
    if (!s.entities) return PU_OK;
    cargo_party_ctx *c = calloc(1, sizeof *c);
    if (!c) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    c->ix = (screen_index *)ix; /* only ever read through screen_run */
    c->borrowed = 1;
    *out = c;
    return PU_OK;
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
    return PU_OK;
}

void cargo_party_free(cargo_party_ctx *c) {
    if (!c) return;
    if (!c->borrowed) screen_index_free(c->ix);
    free(c);
}
