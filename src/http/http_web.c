/* http_web.c - the web application's side of `puente serve` (http_web.h,
 * docs/web.md): the built front end's files, the page shells (with a 403
 * status for a page the reader's role does not allow), the message
 * catalogue, cookie sessions with CSRF tokens and a configurable idle
 * limit, and the language choice. Pages hold no logic here: they are one
 * HTML shell; the front end calls the JSON API like any client. */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http/http_int.h"
#include "http/http_web.h"

#define WEB_ASSET_MAX ((size_t)8 << 20)  /* largest file served from the web root */
#define WEB_IDLE_SLOTS 4096              /* cookie sessions whose idle clock we keep */
#define WEB_SESSION_HASH 16              /* bytes of the secret's hash used as key */

/* ---- configuration ---- */
void http_web_configure(http_web_cfg *cfg, const char *root, int idle_s, int secure_cookies) {
    memset(cfg, 0, sizeof *cfg);
    if (root && *root) {
        pu_strlcpy(cfg->root, root, sizeof cfg->root);
    } else {
        /* the build puts the bundle next to the binary: build/puente, build/web */
        char exe[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        exe[n > 0 ? n : 0] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) *slash = '\0';
        (void)pu_snprintf(cfg->root, sizeof cfg->root, "%s/web", n > 0 ? exe : ".");
    }
    cfg->idle_s = idle_s > 0 && idle_s < ACL_SESSION_IDLE ? idle_s : ACL_SESSION_IDLE;
    cfg->secure_cookies = secure_cookies;
}

/* ---- cookies and the request's language ---- */
const char *http_web_cookie_secret(http_req *r) {
    const char *v = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, HTTP_WEB_COOKIE);
    return v && *v ? v : NULL;
}

i18n_lang http_web_lang(http_req *r) {
    const char *c = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, HTTP_WEB_LANG_COOKIE);
    i18n_lang l;
    pu_err e;
    if (c && i18n_lang_parse(c, &l, &e) == PU_OK) return l;
    return i18n_accept_language(MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Accept-Language"));
}

static int over_tls(http_req *r) {
    if (r->web && r->web->secure_cookies) return 1;
    return MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_PROTOCOL) != NULL;
}

/* Queue a Set-Cookie line: HttpOnly (the session) or readable (the
 * language), always SameSite=Strict and Path=/; max_age 0 = until the
 * browser closes, < 0 deletes. */
static void set_cookie(http_req *r, const char *name, const char *value, int http_only, long max_age) {
    if (r->ncookies >= HTTP_WEB_MAX_COOKIES) return;
    char age[48] = ""; /* 0: a session cookie, gone with the browser */
    if (max_age > 0) (void)pu_snprintf(age, sizeof age, "; Max-Age=%ld", max_age);
    else if (max_age < 0) pu_strlcpy(age, "; Max-Age=0", sizeof age);
    (void)pu_snprintf(r->cookies[r->ncookies++], sizeof r->cookies[0], "%s=%s; Path=/; SameSite=Strict%s%s%s", name,
                      value, http_only ? "; HttpOnly" : "", over_tls(r) ? "; Secure" : "", age);
}

/* The Content-Security-Policy of every response: our own origin only, no
 * inline script or style element, no framing, no plugin. */
static const char CSP[] = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                          "connect-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none'; "
                          "frame-ancestors 'none'";

/* The security headers themselves are added to every answer by the server
 * (http_server.c send_response); pages and their files carry the pages'
 * CSP through r->csp (the API keeps HTTP_CSP_API). */
void http_web_headers(http_req *r, struct MHD_Response *resp) {
    for (int i = 0; i < r->ncookies; i++) MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, r->cookies[i]);
    if (r->location) MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, r->location);
    if (r->content_encoding) MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_ENCODING, r->content_encoding);
    if (r->web_file) MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
}

/* ---- CSRF: a token derived from the session secret ----
 * keyed BLAKE2b of the secret: only who knows the (HttpOnly) cookie's value,
 * i.e. our own pages through /api/v1/web/session, can compute it. */
static void csrf_of(const char *secret, char out[HTTP_WEB_CSRF_LEN + 1]) {
    static const unsigned char key[] = "puente-csrf-v1";
    unsigned char h[HTTP_WEB_CSRF_LEN / 2];
    crypto_generichash(h, sizeof h, (const unsigned char *)secret, strlen(secret), key, sizeof key - 1);
    sodium_bin2hex(out, HTTP_WEB_CSRF_LEN + 1, h, sizeof h);
}

static int safe_method(const char *m) { return !strcmp(m, "GET") || !strcmp(m, "HEAD"); }

