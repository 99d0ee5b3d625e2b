/* libFuzzer target: the curator-editable watchlist and rules CSV readers. */
#include <stddef.h>
#include <stdint.h>

#include "cargo/cargo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    cargo_watchlist *w = NULL;
    if (cargo_watchlist_read_csv_mem((const char *)data, size, NULL, &w, NULL) == PU_OK) {
        cargo_open_opts o = {.watchlist = w}; /* with the bundled rules */
        cargo_engine *e = NULL;
        cargo_open(NULL, &o, &e, NULL);
        cargo_engine_free(e);
    }
    cargo_watchlist_free(w);
    cargo_rules *r = NULL;
    cargo_rules_read_csv_mem((const char *)data, size, NULL, &r, NULL);
    cargo_rules_free(r);
    return 0;
}
