/* resolve_undated.c - the rule for records without a date of birth
 * (docs/resolve.md "Undated records"). An undated "Jose Hernandez" whose
 * name matches dated records of several persons could be any of them:
 *   1. it joins the one person (date of birth) it shares an address, a
 *      phone or an identifier with, and only that one; when it shares one
 *      with several, or a namesake of another date shares it too (father
 *      and son at one address), it joins none;
 *   2. without such a contact, it joins the best-matching date of birth
 *      when that leads the next by AMBIGUOUS_MARGIN and no dated record of
 *      ANOTHER date of birth carries the same name (its name key, or the
 *      key of one of its partners) anywhere in the set: blocking windows
 *      do not show every namesake (a large block is compared by sorted
 *      neighbourhood), so the namesakes are counted from all records;
 *   3. else none.
 * Pairs confirmed by a shared identifier and conflicts always stay. */
#include <stdlib.h>
#include <string.h>

#include "common/pu_vec.h"
#include "resolve/resolve_int.h"
#include "screen/screen.h"

#define AMBIGUOUS_MARGIN 0.03f  /* the best date of birth must lead the next by this */
#define UNDATED_MAX_DOBS 64     /* dates of birth one undated record is weighed against; more: ambiguous */
#define KEY_TOKENS 8            /* name tokens in a name key */
#define UNIQUE_SCORE_MIN 0.76   /* an undated name pointing at one dated person: 0.8 x 0.95 */
#define UNIQUE_MAX_RECORDS 16   /* records of that person scored at most */
#define SPLIT_NAMES 24          /* distinct fuller names compared per undated name; more: common */
#define COMMON_EXPECTED 0.7     /* records expected to bear a name by chance from which it is common */
#define FREQ_MIN_PERSONS 1000   /* person records below which token frequencies are not used */
#define KEY_SUBSET_TOKENS 6     /* tokens whose parts are indexed (2^6 keys at most per record) */
#define TYPO_CORRECT_MAX 16     /* records of a token below which its typo-neighbours' counts are read */
#define TYPO_RATIO 8            /* a neighbour this many times more frequent makes a token its typo */
#define TYPO_TOKEN_MAX 40        /* tokens longer than this are not corrected */
#define TYPO_SCAN_MAX 256       /* dated records scanned under the other tokens; more: common */
#define GROUP_SALT 0x6e69636b6e616d65ULL  /* keeps a given-name group's hash apart from letters' hashes */

enum { U_FREE, U_CHOSEN, U_AMBIGUOUS };   /* no dated partner; one date chosen; none */

typedef struct udec {
    const char *dob;   /* U_CHOSEN: the date of birth it joins */
    unsigned char state;
    unsigned char common;   /* an undated name carried by several dated persons */
} udec;

typedef struct nkey {
    uint64_t h;
    uint32_t i;
} nkey;

static int is_person(const resolve_rec *r) { return !strcmp(r->schema, "Person"); }
static int dated_person(const resolve_rec *r) { return r->dob[0] && is_person(r); }
static int undated_person(const resolve_rec *r) { return !r->dob[0] && is_person(r); }

/* Address, phone or identifier in common. */
static int contact(const resolve_rec *a, const resolve_rec *b) {
    return resolve_list_share(a->phones, b->phones) || resolve_list_share(a->ids, b->ids) ||
           (a->addr && b->addr && a->addr[0] && !strcmp(a->addr, b->addr));
}

static int cmp_tok(const void *x, const void *y) {
    const char *const *a = x, *const *b = y;
    size_t la = strcspn(*a, " "), lb = strcspn(*b, " "), m = la < lb ? la : lb;
    int c = strncmp(*a, *b, m);
    return c ? c : (la > lb) - (la < lb);
}

/* The name's tokens without initials, sorted ("lopez garcia jose" and
 * "jose garcia lopez" are one name). */
static size_t name_tokens(const char *norm, const char **tok) {
    size_t nt = 0;
    for (const char *p = norm; *p && nt < KEY_TOKENS;) {
        while (*p == ' ') p++;
        size_t n = strcspn(p, " ");
        if (n > 1) tok[nt++] = p;
        p += n;
    }
    if (nt > 1) qsort(tok, nt, sizeof *tok, cmp_tok);
    return nt;
}

