/* http_server.c - libmicrohttpd glue: limits, body collection, per-thread
 * stores, graceful shutdown (see http.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sodium.h>
#include <unistd.h>

#include "app/app.h"
#include "http/http_int.h"
#include "tips/tips.h"

struct http_server {
    struct MHD_Daemon *d;
    http_config cfg;
    char db_path[1024];
    char addr[64];
    int port;
    pthread_key_t key;
    app_t *app;                /* the application context: primary store, engine state */
    http_screen_state *screen;
    http_web_cfg web;          /* the web application's settings */
    http_auditq *auditq;       /* audit mode "commit" */
    audit_journal *journal;    /* default audit mode */
    char journal_path[1100];
    char anchors_path[1100];   /* "" = no anchors */
    pthread_t anchor_thread;   /* appends the head every AUDIT_ANCHOR_INTERVAL_S */
    int anchor_running;
    pthread_mutex_t anchor_mu;
    pthread_cond_t anchor_cv;
    int anchor_stop;
    atomic_int inflight;
    /* libmicrohttpd aborts if the daemon is stopped while a connection is
     * suspended: deferrals are counted, and refused once stopping is set
     * (both under defer_mu), so http_stop can wait for the count to drain */
    pthread_mutex_t defer_mu;
    int stopping;
    atomic_int suspended;
    http_guard *guard;         /* login flood guard */
    char *tls_cert, *tls_key;  /* PEM contents when serving TLS */
    pthread_mutex_t lock;      /* guards stores[] */
    store_t **stores;          /* every per-thread store, closed at stop */
    size_t nstores, cap;
};

void http_dispatch(http_req *r);

/* http_req.audit_state */
enum { AUDIT_NONE, AUDIT_QUEUED, AUDIT_COMMITTED, AUDIT_FAILED };

/* ---- per-thread store ---- */
/* Forget this thread's store whose connection broke (a PostgreSQL failover:
 * the old primary is gone), so the next request opens a new one: one failed
 * request per thread instead of a server that fails until restarted. */
static void drop_dead_store(http_server *s, store_t *st) {
    pthread_mutex_lock(&s->lock);
    for (size_t i = 0; i < s->nstores; i++)
        if (s->stores[i] == st) {
            s->stores[i] = s->stores[--s->nstores];
            break;
        }
    pthread_mutex_unlock(&s->lock);
    pthread_setspecific(s->key, NULL);
    store_close(st);
}

static int thread_store(http_server *s, store_t **out, pu_err *err) {
    store_t *st = pthread_getspecific(s->key);
    if (st && !db_alive(store_db(st))) {
        drop_dead_store(s, st);
        st = NULL;
    }
    if (st) {
        *out = st;
        return PU_OK;
    }
    int rc = store_open(s->db_path, &st, err);
    if (rc) return rc;
    pthread_mutex_lock(&s->lock);
    if (s->nstores == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 16;
        store_t **nv = realloc(s->stores, nc * sizeof *nv);
        if (!nv) {
            pthread_mutex_unlock(&s->lock);
            store_close(st);
            return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
        }
        s->stores = nv;
        s->cap = nc;
    }
    s->stores[s->nstores++] = st;
    pthread_mutex_unlock(&s->lock);
    pthread_setspecific(s->key, st);
    *out = st;
    return PU_OK;
}

