/* test_http_json.c - the direct JSON writers used by POST /match must write
 * exactly what jansson writes for the same values (the answers mix both). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_int.h"

static char *jansson_of(json_t *v) {
    char *s = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6) | JSON_ENCODE_ANY);
    json_decref(v);
    return s;
}

static void test_strings_like_jansson(void **state) {
    (void)state;
    const char *cases[] = {"", "plain", "Guzmán Loera", "quote \" and \\ backslash", "tab\tnew\nline\rcr",
                           "\b\f", "\x01\x1f control", "slash / stays", "汉字 и кириллица", "end\\"};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pu_buf b = PU_BUF_INIT(4096);
        assert_int_equal(http_put_jstr(&b, cases[i]), PU_OK);
        char *want = jansson_of(json_string(cases[i]));
        assert_non_null(want);
        assert_string_equal(pu_buf_str(&b), want);
        free(want);
        pu_buf_free(&b);
    }
    pu_buf b = PU_BUF_INIT(4096);
    assert_int_equal(http_put_jstr(&b, NULL), PU_OK);
    assert_string_equal(pu_buf_str(&b), "\"\"");
    pu_buf_free(&b);
}

static void test_reals_like_jansson(void **state) {
    (void)state;
    double cases[] = {0, 1, -1, 0.5, 0.953125, 0.1234565, 0.75, 1e-7, 123456789.0, -0.25, 1.0 / 3, 2.5e10, 100};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pu_buf b = PU_BUF_INIT(64);
        assert_int_equal(http_put_jreal(&b, cases[i]), PU_OK);
        char *want = jansson_of(json_real(cases[i]));
        assert_non_null(want);
        assert_string_equal(pu_buf_str(&b), want);
        free(want);
        pu_buf_free(&b);
    }
}

static void test_limit_is_reported(void **state) {
    (void)state;
    pu_buf b = PU_BUF_INIT(4);
    assert_int_equal(http_put_jstr(&b, "longer than four"), PU_ERR_LIMIT);
    pu_buf_free(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strings_like_jansson),
        cmocka_unit_test(test_reals_like_jansson),
        cmocka_unit_test(test_limit_is_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