/* ---- the web idle clock of cookie sessions ----
 * The API's sessions expire after ACL_SESSION_IDLE (src/access); the web may
 * be stricter (serve --session-idle). The last use of each cookie session is
 * kept here by the secret's hash; a session not seen since the server
 * started starts its clock then (the API's own limit still holds). */
static struct idle_slot {
    unsigned char h[WEB_SESSION_HASH];
    int64_t last;
} idle_slots[WEB_IDLE_SLOTS];
static pthread_mutex_t idle_mu = PTHREAD_MUTEX_INITIALIZER;

/* 1 if the session was idle too long; otherwise its clock is reset. */
static int idle_expired(const char *secret, int64_t now, int limit) {
    unsigned char h[WEB_SESSION_HASH];
    crypto_generichash(h, sizeof h, (const unsigned char *)secret, strlen(secret), NULL, 0);
    pthread_mutex_lock(&idle_mu);
    struct idle_slot *slot = NULL, *oldest = &idle_slots[0];
    for (size_t i = 0; i < WEB_IDLE_SLOTS && !slot; i++) {
        if (!memcmp(idle_slots[i].h, h, sizeof h)) slot = &idle_slots[i];
        else if (idle_slots[i].last < oldest->last) oldest = &idle_slots[i];
    }
    int expired = slot && now - slot->last > limit;
    if (!slot) {
        slot = oldest; /* a free slot has last 0, the oldest of all */
        memcpy(slot->h, h, sizeof h);
    }
    slot->last = expired ? 0 : now;
    if (expired) memset(slot->h, 0, sizeof slot->h);
    pthread_mutex_unlock(&idle_mu);
    return expired;
}

int http_web_check_cookie(http_req *r) {
    int limit = r->web ? r->web->idle_s : ACL_SESSION_IDLE;
    if (idle_expired(r->secret, acl_now(), limit)) {
        pu_err e;
        (void)acl_revoke(r->db, r->secret, &e);
        r->authed = 0;
        r->unauthenticated = 1;
        set_cookie(r, HTTP_WEB_COOKIE, "", 1, -1);
        return http_fail(r, PU_ERR_DENIED, "Cookie", "the session expired after %d seconds without use", limit);
    }
    if (safe_method(r->method)) return PU_OK;
    const char *sent = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, HTTP_WEB_CSRF_HEADER);
    char want[HTTP_WEB_CSRF_LEN + 1];
    csrf_of(r->secret, want);
    if (!sent || strlen(sent) != HTTP_WEB_CSRF_LEN || sodium_memcmp(sent, want, HTTP_WEB_CSRF_LEN) != 0)
        return http_fail(r, PU_ERR_DENIED, HTTP_WEB_CSRF_HEADER,
                         "a request made with the session cookie needs the session's CSRF token");
    return PU_OK;
}

/* ---- pages ---- */
/* The pages of the front end and the permission each needs (0: any
 * signed-in user). A page not listed is a 404. */
static const struct { const char *name; unsigned perm; } pages[] = {
    {"login", 0},          {"home", 0},           {"search", ACL_P_SCREEN}, {"entity", ACL_P_READ},
    {"alerts", ACL_P_READ}, {"cargo", ACL_P_READ}, {"admin", ACL_P_ADMIN},   {"audit", ACL_P_AUDIT},
    {"kinship", ACL_P_FORENSIC}, {"trace", ACL_P_READ}, {"security", 0},
    {"tips", ACL_P_TIPS},
    {"protect", ACL_P_PROTECT},  {"protect-clocks", ACL_P_PROTECT},
    {"cases", ACL_P_READ},  {"extraditions", ACL_P_READ}, /* docs/cases.md */
    {"kinship-cases", ACL_P_FORENSIC},
    {"dashboard", ACL_P_READ},
    {"graph", ACL_P_READ}, /* docs/graph.md */
    {"review", ACL_P_SCREEN}, /* the review queue of ongoing monitoring (docs/monitor.md) */
};

static const char *content_type_of(const char *name) {
    const char *dot = strrchr(name, '.');
    static const struct { const char *ext, *type; } types[] = {
        {".js", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
        {".html", "text/html; charset=utf-8"},     {".svg", "image/svg+xml"},
        {".png", "image/png"},                     {".json", "application/json"},
        {".map", "application/json"},
    };
    for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (!strcmp(dot, types[i].ext)) return types[i].type;
    return NULL;
}

/* 1 when the client takes gzip (Accept-Encoding names it without q=0). */
static int takes_gzip(http_req *r) {
    const char *ae = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_ENCODING);
    const char *g = ae ? strstr(ae, "gzip") : NULL;
    if (!g) return 0;
    const char *q = strstr(g, ";q=");
    const char *comma = strchr(g, ',');
    return !(q && (!comma || q < comma) && atof(q + 3) == 0);
}

