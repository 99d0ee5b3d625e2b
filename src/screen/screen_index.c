/*
 * screen_index.c - the in-memory screening index: builder, vocabulary with
 * IDF weights, postings (token -> names) and the blocking maps used for
 * candidate generation (exact token, 1-deletion neighbourhood, phonetic key,
 * nickname group, identifier). Immutable once built.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "screen/screen_crypto.h"
#include "screen/screen_int.h"

static const char *const default_schemata[] = {"Person", "Organization", "Company", "LegalEntity",
                                               "Vessel", "Airplane", "PublicBody", NULL};
static const char *const name_props[] = {"name", "alias", "previousName", "weakAlias", NULL};
static const int name_kinds[] = {0, 1, 3, 2};
static const char *const id_props[] = {"idNumber", "passportNumber", "taxNumber", "registrationNumber",
                                       "innCode", "ogrnCode", "vatCode", "leiCode", "swiftBic",
                                       "imoNumber", "mmsi", "serialNumber", "icaoCode", "numbers", NULL};
static const char *const addr_props[] = {"address", NULL};
static const char *const country_props[] = {"nationality", "citizenship", "country", "jurisdiction",
                                            "flag", NULL};

/* ---- small helpers ---------------------------------------------------------- */

static const ftm_prop *eprop(const ftm_entity *e, const char *name) {
    /* the first byte inline: add_entity looks up ~30 names in every entity
     * at every rebuild, and the strcmp calls were 9 % of one */
    for (size_t i = 0; i < e->nprops; i++)
        if (e->props[i].name[0] == name[0] && strcmp(e->props[i].name, name) == 0) return &e->props[i];
    return NULL;
}

static int grow(void **p, size_t *cap, size_t need, size_t elem) {
    if (need <= *cap) return PU_OK;
    size_t nc = *cap ? *cap * 2 : 16;
    while (nc < need) nc *= 2;
    void *q = realloc(*p, nc * elem);
    if (!q) return PU_ERR_NOMEM;
    *p = q;
    *cap = nc;
    return PU_OK;
}

static int strv_add(char ***v, size_t *n, const char *s) {
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*v)[i], s) == 0) return PU_OK;
    char **q = realloc(*v, (*n + 1) * sizeof(char *));
    if (!q) return PU_ERR_NOMEM;
    *v = q;
    if (!(q[*n] = pu_strdup(s))) return PU_ERR_NOMEM;
    (*n)++;
    return PU_OK;
}

static void strv_free(char **v, size_t n) {
    for (size_t i = 0; i < n; i++) free(v[i]);
    free(v);
}

static int pair_cmp(const void *a, const void *b) {
    const ix_pair *x = a, *y = b;
    if (x->h != y->h) return x->h < y->h ? -1 : 1;
    return x->v < y->v ? -1 : x->v > y->v;
}

/* Below this many pairs a map is sorted with qsort; above, by radix (the
 * maps are rebuilt after every write: the deletion map of a 9,000-entity
 * list has ~10^5 pairs, where qsort's comparisons were a large part of a
 * rebuild). */
#define IX_RADIX_MIN 4096u
#define IX_RADIX_BITS 11 /* 2,048 buckets: the counts stay in L1 */
#define IX_RADIX_BUCKETS (1u << IX_RADIX_BITS)

/* One stable counting pass of LSD radix sort: src -> dst by the digit of
 * key(p) at `shift`, where key is v (h = 0) or h (h = 1). */
static void radix_pass(const ix_pair *src, ix_pair *dst, size_t n, int h, unsigned shift, uint32_t *count) {
    const uint64_t mask = IX_RADIX_BUCKETS - 1;
    memset(count, 0, IX_RADIX_BUCKETS * sizeof *count);
#define DIGIT(p) ((size_t)((h ? (p).h : (uint64_t)(p).v) >> shift & mask))
    for (size_t i = 0; i < n; i++) count[DIGIT(src[i])]++;
    uint32_t sum = 0;
    for (size_t d = 0; d < IX_RADIX_BUCKETS; d++) {
        uint32_t c = count[d];
        count[d] = sum;
        sum += c;
    }
    for (size_t i = 0; i < n; i++) dst[count[DIGIT(src[i])]++] = src[i];
#undef DIGIT
}

/* Sort pairs by (h, v), the order of pair_cmp: the same array qsort gives
 * (equal pairs are indistinguishable). Errors: PU_ERR_NOMEM. */
static int pairs_sort(ix_pair *a, size_t n) {
    if (n < IX_RADIX_MIN || n > UINT32_MAX) {
        if (n > 1) qsort(a, n, sizeof(ix_pair), pair_cmp);
        return PU_OK;
    }
    ix_pair *tmp = malloc(n * sizeof *tmp);
    uint32_t *count = malloc(IX_RADIX_BUCKETS * sizeof *count);
    if (!tmp || !count) {
        free(tmp);
        free(count);
        return PU_ERR_NOMEM;
    }
    /* v first (skipped when already in order, as most maps are built), then
     * h; src and dst swap after each pass */
    ix_pair *src = a, *dst = tmp;
    int v_sorted = 1;
    for (size_t i = 1; i < n && v_sorted; i++) v_sorted = a[i - 1].v <= a[i].v;
    for (int key = v_sorted; key < 2; key++)
        for (unsigned shift = 0; shift < (key ? 64u : 32u); shift += IX_RADIX_BITS) {
            radix_pass(src, dst, n, key, shift, count);
            ix_pair *t = src;
            src = dst;
            dst = t;
        }
    if (src != a) memcpy(a, src, n * sizeof *a);
    free(tmp);
    free(count);
    return PU_OK;
}

