/* Unit tests for the bulk insert of src/db (db_bulk_*): values that COPY's
 * text format must escape come back byte for byte, NULL stays NULL, rows
 * are there after the flush, a conflict fails and a rollback leaves
 * nothing, parents before children (a foreign key), counts. Runs on SQLite
 * (a prepared INSERT per row) and on PostgreSQL (COPY FROM STDIN). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "../test_store_uri.h"

static db_t *open_with(const char *ddl) {
    db_t *db;
    pu_err e;
    assert_int_equal(db_open(test_store_uri(), NULL, &db, &e), PU_OK);
    const char *steps[] = {ddl};
    int rc = db_migrate(db, "bulk", steps, 1, &e);
    if (rc) fprintf(stderr, "migrate: %s\n", e.msg);
    assert_int_equal(rc, PU_OK);
    return db;
}

/* The value of column txt of row k, or NULL for SQL NULL; *found = 0 when
 * there is no such row. Caller frees. */
static char *read_back(db_t *db, int64_t k, int *found) {
    db_stmt *s;
    pu_err e;
    assert_int_equal(db_prepare(db, "SELECT txt FROM b WHERE k = ?", &s, &e), PU_OK);
    db_bind_int64(s, 1, k);
    int rc = db_step(s, &e);
    char *out = NULL;
    *found = rc == DB_ROW;
    if (rc == DB_ROW && !db_col_isnull(s, 0)) out = pu_strdup(db_col_text(s, 0));
    db_finalize(s);
    return out;
}

static int64_t count(db_t *db, const char *sql) {
    int64_t n = -1;
    pu_err e;
    assert_int_equal(db_query_int64(db, sql, NULL, &n, &e), PU_OK);
    return n;
}

static const char *const COLS[] = {"k", "txt", "r"};

static void test_values_round_trip(void **state) {
    (void)state;
    db_t *db = open_with("CREATE TABLE b (k {INT} PRIMARY KEY, txt TEXT, r {REAL})");
    /* a long value crosses the backend's send pieces (1 MB) */
    size_t big = (size_t)3 << 20;
    char *longv = malloc(big + 1);
    assert_non_null(longv);
    for (size_t i = 0; i < big; i++) longv[i] = "ab\\\t\nc\r"[i % 7];
    longv[big] = 0;
    const char *vals[] = {
        "plain",     "tab\there",     "new\nline",   "back\\slash", "\\N",    "cr\rlf\r\n",
        "",          "Treviño Ñandú", "\\t literal", longv,         "end\\",  NULL,
    };
    size_t nv = sizeof vals / sizeof vals[0];
    pu_err e;
    db_bulk *b;
    assert_int_equal(db_begin(db, &e), PU_OK);
    assert_int_equal(db_bulk_open(db, "b", COLS, 3, &b, &e), PU_OK);
    for (size_t i = 0; i < nv; i++) {
        char k[24], r[32];
        snprintf(k, sizeof k, "%zu", i + 1);
        snprintf(r, sizeof r, "%.17g", 0.1 * (double)i);
        const char *row[] = {k, vals[i], r};
        assert_int_equal(db_bulk_row(b, row, &e), PU_OK);
    }
    assert_int_equal(db_bulk_flush(b, &e), PU_OK);
    assert_int_equal(db_bulk_pending(b), 0);
    assert_int_equal(db_bulk_rows(b), (int64_t)nv);
    db_bulk_close(b);
    assert_int_equal(db_commit(db, &e), PU_OK);
    for (size_t i = 0; i < nv; i++) {
        int found;
        char *got = read_back(db, (int64_t)i + 1, &found);
        assert_true(found);
        if (!vals[i]) assert_null(got);
        else {
            assert_non_null(got);
            assert_int_equal(strlen(got), strlen(vals[i]));
            assert_memory_equal(got, vals[i], strlen(vals[i]));
        }
        free(got);
    }
    /* numbers given as text are stored as numbers */
    db_stmt *s;
    assert_int_equal(db_prepare(db, "SELECT sum(k), sum(r) FROM b", &s, &e), PU_OK);
    assert_int_equal(db_step(s, &e), DB_ROW);
    assert_int_equal(db_col_int64(s, 0), (int64_t)(nv * (nv + 1) / 2));
    assert_true(db_col_double(s, 1) > 6.59 && db_col_double(s, 1) < 6.61); /* 0.1 * (0+...+11) */
    db_finalize(s);
    free(longv);
    db_close(db);
}