/* Answer with a file of the web root (name already checked). The build
 * writes a gzip copy of each file beside it (scripts/web-build.sh): it is
 * sent instead when the client takes gzip, so the bundle crosses the
 * network compressed without compressing per request. */
static int send_file(http_req *r, const char *name, int status) {
    char path[1200];
    if (!r->web || pu_snprintf(path, sizeof path, "%s/%s", r->web->root, name))
        return http_fail(r, PU_ERR_NOTFOUND, "path", "no such file");
    r->web_file = 1;
    FILE *f = NULL;
    char gz[1210];
    if (takes_gzip(r) && !pu_snprintf(gz, sizeof gz, "%s.gz", path) && (f = fopen(gz, "rb")))
        r->content_encoding = "gzip";
    if (!f) f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT && !strcmp(name, "index.html"))
            return http_fail(r, PU_ERR_NOTFOUND, "path", "the web front end is not built (expected %s)", path);
        return http_fail(r, PU_ERR_NOTFOUND, "path", "no such file: %.100s", name);
    }
    pu_buf_reset(&r->out);
    char chunk[16384];
    size_t n;
    int rc = PU_OK;
    while (rc == PU_OK && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        rc = r->out.len + n > WEB_ASSET_MAX ? PU_ERR_LIMIT : pu_buf_append(&r->out, chunk, n);
    fclose(f);
    if (rc) return http_fail(r, rc, "path", "the file is too large to serve");
    r->status = status;
    r->content_type = content_type_of(name);
    return PU_OK;
}

static int asset_name_ok(const char *s) {
    if (!*s || *s == '.') return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || strchr("._-", *s)))
            return 0;
    return 1;
}

int h_web_asset(http_req *r) {
    r->csp = CSP;
    const char *name = r->params[0];
    if (!asset_name_ok(name) || !content_type_of(name) || !strcmp(name, "index.html"))
        return http_fail(r, PU_ERR_NOTFOUND, "path", "no such file: %.100s", name);
    return send_file(r, name, 200);
}

int h_web_root(http_req *r) {
    r->csp = CSP;
    r->location = "/app/home";
    r->status = 302;
    r->content_type = "text/plain; charset=utf-8";
    return pu_buf_puts(&r->out, "/app/home\n");
}

/* The shell of a page. The reader is recognised from the cookie when there
 * is one, so a page its role does not allow answers 403 (the front end then
 * shows its 403 page); without a session the shell loads and shows the login. */
int h_web_page(http_req *r) {
    r->csp = CSP;
    const char *page = r->params[0];
    unsigned perm = UINT_MAX;
    for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++)
        if (!strcmp(pages[i].name, page)) perm = pages[i].perm;
    if (perm == UINT_MAX) return send_file(r, "index.html", 404);
    const char *secret = http_web_cookie_secret(r);
    acl_principal p;
    pu_err e;
    if (perm && secret && acl_authenticate_cached(r->db, secret, acl_now(), ACL_AUTH_CACHE_TTL_MS, &p, &e) == PU_OK &&
        !(p.perms & perm))
        return send_file(r, "index.html", 403);
    return send_file(r, "index.html", 200);
}

/* The tip line's public page (docs/tips.md "The public page"): its own
 * small shell and bundle (tip.html, tip.js), no session, no cookie read or
 * set, so nothing of the staff application reaches a tipster's browser. */
int h_web_tip(http_req *r) {
    r->csp = CSP;
    return send_file(r, "tip.html", 200);
}

/* /tip/check (the tipster's return with a receipt); any other is a 404. */
int h_web_tip_page(http_req *r) {
    r->csp = CSP;
    return send_file(r, "tip.html", strcmp(r->params[0], "check") ? 404 : 200);
}

/* ---- the catalogue ---- */
int h_i18n(http_req *r) {
    i18n_lang l;
    pu_err e;
    if (i18n_lang_parse(r->params[0], &l, &e)) return http_fail(r, PU_ERR_NOTFOUND, "lang", "%s", e.msg);
    json_t *m = json_object();
    for (size_t i = 0; i < i18n_count(); i++) {
        const char *k, *t;
        i18n_entry(i, l, &k, &t);
        json_object_set_new(m, k, json_string(t));
    }
    return http_json(r, 200, json_pack("{s:s,s:o}", "lang", i18n_code(l), "messages", m));
}

/* ---- sessions ---- */

