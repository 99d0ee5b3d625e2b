/* Unit tests for the input discipline: pu_io.h (BOM, CRLF, UTF-8, delimiter,
 * size limits, truncation, header checks), pu_parse.h, pu_report.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "common/pu.h"
#include "common/pu_io.h"
#include "common/pu_parse.h"
#include "common/pu_report.h"

/* Read every record of `data`; count rows and errors, keep the first error. */
typedef struct csv_run {
    int rows, errors;
    pu_err first;
    char first_field[64];
    uint64_t lines[16];
} csv_run;

static csv_run run_csv(const char *data, size_t n, const pu_csv_opts *o) {
    csv_run cr;
    memset(&cr, 0, sizeof cr);
    pu_csv *r;
    pu_err e;
    assert_int_equal(pu_csv_open_mem(data, n, o, &r, &e), PU_OK);
    for (int guard = 0; guard < 1000; guard++) {
        const pu_csv_row *row;
        int rc = pu_csv_next(r, &row, &e);
        if (rc) {
            if (!cr.errors) cr.first = e;
            cr.errors++;
            continue;
        }
        if (!row) break;
        if (!cr.rows) pu_strlcpy(cr.first_field, row->fields[0], sizeof cr.first_field);
        if (cr.rows < 16) cr.lines[cr.rows] = row->line;
        cr.rows++;
    }
    pu_csv_close(r);
    return cr;
}

static void test_bom_crlf(void **state) {
    (void)state;
    const char d[] = "\xEF\xBB\xBFid,name\r\n1,Ana\r\n2,Luis\r\n";
    csv_run cr = run_csv(d, sizeof d - 1, NULL);
    assert_int_equal(cr.errors, 0);
    assert_int_equal(cr.rows, 3);
    assert_string_equal(cr.first_field, "id"); /* the BOM is not part of the first field */
    assert_int_equal(cr.lines[2], 3);

    pu_lines *l;
    assert_int_equal(pu_lines_open_mem("\xEF\xBB\xBF{\"a\":1}\r\n", 11, 0, &l, NULL), PU_OK);
    const char *line;
    size_t len;
    uint64_t no;
    assert_int_equal(pu_lines_next(l, &line, &len, &no, NULL), PU_OK);
    assert_string_equal(line, "{\"a\":1}");
    assert_int_equal(pu_lines_had_bom(l), 1);
    pu_lines_close(l);

    /* a file holding only a BOM is empty */
    csv_run e = run_csv("\xEF\xBB\xBF", 3, NULL);
    assert_int_equal(e.rows, 0);
    assert_int_equal(e.errors, 0);
}

static void test_invalid_utf8(void **state) {
    (void)state;
    const char d[] = "id,name\n1,Jos\xE9\n2,Ana\n";
    pu_csv_opts chk = {.check_utf8 = 1};
    csv_run cr = run_csv(d, sizeof d - 1, &chk);
    assert_int_equal(cr.rows, 2);            /* header and line 3 */
    assert_int_equal(cr.errors, 1);
    assert_int_equal(cr.first.code, PU_ERR_INVALID);
    assert_string_equal(cr.first.where, "<memory>:2:6");
    assert_non_null(strstr(cr.first.msg, "UTF-8"));
    assert_int_equal(cr.lines[1], 3);

    cr = run_csv(d, sizeof d - 1, NULL);
    assert_int_equal(cr.errors, 0);

    pu_lines *l;
    assert_int_equal(pu_lines_open_mem("ok\nb\xC3\x28\n", 7, 0, &l, NULL), PU_OK);
    pu_lines_check_utf8(l, 1);
    const char *line;
    size_t len;
    uint64_t no;
    pu_err e;
    assert_int_equal(pu_lines_next(l, &line, &len, &no, &e), PU_OK);
    assert_int_equal(pu_lines_next(l, &line, &len, &no, &e), PU_ERR_INVALID);
    assert_string_equal(e.where, "<memory>:2:2");
    pu_lines_close(l);

    size_t col = 0;
    assert_int_equal(pu_utf8_find_invalid("a\xC3\xA9z", 4, &col), (size_t)-1);
    assert_int_equal(pu_utf8_find_invalid("\xC3\xA9\xED\xA0\x80", 5, &col), 3); /* surrogate */
    assert_int_equal(col, 2);
    assert_int_equal(pu_utf8_find_invalid("\xC0\xAF", 2, &col), 0); /* overlong */
    assert_int_equal(pu_utf8_find_invalid("ab\xE2\x82", 4, &col), 4); /* cut off */
}

