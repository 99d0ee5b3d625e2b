/*
 * test_ews_ref.c - reproduce the R surveillance 1.20.3 reference outputs in
 * data/ews/reference/ (earsC C1/C2/C3, farringtonFlexible default and
 * Noufaily settings) with the tolerances of its README, plus the CDC C3
 * statistic against the generator's derived column.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/pu_io.h"
#include "ews/ews.h"
#include "ews/ews_int.h"

#define MAXCOL 48
typedef struct ref {
    size_t n, ncol;
    char *names[MAXCOL];
    double *col[MAXCOL];
    int64_t *days;
} ref;

static void ref_free(ref *r) {
    for (size_t c = 0; c < r->ncol; c++) { free(r->names[c]); free(r->col[c]); }
    free(r->days);
}

static void ref_load(const char *name, ref *r) {
    memset(r, 0, sizeof *r);
    const char *src = getenv("PUENTE_SRC");
    char path[1024];
    snprintf(path, sizeof path, "%s/data/ews/reference/%s.csv", src ? src : ".", name);
    pu_csv *csv;
    pu_err err;
    assert_int_equal(pu_csv_open(path, NULL, &csv, &err), PU_OK);
    const pu_csv_row *row;
    assert_int_equal(pu_csv_next(csv, &row, &err), PU_OK);
    assert_non_null(row);
    r->ncol = row->n < MAXCOL ? row->n : MAXCOL;
    for (size_t c = 0; c < r->ncol; c++) {
        r->names[c] = strdup(row->fields[c]);
        r->col[c] = calloc(1024, sizeof(double));
    }
    r->days = calloc(1024, sizeof(int64_t));
    while (pu_csv_next(csv, &row, &err) == PU_OK && row) {
        assert_true(r->n < 1024);
        for (size_t c = 0; c < r->ncol; c++) {
            const char *f = row->fields[c];
            r->col[c][r->n] = strcmp(f, "NA") == 0 ? NAN : strtod(f, NULL);
            if (strcmp(r->names[c], "date") == 0) {
                int64_t d = 0;
                r->days[r->n] = pu_parse_date(f, &d) == PU_OK ? d : INT64_MIN;
            }
        }
        r->n++;
    }
    pu_csv_close(csv);
}

static const double *col(const ref *r, const char *name) {
    for (size_t c = 0; c < r->ncol; c++)
        if (strcmp(r->names[c], name) == 0) return r->col[c];
    fail_msg("column %s missing", name);
    return NULL;
}

static int close_rel(double a, double b, double tol) {
    if (isnan(a) || isnan(b)) return isnan(a) && isnan(b);
    if (isinf(a) || isinf(b)) return a == b;
    return fabs(a - b) <= tol * (fabs(b) > 1 ? fabs(b) : 1);
}

static ews_result *run(const ref *r, ews_method m, int dates) {
    ews_params p;
    ews_params_default(m, &p);
    ews_series s = {r->n, col(r, "observed"), dates ? r->days : NULL};
    ews_result *res = NULL;
    pu_err err;
    int rc = ews_detect(&s, &p, &res, &err);
    if (rc) fail_msg("detect: %s", err.msg);
    return res;
}

static void check_ears(const char *data, ews_method m, const char *pfx) {
    ref r;
    ref_load(data, &r);
    ews_result *res = run(&r, m, 0);
    char ub[64], al[64];
    snprintf(ub, sizeof ub, "%s_upperbound", pfx);
    snprintf(al, sizeof al, "%s_alarm", pfx);
    const double *U = col(&r, ub), *A = col(&r, al), *y = col(&r, "observed");
    int compared = 0, alarms = 0;
    for (size_t t = 0; t < r.n; t++) {
        if (t < res->from) {
            assert_true(isnan(U[t]));
            continue;
        }
        if (!close_rel(res->upper[t], U[t], 1e-9))
            fail_msg("%s %s week %zu: upper %.17g, R %.17g", data, pfx, t + 1, res->upper[t], U[t]);
        int ra = isnan(A[t]) ? -1 : (int)A[t];
        if (res->alarm[t] != ra && !(fabs(y[t] - U[t]) < 1e-9))
            fail_msg("%s %s week %zu: alarm %d, R %d", data, pfx, t + 1, res->alarm[t], ra);
        alarms += res->alarm[t] == 1;
        compared++;
    }
    assert_true(compared > 200);
    (void)alarms;
    ews_result_free(res);
    ref_free(&r);
}

static void test_c1(void **st) {
    (void)st;
    check_ears("salmNewport_DE", EWS_C1, "C1");
    check_ears("ha_berlin", EWS_C1, "C1");
    check_ears("ha_mahe", EWS_C1, "C1");
}
static void test_c2(void **st) {
    (void)st;
    check_ears("salmNewport_DE", EWS_C2, "C2");
    check_ears("ha_berlin", EWS_C2, "C2");
    check_ears("ha_mahe", EWS_C2, "C2");
}
static void test_c3(void **st) {
    (void)st;
    check_ears("salmNewport_DE", EWS_C3, "C3");
    check_ears("ha_berlin", EWS_C3, "C3");
    check_ears("ha_mahe", EWS_C3, "C3");
}

/* The CDC statistic sums the current week's C2 too; check it against the
 * generator's C3_stat_cdc_derived and that it raises more alarms. */
