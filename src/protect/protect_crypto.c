/* protect_crypto.c - the officers' key pairs, case keys wrapped per member,
 * sealed values, the blind index and key rotation (docs/protection.md
 * "Key design"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access/access.h"
#include "protect/protect_int.h"

/* Argon2id cost of the passphrase key: libsodium's "interactive" limits,
 * stored beside each key pair so a later change of the default still opens
 * older pairs. */
#define PR_KDF_OPS crypto_pwhash_OPSLIMIT_INTERACTIVE
#define PR_KDF_MEM crypto_pwhash_MEMLIMIT_INTERACTIVE
#define PR_AD_MAX 200

static int hex_to(const char *hex, unsigned char *out, size_t n) {
    size_t got = 0;
    return sodium_hex2bin(out, n, hex, strlen(hex), NULL, &got, NULL) == 0 && got == n;
}

static int officer(db_t *db, const char *user, acl_principal *p, pu_err *err) {
    int rc = acl_user_get(db, user, p, err);
    if (rc) return rc;
    if (!(acl_role_perms(p->role) & ACL_P_PROTECT))
        return pu_fail(err, PU_ERR_DENIED, user, "user", "the account does not hold the protection-officer role");
    return PU_OK;
}

/* $PUENTE_PROTECT_KDF=OPS:KIB lowers the cost for tests and demos (never
 * below libsodium's minimum); the cost used is stored with the key pair. */
static void kdf_cost(unsigned long long *ops, size_t *mem) {
    *ops = PR_KDF_OPS;
    *mem = PR_KDF_MEM;
    const char *e = getenv("PUENTE_PROTECT_KDF");
    unsigned long long o, kib;
    if (e && sscanf(e, "%llu:%llu", &o, &kib) == 2 && o >= crypto_pwhash_OPSLIMIT_MIN &&
        kib * 1024 >= crypto_pwhash_MEMLIMIT_MIN && kib <= ((unsigned long long)1 << 22)) {
        *ops = o;
        *mem = (size_t)kib * 1024;
    }
}

static int kdf(const char *pass, const unsigned char *salt, unsigned long long ops, size_t mem,
               unsigned char key[crypto_secretbox_KEYBYTES]) {
    return crypto_pwhash(key, crypto_secretbox_KEYBYTES, pass, strlen(pass), salt, ops, mem,
                         crypto_pwhash_ALG_ARGON2ID13) == 0 ? PU_OK : PU_ERR_NOMEM;
}

/* Store pk and sk sealed under Argon2id(passphrase) for user (insert or replace). */
static int store_pair(db_t *db, const char *user, const unsigned char pk[32], const unsigned char sk[32], const char *passphrase,
                      pu_err *err) {
    unsigned char salt[crypto_pwhash_SALTBYTES], key[crypto_secretbox_KEYBYTES];
    unsigned char box[crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + 32];
    unsigned long long ops;
    size_t mem;
    kdf_cost(&ops, &mem);
    randombytes_buf(salt, sizeof salt);
    if (kdf(passphrase, salt, ops, mem, key)) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory for the passphrase key");
    randombytes_buf(box, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, sk, 32, box, key);
    sodium_memzero(key, sizeof key);
    char pk_hex[65], salt_hex[2 * sizeof salt + 1], box_hex[2 * sizeof box + 1];
    sodium_bin2hex(pk_hex, sizeof pk_hex, pk, 32);
    sodium_bin2hex(salt_hex, sizeof salt_hex, salt, sizeof salt);
    sodium_bin2hex(box_hex, sizeof box_hex, box, sizeof box);
    db_stmt *st;
    int rc = db_prepare(db, "INSERT INTO protect_user_key (user_name, public_key, salt, ops, mem, sealed_secret)"
                            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (user_name) DO UPDATE SET"
                            " public_key = excluded.public_key, salt = excluded.salt, ops = excluded.ops,"
                            " mem = excluded.mem, sealed_secret = excluded.sealed_secret", &st, err);
    if (rc) return rc;
    db_bind_text(st, 1, user, -1);
    db_bind_text(st, 2, pk_hex, -1);
    db_bind_text(st, 3, salt_hex, -1);
    db_bind_int64(st, 4, (int64_t)ops);
    db_bind_int64(st, 5, (int64_t)mem);
    db_bind_text(st, 6, box_hex, -1);
    rc = db_step_done(st, err);
    db_finalize(st);
    return rc;
}

