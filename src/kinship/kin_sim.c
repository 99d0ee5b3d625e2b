/* kin_sim.c - simulate families and remains by gene dropping, for demos,
 * tests and benchmarks. Output uses the dvi_* file formats. */
#include "kin_internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* splitmix64: small, seedable, good enough for simulation */
static uint64_t rnd(uint64_t *s) {
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}
static double unif(uint64_t *s) {
    return (double)(rnd(s) >> 11) * (1.0 / 9007199254740992.0);
}

static int draw(const double *w, int n, double total, uint64_t *s) {
    double u = unif(s) * total;
    for (int i = 0; i < n; i++) {
        u -= w[i];
        if (u < 0) return i;
    }
    return n - 1;
}

static int founder_allele(const kin_marker *mk, uint64_t *s) {
    double t = 0;
    for (int a = 0; a < mk->n; a++) t += mk->freq[a];
    return draw(mk->freq, mk->n, t, s);
}

/* a parent passes one of two alleles, possibly mutated (sex 1 = father) */
static int transmit(const kin_marker *mk, const int16_t *pg, int psex, uint64_t *s) {
    int a = pg[rnd(s) & 1];
    const double *M = mk->mat[psex == 1 ? 1 : 0];
    if (!M) return a;
    return draw(&M[(size_t)a * mk->n], mk->n, 1.0, s);
}

/* Pedigree template: 0 father, 1 mother, 2 missing, 3 sibling, 4 sibling,
 * 5 spouse of the missing person, 6 child of the missing person. */
enum { P_FA, P_MO, P_MISS, P_SIB1, P_SIB2, P_SPOUSE, P_CHILD, NP };
static const char *const pid[NP] = {"FA", "MO", "MP", "SIB1", "SIB2", "SP", "CH"};

static FILE *open_out(const char *dir, const char *name, pu_err *err) {
    char p[4096];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    if (!f) pu_fail(err, PU_ERR_IO, p, NULL, "cannot create the file: %s", strerror(errno));
    return f;
}

static void geno_row(FILE *f, const kin_db *db, int m, const int16_t *g) {
    fprintf(f, "%s,%s,%s\n", db->m[m].name, db->m[m].allele[g[0]], db->m[m].allele[g[1]]);
}

