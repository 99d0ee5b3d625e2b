/* libFuzzer target: the pedigree reader (cycles, parents, sexes), then one
 * likelihood per family so that whatever the reader accepts is computable. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "kinship/kinship.h"

static const char FREQ[] = "marker,allele,frequency\nL,8,0.2\nL,9,0.3\nL,9.3,0.5\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    kin_db *db;
    if (kin_db_read_mem(FREQ, sizeof FREQ - 1, "f", NULL, 0, &db, NULL) != PU_OK) return 0;
    db->warn = NULL;
    kin_db_prepare(db, NULL);
    kin_case *c;
    if (kin_case_read_pedigrees_mem(db, (const char *)data, size, "fuzz", &c, NULL) == PU_OK) {
        for (int f = 0; f < c->nfam && f < 4; f++) {
            const kin_family *F = &c->fam[f];
            if (F->n > 24) continue;
            int fa[24], mo[24], sex[24];
            int16_t gt[48];
            for (int i = 0; i < F->n; i++) {
                fa[i] = F->p[i].father, mo[i] = F->p[i].mother, sex[i] = F->p[i].sex;
                gt[2 * i] = gt[2 * i + 1] = (int16_t)(F->p[i].role == KIN_ROLE_REFERENCE ? i % 3 : KIN_UNTYPED);
            }
            double L;
            kin_ped_lik(&db->m[0], F->n, fa, mo, sex, gt, 0, 1, -1, &L, NULL);
        }
        kin_case_free(c);
    }
    kin_db_free(db);
    return 0;
}