static void test_many_rows_and_visibility(void **state) {
    (void)state;
    db_t *db = open_with("CREATE TABLE b (k {INT} PRIMARY KEY, txt TEXT, r {REAL})");
    pu_err e;
    db_bulk *b;
    assert_int_equal(db_begin(db, &e), PU_OK);
    assert_int_equal(db_bulk_open(db, "b", COLS, 3, &b, &e), PU_OK);
    const int n = 20000;
    for (int i = 1; i <= n; i++) {
        char k[24], t[32];
        snprintf(k, sizeof k, "%d", i);
        snprintf(t, sizeof t, "row %d", i);
        const char *row[] = {k, t, NULL};
        assert_int_equal(db_bulk_row(b, row, &e), PU_OK);
        if (i == n / 2) { /* a flush in the middle: the first half is there */
            assert_int_equal(db_bulk_flush(b, &e), PU_OK);
            assert_int_equal(count(db, "SELECT count(*) FROM b"), n / 2);
        }
    }
    assert_int_equal(db_bulk_flush(b, &e), PU_OK);
    assert_int_equal(db_bulk_flush(b, &e), PU_OK); /* nothing queued: nothing to do */
    assert_int_equal(db_bulk_rows(b), n);
    assert_int_equal(count(db, "SELECT count(*) FROM b"), n);
    assert_int_equal(count(db, "SELECT count(*) FROM b WHERE r IS NULL"), n);
    assert_int_equal(count(db, "SELECT sum(k) FROM b"), (int64_t)n * (n + 1) / 2);
    db_bulk_close(b);
    assert_int_equal(db_commit(db, &e), PU_OK);
    assert_int_equal(count(db, "SELECT count(*) FROM b"), n);
    db_close(db);
}

/* A duplicate key fails (at the row on SQLite, at the flush on PostgreSQL)
 * as a conflict, and the rollback leaves the table as it was. */
static void test_conflict_all_or_nothing(void **state) {
    (void)state;
    db_t *db = open_with("CREATE TABLE b (k {INT} PRIMARY KEY, txt TEXT, r {REAL})");
    pu_err e;
    assert_int_equal(db_exec(db, "INSERT INTO b (k, txt) VALUES (7, 'before')", &e), PU_OK);
    db_bulk *b;
    assert_int_equal(db_begin(db, &e), PU_OK);
    assert_int_equal(db_bulk_open(db, "b", COLS, 3, &b, &e), PU_OK);
    int rc = PU_OK;
    for (int i = 1; i <= 10 && !rc; i++) {
        char k[24];
        snprintf(k, sizeof k, "%d", i);
        const char *row[] = {k, "new", "1.5"};
        rc = db_bulk_row(b, row, &e);
    }
    if (!rc) rc = db_bulk_flush(b, &e);
    assert_int_equal(rc, PU_ERR_CONFLICT);
    assert_int_equal(db_bulk_pending(b), 0);
    db_bulk_close(b);
    assert_int_equal(db_rollback(db), PU_OK);
    assert_int_equal(count(db, "SELECT count(*) FROM b"), 1);
    int found;
    char *t = read_back(db, 7, &found);
    assert_true(found);
    assert_string_equal(t, "before");
    free(t);
    /* a NOT NULL violation is a conflict too */
    db_close(db);
    db = open_with("CREATE TABLE b (k {INT} PRIMARY KEY, txt TEXT NOT NULL, r {REAL})");
    assert_int_equal(db_begin(db, &e), PU_OK);
    assert_int_equal(db_bulk_open(db, "b", COLS, 3, &b, &e), PU_OK);
    const char *row[] = {"1", NULL, NULL};
    rc = db_bulk_row(b, row, &e);
    if (!rc) rc = db_bulk_flush(b, &e);
    assert_int_equal(rc, PU_ERR_CONFLICT);
    db_bulk_close(b);
    db_rollback(db);
    assert_int_equal(count(db, "SELECT count(*) FROM b"), 0);
    db_close(db);
}

