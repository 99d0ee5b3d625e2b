/* libFuzzer target: the anchor file reader (audit_anchor_check), which
 * `puente audit verify` runs on a file kept outside the store (so written by
 * whoever can reach that file). It must never crash, and must report an
 * inconsistency (not PU_OK) for a line it cannot parse, unless the line is a
 * torn last line. The chain is a small fixed one (three entries). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"

static db_t *db;
static char path[64];

static void setup(void) {
    pu_err e;
    if (db_open(":memory:", NULL, &db, &e) || audit_migrate(db, &e)) abort();
    for (int i = 0; i < 3; i++) {
        audit_event ev = {"http", "ana", "DEA", "entity.read", "x", "success", NULL, NULL, NULL};
        if (audit_append(db, &ev, &e)) abort();
    }
    snprintf(path, sizeof path, "/tmp/fuzz-anchors-%d", (int)getpid());
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!db) setup();
    FILE *f = fopen(path, "wb");
    if (!f) return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    audit_anchor_report rep;
    pu_err e;
    int rc = audit_anchor_check(db, path, &rep, &e);
    if (rc == PU_OK && rep.truncated) abort();              /* truncation is never "consistent" */
    if (rc == PU_OK && rep.checked + rep.pruned + rep.unverified > rep.anchors) abort();
    unlink(path);
    return 0;
}
