/* libFuzzer target: report intake (CSV and JSON lines) into an in-memory
 * store, including name normalisation, the curator queue and first-detection
 * alerts. The input is written to a temporary file because the importer reads
 * files (as the CLI does). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "ews/ews.h"

static store_t *store;
static ews_t *ews;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!store) {
        if (store_open(":memory:", &store, NULL) != PU_OK) abort();
        if (ews_open(store_db(store), NULL, &ews, NULL) != PU_OK) abort();
    }
    char path[] = "/tmp/fuzz-ews-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) return 0;
    FILE *f = fdopen(fd, "w");
    if (!f) { close(fd); unlink(path); return 0; }
    fwrite(data, 1, size, f);
    fclose(f);
    ews_import_stats st;
    (void)ews_import(ews, path, "csv", &st, NULL);
    (void)ews_import(ews, path, "jsonl", &st, NULL);
    unlink(path);
    char *n = NULL;
    char name[128];
    size_t k = size < sizeof name - 1 ? size : sizeof name - 1;
    for (size_t i = 0; i < k; i++) name[i] = (char)data[i];
    name[k] = 0;
    if (ews_normalize_name(name, &n, NULL) == PU_OK) free(n);
    return 0;
}
