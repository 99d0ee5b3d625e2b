/* test_i18n.c - the catalogue engine: language tags, Accept-Language, the
 * CLI's choice (flag > PUENTE_LANG > LANG, unsupported refused), lookups,
 * and that every error code the API can answer has its message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/pu.h"
#include "i18n/i18n.h"

static void test_lang_parse(void **state) {
    (void)state;
    static const struct { const char *tag; int rc; i18n_lang want; } cases[] = {
        {"en", PU_OK, I18N_EN},          {"EN-us", PU_OK, I18N_EN}, {"es", PU_OK, I18N_ES},
        {"es-MX", PU_OK, I18N_ES},       {"es_MX.UTF-8", PU_OK, I18N_ES}, {"fr", PU_ERR_INVALID, I18N_EN},
        {"", PU_ERR_INVALID, I18N_EN},   {"english", PU_ERR_INVALID, I18N_EN}, {"esperanto", PU_ERR_INVALID, I18N_EN},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        i18n_lang l = I18N_EN;
        pu_err e;
        int rc = i18n_lang_parse(cases[i].tag, &l, &e);
        assert_int_equal(rc, cases[i].rc);
        if (rc == PU_OK) assert_int_equal(l, cases[i].want);
        else assert_string_equal(e.field, "lang");
    }
}

static void test_accept_language(void **state) {
    (void)state;
    assert_int_equal(i18n_accept_language(NULL), I18N_EN);
    assert_int_equal(i18n_accept_language(""), I18N_EN);
    assert_int_equal(i18n_accept_language("es-MX,es;q=0.9,en;q=0.8"), I18N_ES);
    assert_int_equal(i18n_accept_language("fr-FR, en;q=0.5, es;q=0.7"), I18N_ES);
    assert_int_equal(i18n_accept_language("fr-FR, es;q=0.2, en;q=0.5"), I18N_EN);
    assert_int_equal(i18n_accept_language("de, fr"), I18N_EN);
    assert_int_equal(i18n_accept_language("es;q=bogus, en"), I18N_EN);
    assert_int_equal(i18n_accept_language("es;q=0"), I18N_EN); /* q=0: not acceptable */
}

static void test_cli_lang(void **state) {
    (void)state;
    i18n_lang l;
    pu_err e;
    unsetenv("PUENTE_LANG");
    setenv("LANG", "es_MX.UTF-8", 1);
    assert_int_equal(i18n_cli_lang(NULL, &l, &e), PU_OK);
    assert_int_equal(l, I18N_ES);
    setenv("PUENTE_LANG", "en", 1);
    assert_int_equal(i18n_cli_lang(NULL, &l, &e), PU_OK);
    assert_int_equal(l, I18N_EN);
    assert_int_equal(i18n_cli_lang("es", &l, &e), PU_OK); /* the flag wins */
    assert_int_equal(l, I18N_ES);
    assert_int_equal(i18n_cli_lang("pt", &l, &e), PU_ERR_INVALID);
    setenv("PUENTE_LANG", "klingon", 1);
    assert_int_equal(i18n_cli_lang(NULL, &l, &e), PU_ERR_INVALID);
    unsetenv("PUENTE_LANG");
    setenv("LANG", "C", 1); /* the system's setting: English, not an error */
    assert_int_equal(i18n_cli_lang(NULL, &l, &e), PU_OK);
    assert_int_equal(l, I18N_EN);
    setenv("LANG", "de_DE.UTF-8", 1);
    assert_int_equal(i18n_cli_lang(NULL, &l, &e), PU_OK);
    assert_int_equal(l, I18N_EN);
}

static void test_lookup(void **state) {
    (void)state;
    assert_true(i18n_count() > 100);
    assert_string_equal(i18n_get(I18N_EN, "status.open"), "open");
    assert_string_equal(i18n_get(I18N_ES, "status.open"), "abierta");
    assert_string_equal(i18n_get(I18N_ES, "no.such.key"), "no.such.key");
    assert_false(i18n_has("no.such.key"));
    const char *prev = "";
    for (size_t i = 0; i < i18n_count(); i++) {
        const char *k, *en, *es;
        i18n_entry(i, I18N_EN, &k, &en);
        i18n_entry(i, I18N_ES, &k, &es);
        assert_true(strcmp(prev, k) < 0); /* sorted, unique: bsearch works */
        assert_true(en[0] && es[0]);
        assert_true(i18n_has(k));
        assert_ptr_equal(i18n_get(I18N_ES, k), es);
        prev = k;
    }
    assert_string_equal(i18n_code(I18N_ES), "es-MX");
}

/* Every code an API error can carry has its catalogue message. */
/* The CLI's message formats (es.po): looked up by their English format,
 * installed into pu_fail by i18n_set_cli, kept out of the web catalogue. */
static void test_formats(void **state) {
    (void)state;
    const char *fmt = "expected %s, got '%s'";
    assert_string_equal(i18n_tr(I18N_ES, fmt), "se esperaba %s; se recibió '%s'");
    assert_ptr_equal(i18n_tr(I18N_EN, fmt), fmt);
    const char *none = "a format nobody translated %d";
    assert_ptr_equal(i18n_tr(I18N_ES, none), none);
    assert_string_equal(i18n_get(I18N_ES, "January"), "enero");
    /* the web catalogue (GET /api/v1/i18n/{lang}) lists dotted keys only */
    for (size_t i = 0; i < i18n_count(); i++) {
        const char *k, *t;
        i18n_entry(i, I18N_EN, &k, &t);
        assert_null(strchr(k, ' '));
    }
    pu_err e;
    i18n_set_cli(I18N_ES);
    assert_int_equal(i18n_cli(), I18N_ES);
    pu_fail(&e, PU_ERR_INVALID, "f:2", "x", fmt, "A", "B");
    assert_string_equal(e.msg, "se esperaba A; se recibió 'B'");
    char buf[256];
    pu_err_format(&e, buf, sizeof buf);
    assert_string_equal(buf, "f:2: campo 'x': se esperaba A; se recibió 'B'");
    i18n_set_cli(I18N_EN);
    pu_fail(&e, PU_ERR_INVALID, "f:2", "x", fmt, "A", "B");
    assert_string_equal(e.msg, "expected A, got 'B'");
    pu_err_format(&e, buf, sizeof buf);
    assert_string_equal(buf, "f:2: field 'x': expected A, got 'B'");
}

static void test_error_codes(void **state) {
    (void)state;
    static const int codes[] = {PU_ERR_INVALID, PU_ERR_NOTFOUND, PU_ERR_DENIED, PU_ERR_CONFLICT, PU_ERR_LIMIT,
                                PU_ERR_UNSUPPORTED, PU_ERR_DB, PU_ERR_INTERNAL, PU_ERR_NOMEM, PU_ERR_IO,
                                PU_ERR_INTERRUPTED};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        char key[64];
        snprintf(key, sizeof key, "error.%s", pu_code_name(codes[i]));
        if (!i18n_has(key)) fail_msg("no catalogue entry %s", key);
    }
    assert_true(i18n_has("error.unauthenticated") && i18n_has("error.method_not_allowed"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lang_parse), cmocka_unit_test(test_accept_language), cmocka_unit_test(test_cli_lang),
        cmocka_unit_test(test_lookup),     cmocka_unit_test(test_error_codes), cmocka_unit_test(test_formats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