/* Parents flushed before children satisfy a foreign key; a child whose
 * parent does not exist is a conflict. */
static void test_foreign_key_order(void **state) {
    (void)state;
    db_t *db = open_with("CREATE TABLE p (id TEXT PRIMARY KEY);"
                         "CREATE TABLE c (pid TEXT NOT NULL REFERENCES p(id) ON DELETE CASCADE, v TEXT,"
                         " PRIMARY KEY (pid, v))");
    pu_err e;
    db_bulk *bp, *bc;
    const char *pc[] = {"id"}, *cc[] = {"pid", "v"};
    assert_int_equal(db_begin(db, &e), PU_OK);
    assert_int_equal(db_bulk_open(db, "p", pc, 1, &bp, &e), PU_OK);
    assert_int_equal(db_bulk_open(db, "c", cc, 2, &bc, &e), PU_OK);
    for (int i = 0; i < 100; i++) {
        char id[16];
        snprintf(id, sizeof id, "p%d", i);
        const char *prow[] = {id};
        assert_int_equal(db_bulk_row(bp, prow, &e), PU_OK);
        const char *c1[] = {id, "x"}, *c2[] = {id, "y"};
        assert_int_equal(db_bulk_row(bc, c1, &e), PU_OK);
        assert_int_equal(db_bulk_row(bc, c2, &e), PU_OK);
    }
    assert_int_equal(db_bulk_flush(bp, &e), PU_OK);
    assert_int_equal(db_bulk_flush(bc, &e), PU_OK);
    assert_int_equal(db_commit(db, &e), PU_OK);
    assert_int_equal(count(db, "SELECT count(*) FROM c"), 200);
    assert_int_equal(db_bulk_rows(bp), 100);
    assert_int_equal(db_bulk_rows(bc), 200);
    /* an orphan */
    assert_int_equal(db_begin(db, &e), PU_OK);
    const char *orphan[] = {"nobody", "x"};
    int rc = db_bulk_row(bc, orphan, &e);
    if (!rc) rc = db_bulk_flush(bc, &e);
    assert_int_equal(rc, PU_ERR_CONFLICT);
    db_rollback(db);
    assert_int_equal(count(db, "SELECT count(*) FROM c"), 200);
    db_bulk_close(bp);
    db_bulk_close(bc);
    db_close(db);
}

static void test_bad_names(void **state) {
    (void)state;
    db_t *db = open_with("CREATE TABLE b (k {INT} PRIMARY KEY, txt TEXT, r {REAL})");
    pu_err e;
    db_bulk *b = (db_bulk *)1;
    const char *bad[] = {"k; DROP TABLE b"};
    assert_int_equal(db_bulk_open(db, "b", bad, 1, &b, &e), PU_ERR_INTERNAL);
    assert_null(b);
    assert_int_equal(db_bulk_open(db, "B", COLS, 3, &b, &e), PU_ERR_INTERNAL);
    assert_int_equal(db_bulk_open(db, "b", COLS, 0, &b, &e), PU_ERR_INTERNAL);
    assert_int_equal(db_bulk_open(db, "b", COLS, DB_BULK_MAX_COLS + 1, &b, &e), PU_ERR_INTERNAL);
    db_bulk_close(NULL);
    assert_int_equal(count(db, "SELECT count(*) FROM b"), 0);
    db_close(db);
}

/* db_fk_suspend / db_fk_restore: a load with the key suspended keeps it
 * afterwards; on PostgreSQL (where the key is really dropped) an orphan
 * loaded meanwhile fails the restore and the rollback brings the key back. */
