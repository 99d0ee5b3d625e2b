/* pu.c - implementation of the common contract in pu.h. */
#include "common/pu.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const struct { int code; const char *name, *text; } codes[] = {
    {PU_OK, "ok", "success"},
    {PU_ERR_INVALID, "invalid", "invalid input"},
    {PU_ERR_NOMEM, "no_memory", "out of memory"},
    {PU_ERR_IO, "io", "input/output error"},
    {PU_ERR_NOTFOUND, "not_found", "not found"},
    {PU_ERR_DB, "store", "store error"},
    {PU_ERR_DENIED, "denied", "permission denied"},
    {PU_ERR_CONFLICT, "conflict", "conflict"},
    {PU_ERR_LIMIT, "too_large", "size limit exceeded"},
    {PU_ERR_INTERNAL, "internal", "internal error"},
    {PU_ERR_UNSUPPORTED, "unsupported", "not supported"},
    {PU_ERR_INTERRUPTED, "interrupted", "interrupted"},
};

const char *pu_strerror(int code) {
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
        if (codes[i].code == code) return codes[i].text;
    return "unknown error";
}

const char *pu_code_name(int code) {
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
        if (codes[i].code == code) return codes[i].name;
    return "unknown";
}

static pu_translator translator;
static _Thread_local int tr_off;

void pu_set_translator(pu_translator fn) { translator = fn; }
void pu_tr_thread_off(int off) { tr_off = off; }

const char *pu_tr(const char *msgid) {
    if (!msgid || !translator || tr_off) return msgid;
    const char *t = translator(msgid);
    return t ? t : msgid;
}

void pu_err_clear(pu_err *err) {
    if (err) memset(err, 0, sizeof *err);
}

int pu_fail(pu_err *err, int code, const char *where, const char *field, const char *fmt, ...) {
    if (!err) return code;
    err->code = code;
    pu_strlcpy(err->where, where ? where : "", sizeof err->where);
    pu_strlcpy(err->field, field ? field : "", sizeof err->field);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, pu_tr(fmt), ap);
    va_end(ap);
    return code;
}

void pu_err_format(const pu_err *err, char *buf, size_t size) {
    if (!buf || size == 0) return;
    if (!err) { pu_strlcpy(buf, pu_tr("unknown error"), size); return; }
    const char *msg = err->msg[0] ? err->msg : pu_tr(pu_strerror(err->code));
    if (err->where[0] && err->field[0])
        snprintf(buf, size, pu_tr("%s: field '%s': %s"), err->where, err->field, msg);
    else if (err->where[0])
        snprintf(buf, size, "%s: %s", err->where, msg);
    else if (err->field[0])
        snprintf(buf, size, pu_tr("field '%s': %s"), err->field, msg);
    else
        snprintf(buf, size, "%s", msg);
}

void pu_err_print(const pu_err *err) {
    char buf[PU_ERR_WHERE_MAX + PU_ERR_FIELD_MAX + PU_ERR_MSG_MAX + 32];
    pu_err_format(err, buf, sizeof buf);
    fprintf(stderr, "puente: %s\n", buf);
}

int pu_exit_code(int code) {
    switch (code) {
    case PU_OK: return 0;
    case PU_ERR_INVALID: case PU_ERR_LIMIT: return 3;
    case PU_ERR_NOTFOUND: return 4;
    case PU_ERR_DENIED: return 5;
    case PU_ERR_CONFLICT: return 6;
    case PU_ERR_INTERRUPTED: return 130;
    default: return 1;
    }
}

/* ---- pu_buf ---- */

void pu_buf_init(pu_buf *b, size_t max) {
    b->data = NULL;
    b->len = b->cap = 0;
    b->max = max;
}

static int buf_reserve(pu_buf *b, size_t extra) {
    if (extra > b->max || b->len > b->max - extra) return PU_ERR_LIMIT;
    size_t need = b->len + extra + 1;
    if (need <= b->cap) return PU_OK;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need) cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    char *p = realloc(b->data, cap);
    if (!p) return PU_ERR_NOMEM;
    b->data = p;
    b->cap = cap;
    return PU_OK;
}

int pu_buf_append(pu_buf *b, const void *data, size_t n) {
    int rc = buf_reserve(b, n);
    if (rc) return rc;
    if (n) memcpy(b->data + b->len, data, n);
    b->len += n;
    b->data[b->len] = '\0';
    return PU_OK;
}

int pu_buf_puts(pu_buf *b, const char *s) { return pu_buf_append(b, s, strlen(s)); }
int pu_buf_putc(pu_buf *b, char c) { return pu_buf_append(b, &c, 1); }

int pu_buf_vprintf(pu_buf *b, const char *fmt, va_list ap) {
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) return PU_ERR_INVALID;
    int rc = buf_reserve(b, (size_t)n);
    if (rc) return rc;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return PU_OK;
}

