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

/* ---- the precision ceiling and the wrong joins (docs/resolve.md "Wrong
 * joins at 1,000,000 hard records") ----
 * Two records are indistinguishable when they carry everything the matcher
 * reads alike: one name (the same tokens, initials included, in any order),
 * one date of birth, the same identifiers, phones and address. A resolver
 * reads only that, so it places two such records alike; if it joins every
 * true pair it must then join the persons of two such records of different
 * persons. The precision ceiling is the pairwise precision of the truth's
 * clusters merged through such records of persons of one date of birth: the
 * best precision at full recall (a resolver that leaves records unjoined
 * may exceed it at a lower recall). Reads the truth. */

/* The sorted-token key of a name, initials included. */
static uint64_t full_name_key(const char *norm) {
    uint64_t h = 0;
    for (const char *p = norm; *p;) {
        while (*p == ' ') p++;
        size_t n = strcspn(p, " ");
        if (n) h += mix_text('t', p, n) * 0x9E3779B97F4A7C15ULL + 0x632BE59BD9B4E019ULL;
        p += n;
    }
    return h;
}

static int same_str(const char *a, const char *b) { return !strcmp(a ? a : "", b ? b : ""); }

int resolve_indistinct(const resolve_rec *a, const resolve_rec *b) {
    return a->dob[0] && !strcmp(a->dob, b->dob) && full_name_key(a->norm) == full_name_key(b->norm) &&
           same_str(a->ids, b->ids) && same_str(a->phones, b->phones) && same_str(a->addr, b->addr) &&
           !strcmp(a->schema, b->schema);
}

static double pairs_of(uint64_t k) { return (double)k * (double)(k ? k - 1 : 0) / 2; }

static int cmp_u64(const void *x, const void *y) {
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return (a > b) - (a < b);
}

/* Sum of C(k, 2) over the runs of equal values of v[0..n) (sorted here). */
static double run_pairs(uint64_t *v, size_t n) {
    qsort(v, n, sizeof *v, cmp_u64);
    double t = 0;
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i + 1; j < n && v[j] == v[i]; j++) {}
        t += pairs_of(j - i);
    }
    return t;
}

/* The class of a kept pair that joins two persons (RESOLVE_WRONG_*). */
static int wrong_class(const resolve_rec *a, const resolve_rec *b) {
    if (resolve_indistinct(a, b)) return RESOLVE_WRONG_INDISTINCT;
    if (!a->dob[0] || !b->dob[0]) return RESOLVE_WRONG_UNDATED;
    return RESOLVE_WRONG_DATED;
}

static const char *const WRONG_NAME[] = {"indistinguishable", "dated", "undated"};

static void wrong_rec(pu_buf *b, const resolve_rec *r) {
    pu_buf_printf(b, "\"%s\" dob=%s ids=%s addr=%s phones=%s", r->name, r->dob[0] ? r->dob : "-", r->ids ? r->ids : "-",
                  r->addr ? r->addr : "-", r->phones ? r->phones : "-");
}

int resolve_wrong_joins(const resolve_set *s, const uint32_t *of, const resolve_pair *p, size_t np, size_t explain,
                        pu_buf *sample, resolve_eval *out, pu_err *err) {
    size_t n = s->n;
    uint32_t *pers = malloc((n ? n : 1) * sizeof *pers), *up = malloc((n ? n : 1) * sizeof *up);
    ckey *k = malloc((n ? n : 1) * sizeof *k);
    uint64_t *v = malloc((n ? n : 1) * sizeof *v);
    int rc = PU_OK;
    if (!pers || !up || !k || !v) {
        rc = pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
        goto done;
    }
    /* records of one person are generated consecutively: pers is the person's first record */
    for (size_t i = 0; i < n; i++) pers[i] = i && s->r[i].truth == s->r[i - 1].truth ? pers[i - 1] : (uint32_t)i;
    for (size_t i = 0; i < n; i++) up[i] = (uint32_t)i;
    size_t nk = 0;
    for (size_t i = 0; i < n; i++)
        if (s->r[i].dob[0]) k[nk++] = (ckey){full_name_key(s->r[i].norm) ^ mix_text('d', s->r[i].dob, 10), (uint32_t)i};
    qsort(k, nk, sizeof *k, cmp_ckey);
    for (size_t lo = 0, hi; lo < nk; lo = hi) {
        for (hi = lo + 1; hi < nk && k[hi].h == k[lo].h; hi++) {}
        for (size_t a = lo; a < hi; a++)
            for (size_t b = a + 1; b < hi; b++)
                if (pers[k[a].i] != pers[k[b].i] && resolve_indistinct(&s->r[k[a].i], &s->r[k[b].i]))
                    uf_join(up, pers[k[a].i], pers[k[b].i]);
    }
    /* the ceiling: the truth's clusters merged through indistinguishable records */
    for (size_t i = 0; i < n; i++) v[i] = pers[i];
    double tp = run_pairs(v, n);
    for (size_t i = 0; i < n; i++) v[i] = uf_find(up, pers[i]);
    double pred = run_pairs(v, n);
    out->prec_ceiling = pred > 0 ? tp / pred : 1;
    out->prec_ceiling_wrong = (uint64_t)(pred - tp);
    /* the wrong pairs of the clusters, and of them those the ceiling has too */
    for (size_t i = 0; i < n; i++) v[i] = (uint64_t)of[i] << 32 | pers[i];
    double cl_tp = run_pairs(v, n);
    for (size_t i = 0; i < n; i++) v[i] = (uint64_t)of[i] << 32;
    double cl_pred = run_pairs(v, n);
    for (size_t i = 0; i < n; i++) v[i] = (uint64_t)of[i] << 32 | uf_find(up, pers[i]);
    double cl_forced = run_pairs(v, n);
    out->wrong_pairs = (uint64_t)(cl_pred - cl_tp);
    out->wrong_forced = (uint64_t)(cl_forced - cl_tp);
    /* the kept pairs that join two persons in one cluster: each a bridge */
    size_t shown = 0;
    for (size_t i = 0; i < np; i++) {
        const resolve_pair *q = &p[i];
        if (q->score < 0 || pers[q->a] == pers[q->b] || of[q->a] != of[q->b]) continue;
        int c = wrong_class(&s->r[q->a], &s->r[q->b]);
        out->wrong_kept[c]++;
        if (!sample || shown >= explain || (((uint64_t)q->a << 32 | q->b) * 0x9E3779B97F4A7C15ULL >> 40) % 31) continue;
        shown++;
        pu_buf_printf(sample, "bridge %s %s score=%.3f | ", WRONG_NAME[c],
                      uf_find(up, pers[q->a]) == uf_find(up, pers[q->b]) ? "forced" : "avoidable", q->score);
        wrong_rec(sample, &s->r[q->a]);
        pu_buf_puts(sample, " | ");
        wrong_rec(sample, &s->r[q->b]);
        if (pu_buf_putc(sample, '\n')) {
            rc = pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
            break;
        }
    }
done:
    free(pers), free(up), free(k), free(v);
    return rc;
}