static void test_delimiter(void **state) {
    (void)state;
    const char d[] = "id;name;dob\n1;Ana;1970-01-01\n";
    csv_run cr = run_csv(d, sizeof d - 1, NULL);
    assert_int_equal(cr.errors, 1);
    assert_int_equal(cr.rows, 0); /* a whole-file error: nothing else is returned */
    assert_string_equal(cr.first.where, "<memory>:1");
    assert_non_null(strstr(cr.first.msg, "';'"));
    assert_non_null(strstr(cr.first.msg, "','"));

    pu_csv_opts semi = {.delim = ';'};
    cr = run_csv(d, sizeof d - 1, &semi);
    assert_int_equal(cr.errors, 0);
    assert_int_equal(cr.rows, 2);

    pu_csv_opts one = {.single_column = 1};
    cr = run_csv("name\nLopez; Juan\n", 17, &one);
    assert_int_equal(cr.errors, 0);
}

static void test_big_field_one_error(void **state) {
    (void)state;
    size_t big = 2u << 20; /* 2 MiB field on line 3 */
    pu_buf b = PU_BUF_INIT(big + 1024);
    pu_buf_puts(&b, "id,name\n1,Ana\n2,");
    for (size_t i = 0; i < big; i++) pu_buf_putc(&b, 'x');
    pu_buf_puts(&b, "\n3,Luis\n");
    csv_run cr = run_csv(b.data, b.len, NULL);
    assert_int_equal(cr.errors, 1);
    assert_int_equal(cr.first.code, PU_ERR_LIMIT);
    assert_string_equal(cr.first.where, "<memory>:3");
    assert_int_equal(cr.rows, 3);
    assert_int_equal(cr.lines[2], 4); /* the next record keeps its real line */

    /* the same inside quotes */
    pu_buf_reset(&b);
    pu_buf_puts(&b, "id,name\n2,\"");
    for (size_t i = 0; i < big; i++) pu_buf_putc(&b, 'y');
    pu_buf_puts(&b, "\"\n3,Luis\n");
    cr = run_csv(b.data, b.len, NULL);
    assert_int_equal(cr.errors, 1);
    assert_string_equal(cr.first.where, "<memory>:2");
    assert_int_equal(cr.rows, 2);
    assert_int_equal(cr.lines[1], 3);
    pu_buf_free(&b);
}

static void test_truncated(void **state) {
    (void)state;
    const char d[] = "1,\"ANA\",\"MX\"\n2,\"LUIS\",\"M";
    pu_csv *r;
    pu_err e;
    assert_int_equal(pu_csv_open_mem(d, sizeof d - 1, NULL, &r, &e), PU_OK);
    const pu_csv_row *row;
    assert_int_equal(pu_csv_next(r, &row, &e), PU_OK);
    assert_non_null(row);
    assert_int_equal(pu_csv_next(r, &row, &e), PU_ERR_INVALID);
    assert_string_equal(e.where, "<memory>:2");
    assert_non_null(strstr(e.msg, "truncated"));
    assert_int_equal(pu_csv_truncated(r), 1);
    assert_int_equal(pu_csv_next(r, &row, &e), PU_OK);
    assert_null(row);
    pu_csv_close(r);
}

static void test_open_errors(void **state) {
    (void)state;
    pu_csv *r;
    pu_err e;
    assert_int_equal(pu_csv_open("/nonexistent/x.csv", NULL, &r, &e), PU_ERR_IO);
    assert_string_equal(e.where, "/nonexistent/x.csv");
    assert_non_null(strstr(e.msg, "no such file"));
    assert_int_equal(pu_csv_open("/tmp", NULL, &r, &e), PU_ERR_IO);
    assert_non_null(strstr(e.msg, "is a directory"));
    pu_lines *l;
    assert_int_equal(pu_lines_open("/tmp", 0, &l, &e), PU_ERR_IO);
    assert_non_null(strstr(e.msg, "is a directory"));
}

static pu_csv_row mkrow(const char **f, size_t n, size_t *lens) {
    for (size_t i = 0; i < n; i++) lens[i] = strlen(f[i]);
    pu_csv_row r = {n, (char **)f, lens, 1};
    return r;
}

