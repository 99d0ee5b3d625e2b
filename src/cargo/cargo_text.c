/* cargo_text.c - normalisation, CAS numbers, hashing, small containers. */
#include "cargo/cargo_int.h"
#include "common/pu_io.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <utf8proc.h>

/* ---- arena ---------------------------------------------------------------- */

struct cargo_arena_chunk {
    cargo_arena_chunk *next;
    size_t cap;
    char data[];
};

void *cargo_arena_alloc(cargo_arena *a, size_t n) {
    n = (n + 7) & ~(size_t)7;
    if (!a->head || a->used + n > a->cap) {
        size_t cap = n > 65536 ? n : 65536;
        cargo_arena_chunk *c = malloc(sizeof *c + cap);
        if (!c) return NULL;
        c->next = a->head;
        c->cap = cap;
        a->head = c;
        a->used = 0;
        a->cap = cap;
    }
    void *p = a->head->data + a->used;
    a->used += n;
    return p;
}

const char *cargo_arena_strndup(cargo_arena *a, const char *s, size_t n) {
    if (!s || !n) return "";
    char *p = cargo_arena_alloc(a, n + 1);
    if (!p) return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

const char *cargo_arena_strdup(cargo_arena *a, const char *s) {
    return cargo_arena_strndup(a, s, s ? strlen(s) : 0);
}

void cargo_arena_free(cargo_arena *a) {
    cargo_arena_chunk *c = a->head;
    while (c) {
        cargo_arena_chunk *n = c->next;
        free(c);
        c = n;
    }
    memset(a, 0, sizeof *a);
}

/* ---- normalisation -------------------------------------------------------- */

/* Fold one non-ASCII code point to ASCII alphanumerics when it is a Latin
 * letter with marks (é -> e, ß -> ss); returns bytes written to out (0 when
 * it has no ASCII form). */
static size_t fold_cp(int32_t cp, char *out, size_t cap) {
    utf8proc_int32_t buf[8];
    int last = 0;
    utf8proc_ssize_t k = utf8proc_decompose_char(cp, buf, 8,
        UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK, &last);
    size_t w = 0;
    if (k <= 0 || k > 8) return 0;
    for (utf8proc_ssize_t i = 0; i < k; i++) {
        int32_t c = buf[i];
        if (c < 128 && isalnum(c) && w < cap) out[w++] = (char)tolower(c);
        else if (c >= 128) return 0;
    }
    return w;
}

/* Make room for `need` more bytes (+ NUL) without changing the content. */
static int reserve(pu_buf *b, size_t need) {
    if (b->data && b->cap > b->len + need + 1) return PU_OK;
    if (b->len + need > b->max) return PU_ERR_LIMIT;
    size_t keep = b->len;
    char pad[256] = {0};
    for (size_t left = need; left;) {
        size_t k = left < sizeof pad ? left : sizeof pad;
        if (pu_buf_append(b, pad, k)) return PU_ERR_LIMIT;
        left -= k;
    }
    b->len = keep;
    b->data[keep] = '\0';
    return PU_OK;
}

int cargo_norm(const char *s, size_t n, pu_buf *out) {
    pu_buf_reset(out);
    /* ASCII is written straight into the buffer (the hot path); every other
     * code point folds to at most a few ASCII characters. */
    if (reserve(out, n + 16)) return PU_ERR_LIMIT;
    char *d = out->data;
    size_t len = 0;
    int sep = 1; /* last written byte was a separator (or start) */
    size_t i = 0;
    while (i < n) {
        if (len + 24 >= out->cap) {
            out->len = len;
            if (reserve(out, (n - i) + 64)) return PU_ERR_LIMIT;
            d = out->data;
        }
        unsigned char c = (unsigned char)s[i];
        if (c < 128) {
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) { d[len++] = (char)c; sep = 0; }
            else if (c >= 'A' && c <= 'Z') { d[len++] = (char)(c | 0x20); sep = 0; }
            else if (!sep) { d[len++] = ' '; sep = 1; }
            i++;
            continue;
        }
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(n - i), &cp);
        if (k <= 0) { /* invalid byte: a separator */
            if (!sep) { d[len++] = ' '; sep = 1; }
            i++;
            continue;
        }
        i += (size_t)k;
        char f[16];
        size_t w = fold_cp(cp, f, sizeof f);
        if (w) {
            memcpy(d + len, f, w);
            len += w;
            sep = 0;
            continue;
        }
        const char *cat = utf8proc_category_string(cp);
        if (cat[0] == 'L' || cat[0] == 'N') { d[len++] = '~'; sep = 0; } /* other scripts: a token char */
        else if (!sep) { d[len++] = ' '; sep = 1; }
    }
    if (len && d[len - 1] == ' ') len--;
    out->len = len;
    d[len] = '\0';
    return PU_OK;
}