int protect_keygen(db_t *db, const char *user, const char *passphrase, pu_err *err) {
    acl_principal p;
    if (!passphrase || strlen(passphrase) < PROTECT_PASSPHRASE_MIN)
        return pu_fail(err, PU_ERR_INVALID, user, "passphrase", "a protection passphrase has at least %d characters",
                       PROTECT_PASSPHRASE_MIN);
    int rc = officer(db, user, &p, err);
    if (rc) return rc;
    if (sodium_init() < 0) return pu_fail(err, PU_ERR_INTERNAL, NULL, NULL, "libsodium could not be initialised");
    unsigned char pk[32], sk[32];
    crypto_box_keypair(pk, sk);
    rc = store_pair(db, user, pk, sk, passphrase, err);
    sodium_memzero(sk, sizeof sk);
    return rc;
}

int protect_passphrase_change(db_t *db, const char *user, const char *old, const char *next, pu_err *err) {
    if (!next || strlen(next) < PROTECT_PASSPHRASE_MIN)
        return pu_fail(err, PU_ERR_INVALID, user, "passphrase", "a protection passphrase has at least %d characters",
                       PROTECT_PASSPHRASE_MIN);
    protect_session s;
    int rc = protect_unlock(db, user, old, &s, err);
    if (rc == PU_OK) rc = store_pair(db, user, s.pk, s.sk, next, err);
    protect_session_end(&s);
    return rc;
}

int protect_unlock(db_t *db, const char *user, const char *passphrase, protect_session *s, pu_err *err) {
    memset(s, 0, sizeof *s);
    s->db = db;
    s->source = "cli";
    acl_principal p;
    pu_err ignored;
    const char *refusal = "no protection key could be unlocked for this account and passphrase";
    if (!user || !passphrase || officer(db, user, &p, &ignored) != PU_OK)
        return pu_fail(err, PU_ERR_DENIED, NULL, "passphrase", "%s", refusal);
    if (sodium_init() < 0) return pu_fail(err, PU_ERR_INTERNAL, NULL, NULL, "libsodium could not be initialised");
    db_stmt *st;
    int rc = db_prepare(db, "SELECT public_key, salt, ops, mem, sealed_secret FROM protect_user_key WHERE user_name = ?",
                        &st, err);
    if (rc) return rc;
    db_bind_text(st, 1, user, -1);
    unsigned char salt[crypto_pwhash_SALTBYTES], key[crypto_secretbox_KEYBYTES];
    unsigned char box[crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + 32];
    int ok = 0;
    if ((rc = db_step(st, err)) == DB_ROW && hex_to(db_col_text(st, 0), s->pk, 32) &&
        hex_to(db_col_text(st, 1), salt, sizeof salt) && hex_to(db_col_text(st, 4), box, sizeof box)) {
        unsigned long long ops = (unsigned long long)db_col_int64(st, 2);
        size_t mem = (size_t)db_col_int64(st, 3);
        ok = kdf(passphrase, salt, ops, mem, key) == PU_OK &&
             crypto_secretbox_open_easy(s->sk, box + crypto_secretbox_NONCEBYTES, sizeof box - crypto_secretbox_NONCEBYTES,
                                        box, key) == 0;
        sodium_memzero(key, sizeof key);
    }
    db_finalize(st);
    if (rc < 0 || rc == PU_ERR_DB) return rc;
    if (!ok) {
        sodium_memzero(s->sk, sizeof s->sk);
        return pu_fail(err, PU_ERR_DENIED, NULL, "passphrase", "%s", refusal);
    }
    pu_strlcpy(s->user, user, sizeof s->user);
    pu_strlcpy(s->agency, p.agency, sizeof s->agency);
    s->perms = acl_role_perms(p.role);
    s->unlocked = 1;
    return PU_OK;
}

void protect_session_end(protect_session *s) {
    if (!s) return;
    sodium_memzero(s->sk, sizeof s->sk);
    s->unlocked = 0;
}

