/* libFuzzer target: the crypto-address scan of listed remarks
 * (screen_crypto_scan, screen_crypto.h): outside text from the lists. Every
 * address it reports must lie inside the input, have the documented length
 * bounds and consist of ASCII letters and digits. */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "screen/screen_crypto.h"

typedef struct span { const char *lo, *hi; } span;

static int check(const char *addr, size_t len, void *ctx) {
    const span *s = ctx;
    if (addr < s->lo || addr + len > s->hi || len == 0 || len > SCREEN_CRYPTO_ADDR_MAX) abort();
    for (size_t i = 0; i < len; i++)
        if (!isascii((unsigned char)addr[i]) || !isalnum((unsigned char)addr[i])) abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = 0;
    span s = {text, text + strlen(text)};
    screen_crypto_scan(text, check, &s);
    free(text);
    return 0;
}
