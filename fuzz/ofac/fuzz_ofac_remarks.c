/* libFuzzer target: the OFAC Remarks parser and date parser. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ofac/ofac.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    ofac_remarks *r;
    if (ofac_remarks_parse(text, &r, NULL) == PU_OK) {
        for (size_t i = 0; i < r->n; i++)
            if (!r->facts[i].value || !*r->facts[i].value) abort(); /* facts always carry a value */
        ofac_remarks_free(r);
    }
    char d[16];
    (void)ofac_parse_date(text, d, sizeof d);
    (void)ofac_country_code(text);
    free(text);
    return 0;
}
