/* Unit tests for src/common (pu.h, pu_io.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/pu.h"
#include "common/pu_io.h"
#include "common/pu_gencache.h"
#include "common/pu_vec.h"

static void test_buf_caps(void **state) {
    (void)state;
    pu_buf b = PU_BUF_INIT(8);
    assert_int_equal(pu_buf_puts(&b, "12345"), PU_OK);
    assert_int_equal(pu_buf_printf(&b, "%d", 678), PU_OK);
    assert_string_equal(pu_buf_str(&b), "12345678");
    assert_int_equal(pu_buf_putc(&b, '9'), PU_ERR_LIMIT);
    assert_string_equal(pu_buf_str(&b), "12345678");
    char *s = pu_buf_detach(&b);
    assert_string_equal(s, "12345678");
    assert_int_equal(b.len, 0);
    free(s);
    pu_buf_free(&b);
    pu_buf_free(NULL);
}

static void test_strings(void **state) {
    (void)state;
    char small[4];
    assert_int_equal(pu_strlcpy(small, "abcdef", sizeof small), 6);
    assert_string_equal(small, "abc");
    assert_int_equal(pu_snprintf(small, sizeof small, "%s", "abcd"), PU_ERR_LIMIT);
    assert_int_equal(pu_snprintf(small, sizeof small, "%s", "ab"), PU_OK);
    char t[] = "  x y \n";
    assert_string_equal(pu_trim(t), "x y");
    assert_true(pu_blank(" \t"));
    assert_false(pu_blank(" a"));
    assert_true(pu_strieq("Person", "PERSON"));
    assert_null(pu_strdup(NULL));
    assert_true(pu_utf8_valid("Treviño", strlen("Treviño")));
    assert_false(pu_utf8_valid("\xC3\x28", 2));
    assert_false(pu_utf8_valid("\xED\xA0\x80", 3)); /* surrogate */
    assert_false(pu_utf8_valid("\xC0\xAF", 2));     /* overlong */
}

static void test_dates(void **state) {
    (void)state;
    int64_t d;
    assert_int_equal(pu_parse_date("1970-01-01", &d), PU_OK);
    assert_int_equal(d, 0);
    assert_int_equal(pu_parse_date("2021-07-07", &d), PU_OK);
    char buf[16];
    pu_format_date(d, buf, sizeof buf);
    assert_string_equal(buf, "2021-07-07");
    assert_int_equal(pu_parse_date("2021-02-29", &d), PU_ERR_INVALID);
    assert_int_equal(pu_parse_date("2020-02-29", &d), PU_OK);
    assert_int_equal(pu_parse_date("2021-13-01", &d), PU_ERR_INVALID);
    assert_int_equal(pu_parse_date("21-01-01", &d), PU_ERR_INVALID);
}

static void test_err_format(void **state) {
    (void)state;
    pu_err e;
    pu_err_clear(&e);
    assert_int_equal(pu_fail(&e, PU_ERR_INVALID, "sdn.csv:12", "Remarks", "expected %s", "a date"), PU_ERR_INVALID);
    char buf[256];
    pu_err_format(&e, buf, sizeof buf);
    assert_string_equal(buf, "sdn.csv:12: field 'Remarks': expected a date");
    assert_int_equal(pu_fail(NULL, PU_ERR_IO, NULL, NULL, "x"), PU_ERR_IO);
    assert_int_equal(pu_exit_code(PU_ERR_NOTFOUND), 4);
}

