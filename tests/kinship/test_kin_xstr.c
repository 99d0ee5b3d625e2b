/* X-STR LRs (kin_xstr.h, docs/kinship.md "X-STR"): each expected value is
 * written out by hand from the X-chromosomal IBD probabilities of the
 * relationship (the comments derive them), independently of the engine's
 * code, and compared to 1e-9 relative. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kinship/kin_xstr.h"

#define REL 1e-9
#define M 1
#define F 2

/* Two Argus linkage-group-1 markers and one of group 3. */
static const char *FREQS = "marker,allele,frequency\n"
                           "DXS10135,18,0.1\nDXS10135,19,0.2\nDXS10135,20,0.3\nDXS10135,21,0.4\n"
                           "DXS8378,10,0.35\nDXS8378,11,0.4\nDXS8378,12,0.25\n"
                           "HPRTB,12,0.3\nHPRTB,13,0.45\nHPRTB,14,0.25\n";

static void near(double got, double want, const char *what) {
    double rel = fabs(got - want) / (fabs(want) > 0 ? fabs(want) : 1);
    if (rel > REL) fail_msg("%s: got %.17g, want %.17g (relative %.3g)", what, got, want, rel);
}

typedef struct xfx { kin_db *db; int16_t *g1, *g2; int group[8]; double mlr[8]; } xfx;

static void setup_db(xfx *x) {
    pu_err err;
    memset(x, 0, sizeof *x);
    assert_int_equal(kin_db_read_mem(FREQS, strlen(FREQS), "xfreqs", NULL, 0, &x->db, &err), PU_OK);
    x->db->warn = NULL;
    x->g1 = calloc(2 * (size_t)x->db->n, sizeof(int16_t));
    x->g2 = calloc(2 * (size_t)x->db->n, sizeof(int16_t));
    kin_xgroups_default(x->db, 1, x->group);
}

static void free_db(xfx *x) {
    free(x->g1), free(x->g2);
    kin_db_free(x->db);
}

/* LR of relationship rel for the two profiles. */
static kin_xlr run(xfx *x, int rel, int s1, const char *p1, int s2, const char *p2) {
    pu_err err;
    double k[3];
    kin_xlr r;
    assert_int_equal(kin_x_profile_parse(x->db, p1, s1, x->g1, "person1", &err), PU_OK);
    assert_int_equal(kin_x_profile_parse(x->db, p2, s2, x->g2, "person2", &err), PU_OK);
    assert_int_equal(kin_x_kappa(rel, s1, s2, k, &err), PU_OK);
    assert_int_equal(kin_x_lr(x->db, x->group, k, s1, x->g1, s2, x->g2, x->mlr, &r, &err), PU_OK);
    return r;
}

/* Father-daughter: the father's one X is the daughter's paternal X
 * (kappa1 = 1). Daughter a/b, father a: P = p_a * p_b, unrelated p_a * 2 p_a
 * p_b, LR = 1/(2 p_a); daughter a/a: p_a * p_a / (p_a * p_a^2) = 1/p_a. */
static void test_father_daughter(void **state) {
    (void)state;
    xfx x;
    setup_db(&x);
    kin_xlr r = run(&x, KIN_X_PARENT_CHILD, M, "DXS8378=10", F, "DXS8378=10/11");
    near(r.lr, 1 / (2 * 0.35), "heterozygous daughter");
    assert_true(r.informative);
    r = run(&x, KIN_X_PARENT_CHILD, M, "DXS8378=12", F, "DXS8378=12/12");
    near(r.lr, 1 / 0.25, "homozygous daughter");
    /* the father lacks both of the daughter's alleles: excluded (no mutation model) */
    r = run(&x, KIN_X_PARENT_CHILD, M, "DXS8378=12", F, "DXS8378=10/11");
    assert_true(r.lr == 0 && r.inconsistent == 1);
    /* two markers of one linkage group with kappa1 = 1: the product */
    r = run(&x, KIN_X_PARENT_CHILD, M, "DXS8378=10;DXS10135=21", F, "DXS8378=10/11;DXS10135=21/19");
    near(r.lr, 1 / (2 * 0.35) * 1 / (2 * 0.4), "two markers");
    near(r.lr, r.lr_independent, "deterministic IBD: linkage changes nothing");
    free_db(&x);
}

/* Father-son: a father passes his Y, not his X, to a son: kappa0 = 1, the
 * X carries no information, LR = 1 whatever the alleles. */
