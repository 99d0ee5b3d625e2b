/* case_doc.c - documents attached to a case: the SHA-256 of the bytes is
 * recorded at attachment and checked at every read; certified/translated
 * flags (a formal extradition request travels certified and translated:
 * treaty Art. 10 and 21); documents marked sensitive are sealed at rest
 * with the store's sealing keys (store_seal, $PUENTE_SEAL_KEY_FILE), as
 * trace names and review notes are. docs/cases.md "Documents". */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "cases/case_int.h"

#define DOC_CTX "case_document.content"   /* the sealing context (associated data) */
#define B64 sodium_base64_VARIANT_ORIGINAL

static void sha256_hex(const unsigned char *d, size_t n, char hex[65]) {
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, d, n);
    sodium_bin2hex(hex, 65, h, sizeof h);
}

/* The bytes as stored: base64, sealed when sensitive. *out the caller's. */
static int encode(const unsigned char *d, size_t n, int sensitive, char **out, pu_err *err) {
    size_t len = sodium_base64_ENCODED_LEN(n, B64);
    char *b = malloc(len);
    if (!b) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    sodium_bin2base64(b, len, d, n, B64);
    if (!sensitive) {
        *out = b;
        return PU_OK;
    }
    int rc = store_seal(DOC_CTX, b, out, err);
    sodium_memzero(b, len);
    free(b);
    return rc;
}

int case_doc_add(db_t *db, const case_reader *rd, int64_t id, const case_doc_opts *o, const unsigned char *data,
                 size_t n, int64_t *doc, char *hex, pu_err *err) {
    char h[65], now[32], *stored = NULL;
    if (!o->name || !*o->name || strlen(o->name) > 255) return pu_fail(err, PU_ERR_INVALID, NULL, "name", "required");
    if (n > CASE_DOC_MAX) return pu_fail(err, PU_ERR_LIMIT, o->name, "document", "larger than %zu bytes", CASE_DOC_MAX);
    int rc = case_access(db, rd, id, 1, NULL, NULL, err);
    if (rc || sodium_init() < 0) return rc ? rc : pu_fail(err, PU_ERR_INTERNAL, NULL, NULL, "libsodium");
    sha256_hex(data, n, h);
    if ((rc = encode(data, n, o->sensitive, &stored, err))) return rc;
    db_stmt *st;
    int64_t tmp;
    pu_now_iso(now, sizeof now);
    rc = db_prepare(db, "INSERT INTO case_document (case_id, name, sha256, size, certified, translated, sensitive,"
                        " content, added_by, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id", &st, err);
    if (!rc) {
        db_bind_int64(st, 1, id);
        db_bind_text(st, 2, o->name, -1);
        db_bind_text(st, 3, h, -1);
        db_bind_int64(st, 4, (int64_t)n);
        db_bind_int64(st, 5, o->certified != 0);
        db_bind_int64(st, 6, o->translated != 0);
        db_bind_int64(st, 7, o->sensitive != 0);
        db_bind_text(st, 8, stored, -1);
        db_bind_text(st, 9, case_actor(rd), -1);
        db_bind_text(st, 10, now, -1);
        rc = db_insert_id(st, doc ? doc : &tmp, err);
        db_finalize(st);
    }
    free(stored);
    if (!rc && hex) memcpy(hex, h, 65);
    char text[300];
    (void)pu_snprintf(text, sizeof text, "document %s (sha256 %.16s...)", o->name, h);
    if (!rc) rc = case_timeline(db, id, NULL, "document", text, case_actor(rd), err);
    return rc;
}

static int decode(const char *stored, size_t size, unsigned char **data, size_t *n, pu_err *err) {
    char *b64 = NULL;
    int rc = store_unseal(DOC_CTX, stored, &b64, err);
    if (rc) return rc;
    unsigned char *d = malloc(size ? size : 1);
    if (!d) {
        free(b64);
        return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    size_t got = 0;
    if (sodium_base642bin(d, size ? size : 1, b64, strlen(b64), NULL, &got, NULL, B64) != 0 || got != size) {
        free(b64);
        free(d);
        return pu_fail(err, PU_ERR_INTERNAL, NULL, "content", "the stored document is damaged");
    }
    free(b64);
    *data = d;
    *n = got;
    return PU_OK;
}

int case_doc_get(db_t *db, const case_reader *rd, int64_t doc, unsigned char **data, size_t *n, pu_err *err) {
    int64_t cid;
    int rc = case_parent_access(db, rd, "case_document", doc, 0, &cid, err);
    if (rc) return rc;
    db_stmt *st;
    if ((rc = db_prepare(db, "SELECT content, size, sha256 FROM case_document WHERE id = ?", &st, err))) return rc;
    db_bind_int64(st, 1, doc);
    if ((rc = db_step(st, err)) != DB_ROW) {
        db_finalize(st);
        return rc == DB_DONE ? pu_fail(err, PU_ERR_NOTFOUND, NULL, "document", "no such document") : rc;
    }
    char want[65], got[65];
    pu_strlcpy(want, db_col_text(st, 2), sizeof want);
    rc = decode(db_col_text(st, 0), (size_t)db_col_int64(st, 1), data, n, err);
    db_finalize(st);
    if (rc) return rc;
    sha256_hex(*data, *n, got);
    if (strcmp(got, want)) {
        free(*data);
        *data = NULL;
        return pu_fail(err, PU_ERR_INTERNAL, NULL, "sha256", "document %lld does not match its recorded hash",
                       (long long)doc);
    }
    return PU_OK;
}
