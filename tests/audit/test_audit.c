/* Unit tests for src/audit: the hash chain catches edits, deletions and
 * reorderings; pruning keeps the chain verifiable; export writes JSON lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "../test_store_uri.h"

static db_t *with_entries(int n) {
    db_t *db;
    pu_err e;
    assert_int_equal(db_open(test_store_uri(), NULL, &db, &e), PU_OK);
    assert_int_equal(audit_migrate(db, &e), PU_OK);
    for (int i = 1; i <= n; i++) {
        char ts[32], tgt[32];
        snprintf(ts, sizeof ts, "2025-01-%02dT10:00:00Z", i);
        snprintf(tgt, sizeof tgt, "ent-%d", i);
        audit_event ev = {"http", i % 2 ? "ana" : "luis", i % 2 ? "DEA" : "FGR", "entity.read", tgt, "success", NULL, NULL, NULL};
        assert_int_equal(audit_append_at(db, &ev, ts, &e), PU_OK);
    }
    return db;
}

static int verify(db_t *db, audit_report *r) {
    pu_err e;
    return audit_verify(db, r, &e);
}

static void test_intact(void **state) {
    (void)state;
    db_t *db = with_entries(10);
    audit_report r;
    assert_int_equal(verify(db, &r), PU_OK);
    assert_int_equal(r.entries, 10);
    assert_int_equal(r.first_seq, 1);
    assert_int_equal(r.last_seq, 10);
    assert_int_equal(strlen(r.head), 64);
    db_close(db);
    db = with_entries(0);
    assert_int_equal(verify(db, &r), PU_OK);
    assert_int_equal(r.entries, 0);
    db_close(db);
}

static void tamper(const char *sql, int64_t expect_bad) {
    db_t *db = with_entries(10);
    pu_err e;
    audit_report r;
    assert_int_equal(verify(db, &r), PU_OK);
    assert_int_equal(db_exec(db, sql, &e), PU_OK);
    assert_int_equal(audit_verify(db, &r, &e), PU_ERR_INVALID);
    if (expect_bad) assert_int_equal(r.bad_seq, expect_bad);
    assert_true(strlen(r.problem) > 10);
    db_close(db);
}

static void test_edit(void **state) {
    (void)state;
    tamper("UPDATE audit_log SET outcome = 'denied' WHERE seq = 5", 5);
    tamper("UPDATE audit_log SET targets = 'ent-x' WHERE seq = 1", 1);
    tamper("UPDATE audit_log SET ts = '2024-01-01T00:00:00Z' WHERE seq = 10", 10);
    /* rewriting an entry's own hash still breaks the next link */
    tamper("UPDATE audit_log SET user_name = 'x', hash = 'ab' WHERE seq = 3", 3);
}

static void test_delete(void **state) {
    (void)state;
    tamper("DELETE FROM audit_log WHERE seq = 5", 6);
    tamper("DELETE FROM audit_log WHERE seq = 1", 2);
    tamper("DELETE FROM audit_log WHERE seq >= 9", 0); /* newest entries: caught by the head */
    /* renumbering after a delete breaks the link */
    tamper("DELETE FROM audit_log WHERE seq = 4; UPDATE audit_log SET seq = seq - 1 WHERE seq > 4", 4);
}

static void test_reorder(void **state) {
    (void)state;
    /* swap the contents of entries 3 and 4, keeping their numbers */
    tamper("UPDATE audit_log SET seq = -3 WHERE seq = 3; UPDATE audit_log SET seq = 3 WHERE seq = 4;"
           "UPDATE audit_log SET seq = 4 WHERE seq = -3",
           3);
    /* swap only the timestamps and users of 7 and 8 */
    tamper("UPDATE audit_log SET user_name = CASE seq WHEN 7 THEN 'luis' ELSE 'ana' END WHERE seq IN (7, 8)", 7);
}

