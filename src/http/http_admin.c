/* http_admin.c - health, version, login/logout, agencies, users, tokens and
 * the audit trail over HTTP. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "federation/federation.h"
#include "http/http_int.h"

static const char *const no_args[] = {NULL};

/* The federation block of the health route, computed at most once per
 * FED_HEALTH_TTL_S per process: health is polled by load balancers and is the
 * trivial endpoint of the benchmarks, and a node's status costs several
 * catalogue queries. NULL: not a node (or SQLite). */
#define FED_HEALTH_TTL_S 1.0
static pthread_mutex_t fed_health_mu = PTHREAD_MUTEX_INITIALIZER;
static double fed_health_at = -1e9;
static json_t *fed_health_cached;

static json_t *health_federation(db_t *db) {
    pthread_mutex_lock(&fed_health_mu);
    double now = pu_monotonic();
    if (now - fed_health_at >= FED_HEALTH_TTL_S) {
        json_t *fresh = NULL;
        pu_err e;
        if (fed_health(db, &fresh, &e) != PU_OK) fresh = NULL; /* health says nothing it cannot read */
        json_decref(fed_health_cached);
        fed_health_cached = fresh;
        fed_health_at = now;
    }
    json_t *copy = fed_health_cached ? json_deep_copy(fed_health_cached) : NULL;
    pthread_mutex_unlock(&fed_health_mu);
    return copy;
}

int h_health(http_req *r) {
    /* a cheap query proves the store answers, not just the socket */
    int64_t one = 0;
    pu_err e;
    if (db_query_int64(r->db, "SELECT 1", NULL, &one, &e) != PU_OK || one != 1)
        return http_fail(r, PU_ERR_DB, NULL, "the store does not answer");
    json_t *o = json_pack("{s:s}", "status", "ok"), *fed = health_federation(r->db);
    /* a federation node adds its replication state (docs/federation.md); a
     * lagging peer is not this server's failure, so the status stays ok */
    if (fed) json_object_set_new(o, "federation", fed);
    return http_json(r, 200, o);
}

int h_version(http_req *r) {
    return http_json(r, 200, json_pack("{s:s,s:s,s:s}", "name", "puente", "version", PUENTE_VERSION, "api", "v1"));
}

/* The names of permission bits, as the API shows them (one table for the
 * API's /me and the web session: a permission missing here is missing for
 * the pages too). */
json_t *http_perms_json(unsigned perms) {
    static const struct { unsigned bit; const char *name; } names[] = {
        {ACL_P_READ, "read"},     {ACL_P_WRITE, "write"}, {ACL_P_DELETE, "delete"},     {ACL_P_SCREEN, "screen"},
        {ACL_P_REVIEW, "review"}, {ACL_P_ADMIN, "admin"}, {ACL_P_AUDIT, "audit"},       {ACL_P_FORENSIC, "forensic"},
        {ACL_P_EXPORT, "export"}, {ACL_P_OVERSIGHT, "oversight"}, {ACL_P_TIPS, "tips"},
        {ACL_P_PROTECT, "protect"},
    };
    json_t *a = json_array();
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (perms & names[i].bit) json_array_append_new(a, json_string(names[i].name));
    return a;
}

static json_t *principal_json(const acl_principal *p) {
    return json_pack("{s:s,s:s,s:s,s:s,s:o,s:b}", "user", p->user, "agency", p->agency, "country", p->country, "role",
                     p->role, "permissions", http_perms_json(p->perms), "password_change_required", p->pw_change);
}

static const char *mfa_name(int mfa) {
    return mfa == ACL_MFA_USED ? "enrolled" : mfa == ACL_MFA_ENROL ? "enrolment-required" : "none";
}

/* The last-logon notice: the previous login and the failures since. */
static json_t *logon_json(const acl_logon_info *i) {
    char when[32];
    http_iso_time(i->prev_time, when);
    json_t *last = i->prev_time ? json_pack("{s:s,s:s}", "time", when, "source", i->prev_source) : json_null();
    return json_pack("{s:o,s:I,s:s}", "last_login", last, "failed_attempts_since", (json_int_t)i->failed_since,
                     "second_factor", mfa_name(i->mfa));
}

/* The flood guard runs before the password hash: per address, then a cap
 * on hashes at once. 1 = go on (and *hashing set), else the answer is made. */