int cargo_squash(const char *s, pu_buf *out) {
    pu_buf tmp = PU_BUF_INIT(1u << 20);
    int rc = cargo_norm(s, strlen(s), &tmp);
    pu_buf_reset(out);
    if (!rc) {
        const char *t = pu_buf_str(&tmp);
        for (; *t && !rc; t++)
            if (*t != ' ') rc = pu_buf_putc(out, *t);
        if (!rc && !out->data) rc = pu_buf_puts(out, "");
    }
    pu_buf_free(&tmp);
    return rc;
}

uint64_t cargo_hash(const char *s, size_t n) {
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return h ? h : 1;
}

uint64_t cargo_key(const char *s) {
    if (!s || !*s) return 0;
    /* FNV over the alphanumerics of the normalised form, without allocating
     * for the usual short ASCII names */
    uint64_t h = 1469598103934665603ull;
    int any = 0, ascii = 1;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) if (*p >= 128) { ascii = 0; break; }
    if (ascii) {
        for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
            unsigned char c = *p;
            if (c >= 'A' && c <= 'Z') c |= 0x20;
            else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) continue;
            h ^= c;
            h *= 1099511628211ull;
            any = 1;
        }
        return any ? (h ? h : 1) : 0;
    }
    pu_buf b = PU_BUF_INIT(1u << 20);
    h = 0;
    if (cargo_squash(s, &b) == PU_OK && b.len) h = cargo_hash(b.data, b.len);
    pu_buf_free(&b);
    return h;
}

/* ---- string set ----------------------------------------------------------- */

static int strset_grow(cargo_strset *s) {
    size_t nc = s->cap ? s->cap * 2 : 64;
    char **k = calloc(nc, sizeof *k);
    int *v = calloc(nc, sizeof *v);
    if (!k || !v) { free(k); free(v); return PU_ERR_NOMEM; }
    for (size_t i = 0; i < s->cap; i++) {
        if (!s->keys[i]) continue;
        size_t j = cargo_hash(s->keys[i], strlen(s->keys[i])) & (nc - 1);
        while (k[j]) j = (j + 1) & (nc - 1);
        k[j] = s->keys[i];
        v[j] = s->vals[i];
    }
    free(s->keys);
    free(s->vals);
    s->keys = k;
    s->vals = v;
    s->cap = nc;
    return PU_OK;
}

int cargo_strset_put(cargo_strset *s, const char *key, size_t len, int val) {
    if ((s->n + 1) * 2 > s->cap && strset_grow(s)) return PU_ERR_NOMEM;
    size_t j = cargo_hash(key, len) & (s->cap - 1);
    while (s->keys[j]) {
        if (strlen(s->keys[j]) == len && memcmp(s->keys[j], key, len) == 0) return PU_OK; /* first wins */
        j = (j + 1) & (s->cap - 1);
    }
    s->keys[j] = pu_strndup(key, len);
    if (!s->keys[j]) return PU_ERR_NOMEM;
    s->vals[j] = val;
    s->n++;
    return PU_OK;
}

int cargo_strset_get(const cargo_strset *s, const char *key, size_t len) {
    if (!s->cap) return -1;
    size_t j = cargo_hash(key, len) & (s->cap - 1);
    while (s->keys[j]) {
        if (strncmp(s->keys[j], key, len) == 0 && s->keys[j][len] == 0) return s->vals[j];
        j = (j + 1) & (s->cap - 1);
    }
    return -1;
}

void cargo_strset_free(cargo_strset *s) {
    for (size_t i = 0; i < s->cap; i++) free(s->keys[i]);
    free(s->keys);
    free(s->vals);
    memset(s, 0, sizeof *s);
}

/* ---- u64 map -------------------------------------------------------------- */