static void test_header(void **state) {
    (void)state;
    const pu_col cols[] = {{"name", NULL, PU_COL_REQUIRED}, {"birth_date", "dob|birthdate", 0}, {"country", NULL, 0}};
    int idx[3];
    char *warn;
    pu_err e;
    size_t lens[8];
    const char *h1[] = {" Name ", "DOB", "extra"};
    pu_csv_row r = mkrow(h1, 3, lens);
    assert_int_equal(pu_csv_header("f.csv", &r, cols, 3, PU_UNKNOWN_WARN, idx, &warn, &e), PU_OK);
    assert_int_equal(idx[0], 0);
    assert_int_equal(idx[1], 1);
    assert_int_equal(idx[2], -1);
    assert_non_null(warn);
    assert_non_null(strstr(warn, "'extra'"));
    assert_non_null(strstr(warn, "f.csv:1"));
    free(warn);
    assert_int_equal(pu_csv_header("f.csv", &r, cols, 3, PU_UNKNOWN_ERROR, idx, &warn, &e), PU_ERR_INVALID);
    assert_non_null(strstr(e.msg, "'extra'"));

    const char *h2[] = {"name", "dob", "birth_date"};
    r = mkrow(h2, 3, lens);
    assert_int_equal(pu_csv_header("f.csv", &r, cols, 3, PU_UNKNOWN_WARN, idx, &warn, &e), PU_ERR_INVALID);
    assert_non_null(strstr(e.msg, "duplicate column 'birth_date'"));
    assert_non_null(strstr(e.msg, "columns 2 and 3"));

    const char *h3[] = {"country"};
    r = mkrow(h3, 1, lens);
    assert_int_equal(pu_csv_header("f.csv", &r, cols, 3, PU_UNKNOWN_WARN, idx, &warn, &e), PU_ERR_INVALID);
    assert_non_null(strstr(e.msg, "missing required column 'name'"));
}

