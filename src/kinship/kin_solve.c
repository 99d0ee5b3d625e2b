/* kin_solve.c - dviSolve-style conclusions (dvir's default pipeline):
 *  1. pairs with more than max_incomp incompatible markers, LR 0 or different
 *     sexes are not viable;
 *  2. undisputed identifications, step by step: LR >= T and >= T times every
 *     other viable LR in its row and column; the victim's profile is then moved
 *     into the family (the missing person becomes a typed reference) and the
 *     LRs recomputed;
 *  3. missing persons / victims without any viable pairing are excluded;
 *  4. families with two or more remaining missing persons get a joint search
 *     and the GLR of each pairing (best likelihood with the pairing over the
 *     best without it); GLR >= T is a match. Pairings that are exchangeable
 *     (ties, e.g. full siblings) are reported as symmetric matches;
 *  5. everything else: the best viable LR ("Best: ..."), or "No match" when it
 *     is below 1. */
#include "kin_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct sstate {
    kin_case *c;          /* working copy: identified victims moved into families */
    const kin_opts *o;
    char *rv, *rm;        /* remaining victims / missing persons */
    double *lr;           /* current LR, nvic x nmiss (NAN = not computed) */
    int *ex;              /* incompatible markers */
    int *ex0;             /* ... before any identification (for the exclusion comment) */
    kin_solve *S;
    pu_err *err;
} sstate;

static const char *mname(const kin_case *c, int j) {
    return c->fam[c->miss[j].fam].p[c->miss[j].person].id;
}

/* A working copy whose families can take transferred genotypes. */
static kin_case *clone_case(const kin_case *c) {
    kin_case *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    *w = *c;
    w->fam = calloc((size_t)c->nfam, sizeof *w->fam);
    if (!w->fam) {
        free(w);
        return NULL;
    }
    for (int f = 0; f < c->nfam; f++) {
        kin_family *F = &w->fam[f];
        *F = c->fam[f];
        size_t ng = (size_t)F->n * 2 * (size_t)(c->db->n ? c->db->n : 1);
        F->g = malloc(ng * sizeof(int16_t));
        F->p = malloc((size_t)F->n * sizeof(kin_person));
        if (!F->g || !F->p) return w; /* caller checks via free_clone + NULL test below */
        memcpy(F->g, c->fam[f].g, ng * sizeof(int16_t));
        memcpy(F->p, c->fam[f].p, (size_t)F->n * sizeof(kin_person));
        F->ev = NULL;
        if (c->vic_ev || c->fam[f].ev) {
            /* a transferred victim keeps its dropout model in the family */
            size_t ne = (size_t)F->n * (size_t)(c->db->n ? c->db->n : 1);
            F->ev = calloc(ne, sizeof(kin_ev));
            if (!F->ev) {
                free(F->g);
                F->g = NULL; /* clone_ok fails */
                return w;
            }
            if (c->fam[f].ev) memcpy(F->ev, c->fam[f].ev, ne * sizeof(kin_ev));
        }
    }
    return w;
}

static void free_clone(kin_case *w) {
    if (!w) return;
    for (int f = 0; f < w->nfam; f++) {
        free(w->fam[f].g);
        free(w->fam[f].p);
        free(w->fam[f].ev);
    }
    free(w->fam);
    free(w);
}

static int clone_ok(const kin_case *w) {
    if (!w || !w->fam) return 0;
    for (int f = 0; f < w->nfam; f++)
        if (!w->fam[f].g || !w->fam[f].p) return 0;
    return 1;
}

static void transfer(kin_case *w, int v, int j) {
    kin_family *F = &w->fam[w->miss[j].fam];
    int p = w->miss[j].person, nm = w->db->n;
    for (int m = 0; m < nm; m++) {
        F->g[((size_t)p * nm + m) * 2] = w->vic[v].g[2 * m];
        F->g[((size_t)p * nm + m) * 2 + 1] = w->vic[v].g[2 * m + 1];
        if (F->ev) F->ev[(size_t)p * nm + m] = *kin_vic_ev(w, v, m);
    }
    F->p[p].role = KIN_ROLE_REFERENCE;
}

