/* kin_search.c - blind search of every PM profile against every missing
 * person of every family, at national scale.
 *
 * For a fixed family and marker, the likelihood of the family data as a
 * function of the missing person's genotype g is a vector; dividing by the
 * probability of g for an unrelated person gives the LR of any PM profile with
 * genotype g at that marker. The search computes these per-(family, marker)
 * tables once (log10, float), in blocks of families, then scores every PM by
 * table lookups. Each thread owns a share of the block's targets and scans all
 * PMs for each target, so the target's table stays in cache. A running bound
 * (score so far + best attainable on the remaining markers) drops a pair as
 * soon as it cannot reach the threshold. Only the best top_k pairs per PM above
 * the threshold are kept: the LR matrix is never materialised.
 *
 * Streaming (so->stream): no top-k. As soon as a worker has scored one target
 * against every PM, it counts the exclusions of that target's hits and hands
 * them to the callback under a mutex, so the first identifications of a
 * national-scale search appear within seconds instead of after the last block. */
#include "kin_internal.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double cpu_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

void kin_search_opts_default(kin_search_opts *o) {
    memset(o, 0, sizeof *o);
    o->threshold = 1e4;
    o->top_k = 5;
    o->threads = 0;
    o->block = 2048;
    o->max_incomp = 2;
    o->min_shared = 8;
}

static inline int gidx(int a, int b) {
    return a <= b ? b * (b + 1) / 2 + a : a * (a + 1) / 2 + b;
}

typedef struct shared {
    const kin_case *c;
    const kin_opts *o;
    const kin_search_opts *so;
    int nm;
    size_t *moff;          /* offset of marker m in a target's table */
    size_t tsize;          /* floats per target */
    int16_t *pmg;          /* nvic x nm genotype indices (-1 untyped) */
    int nthreads;
    /* current block */
    int b0, bn;            /* targets [b0, b0 + bn) */
    float *tab;            /* bn x tsize */
    float *rmax;           /* bn x (nm + 1): best attainable log10 LR from marker m on */
    atomic_int next;
    atomic_int fail;
    pu_err ferr;
    pthread_mutex_t mu;
    kin_hit *top;          /* nthreads x nvic x top_k */
    int *ntop;             /* nthreads x nvic */
    /* streaming: per-thread hit buffer (nvic each) and exclusion scratch */
    kin_hit *sbuf;
    double *slogm;         /* nthreads x nm */
    int *sinc;             /* nthreads x nm */
    kin_hit_cb cb;
    void *ud;
    atomic_ullong pairs, pruned;
} shared;

static int nthreads_of(int want) {
    if (want > 0) return want > 64 ? 64 : want;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (n > 64 ? 64 : (int)n) : 1;
}

