/* test_scope.c - the one releasability rule (store_scope_sql), the write
 * rule, grants, id namespaces and change generations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"
#include "../test_store_uri.h"

static const char *const owners[] = {"DEA", "FGR", "CBP", NULL};
static const char *const markings[] = {"PUBLIC", "SHARED", "US-ONLY", "MX-ONLY", "AGENCY-ONLY"};
static const store_scope readers[] = {
    {0, "US", "DEA"}, {0, "US", "CBP"}, {0, "MX", "FGR"}, {0, "MX", "SSPC"}, {0, "XX", "ZZZ"}, {0, NULL, NULL},
    {1, NULL, NULL},
};
#define NREADERS (sizeof readers / sizeof readers[0])

/* The expected rule, written out by hand from docs/access.md (an oracle
 * independent of store_scope.c's table). */
static int expected(const store_scope *r, const char *owner, const char *marking) {
    if (r->system) return 1;
    if (!strcmp(marking, "PUBLIC") || !strcmp(marking, "SHARED")) return 1;
    if (!strcmp(marking, "US-ONLY") && r->country && !strcmp(r->country, "US")) return 1;
    if (!strcmp(marking, "MX-ONLY") && r->country && !strcmp(r->country, "MX")) return 1;
    return owner && r->agency && !strcmp(owner, r->agency);
}

static db_t *open_db(void) {
    db_t *db;
    pu_err err;
    assert_int_equal(db_open(test_store_uri(), NULL, &db, &err), PU_OK);
    assert_int_equal(store_migrate(db, &err), PU_OK);
    assert_int_equal(db_exec(db, "CREATE TABLE rec (id INTEGER PRIMARY KEY, owner TEXT, marking TEXT NOT NULL)", &err),
                     PU_OK);
    return db;
}

/* Every (owner, marking) row against every reader: the SQL rule, the
 * in-memory rule and the oracle agree, and COUNT agrees with the rows. */
static void test_sql_and_memory_agree(void **state) {
    (void)state;
    db_t *db = open_db();
    pu_err err;
    int id = 0;
    for (int o = 0; o < 4; o++)
        for (int m = 0; m < 5; m++) {
            char sql[200];
            snprintf(sql, sizeof sql, "INSERT INTO rec VALUES (%d, %s%s%s, '%s')", ++id, owners[o] ? "'" : "",
                     owners[o] ? owners[o] : "NULL", owners[o] ? "'" : "", markings[m]);
            assert_int_equal(db_exec(db, sql, &err), PU_OK);
        }
    for (size_t r = 0; r < NREADERS; r++) {
        int want[21] = {0}, nwant = 0;
        id = 0;
        for (int o = 0; o < 4; o++)
            for (int m = 0; m < 5; m++) {
                want[++id] = expected(&readers[r], owners[o], markings[m]);
                nwant += want[id];
                assert_int_equal(store_visible(&readers[r], owners[o], markings[m]), want[id]);
            }
        db_sql q;
        db_sql_init(&q);
        db_sql_add(&q, "SELECT x.id FROM rec x WHERE ");
        assert_int_equal(store_scope_sql(&q, &readers[r], "x"), PU_OK);
        db_sql_add(&q, " ORDER BY x.id");
        db_stmt *st;
        assert_int_equal(db_sql_prepare(db, &q, &st, &err), PU_OK);
        db_sql_free(&q);
        int got[21] = {0}, ngot = 0, s;
        while ((s = db_step(st, &err)) == DB_ROW) {
            got[db_col_int64(st, 0)] = 1;
            ngot++;
        }
        assert_int_equal(s, DB_DONE);
        db_finalize(st);
        for (int i = 1; i <= 20; i++) assert_int_equal(got[i], want[i]);
        assert_int_equal(ngot, nwant);
    }
    db_close(db);
}

static void test_null_scope_fails_closed(void **state) {
    (void)state;
    db_sql q;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT 1 FROM rec WHERE ");
    assert_int_equal(store_scope_sql(&q, NULL, NULL), PU_ERR_INTERNAL);
    db_t *db = open_db();
    db_stmt *st = NULL;
    pu_err err;
    assert_int_equal(db_sql_prepare(db, &q, &st, &err), PU_ERR_INTERNAL);
    assert_null(st);
    db_sql_free(&q);
    assert_int_equal(store_visible(NULL, "DEA", "PUBLIC"), 0);
    db_close(db);
}