int ix_map_finish(ix_map *m) {
    if (pairs_sort(m->a, m->n)) return PU_ERR_NOMEM;
    size_t cap = 16;
    while (cap < m->n * 2) cap *= 2;
    m->slot = calloc(cap, sizeof *m->slot);
    if (!m->slot) return PU_ERR_NOMEM;
    m->mask = cap - 1;
    for (size_t i = 0; i < m->n; i++) {
        if (i > 0 && m->a[i].h == m->a[i - 1].h) continue;
        size_t k = ix_slot_of(m, m->a[i].h);
        while (m->slot[k]) k = (k + 1) & m->mask;
        m->slot[k] = (uint32_t)(i + 1);
    }
    return PU_OK;
}

void ix_map_free(ix_map *m) {
    free(m->a);
    free(m->slot);
    memset(m, 0, sizeof *m);
}

size_t ix_find(const ix_pair *a, size_t n, uint64_t h) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (a[mid].h < h) lo = mid + 1;
        else hi = mid;
    }
    return lo < n && a[lo].h == h ? lo : n;
}

/* ---- builder ------------------------------------------------------------------ */

typedef struct pend { char *id; char *val; int what; } pend; /* 0 program, 1 identifier */

/* Open-addressing table token -> vid used while building. */
typedef struct vtab { uint32_t *slot; size_t cap; } vtab;

struct screen_builder {
    screen_build_opts o;
    screen_index *ix;
    size_t ents_cap, names_cap, toks_cap, vocab_cap;
    vtab vt;
    pend *pend; size_t npend, pend_cap;
    screen_ncache *nc;           /* normalised names from earlier builds, or NULL */
    const screen_index *prev;    /* an earlier index whose vocabulary keys are reused, or NULL */
};

int screen_builder_new(const screen_build_opts *o, screen_builder **out) {
    *out = NULL;
    screen_builder *b = calloc(1, sizeof *b);
    if (!b) return PU_ERR_NOMEM;
    b->ix = calloc(1, sizeof *b->ix);
    if (!b->ix) {
        free(b);
        return PU_ERR_NOMEM;
    }
    if (o) b->o = *o;
    pthread_mutex_init(&b->ix->pool_mu, NULL);
    *out = b;
    return PU_OK;
}

static int vocab_id(screen_builder *b, const char *s, size_t len, uint32_t *vid) {
    screen_index *ix = b->ix;
    if ((ix->nvocab + 1) * 2 > b->vt.cap) { /* rehash */
        size_t nc = b->vt.cap ? b->vt.cap * 2 : 1024;
        uint32_t *ns = malloc(nc * sizeof *ns);
        if (!ns) return PU_ERR_NOMEM;
        memset(ns, 0xff, nc * sizeof *ns);
        for (size_t v = 0; v < ix->nvocab; v++) {
            size_t i = sn_hash(ix->vstr[v], ix->vlen[v]) & (nc - 1);
            while (ns[i] != UINT32_MAX) i = (i + 1) & (nc - 1);
            ns[i] = (uint32_t)v;
        }
        free(b->vt.slot);
        b->vt.slot = ns;
        b->vt.cap = nc;
    }
    size_t i = sn_hash(s, len) & (b->vt.cap - 1);
    while (b->vt.slot[i] != UINT32_MAX) {
        uint32_t v = b->vt.slot[i];
        if (ix->vlen[v] == len && memcmp(ix->vstr[v], s, len) == 0) {
            *vid = v;
            return PU_OK;
        }
        i = (i + 1) & (b->vt.cap - 1);
    }
    if (ix->nvocab + 1 > b->vocab_cap) {
        size_t nc = b->vocab_cap ? b->vocab_cap * 2 : 1024;
        char **a = realloc(ix->vstr, nc * sizeof *a);
        if (a) ix->vstr = a;
        uint8_t *l = realloc(ix->vlen, nc);
        if (l) ix->vlen = l;
        if (!a || !l) return PU_ERR_NOMEM;
        b->vocab_cap = nc;
    }
    char *c = pu_strndup(s, len);
    if (!c) return PU_ERR_NOMEM;
    ix->vstr[ix->nvocab] = c;
    ix->vlen[ix->nvocab] = (uint8_t)len;
    b->vt.slot[i] = (uint32_t)ix->nvocab;
    *vid = (uint32_t)ix->nvocab++;
    return PU_OK;
}

