/* resolve_match.c - records in memory, the pair score (screening comparator
 * plus qualifiers) and blocking (resolve.h "Matching"; docs/resolve.md). */
#include <pthread.h>
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
#define STRONG_NAME_MIN 0.3     /* ... or this alike with the identifier the same and date, phone, address worth 3 */
#define CONTACT_SAME_SCORE 0.88 /* an undated person sharing an address or phone ... */
#define CONTACT_NAME_MIN 0.78   /* ... with a name at least this alike ("Maria Mesenaz" / "Maria Mesenaz Cebabara") */
#define CONTACT_HELD_MIN 0.5    /* ... or this alike when one name holds the other's tokens (nickname, typo) */
#define SUFFIX_LEN 3            /* a token's last letters: a typo early in a word leaves them */
#define BLOCK_PREFIX 4         /* name tokens are blocked on their first letters: typos later in a word still meet */
#define BLOCK_TOKENS 8
#define DOB_PREFIX 2            /* name-token prefix paired with the date of birth as a block key */
#define ANAGRAM_MAX 32          /* bytes of a token's sorted letters used as a block key */
#define SCORE_THREADS 2         /* threads scoring candidate pairs (the machine's cores) */
#define RADIX_BITS 11           /* digit of the candidates' radix sort: 2 passes per 21-bit record index */
#define PAIRS_COMPACT_MIN ((size_t)1 << 24) /* raw candidate pairs (128 MB) before the first sort + unique */

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

/* 1 when two values of one length are at most SLIP_MAX typing errors apart,
 * an error being one character substituted or two neighbours transposed
 * (a transposition is one error, as in Damerau's distance and in Febrl's
 * count of modifications, at most two per field): one value typed twice,
 * not two values. */
#define SLIP_MAX 2
static int slip(const char *a, const char *b, size_t n) {
    size_t d = 0;
    for (size_t i = 0; i < n && d <= SLIP_MAX; i++) {
        if (a[i] == b[i]) continue;
        d++;
        if (i + 1 < n && a[i] == b[i + 1] && a[i + 1] == b[i]) i++;   /* transposed neighbours */
    }
    return d <= SLIP_MAX;
}

int resolve_dob_slip(const char *a, const char *b) {
    size_t n = strlen(a);
    if (n != 10 || strlen(b) != 10 || !strcmp(a, b)) return 0;
    if (slip(a, b, n)) return 1;
    return !memcmp(a, b, 5) && !memcmp(a + 5, b + 8, 2) && !memcmp(a + 8, b + 5, 2);   /* day and month swapped */
}

/* 1 when both lists hold an identifier of one type ("RFC=") with different
 * values and none of that type in common: two persons. With slips, a value
 * within a typing slip of one of the same type is no conflict. */
static int ids_conflict_ex(const char *a, const char *b, int slips) {
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
                    if (m == n && (!memcmp(p, q, n) || (slips && slip(p, q, n)))) same_value = 1;
                }
                q += m + (f != NULL);
            }
            if (same_type && !same_value) return 1;
        }
        p += n + (e != NULL);
    }
    return 0;
}

static int ids_conflict(const char *a, const char *b) { return ids_conflict_ex(a, b, 0); }

/* 1 when the ';'-terminated lists hold two items of one length a slip apart. */
static int list_slip(const char *a, const char *b) {
    for (const char *p = a; p && *p;) {
        const char *e = strchr(p, ';');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        for (const char *q = b; q && *q;) {
            const char *f = strchr(q, ';');
            size_t m = f ? (size_t)(f - q) : strlen(q);
            if (n && n == m && slip(p, q, n)) return 1;
            q += m + (f != NULL);
        }
        p += n + (e != NULL);
    }
    return 0;
}

int resolve_list_share(const char *a, const char *b) { return share_item(a, b); }

static int is_person(const resolve_rec *r) { return !strcmp(r->schema, "Person"); }
static int is_org(const resolve_rec *r) { return r->schema[0] && strcmp(r->schema, "Person") && strcmp(r->schema, "LegalEntity"); }

/* The schema the name comparator is run with for a and b: a person's name
 * when either is a person (NULL: any). */
static const char *cmp_schema(const resolve_rec *a, const resolve_rec *b) {
    return is_person(a) || is_person(b) ? "Person" : NULL;
}

/* 1 when one person's name holds every token of the other's (a nickname
 * for the formal name, one typing error per word): "Pepe Lonefado" and
 * "Jose Lonefado Ruiz", whose name score is low for a pair of persons. */
static int names_held(const resolve_rec *a, const resolve_rec *b) {
    return is_person(a) && is_person(b) && (resolve_name_held(a->norm, b->norm) || resolve_name_held(b->norm, a->norm));
}

