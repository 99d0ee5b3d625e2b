/* resolve_cluster.c - clusters from pairs and judgements: a union-find whose
 * roots carry "cannot link" lists, so a not_same judgement (or two dates of
 * birth that differ) keeps two clusters apart however many pairs would
 * chain them (resolve.h "Clusters"), and (with dates of birth given) the
 * algorithm never puts two dates of birth in one cluster: pairs through
 * undated records would otherwise chain two dated persons whose conflict
 * no window compared (docs/resolve.md "Undated records"). A conflict of the
 * algorithm between two records of two dates no longer keeps the clusters
 * apart when it is answered (one of the two clusters already holds the
 * other record's date, joined there by kept pairs; or it is the only
 * conflict and the joining pair carries its two dates) or outvoted (more
 * kept pairs of two dated records between the clusters than conflicts, all
 * of dates): a duplicate with a mistyped date beside its original
 * (docs/resolve.md "Clusters", "When a conflict forbids"). Judgements and
 * conflicts of one date (identifiers) always forbid. */
#include <stdlib.h>
#include <string.h>

#include "resolve/resolve_int.h"

typedef struct ulist {
    uint32_t *v;
    size_t n, cap;
} ulist;

#define JUDGED 0x80000000u   /* in a cannot entry's own record: a not_same judgement */

typedef struct uf {
    uint32_t *parent, *rank;
    ulist *cannot;    /* per root: pairs (record it may not join, own record | JUDGED) */
    ulist *dobs;      /* per root: one record of each date of birth it holds (NULL: no date rule) */
    const char *const *dob;
} uf;

static uint32_t find(uf *u, uint32_t x) {
    while (u->parent[x] != x) {
        u->parent[x] = u->parent[u->parent[x]];
        x = u->parent[x];
    }
    return x;
}

static int ulist_push(ulist *l, uint32_t x) {
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 4;
        uint32_t *nv = realloc(l->v, nc * sizeof *nv);
        if (!nv) return PU_ERR_NOMEM;
        l->v = nv;
        l->cap = nc;
    }
    l->v[l->n++] = x;
    return PU_OK;
}

static int has_dob(const uf *u, const ulist *l, const char *dob) {
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(u->dob[l->v[i]], dob)) return 1;
    return 0;
}

/* 1 when the algorithm's conflict between record a (of root x) and record b
 * (of root y) is of two dates of birth that differ and answered: x already
 * holds b's date or y a's, joined there by kept pairs, or (alone: the only
 * conflict between x and y) the kept pair (c, d) that would join x and y
 * carries those two dates itself, its score having judged them one
 * person's. A conflict of one date (the identifiers differ) is never
 * answered. */
static int answered(const uf *u, uint32_t x, uint32_t a, uint32_t y, uint32_t b, uint32_t c, uint32_t d, int alone) {
    if (!u->dobs || !u->dob[a] || !u->dob[a][0] || !u->dob[b] || !u->dob[b][0] || !strcmp(u->dob[a], u->dob[b]))
        return 0;
    if (has_dob(u, &u->dobs[x], u->dob[b]) || has_dob(u, &u->dobs[y], u->dob[a])) return 1;
    const char *dc = u->dob[c], *dd = u->dob[d];
    return alone && dc && dd &&
           ((!strcmp(dc, u->dob[a]) && !strcmp(dd, u->dob[b])) || (!strcmp(dc, u->dob[b]) && !strcmp(dd, u->dob[a])));
}

/* 1 when joining the clusters of roots x and y by the kept pair (c, d)
 * would join two records that must stay apart: a not_same judgement, or a
 * conflict not answered. */
static int blocked(uf *u, uint32_t x, uint32_t y, uint32_t c, uint32_t d) {
    ulist *l = u->cannot[x].n <= u->cannot[y].n ? &u->cannot[x] : &u->cannot[y];
    uint32_t own = l == &u->cannot[x] ? x : y, other = own == x ? y : x;
    size_t n = 0, at = 0;
    for (size_t i = 0; i + 1 < l->n; i += 2) {
        if (find(u, l->v[i]) != other) continue;
        if (l->v[i + 1] & JUDGED) return 1;
        if (!n++) at = i;
    }
    if (!n) return 0;
    for (size_t i = at; i + 1 < l->n; i += 2)
        if (find(u, l->v[i]) == other && !answered(u, own, l->v[i + 1], other, l->v[i], c, d, n == 1)) return 1;
    return 0;
}

/* 1 when one root's dates of birth are all among the other's (or either
 * has none): the algorithm may join them. Judgements may hold several. */
static int dobs_agree(const uf *u, uint32_t x, uint32_t y) {
    if (!u->dobs || !u->dobs[x].n || !u->dobs[y].n) return 1;
    const ulist *small = u->dobs[x].n <= u->dobs[y].n ? &u->dobs[x] : &u->dobs[y];
    const ulist *big = small == &u->dobs[x] ? &u->dobs[y] : &u->dobs[x];
    for (size_t i = 0; i < small->n; i++)
        if (!has_dob(u, big, u->dob[small->v[i]])) return 0;
    return 1;
}

