/* http_web.h - the web application's side of the server (http_web.c):
 * static assets, page shells, cookie sessions, CSRF, language, CSP.
 * Internal to src/http; docs/web.md has the reasons. */
#ifndef PU_HTTP_WEB_H
#define PU_HTTP_WEB_H

#include <microhttpd.h>
#include "i18n/i18n.h"

#define HTTP_WEB_COOKIE "puente_session"
#define HTTP_WEB_LANG_COOKIE "puente_lang"
#define HTTP_WEB_CSRF_HEADER "X-CSRF-Token"
#define HTTP_WEB_CSRF_LEN 32           /* hex characters of a CSRF token */
#define HTTP_WEB_MAX_COOKIES 3

typedef struct http_web_cfg {
    char root[1024];    /* directory of the built front end (build/web) */
    int idle_s;         /* idle limit of cookie sessions (<= ACL_SESSION_IDLE) */
    int secure_cookies; /* always mark cookies Secure (TLS in front of us) */
} http_web_cfg;

struct http_req;
/* Fill cfg from the server's settings: root NULL = "<dir of the executable>/web";
 * idle_s 0 = the API's (ACL_SESSION_IDLE); larger values are capped there. */
void http_web_configure(http_web_cfg *cfg, const char *root, int idle_s, int secure_cookies);
/* The session secret of the request's cookie, or NULL (no cookie). */
const char *http_web_cookie_secret(struct http_req *r);
/* After a cookie session authenticated: apply the web idle limit (expired:
 * revoked, PU_ERR_DENIED) and, on a state-changing method, the CSRF token
 * (missing or wrong: PU_ERR_DENIED, field X-CSRF-Token). Returns PU_OK or
 * the failure already set on r (http_fail). */
int http_web_check_cookie(struct http_req *r);
/* The request's language: the puente_lang cookie, else Accept-Language. */
i18n_lang http_web_lang(struct http_req *r);
/* Add the web headers to a response: Set-Cookie lines queued on r, and the
 * Content-Security-Policy and framing rules (every response). */
void http_web_headers(struct http_req *r, struct MHD_Response *resp);

#endif
