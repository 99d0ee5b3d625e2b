/*
 * test_screen_speed.c - the speed work of round 4 must not change a result:
 * the bit-parallel Jaro-Winkler against the classic loop, the letter-mask
 * upper bound against the exact value, token similarity with and without
 * the per-token caches (skeleton, no-vowel flag, letter mask), the bracket
 * of the coverage blend used by the candidate bound, and the fold memo.
 * Random strings from a fixed seed; every case is checked, not sampled.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "screen/screen.h"
#include "screen/screen_int.h"

/* xorshift64*: a fixed sequence on every machine */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(void) {
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545F4914F6CDD1Dull) >> 32);
}

/* The classic Jaro-Winkler matching loop (the specification the
 * bit-parallel screen_jaro_winkler must reproduce bit for bit). */
static double jw_classic(const char *a, size_t na, const char *b, size_t nb) {
    if (na == 0 && nb == 0) return 1.0;
    if (na == 0 || nb == 0) return 0.0;
    if (na > 64) na = 64;
    if (nb > 64) nb = 64;
    size_t range = (na > nb ? na : nb) / 2;
    range = range > 0 ? range - 1 : 0;
    unsigned char ma[64] = {0}, mb[64] = {0};
    size_t m = 0;
    for (size_t i = 0; i < na; i++) {
        size_t lo = i > range ? i - range : 0, hi = i + range + 1 < nb ? i + range + 1 : nb;
        for (size_t j = lo; j < hi; j++) {
            if (mb[j] || a[i] != b[j]) continue;
            ma[i] = mb[j] = 1;
            m++;
            break;
        }
    }
    if (m == 0) return 0.0;
    size_t t = 0, j = 0;
    for (size_t i = 0; i < na; i++) {
        if (!ma[i]) continue;
        while (!mb[j]) j++;
        if (a[i] != b[j]) t++;
        j++;
    }
    double md = (double)m;
    double jaro = (md / (double)na + md / (double)nb + (md - (double)t / 2.0) / md) / 3.0;
    size_t l = 0;
    while (l < 4 && l < na && l < nb && a[l] == b[l]) l++;
    return jaro + (double)l * 0.1 * (1.0 - jaro);
}

/* A random string of n characters from the first k of alpha. */
static void rand_str(char *s, size_t n, const char *alpha, size_t k) {
    for (size_t i = 0; i < n; i++) s[i] = alpha[rnd() % k];
    s[n] = 0;
}

static const char ALPHA[] = "aeiouybcdghklmnqrstwz0123456789xfjpv";

static void test_jw_bitparallel_equals_classic(void **st) {
    (void)st;
    char a[80], b[80];
    long diff = 0, nonzero = 0;
    for (int it = 0; it < 400000; it++) {
        /* mostly token lengths, sometimes over the 64-letter cap; small
         * alphabets make repeated letters and many matches */
        size_t na = rnd() % (it % 16 == 0 ? 72 : 14), nb = rnd() % (it % 16 == 0 ? 72 : 14);
        size_t k = 2 + rnd() % (sizeof ALPHA - 3);
        rand_str(a, na, ALPHA, k);
        rand_str(b, nb, ALPHA, k);
        if (it % 5 == 0 && na) memcpy(b, a, na < nb ? na : nb); /* shared prefixes */
        double x = jw_classic(a, na, b, nb), y = screen_jaro_winkler(a, na, b, nb);
        if (memcmp(&x, &y, sizeof x) != 0) {
            if (diff++ < 5) print_message("jw '%s' '%s': classic %.17g, bit-parallel %.17g\n", a, b, x, y);
        }
        if (x > 0) nonzero++;
    }
    assert_int_equal(diff, 0);
    assert_true(nonzero > 100000); /* the cases were not all trivial */
    /* known values */
    assert_true(fabs(screen_jaro_winkler("martha", 6, "marhta", 6) - 0.9611) < 1e-4);
    assert_true(fabs(screen_jaro_winkler("dixon", 5, "dicksonx", 8) - 0.8133) < 1e-4);
}

