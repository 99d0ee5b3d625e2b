/* libFuzzer target: the AM and PM genotype readers (alleles, microvariants,
 * unknown markers and alleles), then the pairwise LRs on what was read. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kinship/kinship.h"

static const char FREQ[] = "marker,allele,frequency\nL1,8,0.2\nL1,9,0.3\nL1,9.3,0.5\nL2,10,0.6\nL2,11,0.4\n";
static const char PED[] = "family,id,fid,mid,sex,role\nF1,R1,0,0,1,reference\nF1,M1,R1,MO,2,missing\n"
                          "F1,MO,0,0,2,untyped\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    kin_db *db;
    if (kin_db_read_mem(FREQ, sizeof FREQ - 1, "f", NULL, 0, &db, NULL) != PU_OK) return 0;
    db->warn = NULL;
    kin_case *c;
    if (kin_case_read_pedigrees_mem(db, PED, sizeof PED - 1, "p", &c, NULL) == PU_OK) {
        /* the same bytes as an AM file and as a PM file */
        kin_case_read_am_mem(c, (const char *)data, size, "am", NULL);
        kin_case_read_pm_mem(c, (const char *)data, size, "pm", NULL);
        if (kin_db_prepare(db, NULL) == PU_OK && c->nvic > 0 && c->nvic < 50) {
            kin_opts o;
            kin_opts_default(&o);
            double *lr = malloc(sizeof(double) * (size_t)c->nvic * (size_t)c->nmiss);
            int *ex = malloc(sizeof(int) * (size_t)c->nvic * (size_t)c->nmiss);
            if (lr && ex) kin_pairwise(c, &o, lr, ex, NULL);
            free(lr);
            free(ex);
        }
        kin_case_free(c);
    }
    kin_db_free(db);
    return 0;
}
