/* test_indicators.c - unit tests of the impact indicators (src/indicators):
 * the formula language (parse errors with positions, bounds, evaluation with
 * filters, median, count, division by zero), the definitions reader
 * (file:line and field in errors), and computing over count rows: missing
 * periods, division by zero as a reason, disaggregation cells adding up to
 * the total, quarters adding up to the year, growth against the baseline,
 * targets, manual values with their visibility and revisions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "indicators/ind.h"
#include "store/store.h"
#include "../test_store_uri.h"

/* ---- formulas ---- */
static int parse(const char *s, ind_expr **e, pu_err *err) { return ind_expr_parse(s, strlen(s), "t", "numerator", e, err); }

static void test_parse_errors(void **state) {
    (void)state;
    ind_expr *e = NULL;
    pu_err err;
    assert_int_equal(parse("trace.requests_submitted +", &e, &err), PU_ERR_INVALID);
    assert_non_null(strstr(err.msg, "at 27"));
    assert_string_equal(err.field, "numerator");
    assert_int_equal(parse("(tips.received", &e, &err), PU_ERR_INVALID);
    assert_non_null(strstr(err.msg, "')'"));
    assert_int_equal(parse("tips.received[city=X]", &e, &err), PU_ERR_INVALID);
    assert_non_null(strstr(err.msg, "country, state or agency"));
    assert_int_equal(parse("received", &e, &err), PU_ERR_INVALID);          /* no module prefix */
    assert_int_equal(parse("tips.received tips.linked", &e, &err), PU_ERR_INVALID);
    assert_int_equal(parse("", &e, &err), PU_ERR_INVALID);
    char deep[200];
    memset(deep, '(', 40);
    pu_strlcpy(deep + 40, "1", sizeof deep - 40);
    assert_int_equal(parse(deep, &e, &err), PU_ERR_LIMIT);
    char longf[IND_FORMULA_MAX + 10];
    memset(longf, '1', sizeof longf - 1);
    longf[sizeof longf - 1] = '\0';
    assert_int_equal(parse(longf, &e, &err), PU_ERR_LIMIT);
    assert_null(e);
}

static void add(ind_rows *r, const char *name, int year, int month, const char *country, const char *st, double v) {
    pu_count_row row = {.name = name, .year = year, .month = month, .country = country, .state = st, .agency = "FGR",
                        .value = v};
    assert_int_equal(ind_rows_add(r, &row), PU_OK);
}

static double eval(const char *f, const ind_rows *rows, int year, size_t *nrows, int *rc) {
    ind_expr *e = NULL;
    pu_err err;
    assert_int_equal(parse(f, &e, &err), PU_OK);
    ind_cell c = {.year = year};
    double v = -1;
    int supp;
    *rc = ind_expr_eval(e, rows, &c, &v, nrows, &supp, &err);
    ind_expr_free(e);
    return v;
}

static void test_eval(void **state) {
    (void)state;
    ind_rows r = {0};
    add(&r, "trace.requests_submitted", 2024, 3, "MX", "MX-CHH", 5);
    add(&r, "trace.requests_submitted", 2024, 7, "MX", "MX-SIN", 2);
    add(&r, "trace.requests_submitted", 2024, 7, "US", "US-TX", 4);
    add(&r, "trace.ttc_days", 2024, 1, "MX", "MX-SIN", 100);
    add(&r, "trace.ttc_days", 2024, 2, "MX", "MX-SIN", 300);
    add(&r, "trace.ttc_days", 2024, 2, "MX", "MX-CHH", 20);
    add(&r, "trace.ttc_days", 2024, 2, "MX", "MX-CHH", 1000);
    size_t n;
    int rc;
    assert_true(eval("trace.requests_submitted", &r, 2024, &n, &rc) == 11);
    assert_int_equal(n, 3);
    assert_true(eval("trace.requests_submitted[country=MX]", &r, 2024, &n, &rc) == 7);
    assert_true(eval("trace.requests_submitted[country!=MX]", &r, 2024, &n, &rc) == 4);
    assert_true(eval("trace.requests_submitted[state=MX-CHH|US-TX, country=MX]", &r, 2024, &n, &rc) == 5);
    assert_true(eval("median(trace.ttc_days)", &r, 2024, &n, &rc) == 200);   /* (100 + 300) / 2 */
    assert_true(eval("count(trace.ttc_days)", &r, 2024, &n, &rc) == 4);
    assert_true(eval("trace.ttc_days ÷ count(trace.ttc_days)", &r, 2024, &n, &rc) == 355);
    assert_true(eval("(trace.requests_submitted − 1) × 2 / 4", &r, 2024, &n, &rc) == 5);
    assert_true(eval("-trace.requests_submitted + 20", &r, 2024, &n, &rc) == 9);
    /* a missing period reads no row */
    assert_true(eval("trace.requests_submitted", &r, 2023, &n, &rc) == 0);
    assert_int_equal(n, 0);
    /* a division by zero is an error, never inf */
    eval("trace.requests_submitted / trace.requests_submitted[country=CA]", &r, 2024, &n, &rc);
    assert_int_equal(rc, PU_ERR_INVALID);
    ind_rows_free(&r);
}