static void test_fk_suspend(void **state) {
    (void)state;
    db_t *db = open_with("CREATE TABLE p (id TEXT PRIMARY KEY);"
                         "CREATE TABLE c (pid TEXT NOT NULL REFERENCES p(id), v TEXT)");
    int pg = !strcmp(db_backend(db), "postgresql");
    pu_err e;
    db_fk *fk = (db_fk *)1;
    db_bulk *bp, *bc;
    const char *pc[] = {"id"}, *cc[] = {"pid", "v"};
    assert_int_equal(db_begin(db, &e), PU_OK);
    assert_int_equal(db_fk_suspend(db, "c", "pid", &fk, &e), PU_OK);
    if (pg) assert_non_null(fk);
    else assert_null(fk); /* SQLite: nothing to do */
    assert_int_equal(db_bulk_open(db, "p", pc, 1, &bp, &e), PU_OK);
    assert_int_equal(db_bulk_open(db, "c", cc, 2, &bc, &e), PU_OK);
    for (int i = 0; i < 50; i++) {
        char id[16];
        snprintf(id, sizeof id, "p%d", i);
        const char *prow[] = {id}, *crow[] = {id, "x"};
        assert_int_equal(db_bulk_row(bp, prow, &e), PU_OK);
        assert_int_equal(db_bulk_row(bc, crow, &e), PU_OK);
    }
    assert_int_equal(db_bulk_flush(bp, &e), PU_OK);
    assert_int_equal(db_bulk_flush(bc, &e), PU_OK);
    assert_int_equal(db_fk_restore(db, fk, &e), PU_OK);
    assert_int_equal(db_commit(db, &e), PU_OK);
    assert_int_equal(count(db, "SELECT count(*) FROM c"), 50);
    /* the key is back: an orphan is refused */
    db_stmt *ins;
    assert_int_equal(db_prepare(db, "INSERT INTO c (pid, v) VALUES ('nobody', 'x')", &ins, &e), PU_OK);
    assert_int_equal(db_step_done(ins, &e), PU_ERR_CONFLICT);
    db_finalize(ins);
    if (pg) {
        /* suspended: the orphan goes in, the restore finds it */
        assert_int_equal(db_begin(db, &e), PU_OK);
        assert_int_equal(db_fk_suspend(db, "c", "pid", &fk, &e), PU_OK);
        const char *orphan[] = {"nobody", "y"};
        assert_int_equal(db_bulk_row(bc, orphan, &e), PU_OK);
        assert_int_equal(db_bulk_flush(bc, &e), PU_OK);
        assert_int_equal(db_fk_restore(db, fk, &e), PU_ERR_CONFLICT);
        db_rollback(db);
        assert_int_equal(count(db, "SELECT count(*) FROM c"), 50);
        assert_int_equal(db_prepare(db, "INSERT INTO c (pid, v) VALUES ('nobody', 'z')", &ins, &e), PU_OK);
        assert_int_equal(db_step_done(ins, &e), PU_ERR_CONFLICT);
        db_finalize(ins);
        /* a column without a foreign key */
        assert_int_equal(db_begin(db, &e), PU_OK);
        assert_int_equal(db_fk_suspend(db, "c", "v", &fk, &e), PU_ERR_INTERNAL);
        assert_null(fk);
        db_rollback(db);
    }
    assert_int_equal(db_fk_suspend(db, "c; DROP TABLE p", "pid", &fk, &e), PU_ERR_INTERNAL);
    assert_null(fk);
    db_fk_free(NULL);
    assert_int_equal(db_fk_restore(db, NULL, &e), PU_OK);
    db_bulk_close(bp);
    db_bulk_close(bc);
    db_close(db);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values_round_trip),
        cmocka_unit_test(test_many_rows_and_visibility),
        cmocka_unit_test(test_conflict_all_or_nothing),
        cmocka_unit_test(test_foreign_key_order),
        cmocka_unit_test(test_bad_names),
        cmocka_unit_test(test_fk_suspend),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
