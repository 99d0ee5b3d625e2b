/* http_int.h - internals shared by the HTTP module's files (not public). */
#ifndef PU_HTTP_INT_H
#define PU_HTTP_INT_H

#include <jansson.h>
#include <microhttpd.h>
#include <stdint.h>

#include "access/access.h"
#include "audit/audit.h"
#include "http/http.h"
#include "http/http_web.h"
#include "store/store.h"

#define HTTP_MAX_PARAMS 3
#define HTTP_OUT_MAX ((size_t)256 << 20) /* cap on one response body */
#define HTTP_MAX_QUERY_ARGS 64           /* more is refused (414) before parsing */
/* Content-Security-Policy of API answers (JSON: nothing to load, never framed).
 * Web pages set r->csp to their own policy (the hook: docs/http.md). */
#define HTTP_CSP_API "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
/* Password hashes running at once; more logins wait their turn with 503 so
 * a login flood cannot take every worker (each hash costs ~64 MiB and tens
 * of ms). */
#define HTTP_LOGIN_HASHING_MAX 4

/* Login flood guard (http_guard.c): token buckets per client address. */
typedef struct http_guard http_guard;
/* Errors: PU_ERR_NOMEM. rate per second, burst tokens. */
int http_guard_new(double rate, unsigned burst, http_guard **out, pu_err *err);
void http_guard_free(http_guard *g);
/* Take one token for source at monotonic time now (seconds). 1 = allowed;
 * 0 = refused and *retry_after gets whole seconds until the next token. */
int http_guard_take(http_guard *g, const char *source, double now, unsigned *retry_after);
/* Enter/leave the password-hash section; 0 when HTTP_LOGIN_HASHING_MAX run. */
int http_guard_hash_enter(http_guard *g);
void http_guard_hash_leave(http_guard *g);

/* ---- raw request line checks (http_guard.c; fuzz/http/fuzz_uri.c) ----
 * Check the URI exactly as received (before libmicrohttpd unescapes it, which
 * it does once for the path and each argument): no encoded NUL ("%00"), at
 * most HTTP_MAX_QUERY_ARGS query arguments. Returns PU_OK, PU_ERR_INVALID
 * (NUL; *why "nul") or PU_ERR_LIMIT (arguments; *why "query"). */
int http_uri_check(const char *raw, const char **why);
/* Copy the path libmicrohttpd decoded (up to '?') into out[size] without
 * decoding it again (a "%252e" arrives as "%2e" and stays so); refuses
 * control characters and invalid UTF-8. Errors: PU_ERR_LIMIT, PU_ERR_INVALID. */
int http_path_copy(const char *url, char *out, size_t size);

typedef struct http_screen_state http_screen_state;
struct screen_index; /* src/screen/screen.h */
typedef struct http_auditq http_auditq;

/* Group commit of audit entries (http_auditq.c). */
int http_auditq_start(const char *db_path, http_auditq **out, pu_err *err);
/* Queue ev and wait until it is committed; returns PU_OK, the store error,
 * or PU_ERR_INTERRUPTED once the queue is stopped. */
int http_auditq_append(http_auditq *q, const audit_event *ev);
/* Called on the writer thread once the batch holding an entry is committed
 * (rc PU_OK) or failed (rc the store error). Must not block. */
typedef void (*http_auditq_cb)(void *ctx, int rc);
/* Queue ev without waiting; cb(ctx, rc) follows on the writer thread. ev and
 * everything it points to must stay valid until cb has run. Returns PU_OK, or
 * PU_ERR_NOMEM / PU_ERR_INTERRUPTED (queue stopped) and then cb never runs. */
int http_auditq_submit(http_auditq *q, const audit_event *ev, http_auditq_cb cb, void *ctx);
/* Commit what is queued (running every pending callback), stop the writer
 * thread, close its store. Later appends and submits fail with
 * PU_ERR_INTERRUPTED; the queue stays allocated until http_auditq_free, so
 * a worker still holding it is safe. NULL-safe, idempotent. */
void http_auditq_stop(http_auditq *q);
/* Stop (if not yet) and free. NULL-safe. */
void http_auditq_free(http_auditq *q);

#define HTTP_EXTRA_HEADERS 4          /* response headers a handler may add (http_header_add) */
#define HTTP_EXTRA_HEADER_MAX 1024    /* bytes of one such value (a Content-Disposition with filename*) */
#define HTTP_UPLOAD_TYPE_MAX 127      /* bytes of an uploaded file's media type */
#define HTTP_UPLOAD_NAME_MAX 255      /* bytes of its decoded file name */