/* The pair score from the names' score and the qualifiers (see resolve_score). */
static double qualify(const resolve_rec *a, const resolve_rec *b, double name) {
    double s = name;
    /* One strong field against the others (docs/resolve.md "Generated data:
     * the Febrl profile"). The strong fields are the date of birth, the
     * identifier and the phone, each worth 2 when the same on both records
     * and 1 when a typing slip apart (slip(): one or two characters). A
     * date or an identifier that differs is forgiven when it is a slip and
     * one of the others is the same or a slip, or whatever it is when they
     * are worth 3 (one the same, one a slip): an analyst reads
     * one name with one CURP and one phone but two dates as one person
     * whose date was mistyped. Forgiven: neither bonus nor conflict. */
    int dated = a->dob[0] && b->dob[0], dob_same = dated && !strcmp(a->dob, b->dob);
    int idc = ids_conflict(a->ids, b->ids), id_same = share_item(a->ids, b->ids);
    int phone = share_item(a->phones, b->phones);
    int id_slip = idc && !ids_conflict_ex(a->ids, b->ids, 1);
    int dob_slip = dated && resolve_dob_slip(a->dob, b->dob);
    int pd = dob_same ? 2 : dob_slip, pi = id_same ? 2 : id_slip, pp = phone ? 2 : list_slip(a->phones, b->phones);
    int dob_forgiven = dated && !dob_same && (pi + pp >= 3 || (dob_slip && pi + pp >= 1));
    if (idc && (pd + pp >= 3 || (id_slip && pd + pp >= 1))) idc = 0;
    int conflict = idc || (a->ffl[0] && b->ffl[0] && strcmp(a->ffl, b->ffl));
    if (dob_forgiven) {
    } else if (dated) {
        if (!dob_same) conflict = 1;
        else s += DOB_SAME_BONUS;
    } else if (is_person(a) || is_person(b)) {
        s *= NO_DOB_FACTOR;
    }
    int contact = share_item(a->phones, b->phones) || (a->addr && b->addr && !strcmp(a->addr, b->addr));
    if (contact) s += CONTACT_BONUS;
    /* without two dates of birth, a shared address or phone is what tells a
     * partial name's person (docs/resolve.md "Undated records") */
    if (contact && !(a->dob[0] && b->dob[0]) && s < CONTACT_SAME_SCORE &&
        (name >= CONTACT_NAME_MIN || (name >= CONTACT_HELD_MIN && names_held(a, b))))
        s = CONTACT_SAME_SCORE;
    /* a shared identifier, or strong fields worth 4 (two the same); from a
     * lower name score when the identifier is the same and date, phone and
     * address are worth 3 more (the same 2, a slip 1; the address the same
     * only): a name hit by two modifications ("Aleandro LamegasReyes" for
     * "Alejandro Oanigaz Diaz") with one person's CURP, date and phone (not
     * without the identifier: twins share a date, phone and address) */
    int same3 = id_same && pd + pp + 2 * (a->addr && b->addr && !strcmp(a->addr, b->addr)) >= 3;
    if ((id_same || (a->ffl[0] && !strcmp(a->ffl, b->ffl)) || pd + pi + pp >= 4) &&
        (name >= ID_NAME_MIN || (same3 && name >= STRONG_NAME_MIN)) && !conflict && s < ID_SAME_SCORE)
        s = ID_SAME_SCORE;
    if (s > 1) s = 1;
    /* a conflict is reported as the negated name score: the clustering keeps
     * such records apart when their names alone would have matched */
    return conflict ? -name : s;
}

static int kinds_differ(const resolve_rec *a, const resolve_rec *b) {
    return (is_person(a) && is_org(b)) || (is_org(a) && is_person(b));   /* a person is no company */
}

int resolve_score(const resolve_rec *a, const resolve_rec *b, double *out, pu_err *err) {
    *out = 0;
    if (kinds_differ(a, b)) return PU_OK;
    screen_match *m = NULL;
    int rc = screen_compare(NULL, cmp_schema(a, b), a->name, b->name, 0, &m, err);
    if (rc) return rc;
    double name = m->score;
    screen_match_free(m);
    *out = qualify(a, b, name);
    return PU_OK;
}

/* ---- blocking ----
 * Several independent keys per record, so a pair missed by one key is
 * caught by another: name-token prefix pairs, token anagram pairs, a
 * token prefix with the date
 * of birth, identifiers, phones, FFL numbers and the normalised address. A block no
 * larger than RESOLVE_BLOCK_MAX is compared whole. A larger one is not
 * dropped (that lost the common names at scale: docs/resolve.md "Why
 * recall fell with size"): a strong key (identifier, FFL) is chained, so the
 * clustering's transitive closure joins the block; any other is compared
 * by sorted neighbourhood, each record with the RESOLVE_WINDOW records that
 * follow it in two orders (date of birth then name; name then date). */