static void test_markings(void **state) {
    (void)state;
    store_marking m;
    pu_err err;
    for (int i = 0; i < STORE_NMARKINGS; i++) {
        assert_int_equal(store_marking_parse(markings[i], NULL, &m, &err), PU_OK);
        assert_int_equal((int)m, i);
        assert_string_equal(store_marking_name(m), markings[i]);
        assert_true(store_marking_valid(markings[i]));
    }
    assert_int_equal(store_marking_parse("us-only", "line 3.marking", &m, &err), PU_ERR_INVALID);
    assert_string_equal(err.field, "line 3.marking");
    assert_non_null(strstr(err.msg, "got 'us-only'"));
    assert_non_null(strstr(err.msg, STORE_MARKINGS_TEXT));
    assert_false(store_marking_valid(NULL));
    assert_string_equal(store_marking_name((store_marking)99), "");
    char owner[16];
    assert_int_equal(store_marking_stricter(STORE_SHARED, "A", STORE_US_ONLY, "B", owner, sizeof owner), STORE_US_ONLY);
    assert_string_equal(owner, "B");
    assert_int_equal(store_marking_stricter(STORE_US_ONLY, "A", STORE_MX_ONLY, "B", owner, sizeof owner),
                     STORE_AGENCY_ONLY);
    assert_string_equal(owner, "A");
    assert_int_equal(store_marking_stricter(STORE_AGENCY_ONLY, "A", STORE_PUBLIC, "B", owner, sizeof owner),
                     STORE_AGENCY_ONLY);
    assert_string_equal(owner, "A");
    assert_int_equal(store_marking_stricter(STORE_PUBLIC, "A", STORE_PUBLIC, "B", owner, sizeof owner), STORE_PUBLIC);
    assert_string_equal(owner, "A");
}

static void test_write_rule(void **state) {
    (void)state;
    db_t *db = open_db();
    pu_err err;
    store_scope dea = {0, "US", "DEA"}, fgr = {0, "MX", "FGR"}, hsi = {0, "US", "HSI"};
    /* filing: a country's agencies may only use markings their country may hold */
    assert_int_equal(store_check_file(&fgr, STORE_US_ONLY, &err), PU_ERR_DENIED);
    assert_string_equal(err.field, "marking");
    assert_int_equal(store_check_file(&dea, STORE_MX_ONLY, &err), PU_ERR_DENIED);
    assert_int_equal(store_check_file(&fgr, STORE_MX_ONLY, &err), PU_OK);
    assert_int_equal(store_check_file(&dea, STORE_AGENCY_ONLY, &err), PU_OK);
    assert_int_equal(store_check_file(STORE_SYSTEM, STORE_MX_ONLY, &err), PU_OK);
    /* owner: only the owner, or an agency it granted */
    assert_int_equal(store_check_owner(db, &fgr, "CBP", &err), PU_ERR_DENIED);
    assert_int_equal(store_check_owner(db, &hsi, "CBP", &err), PU_ERR_DENIED);
    int64_t g0, g1;
    assert_int_equal(store_generation_get(db, "grant", &g0, &err), PU_OK);
    assert_int_equal(store_grant_add(db, "CBP", "HSI", &err), PU_OK);
    assert_int_equal(store_grant_add(db, "CBP", "HSI", &err), PU_OK); /* idempotent */
    assert_int_equal(store_generation_get(db, "grant", &g1, &err), PU_OK);
    assert_true(g1 > g0);
    assert_int_equal(store_check_owner(db, &hsi, "CBP", &err), PU_OK);
    assert_int_equal(store_check_owner(db, &fgr, "CBP", &err), PU_ERR_DENIED); /* grants are per agency */
    assert_int_equal(store_check_owner(db, &dea, "HSI", &err), PU_ERR_DENIED); /* and one way */
    assert_int_equal(store_grant_remove(db, "CBP", "HSI", &err), PU_OK);
    assert_int_equal(store_check_owner(db, &hsi, "CBP", &err), PU_ERR_DENIED);
    assert_int_equal(store_check_owner(db, STORE_SYSTEM, "CBP", &err), PU_OK);
    assert_int_equal(store_grant_add(db, "CBP", "CBP", &err), PU_ERR_INVALID);
    /* acting for an agency: only for itself */
    assert_int_equal(store_check_act_for(&dea, "FGR", &err), PU_ERR_DENIED);
    assert_int_equal(store_check_act_for(&dea, "DEA", &err), PU_OK);
    assert_int_equal(store_check_act_for(&dea, "", &err), PU_ERR_INVALID);
    assert_int_equal(store_check_act_for(STORE_SYSTEM, "FGR", &err), PU_OK);
    db_close(db);
}

