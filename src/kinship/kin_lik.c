/* kin_lik.c - one-marker pedigree likelihood by variable elimination over
 * allele-level variables (person i has variables 2i = paternal allele and
 * 2i+1 = maternal allele). On a loop-free pedigree, eliminating from the leaves
 * is Elston-Stewart peeling; the greedy order below finds such an order and
 * also handles loops (at a higher cost). */
#include "kinship/kinship.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <pthread.h>

#define MAXFV 16                   /* variables per factor */
#define MAX_FACTOR_CELLS (1u << 24) /* 128 MiB of doubles */
#define MAX_THETA_LEAVES 50000000.0

/* Per-thread bump arena: a likelihood call makes hundreds of small tables,
 * and malloc/free for each dominated the run time (joint search, ASan). The
 * arena is reset per call and grows between calls when a call overflowed. */
typedef struct arena {
    char *buf;
    size_t cap, used;
    size_t overflow;       /* bytes served by malloc in this call */
    void **extra;          /* those blocks */
    int nextra, capextra;
} arena;

static pthread_key_t arena_key;
static pthread_once_t arena_once = PTHREAD_ONCE_INIT;

static void arena_destroy(void *p) {
    arena *A = p;
    if (!A) return;
    free(A->buf);
    free(A->extra);
    free(A);
}
static void arena_init_key(void) {
    pthread_key_create(&arena_key, arena_destroy);
}

static arena *arena_get(void) {
    pthread_once(&arena_once, arena_init_key);
    arena *A = pthread_getspecific(arena_key);
    if (!A) {
        A = calloc(1, sizeof *A);
        if (!A) return NULL;
        pthread_setspecific(arena_key, A);
    }
    A->used = 0;
    return A;
}

static void *ar_alloc(arena *A, size_t n) {
    n = (n + 15) & ~(size_t)15;
    if (A->used + n <= A->cap) {
        void *p = A->buf + A->used;
        A->used += n;
        return p;
    }
    if (A->nextra == A->capextra) {
        int nc = A->capextra ? 2 * A->capextra : 16;
        void **ne = realloc(A->extra, (size_t)nc * sizeof *ne);
        if (!ne) return NULL;
        A->extra = ne;
        A->capextra = nc;
    }
    void *p = malloc(n);
    if (!p) return NULL;
    A->extra[A->nextra++] = p;
    A->overflow += n;
    return p;
}

/* End of a call: free overflow blocks; grow the arena for the next call. */
static void arena_done(arena *A) {
    if (!A) return;
    for (int i = 0; i < A->nextra; i++) free(A->extra[i]);
    A->nextra = 0;
    if (A->overflow) {
        size_t want = (A->used + A->overflow) * 2;
        if (want > ((size_t)1 << 28)) want = (size_t)1 << 28; /* keep at most 256 MiB per thread */
        if (want > A->cap) {
            char *nb = malloc(want);
            if (nb) {
                free(A->buf);
                A->buf = nb;
                A->cap = want;
            }
        }
    }
    A->overflow = 0;
    A->used = 0;
}

typedef struct fac {
    int nv;
    int v[MAXFV];
    size_t size;
    double *t;      /* first variable varies fastest */
    int dead;
} fac;

typedef struct net {
    arena *A;
    int nvar;
    int *dsize;          /* domain size per variable */
    int16_t *dom;        /* dom[v * 2 + k] when dsize <= 2 (typed) */
    int nall;            /* alleles in the (possibly lumped) space */
    int16_t *full;       /* reduced index -> original allele (-1 = the lump) */
    double *p;           /* founder frequencies, reduced space */
    double *M[2];        /* reduced matrices, NULL = no mutation */
    fac *f;
    int nf, capf;
} net;

/* allele value of position k in variable v's domain */
static inline int dval(const net *N, int v, int k) {
    return N->dsize[v] <= 2 && N->dom[v * 2] >= 0 ? N->dom[v * 2 + k] : k;
}

static void net_free(net *N) {
    free(N->f);
    arena_done(N->A);
}