static void test_prune(void **state) {
    (void)state;
    db_t *db = with_entries(10);
    pu_err e;
    int64_t removed = -1;
    assert_int_equal(audit_prune(db, 0, NULL, &removed, &e), PU_ERR_INVALID);
    /* 365 days before 2026-01-05T12:00 is 2025-01-05T12:00: entries 1..5 go */
    assert_int_equal(audit_prune(db, 365, "2026-01-05T12:00:00Z", &removed, &e), PU_OK);
    assert_int_equal(removed, 5);
    audit_report r;
    assert_int_equal(verify(db, &r), PU_OK);
    assert_int_equal(r.first_seq, 6);
    assert_int_equal(r.last_seq, 11); /* the prune itself is recorded */
    int64_t n = 0;
    assert_int_equal(db_query_int64(db, "SELECT count(*) FROM audit_log WHERE action = 'audit.prune'", NULL, &n, &e), PU_OK);
    assert_int_equal(n, 1);
    /* nothing more to prune: no new entry */
    assert_int_equal(audit_prune(db, 365, "2026-01-05T12:00:00Z", &removed, &e), PU_OK);
    assert_int_equal(removed, 0);
    audit_event ev = {"http", "ana", "DEA", "entity.read", "ent-1", "success", "after prune", NULL, NULL};
    assert_int_equal(audit_append(db, &ev, &e), PU_OK);
    assert_int_equal(verify(db, &r), PU_OK);
    assert_int_equal(r.entries, 7);
    /* moving the anchor to hide more deletions contradicts the chained prune record */
    assert_int_equal(db_exec(db, "DELETE FROM audit_log WHERE seq = 6;"
                                 "UPDATE audit_meta SET anchor_seq = 6, anchor_hash = (SELECT prev FROM audit_log WHERE seq = 7)",
                             &e),
                     PU_OK);
    assert_int_equal(audit_verify(db, &r, &e), PU_ERR_INVALID);
    db_close(db);
}

static void test_export(void **state) {
    (void)state;
    db_t *db = with_entries(10);
    pu_err e;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    int64_t n = -1;
    audit_filter flt = {.since = "2025-01-03", .until = "2025-01-05"};
    assert_int_equal(audit_export(db, f, &flt, &n, &e), PU_OK);
    fclose(f);
    assert_int_equal(n, 3);
    int lines = 0;
    for (size_t i = 0; i < len; i++) lines += buf[i] == '\n';
    assert_int_equal(lines, 3);
    assert_non_null(strstr(buf, "\"seq\":3"));
    assert_non_null(strstr(buf, "\"targets\":\"ent-5\""));
    assert_null(strstr(buf, "ent-6"));
    free(buf);
    /* by agency, with paging */
    f = open_memstream(&buf, &len);
    audit_filter fa = {.agency = "FGR", .limit = 2, .offset = 1};
    assert_int_equal(audit_export(db, f, &fa, &n, &e), PU_OK);
    fclose(f);
    assert_int_equal(n, 2);
    assert_non_null(strstr(buf, "\"seq\":4"));
    assert_non_null(strstr(buf, "\"seq\":6"));
    assert_null(strstr(buf, "\"DEA\""));
    free(buf);
    db_close(db);
}

/* Export entries of flt into a string; returns the count. */
static int64_t export_str(db_t *db, const audit_filter *flt, char **buf) {
    size_t len = 0;
    FILE *f = open_memstream(buf, &len);
    int64_t n = -1;
    pu_err e;
    assert_int_equal(audit_export(db, f, flt, &n, &e), PU_OK);
    fclose(f);
    return n;
}

/* The filters of the web's audit page: user, action (exact or prefix),
 * target as a whole item of the list (LIKE's % and _ taken literally),
 * outcome, newest first. */