static void test_jw_bound_never_below(void **st) {
    (void)st;
    char a[80], b[80];
    long below = 0, cut = 0;
    for (int it = 0; it < 400000; it++) {
        size_t na = 1 + rnd() % (it % 16 == 0 ? 63 : 13), nb = 1 + rnd() % (it % 16 == 0 ? 63 : 13);
        size_t k = 2 + rnd() % (sizeof ALPHA - 3);
        rand_str(a, na, ALPHA, k);
        rand_str(b, nb, ALPHA, k);
        if (it % 7 == 0) memcpy(b, a, na < nb ? na : nb);
        double jw = screen_jaro_winkler(a, na, b, nb);
        double ub = sn_jw_bound(a, na, sn_letter_mask(a, na), b, nb, sn_letter_mask(b, nb));
        if (ub < jw) {
            if (below++ < 5) print_message("bound '%s' '%s': %.17g < %.17g\n", a, b, ub, jw);
        }
        if (ub < 0.75) cut++;
    }
    assert_int_equal(below, 0);
    assert_true(cut > 10000); /* the bound does reject pairs */
    /* no common letter: 0, as Jaro-Winkler */
    assert_true(sn_jw_bound("jose", 4, sn_letter_mask("jose", 4), "garcia", 6, sn_letter_mask("garcia", 6)) == 0.0);
    assert_true(sn_letter_mask("a", 1) != 0);
}

/* Token info with (cached = 1) or without the per-token caches. */
static void tokinfo(sn_tokinfo *t, const char *s, char *phon, char *sk, char *tk, int cached) {
    memset(t, 0, sizeof *t);
    t->s = s;
    t->len = (uint8_t)strlen(s);
    t->kind = SN_WORD;
    t->group = sn_nick_group(s, t->len);
    sn_phonetic(s, t->len, phon, 24);
    t->phon = phon;
    if (!cached) return;
    t->tk = sn_translit_key(s, t->len, 0, tk, SN_TOK_MAX + 1) ? tk : NULL;
    t->skl = (uint8_t)sn_skeleton(s, t->len, sk, SN_TOK_MAX + 1);
    t->sk = sk;
    t->nv = (uint8_t)(sn_no_vowels(s, t->len) + 1);
    t->lm = sn_letter_mask(s, t->len);
}

/* Random name-like tokens: real names (nickname groups, Arabic compounds,
 * articles), their one- and two-edit variants, and random syllables. */
static void rand_token(char *s) {
    static const char *const names[] = {"jose", "pepe", "maria", "mario", "juan", "juana", "mohammed", "muhammad",
                                        "mhmd", "hussein", "husayn", "hasan", "alfadhli", "fadhli", "elhassan",
                                        "abdulrahman", "abdelrahman", "abdullah", "abdallah", "qadhafi", "gaddafi",
                                        "romanovych", "roman", "francisco", "francisca", "rossiya", "russia",
                                        "alrhmn", "rahman", "yahya", "yahia", "tawtah", "tutah", "shehab", "shihab"};
    static const char *const syl[] = {"ma", "ri", "al", "el", "ha", "sa", "mu", "ham", "med", "ez", "go", "qa",
                                      "dh", "sh", "kh", "ou", "ee", "y", "ra", "din", "bd", "th", "on", "ia"};
    size_t n;
    if (rnd() % 2) {
        const char *w = names[rnd() % (sizeof names / sizeof names[0])];
        n = strlen(w);
        memcpy(s, w, n + 1);
        for (int e = (int)(rnd() % 3); e > 0 && n > 2; e--) { /* edits */
            size_t i = rnd() % n;
            switch (rnd() % 3) {
            case 0: memmove(s + i, s + i + 1, n - i); n--; break;                  /* deletion */
            case 1: s[i] = ALPHA[rnd() % 26]; break;                               /* substitution */
            default: if (i + 1 < n) { char c = s[i]; s[i] = s[i + 1]; s[i + 1] = c; } /* transposition */
            }
        }
    } else {
        n = 0;
        for (int k = 1 + (int)(rnd() % 4); k > 0 && n < 30; k--) {
            const char *y = syl[rnd() % (sizeof syl / sizeof syl[0])];
            memcpy(s + n, y, strlen(y));
            n += strlen(y);
        }
        s[n] = 0;
    }
}