/* Fill the log10 LR table of target j (global missing index). */
static int target_table(shared *S, int j, float *tab, float *rmax, pu_err *err) {
    const kin_case *c = S->c;
    const kin_family *F = &c->fam[c->miss[j].fam];
    int keep = c->miss[j].person, n = F->n;
    int *fa, *mo, *sex;
    int rc = kin_fam_arrays(F, 1, &fa, &mo, &sex);
    if (rc) return rc;
    int16_t *gt = malloc((size_t)2 * (n + 1) * sizeof(int16_t));
    double *T = malloc((size_t)KIN_MAX_ALLELES * KIN_MAX_ALLELES * sizeof(double));
    double *T2 = S->o->theta > 0 ? malloc((size_t)KIN_MAX_ALLELES * KIN_MAX_ALLELES * sizeof(double)) : NULL;
    if (!gt || !T || (S->o->theta > 0 && !T2)) rc = PU_ERR_NOMEM;
    for (int m = 0; !rc && m < S->nm; m++) {
        const kin_marker *mk = &c->db->m[m];
        int k = mk->n;
        float *t = tab + S->moff[m];
        kin_fam_gt(c, F, m, gt);
        int any = 0;
        for (int i = 0; i < n; i++) any |= gt[2 * i] >= 0;
        if (!any) { /* no relative typed: the marker carries no information */
            for (size_t g = 0; g < S->moff[m + 1] - S->moff[m]; g++) t[g] = 0;
            rmax[m] = 0;
            continue;
        }
        rc = kin_ped_lik(mk, n, fa, mo, sex, gt, S->o->theta, 1, keep, T, err);
        if (rc) break;
        double L0 = 0;
        if (T2) {
            gt[2 * n] = gt[2 * n + 1] = KIN_UNTYPED;
            rc = kin_ped_lik(mk, n + 1, fa, mo, sex, gt, S->o->theta, 1, n, T2, err);
            if (rc) break;
        } else {
            for (int a = 0; a < k * k; a++) L0 += T[a];
        }
        float best = -INFINITY;
        for (int b = 0; b < k; b++)
            for (int a = 0; a <= b; a++) {
                double num = a == b ? T[a * k + a] : T[a * k + b] + T[b * k + a];
                double den = T2 ? (a == b ? T2[a * k + a] : T2[a * k + b] + T2[b * k + a])
                                : L0 * kin_geno_prob(mk, a, b);
                float v = den > 0 && num > 0 ? (float)log10(num / den) : -INFINITY;
                t[gidx(a, b)] = v;
                if (v > best) best = v;
            }
        rmax[m] = best;
    }
    /* suffix sums: the best the remaining markers can add */
    if (!rc) {
        rmax[S->nm] = 0;
        for (int m = S->nm - 1; m >= 0; m--) rmax[m] = rmax[m + 1] + (rmax[m] > 0 ? rmax[m] : 0);
    }
    free(gt), free(T), free(T2);
    free(fa), free(mo), free(sex);
    return rc;
}

/* top is sorted best first and holds *n <= k hits */
static void insert_top(kin_hit *top, int *n, int k, const kin_hit *h) {
    int i;
    if (*n < k) {
        i = (*n)++;
    } else {
        if (top[k - 1].log10lr >= h->log10lr) return;
        i = k - 1;
    }
    while (i > 0 && top[i - 1].log10lr < h->log10lr) {
        top[i] = top[i - 1];
        i--;
    }
    top[i] = *h;
}

/* The three markers with the largest log10 LR of PM genotypes g (nm markers). */
static void fill_drivers(kin_hit *h, const float *tab, const size_t *moff, const int16_t *g, int nm) {
    for (int m = 0; m < nm; m++) {
        if (g[m] < 0) continue;
        float x = tab[moff[m] + (size_t)g[m]];
        for (int d = 0; d < 3; d++)
            if (h->drivers[d] < 0 || x > h->driver_log10[d]) {
                for (int e = 2; e > d; e--) h->drivers[e] = h->drivers[e - 1], h->driver_log10[e] = h->driver_log10[e - 1];
                h->drivers[d] = m, h->driver_log10[d] = x;
                break;
            }
    }
}

/* Record the first failure of any thread (the others stop at their next item). */
static void set_fail(shared *S, int rc, const pu_err *err) {
    pthread_mutex_lock(&S->mu);
    if (!S->fail) {
        S->fail = rc;
        if (err) S->ferr = *err;
        else pu_fail(&S->ferr, rc, NULL, NULL, "%s", pu_strerror(rc));
    }
    pthread_mutex_unlock(&S->mu);
}

/* Streaming: count the exclusions of one target's n hits, drop those over
 * max_incomp and pass the rest to the callback (one thread at a time). */
