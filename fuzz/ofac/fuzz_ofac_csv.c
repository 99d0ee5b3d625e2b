/*
 * libFuzzer target: the OFAC CSV import end to end. The input is split on
 * NUL bytes into sdn.csv, alt.csv, add.csv and sdn_comments.csv, written to a
 * scratch directory and imported into an in-memory store. Any outcome but a
 * crash, a leak or a sanitizer report is fine; a successful import has
 * written at least one entity (an export without entries is an error).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ofac/ofac.h"

static char dir[64];

static void put(const char *name, const uint8_t *p, size_t n) {
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f) abort();
    if (n) fwrite(p, 1, n, f);
    fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!dir[0]) {
        pu_strlcpy(dir, "/tmp/fuzz-ofac-XXXXXX", sizeof dir);
        if (!mkdtemp(dir)) abort();
    }
    static const char *const names[] = {"sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"};
    const uint8_t *p = data, *end = data + size;
    for (int i = 0; i < 4; i++) {
        const uint8_t *z = memchr(p, 0, (size_t)(end - p));
        size_t n = z ? (size_t)(z - p) : (size_t)(end - p);
        put(names[i], p, n);
        p = z ? z + 1 : end;
    }
    store_t *st;
    if (store_open(":memory:", &st, NULL) != PU_OK) abort();
    store_summary sum;
    store_summary_init(&sum);
    pu_err err;
    if (ofac_import_dir(st, dir, NULL, &sum, &err) == PU_OK && sum.written == 0) abort();
    store_summary_free(&sum);
    store_close(st);
    return 0;
}
