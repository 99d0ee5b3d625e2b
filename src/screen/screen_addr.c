/*
 * screen_addr.c - postal addresses as a qualifier (watchman parity, issue
 * #19; docs/screening.md "Addresses"). Lists write an address as one line
 * ("Calle 5 de Mayo 123, Col. Centro, Culiacan, Sinaloa, MX"); a query
 * gives one line too. Both are folded like names (accents, case, other
 * scripts), cut into words, and common abbreviations of street types are
 * expanded (St = Street, Av/Ave = Avenida/Avenue, Col = Colonia, ...).
 * Then, as watchman weighs the address fields:
 *   - the words (street, city, state, country) are aligned one to one,
 *     best pairs first, a pair counting when Jaro-Winkler >= ADDR_WORD_JW;
 *     the similarity is the matched share of the shorter address's words;
 *   - house numbers: when both sides have numbers and none agrees, the
 *     similarity is halved (same street, another house).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "screen/screen_int.h"

#define ADDR_MAX_WORDS 24
#define ADDR_WORD_JW 0.9      /* two words are one word spelt differently */
#define ADDR_NUMBER_CONFLICT 0.5

/* Words that say nothing about where (and expansions of abbreviations). */
static const char *const stop[] = {"de", "del", "la", "el", "los", "las", "the", "of", "no", "num", "numero",
                                   "number", "int", "ext", "interior", "exterior", "y", "and", NULL};
static const struct { const char *abbr, *word; } abbrs[] = {
    {"st", "street"},  {"str", "street"},   {"ave", "avenue"},   {"av", "avenida"}, {"avda", "avenida"},
    {"col", "colonia"}, {"blvd", "boulevard"}, {"bv", "boulevard"}, {"rd", "road"},  {"dr", "drive"},
    {"c", "calle"},    {"cl", "calle"},     {"carr", "carretera"}, {"km", "kilometro"}, {"fracc", "fraccionamiento"},
    {"edo", "estado"}, {"cd", "ciudad"},    {"pte", "poniente"}, {"ote", "oriente"}, {"nte", "norte"},
    {"apt", "apartment"}, {"ste", "suite"}, {"bldg", "building"}, {"ul", "ulitsa"}, {"pr", "prospekt"},
    {NULL, NULL}};

typedef struct addr {
    char buf[SN_BUF_MAX];
    const char *w[ADDR_MAX_WORDS];
    size_t wl[ADDR_MAX_WORDS];
    int nw;
    const char *num[ADDR_MAX_WORDS];
    size_t nl[ADDR_MAX_WORDS];
    int nn;
} addr;

static const char *expand(const char *w, size_t n, size_t *out) {
    for (int i = 0; stop[i]; i++)
        if (strlen(stop[i]) == n && memcmp(stop[i], w, n) == 0) return NULL;
    for (int i = 0; abbrs[i].abbr; i++)
        if (strlen(abbrs[i].abbr) == n && memcmp(abbrs[i].abbr, w, n) == 0) {
            *out = strlen(abbrs[i].word);
            return abbrs[i].word;
        }
    *out = n;
    return w;
}

/* Fold and cut one address; 0 when it has no word or number. */
static int addr_parse(const char *in, addr *a) {
    memset(a, 0, sizeof *a);
    char *f = NULL;
    if (sn_fold(in, &f, NULL, "address") != PU_OK || !f) return 0;
    pu_strlcpy(a->buf, f, sizeof a->buf);
    free(f);
    for (char *p = a->buf; *p;) {
        while (*p && !isalnum((unsigned char)*p)) *p++ = 0;
        if (!*p) break;
        char *s = p;
        while (isalnum((unsigned char)*p)) p++;
        size_t n = (size_t)(p - s);
        if (isdigit((unsigned char)s[0])) {
            if (a->nn < ADDR_MAX_WORDS) {
                a->num[a->nn] = s;
                a->nl[a->nn++] = n;
            }
            continue;
        }
        size_t en;
        const char *w = expand(s, n, &en);
        if (w && a->nw < ADDR_MAX_WORDS) {
            a->w[a->nw] = w;
            a->wl[a->nw++] = en;
        }
    }
    return a->nw + a->nn > 0;
}

/* Matched words, one to one, best first (greedy). */
static int matched_words(const addr *a, const addr *b) {
    unsigned char used[ADDR_MAX_WORDS] = {0};
    int m = 0;
    for (int i = 0; i < a->nw; i++) {
        int best = -1;
        double bs = 0;
        for (int k = 0; k < b->nw; k++) {
            if (used[k]) continue;
            double s = a->wl[i] == b->wl[k] && memcmp(a->w[i], b->w[k], a->wl[i]) == 0
                           ? 1.0
                           : screen_jaro_winkler(a->w[i], a->wl[i], b->w[k], b->wl[k]);
            if (s > bs) {
                bs = s;
                best = k;
            }
        }
        if (best >= 0 && bs >= ADDR_WORD_JW) {
            used[best] = 1;
            m++;
        }
    }
    return m;
}

static int number_conflict(const addr *a, const addr *b) {
    if (!a->nn || !b->nn) return 0;
    for (int i = 0; i < a->nn; i++)
        for (int k = 0; k < b->nn; k++)
            if (a->nl[i] == b->nl[k] && memcmp(a->num[i], b->num[k], a->nl[i]) == 0) return 0;
    return 1;
}

double sn_address_sim(const char *q, const char *listed) {
    addr *a = malloc(sizeof *a), *b = malloc(sizeof *b);
    double s = 0;
    if (a && b && addr_parse(q, a) && addr_parse(listed, b)) {
        int shorter = a->nw < b->nw ? a->nw : b->nw;
        if (shorter > 0) s = (double)matched_words(a, b) / shorter;
        if (number_conflict(a, b)) s *= ADDR_NUMBER_CONFLICT;
    }
    free(a);
    free(b);
    return s;
}
