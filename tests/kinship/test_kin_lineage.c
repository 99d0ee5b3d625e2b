/* Lineage markers (docs/kinship.md "Lineage markers"): the Clopper-Pearson
 * bound checked against its defining equation, the single-step mutation
 * probabilities against their closed forms, and Y-STR / mtDNA LRs on a
 * small haplotype database built here. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/pu.h"
#include "kinship/kinship.h"

static void near(double got, double want, const char *what) {
    double rel = fabs(got - want) / (fabs(want) > 0 ? fabs(want) : 1);
    if (rel > 1e-9) fail_msg("%s: got %.17g, want %.17g", what, got, want);
}

/* P(X <= x | n, p), written out for the small x of the test */
static double cdf(long x, long n, double p) {
    double s = 0, c = 1;
    for (long k = 0; k <= x; k++) {
        if (k > 0) c = c * (double)(n - k + 1) / (double)k;
        s += c * pow(p, (double)k) * pow(1 - p, (double)(n - k));
    }
    return s;
}

static void test_clopper_pearson(void **state) {
    (void)state;
    /* x = 0: 1 - alpha^(1/n) (SWGDAM 2014; e.g. n = 1000 gives 0.0029913) */
    near(kin_cp_upper(0, 1000, 0.05), 1 - pow(0.05, 1.0 / 1000), "x = 0");
    assert_true(fabs(kin_cp_upper(0, 1000, 0.05) - 0.0029913) < 1e-7);
    /* x > 0: the bound p solves P(X <= x | n, p) = alpha */
    const long xs[] = {1, 2, 5}, ns[] = {20, 500, 3000};
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            double p = kin_cp_upper(xs[i], ns[j], 0.05);
            assert_true(p > (double)xs[i] / ns[j]);
            near(cdf(xs[i], ns[j], p), 0.05, "defining equation");
        }
    assert_true(kin_cp_upper(7, 7, 0.05) == 1);
}

static void test_step_model(void **state) {
    (void)state;
    double mu = 0.0025;
    near(kin_ystep_prob(0, 1, mu), 1 - mu, "father-son, no change");
    near(kin_ystep_prob(1, 1, mu), mu / 2, "father-son, one step up");
    near(kin_ystep_prob(-1, 1, mu), mu / 2, "father-son, one step down");
    /* brothers: two meioses from the father */
    near(kin_ystep_prob(0, 2, mu), (1 - mu) * (1 - mu) + mu * mu / 2, "brothers, no net change");
    near(kin_ystep_prob(1, 2, mu), (1 - mu) * mu, "brothers, one step");
    near(kin_ystep_prob(2, 2, mu), mu * mu / 4, "brothers, two steps");
    assert_true(kin_ystep_prob(3, 2, mu) == 0);
    double s = 0;
    for (int k = -4; k <= 4; k++) s += kin_ystep_prob(k, 4, mu);
    near(s, 1, "a distribution");
}

/* 20 haplotypes over 3 loci; H1..H3 equal "14,13,29" */
static kin_hapdb *ydb(void) {
    char csv[8192];
    size_t at = (size_t)snprintf(csv, sizeof csv, "haplotype,locus,allele\n");
    for (int i = 1; i <= 20; i++)
        at += (size_t)snprintf(csv + at, sizeof csv - at, "H%d,DYS19,%d\nH%d,DYS389I,13\nH%d,DYS390,%d\n", i,
                               i <= 3 ? 14 : 15 + i % 3, i, i, i <= 3 ? 29 : 22 + i % 4);
    kin_hapdb *h;
    pu_err err;
    assert_int_equal(kin_hapdb_read_mem(csv, at, "y.csv", &h, &err), PU_OK);
    assert_int_equal(h->n, 20);
    assert_int_equal(h->nloci, 3);
    return h;
}

