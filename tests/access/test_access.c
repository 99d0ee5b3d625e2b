/* Unit tests for src/access: agencies, users, passwords, lockout, sessions,
 * tokens, write rules and caveats. Time is passed explicitly so lockout and
 * idle expiry are tested without sleeping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "access/access.h"
#include "../test_store_uri.h"

#define PW "correct horse battery"

static db_t *fresh(void) {
    db_t *db;
    pu_err e;
    assert_int_equal(db_open(test_store_uri(), NULL, &db, &e), PU_OK);
    assert_int_equal(acl_migrate(db, &e), PU_OK);
    int added = -1;
    assert_int_equal(acl_seed_agencies(db, &added, &e), PU_OK);
    assert_int_equal(added, 14);
    return db;
}

static void test_agencies(void **state) {
    (void)state;
    db_t *db = fresh();
    pu_err e;
    int added = -1;
    assert_int_equal(acl_seed_agencies(db, &added, &e), PU_OK);
    assert_int_equal(added, 0); /* idempotent */
    assert_int_equal(acl_agency_add(db, "XX", "Nowhere", "CA", &e), PU_ERR_INVALID);
    assert_string_equal(e.field, "country");
    assert_int_equal(acl_agency_add(db, "dea", "again", "us", &e), PU_ERR_CONFLICT);
    assert_int_equal(acl_agency_add(db, "bad acr", "x", "US", &e), PU_ERR_INVALID);
    assert_string_equal(e.field, "acronym");
    /* '-' separates an agency's id namespace: "DEA-X" would own ids DEA could write */
    assert_int_equal(acl_agency_add(db, "dea-x", "squatter", "us", &e), PU_ERR_INVALID);
    assert_string_equal(e.field, "acronym");
    assert_int_equal(acl_agency_add(db, "ssp_cdmx", "Policía CDMX", "mx", &e), PU_OK);
    acl_agency a;
    assert_int_equal(acl_agency_get(db, "SSP_CDMX", &a, &e), PU_OK);
    assert_string_equal(a.country, "MX");
    acl_agency *v;
    size_t n;
    assert_int_equal(acl_agency_list(db, &v, &n, &e), PU_OK);
    assert_int_equal(n, 15);
    int us = 0;
    for (size_t i = 0; i < n; i++) us += strcmp(v[i].country, "US") == 0;
    assert_int_equal(us, 7);
    free(v);
    db_close(db);
}

static void test_users_and_roles(void **state) {
    (void)state;
    db_t *db = fresh();
    pu_err e;
    assert_int_equal(acl_user_add(db, "ana", "DEA", "pilot", PW, &e), PU_ERR_INVALID);
    assert_string_equal(e.field, "role");
    assert_int_equal(acl_user_add(db, "ana", "NOPE", "analyst", PW, &e), PU_ERR_NOTFOUND);
    assert_int_equal(acl_user_add(db, "ana", "DEA", "analyst", "short", &e), PU_ERR_INVALID);
    assert_string_equal(e.field, "password");
    assert_int_equal(acl_user_add(db, "Ana Smith", "DEA", "analyst", PW, &e), PU_ERR_INVALID);
    assert_int_equal(acl_user_add(db, "ana", "dea", "analyst", NULL, &e), PU_OK);
    assert_int_equal(acl_user_add(db, "ana", "FGR", "analyst", NULL, &e), PU_ERR_CONFLICT);
    acl_principal p;
    assert_int_equal(acl_user_get(db, "ana", &p, &e), PU_OK);
    assert_string_equal(p.agency, "DEA");
    assert_string_equal(p.country, "US");
    assert_true(p.perms & ACL_P_READ);
    assert_false(p.perms & ACL_P_DELETE);
    assert_int_equal(acl_user_set_role(db, "ana", "auditor", &e), PU_OK);
    assert_int_equal(acl_user_get(db, "ana", &p, &e), PU_OK);
    assert_int_equal(p.perms, ACL_P_AUDIT); /* separation of duties: no reads */
    assert_int_equal(acl_user_set_role(db, "nobody", "analyst", &e), PU_ERR_NOTFOUND);
    assert_int_equal(acl_role_perms("admin") & ACL_P_READ, 0);
    assert_true(acl_role_valid("tip-handler"));
    assert_false(acl_role_valid(NULL));
    db_close(db);
}