static int emit_stream(shared *S, int tid, kin_hit *h, int n) {
    const kin_case *c = S->c;
    double *logm = S->slogm + (size_t)tid * S->nm;
    int *inc = S->sinc + (size_t)tid * S->nm;
    pu_err err;
    pu_err_clear(&err);
    int kept = 0, rc = PU_OK;
    for (int i = 0; i < n && !rc; i++) {
        rc = kin_pair_markers(c, S->o, h[i].vic, h[i].miss, logm, inc, &err);
        int ex = 0;
        for (int m = 0; m < S->nm; m++) ex += inc[m];
        h[i].excluded = ex;
        if (ex <= S->so->max_incomp) h[kept++] = h[i];
    }
    if (rc) {
        set_fail(S, rc, &err);
        return rc;
    }
    if (!kept) return PU_OK;
    pthread_mutex_lock(&S->mu);
    if (!S->fail) {
        rc = S->cb(S->ud, h, kept);
        if (rc) {
            S->fail = rc;
            pu_fail(&S->ferr, rc, NULL, NULL, "the hit callback stopped the search");
        }
    } else {
        rc = S->fail;
    }
    pthread_mutex_unlock(&S->mu);
    return rc;
}

static int score_target(shared *S, int tid, int bj) {
    const kin_case *c = S->c;
    int j = S->b0 + bj, nm = S->nm, k = S->so->top_k, stream = S->so->stream;
    const float *tab = S->tab + (size_t)bj * S->tsize;
    const float *rmax = S->rmax + (size_t)bj * (nm + 1);
    float thr = (float)log10(S->so->threshold);
    int msex = c->fam[c->miss[j].fam].p[c->miss[j].person].sex;
    kin_hit *top = stream ? NULL : S->top + (size_t)tid * c->nvic * k;
    int *ntop = stream ? NULL : S->ntop + (size_t)tid * c->nvic;
    kin_hit *sb = stream ? S->sbuf + (size_t)tid * c->nvic : NULL;
    int ns = 0;
    uint64_t pairs = 0, pruned = 0;
    for (int v = 0; v < c->nvic; v++) {
        if (!kin_sex_ok(c->vic[v].sex, msex)) continue;
        pairs++;
        const int16_t *g = S->pmg + (size_t)v * nm;
        float s = 0;
        int m;
        for (m = 0; m < nm; m++) {
            if (g[m] >= 0) s += tab[S->moff[m] + (size_t)g[m]];
            /* prefilter: even the best remaining markers cannot reach the threshold */
            if (s + rmax[m + 1] < thr) break;
        }
        if (m < nm) pruned++;
        if (m < nm || s < thr) continue;
        /* keep the worst kept score handy: skip when not better */
        if (!stream && ntop[v] == k && top[(size_t)v * k + k - 1].log10lr >= s) continue;
        kin_hit h = {.vic = v, .miss = j, .log10lr = s, .excluded = -1, .drivers = {-1, -1, -1}};
        fill_drivers(&h, tab, S->moff, g, nm);
        if (stream) sb[ns++] = h;
        else insert_top(&top[(size_t)v * k], &ntop[v], k, &h);
    }
    atomic_fetch_add(&S->pairs, pairs);
    atomic_fetch_add(&S->pruned, pruned);
    int rc = ns ? emit_stream(S, tid, sb, ns) : PU_OK;
    /* progress for a caller polling a running search (a job's percentage);
     * counted after the target's hits are passed on */
    if (S->so->progress) atomic_fetch_add_explicit(S->so->progress, 1, memory_order_relaxed);
    return rc;
}

typedef struct targ {
    shared *S;
    int tid;
    int phase; /* 0 tables, 1 scoring */
} targ;

static void *worker(void *p) {
    targ *a = p;
    shared *S = a->S;
    pu_err err;
    for (;;) {
        int bj = atomic_fetch_add(&S->next, 1);
        if (bj >= S->bn || S->fail) break; /* racy read of fail: only stops early */
        if (a->phase == 0) {
            int rc = target_table(S, S->b0 + bj, S->tab + (size_t)bj * S->tsize, S->rmax + (size_t)bj * (S->nm + 1),
                                  &err);
            if (rc) {
                set_fail(S, rc, &err);
                break;
            }
        } else if (score_target(S, a->tid, bj)) {
            break;
        }
    }
    return NULL;
}

