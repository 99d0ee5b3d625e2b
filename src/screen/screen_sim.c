/*
 * screen_sim.c - token similarity: phonetic keys, Jaro-Winkler, nickname
 * groups, consonant skeletons, transliteration keys, compounds and
 * acronyms. docs/screening.md.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "screen/screen_int.h"

/* ---- phonetic key ------------------------------------------------------------- */

static int is_vowel(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'; }

/* A consonant skeleton tuned for Spanish and romanised Arabic: vowels, h and
 * w dropped (an initial vowel is kept as 'A'), b=v, s=z=soft c, k=q=hard c,
 * ge/gi=j, ll=y, ph=f, th=t, kh=k, sh/ch=x, doubled letters collapsed.
 * So muhammad = mohamed = mohammed, husayn = hussein, jose = hose. */
void sn_phonetic(const char *t, size_t n, char *key, size_t size) {
    size_t k = 0;
    char last = 0;
    if (size == 0) return;
    for (size_t i = 0; i < n && k + 1 < size; i++) {
        char c = t[i], nx = i + 1 < n ? t[i + 1] : 0, o = 0;
        if (i == 0 && (is_vowel(c) || c == 'y')) o = 'A';
        else if (is_vowel(c) || c == 'w') o = 0;
        else if (c == 'y') o = (nx && is_vowel(nx) && is_vowel(t[i - 1])) ? 'y' : 0; /* cryo = krio */
        else if (c == 'h') o = 0;
        else if (c == 'c') {
            if (nx == 'e' || nx == 'i') o = 's';
            else if (nx == 'h') { o = 'x'; i++; }
            else o = 'k';
        } else if (c == 'q') o = 'k';
        else if (c == 'g') {
            if (nx == 'e' || nx == 'i') o = 'j';
            else if (nx == 'h') { o = 'g'; i++; }
            else o = 'g';
        } else if (c == 'j') o = 'j';
        else if (c == 'z') o = 's';
        else if (c == 'v') o = 'b';
        else if (c == 'l' && nx == 'l') { o = 'y'; i++; }
        else if (c == 'p' && nx == 'h') { o = 'f'; i++; }
        else if ((c == 't' || c == 'k' || c == 'd') && nx == 'h') { o = c; i++; }
        else if (c == 's' && nx == 'h') { o = 'x'; i++; }
        else if (c == 'x') o = 'x';
        else o = c;
        if (o && o != last) key[k++] = o;
        if (o) last = o;
        else if (c != 'h') last = 0; /* a vowel separates repeated consonants */
    }
    key[k] = 0;
}

/* ---- similarity ----------------------------------------------------------------- */

double screen_jaro_winkler(const char *a, size_t na, const char *b, size_t nb) {
    if (na == 0 && nb == 0) return 1.0;
    if (na == 0 || nb == 0) return 0.0;
    if (na > 64) na = 64;
    if (nb > 64) nb = 64;
    size_t range = (na > nb ? na : nb) / 2;
    range = range > 0 ? range - 1 : 0;
    /* Bit-parallel form of the classic matching loop (same result): pos[c]
     * has a bit for every position of letter c in b; each a[i] takes the
     * first unmatched position of its letter inside its window. Only the
     * entries of letters of a and b are cleared (this runs ~100 times per
     * query, a 2 kB memset would cost more than the matching). */
    uint64_t pos[256];
    for (size_t i = 0; i < na; i++) pos[(unsigned char)a[i]] = 0;
    for (size_t j = 0; j < nb; j++) pos[(unsigned char)b[j]] = 0;
    for (size_t j = 0; j < nb; j++) pos[(unsigned char)b[j]] |= 1ull << j;
    uint64_t ma = 0, mb = 0;
    size_t m = 0;
    for (size_t i = 0; i < na; i++) {
        size_t lo = i > range ? i - range : 0, hi = i + range + 1 < nb ? i + range + 1 : nb;
        if (lo >= hi) continue;
        uint64_t win = (hi >= 64 ? ~0ull : (1ull << hi) - 1) & ~((1ull << lo) - 1);
        uint64_t av = pos[(unsigned char)a[i]] & ~mb & win;
        if (!av) continue;
        mb |= av & (~av + 1); /* the lowest available position */
        ma |= 1ull << i;
        m++;
    }
    if (m == 0) return 0.0;
    /* transpositions: matched letters of a and b in order */
    size_t t = 0;
    for (uint64_t x = ma, y = mb; x; x &= x - 1, y &= y - 1)
        if (a[__builtin_ctzll(x)] != b[__builtin_ctzll(y)]) t++;
    double md = (double)m;
    double jaro = (md / (double)na + md / (double)nb + (md - (double)t / 2.0) / md) / 3.0;
    size_t l = 0;
    while (l < 4 && l < na && l < nb && a[l] == b[l]) l++;
    return jaro + (double)l * 0.1 * (1.0 - jaro);
}

uint64_t sn_letter_mask(const char *s, size_t len) {
    uint64_t m = 0;
    for (size_t i = 0; i < len; i++) m |= 1ull << ((unsigned char)s[i] & 63);
    return m;
}

/* Bit count without a libgcc call (the build targets baseline x86-64,
 * which has no popcnt instruction). */
static inline size_t popcount64(uint64_t x) {
    x = x - ((x >> 1) & 0x5555555555555555ull);
    x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0Full;
    return (size_t)((x * 0x0101010101010101ull) >> 56);
}

double sn_jw_bound(const char *a, size_t na, uint64_t ma, const char *b, size_t nb, uint64_t mb) {
    if (na == 0 || nb == 0 || na > 64 || nb > 64) return 1.0; /* not bounded here */
    /* every letter of a that b lacks (one bit per distinct letter, or per
     * group of letters sharing a bit) leaves at least one position of a
     * unmatched, and the reverse */
    size_t xa = popcount64(ma & ~mb), xb = popcount64(mb & ~ma);
    size_t m = na - xa < nb - xb ? na - xa : nb - xb;
    if (m == 0 || xa >= na || xb >= nb) return 0.0; /* no match: Jaro-Winkler is 0 */
    /* Jaro with m matches and no transposition; Winkler's prefix exactly */
    double md = (double)m;
    double jaro = (md / (double)na + md / (double)nb + 1.0) / 3.0;
    size_t l = 0;
    while (l < 4 && l < na && l < nb && a[l] == b[l]) l++;
    return jaro + (double)l * 0.1 * (1.0 - jaro);
}

/* Floor and stretch: Jaro-Winkler is generous (maria~mario 0.92), so the
 * distance to 1 is multiplied by 2.5 and pairs below 0.5 count as unmatched. */
#define SIM_STRETCH 2.5
#define SIM_FLOOR 0.5
#define PHON_SIM 0.85

static int gender_pair(const sn_tokinfo *a, const sn_tokinfo *b) {
    if (a->len > b->len) {
        const sn_tokinfo *t = a;
        a = b;
        b = t;
    }
    if (a->len < 3) return 0;
    if (a->len == b->len) {
        char x = a->s[a->len - 1], y = b->s[b->len - 1];
        return memcmp(a->s, b->s, a->len - 1u) == 0 && ((x == 'a' && y == 'o') || (x == 'o' && y == 'a'));
    }
    return b->len == a->len + 1u && b->s[a->len] == 'a' && memcmp(a->s, b->s, a->len) == 0;
}

int sn_no_vowels(const char *s, size_t len) {
    if (len < 3) return 0;
    for (size_t i = 0; i < len; i++)
        if (is_vowel(s[i]) || s[i] == 'y') return 0;
    return 1;
}

static int no_vowels(const sn_tokinfo *t) {
    if (t->nv) return t->nv - 1;
    return sn_no_vowels(t->s, t->len);
}

/* 1 if the token starts with an attached Arabic article (al, el, ad, ar, as,
 * at, az, an, ash: "al-", "ar-Rahman", ...); *rest gets the remainder. */
int sn_article(const char *s, size_t n, const char **rest) {
    if (n < 5 || !((s[0] == 'a' || s[0] == 'e') && s[1] == 'l')) return 0;
    *rest = s + 2;
    return 1;
}

static double skeleton_sim(const sn_tokinfo *a, const sn_tokinfo *b);

static double article_sim(const sn_tokinfo *a, const sn_tokinfo *b) {
    const char *r;
    double best = 0;
    if (sn_article(a->s, a->len, &r)) {
        double jw = screen_jaro_winkler(r, a->len - 2, b->s, b->len);
        best = 1.0 - SIM_STRETCH * (1.0 - jw);
        /* ICU writes Arabic script without short vowels: "alrhmn" ~ "rahman" */
        sn_tokinfo ra = *a;
        ra.s = r, ra.len = (uint8_t)(a->len - 2), ra.tk = ra.sk = NULL, ra.nv = 0, ra.lm = 0;
        if (no_vowels(&ra)) {
            double sk = skeleton_sim(&ra, b);
            if (sk > best) best = sk;
        }
    }
    if (sn_article(b->s, b->len, &r)) {
        double jw = screen_jaro_winkler(a->s, a->len, r, b->len - 2);
        double s = 1.0 - SIM_STRETCH * (1.0 - jw);
        if (s > best) best = s;
        sn_tokinfo rb = *b;
        rb.s = r, rb.len = (uint8_t)(b->len - 2), rb.tk = rb.sk = NULL, rb.nv = 0, rb.lm = 0;
        if (no_vowels(&rb)) {
            double sk = skeleton_sim(a, &rb);
            if (sk > best) best = sk;
        }
    }
    return best * 0.95; /* the article itself is a small difference */
}

/* Consonant skeleton for romanised Arabic (and Persian): the romanisations
 * of one name differ mostly in vowels, semivowels and h (tair/teir/tayr,
 * dwaik/dweik, tawtah/tutah, thouaib/thweib, shehab/shihab), and ICU writes
 * Arabic script without short vowels (mhmd, hsn). So: digraphs th/dh/kh/gh
 * = t/d/k/g, sh/ch = x, q = k, c = k; vowels, w, y and h dropped (an initial
 * vowel too: adwan = udwan); a doubled letter counts once, but the same
 * consonant twice across a vowel stays (tawtah = tt). Returns the length. */
size_t sn_skeleton(const char *t, size_t n, char *key, size_t size) {
    size_t k = 0;
    if (size == 0) return 0;
    for (size_t i = 0; i < n && k + 1 < size; i++) {
        char c = t[i], nx = i + 1 < n ? t[i + 1] : 0, o;
        if (i > 0 && t[i - 1] == c) continue; /* a doubled letter */
        if (is_vowel(c) || c == 'w' || c == 'y' || c == 'h') continue;
        if ((c == 't' || c == 'd' || c == 'k' || c == 'g') && nx == 'h') {
            o = c;
            i++;
        } else if ((c == 's' || c == 'c') && nx == 'h') {
            o = 'x';
            i++;
        } else if (c == 'q' || c == 'c') o = 'k';
        else o = c;
        key[k++] = o;
    }
    key[k] = 0;
    return k;
}

/* Similarity from the Arabic skeleton: equal skeletons of >= 2 consonants.
 * Written without vowels (abjad romanisation) that is as good as a phonetic
 * match; between two vowelled spellings it is weaker evidence (mario/mauro
 * share a skeleton too), so it needs the same first letter (or two initial
 * vowels) and counts 0.75. */
#define SKEL_SIM 0.75
static double skeleton_sim(const sn_tokinfo *a, const sn_tokinfo *b) {
    int abjad = no_vowels(a) || no_vowels(b);
    int va = is_vowel(a->s[0]), vb = is_vowel(b->s[0]);
    char fa = a->s[0] == 'q' || a->s[0] == 'c' ? 'k' : a->s[0], fb = b->s[0] == 'q' || b->s[0] == 'c' ? 'k' : b->s[0];
    /* cheap rejections first: this runs for most blocked token pairs */
    if (!abjad && !(va && vb) && fa != fb) return 0; /* "bush" ~ "habbash" stays apart */
    /* the skeletons cached with the tokens when they are (sn_tokinfo.sk) */
    char ba[SN_TOK_MAX + 1], bb[SN_TOK_MAX + 1];
    const char *ka = a->sk, *kb = b->sk;
    size_t la = a->skl, lb = b->skl;
    if (!ka) la = sn_skeleton(a->s, a->len, ba, sizeof ba), ka = ba;
    if (!kb) lb = sn_skeleton(b->s, b->len, bb, sizeof bb), kb = bb;
    /* ta marbuta: ICU writes a final "t" that romanisations write as a/ah/eh */
    if (abjad && la != lb && la > 2 && lb > 1 && ka[la - 1] == 't' && no_vowels(a)) --la;
    else if (abjad && la != lb && lb > 2 && la > 1 && kb[lb - 1] == 't' && no_vowels(b)) --lb;
    if (la < 2 || la != lb || memcmp(ka, kb, la) != 0) return 0;
    return abjad ? PHON_SIM : SKEL_SIM;
}

/* Transliteration key of a romanised Arabic/Persian token: the spellings
 * of one name differ in vowel letters and digraphs, not in consonants:
 * ou = oo = u (ABOU/ABU, ABOOD/ABUD), ee = i, inner e = a and o = u
 * (YEHIA/YAHIA, SEIR/SAIR, MOHAMMED/MOHAMMAD), y before a consonant or at
 * the end = i (YAHYA/YAHIA), dh = d (QADHAFI/QADDAFI), doubled letters once
 * (RADDAD/RADAD). q is k (Iraqi/Gulf QASIM = KASIM) in variant 0 and g in
 * variant 1 (Libyan/Egyptian/Gulf dialects say q as g: GADDAFI/QADHAFI);
 * g and k stay apart (GAMAL = JAMAL, KAMAL is another name). The last
 * letter keeps its vowel (FELIPE/FELIPA, MARIO/MARIA stay apart). Returns
 * the key length (0 when it does not fit). */
/* One output letter of the key at a time (so that two keys can be compared
 * letter by letter and stop at the first difference): *i is the input
 * position, *prev the last output letter; 0 at the end. */
static char tk_next(const char *t, size_t n, size_t *i, int variant, char *prev) {
    while (*i < n) {
        size_t p = *i;
        char c = t[p], nx = p + 1 < n ? t[p + 1] : 0, o = c;
        /* German/Polish/Czech-style romanisation of Slavic names writes j
         * for y: MURAVJOV = MURAVYOV, KOVALEVSKIJ = KOVALEVSKIY; variant 2:
         * Russian writes G for H (Ukrainian HUBAREVA = Russian GUBAREVA,
         * GASAN = HASAN, GERMAN = HERMAN) */
        if (c == 'j' && p > 0) c = 'y';
        if (variant == 2 && c == 'h' && (p == 0 || !strchr("cdkgsz", t[p - 1]))) c = 'g';
        o = c;
        int last = p + 1 == n;
        *i = p + 1;
        if ((c == 'o' && (nx == 'u' || nx == 'o')) || (c == 'e' && nx == 'e')) {
            o = c == 'e' ? 'i' : 'u';
            *i = p + 2;
        } else if (c == 'd' && nx == 'h') {
            o = 'd';
            *i = p + 2;
        } else if (c == 'q') o = variant == 1 ? 'g' : 'k';
        else if (c == 'e' && !last && p > 0) o = 'a';
        else if (c == 'o' && !last && p > 0) o = 'u';
        else if (c == 'y' && p > 0 && (last || !is_vowel(nx))) o = 'i';
        if (o == *prev) continue; /* a doubled letter */
        *prev = o;
        return o;
    }
    return 0;
}

size_t sn_translit_key(const char *t, size_t n, int variant, char *key, size_t size) {
    size_t k = 0, i = 0;
    char prev = 0, o;
    while ((o = tk_next(t, n, &i, variant, &prev))) {
        if (k + 1 >= size) return 0;
        key[k++] = o;
    }
    key[k] = 0;
    return k;
}

static int translit_eq(const sn_tokinfo *a, const sn_tokinfo *b, int variant) {
    size_t i = 0, j = 0, k = 0;
    char pa = 0, pb = 0;
    for (;;) {
        char x = tk_next(a->s, a->len, &i, variant, &pa), y = tk_next(b->s, b->len, &j, variant, &pb);
        if (x != y) return 0;
        if (!x) return k >= 3;
        k++;
    }
}

/* Equal transliteration keys (either variant) of two vowelled tokens. */
#define TRANSLIT_SIM 0.9
static double translit_sim(const sn_tokinfo *a, const sn_tokinfo *b) {
    if (a->len < 3 || b->len < 3 || a->len > b->len + 3 || b->len > a->len + 3) return 0;
    /* the first letters agree, or are q/g/k (GADDAFI, QADHAFI, KADDAFI),
     * or h/g (HUBAREVA, GUBAREVA) */
    char fa = a->s[0], fb = b->s[0];
    if (fa != fb && !((fa == 'q' || fa == 'g' || fa == 'k') && (fb == 'q' || fb == 'g' || fb == 'k')) &&
        !((fa == 'h' && fb == 'g') || (fa == 'g' && fb == 'h')))
        return 0;
    /* variant 1 (q = g) only matters when a q is there, variant 2 (h = g)
     * when one side has an h and the other a g */
    int q = memchr(a->s, 'q', a->len) || memchr(b->s, 'q', b->len);
    int hg = (memchr(a->s, 'h', a->len) && memchr(b->s, 'g', b->len)) ||
             (memchr(a->s, 'g', a->len) && memchr(b->s, 'h', b->len));
    for (int v = 0; v < 3; v++) {
        if ((v == 1 && !q) || (v == 2 && !hg)) continue;
        /* variant 0 from the cached keys when both have one */
        int eq = v == 0 && a->tk && b->tk ? strlen(a->tk) >= 3 && strcmp(a->tk, b->tk) == 0 : translit_eq(a, b, v);
        if (eq) return no_vowels(a) || no_vowels(b) ? 0 : TRANSLIT_SIM;
    }
    return 0;
}

/* Two joined compound given names: 1 = one name (equal canonical forms:
 * abdulrahman / abdelrahman), -1 = two names (both compounds, with
 * different parts: abdallatif / abdallah, abdulrahman / abdulrahim),
 * 0 = not both compounds. */
static int compound_pair(const sn_tokinfo *a, const sn_tokinfo *b) {
    size_t aal, abl, bal, bbl;
    const char *ab, *bb;
    int ka = compound_split(a->s, a->len, &aal, &ab, &abl), kb = compound_split(b->s, b->len, &bal, &bb, &bbl);
    if (!ka || !kb) return 0;
    if (ka == 2) aal = 3; /* abd + connective: compare from "abd" */
    if (kb == 2) bal = 3;
    if (abl == bbl && memcmp(ab, bb, abl) == 0 &&
        (aal == bal ? memcmp(a->s, b->s, aal) == 0 : 0))
        return 1;
    /* the same first part with a clearly different second part is another
     * name (abd + latif, abd + allah); anything else (typos in either part)
     * stays with Jaro-Winkler */
    if (aal != bal || memcmp(a->s, b->s, aal) != 0 || abl < 4 || bbl < 4) return 0;
    return screen_jaro_winkler(ab, abl, bb, bbl) < 0.8 ? -1 : 0;
}

/* 1 if the longer token is the shorter one + an East Slavic patronymic
 * suffix: ROMANOVYCH is the son of ROMAN, not ROMAN (Jaro-Winkler's
 * prefix bonus would call them close). */
static int patronymic_of(const sn_tokinfo *a, const sn_tokinfo *b) {
    static const char *const suf[] = {"ovich", "evich", "ovych", "evych", "yevich", "ovna", "evna", "ivna",
                                      "yevna", "ich", "ych", NULL};
    if (a->len > b->len) {
        const sn_tokinfo *t = a;
        a = b;
        b = t;
    }
    if (a->len < 3 || memcmp(a->s, b->s, a->len) != 0) return 0;
    size_t rest = b->len - a->len;
    for (int i = 0; suf[i]; i++)
        if (strlen(suf[i]) == rest && memcmp(b->s + a->len, suf[i], rest) == 0) return 1;
    return 0;
}

/* Two different tokens made of the same number of Chinese/Korean
 * syllables (sn_cjk_syllables), one of them marked as such
 * (sn_cjk_info, cached per token). */
static int cjk_other_syllable(const sn_tokinfo *a, const sn_tokinfo *b) {
    uint8_t ca = a->cjk ? a->cjk : sn_cjk_info(a->s, a->len);
    uint8_t cb = b->cjk ? b->cjk : sn_cjk_info(b->s, b->len);
    if (!((ca | cb) & SN_CJK_MARKED)) return 0;
    int na = ca & 3;
    return na && na == (cb & 3);
}

/* One Japanese name in two romanisations (sn_romaji_canon): equal
 * canonical forms of two tokens that are both made of Japanese morae.
 * A consonant rule (si/shi, ti/chi, tu/tsu, hu/fu...) needs 3 morae on
 * both sides: two-mora words of other languages parse as Japanese too
 * (TINA/CHINA, SIMA/SHIMA), three-mora ones rarely. */
#define ROMAJI_SIM 0.95
#define ROMAJI_MIN_MORAE_KUNREI 3
#define ROMAJI_KEY_MAX 64
static double romaji_sim(const sn_tokinfo *a, const sn_tokinfo *b) {
    if (a->len < 3 || b->len < 3 || a->len >= ROMAJI_KEY_MAX / 2 || b->len >= ROMAJI_KEY_MAX / 2) return 0;
    char ka[ROMAJI_KEY_MAX], kb[ROMAJI_KEY_MAX];
    int ma, mb, ra, rb;
    if (!sn_romaji_canon(a->s, a->len, ka, sizeof ka, &ma, &ra) || !sn_romaji_canon(b->s, b->len, kb, sizeof kb, &mb, &rb))
        return 0;
    if (strcmp(ka, kb) != 0) return 0;
    if ((ra || rb) && (ma < ROMAJI_MIN_MORAE_KUNREI || mb < ROMAJI_MIN_MORAE_KUNREI)) return 0;
    return ROMAJI_SIM;
}

double sn_token_sim(const sn_tokinfo *a, const sn_tokinfo *b, int *how) {
    *how = SIM_NONE;
    if (a->len == b->len && memcmp(a->s, b->s, a->len) == 0) {
        *how = SIM_EXACT;
        return 1.0;
    }

    if (a->kind == SN_LEGAL || b->kind == SN_LEGAL) return 0.0;
    if (a->kind == SN_INITIAL || b->kind == SN_INITIAL) {
        if (a->s[0] == b->s[0] && a->kind != SN_NUMBER && b->kind != SN_NUMBER) {
            *how = SIM_INITIAL;
            return 0.85;
        }
        return 0.0;
    }
    if (a->kind == SN_NUMBER || b->kind == SN_NUMBER) return 0.0;
    /* Below 0.75 the value of jw changes nothing below: every rule that
     * reads it needs jw >= 0.75 (or s >= SIM_FLOOR, jw >= 0.8), and the
     * rules that do not (nickname, article, skeleton, phonetic without
     * vowels) set s to a value of their own; a result below SIM_FLOOR is 0
     * either way. So a cheap upper bound below 0.75 stands for it (most
     * token pairs of two names are unrelated: juan / perez). */
    double jw = a->lm && b->lm && sn_jw_bound(a->s, a->len, a->lm, b->s, b->len, b->lm) < 0.75 - 1e-9
                    ? 0.0
                    : screen_jaro_winkler(a->s, a->len, b->s, b->len);
    double s = 1.0 - SIM_STRETCH * (1.0 - jw);
    if (jw >= 0.8 && a->len != b->len && patronymic_of(a, b)) return 0.0;
    /* Spanish given names of the other gender are other names, not typos:
     * mario/maria, juan/juana, francisco/francisca */
    if (gender_pair(a, b)) {
        *how = SIM_GENDER; /* the name score caps the whole name (screen_name_score.c) */
        return SIM_FLOOR;
    }
    if (s >= SIM_FLOOR) *how = SIM_JW;
    if (a->group && a->group == b->group && s < 0.9) {
        s = 0.9;
        *how = SIM_NICK;
    }
    /* romanisations of one Arabic/Persian name (sn_translit_key) */
    if (s < TRANSLIT_SIM && jw >= 0.8 && !(a->group && b->group && a->group != b->group)) {
        double st = translit_sim(a, b);
        if (st > s && !gender_pair(a, b)) {
            s = st;
            *how = SIM_TRANSLIT;
        }
    }
    /* one Japanese name in Hepburn and Kunrei-shiki, or with its long
     * vowels written out: shibata / sibata, sato / satou / satoh */
    if (s < ROMAJI_SIM && jw >= 0.75) {
        double sr = romaji_sim(a, b);
        if (sr > s) {
            s = sr;
            *how = SIM_TRANSLIT;
        }
    }
    /* one compound given name, joined in two spellings: abdulrahman /
     * abdelrahman / abdurrahman, abdullah / abdallah (sn_compound_canon) */
    if (s < TRANSLIT_SIM && jw >= 0.75 && a->len >= 6 && b->len >= 6 && a->s[0] == b->s[0]) {
        int cp = compound_pair(a, b);
        if (cp > 0) {
            s = TRANSLIT_SIM;
            *how = SIM_TRANSLIT;
        } else if (cp < 0) {
            *how = SIM_NONE; /* Abdul Latif is not Abdullah */
            return 0.0;
        }
    }
    /* Arabic article written attached: "alfadhli" ~ "fadhli" */
    if (s < 0.9) {
        double sa = article_sim(a, b);
        if (sa > s) {
            s = sa;
            *how = SIM_JW;
        }
    }
    /* phonetic keys raise recall but hurt precision ("george bush" ~
     * "habbash"): only skeletons of >= 3 consonants, on tokens already close
     * (or written without vowels, as abjad scripts romanise: "mhmd") */
    if (s < PHON_SIM && a->phon && b->phon && (jw >= 0.75 || no_vowels(a) || no_vowels(b)) &&
        a->phon[0] == b->phon[0] && strlen(a->phon) - (a->phon[0] == 'A') >= 3 && strcmp(a->phon, b->phon) == 0) {
        s = PHON_SIM;
        *how = SIM_PHON;
    }
    /* known distinct names keep apart (hasan / husayn share a skeleton) */
    if (s < SKEL_SIM && a->len >= 3 && b->len >= 3 && !(a->group && b->group && a->group != b->group)) {
        double sk = skeleton_sim(a, b);
        if (sk > s) {
            s = sk;
            *how = SIM_SKEL;
        }
    }
    if (s < SIM_FLOOR) {
        *how = SIM_NONE;
        return 0.0;
    }
    /* one syllable of a short Chinese or Korean name is one character: a
     * different syllable is another name (li wei min / li wei ming), not a
     * typo. Only for a pair close by spelling or sound alone: spelling
     * variants of one syllable are nickname groups, and romanisations
     * (hasan / gasan: Russian g for h) keep their own rules above */
    if ((*how == SIM_JW || *how == SIM_PHON || *how == SIM_SKEL) && cjk_other_syllable(a, b)) {
        *how = SIM_NONE;
        return 0.0;
    }
    return s;
}

const char *sn_how_name(int how) {
    switch (how) {
    case SIM_EXACT: return "exact";
    case SIM_JW: return "jaro-winkler";
    case SIM_PHON: return "phonetic";
    case SIM_NICK: return "nickname";
    case SIM_INITIAL: return "initial";
    case SIM_SKEL: return "consonant skeleton";
    case SIM_TRANSLIT: return "transliteration";
    case SIM_ACRONYM: return "acronym";
    case SIM_GENDER: return "other gender";
    default: return "none";
    }
}

uint64_t sn_hash(const char *s, size_t n) {
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 32;
    return h;
}
