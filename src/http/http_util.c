/* http_util.c - request/response helpers for the handlers (http_int.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sodium.h>
#include <math.h>
#include <time.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_int.h"

int http_status_of(int code) {
    switch (code) {
    case PU_OK: return 200;
    case PU_ERR_INVALID: return 400;
    case PU_ERR_NOTFOUND: return 404;
    case PU_ERR_DENIED: return 403;
    case PU_ERR_CONFLICT: return 409;
    case PU_ERR_LIMIT: return 413;
    case PU_ERR_UNSUPPORTED: return 415;
    case PU_ERR_INTERRUPTED: return 503;
    default: return 500;
    }
}

int http_fail(http_req *r, int code, const char *field, const char *fmt, ...) {
    pu_err_clear(&r->err);
    r->err.code = code;
    if (field) pu_strlcpy(r->err.field, field, sizeof r->err.field);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err.msg, sizeof r->err.msg, fmt, ap);
    va_end(ap);
    return code;
}

int http_json(http_req *r, int status, json_t *body) {
    r->status = status;
    pu_buf_reset(&r->out);
    if (!body) return PU_ERR_NOMEM;
    int rc = http_put_json(&r->out, body);
    json_decref(body);
    return rc;
}

int http_json_exact(http_req *r, json_t *body) {
    r->status = 200;
    pu_buf_reset(&r->out);
    if (!body) return http_fail(r, PU_ERR_NOMEM, NULL, "out of memory building the response");
    char *s = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
    json_decref(body);
    if (!s) return http_fail(r, PU_ERR_NOMEM, NULL, "out of memory building the response");
    int rc = pu_buf_puts(&r->out, s);
    free(s);
    return rc ? http_fail(r, rc, NULL, "the response is too large") : PU_OK;
}

int http_put_jstr(pu_buf *b, const char *v) {
    static const char hex[] = "0123456789ABCDEF"; /* jansson writes \u001F */
    const char *p = v ? v : "", *run = p;
    int rc = pu_buf_putc(b, '"');
    for (; rc == PU_OK && *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c != '"' && c != '\\' && c >= 0x20) continue;
        /* flush the plain run before the character that needs escaping */
        if ((rc = pu_buf_append(b, run, (size_t)(p - run)))) break;
        run = p + 1;
        const char *named = c == '"' ? "\\\"" : c == '\\' ? "\\\\" : c == '\n' ? "\\n" : c == '\t' ? "\\t"
                          : c == '\r' ? "\\r" : c == '\b' ? "\\b" : c == '\f' ? "\\f" : NULL;
        char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
        rc = named ? pu_buf_puts(b, named) : pu_buf_append(b, u, 6);
    }
    if (rc == PU_OK) rc = pu_buf_append(b, run, (size_t)(p - run));
    return rc == PU_OK ? pu_buf_putc(b, '"') : rc;
}

int http_put_jreal(pu_buf *b, double x) {
    char num[40];
    int n = snprintf(num, sizeof num, "%.6g", x);
    if (n <= 0 || (size_t)n >= sizeof num) return PU_ERR_INTERNAL;
    /* jansson marks a real that prints like an integer with ".0" */
    char *e = strchr(num, 'e');
    if (e) { /* jansson writes 1e-7, not 1e-07 or 1e+07 */
        char *d = e + 1, *src = d;
        if (*src == '+') src++;
        else if (*src == '-') d = ++src;
        while (*src == '0' && src[1]) src++;
        memmove(d, src, strlen(src) + 1);
    }
    int rc = pu_buf_puts(b, num);
    return rc == PU_OK && !strpbrk(num, ".eEni") ? pu_buf_puts(b, ".0") : rc;
}

static int put_cb(const char *buffer, size_t size, void *data) {
    return pu_buf_append(data, buffer, size) == PU_OK ? 0 : -1;
}

int http_put_json(pu_buf *b, const json_t *o) {
    return json_dump_callback(o, put_cb, b, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6) | JSON_ENCODE_ANY)
               ? PU_ERR_NOMEM
               : PU_OK;
}

int http_body_object(http_req *r, json_t **out) {
    *out = NULL;
    if (r->body.len == 0) return http_fail(r, PU_ERR_INVALID, "body", "expected a JSON object in the request body");
    json_error_t je;
    json_t *o = json_loadb(r->body.data, r->body.len, JSON_REJECT_DUPLICATES, &je);
    if (!o)
        return http_fail(r, PU_ERR_INVALID, "body", "invalid JSON at line %d column %d: %s", je.line, je.column, je.text);
    if (!json_is_object(o)) {
        json_decref(o);
        return http_fail(r, PU_ERR_INVALID, "body", "expected a JSON object, got another JSON value");
    }
    *out = o;
    return PU_OK;
}