static int login_guard(http_req *r, int *hashing) {
    *hashing = 0;
    if (!r->guard) return 1;
    unsigned wait = 0;
    if (!http_guard_take(r->guard, r->source, pu_monotonic(), &wait)) {
        r->force_status = 429;
        r->force_code = "rate_limited";
        r->retry_after = wait;
        (void)pu_buf_puts(&r->detail, "reason=rate");
        http_fail(r, PU_ERR_LIMIT, NULL, "too many login attempts from this address; retry in %u s", wait);
        return 0;
    }
    if (!http_guard_hash_enter(r->guard)) {
        r->force_status = 503;
        r->force_code = "busy";
        r->retry_after = 1;
        (void)pu_buf_puts(&r->detail, "reason=busy");
        http_fail(r, PU_ERR_INTERRUPTED, NULL, "the server is busy with other logins; retry in 1 s");
        return 0;
    }
    *hashing = 1;
    return 1;
}

int http_login_check(http_req *r, const char *user, const char *pw, const char *code, acl_principal *p,
                     acl_logon_info *info, char session[ACL_SECRET_MAX]) {
    pu_strlcpy(r->p.user, user, sizeof r->p.user); /* the audit names who tried */
    int hashing;
    if (!login_guard(r, &hashing)) return r->err.code;
    pu_err e;
    acl_login_req req = {user, pw, code, r->source, acl_now()};
    int rc = acl_login2(r->db, &req, p, info, session, &e);
    http_guard_hash_leave(r->guard);
    if (rc == PU_ERR_DENIED) {
        (void)pu_buf_printf(&r->detail, "reason=%s", e.field);
        r->unauthenticated = 1;
        /* only a right password learns that a code is missing or wrong */
        return http_fail(r, rc, strcmp(e.field, "code") == 0 ? "code" : NULL, "%s", e.msg);
    }
    return rc ? http_fail(r, rc, NULL, "login failed: %s", pu_strerror(rc)) : PU_OK;
}

json_t *http_logon_json(const acl_logon_info *i) { return logon_json(i); }

int http_login_body(http_req *r, acl_principal *p, acl_logon_info *info, char session[ACL_SECRET_MAX]) {
    static const char *const keys[] = {"user", "password", "code", NULL};
    json_t *o;
    int rc = http_body_object(r, &o);
    if (rc) return rc;
    const char *user = NULL, *pw = NULL, *code = NULL;
    if ((rc = http_only_keys(r, o, keys, NULL)) || (rc = http_str_member(r, o, "user", NULL, &user)) ||
        (rc = http_str_member(r, o, "password", NULL, &pw)) || (rc = http_str_member(r, o, "code", NULL, &code))) {
        json_decref(o);
        return rc;
    }
    if (!user || !pw) {
        json_decref(o);
        return http_fail(r, PU_ERR_INVALID, user ? "password" : "user", "expected a string");
    }
    rc = http_login_check(r, user, pw, code, p, info, session);
    json_decref(o);
    return rc;
}

int h_login(http_req *r) {
    acl_principal p;
    acl_logon_info info;
    char session[ACL_SECRET_MAX];
    int rc = http_login_body(r, &p, &info, session);
    if (rc) return rc;
    r->p = p;
    r->authed = 1;
    rc = http_json(r, 200, json_pack("{s:s,s:i,s:i,s:o,s:o,s:b}", "session", session, "expires_idle_seconds",
                                     ACL_SESSION_IDLE, "expires_absolute_seconds", ACL_SESSION_ABSOLUTE, "user",
                                     principal_json(&p), "notice", logon_json(&info), "password_change_required",
                                     p.pw_change));
    memset(session, 0, sizeof session);
    return rc;
}

/* The user's own password change (the only thing a session whose password
 * an administrator set may do besides reading "me" and logging out). The
 * current password is checked like a login: rate-limited per address before
 * the hash, counted towards the lockout. The session making the change goes
 * on; every other secret of the user ends. */
int h_password_change(http_req *r) {
    static const char *const keys[] = {"current_password", "new_password", NULL};
    json_t *o;
    int rc = http_body_object(r, &o);
    if (rc) return rc;
    const char *cur = NULL, *next = NULL;
    if (!(rc = http_only_keys(r, o, keys, NULL)) && !(rc = http_str_member(r, o, "current_password", NULL, &cur)) &&
        !(rc = http_str_member(r, o, "new_password", NULL, &next)) && (!cur || !next))
        rc = http_fail(r, PU_ERR_INVALID, cur ? "new_password" : "current_password", "expected a string");
    int hashing = 0;
    if (rc == PU_OK && !login_guard(r, &hashing)) rc = r->err.code;
    if (rc == PU_OK) {
        pu_err e;
        rc = acl_password_change(r->db, r->p.user, cur, next, r->secret, acl_now(), &e);
        if (rc == PU_ERR_DENIED) (void)pu_buf_printf(&r->detail, "reason=%s", e.field);
        if (rc) rc = http_fail(r, rc, e.field[0] ? e.field : NULL, "%s", e.msg);
    }
    if (hashing) http_guard_hash_leave(r->guard);
    json_decref(o);
    if (rc) return rc;
    r->p.pw_change = 0;
    return http_json(r, 200, json_pack("{s:s}", "status", "password changed"));
}

