/*
 * screen_korean.c - Korean names before ICU: Hangul syllables romanised the
 * way designation lists write Korean names (McCune-Reischauer without
 * diacritics, as North Korean names appear on the OFAC list: KIM Jong Un,
 * CHOE Ryong Hae, RI Pyong Chol), one token per syllable for names of 2-4
 * syllables; and for a name of 2-4 Han characters with Korean readings, the
 * Korean reading is added as a second name ("金正恩" -> "金正恩 (kim jong un)";
 * ICU then romanises the Han part as Mandarin pinyin). See docs/screening.md.
 */
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "screen/screen_int.h"

extern const size_t sn_hanja_n;
extern const uint32_t sn_hanja[][2];

static const char *const ko_initial[19] = {"k", "kk", "n", "t", "tt", "r", "m", "p", "pp", "s",
                                           "ss", "", "j", "jj", "ch", "k", "t", "p", "h"};
static const char *const ko_medial[21] = {"a", "ae", "ya", "yae", "o", "e", "yo", "ye", "o", "wa", "wae",
                                          "oe", "yo", "u", "wo", "we", "wi", "yu", "u", "ui", "i"};
static const char *const ko_final[28] = {"", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "p", "l", "l",
                                         "p", "l", "m", "p", "p", "t", "t", "ng", "t", "t", "k", "t", "p", "t"};

static int is_hangul(int32_t c) { return c >= 0xAC00 && c <= 0xD7A3; }
static int is_han(int32_t c) {
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0xF900 && c <= 0xFAFF);
}

/* Hangul syllable of the Sino-Korean reading of Han character c, or 0. */
static int32_t hanja_reading(int32_t c) {
    size_t lo = 0, hi = sn_hanja_n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (sn_hanja[mid][0] < (uint32_t)c) lo = mid + 1;
        else hi = mid;
    }
    return lo < sn_hanja_n && sn_hanja[lo][0] == (uint32_t)c ? (int32_t)sn_hanja[lo][1] : 0;
}

/* Romanise one syllable. first: the syllable opens a name, where the
 * one-letter surnames 이 and 오 are written "lee" and "oh" (one letter would
 * be read as an initial). */
static int ko_syllable(pu_buf *b, int32_t c, int first) {
    int s = c - 0xAC00, l = s / (21 * 28), v = s / 28 % 21, t = s % 28;
    if (first && c == 0xC774) return pu_buf_puts(b, "lee");
    if (first && c == 0xC624) return pu_buf_puts(b, "oh");
    return pu_buf_puts(b, ko_initial[l]) | pu_buf_puts(b, ko_medial[v]) | pu_buf_puts(b, ko_final[t]);
}

static size_t decode(const char *s, size_t n, int32_t *cp, size_t max) {
    size_t k = 0;
    for (size_t i = 0; i < n && k < max;) {
        utf8proc_int32_t c;
        utf8proc_ssize_t l = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(n - i), &c);
        if (l <= 0) return 0;
        cp[k++] = c;
        i += (size_t)l;
    }
    return k;
}

static int put_cp(pu_buf *b, int32_t c) {
    utf8proc_uint8_t u[4];
    utf8proc_ssize_t l = utf8proc_encode_char(c, u);
    return pu_buf_append(b, (const char *)u, (size_t)l);
}

/* Syllables of a run of Hangul (or of Korean readings): 2-4 syllables are a
 * personal name, one token per syllable; other runs stay one word. */
static int ko_run(pu_buf *b, const int32_t *run, size_t n) {
    int name = n >= 2 && n <= 4, rc = 0;
    for (size_t i = 0; i < n; i++) {
        if (name && i) rc |= pu_buf_putc(b, ' ');
        rc |= ko_syllable(b, run[i], name && i == 0);
    }
    return rc;
}

int sn_korean(const char *in, size_t n, char **out) {
    *out = NULL;
    int32_t cp[SCREEN_NAME_MAX];
    size_t k = decode(in, n, cp, sizeof cp / sizeof cp[0]);
    size_t nhangul = 0, nhan = 0, nhan_read = 0, nother = 0;
    for (size_t i = 0; i < k; i++) {
        if (is_hangul(cp[i])) nhangul++;
        else if (is_han(cp[i])) {
            nhan++;
            if (hanja_reading(cp[i])) nhan_read++;
        } else {
            utf8proc_category_t cat = utf8proc_category(cp[i]);
            if (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) nother++;
        }
    }
    int han_name = nhan >= 2 && nhan <= 4 && nhan_read == nhan && nother == 0 && nhangul == 0;
    if (!nhangul && !han_name) return PU_OK;
    /* a syllable (3 bytes) becomes at most 7 letters and a space; the Korean
     * reading of a Han name adds at most 4 x 8 + 3 */
    pu_buf b = PU_BUF_INIT(n * 3 + 64);
    int32_t run[SCREEN_NAME_MAX];
    int rc = 0;
    for (size_t i = 0; i < k;) {
        if (!is_hangul(cp[i])) {
            rc |= put_cp(&b, cp[i++]);
            continue;
        }
        size_t r = 0;
        rc |= pu_buf_putc(&b, ' ');
        while (i < k && is_hangul(cp[i])) run[r++] = cp[i++];
        rc |= ko_run(&b, run, r);
        rc |= pu_buf_putc(&b, ' ');
    }
    if (han_name) {
        size_t r = 0;
        for (size_t i = 0; i < k; i++)
            if (is_han(cp[i])) run[r++] = hanja_reading(cp[i]);
        rc |= pu_buf_puts(&b, " (");
        rc |= ko_run(&b, run, r);
        rc |= pu_buf_putc(&b, ')');
    }
    if (rc) { /* only out of memory: the cap above cannot be reached */
        pu_buf_free(&b);
        return PU_ERR_NOMEM;
    }
    *out = pu_buf_detach(&b);
    return *out ? PU_OK : PU_ERR_NOMEM;
}