static void test_csv_ofac_style(void **state) {
    (void)state;
    const char *data = "36,\"AEROCARIBBEAN AIRLINES\",-0- ,\"CUBA\"\r\n"
                       "173,\"ANGLO-CARIBBEAN CO., LTD.\",-0- ,\"CUBA\"\r\n"
                       "\x1a\r\n";
    pu_csv *r;
    pu_err e;
    assert_int_equal(pu_csv_open_mem(data, strlen(data), NULL, &r, &e), PU_OK);
    const pu_csv_row *row;
    assert_int_equal(pu_csv_next(r, &row, &e), PU_OK);
    assert_non_null(row);
    assert_int_equal(row->n, 4);
    assert_string_equal(row->fields[1], "AEROCARIBBEAN AIRLINES");
    assert_int_equal(row->line, 1);
    assert_int_equal(pu_csv_next(r, &row, &e), PU_OK);
    assert_string_equal(row->fields[1], "ANGLO-CARIBBEAN CO., LTD.");
    assert_int_equal(row->line, 2);
    assert_int_equal(pu_csv_next(r, &row, &e), PU_OK);
    assert_null(row); /* Ctrl-Z line skipped, then EOF */
    pu_csv_close(r);
}

static void test_csv_multiline_and_header(void **state) {
    (void)state;
    const char *data = "name,country\n\"a\nb\",MX\nc,US\n";
    pu_csv *r;
    assert_int_equal(pu_csv_open_mem(data, strlen(data), NULL, &r, NULL), PU_OK);
    const pu_csv_row *row;
    assert_int_equal(pu_csv_next(r, &row, NULL), PU_OK);
    assert_int_equal(pu_csv_col(row, "COUNTRY"), 1);
    assert_int_equal(pu_csv_col(row, "missing"), -1);
    assert_int_equal(pu_csv_next(r, &row, NULL), PU_OK);
    assert_string_equal(row->fields[0], "a\nb");
    assert_int_equal(row->line, 2);
    assert_int_equal(pu_csv_next(r, &row, NULL), PU_OK);
    assert_string_equal(row->fields[0], "c");
    assert_int_equal(row->line, 4);
    pu_csv_close(r);
}

static void test_csv_limits(void **state) {
    (void)state;
    pu_csv_opts o = {.max_record = 16};
    const char *data = "ok,1\n\"this record never closes its quote and is long\nstill going on and on and on\n";
    pu_csv *r;
    pu_err e;
    assert_int_equal(pu_csv_open_mem(data, strlen(data), &o, &r, &e), PU_OK);
    const pu_csv_row *row;
    assert_int_equal(pu_csv_next(r, &row, &e), PU_OK);
    assert_string_equal(row->fields[0], "ok");
    int rc = pu_csv_next(r, &row, &e);
    assert_int_equal(rc, PU_ERR_LIMIT);
    assert_non_null(strstr(e.where, ":2"));
    pu_csv_close(r);
    pu_csv_close(NULL);
}

static void test_lines(void **state) {
    (void)state;
    const char *data = "{\"a\":1}\r\n0123456789ABCDEF\nlast";
    pu_lines *r;
    pu_err e;
    assert_int_equal(pu_lines_open_mem(data, strlen(data), 10, &r, &e), PU_OK);
    const char *line;
    size_t len;
    uint64_t no;
    assert_int_equal(pu_lines_next(r, &line, &len, &no, &e), PU_OK);
    assert_string_equal(line, "{\"a\":1}");
    assert_int_equal(no, 1);
    assert_int_equal(pu_lines_next(r, &line, &len, &no, &e), PU_ERR_LIMIT);
    assert_non_null(strstr(e.where, ":2"));
    assert_int_equal(pu_lines_next(r, &line, &len, &no, &e), PU_OK);
    assert_string_equal(line, "last");
    assert_int_equal(no, 3);
    assert_int_equal(pu_lines_next(r, &line, &len, &no, &e), PU_OK);
    assert_null(line);
    pu_lines_close(r);
}

/* ---- pu_vec ---- */
typedef struct vrow { int64_t id; char name[12]; } vrow;

