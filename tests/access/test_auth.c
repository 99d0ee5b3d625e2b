/* Unit tests for authentication (issue #15): TOTP against RFC 6238
 * Appendix B, enrolment, replay, recovery codes, the second-factor policy,
 * token expiry and read-only scope, session absolute lifetime, revocation on
 * lock and password reset, two-person role grants, the password blocklist,
 * the last-logon notice, lockout under parallel guesses and the timing of
 * the refused logins. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <oath.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "access/access.h"

#define PW "correct horse battery"

static db_t *fresh_at(const char *path) {
    db_t *db;
    pu_err e;
    assert_int_equal(db_open(path, NULL, &db, &e), PU_OK);
    assert_int_equal(acl_migrate(db, &e), PU_OK);
    assert_int_equal(acl_seed_agencies(db, NULL, &e), PU_OK);
    return db;
}

static db_t *fresh(void) { return fresh_at(":memory:"); }

/* ---- RFC 6238 Appendix B: 8 digits, 30 s steps ---- */
static void test_totp_rfc6238_vectors(void **state) {
    (void)state;
    static const unsigned char k1[] = "12345678901234567890";
    static const unsigned char k256[] = "12345678901234567890123456789012";
    static const unsigned char k512[] = "1234567890123456789012345678901234567890123456789012345678901234";
    static const struct {
        int64_t t;
        const char *sha1, *sha256, *sha512;
    } v[] = {
        {59, "94287082", "46119246", "90693936"},
        {1111111109, "07081804", "68084774", "25091201"},
        {1111111111, "14050471", "67062674", "99943326"},
        {1234567890, "89005924", "91819424", "93441116"},
        {2000000000, "69279037", "90698825", "38618901"},
        {20000000000LL, "65353130", "77737706", "47863826"},
    };
    pu_err e;
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char c[10];
        assert_int_equal(acl_totp_code(k1, 20, ACL_TOTP_SHA1, v[i].t, 30, 8, c, &e), PU_OK);
        assert_string_equal(c, v[i].sha1);
        assert_int_equal(acl_totp_code(k256, 32, ACL_TOTP_SHA256, v[i].t, 30, 8, c, &e), PU_OK);
        assert_string_equal(c, v[i].sha256);
        assert_int_equal(acl_totp_code(k512, 64, ACL_TOTP_SHA512, v[i].t, 30, 8, c, &e), PU_OK);
        assert_string_equal(c, v[i].sha512);
        /* 6 digits are the last 6 of the 8 (same truncated value mod 10^6) */
        assert_int_equal(acl_totp_code(k256, 32, ACL_TOTP_SHA256, v[i].t, 30, 6, c, &e), PU_OK);
        assert_string_equal(c, v[i].sha256 + 2);
    }
    char c[10];
    assert_int_equal(acl_totp_code(k1, 20, ACL_TOTP_SHA1, 59, 30, 9, c, &e), PU_ERR_INVALID);
    assert_int_equal(acl_totp_code(k1, 20, ACL_TOTP_SHA1, 59, 0, 6, c, &e), PU_ERR_INVALID);
}

/* The code a device would show for a base32 key at time t. */
static void device_code(const char *b32, int64_t t, char out[10]) {
    char *raw = NULL;
    size_t n = 0;
    assert_int_equal(oath_base32_decode(b32, strlen(b32), &raw, &n), OATH_OK);
    pu_err e;
    assert_int_equal(acl_totp_code((const unsigned char *)raw, n, ACL_TOTP_SHA1, t, ACL_TOTP_STEP, ACL_TOTP_DIGITS, out, &e),
                     PU_OK);
    free(raw);
}