static fac *new_fac(net *N, int nv, const int *v, pu_err *err, int *rc) {
    size_t size = 1;
    for (int i = 0; i < nv; i++) {
        size *= (size_t)N->dsize[v[i]];
        if (size > MAX_FACTOR_CELLS) {
            *rc = pu_fail(err, PU_ERR_LIMIT, NULL, "pedigree",
                          "the likelihood needs a table of more than %u cells (a pedigree with many loops or "
                          "too many untyped alleles)", MAX_FACTOR_CELLS);
            return NULL;
        }
    }
    if (N->nf == N->capf) {
        int nc = N->capf ? 2 * N->capf : 64;
        fac *nf = realloc(N->f, (size_t)nc * sizeof *nf);
        if (!nf) {
            *rc = PU_ERR_NOMEM;
            return NULL;
        }
        N->f = nf;
        N->capf = nc;
    }
    fac *F = &N->f[N->nf];
    memset(F, 0, sizeof *F);
    F->nv = nv;
    memcpy(F->v, v, (size_t)nv * sizeof(int));
    F->size = size;
    F->t = ar_alloc(N->A, size * sizeof(double));
    if (!F->t) {
        *rc = PU_ERR_NOMEM;
        return NULL;
    }
    N->nf++;
    return F;
}

/* Build the reduced allele space: observed alleles, plus one lump for the
 * rest when the mutation model is lumpable (none/equal/proportional), as
 * pedprobr does. `nolump` keeps every allele (used for genotype tables). */
static int net_alleles(net *N, const kin_marker *mk, int npers, const int16_t *gt, int mutate, int nolump,
                       int force) {
    int n = mk->n;
    const double *Mf[2] = {mutate ? mk->mat[0] : NULL, mutate ? mk->mat[1] : NULL};
    int lumpable = 1;
    for (int s = 0; s < 2; s++)
        if (Mf[s] && mk->mut[s].kind != KIN_MUT_EQUAL && mk->mut[s].kind != KIN_MUT_PROPORTIONAL) lumpable = 0;
    int16_t *map = ar_alloc(N->A, (size_t)n * sizeof(int16_t));
    N->full = ar_alloc(N->A, (size_t)(n + 1) * sizeof(int16_t));
    N->p = ar_alloc(N->A, (size_t)(n + 1) * sizeof(double));
    if (!map || !N->full || !N->p) return PU_ERR_NOMEM;
    for (int a = 0; a < n; a++) map[a] = -1;
    int k = 0;
    if (!lumpable || nolump) {
        for (int a = 0; a < n; a++) map[a] = (int16_t)a, N->full[a] = (int16_t)a;
        k = n;
    } else {
        for (int i = 0; i < 2 * npers; i++) {
            int a = gt[i];
            if (a >= 0 && map[a] < 0) {
                map[a] = (int16_t)k;
                N->full[k++] = (int16_t)a;
            }
        }
        /* the silent allele changes what is observed: never lumped */
        if (force >= 0 && map[force] < 0) map[force] = (int16_t)k, N->full[k++] = (int16_t)force;
        if (n - k >= 2) {
            N->full[k++] = -1;  /* the lump */
        } else {
            for (int a = 0; a < n; a++)
                if (map[a] < 0) map[a] = (int16_t)k, N->full[k++] = (int16_t)a;
        }
    }
    N->nall = k;
    int y0 = -1; /* a representative member of the lump */
    for (int a = 0; a < n && y0 < 0; a++)
        if (map[a] < 0) y0 = a;
    for (int i = 0; i < k; i++) {
        if (N->full[i] >= 0) {
            N->p[i] = mk->freq[N->full[i]];
        } else {
            /* as pedprobr: the lump takes 1 - (observed), so that frequency
             * files summing to 1 +- 1e-10 give untyped founders probability 1 */
            double s = 0, obs = 0;
            for (int a = 0; a < n; a++) {
                if (map[a] < 0) s += mk->freq[a];
                else obs += mk->freq[a];
            }
            N->p[i] = obs < 1 ? 1 - obs : s;
        }
    }
    for (int s = 0; s < 2; s++) {
        if (!Mf[s]) continue;
        N->M[s] = ar_alloc(N->A, (size_t)k * k * sizeof(double));
        if (!N->M[s]) return PU_ERR_NOMEM;
        for (int i = 0; i < k; i++) {
            int fi = N->full[i] >= 0 ? N->full[i] : y0;
            for (int j = 0; j < k; j++) {
                double v = 0;
                if (N->full[j] >= 0) {
                    v = Mf[s][fi * n + N->full[j]];
                } else {
                    for (int a = 0; a < n; a++)
                        if (map[a] < 0) v += Mf[s][fi * n + a];
                }
                N->M[s][i * k + j] = v;
            }
        }
    }
    return PU_OK;
}