/* ---- case keys ---- */
int pr_case_key(protect_session *s, const char *case_id, unsigned char key[PR_KEY_BYTES], int *version, pu_err *err) {
    int rc = pr_ready(s, err);
    if (rc) return rc;
    db_stmt *st;
    if ((rc = db_prepare(s->db, "SELECT m.wrapped, c.key_version FROM protect_member m JOIN protect_case c"
                                " ON c.id = m.case_id AND c.key_version = m.key_version"
                                " WHERE m.case_id = ? AND m.user_name = ?", &st, err)))
        return rc;
    db_bind_text(st, 1, case_id, -1);
    db_bind_text(st, 2, s->user, -1);
    unsigned char wrapped[crypto_box_SEALBYTES + PR_KEY_BYTES];
    int found = 0, opened = 0;
    if ((rc = db_step(st, err)) == DB_ROW) {
        found = 1;
        *version = (int)db_col_int64(st, 1);
        opened = hex_to(db_col_text(st, 0), wrapped, sizeof wrapped) &&
                 crypto_box_seal_open(key, wrapped, sizeof wrapped, s->pk, s->sk) == 0;
    }
    db_finalize(st);
    if (rc != DB_ROW && rc != DB_DONE) return rc;
    if (!found) return pu_fail(err, PU_ERR_NOTFOUND, case_id, "case", "no such case among the cases of which you are a member");
    if (!opened) return pu_fail(err, PU_ERR_DENIED, case_id, "key", "the case key does not open with your key pair (new key pair? ask a member to add you again)");
    return PU_OK;
}

int pr_wrap_for(db_t *db, const char *case_id, const char *user, const unsigned char *key, int version,
                const char *added_by, int64_t now, pu_err *err) {
    unsigned char pk[32], wrapped[crypto_box_SEALBYTES + PR_KEY_BYTES];
    char hex[2 * sizeof wrapped + 1];
    int64_t have = 0;
    db_stmt *st;
    int rc = db_prepare(db, "SELECT public_key FROM protect_user_key WHERE user_name = ?", &st, err);
    if (rc) return rc;
    db_bind_text(st, 1, user, -1);
    if ((rc = db_step(st, err)) == DB_ROW) have = hex_to(db_col_text(st, 0), pk, sizeof pk);
    db_finalize(st);
    if (rc != DB_ROW && rc != DB_DONE) return rc;
    if (!have) return pu_fail(err, PU_ERR_DENIED, user, "user", "the account has no protection key pair (puente protect keygen)");
    crypto_box_seal(wrapped, key, PR_KEY_BYTES, pk);
    sodium_bin2hex(hex, sizeof hex, wrapped, sizeof wrapped);
    char day[11];
    pr_day(now, day);
    if ((rc = db_prepare(db, "INSERT INTO protect_member (case_id, user_name, key_version, wrapped, added_by, added_day)"
                             " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (case_id, user_name) DO UPDATE SET"
                             " key_version = excluded.key_version, wrapped = excluded.wrapped", &st, err)))
        return rc;
    db_bind_text(st, 1, case_id, -1);
    db_bind_text(st, 2, user, -1);
    db_bind_int64(st, 3, version);
    db_bind_text(st, 4, hex, -1);
    db_bind_text(st, 5, added_by, -1);
    db_bind_text(st, 6, day, -1);
    rc = db_step_done(st, err);
    db_finalize(st);
    return rc;
}

/* ---- sealed values ---- */
static void ad_of(char out[PR_AD_MAX], const char *case_id, const char *kind, int64_t rec, const char *field, int v) {
    (void)pu_snprintf(out, PR_AD_MAX, "protect|%s|%s|%lld|%s|v%d", case_id, kind, (long long)rec, field, v);
}

static int seal_bytes(const unsigned char *key, const char *ad, const void *data, size_t n, unsigned char **out,
                      size_t *outn) {
    *outn = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + n + crypto_aead_xchacha20poly1305_ietf_ABYTES;
    if (!(*out = malloc(*outn))) return PU_ERR_NOMEM;
    unsigned char *nonce = *out;
    randombytes_buf(nonce, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
    crypto_aead_xchacha20poly1305_ietf_encrypt(nonce + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, NULL, data, n,
                                               (const unsigned char *)ad, strlen(ad), NULL, nonce, key);
    return PU_OK;
}

static int open_bytes(const unsigned char *key, const char *ad, const unsigned char *in, size_t n, char **out,
                      size_t *outn) {
    size_t head = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, tail = crypto_aead_xchacha20poly1305_ietf_ABYTES;
    if (n < head + tail) return PU_ERR_INTERNAL;
    if (!(*out = malloc(n - head - tail + 1))) return PU_ERR_NOMEM;
    unsigned long long got = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt((unsigned char *)*out, &got, NULL, in + head, n - head, (const unsigned char *)ad,
                                                   strlen(ad), in, key) != 0) {
        free(*out);
        *out = NULL;
        return PU_ERR_INTERNAL;
    }
    (*out)[got] = '\0';
    *outn = (size_t)got;
    return PU_OK;
}