/* ---- definitions ---- */
#define HEADER "code,goal,area,name_en,name_es,sentence_en,sentence_es,numerator,denominator,factor,unit,direction," \
               "period,disaggregation,baseline_year,baseline_value,targets,manual\n"

static void test_defs_errors(void **state) {
    (void)state;
    ind_def *d = NULL;
    size_t n = 0;
    pu_err err;
    const char *good = HEADER "A-1,prevent,firearms,Traces,Rastreos,{value} traces,{value} rastreos,"
                              "trace.requests_submitted[country=MX],,1,,up,year,state,2022,,2025=10;2026-Q1=3,0\n";
    assert_int_equal(ind_defs_read_mem(good, strlen(good), "f.csv", &d, &n, &err), PU_OK);
    assert_int_equal(n, 1);
    assert_string_equal(d[0].code, "A-1");
    assert_int_equal(d[0].ntargets, 2);
    assert_true(d[0].targets[1].value == 3);
    assert_true(isnan(d[0].baseline_value));
    ind_defs_free(d, n);
    const char *bad_goal = HEADER "A-1,protect,x,N,N,s,s,tips.received,,1,,up,year,,,,,0\n"
                                  "A-2,defend,x,N,N,s,s,tips.received,,1,,up,year,,,,,0\n";
    assert_int_equal(ind_defs_read_mem(bad_goal, strlen(bad_goal), "f.csv", &d, &n, &err), PU_ERR_INVALID);
    assert_string_equal(err.where, "f.csv:3");
    assert_string_equal(err.field, "goal");
    const char *bad_formula = HEADER "A-1,protect,x,N,N,s,s,tips.received / (,,1,,up,year,,,,,0\n";
    assert_int_equal(ind_defs_read_mem(bad_formula, strlen(bad_formula), "f.csv", &d, &n, &err), PU_ERR_INVALID);
    assert_string_equal(err.field, "numerator");
    assert_non_null(strstr(err.where, "f.csv:2"));
    const char *dup = HEADER "A-1,protect,x,N,N,s,s,tips.received,,1,,up,year,,,,,0\n"
                             "A-1,protect,x,N,N,s,s,tips.received,,1,,up,year,,,,,0\n";
    assert_int_equal(ind_defs_read_mem(dup, strlen(dup), "f.csv", &d, &n, &err), PU_ERR_INVALID);
    assert_string_equal(err.field, "code");
    const char *target = HEADER "A-1,protect,x,N,N,s,s,tips.received,,1,,up,year,,,,2025:3,0\n";
    assert_int_equal(ind_defs_read_mem(target, strlen(target), "f.csv", &d, &n, &err), PU_ERR_INVALID);
    assert_string_equal(err.field, "targets");
    const char *nonum = HEADER "A-1,protect,x,N,N,s,s,,,1,,up,year,,,,,0\n";
    assert_int_equal(ind_defs_read_mem(nonum, strlen(nonum), "f.csv", &d, &n, &err), PU_ERR_INVALID);
    const char *col = "code,goal,colour\nA,protect,red\n";
    assert_int_equal(ind_defs_read_mem(col, strlen(col), "f.csv", &d, &n, &err), PU_ERR_INVALID);
}

/* ---- computing ---- */
static store_t *open_store(void) {
    store_t *st;
    pu_err e;
    assert_int_equal(store_open(test_store_uri(), &st, &e), PU_OK);
    assert_int_equal(app_migrate(store_db(st), &e), PU_OK);
    return st;
}