static void test_export_filters(void **state) {
    (void)state;
    db_t *db = with_entries(0);
    pu_err e;
    audit_event evs[] = {
        {"http", "ana", "DEA", "entity.read", "dea-1", "success", NULL, NULL, NULL},
        {"http", "ana", "DEA", "entity.search", "dea-1,dea-10", "success", NULL, NULL, NULL},
        {"http", "luis", "DEA", "entity.read", "dea-10", "denied", NULL, NULL, NULL},
        {"http", "luis", "DEA", "entityx.read", "a_b", "success", NULL, NULL, NULL},
        {"http", "ana", "DEA", "entity.read", "axb", "success", NULL, NULL, NULL},
    };
    for (size_t i = 0; i < sizeof evs / sizeof evs[0]; i++) assert_int_equal(audit_append(db, &evs[i], &e), PU_OK);
    char *buf = NULL;
    audit_filter by_user = {.user = "luis"};
    assert_int_equal(export_str(db, &by_user, &buf), 2);
    assert_null(strstr(buf, "\"ana\""));
    free(buf);
    audit_filter by_prefix = {.action = "entity"};
    assert_int_equal(export_str(db, &by_prefix, &buf), 4); /* entity.* and not entityx.read */
    assert_null(strstr(buf, "entityx"));
    free(buf);
    audit_filter exact = {.action = "entity.read", .outcome = "success"};
    assert_int_equal(export_str(db, &exact, &buf), 2);
    free(buf);
    audit_filter target = {.target = "dea-1"};
    assert_int_equal(export_str(db, &target, &buf), 2); /* not dea-10 alone */
    free(buf);
    audit_filter literal = {.target = "a_b"};
    assert_int_equal(export_str(db, &literal, &buf), 1); /* '_' is not a wildcard: not axb */
    free(buf);
    audit_filter newest = {.user = "ana", .newest_first = 1, .limit = 1};
    assert_int_equal(export_str(db, &newest, &buf), 1);
    assert_non_null(strstr(buf, "\"targets\":\"axb\""));
    free(buf);
    db_close(db);
}

static void test_append_many(void **state) {
    (void)state;
    db_t *db = with_entries(2);
    pu_err e;
    audit_event a = {"http", "ana", "DEA", "entity.read", "x-1", "success", NULL, NULL, NULL};
    audit_event b = {"http", "luis", "FGR", "entity.search", "x-2,x-3", "success", "q=x", NULL, NULL};
    const audit_event *evs[] = {&a, &b, &a};
    assert_int_equal(audit_append_many(db, evs, 3, &e), PU_OK);
    assert_int_equal(audit_append(db, &b, &e), PU_OK);
    assert_int_equal(audit_append_many(db, evs, 0, &e), PU_OK);
    audit_report r;
    assert_int_equal(verify(db, &r), PU_OK);
    assert_int_equal(r.entries, 6);
    int64_t n = 0;
    assert_int_equal(db_query_int64(db, "SELECT count(*) FROM audit_log WHERE user_name = ?", "luis", &n, &e), PU_OK);
    assert_int_equal(n, 3);
    db_close(db);
}

static void test_long_fields_clipped(void **state) {
    (void)state;
    db_t *db = with_entries(0);
    pu_err e;
    char *big = malloc(AUDIT_FIELD_MAX * 2);
    memset(big, 'a', AUDIT_FIELD_MAX * 2 - 1);
    big[AUDIT_FIELD_MAX * 2 - 1] = 0;
    audit_event ev = {"http", "ana", "DEA", "entity.search", big, "success", big, NULL, NULL};
    assert_int_equal(audit_append(db, &ev, &e), PU_OK);
    int64_t n = 0;
    assert_int_equal(db_query_int64(db, "SELECT length(detail) FROM audit_log", NULL, &n, &e), PU_OK);
    assert_int_equal(n, AUDIT_FIELD_MAX - 1);
    audit_report r;
    assert_int_equal(verify(db, &r), PU_OK);
    free(big);
    db_close(db);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_intact),   cmocka_unit_test(test_edit),   cmocka_unit_test(test_delete),
        cmocka_unit_test(test_reorder),  cmocka_unit_test(test_prune),  cmocka_unit_test(test_export), cmocka_unit_test(test_export_filters),
        cmocka_unit_test(test_long_fields_clipped), cmocka_unit_test(test_append_many),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
