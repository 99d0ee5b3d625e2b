/* libFuzzer target: a trace request as the HTTP API receives it
 * (POST /api/v1/trace/requests: form keys and values of the caller) through
 * the engine: trace_request_check (the dry run), trace_request_submit and
 * trace_run_request (the API's run of one request, SQL lookups ranked like
 * the index) into an in-memory store with a few firearms. The input is
 * "key=value" lines; the first byte picks the marking and the scope. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trace/trace.h"

#define FORM_MAX 32

static db_t *db;
static trace_t *t;
static unsigned runs;

static const char ACQ[] =
    "manufacturer,serial,model,type,calibre,event,date,party,party_dob,ffl,state\n"
    "Glock,QR100,G17,pistol,9mm,IMPORT,2019-01-01,,,,\n"
    "Glock,QR101,G19,pistol,9mm,RETAIL,2019-03-01,Ann Buyer,1970-01-01,1-59-001-01-2A-00002,FL\n"
    "Colt,CV10234,Government,pistol,.38 Super,RETAIL,2020-03-02,John Q. Straw,1990-05-05,5-74-001-01-2A-00001,TX\n";

static int setup(void) {
    if (db_open(":memory:", NULL, &db, NULL) || store_migrate(db, NULL) || trace_migrate(db, NULL) ||
        trace_open(db, "2026-11-27", &t, NULL))
        return -1;
    pu_csv *r;
    if (pu_csv_open_mem(ACQ, sizeof ACQ - 1, NULL, &r, NULL)) return -1;
    trace_import_opts io = {.owner = "ATF", .marking = "SHARED"};
    trace_import_stats st;
    int rc = trace_import_acquisitions(t, STORE_SYSTEM, r, &io, &st, NULL);
    pu_csv_close(r);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1 || size > 8192) return 0;
    if (!db && setup()) return 0;
    if (++runs % 512 == 0) /* keep the store small */
        db_exec(db, "DELETE FROM trace_candidate; DELETE FROM trace_request;", NULL);
    char *text = malloc(size);
    if (!text) return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    const char *keys[FORM_MAX], *vals[FORM_MAX];
    size_t n = 0;
    for (char *save = NULL, *line = strtok_r(text, "\n", &save); line && n < FORM_MAX; line = strtok_r(NULL, "\n", &save)) {
        char *eq = strchr(line, '=');
        if (!eq) continue;
        *eq = '\0';
        keys[n] = line;
        vals[n++] = eq + 1;
    }
    static const char *const MARK[] = {NULL, "SHARED", "MX-ONLY", "US-ONLY"};
    /* the caller: FGR (a Mexican agency, as on the API) or the operator */
    store_scope fgr = {.agency = "FGR", .country = "MX"};
    const store_scope *scope = (data[0] & 4) ? STORE_SYSTEM : &fgr;
    trace_import_opts io = {.owner = "FGR", .marking = MARK[data[0] & 3]};
    trace_checked c;
    int64_t id = 0;
    char number[32];
    if (trace_request_check(t, scope, keys, vals, n, &io, &c, NULL) == PU_OK &&
        trace_request_submit(t, scope, keys, vals, n, &io, &id, number, sizeof number, NULL) == PU_OK) {
        trace_run_stats rs;
        trace_run_request(t, scope, id, &rs, NULL);
    }
    free(text);
    return 0;
}