static int u64map_grow(cargo_u64map *m) {
    size_t nc = m->cap ? m->cap * 2 : 256;
    uint64_t *k = calloc(nc, sizeof *k);
    int64_t *v = calloc(nc, sizeof *v);
    if (!k || !v) { free(k); free(v); return PU_ERR_NOMEM; }
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->keys[i]) continue;
        size_t j = (m->keys[i] * 0x9E3779B97F4A7C15ull >> 17) & (nc - 1);
        while (k[j]) j = (j + 1) & (nc - 1);
        k[j] = m->keys[i];
        v[j] = m->vals[i];
    }
    free(m->keys);
    free(m->vals);
    m->keys = k;
    m->vals = v;
    m->cap = nc;
    return PU_OK;
}

int cargo_u64map_put(cargo_u64map *m, uint64_t key, int64_t val) {
    if (!key) return PU_ERR_INTERNAL;
    if ((m->n + 1) * 2 > m->cap && u64map_grow(m)) return PU_ERR_NOMEM;
    size_t j = (key * 0x9E3779B97F4A7C15ull >> 17) & (m->cap - 1);
    while (m->keys[j] && m->keys[j] != key) j = (j + 1) & (m->cap - 1);
    if (!m->keys[j]) m->n++;
    m->keys[j] = key;
    m->vals[j] = val;
    return PU_OK;
}

int64_t *cargo_u64map_get(const cargo_u64map *m, uint64_t key) {
    if (!m->cap || !key) return NULL;
    size_t j = (key * 0x9E3779B97F4A7C15ull >> 17) & (m->cap - 1);
    while (m->keys[j]) {
        if (m->keys[j] == key) return &m->vals[j];
        j = (j + 1) & (m->cap - 1);
    }
    return NULL;
}

void cargo_u64map_free(cargo_u64map *m) {
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}

/* ---- rule parameters ------------------------------------------------------ */

int cargo_param(const char *params, const char *key, char *buf, size_t size) {
    if (size) buf[0] = '\0';
    if (!params) return 0;
    size_t kl = strlen(key);
    const char *p = params;
    while (*p) {
        const char *end = strchr(p, ';');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        while (len && *p == ' ') { p++; len--; }
        if (len > kl && memcmp(p, key, kl) == 0 && p[kl] == '=') {
            size_t vl = len - kl - 1;
            if (vl >= size) vl = size ? size - 1 : 0;
            if (size) {
                memcpy(buf, p + kl + 1, vl);
                buf[vl] = '\0';
            }
            return 1;
        }
        if (!end) break;
        p = end + 1;
    }
    return 0;
}

int cargo_param_num(const char *params, const char *key, double *out) {
    char v[64];
    if (!cargo_param(params, key, v, sizeof v)) return PU_OK;
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    if (errno || end == v || *end) return PU_ERR_INVALID;
    *out = d;
    return PU_OK;
}

int cargo_param_terms(const char *params, const char *key, cargo_strset *set, int val) {
    size_t cap = params ? strlen(params) + 1 : 1;
    char *v = malloc(cap);
    if (!v) return PU_ERR_NOMEM;
    cargo_param(params, key, v, cap);
    pu_buf nb = PU_BUF_INIT(4096);
    int rc = PU_OK;
    char *save = NULL;
    for (char *t = strtok_r(v, "|", &save); t && !rc; t = strtok_r(NULL, "|", &save)) {
        if (cargo_norm(t, strlen(t), &nb) || !nb.len) continue;
        rc = cargo_strset_put(set, nb.data, nb.len, val);
    }
    pu_buf_free(&nb);
    free(v);
    return rc;
}

int cargo_params_valid(const char *params, char *why, size_t size) {
    if (!params || !*params) return 1;
    const char *p = params;
    while (*p) {
        const char *end = strchr(p, ';');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        if (len && (!eq || eq == p)) {
            snprintf(why, size, "expected key=value, got '%.*s'", (int)(len > 60 ? 60 : len), p);
            return 0;
        }
        if (!end) break;
        p = end + 1;
    }
    return 1;
}

/* ---- CAS numbers ------------------------------------------------------------ */

