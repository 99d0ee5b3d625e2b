/* libFuzzer target: report intake (CSV and JSON lines) into an in-memory
 * store, including name normalisation, the curator queue and first-detection
 * alerts. The input goes through ews_import_mem, the same parser as files
 * (`puente ews import`) without a temporary file. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "ews/ews.h"

static store_t *store;
static ews_t *ews;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!store) {
        if (store_open(":memory:", &store, NULL) != PU_OK) abort();
        if (ews_migrate(store_db(store), NULL) != PU_OK || ews_open(store_db(store), &ews, NULL) != PU_OK) abort();
    }
    ews_import_stats st;
    ews_import_opts csv = {.format = "csv"}, jsonl = {.format = "jsonl"};
    /* issue 16: per-record refusal (a savepoint per record) and the baseline */
    ews_import_opts partial = {.format = "csv", .partial = 1, .today = "2026-01-01"},
                    base = {.format = "jsonl", .partial = 1, .baseline = 1, .today = "2026-01-01"};
    (void)ews_import_mem(ews, (const char *)data, size, &csv, &st, NULL);
    (void)ews_import_mem(ews, (const char *)data, size, &jsonl, &st, NULL);
    if (ews_import_mem(ews, (const char *)data, size, &partial, &st, NULL) == PU_OK &&
        st.read != st.reports + st.rejected + st.unchanged + st.duplicate)
        abort(); /* the counts must add up */
    (void)ews_import_mem(ews, (const char *)data, size, &base, &st, NULL);
    char *n = NULL;
    char name[128];
    size_t k = size < sizeof name - 1 ? size : sizeof name - 1;
    for (size_t i = 0; i < k; i++) name[i] = (char)data[i];
    name[k] = 0;
    if (ews_normalize_name(name, &n, NULL) == PU_OK) free(n);
    return 0;
}