static void test_id_namespace(void **state) {
    (void)state;
    char out[64];
    pu_err err;
    assert_int_equal(store_id_in_namespace("DEA", "case-1", out, sizeof out, &err), PU_OK);
    assert_string_equal(out, "dea-case-1");
    assert_int_equal(store_id_in_namespace("DEA", "dea-case-1", out, sizeof out, &err), PU_OK);
    assert_string_equal(out, "dea-case-1");
    /* an acronym with '-' would let "DEA" squat "DEA-X"'s ids */
    assert_int_equal(store_id_in_namespace("DEA-X", "1", out, sizeof out, &err), PU_ERR_INVALID);
    assert_int_equal(store_id_in_namespace("DEA", "", out, sizeof out, &err), PU_ERR_INVALID);
    assert_int_equal(store_id_in_namespace("DEA", "0123456789", out, 8, &err), PU_ERR_LIMIT);
}

static ftm_entity *person(const char *id) {
    ftm_entity *e = NULL;
    assert_int_equal(ftm_entity_new(id, "Person", &e, NULL), PU_OK);
    assert_int_equal(ftm_entity_add(e, "name", "Test Person", NULL), PU_OK);
    return e;
}

/* Every change to entities bumps the "entity" generation, seen through
 * another connection to the same store (another process, the CLI). */
static void test_generations(void **state) {
    (void)state;
    char path[] = "/tmp/puente-scope-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    store_t *st;
    db_t *other;
    pu_err err;
    assert_int_equal(store_open(path, &st, &err), PU_OK);
    assert_int_equal(db_open(path, NULL, &other, &err), PU_OK);
    int64_t g0, g1, g2, g3;
    assert_int_equal(store_generation_get(other, "entity", &g0, &err), PU_OK);
    ftm_entity *e = person("p1");
    assert_int_equal(store_put(st, e, &err), PU_OK);
    assert_int_equal(store_generation_get(other, "entity", &g1, &err), PU_OK);
    assert_int_equal(g1, g0 + 1);
    /* a bulk transaction bumps once, at commit, and not before */
    assert_int_equal(store_begin(st, &err), PU_OK);
    ftm_entity *e2 = person("p2");
    assert_int_equal(store_put(st, e2, &err), PU_OK);
    assert_int_equal(store_put(st, e, &err), PU_OK);
    assert_int_equal(store_generation_get(other, "entity", &g2, &err), PU_OK);
    assert_int_equal(g2, g1);
    assert_int_equal(store_commit(st, &err), PU_OK);
    assert_int_equal(store_generation_get(other, "entity", &g2, &err), PU_OK);
    assert_int_equal(g2, g1 + 1);
    /* a rolled back change bumps nothing */
    assert_int_equal(store_begin(st, &err), PU_OK);
    assert_int_equal(store_delete(st, "p2", &err), PU_OK);
    store_rollback(st);
    assert_int_equal(store_generation_get(other, "entity", &g3, &err), PU_OK);
    assert_int_equal(g3, g2);
    assert_int_equal(store_delete(st, "p2", &err), PU_OK);
    assert_int_equal(store_generation_get(other, "entity", &g3, &err), PU_OK);
    assert_int_equal(g3, g2 + 1);
    assert_int_equal(store_delete(st, "p2", &err), PU_ERR_NOTFOUND);
    assert_int_equal(store_generation_get(other, "entity", &g3, &err), PU_OK);
    assert_int_equal(g3, g2 + 1);
    ftm_entity_free(e);
    ftm_entity_free(e2);
    db_close(other);
    store_close(st);
    unlink(path);
    char side[300];
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sql_and_memory_agree), cmocka_unit_test(test_null_scope_fails_closed),
        cmocka_unit_test(test_markings),             cmocka_unit_test(test_write_rule),
        cmocka_unit_test(test_id_namespace),         cmocka_unit_test(test_generations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
