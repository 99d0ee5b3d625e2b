/* libFuzzer target: the language choices that come from outside — the
 * Accept-Language header of every request and the puente_lang cookie /
 * --lang / PUENTE_LANG tag (i18n_accept_language, i18n_lang_parse). The
 * answer is always a supported language; a parsed tag agrees with the header
 * that names only it. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "i18n/i18n.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *s = malloc(size + 1);
    if (!s) return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    i18n_lang a = i18n_accept_language(s);
    if (a != I18N_EN && a != I18N_ES) abort();
    i18n_lang l = I18N_EN;
    pu_err e;
    if (i18n_lang_parse(s, &l, &e) == PU_OK) {
        if (l != I18N_EN && l != I18N_ES) abort();
        /* a bare supported tag as the whole header picks that language */
        if (!strchr(s, ',') && !strchr(s, ';') && strlen(s) == strcspn(s, " \t") && i18n_accept_language(s) != l)
            abort();
    }
    free(s);
    return 0;
}
