/*
 * screen_store.c - building the screening index from the store.
 */
#include <string.h>

#include "screen/screen_int.h"

typedef struct build_ctx {
    screen_builder *b;
    int rc;
    pu_err *err;
    uint64_t n;
    pu_progress prog;
} build_ctx;

static int on_entity(const ftm_entity *e, void *vctx) {
    build_ctx *c = vctx;
    c->rc = screen_builder_add(c->b, e, c->err);
    c->n++;
    if ((c->n & 1023) == 0) pu_progress_tick(&c->prog, c->n, c->n);
    return c->rc != PU_OK;
}

int screen_index_build(store_t *st, const screen_build_opts *o, screen_index **out, pu_err *err) {
    *out = NULL;
    if (!st) return pu_fail(err, PU_ERR_INVALID, NULL, NULL, "no store");
    build_ctx c = {0};
    c.err = err;
    if (screen_builder_new(o, &c.b)) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    pu_progress_start(&c.prog, "screen index", 0);
    /* every entity: screenable ones, and the Sanction / Identification
     * entities that carry their programs and identifiers */
    /* Only the schemata the index uses (the SQL filters them, so addresses
     * and links are never parsed): LegalEntity covers Person, Organization,
     * Company and PublicBody; Identification covers Passport. */
    static const char *const wanted[] = {"LegalEntity", "Vessel", "Airplane", "Sanction", "Identification", NULL};
    int rc = PU_OK;
    for (size_t i = 0; wanted[i] && rc == PU_OK && c.rc == PU_OK; i++) {
        store_query q;
        memset(&q, 0, sizeof q);
        q.schema = wanted[i];
        if (o && o->dataset) q.dataset = o->dataset;
        /* a scoped read as the operator (STORE_SYSTEM: every row): the index
         * keeps owner and marking, and screen_run applies each reader's
         * scope with store_visible, the in-memory form of the same rule */
        rc = store_iter(st, STORE_SYSTEM, &q, on_entity, &c, err);
    }
    pu_progress_end(&c.prog, c.n);
    if (!rc) rc = c.rc;
    if (rc) {
        screen_builder_free(c.b);
        return rc;
    }
    return screen_builder_finish(c.b, out, err);
}