/* The session answer: who, the CSRF token of this session, the language. */
/* notice: the last-logon notice at login (stolen), NULL otherwise. */
static int session_json(http_req *r, const acl_principal *p, const char *secret, i18n_lang lang, json_t *notice) {
    char csrf[HTTP_WEB_CSRF_LEN + 1];
    csrf_of(secret, csrf);
    int idle = r->web ? r->web->idle_s : ACL_SESSION_IDLE;
    /* mfa_pending: the role needs a second factor that is not enrolled yet,
     * so the pages show only the enrolment (docs/web.md, "Second factor") */
    json_t *o = json_pack("{s:{s:s,s:s,s:s,s:s,s:o,s:b},s:s,s:s,s:i,s:b,s:b}", "user", "user", p->user, "agency",
                          p->agency, "country", p->country, "role", p->role, "permissions", http_perms_json(p->perms),
                          "password_change_required", p->pw_change, "csrf", csrf,
                          "lang", lang == I18N_ES ? "es" : "en", "idle_seconds", idle, "mfa_pending",
                          p->mfa_pending, "mfa_enrolled", acl_totp_enabled(r->db, p->user));
    if (o && notice) json_object_set_new(o, "notice", notice);
    else json_decref(notice);
    return http_json(r, 200, o);
}

/* The user's remembered language, else the request's. */
static i18n_lang user_lang(http_req *r, const char *user) {
    i18n_lang l;
    int found = 0;
    pu_err e;
    if (i18n_pref_get(r->db, user, &l, &found, &e) == PU_OK && found) return l;
    return http_web_lang(r);
}

int h_web_session(http_req *r) {
    if (!r->cookie_auth) return http_fail(r, PU_ERR_DENIED, "Cookie", "no web session: sign in first");
    return session_json(r, &r->p, r->secret, user_lang(r, r->p.user), NULL);
}

int h_web_login(http_req *r) {
    /* the API's login: flood guard, lockout, second factor, notice */
    char session[ACL_SECRET_MAX];
    acl_principal p;
    acl_logon_info info;
    int rc = http_login_body(r, &p, &info, session);
    if (rc) return rc;
    r->p = p;
    r->authed = 1;
    (void)pu_buf_puts(&r->detail, "web");
    set_cookie(r, HTTP_WEB_COOKIE, session, 1, 0);
    (void)idle_expired(session, acl_now(), ACL_SESSION_IDLE); /* start its web idle clock */
    i18n_lang lang = user_lang(r, p.user);
    rc = session_json(r, &p, session, lang, http_logon_json(&info));
    sodium_memzero(session, sizeof session);
    return rc;
}

int h_web_logout(http_req *r) {
    pu_err e;
    if (acl_revoke(r->db, r->secret, &e)) return http_fail(r, e.code, NULL, "%s", e.msg);
    set_cookie(r, HTTP_WEB_COOKIE, "", 1, -1);
    return http_json(r, 200, json_pack("{s:s}", "status", "logged out"));
}

/* Logout everywhere: every session of the user (its API tokens stay; they
 * are revoked one by one by an administrator); every server on the store
 * refuses them from its next request (acl_revoke_sessions bumps the account
 * generation in this transaction). */
int h_web_logout_all(http_req *r) {
    pu_err e;
    int64_t n = 0;
    int rc = http_begin(r, &e);
    if (rc == PU_OK) rc = acl_revoke_sessions(r->db, r->p.user, &n, &e);
    if (rc == PU_OK) {
        (void)pu_buf_printf(&r->detail, "sessions=%lld", (long long)n);
        rc = http_audit_now(r, "success") == PU_OK ? PU_OK : PU_ERR_DB;
    }
    if (rc == PU_OK) rc = db_commit(r->db, &e);
    if (rc) {
        db_rollback(r->db);
        r->audited = 0;
        return http_fail(r, rc, NULL, "the sessions could not be revoked");
    }
    set_cookie(r, HTTP_WEB_COOKIE, "", 1, -1);
    return http_json(r, 200, json_pack("{s:s}", "status", "logged out everywhere"));
}

int h_web_lang(http_req *r) {
    static const char *const keys[] = {"lang", NULL};
    json_t *o;
    int rc = http_body_object(r, &o);
    if (rc) return rc;
    const char *tag = NULL;
    if ((rc = http_only_keys(r, o, keys, NULL)) || (rc = http_str_member(r, o, "lang", NULL, &tag))) {
        json_decref(o);
        return rc;
    }
    i18n_lang l;
    pu_err e;
    rc = i18n_lang_parse(tag, &l, &e);
    json_decref(o);
    if (rc) return http_fail(r, rc, "lang", "%s", e.msg);
    if (i18n_pref_set(r->db, r->p.user, l, &e)) return http_fail(r, PU_ERR_DB, NULL, "the choice could not be saved");
    set_cookie(r, HTTP_WEB_LANG_COOKIE, l == I18N_ES ? "es" : "en", 0, 365L * 24 * 3600);
    return http_json(r, 200, json_pack("{s:s}", "lang", l == I18N_ES ? "es" : "en"));
}