static uint64_t mix64(uint64_t x) {   /* splitmix64's finaliser */
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/* A token's canonical hash: a given name's group when the screening lexicon
 * knows it ("pepe" and "jose" are one token here: a tip's nickname finds the
 * formal name's records), else its letters. */
static uint64_t tok_canon(const char *t, size_t n) {
    unsigned g = screen_given_group(t, n);
    if (g) return mix64(GROUP_SALT ^ g);
    uint64_t h = 1469598103934665603ULL;
    for (size_t k = 0; k < n; k++) h = (h ^ (unsigned char)t[k]) * 1099511628211ULL;
    return h;
}

/* The key of the tokens whose bits are set in mask: a sum of their mixed
 * canonical hashes, so the order of the tokens does not matter. */
static uint64_t tokens_key(const char *const *tok, size_t nt, unsigned mask) {
    uint64_t h = 0;
    for (size_t i = 0; i < nt; i++)
        if (mask >> i & 1) h += mix64(tok_canon(tok[i], strcspn(tok[i], " ")));
    return h;
}

size_t resolve_name_tokkeys(const char *norm, uint64_t *tk, size_t cap) {
    const char *tok[KEY_TOKENS];
    size_t nt = name_tokens(norm, tok);
    if (nt > cap) nt = cap;
    for (size_t i = 0; i < nt; i++) tk[i] = mix64(tok_canon(tok[i], strcspn(tok[i], " ")));
    return nt;
}

/* The name key: all of the name's tokens. */
static uint64_t name_key(const char *norm) {
    const char *tok[KEY_TOKENS];
    size_t nt = name_tokens(norm, tok);
    return tokens_key(tok, nt, (1u << nt) - 1);
}

static int cmp_nkey(const void *x, const void *y) {
    const nkey *a = x, *b = y;
    if (a->h != b->h) return a->h < b->h ? -1 : 1;
    return a->i < b->i ? -1 : a->i > b->i;
}

/* Index of the dated persons under the key of every part of their name of
 * two tokens or more: looking up "jose lopez" finds "Jose Lopez Garcia"
 * and "Jose Luis Lopez", every dated person an undated "Jose Lopez" could
 * be (sorted; *out the caller's). */
static int key_index(const resolve_set *s, int dated_only, nkey **out, size_t *n) {
    pu_vec v = PU_VEC_INIT(nkey, 0);
    for (size_t i = 0; i < s->n; i++) {
        if (dated_only ? !dated_person(&s->r[i]) : !is_person(&s->r[i])) continue;
        const char *tok[KEY_TOKENS];
        size_t nt = name_tokens(s->r[i].norm, tok);
        if (nt > KEY_SUBSET_TOKENS) nt = KEY_SUBSET_TOKENS;
        for (unsigned m = 1; m < 1u << nt; m++) {
            if (__builtin_popcount(m) < 2 && nt > 1 && !dated_only) continue;   /* dated: single tokens too (typo_unique) */
            nkey k = {tokens_key(tok, nt, m), (uint32_t)i};
            if (pu_vec_push(&v, &k, sizeof k)) {
                pu_vec_free(&v);
                return PU_ERR_NOMEM;
            }
        }
    }
    if (v.len) qsort(v.data, v.len, sizeof(nkey), cmp_nkey);
    *n = v.len;
    *out = pu_vec_detach(&v, NULL);
    return PU_OK;
}

/* 1 when a dated record with name key h has a date of birth other than
 * dob (or, with x_contact, shares a contact with x under another date). */
static int namesake(const resolve_set *s, const nkey *k, size_t nk, uint64_t h, const char *dob,
                    const resolve_rec *x, int x_contact) {
    size_t lo = 0, hi = nk;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (k[mid].h < h) lo = mid + 1;
        else hi = mid;
    }
    for (size_t i = lo; i < nk && k[i].h == h; i++) {
        const resolve_rec *r = &s->r[k[i].i];
        if (strcmp(r->dob, dob) && (!x_contact || contact(x, r))) return 1;
    }
    return 0;
}

/* 1 when dated persons of two or more dates of birth carry every token of
 * x's name: a common name, which alone tells no one apart. */
static int common_name(const resolve_set *s, const nkey *k, size_t nk, const resolve_rec *x) {
    uint64_t h = name_key(x->norm);
    size_t lo = 0, hi = nk;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (k[mid].h < h) lo = mid + 1;
        else hi = mid;
    }
    const char *first = NULL;
    for (size_t i = lo; i < nk && k[i].h == h; i++) {
        const char *d = s->r[k[i].i].dob;
        if (!first) first = d;
        else if (strcmp(first, d)) return 1;
    }
    return 0;
}

/* 1 when tokens a[0..la) and b[0..lb) are one word typed with at most one
 * error (two letters swapped, one left out or changed). */
static int tok_close(const char *a, size_t la, const char *b, size_t lb) {
    if (la == lb && !strncmp(a, b, la)) return 1;
    if (la + 1 < lb || lb + 1 < la || la < 4 || lb < 4) return 0;
    size_t i = 0;
    while (i < la && i < lb && a[i] == b[i]) i++;
    if (la == lb)   /* one changed, or two adjacent swapped */
        return !strncmp(a + i + 1, b + i + 1, la - i - 1) ||
               (i + 1 < la && a[i] == b[i + 1] && a[i + 1] == b[i] && !strncmp(a + i + 2, b + i + 2, la - i - 2));
    return la > lb ? !strncmp(a + i + 1, b + i, lb - i) : !strncmp(a + i, b + i + 1, la - i);
}

