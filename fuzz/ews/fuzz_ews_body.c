/* libFuzzer target: the body reader of POST /api/v1/ews/reports, i.e.
 * ews_import_mem with format "json" (one JSON array of report objects, or
 * JSON lines) on behalf of an agency, run exactly as the handler runs it:
 * inside the caller's open transaction, which is then rolled back.
 * Besides memory errors it checks the transaction contract: whatever the
 * input, the caller's transaction is still open afterwards, and rolling it
 * back leaves the store as it was. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "ews/ews.h"

static store_t *store;
static ews_t *ews;

static int64_t rows(const char *table) {
    char sql[64];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM %s", table);
    int64_t n = -1;
    if (db_query_int64(store_db(store), sql, NULL, &n, NULL) != PU_OK) abort();
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!store) {
        if (store_open(":memory:", &store, NULL) != PU_OK) abort();
        if (ews_migrate(store_db(store), NULL) != PU_OK || ews_open(store_db(store), &ews, NULL) != PU_OK) abort();
    }
    db_t *db = store_db(store);
    if (db_begin(db, NULL) != PU_OK) abort();
    ews_import_opts o = {.format = "json", .owner = "DEA"};
    ews_import_stats st;
    pu_err err;
    int rc = ews_import_mem(ews, (const char *)data, size, &o, &st, &err);
    if (!db_in_tx(db)) abort();                           /* never commits or ends the caller's transaction */
    if (rc == PU_OK && st.reports < 0) abort();
    if (rc != PU_OK && (rc < PU_ERR_INVALID || rc > PU_ERR_INTERRUPTED)) abort();
    if (rc != PU_OK && rows("ews_report") != 0) abort(); /* a failed import took back its writes */
    db_rollback(db);
    if (rows("ews_report") != 0 || rows("ews_alert") != 0 || rows("ews_queue") != 0) abort();
    return 0;
}