static void test_totp_enrol_login_replay_recovery(void **state) {
    (void)state;
    db_t *db = fresh();
    pu_err e;
    assert_int_equal(acl_user_add(db, "ana", "DEA", "analyst", PW, &e), PU_OK);
    char uri[512], b32[64];
    assert_int_equal(acl_totp_begin(db, "ana", uri, sizeof uri, b32, &e), PU_OK);
    assert_true(pu_starts_with(uri, "otpauth://totp/Puente:ana?secret="));
    assert_non_null(strstr(uri, b32));
    assert_int_equal(strlen(b32), 32); /* 20 bytes in base32, no padding */
    assert_false(acl_totp_enabled(db, "ana"));
    int64_t t = 1700000000;
    char codes[ACL_RECOVERY_CODES][ACL_RECOVERY_LEN], c[10];
    assert_int_equal(acl_totp_confirm(db, "ana", "000000x", t, codes, &e), PU_ERR_DENIED);
    device_code(b32, t, c);
    assert_int_equal(acl_totp_confirm(db, "ana", c, t, codes, &e), PU_OK);
    assert_true(acl_totp_enabled(db, "ana"));
    for (int i = 0; i < ACL_RECOVERY_CODES; i++) {
        assert_int_equal(strlen(codes[i]), 19);
        for (int j = 0; j < i; j++) assert_string_not_equal(codes[i], codes[j]);
    }
    /* the recovery codes are stored hashed */
    int64_t n = -1;
    assert_int_equal(db_query_int64(db, "SELECT count(*) FROM acl_recovery WHERE hash = ?", codes[0], &n, &e), PU_OK);
    assert_int_equal(n, 0);

    acl_principal p;
    acl_logon_info info;
    char sess[ACL_SECRET_MAX];
    acl_login_req rq = {"ana", PW, NULL, "10.0.0.1", t + 60};
    /* the password alone is not enough; the error names the code */
    assert_int_equal(acl_login2(db, &rq, &p, &info, sess, &e), PU_ERR_DENIED);
    assert_string_equal(e.field, "code");
    device_code(b32, t + 60, c);
    rq.code = c;
    assert_int_equal(acl_login2(db, &rq, &p, &info, sess, &e), PU_OK);
    assert_int_equal(info.mfa, ACL_MFA_USED);
    /* the same code again, within its window: replay refused */
    assert_int_equal(acl_login2(db, &rq, &p, &info, sess, &e), PU_ERR_DENIED);
    assert_string_equal(e.field, "code");
    /* the previous step's code is older than the one used: refused too */
    char old[10];
    device_code(b32, t + 30, old);
    rq.code = old;
    assert_int_equal(acl_login2(db, &rq, &p, &info, sess, &e), PU_ERR_DENIED);
    /* the next step's code works */
    device_code(b32, t + 90, c);
    rq.code = c;
    rq.now = t + 90;
    assert_int_equal(acl_login2(db, &rq, &p, &info, sess, &e), PU_OK);
    /* a code far from now is refused */
    device_code(b32, t + 600, c);
    rq.now = t + 120;
    rq.code = c;
    assert_int_equal(acl_login2(db, &rq, &p, &info, sess, &e), PU_ERR_DENIED);
    /* a recovery code works once, whatever its case and dashes */
    char up[ACL_RECOVERY_LEN];
    for (size_t i = 0; i <= strlen(codes[3]); i++) up[i] = (char)(codes[3][i] >= 'a' ? codes[3][i] - 32 : codes[3][i]);
    rq.code = up;
    assert_int_equal(acl_login2(db, &rq, &p, &info, sess, &e), PU_OK);
    rq.code = codes[3];
    assert_int_equal(acl_login2(db, &rq, &p, &info, sess, &e), PU_ERR_DENIED);
    /* reset: the factor and every secret are gone */
    assert_int_equal(acl_totp_reset(db, "ana", &e), PU_OK);
    assert_false(acl_totp_enabled(db, "ana"));
    assert_int_equal(acl_authenticate(db, sess, t + 121, &p, &e), PU_ERR_DENIED);
    db_close(db);
}

static void test_mfa_policy(void **state) {
    (void)state;
    db_t *db = fresh();
    pu_err e;
    char v[256];
    assert_int_equal(acl_setting_get(db, "mfa-roles", v, sizeof v, &e), PU_OK);
    assert_string_equal(v, ACL_MFA_ROLES_DEFAULT);
    assert_true(acl_mfa_required(db, "admin"));
    assert_true(acl_mfa_required(db, "auditor"));
    assert_false(acl_mfa_required(db, "analyst"));
    assert_int_equal(acl_setting_set(db, "mfa-roles", "admin,king", &e), PU_ERR_INVALID);
    assert_int_equal(acl_setting_set(db, "nonsense", "1", &e), PU_ERR_INVALID);
    assert_int_equal(acl_setting_set(db, "mfa-roles", "admin,auditor,analyst", &e), PU_OK);
    assert_true(acl_mfa_required(db, "analyst"));
    /* an admin without a second factor gets a session that can only enrol */
    assert_int_equal(acl_user_add(db, "boss", "DEA", "admin", PW, &e), PU_OK);
    acl_principal p;
    acl_logon_info info;
    char sess[ACL_SECRET_MAX];
    acl_login_req rq = {"boss", PW, NULL, "127.0.0.1", 5000};
    assert_int_equal(acl_login2(db, &rq, &p, &info, sess, &e), PU_OK);
    assert_int_equal(info.mfa, ACL_MFA_ENROL);
    assert_true(p.mfa_pending);
    assert_int_equal(p.perms, 0);
    assert_int_equal(acl_authenticate(db, sess, 5001, &p, &e), PU_OK);
    assert_true(p.mfa_pending);
    assert_int_equal(p.perms, 0);
    /* enrolling lifts the limit on that session */
    char uri[512], b32[64], c[10], codes[ACL_RECOVERY_CODES][ACL_RECOVERY_LEN];
    assert_int_equal(acl_totp_begin(db, "boss", uri, sizeof uri, b32, &e), PU_OK);
    device_code(b32, 5001, c);
    assert_int_equal(acl_totp_confirm(db, "boss", c, 5001, codes, &e), PU_OK);
    assert_int_equal(acl_authenticate(db, sess, 5002, &p, &e), PU_OK);
    assert_false(p.mfa_pending);
    assert_int_equal(p.perms, ACL_P_ADMIN);
    /* banner: default, then configured */
    char b[ACL_SETTING_MAX];
    assert_int_equal(acl_setting_get(db, "banner", b, sizeof b, &e), PU_OK);
    assert_string_equal(b, ACL_BANNER_DEFAULT);
    assert_int_equal(acl_setting_set(db, "banner", "Authorised use only.", &e), PU_OK);
    assert_int_equal(acl_setting_get(db, "banner", b, sizeof b, &e), PU_OK);
    assert_string_equal(b, "Authorised use only.");
    db_close(db);
}

