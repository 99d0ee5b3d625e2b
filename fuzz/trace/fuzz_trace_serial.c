/* libFuzzer target: serial normalisation and wildcard matching, manufacturer
 * and name normalisation, calibre and state parsing (all outside input). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "trace/trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char in[256], a[TRACE_SERIAL_MAX], b[TRACE_SERIAL_MAX], n[TRACE_NAME_MAX];
    if (size >= sizeof in) size = sizeof in - 1;
    memcpy(in, data, size);
    in[size] = 0;
    char *half = in + size / 2;
    char second[256];
    memcpy(second, half, strlen(half) + 1);
    *half = 0;
    int wild, known;
    if (trace_serial_norm(in, 1, a, sizeof a, &wild, NULL) == PU_OK &&
        trace_serial_norm(second, 0, b, sizeof b, NULL, NULL) == PU_OK) {
        int m = trace_serial_match(a, b);
        /* a pattern without wildcards matches only the same serial */
        if (!wild && m && strcmp(a, b) != 0) __builtin_trap();
        if (!wild && !m && strcmp(a, b) == 0) __builtin_trap();
    }
    trace_mfr_norm(in, n, sizeof n, &known);
    trace_name_norm(second, n, sizeof n);
    trace_calibre_over_22(in);
    double km;
    trace_state_distance(in, second, &km);
    char code[8];
    trace_mx_state_code(second, code, sizeof code);
    return 0;
}
