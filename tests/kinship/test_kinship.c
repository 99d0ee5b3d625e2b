/* Unit tests for the kinship engine: single-marker reference LRs (pedprobr),
 * the six dvir DVI examples (pairwise LR, exclusions, joint, posteriors,
 * dviSolve tables) and bad input. Expected values are read from the bundled
 * reference files in data/kinship/, never hard-coded. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <jansson.h>

#include "common/pu_io.h"
#include "kinship/kinship.h"

static char datadir[512];

static void path_of(char *buf, size_t n, const char *rel) {
    snprintf(buf, n, "%s/%s", datadir, rel);
}

/* Read a whole CSV into rows (header included), as strdup'ed fields. */
typedef struct table {
    int nrow, ncol;
    char ***cell;
} table;

static void table_read(const char *rel, table *t) {
    char p[2048];
    path_of(p, sizeof p, rel);
    pu_csv *r;
    pu_err err;
    assert_int_equal(pu_csv_open(p, NULL, &r, &err), PU_OK);
    memset(t, 0, sizeof *t);
    const pu_csv_row *row;
    while (pu_csv_next(r, &row, &err) == PU_OK && row) {
        t->cell = realloc(t->cell, (size_t)(t->nrow + 1) * sizeof *t->cell);
        t->cell[t->nrow] = calloc(row->n + 1, sizeof(char *));
        for (size_t i = 0; i < row->n; i++) t->cell[t->nrow][i] = strdup(row->fields[i]);
        if (t->nrow == 0) t->ncol = (int)row->n;
        t->nrow++;
    }
    pu_csv_close(r);
    assert_true(t->nrow > 1);
}

static int table_col(const table *t, const char *name) {
    for (int i = 0; i < t->ncol; i++)
        if (!strcmp(t->cell[0][i], name)) return i;
    fail_msg("column %s missing", name);
    return -1;
}

static void table_free(table *t) {
    for (int r = 0; r < t->nrow; r++) {
        for (int i = 0; t->cell[r][i]; i++) free(t->cell[r][i]);
        free(t->cell[r]);
    }
    free(t->cell);
}

static void assert_rel(double got, double want, double tol, const char *what) {
    if (isinf(want) || isnan(want)) {
        if (!(isinf(got) && (got > 0) == (want > 0)) && !(isnan(got) && isnan(want)))
            fail_msg("%s: expected %g, got %g", what, want, got);
        return;
    }
    double d = fabs(got - want);
    double lim = tol * fabs(want);
    if (want == 0) lim = 1e-300;
    if (d > lim) fail_msg("%s: expected %.17g, got %.17g (relative %.3g)", what, want, got, d / fabs(want));
}

/* ---- the 336 single-marker reference LRs ---------------------------------- */

typedef struct relped {
    const char *name;
    int n, a, b;  /* persons, index of genotype_a and genotype_b */
    int fa[10], mo[10], sex[10];
} relped;

/* Pedigrees as in pedtools: founders have -1. */
static const relped rels[] = {
    {"parent_child", 3, 0, 2, {-1, -1, 0}, {-1, -1, 1}, {1, 2, 1}},
    {"full_siblings", 4, 2, 3, {-1, -1, 0, 0}, {-1, -1, 1, 1}, {1, 2, 1, 1}},
    {"half_siblings", 5, 2, 4, {-1, -1, 0, -1, 0}, {-1, -1, 1, -1, 3}, {1, 2, 1, 2, 1}},
    {"grandparent_grandchild", 5, 0, 4, {-1, -1, 0, -1, 2}, {-1, -1, 1, -1, 3}, {1, 2, 1, 2, 1}},
    {"avuncular", 6, 2, 5, {-1, -1, 0, 0, -1, 3}, {-1, -1, 1, 1, -1, 4}, {1, 2, 1, 1, 2, 1}},
    {"first_cousins", 8, 6, 7, {-1, -1, 0, 0, -1, -1, 2, 5}, {-1, -1, 1, 1, -1, -1, 4, 3},
     {1, 2, 1, 2, 2, 1, 1, 1}},
};

static void parse_model(const char *s, kin_mutmodel *m) {
    memset(m, 0, sizeof *m);
    m->range = 0.1;
    char kind[32] = "";
    sscanf(s, "%31[a-z]", kind);
    assert_int_equal(kin_mut_kind_parse(kind, &m->kind), PU_OK);
    const char *u = strchr(s, '_');
    if (u) m->rate = atof(u + 1);
    const char *r2 = strstr(s, "_r2_");
    if (r2) m->rate2 = atof(r2 + 4);
    const char *rg = strstr(s, "_range");
    if (rg) m->range = atof(rg + 6);
}

static void test_reference_lrs(void **state) {
    (void)state;
    table t;
    table_read("kinship_pairwise_reference_LRs.csv", &t);
    char p[2048];
    path_of(p, sizeof p, "kinship_pairwise_reference_freqs.csv");
    /* the reference frequency file has no marker column: build one in memory */
    FILE *fp = fopen(p, "r");
    assert_non_null(fp);
    char line[256], mem[4096] = "marker,allele,frequency\n";
    size_t used = strlen(mem);
    assert_non_null(fgets(line, sizeof line, fp));
    while (fgets(line, sizeof line, fp)) used += (size_t)snprintf(mem + used, sizeof mem - used, "L,%s", line);
    fclose(fp);
    int crel = table_col(&t, "relationship"), cga = table_col(&t, "genotype_a"), cgb = table_col(&t, "genotype_b");
    int cth = table_col(&t, "theta"), cmod = table_col(&t, "mutation_model"), clr = table_col(&t, "LR");
    int crl = table_col(&t, "lik_related"), cul = table_col(&t, "lik_unrelated");
    int checked = 0;
    for (int r = 1; r < t.nrow; r++) {
        kin_db *db;
        pu_err err;
        assert_int_equal(kin_db_read_mem(mem, used, "ref", NULL, 0, &db, &err), PU_OK);
        db->warn = NULL;
        kin_mutmodel mm;
        parse_model(t.cell[r][cmod], &mm);
        kin_db_set_mutation(db, &mm, &mm);
        assert_int_equal(kin_db_prepare(db, &err), PU_OK);
        const relped *rp = NULL;
        for (size_t k = 0; k < sizeof rels / sizeof rels[0]; k++)
            if (!strcmp(rels[k].name, t.cell[r][crel])) rp = &rels[k];
        assert_non_null(rp);
        int16_t gt[20];
        for (int i = 0; i < 20; i++) gt[i] = KIN_UNTYPED;
        char a1[8], a2[8], b1[8], b2[8];
        assert_int_equal(sscanf(t.cell[r][cga], "%7[^/]/%7s", a1, a2), 2);
        assert_int_equal(sscanf(t.cell[r][cgb], "%7[^/]/%7s", b1, b2), 2);
        gt[2 * rp->a] = (int16_t)kin_db_allele(db, 0, a1, 0, NULL);
        gt[2 * rp->a + 1] = (int16_t)kin_db_allele(db, 0, a2, 0, NULL);
        gt[2 * rp->b] = (int16_t)kin_db_allele(db, 0, b1, 0, NULL);
        gt[2 * rp->b + 1] = (int16_t)kin_db_allele(db, 0, b2, 0, NULL);
        double theta = atof(t.cell[r][cth]), l1, l0;
        assert_int_equal(kin_ped_lik(&db->m[0], rp->n, rp->fa, rp->mo, rp->sex, gt, theta, 1, -1, &l1, &err), PU_OK);
        /* unrelated: the two persons as founders of one computation */
        int ufa[2] = {-1, -1}, umo[2] = {-1, -1}, usex[2] = {1, 2};
        int16_t ug[4] = {gt[2 * rp->a], gt[2 * rp->a + 1], gt[2 * rp->b], gt[2 * rp->b + 1]};
        assert_int_equal(kin_ped_lik(&db->m[0], 2, ufa, umo, usex, ug, theta, 1, -1, &l0, &err), PU_OK);
        char what[160];
        snprintf(what, sizeof what, "%s %s-%s theta=%s %s", t.cell[r][crel], t.cell[r][cga], t.cell[r][cgb],
                 t.cell[r][cth], t.cell[r][cmod]);
        assert_rel(l1, atof(t.cell[r][crl]), 1e-9, what);
        assert_rel(l0, atof(t.cell[r][cul]), 1e-9, what);
        assert_rel(l1 / l0, atof(t.cell[r][clr]), 1e-9, what);
        kin_db_free(db);
        checked++;
    }
    assert_int_equal(checked, 336);
    table_free(&t);
}

