/* Dropout, drop-in and silent alleles (docs/kinship.md "Dropout, drop-in,
 * silent alleles"): closed-form cases derived by hand in the comments (the
 * test computes each closed form independently of the engine's code), the
 * exact-genotype identity on a dvir example, and the per-sample file. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kinship/kinship.h"

#define REL 1e-9

static const char *FREQS = "marker,allele,frequency\n"
                           "L1,10,0.1\nL1,11,0.2\nL1,12,0.3\nL1,13,0.25\nL1,14,0.15\n";
static const double P[5] = {0.1, 0.2, 0.3, 0.25, 0.15};

/* A parent (F, typed ab) and the missing child M (mother untyped). */
static const char *PED = "family,id,fid,mid,sex,role\n"
                         "F1,FA,0,0,1,reference\nF1,MO,0,0,2,untyped\nF1,M,FA,MO,1,missing\n";

static void near(double got, double want, const char *what) {
    double rel = fabs(got - want) / (fabs(want) > 0 ? fabs(want) : 1);
    if (rel > REL) fail_msg("%s: got %.17g, want %.17g (relative %.3g)", what, got, want, rel);
}

/* Load the parent-child case: parent "pa/pb", victim observed "o1/o2". */
static void load(const char *freqs, const char *pa, const char *pb, const char *o1, const char *o2, kin_db **db,
                 kin_case **c) {
    pu_err err;
    char am[256], pm[256];
    snprintf(am, sizeof am, "family,id,marker,allele1,allele2\nF1,FA,L1,%s,%s\n", pa, pb);
    snprintf(pm, sizeof pm, "sample,sex,marker,allele1,allele2\nV1,1,L1,%s,%s\n", o1, o2);
    assert_int_equal(kin_db_read_mem(freqs, strlen(freqs), "freqs", NULL, 0, db, &err), PU_OK);
    (*db)->warn = NULL;
    assert_int_equal(kin_case_read_pedigrees_mem(*db, PED, strlen(PED), "ped", c, &err), PU_OK);
    assert_int_equal(kin_case_read_am_mem(*c, am, strlen(am), "am", &err), PU_OK);
    assert_int_equal(kin_case_read_pm_mem(*c, pm, strlen(pm), "pm", &err), PU_OK);
    assert_int_equal(kin_db_prepare(*db, &err), PU_OK);
}

static double pair_lr(kin_case *c) {
    kin_opts o;
    kin_opts_default(&o);
    double lr;
    pu_err err;
    assert_int_equal(kin_pairwise(c, &o, &lr, NULL, &err), PU_OK);
    return lr;
}

/* P(observed {a} | true {x,y}) written out case by case (independently of
 * the engine): a homozygote aa shows a unless both copies drop out (d^2); a
 * heterozygote a/x shows a alone when x drops out and a does not; drop-in
 * adds one allele z with probability c*p_z, so {a} also arises from "a
 * survived alone, drop-in of a" and from "everything dropped out, drop-in of
 * a". */
static double obs_single(int a, int x, int y, double d, double c) {
    double none = 1 - c + c * P[a]; /* nothing new visible: no drop-in, or drop-in of a itself */
    if (x == a && y == a) return (1 - d * d) * none + d * d * c * P[a];
    if (x == a || y == a) return d * (1 - d) * none + d * d * c * P[a];
    return d * d * c * P[a];
}

/* The parent-child LR for parent {pa,pb} (exact) and a child observed {a}:
 * N = sum over the parent's transmitted t (1/2 each) and the mother's y (p_y)
 * of P({a} | {t,y}); D = sum over x, y of p_x p_y P({a} | {x,y}). */
static double lr_single(int a, int pa, int pb, double d, double c) {
    double N = 0, D = 0;
    int t[2] = {pa, pb};
    for (int k = 0; k < 2; k++)
        for (int y = 0; y < 5; y++) N += 0.5 * P[y] * obs_single(a, t[k], y, d, c);
    for (int x = 0; x < 5; x++)
        for (int y = 0; y < 5; y++) D += P[x] * P[y] * obs_single(a, x, y, d, c);
    return N / D;
}

/* Heterozygous parent 10/11, child seen as 10 only (11 dropped out). Without
 * drop-in the closed form is
 *   LR = [p_a(1-d^2) + (1-p_a) d(1-d) + p_a d(1-d)] / (2 [p_a^2(1-d^2) + 2 p_a(1-p_a) d(1-d)])
 * which is 1/(2 p_a) at d = 0 (the exact parent-child LR). */