/* ---- dropout, drop-in, silent alleles ------------------------------------ */

/* Is the allele set {s[0..ns)} (distinct) equal to the observed {o1, o2}? */
static int set_is_obs(const int *s, int ns, int o1, int o2) {
    if (o1 == o2) return ns == 1 && s[0] == o1;
    return ns == 2 && ((s[0] == o1 && s[1] == o2) || (s[0] == o2 && s[1] == o1));
}

/* P(observed {o1,o2} | true {x,y}) over an allele space with frequencies
 * p[nall] and silent allele `silent` (-1 = none). Each allele copy survives
 * with 1 - d (a silent copy never shows); then no drop-in (1 - c) or one
 * drop-in allele z with c * p[z] (a silent or already present z adds
 * nothing visible). docs/kinship.md has the closed forms. */
static double ev_prob_core(const double *p, int nall, int silent, int o1, int o2, int x, int y, double d, double c) {
    int S[4][2], ns[4], k = 0;
    double w[4];
    if (x == y) {
        double dd = x == silent ? 1 : d * d; /* both copies drop out */
        S[k][0] = x, ns[k] = 1, w[k++] = 1 - dd;
        ns[k] = 0, w[k++] = dd;
    } else {
        double dx = x == silent ? 1 : d, dy = y == silent ? 1 : d;
        S[k][0] = x, S[k][1] = y, ns[k] = 2, w[k++] = (1 - dx) * (1 - dy);
        S[k][0] = x, ns[k] = 1, w[k++] = (1 - dx) * dy;
        S[k][0] = y, ns[k] = 1, w[k++] = dx * (1 - dy);
        ns[k] = 0, w[k++] = dx * dy;
    }
    double sum = 0;
    for (int i = 0; i < k; i++) {
        if (w[i] == 0) continue;
        double t = set_is_obs(S[i], ns[i], o1, o2) ? 1 - c : 0;
        for (int z = 0; c > 0 && z < nall; z++) {
            if (p[z] == 0) continue;
            int s2[3] = {0, 0, 0}, n2 = ns[i], dup = z == silent;
            for (int j = 0; j < ns[i]; j++) s2[j] = S[i][j], dup |= S[i][j] == z;
            if (!dup) s2[n2++] = z;
            if (n2 <= 2 && set_is_obs(s2, n2, o1, o2)) t += c * p[z];
        }
        sum += w[i] * t;
    }
    return sum;
}

double kin_ev_prob(const kin_marker *mk, int o1, int o2, int x, int y, const kin_ev *ev) {
    return ev_prob_core(mk->freq, mk->n, mk->silent, o1, o2, x, y, ev ? ev->d : 0, ev ? ev->c : 0);
}

static int ev_soft(const kin_marker *mk, const kin_ev *ev, int i) {
    return mk->silent >= 0 || (ev && (ev[i].d > 0 || ev[i].c > 0));
}

/* Transmission factor P(child allele c | parent alleles x, y) over (x, y, c). */
static int add_trans(net *N, int parent, int childvar, int psex, pu_err *err) {
    int v[3] = {2 * parent, 2 * parent + 1, childvar};
    int rc = PU_OK;
    fac *F = new_fac(N, 3, v, err, &rc);
    if (!F) return rc;
    const double *M = N->M[psex == 2 ? 0 : 1];
    int k = N->nall;
    int d0 = N->dsize[v[0]], d1 = N->dsize[v[1]], d2 = N->dsize[v[2]];
    size_t idx = 0;
    for (int c = 0; c < d2; c++) {
        int cv = dval(N, v[2], c);
        for (int y = 0; y < d1; y++) {
            int yv = dval(N, v[1], y);
            for (int x = 0; x < d0; x++) {
                int xv = dval(N, v[0], x);
                double px = M ? M[xv * k + cv] : (xv == cv);
                double py = M ? M[yv * k + cv] : (yv == cv);
                F->t[idx++] = 0.5 * (px + py);
            }
        }
    }
    return PU_OK;
}