static void test_tokens_and_sessions(void **state) {
    (void)state;
    db_t *db = fresh();
    pu_err e;
    assert_int_equal(acl_user_add(db, "svc", "CBP", "supervisor", PW, &e), PU_OK);
    char t1[ACL_SECRET_MAX], t2[ACL_SECRET_MAX], s1[ACL_SECRET_MAX];
    int64_t exp = 0;
    acl_token_opts ro = {7, 1};
    assert_int_equal(acl_token_create2(db, "svc", 100, &ro, t1, &exp, &e), PU_OK);
    assert_true(exp == 100 + 7 * 86400);
    acl_principal p;
    assert_int_equal(acl_authenticate(db, t1, 200, &p, &e), PU_OK);
    assert_true(p.read_only);
    assert_int_equal(p.perms & (ACL_P_WRITE | ACL_P_DELETE | ACL_P_REVIEW), 0);
    assert_true(p.perms & ACL_P_READ);
    assert_int_equal(acl_authenticate(db, t1, exp, &p, &e), PU_ERR_DENIED);
    acl_token_opts bad = {ACL_TOKEN_DAYS_MAX + 1, 0};
    assert_int_equal(acl_token_create2(db, "svc", 100, &bad, t2, NULL, &e), PU_ERR_INVALID);
    /* the store's default lifetime */
    assert_int_equal(acl_setting_set(db, "token-days", "3", &e), PU_OK);
    assert_int_equal(acl_token_create2(db, "svc", 100, NULL, t2, &exp, &e), PU_OK);
    assert_true(exp == 100 + 3 * 86400);
    assert_int_equal(acl_authenticate(db, t2, 200, &p, &e), PU_OK);
    assert_false(p.read_only);
    assert_true(p.perms & ACL_P_WRITE);
    /* sessions: busy all day, still ended by the absolute lifetime */
    assert_int_equal(acl_login(db, "svc", PW, 1000, &p, s1, &e), PU_OK);
    int64_t t = 1000;
    for (; t + 600 < 1000 + ACL_SESSION_ABSOLUTE; t += 600) assert_int_equal(acl_authenticate(db, s1, t, &p, &e), PU_OK);
    assert_int_equal(acl_authenticate(db, s1, 1000 + ACL_SESSION_ABSOLUTE + 1, &p, &e), PU_ERR_DENIED);
    /* a lock stops the tokens as well; the end of the lock brings them back */
    for (int i = 0; i < ACL_MAX_FAILURES; i++) (void)acl_login(db, "svc", "wrong wrong wrong", 2000, &p, s1, &e);
    assert_string_equal(e.field, "locked");
    assert_int_equal(acl_authenticate(db, t2, 2001, &p, &e), PU_ERR_DENIED);
    assert_int_equal(acl_authenticate(db, t2, 2000 + ACL_LOCK_SECONDS + 1, &p, &e), PU_OK);
    /* a password reset revokes every session and token */
    assert_int_equal(acl_login(db, "svc", PW, 3000, &p, s1, &e), PU_OK);
    assert_int_equal(acl_user_set_password(db, "svc", "a brand new passphrase", &e), PU_OK);
    assert_int_equal(acl_authenticate(db, s1, 3001, &p, &e), PU_ERR_DENIED);
    assert_int_equal(acl_authenticate(db, t2, 3001, &p, &e), PU_ERR_DENIED);
    /* sign out everywhere: every session of the user, its tokens stay */
    char s2[ACL_SECRET_MAX], t3[ACL_SECRET_MAX];
    int64_t nrev = -1;
    assert_int_equal(acl_login(db, "svc", "a brand new passphrase", 3001, &p, s1, &e), PU_OK);
    assert_int_equal(acl_login(db, "svc", "a brand new passphrase", 3001, &p, s2, &e), PU_OK);
    assert_int_equal(acl_token_create2(db, "svc", 3001, NULL, t3, NULL, &e), PU_OK);
    assert_int_equal(acl_revoke_sessions(db, "svc", &nrev, &e), PU_OK);
    assert_int_equal(nrev, 2);
    assert_int_equal(acl_authenticate(db, s1, 3001, &p, &e), PU_ERR_DENIED);
    assert_int_equal(acl_authenticate(db, s2, 3001, &p, &e), PU_ERR_DENIED);
    assert_int_equal(acl_authenticate(db, t3, 3001, &p, &e), PU_OK);
    assert_int_equal(acl_revoke_sessions(db, "svc", &nrev, &e), PU_OK);
    assert_int_equal(nrev, 0);
    assert_int_equal(acl_revoke_sessions(db, "nobody", &nrev, &e), PU_ERR_NOTFOUND);
    /* re-authentication counts like a login */
    assert_int_equal(acl_reauthenticate(db, "svc", "a brand new passphrase", NULL, 3002, &e), PU_OK);
    assert_int_equal(acl_reauthenticate(db, "svc", PW, NULL, 3002, &e), PU_ERR_DENIED);
    assert_string_equal(e.field, "password");
    db_close(db);
}