static void test_dropout_parent_child_closed_form(void **state) {
    (void)state;
    const double ds[] = {0, 0.05, 0.1, 0.3, 0.5};
    for (size_t i = 0; i < sizeof ds / sizeof ds[0]; i++) {
        double d = ds[i], pa = P[0];
        kin_db *db;
        kin_case *c;
        pu_err err;
        load(FREQS, "10", "11", "10", "10", &db, &c);
        assert_int_equal(kin_case_set_dropout(c, d, 0, &err), PU_OK);
        double got = pair_lr(c);
        double want = (pa * (1 - d * d) + (1 - pa) * d * (1 - d) + pa * d * (1 - d)) /
                      (2 * (pa * pa * (1 - d * d) + 2 * pa * (1 - pa) * d * (1 - d)));
        near(got, want, "parent-child, one allele dropped out");
        near(got, lr_single(0, 0, 1, d, 0), "the case-by-case sum");
        if (d == 0) near(got, 1 / (2 * pa), "d = 0 is the exact parent-child LR");
        kin_case_free(c);
        kin_db_free(db);
    }
}

/* Drop-in: the same pair with c > 0 (the case-by-case sum of obs_single). */
static void test_dropin_closed_form(void **state) {
    (void)state;
    const double dc[][2] = {{0.1, 0.05}, {0.2, 0.1}, {0, 0.05}, {0.5, 0.3}};
    for (size_t i = 0; i < sizeof dc / sizeof dc[0]; i++) {
        kin_db *db;
        kin_case *c;
        pu_err err;
        /* parent 12/13, child seen as 10: excluded without drop-in */
        load(FREQS, "12", "13", "10", "10", &db, &c);
        assert_int_equal(kin_case_set_dropout(c, dc[i][0], dc[i][1], &err), PU_OK);
        near(pair_lr(c), lr_single(0, 2, 3, dc[i][0], dc[i][1]), "drop-in explains an allele the parent lacks");
        kin_case_free(c);
        kin_db_free(db);
        load(FREQS, "10", "11", "10", "10", &db, &c);
        assert_int_equal(kin_case_set_dropout(c, dc[i][0], dc[i][1], &err), PU_OK);
        near(pair_lr(c), lr_single(0, 0, 1, dc[i][0], dc[i][1]), "dropout and drop-in together");
        kin_case_free(c);
        kin_db_free(db);
    }
}

/* Silent allele s with frequency p_s: parent seen as a, child seen as b.
 * Only parent a/s and child b/s connect them: N = 2 p_a p_s * 1/2 * p_b,
 * D = (p_a^2 + 2 p_a p_s)(p_b^2 + 2 p_b p_s), so
 *   LR = p_s / ((p_a + 2 p_s)(p_b + 2 p_s)).
 * Without the silent allele the pair is excluded (LR 0). */
static void test_silent_allele_closed_form(void **state) {
    (void)state;
    const char *fs = "marker,allele,frequency\n"
                     "L1,10,0.1\nL1,11,0.2\nL1,12,0.3\nL1,13,0.2\nL1,14,0.15\nL1,silent,0.05\n";
    kin_db *db;
    kin_case *c;
    load(fs, "10", "10", "11", "11", &db, &c);
    double ps = 0.05, pa = 0.1, pb = 0.2;
    near(pair_lr(c), ps / ((pa + 2 * ps) * (pb + 2 * ps)), "silent allele");
    kin_case_free(c);
    kin_db_free(db);
    load(FREQS, "10", "10", "11", "11", &db, &c);
    assert_true(pair_lr(c) == 0);
    kin_case_free(c);
    kin_db_free(db);
    /* the silent allele is never an observation */
    pu_err err;
    assert_int_equal(kin_db_read_mem(fs, strlen(fs), "freqs", NULL, 0, &db, &err), PU_OK);
    kin_case *c2;
    assert_int_equal(kin_case_read_pedigrees_mem(db, PED, strlen(PED), "ped", &c2, &err), PU_OK);
    const char *pm = "sample,sex,marker,allele1,allele2\nV1,1,L1,10,silent\n";
    assert_int_equal(kin_case_read_pm_mem(c2, pm, strlen(pm), "case.pm", &err), PU_ERR_INVALID);
    assert_string_equal(err.where, "case.pm:2");
    assert_string_equal(err.field, "allele2");
    kin_case_free(c2);
    kin_db_free(db);
}

/* kin_ev_prob sums to one over every observation (nothing, one allele, two,
 * and the three-allele outcome of a heterozygote with a drop-in) for each
 * true genotype: the model is a distribution. */
