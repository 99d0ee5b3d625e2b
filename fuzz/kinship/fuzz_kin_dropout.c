/* libFuzzer target: the dropout/drop-in file reader (sample,marker,dropout[,dropin])
 * and a pairwise computation with what was read (the dropout likelihood). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "kinship/kinship.h"

static const char FREQ[] = "marker,allele,frequency\nL1,8,0.2\nL1,9,0.3\nL1,9.3,0.45\nL1,silent,0.05\n"
                           "L2,10,0.6\nL2,11,0.4\n";
static const char PED[] = "family,id,fid,mid,sex,role\nF1,R1,0,0,1,reference\nF1,M1,R1,MO,2,missing\n"
                          "F1,MO,0,0,2,untyped\n";
static const char AM[] = "family,id,marker,allele1,allele2\nF1,R1,L1,8,9\nF1,R1,L2,10,11\n";
static const char PM[] = "sample,sex,marker,allele1,allele2\nV1,2,L1,8,8\nV1,2,L2,11,11\nV2,2,L1,9.3,9\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    kin_db *db;
    if (kin_db_read_mem(FREQ, sizeof FREQ - 1, "f", NULL, 0, &db, NULL) != PU_OK) return 0;
    db->warn = NULL;
    kin_case *c;
    if (kin_case_read_pedigrees_mem(db, PED, sizeof PED - 1, "p", &c, NULL) == PU_OK) {
        if (kin_case_read_am_mem(c, AM, sizeof AM - 1, "am", NULL) == PU_OK &&
            kin_case_read_pm_mem(c, PM, sizeof PM - 1, "pm", NULL) == PU_OK &&
            kin_case_read_dropout_mem(c, (const char *)data, size, "drop", NULL) == PU_OK &&
            kin_db_prepare(db, NULL) == PU_OK) {
            kin_opts o;
            kin_opts_default(&o);
            double lr[2];
            int ex[2];
            kin_pairwise(c, &o, lr, ex, NULL);
        }
        kin_case_free(c);
    }
    kin_db_free(db);
    return 0;
}