/* 1 when two tokens are one given name (a nickname and its formal name). */
static int tok_group(const char *a, size_t la, const char *b, size_t lb) {
    unsigned g = screen_given_group(a, la);
    return g && g == screen_given_group(b, lb);
}

/* 1 when every token of x's name is (close to, or the nickname of) one of y's. */
static int tokens_within(const char *x, const char *y) {
    const char *tx[KEY_TOKENS], *ty[KEY_TOKENS];
    size_t nx = name_tokens(x, tx), ny = name_tokens(y, ty);
    if (!nx) return 0;
    for (size_t i = 0; i < nx; i++) {
        size_t li = strcspn(tx[i], " "), j = 0;
        for (; j < ny; j++) {
            size_t lj = strcspn(ty[j], " ");
            if (tok_close(tx[i], li, ty[j], lj) || tok_group(tx[i], li, ty[j], lj)) break;
        }
        if (j == ny) return 0;
    }
    return 1;
}

int resolve_name_held(const char *x, const char *y) { return tokens_within(x, y); }

/* 1 when the records carrying every token of x's name (ka: all persons)
 * have two fuller names neither of which holds the other ("Maria Mesenaz
 * Cebabara" and "Maria Mesenaz Lopez"): two persons answer to x's name. */
static int split_name(const resolve_set *s, const nkey *ka, size_t nka, const resolve_rec *x) {
    uint64_t h = name_key(x->norm);
    size_t lo = 0, hi = nka;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (ka[mid].h < h) lo = mid + 1;
        else hi = mid;
    }
    uint32_t seen[SPLIT_NAMES];
    size_t ns = 0;
    for (size_t i = lo; i < nka && ka[i].h == h; i++) {
        const char *norm = s->r[ka[i].i].norm;
        size_t j = 0;
        while (j < ns && strcmp(s->r[seen[j]].norm, norm)) j++;
        if (j < ns) continue;
        for (j = 0; j < ns; j++) {
            const char *o = s->r[seen[j]].norm;
            if (!tokens_within(norm, o) && !tokens_within(o, norm)) return 1;
        }
        if (ns == SPLIT_NAMES) return 1;   /* that many spellings: a common name */
        seen[ns++] = ka[i].i;
    }
    return 0;
}

/* Records of persons carrying each name token (sorted by hash). */
typedef struct tokfreq {
    uint64_t *h;        /* one entry per (record, distinct token), sorted */
    size_t n, persons;  /* entries; person records */
} tokfreq;

static int cmp_h(const void *x, const void *y) {
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return (a > b) - (a < b);
}

static int tokfreq_build(const resolve_set *s, tokfreq *f) {
    pu_vec v = PU_VEC_INIT(uint64_t, 0);
    f->persons = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (!is_person(&s->r[i])) continue;
        f->persons++;
        const char *tok[KEY_TOKENS];
        size_t nt = name_tokens(s->r[i].norm, tok);
        for (size_t j = 0; j < nt; j++) {
            size_t l = strcspn(tok[j], " ");
            if (j && l == strcspn(tok[j - 1], " ") && !strncmp(tok[j], tok[j - 1], l)) continue;   /* once per record */
            uint64_t h = tok_canon(tok[j], l);
            if (pu_vec_push(&v, &h, sizeof h)) {
                pu_vec_free(&v);
                return PU_ERR_NOMEM;
            }
        }
    }
    if (v.len) qsort(v.data, v.len, sizeof(uint64_t), cmp_h);
    f->n = v.len;
    f->h = pu_vec_detach(&v, NULL);
    return PU_OK;
}

static size_t tokfreq_count(const tokfreq *f, uint64_t h) {
    size_t lo = 0, hi = f->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (f->h[mid] < h) lo = mid + 1;
        else hi = mid;
    }
    size_t c = 0;
    while (lo + c < f->n && f->h[lo + c] == h) c++;
    return c;
}

/* Records carrying token t, or, when t is rare (TYPO_CORRECT_MAX: a typo,
 * and a common name's typo recurs: "heranndez" on 7 of 10,000), the
 * most frequent token one typing error away (a letter swapped with the next,
 * left out, added or changed) when that is TYPO_RATIO times more frequent:
 * "heranndez" (7 of 10,000 records) counts as "hernandez" (486), so a typo
 * does not make a common name look rare; "vadebar" and "vadebaz", two rare
 * names, keep their own counts. */