static int run_phase(shared *S, int phase) {
    pthread_t th[64];
    targ ta[64];
    char made[64] = {0};
    atomic_store(&S->next, 0);
    for (int t = 0; t < S->nthreads; t++) {
        ta[t] = (targ){S, t, phase};
        if (S->nthreads > 1 && pthread_create(&th[t], NULL, worker, &ta[t]) == 0) made[t] = 1;
        else worker(&ta[t]); /* one thread, or no more threads: work here */
    }
    for (int t = 0; t < S->nthreads; t++)
        if (made[t]) pthread_join(th[t], NULL);
    return S->fail;
}

static int hit_cmp(const void *a, const void *b) {
    const kin_hit *x = a, *y = b;
    return x->log10lr > y->log10lr ? -1 : x->log10lr < y->log10lr ? 1 : x->miss - y->miss;
}

/* Merge the threads' top-k candidates per PM, count exclusions, emit per PM. */
static int emit_topk(shared *S, pu_err *err) {
    const kin_case *c = S->c;
    int nm = S->nm, k = S->so->top_k, rc = PU_OK;
    kin_hit *merged = malloc((size_t)S->nthreads * k * sizeof(kin_hit) + 1);
    double *logm = malloc((size_t)(nm ? nm : 1) * sizeof(double));
    int *inc = malloc((size_t)(nm ? nm : 1) * sizeof(int));
    if (!merged || !logm || !inc) rc = PU_ERR_NOMEM;
    for (int v = 0; !rc && v < c->nvic; v++) {
        int n = 0;
        for (int t = 0; t < S->nthreads; t++) {
            int nt = S->ntop[(size_t)t * c->nvic + v];
            memcpy(&merged[n], &S->top[((size_t)t * c->nvic + v) * k], (size_t)nt * sizeof(kin_hit));
            n += nt;
        }
        if (n == 0) continue;
        qsort(merged, (size_t)n, sizeof *merged, hit_cmp);
        int kept = 0;
        for (int i = 0; i < n && kept < k && !rc; i++) {
            rc = kin_pair_markers(c, S->o, v, merged[i].miss, logm, inc, err);
            int ex = 0;
            for (int m = 0; m < nm; m++) ex += inc[m];
            merged[i].excluded = ex;
            if (ex <= S->so->max_incomp) merged[kept++] = merged[i];
        }
        if (!rc && kept) rc = S->cb(S->ud, merged, kept);
    }
    free(merged), free(logm), free(inc);
    return rc;
}

/* Allocate the per-run buffers (top-k lists or streaming buffers, tables). */
static int search_alloc(shared *S, int block) {
    const kin_case *c = S->c;
    int nm = S->nm, k = S->so->stream ? 0 : S->so->top_k;
    size_t nv = (size_t)(c->nvic ? c->nvic : 1), nt = (size_t)S->nthreads;
    S->moff = malloc((size_t)(nm + 1) * sizeof(size_t));
    S->pmg = malloc(nv * (nm ? nm : 1) * sizeof(int16_t));
    if (S->so->stream) {
        S->sbuf = malloc(nt * nv * sizeof(kin_hit));
        S->slogm = malloc(nt * (nm ? nm : 1) * sizeof(double));
        S->sinc = malloc(nt * (nm ? nm : 1) * sizeof(int));
        if (!S->sbuf || !S->slogm || !S->sinc) return PU_ERR_NOMEM;
    } else {
        S->top = malloc(nt * nv * k * sizeof(kin_hit));
        S->ntop = calloc(nt * nv, sizeof(int));
        if (!S->top || !S->ntop) return PU_ERR_NOMEM;
    }
    if (!S->moff || !S->pmg) return PU_ERR_NOMEM;
    S->moff[0] = 0;
    for (int m = 0; m < nm; m++) {
        size_t n = (size_t)c->db->m[m].n;
        S->moff[m + 1] = S->moff[m] + n * (n + 1) / 2;
    }
    S->tsize = S->moff[nm];
    for (int v = 0; v < c->nvic; v++)
        for (int m = 0; m < nm; m++) {
            const int16_t *g = &c->vic[v].g[2 * m];
            S->pmg[(size_t)v * nm + m] = (int16_t)(g[0] >= 0 ? gidx(g[0], g[1]) : -1);
        }
    S->tab = malloc((size_t)block * S->tsize * sizeof(float));
    S->rmax = malloc((size_t)block * (nm + 1) * sizeof(float));
    return S->tab && S->rmax ? PU_OK : PU_ERR_NOMEM;
}