int pr_seal(db_t *db, const char *case_id, const unsigned char *key, int version, const char *kind, int64_t rec,
            const char *field, const void *data, size_t n, pu_err *err) {
    char ad[PR_AD_MAX];
    unsigned char *sealed = NULL;
    size_t ns = 0;
    ad_of(ad, case_id, kind, rec, field, version);
    if (seal_bytes(key, ad, data, n, &sealed, &ns)) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    db_stmt *st;
    int rc = db_prepare(db, "INSERT INTO protect_sealed (case_id, kind, rec_id, field, key_version, value)"
                            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (case_id, kind, rec_id, field) DO UPDATE SET"
                            " key_version = excluded.key_version, value = excluded.value", &st, err);
    if (rc == PU_OK) {
        db_bind_text(st, 1, case_id, -1);
        db_bind_text(st, 2, kind, -1);
        db_bind_int64(st, 3, rec);
        db_bind_text(st, 4, field, -1);
        db_bind_int64(st, 5, version);
        db_bind_blob(st, 6, sealed, ns);
        rc = db_step_done(st, err);
        db_finalize(st);
    }
    free(sealed);
    return rc;
}

int pr_seal_text(db_t *db, const char *case_id, const unsigned char *key, int version, const char *kind, int64_t rec,
                 const char *field, const char *text, pu_err *err) {
    if (!text || !*text) return PU_OK;
    size_t n = strlen(text);
    if (n > PROTECT_VALUE_MAX) return pu_fail(err, PU_ERR_LIMIT, kind, field, "at most %d bytes", PROTECT_VALUE_MAX);
    if (!pu_utf8_valid(text, n)) return pu_fail(err, PU_ERR_INVALID, kind, field, "not valid UTF-8");
    return pr_seal(db, case_id, key, version, kind, rec, field, text, n, err);
}

int pr_open(db_t *db, const char *case_id, const unsigned char *key, int version, const char *kind, int64_t rec,
            const char *field, char **out, size_t *n, pu_err *err) {
    *out = NULL;
    *n = 0;
    db_stmt *st;
    int rc = db_prepare(db, "SELECT value, key_version FROM protect_sealed WHERE case_id = ? AND kind = ? AND rec_id = ?"
                            " AND field = ?", &st, err);
    if (rc) return rc;
    db_bind_text(st, 1, case_id, -1);
    db_bind_text(st, 2, kind, -1);
    db_bind_int64(st, 3, rec);
    db_bind_text(st, 4, field, -1);
    if ((rc = db_step(st, err)) == DB_ROW) {
        size_t len = 0;
        const unsigned char *b = db_col_blob(st, 0, &len);
        char ad[PR_AD_MAX];
        ad_of(ad, case_id, kind, rec, field, (int)db_col_int64(st, 1));
        rc = (int)db_col_int64(st, 1) == version ? open_bytes(key, ad, b, len, out, n) : PU_ERR_INTERNAL;
        if (rc) rc = pu_fail(err, rc == PU_ERR_NOMEM ? rc : PU_ERR_INTERNAL, case_id, field,
                             "a sealed value of the case does not open with its key");
    } else if (rc == DB_DONE) {
        rc = PU_OK;
    }
    db_finalize(st);
    return rc;
}

/* ---- blind index ---- */
/* Lower case, Spanish accents folded, every other byte that is not a letter
 * or digit a separator. */
static void fold(const char *s, char *out, size_t size) {
    static const char *const from = "\x80\x81\x82\x83\x84\x85\xa0\xa1\xa2\xa3\xa4\xa5\x87\xa7\x88\x89\x8a\x8b\xa8\xa9\xaa\xab"
                                    "\x8c\x8d\x8e\x8f\xac\xad\xae\xaf\x91\xb1\x92\x93\x94\x95\x96\xb2\xb3\xb4\xb5\xb6"
                                    "\x99\x9a\x9b\x9c\xb9\xba\xbb\xbc";
    static const char *const to = "aaaaaaaaaaaacceeeeeeeeiiiiiiiinnoooooooooouuuuuuuu";
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && o + 1 < size; p++) {
        char c = ' ';
        if (*p == 0xC3 && p[1]) {
            const char *hit = strchr(from, (char)p[1]);
            c = hit ? to[hit - from] : ' ';
            p++;
        } else if (*p >= 'A' && *p <= 'Z') c = (char)(*p - 'A' + 'a');
        else if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p >= 0x80) c = (char)*p;
        out[o++] = c;
    }
    out[o] = '\0';
}