/* ---- DVI examples ------------------------------------------------------------ */

static kin_case *load_dvi(const char *name, kin_db **dbo) {
    char p[2048], rel[256];
    pu_err err;
    kin_db *db;
    snprintf(rel, sizeof rel, "dvi_%s/freqs.csv", name);
    path_of(p, sizeof p, rel);
    assert_int_equal(kin_db_read(p, NULL, 0, &db, &err), PU_OK);
    snprintf(rel, sizeof rel, "dvi_%s/mutation_models.csv", name);
    path_of(p, sizeof p, rel);
    assert_int_equal(kin_db_read_mutation(db, p, &err), PU_OK);
    kin_case *c;
    snprintf(rel, sizeof rel, "dvi_%s/am_pedigrees.csv", name);
    path_of(p, sizeof p, rel);
    assert_int_equal(kin_case_read_pedigrees(db, p, &c, &err), PU_OK);
    snprintf(rel, sizeof rel, "dvi_%s/am_genotypes.csv", name);
    path_of(p, sizeof p, rel);
    assert_int_equal(kin_case_read_am(c, p, &err), PU_OK);
    snprintf(rel, sizeof rel, "dvi_%s/pm_genotypes.csv", name);
    path_of(p, sizeof p, rel);
    assert_int_equal(kin_case_read_pm(c, p, &err), PU_OK);
    assert_int_equal(kin_db_prepare(db, &err), PU_OK);
    *dbo = db;
    return c;
}

static int vic_index(const kin_case *c, const char *id) {
    for (int v = 0; v < c->nvic; v++)
        if (!strcmp(c->vic[v].id, id)) return v;
    fail_msg("victim %s not found", id);
    return -1;
}

static int miss_index(const kin_case *c, const char *id) {
    for (int j = 0; j < c->nmiss; j++)
        if (!strcmp(c->fam[c->miss[j].fam].p[c->miss[j].person].id, id)) return j;
    if (!strcmp(id, "*")) return c->nmiss;
    fail_msg("missing person %s not found", id);
    return -1;
}

static double num_or_nan(const char *s) {
    if (!*s) return NAN;
    if (!strcmp(s, "Inf")) return INFINITY;
    if (!strcmp(s, "-Inf")) return -INFINITY;
    return atof(s);
}

static void check_pairwise(const char *name) {
    kin_db *db;
    kin_case *c = load_dvi(name, &db);
    size_t n = (size_t)c->nvic * c->nmiss;
    double *lr = malloc(n * sizeof *lr);
    int *ex = malloc(n * sizeof *ex);
    kin_opts o;
    kin_opts_default(&o);
    pu_err err;
    assert_int_equal(kin_pairwise(c, &o, lr, ex, &err), PU_OK);
    char rel[256];
    table t;
    snprintf(rel, sizeof rel, "dvi_%s/expected_pairwiseLR.csv", name);
    table_read(rel, &t);
    for (int r = 1; r < t.nrow; r++) {
        int v = vic_index(c, t.cell[r][0]), j = miss_index(c, t.cell[r][1]);
        char what[128];
        snprintf(what, sizeof what, "%s LR %s-%s", name, t.cell[r][0], t.cell[r][1]);
        assert_rel(lr[(size_t)v * c->nmiss + j], num_or_nan(t.cell[r][2]), 1e-9, what);
    }
    assert_int_equal(t.nrow - 1, (int)n);
    table_free(&t);
    snprintf(rel, sizeof rel, "dvi_%s/expected_exclusion_counts.csv", name);
    table_read(rel, &t);
    for (int r = 1; r < t.nrow; r++) {
        int v = vic_index(c, t.cell[r][0]), j = miss_index(c, t.cell[r][1]);
        int want = *t.cell[r][2] ? atoi(t.cell[r][2]) : -1;
        if (ex[(size_t)v * c->nmiss + j] != want)
            fail_msg("%s exclusions %s-%s: expected %d, got %d", name, t.cell[r][0], t.cell[r][1], want,
                     ex[(size_t)v * c->nmiss + j]);
    }
    table_free(&t);
    free(lr);
    free(ex);
    kin_case_free(c);
    kin_db_free(db);
}