static void test_token_sim_same_with_caches(void **st) {
    (void)st;
    char a[64], b[64], pa[24], pb[24], ska[SN_TOK_MAX + 1], skb[SN_TOK_MAX + 1], tka[SN_TOK_MAX + 1],
        tkb[SN_TOK_MAX + 1];
    long diff = 0, matched = 0, byhow[SIM_ACRONYM + 1] = {0};
    for (int it = 0; it < 200000; it++) {
        rand_token(a);
        rand_token(b);
        if (it % 2) { /* b a variant of a: the pairs blocking finds */
            size_t n = strlen(a);
            memcpy(b, a, n + 1);
            if (n > 2) b[rnd() % n] = ALPHA[rnd() % 26];
            if (it % 3 == 0 && n > 3) memmove(b + 1, b + 2, n - 1);
        }
        sn_tokinfo x0, y0, x1, y1;
        tokinfo(&x0, a, pa, ska, tka, 0);
        tokinfo(&y0, b, pb, skb, tkb, 0);
        tokinfo(&x1, a, pa, ska, tka, 1);
        tokinfo(&y1, b, pb, skb, tkb, 1);
        int h0, h1;
        double s0 = sn_token_sim(&x0, &y0, &h0), s1 = sn_token_sim(&x1, &y1, &h1);
        if (memcmp(&s0, &s1, sizeof s0) != 0 || h0 != h1) {
            if (diff++ < 5) print_message("sim '%s' '%s': %.17g (%d) vs cached %.17g (%d)\n", a, b, s0, h0, s1, h1);
        }
        if (s0 > 0) matched++;
        if (h0 >= 0 && h0 <= SIM_ACRONYM) byhow[h0]++;
    }
    print_message("%ld of 200000 pairs similar; by rule:", matched);
    for (int h = 0; h <= SIM_ACRONYM; h++) print_message(" %s %ld", sn_how_name(h), byhow[h]);
    print_message("\n");
    assert_int_equal(diff, 0);
    assert_true(matched > 50000); /* many pairs do match, */
    assert_true(byhow[SIM_JW] > 1000 && byhow[SIM_SKEL] > 100 && byhow[SIM_PHON] > 100 && byhow[SIM_TRANSLIT] > 100 && byhow[SIM_NICK] > 20); /* by several rules */
}

/* The candidate bound (screen_run.c) brackets cq^0.6 * cc^0.4 between the
 * weighted harmonic and arithmetic means and decides without pow when the
 * bracket is 1e-9 clear of the cut: the bracket must hold in doubles. */
static void test_coverage_bracket(void **st) {
    (void)st;
    for (int it = 0; it < 200000; it++) {
        double cq = (rnd() % 1000001) / 1e6, cc = (rnd() % 1000001) / 1e6;
        if (it % 10 == 0) cq = 1.0;
        double g = pow(cq, 0.6) * pow(cc, 0.4);
        double am = 0.6 * cq + 0.4 * cc;
        assert_true(g <= am + 1e-12);
        if (cq > 0 && cc > 0) assert_true(1.0 / (0.6 / cq + 0.4 / cc) <= g + 1e-12);
    }
}

static void test_fold_memo(void **st) {
    (void)st;
    /* two non-ASCII names of the same length, alternately: the memo must
     * answer each with its own fold */
    const char *n1 = "Пётр Иванов", *n2 = "Иван Петров";
    char *f1 = NULL, *f2 = NULL, *g1 = NULL, *g2 = NULL;
    assert_int_equal(sn_fold(n1, &f1, NULL, "name"), PU_OK);
    assert_int_equal(sn_fold(n2, &f2, NULL, "name"), PU_OK);
    assert_int_equal(sn_fold(n1, &g1, NULL, "name"), PU_OK);
    assert_int_equal(sn_fold(n1, &g2, NULL, "name"), PU_OK); /* from the memo */
    assert_string_equal(f1, g1);
    assert_string_equal(f1, g2);
    assert_string_not_equal(f1, f2);
    assert_ptr_not_equal(g1, g2); /* a copy each time: the caller frees it */
    free(f1), free(f2), free(g1), free(g2);
    /* a bad name is still refused after a good one */
    char *bad = NULL;
    assert_int_equal(sn_fold("Пётр\x01", &bad, NULL, "name"), PU_ERR_INVALID);
    assert_null(bad);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jw_bitparallel_equals_classic),
        cmocka_unit_test(test_jw_bound_never_below),
        cmocka_unit_test(test_token_sim_same_with_caches),
        cmocka_unit_test(test_coverage_bracket),
        cmocka_unit_test(test_fold_memo),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