/* Check digit: digits except the last, from the right, weighted 1, 2, 3 ... */
static int cas_check(const char *digits, size_t n) {
    unsigned sum = 0;
    for (size_t i = 0; i + 1 < n; i++) sum += (unsigned)(digits[n - 2 - i] - '0') * (unsigned)(i + 1);
    return (int)(sum % 10) == digits[n - 1] - '0';
}

int cargo_cas_parse(const char *s, int64_t *value, int *check_ok) {
    char d[16];
    size_t n = 0, a = 0, b = 0, c = 0;
    const char *p = s;
    while (*p >= '0' && *p <= '9' && a < 8) { d[n++] = *p++; a++; }
    if (a < 2 || a > 7 || s[0] == '0' || *p++ != '-') return PU_ERR_INVALID;
    while (*p >= '0' && *p <= '9' && b < 3) { d[n++] = *p++; b++; }
    if (b != 2 || *p++ != '-') return PU_ERR_INVALID;
    while (*p >= '0' && *p <= '9' && c < 2) { d[n++] = *p++; c++; }
    if (c != 1 || *p) return PU_ERR_INVALID;
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) v = v * 10 + (d[i] - '0');
    *value = v;
    *check_ok = cas_check(d, n);
    return PU_OK;
}

void cargo_cas_format(int64_t value, char *buf, size_t size) {
    char d[24];
    int n = snprintf(d, sizeof d, "%lld", (long long)value);
    if (n < 4) { snprintf(buf, size, "%s", d); return; }
    snprintf(buf, size, "%.*s-%.2s-%c", n - 3, d, d + n - 3, d[n - 1]);
}

static int is_word(unsigned char c) { return isalnum(c) || c == '_'; }

/* A dash in CAS numbers: '-', or U+2010/2011/2013 (3 UTF-8 bytes). */
static size_t dash_len(const char *s, size_t left) {
    if (left >= 1 && s[0] == '-') return 1;
    if (left >= 3 && (unsigned char)s[0] == 0xE2 && (unsigned char)s[1] == 0x80 &&
        ((unsigned char)s[2] == 0x90 || (unsigned char)s[2] == 0x91 || (unsigned char)s[2] == 0x93))
        return 3;
    return 0;
}

/* Bare digits after a "CAS" keyword ("CAS No. 23056293"): 5-10 digits. */
static size_t cas_keyword_digits(const char *t, size_t len, size_t i, cargo_cas_cb cb, void *ctx) {
    size_t j = i + 3;
    if (j < len && (t[j] == 'r' || t[j] == 'R') && j + 1 < len && (t[j + 1] == 'n' || t[j + 1] == 'N')) j += 2;
    size_t skip = 0;
    while (j < len && skip < 8 && (t[j] == ' ' || t[j] == '.' || t[j] == ':' || t[j] == '#' ||
                                   t[j] == 'n' || t[j] == 'N' || t[j] == 'o' || t[j] == 'O')) { j++; skip++; }
    size_t s = j;
    while (j < len && t[j] >= '0' && t[j] <= '9') j++;
    size_t n = j - s;
    if (n < 5 || n > 10 || t[s] == '0' || (j < len && (is_word((unsigned char)t[j]) || dash_len(t + j, len - j))))
        return 0; /* a hyphenated number: the normal scan handles it */
    int64_t v = 0;
    for (size_t k = s; k < j; k++) v = v * 10 + (t[k] - '0');
    cb(ctx, v, cas_check(t + s, n), t + s, n);
    return j;
}

/* The word before position s names a part/model/phone number ("P/N 1234-56-7"):
 * a number there is not a CAS number, whatever its check digit says. */
static int non_cas_label(const char *t, size_t s) {
    static const char *const LABELS[] = {"p/n", "pn", "part", "model", "sku", "lot", "batch", "serial", "item",
                                         "tel", "phone", "fax", "ref", "invoice", "po", "order", NULL};
    size_t e = s;
    while (e > 0 && (t[e - 1] == ' ' || t[e - 1] == ':' || t[e - 1] == '#' || t[e - 1] == '.')) e--;
    size_t b = e;
    while (b > 0 && e - b < 10 && (isalpha((unsigned char)t[b - 1]) || t[b - 1] == '/')) b--;
    if (e - b == 2 && (t[b] == 'n' || t[b] == 'N') && (t[b + 1] == 'o' || t[b + 1] == 'O')) {
        /* "No." : look one more word back ("Part No. 1234-56-7", but not "CAS No.") */
        size_t e2 = b;
        while (e2 > 0 && t[e2 - 1] == ' ') e2--;
        size_t b2 = e2;
        while (b2 > 0 && e2 - b2 < 10 && isalpha((unsigned char)t[b2 - 1])) b2--;
        b = b2;
        e = e2;
    }
    for (int i = 0; LABELS[i]; i++)
        if (strlen(LABELS[i]) == e - b && strncasecmp(t + b, LABELS[i], e - b) == 0) return 1;
    return 0;
}

