/*
 * screen_designated.c - the entities a reader's screening may return as
 * designated (screen.h "screen_index_designated"): the set test that
 * src/sameas needs per entity id, without screening each entity's name.
 */
#include "screen/screen_int.h"

/* The same three conditions as screen_run's entity_visible (screen_run.c),
 * less the schema test (a query without a schema accepts every class) and
 * plus "has an indexed name" (an entity without one is never a candidate). */
static int designated_for(const ix_entity *x, const store_scope *scope, const screen_scope *designated) {
    if (!x->nnames) return 0;
    if (scope && !scope->system && !store_visible(scope, x->owner, x->marking)) return 0;
    return !designated || screen_in_scope(designated, x);
}

int screen_index_designated(const screen_index *ix, const store_scope *scope, const screen_scope *designated,
                            screen_entity_fn fn, void *ctx) {
    if (!ix || !fn) return 0;
    for (size_t i = 0; i < ix->nents; i++) {
        const ix_entity *x = &ix->ents[i];
        if (!designated_for(x, scope, designated)) continue;
        int rc = fn(ctx, x->id, x->caption ? x->caption : x->id);
        if (rc) return rc;
    }
    return 0;
}