static void test_dates(void **state) {
    (void)state;
    pu_date d;
    pu_err e;
    assert_int_equal(pu_date_parse("1970-11-18", 0, "f:2", "dob", &d, &e), PU_OK);
    assert_int_equal(pu_date_days(&d), 321);
    assert_int_equal(pu_date_parse(" 2000-02-29 ", 0, NULL, NULL, &d, &e), PU_OK);
    assert_int_equal(pu_date_parse("1980-02-30", 0, "f:2", "dob", &d, &e), PU_ERR_INVALID);
    assert_non_null(strstr(e.msg, "February 1980 has 29 days"));
    assert_string_equal(e.where, "f:2");
    assert_string_equal(e.field, "dob");
    assert_int_equal(pu_date_parse("1952-13-45", 0, NULL, NULL, &d, &e), PU_ERR_INVALID);
    assert_non_null(strstr(e.msg, "no month 13"));
    assert_int_equal(pu_date_parse("18/11/1970", 0, NULL, NULL, &d, &e), PU_ERR_INVALID);
    assert_non_null(strstr(e.msg, "write 1970-11-18"));
    assert_int_equal(pu_date_parse("04/04/1957", 0, NULL, NULL, &d, &e), PU_ERR_INVALID);
    assert_non_null(strstr(e.msg, "ambiguous"));
    assert_int_equal(pu_date_parse("19520101", 0, NULL, NULL, &d, &e), PU_ERR_INVALID);
    assert_non_null(strstr(e.msg, "write 1952-01-01"));
    assert_int_equal(pu_date_parse("1 Jan 1948", 0, NULL, NULL, &d, &e), PU_ERR_INVALID);
    assert_non_null(strstr(e.msg, "YYYY-MM-DD"));
    assert_int_equal(pu_date_parse("", 0, NULL, NULL, &d, &e), PU_ERR_INVALID);
    assert_int_equal(pu_date_parse("1970", 0, NULL, NULL, &d, &e), PU_ERR_INVALID);
    assert_int_equal(pu_date_parse("1970", PU_DATE_PARTIAL, NULL, NULL, &d, &e), PU_OK);
    assert_int_equal(d.prec, PU_DATE_YEAR);
    assert_int_equal(pu_date_parse("1970-13", PU_DATE_PARTIAL, NULL, NULL, &d, &e), PU_ERR_INVALID);
    assert_int_equal(pu_date_parse("1970-11-18T10:00:00Z", 0, NULL, NULL, &d, &e), PU_ERR_INVALID);
    assert_int_equal(pu_date_parse("1970-11-18T10:00:00Z", PU_DATE_TIME, NULL, NULL, &d, &e), PU_OK);

    setenv("PUENTE_TODAY", "2026-01-15", 1);
    pu_date f, past;
    pu_date_parse("2026-01-16", 0, NULL, NULL, &f, NULL);
    assert_int_equal(pu_date_not_future(&f, "r1", "date", &e), PU_ERR_INVALID);
    assert_non_null(strstr(e.msg, "today is 2026-01-15"));
    pu_date_parse("2026", PU_DATE_PARTIAL, NULL, NULL, &f, NULL);
    assert_int_equal(pu_date_not_future(&f, "r1", "date", &e), PU_OK);
    unsetenv("PUENTE_TODAY");

    pu_date_parse("2026-03-02", 0, NULL, NULL, &past, NULL);
    pu_date_parse("2026-03-01", 0, NULL, NULL, &f, NULL);
    assert_int_equal(pu_date_order(&past, "departure", &f, "arrival", "f:3", &e), PU_ERR_INVALID);
    assert_non_null(strstr(e.msg, "arrival 2026-03-01 is before departure 2026-03-02"));
    assert_int_equal(pu_date_order(&f, "departure", &past, "arrival", "f:3", &e), PU_OK);
    pu_date_parse("2026", PU_DATE_PARTIAL, NULL, NULL, &f, NULL);
    assert_int_equal(pu_date_order(&past, "a", &f, "b", NULL, &e), PU_OK);

    int64_t t;
    assert_int_equal(pu_datetime_parse("1970-01-02T01:00:00+01:00", NULL, NULL, &t, &e), PU_OK);
    assert_int_equal(t, 86400);
    assert_int_equal(pu_datetime_parse("1970-01-01 00:01", NULL, NULL, &t, &e), PU_OK);
    assert_int_equal(t, 60);
    assert_int_equal(pu_datetime_parse("1970-01-01T25:00", NULL, "ts", &t, &e), PU_ERR_INVALID);
    assert_non_null(strstr(e.msg, "date-time"));

    /* the days form (trace, early warning): the same parser and messages */
    int64_t days = -1;
    assert_int_equal(pu_date_parse_days("1970-01-03", "f:4", "date", &days, &e), PU_OK);
    assert_int_equal(days, 2);
    assert_int_equal(pu_date_parse_days("18/11/1970", "f:5", "date", &days, &e), PU_ERR_INVALID);
    assert_int_equal(days, 2);
    assert_non_null(strstr(e.msg, "write 1970-11-18"));
    assert_string_equal(e.where, "f:5");
    assert_int_equal(pu_date_parse_days("1970", NULL, "date", &days, &e), PU_ERR_INVALID);
    assert_int_equal(pu_date_parse_days("1970-01-01T10:00", NULL, "date", &days, &e), PU_ERR_INVALID);
}

/* A translator for the test: a few formats in "Spanish". */
static const char *fake_tr(const char *id) {
    if (strcmp(id, "expected %s, got '%s'") == 0) return "se esperaba %s; se recibió '%s'";
    if (strcmp(id, "an ISO 8601 date YYYY-MM-DD") == 0) return "una fecha ISO 8601 AAAA-MM-DD";
    return NULL;
}

static void *other_thread(void *arg) {
    pu_err *e = arg;
    pu_tr_thread_off(1);   /* as the HTTP server's request threads do */
    pu_date d;
    pu_date_parse("1 Jan 1948", 0, NULL, NULL, &d, e);
    return NULL;
}

