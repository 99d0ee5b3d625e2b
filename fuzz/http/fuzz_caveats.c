/* fuzz_caveats.c - libFuzzer target for acl_caveats_normalise (caveat lists
 * arrive from API clients and uploads). The output must round-trip. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "access/access.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *s = malloc(size + 1);
    if (!s) return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    char out[64], again[64];
    if (acl_caveats_normalise(s, out, sizeof out, NULL) == PU_OK) {
        if (acl_caveats_normalise(out, again, sizeof again, NULL) != PU_OK || strcmp(out, again) != 0) abort();
    }
    free(s);
    return 0;
}
