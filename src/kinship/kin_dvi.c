/* kin_dvi.c - pairwise LR matrix, exclusions and the joint assignment search
 * (dvir's pairwiseLR, exclusionMatrix, dviJoint and Bmarginal). */
#include "kin_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void kin_opts_default(kin_opts *o) {
    memset(o, 0, sizeof *o);
    o->theta = 0;
    o->max_incomp = 2;
    o->threshold = 1e4;
    o->threads = 0;
}

int kin_sex_ok(int a, int b) {
    return a == 0 || b == 0 || a == b;
}

/* parents and sexes of a family, plus one optional extra founder at index n */
int kin_fam_arrays(const kin_family *F, int extra, int **fa, int **mo, int **sex) {
    int n = F->n + extra;
    *fa = malloc((size_t)n * sizeof(int));
    *mo = malloc((size_t)n * sizeof(int));
    *sex = malloc((size_t)n * sizeof(int));
    if (!*fa || !*mo || !*sex) {
        free(*fa), free(*mo), free(*sex);
        *fa = *mo = *sex = NULL;
        return PU_ERR_NOMEM;
    }
    for (int i = 0; i < F->n; i++) {
        (*fa)[i] = F->p[i].father;
        (*mo)[i] = F->p[i].mother;
        (*sex)[i] = F->p[i].sex;
    }
    for (int i = F->n; i < n; i++) (*fa)[i] = (*mo)[i] = -1, (*sex)[i] = 0;
    return PU_OK;
}

void kin_fam_gt(const kin_case *c, const kin_family *F, int m, int16_t *gt) {
    int nm = c->db->n;
    for (int i = 0; i < F->n; i++) {
        gt[2 * i] = F->g[((size_t)i * nm + m) * 2];
        gt[2 * i + 1] = F->g[((size_t)i * nm + m) * 2 + 1];
    }
}

static const kin_ev kin_ev_exact = {0, 0};

const kin_ev *kin_vic_ev(const kin_case *c, int v, int m) {
    return c->vic_ev ? &c->vic_ev[(size_t)v * c->db->n + m] : &kin_ev_exact;
}

int kin_ev_is_soft(const kin_marker *mk, const kin_ev *e) {
    return mk->silent >= 0 || e->d > 0 || e->c > 0;
}

void kin_fam_ev(const kin_case *c, const kin_family *F, int m, kin_ev *ev, int n) {
    for (int i = 0; i < n; i++) ev[i] = i < F->n && F->ev ? F->ev[(size_t)i * c->db->n + m] : kin_ev_exact;
}

/* log likelihood of family f with victims placed: place[person] = victim or -1 */
int kin_fam_loglik(const kin_case *c, const kin_opts *o, int f, const int *place, int mutate, double *out,
                   pu_err *err) {
    const kin_family *F = &c->fam[f];
    int *fa, *mo, *sex;
    int rc = kin_fam_arrays(F, 0, &fa, &mo, &sex);
    if (rc) return rc;
    int16_t *gt = malloc((size_t)2 * F->n * sizeof(int16_t));
    kin_ev *ev = malloc((size_t)F->n * sizeof(kin_ev));
    if (!gt || !ev) rc = PU_ERR_NOMEM;
    double ll = 0;
    for (int m = 0; !rc && m < c->db->n; m++) {
        kin_fam_gt(c, F, m, gt);
        kin_fam_ev(c, F, m, ev, F->n);
        int any = 0;
        for (int i = 0; i < F->n; i++) {
            if (place && place[i] >= 0) {
                gt[2 * i] = c->vic[place[i]].g[2 * m];
                gt[2 * i + 1] = c->vic[place[i]].g[2 * m + 1];
                ev[i] = *kin_vic_ev(c, place[i], m);
            }
            any |= gt[2 * i] >= 0;
        }
        if (!any) continue; /* nobody typed: likelihood 1 (up to frequency sums) */
        double L;
        rc = kin_ped_lik_ev(&c->db->m[m], F->n, fa, mo, sex, gt, ev, o->theta, mutate, -1, &L, err);
        if (rc) break;
        if (L <= 0) {
            ll = -INFINITY;
            break;
        }
        ll += log(L);
    }
    free(gt);
    free(ev);
    free(fa), free(mo), free(sex);
    if (!rc) *out = ll;
    return rc;
}

