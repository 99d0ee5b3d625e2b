/* pu_keyring.c - deployment keys from the environment (pu_keyring.h). */
#include "common/pu_keyring.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/pu.h"

static void key_id_of(const unsigned char *key, const char *ctx, char out[PU_KEY_ID_HEX]) {
    unsigned char h[32];
    crypto_generichash_state s;
    crypto_generichash_init(&s, NULL, 0, sizeof h);
    crypto_generichash_update(&s, (const unsigned char *)ctx, strlen(ctx));
    crypto_generichash_update(&s, key, PU_KEY_BYTES);
    crypto_generichash_final(&s, h, sizeof h);
    sodium_bin2hex(out, PU_KEY_ID_HEX, h, (PU_KEY_ID_HEX - 1) / 2);
}

/* One key of 64 hex digits (surrounding blanks allowed) into the ring. */
static int add_hex(pu_keyring *k, const char *hex, const char *ctx, const char *where) {
    while (*hex == ' ' || *hex == '\t') hex++;
    size_t len = strcspn(hex, " \t\r\n"), bin = 0;
    if (len == 0 || hex[0] == '#') return PU_OK; /* blank line, comment */
    if (k->n >= PU_KEYRING_MAX) {
        snprintf(k->problem, sizeof k->problem, "%s: more than %d keys", where, PU_KEYRING_MAX);
        return PU_ERR_LIMIT;
    }
    if (len != 2 * PU_KEY_BYTES ||
        sodium_hex2bin(k->key[k->n], PU_KEY_BYTES, hex, len, NULL, &bin, NULL) != 0 || bin != PU_KEY_BYTES) {
        snprintf(k->problem, sizeof k->problem, "%s: expected a key of %d hex digits", where, 2 * PU_KEY_BYTES);
        return PU_ERR_INVALID;
    }
    key_id_of(k->key[k->n], ctx, k->id[k->n]);
    k->n++;
    return PU_OK;
}

static int from_file(pu_keyring *k, const char *var, const char *path, const char *ctx) {
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(k->problem, sizeof k->problem, "$%s %s: %s", var, path, strerror(errno));
        return PU_ERR_IO;
    }
    char line[256], where[96];
    int rc = PU_OK, no = 0;
    while (rc == PU_OK && fgets(line, sizeof line, f)) {
        snprintf(where, sizeof where, "$%s line %d", var, ++no);
        rc = add_hex(k, line, ctx, where);
    }
    sodium_memzero(line, sizeof line);
    fclose(f);
    if (rc == PU_OK && k->n == 0) {
        snprintf(k->problem, sizeof k->problem, "$%s %s holds no key", var, path);
        rc = PU_ERR_INVALID;
    }
    return rc;
}

void pu_keyring_load(pu_keyring *k, const char *env_key, const char *env_file, const char *id_ctx) {
    sodium_memzero(k, sizeof *k);
    k->loaded = 1;
    if (sodium_init() < 0) {
        k->failed = PU_ERR_INTERNAL;
        pu_strlcpy(k->problem, "libsodium could not be initialised", sizeof k->problem);
        return;
    }
    const char *file = getenv(env_file), *hex = getenv(env_key);
    char where[96];
    snprintf(where, sizeof where, "$%s", env_key);
    int rc = PU_OK;
    if (file && *file) rc = from_file(k, env_file, file, id_ctx);
    else if (hex && *hex) rc = add_hex(k, hex, id_ctx, where);
    if (rc) {
        k->failed = rc;
        k->n = 0;
    }
}

const unsigned char *pu_keyring_find(const pu_keyring *k, const char *id) {
    for (size_t i = 0; id && i < k->n; i++)
        if (strcmp(k->id[i], id) == 0) return k->key[i];
    return NULL;
}
