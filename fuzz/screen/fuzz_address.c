/* libFuzzer target: the one-line address comparison of screening
 * (sn_address_sim, screen_addr.c): a query's address is outside input.
 * The similarity must stay in [0, 1] whichever side the input is on. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "screen/screen_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = 0;
    static const char listed[] = "Calle Cerro de Tepeyac No. 33, Colonia Lucio Blanco, Matamoros, Tamaulipas, Mexico";
    double a = sn_address_sim(text, listed), b = sn_address_sim(listed, text), c = sn_address_sim(text, text);
    if (!(a >= 0 && a <= 1) || !(b >= 0 && b <= 1) || !(c >= 0 && c <= 1)) abort();
    free(text);
    return 0;
}
