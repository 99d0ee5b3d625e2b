/*
 * pu_keyring.h - deployment keys kept outside the store: one loader for every
 * module that needs a secret key (the audit chain, encryption at rest).
 *
 * A ring is read from the environment: $ENV_FILE names a file with one key of
 * 64 hex digits per line (blank lines and '#' comments ignored; the LAST line
 * is the current key, earlier lines only open/verify what was written before
 * a rotation), else $ENV_KEY holds one key. A key's id is the first 16 hex
 * digits of BLAKE2b-256(id_ctx || key): stored beside what the key protects,
 * it says which key to use without revealing it.
 *
 * Ownership: the ring is the caller's (usually a static guarded by the
 * caller's mutex); pu_keyring_load wipes it before loading. Key bytes are
 * wiped from the read buffers.
 */
#ifndef PU_KEYRING_H
#define PU_KEYRING_H

#include <stddef.h>

#define PU_KEY_BYTES 32
#define PU_KEY_ID_HEX 17   /* 16 hex digits + NUL */
#define PU_KEYRING_MAX 16

typedef struct pu_keyring {
    int loaded;                 /* 1 after pu_keyring_load */
    int failed;                 /* PU_ERR_* of a bad configuration (n is then 0) */
    size_t n;                   /* keys; 0 = none configured */
    unsigned char key[PU_KEYRING_MAX][PU_KEY_BYTES];
    char id[PU_KEYRING_MAX][PU_KEY_ID_HEX];
    char problem[256];          /* what is wrong, naming the variable and line */
} pu_keyring;

/* Load k from $env_file, else $env_key (see above). Never fails as a call:
 * a bad configuration sets k->failed (PU_ERR_IO unreadable file,
 * PU_ERR_INVALID bad key or empty file, PU_ERR_LIMIT too many keys,
 * PU_ERR_INTERNAL libsodium) and k->problem; no configuration leaves n = 0. */
void pu_keyring_load(pu_keyring *k, const char *env_key, const char *env_file, const char *id_ctx);
/* The key with this id, or NULL. */
const unsigned char *pu_keyring_find(const pu_keyring *k, const char *id);

#endif
