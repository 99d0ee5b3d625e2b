/* resolve_ceiling.c - the information ceiling of the evaluation
 * (docs/resolve.md "The information ceiling"): the share of true pairs for
 * which the generated data holds any evidence that the two records are one
 * person. Two records of one person are linked by evidence when
 *   E1. they share an identifier (CURP, passport, RFC);
 *   E2. both carry one date of birth and one name holds the other's tokens
 *       (nickname -> formal name, one typing error per word);
 *   E3. they share a phone or an address, one name holds the other's, and
 *       no record of ANOTHER person at that contact answers to the held
 *       name (a father and son of one name at one address are not told
 *       apart by it);
 *   E4. one name holds the other's and no record of another person answers
 *       to the held name: the name alone points at one person.
 * A true pair counts when its records are joined through such links (the
 * transitive closure: a tip sharing the phone of a waybill party that
 * shares the address of a purchaser). It is an upper bound: E4 and the
 * "other person" tests read the truth, which the algorithm cannot. */
#include <stdlib.h>
#include <string.h>

#include "common/pu_vec.h"
#include "resolve/resolve_int.h"

#define CEIL_TOKENS 6        /* name tokens whose subsets are indexed */
#define CEIL_LOOKUP_MAX 4096 /* records compared per held-name lookup; more: a common name */

typedef struct ckey {
    uint64_t h;
    uint32_t i;
} ckey;

static int cmp_ckey(const void *x, const void *y) {
    const ckey *a = x, *b = y;
    if (a->h != b->h) return a->h < b->h ? -1 : 1;
    return a->i < b->i ? -1 : a->i > b->i;
}

static uint64_t mix_text(char kind, const char *p, size_t n) {
    uint64_t h = 1469598103934665603ULL;
    h = (h ^ (unsigned char)kind) * 1099511628211ULL;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)p[i]) * 1099511628211ULL;
    return h;
}

static uint32_t uf_find(uint32_t *p, uint32_t x) {
    while (p[x] != x) x = p[x] = p[p[x]];
    return x;
}

static void uf_join(uint32_t *p, uint32_t a, uint32_t b) {
    a = uf_find(p, a), b = uf_find(p, b);
    if (a != b) p[a < b ? b : a] = a < b ? a : b;
}

/* The key of the tokens tk[0..n) whose bits are set in mask. */
static uint64_t subset_key(const uint64_t *tk, size_t n, unsigned mask) {
    uint64_t h = 0;
    for (size_t i = 0; i < n; i++)
        if (mask >> i & 1) h += tk[i];
    return h;
}

/* Index of every person record under the key of every subset of its name
 * tokens, singletons included (a singleton's count is its token's). */
static int subset_index(const resolve_set *s, ckey **out, size_t *n) {
    pu_vec v = PU_VEC_INIT(ckey, 0);
    for (size_t i = 0; i < s->n; i++) {
        uint64_t tk[CEIL_TOKENS];
        size_t nt = resolve_name_tokkeys(s->r[i].norm, tk, CEIL_TOKENS);
        for (unsigned m = 1; m < 1u << nt; m++) {
            ckey c = {subset_key(tk, nt, m), (uint32_t)i};
            if (pu_vec_push(&v, &c, sizeof c)) {
                pu_vec_free(&v);
                return PU_ERR_NOMEM;
            }
        }
    }
    if (v.len) qsort(v.data, v.len, sizeof(ckey), cmp_ckey);
    *n = v.len;
    *out = pu_vec_detach(&v, NULL);
    return PU_OK;
}

static size_t lower(const ckey *k, size_t n, uint64_t h) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (k[mid].h < h) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

static size_t count_key(const ckey *k, size_t n, uint64_t h) {
    size_t lo = lower(k, n, h), c = 0;
    while (lo + c < n && k[lo + c].h == h) c++;
    return c;
}

/* 1 when a record of another person answers to x's name (holds all its
 * tokens): looked up under the key of all x's tokens and, for a token no
 * other record carries (a typo), under the key of the others. */
static int name_shared(const resolve_set *s, const ckey *k, size_t nk, uint32_t x) {
    const resolve_rec *r = &s->r[x];
    uint64_t tk[CEIL_TOKENS], keys[CEIL_TOKENS + 1];
    size_t nt = resolve_name_tokkeys(r->norm, tk, CEIL_TOKENS), nkeys = 0;
    if (!nt) return 1;
    unsigned all = (1u << nt) - 1;
    keys[nkeys++] = subset_key(tk, nt, all);
    for (size_t t = 0; nt > 1 && t < nt; t++)
        if (count_key(k, nk, tk[t]) <= 1) keys[nkeys++] = subset_key(tk, nt, all & ~(1u << t));
    for (size_t q = 0; q < nkeys; q++) {
        size_t lo = lower(k, nk, keys[q]);
        for (size_t i = lo; i < nk && k[i].h == keys[q]; i++) {
            if (i - lo >= CEIL_LOOKUP_MAX) return 1;   /* that many bear it: common */
            const resolve_rec *y = &s->r[k[i].i];
            if (y->truth != r->truth && resolve_name_held(r->norm, y->norm)) return 1;
        }
    }
    return 0;
}

