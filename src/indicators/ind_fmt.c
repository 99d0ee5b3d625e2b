/*
 * ind_fmt.c - numbers and dates per locale for the report, through ICU
 * (en-US: "1,238.5"; es-MX: "1,238.5" with the Mexican conventions ICU
 * knows), so both languages show the same figures in each one's way.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unicode/udat.h>
#include <unicode/unum.h>
#include <unicode/ustring.h>

#include "indicators/ind_int.h"

#define IND_UBUF 128

static const char *icu_locale(const char *lang) { return lang && !strncmp(lang, "es", 2) ? "es_MX" : "en_US"; }

void ind_format_number(const char *lang, double v, int decimals, char *out, size_t size) {
    UErrorCode st = U_ZERO_ERROR;
    UNumberFormat *f = unum_open(UNUM_DECIMAL, NULL, 0, icu_locale(lang), NULL, &st);
    UChar buf[IND_UBUF];
    int32_t n = 0;
    if (U_SUCCESS(st)) {
        unum_setAttribute(f, UNUM_MAX_FRACTION_DIGITS, decimals);
        unum_setAttribute(f, UNUM_MIN_FRACTION_DIGITS, 0);
        n = unum_formatDouble(f, v, buf, IND_UBUF, NULL, &st);
    }
    if (f) unum_close(f);
    if (U_SUCCESS(st) && n < IND_UBUF) {
        u_strToUTF8(out, (int32_t)size, NULL, buf, n, &st);
        if (U_SUCCESS(st) && st != U_STRING_NOT_TERMINATED_WARNING) return;
    }
    snprintf(out, size, "%.*f", decimals, v);
}

void ind_format_today(const char *lang, char *out, size_t size) {
    UErrorCode st = U_ZERO_ERROR;
    UChar tz[] = {'U', 'T', 'C', 0}, buf[IND_UBUF];
    UDateFormat *f = udat_open(UDAT_NONE, UDAT_LONG, icu_locale(lang), tz, -1, NULL, 0, &st);
    int32_t n = 0;
    if (U_SUCCESS(st)) n = udat_format(f, ucal_getNow(), buf, IND_UBUF, NULL, &st);
    if (f) udat_close(f);
    if (U_SUCCESS(st) && n < IND_UBUF) {
        u_strToUTF8(out, (int32_t)size, NULL, buf, n, &st);
        if (U_SUCCESS(st) && st != U_STRING_NOT_TERMINATED_WARNING) return;
    }
    pu_now_iso(out, size);
    if (size > 10) out[10] = '\0';
}
