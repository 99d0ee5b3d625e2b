/* fuzz_engine.h - the cargo engine every cargo fuzz target screens with:
 * the bundled watchlist and rules, built once per process. */
#ifndef PU_FUZZ_CARGO_ENGINE_H
#define PU_FUZZ_CARGO_ENGINE_H

#include "cargo/cargo.h"

/* The shared engine, or NULL if it cannot be built (the target then skips). */
static inline cargo_engine *fuzz_cargo_engine(void) {
    static cargo_engine *eng;
    if (!eng) cargo_open(NULL, NULL, &eng, NULL); /* the bundled watchlist and rules */
    return eng;
}

#endif