static void test_vec_push_and_grow(void **state) {
    (void)state;
    pu_vec v = PU_VEC_INIT(vrow, 0);
    for (int i = 0; i < 1000; i++) {
        vrow r = {i * 3, ""};
        snprintf(r.name, sizeof r.name, "n%d", i);
        assert_int_equal(pu_vec_push(&v, &r, sizeof r), PU_OK);
        assert_true(v.len <= v.cap);
    }
    assert_int_equal(v.len, 1000);
    const vrow *a = v.data;
    int64_t sum = 0;
    for (size_t i = 0; i < v.len; i++) sum += a[i].id;
    assert_int_equal(sum, 3 * 999 * 1000 / 2);
    assert_string_equal(((vrow *)pu_vec_at(&v, 777))->name, "n777");
    assert_null(pu_vec_at(&v, 1000));
    /* the wrong element size is a caller bug, and changes nothing */
    int64_t x = 1;
    assert_int_equal(pu_vec_push(&v, &x, sizeof x), PU_ERR_INTERNAL);
    assert_int_equal(v.len, 1000);
    void *slot;
    assert_int_equal(pu_vec_push_zero(&v, &slot), PU_OK);
    assert_ptr_equal(slot, pu_vec_at(&v, 1000));
    assert_int_equal(((vrow *)slot)->id, 0);
    assert_string_equal(((vrow *)slot)->name, "");
    size_t cap = v.cap;
    pu_vec_clear(&v);
    assert_int_equal(v.len, 0);
    assert_int_equal(v.cap, cap);
    pu_vec_free(&v);
    assert_null(v.data);
    pu_vec_free(&v); /* twice is fine */
    pu_vec_free(NULL);
}

static void test_vec_caps(void **state) {
    (void)state;
    pu_vec v;
    pu_vec_init(&v, sizeof(int), 5);
    for (int i = 0; i < 5; i++) assert_int_equal(pu_vec_push(&v, &i, sizeof i), PU_OK);
    assert_true(v.cap <= 5); /* never allocates past the cap */
    int six = 6;
    assert_int_equal(pu_vec_push(&v, &six, sizeof six), PU_ERR_LIMIT);
    void *slot = &six;
    assert_int_equal(pu_vec_push_zero(&v, &slot), PU_ERR_LIMIT);
    assert_null(slot);
    assert_int_equal(v.len, 5);
    assert_int_equal(((int *)v.data)[4], 4);
    size_t n = 0;
    int *d = pu_vec_detach(&v, &n);
    assert_int_equal(n, 5);
    assert_int_equal(d[2], 2);
    assert_null(v.data);
    assert_int_equal(v.len, 0);
    free(d);
    assert_int_equal(pu_vec_push(&v, &six, sizeof six), PU_OK); /* reusable after detach */
    pu_vec_free(&v);
    /* byte size overflow: huge elements, more than size_t can count */
    pu_vec big;
    pu_vec_init(&big, SIZE_MAX / 4, 0);
    assert_int_equal(pu_vec_reserve(&big, 5), PU_ERR_LIMIT);
    assert_null(big.data);
    assert_int_equal(big.cap, 0);
    pu_vec_free(&big);
}

static void test_vec_next_cap(void **state) {
    (void)state;
    size_t c = 0;
    assert_int_equal(pu_vec_next_cap(0, 1, 8, 0, &c), PU_OK);
    assert_int_equal(c, 16);
    assert_int_equal(pu_vec_next_cap(16, 17, 8, 0, &c), PU_OK);
    assert_int_equal(c, 32);
    assert_int_equal(pu_vec_next_cap(32, 20, 8, 0, &c), PU_OK);
    assert_int_equal(c, 32); /* already enough */
    assert_int_equal(pu_vec_next_cap(16, 1000, 8, 0, &c), PU_OK);
    assert_int_equal(c, 1024);
    assert_int_equal(pu_vec_next_cap(16, 20, 8, 24, &c), PU_OK);
    assert_int_equal(c, 24); /* doubling stops at the cap */
    assert_int_equal(pu_vec_next_cap(16, 25, 8, 24, &c), PU_ERR_LIMIT);
    assert_int_equal(pu_vec_next_cap(0, SIZE_MAX / 8 + 1, 8, 0, &c), PU_ERR_LIMIT);
    assert_int_equal(pu_vec_next_cap(SIZE_MAX / 16 + 1, SIZE_MAX / 16 + 2, 8, 0, &c), PU_OK);
    assert_int_equal(c, SIZE_MAX / 8); /* doubling would overflow the byte size: clipped */
    assert_int_equal(pu_vec_next_cap(0, 1, 0, 0, &c), PU_ERR_INTERNAL);
}


