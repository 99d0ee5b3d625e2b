/* acl_mfa.c - the second factor: TOTP (RFC 6238), recovery codes and the QR
 * code of the enrolment URI (see access.h). */
#include <oath.h>
#include <pthread.h>
#include <qrencode.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "access/access.h"
#include "access/access_int.h"

static pthread_once_t oath_once = PTHREAD_ONCE_INIT;
static int oath_ok;
static void oath_setup(void) { oath_ok = oath_init() == OATH_OK; }

static const uint32_t pow10[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};

/* RFC 4226 5.3: dynamic truncation of an HMAC to `digits` decimal digits. */
static void truncate_code(const unsigned char *mac, size_t maclen, unsigned digits, char out[10]) {
    unsigned off = mac[maclen - 1] & 0x0f;
    uint32_t bin = ((uint32_t)(mac[off] & 0x7f) << 24) | ((uint32_t)mac[off + 1] << 16) |
                   ((uint32_t)mac[off + 2] << 8) | mac[off + 3];
    snprintf(out, 10, "%0*u", (int)digits, (unsigned)(bin % pow10[digits]));
}

int acl_totp_code(const unsigned char *key, size_t keylen, acl_totp_alg alg, int64_t t, unsigned step,
                  unsigned digits, char out[10], pu_err *err) {
    if (digits < 6 || digits > 8 || step == 0 || t < 0)
        return pu_fail(err, PU_ERR_INVALID, NULL, "totp", "expected 6-8 digits, a step > 0 and a time >= 0");
    int rc = acl_sodium(err);
    if (rc) return rc;
    uint64_t counter = (uint64_t)t / step;
    unsigned char msg[8];
    for (int i = 7; i >= 0; i--, counter >>= 8) msg[i] = (unsigned char)(counter & 0xff);
    if (alg == ACL_TOTP_SHA1) {
        /* libsodium has no HMAC-SHA-1; liboath does (docs/access.md) */
        pthread_once(&oath_once, oath_setup);
        if (!oath_ok || oath_totp_generate2((const char *)key, keylen, (time_t)t, step, 0, digits, 0, out) != OATH_OK)
            return pu_fail(err, PU_ERR_INTERNAL, NULL, "totp", "liboath could not compute the code");
        return PU_OK;
    }
    if (alg == ACL_TOTP_SHA256) {
        unsigned char mac[crypto_auth_hmacsha256_BYTES];
        crypto_auth_hmacsha256_state s;
        crypto_auth_hmacsha256_init(&s, key, keylen);
        crypto_auth_hmacsha256_update(&s, msg, sizeof msg);
        crypto_auth_hmacsha256_final(&s, mac);
        truncate_code(mac, sizeof mac, digits, out);
        return PU_OK;
    }
    unsigned char mac[crypto_auth_hmacsha512_BYTES];
    crypto_auth_hmacsha512_state s;
    crypto_auth_hmacsha512_init(&s, key, keylen);
    crypto_auth_hmacsha512_update(&s, msg, sizeof msg);
    crypto_auth_hmacsha512_final(&s, mac);
    truncate_code(mac, sizeof mac, digits, out);
    return PU_OK;
}

/* ---- the stored key ---- */
#define ACL_TOTP_SEAL_FIELD "acl_user.totp_key" /* the field a sealed key is bound to */
static int user_key(db_t *db, int64_t user_id, char b32[64], int64_t *on, int64_t *last_step, pu_err *err) {
    db_stmt *st;
    int rc = db_prepare(db, "SELECT totp_key, totp_on, totp_step FROM acl_user WHERE id = ?", &st, err);
    if (rc) return rc;
    db_bind_int64(st, 1, user_id);
    rc = db_step(st, err);
    if (rc == DB_ROW) {
        /* sealed at rest when a key is configured (store_seal: the second
         * factor's secret is as sensitive as a password hash is not) */
        rc = store_unseal_buf(ACL_TOTP_SEAL_FIELD, db_col_text(st, 0), b32, 64, err);
        *on = db_col_int64(st, 1);
        *last_step = db_col_int64(st, 2);
    } else if (rc == DB_DONE) {
        rc = pu_fail(err, PU_ERR_NOTFOUND, NULL, "user", "no such user");
    }
    db_finalize(st);
    return rc;
}

static int decode_key(const char *b32, unsigned char key[64], size_t *len) {
    char *raw = NULL;
    size_t n = 0;
    pthread_once(&oath_once, oath_setup);
    if (!oath_ok || oath_base32_decode(b32, strlen(b32), &raw, &n) != OATH_OK || n > 64) {
        free(raw);
        return PU_ERR_INVALID;
    }
    memcpy(key, raw, n);
    sodium_memzero(raw, n);
    free(raw);
    *len = n;
    return PU_OK;
}