/* Move y's dates of birth into root x's list. */
static int merge_dobs(uf *u, uint32_t x, uint32_t y) {
    if (!u->dobs) return PU_OK;
    for (size_t i = 0; i < u->dobs[y].n; i++)
        if (!has_dob(u, &u->dobs[x], u->dob[u->dobs[y].v[i]]) && ulist_push(&u->dobs[x], u->dobs[y].v[i]))
            return PU_ERR_NOMEM;
    free(u->dobs[y].v);
    memset(&u->dobs[y], 0, sizeof u->dobs[y]);
    return PU_OK;
}

/* Join the clusters of a and b unless forbidden (judged: a judgement, which
 * may join two dates of birth): 1 joined (or already one), 0 forbidden,
 * < 0 out of memory. */
static int join_ex(uf *u, uint32_t a, uint32_t b, int judged, int outvoted) {
    uint32_t x = find(u, a), y = find(u, b);
    if (x == y) return 1;
    /* the date rule is for chains through undated records: a pair of two
     * dated records was judged on its dates by its score (a date typed with
     * a slip, or outweighed by the identifier and phone: resolve_match.c) */
    int dated = u->dob && u->dob[a] && u->dob[a][0] && u->dob[b] && u->dob[b][0];
    if ((!outvoted && blocked(u, x, y, a, b)) || (!judged && !dated && !dobs_agree(u, x, y))) return 0;
    if (u->rank[x] < u->rank[y]) {
        uint32_t t = x;
        x = y;
        y = t;
    }
    u->parent[y] = x;
    if (u->rank[x] == u->rank[y]) u->rank[x]++;
    for (size_t i = 0; i < u->cannot[y].n; i++)
        if (ulist_push(&u->cannot[x], u->cannot[y].v[i])) return -1;
    free(u->cannot[y].v);
    memset(&u->cannot[y], 0, sizeof u->cannot[y]);
    return merge_dobs(u, x, y) ? -1 : 1;
}

static int join(uf *u, uint32_t a, uint32_t b, int judged) { return join_ex(u, a, b, judged, 0); }

/* 1 when the conflicts between roots x and y are all of two dates of birth
 * that differ (no judgement, no identifier) and fewer than the kept pairs
 * of two dated records between them (bridges). */
static int outvoted(uf *u, uint32_t x, uint32_t y, size_t bridges) {
    ulist *l = u->cannot[x].n <= u->cannot[y].n ? &u->cannot[x] : &u->cannot[y];
    uint32_t other = l == &u->cannot[x] ? y : x;
    size_t c = 0;
    for (size_t i = 0; i + 1 < l->n; i += 2) {
        if (find(u, l->v[i]) != other) continue;
        uint32_t a = l->v[i], b = l->v[i + 1];
        if ((b & JUDGED) || !u->dob[a] || !u->dob[a][0] || !u->dob[b] || !u->dob[b][0] || !strcmp(u->dob[a], u->dob[b]))
            return 0;
        c++;
    }
    return c < bridges;
}

typedef struct bridge {
    uint32_t x, y;   /* roots after the first pass, x < y */
} bridge;

static int cmp_bridge(const void *p, const void *q) {
    const bridge *a = p, *b = q;
    if (a->x != b->x) return a->x < b->x ? -1 : 1;
    return a->y < b->y ? -1 : a->y > b->y;
}

/* The second pass: kept pairs of two dated records left between two
 * clusters by conflicts join them when they outnumber the conflicts and
 * these are all of dates (outvoted). */
static int second_pass(uf *u, const resolve_pair *sorted, size_t np) {
    if (!u->dobs) return PU_OK;
    size_t nb = 0;
    bridge *b = malloc((np ? np : 1) * sizeof *b);
    if (!b) return PU_ERR_NOMEM;
    for (size_t i = 0; i < np && sorted[i].score >= 0; i++) {
        uint32_t a = sorted[i].a, c = sorted[i].b, x = find(u, a), y = find(u, c);
        if (x == y || !u->dob[a] || !u->dob[a][0] || !u->dob[c] || !u->dob[c][0]) continue;
        b[nb++] = (bridge){x < y ? x : y, x < y ? y : x};
    }
    qsort(b, nb, sizeof *b, cmp_bridge);
    int rc = PU_OK;
    for (size_t lo = 0, hi; lo < nb && !rc; lo = hi) {
        for (hi = lo + 1; hi < nb && !cmp_bridge(&b[hi], &b[lo]); hi++) {}
        uint32_t x = find(u, b[lo].x), y = find(u, b[lo].y);
        if (x != y && outvoted(u, x, y, hi - lo) && join_ex(u, x, y, 0, 1) < 0) rc = PU_ERR_NOMEM;
    }
    free(b);
    return rc;
}