typedef struct bkey {
    uint64_t h;
    uint32_t i;
    char kind;
} bkey;

static uint64_t fnv(const char *p, size_t n, uint64_t h) {
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)p[i]) * 1099511628211ULL;
    return h;
}

static int push_key(pu_vec *v, char kind, const char *p, size_t n, const char *extra, uint32_t i) {
    uint64_t h = fnv(&kind, 1, 1469598103934665603ULL);
    h = fnv(p, n, h);
    if (extra) h = fnv(extra, strlen(extra), h);
    bkey k = {h, i, kind};
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

/* The letters of a token in sorted order ("lpoez" -> "elopz"): two letters
 * swapped anywhere in a word (the commonest typing error) leave it as it
 * is, where they change the word's prefix when early in it. */
static void anagram(const char *p, size_t n, char *out) {
    if (n > ANAGRAM_MAX - 1) n = ANAGRAM_MAX - 1;
    unsigned cnt[256] = {0};
    for (size_t i = 0; i < n; i++) cnt[(unsigned char)p[i]]++;
    size_t k = 0;
    for (unsigned c = 0; c < 256; c++)
        for (unsigned j = 0; j < cnt[c]; j++) out[k++] = (char)c;
    out[k] = 0;
}

/* The keys of a given name's group with another token of the name: its
 * prefix and its anagram. A nickname and its formal name share the group,
 * so "Pepe Lonefado" meets "Jose Lonefado Ruiz" and "Rick Lonefdao" meets
 * "Richard A. Lonefado" (docs/resolve.md "Blocking"). */
static int group_keys(pu_vec *v, unsigned g, const char *tok, size_t len, const char *ana, uint32_t i) {
    char k[16 + ANAGRAM_MAX];
    snprintf(k, sizeof k, "%u %.*s", g, (int)len, tok);
    if (push_key(v, 'k', k, strlen(k), NULL, i)) return PU_ERR_NOMEM;
    snprintf(k, sizeof k, "%u %s", g, ana);
    return push_key(v, 'h', k, strlen(k), NULL, i);
}

/* Block keys of one record: each pair of name-token prefixes and each
 * pair of their anagrams (single
 * tokens are too common at scale: "lopez" names thousands), each token
 * prefix with the date of birth, each identifier, phone, the address and
 * the FFL. A name of one token is blocked on that token. */
static int record_keys(pu_vec *v, const resolve_rec *r, uint32_t i) {
    const char *tok[BLOCK_TOKENS];
    size_t len[BLOCK_TOKENS], nt = 0;
    char ana[BLOCK_TOKENS][ANAGRAM_MAX];
    unsigned grp[BLOCK_TOKENS];   /* given-name group (nickname -> formal name), 0: none */
    size_t full[BLOCK_TOKENS];    /* whole token length */
    for (const char *p = r->norm; *p && nt < BLOCK_TOKENS;) {
        while (*p == ' ') p++;
        size_t n = strcspn(p, " ");
        if (!n) break;
        if (n > 1) {   /* initials block nothing */
            anagram(p, n, ana[nt]);
            grp[nt] = is_person(r) ? screen_given_group(p, n) : 0;
            full[nt] = n;
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
            int o = strcmp(ana[a], ana[b]) <= 0;
            if (push_key(v, 'g', ana[o ? a : b], strlen(ana[o ? a : b]), ana[o ? b : a], i)) return PU_ERR_NOMEM;
        }
        for (size_t b = 0; grp[a] && b < nt; b++)
            if (b != a && group_keys(v, grp[a], tok[b], len[b], ana[b], i)) return PU_ERR_NOMEM;
        for (size_t b = 0; b < nt; b++) {   /* a's prefix with b's end: a typo early in b */
            if (b == a || full[b] <= BLOCK_PREFIX) continue;
            char k[BLOCK_PREFIX + SUFFIX_LEN + 2];
            snprintf(k, sizeof k, "%.*s %.*s", (int)len[a], tok[a], SUFFIX_LEN, tok[b] + full[b] - SUFFIX_LEN);
            if (push_key(v, 's', k, strlen(k), NULL, i)) return PU_ERR_NOMEM;
        }
    }
    if (nt == 1 && push_key(v, 't', tok[0], len[0], NULL, i)) return PU_ERR_NOMEM;
    if (push_list(v, 'i', r->ids, i) || push_list(v, 'p', r->phones, i) ||
        (r->addr && push_key(v, 'a', r->addr, strlen(r->addr), NULL, i))) return PU_ERR_NOMEM;
    if (r->ffl[0] && push_key(v, 'f', r->ffl, strlen(r->ffl), NULL, i)) return PU_ERR_NOMEM;
    return PU_OK;
}

static int cmp_bkey(const void *x, const void *y) {
    const bkey *a = x, *b = y;
    if (a->h != b->h) return a->h < b->h ? -1 : 1;
    return a->i < b->i ? -1 : a->i > b->i;
}

/* Bits needed for a record index below n. */
static unsigned index_bits(size_t n) {
    unsigned b = 1;
    while (b < 32 && ((size_t)1 << b) < n) b++;
    return b;
}

/* LSD radix sort of the pairs v[0..n) (b << 32 | a, both below 2^bits):
 * RADIX_BITS-bit digits of a, then of b; tmp holds n. Linear, where qsort
 * of 10^8 pairs took most of the blocking time. */
static void radix_pairs(uint64_t *v, uint64_t *tmp, size_t n, unsigned bits) {
    enum { R = 1 << RADIX_BITS };
    uint64_t *src = v, *dst = tmp;
    for (int half = 0; half < 2; half++)
        for (unsigned d = 0; d < bits; d += RADIX_BITS) {
            unsigned sh = (half ? 32u : 0u) + d;
            size_t cnt[R] = {0};
            for (size_t i = 0; i < n; i++) cnt[(src[i] >> sh) & (R - 1)]++;
            size_t sum = 0;
            for (size_t r = 0; r < R; r++) {
                size_t c = cnt[r];
                cnt[r] = sum;
                sum += c;
            }
            for (size_t i = 0; i < n; i++) dst[cnt[(src[i] >> sh) & (R - 1)]++] = src[i];
            uint64_t *t = src;
            src = dst, dst = t;
        }
    if (src != v && n) memcpy(v, src, n * sizeof *v);
}

/* Sort the candidate pairs and drop repeats (a pair met through several
 * keys). Called whenever the raw list doubles, so it stays within about
 * twice the unique pairs (plus PAIRS_COMPACT_MIN) instead of holding every
 * repeat until the end. */
static int compact_pairs(pu_vec *pairs, unsigned bits) {
    if (!pairs->len) return PU_OK;
    uint64_t *p = pairs->data, *tmp = malloc(pairs->len * sizeof *tmp);
    if (!tmp) return PU_ERR_NOMEM;
    radix_pairs(p, tmp, pairs->len, bits);
    free(tmp);
    size_t m = 0;
    for (size_t i = 0; i < pairs->len; i++)
        if (!m || p[m - 1] != p[i]) p[m++] = p[i];
    pairs->len = m;
    return PU_OK;
}

/* A candidate pair of records x != y, encoded b << 32 | a with a < b: sorted,
 * the pairs of one record b are contiguous (scored against b's prepared
 * name). */
static int push_pair(pu_vec *pairs, uint32_t x, uint32_t y) {
    if (x == y) return PU_OK;
    uint32_t a = x < y ? x : y, b = x < y ? y : x;
    uint64_t p = (uint64_t)b << 32 | a;
    return pu_vec_push(pairs, &p, sizeof p);
}

/* Orders of the sorted neighbourhood inside a large block. */
static int cmp_dob_norm(const void *x, const void *y, void *ctx) {
    const resolve_set *s = ctx;
    uint32_t i = *(const uint32_t *)x, j = *(const uint32_t *)y;
    int c = strcmp(s->r[i].dob, s->r[j].dob);
    if (!c) c = strcmp(s->r[i].norm, s->r[j].norm);
    return c ? c : (i < j ? -1 : i > j);
}
static int cmp_norm_dob(const void *x, const void *y, void *ctx) {
    const resolve_set *s = ctx;
    uint32_t i = *(const uint32_t *)x, j = *(const uint32_t *)y;
    int c = strcmp(s->r[i].norm, s->r[j].norm);
    if (!c) c = strcmp(s->r[i].dob, s->r[j].dob);
    return c ? c : (i < j ? -1 : i > j);
}

static int window_pairs(const uint32_t *ix, size_t n, size_t window, pu_vec *pairs) {
    for (size_t x = 0; x < n; x++)
        for (size_t y = x + 1; y < n && y <= x + window; y++)
            if (push_pair(pairs, ix[x], ix[y])) return PU_ERR_NOMEM;
    return PU_OK;
}

/* The two orders of the sorted neighbourhood as ranks, computed once over
 * all records: a large block is then sorted by comparing two integers, not
 * by strcmp chains (the same order: both comparators are total, ties go
 * by record index). rank[0] date then name, rank[1] name then date. */
typedef struct nb_rank {
    uint32_t *rank[2];
} nb_rank;

static int cmp_rank(const void *x, const void *y, void *ctx) {
    const uint32_t *r = ctx;
    uint32_t a = r[*(const uint32_t *)x], b = r[*(const uint32_t *)y];
    return a < b ? -1 : a > b;
}

static int nb_rank_make(const resolve_set *s, const uint32_t *reps, size_t nreps, nb_rank *nr) {
    int (*const cmp[2])(const void *, const void *, void *) = {cmp_dob_norm, cmp_norm_dob};
    uint32_t *ix = malloc((nreps ? nreps : 1) * sizeof *ix);
    nr->rank[0] = calloc(s->n ? s->n : 1, sizeof(uint32_t));
    nr->rank[1] = calloc(s->n ? s->n : 1, sizeof(uint32_t));
    if (!ix || !nr->rank[0] || !nr->rank[1]) {
        free(ix);
        return PU_ERR_NOMEM;
    }
    for (int o = 0; o < 2; o++) {
        if (nreps) memcpy(ix, reps, nreps * sizeof *ix);
        if (nreps) qsort_r(ix, nreps, sizeof *ix, cmp[o], (void *)s);
        for (size_t i = 0; i < nreps; i++) nr->rank[o][ix[i]] = (uint32_t)i;
    }
    free(ix);
    return PU_OK;
}

/* The pairs of one block k[0..n): whole, chained or by sorted neighbourhood
 * (window 0: a large block gives no pair, the former rule, for comparison). */
static int block_pairs(const nb_rank *nr, const bkey *k, size_t n, size_t window, uint32_t *tmp, pu_vec *pairs) {
    if (n <= RESOLVE_BLOCK_MAX) {
        for (size_t x = 0; x < n; x++)
            for (size_t y = x + 1; y < n; y++)
                if (push_pair(pairs, k[x].i, k[y].i)) return PU_ERR_NOMEM;
        return PU_OK;
    }
    if (!window) return PU_OK;
    if (k[0].kind == 'i' || k[0].kind == 'f') {   /* one identifier: a chain, closed by the clustering */
        for (size_t x = 1; x < n; x++)
            if (push_pair(pairs, k[x - 1].i, k[x].i)) return PU_ERR_NOMEM;
        return PU_OK;
    }
    for (size_t x = 0; x < n; x++) tmp[x] = k[x].i;
    qsort_r(tmp, n, sizeof *tmp, cmp_rank, nr->rank[0]);
    if (window_pairs(tmp, n, window, pairs)) return PU_ERR_NOMEM;
    qsort_r(tmp, n, sizeof *tmp, cmp_rank, nr->rank[1]);
    return window_pairs(tmp, n, window, pairs);
}

/* Candidate pairs (b << 32 | a, a < b), sorted and unique. */
static int candidates(const resolve_set *s, const uint32_t *reps, size_t nreps, size_t window, uint64_t **out,
                      size_t *n, pu_err *err) {
    pu_vec keys = PU_VEC_INIT(bkey, 0), pairs = PU_VEC_INIT(uint64_t, 0);
    uint32_t *tmp = NULL;
    nb_rank nr = {{NULL, NULL}};   /* made at the first large block */
    *out = NULL;
    *n = 0;
    for (size_t i = 0; i < nreps; i++)
        if (record_keys(&keys, &s->r[reps[i]], reps[i])) goto oom;
    bkey *k = keys.data;
    if (keys.len) qsort(k, keys.len, sizeof *k, cmp_bkey);
    if (!(tmp = malloc((keys.len ? keys.len : 1) * sizeof *tmp))) goto oom;
    unsigned bits = index_bits(s->n);
    size_t compact_at = PAIRS_COMPACT_MIN;
    for (size_t lo = 0; lo < keys.len;) {
        size_t hi = lo + 1;
        while (hi < keys.len && k[hi].h == k[lo].h) hi++;
        if (hi - lo > RESOLVE_BLOCK_MAX && window && !nr.rank[0] && nb_rank_make(s, reps, nreps, &nr)) goto oom;
        if (block_pairs(&nr, k + lo, hi - lo, window, tmp, &pairs)) goto oom;
        if (pairs.len >= compact_at) {
            if (compact_pairs(&pairs, bits)) goto oom;
            compact_at = 2 * pairs.len > PAIRS_COMPACT_MIN ? 2 * pairs.len : PAIRS_COMPACT_MIN;
        }
        lo = hi;
    }
    free(tmp);
    tmp = NULL;
    free(nr.rank[0]), free(nr.rank[1]);
    nr.rank[0] = nr.rank[1] = NULL;
    pu_vec_free(&keys);
    if (compact_pairs(&pairs, bits)) goto oom;
    *n = pairs.len;
    *out = pu_vec_detach(&pairs, NULL);
    return PU_OK;
oom:
    free(tmp);
    free(nr.rank[0]), free(nr.rank[1]);
    pu_vec_free(&keys);
    pu_vec_free(&pairs);
    return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
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

/* ---- scoring: candidate pairs in SCORE_THREADS ranges ----
 * The pairs of one record b are contiguous (b << 32 | a): b's name is
 * prepared once (screen_cmp, the comparator's one-name index) and every a,
 * whose name was prepared once as a query (screen_qname, prepare_names), is
 * scored against it: no tokenising and no allocation per pair. Each thread scores a range
 * that starts at a group boundary into its own list; the lists are joined
 * in range order, so the output does not depend on the threads' timing. */

enum { KIND_PERSON = 1, KIND_ORG = 2 };   /* bits of score_job.kind */

typedef struct score_job {
    const resolve_set *s;
    screen_qname *const *qn;   /* each record's name prepared as a query of its own class (NULL: refused) */
    const uint32_t *refid;     /* equal for records of one source and ref (same_ref without strcmp) */
    const uint8_t *kind;       /* KIND_PERSON / KIND_ORG of each record (is_person, is_org without strcmp) */
    const uint64_t *cand;
    const resolve_tokplace *place;   /* where tokens stand: surnames (resolve_name_order_conflict) */
    size_t lo, hi;
    double threshold;
    pu_vec kept;
    int rc;
    pu_err err;
} score_job;

/* The name score of a against b's prepared names (one per comparator
 * schema, made on first use); -1 when the comparator refuses a name. a's
 * name is prepared once (j->qn) for its own class; the rare pair scored
 * in another class (a company-or-person record against a person) and a
 * name the preparation refused go through screen_cmp_score, which gives
 * the same score from the text. */
static double name_score(score_job *j, screen_cmp **cmp, uint32_t ia, uint32_t ib, const resolve_rec *a,
                         const resolve_rec *b) {
    int pa = j->kind[ia] & KIND_PERSON, pb = j->kind[ib] & KIND_PERSON;
    const char *schema = pa || pb ? "Person" : NULL;   /* cmp_schema */
    screen_cmp **c = &cmp[schema != NULL];
    if (!*c && screen_cmp_new(NULL, schema, b->name, c, &j->err)) {
        pu_err_clear(&j->err);
        return -1;
    }
    double sc = 0;
    const screen_qname *q = j->qn ? j->qn[ia] : NULL;
    if (q && (schema != NULL) == (pa != 0)) {
        if (!screen_cmp_score_prepared(*c, q, &sc, &j->err)) return sc;
        pu_err_clear(&j->err);
    }
    if (screen_cmp_score(*c, a->name, &sc, &j->err)) {
        pu_err_clear(&j->err);
        return -1;
    }
    return sc;
}

static void score_group(score_job *j, size_t lo, size_t hi) {
    const resolve_set *s = j->s;
    const resolve_rec *b = &s->r[j->cand[lo] >> 32];
    screen_cmp *cmp[2] = {NULL, NULL};   /* b's name as any name, as a person's */
    for (size_t i = lo; i < hi && !j->rc; i++) {
        uint32_t ia = (uint32_t)j->cand[i], ib = (uint32_t)(j->cand[i] >> 32);
        const resolve_rec *a = &s->r[ia];
        double sc = 1;
        if (j->refid[ia] != j->refid[ib]) {
            uint8_t ka = j->kind[ia], kb = j->kind[ib];
            if (((ka & KIND_PERSON) && (kb & KIND_ORG)) || ((ka & KIND_ORG) && (kb & KIND_PERSON)))
                continue;   /* kinds_differ */
            double name = name_score(j, cmp, ia, ib, a, b);
            if (name < 0) continue;   /* a name the comparator refuses scores 0 */
            sc = qualify(a, b, name);
            /* a name that keeps the maternal surname and drops the paternal one is another
             * person's, whatever the date of birth says; a shared identifier or contact still joins */
            if (sc >= j->threshold && (ka & KIND_PERSON) && (kb & KIND_PERSON) && !share_item(a->ids, b->ids) &&
                !share_item(a->phones, b->phones) && !(a->addr && b->addr && !strcmp(a->addr, b->addr)) &&
                resolve_name_order_conflict(a->norm, b->norm, j->place))
                continue;
        }
        if (sc >= j->threshold || sc <= -j->threshold) {
            resolve_pair p = {ia, ib, (float)sc};
            if (pu_vec_push(&j->kept, &p, sizeof p)) j->rc = PU_ERR_NOMEM;
        }
    }
    screen_cmp_free(cmp[0]);
    screen_cmp_free(cmp[1]);
}

static void *score_range(void *arg) {
    score_job *j = arg;
    for (size_t lo = j->lo; lo < j->hi && !j->rc;) {
        size_t hi = lo + 1;
        while (hi < j->hi && j->cand[hi] >> 32 == j->cand[lo] >> 32) hi++;
        score_group(j, lo, hi);
        lo = hi;
    }
    return NULL;
}

/* ---- each record's name prepared once as a query (screen_qname) ----
 * In SCORE_THREADS ranges; a name the comparator refuses stays NULL (its
 * pairs then go through screen_cmp_score, which refuses it too). */

typedef struct prep_job {
    const resolve_set *s;
    screen_qname **qn;
    size_t lo, hi;
    int rc;
} prep_job;

static void *prep_range(void *arg) {
    prep_job *j = arg;
    for (size_t i = j->lo; i < j->hi && !j->rc; i++) {
        const resolve_rec *r = &j->s->r[i];
        pu_err e = {0};
        int rc = screen_qname_new(is_person(r) ? "Person" : NULL, r->name, &j->qn[i], &e);
        if (rc == PU_ERR_NOMEM) j->rc = rc;
    }
    return NULL;
}

static void free_prepared(screen_qname **qn, size_t n) {
    for (size_t i = 0; qn && i < n; i++) screen_qname_free(qn[i]);
    free(qn);
}

static int prepare_names(const resolve_set *s, screen_qname ***out, pu_err *err) {
    screen_qname **qn = calloc(s->n ? s->n : 1, sizeof *qn);
    *out = NULL;
    if (!qn) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    prep_job job[SCORE_THREADS];
    pthread_t th[SCORE_THREADS];
    int started[SCORE_THREADS] = {0};
    for (int t = 0; t < SCORE_THREADS; t++)
        job[t] = (prep_job){.s = s, .qn = qn, .lo = s->n * (size_t)t / SCORE_THREADS,
                            .hi = s->n * (size_t)(t + 1) / SCORE_THREADS};
    for (int t = 1; t < SCORE_THREADS; t++) started[t] = !pthread_create(&th[t], NULL, prep_range, &job[t]);
    prep_range(&job[0]);
    int rc = job[0].rc;
    for (int t = 1; t < SCORE_THREADS; t++) {
        if (started[t]) pthread_join(th[t], NULL);
        else prep_range(&job[t]);
        if (job[t].rc) rc = job[t].rc;
    }
    if (rc) {
        free_prepared(qn, s->n);
        return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    *out = qn;
    return PU_OK;
}

/* Each record's kind as bits, computed once (kinds_differ and cmp_schema
 * per pair compared schema strings: strcmp was 14 % of the scoring). */

static int record_kinds(const resolve_set *s, uint8_t **out, pu_err *err) {
    uint8_t *k = malloc(s->n ? s->n : 1);
    *out = NULL;
    if (!k) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    for (size_t i = 0; i < s->n; i++)
        k[i] = (uint8_t)((is_person(&s->r[i]) ? KIND_PERSON : 0) | (is_org(&s->r[i]) ? KIND_ORG : 0));
    *out = k;
    return PU_OK;
}

static int cmp_source_ref(const void *x, const void *y, void *ctx) {
    const resolve_set *s = ctx;
    const resolve_rec *a = &s->r[*(const uint32_t *)x], *b = &s->r[*(const uint32_t *)y];
    int c = strcmp(a->source, b->source);
    return c ? c : strcmp(a->ref, b->ref);
}

/* id[i]: one number per (source, ref), so that scoring tells one thing
 * under several markings by comparing two numbers (same_ref's two strcmp
 * per pair were 6 % of the scoring). */
static int ref_ids(const resolve_set *s, uint32_t **out, pu_err *err) {
    uint32_t *ix = malloc((s->n ? s->n : 1) * sizeof *ix), *id = malloc((s->n ? s->n : 1) * sizeof *id);
    *out = NULL;
    if (!ix || !id) {
        free(ix), free(id);
        return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    for (size_t i = 0; i < s->n; i++) ix[i] = (uint32_t)i;
    if (s->n) qsort_r(ix, s->n, sizeof *ix, cmp_source_ref, (void *)s);
    uint32_t g = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (i && cmp_source_ref(&ix[i - 1], &ix[i], (void *)s)) g++;
        id[ix[i]] = g;
    }
    free(ix);
    *out = id;
    return PU_OK;
}

/* Score cand[0..nc) into kept (appended in candidate order). */
static int score_all(const resolve_set *s, const uint64_t *cand, size_t nc, double threshold, pu_vec *kept,
                     pu_err *err) {
    screen_qname **qn = NULL;
    uint32_t *refid = NULL;
    uint8_t *kind = NULL;
    resolve_tokplace place = {0};
    if (!nc) return PU_OK;
    if (ref_ids(s, &refid, err)) return PU_ERR_NOMEM;
    if (record_kinds(s, &kind, err) || prepare_names(s, &qn, err)) {
        free(refid), free(kind);
        return PU_ERR_NOMEM;
    }
    if (resolve_tokplace_build(s, &place)) {
        free_prepared(qn, s->n);
        free(refid), free(kind);
        return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    score_job job[SCORE_THREADS];
    pthread_t th[SCORE_THREADS];
    int started[SCORE_THREADS] = {0};
    size_t lo = 0;
    for (int t = 0; t < SCORE_THREADS; t++) {
        size_t hi = t == SCORE_THREADS - 1 ? nc : nc / SCORE_THREADS * (size_t)(t + 1);
        if (hi < lo) hi = lo;
        while (hi > lo && hi < nc && cand[hi] >> 32 == cand[hi - 1] >> 32) hi++;   /* a group stays whole */
        job[t] = (score_job){.s = s, .qn = qn, .refid = refid, .kind = kind, .cand = cand, .place = &place, .lo = lo, .hi = hi, .threshold = threshold,
                             .kept = PU_VEC_INIT(resolve_pair, 0)};
        lo = hi;
    }
    for (int t = 1; t < SCORE_THREADS; t++)
        started[t] = job[t].lo < job[t].hi && !pthread_create(&th[t], NULL, score_range, &job[t]);
    score_range(&job[0]);
    int rc = job[0].rc;
    for (int t = 1; t < SCORE_THREADS; t++) {
        if (started[t]) pthread_join(th[t], NULL);
        else score_range(&job[t]);   /* no thread: scored here */
        if (job[t].rc) rc = job[t].rc;
    }
    for (int t = 0; t < SCORE_THREADS; t++) {
        if (!rc && job[t].kept.len && pu_vec_reserve(kept, kept->len + job[t].kept.len)) rc = PU_ERR_NOMEM;
        if (!rc && job[t].kept.len) {
            memcpy((resolve_pair *)kept->data + kept->len, job[t].kept.data, job[t].kept.len * sizeof(resolve_pair));
            kept->len += job[t].kept.len;
        }
        pu_vec_free(&job[t].kept);
    }
    free_prepared(qn, s->n);
    resolve_tokplace_free(&place);
    free(refid);
    free(kind);
    return rc ? pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory") : PU_OK;
}

static double since(const struct timespec *t0) {
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

int resolve_match_debug(const resolve_set *s, double threshold, resolve_pair **out, size_t *n,
                        resolve_match_stats *st, resolve_match_dbg *dbg, pu_err *err) {
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (threshold <= 0) threshold = RESOLVE_THRESHOLD;
    *out = NULL;
    *n = 0;
    uint64_t *cand = NULL;
    size_t nc = 0, nreps = 0;
    uint32_t *reps = NULL;
    pu_vec kept = PU_VEC_INIT(resolve_pair, 0);
    int rc = dedupe(s, &reps, &nreps, &kept, err);
    size_t window = !dbg ? RESOLVE_WINDOW : dbg->window < 0 ? 0 : dbg->window ? (size_t)dbg->window : RESOLVE_WINDOW;
    if (!rc) rc = candidates(s, reps, nreps, window, &cand, &nc, err);
    free(reps);
    double t_block = since(&t0);
    if (!rc) rc = score_all(s, cand, nc, threshold, &kept, err);
    double t_score = since(&t0) - t_block;
    if (!rc && dbg) {
        dbg->cand = cand, dbg->ncand = nc;
        cand = NULL;
        if (kept.len && !(dbg->scored = malloc(kept.len * sizeof *dbg->scored)))
            rc = pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
        else if (kept.len)
            memcpy(dbg->scored, kept.data, kept.len * sizeof *dbg->scored), dbg->nscored = kept.len;
    }
    free(cand);
    if (!rc) rc = resolve_drop_ambiguous(s, &kept, err);   /* resolve_undated.c */
    if (rc) {
        pu_vec_free(&kept);
        return rc;
    }
    if (st) {
        st->records = s->n;
        st->candidates = nc;
        st->pairs = kept.len;
        st->seconds = since(&t0);
        st->block_seconds = t_block;
        st->score_seconds = t_score;
    }
    *n = kept.len;
    *out = pu_vec_detach(&kept, NULL);
    return PU_OK;
}

int resolve_match(const resolve_set *s, double threshold, resolve_pair **out, size_t *n, resolve_match_stats *st,
                  pu_err *err) {
    return resolve_match_debug(s, threshold, out, n, st, NULL, err);
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
    static const char *const S[] = {"entity", "trace.purchaser", "trace.possessor", "cargo.party", "tip.mention",
                                    "dealer"};
    for (int i = 0; i < (int)(sizeof S / sizeof S[0]); i++)
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
