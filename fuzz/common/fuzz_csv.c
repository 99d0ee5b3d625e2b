/* libFuzzer target: the bounded CSV and line readers. */
#include <stddef.h>
#include <stdint.h>

#include "common/pu_io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    pu_csv_opts o = {.max_record = 4096, .max_fields = 64, .check_utf8 = size % 2};
    pu_csv *r;
    if (pu_csv_open_mem((const char *)data, size, &o, &r, NULL) == PU_OK) {
        const pu_csv_row *row;
        for (int i = 0; i < 100000; i++) {
            int rc = pu_csv_next(r, &row, NULL);
            if (rc == PU_OK && !row) break;
            if (rc == PU_ERR_IO || rc == PU_ERR_NOMEM) break;
        }
        pu_csv_close(r);
    }
    pu_lines *l;
    if (pu_lines_open_mem((const char *)data, size, 256, &l, NULL) == PU_OK) {
        const char *line;
        size_t len;
        uint64_t no;
        for (;;) {
            int rc = pu_lines_next(l, &line, &len, &no, NULL);
            if (rc == PU_OK && !line) break;
        }
        pu_lines_close(l);
    }
    return 0;
}
