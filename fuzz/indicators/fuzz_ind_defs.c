/* libFuzzer target: indicator definitions (ind_defs_read_mem, the CSV a
 * user gives `puente indicator define` or the API) and the formula parser
 * on the same bytes. Invariants: a parsed definition has a known goal and
 * period, a positive factor and formulas that parse again; a parsed formula
 * evaluates without crashing over an empty row set (0 rows read). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "indicators/ind.h"

static void check_formula(const char *f) {
    ind_expr *e = NULL;
    pu_err err;
    if (*f && ind_expr_parse(f, strlen(f), NULL, NULL, &e, &err) != PU_OK) __builtin_trap();
    ind_expr_free(e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    ind_def *d = NULL;
    size_t n = 0;
    pu_err err;
    if (ind_defs_read_mem((const char *)data, size, "fuzz.csv", &d, &n, &err) == PU_OK) {
        for (size_t i = 0; i < n; i++) {
            if (strcmp(d[i].goal, "protect") && strcmp(d[i].goal, "prevent") && strcmp(d[i].goal, "pursue")) __builtin_trap();
            if (!(d[i].factor > 0) || d[i].ntargets > IND_MAX_TARGETS) __builtin_trap();
            check_formula(d[i].numerator);
            check_formula(d[i].denominator);
        }
        ind_defs_free(d, n);
    }
    ind_expr *e = NULL;
    if (ind_expr_parse((const char *)data, size, NULL, NULL, &e, &err) == PU_OK) {
        ind_rows rows = {0};
        ind_cell c = {.year = 2024};
        double v;
        size_t nr;
        int supp;
        (void)ind_expr_eval(e, &rows, &c, &v, &nr, &supp, &err);
        if (nr != 0) __builtin_trap();
        ind_expr_free(e);
    }
    return 0;
}