static void test_translated_messages(void **state) {
    (void)state;
    pu_err e;
    pu_date d;
    int64_t t;
    pu_set_translator(fake_tr);
    assert_int_equal(pu_date_parse("1 Jan 1948", 0, NULL, NULL, &d, &e), PU_ERR_INVALID);
    assert_string_equal(e.msg, "se esperaba una fecha ISO 8601 AAAA-MM-DD; se recibió '1 Jan 1948'");
    assert_string_equal(pu_tr("no such entry"), "no such entry");
    /* the date-time message is chosen by the kind of failure, not by the text */
    assert_int_equal(pu_datetime_parse("1 Jan 1948", NULL, "ts", &t, &e), PU_ERR_INVALID);
    assert_non_null(strstr(e.msg, "date-time"));
    pthread_t th;
    pu_err other;
    assert_int_equal(pthread_create(&th, NULL, other_thread, &other), 0);
    pthread_join(th, NULL);
    assert_non_null(strstr(other.msg, "expected an ISO 8601 date"));
    pu_set_translator(NULL);
    assert_int_equal(pu_date_parse("1 Jan 1948", 0, NULL, NULL, &d, &e), PU_ERR_INVALID);
    assert_non_null(strstr(e.msg, "expected an ISO 8601 date"));
}

static void expect_country(const char *in, const char *code) {
    char out[3] = "";
    pu_err e;
    int rc = pu_country_parse(in, "r", "country", out, &e);
    if (rc != PU_OK) fail_msg("%s: %s", in, e.msg);
    assert_string_equal(out, code);
}

static void test_countries(void **state) {
    (void)state;
    expect_country("Mexico", "mx");
    expect_country("México", "mx");
    expect_country("MEXICO", "mx");
    expect_country("mexico", "mx");
    expect_country("MX", "mx");
    expect_country("mex", "mx");
    expect_country("Estados Unidos", "us");
    expect_country("United States", "us");
    expect_country("EE. UU.", "us");
    expect_country("USA", "us");
    expect_country("CHINA", "cn");
    expect_country("Alemania", "de");
    expect_country("Côte d’Ivoire", "ci");
    expect_country("Myanmar", "mm");
    char out[3];
    pu_err e;
    assert_int_equal(pu_country_parse("Narnia", "f:4", "country", out, &e), PU_ERR_INVALID);
    assert_non_null(strstr(e.msg, "unknown country 'Narnia'"));
    expect_country("Congo - Kinshasa", "cd");
    expect_country("Congo", "cg"); /* the Spanish name of CG (ICU "es") */
    expect_country("República Democrática del Congo", "cd");
    assert_int_equal(pu_country_parse("", NULL, NULL, out, &e), PU_ERR_INVALID);
    assert_string_equal(pu_country_name("mx", "es"), "México");
    assert_string_equal(pu_country_name("US", "en"), "United States");
    assert_null(pu_country_name("qq", "en"));
}