int http_only_keys(http_req *r, json_t *o, const char *const *allowed, const char *where) {
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v) {
        int ok = 0;
        for (size_t i = 0; allowed[i] && !ok; i++) ok = strcmp(k, allowed[i]) == 0;
        if (!ok) {
            char field[PU_ERR_FIELD_MAX];
            snprintf(field, sizeof field, "%s%s%.40s", where ? where : "", where ? "." : "", k);
            return http_fail(r, PU_ERR_INVALID, field, "unknown field '%.60s'", k);
        }
    }
    return PU_OK;
}

typedef struct arg_check {
    const char *const *allowed;
    char bad[64];
} arg_check;

static enum MHD_Result arg_iter(void *cls, enum MHD_ValueKind kind, const char *key, const char *value) {
    (void)kind;
    (void)value;
    arg_check *c = cls;
    for (size_t i = 0; c->allowed[i]; i++)
        if (strcmp(key, c->allowed[i]) == 0) return MHD_YES;
    pu_strlcpy(c->bad, key, sizeof c->bad);
    return MHD_NO;
}

int http_only_args(http_req *r, const char *const *allowed) {
    arg_check c = {allowed, ""};
    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, arg_iter, &c);
    if (c.bad[0]) return http_fail(r, PU_ERR_INVALID, c.bad, "unknown query parameter '%s'", c.bad);
    return PU_OK;
}

const char *http_arg(http_req *r, const char *name) {
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

int http_arg_int(http_req *r, const char *name, int64_t lo, int64_t hi, int64_t def, int64_t *out) {
    const char *s = http_arg(r, name);
    if (!s) {
        *out = def;
        return PU_OK;
    }
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return http_fail(r, PU_ERR_INVALID, name, "expected an integer from %lld to %lld, got '%.40s'", (long long)lo,
                         (long long)hi, s);
    *out = v;
    return PU_OK;
}

int http_arg_real(http_req *r, const char *name, double lo, double hi, double def, double *out) {
    const char *s = http_arg(r, name);
    if (!s) {
        *out = def;
        return PU_OK;
    }
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    /* NaN compares false with every bound, so it must be refused by name */
    if (errno || end == s || *end || !isfinite(v) || v < lo || v > hi)
        return http_fail(r, PU_ERR_INVALID, name, "expected a number from %g to %g, got '%.40s'", lo, hi, s);
    *out = v;
    return PU_OK;
}

void http_iso_time(int64_t t, char out[32]) {
    out[0] = '\0';
    if (t <= 0) return;
    time_t tt = (time_t)t;
    struct tm tm;
    if (gmtime_r(&tt, &tm)) strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int http_str_member(http_req *r, json_t *o, const char *key, const char *where, const char **out) {
    *out = NULL;
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v)) return PU_OK;
    if (!json_is_string(v)) {
        char field[PU_ERR_FIELD_MAX];
        snprintf(field, sizeof field, "%s%s%s", where ? where : "", where ? "." : "", key);
        return http_fail(r, PU_ERR_INVALID, field, "expected a string");
    }
    *out = json_string_value(v);
    return PU_OK;
}

void http_target(http_req *r, const char *id) {
    if (!id || r->targets.len >= r->targets.max) return;
    if (r->targets.len) (void)pu_buf_putc(&r->targets, ',');
    /* a full target list is clipped; the detail says how many there were */
    (void)pu_buf_puts(&r->targets, id);
}

/* The client address of the request, once. */
static void source_of(http_req *r) {
    if (r->source[0] || !r->conn) return;
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;
    if (sa && sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, r->source, sizeof r->source);
    else if (sa && sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, r->source, sizeof r->source);
}

static int names_hashed(void) {
    const char *p = getenv("PUENTE_AUDIT_NAMES");
    return p && strcmp(p, "hash") == 0;
}

int http_audit_names_policy_check(pu_err *err) {
    const char *p = getenv("PUENTE_AUDIT_NAMES");
    if (!p || !*p || strcmp(p, "plain") == 0) return PU_OK;
    if (strcmp(p, "hash") != 0)
        return pu_fail(err, PU_ERR_INVALID, NULL, "PUENTE_AUDIT_NAMES", "expected plain or hash, got '%.40s'", p);
    if (!audit_key_configured())
        return pu_fail(err, PU_ERR_INVALID, NULL, "PUENTE_AUDIT_NAMES",
                       "hashed names need the audit chain key ($PUENTE_AUDIT_KEY_FILE or $PUENTE_AUDIT_KEY)");
    return PU_OK;
}