static void test_grants_two_person(void **state) {
    (void)state;
    db_t *db = fresh();
    pu_err e;
    assert_int_equal(acl_user_add(db, "adm1", "DEA", "admin", NULL, &e), PU_OK);
    assert_int_equal(acl_user_add(db, "adm2", "DEA", "admin", NULL, &e), PU_OK);
    assert_int_equal(acl_user_add(db, "fgradm", "FGR", "admin", NULL, &e), PU_OK);
    assert_int_equal(acl_user_add(db, "newbie", "DEA", ACL_ROLE_NONE, NULL, &e), PU_OK);
    acl_principal a1, a2, fa, nb;
    assert_int_equal(acl_user_get(db, "adm1", &a1, &e), PU_OK);
    assert_int_equal(acl_user_get(db, "adm2", &a2, &e), PU_OK);
    assert_int_equal(acl_user_get(db, "fgradm", &fa, &e), PU_OK);
    assert_int_equal(acl_user_get(db, "newbie", &nb, &e), PU_OK);
    assert_int_equal(nb.perms, 0);
    int64_t g1 = 0, g2 = 0, g3 = 0;
    assert_int_equal(acl_grant_request(db, &a1, "newbie", "analyst", 10, &g1, &e), PU_OK);
    assert_int_equal(acl_grant_request(db, &a1, "newbie", "king", 10, &g2, &e), PU_ERR_INVALID);
    assert_int_equal(acl_grant_request(db, &fa, "newbie", "analyst", 10, &g2, &e), PU_ERR_NOTFOUND);
    assert_int_equal(acl_grant_request(db, &nb, "newbie", "analyst", 10, &g2, &e), PU_ERR_DENIED);
    /* an admin asking case-data roles for itself */
    assert_int_equal(acl_grant_request(db, &a1, "adm1", "supervisor", 10, &g2, &e), PU_OK);
    acl_grant *v;
    size_t n;
    assert_int_equal(acl_grant_list(db, "DEA", &v, &n, &e), PU_OK);
    assert_int_equal(n, 2);
    free(v);
    assert_int_equal(acl_grant_list(db, "FGR", &v, &n, &e), PU_OK);
    assert_int_equal(n, 0);
    free(v);
    /* the requester cannot approve, nor the user itself, nor another agency */
    assert_int_equal(acl_grant_decide(db, &a1, g1, 1, 11, NULL, &e), PU_ERR_DENIED);
    assert_int_equal(acl_grant_decide(db, &fa, g1, 1, 11, NULL, &e), PU_ERR_NOTFOUND);
    assert_int_equal(acl_grant_request(db, &a2, "adm2", "analyst", 10, &g3, &e), PU_OK);
    assert_int_equal(acl_grant_decide(db, &a2, g2, 1, 11, NULL, &e), PU_OK); /* a2 approves a1's own request */
    assert_int_equal(acl_user_get(db, "adm1", &a1, &e), PU_OK);
    assert_string_equal(a1.role, "supervisor");
    /* a1 is no longer an admin: cannot decide a2's self-request */
    assert_int_equal(acl_grant_decide(db, &a1, g3, 1, 11, NULL, &e), PU_ERR_DENIED);
    assert_int_equal(acl_grant_decide(db, &a2, g3, 1, 11, NULL, &e), PU_ERR_DENIED); /* its own */
    assert_int_equal(acl_grant_decide(db, &a2, g1, 1, 12, NULL, &e), PU_OK);
    assert_int_equal(acl_user_get(db, "newbie", &nb, &e), PU_OK);
    assert_string_equal(nb.role, "analyst");
    assert_int_equal(acl_grant_decide(db, &a2, g1, 1, 12, NULL, &e), PU_ERR_NOTFOUND); /* decided */
    /* the framework operator (the CLI with the store file) may approve */
    acl_grant g;
    assert_int_equal(acl_grant_decide(db, NULL, g3, 0, 13, &g, &e), PU_OK);
    assert_string_equal(g.state, "rejected");
    assert_string_equal(g.decided_by, "operator");
    assert_int_equal(acl_user_get(db, "adm2", &a2, &e), PU_OK);
    assert_string_equal(a2.role, "admin");
    db_close(db);
}

