/* http_upload.c - file uploads and downloads of the API (case documents,
 * protection evidence; docs/cases.md "Documents"). An upload is the raw
 * request body: its media type in Content-Type, its file name in
 * X-Filename, percent-encoded UTF-8 (what encodeURIComponent gives). No
 * multipart/form-data: one file per request needs no second parser of
 * outside input, and curl --data-binary and fetch(File) send it as is.
 * A download is an attachment (never rendered by the browser from our
 * origin), with the SHA-256 in X-Content-SHA256 and Digest headers. */
#include <ctype.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_int.h"

#define FILENAME_HEADER "X-Filename"

int http_header_add(http_req *r, const char *name, const char *value) {
    if (r->nhdr >= HTTP_EXTRA_HEADERS || strlen(name) >= sizeof r->hdr_name[0] ||
        strlen(value) >= sizeof r->hdr_value[0])
        return PU_ERR_LIMIT;
    pu_strlcpy(r->hdr_name[r->nhdr], name, sizeof r->hdr_name[0]);
    pu_strlcpy(r->hdr_value[r->nhdr], value, sizeof r->hdr_value[0]);
    r->nhdr++;
    return PU_OK;
}

const char *http_req_header(http_req *r, const char *name) {
    return r->conn ? MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name) : NULL;
}

static int hexval(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int http_upload_name(const char *in, char *out, size_t size) {
    size_t n = 0;
    if (!in || size < 2) return PU_ERR_INVALID;
    for (const char *p = in; *p; p++) {
        int c = (unsigned char)*p;
        if (c == '%') {
            int hi = hexval((unsigned char)p[1]), lo = hi < 0 ? -1 : hexval((unsigned char)p[2]);
            if (lo < 0) return PU_ERR_INVALID;
            c = hi * 16 + lo;
            p += 2;
        }
        if (c < 0x20 || c == 0x7f) return PU_ERR_INVALID;   /* NUL, line breaks, escapes */
        if (c == '/' || c == '\\') {                        /* keep the last segment only */
            n = 0;
            continue;
        }
        if (n + 1 >= size || n >= HTTP_UPLOAD_NAME_MAX) return PU_ERR_INVALID;
        out[n++] = (char)c;
    }
    out[n] = '\0';
    if (n == 0 || !strcmp(out, ".") || !strcmp(out, "..") || !pu_utf8_valid(out, n)) return PU_ERR_INVALID;
    return PU_OK;
}

static int token_char(int c) { return isalnum(c) || (c && strchr("!#$&-^_.+", c)); }

int http_upload_type(const char *in, char *out, size_t size) {
    if (!in || !*in) in = "application/octet-stream";
    size_t n = 0;
    int slash = 0;
    const char *p = in;
    while (*p == ' ') p++;
    for (; *p && *p != ';' && *p != ' '; p++) {
        int c = (unsigned char)*p;
        if (c == '/') {
            if (slash++ || n == 0) return PU_ERR_INVALID;
        } else if (!token_char(c)) {
            return PU_ERR_INVALID;
        }
        if (n + 1 >= size || n >= HTTP_UPLOAD_TYPE_MAX) return PU_ERR_INVALID;
        out[n++] = (char)tolower(c);
    }
    out[n] = '\0';
    return slash == 1 && out[n - 1] != '/' ? PU_OK : PU_ERR_INVALID;
}

int http_upload_get(http_req *r, size_t max, const unsigned char **data, size_t *n, char name[HTTP_UPLOAD_NAME_MAX + 1],
                    char type[HTTP_UPLOAD_TYPE_MAX + 1]) {
    const char *fn = http_req_header(r, FILENAME_HEADER);
    if (!fn || http_upload_name(fn, name, HTTP_UPLOAD_NAME_MAX + 1))
        return http_fail(r, PU_ERR_INVALID, "X-Filename",
                         "the file name is required in the X-Filename header (UTF-8, percent-encoded, at most %d bytes)",
                         HTTP_UPLOAD_NAME_MAX);
    if (http_upload_type(http_req_header(r, "Content-Type"), type, HTTP_UPLOAD_TYPE_MAX + 1))
        return http_fail(r, PU_ERR_INVALID, "Content-Type", "expected the file's media type (type/subtype)");
    if (!strncmp(type, "multipart/", 10))
        return http_fail(r, PU_ERR_UNSUPPORTED, "Content-Type",
                         "send the file itself as the body (no multipart), its name in X-Filename");
    if (r->body.len == 0) return http_fail(r, PU_ERR_INVALID, "body", "the file is empty");
    if (r->body.len > max) return http_fail(r, PU_ERR_LIMIT, "body", "at most %zu bytes per file", max);
    *data = (const unsigned char *)r->body.data;
    *n = r->body.len;
    return PU_OK;
}

void http_disposition(const char *name, char *out, size_t size) {
    pu_buf b;
    pu_buf_init(&b, size > 0 ? size - 1 : 0);
    (void)pu_buf_printf(&b, "attachment; filename=\"");
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        (void)pu_buf_printf(&b, "%c", *p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\' && *p != '%' ? *p : '_');
    (void)pu_buf_printf(&b, "\"; filename*=UTF-8''");
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        if (isalnum(*p) || strchr("-._~", *p)) (void)pu_buf_printf(&b, "%c", *p);
        else (void)pu_buf_printf(&b, "%%%02X", *p);
    }
    pu_strlcpy(out, b.data ? b.data : "attachment", size);
    pu_buf_free(&b);
}

int http_send_file(http_req *r, const unsigned char *data, size_t n, const char *name, const char *type,
                   const char *sha256_hex) {
    char disp[HTTP_EXTRA_HEADER_MAX], digest[80];
    unsigned char bin[crypto_hash_sha256_BYTES];
    size_t got = 0;
    pu_buf_reset(&r->out);
    if (pu_buf_append(&r->out, data, n)) return http_fail(r, PU_ERR_LIMIT, NULL, "the file is too large to send");
    http_disposition(name, disp, sizeof disp);
    pu_strlcpy(r->ctype_buf, type, sizeof r->ctype_buf);
    r->content_type = r->ctype_buf;
    memcpy(digest, "sha-256=:", 9);
    if (sodium_hex2bin(bin, sizeof bin, sha256_hex, strlen(sha256_hex), NULL, &got, NULL) == 0 && got == sizeof bin) {
        sodium_bin2base64(digest + 9, sizeof digest - 10, bin, sizeof bin, sodium_base64_VARIANT_ORIGINAL);
        pu_strlcpy(digest + strlen(digest), ":", 2);
    } else {
        digest[0] = '\0';
    }
    if (http_header_add(r, "Content-Disposition", disp) || http_header_add(r, "X-Content-SHA256", sha256_hex) ||
        (digest[0] && http_header_add(r, "Repr-Digest", digest)))
        return http_fail(r, PU_ERR_INTERNAL, NULL, "too many response headers");
    r->status = 200;
    return PU_OK;
}