int kin_search_run(const kin_case *c, const kin_opts *o, const kin_search_opts *so, kin_hit_cb cb, void *ud,
                   kin_search_stats *stats, pu_err *err) {
    int rc = kin_db_prepare(c->db, err);
    if (rc) return rc;
    if ((!so->stream && so->top_k <= 0) || so->block <= 0)
        return pu_fail(err, PU_ERR_INVALID, NULL, "top_k", "top_k and block must be positive (top_k may be 0 only when streaming)");
    if (!(so->threshold > 0))
        return pu_fail(err, PU_ERR_INVALID, NULL, "threshold", "the LR threshold must be a positive number");
    shared S;
    memset(&S, 0, sizeof S);
    S.c = c, S.o = o, S.so = so, S.nm = c->db->n, S.cb = cb, S.ud = ud;
    S.nthreads = nthreads_of(so->threads);
    pthread_mutex_init(&S.mu, NULL);
    int block = so->block < c->nmiss ? so->block : (c->nmiss ? c->nmiss : 1);
    rc = search_alloc(&S, block);
    if (rc) pu_fail(err, rc, NULL, NULL, "out of memory for the search buffers");
    double ttab = 0, tscore = 0, ctab = 0, cscore = 0;
    for (int b0 = 0; !rc && b0 < c->nmiss; b0 += block) {
        S.b0 = b0;
        S.bn = c->nmiss - b0 < block ? c->nmiss - b0 : block;
        double t0 = pu_monotonic(), c0 = cpu_now();
        rc = run_phase(&S, 0);
        double t1 = pu_monotonic(), c1 = cpu_now();
        ttab += t1 - t0;
        ctab += c1 - c0;
        if (!rc) rc = run_phase(&S, 1);
        tscore += pu_monotonic() - t1;
        cscore += cpu_now() - c1;
        if (rc && err) *err = S.ferr;
    }
    if (!rc && !so->stream) rc = emit_topk(&S, err);
    if (stats) {
        stats->pairs = atomic_load(&S.pairs);
        stats->pruned = atomic_load(&S.pruned);
        stats->targets = c->nmiss;
        stats->table_seconds = ttab;
        stats->score_seconds = tscore;
        stats->table_cpu = ctab;
        stats->score_cpu = cscore;
    }
    free(S.moff), free(S.pmg), free(S.top), free(S.ntop), free(S.tab), free(S.rmax);
    free(S.sbuf), free(S.slogm), free(S.sinc);
    pthread_mutex_destroy(&S.mu);
    return rc;
}

/* ---- PM x PM ------------------------------------------------------------- */

typedef struct pmctx {
    const kin_case *c;
    const kin_search_opts *so;
    const int16_t *g;      /* nvic x nm genotype indices, contiguous: the scan is cache-friendly */
    const float *w;        /* nvic x nm: -log10 P(genotype) */
    int nm;
    atomic_int next;
    kin_hit *hits;         /* nvic x top_k (streaming: unused) */
    int *nh;
    kin_hit_cb cb;         /* streaming: called per PM from the workers */
    void *ud;
    pthread_mutex_t mu;
    atomic_int fail;
} pmctx;

/* Streaming: hand one PM's direct matches to the callback, one thread at a time. */
static int pm_emit(pmctx *X, const kin_hit *h, int n) {
    int rc;
    pthread_mutex_lock(&X->mu);
    rc = X->fail ? X->fail : X->cb(X->ud, h, n);
    if (rc && !X->fail) X->fail = rc;
    pthread_mutex_unlock(&X->mu);
    return rc;
}

