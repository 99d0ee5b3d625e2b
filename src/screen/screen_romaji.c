/*
 * screen_romaji.c - Japanese names written in two romanisation systems.
 * Designation lists and passports write Hepburn (SHIBATA, TSUCHIYA, FUKUDA,
 * CHIBA) where Japanese registers, older documents and Japanese keyboards
 * give Kunrei-shiki or Nihon-shiki (SIBATA, TUTIYA, HUKUDA, TIBA), and long
 * vowels appear with a macron (SATŌ, folded to SATO), doubled (SATOU,
 * OOTANI), as "oh" (ITOH, OHNO, passport Hepburn) or not at all (SATO).
 * sn_romaji_canon rewrites a token into one canonical form (Hepburn without
 * long vowels) through the table below, and says whether the token is made
 * of Japanese morae at all, so that the rule never touches a Spanish or
 * English word that merely contains "ti" or "ou". docs/screening.md
 * "Japanese romanisation".
 */
#include <string.h>

#include "screen/screen_int.h"

/* Kunrei-shiki / Nihon-shiki spellings and their Hepburn form, longest
 * first at each position (sya before si). */
static const struct {
    const char *from, *to;
} ROMAJI_TABLE[] = {
    {"sya", "sha"}, {"syu", "shu"}, {"syo", "sho"}, {"tya", "cha"}, {"tyu", "chu"}, {"tyo", "cho"},
    {"zya", "ja"},  {"zyu", "ju"},  {"zyo", "jo"},  {"jya", "ja"},  {"jyu", "ju"},  {"jyo", "jo"},
    {"si", "shi"},  {"ti", "chi"},  {"tu", "tsu"},  {"hu", "fu"},   {"zi", "ji"},   {"mb", "nb"},
    {"mp", "np"},   {"mm", "nm"},
};
/* Not in the table: Nihon-shiki's di/du/dya (Kunrei and Hepburn write them
 * zi/ji, zu): rare in names, and DURAN, DIAZ... would fold into ZURAN. */

/* 1 when c is the first letter of a spelling in the table. */
static int starts_rule(char c) {
    for (size_t r = 0; r < sizeof ROMAJI_TABLE / sizeof ROMAJI_TABLE[0]; r++)
        if (ROMAJI_TABLE[r].from[0] == c) return 1;
    return 0;
}

static int vowel(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'; }

/* Rewrite by the table; 1 in *changed when a rule applied. */
static size_t table_pass(const char *t, size_t n, char *out, size_t size, int *changed) {
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        /* Hepburn's sh, ch, ts are copied whole: "chu" holds "hu", which
         * is no Kunrei "hu" there */
        if (i + 1 < n && (t[i + 1] == 'h' || t[i + 1] == 's') &&
            (memcmp(t + i, "sh", 2) == 0 || memcmp(t + i, "ch", 2) == 0 || memcmp(t + i, "ts", 2) == 0)) {
            if (k + 2 >= size) return 0;
            out[k++] = t[i++];
            out[k++] = t[i++];
            continue;
        }
        const char *to = NULL;
        size_t fl = 0;
        /* most letters start no rule: the table is not searched for them
         * (the search was most of the time resolution spent comparing) */
        int may = starts_rule(t[i]);
        for (size_t r = 0; r < sizeof ROMAJI_TABLE / sizeof ROMAJI_TABLE[0] && !to && may; r++) {
            if (ROMAJI_TABLE[r].from[0] != t[i]) continue;
            size_t l = strlen(ROMAJI_TABLE[r].from);
            if (l <= n - i && memcmp(t + i, ROMAJI_TABLE[r].from, l) == 0) to = ROMAJI_TABLE[r].to, fl = l;
        }
        if (to) {
            size_t tl = strlen(to);
            if (k + tl >= size) return 0;
            memcpy(out + k, to, tl);
            k += tl;
            i += fl;
            *changed = 1;
        } else {
            if (k + 1 >= size) return 0;
            out[k++] = t[i++];
        }
    }
    out[k] = 0;
    return k;
}

/* Long vowels to one: ou, oo, uu and "oh" before a consonant or at the end
 * (ITOH, OHNO) become o / u, unless a vowel follows (INOUE is i-no-u-e). */
static size_t long_vowels(char *s, size_t n, int *changed) {
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i], nx = i + 1 < n ? s[i + 1] : 0, after = i + 2 < n ? s[i + 2] : 0;
        s[k++] = c;
        int second = (c == 'o' && (nx == 'u' || nx == 'o')) || (c == 'u' && nx == 'u') ||
                     (c == 'o' && nx == 'h' && (!after || (!vowel(after) && after != 'y')));
        if (second && !vowel(after)) {
            i++; /* drop the lengthening letter */
            *changed = 1;
        }
    }
    s[k] = 0;
    return k;
}

/* Morae of a canonical (Hepburn) token, or 0 when it is not made of them:
 * (consonant (y)) vowel, a syllabic n, a doubled consonant (gemination,
 * "tch"). */
static int morae(const char *s, size_t n) {
    static const char *const onsets[] = {"sh", "ch", "ts", "k", "g", "s", "z", "t", "d", "n", "h", "b",
                                         "p", "m", "y", "r", "w", "j", "f", NULL};
    int m = 0;
    for (size_t i = 0; i < n;) {
        if (vowel(s[i])) {
            i++, m++;
            continue;
        }
        if (s[i] == 'n' && (i + 1 == n || (!vowel(s[i + 1]) && s[i + 1] != 'y'))) {
            i++, m++; /* syllabic n */
            continue;
        }
        if (i + 1 < n && s[i] == s[i + 1] && s[i] != 'n' && !vowel(s[i])) {
            i++; /* a doubled consonant: the first half is the small tsu */
            continue;
        }
        if (i + 2 < n && s[i] == 't' && s[i + 1] == 'c' && s[i + 2] == 'h') {
            i++; /* tch: gemination before ch */
            continue;
        }
        size_t ol = 0;
        for (int k = 0; onsets[k] && !ol; k++) {
            size_t l = strlen(onsets[k]);
            if (l <= n - i && memcmp(s + i, onsets[k], l) == 0) ol = l;
        }
        if (!ol) return 0;
        i += ol;
        if (i < n && s[i] == 'y' && ol == 1 && strchr("kgnhbpmr", s[i - 1])) i++; /* kya, ryo... */
        if (i >= n || !vowel(s[i])) return 0;
        i++, m++;
    }
    return m;
}

int sn_romaji_canon(const char *t, size_t n, char *out, size_t size, int *nmorae, int *kunrei) {
    *nmorae = 0;
    *kunrei = 0;
    for (size_t i = 0; i < n; i++)
        if (t[i] < 'a' || t[i] > 'z') return 0;
    int lv = 0;
    size_t k = table_pass(t, n, out, size, kunrei);
    if (!k) return 0;
    k = long_vowels(out, k, &lv);
    *nmorae = morae(out, k);
    return *nmorae > 0;
}
