/* libFuzzer target: the shared value parsers (pu_parse.h) and the header
 * check (pu_csv_header) on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/pu_io.h"
#include "common/pu_parse.h"

#define FUZZ_MAX_VALUE 256

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char v[FUZZ_MAX_VALUE + 1];
    size_t n = size < FUZZ_MAX_VALUE ? size : FUZZ_MAX_VALUE;
    memcpy(v, data, n);
    v[n] = '\0';
    pu_err e;
    pu_date d;
    if (pu_date_parse(v, PU_DATE_PARTIAL | PU_DATE_TIME, "f:1", "date", &d, &e) == PU_OK) {
        /* an accepted date is a real calendar date and formats back */
        char buf[16];
        pu_date_format(&d, buf, sizeof buf);
        if (pu_date_last_days(&d) < pu_date_days(&d)) abort();
        pu_date_not_future(&d, NULL, NULL, &e);
    }
    int64_t t;
    pu_datetime_parse(v, NULL, NULL, &t, &e);
    char c[3];
    if (pu_country_parse(v, NULL, NULL, c, &e) == PU_OK && !pu_country_name(c, "en")) abort();
    double x;
    if (pu_number_parse(v, PU_NUM_POSITIVE, NULL, NULL, &x, &e) == PU_OK && !(x > 0)) abort();
    if (pu_mass_parse(v, "kg", NULL, NULL, &x, &e) == PU_OK && !(x > 0)) abort();
    if (pu_percent_parse(v, NULL, NULL, &x, &e) == PU_OK && (x < 0 || x > 100)) abort();
    long long i;
    pu_int_parse(v, -5, 5, NULL, NULL, &i, &e);

    /* the same bytes as a CSV header row */
    pu_csv *r;
    if (pu_csv_open_mem((const char *)data, size, NULL, &r, NULL) == PU_OK) {
        const pu_csv_row *row;
        if (pu_csv_next(r, &row, NULL) == PU_OK && row) {
            const pu_col cols[] = {{"name", "full_name", PU_COL_REQUIRED}, {"dob", NULL, 0}};
            int idx[2];
            char *warn = NULL;
            pu_csv_header("f", row, cols, 2, PU_UNKNOWN_WARN, idx, &warn, NULL);
            free(warn);
        }
        pu_csv_close(r);
    }
    return 0;
}