/* log P(victim's profile) as an unrelated person */
int kin_vic_loglik(const kin_case *c, const kin_opts *o, int v, double *out, pu_err *err) {
    double ll = 0;
    int fa = -1, mo = -1, sex = 0;
    for (int m = 0; m < c->db->n; m++) {
        const int16_t *g = &c->vic[v].g[2 * m];
        if (g[0] < 0) continue;
        double L;
        const kin_ev *e = kin_vic_ev(c, v, m);
        if (o->theta > 0 || kin_ev_is_soft(&c->db->m[m], e)) {
            int rc = kin_ped_lik_ev(&c->db->m[m], 1, &fa, &mo, &sex, g, e, o->theta, 1, -1, &L, err);
            if (rc) return rc;
        } else {
            L = kin_geno_prob(&c->db->m[m], g[0], g[1]);
        }
        ll += log(L);
    }
    *out = ll;
    return PU_OK;
}

/* One pair, per marker: log LR and whether the marker is incompatible. */
int kin_pair_markers(const kin_case *c, const kin_opts *o, int v, int j, double *logm, int *incomp, pu_err *err) {
    const kin_missing *ms = &c->miss[j];
    const kin_family *F = &c->fam[ms->fam];
    int *fa, *mo, *sex;
    int rc = kin_fam_arrays(F, 1, &fa, &mo, &sex);
    if (rc) return rc;
    int n = F->n;
    int16_t *gt = malloc((size_t)2 * (n + 1) * sizeof(int16_t));
    kin_ev *ev = malloc((size_t)(n + 1) * sizeof(kin_ev));
    if (!gt || !ev) rc = PU_ERR_NOMEM;
    for (int m = 0; !rc && m < c->db->n; m++) {
        const kin_marker *mk = &c->db->m[m];
        const int16_t *vg = &c->vic[v].g[2 * m];
        const kin_ev *ve = kin_vic_ev(c, v, m);
        int soft = kin_ev_is_soft(mk, ve);
        logm[m] = 0;
        if (incomp) incomp[m] = 0;
        if (vg[0] < 0) continue;
        kin_fam_gt(c, F, m, gt);
        kin_fam_ev(c, F, m, ev, n + 1);
        gt[2 * n] = gt[2 * n + 1] = KIN_UNTYPED;
        double L0, L1;
        /* H2: the family, and the victim as an unrelated founder (of the same
         * computation when theta > 0, so that theta covers all founders) */
        if (o->theta > 0) {
            gt[2 * n] = vg[0], gt[2 * n + 1] = vg[1];
            ev[n] = *ve;
            rc = kin_ped_lik_ev(mk, n + 1, fa, mo, sex, gt, ev, o->theta, 1, -1, &L0, err);
            gt[2 * n] = gt[2 * n + 1] = KIN_UNTYPED;
        } else if (soft) {
            /* P(observed) of the victim: the dropout model summed over its true genotypes */
            int ffa = -1, fmo = -1, fsex = 0;
            double Lv = 0; /* set by the call; read only when it succeeded */
            rc = kin_ped_lik_ev(mk, n, fa, mo, sex, gt, ev, 0, 1, -1, &L0, err);
            if (!rc) rc = kin_ped_lik_ev(mk, 1, &ffa, &fmo, &fsex, vg, ve, 0, 1, -1, &Lv, err);
            if (!rc) L0 *= Lv;
        } else {
            rc = kin_ped_lik_ev(mk, n, fa, mo, sex, gt, ev, 0, 1, -1, &L0, err);
            L0 *= kin_geno_prob(mk, vg[0], vg[1]);
        }
        if (rc) break;
        gt[2 * ms->person] = vg[0], gt[2 * ms->person + 1] = vg[1];
        ev[ms->person] = *ve;
        rc = kin_ped_lik_ev(mk, n, fa, mo, sex, gt, ev, o->theta, 1, -1, &L1, err);
        if (rc) break;
        logm[m] = L0 > 0 ? log(L1) - log(L0) : 0;
        if (incomp) {
            double Ln, Ln0;
            rc = kin_ped_lik_ev(mk, n, fa, mo, sex, gt, ev, 0, 0, -1, &Ln, err);
            gt[2 * ms->person] = gt[2 * ms->person + 1] = KIN_UNTYPED;
            if (!rc) rc = kin_ped_lik_ev(mk, n, fa, mo, sex, gt, ev, 0, 0, -1, &Ln0, err);
            if (rc) break;
            incomp[m] = Ln <= 0 && Ln0 > 0;
        }
    }
    free(gt);
    free(ev);
    free(fa), free(mo), free(sex);
    return rc;
}