static void check_cdc(const char *data, int expect_more) {
    ref r;
    ref_load(data, &r);
    ews_result *cdc = run(&r, EWS_C3_CDC, 0), *pkg = run(&r, EWS_C3, 0);
    const double *S = col(&r, "C3_stat_cdc_derived");
    double z = ews_qnorm(0.975);
    int ncdc = 0, npkg = 0;
    for (size_t t = cdc->from; t < r.n; t++) {
        if (!close_rel(cdc->stat[t], S[t], 1e-9))
            fail_msg("%s week %zu: C3 cdc %.17g, derived %.17g", data, t + 1, cdc->stat[t], S[t]);
        int expect = isnan(S[t]) ? -1 : S[t] > z;
        assert_int_equal(cdc->alarm[t], expect);
        ncdc += cdc->alarm[t] == 1;
        npkg += pkg->alarm[t] == 1;
        if (pkg->alarm[t] == 1) assert_int_equal(cdc->alarm[t], 1);
    }
    if (expect_more) assert_true(ncdc > npkg);
    ews_result_free(cdc);
    ews_result_free(pkg);
    ref_free(&r);
}
static void test_c3_cdc(void **st) {
    (void)st;
    check_cdc("salmNewport_DE", 1);
    check_cdc("ha_berlin", 1);
}

static void check_ff(const char *data, int dates, ews_method m, const char *pfx) {
    ref r;
    ref_load(data, &r);
    ews_result *res = run(&r, m, dates);
    char name[64];
#define C(x) (snprintf(name, sizeof name, "%s_%s", pfx, x), col(&r, name))
    const double *U = C("upperbound"), *A = C("alarm"), *E = C("expected"), *PHI = C("phi"), *TR = C("trend"),
                 *TC = C("trendcoef"), *SC = C("score"), *PV = C("pvalue"), *MU0 = C("mu0");
    const double *y = col(&r, "observed");
    int nb = m == EWS_FARRINGTON_NOUFAILY, compared = 0;
    for (size_t t = 0; t < r.n; t++) {
        if (isnan(A[t])) { assert_true(t < res->from); continue; }
        compared++;
        if (res->trend[t] != (int)TR[t])
            fail_msg("%s %s week %zu: trend %d, R %d", data, pfx, t + 1, res->trend[t], (int)TR[t]);
        double tol = nb ? 0 : 1e-6;
        if (!close_rel(res->upper[t], U[t], tol))
            fail_msg("%s %s week %zu: upper %.17g, R %.17g", data, pfx, t + 1, res->upper[t], U[t]);
        if (!close_rel(res->expected[t], E[t], 1e-6))
            fail_msg("%s %s week %zu: expected %.17g, R %.17g", data, pfx, t + 1, res->expected[t], E[t]);
        if (!close_rel(res->phi[t], PHI[t], 1e-6))
            fail_msg("%s %s week %zu: phi %.17g, R %.17g", data, pfx, t + 1, res->phi[t], PHI[t]);
        if (!close_rel(res->mu0[t], MU0[t], 1e-6))
            fail_msg("%s %s week %zu: mu0 %.17g, R %.17g", data, pfx, t + 1, res->mu0[t], MU0[t]);
        if (!close_rel(res->trendcoef[t], TC[t], 1e-6))
            fail_msg("%s %s week %zu: trendcoef %.17g, R %.17g", data, pfx, t + 1, res->trendcoef[t], TC[t]);
        if (!close_rel(res->stat[t], SC[t], 1e-6))
            fail_msg("%s %s week %zu: score %.17g, R %.17g", data, pfx, t + 1, res->stat[t], SC[t]);
        if (!close_rel(res->pvalue[t], PV[t], 1e-6))
            fail_msg("%s %s week %zu: pvalue %.17g, R %.17g", data, pfx, t + 1, res->pvalue[t], PV[t]);
        if (res->alarm[t] != (int)A[t] && !(fabs(y[t] - U[t]) < 1e-6))
            fail_msg("%s %s week %zu: alarm %d, R %d", data, pfx, t + 1, res->alarm[t], (int)A[t]);
    }
#undef C
    assert_true(compared >= 27);
    ews_result_free(res);
    ref_free(&r);
}

