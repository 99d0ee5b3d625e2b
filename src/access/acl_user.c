/* acl_user.c - users, passwords, sessions and API tokens (see access.h). */
#include <ctype.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "access/access.h"
#include "access/access_int.h"

#define HASH_HEX (crypto_generichash_BYTES * 2 + 1)
#define SECRET_BYTES 32

static pthread_once_t sodium_once = PTHREAD_ONCE_INIT, dummy_once = PTHREAD_ONCE_INIT;
static int sodium_ok, dummy_ok;
/* An Argon2id hash of a random password: verifying against it when the user
 * does not exist makes unknown users cost as much as wrong passwords, so
 * response time does not reveal which user names exist. Made on first need
 * (it costs as much as a login), not by every command that touches users. */
static char dummy_hash[crypto_pwhash_STRBYTES];

static void sodium_setup(void) { sodium_ok = sodium_init() >= 0; }

static void dummy_setup(void) {
    unsigned char pw[16];
    randombytes_buf(pw, sizeof pw);
    dummy_ok = crypto_pwhash_str(dummy_hash, (const char *)pw, sizeof pw, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                 crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0;
}

static int need_sodium(pu_err *err) {
    pthread_once(&sodium_once, sodium_setup);
    return sodium_ok ? PU_OK : pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "libsodium could not be initialised");
}

int acl_sodium(pu_err *err) { return need_sodium(err); }

static int check_name(const char *name, pu_err *err) {
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n >= ACL_NAME_MAX)
        return pu_fail(err, PU_ERR_INVALID, NULL, "name", "expected 1-%d characters, got %zu", ACL_NAME_MAX - 1, n);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        if (!(islower(c) || isdigit(c) || c == '.' || c == '_' || c == '-' || c == '@'))
            return pu_fail(err, PU_ERR_INVALID, NULL, "name",
                           "expected lower-case letters, digits, '.', '_', '-' or '@', got '%s'", name);
    }
    return PU_OK;
}

