/* libFuzzer target: the "date,count" series reader, then every method on
 * whatever series it accepts. */
#include <stddef.h>
#include <stdint.h>

#include "ews/ews.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    ews_counts *c = NULL;
    if (ews_counts_read_mem((const char *)data, size, &c, NULL) != PU_OK) return 0;
    if (c->n <= 2000) {
        ews_series s = {c->n, c->y, c->days};
        for (int m = EWS_C1; m <= EWS_CUSUM; m++) {
            ews_params p;
            ews_params_default((ews_method)m, &p);
            ews_result *r = NULL;
            if (ews_detect(&s, &p, &r, NULL) == PU_OK) ews_result_free(r);
        }
    }
    ews_counts_free(c);
    return 0;
}