int kin_pairwise(const kin_case *c, const kin_opts *o, double *lr, int *excl, pu_err *err) {
    int nm = c->db->n;
    double *logm = malloc((size_t)(nm ? nm : 1) * sizeof(double));
    int *inc = malloc((size_t)(nm ? nm : 1) * sizeof(int));
    int rc = logm && inc ? kin_db_prepare(c->db, err) : PU_ERR_NOMEM;
    for (int v = 0; !rc && v < c->nvic; v++)
        for (int j = 0; !rc && j < c->nmiss; j++) {
            size_t k = (size_t)v * c->nmiss + j;
            const kin_person *P = &c->fam[c->miss[j].fam].p[c->miss[j].person];
            if (!kin_sex_ok(c->vic[v].sex, P->sex)) {
                if (lr) lr[k] = NAN;
                if (excl) excl[k] = -1;
                continue;
            }
            rc = kin_pair_markers(c, o, v, j, logm, excl ? inc : NULL, err);
            if (rc) break;
            double s = 0;
            int ni = 0;
            for (int m = 0; m < nm; m++) {
                s += logm[m];
                if (excl) ni += inc[m];
            }
            if (lr) lr[k] = exp(s);
            if (excl) excl[k] = ni;
        }
    free(logm);
    free(inc);
    return rc;
}

/* ---- joint assignments -------------------------------------------------- */

typedef struct hent {
    uint64_t h;
    int f;
    int16_t *key;
    int klen;
    double val;
} hent;

typedef struct hmap {
    hent *e;
    size_t cap, n;
} hmap;

static uint64_t hkey(int f, const int16_t *k, int n) {
    uint64_t h = 1469598103934665603ull ^ (uint64_t)f;
    for (int i = 0; i < n; i++) {
        h ^= (uint16_t)k[i];
        h *= 1099511628211ull;
    }
    return h ? h : 1;
}

static hent *hfind(hmap *m, int f, const int16_t *k, int n, int *found) {
    if (m->n * 2 >= m->cap) {
        size_t nc = m->cap ? m->cap * 2 : 1024;
        hent *ne = calloc(nc, sizeof *ne);
        if (!ne) return NULL;
        for (size_t i = 0; i < m->cap; i++) {
            if (!m->e[i].h) continue;
            size_t p = m->e[i].h & (nc - 1);
            while (ne[p].h) p = (p + 1) & (nc - 1);
            ne[p] = m->e[i];
        }
        free(m->e);
        m->e = ne;
        m->cap = nc;
    }
    uint64_t h = hkey(f, k, n);
    size_t p = h & (m->cap - 1);
    while (m->e[p].h) {
        hent *e = &m->e[p];
        if (e->h == h && e->f == f && e->klen == n && !memcmp(e->key, k, (size_t)n * sizeof(int16_t))) {
            *found = 1;
            return e;
        }
        p = (p + 1) & (m->cap - 1);
    }
    *found = 0;
    hent *e = &m->e[p];
    e->key = malloc((size_t)(n ? n : 1) * sizeof(int16_t));
    if (!e->key) return NULL;
    memcpy(e->key, k, (size_t)n * sizeof(int16_t));
    e->h = h, e->f = f, e->klen = n;
    m->n++;
    return e;
}

