/* libFuzzer target: the JSON case reader of the HTTP API (kin_request_parse
 * and kin_request_load: purpose, options, the CSV parts and the caps), then
 * the pairwise LRs and the dviSolve pipeline on small cases that were read. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "kinship/kinship.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    kin_req_caps caps;
    kin_req_caps_default(&caps);
    /* small caps keep each input fast; the cap checks themselves are fuzzed */
    caps.max_markers = 8;
    caps.max_samples = 8;
    caps.max_families = 4;
    caps.max_missing = 4;
    caps.max_persons = 12;
    caps.max_pairs = 16;
    caps.max_rows = 2000;
    kin_request *q;
    pu_err err;
    if (kin_request_parse((const char *)data, size, &caps, &q, &err) != PU_OK) return 0;
    if (kin_request_load(q, &err) == PU_OK && q->opts.theta < 0.2) {
        size_t n = (size_t)q->c->nvic * (size_t)q->c->nmiss + 1;
        double *lr = malloc(n * sizeof *lr);
        int *ex = malloc(n * sizeof *ex);
        if (lr && ex) kin_pairwise(q->c, &q->opts, lr, ex, NULL);
        free(lr);
        free(ex);
        kin_solve *S;
        if (kin_solve_run(q->c, &q->opts, &S, NULL) == PU_OK) kin_solve_free(S);
    }
    kin_request_free(q);
    return 0;
}
