/* resolve_match.c - records in memory, the pair score (screening comparator
 * plus qualifiers) and blocking (resolve.h "Matching"; docs/resolve.md). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/pu_vec.h"
#include "resolve/resolve_int.h"
#include "screen/screen.h"

/* Qualifier weights (docs/resolve.md "Scoring"). */
#define DOB_SAME_BONUS 0.08     /* same date of birth */
#define NO_DOB_FACTOR 0.95      /* persons without a date of birth on one side: name alone */
#define CONTACT_BONUS 0.04      /* a shared phone or address */
#define ID_SAME_SCORE 0.93      /* a shared identifier (RFC, CURP, passport, FFL) ... */
#define ID_NAME_MIN 0.5         /* ... when the names are at least this alike */
#define BLOCK_PREFIX 4         /* name tokens are blocked on their first letters: typos later in a word still meet */
#define BLOCK_TOKENS 8
#define AMBIGUOUS_MARGIN 0.03f  /* see drop_ambiguous */
#define DOB_PREFIX 2            /* name-token prefix paired with the date of birth as a block key */

static char *dup_or_null(const char *s) { return s && *s ? pu_strdup(s) : NULL; }

int resolve_set_add(resolve_set *s, const resolve_rec *r, pu_err *err) {
    if (s->n == s->cap) {
        size_t nc;
        if (pu_vec_next_cap(s->cap, s->n + 1, sizeof *s->r, 0, &nc))
            return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
        resolve_rec *nr = realloc(s->r, nc * sizeof *nr);
        if (!nr) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
        s->r = nr;
        s->cap = nc;
    }
    char *norm = NULL;
    const char *schema = r->schema ? r->schema : "LegalEntity";
    int rc = screen_normalize(r->name, schema, &norm, err);
    if (rc) return rc;
    resolve_rec *d = &s->r[s->n];
    *d = *r;
    d->source = pu_strdup(r->source);
    d->ref = pu_strdup(r->ref);
    d->name = pu_strdup(r->name);
    d->schema = pu_strdup(schema);
    d->norm = norm;
    d->ids = dup_or_null(r->ids);
    d->phones = dup_or_null(r->phones);
    d->addr = dup_or_null(r->addr);
    if (!d->source || !d->ref || !d->name || !d->schema || (r->ids && *r->ids && !d->ids) ||
        (r->phones && *r->phones && !d->phones) || (r->addr && *r->addr && !d->addr)) {
        free(d->source), free(d->ref), free(d->name), free(d->schema), free(d->norm);
        free(d->ids), free(d->phones), free(d->addr);
        return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    s->n++;
    return PU_OK;
}

void resolve_set_free(resolve_set *s) {
    if (!s) return;
    for (size_t i = 0; i < s->n; i++) {
        resolve_rec *r = &s->r[i];
        free(r->source), free(r->ref), free(r->name), free(r->schema), free(r->norm);
        free(r->ids), free(r->phones), free(r->addr);
    }
    free(s->r);
    memset(s, 0, sizeof *s);
}

/* ---- qualifiers ---- */

/* 1 when the ';'-terminated lists share an item. */
static int share_item(const char *a, const char *b) {
    if (!a || !b) return 0;
    for (const char *p = a; *p;) {
        const char *e = strchr(p, ';');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        for (const char *q = b; *q;) {
            const char *f = strchr(q, ';');
            size_t m = f ? (size_t)(f - q) : strlen(q);
            if (n && n == m && !memcmp(p, q, n)) return 1;
            q += m + (f != NULL);
        }
        p += n + (e != NULL);
    }
    return 0;
}

/* 1 when both lists hold an identifier of one type ("RFC=") with different
 * values and none of that type in common: two persons. */
static int ids_conflict(const char *a, const char *b) {
    if (!a || !b) return 0;
    for (const char *p = a; *p;) {
        const char *e = strchr(p, ';'), *eq = strchr(p, '=');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (eq && eq < p + n) {
            size_t tl = (size_t)(eq - p) + 1;
            int same_type = 0, same_value = 0;
            for (const char *q = b; *q;) {
                const char *f = strchr(q, ';');
                size_t m = f ? (size_t)(f - q) : strlen(q);
                if (m >= tl && !memcmp(p, q, tl)) {
                    same_type = 1;
                    if (m == n && !memcmp(p, q, n)) same_value = 1;
                }
                q += m + (f != NULL);
            }
            if (same_type && !same_value) return 1;
        }
        p += n + (e != NULL);
    }
    return 0;
}

static int is_person(const resolve_rec *r) { return !strcmp(r->schema, "Person"); }
static int is_org(const resolve_rec *r) { return r->schema[0] && strcmp(r->schema, "Person") && strcmp(r->schema, "LegalEntity"); }

int resolve_score(const resolve_rec *a, const resolve_rec *b, double *out, pu_err *err) {
    *out = 0;
    if ((is_person(a) && is_org(b)) || (is_org(a) && is_person(b))) return PU_OK; /* a person is no company */
    screen_match *m = NULL;
    const char *schema = is_person(a) || is_person(b) ? "Person" : NULL;
    int rc = screen_compare(NULL, schema, a->name, b->name, 0, &m, err);
    if (rc) return rc;
    double name = m->score, s = name;
    screen_match_free(m);
    int conflict = ids_conflict(a->ids, b->ids) || (a->ffl[0] && b->ffl[0] && strcmp(a->ffl, b->ffl));
    if (a->dob[0] && b->dob[0]) {
        if (strcmp(a->dob, b->dob)) conflict = 1;
        else s += DOB_SAME_BONUS;
    } else if (is_person(a) || is_person(b)) {
        s *= NO_DOB_FACTOR;
    }
    if (share_item(a->phones, b->phones) || (a->addr && b->addr && !strcmp(a->addr, b->addr))) s += CONTACT_BONUS;
    if ((share_item(a->ids, b->ids) || (a->ffl[0] && !strcmp(a->ffl, b->ffl))) && name >= ID_NAME_MIN && !conflict &&
        s < ID_SAME_SCORE)
        s = ID_SAME_SCORE;
    if (s > 1) s = 1;
    /* a conflict is reported as the negated name score: the clustering keeps
     * such records apart when their names alone would have matched */
    *out = conflict ? -name : s;
    return PU_OK;
}

/* ---- blocking ---- */

typedef struct bkey {
    uint64_t h;
    uint32_t i;
} bkey;

static uint64_t fnv(const char *p, size_t n, uint64_t h) {
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)p[i]) * 1099511628211ULL;
    return h;
}

