/* fuzz_engine.h - the cargo engine every cargo fuzz target screens with:
 * the bundled watchlist and rules, built once per process. */
#ifndef PU_FUZZ_CARGO_ENGINE_H
#define PU_FUZZ_CARGO_ENGINE_H

#include "cargo/cargo.h"

/* The shared engine, or NULL if it cannot be built (the target then skips). */
static inline cargo_engine *fuzz_cargo_engine(void) {
    static cargo_engine *eng;
    if (!eng) {
        cargo_watchlist *w;
        cargo_rules *r;
        if (cargo_watchlist_default(&w, NULL) || cargo_rules_default(&r, NULL)) return NULL;
        cargo_engine_new(w, r, NULL, &eng, NULL);
        cargo_watchlist_free(w);
        cargo_rules_free(r);
    }
    return eng;
}

#endif
