/* libFuzzer target: the lineage haplotype database reader
 * (haplotype,locus,allele), then a Y-STR and an mtDNA LR on what was read. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "kinship/kinship.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    kin_hapdb *h;
    if (kin_hapdb_read_mem((const char *)data, size, "hap", &h, NULL) != PU_OK) return 0;
    /* the first haplotype against the last one, as brothers */
    const char **pm = calloc((size_t)h->nloci + 1, sizeof *pm), **ref = calloc((size_t)h->nloci + 1, sizeof *ref);
    if (pm && ref && h->n > 0) {
        for (int l = 0; l < h->nloci; l++) {
            pm[l] = h->allele[l];
            ref[l] = h->allele[(size_t)(h->n - 1) * h->nloci + l];
        }
        kin_lineage_lr r;
        kin_y_lr(h, pm, ref, 2, NULL, &r, NULL);
        if (pm[0] && ref[0]) kin_mt_lr(h, pm[0], ref[0], &r, NULL);
    }
    free(pm);
    free(ref);
    kin_hapdb_free(h);
    return 0;
}