static void test_ev_prob_is_distribution(void **state) {
    (void)state;
    kin_db *db;
    pu_err err;
    assert_int_equal(kin_db_read_mem(FREQS, strlen(FREQS), "f", NULL, 0, &db, &err), PU_OK);
    kin_ev ev = {0.3, 0.1};
    const kin_marker *mk = &db->m[0];
    for (int x = 0; x < 5; x++)
        for (int y = x; y < 5; y++) {
            /* nothing seen: every copy dropped, no drop-in */
            double tot = ev.d * ev.d * (1 - ev.c);
            /* three alleles seen (both survive, a third drops in): not a genotype observation */
            if (x != y) tot += (1 - ev.d) * (1 - ev.d) * ev.c * (1 - mk->freq[x] - mk->freq[y]);
            for (int a = 0; a < 5; a++)
                for (int b = a; b < 5; b++) tot += kin_ev_prob(mk, a, b, x, y, &ev);
            near(tot, 1, "sum over observations");
        }
    kin_db_free(db);
}

/* With d tiny (1e-18: a dropout then explains a mismatch far less than a
 * mutation does) the soft-evidence code path must agree with the exact one on a
 * real case (planecrash: 15 markers, proportional mutation) to 1e-9; with
 * d = c = 0 the result is the exact one bit for bit. */
static void test_dropout_zero_identity(void **state) {
    (void)state;
    const char *src = getenv("PUENTE_SRC");
    char dir[1024], p[1200];
    snprintf(dir, sizeof dir, "%s/data/kinship/dvi_planecrash", src ? src : ".");
    pu_err err;
    kin_db *db;
    kin_case *c;
    snprintf(p, sizeof p, "%s/freqs.csv", dir);
    assert_int_equal(kin_db_read(p, NULL, 0, &db, &err), PU_OK);
    db->warn = NULL;
    snprintf(p, sizeof p, "%s/mutation_models.csv", dir);
    assert_int_equal(kin_db_read_mutation(db, p, &err), PU_OK);
    snprintf(p, sizeof p, "%s/am_pedigrees.csv", dir);
    assert_int_equal(kin_case_read_pedigrees(db, p, &c, &err), PU_OK);
    snprintf(p, sizeof p, "%s/am_genotypes.csv", dir);
    assert_int_equal(kin_case_read_am(c, p, &err), PU_OK);
    snprintf(p, sizeof p, "%s/pm_genotypes.csv", dir);
    assert_int_equal(kin_case_read_pm(c, p, &err), PU_OK);
    size_t n = (size_t)c->nvic * c->nmiss;
    double *exact = calloc(n, sizeof *exact), *soft = calloc(n, sizeof *soft), *zero = calloc(n, sizeof *zero);
    kin_opts o;
    kin_opts_default(&o);
    assert_int_equal(kin_pairwise(c, &o, exact, NULL, &err), PU_OK);
    assert_int_equal(kin_case_set_dropout(c, 0, 0, &err), PU_OK);
    assert_null(c->vic_ev);
    assert_int_equal(kin_pairwise(c, &o, zero, NULL, &err), PU_OK);
    assert_int_equal(kin_case_set_dropout(c, 1e-18, 0, &err), PU_OK);
    assert_int_equal(kin_pairwise(c, &o, soft, NULL, &err), PU_OK);
    int compared = 0;
    for (size_t k = 0; k < n; k++) {
        if (isnan(exact[k])) continue;
        assert_memory_equal(&exact[k], &zero[k], sizeof(double));
        if (exact[k] > 0) near(soft[k], exact[k], "d -> 0 equals the exact likelihood"), compared++;
    }
    assert_true(compared > 10);
    /* joint: log L(V1 -> M_j) - log L(nobody) is the pairwise log LR */
    assert_int_equal(kin_case_set_dropout(c, 0.2, 0.05, &err), PU_OK);
    assert_int_equal(kin_pairwise(c, &o, soft, NULL, &err), PU_OK);
    int *as = calloc((size_t)c->nvic, sizeof *as);
    for (int v = 0; v < c->nvic; v++) as[v] = -1;
    double l0, l1;
    assert_int_equal(kin_joint_loglik(c, &o, as, &l0, &err), PU_OK);
    for (int j = 0; j < c->nmiss; j++) {
        if (isnan(soft[j]) || soft[j] <= 0) continue;
        as[0] = j;
        assert_int_equal(kin_joint_loglik(c, &o, as, &l1, &err), PU_OK);
        near(l1 - l0, log(soft[j]), "joint with dropout = pairwise with dropout");
    }
    free(as);
    free(exact), free(soft), free(zero);
    kin_case_free(c);
    kin_db_free(db);
}

