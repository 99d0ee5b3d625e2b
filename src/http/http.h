/*
 * http.h - `puente serve`: the JSON HTTP API over libmicrohttpd
 * (docs/API.md, docs/openapi.yaml).
 *
 * Runtime: a libmicrohttpd thread pool, each thread with its own epoll set
 * and its own store handle (db.h: one db_t per thread; the SQLite backend
 * runs in WAL mode so readers do not block the writer).
 *
 * Every request that reads or changes records, every login and every
 * permission change is written to the audit trail (audit.h) before the
 * response is sent; a request whose audit entry cannot be written fails
 * (500) instead of going unrecorded.
 *
 * Errors always have the body {"error":{"code","message","field"}} with the
 * status of the code: invalid 400, unauthenticated 401, denied 403,
 * not_found 404, method 405, conflict 409, too_large 413, unsupported media
 * 415, store/internal 500, unavailable 503.
 */
#ifndef PU_HTTP_H
#define PU_HTTP_H

#include <stddef.h>
#include "common/pu.h"

typedef struct http_config {
    const char *db_path;        /* the store (required; not ":memory:") */
    const char *addr;           /* IPv4/IPv6 literal to bind; default "127.0.0.1" */
    int port;                   /* 0 = any free port (see http_port) */
    unsigned threads;           /* worker threads; 0 = number of CPUs */
    size_t max_body;            /* bytes per request body; 0 = 8 MiB */
    unsigned max_conns;         /* open connections; 0 = 1024 */
    unsigned max_conns_per_ip;  /* per client address; 0 = 64 */
    unsigned timeout_s;         /* idle connection timeout; 0 = 30 s */
    int retention_days;         /* audit retention; 0 = 365; pruned at start */
    int quiet;                  /* 1: no startup banner on stderr */
    /* Audit entries of reads and refusals (changes are audited inside their
     * own transaction), required: a path = through the audit journal at that
     * path (audit.h); "commit" = each request waits until its entry is
     * committed to the store (group commit, no journal). The CLI's default
     * (next to the store file) comes from cli_audit_journal_path. */
    const char *audit_journal;
    /* The audit anchor file (audit.h "anchors"): the head of the chain is
     * appended to it at start, every AUDIT_ANCHOR_INTERVAL_S and at stop.
     * NULL or "" = no anchors. The CLI's default comes from
     * cli_audit_anchor_path ($PUENTE_AUDIT_ANCHORS, <db>-audit.anchors). */
    const char *audit_anchors;
    /* Transport (docs/http.md "TLS"): with both files the server speaks only
     * TLS 1.2/1.3 (HTTP_TLS_PRIORITIES) and sends HSTS. Without them it
     * serves plain HTTP on a loopback address only, unless allow_plain. */
    const char *tls_cert;       /* PEM certificate (chain) file */
    const char *tls_key;        /* PEM private key file */
    int allow_plain;            /* 1: plain HTTP on any address (behind a TLS proxy) */
    /* Unauthenticated logins per client address: a token bucket refilled at
     * login_rate per second up to login_burst (0 = HTTP_LOGIN_RATE/BURST). */
    double login_rate;
    unsigned login_burst;
    /* The web application (docs/web.md): the built front end's directory
     * (NULL = "<dir of the executable>/web"), the idle limit of browser
     * sessions in seconds (0 = the API's ACL_SESSION_IDLE; never longer),
     * and 1 to mark cookies Secure whatever the connection (TLS proxy). */
    const char *web_root;
    int session_idle_s;
    int secure_cookies;
} http_config;

/* GnuTLS priority string: TLS 1.2 and 1.3 only, the server's cipher order. */
#define HTTP_TLS_PRIORITIES "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:%SERVER_PRECEDENCE"
#define HTTP_HSTS "max-age=31536000; includeSubDomains"
#define HTTP_LOGIN_RATE 0.5      /* login attempts per second and address, sustained */
#define HTTP_LOGIN_BURST 20u     /* ... and in a burst */

typedef struct http_server http_server;

/* Open the store (running every module's migrations), prune the audit trail
 * to the retention period and start listening.
 * Errors: PU_ERR_INVALID (bad config field named; plain HTTP on a
 * non-loopback address without allow_plain; a half TLS configuration;
 * unreadable certificate or key), PU_ERR_IO (cannot bind:
 * address in use...), PU_ERR_DB, PU_ERR_NOMEM. */
int http_start(const http_config *cfg, http_server **out, pu_err *err);
/* The TCP port actually bound. */
int http_port(const http_server *s);
/* Graceful stop: stop accepting connections, let in-flight requests finish
 * (up to 30 s), then close every store handle. NULL-safe. */
void http_stop(http_server *s);
/* Start, print "listening on http://ADDR:PORT", wait for SIGTERM or SIGINT,
 * stop gracefully. Returns PU_OK after a clean shutdown. */
int http_run(const http_config *cfg, pu_err *err);

/* The routes the server answers, as NULL-terminated "METHOD /path/{param}"
 * strings (static). Used by tests to check docs/openapi.yaml covers them. */
const char *const *http_routes(void);

/* Each module's route table, for the module registry (src/app/modules.c):
 * returns the table (the server's own struct http_route), *n its size. */
struct http_route;
const struct http_route *http_routes_core(size_t *n);
const struct http_route *http_routes_access(size_t *n);
const struct http_route *http_routes_audit(size_t *n);
const struct http_route *http_routes_store(size_t *n);
const struct http_route *http_routes_screen(size_t *n);
const struct http_route *http_routes_ews(size_t *n);
const struct http_route *http_routes_cargo(size_t *n);
const struct http_route *http_routes_kinship(size_t *n);
const struct http_route *http_routes_trace(size_t *n);
const struct http_route *http_routes_web(size_t *n);
const struct http_route *http_routes_tips(size_t *n);
/* Protection of journalists and defenders (http_protect.c). */
const struct http_route *http_routes_protect(size_t *n);
/* Joint cases, warrants and extraditions (http_cases.c, docs/cases.md). */
const struct http_route *http_routes_cases(size_t *n);
const struct http_route *http_routes_indicators(size_t *n);   /* http_indicators.c */
const struct http_route *http_routes_graph(size_t *n);   /* http_graph.c: /api/v1/graph, /api/v1/resolve */
const struct http_route *http_routes_yente(size_t *n);
const struct http_route *http_routes_lists(size_t *n);
const struct http_route *http_routes_monitor(size_t *n);

#endif