/* Multiply the factors that mention `x`, sum x out, and add the result. */
static int eliminate(net *N, int x, pu_err *err) {
    int scope[MAXFV * 4], ns = 0;
    int which[256], nw = 0;
    for (int i = 0; i < N->nf; i++) {
        fac *F = &N->f[i];
        if (F->dead) continue;
        int has = 0;
        for (int j = 0; j < F->nv; j++) has |= F->v[j] == x;
        if (!has) continue;
        if (nw == 256) return pu_fail(err, PU_ERR_LIMIT, NULL, "pedigree", "an allele joins more than 256 factors");
        which[nw++] = i;
        for (int j = 0; j < F->nv; j++) {
            int v = F->v[j], seen = v == x;
            for (int s = 0; s < ns && !seen; s++) seen = scope[s] == v;
            if (!seen) {
                if (ns == MAXFV)
                    return pu_fail(err, PU_ERR_LIMIT, NULL, "pedigree",
                                   "the pedigree is too entangled for exact peeling (more than %d joint alleles)",
                                   MAXFV);
                scope[ns++] = v;
            }
        }
    }
    if (nw == 0) return PU_OK;
    int rc = PU_OK;
    fac *R = new_fac(N, ns, scope, err, &rc);
    if (!R) return rc;
    /* strides of each member factor, expressed over scope positions + x */
    size_t str[256][MAXFV + 1];
    for (int w = 0; w < nw; w++) {
        fac *F = &N->f[which[w]];
        for (int s = 0; s <= ns; s++) str[w][s] = 0;
        size_t st = 1;
        for (int j = 0; j < F->nv; j++) {
            int pos = ns; /* x */
            for (int s = 0; s < ns; s++)
                if (scope[s] == F->v[j]) pos = s;
            str[w][pos] = st;
            st *= (size_t)N->dsize[F->v[j]];
        }
    }
    int asg[MAXFV];
    size_t off[256];
    memset(asg, 0, sizeof asg);
    memset(off, 0, sizeof off);
    int dx = N->dsize[x];
    for (size_t r = 0; r < R->size; r++) {
        double sum = 0;
        for (int xv = 0; xv < dx; xv++) {
            double prod = 1;
            for (int w = 0; w < nw && prod != 0; w++) prod *= N->f[which[w]].t[off[w] + (size_t)xv * str[w][ns]];
            sum += prod;
        }
        R->t[r] = sum;
        /* odometer over the scope, first variable fastest */
        for (int s = 0; s < ns; s++) {
            asg[s]++;
            for (int w = 0; w < nw; w++) off[w] += str[w][s];
            if (asg[s] < N->dsize[scope[s]]) break;
            for (int w = 0; w < nw; w++) off[w] -= str[w][s] * (size_t)asg[s];
            asg[s] = 0;
        }
    }
    for (int w = 0; w < nw; w++) {
        fac *F = &N->f[which[w]];
        F->dead = 1;
        F->t = NULL; /* arena memory: released at the end of the call */
    }
    return PU_OK;
}

/* Greedy order: the variable whose elimination creates the smallest table.
 * Scopes are unions of factor variable sets, kept as bitsets (one pass over
 * the factors per pick). `U` is scratch of nvar * words uint64. */
static int pick_var(const net *N, const char *todo, uint64_t *U) {
    int words = (N->nvar + 63) / 64;
    memset(U, 0, (size_t)N->nvar * words * sizeof(uint64_t));
    uint64_t fb[(2 * KIN_MAX_PERSONS + 2 + 63) / 64];
    for (int i = 0; i < N->nf; i++) {
        const fac *F = &N->f[i];
        if (F->dead) continue;
        memset(fb, 0, (size_t)words * sizeof(uint64_t));
        for (int j = 0; j < F->nv; j++) fb[F->v[j] >> 6] |= 1ull << (F->v[j] & 63);
        for (int j = 0; j < F->nv; j++) {
            uint64_t *u = &U[(size_t)F->v[j] * words];
            for (int w = 0; w < words; w++) u[w] |= fb[w];
        }
    }
    int best = -1;
    double bsize = 0;
    for (int x = 0; x < N->nvar; x++) {
        if (!todo[x]) continue;
        const uint64_t *u = &U[(size_t)x * words];
        double size = 1;
        for (int w = 0; w < words; w++) {
            uint64_t b = u[w];
            while (b) {
                int v = w * 64 + __builtin_ctzll(b);
                b &= b - 1;
                if (v != x) size *= N->dsize[v];
            }
        }
        if (best < 0 || size < bsize) best = x, bsize = size;
    }
    return best;
}