static void test_farrington(void **st) {
    (void)st;
    check_ff("salmNewport_DE", 1, EWS_FARRINGTON, "ff");
    check_ff("ha_berlin", 0, EWS_FARRINGTON, "ff");
    check_ff("ha_mahe", 0, EWS_FARRINGTON, "ff");
}
static void test_noufaily(void **st) {
    (void)st;
    check_ff("salmNewport_DE", 1, EWS_FARRINGTON_NOUFAILY, "ffnoufaily");
    check_ff("ha_berlin", 0, EWS_FARRINGTON_NOUFAILY, "ffnoufaily");
    check_ff("ha_mahe", 0, EWS_FARRINGTON_NOUFAILY, "ffnoufaily");
}

/* CUSUM against surveillance::algo.cusum (generate_cusum.R); then the reset
 * option must raise no more alarms and restart the sum at 0. */
static void check_cusum(const char *data) {
    char name[64];
    snprintf(name, sizeof name, "cusum_%s", data);
    ref r;
    ref_load(name, &r);
    ews_params p;
    ews_params_default(EWS_CUSUM, &p);
    ews_series s = {r.n, col(&r, "observed"), NULL};
    ews_result *res;
    pu_err err;
    assert_int_equal(ews_detect(&s, &p, &res, &err), PU_OK);
    const double *U = col(&r, "upperbound"), *A = col(&r, "alarm"), *S = col(&r, "cusum");
    int n = 0, na = 0;
    for (size_t t = res->from; t < r.n; t++) {
        if (!close_rel(res->upper[t], U[t], 1e-9)) fail_msg("%s week %zu: U %g R %g", data, t + 1, res->upper[t], U[t]);
        if (!close_rel(res->stat[t], S[t], 1e-9)) fail_msg("%s week %zu: S %g R %g", data, t + 1, res->stat[t], S[t]);
        assert_int_equal(res->alarm[t], (int)A[t]);
        n++;
        na += res->alarm[t] == 1;
    }
    assert_int_equal(res->from, 52);
    assert_true(n > 200);
    p.cusum_reset = 1;
    ews_result *rr;
    assert_int_equal(ews_detect(&s, &p, &rr, &err), PU_OK);
    int nr = 0;
    for (size_t t = rr->from; t < r.n; t++) {
        nr += rr->alarm[t] == 1;
        if (rr->alarm[t] == 1 && t + 1 < r.n) assert_true(rr->upper[t + 1] == ceil(sqrt(rr->expected[t]) * (p.h + p.k) + rr->expected[t]));
    }
    assert_true(nr <= na);
    ews_result_free(rr);
    ews_result_free(res);
    ref_free(&r);
}
static void test_cusum(void **st) {
    (void)st;
    check_cusum("salmNewport_DE");
    check_cusum("ha_berlin");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_c1), cmocka_unit_test(test_c2), cmocka_unit_test(test_c3),
        cmocka_unit_test(test_c3_cdc), cmocka_unit_test(test_farrington), cmocka_unit_test(test_noufaily), cmocka_unit_test(test_cusum),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