static void test_y_lr(void **state) {
    (void)state;
    kin_hapdb *h = ydb();
    pu_err err;
    kin_lineage_lr r;
    double mu[3] = {0.002, 0.003, 0.004};
    const char *pm[3] = {"14", "13", "29"}, *ref[3] = {"14", "13", "29"};
    assert_int_equal(kin_y_lr(h, pm, ref, 2, mu, &r, &err), PU_OK);
    assert_int_equal(r.x, 3);
    assert_int_equal(r.n, 20);
    double f = kin_cp_upper(3, 20, 0.05), pr = 1;
    for (int l = 0; l < 3; l++) pr *= (1 - mu[l]) * (1 - mu[l]) + mu[l] * mu[l] / 2;
    near(r.lr, pr / f, "brothers, full match");
    near(r.freq_aug, 4.0 / 21, "(x+1)/(N+1)");
    /* one step at DYS390 between uncle and nephew (3 meioses) */
    const char *ref2[3] = {"14", "13", "30"};
    assert_int_equal(kin_y_lr(h, pm, ref2, 3, mu, &r, &err), PU_OK);
    assert_int_equal(r.diffs, 1);
    near(r.lr, kin_ystep_prob(0, 3, mu[0]) * kin_ystep_prob(0, 3, mu[1]) * kin_ystep_prob(-1, 3, mu[2]) / f,
         "one repeat step");
    /* a microvariant difference is no repeat step: excluded */
    const char *ref3[3] = {"14.2", "13", "29"};
    assert_int_equal(kin_y_lr(h, pm, ref3, 2, mu, &r, &err), PU_OK);
    assert_true(r.lr == 0);
    assert_int_equal(r.nonstep, 1);
    /* a partial haplotype: the count uses the PM's typed loci only */
    const char *pm4[3] = {"14", NULL, NULL};
    assert_int_equal(kin_y_lr(h, pm4, ref, 1, NULL, &r, &err), PU_OK);
    assert_int_equal(r.x, 3);
    assert_int_equal(r.compared, 1);
    near(r.lr, (1 - 0.002) / f, "partial, default rate");
    const char *none[3] = {NULL, NULL, NULL};
    assert_int_equal(kin_y_lr(h, none, ref, 1, NULL, &r, &err), PU_ERR_INVALID);
    assert_int_equal(kin_y_lr(h, pm, ref, 0, NULL, &r, &err), PU_ERR_INVALID);
    kin_hapdb_free(h);
}

static void test_mt_lr(void **state) {
    (void)state;
    const char *csv = "haplotype,locus,allele\n"
                      "A,mt,16223T 16311C 73G\nB,mt,73G 16311C 16223T\nC,mt,16189C 73G\nD,mt,73G\nE,mt,263G\n";
    kin_hapdb *h;
    pu_err err;
    assert_int_equal(kin_hapdb_read_mem(csv, strlen(csv), "mt.csv", &h, &err), PU_OK);
    kin_lineage_lr r;
    assert_int_equal(kin_mt_lr(h, "16223T 16311C 73G", "73G 16223T 16311C", &r, &err), PU_OK);
    assert_int_equal(r.x, 2); /* A and B: the same variants in another order */
    near(r.lr, 1 / kin_cp_upper(2, 5, 0.05), "match");
    assert_int_equal(kin_mt_lr(h, "16223T 16311C 73G", "16223T 73G", &r, &err), PU_OK);
    assert_true(isnan(r.lr)); /* one difference: inconclusive */
    assert_int_equal(kin_mt_lr(h, "16223T 16311C 73G", "263G 73G", &r, &err), PU_OK);
    assert_true(r.lr == 0);
    const char *bad = "haplotype,locus,allele\nA,mt,\n";
    kin_hapdb *h2;
    assert_int_equal(kin_hapdb_read_mem(bad, strlen(bad), "mt.csv", &h2, &err), PU_ERR_INVALID);
    assert_string_equal(err.where, "mt.csv:2");
    kin_hapdb_free(h);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clopper_pearson),
        cmocka_unit_test(test_step_model),
        cmocka_unit_test(test_y_lr),
        cmocka_unit_test(test_mt_lr),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