/* ---- responses ---- */
static enum MHD_Result send_response(http_req *r) {
    size_t n = r->out.len;
    char *body = pu_buf_detach(&r->out);
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(n, body ? body : (void *)"", body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (!resp) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type ? r->content_type : "application/json");
    /* security headers on every answer (docs/http.md "Headers") */
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Content-Security-Policy", r->csp ? r->csp : HTTP_CSP_API);
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "Cross-Origin-Resource-Policy", "same-origin");
    if (r->tls) MHD_add_response_header(resp, "Strict-Transport-Security", HTTP_HSTS);
    if (r->retry_after) {
        char ra[16];
        snprintf(ra, sizeof ra, "%u", r->retry_after);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, ra);
    }
    if (r->allow) MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->allow);
    for (int i = 0; i < r->nhdr; i++) MHD_add_response_header(resp, r->hdr_name[i], r->hdr_value[i]);
    http_web_headers(r, resp);
    enum MHD_Result ret = MHD_queue_response(r->conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static void req_free(http_req *r) {
    if (!r) return;
    pu_buf_free(&r->body);
    pu_buf_free(&r->out);
    pu_buf_free(&r->targets);
    pu_buf_free(&r->detail);
    memset(r->secret, 0, sizeof r->secret);
    free(r);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe) {
    (void)c;
    (void)toe;
    http_server *s = cls;
    http_req *r = *con_cls;
    if (r && r->started) atomic_fetch_sub(&s->inflight, 1);
    /* closed between its resume and its answer: no longer suspended */
    if (r && atomic_load(&r->audit_state) != AUDIT_NONE) atomic_fetch_sub(&s->suspended, 1);
    req_free(r);
    *con_cls = NULL;
}

static enum MHD_Result early_error_status(http_req *r, int code, int status, const char *field, const char *msg) {
    http_fail(r, code, field, "%s", msg);
    r->status = status;
    json_t *e = json_pack("{s:{s:s,s:s,s:s}}", "error", "code", pu_code_name(code), "message", msg, "field",
                          field ? field : "");
    http_json(r, r->status, e);
    return send_response(r);
}

static enum MHD_Result early_error(http_req *r, int code, const char *field, const char *msg) {
    return early_error_status(r, code, http_status_of(code), field, msg);
}

/* ---- the request record, made when the request line arrives ---- */
static void client_address(struct MHD_Connection *c, char *out, size_t size) {
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    out[0] = '\0';
    if (!ci || !ci->client_addr) return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET) inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)size);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, (socklen_t)size);
}

static http_req *req_new(http_server *s, struct MHD_Connection *conn) {
    http_req *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->conn = conn;
    r->status = 200;
    pu_buf_init(&r->body, s->cfg.max_body);
    pu_buf_init(&r->out, HTTP_OUT_MAX);
    pu_buf_init(&r->targets, AUDIT_FIELD_MAX);
    pu_buf_init(&r->detail, AUDIT_FIELD_MAX);
    r->tls = s->tls_cert != NULL;
    r->guard = s->guard;
    r->web = &s->web;
    client_address(conn, r->source, sizeof r->source);
    return r;
}

/* libmicrohttpd shows the URI here exactly as received, before it unescapes
 * the path and the arguments (once): the checks that need the raw form run
 * here, their answer is given when the request reaches on_request. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn) {
    /* the API translates per request (error.<code>), never by the language
     * `puente --lang` set for the server process's own output */
    pu_tr_thread_off(1);
    http_req *r = req_new(cls, conn);
    if (r) r->uri_problem = http_uri_check(uri, &r->uri_why);
    if (r && r->uri_problem == PU_ERR_LIMIT) {
        /* libmicrohttpd (0.9.75) parses the arguments right after this call
         * into the connection's memory pool, and when the pool runs out it
         * never answers: the connection hangs until its timeout (measured:
         * 1,000 arguments with the 64 KiB pool). The request is refused
         * anyway, so its query is cut here, in libmicrohttpd's own writable
         * request buffer, and nothing is left to parse. */
        char *q = strchr((char *)(uintptr_t)uri, '?');
        if (q) q[1] = '\0';
    }
    return r;
}

/* ---- deferred audit: the connection waits, not the worker ---- */

/* Writer thread: the entry is committed (or not); MHD calls on_request again. */
static void audit_done(void *ctx, int rc) {
    http_req *r = ctx;
    atomic_store(&r->audit_state, rc == PU_OK ? AUDIT_COMMITTED : AUDIT_FAILED);
    MHD_resume_connection(r->conn);
}

/* Suspend first: the callback may run before submit returns, and resuming a
 * connection that is not suspended is an error. Once the server is stopping,
 * the entry is written synchronously instead (the queue is going away). */