/* judged: a not_same judgement (always forbids), else a conflict of the
 * algorithm (forbids unless answered or outvoted). */
static int forbid(uf *u, uint32_t a, uint32_t b, int judged) {
    uint32_t x = find(u, a), y = find(u, b);
    if (x == y) return PU_OK;   /* already one cluster by a judgement: the judgement wins */
    uint32_t j = judged ? JUDGED : 0;
    if (ulist_push(&u->cannot[x], b) || ulist_push(&u->cannot[x], a | j) || ulist_push(&u->cannot[y], a) ||
        ulist_push(&u->cannot[y], b | j))
        return PU_ERR_NOMEM;
    return PU_OK;
}

static int cmp_pair_desc(const void *x, const void *y) {
    const resolve_pair *a = x, *b = y;
    if (a->score != b->score) return a->score > b->score ? -1 : 1;
    if (a->a != b->a) return a->a < b->a ? -1 : 1;
    return a->b < b->b ? -1 : a->b > b->b;
}

static void uf_free(uf *u, size_t n) {
    if (u->cannot)
        for (size_t i = 0; i < n; i++) free(u->cannot[i].v);
    if (u->dobs)
        for (size_t i = 0; i < n; i++) free(u->dobs[i].v);
    free(u->dobs);
    free(u->parent);
    free(u->rank);
    free(u->cannot);
}

static int apply(uf *u, const resolve_pair *p, size_t np, const resolve_jpair *j, size_t nj, size_t *conflicts) {
    for (size_t i = 0; i < nj; i++)
        if (j[i].v == RESOLVE_NOT_SAME && forbid(u, j[i].a, j[i].b, 1)) return PU_ERR_NOMEM;
    for (size_t i = 0; i < nj; i++) {
        if (j[i].v != RESOLVE_SAME) continue;
        int r = join(u, j[i].a, j[i].b, 1);
        if (r < 0) return PU_ERR_NOMEM;
        if (!r) (*conflicts)++;
    }
    for (size_t i = 0; i < np; i++)
        if (p[i].score < 0 && forbid(u, p[i].a, p[i].b, 0)) return PU_ERR_NOMEM;
    resolve_pair *sorted = malloc((np ? np : 1) * sizeof *sorted);
    if (!sorted) return PU_ERR_NOMEM;
    if (np) memcpy(sorted, p, np * sizeof *p);
    qsort(sorted, np, sizeof *sorted, cmp_pair_desc);
    int rc = PU_OK;
    for (size_t i = 0; i < np && sorted[i].score >= 0 && !rc; i++)
        if (join(u, sorted[i].a, sorted[i].b, 0) < 0) rc = PU_ERR_NOMEM;
    if (!rc) rc = second_pass(u, sorted, np);
    free(sorted);
    return rc;
}

int resolve_cluster_pairs(size_t n, const resolve_pair *p, size_t np, const resolve_jpair *j, size_t nj,
                          uint32_t *cluster_of, size_t *conflicts, pu_err *err) {
    return resolve_cluster_pairs_dob(n, p, np, j, nj, NULL, cluster_of, conflicts, err);
}

int resolve_cluster_pairs_dob(size_t n, const resolve_pair *p, size_t np, const resolve_jpair *j, size_t nj,
                              const char *const *dob, uint32_t *cluster_of, size_t *conflicts, pu_err *err) {
    uf u = {calloc(n ? n : 1, sizeof *u.parent), calloc(n ? n : 1, sizeof *u.rank), calloc(n ? n : 1, sizeof *u.cannot),
            dob ? calloc(n ? n : 1, sizeof *u.dobs) : NULL, dob};
    size_t c = 0;
    if (!u.parent || !u.rank || !u.cannot || (dob && !u.dobs)) {
        uf_free(&u, n);
        return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        u.parent[i] = (uint32_t)i;
        if (dob && dob[i] && dob[i][0] && ulist_push(&u.dobs[i], (uint32_t)i)) {
            uf_free(&u, n);
            return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
        }
    }
    int rc = apply(&u, p, np, j, nj, &c);
    if (!rc) {
        /* the smallest member index names the cluster */
        for (size_t i = 0; i < n; i++) cluster_of[i] = UINT32_MAX;
        for (size_t i = 0; i < n; i++) {
            uint32_t r = find(&u, (uint32_t)i);
            if (cluster_of[r] == UINT32_MAX || i < cluster_of[r]) cluster_of[r] = (uint32_t)i;
        }
        for (size_t i = 0; i < n; i++) cluster_of[i] = cluster_of[find(&u, (uint32_t)i)];
    }
    uf_free(&u, n);
    if (conflicts) *conflicts = c;
    if (rc) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    return PU_OK;
}