static int compute_lr(sstate *s) {
    kin_case *c = s->c;
    int nm = c->db->n;
    double *logm = malloc((size_t)(nm ? nm : 1) * sizeof(double));
    int *inc = malloc((size_t)(nm ? nm : 1) * sizeof(int));
    int rc = logm && inc ? PU_OK : PU_ERR_NOMEM;
    for (int v = 0; !rc && v < c->nvic; v++)
        for (int j = 0; !rc && j < c->nmiss; j++) {
            size_t k = (size_t)v * c->nmiss + j;
            s->lr[k] = NAN;
            s->ex[k] = -1;
            if (!s->rv[v] || !s->rm[j]) continue;
            if (!kin_sex_ok(c->vic[v].sex, c->fam[c->miss[j].fam].p[c->miss[j].person].sex)) continue;
            rc = kin_pair_markers(c, s->o, v, j, logm, inc, s->err);
            double sum = 0;
            int ni = 0;
            for (int m = 0; !rc && m < nm; m++) sum += logm[m], ni += inc[m];
            s->lr[k] = exp(sum);
            s->ex[k] = ni;
        }
    free(logm);
    free(inc);
    return rc;
}

/* viable LR: 0 when not viable */
static double vlr(const sstate *s, int v, int j) {
    size_t k = (size_t)v * s->c->nmiss + j;
    if (!s->rv[v] || !s->rm[j] || isnan(s->lr[k]) || s->ex[k] > s->o->max_incomp) return 0;
    return s->lr[k];
}

static void set_row(kin_solve_row *r, const char *sample, double lr, double glr, const char *concl,
                    const char *comment) {
    pu_strlcpy(r->sample, sample ? sample : "", sizeof r->sample);
    r->lr = lr;
    r->glr = glr;
    pu_strlcpy(r->conclusion, concl, sizeof r->conclusion);
    pu_strlcpy(r->comment, comment ? comment : "", sizeof r->comment);
}

static int undisputed_steps(sstate *s) {
    kin_case *c = s->c;
    for (int step = 1;; step++) {
        int rc = compute_lr(s);
        if (rc) return rc;
        if (step == 1) memcpy(s->ex0, s->ex, ((size_t)c->nvic * c->nmiss + 1) * sizeof(int));
        int found = 0;
        int *pv = malloc((size_t)(c->nvic + 1) * sizeof(int));
        int *pj = malloc((size_t)(c->nvic + 1) * sizeof(int));
        if (!pv || !pj) {
            free(pv), free(pj);
            return PU_ERR_NOMEM;
        }
        for (int v = 0; v < c->nvic; v++)
            for (int j = 0; j < c->nmiss; j++) {
                double L = vlr(s, v, j), T = s->o->threshold;
                if (L < T) continue;
                int ok = 1;
                for (int j2 = 0; j2 < c->nmiss && ok; j2++)
                    if (j2 != j && L < T * vlr(s, v, j2)) ok = 0;
                for (int v2 = 0; v2 < c->nvic && ok; v2++)
                    if (v2 != v && L < T * vlr(s, v2, j)) ok = 0;
                if (ok) pv[found] = v, pj[found] = j, found++;
            }
        for (int k = 0; k < found; k++) {
            int v = pv[k], j = pj[k];
            char cm[32];
            snprintf(cm, sizeof cm, "Step %d", step);
            double L = s->lr[(size_t)v * c->nmiss + j];
            kin_solve_row *a = &s->S->am[j], *p = &s->S->pm[v];
            set_row(a, c->vic[v].id, L, NAN, "Undisputed", cm);
            a->vic = v;
            set_row(p, mname(c, j), L, NAN, "Undisputed", cm);
            p->fam = c->miss[j].fam;
            p->miss = j;
            transfer(c, v, j);
            s->rv[v] = 0;
            s->rm[j] = 0;
        }
        free(pv), free(pj);
        if (!found) return PU_OK;
    }
}

static void exclusions(sstate *s) {
    kin_case *c = s->c;
    for (int j = 0; j < c->nmiss; j++) {
        if (!s->rm[j]) continue;
        int viable = 0, minc = -1;
        for (int v = 0; v < c->nvic; v++) {
            if (vlr(s, v, j) > 0) viable = 1;
            /* dvir counts inconsistencies on the original data */
            int e = s->ex0[(size_t)v * c->nmiss + j];
            if (e >= 0 && (minc < 0 || e < minc)) minc = e;
        }
        if (viable) continue;
        char cm[64] = "No compatible pairings";
        if (minc > s->o->max_incomp) snprintf(cm, sizeof cm, "%d+ inconsistencies", minc);
        set_row(&s->S->am[j], NULL, NAN, NAN, "Excluded", cm);
        s->rm[j] = 0;
    }
    for (int v = 0; v < c->nvic; v++) {
        if (!s->rv[v]) continue;
        int viable = 0;
        for (int j = 0; j < c->nmiss; j++)
            if (vlr(s, v, j) > 0) viable = 1;
        if (viable) continue;
        set_row(&s->S->pm[v], NULL, NAN, NAN, "Excluded", "No compatible pairings");
        s->rv[v] = 0;
    }
}