static enum MHD_Result defer_until_audited(http_server *s, http_req *r) {
    r->audit_deferred = 0;
    pthread_mutex_lock(&s->defer_mu);
    if (s->stopping) {
        pthread_mutex_unlock(&s->defer_mu);
        pu_err e;
        if (audit_append(r->db, &r->audit_ev, &e) != PU_OK) http_audit_failed(r);
        return send_response(r);
    }
    atomic_fetch_add(&s->suspended, 1);
    atomic_store(&r->audit_state, AUDIT_QUEUED);
    MHD_suspend_connection(r->conn);
    if (http_auditq_submit(r->auditq, &r->audit_ev, audit_done, r) != PU_OK) {
        atomic_store(&r->audit_state, AUDIT_FAILED);
        MHD_resume_connection(r->conn);
    }
    pthread_mutex_unlock(&s->defer_mu);
    return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size, void **con_cls) {
    (void)version;
    pu_tr_thread_off(1);
    http_server *s = cls;
    http_req *r = *con_cls;
    if (!r && !(r = *con_cls = req_new(s, conn))) return MHD_NO;
    if (!r->started) {
        r->method = method;
        r->started = 1;
        atomic_fetch_add(&s->inflight, 1);
        if (r->uri_problem == PU_ERR_INVALID)
            return early_error(r, PU_ERR_INVALID, "path", "the request contains an encoded NUL (%00)");
        if (r->uri_problem == PU_ERR_LIMIT) {
            char msg[96];
            snprintf(msg, sizeof msg, "more than %d query arguments", HTTP_MAX_QUERY_ARGS);
            return early_error_status(r, PU_ERR_LIMIT, 414, "query", msg);
        }
        /* libmicrohttpd has decoded the path once; it is not decoded again */
        int drc = http_path_copy(url, r->path, sizeof r->path);
        if (drc) return early_error(r, drc, "path", "the request path is too long or not valid UTF-8");
        /* refuse an oversize body before reading it */
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl && strtoull(cl, NULL, 10) > s->cfg.max_body) {
            char msg[128];
            snprintf(msg, sizeof msg, "the request body is larger than the limit of %zu bytes", s->cfg.max_body);
            return early_error(r, PU_ERR_LIMIT, "body", msg);
        }
        return MHD_YES;
    }
    if (*upload_size) {
        if (!r->too_large && pu_buf_append(&r->body, upload, *upload_size) != PU_OK) {
            r->too_large = 1;
            pu_buf_free(&r->body);
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (r->too_large) {
        char msg[128];
        snprintf(msg, sizeof msg, "the request body is larger than the limit of %zu bytes", s->cfg.max_body);
        return early_error(r, PU_ERR_LIMIT, "body", msg);
    }
    int state = atomic_load(&r->audit_state);
    if (state == AUDIT_QUEUED) return MHD_YES; /* spurious call while suspended */
    if (state == AUDIT_COMMITTED || state == AUDIT_FAILED) {
        atomic_store(&r->audit_state, AUDIT_NONE);
        atomic_fetch_sub(&s->suspended, 1); /* resumed and being answered */
        if (state == AUDIT_FAILED) http_audit_failed(r);
        return send_response(r);
    }
    pu_err e;
    if (thread_store(s, &r->st, &e) != PU_OK) return early_error(r, PU_ERR_DB, NULL, "the store is unavailable");
    r->db = store_db(r->st);
    r->screen = s->screen;
    r->app = s->app;
    r->auditq = s->auditq;
    r->journal = s->journal;
    http_dispatch(r);
    if (r->audit_deferred) return defer_until_audited(s, r);
    return send_response(r);
}

/* ---- lifecycle ---- */
/* libmicrohttpd's fatal errors: say what and where before aborting (its
 * default handler aborts silently in release builds). */
static void on_panic(void *cls, const char *file, unsigned int line, const char *reason) {
    (void)cls;
    fprintf(stderr, "puente: libmicrohttpd fatal error: %s (%s:%u)\n", reason ? reason : "?", file ? file : "?", line);
    fflush(stderr);
    abort();
}

static unsigned cpu_count(void) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 2;
}

