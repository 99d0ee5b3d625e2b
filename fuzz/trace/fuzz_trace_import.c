/* libFuzzer target: the trace import readers (acquisition records and
 * recoveries) end to end into an in-memory store. The first byte picks the
 * reader; the rest is the CSV file. */
#include <stddef.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "trace/trace.h"

static db_t *db;
static trace_t *t;
static unsigned runs;
static int null_fd = -1, saved_fd = -1;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    if (!db) {
        if (db_open(":memory:", NULL, &db, NULL) || store_migrate(db, NULL) || trace_migrate(db, NULL) ||
            trace_open(db, "2026-11-27", &t, NULL))
            return 0;
        null_fd = open("/dev/null", O_WRONLY);
        saved_fd = dup(2);
    }
    if (++runs % 512 == 0) /* keep the store small */
        db_exec(db, "DELETE FROM trace_candidate; DELETE FROM trace_request; DELETE FROM trace_event;"
                    " DELETE FROM trace_firearm; DELETE FROM trace_reject;", NULL);
    pu_csv_opts o = {.max_record = 4096, .max_fields = 64};
    pu_csv *r;
    if (pu_csv_open_mem((const char *)data + 1, size - 1, &o, &r, NULL)) return 0;
    trace_import_opts io = {.owner = "ATF", .marking = (data[0] & 2) ? "MX-ONLY" : NULL, .strict = data[0] & 4};
    trace_import_stats st;
    /* rejected rows are reported on stderr: silence them, not libFuzzer */
    fflush(stderr);
    if (null_fd >= 0) dup2(null_fd, 2);
    if (data[0] & 1) trace_import_recoveries(t, STORE_SYSTEM, r, &io, &st, NULL);
    else trace_import_acquisitions(t, STORE_SYSTEM, r, &io, &st, NULL);
    fflush(stderr);
    if (saved_fd >= 0) dup2(saved_fd, 2);
    pu_csv_close(r);
    if (data[0] & 8) { /* and run what was imported */
        trace_run_stats rs;
        trace_index *ix = NULL;
        trace_index_build(t, STORE_SYSTEM, &ix, NULL);
        trace_run(t, STORE_SYSTEM, ix, 1, &rs, NULL);
        trace_index_free(ix);
    }
    return 0;
}