int pr_name_tags(const unsigned char *key, const char *name, char tags[][PR_TAG_HEX], size_t *n) {
    unsigned char ikey[crypto_auth_hmacsha256_KEYBYTES], mac[crypto_auth_hmacsha256_BYTES];
    char folded[512];
    *n = 0;
    crypto_kdf_derive_from_key(ikey, sizeof ikey, 1, PR_TAG_CTX, key);
    fold(name, folded, sizeof folded);
    char *save = NULL;
    for (char *w = strtok_r(folded, " ", &save); w && *n < PR_MAX_TOKENS; w = strtok_r(NULL, " ", &save)) {
        crypto_auth_hmacsha256(mac, (const unsigned char *)w, strlen(w), ikey);
        sodium_bin2hex(tags[*n], PR_TAG_HEX, mac, (PR_TAG_HEX - 1) / 2);
        int dup = 0;
        for (size_t i = 0; i < *n; i++) dup |= strcmp(tags[i], tags[*n]) == 0;
        if (!dup) (*n)++;
    }
    sodium_memzero(ikey, sizeof ikey);
    sodium_memzero(folded, sizeof folded);
    return PU_OK;
}

int pr_tags_put(db_t *db, const char *case_id, const unsigned char *key, int64_t rec, const char *name, pu_err *err) {
    char tags[PR_MAX_TOKENS][PR_TAG_HEX];
    size_t n = 0;
    pr_name_tags(key, name, tags, &n);
    db_stmt *st;
    int rc = db_prepare(db, "INSERT INTO protect_tag (case_id, person_id, tag) VALUES (?, ?, ?)", &st, err);
    for (size_t i = 0; rc == PU_OK && i < n; i++) {
        db_bind_text(st, 1, case_id, -1);
        db_bind_int64(st, 2, rec);
        db_bind_text(st, 3, tags[i], -1);
        rc = db_step_done(st, err);
        db_reset(st);
    }
    if (st) db_finalize(st);
    return rc;
}

/* ---- rotation ---- */
typedef struct sealed_row {
    char kind[24], field[24];
    int64_t rec;
} sealed_row;

static int sealed_rows(db_t *db, const char *case_id, sealed_row **rows, size_t *n, pu_err *err) {
    *rows = NULL;
    *n = 0;
    size_t cap = 0;
    db_stmt *st;
    int rc = db_prepare(db, "SELECT kind, rec_id, field FROM protect_sealed WHERE case_id = ? ORDER BY id", &st, err);
    if (rc) return rc;
    db_bind_text(st, 1, case_id, -1);
    while ((rc = db_step(st, err)) == DB_ROW) {
        if (*n == cap) {
            cap = cap ? 2 * cap : 64;
            sealed_row *g = realloc(*rows, cap * sizeof *g);
            if (!g) {
                rc = pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
                break;
            }
            *rows = g;
        }
        sealed_row *r = &(*rows)[(*n)++];
        pu_strlcpy(r->kind, db_col_text(st, 0), sizeof r->kind);
        r->rec = db_col_int64(st, 1);
        pu_strlcpy(r->field, db_col_text(st, 2), sizeof r->field);
    }
    db_finalize(st);
    return rc == DB_DONE ? PU_OK : rc;
}

int pr_reseal_case(db_t *db, const char *case_id, const unsigned char *old, int ov, const unsigned char *nk, int nv,
                   pu_err *err) {
    sealed_row *rows = NULL;
    size_t n = 0;
    int rc = sealed_rows(db, case_id, &rows, &n, err);
    if (rc == PU_OK) {
        db_stmt *st;
        pu_err e2;
        rc = db_prepare(db, "DELETE FROM protect_tag WHERE case_id = ?", &st, err);
        if (rc == PU_OK) {
            db_bind_text(st, 1, case_id, -1);
            rc = db_step_done(st, err);
            db_finalize(st);
        }
        (void)e2;
    }
    for (size_t i = 0; rc == PU_OK && i < n; i++) {
        char *v = NULL;
        size_t len = 0;
        rc = pr_open(db, case_id, old, ov, rows[i].kind, rows[i].rec, rows[i].field, &v, &len, err);
        if (rc == PU_OK) rc = pr_seal(db, case_id, nk, nv, rows[i].kind, rows[i].rec, rows[i].field, v, len, err);
        if (rc == PU_OK && !strcmp(rows[i].kind, "person") && !strcmp(rows[i].field, "name"))
            rc = pr_tags_put(db, case_id, nk, rows[i].rec, v, err);
        if (v) sodium_memzero(v, len);
        free(v);
    }
    free(rows);
    return rc;
}