static size_t tok_count_corrected(const tokfreq *f, const char *t, size_t l) {
    size_t c = tokfreq_count(f, tok_canon(t, l));
    if (c > TYPO_CORRECT_MAX || l < 4 || l >= TYPO_TOKEN_MAX) return c;
    char v[TYPO_TOKEN_MAX + 1];
    size_t best = c;
    for (size_t i = 0; i + 1 < l; i++) {   /* swapped */
        memcpy(v, t, l);
        v[i] = t[i + 1], v[i + 1] = t[i];
        size_t n = tokfreq_count(f, tok_canon(v, l));
        if (n > best) best = n;
    }
    for (size_t i = 0; i < l; i++) {   /* one left in by mistake */
        memcpy(v, t, i), memcpy(v + i, t + i + 1, l - i - 1);
        size_t n = tokfreq_count(f, tok_canon(v, l - 1));
        if (n > best) best = n;
    }
    for (size_t i = 0; i <= l; i++)   /* one left out, or one changed */
        for (char ch = 'a'; ch <= 'z'; ch++) {
            memcpy(v, t, i), v[i] = ch, memcpy(v + i + 1, t + i, l - i);
            size_t n = tokfreq_count(f, tok_canon(v, l + 1));
            if (n > best) best = n;
            if (i < l) {
                memcpy(v, t, l), v[i] = ch;
                n = tokfreq_count(f, tok_canon(v, l));
                if (n > best) best = n;
            }
        }
    return best >= TYPO_RATIO * c ? best : c;   /* a typo is much rarer than its word; a rare name's neighbour is not */
}

/* 1 when the tokens' frequencies say several other records would bear x's
 * name by chance (records x product of token shares >= COMMON_EXPECTED):
 * "Michael Hernandez" names many persons even when the data holds one
 * dated Michael Hernandez, so the name alone decides nothing. A name-
 * frequency weight (Fellegi-Sunter's frequency-based u-probabilities), from
 * the records themselves. */
static int frequent_name(const tokfreq *f, const resolve_rec *x) {
    const char *tok[KEY_TOKENS];
    size_t nt = name_tokens(x->norm, tok);
    if (!nt || f->persons < FREQ_MIN_PERSONS) return 0;   /* too few records to estimate from */
    double e = (double)f->persons;
    for (size_t j = 0; j < nt; j++) {
        size_t l = strcspn(tok[j], " ");
        if (j && l == strcspn(tok[j - 1], " ") && !strncmp(tok[j], tok[j - 1], l)) continue;
        e *= (double)tok_count_corrected(f, tok[j], l) / (double)f->persons;
    }
    return e >= COMMON_EXPECTED;
}

typedef struct uent {
    uint32_t x;   /* the undated record */
    uint32_t p;   /* index of the pair */
} uent;

static int cmp_uent(const void *a, const void *b) {
    const uent *x = a, *y = b;
    if (x->x != y->x) return x->x < y->x ? -1 : 1;
    return x->p < y->p ? -1 : x->p > y->p;
}

typedef struct dobw {
    const char *dob;
    float best;
    int contact;
} dobw;

/* The decision for undated record x from its name-only pairs e[0..n) with
 * dated records. */
static udec decide(const resolve_set *s, const resolve_pair *p, const uent *e, size_t n, const nkey *k, size_t nk,
                   int common) {
    dobw d[UNDATED_MAX_DOBS];
    size_t nd = 0;
    const resolve_rec *x = &s->r[e[0].x];
    for (size_t i = 0; i < n; i++) {
        const resolve_pair *q = &p[e[i].p];
        const resolve_rec *y = &s->r[q->a == e[i].x ? q->b : q->a];
        size_t j = 0;
        while (j < nd && strcmp(d[j].dob, y->dob)) j++;
        if (j == nd) {
            if (nd == UNDATED_MAX_DOBS) return (udec){NULL, U_AMBIGUOUS, 0};
            d[nd++] = (dobw){y->dob, q->score, 0};
        }
        if (q->score > d[j].best) d[j].best = q->score;
        d[j].contact |= contact(x, y);
    }
    size_t best = 0, ncontact = 0, withc = 0;
    for (size_t j = 0; j < nd; j++) {
        if (d[j].contact) ncontact++, withc = j;
        if (d[j].best > d[best].best) best = j;
    }
    if (!nd) return (udec){NULL, U_FREE, 0};
    if (ncontact > 1) return (udec){NULL, U_AMBIGUOUS, 0};
    if (ncontact == 1) {   /* the one it shares a contact with, unless a namesake of another date shares it too */
        if (namesake(s, k, nk, name_key(x->norm), d[withc].dob, x, 1)) return (udec){NULL, U_AMBIGUOUS, 0};
        return (udec){d[withc].dob, U_CHOSEN, 0};
    }
    if (common) return (udec){NULL, U_AMBIGUOUS, 0};   /* by the name alone: several persons bear it */
    for (size_t j = 0; j < nd; j++)
        if (j != best && d[best].best - d[j].best < AMBIGUOUS_MARGIN) return (udec){NULL, U_AMBIGUOUS, 0};
    if (namesake(s, k, nk, name_key(x->norm), d[best].dob, x, 0)) return (udec){NULL, U_AMBIGUOUS, 0};
    for (size_t i = 0; i < n; i++) {   /* the partners' namesakes are x's too */
        const resolve_pair *q = &p[e[i].p];
        const resolve_rec *y = &s->r[q->a == e[i].x ? q->b : q->a];
        if (namesake(s, k, nk, name_key(y->norm), d[best].dob, x, 0)) return (udec){NULL, U_AMBIGUOUS, 0};
    }
    return (udec){d[best].dob, U_CHOSEN, 0};
}

