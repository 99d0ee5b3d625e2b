/* Unit tests for src/db (SQLite backend, migrations, transactions). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
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

/* The statement cache: reuse after finalize, never shared while in use,
 * bindings and cursor reset, schema changes picked up, eviction bounded. */
static void test_stmt_cache(void **state) {
    (void)state;
    db_t *db;
    pu_err e;
    assert_int_equal(db_open(":memory:", NULL, &db, &e), PU_OK);
    assert_int_equal(db_migrate(db, "demo", steps, 2, &e), PU_OK);
    assert_int_equal(db_exec(db, "INSERT INTO t(name) VALUES ('a'),('b'),('c')", &e), PU_OK);
    const char *q = "SELECT count(*) FROM t WHERE name = ? OR ? IS NULL";
    db_stmt *a, *b, *c;
    assert_int_equal(db_prepare(db, q, &a, &e), PU_OK);
    assert_int_equal(db_prepare(db, q, &b, &e), PU_OK);
    assert_ptr_not_equal(a, b); /* in use: not shared */
    db_bind_text(a, 1, "a", -1);
    db_bind_text(a, 2, "x", -1);
    assert_int_equal(db_step(a, &e), DB_ROW);
    assert_int_equal(db_col_int64(a, 0), 1);
    db_finalize(a); /* back to the cache mid-result */
    assert_int_equal(db_prepare(db, q, &c, &e), PU_OK);
    assert_ptr_equal(c, a); /* reused */
    /* bindings were cleared: both NULL -> counts every row */
    assert_int_equal(db_step(c, &e), DB_ROW);
    assert_int_equal(db_col_int64(c, 0), 3);
    db_finalize(c);
    db_finalize(b);
    /* a cached statement does not block a schema change, and sees the new schema */
    db_stmt *s;
    assert_int_equal(db_prepare(db, "SELECT * FROM t", &s, &e), PU_OK);
    assert_int_equal(db_col_count(s), 3);
    db_finalize(s);
    assert_int_equal(db_exec(db, "DROP TABLE t; CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)", &e), PU_OK);
    assert_int_equal(db_prepare(db, "SELECT * FROM t", &s, &e), PU_OK);
    assert_int_equal(db_step(s, &e), DB_DONE);
    assert_int_equal(db_col_count(s), 2);
    db_finalize(s);
    /* many distinct texts: the cache evicts, results stay right */
    for (int i = 0; i < 200; i++) {
        char sql[64];
        snprintf(sql, sizeof sql, "SELECT %d + ?", i % 100);
        assert_int_equal(db_prepare(db, sql, &s, &e), PU_OK);
        db_bind_int64(s, 1, 1000);
        assert_int_equal(db_step(s, &e), DB_ROW);
        assert_int_equal(db_col_int64(s, 0), 1000 + i % 100);
        db_finalize(s);
    }
    /* a failed prepare is still an error */
    assert_int_equal(db_prepare(db, "SELECT nonsense FROM", &s, &e), PU_ERR_DB);
    assert_null(s);
    db_close(db); /* frees the cache (ASan checks for leaks) */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_migrate_and_crud),
        cmocka_unit_test(test_rollback),
        cmocka_unit_test(test_stmt_cache),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
