/* trace_index.c - in-memory index of firearms: exact (manufacturer, serial)
 * lookups through an open-addressing hash, and partial-serial queries over
 * per-manufacturer ranges of serial-sorted entries. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "trace/trace_int.h"

/* interned strings (manufacturers, models, calibres, types: few distinct) */

static uint64_t hash_str(const char *s, uint64_t h) {
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 0x100000001B3ull;
    return h;
}

static int strtab_grow(trace_strtab *t) {
    uint32_t ns = t->nslot ? t->nslot * 2 : 64;
    uint32_t *sl = calloc(ns, sizeof *sl);
    if (!sl) return PU_ERR_NOMEM;
    for (uint32_t i = 0; i < t->n; i++) {
        uint64_t h = hash_str(t->s[i], 0xCBF29CE484222325ull);
        uint32_t j = (uint32_t)h & (ns - 1);
        while (sl[j]) j = (j + 1) & (ns - 1);
        sl[j] = i + 1;
    }
    free(t->slot);
    t->slot = sl;
    t->nslot = ns;
    return PU_OK;
}

/* index of s, or UINT32_MAX when absent and !add */
uint32_t trace_strtab_get(trace_strtab *t, const char *s, int add) {
    if (!t->nslot && (!add || strtab_grow(t))) return UINT32_MAX;
    uint64_t h = hash_str(s, 0xCBF29CE484222325ull);
    uint32_t j = (uint32_t)h & (t->nslot - 1);
    while (t->slot[j]) {
        if (strcmp(t->s[t->slot[j] - 1], s) == 0) return t->slot[j] - 1;
        j = (j + 1) & (t->nslot - 1);
    }
    if (!add) return UINT32_MAX;
    if (t->n == t->cap) {
        uint32_t nc = t->cap ? t->cap * 2 : 64;
        char **ns = realloc(t->s, nc * sizeof *ns);
        if (!ns) return UINT32_MAX;
        t->s = ns;
        t->cap = nc;
    }
    char *c = pu_strdup(s);
    if (!c) return UINT32_MAX;
    t->s[t->n] = c;
    t->slot[j] = ++t->n;
    if (t->n * 2 > t->nslot && strtab_grow(t)) return UINT32_MAX;
    return t->n - 1;
}

void trace_strtab_free(trace_strtab *t) {
    for (uint32_t i = 0; i < t->n; i++) free(t->s[i]);
    free(t->s);
    free(t->slot);
}

typedef struct entry {
    int64_t id;
    uint32_t off;      /* serial in arena */
    uint32_t model;    /* strtab indexes */
    uint16_t mfr, cal;
    uint8_t len, type;
} entry;

struct trace_index {
    entry *e;
    size_t n, cap;
    char *arena;
    size_t alen, acap;
    trace_strtab mfrs, models, cals, types;
    uint32_t *hash;    /* entry index + 1 */
    size_t nhash;
    uint32_t *sorted;  /* entry indexes sorted by (mfr, serial) */
    size_t *range;     /* per mfr: [range[m], range[m+1]) in sorted */
    uint32_t *gram_off; /* postings: entries with key k are post[gram_off[k] .. gram_off[k+1]) */
    uint32_t *post;
    /* the reader whose scoped read built it (see trace_index_scope_is) */
    int sys;
    char agency[64], country[8];
};

/* Posting keys: trigrams anywhere in the serial (for patterns with '*'),
 * then character pairs at a position counted from the END of the serial
 * (for fixed-length patterns; counting from the end keeps positions stable
 * when leading zeros were dropped). */
#define NGRAM (36 * 36 * 36)
#define NPOS 31
#define NKEY (NGRAM + NPOS * 36 * 36)

static int pair_key(char a, char b, size_t from_end) {
    int x = 0, y = 0;
    x = (a >= '0' && a <= '9') ? a - '0' : (a >= 'A' && a <= 'Z') ? 10 + a - 'A' : -1;
    y = (b >= '0' && b <= '9') ? b - '0' : (b >= 'A' && b <= 'Z') ? 10 + b - 'A' : -1;
    if (x < 0 || y < 0 || from_end >= NPOS) return -1;
    return NGRAM + (int)from_end * 1296 + x * 36 + y;
}