/* best and best-without over the joint rows for a predicate on assignments */
typedef int (*holds_fn)(const int *assign, const void *ud);

static double glr_of(const kin_joint *J, holds_fn holds, const void *ud) {
    double with = -INFINITY, without = -INFINITY;
    for (long i = 0; i < J->n; i++) {
        double ll = J->row[i].loglik;
        if (holds(J->row[i].assign, ud)) {
            if (ll > with) with = ll;
        } else if (ll > without) {
            without = ll;
        }
    }
    if (with == -INFINITY) return 0;
    if (without == -INFINITY) return INFINITY;
    return exp(with - without);
}

typedef struct pairq { int v, j; } pairq;
static int holds_pair(const int *a, const void *ud) {
    const pairq *q = ud;
    return a[q->v] == q->j;
}

typedef struct groupq {
    int nvic;
    const char *gm;       /* missing in group */
    const char *gv;       /* victims in group */
    int ngv;
} groupq;
/* the group's missing persons receive exactly the group's victims */
static int holds_group(const int *a, const void *ud) {
    const groupq *q = ud;
    int n = 0;
    for (int v = 0; v < q->nvic; v++) {
        int in = a[v] >= 0 && q->gm[a[v]];
        if (in != (q->gv[v] != 0)) return 0;
        n += in;
    }
    return n == q->ngv;
}

static int full_sibs(const kin_case *c, const char *gm) {
    int fa = -2, mo = -2, fam = -1;
    for (int j = 0; j < c->nmiss; j++) {
        if (!gm[j]) continue;
        const kin_person *P = &c->fam[c->miss[j].fam].p[c->miss[j].person];
        if (P->father < 0) return 0;
        if (fa == -2) fa = P->father, mo = P->mother, fam = c->miss[j].fam;
        else if (P->father != fa || P->mother != mo || c->miss[j].fam != fam) return 0;
    }
    return 1;
}

static void list_names(const kin_case *c, const char *mask, int vic, const char *sep, char *out, size_t n) {
    out[0] = 0;
    size_t used = 0;
    int first = 1;
    int cnt = vic ? c->nvic : c->nmiss;
    for (int i = 0; i < cnt; i++) {
        if (!mask[i]) continue;
        int w = snprintf(out + used, n - used, "%s%s", first ? "" : sep, vic ? c->vic[i].id : mname(c, i));
        if (w < 0 || (size_t)w >= n - used) return;
        used += (size_t)w;
        first = 0;
    }
}

