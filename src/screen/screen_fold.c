/*
 * screen_fold.c - Unicode folding of names: NFKC + casefold, marks
 * stripped, ICU "Any-Latin; Latin-ASCII" for other scripts (a pool of
 * transliterators), into lower-case ASCII. docs/screening.md.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/ustring.h>
#include <unicode/utrans.h>
#include <utf8proc.h>

#include "screen/screen_int.h"

/* ---- Unicode folding -------------------------------------------------------- */

/* ICU transliterators are not safe for concurrent use: keep a pool of them
 * (each thread takes one, uses it and puts it back). The pool stays
 * reachable for the life of the process. */
static pthread_mutex_t tr_mu = PTHREAD_MUTEX_INITIALIZER;
static UTransliterator *tr_pool[64];
static int tr_n;

static UTransliterator *tr_take(void) {
    UTransliterator *t = NULL;
    pthread_mutex_lock(&tr_mu);
    if (tr_n > 0) t = tr_pool[--tr_n];
    pthread_mutex_unlock(&tr_mu);
    if (t) return t;
    /* BGN/PCGN for Russian first: it is how OFAC and most lists romanise
     * Cyrillic ("Yatsenko", not ISO 9 "Jacenko"); then everything else. */
    static const char id[] = "Russian-Latin/BGN; Any-Latin; Latin-ASCII";
    UChar uid[64];
    u_uastrcpy(uid, id);
    UErrorCode st = U_ZERO_ERROR;
    t = utrans_openU(uid, -1, UTRANS_FORWARD, NULL, 0, NULL, &st);
    return U_FAILURE(st) ? NULL : t;
}

static void tr_give(UTransliterator *t) {
    pthread_mutex_lock(&tr_mu);
    if (tr_n < (int)(sizeof tr_pool / sizeof tr_pool[0])) {
        tr_pool[tr_n++] = t;
        t = NULL;
    }
    pthread_mutex_unlock(&tr_mu);
    if (t) utrans_close(t);
}

/* Transliterate UTF-8 `in` to ASCII with ICU; result malloc'ed. */
static int translit(const char *in, size_t n, char **out) {
    int32_t cap = (int32_t)(n * 4 + 64), len = 0;
    UChar *u = malloc((size_t)cap * sizeof(UChar));
    if (!u) return PU_ERR_NOMEM;
    UErrorCode st = U_ZERO_ERROR;
    u_strFromUTF8(u, cap, &len, in, (int32_t)n, &st);
    UTransliterator *t = U_SUCCESS(st) ? tr_take() : NULL;
    if (t) {
        int32_t limit = len;
        utrans_transUChars(t, u, &len, cap, 0, &limit, &st);
        tr_give(t);
    }
    if (!t || U_FAILURE(st)) {
        free(u);
        return PU_ERR_INTERNAL;
    }
    int32_t blen = 0;
    st = U_ZERO_ERROR;
    u_strToUTF8(NULL, 0, &blen, u, len, &st);
    char *b = malloc((size_t)blen + 1);
    if (!b) {
        free(u);
        return PU_ERR_NOMEM;
    }
    st = U_ZERO_ERROR;
    u_strToUTF8(b, blen + 1, &blen, u, len, &st);
    free(u);
    b[blen] = 0;
    *out = b;
    return PU_OK;
}

#define FOLD_MEMO_OUT 4096
static int fold_unicode(const char *in, size_t n, char **out, pu_err *err, const char *field);

int sn_fold(const char *in, char **out, pu_err *err, const char *field) {
    *out = NULL;
    if (!in) return pu_fail(err, PU_ERR_INVALID, NULL, field, "expected a name, got nothing");
    size_t n = strlen(in);
    if (n > SCREEN_NAME_MAX)
        return pu_fail(err, PU_ERR_LIMIT, NULL, field, "name is %zu bytes; the maximum is %d", n,
                       SCREEN_NAME_MAX);
    if (!pu_utf8_valid(in, n))
        return pu_fail(err, PU_ERR_INVALID, NULL, field, "name is not valid UTF-8");
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)in[i];
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
            return pu_fail(err, PU_ERR_INVALID, NULL, field, "name contains control character 0x%02x", c);
    }
    int all_ascii = 1;
    for (size_t i = 0; i < n && all_ascii; i++)
        if ((unsigned char)in[i] >= 0x80) all_ascii = 0;
    if (all_ascii) { /* NFKC and case folding of ASCII are tolower */
        char *s = malloc(n + 1);
        if (!s) return pu_fail(err, PU_ERR_NOMEM, NULL, field, "out of memory");
        for (size_t i = 0; i < n; i++) s[i] = (char)tolower((unsigned char)in[i]);
        s[n] = 0;
        *out = s;
        return PU_OK;
    }
    /* a query is folded twice (screening, then its subject key): the last
     * non-ASCII fold of this thread is kept (ICU transliteration is costly) */
    static _Thread_local char memo_in[SCREEN_NAME_MAX + 1], memo_out[FOLD_MEMO_OUT];
    static _Thread_local size_t memo_inl, memo_outl;
    if (memo_inl && memo_inl == n && memcmp(memo_in, in, n) == 0) {
        char *c = malloc(memo_outl + 1);
        if (!c) return pu_fail(err, PU_ERR_NOMEM, NULL, field, "out of memory");
        memcpy(c, memo_out, memo_outl + 1);
        *out = c;
        return PU_OK;
    }
    int rc = fold_unicode(in, n, out, err, field);
    if (rc) return rc;
    size_t ol = strlen(*out);
    if (ol < sizeof memo_out) {
        memcpy(memo_in, in, n);
        memcpy(memo_out, *out, ol + 1);
        memo_inl = n;
        memo_outl = ol;
    }
    return PU_OK;
}

/* sn_fold of a valid name with non-ASCII letters. */
static int fold_unicode(const char *in, size_t n, char **out, pu_err *err, const char *field) {
    utf8proc_uint8_t *m = NULL;
    utf8proc_ssize_t ml = utf8proc_map((const utf8proc_uint8_t *)in, (utf8proc_ssize_t)n, &m,
                                       UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_COMPOSE |
                                           UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK | UTF8PROC_IGNORE);
    if (ml < 0) return pu_fail(err, PU_ERR_INVALID, NULL, field, "name: %s", utf8proc_errmsg(ml));
    char *s = (char *)m;
    int ascii = 1;
    for (utf8proc_ssize_t i = 0; i < ml; i++)
        if ((unsigned char)s[i] >= 0x80) ascii = 0;
    if (!ascii) {
        char *k = NULL;
        if (sn_korean(s, (size_t)ml, &k)) {
            free(s);
            return pu_fail(err, PU_ERR_NOMEM, NULL, field, "out of memory");
        }
        if (k) {
            free(s);
            s = k;
            ml = (utf8proc_ssize_t)strlen(s);
        }
    }
    ascii = 1;
    for (utf8proc_ssize_t i = 0; i < ml; i++)
        if ((unsigned char)s[i] >= 0x80) ascii = 0;
    if (!ascii) {
        char *t = NULL;
        int rc = translit(s, (size_t)ml, &t);
        free(s);
        if (rc) return pu_fail(err, rc, NULL, field, "transliteration failed");
        s = t;
    }
    for (char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c >= 0x80) *p = ' '; /* what ICU could not map is a separator */
        else *p = (char)tolower(c);
    }
    *out = s;
    return PU_OK;
}