static int prepare_store(http_server *s, pu_err *err) {
    /* the application context: its store is the server's primary connection,
     * app_open brings every module's schema up to date once, before the first
     * request, and it owns the engines' long-lived state (src/app) */
    app_opts ao = {s->db_path};
    int rc = app_open(&ao, &s->app, err);
    if (rc) return rc;
    db_t *db = app_db(s->app);
    int64_t removed = 0;
    rc = audit_prune(db, s->cfg.retention_days, NULL, &removed, err);
    if (rc == PU_OK) {
        audit_event ev = {"http", "-", "", "server.start", "", "success", NULL, NULL, NULL};
        char detail[128];
        snprintf(detail, sizeof detail, "listen %s:%d; retention %d days; pruned %lld", s->addr, s->cfg.port,
                 s->cfg.retention_days, (long long)removed);
        ev.detail = detail;
        rc = audit_append(db, &ev, err);
    }
    void *svc = NULL;
    if (rc == PU_OK) rc = app_state(s->app, "screen", &svc, err);
    if (rc == PU_OK) rc = http_screen_init(svc, &s->screen, err);
    return rc;
}

/* Plain HTTP is for loopback only (docs/http.md "TLS"). */
static int is_loopback(const struct sockaddr_storage *ss) {
    if (ss->ss_family == AF_INET)
        return (ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr) >> 24) == 127;
    const struct in6_addr *a = &((const struct sockaddr_in6 *)ss)->sin6_addr;
    return IN6_IS_ADDR_LOOPBACK(a);
}

#define TLS_FILE_MAX ((uint64_t)1 << 20)

static int read_pem(const char *path, const char *field, char **out, pu_err *err) {
    FILE *f = fopen(path, "rb");
    if (!f) return pu_fail(err, PU_ERR_INVALID, NULL, field, "cannot read '%s'", path);
    pu_buf b = PU_BUF_INIT(TLS_FILE_MAX);
    char chunk[4096];
    size_t n;
    int rc = PU_OK;
    while (rc == PU_OK && (n = fread(chunk, 1, sizeof chunk, f)) > 0) rc = pu_buf_append(&b, chunk, n);
    fclose(f);
    if (rc == PU_OK && !strstr(pu_buf_str(&b), "-----BEGIN ")) rc = PU_ERR_INVALID;
    if (rc) {
        pu_buf_free(&b);
        return pu_fail(err, PU_ERR_INVALID, NULL, field, "'%s' is not a PEM file", path);
    }
    (void)pu_buf_str(&b);
    *out = pu_buf_detach(&b);
    return PU_OK;
}

static int transport_check(http_server *s, const struct sockaddr_storage *ss, pu_err *err) {
    const char *cert = s->cfg.tls_cert, *key = s->cfg.tls_key;
    if ((cert && *cert) != (key && *key))
        return pu_fail(err, PU_ERR_INVALID, NULL, cert && *cert ? "tls-key" : "tls-cert",
                       "TLS needs both a certificate and its key");
    if (cert && *cert) {
        if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
            return pu_fail(err, PU_ERR_UNSUPPORTED, NULL, "tls-cert", "this libmicrohttpd was built without TLS");
        int rc = read_pem(cert, "tls-cert", &s->tls_cert, err);
        return rc ? rc : read_pem(key, "tls-key", &s->tls_key, err);
    }
    if (!is_loopback(ss) && !s->cfg.allow_plain)
        return pu_fail(err, PU_ERR_INVALID, NULL, "listen",
                       "plain HTTP is only served on a loopback address; give --tls-cert and --tls-key, "
                       "or --allow-plain behind a TLS-terminating proxy");
    return PU_OK;
}

static int bind_addr(http_server *s, struct sockaddr_storage *ss, pu_err *err) {
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, s->addr, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)s->cfg.port);
        return PU_OK;
    }
    if (inet_pton(AF_INET6, s->addr, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)s->cfg.port);
        return PU_OK;
    }
    return pu_fail(err, PU_ERR_INVALID, NULL, "listen", "expected an IPv4 or IPv6 address, got '%s'", s->addr);
}