static int sym(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'Z') return 10 + c - 'A';
    return -1;
}

/* trigram id of s[0..2], or -1 when a character is not [0-9A-Z] */
static int gram(const char *s) {
    int a = sym(s[0]), b = a < 0 ? -1 : sym(s[1]), c = b < 0 ? -1 : sym(s[2]);
    return c < 0 ? -1 : (a * 36 + b) * 36 + c;
}

/* Calls fn for each distinct trigram of serial s (serials are short). */
static void grams_of(const char *s, size_t len, void (*fn)(void *, int, uint32_t), void *ctx, uint32_t entry) {
    int seen[TRACE_SERIAL_MAX];
    size_t ns = 0;
    for (size_t i = 0; i + 3 <= len; i++) {
        int g = gram(s + i);
        if (g < 0) continue;
        int dup = 0;
        for (size_t k = 0; k < ns; k++) dup |= seen[k] == g;
        if (dup) continue;
        seen[ns++] = g;
        fn(ctx, g, entry);
    }
    for (size_t i = 0; i + 2 <= len; i++) {
        int k = pair_key(s[i], s[i + 1], len - 2 - i);
        if (k >= 0) fn(ctx, k, entry);
    }
}

static void gram_count(void *ctx, int g, uint32_t e) {
    (void)e;
    ((uint32_t *)ctx)[g + 1]++;
}

static void gram_fill(void *ctx, int g, uint32_t e) {
    trace_index *ix = ctx;
    ix->post[ix->gram_off[g]++] = e;
}

static const char *ser(const trace_index *ix, const entry *e) { return ix->arena + e->off; }

static uint64_t key_hash(uint32_t mfr, const char *s) { return hash_str(s, 0xCBF29CE484222325ull ^ (mfr * 0x9E3779B97F4A7C15ull)); }

typedef struct load_ctx {
    trace_index *ix;
    int rc;
} load_ctx;

static int load_row(db_stmt *st, void *vctx) {
    load_ctx *c = vctx;
    trace_index *ix = c->ix;
    if (ix->n == ix->cap) {
        size_t nc = ix->cap ? ix->cap * 2 : 4096;
        entry *ne = realloc(ix->e, nc * sizeof *ne);
        if (!ne) return c->rc = PU_ERR_NOMEM;
        ix->e = ne;
        ix->cap = nc;
    }
    const char *s = db_col_text(st, 2);
    size_t l = strlen(s);
    if (l >= TRACE_SERIAL_MAX) l = TRACE_SERIAL_MAX - 1;
    if (ix->alen + l + 1 > ix->acap) {
        size_t nc = ix->acap ? ix->acap * 2 : 1 << 16;
        char *na = realloc(ix->arena, nc);
        if (!na) return c->rc = PU_ERR_NOMEM;
        ix->arena = na;
        ix->acap = nc;
    }
    if (ix->alen > UINT32_MAX - 64) return c->rc = PU_ERR_LIMIT;
    entry *e = &ix->e[ix->n];
    e->id = db_col_int64(st, 0);
    uint32_t m = trace_strtab_get(&ix->mfrs, db_col_text(st, 1), 1);
    uint32_t mo = trace_strtab_get(&ix->models, db_col_text(st, 3), 1);
    uint32_t ca = trace_strtab_get(&ix->cals, db_col_text(st, 4), 1);
    uint32_t ty = trace_strtab_get(&ix->types, db_col_text(st, 5), 1);
    if (m == UINT32_MAX || mo == UINT32_MAX || ca == UINT32_MAX || ty == UINT32_MAX) return c->rc = PU_ERR_NOMEM;
    if (m > UINT16_MAX || ca > UINT16_MAX || ty > UINT8_MAX) return c->rc = PU_ERR_LIMIT;
    e->mfr = (uint16_t)m;
    e->model = mo;
    e->cal = (uint16_t)ca;
    e->type = (uint8_t)ty;
    e->off = (uint32_t)ix->alen;
    e->len = (uint8_t)l;
    memcpy(ix->arena + ix->alen, s, l);
    ix->arena[ix->alen + l] = 0;
    ix->alen += l + 1;
    ix->n++;
    return PU_OK;
}