typedef struct http_req {
    struct MHD_Connection *conn;
    const char *method;
    char path[1024];                   /* decoded path, no query */
    char capbuf[1024];
    char *params[HTTP_MAX_PARAMS];     /* path captures, point into capbuf */
    pu_buf body;
    int too_large;
    int started;                       /* counted in the in-flight gauge */
    int uri_problem;                   /* http_uri_check's code on the raw URI */
    const char *uri_why;
    char source[64];                   /* client address (rate limit, last-logon notice, audit) */
    int tls;                           /* served over TLS: HSTS */
    http_guard *guard;                 /* login flood guard */
    const char *csp;                   /* NULL = HTTP_CSP_API */
    int force_status;                  /* error status other than http_status_of (429, 503) */
    const char *force_code;            /* its error code name */
    unsigned retry_after;              /* Retry-After seconds (0 = none) */

    http_screen_state *screen;         /* shared screening service (may be NULL) */
    const struct screen_index *screen_ix; /* held by http_screen_index_acquire */
    http_auditq *auditq;               /* audit group commit (mode "commit") */
    audit_journal *journal;            /* audit journal (default mode) */
    store_t *st;                       /* this thread's store */
    db_t *db;
    struct app *app;                   /* the process's engine state (app_state): the graph cache */
    int authed;
    int unauthenticated;               /* failure is 401, not 403 */
    acl_principal p;
    store_scope scope;
    char secret[ACL_SECRET_MAX];
    /* the web application (http_web.c) */
    const http_web_cfg *web;           /* the server's web settings */
    int cookie_auth;                   /* authenticated by the session cookie */
    i18n_lang lang;                    /* language of error messages */
    char cookies[HTTP_WEB_MAX_COOKIES][256]; /* Set-Cookie lines */
    int ncookies;
    const char *location;              /* Location header (redirects) */
    const char *content_encoding;      /* Content-Encoding of the body ("gzip": a precompressed web file) */
    int web_file;                      /* a file of the web root: Vary: Accept-Encoding */

    int status;                        /* response */
    pu_buf out;
    /* downloads (http_upload.c): headers that live as long as the request,
     * since a deferred audit sends the answer after the handler returned */
    char ctype_buf[HTTP_UPLOAD_TYPE_MAX + 1];
    char hdr_name[HTTP_EXTRA_HEADERS][32], hdr_value[HTTP_EXTRA_HEADERS][HTTP_EXTRA_HEADER_MAX];
    int nhdr;
    const char *content_type;
    const char *allow;                 /* Allow header for 405 */
    char allow_buf[128];
    pu_err err;                        /* set by handlers on failure */

    const char *action;                /* audit */
    char purpose[256];                 /* the stated purpose (X-Puente-Purpose, kinship body) */
    pu_buf targets;
    pu_buf detail;
    char outcome[24];
    int audited;
    /* Read requests: the entry goes to the group commit and the connection is
     * suspended (not the worker thread) until it is committed; see
     * http_server.c. The response is held back until then (fail closed). */
    int audit_deferred;                /* set by http_dispatch: submit after it */
    audit_event audit_ev;              /* the deferred entry; points into this request */
    _Atomic int audit_state;           /* 0 none, 1 queued, 2 committed, 3 failed */
} http_req;

/* Screening routes (http_screen.c). */
#define HTTP_SCREEN_ROUTES                                                                              \
    {"POST", "/api/v1/screen", h_screen, "screen.batch", 1, ACL_P_SCREEN},                              \
    {"POST", "/api/v1/compare", h_compare, "screen.compare", 1, ACL_P_SCREEN},                          \
    {"GET", "/api/v1/decisions", h_decisions_list, "decision.list", 1, ACL_P_SCREEN},                   \
    {"POST", "/api/v1/decisions", h_decision_add, "decision.add", 1, ACL_P_REVIEW},                     \
    {"POST", "/match/{dataset}", h_yente_match, "screen.match", 1, ACL_P_SCREEN},
/* The shell's handle on the screening service, which the application
 * context owns (app_state(app, "screen")); svc outlives the handle. */
struct screen_service;
int http_screen_init(struct screen_service *svc, http_screen_state **out, pu_err *err);
void http_screen_free(http_screen_state *s);
/* Borrow the shared screening index for the rest of a request (other
 * engines: cargo party screening), brought up to date with the store first
 * (screen_service_acquire). Holds the service's read lock until
 * http_screen_index_release; NULL (and no lock) when screening is off, when
 * this request already holds it, or when it could not be brought up to date. */