static void check_joint(const char *name) {
    kin_db *db;
    kin_case *c = load_dvi(name, &db);
    kin_opts o;
    kin_opts_default(&o);
    pu_err err;
    kin_joint *J;
    assert_int_equal(kin_joint_run(c, &o, NULL, NULL, 0, &J, &err), PU_OK);
    char rel[256];
    table t;
    snprintf(rel, sizeof rel, "dvi_%s/expected_dviJoint_top.csv", name);
    table_read(rel, &t);
    int cll = table_col(&t, "loglik");
    /* the ranked log-likelihoods agree row by row (ties may be ordered differently) */
    for (int r = 1; r < t.nrow; r++) {
        double want = num_or_nan(t.cell[r][cll]);
        assert_true(r - 1 < J->n);
        char what[128];
        snprintf(what, sizeof what, "%s joint rank %d", name, r);
        if (isinf(want)) assert_true(isinf(J->row[r - 1].loglik));
        else assert_rel(J->row[r - 1].loglik, want, 1e-9, what);
        /* and this very assignment has this log-likelihood */
        int *as = malloc((size_t)c->nvic * sizeof(int));
        for (int v = 0; v < c->nvic; v++) {
            int col = table_col(&t, c->vic[v].id);
            int j = miss_index(c, t.cell[r][col]);
            as[v] = j == c->nmiss ? -1 : j;
        }
        double ll;
        assert_int_equal(kin_joint_loglik(c, &o, as, &ll, &err), PU_OK);
        if (isinf(want)) assert_true(isinf(ll));
        else assert_rel(ll, want, 1e-9, what);
        free(as);
    }
    table_free(&t);
    snprintf(rel, sizeof rel, "dvi_%s/expected_posterior_pairing_flatprior.csv", name);
    table_read(rel, &t);
    for (int r = 1; r < t.nrow; r++) {
        int v = vic_index(c, t.cell[r][0]), j = miss_index(c, t.cell[r][1]);
        double want = atof(t.cell[r][2]), got = J->post[(size_t)j * c->nvic + v];
        if (fabs(got - want) > 1e-9 * fmax(want, 1e-6))
            fail_msg("%s posterior %s-%s: expected %.12g, got %.12g", name, t.cell[r][0], t.cell[r][1], want, got);
    }
    table_free(&t);
    kin_joint_free(J);
    kin_case_free(c);
    kin_db_free(db);
}

static void fmt_num(char *buf, size_t n, double x) {
    if (isnan(x)) buf[0] = 0;
    else snprintf(buf, n, "%.17g", x);
}

static void check_solve_table(const char *name, const kin_case *c, const kin_solve *S, int am) {
    char rel[256];
    table t;
    snprintf(rel, sizeof rel, "dvi_%s/expected_dviSolve_%s.csv", name, am ? "AM" : "PM");
    table_read(rel, &t);
    assert_int_equal(t.nrow - 1, am ? S->nam : S->npm);
    for (int r = 1; r < t.nrow; r++) {
        const kin_solve_row *row = NULL;
        for (int i = 0; i < (am ? S->nam : S->npm); i++) {
            const kin_solve_row *x = am ? &S->am[i] : &S->pm[i];
            const char *id = am ? c->fam[c->miss[x->miss].fam].p[c->miss[x->miss].person].id : c->vic[x->vic].id;
            if (!strcmp(id, t.cell[r][am ? 1 : 0])) row = x;
        }
        assert_non_null(row);
        char what[200];
        snprintf(what, sizeof what, "%s solve %s %s", name, am ? "AM" : "PM", t.cell[r][am ? 1 : 0]);
        const char *want_sample = t.cell[r][am ? 2 : 1];
        if (strcmp(row->sample, want_sample)) fail_msg("%s: sample expected '%s', got '%s'", what, want_sample, row->sample);
        if (strcmp(row->conclusion, t.cell[r][5]))
            fail_msg("%s: conclusion expected '%s', got '%s'", what, t.cell[r][5], row->conclusion);
        if (strcmp(row->comment, t.cell[r][6]))
            fail_msg("%s: comment expected '%s', got '%s'", what, t.cell[r][6], row->comment);
        char b[64];
        fmt_num(b, sizeof b, row->lr);
        if (!*t.cell[r][3]) {
            if (*b) fail_msg("%s: LR expected empty, got %s", what, b);
        } else {
            assert_rel(row->lr, atof(t.cell[r][3]), 1e-9, what);
        }
        fmt_num(b, sizeof b, row->glr);
        if (!*t.cell[r][4]) {
            if (*b) fail_msg("%s: GLR expected empty, got %s", what, b);
        } else {
            assert_rel(row->glr, atof(t.cell[r][4]), 1e-9, what);
        }
    }
    table_free(&t);
}

static void check_solve(const char *name) {
    kin_db *db;
    kin_case *c = load_dvi(name, &db);
    kin_opts o;
    kin_opts_default(&o);
    pu_err err;
    kin_solve *S;
    assert_int_equal(kin_solve_run(c, &o, &S, &err), PU_OK);
    check_solve_table(name, c, S, 1);
    check_solve_table(name, c, S, 0);
    kin_solve_free(S);
    kin_case_free(c);
    kin_db_free(db);
}

#define DVI_TESTS(n)                                                                                   \
    static void test_pairwise_##n(void **s) { (void)s; check_pairwise(#n); }                        \
    static void test_solve_##n(void **s) { (void)s; check_solve(#n); }
DVI_TESTS(example2)
DVI_TESTS(fire)
DVI_TESTS(planecrash)
DVI_TESTS(icmp)
DVI_TESTS(grave)
DVI_TESTS(KETPchap484)
static void test_joint_example2(void **s) { (void)s; check_joint("example2"); }
static void test_joint_fire(void **s) { (void)s; check_joint("fire"); }
static void test_joint_planecrash(void **s) { (void)s; check_joint("planecrash"); }
static void test_joint_icmp(void **s) { (void)s; check_joint("icmp"); }
static void test_joint_KETPchap484(void **s) { (void)s; check_joint("KETPchap484"); }

/* ---- models and bad input ---------------------------------------------------- */

static const char FREQ[] = "marker,allele,frequency\nL,8,0.1\nL,9,0.2\nL,9.3,0.3\nL,10,0.25\nL,11,0.15\n";

