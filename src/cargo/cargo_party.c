/* cargo_party.c - shipper/consignee/notify screening through the screening
 * engine (src/screen) over the designated parties in the store, including
 * companies blocked by ownership (OFAC's 50 % rule, src/monitor) as the
 * reader sees the Ownership records: the same scope as `puente screen`. */
#include "cargo/cargo_int.h"

#include <stdlib.h>
#include <string.h>

#include "resolve/resolve.h"
#include "sameas/sameas.h"
#include "monitor/monitor.h"
#include "screen/screen.h"

struct cargo_party_ctx {
    screen_index *ix;
    int borrowed;              /* ix belongs to the caller */
    const store_scope *scope;  /* the reader: parties it may not see are never scored */
    sameas *same;              /* designated persons by resolution, as the reader sees them (NULL: none) */
    monitor_graph *owners;     /* the Ownership records the reader may see (NULL: none) */
    monitor_blocked_set blocked; /* companies blocked by ownership over owners */
};

/* The ownership graph as scope sees it and the companies it blocks. A
 * failure is the caller's: a party that cannot be checked for its owners
 * must not be released as clean. */
static int load_owners(store_t *st, cargo_party_ctx *c, pu_err *err) {
    int rc = monitor_graph_load(st, c->scope, &c->owners, err);
    if (rc == PU_OK) rc = monitor_graph_blocked_ids(c->owners, &c->blocked.ids, &c->blocked.n, err);
    return rc;
}

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
    int rc = st ? load_owners(st, c, err) : PU_OK;
    /* the resolved person (issue #21): a party whose name resolution joined
     * with a designated entity is an additional, explained hit; tip
     * mentions never join anything for cargo (tips are for tip handlers) */
    if (rc == PU_OK && st) rc = sameas_build(store_db(st), c->ix, scope, 0, &c->same, err);
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

/* Bytes of the full chain text before it is cut to the hit's field. */
#define OWNERS_TEXT_MAX 4096

/* out holds n bytes cut from a longer text: drop a UTF-8 sequence left
 * incomplete at the end (the text goes into JSON, which must be UTF-8). */
static void cut_utf8(char *out, size_t n) {
    size_t i = n;
    while (i > 0 && ((unsigned char)out[i - 1] & 0xC0) == 0x80) i--;
    if (i == 0) return;
    unsigned char lead = (unsigned char)out[i - 1];
    size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (n - (i - 1) < need) out[i - 1] = 0;
}

/* "54.0% held by designated owners: A [a] 60.0% > B [b] 90.0% > C [c]"
 * (the strongest chain; "+N more chains"), cut to the buffer. */
static void chain_text(const monitor_ownership *o, char *out, size_t size) {
    pu_buf b = PU_BUF_INIT(OWNERS_TEXT_MAX);
    (void)pu_buf_printf(&b, "%.1f%% held by designated owners (OFAC %.1f%%)", 100 * o->share, 100 * o->ofac_share);
    const monitor_chain *ch = o->nchains ? &o->chains[0] : NULL;
    for (size_t k = 0; ch && k < ch->n; k++) {
        const monitor_link *l = &ch->links[k];
        (void)pu_buf_printf(&b, "%s%s [%s] %.1f%% > ", k ? "" : ": ", l->owner_caption ? l->owner_caption : "",
                            l->owner_id ? l->owner_id : "", 100 * l->share);
        if (k + 1 == ch->n)
            (void)pu_buf_printf(&b, "%s [%s]", l->asset_caption ? l->asset_caption : "", l->asset_id ? l->asset_id : "");
    }
    size_t more = o->nchains > 1 ? o->nchains - 1 + o->more_chains : o->more_chains;
    if (more) (void)pu_buf_printf(&b, " (+%zu more chains)", more);
    size_t len = pu_strlcpy(out, pu_buf_str(&b), size);
    if (len >= size && size > 1) cut_utf8(out, size - 1);
    pu_buf_free(&b);
}

/* Fill h->ownership when the matched party is in scope only through its
 * owners. Errors: monitor_graph_ownership's. */
static int explain_owners(cargo_party_ctx *c, cargo_party_hit *h, pu_err *err) {
    if (!monitor_blocked_has(&c->blocked, h->entity_id)) return PU_OK;
    monitor_ownership *o = NULL;
    int rc = monitor_graph_ownership(c->owners, h->entity_id, &o, err);
    if (rc == PU_OK && o->blocked) chain_text(o, h->ownership, sizeof h->ownership);
    monitor_ownership_free(o);
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
    p.designated = SCREEN_SCOPE_DEFAULT; /* a designated party: the designation lists only ... */
    p.also_designated = monitor_blocked_has; /* ... and the companies they own 50 % or more of */
    p.also_ctx = &c->blocked;
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
    for (size_t i = 0; rc == PU_OK && i < res->n && *n < max; i++) { /* stop at an ownership error */
        const screen_match *m = &res->matches[i];
        if (m->suppressed) continue;
        cargo_party_hit *h = &hits[(*n)++];
        memset(h, 0, sizeof *h);
        pu_strlcpy(h->entity_id, m->entity_id ? m->entity_id : "", sizeof h->entity_id);
        pu_strlcpy(h->caption, m->caption ? m->caption : "", sizeof h->caption);
        h->score = m->score;
        rc = explain_owners(c, h, err);
    }
    screen_result_free(res);
    return rc ? rc : add_resolved(c, name, hits, max, n, err);
}

void cargo_party_free(cargo_party_ctx *c) {
    if (!c) return;
    if (!c->borrowed) screen_index_free(c->ix);
    sameas_free(c->same);
    monitor_graph_free(c->owners);
    monitor_blocked_set_free(&c->blocked);
    free(c);
}