static void test_father_son_uninformative(void **state) {
    (void)state;
    xfx x;
    setup_db(&x);
    kin_xlr r = run(&x, KIN_X_PARENT_CHILD, M, "DXS8378=10", M, "DXS8378=11");
    assert_false(r.informative);
    assert_true(r.lr == 1 && r.lr_independent == 1);
    /* paternal half-brothers and a paternal grandfather likewise */
    r = run(&x, KIN_X_PATERNAL_HALF_SIBLINGS, M, "DXS8378=10", M, "DXS8378=10");
    assert_false(r.informative);
    r = run(&x, KIN_X_PATERNAL_GRANDPARENT, M, "DXS8378=10", F, "DXS8378=10/11");
    assert_false(r.informative);
    free_db(&x);
}

/* Mother-son: the son's X is one of his mother's two (1/2 each): mother
 * a/b, son a: P = 2 p_a p_b * 1/2, unrelated 2 p_a p_b * p_a: LR = 1/(2 p_a). */
static void test_mother_son(void **state) {
    (void)state;
    xfx x;
    setup_db(&x);
    kin_xlr r = run(&x, KIN_X_PARENT_CHILD, F, "HPRTB=13/14", M, "HPRTB=13");
    near(r.lr, 1 / (2 * 0.45), "mother a/b, son a");
    free_db(&x);
}

/* Paternal half-sisters share their father's X (kappa1 = 1): a/b and a/c
 * share a through one of the first sister's two alleles (1/2 each):
 * X1 = 1/2 * p_c / (2 p_a p_c) = 1/(4 p_a). */
static void test_paternal_half_sisters(void **state) {
    (void)state;
    xfx x;
    setup_db(&x);
    kin_xlr r = run(&x, KIN_X_PATERNAL_HALF_SIBLINGS, F, "DXS10135=18/20", F, "DXS10135=18/21");
    near(r.lr, 1 / (4 * 0.1), "a/b and a/c");
    /* maternal half-sisters: kappa0 = kappa1 = 1/2 */
    r = run(&x, KIN_X_MATERNAL_HALF_SIBLINGS, F, "DXS10135=18/20", F, "DXS10135=18/21");
    near(r.lr, 0.5 + 0.5 / (4 * 0.1), "maternal half-sisters");
    free_db(&x);
}

/* Full sisters: paternal X always shared, maternal half the time: kappa1 =
 * kappa2 = 1/2. Both a/b: X1 = 1/2 (p_b + p_a) / (2 p_a p_b), X2 = 1/(2 p_a
 * p_b). Brother and sister: kappa0 = kappa1 = 1/2; brother a, sister a/b:
 * X1 = p_b / (2 p_a p_b) = 1/(2 p_a). */
static void test_siblings(void **state) {
    (void)state;
    xfx x;
    setup_db(&x);
    double pa = 0.35, pb = 0.4;
    double x1 = 0.5 * (pa + pb) / (2 * pa * pb), x2 = 1 / (2 * pa * pb);
    kin_xlr r = run(&x, KIN_X_FULL_SIBLINGS, F, "DXS8378=10/11", F, "DXS8378=11/10");
    near(r.lr, 0.5 * x1 + 0.5 * x2, "full sisters, both a/b");
    r = run(&x, KIN_X_FULL_SIBLINGS, M, "DXS8378=10", F, "DXS8378=10/11");
    near(r.lr, 0.5 + 0.5 / (2 * pa), "brother a, sister a/b");
    /* maternal grandfather and grandson: kappa1 = 1/2 (the mother's paternal X) */
    r = run(&x, KIN_X_MATERNAL_GRANDPARENT, M, "HPRTB=12", M, "HPRTB=12");
    near(r.lr, 0.5 + 0.5 / 0.3, "maternal grandfather, grandson a");
    /* paternal grandmother and granddaughter: kappa1 = 1 */
    r = run(&x, KIN_X_PATERNAL_GRANDPARENT, F, "HPRTB=12/13", F, "HPRTB=12/14");
    near(r.lr, 1 / (4 * 0.3), "paternal grandmother a/b, granddaughter a/c");
    free_db(&x);
}

/* Linkage: full sisters typed at two markers of Argus group 1 and one of
 * group 3. Inside a group one IBD state holds for all its markers:
 * LR_G1 = 1/2 X1(m1) X1(m2) + 1/2 X2(m1) X2(m2), LR_G3 = 1/2 X1 + 1/2 X2,
 * LR = LR_G1 * LR_G3; the independent product differs. */