static void test_mutation_rows(void **state) {
    (void)state;
    int kinds[] = {KIN_MUT_EQUAL, KIN_MUT_PROPORTIONAL, KIN_MUT_STEPWISE, KIN_MUT_ONESTEP};
    for (int k = 0; k < 4; k++) {
        kin_db *db;
        pu_err err;
        assert_int_equal(kin_db_read_mem(FREQ, sizeof FREQ - 1, "f", NULL, 0, &db, &err), PU_OK);
        kin_mutmodel m = {kinds[k], 0.01, 0.001, 0.1}, f = {kinds[k], 0.002, 0.0005, 0.1};
        kin_db_set_mutation(db, &f, &m);
        assert_int_equal(kin_db_prepare(db, &err), PU_OK);
        for (int s = 0; s < 2; s++) {
            const double *M = db->m[0].mat[s];
            assert_non_null(M);
            int n = db->m[0].n;
            double rate = 0;
            for (int i = 0; i < n; i++) {
                double row = 0;
                for (int j = 0; j < n; j++) {
                    assert_true(M[i * n + j] >= 0);
                    row += M[i * n + j];
                }
                assert_true(fabs(row - 1) < 1e-12);
                rate += db->m[0].freq[i] * (1 - M[i * n + i]);
            }
            /* proportional keeps the expected mutation rate at the given one */
            if (kinds[k] == KIN_MUT_PROPORTIONAL) assert_true(fabs(rate - (s ? 0.01 : 0.002)) < 1e-12);
        }
        /* stepwise: 9.3 only jumps to other microvariants at rate2 (none here) */
        if (kinds[k] == KIN_MUT_STEPWISE) {
            const double *M = db->m[0].mat[1];
            int n = db->m[0].n, i93 = kin_db_allele(db, 0, "9.3", 0, NULL);
            assert_true(fabs(M[i93 * n + i93] - (1 - 0.001)) < 1e-12);
        }
        kin_db_free(db);
    }
}

static int expect_err(const char *ped, const char *am, const char *field_or_null, const char *msg_part) {
    kin_db *db;
    pu_err err;
    pu_err_clear(&err);
    assert_int_equal(kin_db_read_mem(FREQ, sizeof FREQ - 1, "f", NULL, 0, &db, &err), PU_OK);
    db->warn = NULL;
    kin_case *c = NULL;
    int rc = kin_case_read_pedigrees_mem(db, ped, strlen(ped), "ped", &c, &err);
    if (!rc && am) rc = kin_case_read_am_mem(c, am, strlen(am), "am", &err);
    kin_case_free(c);
    kin_db_free(db);
    if (rc == PU_OK) fail_msg("expected an error containing '%s'", msg_part);
    if (!strstr(err.msg, msg_part)) fail_msg("error '%s' lacks '%s'", err.msg, msg_part);
    if (field_or_null && strcmp(err.field, field_or_null)) fail_msg("field '%s', expected '%s'", err.field, field_or_null);
    if (!strstr(err.where, ":")) fail_msg("where '%s' has no line number", err.where);
    return rc;
}

static void test_bad_pedigrees(void **state) {
    (void)state;
    const char *H = "family,id,fid,mid,sex,role\n";
    char b[512];
    snprintf(b, sizeof b, "%sF,A,B,C,1,missing\nF,B,A,C,1,untyped\nF,C,0,0,2,untyped\n", H);
    assert_int_equal(expect_err(b, NULL, "fid", "cycle"), PU_ERR_INVALID);
    snprintf(b, sizeof b, "%sF,A,B,C,1,missing\nF,B,0,0,2,untyped\nF,C,0,0,2,untyped\n", H);
    expect_err(b, NULL, "fid", "female");
    snprintf(b, sizeof b, "%sF,A,B,0,1,missing\nF,B,0,0,1,untyped\n", H);
    expect_err(b, NULL, "mid", "only one parent");
    snprintf(b, sizeof b, "%sF,A,B,C,1,missing\nF,B,0,0,1,untyped\n", H);
    expect_err(b, NULL, "mid", "not a member");
    snprintf(b, sizeof b, "%sF,A,0,0,3,missing\n", H);
    expect_err(b, NULL, "sex", "expected 1 (male)");
    snprintf(b, sizeof b, "%sF,A,0,0,1,missing\nF,A,0,0,1,untyped\n", H);
    expect_err(b, NULL, "id", "twice");
    snprintf(b, sizeof b, "%sF,A,0,0,1,victim\n", H);
    expect_err(b, NULL, "role", "expected missing");
}

static void test_bad_genotypes(void **state) {
    (void)state;
    const char *P = "family,id,fid,mid,sex,role\nF,R,0,0,1,reference\nF,M,R,W,1,missing\nF,W,0,0,2,untyped\n";
    expect_err(P, "family,id,marker,allele1,allele2\nF,R,L,9,\n", "allele2", "one allele is empty");
    expect_err(P, "family,id,marker,allele1,allele2\nF,R,L,9,1 2\n", "allele2", "allele label");
    expect_err(P, "family,id,marker,allele1,allele2\nF,X,L,9,9\n", "id", "not in the pedigree");
    expect_err(P, "family,id,marker,allele1,allele2\nF,M,L,9,9\n", "id", "missing person");
    expect_err(P, "family,id,marker,allele1\nF,R,L,9\n", "allele2", "missing column");
    /* issue 16: a non-numeric allele missing from the database is refused, naming
     * the marker and the value, instead of a warning that changes the LRs */
    expect_err(P, "family,id,marker,allele1,allele2\nF,R,L,abc,9\n", "allele1", "marker L: allele 'abc'");
    expect_err(P, "family,id,marker,allele1,allele2\nF,R,L,9,OL\n", "allele2", "not a repeat number");
    /* the same typing twice, alleles in either order: a duplicate row */
    expect_err(P, "family,id,marker,allele1,allele2\nF,R,L,9,10\nF,R,L,10,9\n", "marker", "duplicate row");
}

/* A UTF-8 byte-order mark in front of any kinship CSV is not data (issue 16). */
static void test_bom_readers(void **state) {
    (void)state;
    char f[sizeof FREQ + 3] = "\xef\xbb\xbf";
    memcpy(f + 3, FREQ, sizeof FREQ);
    kin_db *db, *ref;
    pu_err err;
    assert_int_equal(kin_db_read_mem(f, sizeof f - 1, "f", NULL, 0, &db, &err), PU_OK);
    assert_int_equal(kin_db_read_mem(FREQ, sizeof FREQ - 1, "f", NULL, 0, &ref, &err), PU_OK);
    assert_int_equal(db->n, ref->n);
    assert_int_equal(db->m[0].n, ref->m[0].n);
    assert_string_equal(db->m[0].name, ref->m[0].name);
    db->warn = NULL;
    const char *P = "\xef\xbb\xbf" "family,id,fid,mid,sex,role\nF,R,0,0,1,reference\nF,M,R,W,1,missing\nF,W,0,0,2,untyped\n";
    const char *A = "\xef\xbb\xbf" "family,id,marker,allele1,allele2\nF,R,L,9,9\n";
    kin_case *c;
    assert_int_equal(kin_case_read_pedigrees_mem(db, P, strlen(P), "p", &c, &err), PU_OK);
    assert_int_equal(kin_case_read_am_mem(c, A, strlen(A), "a", &err), PU_OK);
    kin_case_free(c);
    kin_db_free(db);
    kin_db_free(ref);
}