static void test_numbers(void **state) {
    (void)state;
    double x;
    pu_err e;
    assert_int_equal(pu_number_parse("12.5", PU_NUM_POSITIVE, NULL, NULL, &x, &e), PU_OK);
    assert_true(x == 12.5);
    assert_int_equal(pu_number_parse("-3", PU_NUM_POSITIVE, "f:2", "weight", &x, &e), PU_ERR_INVALID);
    assert_non_null(strstr(e.msg, "greater than zero"));
    assert_int_equal(pu_number_parse("0", PU_NUM_NONNEG, NULL, NULL, &x, &e), PU_OK);
    assert_int_equal(pu_number_parse("abc", 0, NULL, NULL, &x, &e), PU_ERR_INVALID);
    assert_int_equal(pu_number_parse("nan", 0, NULL, NULL, &x, &e), PU_ERR_INVALID);
    assert_int_equal(pu_number_parse("inf", 0, NULL, NULL, &x, &e), PU_ERR_INVALID);
    assert_int_equal(pu_number_parse("1e999", 0, NULL, NULL, &x, &e), PU_ERR_INVALID);
    assert_int_equal(pu_number_parse("1,5", 0, NULL, NULL, &x, &e), PU_ERR_INVALID);
    assert_non_null(strstr(e.msg, "decimal separator"));
    assert_int_equal(pu_number_parse("2.5", PU_NUM_INTEGER, NULL, NULL, &x, &e), PU_ERR_INVALID);
    long long i;
    assert_int_equal(pu_int_parse("42", 0, 100, NULL, NULL, &i, &e), PU_OK);
    assert_int_equal(i, 42);
    assert_int_equal(pu_int_parse("101", 0, 100, NULL, NULL, &i, &e), PU_ERR_INVALID);
    assert_int_equal(pu_int_parse("4x", 0, 100, NULL, NULL, &i, &e), PU_ERR_INVALID);
    assert_int_equal(pu_mass_parse("500 kg", NULL, NULL, NULL, &x, &e), PU_OK);
    assert_true(x == 500.0);
    assert_int_equal(pu_mass_parse("250g", NULL, NULL, NULL, &x, &e), PU_OK);
    assert_true(x > 0.2499 && x < 0.2501);
    assert_int_equal(pu_mass_parse("10 lb", NULL, NULL, NULL, &x, &e), PU_OK);
    assert_true(x > 4.5358 && x < 4.536);
    assert_int_equal(pu_mass_parse("1.5 t", NULL, NULL, NULL, &x, &e), PU_OK);
    assert_true(x == 1500.0);
    assert_int_equal(pu_mass_parse("12", "kg", NULL, NULL, &x, &e), PU_OK);
    assert_int_equal(pu_mass_parse("12", NULL, NULL, NULL, &x, &e), PU_ERR_INVALID);
    assert_int_equal(pu_mass_parse("-5 kg", NULL, NULL, NULL, &x, &e), PU_ERR_INVALID);
    assert_int_equal(pu_mass_parse("5 ton", NULL, NULL, NULL, &x, &e), PU_ERR_INVALID);
    assert_non_null(strstr(e.msg, "unknown unit 'ton'"));
    assert_int_equal(pu_mass_parse("abc", "kg", NULL, NULL, &x, &e), PU_ERR_INVALID);
    assert_int_equal(pu_percent_parse("45%", NULL, NULL, &x, &e), PU_OK);
    assert_true(x == 45.0);
    assert_int_equal(pu_percent_parse("12.5 %", NULL, NULL, &x, &e), PU_OK);
    assert_int_equal(pu_percent_parse("101", NULL, NULL, &x, &e), PU_ERR_INVALID);
    assert_int_equal(pu_percent_parse("-1%", NULL, NULL, &x, &e), PU_ERR_INVALID);
}

static void test_report(void **state) {
    (void)state;
    pu_report r;
    pu_report_init(&r, "import test", NULL);
    pu_dupset *s;
    assert_int_equal(pu_dupset_new(&s), PU_OK);
    const char *first = NULL;
    char where[32];
    const char *keys[] = {"a", "b", "a", "c", "b"};
    for (int i = 0; i < 5; i++) {
        r.read++;
        snprintf(where, sizeof where, "f:%d", i + 2);
        int d = pu_dupset_add(s, keys[i], where, &first);
        if (d == 1) pu_report_duplicate(&r, keys[i], where, first, "refused");
        else r.written++;
    }
    assert_int_equal(r.duplicate, 2);
    assert_int_equal(r.written, 3);
    assert_int_equal(pu_dupset_count(s), 3);
    assert_int_equal(pu_report_check(&r, NULL), PU_OK);
    assert_int_equal(pu_report_exit(&r), PU_EXIT_PARTIAL);
    assert_int_equal(r.nkept, 2);
    assert_non_null(strstr(r.kept[1], "f:6: duplicate id 'b' (first at f:3)"));
    r.read++;
    pu_err e;
    assert_int_equal(pu_report_check(&r, &e), PU_ERR_INTERNAL);
    assert_non_null(strstr(e.msg, "do not add up"));
    /* many keys: the table grows and still finds them */
    for (int i = 0; i < 1000; i++) {
        snprintf(where, sizeof where, "k%d", i);
        assert_int_equal(pu_dupset_add(s, where, where, NULL), 0);
    }
    assert_int_equal(pu_dupset_add(s, "k999", "x", &first), 1);
    assert_string_equal(first, "k999");
    pu_dupset_free(s);

    pu_report ok;
    pu_report_init(&ok, "import test", NULL);
    ok.read = ok.written = 2;
    pu_report_warn(&ok, "f:1", "unknown column '%s' ignored", "DOB");
    assert_int_equal(ok.warnings, 1);
    assert_int_equal(pu_report_exit(&ok), 0);
    pu_report_free(&ok);
    pu_report_free(&r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bom_crlf),     cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_delimiter),    cmocka_unit_test(test_big_field_one_error),
        cmocka_unit_test(test_truncated),    cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_header),       cmocka_unit_test(test_dates),
        cmocka_unit_test(test_countries),    cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_report),       cmocka_unit_test(test_translated_messages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