static int keeps(const udec *u, const char *dob) {
    if (u->state == U_FREE) return 1;
    if (u->state == U_AMBIGUOUS) return 0;
    return !dob[0] || !strcmp(dob, u->dob);
}

/* Name-only pairs of an undated person with a dated person, by undated record. */
static int undated_entries(const resolve_set *s, const resolve_pair *p, size_t n, uent **out, size_t *ne) {
    uent *e = malloc((n ? 2 * n : 1) * sizeof *e);
    if (!e) return PU_ERR_NOMEM;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i].score < 0) continue;
        const resolve_rec *a = &s->r[p[i].a], *b = &s->r[p[i].b];
        if (undated_person(a) && dated_person(b)) e[m++] = (uent){p[i].a, (uint32_t)i};
        if (undated_person(b) && dated_person(a)) e[m++] = (uent){p[i].b, (uint32_t)i};
    }
    if (m) qsort(e, m, sizeof *e, cmp_uent);
    *out = e;
    *ne = m;
    return PU_OK;
}

/* An undated record that joined no dated person, whose name's tokens are
 * all carried by dated records of ONE date of birth and no other: the
 * data says the name points at one person ("Antonio Vadebar" when one
 * dated Antonio Vadebar Castillo exists), so its pairs with those records
 * are kept from UNIQUE_SCORE_MIN, below the threshold (a partial name of
 * an undated record scores name x 0.95). Appended to kept. */