static const trace_index *sort_ix;
static int cmp_entry(const void *a, const void *b) {
    const entry *x = &sort_ix->e[*(const uint32_t *)a], *y = &sort_ix->e[*(const uint32_t *)b];
    if (x->mfr != y->mfr) return x->mfr < y->mfr ? -1 : 1;
    return strcmp(ser(sort_ix, x), ser(sort_ix, y));
}

static int build_tables(trace_index *ix) {
    for (ix->nhash = 1024; ix->nhash < ix->n * 2; ix->nhash *= 2) {}
    ix->hash = calloc(ix->nhash, sizeof *ix->hash);
    ix->sorted = malloc((ix->n ? ix->n : 1) * sizeof *ix->sorted);
    ix->range = calloc(ix->mfrs.n + 1, sizeof *ix->range);
    if (!ix->hash || !ix->sorted || !ix->range) return PU_ERR_NOMEM;
    for (size_t i = 0; i < ix->n; i++) {
        uint32_t j = (uint32_t)(key_hash(ix->e[i].mfr, ser(ix, &ix->e[i])) & (ix->nhash - 1));
        while (ix->hash[j]) j = (uint32_t)((j + 1) & (ix->nhash - 1));
        ix->hash[j] = (uint32_t)i + 1;
        ix->sorted[i] = (uint32_t)i;
    }
    /* qsort is not re-entrant with context in C17: the index is built by one
     * thread at a time (documented in trace.h: one engine per thread). */
    sort_ix = ix;
    qsort(ix->sorted, ix->n, sizeof *ix->sorted, cmp_entry);
    sort_ix = NULL;
    size_t k = 0;
    for (uint32_t m = 0; m < ix->mfrs.n; m++) {
        ix->range[m] = k;
        while (k < ix->n && ix->e[ix->sorted[k]].mfr == m) k++;
    }
    ix->range[ix->mfrs.n] = ix->n;
    /* trigram postings by counting sort: two passes, no per-gram allocation */
    ix->gram_off = calloc(NKEY + 1, sizeof *ix->gram_off);
    if (!ix->gram_off) return PU_ERR_NOMEM;
    for (size_t i = 0; i < ix->n; i++) grams_of(ser(ix, &ix->e[i]), ix->e[i].len, gram_count, ix->gram_off, (uint32_t)i);
    for (size_t g = 0; g < NKEY; g++) ix->gram_off[g + 1] += ix->gram_off[g];
    if (ix->gram_off[NKEY] == UINT32_MAX) return PU_ERR_NOMEM;
    ix->post = malloc(((size_t)ix->gram_off[NKEY] + 1) * sizeof *ix->post);
    if (!ix->post) return PU_ERR_NOMEM;
    for (size_t i = 0; i < ix->n; i++) grams_of(ser(ix, &ix->e[i]), ix->e[i].len, gram_fill, ix, (uint32_t)i);
    /* the fill advanced each offset to the next key's start: shift back */
    memmove(ix->gram_off + 1, ix->gram_off, NKEY * sizeof *ix->gram_off);
    ix->gram_off[0] = 0;
    return PU_OK;
}

int trace_index_build(trace_t *t, const store_scope *scope, trace_index **out, pu_err *err) {
    *out = NULL;
    trace_index *ix = calloc(1, sizeof *ix);
    if (!ix) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    load_ctx c = {ix, PU_OK};
    /* built from a scoped read: the index holds only firearms the reader
     * may see, so nothing answered from it needs filtering again */
    db_sql q;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT f.id, f.mfr, f.serial_norm, COALESCE(f.model, ''), COALESCE(f.calibre, ''),"
                   " COALESCE(f.type, '') FROM trace_firearm f WHERE ");
    store_scope_sql(&q, scope, "f");
    int rc = trace_query_sql_large(t->db, &q, load_row, &c, err);
    db_sql_free(&q);
    if (!rc) {
        ix->sys = scope->system;
        pu_strlcpy(ix->agency, scope->agency ? scope->agency : "", sizeof ix->agency);
        pu_strlcpy(ix->country, scope->country ? scope->country : "", sizeof ix->country);
    }
    if (c.rc) rc = pu_fail(err, c.rc, NULL, NULL, "cannot build the firearm index (%s)", pu_strerror(c.rc));
    if (!rc && ix->n > UINT32_MAX - 1) rc = pu_fail(err, PU_ERR_LIMIT, NULL, NULL, "more than 4 billion firearms");
    if (!rc && build_tables(ix)) rc = pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory building the index");
    if (rc) {
        trace_index_free(ix);
        return rc;
    }
    *out = ix;
    return PU_OK;
}

