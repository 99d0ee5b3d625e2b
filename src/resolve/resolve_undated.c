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

#define AMBIGUOUS_MARGIN 0.03f  /* the best date of birth must lead the next by this */
#define UNDATED_MAX_DOBS 64     /* dates of birth one undated record is weighed against; more: ambiguous */
#define KEY_TOKENS 8            /* name tokens in a name key */
#define UNIQUE_SCORE_MIN 0.76   /* an undated name pointing at one dated person: 0.8 x 0.95 */
#define UNIQUE_MAX_RECORDS 16   /* records of that person scored at most */
#define SPLIT_NAMES 24          /* distinct fuller names compared per undated name; more: common */
#define COMMON_EXPECTED 1.0     /* records expected to bear a name by chance from which it is common */
#define FREQ_MIN_PERSONS 1000   /* person records below which token frequencies are not used */
#define KEY_SUBSET_TOKENS 6     /* tokens whose parts are indexed (2^6 keys at most per record) */

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

/* The key of the tokens whose bits are set in mask. */
static uint64_t tokens_key(const char *const *tok, size_t nt, unsigned mask) {
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < nt; i++) {
        if (!(mask >> i & 1)) continue;
        size_t n = strcspn(tok[i], " ");
        for (size_t k = 0; k < n; k++) h = (h ^ (unsigned char)tok[i][k]) * 1099511628211ULL;
        h = (h ^ ' ') * 1099511628211ULL;
    }
    return h;
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
            if (__builtin_popcount(m) < 2 && nt > 1) continue;
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

/* 1 when every token of x's name is (close to) one of y's. */
static int tokens_within(const char *x, const char *y) {
    const char *tx[KEY_TOKENS], *ty[KEY_TOKENS];
    size_t nx = name_tokens(x, tx), ny = name_tokens(y, ty);
    for (size_t i = 0; i < nx; i++) {
        size_t li = strcspn(tx[i], " "), j = 0;
        while (j < ny && !tok_close(tx[i], li, ty[j], strcspn(ty[j], " "))) j++;
        if (j == ny) return 0;
    }
    return 1;
}

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

static uint64_t tok_hash(const char *t, size_t n) {
    uint64_t h = 1469598103934665603ULL;
    for (size_t k = 0; k < n; k++) h = (h ^ (unsigned char)t[k]) * 1099511628211ULL;
    return h;
}

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
            uint64_t h = tok_hash(tok[j], l);
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
        e *= (double)tokfreq_count(f, tok_hash(tok[j], l)) / (double)f->persons;
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
static int unique_name_pairs(const resolve_set *s, const nkey *k, size_t nk, const udec *u, pu_vec *kept) {
    for (size_t x = 0; x < s->n; x++) {
        const resolve_rec *r = &s->r[x];
        if (!undated_person(r) || u[x].state != U_FREE || u[x].common) continue;
        uint64_t h = name_key(r->norm);
        size_t lo = 0, hi = nk;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (k[mid].h < h) lo = mid + 1;
            else hi = mid;
        }
        for (size_t i = lo; i < nk && k[i].h == h && i < lo + UNIQUE_MAX_RECORDS; i++) {
            /* a name with a repeated token ("Miguel Baca Baca") files one record twice under
             * one key (k is sorted by key, then record): one pair, else resolve_pair's unique
             * (a, b) failed the whole `resolve run` */
            if (i > lo && k[i - 1].i == k[i].i) continue;
            const resolve_rec *y = &s->r[k[i].i];
            double sc = 0;
            pu_err e = {0};
            if (resolve_score(r, y, &sc, &e)) {
                pu_err_clear(&e);
                continue;
            }
            uint32_t a = (uint32_t)x < k[i].i ? (uint32_t)x : k[i].i, b = (uint32_t)x ^ k[i].i ^ a;
            resolve_pair q = {a, b, (float)sc};
            if (sc >= UNIQUE_SCORE_MIN && pu_vec_push(kept, &q, sizeof q)) return PU_ERR_NOMEM;
        }
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
    free(ka), free(f.h);
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
    int rc = unique_name_pairs(s, k, nk, u, kept);
    free(u), free(k), free(e);
    return rc ? pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory") : PU_OK;
}
