/* test_app.c - the module registry and the application context. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "app/app.h"
#include "http/http.h"
#include "../test_store_uri.h"

/* Names of modules and commands are unique; every command has a summary
 * and a function. */
static void test_registry_unique(void **state) {
    (void)state;
    const app_module *const *m = app_modules();
    size_t nm = 0, nc = 0;
    for (size_t i = 0; m[i]; i++, nm++) {
        assert_non_null(m[i]->name);
        assert_ptr_equal(app_module_find(m[i]->name), m[i]);
        for (size_t j = 0; j < i; j++) assert_string_not_equal(m[i]->name, m[j]->name);
        for (size_t c = 0; c < m[i]->ncommands; c++, nc++) {
            const app_command *cmd = &m[i]->commands[c];
            assert_non_null(cmd->run);
            assert_true(strlen(cmd->summary) > 0);
            assert_ptr_equal(app_command_find(cmd->name), cmd);
        }
    }
    assert_true(nm >= 9);
    assert_true(nc >= 16);
    assert_null(app_command_find("no-such-command"));
    assert_null(app_module_find("no-such-module"));
    /* the store's tables come first: engines' migrations build on them */
    assert_string_equal(m[0]->name, "store");
}

/* Every route of the joined table is unique (method, pattern). */
static void test_routes_unique(void **state) {
    (void)state;
    const char *const *r = http_routes();
    size_t n = 0;
    for (; r[n]; n++)
        for (size_t j = 0; j < n; j++) assert_string_not_equal(r[n], r[j]);
    assert_true(n >= 30);
}

/* app_open brings every registered module's schema up to date once. */
static void test_open_migrates_all(void **state) {
    (void)state;
    app_t *app;
    pu_err err;
    app_opts o = {test_store_uri()};
    assert_int_equal(app_open(&o, &app, &err), PU_OK);
    for (const app_module *const *m = app_modules(); *m; m++) {
        if (!(*m)->migrate) continue;
        int v = 0;
        assert_int_equal(db_schema_version(app_db(app), (*m)->name, &v, &err), PU_OK);
        if (v == 0) fail_msg("module %s has no schema after app_open", (*m)->name);
    }
    /* a second run changes nothing and succeeds */
    assert_int_equal(app_migrate(app_db(app), &err), PU_OK);
    /* engine state: created once, shared */
    void *a = NULL, *b = NULL;
    assert_int_equal(app_state(app, "screen", &a, &err), PU_OK);
    assert_non_null(a);
    assert_int_equal(app_state(app, "screen", &b, &err), PU_OK);
    assert_ptr_equal(a, b);
    assert_int_equal(app_state(app, "kinship", &b, &err), PU_ERR_NOTFOUND);
    app_close(app);
    app_close(NULL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registry_unique),
        cmocka_unit_test(test_routes_unique),
        cmocka_unit_test(test_open_migrates_all),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