/* ---- anchors: the head of the audit chain, outside the store ---- */
static void anchor_now(http_server *s, db_t *db) {
    if (!s->anchors_path[0]) return;
    pu_err e;
    db_t *own = NULL;
    if (!db && db_open(s->db_path, NULL, &own, &e) != PU_OK) {
        fprintf(stderr, "puente: audit anchor: %s\n", e.msg);
        return;
    }
    if (audit_anchor_write(db ? db : own, s->anchors_path, NULL, &e) != PU_OK)
        fprintf(stderr, "puente: audit anchor to %s failed: %s\n", s->anchors_path, e.msg);
    db_close(own);
}

static void *anchor_loop(void *arg) {
    http_server *s = arg;
    pthread_mutex_lock(&s->anchor_mu);
    while (!s->anchor_stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += AUDIT_ANCHOR_INTERVAL_S;
        while (!s->anchor_stop && pthread_cond_timedwait(&s->anchor_cv, &s->anchor_mu, &until) != ETIMEDOUT) {}
        if (s->anchor_stop) break;
        pthread_mutex_unlock(&s->anchor_mu);
        anchor_now(s, NULL);
        pthread_mutex_lock(&s->anchor_mu);
    }
    pthread_mutex_unlock(&s->anchor_mu);
    return NULL;
}

static int start_anchors(http_server *s, pu_err *err) {
    if (pu_snprintf(s->anchors_path, sizeof s->anchors_path, "%s", s->cfg.audit_anchors ? s->cfg.audit_anchors : ""))
        return pu_fail(err, PU_ERR_LIMIT, NULL, "audit-anchors", "the path is too long");
    if (!s->anchors_path[0]) return PU_OK;
    /* at start, after the journal's leftovers are in the chain */
    int rc = audit_anchor_write(app_db(s->app), s->anchors_path, NULL, err);
    if (rc) return rc;
    if (pthread_create(&s->anchor_thread, NULL, anchor_loop, s) != 0)
        return pu_fail(err, PU_ERR_INTERNAL, NULL, "audit-anchors", "cannot start the anchor thread");
    s->anchor_running = 1;
    return PU_OK;
}

static void stop_anchors(http_server *s) {
    if (!s->anchor_running) return;
    pthread_mutex_lock(&s->anchor_mu);
    s->anchor_stop = 1;
    pthread_cond_signal(&s->anchor_cv);
    pthread_mutex_unlock(&s->anchor_mu);
    pthread_join(s->anchor_thread, NULL);
    s->anchor_running = 0;
}

/* The audit mode (http.h, audit_journal): the journal, or the group commit. */
static int start_audit(http_server *s, pu_err *err) {
    const char *mode = s->cfg.audit_journal;
    if (mode && strcmp(mode, "commit") == 0) {
        s->cfg.audit_journal = "commit";
        return http_auditq_start(s->db_path, &s->auditq, err);
    }
    if (pu_snprintf(s->journal_path, sizeof s->journal_path, "%s", mode))
        return pu_fail(err, PU_ERR_LIMIT, NULL, "audit-journal", "the path is too long");
    s->cfg.audit_journal = s->journal_path;
    return audit_journal_open(s->journal_path, s->db_path, &s->journal, err);
}