static int push_key(pu_vec *v, char kind, const char *p, size_t n, const char *extra, uint32_t i) {
    uint64_t h = fnv(&kind, 1, 1469598103934665603ULL);
    h = fnv(p, n, h);
    if (extra) h = fnv(extra, strlen(extra), h);
    bkey k = {h, i};
    return pu_vec_push(v, &k, sizeof k);
}

static int push_list(pu_vec *v, char kind, const char *list, uint32_t i) {
    for (const char *p = list; p && *p;) {
        const char *e = strchr(p, ';');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n && push_key(v, kind, p, n, NULL, i)) return PU_ERR_NOMEM;
        p += n + (e != NULL);
    }
    return PU_OK;
}

/* Block keys of one record: each pair of name-token prefixes (single
 * tokens are too common at scale: "lopez" names thousands), each token
 * prefix with the date of birth, each identifier, phone and the FFL. A
 * name of one token is blocked on that token. */
static int record_keys(pu_vec *v, const resolve_rec *r, uint32_t i) {
    const char *tok[BLOCK_TOKENS];
    size_t len[BLOCK_TOKENS], nt = 0;
    for (const char *p = r->norm; *p && nt < BLOCK_TOKENS;) {
        while (*p == ' ') p++;
        size_t n = strcspn(p, " ");
        if (!n) break;
        if (n > 1) {   /* initials block nothing */
            tok[nt] = p;
            len[nt++] = n < BLOCK_PREFIX ? n : BLOCK_PREFIX;
        }
        p += n;
    }
    for (size_t a = 0; a < nt; a++) {
        if (r->dob[0] && push_key(v, 'd', tok[a], len[a] < DOB_PREFIX ? len[a] : DOB_PREFIX, r->dob, i)) return PU_ERR_NOMEM;
        for (size_t b = a + 1; b < nt; b++) {
            char k[2 * BLOCK_PREFIX + 2];
            int ab = strncmp(tok[a], tok[b], len[a] < len[b] ? len[a] : len[b]) <= 0;
            size_t x = ab ? a : b, y = ab ? b : a;
            snprintf(k, sizeof k, "%.*s %.*s", (int)len[x], tok[x], (int)len[y], tok[y]);
            if (push_key(v, 'n', k, strlen(k), NULL, i)) return PU_ERR_NOMEM;
        }
    }
    if (nt == 1 && push_key(v, 't', tok[0], len[0], NULL, i)) return PU_ERR_NOMEM;
    if (push_list(v, 'i', r->ids, i) || push_list(v, 'p', r->phones, i)) return PU_ERR_NOMEM;
    if (r->ffl[0] && push_key(v, 'f', r->ffl, strlen(r->ffl), NULL, i)) return PU_ERR_NOMEM;
    return PU_OK;
}