int kin_simulate(kin_db *db, const kin_sim_opts *o, const char *dir, pu_err *err) {
    int rc = kin_db_prepare(db, err);
    if (rc) return rc;
    if (o->families <= 0 || o->min_refs < 1 || o->max_refs < o->min_refs || o->max_refs > 4)
        return pu_fail(err, PU_ERR_INVALID, NULL, "families",
                       "expected families > 0 and 1 <= min_refs <= max_refs <= 4");
    int pm_true = o->pm_true >= 0 ? o->pm_true : o->families / 2;
    int pm_unrel = o->pm_unrelated >= 0 ? o->pm_unrelated : o->families / 2;
    if (pm_true > o->families)
        return pu_fail(err, PU_ERR_INVALID, NULL, "pm_true", "more true remains (%d) than families (%d)", pm_true,
                       o->families);
    /* mkdir -p */
    char path[4096];
    if (pu_strlcpy(path, dir, sizeof path) >= sizeof path)
        return pu_fail(err, PU_ERR_LIMIT, dir, NULL, "directory path too long");
    for (char *q = path + 1;; q++) {
        if (*q && *q != '/') continue;
        char keep = *q;
        *q = 0;
        if (mkdir(path, 0777) != 0 && errno != EEXIST)
            return pu_fail(err, PU_ERR_IO, path, NULL, "cannot create the directory: %s", strerror(errno));
        *q = keep;
        if (!keep) break;
    }
    FILE *fp = open_out(dir, "am_pedigrees.csv", err), *fa = open_out(dir, "am_genotypes.csv", err);
    FILE *fpm = open_out(dir, "pm_genotypes.csv", err), *ff = open_out(dir, "freqs.csv", err);
    FILE *fm = open_out(dir, "mutation_models.csv", err), *ft = open_out(dir, "truth.csv", err);
    int nm = db->n;
    int16_t *g = malloc((size_t)NP * 2 * (nm ? nm : 1) * sizeof(int16_t));
    int *truth = malloc((size_t)o->families * sizeof(int));
    if (!fp || !fa || !fpm || !ff || !fm || !ft || !g || !truth) {
        if (!rc) rc = err && err->code ? err->code : PU_ERR_NOMEM;
        goto done;
    }
    uint64_t seed = o->seed ? o->seed : 1;
    fputs("family,id,fid,mid,sex,role\n", fp);
    fputs("family,id,marker,allele1,allele2\n", fa);
    fputs("sample,sex,marker,allele1,allele2\n", fpm);
    fputs("sample,family,missing\n", ft);
    /* which families' missing persons are among the remains */
    for (int i = 0; i < o->families; i++) truth[i] = i < pm_true;
    for (int i = o->families - 1; i > 0; i--) {
        int j = (int)(rnd(&seed) % (uint64_t)(i + 1)), t = truth[i];
        truth[i] = truth[j], truth[j] = t;
    }
    int pmno = 0;
    for (int fi = 0; fi < o->families; fi++) {
        char fam[32];
        snprintf(fam, sizeof fam, "F%d", fi + 1);
        int sexes[NP] = {1, 2, 1 + (int)(rnd(&seed) & 1), 1 + (int)(rnd(&seed) & 1), 1 + (int)(rnd(&seed) & 1), 0,
                         1 + (int)(rnd(&seed) & 1)};
        sexes[P_SPOUSE] = sexes[P_MISS] == 1 ? 2 : 1;
        /* typed relatives: a random subset of father, mother, siblings, child */
        int cand[5] = {P_FA, P_MO, P_SIB1, P_SIB2, P_CHILD}, nref = o->min_refs;
        if (o->max_refs > o->min_refs) nref += (int)(rnd(&seed) % (uint64_t)(o->max_refs - o->min_refs + 1));
        for (int i = 4; i > 0; i--) {
            int j = (int)(rnd(&seed) % (uint64_t)(i + 1)), t = cand[i];
            cand[i] = cand[j], cand[j] = t;
        }
        int typed[NP] = {0};
        for (int i = 0; i < nref; i++) typed[cand[i]] = 1;
        int used[NP] = {1, 1, 1, typed[P_SIB1], typed[P_SIB2], typed[P_CHILD], typed[P_CHILD]};
        for (int m = 0; m < nm; m++) {
            const kin_marker *mk = &db->m[m];
            int16_t *G = &g[(size_t)m * NP * 2];
            int founders[3] = {P_FA, P_MO, P_SPOUSE};
            for (int k = 0; k < 3; k++)
                for (int a = 0; a < 2; a++) G[2 * founders[k] + a] = (int16_t)founder_allele(mk, &seed);
            int kids[3] = {P_MISS, P_SIB1, P_SIB2};
            for (int k = 0; k < 3; k++) {
                G[2 * kids[k]] = (int16_t)transmit(mk, &G[2 * P_FA], 1, &seed);
                G[2 * kids[k] + 1] = (int16_t)transmit(mk, &G[2 * P_MO], 2, &seed);
            }
            int pfa = sexes[P_MISS] == 1 ? P_MISS : P_SPOUSE, pmo = sexes[P_MISS] == 1 ? P_SPOUSE : P_MISS;
            G[2 * P_CHILD] = (int16_t)transmit(mk, &G[2 * pfa], 1, &seed);
            G[2 * P_CHILD + 1] = (int16_t)transmit(mk, &G[2 * pmo], 2, &seed);
        }
        for (int p = 0; p < NP; p++) {
            if (!used[p]) continue;
            const char *f0 = "0", *m0 = "0";
            if (p == P_MISS || p == P_SIB1 || p == P_SIB2) f0 = pid[P_FA], m0 = pid[P_MO];
            if (p == P_CHILD) {
                f0 = sexes[P_MISS] == 1 ? pid[P_MISS] : pid[P_SPOUSE];
                m0 = sexes[P_MISS] == 1 ? pid[P_SPOUSE] : pid[P_MISS];
            }
            fprintf(fp, "%s,%s,%s,%s,%d,%s\n", fam, pid[p], f0, m0, sexes[p],
                    p == P_MISS ? "missing" : typed[p] ? "reference" : "untyped");
            if (!typed[p]) continue;
            for (int m = 0; m < nm; m++) {
                fprintf(fa, "%s,%s,", fam, pid[p]);
                geno_row(fa, db, m, &g[((size_t)m * NP + p) * 2]);
            }
        }
        if (truth[fi]) {
            pmno++;
            fprintf(ft, "PM%d,%s,%s\n", pmno, fam, pid[P_MISS]);
            for (int m = 0; m < nm; m++) {
                if (unif(&seed) < 0.05) continue; /* degraded remains: some markers fail */
                fprintf(fpm, "PM%d,%d,", pmno, sexes[P_MISS]);
                geno_row(fpm, db, m, &g[((size_t)m * NP + P_MISS) * 2]);
            }
        }
    }
    for (int i = 0; i < pm_unrel; i++) {
        pmno++;
        int sex = 1 + (int)(rnd(&seed) & 1);
        fprintf(ft, "PM%d,,\n", pmno);
        for (int m = 0; m < nm; m++) {
            int16_t gg[2] = {(int16_t)founder_allele(&db->m[m], &seed), (int16_t)founder_allele(&db->m[m], &seed)};
            fprintf(fpm, "PM%d,%d,", pmno, sex);
            geno_row(fpm, db, m, gg);
        }
    }
    fputs("marker,allele,frequency\n", ff);
    fputs("marker,female_model,female_rate,female_rate2,female_range,male_model,male_rate,male_rate2,male_range\n", fm);
    for (int m = 0; m < nm; m++) {
        const kin_marker *mk = &db->m[m];
        for (int a = 0; a < mk->n; a++) fprintf(ff, "%s,%s,%.17g\n", mk->name, mk->allele[a], mk->freq[a]);
        fprintf(fm, "%s,%s,%g,%g,%g,%s,%g,%g,%g\n", mk->name, kin_mut_kind_name(mk->mut[0].kind), mk->mut[0].rate,
                mk->mut[0].rate2, mk->mut[0].range, kin_mut_kind_name(mk->mut[1].kind), mk->mut[1].rate,
                mk->mut[1].rate2, mk->mut[1].range);
    }
done:;
    FILE *all[6] = {fp, fa, fpm, ff, fm, ft};
    for (int i = 0; i < 6; i++)
        if (all[i] && fclose(all[i]) != 0 && !rc) rc = pu_fail(err, PU_ERR_IO, dir, NULL, "write failed");
    free(g);
    free(truth);
    return rc;
}