/* The step of a code of key within the window around now, or -1. */
static int64_t totp_match(const unsigned char *key, size_t keylen, const char *code, int64_t now) {
    if (strlen(code) != ACL_TOTP_DIGITS) return -1;
    int64_t found = -1;
    for (int d = -ACL_TOTP_WINDOW; d <= ACL_TOTP_WINDOW; d++) {
        int64_t t = now + (int64_t)d * ACL_TOTP_STEP;
        char c[10];
        if (t < 0 || acl_totp_code(key, keylen, ACL_TOTP_SHA1, t, ACL_TOTP_STEP, ACL_TOTP_DIGITS, c, NULL)) continue;
        /* every candidate is compared (no early exit): constant work */
        if (sodium_memcmp(c, code, ACL_TOTP_DIGITS) == 0) found = t / ACL_TOTP_STEP;
    }
    return found;
}

/* Recovery code as stored: lower case, no separators, then hashed. */
static void recovery_hash(const char *code, char hex[65]) {
    char norm[ACL_RECOVERY_LEN];
    size_t j = 0;
    for (const char *c = code; *c && j + 1 < sizeof norm; c++)
        if (*c != '-' && *c != ' ') norm[j++] = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
    norm[j] = '\0';
    acl_secret_hash(norm, hex);
    sodium_memzero(norm, sizeof norm);
}

static int use_recovery(db_t *db, int64_t user_id, const char *code, pu_err *err) {
    char hex[65];
    recovery_hash(code, hex);
    db_stmt *st;
    int rc = db_prepare(db, "DELETE FROM acl_recovery WHERE user_id = ? AND hash = ?", &st, err);
    if (rc) return rc;
    db_bind_int64(st, 1, user_id);
    db_bind_text(st, 2, hex, -1);
    rc = db_step_done(st, err);
    db_finalize(st);
    if (rc) return rc;
    return db_changes(db) > 0 ? PU_OK : pu_fail(err, PU_ERR_DENIED, NULL, "code", "wrong code");
}

int acl_totp_verify(db_t *db, int64_t user_id, const char *code, int64_t now, pu_err *err) {
    if (!code || !*code || strlen(code) >= ACL_RECOVERY_LEN) return pu_fail(err, PU_ERR_DENIED, NULL, "code", "wrong code");
    char b32[64];
    int64_t on = 0, last = 0;
    int rc = user_key(db, user_id, b32, &on, &last, err);
    if (rc) return rc;
    if (!on) return pu_fail(err, PU_ERR_DENIED, NULL, "code", "no second factor enrolled");
    if (strlen(code) > ACL_TOTP_DIGITS) return use_recovery(db, user_id, code, err);
    unsigned char key[64];
    size_t keylen;
    if (decode_key(b32, key, &keylen)) return pu_fail(err, PU_ERR_INTERNAL, NULL, "code", "the stored key is damaged");
    int64_t step = totp_match(key, keylen, code, now);
    sodium_memzero(key, sizeof key);
    if (step < 0) return pu_fail(err, PU_ERR_DENIED, NULL, "code", "wrong code");
    /* a step is good once: the update only happens when it is newer than the
     * last one used, so a replayed code (or a parallel one) gets 0 rows */
    db_stmt *st;
    if ((rc = db_prepare(db, "UPDATE acl_user SET totp_step = ? WHERE id = ? AND totp_step < ?", &st, err))) return rc;
    db_bind_int64(st, 1, step);
    db_bind_int64(st, 2, user_id);
    db_bind_int64(st, 3, step);
    rc = db_step_done(st, err);
    db_finalize(st);
    if (rc) return rc;
    return db_changes(db) > 0 ? PU_OK : pu_fail(err, PU_ERR_DENIED, NULL, "code", "this code was already used");
}

static int user_id_of(db_t *db, const char *user, int64_t *id, pu_err *err) {
    acl_principal p;
    int rc = acl_user_get(db, user, &p, err);
    if (rc == PU_OK) *id = p.user_id;
    return rc;
}

