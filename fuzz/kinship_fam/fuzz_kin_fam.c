/* libFuzzer target: the Familias 3 (.fam) reader, then its conversion to the
 * kinship CSV formats and a pairwise LR of what was read (the engine's
 * readers on the converted text), for each typed person as the remains. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "kinship/kin_fam.h"

static void score(const kin_fam_csv *c) {
    kin_db *db = NULL;
    kin_case *k = NULL;
    if (kin_db_read_mem(c->freqs, strlen(c->freqs), "f", NULL, 0, &db, NULL) != PU_OK) return;
    db->warn = NULL;
    if (kin_db_read_mutation_mem(db, c->mutation, strlen(c->mutation), "m", NULL) == PU_OK &&
        kin_case_read_pedigrees_mem(db, c->pedigrees, strlen(c->pedigrees), "p", &k, NULL) == PU_OK &&
        kin_case_read_am_mem(k, c->am, strlen(c->am), "a", NULL) == PU_OK &&
        kin_case_read_pm_mem(k, c->pm, strlen(c->pm), "v", NULL) == PU_OK && k->nvic == 1 && k->nmiss == 1 &&
        kin_db_prepare(db, NULL) == PU_OK) {
        kin_opts o;
        kin_opts_default(&o);
        double lr;
        kin_pairwise(k, &o, &lr, NULL, NULL);
    }
    kin_case_free(k);
    kin_db_free(db);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    kin_famfile *f = NULL;
    if (kin_fam_parse((const char *)data, size, "fuzz.fam", &f, NULL) != PU_OK) return 0;
    for (int i = 0; i < f->nper && i < 4; i++) {
        if (!f->per[i].ngt) continue;
        kin_fam_csv c;
        if (kin_fam_to_csv(f, NULL, f->per[i].name, NULL, "F", &c, NULL) == PU_OK) {
            score(&c);
            kin_fam_csv_free(&c);
        }
    }
    kin_famfile_free(f);
    return 0;
}