static void hfree(hmap *m) {
    for (size_t i = 0; i < m->cap; i++) free(m->e[i].key);
    free(m->e);
}

typedef struct jctx {
    const kin_case *c;
    const kin_opts *o;
    const char *vmask, *mmask;
    int *assign;
    char *used;
    kin_joint *J;
    long cap, max_rows;
    hmap cache;
    hmap mcache;          /* (family, marker, placed genotypes) -> log likelihood */
    double *vll;          /* log P(victim) alone */
    int **fmiss;          /* missing indices per family */
    int *nfmiss;
    int *place;           /* scratch: person -> victim */
    int16_t *key;
    pu_err *err;
} jctx;

/* Family log-likelihood for the placement in X->key, with a per-marker cache:
 * at one marker, assignments that place the same genotypes on the same
 * missing persons share one pedigree evaluation (victims untyped at the
 * marker, or with equal genotypes, are frequent). */
static int fam_loglik_cached(jctx *X, int f, int nk, double *out) {
    const kin_case *c = X->c;
    const kin_family *F = &c->fam[f];
    int *fa, *mo, *sex;
    int rc = kin_fam_arrays(F, 0, &fa, &mo, &sex);
    if (rc) return rc;
    int16_t *gt = malloc((size_t)2 * F->n * sizeof(int16_t));
    int16_t *mk = malloc((size_t)(2 * nk + 1) * sizeof(int16_t));
    kin_ev *ev = malloc((size_t)F->n * sizeof(kin_ev));
    if (!gt || !mk || !ev) rc = PU_ERR_NOMEM;
    double ll = 0;
    for (int m = 0; !rc && m < c->db->n && ll > -INFINITY; m++) {
        for (int k = 0; k < nk; k++) {
            int v = X->key[k];
            mk[2 * k] = v >= 0 ? c->vic[v].g[2 * m] : KIN_UNTYPED;
            mk[2 * k + 1] = v >= 0 ? c->vic[v].g[2 * m + 1] : KIN_UNTYPED;
            /* with dropout two victims of one genotype differ: key on the victim */
            if (v >= 0 && c->vic_ev) mk[2 * k] = (int16_t)v, mk[2 * k + 1] = -2;
        }
        int found;
        hent *e = hfind(&X->mcache, (f << 8) | m, mk, 2 * nk, &found);
        if (!e) {
            rc = PU_ERR_NOMEM;
            break;
        }
        if (!found) {
            kin_fam_gt(c, F, m, gt);
            kin_fam_ev(c, F, m, ev, F->n);
            int any = 0;
            for (int k = 0; k < nk; k++) {
                int p = c->miss[X->fmiss[f][k]].person, v = X->key[k];
                gt[2 * p] = v >= 0 ? c->vic[v].g[2 * m] : KIN_UNTYPED;
                gt[2 * p + 1] = v >= 0 ? c->vic[v].g[2 * m + 1] : KIN_UNTYPED;
                if (v >= 0) ev[p] = *kin_vic_ev(c, v, m);
            }
            for (int i = 0; i < F->n; i++) any |= gt[2 * i] >= 0;
            double L = 1;
            if (any)
                rc = kin_ped_lik_ev(&c->db->m[m], F->n, fa, mo, sex, gt, ev, X->o->theta, 1, -1, &L, X->err);
            e->val = L > 0 ? log(L) : -INFINITY;
        }
        ll += e->val;
    }
    free(gt), free(mk), free(ev);
    free(fa), free(mo), free(sex);
    if (!rc) *out = ll;
    return rc;
}

