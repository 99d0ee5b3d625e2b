/* Unit tests for src/db (SQLite backend, migrations, transactions). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "db/db.h"

static const char *const steps[] = {
    "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)",
    "ALTER TABLE t ADD COLUMN score REAL",
};

static void test_migrate_and_crud(void **state) {
    (void)state;
    db_t *db;
    pu_err e;
    assert_int_equal(db_open(":memory:", NULL, &db, &e), PU_OK);
    assert_int_equal(db_migrate(db, "demo", steps, 1, &e), PU_OK);
    int v;
    assert_int_equal(db_schema_version(db, "demo", &v, &e), PU_OK);
    assert_int_equal(v, 1);
    assert_int_equal(db_migrate(db, "demo", steps, 2, &e), PU_OK);
    assert_int_equal(db_schema_version(db, "demo", &v, &e), PU_OK);
    assert_int_equal(v, 2);
    /* a binary that knows fewer steps refuses a newer store */
    assert_int_equal(db_migrate(db, "demo", steps, 1, &e), PU_ERR_CONFLICT);

    db_stmt *st;
    assert_int_equal(db_prepare(db, "INSERT INTO t(name, score) VALUES (?, ?)", &st, &e), PU_OK);
    db_bind_text(st, 1, "Treviño", -1);
    db_bind_double(st, 2, 0.5);
    assert_int_equal(db_step(st, &e), DB_DONE);
    db_reset(st);
    db_bind_text(st, 1, "Treviño", -1);
    assert_int_equal(db_step(st, &e), PU_ERR_CONFLICT);
    db_finalize(st);

    int64_t n;
    assert_int_equal(db_query_int64(db, "SELECT count(*) FROM t WHERE name = ?", "Treviño", &n, &e), PU_OK);
    assert_int_equal(n, 1);
    db_close(db);
    db_close(NULL);
}

static void test_rollback(void **state) {
    (void)state;
    db_t *db;
    pu_err e;
    assert_int_equal(db_open(":memory:", NULL, &db, &e), PU_OK);
    assert_int_equal(db_migrate(db, "demo", steps, 2, &e), PU_OK);
    assert_int_equal(db_begin(db, &e), PU_OK);
    assert_int_equal(db_begin(db, &e), PU_ERR_INTERNAL);
    assert_int_equal(db_exec(db, "INSERT INTO t(name) VALUES ('x')", &e), PU_OK);
    db_rollback(db);
    int64_t n = -1;
    assert_int_equal(db_query_int64(db, "SELECT count(*) FROM t", NULL, &n, &e), PU_OK);
    assert_int_equal(n, 0);
    assert_int_equal(db_exec(db, "SELECT nonsense FROM", &e), PU_ERR_DB);
    assert_true(strlen(e.msg) > 0);
    db_close(db);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_migrate_and_crud),
        cmocka_unit_test(test_rollback),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
