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

/* The media type by the first bytes, for files given without one (CLI). */
static const char *sniff(const unsigned char *d, size_t n) {
    if (n >= 5 && !memcmp(d, "%PDF-", 5)) return "application/pdf";
    if (n >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF) return "image/jpeg";
    if (n >= 8 && !memcmp(d, "\x89PNG\r\n\x1a\n", 8)) return "image/png";
    if (n > 0 && !memchr(d, 0, n) && pu_utf8_valid((const char *)d, n)) return "text/plain";
    return "application/octet-stream";
}

/* A stored media type is sent back in a header: printable ASCII, one '/'. */
static int type_ok(const char *t) {
    size_t n = strlen(t);
    if (n < 3 || n > CASE_DOC_TYPE_MAX || !strchr(t, '/')) return 0;
    for (const char *p = t; *p; p++)
        if (*p <= 0x20 || *p >= 0x7f || strchr("\"\\;,", *p)) return 0;
    return 1;
}

int case_doc_add(db_t *db, const case_reader *rd, int64_t id, const case_doc_opts *o, const unsigned char *data,
                 size_t n, int64_t *doc, char *hex, pu_err *err) {
    char h[65], now[32], *stored = NULL;
    if (!o->name || !*o->name || strlen(o->name) > CASE_DOC_NAME_MAX)
        return pu_fail(err, PU_ERR_INVALID, NULL, "name", "required, at most %d bytes", CASE_DOC_NAME_MAX);
    const char *type = o->content_type && *o->content_type ? o->content_type : sniff(data, n);
    if (!type_ok(type)) return pu_fail(err, PU_ERR_INVALID, NULL, "content_type", "not a media type");
    if (n > CASE_DOC_MAX) return pu_fail(err, PU_ERR_LIMIT, o->name, "document", "larger than %zu bytes", CASE_DOC_MAX);
    int rc = case_access(db, rd, id, 1, NULL, NULL, err);
    if (rc || sodium_init() < 0) return rc ? rc : pu_fail(err, PU_ERR_INTERNAL, NULL, NULL, "libsodium");
    sha256_hex(data, n, h);
    if ((rc = encode(data, n, o->sensitive, &stored, err))) return rc;
    db_stmt *st;
    int64_t tmp = 0;
    int own;
    pu_now_iso(now, sizeof now);
    if ((rc = case_begin(db, &own, err))) {
        free(stored);
        return rc;
    }
    rc = db_prepare(db, "INSERT INTO case_document (case_id, name, sha256, size, certified, translated, sensitive,"
                        " content, added_by, created, content_type) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                        " RETURNING id", &st, err);
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
        db_bind_text(st, 11, type, -1);
        rc = db_insert_id(st, doc ? doc : &tmp, err);
        db_finalize(st);
    }
    free(stored);
    if (!rc && hex) memcpy(hex, h, 65);
    char text[300];
    (void)pu_snprintf(text, sizeof text, "document %s (sha256 %.16s...)", o->name, h);
    if (!rc) rc = case_timeline(db, id, NULL, "document", text, case_actor(rd), err);
    char t[48];
    (void)pu_snprintf(t, sizeof t, "case:%lld,document:%lld", (long long)id, (long long)(doc ? *doc : tmp));
    if (!rc) rc = case_audit(db, rd, "case.document.add", t, text, err);
    return case_end(db, own, rc, err);
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

static void meta_fill(db_stmt *st, int64_t doc, int64_t cid, case_doc_meta *m) {
    m->id = doc;
    m->case_id = cid;
    m->size = db_col_int64(st, 1);
    pu_strlcpy(m->sha256, db_col_text(st, 2), sizeof m->sha256);
    pu_strlcpy(m->name, db_col_text(st, 3), sizeof m->name);
    pu_strlcpy(m->content_type, db_col_text(st, 4), sizeof m->content_type);
    m->certified = db_col_int64(st, 5) != 0;
    m->translated = db_col_int64(st, 6) != 0;
    m->sensitive = db_col_int64(st, 7) != 0;
}

int case_doc_get(db_t *db, const case_reader *rd, int64_t doc, unsigned char **data, size_t *n, pu_err *err) {
    return case_doc_read(db, rd, doc, NULL, data, n, err);
}

int case_doc_read(db_t *db, const case_reader *rd, int64_t doc, case_doc_meta *meta, unsigned char **data, size_t *n,
                  pu_err *err) {
    int64_t cid;
    int rc = case_parent_access(db, rd, "case_document", doc, 0, &cid, err);
    if (rc) return rc;
    db_stmt *st;
    if ((rc = db_prepare(db, "SELECT content, size, sha256, name, content_type, certified, translated, sensitive"
                             " FROM case_document WHERE id = ?", &st, err)))
        return rc;
    db_bind_int64(st, 1, doc);
    if ((rc = db_step(st, err)) != DB_ROW) {
        db_finalize(st);
        return rc == DB_DONE ? pu_fail(err, PU_ERR_NOTFOUND, NULL, "document", "no such document") : rc;
    }
    char want[65], got[65];
    pu_strlcpy(want, db_col_text(st, 2), sizeof want);
    if (meta) meta_fill(st, doc, cid, meta);
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

int case_doc_list(db_t *db, const case_reader *rd, int64_t id, json_t **out, pu_err *err) {
    static const char *const cols[] = {"id_n", "name", "sha256", "size_n", "content_type", "certified_b",
                                       "translated_b", "sensitive_b", "added_by", "created", NULL};
    int rc = case_access(db, rd, id, 0, NULL, NULL, err);
    db_stmt *st;
    if (rc || (rc = db_prepare(db, "SELECT id, name, sha256, size, content_type, certified, translated, sensitive,"
                                   " added_by, created FROM case_document WHERE case_id = ? ORDER BY id", &st, err)))
        return rc;
    db_bind_int64(st, 1, id);
    return case_rows_json(st, cols, out, err);
}