void trace_index_free(trace_index *ix) {
    if (!ix) return;
    free(ix->e);
    free(ix->arena);
    free(ix->hash);
    free(ix->sorted);
    free(ix->range);
    free(ix->gram_off);
    free(ix->post);
    trace_strtab_free(&ix->mfrs);
    trace_strtab_free(&ix->models);
    trace_strtab_free(&ix->cals);
    trace_strtab_free(&ix->types);
    free(ix);
}

size_t trace_index_size(const trace_index *ix) { return ix ? ix->n : 0; }

int trace_index_scope_is(const trace_index *ix, const store_scope *scope) {
    if (!ix || !scope) return 0;
    if (ix->sys || scope->system) return ix->sys == scope->system;
    return !strcmp(ix->agency, scope->agency ? scope->agency : "") &&
           !strcmp(ix->country, scope->country ? scope->country : "");
}

int64_t trace_index_lookup(const trace_index *ix, const char *mfr, const char *serial_norm) {
    uint32_t m = trace_strtab_get((trace_strtab *)&ix->mfrs, mfr, 0);
    if (m == UINT32_MAX || !ix->nhash) return 0;
    uint32_t j = (uint32_t)(key_hash(m, serial_norm) & (ix->nhash - 1));
    while (ix->hash[j]) {
        const entry *e = &ix->e[ix->hash[j] - 1];
        if (e->mfr == m && strcmp(ser(ix, e), serial_norm) == 0) return e->id;
        j = (uint32_t)((j + 1) & (ix->nhash - 1));
    }
    return 0;
}

static double score_of(const trace_index *ix, const entry *e, const trace_pattern *q, const trace_hint *h) {
    return trace_candidate_score(q->literals, e->len, ix->models.s[e->model], ix->cals.s[e->cal], ix->types.s[e->type], h);
}

typedef struct topk {
    trace_candidate *c;
    size_t max, n, total;
} topk;

static void topk_add(topk *k, const trace_index *ix, const entry *e, double score) {
    k->total++;
    if (!k->max) return;
    size_t pos = k->n;
    if (k->n == k->max) {
        /* replace the worst if better (ties: keep the earlier, i.e. lower serial) */
        if (score < k->c[k->n - 1].score ||
            (score == k->c[k->n - 1].score && strcmp(ser(ix, e), k->c[k->n - 1].serial) >= 0))
            return;
        pos = k->n - 1;
    } else {
        k->n++;
    }
    const char *sv = ser(ix, e);
    while (pos > 0 && (k->c[pos - 1].score < score ||
                       (k->c[pos - 1].score == score && strcmp(k->c[pos - 1].serial, sv) > 0))) {
        k->c[pos] = k->c[pos - 1];
        pos--;
    }
    trace_candidate *c = &k->c[pos];
    c->firearm_id = e->id;
    c->score = score;
    pu_strlcpy(c->serial, ser(ix, e), sizeof c->serial);
    pu_strlcpy(c->mfr, ix->mfrs.s[e->mfr], sizeof c->mfr);
}