static const char DEFS[] =
    HEADER
    "SUB,prevent,firearms,Traces,Rastreos,s,s,trace.requests_submitted,,1,,up,quarter,state,2023,,2024-Q3=4,0\n"
    "YEAR,prevent,firearms,Traces,Rastreos,s,s,trace.requests_submitted[country=MX],,1,,up,year,state;agency,2023,,2024=10,0\n"
    "SHARE,prevent,firearms,US share,Proporción,s,s,trace.us_sourced,trace.traced_firearms,100,%,up,year,state,,,,0\n"
    "TRAIN,prevent,capacity,Trained,Capacitados,s,s,,,1,,up,year,,,,2024=500,1\n";

static void rows_fixture(ind_rows *r) {
    add(r, "trace.requests_submitted", 2023, 5, "MX", "MX-CHH", 4);
    add(r, "trace.requests_submitted", 2024, 2, "MX", "MX-CHH", 3);
    add(r, "trace.requests_submitted", 2024, 8, "MX", "MX-SIN", 2);
    add(r, "trace.requests_submitted", 2024, 9, "MX", "", 1);       /* no state: its own cell */
    add(r, "trace.requests_submitted", 2024, 11, "US", "US-TX", 6);
    add(r, "trace.traced_firearms", 2024, 1, "MX", "MX-CHH", 4);
    add(r, "trace.us_sourced", 2024, 1, "MX", "MX-CHH", 3);
    add(r, "trace.us_sourced", 2025, 1, "MX", "MX-CHH", 1);          /* numerator without denominator */
}