/* Append the indexed names of one prepared listed name (sn_prepare). */
static int emit_name(screen_builder *b, uint32_t ent, const sn_prepared *pp, int kind) {
    screen_index *ix = b->ix;
    if (pp->npieces < 0) { /* did not fold: counted, not fatal */
        ix->skipped++;
        return PU_OK;
    }
    const unsigned char *tp = (const unsigned char *)pp->text;
    int rc = PU_OK;
    for (int p = 0; p < pp->npieces && rc == PU_OK; p++) {
        int ntok = pp->ntok[p];
        if (ntok == 0) continue;
        if ((rc = grow((void **)&ix->names, &b->names_cap, ix->nnames + 1, sizeof(ix_name)))) break;
        if ((rc = grow((void **)&ix->toks, &b->toks_cap, ix->ntoks + (size_t)ntok, sizeof(uint32_t)))) break;
        uint8_t *tk = realloc(ix->tkind, b->toks_cap);
        if (!tk) {
            rc = PU_ERR_NOMEM;
            break;
        }
        ix->tkind = tk;
        ix_name *nm = &ix->names[ix->nnames];
        memset(nm, 0, sizeof *nm);
        nm->entity = ent;
        nm->kind = (uint8_t)(p > 0 ? 2 : kind); /* a quoted nickname is a weak alias */
        nm->tok_off = (uint32_t)ix->ntoks;
        nm->ntok = (uint8_t)ntok;
        nm->person_form = pp->pform[p];
        if (!(nm->raw = pu_strdup(pp->raw))) {
            rc = PU_ERR_NOMEM;
            break;
        }
        for (int t = 0; t < ntok && rc == PU_OK; t++) {
            uint8_t k = tp[0], len = tp[1];
            uint32_t v = 0;
            rc = vocab_id(b, (const char *)tp + 2, len, &v);
            ix->toks[ix->ntoks] = v;
            ix->tkind[ix->ntoks++] = k;
            tp += 2 + (size_t)len + 1;
        }
        ix->nnames++;
    }
    return rc;
}

/* Normalise one listed name into one or more indexed names (nicknames in
 * quotes become names of their own). Invalid names are counted, not fatal.
 * With a name cache (a screening service's rebuilds) a name seen by an
 * earlier build is not normalised again. */
static int add_name(screen_builder *b, uint32_t ent, const char *raw, int kind, enum sn_class cls) {
    if (b->nc) {
        const sn_prepared *pp = NULL;
        int rc = screen_ncache_get(b->nc, raw, cls, &pp);
        return rc ? rc : emit_name(b, ent, pp, kind);
    }
    sn_prepared *pp = NULL;
    int rc = sn_prepare(raw, cls, &pp);
    if (!rc) rc = emit_name(b, ent, pp, kind);
    sn_prepared_free(pp);
    return rc;
}

static int is_screenable(const screen_builder *b, const char *schema) {
    const char *const *l = b->o.schemata ? b->o.schemata : default_schemata;
    for (size_t i = 0; l[i]; i++)
        if (strcmp(l[i], schema) == 0) return 1;
    return 0;
}

static int add_pending(screen_builder *b, const ftm_entity *e, const char *link, const char *valprop, int what) {
    const ftm_prop *l = eprop(e, link), *v = eprop(e, valprop);
    if (!l || !v) return PU_OK;
    for (size_t i = 0; i < l->n; i++)
        for (size_t j = 0; j < v->n; j++) {
            if (grow((void **)&b->pend, &b->pend_cap, b->npend + 1, sizeof(pend))) return PU_ERR_NOMEM;
            pend *p = &b->pend[b->npend];
            p->id = pu_strdup(l->values[i]);
            p->val = pu_strdup(v->values[j]);
            p->what = what;
            if (!p->id || !p->val) {
                free(p->id);
                free(p->val);
                return PU_ERR_NOMEM;
            }
            b->npend++;
        }
    return PU_OK;
}

static int add_values(char ***v, size_t *n, const ftm_entity *e, const char *const *props, int mode) {
    for (size_t k = 0; props[k]; k++) {
        const ftm_prop *p = eprop(e, props[k]);
        for (size_t i = 0; p && i < p->n; i++) {
            char buf[128];
            const char *val = p->values[i];
            if (mode == 1) { /* identifier */
                if (screen_normalize_id(val, buf, sizeof buf) != PU_OK) continue;
                val = buf;
            } else if (mode == 2) { /* country: lower-case */
                size_t l = pu_strlcpy(buf, val, sizeof buf);
                if (l >= sizeof buf) continue;
                for (char *c = buf; *c; c++) *c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
                val = buf;
            }
            if (strv_add(v, n, val)) return PU_ERR_NOMEM;
        }
    }
    return PU_OK;
}

/* A listed crypto address (screen_crypto.h) is one more identifier. */
typedef struct crypto_ids { char ***v; size_t *n; } crypto_ids;
static int add_crypto_id(const char *addr, size_t len, void *ctx) {
    crypto_ids *c = ctx;
    char raw[SCREEN_CRYPTO_ADDR_MAX + 1], buf[SCREEN_CRYPTO_ADDR_MAX + 1];
    if (len > SCREEN_CRYPTO_ADDR_MAX) return 0;
    memcpy(raw, addr, len);
    raw[len] = 0;
    if (screen_normalize_id(raw, buf, sizeof buf) != PU_OK) return 0;
    return strv_add(c->v, c->n, buf) ? PU_ERR_NOMEM : 0;
}