static int cmp_bkey(const void *x, const void *y) {
    const bkey *a = x, *b = y;
    if (a->h != b->h) return a->h < b->h ? -1 : 1;
    return a->i < b->i ? -1 : a->i > b->i;
}

static int cmp_u64(const void *x, const void *y) {
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

/* Candidate pairs (a << 32 | b, a < b), sorted and unique. */
static int candidates(const resolve_set *s, const uint32_t *reps, size_t nreps, uint64_t **out, size_t *n,
                      pu_err *err) {
    pu_vec keys = PU_VEC_INIT(bkey, 0), pairs = PU_VEC_INIT(uint64_t, 0);
    *out = NULL;
    *n = 0;
    for (size_t i = 0; i < nreps; i++)
        if (record_keys(&keys, &s->r[reps[i]], reps[i])) goto oom;
    bkey *k = keys.data;
    if (keys.len) qsort(k, keys.len, sizeof *k, cmp_bkey);
    for (size_t lo = 0; lo < keys.len;) {
        size_t hi = lo + 1;
        while (hi < keys.len && k[hi].h == k[lo].h) hi++;
        if (hi - lo <= RESOLVE_BLOCK_MAX)
            for (size_t x = lo; x < hi; x++)
                for (size_t y = x + 1; y < hi; y++) {
                    if (k[x].i == k[y].i) continue;
                    uint64_t p = (uint64_t)k[x].i << 32 | k[y].i;
                    if (pu_vec_push(&pairs, &p, sizeof p)) goto oom;
                }
        lo = hi;
    }
    pu_vec_free(&keys);
    uint64_t *p = pairs.data;
    size_t m = 0;
    if (pairs.len) qsort(p, pairs.len, sizeof *p, cmp_u64);
    for (size_t i = 0; i < pairs.len; i++)
        if (!m || p[m - 1] != p[i]) p[m++] = p[i];
    *out = p;
    *n = m;
    return PU_OK;
oom:
    pu_vec_free(&keys);
    pu_vec_free(&pairs);
    return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
}

/* Records with the same source and ref (one thing under several markings)
 * are the same without scoring. */
static int same_ref(const resolve_rec *a, const resolve_rec *b) {
    return !strcmp(a->source, b->source) && !strcmp(a->ref, b->ref);
}

static const char *nz(const char *s) { return s ? s : ""; }

/* Records equal in everything matching looks at. */
static int cmp_exact(const void *x, const void *y, void *ctx) {
    const resolve_set *s = ctx;
    const resolve_rec *a = &s->r[*(const uint32_t *)x], *b = &s->r[*(const uint32_t *)y];
    int c;
    if ((c = strcmp(a->norm, b->norm)) || (c = strcmp(a->dob, b->dob)) || (c = strcmp(nz(a->addr), nz(b->addr))) ||
        (c = strcmp(nz(a->ids), nz(b->ids))) || (c = strcmp(nz(a->phones), nz(b->phones))) ||
        (c = strcmp(a->ffl, b->ffl)) || (c = strcmp(a->schema, b->schema)))
        return c;
    return *(const uint32_t *)x < *(const uint32_t *)y ? -1 : 1;
}

/* Exact duplicates (a consignee on every shipment, a buyer under two
 * markings) are joined directly with score 1 and only the first of each
 * group is blocked: a frequent party then costs one record, not a block too
 * large to compare. */
static int dedupe(const resolve_set *s, uint32_t **reps, size_t *nreps, pu_vec *kept, pu_err *err) {
    uint32_t *ix = malloc((s->n ? s->n : 1) * sizeof *ix);
    if (!ix) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    for (size_t i = 0; i < s->n; i++) ix[i] = (uint32_t)i;
    qsort_r(ix, s->n, sizeof *ix, cmp_exact, (void *)s);
    size_t m = 0;
    for (size_t i = 0; i < s->n; i++) {
        uint32_t k = ix[i];
        if (m) {
            const resolve_rec *a = &s->r[ix[m - 1]], *b = &s->r[k];
            int same = !strcmp(a->norm, b->norm) && !strcmp(a->dob, b->dob) && !strcmp(nz(a->addr), nz(b->addr)) &&
                       !strcmp(nz(a->ids), nz(b->ids)) && !strcmp(nz(a->phones), nz(b->phones)) &&
                       !strcmp(a->ffl, b->ffl) && !strcmp(a->schema, b->schema) &&
                       (a->dob[0] || !is_person(a));   /* two undated namesakes may be two persons */
            if (same) {
                uint32_t r = ix[m - 1];
                resolve_pair p = {r < k ? r : k, r < k ? k : r, 1.0f};
                if (pu_vec_push(kept, &p, sizeof p)) {
                    free(ix);
                    return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
                }
                continue;
            }
        }
        ix[m++] = k;
    }
    *reps = ix;
    *nreps = m;
    return PU_OK;
}

/* A record without a date of birth whose name matches records of two or
 * more different dates of birth could be any of them. Its matches on the
 * name alone go to the date of birth it matches best when that one leads
 * the next by AMBIGUOUS_MARGIN, else to none (matches confirmed by a shared
 * identifier always stay). */
typedef struct amb {
    const char *dob;      /* the best-matching date of birth */
    float best, second;   /* its score, and the best score of another date */
} amb;

static void amb_note(amb *x, const char *dob, float sc) {
    if (!x->dob || sc > x->best) {
        if (x->dob && strcmp(x->dob, dob) && x->best > x->second) x->second = x->best;
        x->dob = dob;
        x->best = sc;
    } else if (strcmp(x->dob, dob) && sc > x->second) {
        x->second = sc;
    }
}

static int amb_keeps(const amb *x, const char *dob) {
    if (!x->dob) return 1;                                  /* no dated partner: nothing to choose */
    if (x->second > 0 && x->best - x->second < AMBIGUOUS_MARGIN) return 0;
    return !dob || !*dob || !strcmp(dob, x->dob);
}

static int drop_ambiguous(const resolve_set *s, pu_vec *kept, pu_err *err) {
    amb *a = calloc(s->n ? s->n : 1, sizeof *a);
    if (!a) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    resolve_pair *p = kept->data;
    for (size_t i = 0; i < kept->len; i++) {
        if (p[i].score < 0) continue;
        for (int side = 0; side < 2; side++) {
            uint32_t x = side ? p[i].b : p[i].a, y = side ? p[i].a : p[i].b;
            if (!s->r[x].dob[0] && s->r[y].dob[0]) amb_note(&a[x], s->r[y].dob, p[i].score);
        }
    }
    size_t m = 0;
    for (size_t i = 0; i < kept->len; i++) {
        const resolve_rec *x = &s->r[p[i].a], *y = &s->r[p[i].b];
        int keep = p[i].score < 0 || share_item(x->ids, y->ids) || same_ref(x, y) ||
                   ((x->dob[0] || amb_keeps(&a[p[i].a], y->dob)) && (y->dob[0] || amb_keeps(&a[p[i].b], x->dob)));
        if (keep) p[m++] = p[i];
    }
    kept->len = m;
    free(a);
    return PU_OK;
}

int resolve_match(const resolve_set *s, double threshold, resolve_pair **out, size_t *n, resolve_match_stats *st,
                  pu_err *err) {
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (threshold <= 0) threshold = RESOLVE_THRESHOLD;
    *out = NULL;
    *n = 0;
    uint64_t *cand = NULL;
    size_t nc = 0, nreps = 0;
    uint32_t *reps = NULL;
    pu_vec kept = PU_VEC_INIT(resolve_pair, 0);
    int rc = dedupe(s, &reps, &nreps, &kept, err);
    if (!rc) rc = candidates(s, reps, nreps, &cand, &nc, err);
    free(reps);
    if (rc) {
        pu_vec_free(&kept);
        return rc;
    }
    for (size_t i = 0; i < nc && !rc; i++) {
        uint32_t a = (uint32_t)(cand[i] >> 32), b = (uint32_t)cand[i];
        double sc = 1;
        if (!same_ref(&s->r[a], &s->r[b]) && resolve_score(&s->r[a], &s->r[b], &sc, err)) {
            pu_err_clear(err);   /* a name the comparator refuses scores 0 */
            continue;
        }
        if (sc >= threshold || sc <= -threshold) {
            resolve_pair p = {a, b, (float)sc};
            if (pu_vec_push(&kept, &p, sizeof p)) rc = pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
        }
    }
    free(cand);
    if (!rc) rc = drop_ambiguous(s, &kept, err);
    if (rc) {
        pu_vec_free(&kept);
        return rc;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (st) {
        st->records = s->n;
        st->candidates = nc;
        st->pairs = kept.len;
        st->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    }
    *n = kept.len;
    *out = pu_vec_detach(&kept, NULL);
    return PU_OK;
}

static int cmp_name_dob(const void *x, const void *y, void *ctx) {
    const resolve_set *s = ctx;
    const resolve_rec *a = &s->r[*(const uint32_t *)x], *b = &s->r[*(const uint32_t *)y];
    int c = strcmp(a->norm, b->norm);
    return c ? c : strcmp(a->dob, b->dob);
}

int resolve_match_baseline(const resolve_set *s, resolve_pair **out, size_t *n, pu_err *err) {
    *out = NULL;
    *n = 0;
    uint32_t *ix = malloc((s->n ? s->n : 1) * sizeof *ix);
    if (!ix) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    for (size_t i = 0; i < s->n; i++) ix[i] = (uint32_t)i;
    qsort_r(ix, s->n, sizeof *ix, cmp_name_dob, (void *)s);
    pu_vec kept = PU_VEC_INIT(resolve_pair, 0);
    for (size_t i = 1; i < s->n; i++) {
        if (cmp_name_dob(&ix[i - 1], &ix[i], (void *)s)) continue;
        uint32_t a = ix[i - 1] < ix[i] ? ix[i - 1] : ix[i], b = ix[i - 1] ^ ix[i] ^ a;
        resolve_pair p = {a, b, 1.0f};
        if (pu_vec_push(&kept, &p, sizeof p)) {
            free(ix);
            pu_vec_free(&kept);
            return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
        }
    }
    free(ix);
    *n = kept.len;
    *out = pu_vec_detach(&kept, NULL);
    return PU_OK;
}

int resolve_source_index(const char *source) {
    static const char *const S[] = {"entity", "trace.purchaser", "trace.possessor", "cargo.party", "tip.mention"};
    for (int i = 0; i < 5; i++)
        if (!strcmp(source, S[i])) return i;
    return -1;
}

int resolve_key_split(const char *key, char *source, size_t ssize, const char **ref) {
    const char *c = key ? strchr(key, ':') : NULL;
    if (!c || c == key || !c[1] || (size_t)(c - key) >= ssize) return -1;
    memcpy(source, key, (size_t)(c - key));
    source[c - key] = 0;
    *ref = c + 1;
    return resolve_source_index(source) < 0 ? -1 : 0;
}
