/*
 * fuzz_uri.c - libFuzzer target for the request-line checks (http_guard.c):
 * each input is a raw request URI. It is checked as the server does
 * (http_uri_check), unescaped once the way libmicrohttpd does
 * (MHD_http_unescape), and copied as the routed path (http_path_copy).
 * Invariants: an accepted URI holds no encoded NUL and at most
 * HTTP_MAX_QUERY_ARGS arguments; the unescaped path holds no NUL; the copy
 * does not decode again (copying the copy changes nothing) and is valid
 * UTF-8 without control characters; a URI without '%' is its own path.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_int.h"

static size_t count_args(const char *s) {
    const char *q = strchr(s, '?');
    if (!q || !q[1]) return 0;
    size_t n = 1;
    for (q++; *q; q++) n += *q == '&';
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 8192) return 0;
    char *raw = malloc(size + 1);
    if (!raw) return 0;
    memcpy(raw, data, size);
    raw[size] = '\0'; /* a NUL byte inside the input ends the URI, as on the wire */
    const char *why = NULL;
    int rc = http_uri_check(raw, &why);
    if (rc == PU_OK && (strstr(raw, "%00") || count_args(raw) > HTTP_MAX_QUERY_ARGS)) abort();
    if (rc != PU_OK && !why) abort();
    if (rc == PU_OK) {
        char *path = strdup(raw);
        if (!path) abort();
        path[strcspn(path, "?")] = '\0';
        int plain = strchr(path, '%') == NULL;
        size_t n = MHD_http_unescape(path);
        if (strlen(path) != n) abort(); /* no NUL came out of the unescaping */
        char out[1024], again[1024];
        if (http_path_copy(path, out, sizeof out) == PU_OK) {
            if (http_path_copy(out, again, sizeof again) != PU_OK || strcmp(out, again) != 0) abort();
            if (!pu_utf8_valid(out, strlen(out))) abort();
            for (const char *c = out; *c; c++)
                if ((unsigned char)*c < 0x20 || *c == 0x7f) abort();
            if (plain && strncmp(out, raw, strlen(out)) != 0) abort();
        }
        free(path);
    }
    free(raw);
    return 0;
}