static int add_entity(screen_builder *b, const ftm_entity *e) {
    screen_index *ix = b->ix;
    if (grow((void **)&ix->ents, &b->ents_cap, ix->nents + 1, sizeof(ix_entity))) return PU_ERR_NOMEM;
    uint32_t ei = (uint32_t)ix->nents;
    ix_entity *x = &ix->ents[ei];
    memset(x, 0, sizeof *x);
    ix->nents++; /* counted now so that a failure below frees it */
    x->id = pu_strdup(e->id);
    x->schema = pu_strdup(e->schema);
    x->owner = pu_strdup(e->owner);
    x->marking = pu_strdup(e->marking ? e->marking : "PUBLIC");
    if (!x->id || !x->schema || !x->marking || (e->owner && !x->owner)) return PU_ERR_NOMEM;
    x->cls = (uint8_t)sn_class_of(e->schema);
    for (size_t i = 0; i < e->ndatasets; i++)
        if (strv_add(&x->datasets, &x->ndatasets, e->datasets[i])) return PU_ERR_NOMEM;
    static const char *const prog[] = {"program", NULL}, *const bd[] = {"birthDate", NULL},
                             *const top[] = {"topics", NULL};
    if (add_values(&x->topics, &x->ntopics, e, top, 0) || add_values(&x->programs, &x->nprograms, e, prog, 0) ||
        add_values(&x->dates, &x->ndates, e, bd, 0) ||
        add_values(&x->countries, &x->ncountries, e, country_props, 2) ||
        add_values(&x->addrs, &x->naddrs, e, addr_props, 0) ||
        add_values(&x->ids, &x->nids, e, id_props, 1) ||
        screen_crypto_each(e, add_crypto_id, &(crypto_ids){&x->ids, &x->nids}))
        return PU_ERR_NOMEM;
    const ftm_prop *g = eprop(e, "gender");
    if (g && g->n && !(x->gender = pu_strdup(g->values[0]))) return PU_ERR_NOMEM;
    x->first_name = (uint32_t)ix->nnames;
    for (size_t k = 0; name_props[k]; k++) {
        if (b->o.skip_weak_aliases && name_kinds[k] == 2) continue;
        const ftm_prop *p = eprop(e, name_props[k]);
        for (size_t i = 0; p && i < p->n; i++) {
            if (!x->caption && !(x->caption = pu_strdup(p->values[i]))) return PU_ERR_NOMEM;
            if (add_name(b, ei, p->values[i], name_kinds[k], (enum sn_class)x->cls)) return PU_ERR_NOMEM;
        }
    }
    if (ix->nnames == x->first_name) { /* no name: try firstName + lastName */
        const char *fn = NULL, *ln = NULL;
        const ftm_prop *p;
        if ((p = eprop(e, "firstName")) && p->n) fn = p->values[0];
        if ((p = eprop(e, "lastName")) && p->n) ln = p->values[0];
        if (fn || ln) {
            char buf[SCREEN_NAME_MAX + 1];
            snprintf(buf, sizeof buf, "%s %s", fn ? fn : "", ln ? ln : "");
            if (!x->caption && !(x->caption = pu_strdup(buf))) return PU_ERR_NOMEM;
            if (add_name(b, ei, buf, 0, (enum sn_class)x->cls)) return PU_ERR_NOMEM;
        }
    }
    if (!x->caption && !(x->caption = pu_strdup(e->id))) return PU_ERR_NOMEM;
    x->nnames = (uint32_t)(ix->nnames - x->first_name);
    return PU_OK;
}

int screen_builder_add(screen_builder *b, const ftm_entity *e, pu_err *err) {
    if (!b || !e || !e->id || !e->schema)
        return pu_fail(err, PU_ERR_INVALID, NULL, "entity", "expected an entity with id and schema");
    if (b->o.dataset) {
        int in = 0;
        for (size_t i = 0; i < e->ndatasets; i++)
            if (strcmp(e->datasets[i], b->o.dataset) == 0) in = 1;
        if (!in) return PU_OK;
    }
    int rc = PU_OK;
    if (strcmp(e->schema, "Sanction") == 0) rc = add_pending(b, e, "entity", "program", 0);
    else if (strcmp(e->schema, "Identification") == 0 || strcmp(e->schema, "Passport") == 0)
        rc = add_pending(b, e, "holder", "number", 1);
    else if (strcmp(e->schema, "CryptoWallet") == 0) /* FtM: the wallet names its holder */
        rc = add_pending(b, e, "holder", "publicKey", 1);
    else if (is_screenable(b, e->schema)) rc = add_entity(b, e);
    if (rc) return pu_fail(err, rc, e->id, NULL, "cannot index entity");
    return PU_OK;
}

/* ---- finish ---------------------------------------------------------------------- */

float ix_token_weight(const screen_index *ix, int kind, uint32_t vid, size_t df) {
    switch (kind) {
    case SN_PARTICLE: return 0.1f;
    case SN_INITIAL: return 0.3f;
    case SN_LEGAL: return 0.0f;
    default: break;
    }
    if (vid != UINT32_MAX) return ix->vw[vid];
    (void)df;
    return 1.0f;
}

static int link_pending(screen_builder *b) {
    screen_index *ix = b->ix;
    if (!b->npend) return PU_OK;
    ix_pair *byid = malloc((ix->nents + 1) * sizeof *byid);
    if (!byid) return PU_ERR_NOMEM;
    for (size_t i = 0; i < ix->nents; i++) {
        byid[i].h = sn_hash(ix->ents[i].id, strlen(ix->ents[i].id));
        byid[i].v = (uint32_t)i;
    }
    qsort(byid, ix->nents, sizeof *byid, pair_cmp);
    int rc = PU_OK;
    for (size_t k = 0; k < b->npend && rc == PU_OK; k++) {
        pend *p = &b->pend[k];
        uint64_t h = sn_hash(p->id, strlen(p->id));
        for (size_t i = ix_find(byid, ix->nents, h); i < ix->nents && byid[i].h == h; i++) {
            ix_entity *x = &ix->ents[byid[i].v];
            if (strcmp(x->id, p->id) != 0) continue;
            if (p->what == 0) {
                x->sanctioned = 1;
                rc = strv_add(&x->programs, &x->nprograms, p->val);
            }
            else {
                char buf[128];
                if (screen_normalize_id(p->val, buf, sizeof buf) == PU_OK) rc = strv_add(&x->ids, &x->nids, buf);
            }
        }
    }
    free(byid);
    return rc;
}