int h_logout(http_req *r) {
    pu_err e;
    if (acl_revoke(r->db, r->secret, &e)) return http_fail(r, e.code, NULL, "%s", e.msg);
    return http_json(r, 200, json_pack("{s:s}", "status", "logged out"));
}

int h_me(http_req *r) {
    int rc = http_only_args(r, no_args);
    if (rc) return rc;
    acl_logon_info info;
    pu_err e;
    if ((rc = acl_logon_info_get(r->db, r->p.user, &info, &e))) return http_fail(r, rc, NULL, "%s", e.msg);
    json_t *me = principal_json(&r->p);
    char exp[32];
    http_iso_time(r->p.expires, exp);
    json_object_set_new(me, "read_only", json_boolean(r->p.read_only));
    json_object_set_new(me, "password_change_required", json_boolean(info.pw_change));
    json_object_set_new(me, "expires", r->p.expires ? json_string(exp) : json_null());
    json_object_set_new(me, "notice", logon_json(&info));
    return http_json(r, 200, me);
}

int h_agencies(http_req *r) {
    acl_agency *v;
    size_t n;
    pu_err e;
    int rc = acl_agency_list(r->db, &v, &n, &e);
    if (rc) return http_fail(r, rc, NULL, "%s", e.msg);
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_pack("{s:s,s:s,s:s}", "acronym", v[i].acronym, "name", v[i].name, "country",
                                           v[i].country));
    free(v);
    return http_json(r, 200, json_pack("{s:o}", "agencies", a));
}

static json_t *user_json(const acl_principal *p) {
    return json_pack("{s:s,s:s,s:s}", "name", p->user, "agency", p->agency, "role", p->role);
}

int h_users_list(http_req *r) {
    acl_principal *v;
    size_t n;
    pu_err e;
    int rc = acl_user_list(r->db, r->p.agency, &v, &n, &e);
    if (rc) return http_fail(r, rc, NULL, "%s", e.msg);
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) json_array_append_new(a, user_json(&v[i]));
    free(v);
    return http_json(r, 200, json_pack("{s:o}", "users", a));
}

static int from_acl(http_req *r, int rc, const pu_err *e) {
    return http_fail(r, rc, e->field[0] ? e->field : NULL, "%s", e->msg);
}

/* Change + its audit entry in one transaction. */
static int commit_audited(http_req *r, int rc) {
    pu_err e;
    if (rc == PU_OK) rc = http_audit_now(r, "success") == PU_OK ? PU_OK : http_fail(r, PU_ERR_DB, NULL, "the audit trail could not be written");
    if (rc == PU_OK && db_commit(r->db, &e) != PU_OK) {
        r->audited = 0;
        return http_fail(r, PU_ERR_DB, NULL, "%s", e.msg);
    }
    if (rc != PU_OK) {
        r->audited = 0;
        db_rollback(r->db);
    }
    return rc;
}