/* pu_gencache: a value is answered while its generations hold, a change of
 * generations drops every key's entry, the LRU goes first past the cap, a
 * value over the cap is not kept, and every reference taken is released. */
typedef struct gval {
    int refs;
    size_t size;
} gval;
static void *gv_hold(void *v) { ((gval *)v)->refs++; return v; }
static void gv_release(void *v) { ((gval *)v)->refs--; }
static size_t gv_bytes(const void *v) { return ((const gval *)v)->size; }
static const pu_gencache_ops GV_OPS = {gv_hold, gv_release, gv_bytes};

static void test_gencache(void **state) {
    (void)state;
    pu_gencache *c = NULL;
    pu_err err = {0};
    assert_int_equal(pu_gencache_new(100, 0, &GV_OPS, &c, &err), PU_ERR_INVALID);
    assert_int_equal(pu_gencache_new(100, PU_GENCACHE_GEN_MAX + 1, &GV_OPS, &c, &err), PU_ERR_INVALID);
    assert_int_equal(pu_gencache_new(100, 2, &GV_OPS, &c, &err), PU_OK);
    gval a = {1, 40}, b = {1, 40}, d = {1, 40}, big = {1, 101};
    int64_t g1[2] = {1, 7}, g2[2] = {2, 7};
    assert_null(pu_gencache_lookup(c, "a", g1));
    pu_gencache_keep(c, "a", g1, &a);
    assert_int_equal(a.refs, 2);                       /* the cache's reference */
    assert_ptr_equal(pu_gencache_lookup(c, "a", g1), &a);
    assert_int_equal(a.refs, 3);                       /* and the caller's */
    a.refs--;
    pu_gencache_keep(c, "a", g1, &a);                  /* kept already at these generations */
    assert_int_equal(a.refs, 2);
    pu_gencache_keep(c, "b", g1, &b);
    assert_null(pu_gencache_lookup(c, "b", g2));       /* the store moved on: every entry dropped */
    assert_int_equal(a.refs, 1);
    assert_int_equal(b.refs, 1);
    pu_gencache_keep(c, "a", g2, &a);
    pu_gencache_keep(c, "b", g2, &b);
    assert_ptr_equal(pu_gencache_lookup(c, "a", g2), &a);   /* a is now the most recently used */
    a.refs--;
    pu_gencache_keep(c, "d", g2, &d);                  /* 120 > 100: b, the least recently used, goes */
    assert_int_equal(b.refs, 1);
    assert_int_equal(d.refs, 2);
    pu_gencache_keep(c, "big", g2, &big);              /* over the cap: not kept */
    assert_int_equal(big.refs, 1);
    pu_gencache_stats st;
    pu_gencache_get_stats(c, &st);
    assert_int_equal(st.entries, 2);
    assert_int_equal(st.bytes, 80);
    assert_int_equal(st.evictions, 1);
    assert_int_equal(st.hits, 2);
    assert_int_equal(st.misses, 2);
    pu_gencache_free(c);
    assert_int_equal(a.refs, 1);                       /* every reference the cache took is released */
    assert_int_equal(d.refs, 1);
    pu_gencache_free(NULL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf_caps),         cmocka_unit_test(test_strings),
        cmocka_unit_test(test_dates),            cmocka_unit_test(test_err_format),
        cmocka_unit_test(test_csv_ofac_style),   cmocka_unit_test(test_csv_multiline_and_header),
        cmocka_unit_test(test_csv_limits),       cmocka_unit_test(test_lines),
        cmocka_unit_test(test_vec_push_and_grow), cmocka_unit_test(test_vec_caps),
        cmocka_unit_test(test_vec_next_cap),     cmocka_unit_test(test_gencache),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