static void test_password_policy(void **state) {
    (void)state;
    pu_err e;
    static const char *const refused[] = {"password1234", "Password2024!", "PASSWORD12345678", "qwertyqwertyqwerty",
                                          "aaaaaaaaaaaaaa", "123456789012", "iloveyou!!!!", "letmeinletmein",
                                          "1234567890123", "sunshine2026", NULL};
    for (size_t i = 0; refused[i]; i++) {
        if (acl_password_check("bob", refused[i], &e) == PU_OK) fail_msg("'%s' was accepted", refused[i]);
        assert_string_equal(e.field, "password");
    }
    assert_int_equal(acl_password_check("bob", "short", &e), PU_ERR_INVALID);
    assert_int_equal(acl_password_check("maria.lopez", "xx maria.lopez yy", &e), PU_ERR_INVALID);
    assert_int_equal(acl_password_check("bob", "correct horse battery", &e), PU_OK);
    assert_int_equal(acl_password_check("bob", "Tlaquepaque en mayo 7", &e), PU_OK);
    /* the list file is read (a word from the middle of john-data's list) */
    FILE *f = fopen(ACL_PASSWORD_BLOCKLIST, "r");
    if (f) {
        fclose(f);
        assert_int_equal(acl_password_check("bob", "snoopysnoopy", &e), PU_ERR_INVALID);
    }
    db_t *db = fresh();
    assert_int_equal(acl_user_add(db, "bob", "DEA", "analyst", "password12345", &e), PU_ERR_INVALID);
    db_close(db);
}

static void test_last_logon_notice(void **state) {
    (void)state;
    db_t *db = fresh();
    pu_err e;
    assert_int_equal(acl_user_add(db, "luz", "FGR", "analyst", PW, &e), PU_OK);
    acl_principal p;
    acl_logon_info info;
    char s[ACL_SECRET_MAX];
    acl_login_req rq = {"luz", PW, NULL, "10.1.1.1", 1000};
    assert_int_equal(acl_login2(db, &rq, &p, &info, s, &e), PU_OK);
    assert_int_equal(info.prev_time, 0); /* first login */
    assert_int_equal(acl_login(db, "luz", "not it at all", 1100, &p, s, &e), PU_ERR_DENIED);
    assert_int_equal(acl_login(db, "luz", "not it either", 1200, &p, s, &e), PU_ERR_DENIED);
    rq.source = "10.2.2.2";
    rq.now = 2000;
    assert_int_equal(acl_login2(db, &rq, &p, &info, s, &e), PU_OK);
    assert_true(info.prev_time == 1000);
    assert_string_equal(info.prev_source, "10.1.1.1");
    assert_int_equal(info.failed_since, 2);
    /* /me shows the same notice later */
    assert_int_equal(acl_logon_info_get(db, "luz", &info, &e), PU_OK);
    assert_true(info.prev_time == 1000);
    assert_int_equal(info.failed_since, 2);
    rq.now = 3000;
    assert_int_equal(acl_login2(db, &rq, &p, &info, s, &e), PU_OK);
    assert_true(info.prev_time == 2000);
    assert_string_equal(info.prev_source, "10.2.2.2");
    assert_int_equal(info.failed_since, 0);
    db_close(db);
}

/* ---- lockout under parallel guesses ---- */
#define GUESSERS 8
#define GUESSES_EACH 3

typedef struct guess_arg {
    const char *path;
    int evaluated;   /* answers that checked the password ("password") */
    int locked;
} guess_arg;

static void *guesser(void *p) {
    guess_arg *a = p;
    db_t *db;
    pu_err e;
    if (db_open(a->path, NULL, &db, &e) != PU_OK) return NULL;
    for (int i = 0; i < GUESSES_EACH; i++) {
        acl_principal pr;
        char s[ACL_SECRET_MAX];
        if (acl_login(db, "target", "guess guess guess", acl_now(), &pr, s, &e) == PU_ERR_DENIED) {
            if (strcmp(e.field, "password") == 0) a->evaluated++;
            else a->locked++;
        }
    }
    db_close(db);
    return NULL;
}

static void test_lockout_parallel(void **state) {
    (void)state;
    char path[] = "/tmp/puente-test-auth-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    db_t *db = fresh_at(path);
    pu_err e;
    assert_int_equal(acl_user_add(db, "target", "DEA", "analyst", PW, &e), PU_OK);
    pthread_t th[GUESSERS];
    guess_arg a[GUESSERS];
    for (int i = 0; i < GUESSERS; i++) {
        a[i] = (guess_arg){path, 0, 0};
        assert_int_equal(pthread_create(&th[i], NULL, guesser, &a[i]), 0);
    }
    int evaluated = 0, locked = 0;
    for (int i = 0; i < GUESSERS; i++) {
        pthread_join(th[i], NULL);
        evaluated += a[i].evaluated;
        locked += a[i].locked;
    }
    /* every guess is answered; only ACL_MAX_FAILURES of them reached the
     * password hash (failed_recent counts those): the others found every
     * attempt slot taken. A checked guess that ends after all slots are
     * taken answers "locked" too, so "password" answers are at most MAX-1. */
    assert_int_equal(evaluated + locked, GUESSERS * GUESSES_EACH);
    assert_true(evaluated <= ACL_MAX_FAILURES - 1);
    printf("# %d parallel guesses: %d answered 'password', %d 'locked'\n", GUESSERS * GUESSES_EACH, evaluated, locked);
    int64_t failed = -1;
    assert_int_equal(db_query_int64(db, "SELECT failed_recent FROM acl_user WHERE name = ?", "target", &failed, &e), PU_OK);
    assert_int_equal(failed, ACL_MAX_FAILURES);
    acl_principal p;
    char s[ACL_SECRET_MAX];
    assert_int_equal(acl_login(db, "target", PW, acl_now(), &p, s, &e), PU_ERR_DENIED);
    assert_string_equal(e.field, "locked");
    db_close(db);
    unlink(path);
    char aux[64];
    snprintf(aux, sizeof aux, "%s-wal", path);
    unlink(aux);
    snprintf(aux, sizeof aux, "%s-shm", path);
    unlink(aux);
}