int h_users_add(http_req *r) {
    static const char *const keys[] = {"name", "role", "password", "agency", NULL};
    json_t *o;
    int rc = http_body_object(r, &o);
    if (rc) return rc;
    const char *name = NULL, *role = NULL, *pw = NULL, *agency = NULL;
    if (!(rc = http_only_keys(r, o, keys, NULL)) && !(rc = http_str_member(r, o, "name", NULL, &name)) &&
        !(rc = http_str_member(r, o, "role", NULL, &role)) && !(rc = http_str_member(r, o, "password", NULL, &pw)) &&
        !(rc = http_str_member(r, o, "agency", NULL, &agency))) {
        if (!name || !role) rc = http_fail(r, PU_ERR_INVALID, name ? "role" : "name", "required");
        else if (agency && !pu_strieq(agency, r->p.agency))
            rc = http_fail(r, PU_ERR_DENIED, "agency", "administrators add users to their own agency (%s) only", r->p.agency);
    }
    if (rc == PU_OK) {
        http_target(r, name);
        (void)pu_buf_printf(&r->detail, "role=%s (pending approval)", role);
        pu_err e;
        int64_t gid = 0;
        if (!acl_role_valid(role))
            rc = http_fail(r, PU_ERR_INVALID, "role", "expected analyst, supervisor, forensic, tip-handler, protection-officer, admin or auditor");
        else if ((rc = http_begin(r, &e)) != PU_OK) rc = from_acl(r, rc, &e);
        /* the account starts without a role: a second administrator approves it (two-person rule) */
        else if ((rc = acl_user_add(r->db, name, r->p.agency, ACL_ROLE_NONE, pw, &e)) != PU_OK ||
                 /* a password the administrator chose: the user changes it at the first login */
                 (pw && (rc = acl_user_require_change(r->db, name, 1, &e)) != PU_OK) ||
                 (rc = acl_grant_request(r->db, &r->p, name, role, acl_now(), &gid, &e)) != PU_OK) {
            db_rollback(r->db);
            rc = from_acl(r, rc, &e);
        } else {
            rc = commit_audited(r, PU_OK);
        }
        if (rc == PU_OK)
            rc = http_json(r, 201, json_pack("{s:s,s:s,s:s,s:{s:I,s:s,s:s}}", "name", name, "agency", r->p.agency,
                                             "role", ACL_ROLE_NONE, "pending_grant", "id", (json_int_t)gid, "role",
                                             role, "requested_by", r->p.user));
    }
    json_decref(o);
    return rc;
}

/* The target user if it belongs to the caller's agency; others are 404 so an
 * administrator does not learn another agency's user names. */
static int own_agency_user(http_req *r, const char *name, acl_principal *u) {
    pu_err e;
    if (acl_user_get(r->db, name, u, &e) != PU_OK || strcmp(u->agency, r->p.agency) != 0)
        return http_fail(r, PU_ERR_NOTFOUND, "name", "no user '%.64s' in agency %s", name, r->p.agency);
    return PU_OK;
}

int h_user_update(http_req *r) {
    static const char *const keys[] = {"role", "disabled", "password", NULL};
    const char *name = r->params[0];
    http_target(r, name);
    acl_principal u;
    int rc = own_agency_user(r, name, &u);
    if (rc) return rc;
    json_t *o;
    if ((rc = http_body_object(r, &o))) return rc;
    const char *role = NULL, *pw = NULL;
    int64_t gid = 0;
    json_t *dis = json_object_get(o, "disabled");
    if (!(rc = http_only_keys(r, o, keys, NULL)) && !(rc = http_str_member(r, o, "role", NULL, &role)) &&
        !(rc = http_str_member(r, o, "password", NULL, &pw))) {
        if (dis && !json_is_boolean(dis)) rc = http_fail(r, PU_ERR_INVALID, "disabled", "expected true or false");
        else if (!role && !pw && !dis) rc = http_fail(r, PU_ERR_INVALID, "body", "expected role, disabled or password");
    }
    pu_err e;
    if (rc == PU_OK && (rc = http_begin(r, &e)) != PU_OK) rc = from_acl(r, rc, &e);
    else if (rc == PU_OK) {
        if (role) {
            /* a role is requested, not given: a second administrator approves */
            (void)pu_buf_printf(&r->detail, "role %s->%s requested; ", u.role, role);
            rc = acl_grant_request(r->db, &r->p, name, role, acl_now(), &gid, &e);
        }
        if (rc == PU_OK && dis) {
            (void)pu_buf_printf(&r->detail, "disabled=%s; ", json_is_true(dis) ? "true" : "false");
            rc = acl_user_set_disabled(r->db, name, json_is_true(dis), &e);
        }
        if (rc == PU_OK && pw) {
            (void)pu_buf_puts(&r->detail, "password changed; ");
            rc = acl_user_set_password(r->db, name, pw, &e);
        }
        if (rc != PU_OK) {
            db_rollback(r->db);
            rc = from_acl(r, rc, &e);
        } else {
            rc = commit_audited(r, PU_OK);
        }
        acl_auth_cache_invalidate(); /* the changes above ran in this transaction */
    }
    json_decref(o);
    if (rc) return rc;
    if (acl_user_get(r->db, name, &u, &e)) return from_acl(r, e.code, &e);
    json_t *out = user_json(&u);
    if (gid) {
        acl_grant *g;
        size_t n;
        json_t *pg = json_null();
        if (acl_grant_list(r->db, r->p.agency, &g, &n, &e) == PU_OK) {
            for (size_t i = 0; i < n; i++)
                if (g[i].id == gid)
                    pg = json_pack("{s:I,s:s,s:s}", "id", (json_int_t)gid, "role", g[i].role, "requested_by",
                                   g[i].requested_by);
            free(g);
        }
        json_object_set_new(out, "pending_grant", pg);
    }
    return http_json(r, 200, out);
}