static void add_name(pu_buf *names, const char *name) {
    if (!name || !*name) return;
    if (names->len + 40 >= names->max) return; /* a full list keeps the first names */
    if (names->len) (void)pu_buf_putc(names, ',');
    if (names_hashed()) {
        const unsigned char *key;
        const char *kid;
        unsigned char h[16];
        char hex[33];
        if (audit_key_current(&key, &kid, NULL) != PU_OK || !key) {
            (void)pu_buf_puts(names, "\"?\""); /* checked at start: cannot happen */
            return;
        }
        crypto_generichash(h, sizeof h, (const unsigned char *)name, strlen(name), key, AUDIT_KEY_BYTES);
        sodium_bin2hex(hex, sizeof hex, h, sizeof h);
        (void)pu_buf_printf(names, "\"%s\"", hex);
    } else {
        json_t *v = json_string(name);
        char *enc = v ? json_dumps(v, JSON_ENCODE_ANY) : NULL;
        size_t len = names->len;
        if (enc && pu_buf_puts(names, enc) != PU_OK) pu_buf_truncate(names, len);
        free(enc);
        json_decref(v);
    }
}

void http_audit_query_names(pu_buf *names, json_t *q) {
    if (!json_is_object(q)) return;
    add_name(names, json_string_value(json_object_get(q, "name")));
    json_t *props = json_object_get(q, "properties"), *list = props ? json_object_get(props, "name") : NULL;
    size_t i;
    json_t *v;
    if (json_is_array(list))
        json_array_foreach(list, i, v) add_name(names, json_string_value(v));
    else if (json_is_string(list))
        add_name(names, json_string_value(list));
}

void http_audit_names_put(http_req *r, const pu_buf *names) {
    if (!names->len) return;
    (void)pu_buf_printf(&r->detail, "; %s=[%s]", names_hashed() ? "names_hashed" : "names", pu_buf_str(names));
}

int http_purpose_required(const char *action) {
    if (!action) return 0;
    const char *p = getenv("PUENTE_PURPOSE_REQUIRED");
    if (!p || !*p) return 0;
    size_t al = strlen(action);
    while (*p) {
        size_t n = strcspn(p, ",");
        const char *item = p;
        size_t len = n;
        while (len && *item == ' ') item++, len--;
        while (len && item[len - 1] == ' ') len--;
        if (len && item[len - 1] == '*' ? strncmp(action, item, len - 1) == 0
                                        : len == al && strncmp(action, item, len) == 0)
            return 1;
        p += n;
        if (*p == ',') p++;
    }
    return 0;
}

void http_audit_event(http_req *r, const char *outcome, audit_event *ev) {
    source_of(r);
    pu_strlcpy(r->outcome, outcome, sizeof r->outcome);
    ev->component = "http";
    ev->user = r->p.user[0] ? r->p.user : "-";
    ev->agency = r->p.agency;
    ev->action = r->action;
    ev->targets = pu_buf_str(&r->targets);
    ev->outcome = r->outcome;
    ev->detail = pu_buf_str(&r->detail);
    ev->source = r->source;
    ev->purpose = r->purpose;
}

int http_audit_now(http_req *r, const char *outcome) {
    audit_event ev;
    http_audit_event(r, outcome, &ev);
    pu_err e;
    /* inside a change's transaction: append there, so both commit together;
     * otherwise (reads, refusals) through the journal or the group commit */
    int rc;
    if (db_in_tx(r->db) || (!r->auditq && !r->journal)) rc = audit_append(r->db, &ev, &e);
    else if (r->journal) rc = audit_journal_append(r->journal, &ev, &e);
    else rc = http_auditq_append(r->auditq, &ev);
    if (rc == PU_OK) r->audited = 1;
    return rc;
}

/* Wait (at most one batch) until the journal is in the chain. The journal's
 * thread needs the write lock, so this must run before the caller takes it. */
static int settle_journal(http_req *r, pu_err *err) {
    return r->journal && !db_in_tx(r->db) ? audit_journal_sync(r->journal, err) : PU_OK;
}

int http_begin(http_req *r, pu_err *err) {
    int rc = settle_journal(r, err);
    return rc ? rc : db_begin(r->db, err);
}

int http_store_begin(http_req *r, pu_err *err) {
    int rc = settle_journal(r, err);
    return rc ? rc : store_begin(r->st, err);
}