int pu_buf_printf(pu_buf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int rc = pu_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

const char *pu_buf_str(const pu_buf *b) { return b->data ? b->data : ""; }

void pu_buf_reset(pu_buf *b) {
    b->len = 0;
    if (b->data) b->data[0] = '\0';
}

void pu_buf_truncate(pu_buf *b, size_t len) {
    if (len >= b->len) return;
    b->len = len;
    b->data[len] = '\0';
}

char *pu_buf_detach(pu_buf *b) {
    char *s = b->data ? b->data : pu_strdup("");
    b->data = NULL;
    b->len = b->cap = 0;
    return s;
}

void pu_buf_free(pu_buf *b) {
    if (!b) return;
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

/* ---- strings ---- */

char *pu_strdup(const char *s) {
    if (!s) return NULL;
    size_t n = strlen(s);
    char *d = malloc(n + 1);
    if (d) memcpy(d, s, n + 1);
    return d;
}

char *pu_strndup(const char *s, size_t n) {
    if (!s) return NULL;
    size_t len = strnlen(s, n);
    char *d = malloc(len + 1);
    if (!d) return NULL;
    memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

size_t pu_strlcpy(char *dst, const char *src, size_t size) {
    size_t n = strlen(src);
    if (size) {
        size_t c = n < size - 1 ? n : size - 1;
        memcpy(dst, src, c);
        dst[c] = '\0';
    }
    return n;
}

int pu_snprintf(char *dst, size_t size, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(dst, size, fmt, ap);
    va_end(ap);
    if (n < 0) return PU_ERR_INVALID;
    return (size_t)n >= size ? PU_ERR_LIMIT : PU_OK;
}

char *pu_trim(char *s) {
    if (!s) return s;
    char *p = s;
    while (*p && isspace((unsigned char)*p)) p++;
    size_t n = strlen(p);
    while (n && isspace((unsigned char)p[n - 1])) n--;
    memmove(s, p, n);
    s[n] = '\0';
    return s;
}

int pu_blank(const char *s) {
    if (!s) return 1;
    for (; *s; s++)
        if (!isspace((unsigned char)*s)) return 0;
    return 1;
}

int pu_strieq(const char *a, const char *b) {
    if (!a || !b) return a == b;
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b)) return 0;
    return *a == *b;
}

int pu_starts_with(const char *s, const char *prefix) {
    return s && prefix && strncmp(s, prefix, strlen(prefix)) == 0;
}

int pu_utf8_valid(const char *str, size_t n) {
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        if (c < 0x80) { i++; continue; }
        size_t len;
        uint32_t cp;
        if (c >= 0xC2 && c <= 0xDF) { len = 2; cp = c & 0x1F; }
        else if (c >= 0xE0 && c <= 0xEF) { len = 3; cp = c & 0x0F; }
        else if (c >= 0xF0 && c <= 0xF4) { len = 4; cp = c & 0x07; }
        else return 0;
        if (i + len > n) return 0;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80) return 0;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += len;
    }
    return 1;
}

/* ---- time ---- */

void pu_now_iso(char *buf, size_t size) {
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

double pu_monotonic(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Days from civil date (Howard Hinnant's algorithm), proleptic Gregorian. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

int pu_parse_date(const char *s, int64_t *days) {
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-') return PU_ERR_INVALID;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i])) return PU_ERR_INVALID;
    int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1]) return PU_ERR_INVALID;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (m == 2 && d == 29 && !leap) return PU_ERR_INVALID;
    *days = days_from_civil(y, (unsigned)m, (unsigned)d);
    return PU_OK;
}

void pu_format_date(int64_t z, char *buf, size_t size) {
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    unsigned d = doy - (153 * mp + 2) / 5 + 1;
    unsigned m = mp < 10 ? mp + 3 : mp - 9;
    snprintf(buf, size, "%04lld-%02u-%02u", (long long)(y + (m <= 2)), m, d);
}

/* ---- progress ---- */

void pu_progress_start(pu_progress *p, const char *label, uint64_t total) {
    const char *env = getenv("PUENTE_PROGRESS");
    p->label = label;
    p->total = total;
    p->start = p->last = pu_monotonic();
    p->enabled = env ? atoi(env) != 0 : isatty(STDERR_FILENO);
}

void pu_progress_tick(pu_progress *p, uint64_t done, uint64_t records) {
    if (!p->enabled) return;
    double now = pu_monotonic();
    if (now - p->last < 0.5) return;
    p->last = now;
    double el = now - p->start;
    double rate = el > 0 ? (double)records / el : 0;
    if (p->total && done && done <= p->total) {
        double eta = el * (double)(p->total - done) / (double)done;
        fprintf(stderr, pu_tr("\r%s: %llu records, %.0f rec/s, %.0f%%, ETA %.0fs   "), p->label,
                (unsigned long long)records, rate, 100.0 * (double)done / (double)p->total, eta);
    } else {
        fprintf(stderr, pu_tr("\r%s: %llu records, %.0f rec/s   "), p->label,
                (unsigned long long)records, rate);
    }
}

void pu_progress_end(pu_progress *p, uint64_t records) {
    double el = pu_monotonic() - p->start;
    if (p->enabled)
        fprintf(stderr, pu_tr("\r%s: %llu records in %.1fs (%.0f rec/s)          \n"), p->label,
                (unsigned long long)records, el, el > 0 ? (double)records / el : 0.0);
}