int h_token_create(http_req *r) {
    static const char *const keys[] = {"password", "code", "expires_days", "read_only", NULL};
    const char *name = r->params[0];
    http_target(r, name);
    /* tokens are minted by their own user only (an administrator holding a
     * token of someone else could act as them), and only after the password
     * (and second factor) again: a stolen session must not turn into a
     * long-lived token */
    if (strcmp(name, r->p.user) != 0)
        return http_fail(r, PU_ERR_DENIED, NULL, "tokens are created by their own user only");
    if (r->p.read_only) return http_fail(r, PU_ERR_DENIED, "Authorization", "a read-only token cannot create tokens");
    json_t *o;
    int rc = http_body_object(r, &o);
    if (rc) return rc;
    const char *pw = NULL, *code = NULL;
    json_t *days = json_object_get(o, "expires_days"), *ro = json_object_get(o, "read_only");
    if (!(rc = http_only_keys(r, o, keys, NULL)) && !(rc = http_str_member(r, o, "password", NULL, &pw)) &&
        !(rc = http_str_member(r, o, "code", NULL, &code))) {
        if (!pw) rc = http_fail(r, PU_ERR_INVALID, "password", "creating a token needs your password again");
        else if (days && (!json_is_integer(days) || json_integer_value(days) < 1 ||
                          json_integer_value(days) > ACL_TOKEN_DAYS_MAX))
            rc = http_fail(r, PU_ERR_INVALID, "expires_days", "expected an integer from 1 to %d", ACL_TOKEN_DAYS_MAX);
        else if (ro && !json_is_boolean(ro)) rc = http_fail(r, PU_ERR_INVALID, "read_only", "expected true or false");
    }
    acl_token_opts opts = {days ? json_integer_value(days) : 0, ro && json_is_true(ro)};
    int hashing = 0;
    pu_err e;
    if (rc == PU_OK && !login_guard(r, &hashing)) rc = r->err.code;
    if (rc == PU_OK) {
        rc = acl_reauthenticate(r->db, name, pw, code, acl_now(), &e);
        if (rc) rc = http_fail(r, rc, rc == PU_ERR_DENIED ? e.field : NULL, "%s", rc == PU_ERR_DENIED ? "re-authentication failed" : e.msg);
    }
    if (hashing) http_guard_hash_leave(r->guard);
    json_decref(o);
    if (rc) return rc;
    (void)pu_buf_printf(&r->detail, "read_only=%d", opts.read_only);
    char token[ACL_SECRET_MAX];
    int64_t expires = 0;
    if ((rc = http_begin(r, &e))) return from_acl(r, rc, &e);
    if ((rc = acl_token_create2(r->db, name, acl_now(), &opts, token, &expires, &e)) != PU_OK) {
        db_rollback(r->db);
        return from_acl(r, rc, &e);
    }
    if ((rc = commit_audited(r, PU_OK))) return rc;
    char exp[32];
    http_iso_time(expires, exp);
    rc = http_json(r, 201, json_pack("{s:s,s:s,s:s,s:b}", "user", name, "token", token, "expires", exp, "read_only",
                                     opts.read_only));
    memset(token, 0, sizeof token);
    return rc;
}

int h_audit_verify(http_req *r) {
    int rc = http_only_args(r, no_args);
    if (rc) return rc;
    audit_report rep;
    pu_err e;
    if (r->journal && (rc = audit_journal_sync(r->journal, &e))) return http_fail(r, rc, NULL, "%s", e.msg);
    rc = audit_verify(r->db, &rep, &e);
    if (rc == PU_OK)
        return http_json(r, 200, json_pack("{s:b,s:I,s:I,s:s}", "ok", 1, "entries", (json_int_t)rep.entries, "last_seq",
                                           (json_int_t)rep.last_seq, "head", rep.head));
    if (rc == PU_ERR_INVALID) {
        (void)pu_buf_printf(&r->detail, "broken at %lld", (long long)rep.bad_seq);
        return http_json(r, 200, json_pack("{s:b,s:I,s:I,s:s}", "ok", 0, "entries", (json_int_t)rep.entries, "bad_seq",
                                           (json_int_t)rep.bad_seq, "problem", rep.problem));
    }
    return http_fail(r, rc, NULL, "%s", e.msg);
}