static void test_unknown_allele_minfreq(void **state) {
    (void)state;
    kin_db *db;
    pu_err err;
    assert_int_equal(kin_db_read_mem(FREQ, sizeof FREQ - 1, "f", NULL, 0.002, &db, &err), PU_OK);
    FILE *w = tmpfile();
    db->warn = w;
    const char *P = "family,id,fid,mid,sex,role\nF,R,0,0,1,reference\nF,M,R,W,1,missing\nF,W,0,0,2,untyped\n";
    const char *A = "family,id,marker,allele1,allele2\nF,R,L,12.2,9\nF,R,NOPE,1,2\n";
    kin_case *c;
    assert_int_equal(kin_case_read_pedigrees_mem(db, P, strlen(P), "p", &c, &err), PU_OK);
    assert_int_equal(kin_case_read_am_mem(c, A, strlen(A), "a", &err), PU_OK);
    int a = kin_db_allele(db, 0, "12.2", 0, NULL);
    assert_true(a >= 0);
    assert_true(db->m[0].freq[a] == 0.002);
    assert_int_equal(db->n_warnings, 2); /* the new allele, the unknown marker */
    rewind(w);
    char buf[1024] = "";
    size_t got = fread(buf, 1, sizeof buf - 1, w);
    buf[got] = 0;
    assert_non_null(strstr(buf, "12.2"));
    assert_non_null(strstr(buf, "minimum frequency"));
    assert_non_null(strstr(buf, ":2:"));
    fclose(w);
    kin_case_free(c);
    kin_db_free(db);
}

static void test_bad_freqs(void **state) {
    (void)state;
    kin_db *db;
    pu_err err;
    const char *f1 = "marker,allele,frequency\nL,8,1.5\n";
    assert_int_equal(kin_db_read_mem(f1, strlen(f1), "f", NULL, 0, &db, &err), PU_ERR_INVALID);
    assert_string_equal(err.field, "frequency");
    const char *f2 = "marker,allele,frequency\nL,8,0.5\nL,8,0.5\n";
    assert_int_equal(kin_db_read_mem(f2, strlen(f2), "f", NULL, 0, &db, &err), PU_ERR_INVALID);
    assert_non_null(strstr(err.msg, "twice"));
    const char *f3 = "population,marker,allele,frequency\nA,L,8,1\nB,L,8,1\n";
    assert_int_equal(kin_db_read_mem(f3, strlen(f3), "f", NULL, 0, &db, &err), PU_ERR_INVALID);
    assert_int_equal(kin_db_read_mem(f3, strlen(f3), "f", "C", 0, &db, &err), PU_ERR_NOTFOUND);
    assert_int_equal(kin_db_read_mem(f3, strlen(f3), "f", "B", 0, &db, &err), PU_OK);
    kin_db_free(db);
}

/* The per-family genotype table gives the same LR as the direct computation. */
static void test_table_matches_direct(void **state) {
    (void)state;
    kin_db *db;
    kin_case *c = load_dvi("planecrash", &db);
    pu_err err;
    const kin_family *F = &c->fam[1]; /* F2: missing sister of a typed brother */
    int fa[8], mo[8], sex[8];
    for (int i = 0; i < F->n; i++) fa[i] = F->p[i].father, mo[i] = F->p[i].mother, sex[i] = F->p[i].sex;
    int keep = c->miss[1].person;
    for (int m = 0; m < db->n; m++) {
        const kin_marker *mk = &db->m[m];
        int16_t gt[16];
        for (int i = 0; i < F->n; i++) gt[2 * i] = F->g[((size_t)i * db->n + m) * 2], gt[2 * i + 1] = F->g[((size_t)i * db->n + m) * 2 + 1];
        double *T = malloc((size_t)mk->n * mk->n * sizeof(double));
        assert_int_equal(kin_ped_lik(mk, F->n, fa, mo, sex, gt, 0, 1, keep, T, &err), PU_OK);
        for (int a = 0; a < mk->n; a += 3)
            for (int b = a; b < mk->n; b += 2) {
                gt[2 * keep] = (int16_t)a, gt[2 * keep + 1] = (int16_t)b;
                double L;
                assert_int_equal(kin_ped_lik(mk, F->n, fa, mo, sex, gt, 0, 1, -1, &L, &err), PU_OK);
                double t = a == b ? T[a * mk->n + a] : T[a * mk->n + b] + T[b * mk->n + a];
                assert_rel(t, L, 1e-9, "table");
                gt[2 * keep] = gt[2 * keep + 1] = KIN_UNTYPED;
            }
        free(T);
    }
    kin_case_free(c);
    kin_db_free(db);
}


/* ---- search ------------------------------------------------------------------ */

typedef struct collect {
    kin_hit h[512];
    int n;
    int calls;
} collect;

static int collect_cb(void *ud, const kin_hit *h, int n) {
    collect *c = ud;
    c->calls++;
    for (int i = 0; i < n && c->n < 512; i++) {
        if (i > 0) assert_true(h[i - 1].log10lr >= h[i].log10lr); /* ranked best first */
        c->h[c->n++] = h[i];
    }
    return PU_OK;
}

/* The table search reproduces the pairwise LRs and exclusion counts of planecrash
 * (proportional mutation), whatever the thread count and block size. */
static void test_search_matches_pairwise(void **state) {
    (void)state;
    kin_db *db;
    kin_case *c = load_dvi("planecrash", &db);
    size_t n = (size_t)c->nvic * c->nmiss;
    double *lr = malloc(n * sizeof *lr);
    int *ex = malloc(n * sizeof *ex);
    kin_opts o;
    kin_opts_default(&o);
    pu_err err;
    assert_int_equal(kin_pairwise(c, &o, lr, ex, &err), PU_OK);
    for (int variant = 0; variant < 2; variant++) {
        kin_search_opts so;
        kin_search_opts_default(&so);
        so.threshold = 1e-300;
        so.top_k = c->nmiss;
        so.max_incomp = 1000;
        so.threads = variant ? 2 : 1;
        so.block = variant ? 2 : 64;
        collect col = {0};
        kin_search_stats st;
        assert_int_equal(kin_search_run(c, &o, &so, collect_cb, &col, &st, &err), PU_OK);
        int expect = 0;
        for (size_t k = 0; k < n; k++) expect += !isnan(lr[k]) && lr[k] > 0;
        assert_int_equal(col.n, expect);
        assert_int_equal((int)st.pairs, 40); /* all victims and missing persons are female */
        for (int i = 0; i < col.n; i++) {
            size_t k = (size_t)col.h[i].vic * c->nmiss + col.h[i].miss;
            assert_rel(pow(10, col.h[i].log10lr), lr[k], 1e-4, "search LR");
            assert_int_equal(col.h[i].excluded, ex[k]);
            assert_true(col.h[i].drivers[0] >= 0);
        }
    }
    /* the default threshold keeps only LR >= 1e4, and max_incomp drops excluded pairs */
    kin_search_opts so;
    kin_search_opts_default(&so);
    collect col = {0};
    assert_int_equal(kin_search_run(c, &o, &so, collect_cb, &col, NULL, &err), PU_OK);
    for (int i = 0; i < col.n; i++) {
        assert_true(col.h[i].log10lr >= 4);
        assert_true(col.h[i].excluded <= 2);
    }
    int strong = 0;
    for (size_t k = 0; k < n; k++) strong += !isnan(lr[k]) && lr[k] >= 1e4 && ex[k] <= 2;
    assert_int_equal(col.n, strong);
    free(lr);
    free(ex);
    kin_case_free(c);
    kin_db_free(db);
}