static void test_login_lockout_session(void **state) {
    (void)state;
    db_t *db = fresh();
    pu_err e;
    assert_int_equal(acl_user_add(db, "luis", "FGR", "analyst", PW, &e), PU_OK);
    acl_principal p;
    char sess[ACL_SECRET_MAX];
    int64_t t = 1000000;
    /* unknown user and wrong password give the same public answer */
    assert_int_equal(acl_login(db, "nobody", PW, t, &p, sess, &e), PU_ERR_DENIED);
    char m1[PU_ERR_MSG_MAX];
    pu_strlcpy(m1, e.msg, sizeof m1);
    assert_string_equal(e.field, "user");
    assert_int_equal(acl_login(db, "luis", "wrong password!", t, &p, sess, &e), PU_ERR_DENIED);
    assert_string_equal(e.msg, m1);
    assert_string_equal(e.field, "password");
    /* a success resets the failure count */
    assert_int_equal(acl_login(db, "luis", PW, t, &p, sess, &e), PU_OK);
    assert_true(pu_starts_with(sess, "ps_"));
    assert_string_equal(p.country, "MX");
    for (int i = 1; i <= 4; i++) assert_int_equal(acl_login(db, "luis", "nope nope nope", t, &p, sess, &e), PU_ERR_DENIED);
    assert_string_equal(e.field, "password");
    assert_int_equal(acl_login(db, "luis", "nope nope nope", t, &p, sess, &e), PU_ERR_DENIED);
    assert_string_equal(e.field, "locked"); /* 5th failure locks */
    assert_int_equal(acl_login(db, "luis", PW, t + ACL_LOCK_SECONDS - 1, &p, sess, &e), PU_ERR_DENIED);
    assert_string_equal(e.field, "locked");
    assert_int_equal(acl_login(db, "luis", PW, t + ACL_LOCK_SECONDS, &p, sess, &e), PU_OK);

    /* sessions: used within the idle window they live on; idle past it they die */
    int64_t s0 = t + ACL_LOCK_SECONDS;
    acl_principal q;
    assert_int_equal(acl_authenticate(db, sess, s0 + ACL_SESSION_IDLE - 10, &q, &e), PU_OK);
    assert_string_equal(q.user, "luis");
    assert_int_equal(acl_authenticate(db, sess, s0 + 2 * ACL_SESSION_IDLE - 20, &q, &e), PU_OK);
    assert_int_equal(acl_authenticate(db, sess, s0 + 3 * ACL_SESSION_IDLE + 100, &q, &e), PU_ERR_DENIED);
    assert_int_equal(acl_authenticate(db, sess, s0, &q, &e), PU_ERR_DENIED); /* deleted */
    assert_int_equal(acl_authenticate(db, "garbage", s0, &q, &e), PU_ERR_DENIED);
    assert_int_equal(acl_authenticate(db, NULL, s0, &q, &e), PU_ERR_DENIED);
    db_close(db);
}

