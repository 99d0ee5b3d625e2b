/*
 * screen_ncache.c - the normalised forms of listed names, kept by a
 * screening service from one index build to the next (screen_int.h
 * "screen_ncache", docs/screening.md "Incremental update"). Folding,
 * splitting and tokenising every listed name was most of the cost of
 * rebuilding the index from the kept entities after a write; with this
 * cache a rebuild normalises only the names it has not seen.
 *
 * An entry holds exactly what add_name (screen_index.c) appends for one
 * (listed name, schema class): the pieces with their token counts and
 * person forms, and the tokens' text and kinds. The builder emits names
 * from an entry whether it was just computed or found here: one code path,
 * so that a cached build and a fresh one are the same index.
 */
#include <stdlib.h>
#include <string.h>

#include "screen/screen_int.h"

/* Past this many entries the cache is emptied and starts over: it holds the
 * listed names of the current list plus those of replaced versions (a
 * stream of updates adds entries that are never read again). Roughly 4x
 * the names of the 1,000,000-entity benchmark list. */
#define NCACHE_MAX_ENTRIES ((size_t)1 << 22)
#define NCACHE_MIN_SLOTS 1024u /* power of two */

struct screen_ncache {
    sn_prepared **slot; /* open addressing, cap a power of two */
    size_t cap, n;
    uint64_t hits, misses;
};

static uint64_t key_hash(const char *raw, int cls) {
    uint64_t h = 1469598103934665603ull ^ (uint64_t)(unsigned)cls; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)raw; *p; p++) h = (h ^ *p) * 1099511628211ull;
    return h;
}

void sn_prepared_free(sn_prepared *p) {
    if (!p) return;
    free(p->raw);
    free(p->text);
    free(p);
}

int sn_prepare(const char *raw, enum sn_class cls, sn_prepared **out) {
    *out = NULL;
    sn_prepared *p = calloc(1, sizeof *p);
    if (!p || !(p->raw = pu_strdup(raw))) {
        sn_prepared_free(p);
        return PU_ERR_NOMEM;
    }
    p->cls = (uint8_t)cls;
    char *f = NULL;
    if (sn_fold(raw, &f, NULL, "name") != PU_OK) { /* counted as skipped, as before */
        p->npieces = -1;
        *out = p;
        return PU_OK;
    }
    /* the work areas are large (a few KB each): on the heap, not the stack
     * of a server thread */
    char *work = malloc(SN_BUF_MAX * 2);
    sn_name *tmp = malloc(sizeof *tmp);
    size_t tcap = strlen(f) * 2 + 64, tn = 0;
    p->text = malloc(tcap);
    int rc = work && tmp && p->text ? PU_OK : PU_ERR_NOMEM;
    char *pieces[SN_MAX_PIECES];
    int np = rc ? 0 : sn_split_cls(f, cls, work, SN_BUF_MAX * 2, pieces, SN_MAX_PIECES);
    for (int k = 0; k < np && !rc; k++) {
        sn_tokenize(pieces[k], cls, tmp);
        p->ntok[k] = (uint8_t)tmp->ntok;
        p->pform[k] = (uint8_t)tmp->person_form;
        for (int t = 0; t < tmp->ntok && !rc; t++) {
            size_t need = tn + tmp->tok[t].len + 3; /* kind, len, bytes, NUL */
            if (need > tcap) {
                size_t nc = tcap * 2 > need ? tcap * 2 : need;
                char *q = realloc(p->text, nc);
                if (!q) {
                    rc = PU_ERR_NOMEM;
                    break;
                }
                p->text = q;
                tcap = nc;
            }
            p->text[tn++] = (char)tmp->tok[t].kind;
            p->text[tn++] = (char)tmp->tok[t].len;
            memcpy(p->text + tn, tmp->tok[t].s, tmp->tok[t].len);
            tn += tmp->tok[t].len;
            p->text[tn++] = 0;
        }
    }
    p->npieces = (int8_t)np;
    free(work);
    free(tmp);
    free(f);
    if (rc) {
        sn_prepared_free(p);
        return rc;
    }
    *out = p;
    return PU_OK;
}

int screen_ncache_new(screen_ncache **out) {
    *out = calloc(1, sizeof **out);
    return *out ? PU_OK : PU_ERR_NOMEM;
}

static void ncache_clear(screen_ncache *c) {
    for (size_t i = 0; c->slot && i < c->cap; i++) sn_prepared_free(c->slot[i]);
    free(c->slot);
    c->slot = NULL;
    c->cap = c->n = 0;
}

void screen_ncache_free(screen_ncache *c) {
    if (!c) return;
    ncache_clear(c);
    free(c);
}

void screen_ncache_stats(const screen_ncache *c, size_t *entries, uint64_t *hits, uint64_t *misses) {
    *entries = c ? c->n : 0;
    *hits = c ? c->hits : 0;
    *misses = c ? c->misses : 0;
}

static size_t find_slot(sn_prepared *const *slot, size_t cap, const char *raw, int cls) {
    size_t i = (size_t)key_hash(raw, cls) & (cap - 1);
    while (slot[i] && (slot[i]->cls != cls || strcmp(slot[i]->raw, raw) != 0)) i = (i + 1) & (cap - 1);
    return i;
}

static int ncache_grow(screen_ncache *c) {
    size_t nc = c->cap ? c->cap * 2 : NCACHE_MIN_SLOTS;
    sn_prepared **ns = calloc(nc, sizeof *ns);
    if (!ns) return PU_ERR_NOMEM;
    for (size_t i = 0; i < c->cap; i++)
        if (c->slot[i]) ns[find_slot(ns, nc, c->slot[i]->raw, c->slot[i]->cls)] = c->slot[i];
    free(c->slot);
    c->slot = ns;
    c->cap = nc;
    return PU_OK;
}

int screen_ncache_get(screen_ncache *c, const char *raw, enum sn_class cls, const sn_prepared **out) {
    *out = NULL;
    if (c->slot) {
        sn_prepared *hit = c->slot[find_slot(c->slot, c->cap, raw, (int)cls)];
        if (hit) {
            c->hits++;
            *out = hit;
            return PU_OK;
        }
    }
    c->misses++;
    if (c->n >= NCACHE_MAX_ENTRIES) ncache_clear(c); /* start over */
    if ((c->n + 1) * 2 > c->cap && ncache_grow(c)) return PU_ERR_NOMEM;
    sn_prepared *p = NULL;
    int rc = sn_prepare(raw, cls, &p);
    if (rc) return rc;
    c->slot[find_slot(c->slot, c->cap, raw, (int)cls)] = p;
    c->n++;
    *out = p;
    return PU_OK;
}