static void test_search_pmpm(void **state) {
    (void)state;
    kin_db *db;
    kin_case *c = load_dvi("grave", &db);
    /* make V8 a copy of V3 with two markers dropped (degraded duplicate) */
    for (int m = 0; m < db->n; m++) {
        c->vic[7].g[2 * m] = m < 2 ? KIN_UNTYPED : c->vic[2].g[2 * m];
        c->vic[7].g[2 * m + 1] = m < 2 ? KIN_UNTYPED : c->vic[2].g[2 * m + 1];
    }
    c->vic[7].sex = c->vic[2].sex;
    kin_search_opts so;
    kin_search_opts_default(&so);
    collect col = {0};
    pu_err err;
    assert_int_equal(kin_search_pmpm(c, &so, collect_cb, &col, &err), PU_OK);
    assert_int_equal(col.n, 2);
    int seen = 0;
    for (int i = 0; i < col.n; i++) {
        assert_true((col.h[i].vic == 2 && col.h[i].miss == 7) || (col.h[i].vic == 7 && col.h[i].miss == 2));
        double want = 0;
        for (int m = 2; m < db->n; m++)
            if (c->vic[2].g[2 * m] >= 0) want -= log10(kin_geno_prob(&db->m[m], c->vic[2].g[2 * m], c->vic[2].g[2 * m + 1]));
        assert_rel(col.h[i].log10lr, want, 1e-5, "PM x PM LR");
        seen++;
    }
    assert_int_equal(seen, 2);
    kin_case_free(c);
    kin_db_free(db);
}

/* ---- streaming search ---------------------------------------------------------- */

typedef struct scollect {
    kin_hit *h;
    int n, cap, calls;
    int stop_at;           /* return PU_ERR_INTERRUPTED on this call (0 = never) */
    int same_miss;         /* every call's hits share one missing person */
    uint64_t pairs_total;  /* for the early-stop test: stats seen so far are not final */
} scollect;

static int stream_cb(void *ud, const kin_hit *h, int n) {
    scollect *c = ud;
    c->calls++;
    assert_true(n > 0);
    for (int i = 0; i < n; i++) {
        if (h[i].miss != h[0].miss) c->same_miss = 0;
        if (c->n == c->cap) {
            c->cap = c->cap ? 2 * c->cap : 256;
            c->h = realloc(c->h, (size_t)c->cap * sizeof *c->h);
            assert_non_null(c->h);
        }
        c->h[c->n++] = h[i];
    }
    return c->stop_at && c->calls >= c->stop_at ? PU_ERR_INTERRUPTED : PU_OK;
}

static int hit_order(const void *a, const void *b) {
    const kin_hit *x = a, *y = b;
    if (x->vic != y->vic) return x->vic - y->vic;
    return x->miss - y->miss;
}

/* A simulated case (60 families, 30 true and 30 unrelated PMs) written to a
 * temporary folder by kin_simulate and read back. */
static kin_case *load_simulated(kin_db **dbo, char *dir, size_t dn) {
    char p[1024], q[1024];
    pu_err err;
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, dn, "%s/kin-stream-XXXXXX", tmp ? tmp : "/tmp");
    assert_non_null(mkdtemp(dir));
    kin_db *db;
    path_of(p, sizeof p, "freq_fbi2015_swhispanic_codis20.csv");
    assert_int_equal(kin_db_read(p, NULL, 0, &db, &err), PU_OK);
    path_of(p, sizeof p, "mutation_codis20_proportional.csv");
    assert_int_equal(kin_db_read_mutation(db, p, &err), PU_OK);
    kin_sim_opts so = {.families = 60, .pm_true = 30, .pm_unrelated = 30, .min_refs = 1, .max_refs = 3, .seed = 7};
    assert_int_equal(kin_simulate(db, &so, dir, &err), PU_OK);
    kin_db_free(db);
    snprintf(p, sizeof p, "%s/freqs.csv", dir);
    assert_int_equal(kin_db_read(p, NULL, 0, &db, &err), PU_OK);
    db->warn = NULL;
    snprintf(p, sizeof p, "%s/mutation_models.csv", dir);
    assert_int_equal(kin_db_read_mutation(db, p, &err), PU_OK);
    kin_case *c;
    snprintf(p, sizeof p, "%s/am_pedigrees.csv", dir);
    assert_int_equal(kin_case_read_pedigrees(db, p, &c, &err), PU_OK);
    snprintf(p, sizeof p, "%s/am_genotypes.csv", dir);
    assert_int_equal(kin_case_read_am(c, p, &err), PU_OK);
    snprintf(p, sizeof p, "%s/pm_genotypes.csv", dir);
    assert_int_equal(kin_case_read_pm(c, p, &err), PU_OK);
    assert_int_equal(kin_db_prepare(db, &err), PU_OK);
    static const char *const files[] = {"am_pedigrees.csv", "am_genotypes.csv", "pm_genotypes.csv", "freqs.csv",
                                        "mutation_models.csv", "truth.csv"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(q, sizeof q, "%s/%s", dir, files[i]);
        remove(q);
    }
    rmdir(dir);
    *dbo = db;
    return c;
}

/* Streamed hits equal the top-k hits above the threshold (as sets, with the
 * same LRs and exclusion counts), for one and two threads and small blocks;
 * each streamed call carries one missing person's hits. */