int http_start(const http_config *cfg, http_server **out, pu_err *err) {
    *out = NULL;
    if (!cfg->db_path || !*cfg->db_path || strcmp(cfg->db_path, ":memory:") == 0)
        return pu_fail(err, PU_ERR_INVALID, NULL, "db", "the server needs a store file, got '%s'",
                       cfg->db_path ? cfg->db_path : "");
    if (!cfg->audit_journal || !*cfg->audit_journal)
        return pu_fail(err, PU_ERR_INVALID, NULL, "audit-journal", "expected the audit journal's path or 'commit'");
    if (cfg->port < 0 || cfg->port > 65535)
        return pu_fail(err, PU_ERR_INVALID, NULL, "port", "expected 0-65535, got %d", cfg->port);
    http_server *s = calloc(1, sizeof *s);
    if (!s) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    s->cfg = *cfg;
    if (!s->cfg.threads) s->cfg.threads = cpu_count();
    if (!s->cfg.max_body) s->cfg.max_body = (size_t)8 << 20;
    if (!s->cfg.max_conns) s->cfg.max_conns = 1024;
    if (!s->cfg.max_conns_per_ip) s->cfg.max_conns_per_ip = 64;
    if (!s->cfg.timeout_s) s->cfg.timeout_s = 30;
    if (!s->cfg.retention_days) s->cfg.retention_days = AUDIT_DEFAULT_RETENTION_DAYS;
    http_web_configure(&s->web, cfg->web_root, cfg->session_idle_s, cfg->secure_cookies);
    pu_strlcpy(s->db_path, cfg->db_path, sizeof s->db_path);
    pu_strlcpy(s->addr, cfg->addr && *cfg->addr ? cfg->addr : "127.0.0.1", sizeof s->addr);
    s->cfg.db_path = s->db_path;
    s->cfg.addr = s->addr;
    pthread_mutex_init(&s->lock, NULL);
    pthread_mutex_init(&s->defer_mu, NULL);
    pthread_mutex_init(&s->anchor_mu, NULL);
    pthread_cond_init(&s->anchor_cv, NULL);
    pthread_key_create(&s->key, NULL);
    struct sockaddr_storage ss;
    int rc = bind_addr(s, &ss, err);
    if (rc == PU_OK) rc = transport_check(s, &ss, err);
    if (rc == PU_OK) rc = http_guard_new(s->cfg.login_rate, s->cfg.login_burst, &s->guard, err);
    if (rc == PU_OK) rc = prepare_store(s, err);
    if (rc == PU_OK) rc = store_seal_check(err);
    if (rc == PU_OK) rc = audit_key_current(&(const unsigned char *){NULL}, &(const char *){NULL}, err);
    if (rc == PU_OK) rc = http_audit_names_policy_check(err);
    if (rc == PU_OK) rc = start_audit(s, err);
    if (rc == PU_OK) rc = start_anchors(s, err);
    if (rc) {
        http_stop(s);
        return rc;
    }
    MHD_set_panic_func(on_panic, NULL);
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_TURBO | MHD_ALLOW_SUSPEND_RESUME;
    if (ss.ss_family == AF_INET6) flags |= MHD_USE_IPv6;
    if (s->tls_cert) flags |= MHD_USE_TLS;
    /* TLS options only when serving TLS (MHD_OPTION_ARRAY ends at the first END) */
    struct MHD_OptionItem tls_opts[] = {
        {MHD_OPTION_HTTPS_MEM_CERT, 0, s->tls_cert},
        {MHD_OPTION_HTTPS_MEM_KEY, 0, s->tls_key},
        {MHD_OPTION_HTTPS_PRIORITIES, 0, (void *)HTTP_TLS_PRIORITIES},
        {MHD_OPTION_END, 0, NULL},
    };
    if (!s->tls_cert) tls_opts[0].option = MHD_OPTION_END;
    s->d = MHD_start_daemon(flags, (uint16_t)s->cfg.port, NULL, NULL, on_request, s,
                            MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
                            MHD_OPTION_THREAD_POOL_SIZE, s->cfg.threads,
                            MHD_OPTION_CONNECTION_LIMIT, s->cfg.max_conns,
                            MHD_OPTION_PER_IP_CONNECTION_LIMIT, s->cfg.max_conns_per_ip,
                            MHD_OPTION_CONNECTION_TIMEOUT, s->cfg.timeout_s,
                            MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)64 * 1024,
                            MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
                            MHD_OPTION_URI_LOG_CALLBACK, on_uri, s,
                            MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u,
                            MHD_OPTION_ARRAY, tls_opts,
                            MHD_OPTION_END);
    if (!s->d) {
        http_stop(s);
        return pu_fail(err, PU_ERR_IO, NULL, "listen", "cannot listen on %s:%d (address in use or not permitted)",
                       cfg->addr && *cfg->addr ? cfg->addr : "127.0.0.1", cfg->port);
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : s->cfg.port;
    *out = s;
    return PU_OK;
}