/* ---- theta: Balding-Nichols over founder alleles by enumeration ---------- */
typedef struct dfs {
    const net *N;
    double theta;
    int nv;
    int *var;            /* founder variables in draw order */
    int **trig;          /* factors completed at each depth */
    int *ntrig;
    int *val;            /* value per variable (indexed by var id) */
    int *count;          /* draws so far per allele */
} dfs;

static double fac_at(const net *N, const fac *F, const int *val) {
    size_t idx = 0, st = 1;
    for (int j = 0; j < F->nv; j++) {
        idx += (size_t)val[F->v[j]] * st;
        st *= (size_t)N->dsize[F->v[j]];
    }
    return F->t[idx];
}

static double dfs_run(dfs *D, int depth) {
    if (depth == D->nv) return 1;
    int v = D->var[depth];
    double s = 0;
    double den = 1 + (depth - 1) * D->theta; /* draw number j = depth+1: 1 + (j-2) theta */
    for (int k = 0; k < D->N->dsize[v]; k++) {
        int a = dval(D->N, v, k);
        double w = (D->count[a] * D->theta + (1 - D->theta) * D->N->p[a]) / den;
        if (w == 0) continue;
        D->val[v] = k;
        for (int t = 0; t < D->ntrig[depth] && w != 0; t++) w *= fac_at(D->N, &D->N->f[D->trig[depth][t]], D->val);
        if (w == 0) continue;
        D->count[a]++;
        s += w * dfs_run(D, depth + 1);
        D->count[a]--;
    }
    return s;
}

static int theta_sum(net *N, const char *is_founder_var, double theta, double *out, pu_err *err) {
    dfs D = {.N = N, .theta = theta};
    int rc = PU_OK;
    D.var = malloc((size_t)N->nvar * sizeof(int));
    D.trig = calloc((size_t)N->nvar + 1, sizeof(int *));
    D.ntrig = calloc((size_t)N->nvar + 1, sizeof(int));
    D.val = calloc((size_t)N->nvar, sizeof(int));
    D.count = calloc((size_t)N->nall, sizeof(int));
    int *pos = malloc((size_t)N->nvar * sizeof(int));
    char *used = calloc((size_t)N->nvar, 1);
    if (!D.var || !D.trig || !D.ntrig || !D.val || !D.count || !pos || !used) {
        rc = PU_ERR_NOMEM;
        goto done;
    }
    for (int i = 0; i < N->nf; i++)
        if (!N->f[i].dead)
            for (int j = 0; j < N->f[i].nv; j++) used[N->f[i].v[j]] = 1;
    /* founder alleles in no factor and unrestricted sum to one (exchangeability) */
    double leaves = 1;
    for (int v = 0; v < N->nvar; v++) {
        pos[v] = -1;
        if (!is_founder_var[v] || (!used[v] && N->dsize[v] == N->nall)) continue;
        pos[v] = D.nv;
        D.var[D.nv++] = v;
        leaves *= N->dsize[v];
    }
    if (leaves > MAX_THETA_LEAVES) {
        rc = pu_fail(err, PU_ERR_LIMIT, NULL, "theta",
                     "theta correction enumerates %.3g founder allele combinations (cap %.0f): too many untyped "
                     "founders in one pedigree; use theta 0", leaves, MAX_THETA_LEAVES);
        goto done;
    }
    double constant = 1;
    for (int i = 0; i < N->nf; i++) {
        fac *F = &N->f[i];
        if (F->dead) continue;
        int d = -1;
        for (int j = 0; j < F->nv; j++)
            if (pos[F->v[j]] > d) d = pos[F->v[j]];
        if (d < 0) {
            constant *= F->t[0];
            continue;
        }
        int *nt = realloc(D.trig[d], (size_t)(D.ntrig[d] + 1) * sizeof(int));
        if (!nt) {
            rc = PU_ERR_NOMEM;
            goto done;
        }
        D.trig[d] = nt;
        D.trig[d][D.ntrig[d]++] = i;
    }
    *out = constant * dfs_run(&D, 0);
done:
    if (D.trig)
        for (int i = 0; i <= N->nvar; i++) free(D.trig[i]);
    free(D.trig);
    free(D.ntrig);
    free(D.var);
    free(D.val);
    free(D.count);
    free(pos);
    free(used);
    return rc;
}

/* ---- the public entry point ----------------------------------------------- */