static void test_tokens(void **state) {
    (void)state;
    db_t *db = fresh();
    pu_err e;
    assert_int_equal(acl_user_add(db, "bot", "CBP", "analyst", NULL, &e), PU_OK);
    char t1[ACL_SECRET_MAX], t2[ACL_SECRET_MAX];
    assert_int_equal(acl_token_create(db, "bot", 5, t1, &e), PU_OK);
    assert_int_equal(acl_token_create(db, "bot", 5, t2, &e), PU_OK);
    assert_true(pu_starts_with(t1, "pt_"));
    assert_string_not_equal(t1, t2);
    assert_true(strlen(t1) > 40);
    /* only a hash is stored */
    int64_t n = -1;
    assert_int_equal(db_query_int64(db, "SELECT count(*) FROM acl_secret WHERE hash = ? OR prefix = ?", t1, &n, &e), PU_OK);
    assert_int_equal(n, 0);
    acl_principal p;
    /* tokens do not idle out, but expire (default ACL_TOKEN_DAYS_DEFAULT days) */
    assert_int_equal(acl_authenticate(db, t1, 5 + ACL_TOKEN_DAYS_DEFAULT * 86400 - 1, &p, &e), PU_OK);
    assert_string_equal(p.agency, "CBP");
    assert_true(p.expires == 5 + ACL_TOKEN_DAYS_DEFAULT * 86400);
    assert_int_equal(acl_authenticate(db, t1, 5 + ACL_TOKEN_DAYS_DEFAULT * 86400, &p, &e), PU_ERR_DENIED);
    assert_string_equal(e.field, "expired");
    /* a token-only account cannot log in with a password */
    char s[ACL_SECRET_MAX];
    assert_int_equal(acl_login(db, "bot", "", 5, &p, s, &e), PU_ERR_DENIED);
    assert_int_equal(acl_revoke(db, t1, &e), PU_OK);
    assert_int_equal(acl_authenticate(db, t1, 6, &p, &e), PU_ERR_DENIED);
    assert_int_equal(acl_authenticate(db, t2, 6, &p, &e), PU_OK);
    assert_int_equal(acl_user_set_disabled(db, "bot", 1, &e), PU_OK);
    assert_int_equal(acl_authenticate(db, t2, 6, &p, &e), PU_ERR_DENIED);
    assert_int_equal(acl_token_create(db, "bot", 5, t1, &e), PU_ERR_DENIED);
    assert_int_equal(acl_token_create(db, "ghost", 5, t1, &e), PU_ERR_NOTFOUND);
    db_close(db);
}

/* The server's authentication cache: changes made through acl_* apply at
 * once (they bump the account generation; another process's changes are
 * test_auth.c's test_auth_cache_cross_process); SQL behind the acl_*
 * functions' back, which bumps nothing, within the TTL. */
static void test_auth_cache(void **state) {
    (void)state;
    db_t *db = fresh();
    pu_err e;
    acl_principal p;
    char t[ACL_SECRET_MAX];
    assert_int_equal(acl_user_add(db, "svc", "DEA", "analyst", NULL, &e), PU_OK);
    assert_int_equal(acl_token_create(db, "svc", 5, t, &e), PU_OK);
    assert_int_equal(acl_authenticate_cached(db, t, 6, 1000, &p, &e), PU_OK);
    assert_string_equal(p.role, "analyst");
    /* through acl_*: the next answer already sees it (a role change revokes
     * the user's secrets, which were issued for the old role) */
    assert_int_equal(acl_user_set_role(db, "svc", "supervisor", &e), PU_OK);
    assert_int_equal(acl_authenticate_cached(db, t, 6, 1000, &p, &e), PU_ERR_DENIED);
    assert_int_equal(acl_token_create(db, "svc", 5, t, &e), PU_OK);
    assert_int_equal(acl_authenticate_cached(db, t, 6, 1000, &p, &e), PU_OK);
    assert_string_equal(p.role, "supervisor");
    assert_int_equal(acl_revoke(db, t, &e), PU_OK);
    assert_int_equal(acl_authenticate_cached(db, t, 6, 1000, &p, &e), PU_ERR_DENIED);
    /* behind the cache's back: SQL that bumps no generation (not what the CLI does) */
    assert_int_equal(acl_token_create(db, "svc", 5, t, &e), PU_OK);
    assert_int_equal(acl_authenticate_cached(db, t, 6, 1000, &p, &e), PU_OK);
    assert_int_equal(db_exec(db, "UPDATE acl_user SET disabled = 1 WHERE name = 'svc'", &e), PU_OK);
    assert_int_equal(acl_authenticate(db, t, 6, &p, &e), PU_ERR_DENIED);         /* the store says no */
    assert_int_equal(acl_authenticate_cached(db, t, 6, 1000, &p, &e), PU_OK);     /* within the TTL */
    struct timespec pause = {1, 100 * 1000 * 1000};
    nanosleep(&pause, NULL);
    assert_int_equal(acl_authenticate_cached(db, t, 6, 1000, &p, &e), PU_ERR_DENIED); /* after it */
    /* refusals are not cached: re-enabled, the token works again at once */
    assert_int_equal(db_exec(db, "UPDATE acl_user SET disabled = 0 WHERE name = 'svc'", &e), PU_OK);
    assert_int_equal(acl_authenticate_cached(db, t, 6, 1000, &p, &e), PU_OK);
    /* ttl 0 = no cache */
    assert_int_equal(db_exec(db, "UPDATE acl_user SET disabled = 1 WHERE name = 'svc'", &e), PU_OK);
    assert_int_equal(acl_authenticate_cached(db, t, 6, 0, &p, &e), PU_ERR_DENIED);
    assert_int_equal(acl_authenticate_cached(db, "pt_nonsense", 6, 1000, &p, &e), PU_ERR_DENIED);
    db_close(db);
}

