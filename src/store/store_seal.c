/* store_seal.c - field-level encryption at rest (store.h "sealed fields";
 * docs/security.md "Encryption at rest"): XChaCha20-Poly1305 (libsodium)
 * under a per-deployment key from the environment, the key's id stored with
 * each ciphertext so keys can be rotated. */
#include "store/store.h"
#include "common/pu_keyring.h"

#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define SEAL_PREFIX "pu1:"                 /* format version 1 */
#define SEAL_KEY_BYTES crypto_aead_xchacha20poly1305_ietf_KEYBYTES
#define SEAL_NONCE crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define SEAL_TAG crypto_aead_xchacha20poly1305_ietf_ABYTES
#define SEAL_KEY_ID_HEX PU_KEY_ID_HEX      /* 16 hex digits + NUL */
_Static_assert(SEAL_KEY_BYTES == PU_KEY_BYTES, "the key ring holds XChaCha20-Poly1305 keys");
#define SEAL_KEY_ID_CTX "puente-seal-key"

static pu_keyring ring;
static pthread_mutex_t ring_mu = PTHREAD_MUTEX_INITIALIZER;

static void load_locked(void) { pu_keyring_load(&ring, "PUENTE_SEAL_KEY", "PUENTE_SEAL_KEY_FILE", SEAL_KEY_ID_CTX); }

static int ring_get(pu_err *err) {
    pthread_mutex_lock(&ring_mu);
    if (!ring.loaded) load_locked();
    pthread_mutex_unlock(&ring_mu);
    if (ring.failed) return pu_fail(err, ring.failed, NULL, "seal-key", "%s", ring.problem);
    return PU_OK;
}

int store_seal_reload(pu_err *err) {
    pthread_mutex_lock(&ring_mu);
    load_locked();
    pthread_mutex_unlock(&ring_mu);
    return ring_get(err);
}

int store_seal_configured(void) { return ring_get(NULL) == PU_OK && ring.n > 0; }

int store_seal_check(pu_err *err) { return ring_get(err); }

int store_is_sealed(const char *stored) { return stored && strncmp(stored, SEAL_PREFIX, strlen(SEAL_PREFIX)) == 0; }