/* ---- the same time for unknown, wrong and locked ---- */
#define TIMING_ROUNDS 15
#define TIMING_TOLERANCE 0.30 /* medians within 30% of each other */

static int cmp_d(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_d);
    return v[n / 2];
}

static void test_login_timing(void **state) {
    (void)state;
    db_t *db = fresh();
    pu_err e;
    assert_int_equal(acl_user_add(db, "wrong", "DEA", "analyst", PW, &e), PU_OK);
    assert_int_equal(acl_user_add(db, "locked", "DEA", "analyst", PW, &e), PU_OK);
    double t_unknown[TIMING_ROUNDS], t_wrong[TIMING_ROUNDS], t_locked[TIMING_ROUNDS];
    acl_principal p;
    char s[ACL_SECRET_MAX];
    int64_t now = acl_now();
    assert_int_equal(db_exec(db, "UPDATE acl_user SET failures = 5, locked_until = 9999999999 WHERE name = 'locked'", &e),
                     PU_OK);
    /* interleaved, so load on the machine hits the three alike */
    for (int i = 0; i < TIMING_ROUNDS; i++) {
        assert_int_equal(db_exec(db, "UPDATE acl_user SET failures = 0 WHERE name = 'wrong'", &e), PU_OK);
        double t0 = pu_monotonic();
        assert_int_equal(acl_login(db, "nobody", "some password here", now, &p, s, &e), PU_ERR_DENIED);
        double t1 = pu_monotonic();
        assert_int_equal(acl_login(db, "wrong", "some password here", now, &p, s, &e), PU_ERR_DENIED);
        double t2 = pu_monotonic();
        assert_int_equal(acl_login(db, "locked", "some password here", now, &p, s, &e), PU_ERR_DENIED);
        double t3 = pu_monotonic();
        t_unknown[i] = t1 - t0;
        t_wrong[i] = t2 - t1;
        t_locked[i] = t3 - t2;
    }
    double mu = median(t_unknown, TIMING_ROUNDS), mw = median(t_wrong, TIMING_ROUNDS),
           ml = median(t_locked, TIMING_ROUNDS);
    double lo = mu < mw ? (mu < ml ? mu : ml) : (mw < ml ? mw : ml);
    double hi = mu > mw ? (mu > ml ? mu : ml) : (mw > ml ? mw : ml);
    printf("# login medians: unknown %.1f ms, wrong %.1f ms, locked %.1f ms\n", mu * 1e3, mw * 1e3, ml * 1e3);
    assert_true(lo > 0);
    if (hi / lo > 1 + TIMING_TOLERANCE) fail_msg("login times differ: %.1f vs %.1f ms", lo * 1e3, hi * 1e3);
    db_close(db);
}