int acl_totp_begin(db_t *db, const char *user, char *uri, size_t size, char secret32[64], pu_err *err) {
    int64_t id;
    int rc = acl_sodium(err);
    if (rc || (rc = user_id_of(db, user, &id, err))) return rc;
    unsigned char key[ACL_TOTP_KEY_BYTES];
    randombytes_buf(key, sizeof key);
    char *b32 = NULL;
    size_t n = 0;
    pthread_once(&oath_once, oath_setup);
    if (!oath_ok || oath_base32_encode((const char *)key, sizeof key, &b32, &n) != OATH_OK)
        return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "base32 encoding failed");
    sodium_memzero(key, sizeof key);
    /* base32 padding is not part of the otpauth format */
    while (n > 0 && b32[n - 1] == '=') b32[--n] = '\0';
    pu_strlcpy(secret32, b32, 64);
    sodium_memzero(b32, n);
    free(b32);
    if (pu_snprintf(uri, size, "otpauth://totp/%s:%s?secret=%s&issuer=%s&algorithm=SHA1&digits=%d&period=%d",
                    ACL_TOTP_ISSUER, user, secret32, ACL_TOTP_ISSUER, ACL_TOTP_DIGITS, ACL_TOTP_STEP))
        return pu_fail(err, PU_ERR_LIMIT, NULL, "uri", "too long");
    /* a new enrolment replaces the old key; totp_on stays as it was until
     * confirmed, so a started enrolment does not lock the user out */
    int own;
    if ((rc = acl_tx_begin(db, &own, err))) return rc;
    db_stmt *st;
    char *sealed = NULL;
    rc = store_seal(ACL_TOTP_SEAL_FIELD, secret32, &sealed, err);
    if (rc == PU_OK)
        rc = db_prepare(db, "UPDATE acl_user SET totp_key = ?, totp_on = 0, totp_step = 0 WHERE id = ?", &st, err);
    if (rc == PU_OK) {
        db_bind_text(st, 1, sealed, -1);
        db_bind_int64(st, 2, id);
        rc = db_step_done(st, err);
        db_finalize(st);
    }
    free(sealed);
    return acl_tx_end(db, own, rc, err);
}

/* Ten fresh recovery codes: 80 random bits each, base32, grouped by four. */
static int new_recovery_codes(db_t *db, int64_t id, char codes[ACL_RECOVERY_CODES][ACL_RECOVERY_LEN], pu_err *err) {
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
    const int64_t v[] = {id};
    db_stmt *st;
    int rc = db_prepare(db, "DELETE FROM acl_recovery WHERE user_id = ?", &st, err);
    if (rc) return rc;
    db_bind_int64(st, 1, v[0]);
    rc = db_step_done(st, err);
    db_finalize(st);
    for (int i = 0; rc == PU_OK && i < ACL_RECOVERY_CODES; i++) {
        unsigned char raw[16];
        randombytes_buf(raw, sizeof raw);
        size_t j = 0;
        for (int k = 0; k < 16; k++) {
            if (k && k % 4 == 0) codes[i][j++] = '-';
            codes[i][j++] = alphabet[raw[k] & 31];
        }
        codes[i][j] = '\0';
        sodium_memzero(raw, sizeof raw);
        char hex[65];
        recovery_hash(codes[i], hex);
        if ((rc = db_prepare(db, "INSERT INTO acl_recovery(user_id, hash) VALUES (?,?)", &st, err))) break;
        db_bind_int64(st, 1, id);
        db_bind_text(st, 2, hex, -1);
        rc = db_step_done(st, err);
        db_finalize(st);
    }
    return rc;
}

int acl_totp_confirm(db_t *db, const char *user, const char *code, int64_t now,
                     char codes[ACL_RECOVERY_CODES][ACL_RECOVERY_LEN], pu_err *err) {
    int64_t id, on = 0, last = 0;
    char b32[64];
    int rc = user_id_of(db, user, &id, err);
    if (rc || (rc = user_key(db, id, b32, &on, &last, err))) return rc;
    if (!b32[0] || on)
        return pu_fail(err, PU_ERR_INVALID, NULL, "code", "no enrolment was started (POST /api/v1/me/totp first)");
    unsigned char key[64];
    size_t keylen;
    if (decode_key(b32, key, &keylen)) return pu_fail(err, PU_ERR_INTERNAL, NULL, "code", "the stored key is damaged");
    int64_t step = code ? totp_match(key, keylen, code, now) : -1;
    sodium_memzero(key, sizeof key);
    if (step < 0) return pu_fail(err, PU_ERR_DENIED, NULL, "code", "wrong code: check the device's clock and try again");
    int own;
    if ((rc = acl_tx_begin(db, &own, err))) return rc;
    db_stmt *st;
    rc = db_prepare(db, "UPDATE acl_user SET totp_on = 1, totp_step = ? WHERE id = ?", &st, err);
    if (rc == PU_OK) {
        db_bind_int64(st, 1, step); /* the confirming code is used */
        db_bind_int64(st, 2, id);
        rc = db_step_done(st, err);
        db_finalize(st);
    }
    if (rc == PU_OK) rc = new_recovery_codes(db, id, codes, err);
    /* sessions limited to enrolment were issued before the factor existed */
    if (rc == PU_OK) {
        const char *p[] = {user};
        /* clear the enrolment bit (ACL_LIMIT_ENROL); a pending password
         * change (ACL_LIMIT_PASSWORD) stays */
        rc = acl_exec(db, "UPDATE acl_secret SET limited = limited - (limited % 2) WHERE kind = 's' AND "
                          "user_id = (SELECT id FROM acl_user WHERE name = ?)",
                      p, 1, NULL, err);
    }
    if (rc == PU_OK) rc = acl_account_changed(db, err);
    return acl_tx_end(db, own, rc, err);
}

