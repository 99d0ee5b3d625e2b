/* libFuzzer target: the tip line's public intake body (tips_intake_parse),
 * the receipt normaliser, triage extraction on whatever text the intake
 * accepted, and the attachment type check and metadata strippers (JPEG
 * segments, PNG chunks): all read the public's input. Invariants: a parsed
 * intake has a known category and language and a non-blank text within its
 * cap; a normalised receipt normalises to itself; a stripped copy is
 * shorter than the file and keeps its type. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tips/tips.h"

static int count_entity(const char *kind, const char *value, void *ctx) {
    if (!kind[0] || !value[0]) __builtin_trap();
    ++*(int *)ctx;
    return PU_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    tips_intake t;
    pu_err e;
    if (tips_intake_parse((const char *)data, size, &t, &e) == PU_OK) {
        if (!tips_category_valid(t.category) || (strcmp(t.lang, "en") && strcmp(t.lang, "es"))) __builtin_trap();
        if (!t.text || strlen(t.text) > TIPS_TEXT_MAX) __builtin_trap();
        int n = 0;
        (void)tips_extract(t.text, count_entity, &n, &e);
        tips_intake_free(&t);
    }
    char in[TIPS_RECEIPT_MAX * 2], a[TIPS_RECEIPT_MAX], b[TIPS_RECEIPT_MAX];
    size_t k = size < sizeof in - 1 ? size : sizeof in - 1;
    memcpy(in, data, k);
    in[k] = '\0';
    if (tips_receipt_norm(in, a, sizeof a) == PU_OK) {
        if (tips_receipt_norm(a, b, sizeof b) != PU_OK || strcmp(a, b)) __builtin_trap();
    }
    const char *type = tips_attach_type(data, size);
    unsigned char *clean = NULL;
    size_t n = 0;
    if (type && tips_attach_strip(type, data, size, &clean, &n) == PU_OK && clean) {
        if (n >= size || tips_attach_type(clean, n) != type) __builtin_trap();
        free(clean);
    }
    return 0;
}