int store_seal(const char *ctx, const char *plain, char **out, pu_err *err) {
    *out = NULL;
    int rc = ring_get(err);
    if (rc) return rc;
    if (!plain) return PU_OK;
    if (ring.n == 0 || store_is_sealed(plain)) { /* encryption at rest off, or sealed already */
        *out = pu_strdup(plain);
        return *out ? PU_OK : pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    const unsigned char *key = ring.key[ring.n - 1];
    size_t plen = strlen(plain), blen = SEAL_NONCE + plen + SEAL_TAG;
    unsigned char *bin = malloc(blen);
    size_t b64len = sodium_base64_ENCODED_LEN(blen, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    size_t total = strlen(SEAL_PREFIX) + SEAL_KEY_ID_HEX + b64len + 1;
    char *s = malloc(total);
    if (!bin || !s) {
        free(bin);
        free(s);
        return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    randombytes_buf(bin, SEAL_NONCE);
    unsigned long long clen = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(bin + SEAL_NONCE, &clen, (const unsigned char *)plain, plen,
                                               (const unsigned char *)(ctx ? ctx : ""), ctx ? strlen(ctx) : 0, NULL,
                                               bin, key);
    int n = snprintf(s, total, "%s%s:", SEAL_PREFIX, ring.id[ring.n - 1]);
    sodium_bin2base64(s + n, total - (size_t)n, bin, SEAL_NONCE + (size_t)clen, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    free(bin);
    *out = s;
    return PU_OK;
}

int store_unseal(const char *ctx, const char *stored, char **out, pu_err *err) {
    *out = NULL;
    if (!stored) return PU_OK;
    if (!store_is_sealed(stored)) { /* written before encryption at rest was on */
        *out = pu_strdup(stored);
        return *out ? PU_OK : pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    int rc = ring_get(err);
    if (rc) return rc;
    const char *kid = stored + strlen(SEAL_PREFIX), *b64 = strchr(kid, ':');
    if (!b64 || (size_t)(b64 - kid) != SEAL_KEY_ID_HEX - 1)
        return pu_fail(err, PU_ERR_INVALID, ctx, NULL, "a sealed field is malformed");
    const unsigned char *key = NULL;
    for (size_t i = 0; i < ring.n && !key; i++)
        if (strncmp(ring.id[i], kid, SEAL_KEY_ID_HEX - 1) == 0) key = ring.key[i];
    if (!key)
        return pu_fail(err, PU_ERR_DENIED, ctx, "seal-key",
                       "a sealed field needs key %.16s, which is not configured ($PUENTE_SEAL_KEY_FILE)", kid);
    b64++;
    size_t cap = strlen(b64), blen = 0;
    unsigned char *bin = malloc(cap + 1);
    if (!bin) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    if (sodium_base642bin(bin, cap, b64, strlen(b64), NULL, &blen, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        blen < SEAL_NONCE + SEAL_TAG) {
        free(bin);
        return pu_fail(err, PU_ERR_INVALID, ctx, NULL, "a sealed field is malformed");
    }
    char *plain = malloc(blen - SEAL_NONCE - SEAL_TAG + 1);
    unsigned long long plen = 0;
    if (!plain) {
        free(bin);
        return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    if (crypto_aead_xchacha20poly1305_ietf_decrypt((unsigned char *)plain, &plen, NULL, bin + SEAL_NONCE,
                                                   blen - SEAL_NONCE, (const unsigned char *)(ctx ? ctx : ""),
                                                   ctx ? strlen(ctx) : 0, bin, key) != 0) {
        free(bin);
        free(plain);
        return pu_fail(err, PU_ERR_INVALID, ctx, NULL, "a sealed field does not authenticate (altered, or moved from another field)");
    }
    free(bin);
    plain[plen] = '\0';
    *out = plain;
    return PU_OK;
}

int store_unseal_buf(const char *ctx, const char *stored, char *out, size_t size, pu_err *err) {
    char *p = NULL;
    int rc = store_unseal(ctx, stored, &p, err);
    if (rc == PU_OK) pu_strlcpy(out, p ? p : "", size);
    free(p);
    return rc;
}

const char *store_seal_status(void) {
    if (ring_get(NULL) != PU_OK) return PU_N("encryption at rest: MISCONFIGURED (see the error of the first write)");
    return ring.n ? PU_N("encryption at rest: on (sealed fields, XChaCha20-Poly1305)")
                  : PU_N("encryption at rest: OFF (no $PUENTE_SEAL_KEY_FILE / $PUENTE_SEAL_KEY)");
}

/* ---- keyed blind index (store.h) ---- */
#define BLIND_PREFIX "bi1:"               /* format version 1 */
#define BLIND_KDF_CTX "pubindex"          /* crypto_kdf context: 8 bytes */
#define BLIND_KDF_ID 1
#define BLIND_BYTES 16                    /* 128 bits kept of the HMAC-SHA-256 */

int store_blind_index(const char *ctx, const char *plain, char *out, size_t size, pu_err *err) {
    int rc = ring_get(err);
    if (rc) return rc;
    if (!plain) plain = "";
    if (ring.n == 0) { /* encryption at rest off: the value is its own index */
        if (pu_strlcpy(out, plain, size) >= size)
            return pu_fail(err, PU_ERR_LIMIT, NULL, ctx, "the value is too long for its index");
        return PU_OK;
    }
    if (size < strlen(BLIND_PREFIX) + 2 * BLIND_BYTES + 1)
        return pu_fail(err, PU_ERR_LIMIT, NULL, ctx, "index buffer too small");
    /* the first key of the ring: sealing keys rotate (the last seals), the
     * index must not change with them */
    unsigned char sub[crypto_auth_hmacsha256_KEYBYTES], mac[crypto_auth_hmacsha256_BYTES];
    _Static_assert(crypto_kdf_KEYBYTES == PU_KEY_BYTES, "ring keys are KDF master keys");
    crypto_kdf_derive_from_key(sub, sizeof sub, BLIND_KDF_ID, BLIND_KDF_CTX, ring.key[0]);
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, sub, sizeof sub);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)(ctx ? ctx : ""), ctx ? strlen(ctx) + 1 : 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)plain, strlen(plain));
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_memzero(sub, sizeof sub);
    sodium_memzero(&st, sizeof st);
    memcpy(out, BLIND_PREFIX, strlen(BLIND_PREFIX));
    sodium_bin2hex(out + strlen(BLIND_PREFIX), size - strlen(BLIND_PREFIX), mac, BLIND_BYTES);
    return PU_OK;
}

void store_blind_key_id(char out[PU_KEY_ID_HEX]) {
    out[0] = '\0';
    if (ring_get(NULL) == PU_OK && ring.n > 0) pu_strlcpy(out, ring.id[0], PU_KEY_ID_HEX);
}
