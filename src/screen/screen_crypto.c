/*
 * screen_crypto.c - cryptocurrency addresses of listed entities
 * (screen_crypto.h).
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "screen/screen_crypto.h"

/* Shortest address form kept: Bitcoin's base58 addresses have 26-35
 * characters, Ethereum's 42; anything shorter is a typo or a fragment. */
#define CRYPTO_ADDR_MIN 20

static const char LABEL[] = "digital currency address";

static int addr_char(int c) { return isascii(c) && isalnum(c); }

/* After the label: " - CUR ADDR" (the dash and the currency are optional
 * in hand-written remarks). p points past the label; returns the address
 * start and its length in *n, or NULL. */
static const char *after_label(const char *p, size_t *n) {
    while (*p == ' ' || *p == '-' || *p == ':') p++;
    const char *cur = p;
    while (*p && addr_char((unsigned char)*p)) p++;
    const char *first_end = p;
    while (*p == ' ') p++;
    const char *a = p;
    while (*p && addr_char((unsigned char)*p)) p++;
    if (p == a) { /* one word only: it is the address, no currency given */
        a = cur;
        p = first_end;
    }
    *n = (size_t)(p - a);
    return a;
}

int screen_crypto_scan(const char *text, int (*cb)(const char *addr, size_t len, void *ctx), void *ctx) {
    size_t ll = sizeof LABEL - 1;
    for (const char *p = text; p && *p; p++) {
        /* first letter first ('d' or 'D': LABEL starts with a lower-case
         * letter): every listed entity's notes are scanned at each index
         * rebuild, and a call per character was 5 % of one */
        if ((*p | 0x20) != LABEL[0] || strncasecmp(p, LABEL, ll) != 0) continue;
        size_t n = 0;
        const char *a = after_label(p + ll, &n);
        if (n >= CRYPTO_ADDR_MIN && n <= SCREEN_CRYPTO_ADDR_MAX) {
            int rc = cb(a, n, ctx);
            if (rc) return rc;
        }
        p += ll - 1;
    }
    return 0;
}

int screen_crypto_each(const ftm_entity *e, int (*cb)(const char *addr, size_t len, void *ctx), void *ctx) {
    static const char *const direct[] = {"publicKey", "cryptoWallets", NULL};
    for (int k = 0; direct[k]; k++) {
        const ftm_prop *p = ftm_entity_prop(e, direct[k]);
        for (size_t i = 0; p && i < p->n; i++) {
            int rc = cb(p->values[i], strlen(p->values[i]), ctx);
            if (rc) return rc;
        }
    }
    const ftm_prop *notes = ftm_entity_prop(e, "notes");
    for (size_t i = 0; notes && i < notes->n; i++) {
        int rc = screen_crypto_scan(notes->values[i], cb, ctx);
        if (rc) return rc;
    }
    return 0;
}
