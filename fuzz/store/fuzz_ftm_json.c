/*
 * libFuzzer target: the FtM JSON reader (ftm_entity_from_json) and, for
 * what it accepts, the writer: re-serialising and re-reading must give the
 * same JSON (the round trip `puente export ftm` relies on).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ftm/ftm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    ftm_entity *e;
    pu_err err;
    if (ftm_entity_from_json((const char *)data, size, &e, &err) != PU_OK) return 0;
    char *a = NULL, *b = NULL;
    ftm_entity *back = NULL;
    if (ftm_entity_to_json(e, 1, &a) != PU_OK) abort();
    if (ftm_entity_from_json(a, strlen(a), &back, &err) != PU_OK) abort();
    if (ftm_entity_to_json(back, 1, &b) != PU_OK) abort();
    if (strcmp(a, b) != 0) abort();
    (void)ftm_entity_caption(e);
    free(a);
    free(b);
    ftm_entity_free(back);
    ftm_entity_free(e);
    return 0;
}