static int leaf(jctx *X) {
    const kin_case *c = X->c;
    double ll = 0;
    for (int v = 0; v < c->nvic; v++)
        if (X->assign[v] < 0) ll += X->vll[v];
    for (int f = 0; f < c->nfam && ll > -INFINITY; f++) {
        int nk = X->nfmiss[f];
        for (int k = 0; k < nk; k++) X->key[k] = -1;
        for (int v = 0; v < c->nvic; v++) {
            int j = X->assign[v];
            if (j >= 0 && c->miss[j].fam == f)
                for (int k = 0; k < nk; k++)
                    if (X->fmiss[f][k] == j) X->key[k] = (int16_t)v;
        }
        int found;
        hent *e = hfind(&X->cache, f, X->key, nk, &found);
        if (!e) return PU_ERR_NOMEM;
        if (!found) {
            const kin_family *F = &c->fam[f];
            for (int i = 0; i < F->n; i++) X->place[i] = -1;
            for (int k = 0; k < nk; k++) X->place[c->miss[X->fmiss[f][k]].person] = X->key[k];
            int rc = fam_loglik_cached(X, f, nk, &e->val);
            if (rc) return rc;
        }
        ll += e->val;
    }
    kin_joint *J = X->J;
    if (J->n >= X->max_rows)
        return pu_fail(X->err, PU_ERR_LIMIT, NULL, "joint", "more than %ld joint assignments; restrict the search",
                       X->max_rows);
    if (J->n == X->cap) {
        long nc = X->cap ? X->cap * 2 : 1024;
        kin_joint_row *nr = realloc(J->row, (size_t)nc * sizeof *nr);
        if (!nr) return PU_ERR_NOMEM;
        J->row = nr;
        X->cap = nc;
    }
    kin_joint_row *r = &J->row[J->n];
    r->assign = malloc((size_t)(c->nvic ? c->nvic : 1) * sizeof(int));
    if (!r->assign) return PU_ERR_NOMEM;
    memcpy(r->assign, X->assign, (size_t)c->nvic * sizeof(int));
    r->loglik = ll;
    J->n++;
    return PU_OK;
}

static int enumerate(jctx *X, int v) {
    const kin_case *c = X->c;
    if (v == c->nvic) return leaf(X);
    X->assign[v] = -1;
    int rc = enumerate(X, v + 1);
    if (rc || (X->vmask && !X->vmask[v])) return rc;
    for (int j = 0; j < c->nmiss && !rc; j++) {
        if (X->used[j] || (X->mmask && !X->mmask[j])) continue;
        if (!kin_sex_ok(c->vic[v].sex, c->fam[c->miss[j].fam].p[c->miss[j].person].sex)) continue;
        X->used[j] = 1;
        X->assign[v] = j;
        rc = enumerate(X, v + 1);
        X->assign[v] = -1;
        X->used[j] = 0;
    }
    return rc;
}

static int nvic_cmp;
static int row_cmp(const void *a, const void *b) {
    const kin_joint_row *x = a, *y = b;
    if (x->loglik > y->loglik) return -1;
    if (x->loglik < y->loglik) return 1;
    for (int i = 0; i < nvic_cmp; i++)
        if (x->assign[i] != y->assign[i]) return x->assign[i] < y->assign[i] ? -1 : 1;
    return 0;
}

void kin_joint_free(kin_joint *J) {
    if (!J) return;
    for (long i = 0; i < J->n; i++) free(J->row[i].assign);
    free(J->row);
    free(J->post);
    free(J);
}