static void *pm_worker(void *p) {
    pmctx *X = p;
    const kin_case *c = X->c;
    int nm = X->nm, k = X->so->top_k > 0 ? X->so->top_k : 1, stream = X->so->stream;
    float thr = (float)log10(X->so->threshold);
    kin_hit *mine = stream ? malloc((size_t)(c->nvic ? c->nvic : 1) * sizeof *mine) : NULL;
    if (stream && !mine) {
        if (!X->fail) X->fail = PU_ERR_NOMEM;
        return NULL;
    }
    for (;;) {
        int v = atomic_fetch_add(&X->next, 1);
        if (v >= c->nvic || X->fail) break;
        int nmine = 0;
        const int16_t *a = X->g + (size_t)v * nm;
        for (int w = 0; w < c->nvic; w++) {
            if (w == v) continue;
            const int16_t *b = X->g + (size_t)w * nm;
            int shared = 0, m;
            for (m = 0; m < nm; m++) {
                if (a[m] < 0 || b[m] < 0) continue;
                if (a[m] != b[m]) break;
                shared++;
            }
            if (m < nm || shared < X->so->min_shared || !kin_sex_ok(c->vic[v].sex, c->vic[w].sex)) continue;
            float s = 0;
            for (m = 0; m < nm; m++)
                if (a[m] >= 0 && b[m] >= 0) s += X->w[(size_t)v * nm + m];
            if (s < thr) continue;
            kin_hit h = {.vic = v, .miss = w, .log10lr = s, .excluded = 0, .drivers = {-1, -1, -1}};
            if (stream) mine[nmine++] = h;
            else insert_top(&X->hits[(size_t)v * k], &X->nh[v], k, &h);
        }
        if (nmine && pm_emit(X, mine, nmine)) break;
    }
    free(mine);
    return NULL;
}

int kin_search_pmpm(const kin_case *c, const kin_search_opts *so, kin_hit_cb cb, void *ud, pu_err *err) {
    int nm = c->db->n, k = so->top_k > 0 && !so->stream ? so->top_k : 1, rc = PU_OK;
    size_t nv = (size_t)(c->nvic ? c->nvic : 1);
    pmctx X = {.c = c, .so = so, .nm = nm, .cb = cb, .ud = ud};
    pthread_mutex_init(&X.mu, NULL);
    int16_t *g = malloc(nv * (nm ? nm : 1) * sizeof *g);
    float *w = malloc(nv * (nm ? nm : 1) * sizeof *w);
    X.hits = malloc(nv * k * sizeof *X.hits);
    X.nh = calloc(nv, sizeof *X.nh);
    if (!g || !w || !X.hits || !X.nh) rc = pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    for (int v = 0; !rc && v < c->nvic; v++)
        for (int m = 0; m < nm; m++) {
            const int16_t *x = &c->vic[v].g[2 * m];
            g[(size_t)v * nm + m] = (int16_t)(x[0] >= 0 ? gidx(x[0], x[1]) : -1);
            w[(size_t)v * nm + m] = x[0] >= 0 ? (float)-log10(kin_geno_prob(&c->db->m[m], x[0], x[1])) : 0;
        }
    X.g = g, X.w = w;
    if (!rc) {
        int nt = nthreads_of(so->threads);
        pthread_t th[64];
        char made[64] = {0};
        for (int t = 0; t < nt; t++)
            if (nt > 1 && pthread_create(&th[t], NULL, pm_worker, &X) == 0) made[t] = 1;
            else pm_worker(&X);
        for (int t = 0; t < nt; t++)
            if (made[t]) pthread_join(th[t], NULL);
        rc = X.fail;
        if (rc == PU_ERR_NOMEM) pu_fail(err, rc, NULL, NULL, "out of memory");
    }
    for (int v = 0; !rc && !so->stream && v < c->nvic; v++)
        if (X.nh[v]) rc = cb(ud, &X.hits[(size_t)v * k], X.nh[v]);
    free(g), free(w), free(X.hits), free(X.nh);
    pthread_mutex_destroy(&X.mu);
    return rc;
}