int acl_totp_reset(db_t *db, const char *user, pu_err *err) {
    int64_t id;
    int rc = user_id_of(db, user, &id, err);
    if (rc) return rc;
    int own;
    if ((rc = acl_tx_begin(db, &own, err))) return rc;
    const char *p[] = {user};
    rc = acl_exec(db, "UPDATE acl_user SET totp_key = '', totp_on = 0, totp_step = 0 WHERE name = ?", p, 1, NULL, err);
    if (rc == PU_OK) rc = acl_exec(db, "DELETE FROM acl_recovery WHERE user_id = (SELECT id FROM acl_user WHERE name = ?)", p, 1, NULL, err);
    if (rc == PU_OK) rc = acl_revoke_user(db, user, err);
    return acl_tx_end(db, own, rc, err);
}

int acl_totp_enabled(db_t *db, const char *user) {
    int64_t id, on = 0, last;
    char b32[64];
    if (user_id_of(db, user, &id, NULL) != PU_OK || user_key(db, id, b32, &on, &last, NULL) != PU_OK) return 0;
    sodium_memzero(b32, sizeof b32);
    return on != 0;
}

/* ---- QR codes ---- */
#define QR_QUIET 4 /* modules of white border the standard asks for */

static int qr_make(const char *text, QRcode **out, pu_err *err) {
    *out = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    return *out ? PU_OK : pu_fail(err, PU_ERR_LIMIT, NULL, "qr", "the text does not fit in a QR code");
}

int acl_qr_svg(const char *text, pu_buf *out, pu_err *err) {
    QRcode *q;
    int rc = qr_make(text, &q, err);
    if (rc) return rc;
    int size = q->width + 2 * QR_QUIET;
    rc = pu_buf_printf(out,
                       "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" shape-rendering=\"crispEdges\">"
                       "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
                       size, size, size, size);
    for (int y = 0; rc == PU_OK && y < q->width; y++)
        for (int x = 0; rc == PU_OK && x < q->width; x++)
            if (q->data[y * q->width + x] & 1) rc = pu_buf_printf(out, "M%d %dh1v1h-1z", x + QR_QUIET, y + QR_QUIET);
    if (rc == PU_OK) rc = pu_buf_puts(out, "\"/></svg>");
    QRcode_free(q);
    return rc ? pu_fail(err, rc, NULL, "qr", "the QR code does not fit in the buffer") : PU_OK;
}

int acl_qr_text(const char *text, pu_buf *out, pu_err *err) {
    QRcode *q;
    int rc = qr_make(text, &q, err);
    if (rc) return rc;
    /* dark modules as spaces on a light background (terminals are dark):
     * one character per module column, two module rows per line */
    int w = q->width, size = w + 2 * QR_QUIET;
    for (int y = -QR_QUIET; rc == PU_OK && y < w + QR_QUIET; y += 2) {
        for (int x = -QR_QUIET; rc == PU_OK && x < w + QR_QUIET; x++) {
            int top = y >= 0 && y < w && x >= 0 && x < w && (q->data[y * w + x] & 1);
            int bot = y + 1 >= 0 && y + 1 < w && x >= 0 && x < w && (q->data[(y + 1) * w + x] & 1);
            /* light = block drawn; dark = no block */
            const char *glyph = !top && !bot ? "\xe2\x96\x88" : !top ? "\xe2\x96\x80" : !bot ? "\xe2\x96\x84" : " ";
            rc = pu_buf_puts(out, glyph);
        }
        if (rc == PU_OK) rc = pu_buf_putc(out, '\n');
    }
    (void)size;
    QRcode_free(q);
    return rc ? pu_fail(err, rc, NULL, "qr", "the QR code does not fit in the buffer") : PU_OK;
}