const struct screen_index *http_screen_index_acquire(http_req *r);
void http_screen_index_release(http_req *r);

typedef int (*http_handler)(http_req *r);

typedef struct http_route {
    const char *method;
    const char *pattern;    /* "/api/v1/entities/{id}" */
    http_handler fn;
    const char *action;     /* audit action; NULL = not audited (health, version) */
    int auth;               /* 1: needs a principal */
    unsigned perm;          /* ACL_P_* needed (0 = any authenticated user) */
} http_route;

/* The route table of every registered module, joined in registry order
 * (http_routes.c); *n gets its size. */
const http_route *http_route_table(size_t *n);

/* ---- helpers (http_util.c) ---- */
/* Fail the request: sets r->err and returns code (handlers `return http_fail(...)`). */
int http_fail(http_req *r, int code, const char *field, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Respond with a jansson object (stolen). */
int http_json(http_req *r, int status, json_t *body);
/* Respond 200 with body (stolen) written with every double to 17 significant
 * digits, so a number reads back as the same double (likelihood ratios and
 * posteriors equal the CLI's); http_json writes 6. A NULL body (a failed
 * build) fails the request with PU_ERR_NOMEM, a response over the buffer's
 * cap with PU_ERR_LIMIT. */
int http_json_exact(http_req *r, json_t *body);
/* The permission bits as an array of their API names ("read", "tips"...);
 * new reference, NULL when out of memory (http_admin.c). */
json_t *http_perms_json(unsigned perms);
/* Append v to b as a JSON string (quoted, escaped; UTF-8 passes through as
 * jansson writes it). Returns PU_OK or PU_ERR_LIMIT/PU_ERR_NOMEM. */
int http_put_jstr(pu_buf *b, const char *v);
/* Append x as a JSON number the way jansson writes JSON_REAL_PRECISION(6). */
int http_put_jreal(pu_buf *b, double x);
/* Append o serialised compactly (key order kept). */
int http_put_json(pu_buf *b, const json_t *o);
/* Parse the body as one JSON object; PU_ERR_INVALID with position otherwise. */
int http_body_object(http_req *r, json_t **out);
/* Reject keys of o not in the NULL-terminated allowed list (field named). */
int http_only_keys(http_req *r, json_t *o, const char *const *allowed, const char *where);
/* Reject query arguments not in the NULL-terminated list. */
int http_only_args(http_req *r, const char *const *allowed);
/* A query argument or NULL. */
const char *http_arg(http_req *r, const char *name);
/* Real query argument in [lo, hi], default def when absent; NaN, infinities
 * and trailing characters are refused (400). */
int http_arg_real(http_req *r, const char *name, double lo, double hi, double def, double *out);
/* Integer query argument in [lo, hi], default def when absent. */
int http_arg_int(http_req *r, const char *name, int64_t lo, int64_t hi, int64_t def, int64_t *out);
/* Optional string member of o: NULL when absent; PU_ERR_INVALID when not a string. */
int http_str_member(http_req *r, json_t *o, const char *key, const char *where, const char **out);
/* Append an id to the audit targets (comma separated). */
void http_target(http_req *r, const char *id);
/* The names a screening query asked for (/screen, /match), for the audit
 * detail: http_audit_query_names adds the names of one query object
 * ({"name": ...} or yente's {"properties":{"name":[...]}}) to `names` (a
 * pu_buf of the caller; a full one keeps the first names);
 * http_audit_names_put appends them to the detail as `; names=[...]` (JSON
 * strings) or, when the policy $PUENTE_AUDIT_NAMES=hash is set, as keyed
 * BLAKE2b-128 hashes under the audit chain key (`; names_hashed=[...]`: the
 * same name gives the same hash, so an auditor holding the key can test a
 * name; nobody else can read it). */
#define HTTP_AUDIT_NAMES_MAX 2048
void http_audit_query_names(pu_buf *names, json_t *q);
void http_audit_names_put(http_req *r, const pu_buf *names);
/* The names policy at server start: PU_ERR_INVALID when
 * $PUENTE_AUDIT_NAMES is not plain/hash, or is hash without a chain key. */
int http_audit_names_policy_check(pu_err *err);
/* Is a stated purpose required for this audit action? Built in: kinship.*
 * (the purpose is in the body; its handler checks it). Configurable:
 * $PUENTE_PURPOSE_REQUIRED, a comma-separated list of actions or prefixes
 * ending in '*' ("entity.read,ews.*"): those routes need the header
 * X-Puente-Purpose (docs/audit.md "Purpose"). */
int http_purpose_required(const char *action);
/* Write the audit entry now (inside the caller's transaction, for changes). */
int http_audit_now(http_req *r, const char *outcome);
/* Begin a change's transaction (db_begin / store_begin) after the entries
 * already in the audit journal are in the chain, so the chain keeps the
 * order in which requests were answered (a read answered before this change
 * comes before it). Errors: the journal's (PU_ERR_DB, ...) or the begin's. */
int http_begin(http_req *r, pu_err *err);
int http_store_begin(http_req *r, pu_err *err);
/* Fill r->audit_ev from the request (user, agency, action, targets, outcome, detail). */
void http_audit_event(http_req *r, const char *outcome, audit_event *ev);
/* The audit entry of an answered request could not be written: replace the
 * response with a 500 (nothing is answered that the trail did not record). */
void http_audit_failed(http_req *r);
/* HTTP status of a PU_ERR_* code. */
int http_status_of(int code);

/* The one login check of the API and the web (http_admin.c): the flood
 * guard, then acl_login2 (lockout, second factor, last-logon notice). On
 * failure the request is failed (401 with the reason audited; 429/503 from
 * the guard) and its code returned. */
int http_login_check(http_req *r, const char *user, const char *pw, const char *code, acl_principal *p,
                     acl_logon_info *info, char session[ACL_SECRET_MAX]);
/* The login body {"user","password","code"?} of the API and the web, read
 * and checked by http_login_check. On failure the request is failed and its
 * code returned (400 naming the field of a bad body). */
int http_login_body(http_req *r, acl_principal *p, acl_logon_info *info, char session[ACL_SECRET_MAX]);
/* The last-logon notice as JSON (new reference). */
json_t *http_logon_json(const acl_logon_info *i);

/* ---- file uploads and downloads (http_upload.c; docs/cases.md "Documents") ----
 * An upload is the raw request body (no multipart), with its media type in
 * Content-Type and its file name in X-Filename (UTF-8, percent-encoded). */
/* Add a response header (at most HTTP_EXTRA_HEADERS; the value is copied).
 * Errors: PU_ERR_LIMIT (no slot, value too long). */
int http_header_add(http_req *r, const char *name, const char *value);
/* A request header or NULL. */
const char *http_req_header(http_req *r, const char *name);
/* Decode a percent-encoded UTF-8 file name into out[size]: its last path
 * segment ('/' or '\\'), valid UTF-8, no control characters, not "." or
 * "..", 1..HTTP_UPLOAD_NAME_MAX bytes. Errors: PU_ERR_INVALID.
 * (fuzz/http/fuzz_upload_name.c) */
int http_upload_name(const char *in, char *out, size_t size);
/* The media type of a Content-Type value ("type/subtype", token characters,
 * parameters dropped, lower-cased) into out[size]; NULL or empty gives
 * application/octet-stream. Errors: PU_ERR_INVALID. */
int http_upload_type(const char *in, char *out, size_t size);
/* The upload of this request: body, its name and its type (the request's
 * own buffers). The body must be 1..max bytes. On failure the request is
 * failed (400/413) and its code returned. */
int http_upload_get(http_req *r, size_t max, const unsigned char **data, size_t *n, char name[HTTP_UPLOAD_NAME_MAX + 1],
                    char type[HTTP_UPLOAD_TYPE_MAX + 1]);
/* Answer with a file: the bytes (copied), its type, Content-Disposition
 * attachment with the name (RFC 6266, filename* per RFC 8187) and the
 * SHA-256 as X-Content-SHA256 (hex) and Repr-Digest (RFC 9530). */
int http_send_file(http_req *r, const unsigned char *data, size_t n, const char *name, const char *type,
                   const char *sha256_hex);
/* The Content-Disposition value for name into out[size] (ASCII fallback
 * with other bytes as '_', and filename*=UTF-8''...). */
void http_disposition(const char *name, char *out, size_t size);

/* ---- handlers ---- */
int h_health(http_req *r);
int h_version(http_req *r);
int h_login(http_req *r);
/* POST /api/v1/me/password: the user's own password change. */
int h_password_change(http_req *r);
int h_logout(http_req *r);
int h_me(http_req *r);
int h_agencies(http_req *r);
int h_users_list(http_req *r);
int h_users_add(http_req *r);
int h_user_update(http_req *r);
int h_token_create(http_req *r);
/* authentication extras (http_auth.c) */
int h_banner(http_req *r);
int h_totp_begin(http_req *r);
int h_totp_confirm(http_req *r);
int h_grants_list(http_req *r);
int h_grant_approve(http_req *r);
int h_grant_reject(http_req *r);
/* "2026-12-06T09:51:10Z" of Unix seconds t into out[32] ("" for 0). */
void http_iso_time(int64_t t, char out[32]);
int h_audit_verify(http_req *r);
/* the audit trail with filters, its export, who viewed a record, agency
 * grants (http_oversight.c) */
int h_audit_list(http_req *r);
int h_audit_export(http_req *r);
int h_entity_views(http_req *r);
/* sanctions and links around a record (http_adjacent.c) */
int h_entity_adjacent(http_req *r);
int h_agency_grants(http_req *r);
int h_agency_grant_add(http_req *r);
int h_agency_grant_remove(http_req *r);
int h_entities_search(http_req *r);
int h_entity_get(http_req *r);
int h_entity_create(http_req *r);
int h_entity_update(http_req *r);
int h_entity_delete(http_req *r);
int h_entities_upload(http_req *r);
int h_stats(http_req *r);
int h_yente_search(http_req *r);
int h_export(http_req *r);
int h_screen(http_req *r);
int h_compare(http_req *r);
int h_decisions_list(http_req *r);
int h_decision_add(http_req *r);
int h_yente_match(http_req *r);
int h_yente_reconcile(http_req *r);   /* GET|POST /reconcile[/{dataset}] (http_screen.c) */
/* early warning (http_ews.c) */
int h_ews_reports(http_req *r);
int h_ews_alerts(http_req *r);
int h_ews_alert_ack(http_req *r);
int h_ews_alert_close(http_req *r);
int h_ews_queue(http_req *r);
int h_ews_queue_resolve(http_req *r);
int h_ews_queue_reject(http_req *r);
/* cargo (http_cargo.c) */
int h_cargo_queue(http_req *r);
int h_cargo_stats(http_req *r);
int h_cargo_dispose(http_req *r);
int h_cargo_manifests(http_req *r);
/* kinship (http_kinship.c): forensic role only, purpose required */
int h_kin_pairwise(http_req *r);
int h_kin_solve(http_req *r);
int h_kin_joint(http_req *r);
/* firearms tracing (http_trace.c) */
int h_trace_fields(http_req *r);
int h_trace_requests(http_req *r);
int h_trace_submit(http_req *r);
int h_trace_request(http_req *r);
int h_trace_pick(http_req *r);
int h_trace_status(http_req *r);
int h_trace_leads(http_req *r);
int h_trace_stats(http_req *r);
int h_kin_search_start(http_req *r);
int h_kin_search_get(http_req *r);
int h_kin_search_list(http_req *r);
/* the case database (http_kinship_case.c) */
int h_kin_case_hits(http_req *r);
int h_kin_case_hit(http_req *r);
int h_kin_case_review(http_req *r);
int h_kin_case_confirm(http_req *r);
int h_kin_case_exclude(http_req *r);
int h_kin_case_report(http_req *r);
/* X-STR and a stored sample's dropout (http_kinship_xstr.c) */
int h_kin_xstr(http_req *r);
int h_kin_case_pm_dropout(http_req *r);
int h_ews_alert_series(http_req *r);
/* the web application (http_web.c) */
int h_web_root(http_req *r);
int h_web_page(http_req *r);
int h_web_tip(http_req *r);
int h_web_tip_page(http_req *r);
int h_web_asset(http_req *r);
int h_i18n(http_req *r);
int h_web_session(http_req *r);
int h_web_login(http_req *r);
int h_web_logout(http_req *r);
int h_web_logout_all(http_req *r);
int h_web_lang(http_req *r);
/* the tip line (http_tips.c) */
int h_tips_form(http_req *r);
int h_tips_challenge(http_req *r);
int h_tips_submit(http_req *r);
int h_tips_receipt(http_req *r);
int h_tips_receipt_reply(http_req *r);
int h_tips_list(http_req *r);
int h_tips_indicators(http_req *r);
int h_tips_get(http_req *r);
int h_tips_message(http_req *r);
int h_tips_state(http_req *r);
int h_tips_link(http_req *r);
int h_tips_split(http_req *r);
int h_tips_receipt_attach(http_req *r);
int h_tips_attachment(http_req *r);
/* Designation lists (http_lists.c). */
int h_lists_versions(http_req *r);
int h_lists_delta(http_req *r);
int h_lists_update(http_req *r);
/* yente's EntityResponse JSON of an entity (+ owner, marking, caveats). */
int http_yente_entity(const ftm_entity *e, json_t **out);

#endif
