/*
 * lists_fetch.c - getting a source's export to a local file: a path or
 * file:// URL is copied, http(s):// is downloaded with libcurl (Debian
 * libcurl4-gnutls-dev). The bytes are hashed (SHA-256) on the way, so a
 * version records exactly what was loaded.
 */
#include <curl/curl.h>
#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "common/pu_io.h"
#include "lists/lists_int.h"

typedef struct sink {
    FILE *f;
    crypto_hash_sha256_state h;
    size_t n;
    int over;
} sink;

static int sink_put(sink *s, const void *p, size_t n) {
    if (s->n + n > LISTS_FILE_MAX) {
        s->over = 1;
        return -1;
    }
    s->n += n;
    crypto_hash_sha256_update(&s->h, p, n);
    return fwrite(p, 1, n, s->f) == n ? 0 : -1;
}

static void sink_hex(sink *s, char *sha256) {
    unsigned char d[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&s->h, d);
    sodium_bin2hex(sha256, 65, d, sizeof d);
}

static size_t on_data(char *p, size_t size, size_t nmemb, void *ctx) {
    return sink_put(ctx, p, size * nmemb) ? 0 : size * nmemb;
}

static int fetch_http(const char *url, sink *s, pu_err *err) {
    static int inited;
    if (!inited) { /* not thread-safe: the CLI and the admin route fetch one at a time */
        curl_global_init(CURL_GLOBAL_DEFAULT);
        inited = 1;
    }
    CURL *h = curl_easy_init();
    if (!h) return pu_fail(err, PU_ERR_NOMEM, url, NULL, "out of memory");
    char ebuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)LISTS_FETCH_TIMEOUT_S);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, s);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, ebuf);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "puente-lists/1");
    CURLcode cc = curl_easy_perform(h);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(h);
    if (s->over) return pu_fail(err, PU_ERR_LIMIT, url, NULL, "file over %zu MiB", LISTS_FILE_MAX >> 20);
    if (cc != CURLE_OK)
        return pu_fail(err, PU_ERR_IO, url, NULL, "download failed: %s", ebuf[0] ? ebuf : curl_easy_strerror(cc));
    if (status >= 400) return pu_fail(err, PU_ERR_IO, url, NULL, "download failed: HTTP status %ld", status);
    return PU_OK;
}

static int fetch_file(const char *path, sink *s, pu_err *err) {
    FILE *in = NULL;
    int rc = pu_input_open(path, &in, err);
    if (rc) return rc;
    char buf[65536];
    size_t got;
    while (!rc && (got = fread(buf, 1, sizeof buf, in)) > 0)
        if (sink_put(s, buf, got))
            rc = s->over ? pu_fail(err, PU_ERR_LIMIT, path, NULL, "file over %zu MiB", LISTS_FILE_MAX >> 20)
                         : pu_fail(err, PU_ERR_IO, path, NULL, "read error: %s", strerror(errno));
    if (!rc && ferror(in)) rc = pu_fail(err, PU_ERR_IO, path, NULL, "read error: %s", strerror(errno));
    fclose(in);
    return rc;
}

int lists_fetch(const char *location, const char *dest, char *sha256, pu_err *err) {
    sink s = {0};
    crypto_hash_sha256_init(&s.h);
    if (!(s.f = fopen(dest, "wb"))) return pu_fail(err, PU_ERR_IO, dest, NULL, "cannot write: %s", strerror(errno));
    int rc;
    if (pu_starts_with(location, "http://") || pu_starts_with(location, "https://"))
        rc = fetch_http(location, &s, err);
    else
        rc = fetch_file(pu_starts_with(location, "file://") ? location + 7 : location, &s, err);
    if (fclose(s.f) && !rc) rc = pu_fail(err, PU_ERR_IO, dest, NULL, "cannot write: %s", strerror(errno));
    if (!rc) sink_hex(&s, sha256);
    return rc;
}