static void test_compute(void **state) {
    (void)state;
    store_t *st = open_store();
    db_t *db = store_db(st);
    ind_def *defs;
    size_t n;
    pu_err err;
    assert_int_equal(ind_defs_read_mem(DEFS, strlen(DEFS), "defs.csv", &defs, &n, &err), PU_OK);
    assert_int_equal(ind_defs_put(db, defs, n, &err), PU_OK);
    ind_rows rows = {0};
    rows_fixture(&rows);
    ind_result r;
    ind_query q = {.year = 2025, .from_year = 2022, .by = "state"};
    assert_int_equal(ind_compute_rows(db, STORE_SYSTEM, defs, n, &rows, &q, &r, &err), PU_OK);

    /* the year, its growth against the 2023 baseline and its target */
    const ind_figure *f = ind_result_find(&r, "YEAR", "2024", "");
    assert_non_null(f);
    assert_true(f->has_value && f->value == 6);
    assert_true(f->has_baseline && f->baseline == 4);
    assert_true(f->has_growth && fabs(f->growth_pct - 50) < 1e-9);
    assert_true(f->has_target && fabs(f->achieved_pct - 60) < 1e-9);
    /* the state cells (with the "-" cell of rows without a state) add up to the total */
    double sum = 0;
    for (size_t i = 0; i < r.n; i++)
        if (!strcmp(r.fig[i].code, "YEAR") && !strcmp(r.fig[i].period, "2024") && !strcmp(r.fig[i].dim, "state"))
            sum += r.fig[i].value;
    assert_true(sum == f->value);
    assert_non_null(ind_result_find(&r, "YEAR", "2024", "-"));
    assert_null(ind_result_find(&r, "YEAR", "2024", "US-TX"));   /* filtered out by country=MX */
    /* a missing period (trace published nothing for 2022): no value and the
     * reason, not 0; a period trace covered without requests: a true 0 */
    f = ind_result_find(&r, "YEAR", "2022", "");
    assert_false(f->has_value);
    assert_string_equal(f->reason, "no data");
    f = ind_result_find(&r, "YEAR", "2025", "");
    assert_true(f->has_value && f->value == 0);
    /* quarters add up to the year */
    double q_sum = 0;
    for (int k = 1; k <= 4; k++) {
        char p[16];
        snprintf(p, sizeof p, "2024-Q%d", k);
        f = ind_result_find(&r, "SUB", p, "");
        assert_non_null(f);
        if (f->has_value) q_sum += f->value;
    }
    assert_true(q_sum == 12);
    f = ind_result_find(&r, "SUB", "2024", "");   /* a quarterly indicator also has its year */
    assert_true(f && f->has_value && f->value == q_sum);
    assert_false(ind_result_find(&r, "SUB", "2024-Q3", "")->has_growth);   /* no growth of a quarter against a year */
    assert_true(ind_result_find(&r, "SUB", "2024-Q3", "")->achieved_pct == 75);
    /* a ratio: 3 of 4 traced, x 100; a zero denominator gives a reason */
    f = ind_result_find(&r, "SHARE", "2024", "");
    assert_true(f->has_value && f->value == 75);
    f = ind_result_find(&r, "SHARE", "2025", "");
    assert_false(f->has_value);
    assert_string_equal(f->reason, "division by zero");
    /* provenance */
    assert_non_null(strstr(r.generations, "indicators="));
    assert_non_null(strstr(r.names, "trace.us_sourced"));
    ind_result_free(&r);

    /* manual values: visible by marking, the latest version counts */
    store_scope atf = {.country = "US", .agency = "ATF"}, fgr = {.country = "MX", .agency = "FGR"};
    assert_int_equal(ind_value_add(db, &atf, "TRAIN", "2024", 300, "ATF training office", "ATF", NULL, &err), PU_OK);
    assert_int_equal(ind_value_add(db, &atf, "TRAIN", "2024", 320, "ATF training office, revised", "ATF", NULL, &err), PU_OK);
    assert_int_equal(ind_value_add(db, &atf, "TRAIN", "2024", 1, "", "ATF", NULL, &err), PU_ERR_INVALID);
    assert_int_equal(ind_value_add(db, &atf, "TRAIN", "2024", 1, "x", "ATF", "MX-ONLY", &err), PU_ERR_DENIED);
    assert_int_equal(ind_value_add(db, &atf, "YEAR", "2024", 1, "x", "ATF", NULL, &err), PU_ERR_INVALID);
    assert_int_equal(ind_value_add(db, &atf, "NOPE", "2024", 1, "x", "ATF", NULL, &err), PU_ERR_NOTFOUND);
    ind_query qm = {.code = "TRAIN", .year = 2024};
    assert_int_equal(ind_compute_rows(db, &atf, defs, n, &rows, &qm, &r, &err), PU_OK);
    f = ind_result_find(&r, "TRAIN", "2024", "");
    assert_true(f->has_value && f->value == 320 && f->manual);
    assert_string_equal(f->source, "ATF training office, revised");
    assert_true(fabs(f->achieved_pct - 64) < 1e-9);
    ind_result_free(&r);
    assert_int_equal(ind_compute_rows(db, &fgr, defs, n, &rows, &qm, &r, &err), PU_OK);
    f = ind_result_find(&r, "TRAIN", "2024", "");
    assert_false(f->has_value);   /* ATF's AGENCY-ONLY figure is not FGR's to see */
    ind_result_free(&r);
    ind_query bad = {.year = 2024, .by = "city"};
    assert_int_equal(ind_compute_rows(db, &fgr, defs, n, &rows, &bad, &r, &err), PU_ERR_INVALID);
    ind_query none = {.code = "NOPE", .year = 2024};
    assert_int_equal(ind_compute_rows(db, &fgr, defs, n, &rows, &none, &r, &err), PU_ERR_NOTFOUND);

    /* the releasable scope sees PUBLIC and SHARED only */
    assert_int_equal(store_visible(&ind_scope_releasable, "ATF", "SHARED"), 1);
    assert_int_equal(store_visible(&ind_scope_releasable, "ATF", "US-ONLY"), 0);
    assert_int_equal(store_visible(&ind_scope_releasable, "FGR", "MX-ONLY"), 0);
    assert_int_equal(store_visible(&ind_scope_releasable, "ATF", "AGENCY-ONLY"), 0);

    ind_rows_free(&rows);
    ind_defs_free(defs, n);
    store_close(st);
}

static void test_format(void **state) {
    (void)state;
    char en[64], es[64];
    ind_format_number("en", 1238.5, 1, en, sizeof en);
    ind_format_number("es", 1238.5, 1, es, sizeof es);
    assert_string_equal(en, "1,238.5");
    assert_string_equal(es, "1,238.5");   /* es-MX groups and separates as en-US */
    ind_format_number("en", 1066, 0, en, sizeof en);
    assert_string_equal(en, "1,066");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_errors), cmocka_unit_test(test_eval), cmocka_unit_test(test_defs_errors),
        cmocka_unit_test(test_compute),      cmocka_unit_test(test_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