static int lik_core(const kin_marker *mk, int n, const int *fa, const int *mo, const int *sex, const int16_t *gt,
                    const kin_ev *ev, double theta, int mutate, int keep, double *out, pu_err *err) {
    net N;
    memset(&N, 0, sizeof N);
    N.A = arena_get();
    if (!N.A) return PU_ERR_NOMEM;
    N.capf = 8 * n + 64;
    N.f = malloc((size_t)N.capf * sizeof *N.f);
    if (!N.f) return PU_ERR_NOMEM;
    int anysoft = 0;
    for (int i = 0; i < n; i++) anysoft |= gt[2 * i] >= 0 && ev_soft(mk, ev, i);
    int rc = net_alleles(&N, mk, n, gt, mutate, keep >= 0, anysoft ? mk->silent : -1);
    char *todo = NULL, *fvar = NULL;
    uint64_t *scratch;
    if (rc) goto done;
    N.nvar = 2 * n;
    N.dsize = ar_alloc(N.A, (size_t)N.nvar * sizeof(int));
    N.dom = ar_alloc(N.A, (size_t)N.nvar * 2 * sizeof(int16_t));
    todo = ar_alloc(N.A, (size_t)N.nvar);
    fvar = ar_alloc(N.A, (size_t)N.nvar);
    if (todo) memset(todo, 0, (size_t)N.nvar);
    if (fvar) memset(fvar, 0, (size_t)N.nvar);
    if (!N.dsize || !N.dom || !todo || !fvar) {
        rc = PU_ERR_NOMEM;
        goto done;
    }
    /* Barren persons (untyped, no needed descendant) sum out to one: drop
     * them. This keeps only the typed, the kept person and their ancestors. */
    char *alive = ar_alloc(N.A, (size_t)n);
    if (!alive) {
        rc = PU_ERR_NOMEM;
        goto done;
    }
    for (int i = 0; i < n; i++) alive[i] = gt[2 * i] >= 0 || i == keep;
    for (int changed = 1; changed;) {
        changed = 0;
        for (int i = 0; i < n; i++)
            if (alive[i] && fa[i] >= 0 && (!alive[fa[i]] || !alive[mo[i]])) alive[fa[i]] = alive[mo[i]] = 1, changed = 1;
    }
    /* reduced index of each typed allele */
    int16_t *obs = ar_alloc(N.A, (size_t)2 * n * sizeof(int16_t));
    if (!obs) {
        rc = PU_ERR_NOMEM;
        goto done;
    }
    for (int i = 0; i < n; i++) {
        int typed = gt[2 * i] >= 0;
        int16_t r[2] = {-1, -1};
        for (int k = 0; typed && k < 2; k++)
            for (int a = 0; a < N.nall; a++)
                if (N.full[a] == gt[2 * i + k]) r[k] = (int16_t)a;
        obs[2 * i] = r[0], obs[2 * i + 1] = r[1];
        int soft = typed && ev_soft(mk, ev, i);
        for (int k = 0; k < 2; k++) {
            int v = 2 * i + k;
            if (!typed || soft) {
                N.dsize[v] = N.nall;
                N.dom[2 * v] = N.dom[2 * v + 1] = -1;
            } else {
                N.dsize[v] = r[0] == r[1] ? 1 : 2;
                N.dom[2 * v] = r[0];
                N.dom[2 * v + 1] = r[1];
            }
            todo[v] = i != keep && alive[i];
            fvar[v] = fa[i] < 0 && alive[i];
        }
    }
    int silent_r = -1;
    for (int a = 0; a < N.nall; a++)
        if (mk->silent >= 0 && N.full[a] == mk->silent) silent_r = a;
    for (int i = 0; i < n; i++) {
        if (!alive[i]) continue;
        int typed = gt[2 * i] >= 0;
        if (typed && ev_soft(mk, ev, i)) {
            /* soft evidence: P(observed | {pat, mat}), pat varying fastest */
            int v2[2] = {2 * i, 2 * i + 1}, k = N.nall;
            fac *F = new_fac(&N, 2, v2, err, &rc);
            if (!F) goto done;
            double d = ev ? ev[i].d : 0, c = ev ? ev[i].c : 0;
            for (int y = 0; y < k; y++)
                for (int x = 0; x < k; x++)
                    F->t[y * k + x] = ev_prob_core(N.p, k, silent_r, obs[2 * i], obs[2 * i + 1], x, y, d, c);
        } else if (typed && N.dsize[2 * i] == 2) {
            int v2[2] = {2 * i, 2 * i + 1};
            fac *F = new_fac(&N, 2, v2, err, &rc);
            if (!F) goto done;
            F->t[0] = 0, F->t[1] = 1, F->t[2] = 1, F->t[3] = 0; /* {pat, mat} = {a, b} */
        }
        if (fa[i] < 0) {
            if (theta > 0) continue;
            for (int k = 0; k < 2; k++) {
                int v = 2 * i + k;
                fac *F = new_fac(&N, 1, &v, err, &rc);
                if (!F) goto done;
                for (int d = 0; d < N.dsize[v]; d++) F->t[d] = N.p[dval(&N, v, d)];
            }
        } else {
            if ((rc = add_trans(&N, fa[i], 2 * i, 1, err))) goto done;
            if ((rc = add_trans(&N, mo[i], 2 * i + 1, 2, err))) goto done;
        }
        (void)sex;
    }
    if (theta > 0)
        for (int v = 0; v < N.nvar; v++)
            if (fvar[v]) todo[v] = 0;
    scratch = ar_alloc(N.A, (size_t)N.nvar * ((N.nvar + 63) / 64) * sizeof(uint64_t));
    if (!scratch) {
        rc = PU_ERR_NOMEM;
        goto done;
    }
    for (;;) {
        int x = pick_var(&N, todo, scratch);
        if (x < 0) break;
        if ((rc = eliminate(&N, x, err))) goto done;
        todo[x] = 0;
    }
    if (theta > 0) {
        rc = theta_sum(&N, fvar, theta, out, err);
        goto done;
    }
    if (keep < 0) {
        double prod = 1;
        for (int i = 0; i < N.nf; i++)
            if (!N.f[i].dead) prod *= N.f[i].t[0];
        *out = prod;
    } else {
        int k = N.nall, vp = 2 * keep, vm = 2 * keep + 1;
        int val[2 * (KIN_MAX_PERSONS + 1)];
        memset(val, 0, sizeof(int) * (size_t)N.nvar);
        for (int a = 0; a < k; a++)
            for (int b = 0; b < k; b++) {
                val[vp] = a, val[vm] = b;
                double prod = 1;
                for (int i = 0; i < N.nf; i++)
                    if (!N.f[i].dead) prod *= fac_at(&N, &N.f[i], val);
                out[a * k + b] = prod;
            }
    }
done:
    net_free(&N);
    return rc;
}