int http_port(const http_server *s) { return s->port; }

void http_stop(http_server *s) {
    if (!s) return;
    /* from now on requests are audited synchronously: no connection is
     * suspended any more while the daemon quiesces and stops */
    pthread_mutex_lock(&s->defer_mu);
    s->stopping = 1;
    pthread_mutex_unlock(&s->defer_mu);
    if (s->d) {
        /* stop accepting, let in-flight requests finish, then stop */
        MHD_quiesce_daemon(s->d);
        for (int i = 0; i < 3000 && atomic_load(&s->inflight) > 0; i++) {
            struct timespec ts = {0, 10 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    audit_event stop_ev = {"http", "-", "", "server.stop", "", "success", NULL, NULL, NULL};
    if (s->auditq) (void)http_auditq_append(s->auditq, &stop_ev);
    /* The audit writer stops before the daemon: it drains its queue and
     * resumes every connection still waiting for its entry; then the workers
     * answer them. Only when none is suspended any more may the daemon stop
     * (libmicrohttpd panics otherwise, and a callback must never touch a
     * request MHD_stop_daemon has freed). */
    http_auditq_stop(s->auditq);
    for (int i = 0; i < 5000 && atomic_load(&s->suspended) > 0; i++) {
        struct timespec ts = {0, 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    if (s->d) MHD_stop_daemon(s->d);
    http_auditq_free(s->auditq);
    if (s->journal) {
        /* no request runs any more: the last entry, then everything into the chain */
        pu_err e;
        if (audit_journal_append(s->journal, &stop_ev, &e) != PU_OK) fprintf(stderr, "puente: %s\n", e.msg);
        audit_journal_close(s->journal);
    }
    stop_anchors(s);
    if (s->app && s->anchors_path[0]) anchor_now(s, app_db(s->app)); /* the final head */
    for (size_t i = 0; i < s->nstores; i++) store_close(s->stores[i]);
    http_screen_free(s->screen);
    app_close(s->app);
    free(s->stores);
    pthread_key_delete(s->key);
    pthread_mutex_destroy(&s->lock);
    pthread_mutex_destroy(&s->defer_mu);
    pthread_mutex_destroy(&s->anchor_mu);
    pthread_cond_destroy(&s->anchor_cv);
    http_guard_free(s->guard);
    if (s->tls_key) sodium_memzero(s->tls_key, strlen(s->tls_key));
    free(s->tls_key);
    free(s->tls_cert);
    free(s);
}

int http_run(const http_config *cfg, pu_err *err) {
    /* Block the signals before the worker threads start, so only sigwait
     * below receives them and no request is interrupted mid-way. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    http_server *s;
    int rc = http_start(cfg, &s, err);
    if (rc) return rc;
    if (!cfg->quiet) {
        fprintf(stderr, "puente: listening on %s://%s:%d (store %s, %u threads%s)\n", s->tls_cert ? "https" : "http",
                s->addr, s->port, s->db_path, s->cfg.threads, s->tls_cert ? ", TLS 1.2+" : "");
        fprintf(stderr, "puente: %s; audit chain key: %s; audit anchors: %s\n", store_seal_status(),
                audit_key_configured() ? "on" : "OFF (no $PUENTE_AUDIT_KEY_FILE)",
                s->anchors_path[0] ? s->anchors_path : "none");
        char weak[320];
        if (tips_weakened(weak, sizeof weak))
            fprintf(stderr, "puente: WARNING: the tip line runs with test settings: %s; never in production\n", weak);
        fflush(stderr);
    }
    int sig = 0;
    sigwait(&set, &sig);
    if (!cfg->quiet) fprintf(stderr, "puente: %s received, finishing in-flight requests\n", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    http_stop(s);
    if (!cfg->quiet) fprintf(stderr, "puente: server stopped cleanly\n");
    return PU_OK;
}
