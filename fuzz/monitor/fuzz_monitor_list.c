/* libFuzzer target: a customer list's CSV (`puente monitor add`) into an
 * in-memory store through monitor_list_add_mem, the same parser as files;
 * the summary's counts must add up whatever the input. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "app/app.h"
#include "monitor/monitor.h"

static store_t *store;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!store) {
        if (store_open(":memory:", &store, NULL) != PU_OK) abort();
        if (app_migrate(store_db(store), NULL) != PU_OK) abort();
    }
    static const store_scope dea = {0, "US", "DEA"};
    pu_report rep;
    pu_report_init(&rep, "monitor add", NULL);
    pu_err err;
    int rc = monitor_list_add_mem(store, &dea, "fuzz", "in.csv", (const char *)data, size, NULL, &rep, &err);
    if (rc == PU_OK && rep.read != rep.written + rep.unchanged + rep.rejected + rep.duplicate) abort();
    pu_report_free(&rep);
    return 0;
}