static void test_linkage_groups(void **state) {
    (void)state;
    xfx x;
    setup_db(&x);
    /* DXS8378 both 10/11; DXS10135 18/19 and 18/20; HPRTB both 13/13 */
    double a1 = 0.5 * (0.35 + 0.4) / (2 * 0.35 * 0.4), b1 = 1 / (2 * 0.35 * 0.4);
    double a2 = 0.5 * 0.3 / (2 * 0.1 * 0.3), b2 = 0;
    double a3 = 0.45 / (0.45 * 0.45), b3 = 1 / (0.45 * 0.45);
    kin_xlr r = run(&x, KIN_X_FULL_SIBLINGS, F, "DXS8378=10/11;DXS10135=18/19;HPRTB=13/13", F,
                    "DXS8378=10/11;DXS10135=18/20;HPRTB=13");
    double g1 = 0.5 * a1 * a2 + 0.5 * b1 * b2, g3 = 0.5 * a3 + 0.5 * b3;
    near(r.lr, g1 * g3, "grouped");
    near(r.lr_independent, (0.5 * a1 + 0.5 * b1) * (0.5 * a2 + 0.5 * b2) * (0.5 * a3 + 0.5 * b3), "independent");
    assert_true(fabs(r.lr - r.lr_independent) > 1e-3 * r.lr);
    assert_int_equal(r.compared, 3);
    near(x.mlr[kin_db_marker(x.db, "HPRTB")], g3, "per-marker LR");
    /* without groups the two agree */
    kin_xgroups_default(x.db, 0, x.group);
    r = run(&x, KIN_X_FULL_SIBLINGS, F, "DXS8378=10/11;DXS10135=18/19;HPRTB=13/13", F,
            "DXS8378=10/11;DXS10135=18/20;HPRTB=13");
    near(r.lr, r.lr_independent, "every marker its own group");
    /* a groups file */
    pu_err err;
    const char *gf = "marker,group\nDXS8378,1\nHPRTB,1\n";
    assert_int_equal(kin_xgroups_read_mem(x.db, gf, strlen(gf), "g.csv", x.group, &err), PU_OK);
    assert_int_equal(x.group[kin_db_marker(x.db, "DXS8378")], x.group[kin_db_marker(x.db, "HPRTB")]);
    assert_true(x.group[kin_db_marker(x.db, "DXS10135")] != 1);
    const char *bad = "marker,group\nDXS8378,0\n";
    assert_int_equal(kin_xgroups_read_mem(x.db, bad, strlen(bad), "g.csv", x.group, &err), PU_ERR_INVALID);
    assert_string_equal(err.where, "g.csv:2");
    assert_string_equal(err.field, "group");
    free_db(&x);
}

/* Refusals: a man typed with two alleles, unknown markers, kappa2 for a man. */
static void test_refusals(void **state) {
    (void)state;
    xfx x;
    setup_db(&x);
    pu_err err;
    assert_int_equal(kin_x_profile_parse(x.db, "DXS8378=10/11", M, x.g1, "person1", &err), PU_ERR_INVALID);
    assert_string_equal(err.field, "person1");
    assert_int_equal(kin_x_profile_parse(x.db, "DXS9999=10", F, x.g1, "person2", &err), PU_ERR_INVALID);
    assert_int_equal(kin_x_profile_parse(x.db, "DXS8378=10", 0, x.g1, "person2", &err), PU_ERR_INVALID);
    double k[3] = {0, 0.5, 0.5};
    kin_xlr r;
    assert_int_equal(kin_x_profile_parse(x.db, "DXS8378=10", M, x.g1, "p1", &err), PU_OK);
    assert_int_equal(kin_x_profile_parse(x.db, "DXS8378=10/11", F, x.g2, "p2", &err), PU_OK);
    assert_int_equal(kin_x_lr(x.db, x.group, k, M, x.g1, F, x.g2, NULL, &r, &err), PU_ERR_INVALID);
    assert_string_equal(err.field, "kappa");
    int rel = -1;
    assert_int_equal(kin_xrel_parse("paternal_half_siblings", &rel), PU_OK);
    assert_int_equal(rel, KIN_X_PATERNAL_HALF_SIBLINGS);
    assert_int_equal(kin_xrel_parse("cousins", &rel), PU_ERR_INVALID);
    free_db(&x);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_father_daughter),         cmocka_unit_test(test_father_son_uninformative),
        cmocka_unit_test(test_mother_son),              cmocka_unit_test(test_paternal_half_sisters),
        cmocka_unit_test(test_siblings),                cmocka_unit_test(test_linkage_groups),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
