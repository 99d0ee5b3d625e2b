/* libFuzzer target: the allele-frequency reader and the mutation matrices built on it. */
#include <stddef.h>
#include <stdint.h>

#include "kinship/kinship.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    kin_db *db;
    if (kin_db_read_mem((const char *)data, size, "fuzz", NULL, 0, &db, NULL) != PU_OK) return 0;
    db->warn = NULL;
    kin_mutmodel m = {KIN_MUT_STEPWISE, 0.002, 1e-6, 0.1}, f = {KIN_MUT_PROPORTIONAL, 0.001, 0, 0.1};
    kin_db_set_mutation(db, &f, &m);
    kin_db_prepare(db, NULL);
    kin_db_free(db);
    return 0;
}