int kin_ped_lik(const kin_marker *mk, int n, const int *fa, const int *mo, const int *sex, const int16_t *gt,
                double theta, int mutate, int keep, double *out, pu_err *err) {
    return kin_ped_lik_ev(mk, n, fa, mo, sex, gt, NULL, theta, mutate, keep, out, err);
}

int kin_ped_lik_ev(const kin_marker *mk, int n, const int *fa, const int *mo, const int *sex, const int16_t *gt,
                   const kin_ev *ev, double theta, int mutate, int keep, double *out, pu_err *err) {
    if (n <= 0 || n > KIN_MAX_PERSONS + 1)
        return pu_fail(err, PU_ERR_LIMIT, NULL, "pedigree", "expected 1..%d persons, got %d", KIN_MAX_PERSONS + 1, n);
    if (keep >= 0 && gt[2 * keep] >= 0)
        return pu_fail(err, PU_ERR_INTERNAL, NULL, "keep", "the person of a genotype table must be untyped");
    if (keep < 0 || theta <= 0) return lik_core(mk, n, fa, mo, sex, gt, ev, theta, mutate, keep, out, err);
    /* theta with a table: one enumeration per genotype of the kept person */
    int16_t *g2 = malloc((size_t)2 * n * sizeof(int16_t));
    if (!g2) return PU_ERR_NOMEM;
    memcpy(g2, gt, (size_t)2 * n * sizeof(int16_t));
    int k = mk->n, rc = PU_OK;
    for (int a = 0; a < k && !rc; a++)
        for (int b = a; b < k && !rc; b++) {
            g2[2 * keep] = (int16_t)a, g2[2 * keep + 1] = (int16_t)b;
            double L;
            rc = lik_core(mk, n, fa, mo, sex, g2, ev, theta, mutate, -1, &L, err);
            if (a == b) out[a * k + a] = L;
            else out[a * k + b] = out[b * k + a] = L / 2;
        }
    free(g2);
    return rc;
}