static void test_search_stream_equals_topk(void **state) {
    (void)state;
    char dir[512];
    kin_db *db;
    kin_case *c = load_simulated(&db, dir, sizeof dir);
    kin_opts o;
    kin_opts_default(&o);
    pu_err err;
    kin_search_opts so;
    kin_search_opts_default(&so);
    so.threshold = 100;
    so.top_k = c->nmiss;
    so.threads = 1;
    scollect ref = {.same_miss = 1};
    assert_int_equal(kin_search_run(c, &o, &so, stream_cb, &ref, NULL, &err), PU_OK);
    assert_true(ref.n >= 20); /* most of the 30 true PMs are found */
    qsort(ref.h, (size_t)ref.n, sizeof *ref.h, hit_order);
    for (int variant = 0; variant < 3; variant++) {
        so.stream = 1;
        so.top_k = 0;
        so.threads = variant ? 2 : 1;
        so.block = variant == 2 ? 64 : 4;
        scollect got = {.same_miss = 1};
        assert_int_equal(kin_search_run(c, &o, &so, stream_cb, &got, NULL, &err), PU_OK);
        assert_int_equal(got.n, ref.n);
        assert_true(got.same_miss);
        assert_true(got.calls > 1);
        qsort(got.h, (size_t)got.n, sizeof *got.h, hit_order);
        for (int i = 0; i < got.n; i++) {
            assert_int_equal(got.h[i].vic, ref.h[i].vic);
            assert_int_equal(got.h[i].miss, ref.h[i].miss);
            assert_true(got.h[i].log10lr == ref.h[i].log10lr);
            assert_int_equal(got.h[i].excluded, ref.h[i].excluded);
            assert_true(got.h[i].log10lr >= 2 && got.h[i].excluded <= so.max_incomp);
        }
        free(got.h);
    }
    /* PM x PM streams the same direct matches as the top-k scan */
    for (int v = 0; v < db->n; v++) { /* make PM 2 a duplicate of PM 1 */
        c->vic[2].g[2 * v] = c->vic[1].g[2 * v];
        c->vic[2].g[2 * v + 1] = c->vic[1].g[2 * v + 1];
    }
    c->vic[2].sex = c->vic[1].sex;
    kin_search_opts_default(&so);
    scollect a = {.same_miss = 1}, b = {.same_miss = 1};
    assert_int_equal(kin_search_pmpm(c, &so, stream_cb, &a, &err), PU_OK);
    so.stream = 1;
    so.threads = 2;
    assert_int_equal(kin_search_pmpm(c, &so, stream_cb, &b, &err), PU_OK);
    assert_true(a.n >= 2);
    assert_int_equal(a.n, b.n);
    qsort(a.h, (size_t)a.n, sizeof *a.h, hit_order);
    qsort(b.h, (size_t)b.n, sizeof *b.h, hit_order);
    for (int i = 0; i < a.n; i++) assert_true(a.h[i].vic == b.h[i].vic && a.h[i].miss == b.h[i].miss);
    free(a.h), free(b.h), free(ref.h);
    kin_case_free(c);
    kin_db_free(db);
}

/* Streaming delivers hits before the search completes: a callback that stops
 * the search at its first call leaves most pairs unscored, whereas the top-k
 * mode calls back only after every pair was scored. */
static void test_search_stream_early(void **state) {
    (void)state;
    char dir[512];
    kin_db *db;
    kin_case *c = load_simulated(&db, dir, sizeof dir);
    kin_opts o;
    kin_opts_default(&o);
    pu_err err;
    kin_search_opts so;
    kin_search_opts_default(&so);
    so.threshold = 100;
    so.threads = 1;
    so.block = 1;
    kin_search_stats full, early;
    scollect all = {.same_miss = 1, .stop_at = 1};
    assert_int_equal(kin_search_run(c, &o, &so, stream_cb, &all, &full, &err), PU_ERR_INTERRUPTED);
    assert_int_equal(all.calls, 1);            /* top-k: the first call comes after the last block */
    so.stream = 1;
    so.top_k = 0;
    scollect first = {.same_miss = 1, .stop_at = 1};
    assert_int_equal(kin_search_run(c, &o, &so, stream_cb, &first, &early, &err), PU_ERR_INTERRUPTED);
    assert_int_equal(first.calls, 1);
    assert_true(first.n >= 1 && first.h[0].log10lr >= 2);
    assert_true(early.pairs > 0);
    assert_true(early.pairs < full.pairs / 2); /* the first hit came out early in the run */
    /* counting callbacks: with one family per block, hits arrive over many calls */
    scollect count = {.same_miss = 1};
    assert_int_equal(kin_search_run(c, &o, &so, stream_cb, &count, NULL, &err), PU_OK);
    assert_true(count.calls >= 10);
    free(all.h), free(first.h), free(count.h);
    kin_case_free(c);
    kin_db_free(db);
}

/* ---- JSON case (the HTTP API) ---------------------------------------------------- */

