/* libFuzzer target: the cargo manifest readers (CSV and JSON lines) and the
 * chemical detection over whatever descriptions they yield. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cargo/cargo.h"
#include "fuzz_engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    cargo_engine *eng = fuzz_cargo_engine();
    if (!eng) return 0;
    /* first byte picks the format so both readers get coverage */
    cargo_format fmt = size && (data[0] & 1) ? CARGO_FMT_JSONL : CARGO_FMT_CSV;
    cargo_reader *rd;
    if (cargo_reader_open_mem((const char *)data, size, fmt, NULL, &rd, NULL) != PU_OK) return 0;
    cargo_batch *b;
    if (cargo_batch_new(eng, NULL, &b, NULL) != PU_OK) { cargo_reader_close(rd); return 0; }
    for (int i = 0; i < 10000; i++) {
        const cargo_manifest *m;
        int rc = cargo_reader_next(rd, &m, NULL);
        if (rc == PU_OK && !m) break;
        if (rc == PU_ERR_INVALID || rc == PU_ERR_LIMIT) { size_t n; (void)cargo_reader_raw(rd, &n); continue; }
        if (rc) break;
        if (cargo_batch_add(b, m, NULL) != PU_OK) break;
    }
    cargo_batch_finish(b, NULL);
    for (size_t i = 0; i < cargo_batch_count(b); i++) {
        const cargo_result *r = cargo_batch_result(b, i);
        if (!r->decision || !r->reasons) __builtin_trap();
    }
    cargo_batch_free(b);
    cargo_reader_close(rd);
    return 0;
}
