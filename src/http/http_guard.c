/* http_guard.c - the login flood guard (token buckets per client address, a
 * cap on password hashes at once) and the raw request line checks
 * (http_int.h). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_int.h"

/* Buckets live in a fixed table: a flood from many addresses evicts old
 * buckets (the newcomer starts full), it cannot grow memory. */
#define GUARD_SLOTS 4096u /* power of two */

typedef struct bucket {
    char source[64];  /* "" = free */
    double tokens;
    double stamp;     /* monotonic seconds of the last refill */
} bucket;

struct http_guard {
    pthread_mutex_t mu;
    double rate;
    double burst;
    atomic_int hashing;
    bucket slots[GUARD_SLOTS];
};

int http_guard_new(double rate, unsigned burst, http_guard **out, pu_err *err) {
    http_guard *g = calloc(1, sizeof *g);
    if (!g) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    pthread_mutex_init(&g->mu, NULL);
    g->rate = rate > 0 ? rate : HTTP_LOGIN_RATE;
    g->burst = burst ? burst : HTTP_LOGIN_BURST;
    *out = g;
    return PU_OK;
}

void http_guard_free(http_guard *g) {
    if (!g) return;
    pthread_mutex_destroy(&g->mu);
    free(g);
}

static unsigned slot_of(const char *s) {
    unsigned h = 2166136261u; /* FNV-1a */
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
    return h & (GUARD_SLOTS - 1);
}

int http_guard_take(http_guard *g, const char *source, double now, unsigned *retry_after) {
    const char *src = source && *source ? source : "-";
    int ok;
    pthread_mutex_lock(&g->mu);
    bucket *b = &g->slots[slot_of(src)];
    if (strcmp(b->source, src) != 0) {
        pu_strlcpy(b->source, src, sizeof b->source);
        b->tokens = g->burst;
        b->stamp = now;
    }
    b->tokens += (now - b->stamp) * g->rate;
    if (b->tokens > g->burst) b->tokens = g->burst;
    b->stamp = now;
    ok = b->tokens >= 1.0;
    if (ok) b->tokens -= 1.0;
    else if (retry_after) *retry_after = (unsigned)((1.0 - b->tokens) / g->rate) + 1;
    pthread_mutex_unlock(&g->mu);
    return ok;
}

int http_guard_hash_enter(http_guard *g) {
    if (atomic_fetch_add(&g->hashing, 1) < HTTP_LOGIN_HASHING_MAX) return 1;
    atomic_fetch_sub(&g->hashing, 1);
    return 0;
}

void http_guard_hash_leave(http_guard *g) { atomic_fetch_sub(&g->hashing, 1); }

/* ---- the raw request line ---- */
int http_uri_check(const char *raw, const char **why) {
    size_t args = 0;
    int in_query = 0;
    for (const char *p = raw; *p; p++) {
        if (p[0] == '%' && p[1] == '0' && p[2] == '0') {
            if (why) *why = "nul";
            return PU_ERR_INVALID;
        }
        if (*p == '?' && !in_query) {
            in_query = 1;
            args = p[1] ? 1 : 0;
        } else if (in_query && *p == '&') {
            args++;
        }
        if (args > HTTP_MAX_QUERY_ARGS) {
            if (why) *why = "query";
            return PU_ERR_LIMIT;
        }
    }
    return PU_OK;
}

int http_path_copy(const char *url, char *out, size_t size) {
    size_t j = 0;
    for (size_t i = 0; url[i] && url[i] != '?'; i++) {
        unsigned char c = (unsigned char)url[i];
        if (c < 0x20 || c == 0x7f) return PU_ERR_INVALID;
        if (j + 1 >= size) return PU_ERR_LIMIT;
        out[j++] = (char)c;
    }
    out[j] = '\0';
    return pu_utf8_valid(out, j) ? PU_OK : PU_ERR_INVALID;
}