static int hash_password(const char *user, const char *pw, char out[crypto_pwhash_STRBYTES], pu_err *err) {
    int rc = acl_password_check(user, pw, err);
    if (rc) return rc;
    size_t n = strlen(pw);
    rc = need_sodium(err);
    if (rc) return rc;
    if (crypto_pwhash_str(out, pw, n, crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return pu_fail(err, PU_ERR_NOMEM, NULL, "password", "Argon2id ran out of memory");
    return PU_OK;
}

/* Run one UPDATE/INSERT with text params (NULL = SQL NULL); *changed = rows. */
int acl_exec(db_t *db, const char *sql, const char *const *p, int np, int64_t *changed, pu_err *err) {
    db_stmt *st;
    int rc = db_prepare(db, sql, &st, err);
    if (rc) return rc;
    for (int i = 0; i < np; i++) {
        if (p[i]) db_bind_text(st, i + 1, p[i], -1);
        else db_bind_null(st, i + 1);
    }
    rc = db_step_done(st, err);
    db_finalize(st);
    if (rc) return rc;
    if (changed) *changed = db_changes(db);
    return PU_OK;
}

int acl_user_add(db_t *db, const char *name, const char *agency, const char *role, const char *password,
                 pu_err *err) {
    int rc = check_name(name, err);
    if (rc) return rc;
    if (!acl_role_storable(role))
        return pu_fail(err, PU_ERR_INVALID, NULL, "role",
                       "expected analyst, supervisor, forensic, tip-handler, protection-officer, admin or auditor, got '%s'",
                       role ? role : "");
    acl_agency a;
    if ((rc = acl_agency_get(db, agency, &a, err))) return rc;
    char hash[crypto_pwhash_STRBYTES];
    if (password && (rc = hash_password(name, password, hash, err))) return rc;
    char now[32];
    pu_now_iso(now, sizeof now);
    const char *p[] = {name, a.acronym, role, password ? hash : NULL, now};
    rc = acl_exec(db, "INSERT INTO acl_user(name, agency, role, pwhash, created) VALUES (?,?,?,?,?)", p, 5,
                     NULL, err);
    if (rc == PU_ERR_CONFLICT) return pu_fail(err, PU_ERR_CONFLICT, NULL, "name", "user '%s' already exists", name);
    return rc;
}

static int not_found(pu_err *err, const char *name) {
    return pu_fail(err, PU_ERR_NOTFOUND, NULL, "user", "no user '%s'", name ? name : "");
}

int acl_revoke_user(db_t *db, const char *name, pu_err *err) {
    const char *p[] = {name};
    int rc = acl_exec(db, "DELETE FROM acl_secret WHERE user_id = (SELECT id FROM acl_user WHERE name = ?)", p, 1, NULL,
                      err);
    return rc ? rc : acl_account_changed(db, err);
}

int acl_account_changed(db_t *db, pu_err *err) {
    acl_auth_cache_invalidate();
    return store_generation_bump(db, ACL_GENERATION, err);
}

static int revoke_sessions_of(db_t *db, int64_t user_id, int64_t *revoked, pu_err *err) {
    int own, rc;
    if (revoked) *revoked = 0;
    if ((rc = acl_tx_begin(db, &own, err))) return rc;
    db_stmt *st;
    if ((rc = db_prepare(db, "DELETE FROM acl_secret WHERE kind = 's' AND user_id = ?", &st, err)) == PU_OK) {
        db_bind_int64(st, 1, user_id);
        rc = db_step_done(st, err);
        db_finalize(st);
        if (rc == PU_OK && revoked) *revoked = db_changes(db);
    }
    if (rc == PU_OK) rc = acl_account_changed(db, err);
    return acl_tx_end(db, own, rc, err);
}

int acl_user_set_password(db_t *db, const char *name, const char *password, pu_err *err) {
    char hash[crypto_pwhash_STRBYTES];
    int rc = hash_password(name, password, hash, err);
    if (rc) return rc;
    int own;
    if ((rc = acl_tx_begin(db, &own, err))) return rc;
    const char *p[] = {hash, name};
    int64_t n = 0;
    /* set by someone else than the user: it must be changed at the next login */
    rc = acl_exec(db, "UPDATE acl_user SET pwhash = ?, failures = 0, locked_until = 0, pw_change = 1 WHERE name = ?", p,
                  2, &n, err);
    if (rc == PU_OK && n == 0) rc = not_found(err, name);
    /* a reset ends everything the old password (or its thief) opened */
    if (rc == PU_OK) rc = acl_revoke_user(db, name, err);
    rc = acl_tx_end(db, own, rc, err);
    acl_auth_cache_invalidate();
    return rc;
}

int acl_user_set_role(db_t *db, const char *name, const char *role, pu_err *err) {
    if (!acl_role_storable(role))
        return pu_fail(err, PU_ERR_INVALID, NULL, "role", "unknown role '%s'", role ? role : "");
    int own, rc;
    if ((rc = acl_tx_begin(db, &own, err))) return rc;
    const char *p[] = {role, name, role};
    int64_t n = 0;
    rc = acl_exec(db, "UPDATE acl_user SET role = ? WHERE name = ? AND role <> ?", p, 3, &n, err);
    if (rc == PU_OK && n == 0) {
        acl_principal u;
        rc = acl_user_get(db, name, &u, err); /* unchanged, or no such user */
    } else if (rc == PU_OK) {
        /* secrets were issued for the old role (and its second-factor policy) */
        rc = acl_revoke_user(db, name, err);
    }
    rc = acl_tx_end(db, own, rc, err);
    acl_auth_cache_invalidate();
    return rc;
}

int acl_user_set_disabled(db_t *db, const char *name, int disabled, pu_err *err) {
    int own, rc;
    if ((rc = acl_tx_begin(db, &own, err))) return rc;
    const char *p[] = {disabled ? "1" : "0", name};
    int64_t n = 0;
    rc = acl_exec(db, "UPDATE acl_user SET disabled = ? WHERE name = ?", p, 2, &n, err);
    if (rc == PU_OK && n == 0) rc = not_found(err, name);
    if (rc == PU_OK) rc = disabled ? acl_revoke_user(db, name, err) : acl_account_changed(db, err);
    rc = acl_tx_end(db, own, rc, err);
    acl_auth_cache_invalidate();
    return rc;
}

#define PRINCIPAL_SQL                                                                                                \
    "SELECT u.id, u.name, u.agency, a.country, u.role, u.pwhash, u.failures, u.locked_until, u.disabled, "        \
    "u.totp_on, u.login_at, u.login_src, u.failed_recent, u.prev_login_at, u.prev_login_src, u.failed_before, "     \
    "u.pw_change "                                                                                                  \
    "FROM acl_user u JOIN acl_agency a ON a.acronym = u.agency "

typedef struct user_row {
    acl_principal p;
    char pwhash[crypto_pwhash_STRBYTES];
    int64_t failures, locked_until, disabled, totp_on;
    int64_t login_at, failed_recent, prev_login_at, failed_before;
    char login_src[64], prev_login_src[64];
} user_row;

static void principal_from_row(db_stmt *st, user_row *r) {
    memset(r, 0, sizeof *r);
    r->p.user_id = db_col_int64(st, 0);
    pu_strlcpy(r->p.user, db_col_text(st, 1), sizeof r->p.user);
    pu_strlcpy(r->p.agency, db_col_text(st, 2), sizeof r->p.agency);
    pu_strlcpy(r->p.country, db_col_text(st, 3), sizeof r->p.country);
    pu_strlcpy(r->p.role, db_col_text(st, 4), sizeof r->p.role);
    r->p.perms = acl_role_perms(r->p.role);
    pu_strlcpy(r->pwhash, db_col_text(st, 5), sizeof r->pwhash);
    r->failures = db_col_int64(st, 6);
    r->locked_until = db_col_int64(st, 7);
    r->disabled = db_col_int64(st, 8);
    r->totp_on = db_col_int64(st, 9);
    r->login_at = db_col_int64(st, 10);
    pu_strlcpy(r->login_src, db_col_text(st, 11), sizeof r->login_src);
    r->failed_recent = db_col_int64(st, 12);
    r->prev_login_at = db_col_int64(st, 13);
    pu_strlcpy(r->prev_login_src, db_col_text(st, 14), sizeof r->prev_login_src);
    r->failed_before = db_col_int64(st, 15);
    r->p.pw_change = db_col_int64(st, 16) != 0;
}

/* One user by a WHERE clause with one parameter; PU_ERR_NOTFOUND when none. */
static int load_user(db_t *db, const char *where, const char *param, int64_t iparam, user_row *out, pu_err *err) {
    char sql[768];
    snprintf(sql, sizeof sql, "%s%s", PRINCIPAL_SQL, where);
    db_stmt *st;
    int rc = db_prepare(db, sql, &st, err);
    if (rc) return rc;
    if (param) db_bind_text(st, 1, param, -1);
    else db_bind_int64(st, 1, iparam);
    rc = db_step(st, err);
    if (rc == DB_ROW) {
        principal_from_row(st, out);
        rc = PU_OK;
    } else if (rc == DB_DONE) {
        rc = not_found(err, param);
    }
    db_finalize(st);
    return rc;
}

int acl_user_get(db_t *db, const char *name, acl_principal *out, pu_err *err) {
    user_row r;
    int rc = load_user(db, "WHERE u.name = ?", name ? name : "", 0, &r, err);
    if (rc == PU_OK) *out = r.p;
    sodium_memzero(&r, sizeof r);
    return rc;
}

int acl_logon_info_get(db_t *db, const char *user, acl_logon_info *out, pu_err *err) {
    user_row r;
    memset(out, 0, sizeof *out);
    int rc = load_user(db, "WHERE u.name = ?", user ? user : "", 0, &r, err);
    if (rc == PU_OK) {
        out->prev_time = r.prev_login_at;
        pu_strlcpy(out->prev_source, r.prev_login_src, sizeof out->prev_source);
        out->failed_since = r.failed_before;
        out->mfa = r.totp_on ? ACL_MFA_USED : acl_mfa_required(db, r.p.role) ? ACL_MFA_ENROL : ACL_MFA_NONE;
        out->pw_change = r.p.pw_change;
    }
    sodium_memzero(&r, sizeof r);
    return rc;
}

int acl_user_list(db_t *db, const char *agency, acl_principal **out, size_t *n, pu_err *err) {
    *out = NULL;
    *n = 0;
    db_stmt *st;
    int rc = db_prepare(db, agency ? PRINCIPAL_SQL "WHERE u.agency = ? ORDER BY u.name" : PRINCIPAL_SQL "ORDER BY u.name",
                        &st, err);
    if (rc) return rc;
    if (agency) db_bind_text(st, 1, agency, -1);
    acl_principal *v = NULL;
    size_t len = 0, cap = 0;
    while ((rc = db_step(st, err)) == DB_ROW) {
        if (len == cap) {
            size_t nc = cap ? cap * 2 : 16;
            acl_principal *nv = realloc(v, nc * sizeof *nv);
            if (!nv) {
                rc = pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
                break;
            }
            v = nv;
            cap = nc;
        }
        user_row r;
        principal_from_row(st, &r);
        v[len++] = r.p;
        sodium_memzero(&r, sizeof r);
    }
    db_finalize(st);
    if (rc != DB_DONE) {
        free(v);
        return rc;
    }
    *out = v;
    *n = len;
    return PU_OK;
}

/* ---- secrets ---- */
void acl_secret_hash(const char *secret, char hex[HASH_HEX]) {
    unsigned char h[crypto_generichash_BYTES];
    crypto_generichash(h, sizeof h, (const unsigned char *)secret, strlen(secret), NULL, 0);
    sodium_bin2hex(hex, HASH_HEX, h, sizeof h);
}
#define secret_hash acl_secret_hash

/* What a new secret may do besides identify its user. */
typedef struct secret_opts {
    int64_t expires;   /* tokens: absolute end; sessions: 0 (their limits are the idle and absolute ones) */
    int readonly;      /* tokens: no write permissions */
    int limited;       /* sessions: may only enrol a second factor */
} secret_opts;

/* New random secret "pt_..." (token) or "ps_..." (session), stored hashed. */
static int secret_create(db_t *db, int64_t user_id, char kind, int64_t now, const secret_opts *o,
                         char out[ACL_SECRET_MAX], pu_err *err) {
    int rc = need_sodium(err);
    if (rc) return rc;
    unsigned char raw[SECRET_BYTES];
    randombytes_buf(raw, sizeof raw);
    char b64[sodium_base64_ENCODED_LEN(SECRET_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
    sodium_bin2base64(b64, sizeof b64, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
    char secret[ACL_SECRET_MAX];
    snprintf(secret, sizeof secret, "p%c_%s", kind, b64);
    char hex[HASH_HEX], prefix[12];
    secret_hash(secret, hex);
    pu_strlcpy(prefix, secret, sizeof prefix);
    db_stmt *st;
    if ((rc = db_prepare(db,
                         "INSERT INTO acl_secret(hash, kind, user_id, prefix, created, last_used, expires, readonly, "
                         "limited) VALUES (?,?,?,?,?,?,?,?,?)",
                         &st, err)))
        return rc;
    char k[2] = {kind, 0};
    db_bind_text(st, 1, hex, -1);
    db_bind_text(st, 2, k, -1);
    db_bind_int64(st, 3, user_id);
    db_bind_text(st, 4, prefix, -1);
    db_bind_int64(st, 5, now);
    db_bind_int64(st, 6, now);
    db_bind_int64(st, 7, o->expires);
    db_bind_int64(st, 8, o->readonly ? 1 : 0);
    db_bind_int64(st, 9, o->limited ? 1 : 0);
    rc = db_step_done(st, err);
    db_finalize(st);
    if (rc) return rc;
    pu_strlcpy(out, secret, ACL_SECRET_MAX);
    sodium_memzero(secret, sizeof secret);
    return PU_OK;
}

int acl_token_create2(db_t *db, const char *user, int64_t now, const acl_token_opts *o, char token[ACL_SECRET_MAX],
                      int64_t *expires, pu_err *err) {
    int64_t days = o ? o->days : 0;
    if (days == 0) {
        char v[32];
        if (acl_setting_get(db, "token-days", v, sizeof v, NULL) == PU_OK) days = strtoll(v, NULL, 10);
        if (days < 1 || days > ACL_TOKEN_DAYS_MAX) days = ACL_TOKEN_DAYS_DEFAULT;
    }
    if (days < 1 || days > ACL_TOKEN_DAYS_MAX)
        return pu_fail(err, PU_ERR_INVALID, NULL, "expires_days", "expected 1-%d days, got %lld", ACL_TOKEN_DAYS_MAX,
                       (long long)days);
    user_row r;
    int rc = load_user(db, "WHERE u.name = ?", user ? user : "", 0, &r, err);
    if (rc) return rc;
    if (r.disabled) return pu_fail(err, PU_ERR_DENIED, NULL, "user", "user '%s' is disabled", user);
    secret_opts so = {now + days * 86400, o && o->read_only, 0};
    rc = secret_create(db, r.p.user_id, 't', now, &so, token, err);
    if (rc == PU_OK && expires) *expires = so.expires;
    return rc;
}

int acl_token_create(db_t *db, const char *user, int64_t now, char token[ACL_SECRET_MAX], pu_err *err) {
    return acl_token_create2(db, user, now, NULL, token, NULL, err);
}

static int denied(pu_err *err, const char *why) {
    return pu_fail(err, PU_ERR_DENIED, NULL, why, "invalid credentials or account locked");
}

static int exec_ints(db_t *db, const char *sql, const int64_t *v, int n, int64_t *changed, pu_err *err) {
    db_stmt *st;
    int rc = db_prepare(db, sql, &st, err);
    if (rc) return rc;
    for (int i = 0; i < n; i++) db_bind_int64(st, i + 1, v[i]);
    rc = db_step_done(st, err);
    db_finalize(st);
    if (rc == PU_OK && changed) *changed = db_changes(db);
    return rc;
}

/* Count an attempt before the password is checked, in one statement: the
 * count can then never be passed by guesses running in parallel (each takes
 * its slot first). Taking the last slot also sets the lock: if that attempt
 * succeeds the success clears it, and if the process dies (or the store
 * fails) before the attempt's outcome is written, the account is locked for
 * ACL_LOCK_SECONDS, never for good. An expired lock starts a new count.
 * 0 rows = locked. */
static int reserve_attempt(db_t *db, int64_t user_id, int64_t now, int *reserved, pu_err *err) {
    const int64_t v[] = {ACL_MAX_FAILURES, now + ACL_LOCK_SECONDS, user_id, now, ACL_MAX_FAILURES};
    int64_t n = 0;
    int rc = exec_ints(db,
                       "UPDATE acl_user SET failures = CASE WHEN locked_until > 0 THEN 1 ELSE failures + 1 END, "
                       "locked_until = CASE WHEN locked_until = 0 AND failures + 1 >= ? THEN ? ELSE 0 END "
                       "WHERE id = ? AND locked_until <= ? AND (failures < ? OR locked_until > 0)",
                       v, 5, &n, err);
    *reserved = n > 0;
    return rc;
}

/* A failed attempt: the slot stays taken; the last slot locks the account. */
static int record_failure(db_t *db, int64_t user_id, int64_t now, int *locked, pu_err *err) {
    const int64_t v[] = {ACL_MAX_FAILURES, now + ACL_LOCK_SECONDS, user_id, ACL_MAX_FAILURES};
    int64_t n = 0;
    int own;
    *locked = 0;
    int rc = acl_tx_begin(db, &own, err);
    if (rc) return rc;
    rc = exec_ints(db,
                       "UPDATE acl_user SET failed_recent = failed_recent + 1, "
                       "locked_until = CASE WHEN failures >= ? THEN ? ELSE locked_until END "
                       "WHERE id = ? AND failures >= ?",
                       v, 4, &n, err);
    *locked = n > 0;
    if (rc == PU_OK && !n) {
        const int64_t w[] = {user_id};
        rc = exec_ints(db, "UPDATE acl_user SET failed_recent = failed_recent + 1 WHERE id = ?", w, 1, NULL, err);
    }
    if (rc == PU_OK && n) rc = acl_account_changed(db, err); /* a lock also stops the user's tokens */
    return acl_tx_end(db, own, rc, err);
}

/* Verify the password; the same Argon2id work whether or not the account
 * exists, is locked or is disabled (the dummy hash stands in). */
static int verify_password(const char *hash, const char *password) {
    size_t n = password ? strlen(password) : 0;
    if (n > ACL_PASSWORD_MAX) n = ACL_PASSWORD_MAX;
    if (!hash || !hash[0]) {
        pthread_once(&dummy_once, dummy_setup);
        int ignored = dummy_ok ? crypto_pwhash_str_verify(dummy_hash, password ? password : "", n) : 0;
        (void)ignored;
        return 0;
    }
    return password && crypto_pwhash_str_verify(hash, password, n) == 0;
}

/* The successful login's bookkeeping: the lock count cleared, the notice rotated. */
static int record_success(db_t *db, const user_row *r, const char *source, int64_t now, pu_err *err) {
    db_stmt *st;
    int rc = db_prepare(db,
                        "UPDATE acl_user SET failures = 0, locked_until = 0, prev_login_at = login_at, "
                        "prev_login_src = login_src, login_at = ?, login_src = ?, failed_before = failed_recent, "
                        "failed_recent = 0 WHERE id = ?",
                        &st, err);
    if (rc) return rc;
    db_bind_int64(st, 1, now);
    db_bind_text(st, 2, source ? source : "", -1);
    db_bind_int64(st, 3, r->p.user_id);
    rc = db_step_done(st, err);
    db_finalize(st);
    return rc;
}

/* Password (+ code) of a known user, with the attempt counted first.
 * PU_OK when both are right; PU_ERR_DENIED with field password/code/locked. */
static int check_credentials(db_t *db, const user_row *r, const char *password, const char *code, int need_code,
                             int64_t now, pu_err *err) {
    int reserved = 0;
    int rc = reserve_attempt(db, r->p.user_id, now, &reserved, err);
    if (rc) return rc;
    if (!reserved) {
        (void)verify_password(r->pwhash, password); /* same time as a real check */
        return denied(err, "locked");
    }
    const char *why = NULL;
    if (!verify_password(r->pwhash, password)) why = "password";
    else if (need_code && r->totp_on && (!code || !*code)) why = "code";
    else if (need_code && r->totp_on && acl_totp_verify(db, r->p.user_id, code, now, NULL) != PU_OK) why = "code";
    if (!why) return PU_OK;
    int locked;
    if ((rc = record_failure(db, r->p.user_id, now, &locked, err))) return rc;
    if (strcmp(why, "code") == 0)
        return pu_fail(err, PU_ERR_DENIED, NULL, locked ? "locked" : "code",
                       code && *code ? "the second-factor code is wrong or was already used"
                                     : "this account needs a second-factor code ('code')");
    return denied(err, locked ? "locked" : why);
}

int acl_login2(db_t *db, const acl_login_req *req, acl_principal *out, acl_logon_info *info,
               char session[ACL_SECRET_MAX], pu_err *err) {
    int rc = need_sodium(err);
    if (rc) return rc;
    user_row r;
    pu_err e2;
    rc = load_user(db, "WHERE u.name = ?", req->user ? req->user : "", 0, &r, &e2);
    if (rc == PU_ERR_NOTFOUND || (rc == PU_OK && (r.disabled || !r.pwhash[0]))) {
        (void)verify_password(NULL, req->password); /* same work as a real check, then the same answer */
        sodium_memzero(&r, sizeof r);
        return denied(err, "user");
    }
    if (rc) {
        if (err) *err = e2;
        return rc;
    }
    rc = check_credentials(db, &r, req->password, req->code, 1, req->now, err);
    if (rc) {
        sodium_memzero(&r, sizeof r);
        return rc;
    }
    int enrol = !r.totp_on && acl_mfa_required(db, r.p.role);
    int own;
    if ((rc = acl_tx_begin(db, &own, err)) == PU_OK) {
        rc = record_success(db, &r, req->source, req->now, err);
        secret_opts so = {0, 0, enrol};
        if (rc == PU_OK) rc = secret_create(db, r.p.user_id, 's', req->now, &so, session, err);
        rc = acl_tx_end(db, own, rc, err);
    }
    if (rc == PU_OK) {
        *out = r.p;
        out->mfa_pending = enrol;
        if (enrol || out->pw_change) out->perms = 0;
        out->expires = req->now + ACL_SESSION_ABSOLUTE;
        if (info) {
            memset(info, 0, sizeof *info);
            info->prev_time = r.login_at;
            pu_strlcpy(info->prev_source, r.login_src, sizeof info->prev_source);
            info->failed_since = r.failed_recent;
            info->mfa = r.totp_on ? ACL_MFA_USED : enrol ? ACL_MFA_ENROL : ACL_MFA_NONE;
            info->pw_change = r.p.pw_change;
        }
    }
    sodium_memzero(&r, sizeof r);
    return rc;
}

int acl_login(db_t *db, const char *name, const char *password, int64_t now, acl_principal *out,
              char session[ACL_SECRET_MAX], pu_err *err) {
    acl_login_req req = {name, password, NULL, NULL, now};
    return acl_login2(db, &req, out, NULL, session, err);
}

/* The enabled account `user` that has a password, into *r; an unknown,
 * disabled or token-only account costs the same hash work and answers
 * denied on `field` (no account name is confirmed by a faster answer).
 * Errors: PU_ERR_DENIED, PU_ERR_DB. */
static int load_password_user(db_t *db, const char *user, const char *password, const char *field, user_row *r,
                              pu_err *err) {
    pu_err e2;
    int rc = load_user(db, "WHERE u.name = ?", user ? user : "", 0, r, &e2);
    if (rc == PU_ERR_NOTFOUND || (rc == PU_OK && (r->disabled || !r->pwhash[0]))) {
        (void)verify_password(NULL, password);
        sodium_memzero(r, sizeof *r);
        return denied(err, field);
    }
    if (rc && err) *err = e2;
    return rc;
}

int acl_reauthenticate(db_t *db, const char *user, const char *password, const char *code, int64_t now,
                       pu_err *err) {
    int rc = need_sodium(err);
    if (rc) return rc;
    user_row r;
    if ((rc = load_password_user(db, user, password, "password", &r, err))) return rc;
    rc = check_credentials(db, &r, password, code, 1, now, err);
    if (rc == PU_OK) {
        const int64_t v[] = {r.p.user_id};
        rc = exec_ints(db, "UPDATE acl_user SET failures = 0 WHERE id = ?", v, 1, NULL, err);
    }
    sodium_memzero(&r, sizeof r);
    return rc;
}

/* ---- the password change an administrator's password asks for ---- */
int acl_user_require_change(db_t *db, const char *name, int on, pu_err *err) {
    int own, rc;
    if ((rc = acl_tx_begin(db, &own, err))) return rc;
    const char *p[] = {on ? "1" : "0", name};
    int64_t n = 0;
    rc = acl_exec(db, "UPDATE acl_user SET pw_change = ? WHERE name = ?", p, 2, &n, err);
    if (rc == PU_OK && n == 0) rc = not_found(err, name);
    if (rc == PU_OK) rc = acl_account_changed(db, err); /* cached answers carry the state */
    return acl_tx_end(db, own, rc, err);
}

static int change_stored(db_t *db, int64_t user_id, const char *hash, const char *keep_secret, pu_err *err) {
    db_stmt *st;
    int rc = db_prepare(db, "UPDATE acl_user SET pwhash = ?, pw_change = 0, failures = 0, locked_until = 0 WHERE id = ?",
                        &st, err);
    if (rc) return rc;
    db_bind_text(st, 1, hash, -1);
    db_bind_int64(st, 2, user_id);
    rc = db_step_done(st, err);
    db_finalize(st);
    if (rc) return rc;
    /* every other secret the old password opened ends; the session that made
     * the change goes on (no second login right after the change) */
    char keep[HASH_HEX] = "";
    if (keep_secret) secret_hash(keep_secret, keep);
    if ((rc = db_prepare(db, "DELETE FROM acl_secret WHERE user_id = ? AND hash <> ?", &st, err))) return rc;
    db_bind_int64(st, 1, user_id);
    db_bind_text(st, 2, keep, -1);
    rc = db_step_done(st, err);
    db_finalize(st);
    return rc ? rc : acl_account_changed(db, err);
}

int acl_password_change(db_t *db, const char *user, const char *current, const char *next, const char *keep_secret,
                        int64_t now, pu_err *err) {
    if (!next) return pu_fail(err, PU_ERR_INVALID, NULL, "new_password", "a new password is required");
    int rc = need_sodium(err);
    if (rc) return rc;
    user_row r;
    if ((rc = load_password_user(db, user, current, "current_password", &r, err))) return rc;
    /* the current password, counted like a login (a stolen session cannot
     * guess it); the second factor was given when the session was opened */
    rc = check_credentials(db, &r, current, NULL, 0, now, err);
    if (rc == PU_ERR_DENIED && err && strcmp(err->field, "password") == 0)
        pu_strlcpy(err->field, "current_password", sizeof err->field);
    if (rc == PU_OK) { /* the attempt succeeded: its slot (and a lock it set) is released */
        const int64_t v[] = {r.p.user_id};
        rc = exec_ints(db, "UPDATE acl_user SET failures = 0, locked_until = 0 WHERE id = ?", v, 1, NULL, err);
    }
    char hash[crypto_pwhash_STRBYTES] = "";
    if (rc == PU_OK && next && current && strcmp(next, current) == 0)
        rc = pu_fail(err, PU_ERR_INVALID, NULL, "new_password", "the new password must differ from the current one");
    if (rc == PU_OK && (rc = hash_password(r.p.user, next, hash, err)) == PU_ERR_INVALID && err)
        pu_strlcpy(err->field, "new_password", sizeof err->field);
    int own;
    if (rc == PU_OK && (rc = acl_tx_begin(db, &own, err)) == PU_OK) {
        rc = change_stored(db, r.p.user_id, hash, keep_secret, err);
        rc = acl_tx_end(db, own, rc, err);
    }
    sodium_memzero(&r, sizeof r);
    sodium_memzero(hash, sizeof hash);
    return rc;
}

int acl_authenticate(db_t *db, const char *secret, int64_t now, acl_principal *out, pu_err *err) {
    if (!secret || strlen(secret) >= ACL_SECRET_MAX || !(pu_starts_with(secret, "pt_") || pu_starts_with(secret, "ps_")))
        return denied(err, "token");
    char hex[HASH_HEX];
    secret_hash(secret, hex);
    /* one statement: this runs on every request */
    db_stmt *st;
    int rc = db_prepare(db, "SELECT s.id, s.kind, s.last_used, u.id, u.name, u.agency, a.country, u.role, u.disabled, "
                            "s.created, s.expires, s.readonly, s.limited, u.locked_until, u.pw_change "
                            "FROM acl_secret s JOIN acl_user u ON u.id = s.user_id "
                            "JOIN acl_agency a ON a.acronym = u.agency WHERE s.hash = ?",
                        &st, err);
    if (rc) return rc;
    db_bind_text(st, 1, hex, -1);
    rc = db_step(st, err);
    int64_t sid = 0, last = 0, disabled = 0, created = 0, expires = 0, locked_until = 0;
    char kind = 0;
    acl_principal p;
    memset(&p, 0, sizeof p);
    if (rc == DB_ROW) {
        sid = db_col_int64(st, 0);
        kind = db_col_text(st, 1)[0];
        last = db_col_int64(st, 2);
        p.user_id = db_col_int64(st, 3);
        pu_strlcpy(p.user, db_col_text(st, 4), sizeof p.user);
        pu_strlcpy(p.agency, db_col_text(st, 5), sizeof p.agency);
        pu_strlcpy(p.country, db_col_text(st, 6), sizeof p.country);
        pu_strlcpy(p.role, db_col_text(st, 7), sizeof p.role);
        p.perms = acl_role_perms(p.role);
        disabled = db_col_int64(st, 8);
        created = db_col_int64(st, 9);
        expires = db_col_int64(st, 10);
        p.read_only = db_col_int64(st, 11) != 0;
        p.mfa_pending = db_col_int64(st, 12) != 0;
        locked_until = db_col_int64(st, 13);
        p.pw_change = db_col_int64(st, 14) != 0;
    }
    db_finalize(st);
    if (rc == DB_DONE) return denied(err, "token");
    if (rc != DB_ROW) return rc;
    if (kind == 's' && (now - last > ACL_SESSION_IDLE || now - created > ACL_SESSION_ABSOLUTE)) {
        (void)acl_revoke(db, secret, NULL);
        return denied(err, "session");
    }
    if (kind == 't' && expires > 0 && now >= expires) return denied(err, "expired");
    if (disabled) return denied(err, "user");
    if (locked_until > now) return denied(err, "locked");
    if (p.read_only) p.perms &= ~(ACL_P_WRITE | ACL_P_DELETE | ACL_P_REVIEW | ACL_P_ADMIN);
    if (p.mfa_pending || p.pw_change) p.perms = 0;
    p.expires = kind == 's' ? created + ACL_SESSION_ABSOLUTE : expires;
    /* Touch the idle clock at most once a minute: a write per request would
     * serialise every reader on the store's write lock. */
    if (kind == 's' && now - last >= 60 && db_prepare(db, "UPDATE acl_secret SET last_used = ? WHERE id = ?", &st, NULL) == PU_OK) {
        db_bind_int64(st, 1, now);
        db_bind_int64(st, 2, sid);
        (void)db_step(st, NULL);
        db_finalize(st);
    }
    *out = p;
    return PU_OK;
}

int acl_revoke(db_t *db, const char *secret, pu_err *err) {
    if (!secret) return PU_OK;
    char hex[HASH_HEX];
    secret_hash(secret, hex);
    const char *p[] = {hex};
    int own;
    int64_t n = 0;
    int rc = acl_tx_begin(db, &own, err);
    if (rc) return rc;
    rc = acl_exec(db, "DELETE FROM acl_secret WHERE hash = ?", p, 1, &n, err);
    if (rc == PU_OK && n) rc = acl_account_changed(db, err);
    return acl_tx_end(db, own, rc, err);
}

int acl_revoke_sessions(db_t *db, const char *user, int64_t *n, pu_err *err) {
    acl_principal p;
    if (n) *n = 0;
    int rc = acl_user_get(db, user, &p, err);
    return rc ? rc : revoke_sessions_of(db, p.user_id, n, err);
}

/* ---- authentication cache (contract in access.h) ---- */
#define AUTH_SLOTS 1024u /* power of two; a collision just evicts */

typedef struct auth_slot {
    char hash[HASH_HEX];   /* "" = empty */
    acl_principal p;
    char kind;             /* 't' token, 's' session */
    int64_t last_used;     /* sessions: the idle clock as read */
    double expires;        /* pu_monotonic() seconds: the age bound */
    unsigned gen;          /* auth_gen when the store was read */
    int64_t store_gen;     /* the store's ACL_GENERATION when it was read */
} auth_slot;

static pthread_mutex_t auth_mu = PTHREAD_MUTEX_INITIALIZER;
static auth_slot auth_slots[AUTH_SLOTS];
static atomic_uint auth_gen;

void acl_auth_cache_invalidate(void) { atomic_fetch_add(&auth_gen, 1); }

static auth_slot *auth_slot_of(const char *hex) {
    unsigned v = 0;
    for (int i = 0; i < 8 && hex[i]; i++) v = v * 16 + (unsigned)(hex[i] <= '9' ? hex[i] - '0' : hex[i] - 'a' + 10);
    return &auth_slots[v & (AUTH_SLOTS - 1)];
}

/* Would acl_authenticate still say yes at `now` to what it said then? The
 * clock-driven refusals (token expiry, the session's absolute limit) are
 * checked here; the idle clock is the store's (a session due for its touch
 * goes there). Every other refusal follows a change, which moved the
 * generation. */
static int auth_still_valid(const auth_slot *s, int64_t now) {
    if (s->kind == 's') return now - s->last_used < 60 && (s->p.expires == 0 || now < s->p.expires);
    return s->p.expires == 0 || now < s->p.expires;
}

/* 1 and *out filled if an answer read at store generation sgen is cached. */
static int auth_lookup(const char *hex, int64_t sgen, int64_t now, acl_principal *out) {
    int hit = 0;
    pthread_mutex_lock(&auth_mu);
    const auth_slot *s = auth_slot_of(hex);
    if (s->hash[0] && strcmp(s->hash, hex) == 0 && s->gen == atomic_load(&auth_gen) && s->store_gen == sgen &&
        pu_monotonic() < s->expires && auth_still_valid(s, now)) {
        *out = s->p;
        hit = 1;
    }
    pthread_mutex_unlock(&auth_mu);
    return hit;
}

static void auth_store(const char *hex, const acl_principal *p, char kind, int64_t last, unsigned gen, int64_t sgen,
                       unsigned ttl_ms) {
    pthread_mutex_lock(&auth_mu);
    auth_slot *s = auth_slot_of(hex);
    pu_strlcpy(s->hash, hex, sizeof s->hash);
    s->p = *p;
    s->kind = kind;
    s->last_used = last;
    s->expires = pu_monotonic() + ttl_ms / 1000.0;
    s->gen = gen;
    s->store_gen = sgen;
    pthread_mutex_unlock(&auth_mu);
}

int acl_authenticate_cached(db_t *db, const char *secret, int64_t now, unsigned ttl_ms, acl_principal *out,
                            pu_err *err) {
    if (!ttl_ms || !secret || strlen(secret) >= ACL_SECRET_MAX) return acl_authenticate(db, secret, now, out, err);
    /* the store's account generation: every change to accounts, sessions or
     * tokens, by any process, bumps it in the transaction that makes the
     * change; one indexed row read (docs/PERFORMANCE.md, "Security") */
    int64_t sgen = 0;
    if (store_generation_get(db, ACL_GENERATION, &sgen, NULL) != PU_OK)
        return acl_authenticate(db, secret, now, out, err); /* no cache without the generation */
    char hex[HASH_HEX];
    secret_hash(secret, hex);
    if (auth_lookup(hex, sgen, now, out)) return PU_OK;
    /* the generations are taken before the read: a change committed
     * meanwhile moves them, and the answer stored below is then never used */
    unsigned gen = atomic_load(&auth_gen);
    int rc = acl_authenticate(db, secret, now, out, err);
    if (rc == PU_OK) auth_store(hex, out, secret[1] == 's' ? 's' : 't', now, gen, sgen, ttl_ms);
    return rc;
}