int kin_joint_run(const kin_case *c, const kin_opts *o, const char *only_vic, const char *only_miss, long max_rows,
                  kin_joint **out, pu_err *err) {
    *out = NULL;
    int rc = kin_db_prepare(c->db, err);
    if (rc) return rc;
    kin_joint *J = calloc(1, sizeof *J);
    jctx X = {.c = c, .o = o, .vmask = only_vic, .mmask = only_miss, .J = J, .max_rows = max_rows > 0 ? max_rows : 5000000,
              .err = err};
    int maxn = 1;
    for (int f = 0; f < c->nfam; f++)
        if (c->fam[f].n > maxn) maxn = c->fam[f].n;
    X.assign = malloc((size_t)(c->nvic + 1) * sizeof(int));
    X.used = calloc((size_t)c->nmiss + 1, 1);
    X.vll = malloc((size_t)(c->nvic + 1) * sizeof(double));
    X.fmiss = calloc((size_t)c->nfam, sizeof(int *));
    X.nfmiss = calloc((size_t)c->nfam, sizeof(int));
    X.place = malloc((size_t)maxn * sizeof(int));
    X.key = malloc((size_t)(c->nmiss + 1) * sizeof(int16_t));
    if (!J || !X.assign || !X.used || !X.vll || !X.fmiss || !X.nfmiss || !X.place || !X.key) rc = PU_ERR_NOMEM;
    for (int f = 0; !rc && f < c->nfam; f++) {
        X.fmiss[f] = malloc((size_t)(c->nmiss + 1) * sizeof(int));
        if (!X.fmiss[f]) rc = PU_ERR_NOMEM;
        for (int j = 0; !rc && j < c->nmiss; j++)
            if (c->miss[j].fam == f && (!only_miss || only_miss[j])) X.fmiss[f][X.nfmiss[f]++] = j;
    }
    for (int v = 0; !rc && v < c->nvic; v++) rc = kin_vic_loglik(c, o, v, &X.vll[v], err);
    if (!rc) {
        J->nvic = c->nvic;
        J->nmiss = c->nmiss;
        rc = enumerate(&X, 0);
    }
    if (!rc) {
        nvic_cmp = c->nvic;
        qsort(J->row, (size_t)J->n, sizeof *J->row, row_cmp);
        J->post = calloc((size_t)(c->nmiss + 1) * (c->nvic ? c->nvic : 1), sizeof(double));
        if (!J->post) rc = PU_ERR_NOMEM;
    }
    if (!rc && J->n > 0 && J->row[0].loglik > -INFINITY) {
        double best = J->row[0].loglik, tot = 0;
        for (long i = 0; i < J->n; i++) {
            double w = exp(J->row[i].loglik - best);
            tot += w;
            for (int v = 0; v < c->nvic; v++) {
                int j = J->row[i].assign[v];
                J->post[(size_t)(j >= 0 ? j : c->nmiss) * c->nvic + v] += w;
            }
        }
        for (size_t k = 0; k < (size_t)(c->nmiss + 1) * c->nvic; k++) J->post[k] /= tot;
    }
    free(X.assign);
    free(X.used);
    free(X.vll);
    if (X.fmiss)
        for (int f = 0; f < c->nfam; f++) free(X.fmiss[f]);
    free(X.fmiss);
    free(X.nfmiss);
    free(X.place);
    free(X.key);
    hfree(&X.cache);
    hfree(&X.mcache);
    if (rc) {
        kin_joint_free(J);
        return rc;
    }
    *out = J;
    return PU_OK;
}

int kin_joint_loglik(const kin_case *c, const kin_opts *o, const int *assign, double *out, pu_err *err) {
    int rc = kin_db_prepare(c->db, err);
    double ll = 0;
    int maxn = 1;
    for (int f = 0; f < c->nfam; f++)
        if (c->fam[f].n > maxn) maxn = c->fam[f].n;
    int *place = malloc((size_t)maxn * sizeof(int));
    if (!place) return PU_ERR_NOMEM;
    for (int v = 0; !rc && v < c->nvic; v++)
        if (assign[v] < 0) {
            double x;
            rc = kin_vic_loglik(c, o, v, &x, err);
            ll += x;
        }
    for (int f = 0; !rc && f < c->nfam; f++) {
        for (int i = 0; i < c->fam[f].n; i++) place[i] = -1;
        for (int v = 0; v < c->nvic; v++)
            if (assign[v] >= 0 && c->miss[assign[v]].fam == f) place[c->miss[assign[v]].person] = v;
        double x;
        rc = kin_fam_loglik(c, o, f, place, 1, &x, err);
        ll += x;
    }
    free(place);
    if (!rc) *out = ll;
    return rc;
}