static void test_qr(void **state) {
    (void)state;
    pu_err e;
    pu_buf svg = PU_BUF_INIT((size_t)1 << 20), txt = PU_BUF_INIT((size_t)1 << 20);
    const char *uri = "otpauth://totp/Puente:ana?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Puente";
    assert_int_equal(acl_qr_svg(uri, &svg, &e), PU_OK);
    int size = 0;
    assert_int_equal(sscanf(pu_buf_str(&svg), "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d", &size), 1);
    int width = size - 8; /* 4 modules of quiet zone each side */
    assert_true(width >= 21 && (width - 21) % 4 == 0);
    assert_non_null(strstr(pu_buf_str(&svg), "</svg>"));
    /* the three finder patterns: module (4,4) of the image is dark */
    assert_non_null(strstr(pu_buf_str(&svg), "M4 4h1v1h-1z"));
    assert_int_equal(acl_qr_text(uri, &txt, &e), PU_OK);
    int lines = 0;
    for (const char *c = pu_buf_str(&txt); *c; c++) lines += *c == '\n';
    assert_int_equal(lines, (size + 1) / 2);
    pu_buf_free(&svg);
    pu_buf_free(&txt);
    char big[8000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    pu_buf b2 = PU_BUF_INIT((size_t)1 << 20);
    assert_int_equal(acl_qr_svg(big, &b2, &e), PU_ERR_LIMIT);
    pu_buf_free(&b2);
}

/* ---- the authentication cache follows the store's account generation ---- */
static int64_t account_gen(db_t *db) {
    int64_t g = -1;
    pu_err e;
    assert_int_equal(store_generation_get(db, ACL_GENERATION, &g, &e), PU_OK);
    return g;
}

/* Every acl_* change that can turn a yes into a no bumps the generation. */
static void test_account_generation_bumped(void **state) {
    (void)state;
    db_t *db = fresh();
    pu_err e;
    acl_principal p;
    char s1[ACL_SECRET_MAX], t1[ACL_SECRET_MAX];
    assert_int_equal(acl_user_add(db, "gen", "DEA", "analyst", PW, &e), PU_OK);
    int64_t g = account_gen(db);
    assert_int_equal(acl_user_set_disabled(db, "gen", 1, &e), PU_OK);
    assert_true(account_gen(db) > g), g = account_gen(db);
    assert_int_equal(acl_user_set_disabled(db, "gen", 0, &e), PU_OK);
    assert_true(account_gen(db) > g), g = account_gen(db);
    assert_int_equal(acl_user_set_role(db, "gen", "supervisor", &e), PU_OK);
    assert_true(account_gen(db) > g), g = account_gen(db);
    assert_int_equal(acl_user_set_password(db, "gen", "another long passphrase", &e), PU_OK);
    assert_true(account_gen(db) > g), g = account_gen(db);
    assert_int_equal(acl_login(db, "gen", "another long passphrase", 100, &p, s1, &e), PU_OK);
    assert_int_equal(account_gen(db), g); /* a new session changes no cached answer */
    assert_int_equal(acl_revoke(db, s1, &e), PU_OK);
    assert_true(account_gen(db) > g), g = account_gen(db);
    assert_int_equal(acl_revoke(db, s1, &e), PU_OK); /* already gone: nothing changed */
    assert_int_equal(account_gen(db), g);
    assert_int_equal(acl_login(db, "gen", "another long passphrase", 100, &p, s1, &e), PU_OK);
    int64_t n = 0;
    assert_int_equal(acl_revoke_sessions(db, p.user, &n, &e), PU_OK);
    assert_int_equal(n, 1);
    assert_true(account_gen(db) > g), g = account_gen(db);
    assert_int_equal(acl_token_create(db, "gen", 100, t1, &e), PU_OK);
    for (int i = 0; i < ACL_MAX_FAILURES - 1; i++) (void)acl_login(db, "gen", "wrong wrong wrong", 200, &p, s1, &e);
    assert_int_equal(account_gen(db), g); /* failures below the limit lock nothing */
    (void)acl_login(db, "gen", "wrong wrong wrong", 200, &p, s1, &e);
    assert_string_equal(e.field, "locked");
    assert_true(account_gen(db) > g), g = account_gen(db);
    assert_int_equal(acl_totp_reset(db, "gen", &e), PU_OK);
    assert_true(account_gen(db) > g);
    db_close(db);
}

/* Another process (a second connection that changes the rows and bumps the
 * generation, as the CLI's acl_* calls do in its own process: nothing
 * reaches this process's memory) is seen on the very next call, with a
 * cache lifetime far longer than the test. */
static void test_auth_cache_cross_process(void **state) {
    (void)state;
    char path[] = "/tmp/puente-test-authgen-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    db_t *a = fresh_at(path), *b;
    pu_err e;
    assert_int_equal(db_open(path, NULL, &b, &e), PU_OK);
    assert_int_equal(acl_user_add(a, "far", "FGR", "analyst", PW, &e), PU_OK);
    char tok[ACL_SECRET_MAX];
    assert_int_equal(acl_token_create(a, "far", acl_now(), tok, &e), PU_OK);
    acl_principal p;
    const unsigned ttl = 3600u * 1000u;
    int64_t now = acl_now();
    assert_int_equal(acl_authenticate_cached(a, tok, now, ttl, &p, &e), PU_OK);
    assert_string_equal(p.role, "analyst");
    /* the cache answers while nothing changed: prove it by a change that does
     * not bump the generation (SQL behind the acl_* functions' back) */
    db_stmt *st;
    assert_int_equal(db_prepare(b, "UPDATE acl_user SET role = 'supervisor' WHERE name = 'far'", &st, &e), PU_OK);
    assert_int_equal(db_step_done(st, &e), PU_OK);
    db_finalize(st);
    assert_int_equal(acl_authenticate_cached(a, tok, now, ttl, &p, &e), PU_OK);
    assert_string_equal(p.role, "analyst"); /* served from the cache */
    /* the same kind of change with the generation bumped, as every acl_*
     * change does: seen at once */
    assert_int_equal(db_begin(b, &e), PU_OK);
    assert_int_equal(db_prepare(b, "UPDATE acl_user SET disabled = 1 WHERE name = 'far'", &st, &e), PU_OK);
    assert_int_equal(db_step_done(st, &e), PU_OK);
    db_finalize(st);
    assert_int_equal(store_generation_bump(b, ACL_GENERATION, &e), PU_OK);
    assert_int_equal(db_commit(b, &e), PU_OK);
    assert_int_equal(acl_authenticate_cached(a, tok, now, ttl, &p, &e), PU_ERR_DENIED);
    db_close(b);
    db_close(a);
    unlink(path);
}

/* An administrator's password must be changed by the user: every secret of
 * the user may only change it until then; the user's own change lifts it. */
static void test_password_must_change(void **state) {
    (void)state;
    db_t *db = fresh();
    pu_err e;
    acl_principal p;
    acl_logon_info info;
    char s1[ACL_SECRET_MAX], s2[ACL_SECRET_MAX], t1[ACL_SECRET_MAX];
    assert_int_equal(acl_user_add(db, "eva", "FGR", "analyst", PW, &e), PU_OK);
    assert_int_equal(acl_login(db, "eva", PW, 100, &p, s1, &e), PU_OK);
    assert_false(p.pw_change);
    assert_true(p.perms & ACL_P_READ);
    /* the administrator's reset */
    assert_int_equal(acl_user_set_password(db, "eva", "an admin chose this one", &e), PU_OK);
    acl_login_req req = {"eva", "an admin chose this one", NULL, "test", 200};
    assert_int_equal(acl_login2(db, &req, &p, &info, s1, &e), PU_OK);
    assert_true(p.pw_change);
    assert_true(info.pw_change);
    assert_int_equal(p.perms, 0);
    assert_int_equal(acl_authenticate(db, s1, 201, &p, &e), PU_OK);
    assert_true(p.pw_change);
    assert_int_equal(p.perms, 0);
    assert_int_equal(acl_token_create(db, "eva", 201, t1, &e), PU_OK); /* the operator's token: limited too */
    assert_int_equal(acl_authenticate(db, t1, 202, &p, &e), PU_OK);
    assert_true(p.pw_change);
    assert_int_equal(p.perms, 0);
    assert_int_equal(acl_login(db, "eva", "an admin chose this one", 203, &p, s2, &e), PU_OK);
    /* refusals: wrong current (counted), same again, the policy */
    assert_int_equal(acl_password_change(db, "eva", "not the password", "a fresh passphrase", s1, 210, &e),
                     PU_ERR_DENIED);
    assert_string_equal(e.field, "current_password");
    assert_int_equal(acl_password_change(db, "eva", "an admin chose this one", "an admin chose this one", s1, 211, &e),
                     PU_ERR_INVALID);
    assert_string_equal(e.field, "new_password");
    assert_int_equal(acl_password_change(db, "eva", "an admin chose this one", "Password2024!", s1, 212, &e),
                     PU_ERR_INVALID);
    assert_string_equal(e.field, "new_password");
    assert_int_equal(acl_password_change(db, "eva", "an admin chose this one", NULL, s1, 212, &e), PU_ERR_INVALID);
    /* the user's own change: this session goes on, unrestricted; the others end */
    assert_int_equal(acl_password_change(db, "eva", "an admin chose this one", "a fresh passphrase", s1, 213, &e),
                     PU_OK);
    assert_int_equal(acl_authenticate(db, s1, 214, &p, &e), PU_OK);
    assert_false(p.pw_change);
    assert_true(p.perms & ACL_P_READ);
    assert_int_equal(acl_authenticate(db, s2, 214, &p, &e), PU_ERR_DENIED);
    assert_int_equal(acl_authenticate(db, t1, 214, &p, &e), PU_ERR_DENIED);
    assert_int_equal(acl_login(db, "eva", "a fresh passphrase", 215, &p, s2, &e), PU_OK);
    assert_false(p.pw_change);
    assert_true(p.perms & ACL_P_READ);
    /* a voluntary change never sets the state; require_change does */
    assert_int_equal(acl_password_change(db, "eva", "a fresh passphrase", "another fresh passphrase", NULL, 216, &e),
                     PU_OK);
    assert_int_equal(acl_login(db, "eva", "another fresh passphrase", 217, &p, s2, &e), PU_OK);
    assert_false(p.pw_change);
    assert_int_equal(acl_user_require_change(db, "eva", 1, &e), PU_OK);
    assert_int_equal(acl_authenticate(db, s2, 218, &p, &e), PU_OK);
    assert_true(p.pw_change);
    assert_int_equal(acl_user_require_change(db, "nobody", 1, &e), PU_ERR_NOTFOUND);
    db_close(db);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_totp_rfc6238_vectors),
        cmocka_unit_test(test_totp_enrol_login_replay_recovery),
        cmocka_unit_test(test_mfa_policy),
        cmocka_unit_test(test_tokens_and_sessions),
        cmocka_unit_test(test_grants_two_person),
        cmocka_unit_test(test_password_policy),
        cmocka_unit_test(test_last_logon_notice),
        cmocka_unit_test(test_lockout_parallel),
        cmocka_unit_test(test_login_timing),
        cmocka_unit_test(test_qr),
        cmocka_unit_test(test_account_generation_bumped),
        cmocka_unit_test(test_auth_cache_cross_process),
        cmocka_unit_test(test_password_must_change),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