static char *slurp(const char *rel) {
    char p[1024];
    path_of(p, sizeof p, rel);
    FILE *f = fopen(p, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    assert_non_null(s);
    assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = 0;
    fclose(f);
    return s;
}

/* The JSON text of a dvi_* example; `pm` replaces the PM CSV when non-NULL;
 * purpose NULL leaves it out. Caller frees. */
static char *case_json(const char *ex, const char *purpose, const char *pm) {
    static const char *const parts[][2] = {{"freqs", "freqs.csv"}, {"mutation", "mutation_models.csv"},
                                           {"pedigrees", "am_pedigrees.csv"}, {"am", "am_genotypes.csv"},
                                           {"pm", "pm_genotypes.csv"}};
    json_t *c = json_object();
    for (size_t i = 0; i < 5; i++) {
        char rel[256];
        snprintf(rel, sizeof rel, "dvi_%s/%s", ex, parts[i][1]);
        char *t = slurp(rel);
        json_object_set_new(c, parts[i][0], json_string(!strcmp(parts[i][0], "pm") && pm ? pm : t));
        free(t);
    }
    json_t *o = json_object();
    if (purpose) json_object_set_new(o, "purpose", json_string(purpose));
    json_object_set_new(o, "case", c);
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return s;
}

static int req_read(const char *json, const kin_req_caps *caps, kin_request **q, pu_err *err) {
    int rc = kin_request_parse(json, strlen(json), caps, q, err);
    if (rc) return rc;
    return kin_request_load(*q, err);
}

/* A JSON case gives the same case and the same LRs as the files. */
static void test_request_equals_files(void **state) {
    (void)state;
    char *js = case_json("planecrash", "  identification of remains  ", NULL);
    kin_request *q;
    pu_err err;
    assert_int_equal(req_read(js, NULL, &q, &err), PU_OK);
    assert_string_equal(q->purpose, "identification of remains"); /* trimmed */
    assert_null(q->case_ref);
    kin_db *db;
    kin_case *c = load_dvi("planecrash", &db);
    assert_int_equal(q->c->nvic, c->nvic);
    assert_int_equal(q->c->nmiss, c->nmiss);
    assert_int_equal(q->db->n, db->n);
    size_t n = (size_t)c->nvic * c->nmiss;
    double *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
    int *ea = malloc(n * sizeof *ea), *eb = malloc(n * sizeof *eb);
    kin_opts o;
    kin_opts_default(&o);
    assert_int_equal(kin_pairwise(c, &o, a, ea, &err), PU_OK);
    assert_int_equal(kin_pairwise(q->c, &q->opts, b, eb, &err), PU_OK);
    for (size_t k = 0; k < n; k++) {
        assert_true((isnan(a[k]) && isnan(b[k])) || a[k] == b[k]);
        assert_int_equal(ea[k], eb[k]);
    }
    free(a), free(b), free(ea), free(eb);
    kin_case_free(c);
    kin_db_free(db);
    kin_request_free(q);
    free(js);
}

/* The purpose comes first; bad CSV is named by part, line and column; caps
 * are PU_ERR_LIMIT naming the part; a load failure keeps the purpose. */
static void test_request_errors(void **state) {
    (void)state;
    kin_request *q = (kin_request *)1;
    pu_err err;
    char *js = case_json("example2", NULL, "not even csv");
    assert_int_equal(req_read(js, NULL, &q, &err), PU_ERR_INVALID);
    assert_null(q);
    assert_string_equal(err.field, "purpose");
    free(js);
    js = case_json("example2", "", NULL);
    assert_int_equal(req_read(js, NULL, &q, &err), PU_ERR_INVALID);
    assert_string_equal(err.field, "purpose");
    free(js);
    js = case_json("example2", "test", "sample,sex,marker,allele1,allele2\nV1,1,L1,1,2\nV1,1,L1,,2\n");
    assert_int_equal(kin_request_parse(js, strlen(js), NULL, &q, &err), PU_OK);
    assert_int_equal(kin_request_load(q, &err), PU_ERR_INVALID);
    assert_string_equal(err.where, "case.pm:3");
    assert_string_equal(err.field, "allele1");
    assert_string_equal(q->purpose, "test");
    kin_request_free(q);
    free(js);
    kin_req_caps caps;
    kin_req_caps_default(&caps);
    caps.max_samples = 2;
    js = case_json("example2", "test", NULL);
    assert_int_equal(req_read(js, &caps, &q, &err), PU_ERR_LIMIT);
    assert_string_equal(err.field, "case.pm");
    kin_request_free(q);
    kin_req_caps_default(&caps);
    caps.max_bytes = 100;
    assert_int_equal(kin_request_parse(js, strlen(js), &caps, &q, &err), PU_ERR_LIMIT);
    assert_string_equal(err.field, "body");
    free(js);
    static const char *const bad[][2] = {
        {"{\"purpose\":\"p\",\"case\":{},\"colour\":1}", "colour"},
        {"{\"purpose\":\"p\",\"case\":{},\"options\":{\"theta\":1}}", "options.theta"},
        {"{\"purpose\":\"p\",\"case\":{},\"options\":{\"max_incomp\":2.5}}", "options.max_incomp"},
        {"{\"purpose\":\"p\",\"case\":{\"freqs\":\"\"}}", "case.pedigrees"},
        {"{\"purpose\":\"p\\nx\",\"case\":{}}", "purpose"},
        {"[1]", "body"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(kin_request_parse(bad[i][0], strlen(bad[i][0]), NULL, &q, &err), PU_ERR_INVALID);
        assert_string_equal(err.field, bad[i][1]);
    }
}

/* Warnings are captured with the part's name, not printed. */
static void test_request_warnings(void **state) {
    (void)state;
    char *pm = slurp("dvi_example2/pm_genotypes.csv");
    char *nl = strchr(pm, '\n');
    assert_non_null(nl);
    /* PM rows: sample,sex,marker,allele1,allele2: give row 2 an unknown allele */
    char row2[4096];
    snprintf(row2, sizeof row2, "%.*s\nV1,1,L1,31.3,31.3\n", (int)(nl - pm), pm);
    char *js = case_json("example2", "test", row2);
    kin_request *q;
    pu_err err;
    assert_int_equal(req_read(js, NULL, &q, &err), PU_OK);
    assert_true(q->n_warnings >= 1);
    assert_true(q->nwarn >= 1);
    assert_non_null(strstr(q->warn[0], "case.pm:2"));
    assert_non_null(strstr(q->warn[0], "31.3"));
    assert_null(strstr(q->warn[0], "puente: warning"));
    kin_request_free(q);
    free(js);
    free(pm);
}

int main(void) {
    const char *src = getenv("PUENTE_SRC");
    snprintf(datadir, sizeof datadir, "%s/data/kinship", src ? src : ".");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reference_lrs),
        cmocka_unit_test(test_pairwise_example2),
        cmocka_unit_test(test_pairwise_fire),
        cmocka_unit_test(test_pairwise_planecrash),
        cmocka_unit_test(test_pairwise_icmp),
        cmocka_unit_test(test_pairwise_grave),
        cmocka_unit_test(test_pairwise_KETPchap484),
        cmocka_unit_test(test_joint_example2),
        cmocka_unit_test(test_joint_fire),
        cmocka_unit_test(test_joint_planecrash),
        cmocka_unit_test(test_joint_icmp),
        cmocka_unit_test(test_joint_KETPchap484),
        cmocka_unit_test(test_solve_example2),
        cmocka_unit_test(test_solve_fire),
        cmocka_unit_test(test_solve_planecrash),
        cmocka_unit_test(test_solve_icmp),
        cmocka_unit_test(test_solve_grave),
        cmocka_unit_test(test_solve_KETPchap484),
        cmocka_unit_test(test_mutation_rows),
        cmocka_unit_test(test_bad_pedigrees),
        cmocka_unit_test(test_bad_genotypes),
        cmocka_unit_test(test_unknown_allele_minfreq),
        cmocka_unit_test(test_bom_readers),
        cmocka_unit_test(test_bad_freqs),
        cmocka_unit_test(test_table_matches_direct),
        cmocka_unit_test(test_search_matches_pairwise),
        cmocka_unit_test(test_search_pmpm),
        cmocka_unit_test(test_search_stream_equals_topk),
        cmocka_unit_test(test_search_stream_early),
        cmocka_unit_test(test_request_equals_files),
        cmocka_unit_test(test_request_errors),
        cmocka_unit_test(test_request_warnings),
    };
    const char *filter = getenv("KIN_TEST_FILTER"); /* e.g. "*icmp*" while developing */
    if (filter) cmocka_set_test_filter(filter);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