/* Joint analysis of one family's remaining missing persons. */
static int joint_family(sstate *s, int f) {
    kin_case *c = s->c;
    char *mm = calloc((size_t)c->nmiss + 1, 1), *vm = calloc((size_t)c->nvic + 1, 1);
    char *gm = calloc((size_t)c->nmiss + 1, 1), *gv = calloc((size_t)c->nvic + 1, 1);
    int rc = mm && vm && gm && gv ? PU_OK : PU_ERR_NOMEM;
    int nrm = 0;
    for (int j = 0; !rc && j < c->nmiss; j++)
        if (s->rm[j] && c->miss[j].fam == f) mm[j] = 1, nrm++;
    for (int v = 0; !rc && v < c->nvic; v++)
        for (int j = 0; j < c->nmiss; j++)
            if (mm[j] && vlr(s, v, j) > 0) vm[v] = 1;
    kin_joint *J = NULL;
    if (!rc) rc = kin_joint_run(c, s->o, vm, mm, s->o->max_rows, &J, s->err);
    if (rc || J->n == 0) goto done;
    char joint[200];
    list_names(c, mm, 0, ",", joint, sizeof joint);
    char jcm[256];
    snprintf(jcm, sizeof jcm, "Joint: {%s}", joint);
    const int *best = J->row[0].assign;
    /* symmetric pairings: rows tied with the best */
    for (long i = 1; i < J->n; i++) {
        if (fabs(J->row[i].loglik - J->row[0].loglik) > 1e-9 * fabs(J->row[0].loglik)) break;
        for (int v = 0; v < c->nvic; v++)
            if (J->row[i].assign[v] != best[v]) {
                gv[v] = 1;
                if (best[v] >= 0) gm[best[v]] = 1;
                if (J->row[i].assign[v] >= 0) gm[J->row[i].assign[v]] = 1;
            }
    }
    int ngv = 0, ngm = 0, firstm = -1;
    for (int v = 0; v < c->nvic; v++) ngv += gv[v] != 0;
    for (int j = 0; j < c->nmiss; j++)
        if (gm[j]) {
            ngm++;
            if (firstm < 0) firstm = j;
        }
    double gglr = NAN;
    if (ngm > 0) {
        groupq q = {c->nvic, gm, gv, ngv};
        gglr = glr_of(J, holds_group, &q);
    }
    int sib = ngm > 0 && full_sibs(c, gm);
    for (int j = 0; j < c->nmiss; j++) {
        if (!mm[j]) continue;
        kin_solve_row *a = &s->S->am[j];
        if (gm[j] && gglr >= s->o->threshold) {
            char vs[128], cm[320];
            if (ngv >= 2) {
                list_names(c, gv, 1, "/", vs, sizeof vs);
                char ml[100], vl[100];
                list_names(c, gm, 0, ", ", ml, sizeof ml);
                list_names(c, gv, 1, ", ", vl, sizeof vl);
                snprintf(cm, sizeof cm, "%s: {%s} = {%s}", sib ? "Full siblings" : "Symmetric", ml, vl);
                set_row(a, vs, NAN, gglr, "Symmetric match", cm);
            } else {
                int v = -1;
                for (int k = 0; k < c->nvic; k++)
                    if (gv[k]) v = k;
                char others[128];
                char *om = calloc((size_t)c->nmiss + 1, 1);
                if (om) {
                    memcpy(om, gm, (size_t)c->nmiss);
                    om[j] = 0;
                    list_names(c, om, 0, ", ", others, sizeof others);
                    free(om);
                } else {
                    others[0] = 0;
                }
                snprintf(cm, sizeof cm, "%s also matches %s (%s)", v >= 0 ? c->vic[v].id : "?", others,
                         sib ? "full siblings" : "symmetric");
                set_row(a, v >= 0 ? c->vic[v].id : "", v >= 0 ? s->lr[(size_t)v * c->nmiss + j] : NAN, gglr,
                        "Symmetric match", cm);
                a->vic = v;
            }
            continue;
        }
        /* the victim of the best assignment */
        int cand = -1;
        for (int v = 0; v < c->nvic; v++)
            if (best[v] == j) cand = v;
        int assigned = cand >= 0;
        /* else the victim of the best-ranked assignment that places this person */
        for (long i = 1; cand < 0 && i < J->n; i++)
            for (int v = 0; v < c->nvic; v++)
                if (J->row[i].assign[v] == j) cand = v;
        if (cand < 0) {
            set_row(a, NULL, NAN, NAN, "Inconclusive", NULL);
            continue;
        }
        pairq q = {cand, j};
        double g = glr_of(J, holds_pair, &q);
        double L = s->lr[(size_t)cand * c->nmiss + j];
        if (assigned && g >= s->o->threshold) {
            set_row(a, c->vic[cand].id, L, g, "Match (GLR)", jcm);
            a->vic = cand;
            kin_solve_row *p = &s->S->pm[cand];
            set_row(p, mname(c, j), L, g, "Match (GLR)", jcm);
            p->fam = f, p->miss = j;
            s->rv[cand] = 0;
            s->rm[j] = 0;
        } else {
            set_row(a, NULL, L, g, "Inconclusive", NULL);
        }
    }
    /* PM rows of a symmetric match */
    if (ngm > 0 && gglr >= s->o->threshold) {
        for (int v = 0; v < c->nvic; v++) {
            if (!gv[v]) continue;
            kin_solve_row *p = &s->S->pm[v];
            char ms[128], cm[320];
            list_names(c, gm, 0, "/", ms, sizeof ms);
            if (ngv >= 2) {
                char ml[100], vl[100];
                list_names(c, gm, 0, ", ", ml, sizeof ml);
                list_names(c, gv, 1, ", ", vl, sizeof vl);
                snprintf(cm, sizeof cm, "%s: {%s} = {%s}", sib ? "Full siblings" : "Symmetric", vl, ml);
            } else {
                char ml[128];
                list_names(c, gm, 0, " and ", ml, sizeof ml);
                snprintf(cm, sizeof cm, "%s are %s", ml, sib ? "full siblings" : "exchangeable in the pedigree");
            }
            set_row(p, ms, s->lr[(size_t)v * c->nmiss + firstm], gglr, "Symmetric match", cm);
            p->fam = f, p->miss = firstm;
            s->rv[v] = 0;
        }
        for (int j = 0; j < c->nmiss; j++)
            if (gm[j]) s->rm[j] = 0;
    }
done:
    kin_joint_free(J);
    free(mm), free(vm), free(gm), free(gv);
    return rc;
}