static size_t lower_key(const nkey *k, size_t nk, uint64_t h) {
    size_t lo = 0, hi = nk;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (k[mid].h < h) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* 1 when both names carry initials and none in common ("Thomas I. Miller"
 * and "Tomas H. Miller"): two persons, whatever the rest says. */
static int initials_conflict(const char *a, const char *b) {
    char ia[KEY_TOKENS + 1] = "", ib[KEY_TOKENS + 1] = "";
    size_t na = 0, nb = 0;
    for (const char *p = a; *p;) {
        size_t n = strcspn(p, " ");
        if (n == 1 && na < KEY_TOKENS) ia[na++] = *p;
        p += n + (p[n] == ' ');
    }
    for (const char *p = b; *p;) {
        size_t n = strcspn(p, " ");
        if (n == 1 && nb < KEY_TOKENS) ib[nb++] = *p;
        p += n + (p[n] == ' ');
    }
    if (!na || !nb) return 0;
    for (size_t i = 0; i < na; i++)
        if (memchr(ib, ia[i], nb)) return 0;
    return 1;
}

/* Keep x's pairs with the records c[0..n) scoring from UNIQUE_SCORE_MIN. */
static int keep_unique(const resolve_set *s, uint32_t x, const uint32_t *c, size_t n, pu_vec *kept) {
    for (size_t i = 0; i < n; i++) {
        /* a name with a repeated token ("Miguel Baca Baca") files one record twice under
         * one key: one pair, else resolve_pair's unique (a, b) failed the whole `resolve run` */
        size_t j = 0;
        while (j < i && c[j] != c[i]) j++;
        if (j < i) continue;
        if (initials_conflict(s->r[x].norm, s->r[c[i]].norm)) continue;
        double sc = 0;
        pu_err e = {0};
        if (resolve_score(&s->r[x], &s->r[c[i]], &sc, &e)) {
            pu_err_clear(&e);
            continue;
        }
        uint32_t a = x < c[i] ? x : c[i], b = x ^ c[i] ^ a;
        resolve_pair q = {a, b, (float)sc};
        if (sc >= UNIQUE_SCORE_MIN && pu_vec_push(kept, &q, sizeof q)) return PU_ERR_NOMEM;
    }
    return PU_OK;
}

/* Collect into c the dated records under key h that hold x's name; 0 when
 * they are of one date of birth (*dob) and few, else 1 (ambiguous). A key
 * naming more than TYPO_SCAN_MAX records is skipped (a common token). */
static int collect_holders(const resolve_set *s, const nkey *k, size_t nk, uint64_t h, const resolve_rec *x,
                           uint32_t *c, size_t *nc, const char **dob) {
    size_t lo = lower_key(k, nk, h), hi = lo;
    while (hi < nk && k[hi].h == h && hi - lo <= TYPO_SCAN_MAX) hi++;
    if (hi - lo > TYPO_SCAN_MAX) return 0;
    for (size_t i = lo; i < hi; i++) {
        const resolve_rec *y = &s->r[k[i].i];
        size_t j = 0;
        while (j < *nc && c[j] != k[i].i) j++;
        if (j < *nc || !resolve_name_held(x->norm, y->norm)) continue;
        if (*dob && strcmp(*dob, y->dob)) return 1;   /* two persons answer to it */
        if (*nc == UNIQUE_MAX_RECORDS) return 1;
        *dob = y->dob, c[(*nc)++] = k[i].i;
    }
    return 0;
}

/* A name no dated person carries as typed (a typo on either side, or a
 * token of its own): the dated records that hold it with one typing error
 * per word, looked up under each rare token alone and under the name
 * without it. When they are of one date of birth and few, x joins them as
 * rule 3 would ("Antnio Vadebar" for Antonio Vadebar Castillo, "Francisco
 * Losanal" for Fracnisco Losanal Bebeban). x's name is not common
 * (frequent_name reads a rare token as its typo-neighbour). */
static int typo_unique(const resolve_set *s, const nkey *k, size_t nk, const tokfreq *f, uint32_t x, pu_vec *kept) {
    const resolve_rec *r = &s->r[x];
    const char *tok[KEY_TOKENS];
    size_t nt = name_tokens(r->norm, tok);
    if (nt < 2 || nt > KEY_SUBSET_TOKENS) return PU_OK;
    unsigned all = (1u << nt) - 1;
    uint32_t c[UNIQUE_MAX_RECORDS];
    size_t nc = 0;
    const char *dob = NULL;
    for (size_t t = 0; t < nt; t++) {
        if (tokfreq_count(f, tok_canon(tok[t], strcspn(tok[t], " "))) > TYPO_CORRECT_MAX) continue;
        if (collect_holders(s, k, nk, tokens_key(tok, nt, all & ~(1u << t)), r, c, &nc, &dob) ||
            collect_holders(s, k, nk, tokens_key(tok, nt, 1u << t), r, c, &nc, &dob))
            return PU_OK;
    }
    return nc ? keep_unique(s, x, c, nc, kept) : PU_OK;
}

/* The undated records whose fuller name holds x's (x's name is not common:
 * no two dated persons and no two fuller names answer to it, and its
 * tokens are rare): "Luis Losabara" and "Luis Miguel Losabara Satifar",
 * both undated, are one person from UNIQUE_SCORE_MIN (rule 3 for two
 * undated records). */
static int undated_holders(const resolve_set *s, const nkey *ka, size_t nka, uint32_t x, pu_vec *kept) {
    uint64_t h = name_key(s->r[x].norm);
    uint32_t c[UNIQUE_MAX_RECORDS];
    size_t nc = 0;
    for (size_t i = lower_key(ka, nka, h); i < nka && ka[i].h == h; i++) {
        if (ka[i].i == x || !undated_person(&s->r[ka[i].i]) || !strcmp(s->r[ka[i].i].norm, s->r[x].norm)) continue;
        if (nc == UNIQUE_MAX_RECORDS) return PU_OK;   /* that many: not one person's */
        c[nc++] = ka[i].i;
    }
    return keep_unique(s, x, c, nc, kept);
}

static int unique_name_pairs(const resolve_set *s, const nkey *k, size_t nk, const nkey *ka, size_t nka,
                             const tokfreq *f, const udec *u, pu_vec *kept) {
    for (size_t x = 0; x < s->n; x++) {
        const resolve_rec *r = &s->r[x];
        if (!undated_person(r) || u[x].state != U_FREE || u[x].common) continue;
        uint64_t h = name_key(r->norm);
        size_t lo = lower_key(k, nk, h);
        uint32_t c[UNIQUE_MAX_RECORDS];
        size_t nc = 0;
        for (size_t i = lo; i < nk && k[i].h == h && nc < UNIQUE_MAX_RECORDS; i++) c[nc++] = k[i].i;
        int rc = nc ? keep_unique(s, (uint32_t)x, c, nc, kept) : typo_unique(s, k, nk, f, (uint32_t)x, kept);
        if (!rc) rc = undated_holders(s, ka, nka, (uint32_t)x, kept);
        if (rc) return rc;
    }
    return PU_OK;
}

int resolve_drop_ambiguous(const resolve_set *s, pu_vec *kept, pu_err *err) {
    resolve_pair *p = kept->data;
    size_t *n = &kept->len;
    udec *u = calloc(s->n ? s->n : 1, sizeof *u);
    nkey *k = NULL, *ka = NULL;
    uent *e = NULL;
    size_t nk = 0, nka = 0, ne = 0;
    if (!u || key_index(s, 1, &k, &nk) || key_index(s, 0, &ka, &nka) || undated_entries(s, p, *n, &e, &ne)) {
        free(u), free(k), free(ka), free(e);
        return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    tokfreq f = {0};
    if (tokfreq_build(s, &f)) {
        free(u), free(k), free(ka), free(e);
        return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    for (size_t i = 0; i < s->n; i++)
        if (undated_person(&s->r[i]))
            u[i].common = (unsigned char)(common_name(s, k, nk, &s->r[i]) || split_name(s, ka, nka, &s->r[i]) ||
                                          frequent_name(&f, &s->r[i]));
    for (size_t lo = 0, hi; lo < ne; lo = hi) {
        for (hi = lo + 1; hi < ne && e[hi].x == e[lo].x; hi++) {}
        unsigned char common = u[e[lo].x].common;
        u[e[lo].x] = decide(s, p, e + lo, hi - lo, k, nk, common);
        u[e[lo].x].common = common;
    }
    size_t m = 0;
    for (size_t i = 0; i < *n; i++) {
        const resolve_rec *x = &s->r[p[i].a], *y = &s->r[p[i].b];
        int same_ref = !strcmp(x->source, y->source) && !strcmp(x->ref, y->ref);
        /* two undated records of a common name: the same person only with a contact in common */
        int both_undated = undated_person(x) && undated_person(y);
        int keep = p[i].score < 0 || resolve_list_share(x->ids, y->ids) || same_ref ||
                   (both_undated && contact(x, y)) ||
                   ((x->dob[0] || keeps(&u[p[i].a], y->dob)) && (y->dob[0] || keeps(&u[p[i].b], x->dob)) &&
                    !(both_undated && (u[p[i].a].common || u[p[i].b].common)));
        if (keep) p[m++] = p[i];
    }
    *n = m;
    /* pairs already kept for an undated record made it U_CHOSEN or left it
     * with undated partners only: the second look only adds dated ones */
    int rc = unique_name_pairs(s, k, nk, ka, nka, &f, u, kept);
    free(u), free(k), free(ka), free(e), free(f.h);
    return rc ? pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory") : PU_OK;
}

/* ---- the order of a held name's tokens (docs/resolve.md "Wrong joins") ----
 * A name that drops a token is a spelling of the fuller one when it drops
 * what people drop: the maternal (second) surname, a second given name, a
 * middle initial. "Jorge Trevino" for "Jorge Medina Trevino" drops the
 * paternal surname and keeps the maternal one: not a spelling of that name
 * but another person's name ("Jorge Trevino", whose own paternal surname
 * is Trevino). A dropped token is a surname when the records end with it
 * often and begin with it almost never (SURNAME_LAST_PCT, SURNAME_FIRST_PCT
 * of the names of two tokens or more that carry it); a second given name
 * ("Luis" in "Jose Luis Hernandez") never ends a name. The rule applies to
 * common held names only (ORDER_COMMON): a rare one ("Ratedado Losebado
 * Cruz") has no namesake of one date to fear, and a token that is a
 * surname for some persons may be a second given name for others. */
#define SURNAME_MIN_RECORDS 8   /* records of a token below which its place is not read */
#define SURNAME_LAST_PCT 20     /* a token that ends this share of its names ... */
#define SURNAME_FIRST_PCT 1     /* ... and begins at most this share of them is a surname */
#define ORDER_COMMON 8.0        /* records expected to bear the held name by chance from which the rule applies */

static uint64_t letters_hash(const char *t, size_t l) {
    uint64_t h = 1469598103934665603ULL;
    for (size_t k = 0; k < l; k++) h = (h ^ (unsigned char)t[k]) * 1099511628211ULL;
    return h;
}

/* A name's tokens in their order, initials aside (at most KEY_TOKENS). */
static size_t ordered_tokens(const char *norm, const char **tok, size_t *len) {
    size_t nt = 0;
    for (const char *p = norm; *p && nt < KEY_TOKENS;) {
        while (*p == ' ') p++;
        size_t n = strcspn(p, " ");
        if (n > 1) tok[nt] = p, len[nt++] = n;
        p += n;
    }
    return nt;
}

int resolve_tokplace_build(const resolve_set *s, resolve_tokplace *out) {
    memset(out, 0, sizeof *out);
    pu_vec v = PU_VEC_INIT(uint64_t, 0);
    for (size_t i = 0; i < s->n; i++) {
        if (!is_person(&s->r[i])) continue;
        out->persons++;
        const char *tok[KEY_TOKENS];
        size_t len[KEY_TOKENS], nt = ordered_tokens(s->r[i].norm, tok, len);
        if (nt < 2) continue;
        for (size_t j = 0; j < nt; j++) {
            uint64_t h = letters_hash(tok[j], len[j]) & ~3ULL;   /* low bits: the name's first, last token */
            h |= (uint64_t)(j == nt - 1) | (uint64_t)(!j) << 1;
            if (pu_vec_push(&v, &h, sizeof h)) {
                pu_vec_free(&v);
                return PU_ERR_NOMEM;
            }
        }
    }
    uint64_t *h = v.data;
    size_t nv = v.len, m = 0;
    if (nv) qsort(h, nv, sizeof *h, cmp_h);
    for (size_t i = 0; i < nv; i++) m += !i || (h[i] | 3) != (h[i - 1] | 3);
    out->cnt = malloc((m ? m : 1) * sizeof *out->cnt);
    if (!out->cnt) {
        pu_vec_free(&v);
        return PU_ERR_NOMEM;
    }
    m = 0;
    for (size_t i = 0, j; i < nv; i = j) {
        uint64_t n = 0, last = 0, first = 0;
        for (j = i; j < nv && (h[j] | 3) == (h[i] | 3); j++) n++, last += h[j] & 1, first += h[j] >> 1 & 1;
        uint64_t surname = n >= SURNAME_MIN_RECORDS && last * 100 >= n * SURNAME_LAST_PCT && first * 100 <= n * SURNAME_FIRST_PCT;
        h[m] = (h[i] & ~3ULL) | surname;   /* in place: m <= i */
        out->cnt[m++] = (uint32_t)(n > UINT32_MAX ? UINT32_MAX : n);
    }
    out->h = pu_vec_detach(&v, NULL);
    out->n = m;
    return PU_OK;
}

void resolve_tokplace_free(resolve_tokplace *t) {
    if (t) free(t->h), free(t->cnt), memset(t, 0, sizeof *t);
}

/* The index of a token in t, or t->n. */
static size_t place_of(const resolve_tokplace *t, const char *tok, size_t l) {
    uint64_t h = letters_hash(tok, l) & ~3ULL;
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if ((t->h[mid] & ~3ULL) < h) lo = mid + 1;
        else hi = mid;
    }
    return lo < t->n && (t->h[lo] & ~3ULL) == h ? lo : t->n;
}

static int surname_like(const resolve_tokplace *t, const char *tok, size_t l) {
    size_t i = place_of(t, tok, l);
    return i < t->n && (t->h[i] & 1);
}

/* 1 when the person records are expected to carry the tokens tok[0..n)
 * together ORDER_COMMON times or more by chance (records x the product of
 * each token's share): a name common enough that another person of one
 * date of birth may bear it. */
static int held_common(const resolve_tokplace *t, const char *const *tok, const size_t *len, size_t n) {
    if (!t->persons) return 0;
    double e = (double)t->persons;
    for (size_t k = 0; k < n; k++) {
        size_t i = place_of(t, tok[k], len[k]);
        e *= i < t->n ? (double)t->cnt[i] / (double)t->persons : 0;
    }
    return e >= ORDER_COMMON;
}

int resolve_name_order_conflict(const char *x, const char *y, const resolve_tokplace *t) {
    if (initials_conflict(x, y)) return 1;   /* "Hector Y. Aguilar Perez", "Hector L. Aguilar" */
    const char *t1[KEY_TOKENS], *t2[KEY_TOKENS];
    size_t l1[KEY_TOKENS], l2[KEY_TOKENS];
    size_t n1 = ordered_tokens(x, t1, l1), n2 = ordered_tokens(y, t2, l2);
    if (!t || !t->n || n1 == n2 || !n1 || !n2) return 0;
    /* tx: the shorter name, ty: the fuller */
    const char **tx = n1 < n2 ? t1 : t2, **ty = n1 < n2 ? t2 : t1;
    const size_t *lx = n1 < n2 ? l1 : l2, *ly = n1 < n2 ? l2 : l1;
    size_t nx = n1 < n2 ? n1 : n2, ny = n1 < n2 ? n2 : n1;
    size_t at[KEY_TOKENS];
    unsigned used = 0;
    for (size_t i = 0; i < nx; i++) {
        size_t j = 0;
        for (; j < ny; j++)
            if (!(used >> j & 1) && (tok_close(tx[i], lx[i], ty[j], ly[j]) || tok_group(tx[i], lx[i], ty[j], ly[j])))
                break;
        if (j == ny) return 0;   /* not held: another question */
        used |= 1u << j, at[i] = j;
        if (i && at[i] < at[i - 1]) return 0;   /* reordered: not read here */
    }
    if (!held_common(t, tx, lx, nx)) return 0;   /* a rare name: a namesake of one date is unlikely */
    for (size_t j = at[0] + 1; j < at[nx - 1]; j++)   /* dropped between two kept tokens */
        if (!(used >> j & 1) && surname_like(t, ty[j], ly[j])) return 1;
    return 0;
}