/* The second token of a compound starting at token t of a listed name (as
 * compound_next in screen_int.h): the next core token, or the one after
 * a two-letter article ("abd al-rahman"); -1. */
static int index_compound_next(const screen_index *ix, const ix_name *nm, uint32_t t) {
    const uint8_t *k = ix->tkind + nm->tok_off;
    const uint32_t *v = ix->toks + nm->tok_off;
    if (k[t] != SN_WORD && k[t] != SN_NUMBER) return -1;
    if (t + 1 < nm->ntok && (k[t + 1] == SN_WORD || k[t + 1] == SN_NUMBER)) return (int)t + 1;
    if (t + 2 < nm->ntok && k[t + 1] == SN_PARTICLE && ix->vlen[v[t + 1]] == 2 && ix->vstr[v[t + 1]][0] != 'd' &&
        (k[t + 2] == SN_WORD || k[t + 2] == SN_NUMBER))
        return (int)t + 2;
    return -1;
}

/* ix->vinfo / ix->varena from the vocabulary arrays (skl and nv are set). */
static int vocab_pack(screen_index *ix) {
    size_t bytes = 0;
    for (size_t v = 0; v < ix->nvocab; v++)
        bytes += ix->vlen[v] + strlen(ix->vphon[v]) + (ix->vtk[v] ? strlen(ix->vtk[v]) : 0) + ix->vinfo[v].skl + 4;
    if (!(ix->varena = malloc(bytes + 1))) return PU_ERR_NOMEM;
    ix->varena_n = bytes + 1;
    char *p = ix->varena;
    for (size_t v = 0; v < ix->nvocab; v++) {
        ix_vinfo *x = &ix->vinfo[v];
        const char *src[4] = {ix->vstr[v], ix->vphon[v], ix->vtk[v], ix->vsk[v]};
        const char **dst[4] = {&x->s, &x->phon, &x->tk, &x->sk};
        for (int k = 0; k < 4; k++) {
            if (!src[k]) continue; /* tk NULL stays NULL */
            size_t l = strlen(src[k]) + 1;
            memcpy(p, src[k], l);
            *dst[k] = p;
            p += l;
        }
        x->len = ix->vlen[v];
        x->group = ix->vgroup[v];
        x->lm = sn_letter_mask(x->s, x->len);
    }
    /* the separate copies are not needed any more */
    for (size_t v = 0; v < ix->nvocab; v++) {
        free(ix->vphon[v]);
        free(ix->vtk[v]);
        free(ix->vsk[v]);
    }
    free(ix->vphon);
    free(ix->vtk);
    free(ix->vsk);
    ix->vphon = ix->vtk = ix->vsk = NULL;
    return PU_OK;
}

/* The vocabulary entry of token s in an earlier index, or NULL. */
static const ix_vinfo *prev_vocab(const screen_index *prev, const char *s, size_t l) {
    if (!prev || !prev->vinfo) return NULL;
    uint64_t h = sn_hash(s, l);
    for (size_t i = ix_get(&prev->vmap, h); i < prev->vmap.n && prev->vmap.a[i].h == h; i++) {
        const ix_vinfo *x = &prev->vinfo[prev->vmap.a[i].v];
        if (x->len == l && memcmp(x->s, s, l) == 0) return x;
    }
    return NULL;
}

/* The keys of vocabulary token v that depend on its text only: phonetic
 * key, transliteration key, consonant skeleton, no-vowel flag, CJK
 * information and nickname group — copied from `was` (the same token in an
 * earlier index) when there is one, else computed. */
static int vocab_keys(screen_index *ix, size_t v, const ix_vinfo *was) {
    const char *s = ix->vstr[v];
    size_t l = ix->vlen[v];
    if (was) {
        ix->vphon[v] = pu_strdup(was->phon);
        ix->vtk[v] = was->tk ? pu_strdup(was->tk) : NULL;
        ix->vsk[v] = pu_strdup(was->sk);
        ix->vinfo[v].skl = was->skl;
        ix->vinfo[v].nv = was->nv;
        ix->vinfo[v].cjk = was->cjk;
        ix->vgroup[v] = was->group;
        return ix->vphon[v] && ix->vsk[v] && (ix->vtk[v] || !was->tk) ? PU_OK : PU_ERR_NOMEM;
    }
    char key[32];
    sn_phonetic(s, l, key, sizeof key);
    if (!(ix->vphon[v] = pu_strdup(key))) return PU_ERR_NOMEM;
    char tk[SN_TOK_MAX + 1];
    if (sn_translit_key(s, l, 0, tk, sizeof tk) && !(ix->vtk[v] = pu_strdup(tk))) return PU_ERR_NOMEM;
    /* the skeleton and the no-vowel flag, cached for sn_token_sim */
    char sk[SN_TOK_MAX + 1];
    size_t skl = sn_skeleton(s, l, sk, sizeof sk);
    if (!(ix->vsk[v] = pu_strdup(sk))) return PU_ERR_NOMEM;
    ix->vinfo[v].skl = (uint8_t)skl;
    ix->vinfo[v].nv = (uint8_t)(sn_no_vowels(s, l) + 1);
    ix->vinfo[v].cjk = sn_cjk_info(s, l);
    ix->vgroup[v] = sn_nick_group(s, l);
    return PU_OK;
}

