/* http_auth.c - the use banner, second-factor enrolment and two-person role
 * grants over HTTP (docs/access.md, docs/API.md). */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "http/http_int.h"

static const char *const no_args[] = {NULL};

int h_banner(http_req *r) {
    int rc = http_only_args(r, no_args);
    if (rc) return rc;
    char text[ACL_SETTING_MAX];
    pu_err e;
    if ((rc = acl_setting_get(r->db, "banner", text, sizeof text, &e))) return http_fail(r, rc, NULL, "%s", e.msg);
    return http_json(r, 200, json_pack("{s:s}", "banner", text));
}

/* Enrolment changes the account: tokens cannot do it (only a login session
 * proves the password was just typed). */
static int session_only(http_req *r) {
    if (!pu_starts_with(r->secret, "ps_"))
        return http_fail(r, PU_ERR_DENIED, "Authorization", "enrol a second factor from a login session, not a token");
    return PU_OK;
}

int h_totp_begin(http_req *r) {
    int rc = session_only(r);
    if (rc || (rc = http_only_args(r, no_args))) return rc;
    if (acl_totp_enabled(r->db, r->p.user))
        return http_fail(r, PU_ERR_CONFLICT, "second_factor", "a second factor is already enrolled; an operator resets it");
    char uri[512], secret[64];
    pu_err e;
    if ((rc = http_begin(r, &e))) return http_fail(r, rc, NULL, "%s", e.msg);
    if ((rc = acl_totp_begin(r->db, r->p.user, uri, sizeof uri, secret, &e)) ||
        (rc = http_audit_now(r, "success")) || (rc = db_commit(r->db, &e))) {
        db_rollback(r->db);
        r->audited = 0;
        return http_fail(r, rc, NULL, "%s", e.msg[0] ? e.msg : "the enrolment could not be stored");
    }
    pu_buf svg = PU_BUF_INIT((size_t)1 << 20);
    rc = acl_qr_svg(uri, &svg, &e);
    if (rc == PU_OK)
        rc = http_json(r, 200, json_pack("{s:s,s:s,s:s,s:i,s:i,s:s}", "uri", uri, "secret", secret, "algorithm", "SHA1",
                                         "digits", ACL_TOTP_DIGITS, "period", ACL_TOTP_STEP, "qr_svg",
                                         pu_buf_str(&svg)));
    else rc = http_fail(r, rc, NULL, "%s", e.msg);
    pu_buf_free(&svg);
    sodium_memzero(secret, sizeof secret);
    return rc;
}

int h_totp_confirm(http_req *r) {
    static const char *const keys[] = {"code", NULL};
    int rc = session_only(r);
    if (rc) return rc;
    json_t *o;
    if ((rc = http_body_object(r, &o))) return rc;
    const char *code = NULL;
    if (!(rc = http_only_keys(r, o, keys, NULL)) && !(rc = http_str_member(r, o, "code", NULL, &code)) && !code)
        rc = http_fail(r, PU_ERR_INVALID, "code", "expected the code the authenticator shows");
    char codes[ACL_RECOVERY_CODES][ACL_RECOVERY_LEN];
    pu_err e;
    if (rc == PU_OK && (rc = http_begin(r, &e)) != PU_OK) rc = http_fail(r, rc, NULL, "%s", e.msg);
    else if (rc == PU_OK) {
        if ((rc = acl_totp_confirm(r->db, r->p.user, code, acl_now(), codes, &e)) != PU_OK) {
            db_rollback(r->db);
            rc = http_fail(r, rc, e.field[0] ? e.field : NULL, "%s", e.msg);
        } else if ((rc = http_audit_now(r, "success")) != PU_OK || (rc = db_commit(r->db, &e)) != PU_OK) {
            db_rollback(r->db);
            r->audited = 0;
            rc = http_fail(r, PU_ERR_DB, NULL, "the enrolment could not be stored");
        }
    }
    json_decref(o);
    if (rc) return rc;
    acl_auth_cache_invalidate(); /* this session is no longer limited to enrolment */
    json_t *a = json_array();
    for (int i = 0; i < ACL_RECOVERY_CODES; i++) json_array_append_new(a, json_string(codes[i]));
    sodium_memzero(codes, sizeof codes);
    return http_json(r, 200, json_pack("{s:b,s:o}", "enabled", 1, "recovery_codes", a));
}

static json_t *grant_json(const acl_grant *g) {
    char when[32];
    http_iso_time(g->created, when);
    return json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s}", "id", (json_int_t)g->id, "user", g->user, "agency", g->agency,
                     "role", g->role, "requested_by", g->requested_by, "state", g->state, "created", when);
}

int h_grants_list(http_req *r) {
    int rc = http_only_args(r, no_args);
    if (rc) return rc;
    acl_grant *v;
    size_t n;
    pu_err e;
    if ((rc = acl_grant_list(r->db, r->p.agency, &v, &n, &e))) return http_fail(r, rc, NULL, "%s", e.msg);
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) json_array_append_new(a, grant_json(&v[i]));
    free(v);
    return http_json(r, 200, json_pack("{s:o}", "grants", a));
}

static int grant_decide(http_req *r, int approve) {
    const char *sid = r->params[0];
    http_target(r, sid);
    char *end;
    long long id = strtoll(sid, &end, 10);
    if (*end || end == sid || id <= 0) return http_fail(r, PU_ERR_NOTFOUND, "id", "no role grant '%.40s'", sid);
    pu_err e;
    int rc = http_begin(r, &e);
    if (rc) return http_fail(r, rc, NULL, "%s", e.msg);
    acl_grant g;
    if ((rc = acl_grant_decide(r->db, &r->p, id, approve, acl_now(), &g, &e)) != PU_OK) {
        db_rollback(r->db);
        return http_fail(r, rc, e.field[0] ? e.field : NULL, "%s", e.msg);
    }
    (void)pu_buf_printf(&r->detail, "user=%s; role=%s; requested_by=%s", g.user, g.role, g.requested_by);
    if (http_audit_now(r, "success") != PU_OK || db_commit(r->db, &e) != PU_OK) {
        db_rollback(r->db);
        r->audited = 0;
        return http_fail(r, PU_ERR_DB, NULL, "the decision could not be stored");
    }
    acl_auth_cache_invalidate();
    return http_json(r, 200, grant_json(&g));
}

int h_grant_approve(http_req *r) { return grant_decide(r, 1); }
int h_grant_reject(http_req *r) { return grant_decide(r, 0); }
