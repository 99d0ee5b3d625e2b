/* libFuzzer target: the API's manifest body reader (cargo_screen_mem) over
 * CSV, JSON lines and JSON documents, all or nothing, with the screening of
 * what it accepts. The first byte picks the format; the rest is the body. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cargo/cargo.h"
#include "fuzz_engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    cargo_engine *eng = fuzz_cargo_engine();
    if (!eng) return 0;
    if (!size) return 0;
    static const cargo_format FMT[4] = {CARGO_FMT_CSV, CARGO_FMT_JSONL, CARGO_FMT_JSON, CARGO_FMT_AUTO};
    cargo_format fmt = FMT[data[0] & 3];
    cargo_batch_opts o = {NULL, 0, NULL};
    cargo_batch *b = NULL;
    size_t nbad = 0;
    pu_err err;
    pu_err_clear(&err);
    int rc = cargo_screen_mem(eng, &o, (const char *)data + 1, size - 1, fmt, 5000, &b, &nbad, &err);
    if (rc == PU_OK) {
        if (!b || nbad || cargo_batch_count(b) == 0) __builtin_trap();
        for (size_t i = 0; i < cargo_batch_count(b); i++) {
            const cargo_result *r = cargo_batch_result(b, i);
            if (!r->decision || !r->reasons) __builtin_trap();
        }
    } else {
        /* a refusal always says where and what */
        if (b || !err.where[0] || !err.msg[0]) __builtin_trap();
        if (memchr(err.where, '\0', sizeof err.where) == NULL) __builtin_trap();
    }
    cargo_batch_free(b);
    return 0;
}