/* Step 5: the best viable LR for whatever has no conclusion yet. */
static void best_rest(sstate *s) {
    kin_case *c = s->c;
    for (int j = 0; j < c->nmiss; j++) {
        kin_solve_row *a = &s->S->am[j];
        if (a->conclusion[0]) continue;
        int cand = -1;
        double bl = 0;
        for (int v = 0; v < c->nvic; v++)
            if (vlr(s, v, j) > bl) bl = vlr(s, v, j), cand = v;
        if (cand < 0) {
            set_row(a, NULL, NAN, NAN, "Excluded", "No compatible pairings");
            continue;
        }
        char cm[160];
        snprintf(cm, sizeof cm, "Best: %s", c->vic[cand].id);
        if (bl >= 1) {
            set_row(a, c->vic[cand].id, bl, NAN, "Inconclusive", cm);
            a->vic = cand;
        } else {
            set_row(a, NULL, bl, NAN, "No match", NULL);
        }
    }
    for (int v = 0; v < c->nvic; v++) {
        kin_solve_row *p = &s->S->pm[v];
        if (p->conclusion[0]) continue;
        int cand = -1;
        double bl = 0;
        for (int j = 0; j < c->nmiss; j++)
            if (vlr(s, v, j) > bl) bl = vlr(s, v, j), cand = j;
        if (cand < 0) {
            set_row(p, NULL, NAN, NAN, "Excluded", "No compatible pairings");
            continue;
        }
        char cm[160];
        snprintf(cm, sizeof cm, "Best: %s", mname(c, cand));
        set_row(p, NULL, bl, NAN, bl >= 1 ? "Inconclusive" : "No match", bl >= 1 ? cm : NULL);
    }
}

void kin_solve_free(kin_solve *S) {
    if (!S) return;
    free(S->am);
    free(S->pm);
    free(S);
}

int kin_solve_run(const kin_case *c0, const kin_opts *o, kin_solve **out, pu_err *err) {
    *out = NULL;
    int rc = kin_db_prepare(c0->db, err);
    if (rc) return rc;
    sstate s = {.o = o, .err = err};
    s.c = clone_case(c0);
    kin_solve *S = calloc(1, sizeof *S);
    s.S = S;
    size_t n = (size_t)c0->nvic * c0->nmiss + 1;
    s.rv = malloc((size_t)c0->nvic + 1);
    s.rm = malloc((size_t)c0->nmiss + 1);
    s.lr = malloc(n * sizeof(double));
    s.ex = malloc(n * sizeof(int));
    s.ex0 = calloc(n, sizeof(int));
    if (S) {
        S->nam = c0->nmiss, S->npm = c0->nvic;
        S->am = calloc((size_t)c0->nmiss + 1, sizeof *S->am);
        S->pm = calloc((size_t)c0->nvic + 1, sizeof *S->pm);
    }
    if (!clone_ok(s.c) || !S || !S->am || !S->pm || !s.rv || !s.rm || !s.lr || !s.ex || !s.ex0) rc = PU_ERR_NOMEM;
    if (!rc) {
        memset(s.rv, 1, (size_t)c0->nvic);
        memset(s.rm, 1, (size_t)c0->nmiss);
        for (int j = 0; j < c0->nmiss; j++) {
            S->am[j].fam = c0->miss[j].fam, S->am[j].miss = j, S->am[j].vic = -1;
            S->am[j].lr = S->am[j].glr = NAN;
        }
        for (int v = 0; v < c0->nvic; v++) {
            S->pm[v].vic = v, S->pm[v].fam = -1, S->pm[v].miss = -1;
            S->pm[v].lr = S->pm[v].glr = NAN;
        }
        rc = undisputed_steps(&s);
    }
    if (!rc) exclusions(&s);
    for (int f = 0; !rc && f < c0->nfam; f++) {
        int k = 0;
        for (int j = 0; j < c0->nmiss; j++) k += s.rm[j] && c0->miss[j].fam == f;
        if (k >= 2) rc = joint_family(&s, f);
    }
    if (!rc) best_rest(&s);
    free_clone(s.c);
    free(s.rv), free(s.rm), free(s.lr), free(s.ex), free(s.ex0);
    if (rc) {
        kin_solve_free(S);
        return rc;
    }
    *out = S;
    return PU_OK;
}