void cargo_cas_scan(const char *t, size_t len, cargo_cas_cb cb, void *ctx) {
    size_t i = 0;
    while (i < len) {
        unsigned char c = (unsigned char)t[i];
        if ((c == 'C' || c == 'c') && i + 3 <= len && (t[i + 1] == 'A' || t[i + 1] == 'a') &&
            (t[i + 2] == 'S' || t[i + 2] == 's') && (i == 0 || !is_word((unsigned char)t[i - 1])) &&
            (i + 3 == len || !isalpha((unsigned char)t[i + 3]) || t[i + 3] == 'r' || t[i + 3] == 'R')) {
            size_t j = cas_keyword_digits(t, len, i, cb, ctx);
            i = j ? j : i + 3;
            continue;
        }
        if (c < '0' || c > '9') { i++; continue; }
        /* start of a digit run: reject when glued to a word, a dash or a decimal point */
        size_t s = i;
        while (i < len && t[i] >= '0' && t[i] <= '9') i++;
        if (s > 0 && (is_word((unsigned char)t[s - 1]) || t[s - 1] == '-' || t[s - 1] == '.' || t[s - 1] == '/'))
            continue;
        size_t a = i - s;
        if (a < 2 || a > 7 || t[s] == '0') continue;
        size_t d1 = dash_len(t + i, len - i);
        if (!d1) continue;
        size_t j = i + d1, bs = j;
        while (j < len && t[j] >= '0' && t[j] <= '9') j++;
        if (j - bs != 2) continue;
        size_t d2 = dash_len(t + j, len - j);
        if (!d2) continue;
        size_t cs = j + d2, k = cs;
        while (k < len && t[k] >= '0' && t[k] <= '9') k++;
        if (k - cs != 1) continue;
        /* trailing context: no word char, no further "-digit" or ".digit" (part numbers, decimals) */
        if (k < len && (is_word((unsigned char)t[k]) ||
                        ((t[k] == '-' || t[k] == '.' || t[k] == '/') && k + 1 < len && isdigit((unsigned char)t[k + 1])))) {
            i = k;
            continue;
        }
        char d[16];
        size_t n = 0;
        for (size_t q = s; q < i; q++) d[n++] = t[q];
        d[n++] = t[bs];
        d[n++] = t[bs + 1];
        d[n++] = t[cs];
        int64_t v = 0;
        for (size_t q = 0; q < n; q++) v = v * 10 + (d[q] - '0');
        int ok = cas_check(d, n);
        /* A labelled part/phone number with a failing check digit is not a
         * CAS number at all; one that passes is still looked up (a listed
         * CAS number behind "Part No." is a disguise, not a coincidence). */
        int date = a == 4 && (t[s] == '1' || t[s] == '2') && (t[s + 1] == '9' || t[s + 1] == '0') &&
                   ((t[bs] == '0' && t[bs + 1] >= '1') || (t[bs] == '1' && t[bs + 1] <= '2'));
        if (ok || !(date || non_cas_label(t, s))) cb(ctx, v, ok, t + s, k - s);
        i = k;
    }
}

/* ---- CSV output -------------------------------------------------------------- */

void cargo_csv_field(FILE *out, const char *s) { pu_csv_write_field(out, s); }

void cargo_json_string(FILE *out, const char *s) {
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if (*p == '"' || *p == '\\') { fputc('\\', out); fputc(*p, out); }
        else if (*p == '\n') fputs("\\n", out);
        else if (*p == '\r') fputs("\\r", out);
        else if (*p == '\t') fputs("\\t", out);
        else if (*p < 0x20) fprintf(out, "\\u%04x", *p);
        else fputc(*p, out);
    }
    fputc('"', out);
}