static void scan_range(const trace_index *ix, size_t lo, size_t hi, const trace_pattern *q, const trace_hint *h, topk *k) {
    if (q->plen) { /* narrow to the literal prefix by binary search */
        size_t a = lo, b = hi;
        while (a < b) {
            size_t mid = a + (b - a) / 2;
            if (strncmp(ser(ix, &ix->e[ix->sorted[mid]]), q->prefix, q->plen) < 0) a = mid + 1;
            else b = mid;
        }
        lo = a;
    }
    for (size_t i = lo; i < hi; i++) {
        const entry *e = &ix->e[ix->sorted[i]];
        const char *s = ser(ix, e);
        if (q->plen && strncmp(s, q->prefix, q->plen) != 0) break;
        if (!trace_pattern_len_ok(q, e->len)) continue;
        if (trace_pattern_match(q, s)) topk_add(k, ix, e, score_of(ix, e, q, h));
    }
}

/* The posting key of the pattern (literal trigram, or literal pair at a
 * position from the end) with the shortest list, or -1. Both come from
 * the compiled elements: runs of literals give trigrams; in fixed-length
 * patterns adjacent literals give pairs at their position from the end
 * (right even when leading '?' stood for dropped zeros). */
static int rarest_gram(const trace_index *ix, const trace_pattern *q) {
    int best = -1;
    size_t best_n = SIZE_MAX;
    char run[TRACE_PAT_MAX + 1];
    size_t rl = 0;
    for (size_t i = 0;; i++) {
        if (i < q->n && q->e[i].kind == TRACE_PAT_LIT) {
            run[rl++] = q->e[i].c;
            continue;
        }
        for (size_t j = 0; j + 3 <= rl; j++) {
            int g = gram(run + j);
            if (g < 0) continue;
            size_t n = ix->gram_off[g + 1] - ix->gram_off[g];
            if (n < best_n) {
                best_n = n;
                best = g;
            }
        }
        rl = 0;
        if (i >= q->n) break;
    }
    if (!q->star) {
        for (size_t j = 0; j + 1 < q->n; j++) {
            if (q->e[j].kind != TRACE_PAT_LIT || q->e[j + 1].kind != TRACE_PAT_LIT) continue;
            int k = pair_key(q->e[j].c, q->e[j + 1].c, q->n - 2 - j);
            if (k < 0) continue;
            size_t n = ix->gram_off[k + 1] - ix->gram_off[k];
            if (n < best_n) {
                best_n = n;
                best = k;
            }
        }
    }
    return best;
}

int trace_index_partial(const trace_index *ix, const char *mfr, const char *pattern, const trace_hint *hint,
                        trace_candidate *out, size_t max, size_t *n, size_t *total, pu_err *err) {
    trace_pattern q;
    *n = 0;
    if (total) *total = 0;
    if (!pattern || !*pattern || trace_pattern_compile(pattern, &q))
        return pu_fail(err, PU_ERR_INVALID, NULL, "serial", "expected a normalised serial pattern, got '%s'",
                       pattern ? pattern : "");
    topk k = {out, max, 0, 0};
    uint32_t m = UINT32_MAX;
    if (mfr && *mfr) {
        m = trace_strtab_get((trace_strtab *)&ix->mfrs, mfr, 0);
        if (m == UINT32_MAX) return PU_OK; /* no firearm of that maker */
    }
    int g = rarest_gram(ix, &q);
    size_t glen = g < 0 ? SIZE_MAX : ix->gram_off[g + 1] - ix->gram_off[g];
    size_t rlen = m != UINT32_MAX ? ix->range[m + 1] - ix->range[m] : ix->n;
    if (g >= 0 && (glen < rlen || !q.plen)) {
        for (uint32_t p = ix->gram_off[g]; p < ix->gram_off[g + 1]; p++) {
            const entry *e = &ix->e[ix->post[p]];
            if (m != UINT32_MAX && e->mfr != m) continue;
            if (!trace_pattern_len_ok(&q, e->len)) continue;
            if (trace_pattern_match(&q, ser(ix, e))) topk_add(&k, ix, e, score_of(ix, e, &q, hint));
        }
    } else if (m != UINT32_MAX) {
        scan_range(ix, ix->range[m], ix->range[m + 1], &q, hint, &k);
    } else {
        for (uint32_t mm = 0; mm < ix->mfrs.n; mm++) scan_range(ix, ix->range[mm], ix->range[mm + 1], &q, hint, &k);
    }
    *n = k.n;
    if (total) *total = k.total;
    return PU_OK;
}