static void test_write_rules_and_caveats(void **state) {
    (void)state;
    acl_principal us = {.user_id = 1, .user = "u", .agency = "DEA", .country = "US", .role = "analyst"},
                  mx = {.user_id = 2, .user = "m", .agency = "FGR", .country = "MX", .role = "tip-handler"};
    us.perms = acl_role_perms(us.role);
    mx.perms = acl_role_perms(mx.role);
    pu_err e;
    assert_int_equal(acl_check_write(&us, "DEA", "US-ONLY", &e), PU_OK);
    assert_int_equal(acl_check_write(&us, "DEA", "MX-ONLY", &e), PU_ERR_DENIED);
    assert_int_equal(acl_check_write(&us, "FBI", "SHARED", &e), PU_ERR_DENIED);
    assert_int_equal(acl_check_write(&us, "DEA", "SECRET", &e), PU_ERR_INVALID);
    assert_string_equal(e.field, "marking");
    assert_int_equal(acl_check_write(&mx, "FGR", "MX-ONLY", &e), PU_ERR_DENIED); /* role cannot write */
    mx.perms |= ACL_P_WRITE;
    assert_int_equal(acl_check_write(&mx, "FGR", "MX-ONLY", &e), PU_OK);
    store_scope sc;
    acl_scope(&mx, &sc);
    assert_int_equal(sc.system, 0);
    assert_string_equal(sc.country, "MX");
    assert_string_equal(sc.agency, "FGR");

    char out[64];
    assert_int_equal(acl_caveats_normalise(" pii, les,LES ", out, sizeof out, &e), PU_OK);
    assert_string_equal(out, "LES,PII");
    assert_int_equal(acl_caveats_normalise(NULL, out, sizeof out, &e), PU_OK);
    assert_string_equal(out, "");
    assert_int_equal(acl_caveats_normalise("LES,NOFORNX", out, sizeof out, &e), PU_ERR_INVALID);
    assert_string_equal(e.field, "caveats");
    assert_int_equal(acl_caveats_normalise("LES,PII,ORCON", out, 6, &e), PU_ERR_LIMIT);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_agencies),
        cmocka_unit_test(test_users_and_roles),
        cmocka_unit_test(test_login_lockout_session),
        cmocka_unit_test(test_tokens),
        cmocka_unit_test(test_auth_cache),
        cmocka_unit_test(test_write_rules_and_caveats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