/* The keys of a record's phones and address (at most cap). */
static size_t contact_keys(const resolve_rec *r, uint64_t *h, size_t cap) {
    size_t n = 0;
    for (const char *p = r->phones; p && *p && n < cap;) {
        size_t l = strcspn(p, ";");
        if (l) h[n++] = mix_text('p', p, l);
        p += l + (p[l] == ';');
    }
    if (r->addr && r->addr[0] && n < cap) h[n++] = mix_text('a', r->addr, strlen(r->addr));
    return n;
}

/* The shorter of two names when one holds the other's tokens; -1: neither. */
static int held_side(const resolve_rec *a, const resolve_rec *b) {
    if (resolve_name_held(a->norm, b->norm)) return 0;
    if (resolve_name_held(b->norm, a->norm)) return 1;
    return -1;
}

static int same_contact(const resolve_rec *a, const resolve_rec *b) {
    return resolve_list_share(a->phones, b->phones) || (a->addr && b->addr && !strcmp(a->addr, b->addr));
}

/* 1 when a record of another person sharing x's contact with y answers to
 * x's name (the contact does not tell them apart). Scans the records near
 * in the contact index: an address or phone is held by few records. */
static int contact_shared(const resolve_set *s, const ckey *ck, size_t nck, uint32_t x, const resolve_rec *y) {
    const resolve_rec *r = &s->r[x];
    uint64_t h[8];
    size_t nh = contact_keys(r, h, 8);
    for (size_t q = 0; q < nh; q++)
        for (size_t i = lower(ck, nck, h[q]); i < nck && ck[i].h == h[q]; i++) {
            const resolve_rec *o = &s->r[ck[i].i];
            if (o->truth != r->truth && same_contact(o, y) && resolve_name_held(r->norm, o->norm)) return 1;
        }
    return 0;
}

static int contact_index(const resolve_set *s, ckey **out, size_t *n) {
    pu_vec v = PU_VEC_INIT(ckey, 0);
    for (size_t i = 0; i < s->n; i++) {
        uint64_t h[8];
        size_t nh = contact_keys(&s->r[i], h, 8);
        for (size_t j = 0; j < nh; j++) {
            ckey c = {h[j], (uint32_t)i};
            if (pu_vec_push(&v, &c, sizeof c)) {
                pu_vec_free(&v);
                return PU_ERR_NOMEM;
            }
        }
    }
    if (v.len) qsort(v.data, v.len, sizeof(ckey), cmp_ckey);
    *n = v.len;
    *out = pu_vec_detach(&v, NULL);
    return PU_OK;
}

/* 1 when the data links records a and b of one person (E1..E4). */
static int evidence(const resolve_set *s, const ckey *nk, size_t nnk, const ckey *ck, size_t nck, uint32_t a,
                    uint32_t b, signed char *unique) {
    const resolve_rec *x = &s->r[a], *y = &s->r[b];
    if (resolve_list_share(x->ids, y->ids)) return 1;
    int side = held_side(x, y);
    if (side < 0) return 0;
    if (x->dob[0] && !strcmp(x->dob, y->dob)) return 1;
    uint32_t h = side ? b : a;
    const resolve_rec *o = side ? x : y;
    if (same_contact(x, y) && !contact_shared(s, ck, nck, h, o)) return 1;
    if (unique[h] < 0) unique[h] = (signed char)!name_shared(s, nk, nnk, h);
    return unique[h];
}

int resolve_ceiling(const resolve_set *s, uint64_t *pairs, uint32_t *comp, pu_err *err) {
    *pairs = 0;
    uint32_t *p = malloc((s->n ? s->n : 1) * sizeof *p);
    signed char *unique = malloc(s->n ? s->n : 1);
    ckey *nk = NULL, *ck = NULL;
    size_t nnk = 0, nck = 0;
    if (!p || !unique || subset_index(s, &nk, &nnk) || contact_index(s, &ck, &nck)) {
        free(p), free(unique), free(nk), free(ck);
        return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    memset(unique, -1, s->n);
    for (size_t i = 0; i < s->n; i++) p[i] = (uint32_t)i;
    /* records of one person are generated consecutively */
    for (size_t lo = 0, hi; lo < s->n; lo = hi) {
        for (hi = lo + 1; hi < s->n && s->r[hi].truth == s->r[lo].truth; hi++) {}
        for (size_t a = lo; a < hi; a++)
            for (size_t b = a + 1; b < hi; b++)
                if (uf_find(p, (uint32_t)a) != uf_find(p, (uint32_t)b) &&
                    evidence(s, nk, nnk, ck, nck, (uint32_t)a, (uint32_t)b, unique))
                    uf_join(p, (uint32_t)a, (uint32_t)b);
        for (size_t a = lo; a < hi; a++)
            for (size_t b = a + 1; b < hi; b++) *pairs += uf_find(p, (uint32_t)a) == uf_find(p, (uint32_t)b);
    }
    for (size_t i = 0; comp && i < s->n; i++) comp[i] = uf_find(p, (uint32_t)i);
    free(p), free(unique), free(nk), free(ck);
    return PU_OK;
}