static int build_maps(screen_index *ix, const screen_index *prev) {
    size_t nv = ix->nvocab;
    ix->vdf = calloc(nv + 1, sizeof *ix->vdf);
    ix->vw = calloc(nv + 1, sizeof *ix->vw);
    ix->vphon = calloc(nv + 1, sizeof *ix->vphon);
    ix->vtk = calloc(nv + 1, sizeof *ix->vtk);
    ix->vsk = calloc(nv + 1, sizeof *ix->vsk);
    ix->vinfo = calloc(nv + 1, sizeof *ix->vinfo);
    ix->vgroup = calloc(nv + 1, sizeof *ix->vgroup);
    ix->post_off = calloc(nv + 2, sizeof *ix->post_off);
    if (!ix->vdf || !ix->vw || !ix->vphon || !ix->vtk || !ix->vsk || !ix->vinfo || !ix->vgroup ||
        !ix->post_off)
        return PU_ERR_NOMEM;
    /* document frequency and postings: once per (name, token) */
    for (size_t n = 0; n < ix->nnames; n++) {
        ix_name *nm = &ix->names[n];
        for (uint32_t t = 0; t < nm->ntok; t++) {
            uint32_t v = ix->toks[nm->tok_off + t];
            int dup = 0;
            for (uint32_t u = 0; u < t; u++)
                if (ix->toks[nm->tok_off + u] == v) dup = 1;
            if (dup) continue;
            ix->vdf[v]++;
            int k = ix->tkind[nm->tok_off + t];
            if (k == SN_WORD || k == SN_NUMBER) ix->post_off[v + 1]++;
        }
    }
    for (size_t v = 0; v < nv; v++) ix->post_off[v + 1] += ix->post_off[v];
    ix->post = malloc((ix->post_off[nv] + 1) * sizeof *ix->post);
    uint32_t *fill = calloc(nv + 1, sizeof *fill);
    if (!ix->post || !fill) {
        free(fill);
        return PU_ERR_NOMEM;
    }
    for (size_t n = 0; n < ix->nnames; n++) {
        ix_name *nm = &ix->names[n];
        for (uint32_t t = 0; t < nm->ntok; t++) {
            uint32_t v = ix->toks[nm->tok_off + t];
            int k = ix->tkind[nm->tok_off + t];
            if (k != SN_WORD && k != SN_NUMBER) continue;
            uint32_t pos = ix->post_off[v] + fill[v];
            if (fill[v] && ix->post[pos - 1] == (uint32_t)n) continue; /* repeated token */
            ix->post[pos] = (uint32_t)n;
            fill[v]++;
        }
    }
    /* repeated tokens left holes: compact the postings */
    size_t w = 0;
    for (size_t v = 0; v < nv; v++) {
        uint32_t start = ix->post_off[v];
        ix->post_off[v] = (uint32_t)w;
        for (uint32_t i = 0; i < fill[v]; i++) ix->post[w++] = ix->post[start + i];
    }
    ix->post_off[nv] = (uint32_t)w;
    free(fill);
    /* IDF weights: ln(1 + N/df) / ln(1 + N), at least 0.2 */
    double N = (double)(ix->nnames ? ix->nnames : 1);
    ix->nnames_log = log(1.0 + N);
    for (size_t v = 0; v < nv; v++) {
        double df = ix->vdf[v] ? ix->vdf[v] : 1;
        double wt = log(1.0 + N / df) / ix->nnames_log;
        ix->vw[v] = (float)(wt < 0.2 ? 0.2 : wt > 1.0 ? 1.0 : wt);
    }
    /* blocking maps */
    size_t nd = 0;
    for (size_t v = 0; v < nv; v++) nd += ix->vlen[v] >= 3 ? ix->vlen[v] + 1 : 0;
    ix->vmap.a = malloc((nv + 1) * sizeof(ix_pair));
    ix->dmap.a = malloc((nd + nv + 1) * sizeof(ix_pair));
    ix->pmap.a = malloc((nv + 1) * sizeof(ix_pair));
    ix->smap.a = malloc((nv + 1) * sizeof(ix_pair));
    ix->fmap.a = malloc((3 * nv + 1) * sizeof(ix_pair));
    ix->gmap.a = malloc((nv + 1) * sizeof(ix_pair));
    if (!ix->vmap.a || !ix->dmap.a || !ix->pmap.a || !ix->smap.a || !ix->fmap.a || !ix->gmap.a) return PU_ERR_NOMEM;
    for (size_t v = 0; v < nv; v++) {
        const char *s = ix->vstr[v];
        size_t l = ix->vlen[v];
        ix->vmap.a[ix->vmap.n++] = (ix_pair){sn_hash(s, l), (uint32_t)v};
        ix->dmap.a[ix->dmap.n++] = (ix_pair){sn_hash(s, l), (uint32_t)v};
        if (vocab_keys(ix, v, prev_vocab(prev, s, l))) return PU_ERR_NOMEM;
        const char *key = ix->vphon[v], *sk = ix->vsk[v];
        size_t skl = ix->vinfo[v].skl;
        if (l >= 3 && key[0]) ix->pmap.a[ix->pmap.n++] = (ix_pair){sn_hash(key, strlen(key)), (uint32_t)v};
        if (l >= 3 && skl >= 2) ix->smap.a[ix->smap.n++] = (ix_pair){sn_hash(sk, skl), (uint32_t)v};
        for (size_t k = IX_PREFIX; k <= IX_PREFIX_MAX && k + 2 <= l; k++)
            ix->fmap.a[ix->fmap.n++] = (ix_pair){sn_hash(s, k), (uint32_t)v};
        uint16_t g = ix->vgroup[v];
        if (g) ix->gmap.a[ix->gmap.n++] = (ix_pair){g, (uint32_t)v};
        if (l < 3) continue;
        const char *rest;
        if (sn_article(s, l, &rest)) ix->dmap.a[ix->dmap.n++] = (ix_pair){sn_hash(rest, l - 2), (uint32_t)v | IX_DEL};
        char del[SN_TOK_MAX + 1];
        for (size_t i = 0; i < l; i++) {
            if (i > 0 && s[i] == s[i - 1]) continue; /* same variant as the previous deletion */
            memcpy(del, s, i);
            memcpy(del + i, s + i + 1, l - i - 1);
            ix->dmap.a[ix->dmap.n++] = (ix_pair){sn_hash(del, l - 1), (uint32_t)v | IX_DEL};
        }
    }
    if (vocab_pack(ix)) return PU_ERR_NOMEM;
    if (ix_map_finish(&ix->vmap)) return PU_ERR_NOMEM;
    if (ix_map_finish(&ix->dmap)) return PU_ERR_NOMEM;
    if (ix_map_finish(&ix->pmap)) return PU_ERR_NOMEM;
    if (ix_map_finish(&ix->smap)) return PU_ERR_NOMEM;
    if (ix_map_finish(&ix->fmap)) return PU_ERR_NOMEM;
    if (ix_map_finish(&ix->gmap)) return PU_ERR_NOMEM;
    /* identifiers */
    size_t ni = 0;
    for (size_t e = 0; e < ix->nents; e++) ni += ix->ents[e].nids;
    ix->idmap.a = malloc((ni + 1) * sizeof(ix_pair));
    if (!ix->idmap.a) return PU_ERR_NOMEM;
    for (size_t e = 0; e < ix->nents; e++)
        for (size_t i = 0; i < ix->ents[e].nids; i++)
            ix->idmap.a[ix->idmap.n++] = (ix_pair){sn_hash(ix->ents[e].ids[i], strlen(ix->ents[e].ids[i])), (uint32_t)e};
    if (ix_map_finish(&ix->idmap)) return PU_ERR_NOMEM;
    /* compounds: "se bong" is found by "sebong", "abd al-rahman" by
     * "abdelrahman" (sn_join_keys: canonical joined spellings) */
    ix->cmap.a = malloc((3 * ix->ntoks + 1) * sizeof(ix_pair));
    ix->kmap.a = malloc((2 * nv + 1) * sizeof(ix_pair));
    if (!ix->cmap.a || !ix->kmap.a) return PU_ERR_NOMEM;
    for (size_t v = 0; v < nv; v++) {
        char cc[SN_TOK_MAX + 8];
        size_t cl = ix->vlen[v] >= 4 ? sn_compound_canon(ix->vstr[v], ix->vlen[v], cc, sizeof cc) : 0;
        if (cl) ix->kmap.a[ix->kmap.n++] = (ix_pair){sn_hash(cc, cl), (uint32_t)v};
        /* ROSELEKTRONIKA is found by "russian electronics" */
        const char *rest;
        size_t rl;
        if (sn_ros_split(ix->vstr[v], ix->vlen[v], &rest, &rl))
            ix->kmap.a[ix->kmap.n++] = (ix_pair){sn_ros_key(rest, rl), (uint32_t)v};
    }
    size_t na = 0;
    for (size_t n = 0; n < ix->nnames; n++) {
        ix_name *nm = &ix->names[n];
        for (uint32_t t = 0; t + 1 < nm->ntok; t++) {
            int u = index_compound_next(ix, nm, t);
            if (u < 0) continue;
            uint32_t a = ix->toks[nm->tok_off + t], b = ix->toks[nm->tok_off + (uint32_t)u];
            uint64_t keys[3];
            int nk = sn_join_keys(ix->vstr[a], ix->vlen[a], ix->vgroup[a], ix->vstr[b], ix->vlen[b], keys);
            for (int k = 0; k < nk; k++) ix->cmap.a[ix->cmap.n++] = (ix_pair){keys[k], (uint32_t)n};
        }
        if (ix->ents[nm->entity].cls != SC_PERSON) na += (size_t)nm->ntok * 8;
    }
    /* acronyms: the initials of every run of >= 3 words (particles skipped)
     * of organisation, vessel and unknown-schema names, up to 10 letters */
    ix->amap.a = malloc((na + 1) * sizeof(ix_pair));
    if (!ix->amap.a) return PU_ERR_NOMEM;
    for (size_t n = 0; n < ix->nnames; n++) {
        ix_name *nm = &ix->names[n];
        if (ix->ents[nm->entity].cls == SC_PERSON) continue;
        for (uint32_t j = 0; j < nm->ntok; j++) {
            char ini[16];
            size_t k = 0;
            for (uint32_t t = j; t < nm->ntok && k < 10 && ix->amap.n < na; t++) {
                int kind = ix->tkind[nm->tok_off + t];
                uint32_t v = ix->toks[nm->tok_off + t];
                if (kind == SN_PARTICLE && k > 0) continue;
                if (kind != SN_WORD || sn_group_is_name(ix->vgroup[v])) break;
                ini[k++] = ix->vstr[v][0];
                if (k >= 3) ix->amap.a[ix->amap.n++] = (ix_pair){sn_hash(ini, k), (uint32_t)n};
            }
        }
    }
    if (ix_map_finish(&ix->cmap) || ix_map_finish(&ix->kmap) || ix_map_finish(&ix->amap)) return PU_ERR_NOMEM;
    /* name weight sums */
    for (size_t n = 0; n < ix->nnames; n++) {
        ix_name *nm = &ix->names[n];
        float s = 0, c = 0;
        for (uint32_t t = 0; t < nm->ntok; t++) {
            int k = ix->tkind[nm->tok_off + t];
            float wt = ix_token_weight(ix, k, ix->toks[nm->tok_off + t], 0);
            s += wt;
            if (k == SN_WORD || k == SN_NUMBER) c += wt;
        }
        nm->wsum = s;
        nm->wcore = c;
    }
    return PU_OK;
}