/* The per-sample / per-marker file: wildcards, overrides, errors with file:line. */
static void test_dropout_file(void **state) {
    (void)state;
    kin_db *db;
    kin_case *c;
    pu_err err;
    load(FREQS, "10", "11", "10", "10", &db, &c);
    const char *f = "sample,marker,dropout,dropin\n*,*,0.1,0.01\nV1,L1,0.3,\n";
    assert_int_equal(kin_case_read_dropout_mem(c, f, strlen(f), "drop.csv", &err), PU_OK);
    assert_true(c->vic_ev[0].d == 0.3 && c->vic_ev[0].c == 0.01);
    near(pair_lr(c), lr_single(0, 0, 1, 0.3, 0.01), "values from the file");
    const char *bad = "sample,marker,dropout\nV9,L1,0.3\n";
    assert_int_equal(kin_case_read_dropout_mem(c, bad, strlen(bad), "drop.csv", &err), PU_ERR_INVALID);
    assert_string_equal(err.where, "drop.csv:2");
    assert_string_equal(err.field, "sample");
    assert_true(c->vic_ev[0].d == 0.3); /* all or nothing */
    const char *bad2 = "sample,marker,dropout\nV1,L1,1.5\n";
    assert_int_equal(kin_case_read_dropout_mem(c, bad2, strlen(bad2), "drop.csv", &err), PU_ERR_INVALID);
    assert_string_equal(err.field, "dropout");
    assert_int_equal(kin_case_set_dropout(c, -0.1, 0, &err), PU_ERR_INVALID);
    kin_case_free(c);
    kin_db_free(db);
}

/* Per-marker values that differ: two markers with the same frequencies, the
 * parent 10/11 at both, the child seen {10} at L1 and {11} at L2; the file
 * gives every marker d = 0.1 and L2 d = 0.4 with drop-in 0.02. Each marker's
 * LR is its own closed form (L1 the written-out formula of the test above,
 * L2 the case-by-case sum) and the pair's LR is their product. */
static void test_dropout_per_marker_closed_form(void **state) {
    (void)state;
    pu_err err;
    kin_db *db;
    kin_case *c;
    const char *freqs = "marker,allele,frequency\n"
                        "L1,10,0.1\nL1,11,0.2\nL1,12,0.3\nL1,13,0.25\nL1,14,0.15\n"
                        "L2,10,0.1\nL2,11,0.2\nL2,12,0.3\nL2,13,0.25\nL2,14,0.15\n";
    const char *am = "family,id,marker,allele1,allele2\nF1,FA,L1,10,11\nF1,FA,L2,10,11\n";
    const char *pm = "sample,sex,marker,allele1,allele2\nV1,1,L1,10,10\nV1,1,L2,11,11\n";
    assert_int_equal(kin_db_read_mem(freqs, strlen(freqs), "freqs", NULL, 0, &db, &err), PU_OK);
    db->warn = NULL;
    assert_int_equal(kin_case_read_pedigrees_mem(db, PED, strlen(PED), "ped", &c, &err), PU_OK);
    assert_int_equal(kin_case_read_am_mem(c, am, strlen(am), "am", &err), PU_OK);
    assert_int_equal(kin_case_read_pm_mem(c, pm, strlen(pm), "pm", &err), PU_OK);
    assert_int_equal(kin_db_prepare(db, &err), PU_OK);
    const char *f = "sample,marker,dropout,dropin\n*,*,0.1,0\nV1,L2,0.4,0.02\n";
    assert_int_equal(kin_case_read_dropout_mem(c, f, strlen(f), "drop.csv", &err), PU_OK);
    double d1 = 0.1, pa = P[0];
    double l1 = (pa * (1 - d1 * d1) + (1 - pa) * d1 * (1 - d1) + pa * d1 * (1 - d1)) /
                (2 * (pa * pa * (1 - d1 * d1) + 2 * pa * (1 - pa) * d1 * (1 - d1)));
    double l2 = lr_single(1, 0, 1, 0.4, 0.02);
    near(pair_lr(c), l1 * l2, "pair LR = product of the per-marker closed forms");
    double logm[2];
    kin_opts o;
    kin_opts_default(&o);
    assert_int_equal(kin_pair_markers(c, &o, 0, 0, logm, NULL, &err), PU_OK);
    near(exp(logm[0]), l1, "L1 with d = 0.1");
    near(exp(logm[1]), l2, "L2 with d = 0.4, c = 0.02");
    assert_true(fabs(l1 - l2) > 1e-3); /* the markers really differ */
    kin_case_free(c);
    kin_db_free(db);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dropout_parent_child_closed_form),
        cmocka_unit_test(test_dropin_closed_form),
        cmocka_unit_test(test_silent_allele_closed_form),
        cmocka_unit_test(test_ev_prob_is_distribution),
        cmocka_unit_test(test_dropout_zero_identity),
        cmocka_unit_test(test_dropout_file),
        cmocka_unit_test(test_dropout_per_marker_closed_form),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