static void builder_release(screen_builder *b) {
    for (size_t i = 0; i < b->npend; i++) {
        free(b->pend[i].id);
        free(b->pend[i].val);
    }
    free(b->pend);
    free(b->vt.slot);
    free(b);
}

void screen_builder_free(screen_builder *b) {
    if (!b) return;
    screen_index_free(b->ix);
    builder_release(b);
}

void screen_builder_reuse(screen_builder *b, screen_ncache *nc, const screen_index *prev) {
    b->nc = nc;
    b->prev = prev;
}

int screen_builder_finish(screen_builder *b, screen_index **out, pu_err *err) {
    *out = NULL;
    if (!b) return pu_fail(err, PU_ERR_INVALID, NULL, NULL, "no builder");
    int rc = link_pending(b);
    if (!rc) rc = build_maps(b->ix, b->prev);
    if (rc) {
        screen_builder_free(b);
        return pu_fail(err, rc, NULL, NULL, "cannot build the screening index");
    }
    *out = b->ix;
    builder_release(b);
    return PU_OK;
}

int screen_index_from_entities(const ftm_entity *const *ents, size_t n, const screen_build_opts *o,
                               screen_index **out, pu_err *err) {
    *out = NULL;
    screen_builder *b;
    if (screen_builder_new(o, &b)) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    for (size_t i = 0; i < n; i++) {
        int rc = screen_builder_add(b, ents[i], err);
        if (rc) {
            screen_builder_free(b);
            return rc;
        }
    }
    return screen_builder_finish(b, out, err);
}

void screen_index_get_stats(const screen_index *ix, screen_index_stats *st) {
    memset(st, 0, sizeof *st);
    if (!ix) return;
    st->entities = ix->nents;
    st->names = ix->nnames;
    st->tokens = ix->nvocab;
    st->skipped_names = ix->skipped;
    size_t bytes = ix->nents * sizeof(ix_entity) + ix->nnames * sizeof(ix_name) + ix->ntoks * 5 +
                   ix->nvocab * (sizeof(char *) + 16 + sizeof(ix_vinfo)) + ix->varena_n +
                   (ix->vmap.n + ix->dmap.n + ix->pmap.n + ix->smap.n + ix->fmap.n + ix->gmap.n + ix->idmap.n + ix->cmap.n + ix->kmap.n + ix->amap.n) * sizeof(ix_pair) +
                   (ix->post_off ? ix->post_off[ix->nvocab] * 4 : 0);
    st->bytes = bytes;
}

void screen_index_free(screen_index *ix) {
    if (!ix) return;
    for (size_t i = 0; i < ix->nents; i++) {
        ix_entity *x = &ix->ents[i];
        free(x->id);
        free(x->caption);
        free(x->schema);
        free(x->owner);
        free(x->marking);
        free(x->gender);
        strv_free(x->datasets, x->ndatasets);
        strv_free(x->topics, x->ntopics);
        strv_free(x->programs, x->nprograms);
        strv_free(x->dates, x->ndates);
        strv_free(x->countries, x->ncountries);
        strv_free(x->ids, x->nids);
        strv_free(x->addrs, x->naddrs);
    }
    free(ix->ents);
    for (size_t i = 0; i < ix->nnames; i++) free(ix->names[i].raw);
    free(ix->names);
    free(ix->toks);
    free(ix->tkind);
    for (size_t v = 0; v < ix->nvocab; v++) {
        free(ix->vstr[v]);
        if (ix->vphon) free(ix->vphon[v]);
        if (ix->vtk) free(ix->vtk[v]);
        if (ix->vsk) free(ix->vsk[v]);
    }
    free(ix->vstr);
    free(ix->vlen);
    free(ix->vdf);
    free(ix->vw);
    free(ix->vphon);
    free(ix->vtk);
    free(ix->vsk);
    free(ix->vinfo);
    free(ix->varena);
    free(ix->vgroup);
    ix_map_free(&ix->vmap);
    ix_map_free(&ix->dmap);
    ix_map_free(&ix->pmap);
    ix_map_free(&ix->smap);
    ix_map_free(&ix->fmap);
    ix_map_free(&ix->gmap);
    ix_map_free(&ix->idmap);
    ix_map_free(&ix->cmap);
    ix_map_free(&ix->kmap);
    ix_map_free(&ix->amap);
    free(ix->post_off);
    free(ix->post);
    for (size_t i = 0; i < ix->npool; i++) free(ix->pool[i]);
    free(ix->pool);
    pthread_mutex_destroy(&ix->pool_mu);
    free(ix);
}
