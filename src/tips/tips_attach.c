/* tips_attach.c - attachments: size-capped, typed by their content (JPEG,
 * PNG, PDF, plain text; nothing compressed that would be unpacked), sealed to
 * the receiving agency's public key (libsodium sealed boxes: the store alone
 * cannot open them, and one agency's key cannot open another's), with a copy
 * whose image metadata (EXIF, GPS, XMP, text chunks) is stripped for the
 * analyst while the sealed original stays as evidence. docs/tips.md
 * "Attachments". */
/* qpdf's C API declares qpdf_init() without a prototype */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
#include <qpdf/qpdf-c.h>
#pragma GCC diagnostic pop
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/pu_vec.h"
#include "tips/tips_int.h"

/* ---- type by content ---- */
/* UTF-8 without control characters other than tab, newline, carriage return
 * and form feed (a binary file, an archive's header, is not text). */
static int plain_text(const unsigned char *d, size_t n) {
    for (size_t i = 0; i < n; i++)
        if ((d[i] < 0x20 && d[i] != '\t' && d[i] != '\n' && d[i] != '\r' && d[i] != '\f') || d[i] == 0x7f) return 0;
    return pu_utf8_valid((const char *)d, n);
}

const char *tips_attach_type(const unsigned char *d, size_t n) {
    if (n >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF) return "image/jpeg";
    if (n >= 8 && !memcmp(d, "\x89PNG\r\n\x1a\n", 8)) return "image/png";
    if (n >= 5 && !memcmp(d, "%PDF-", 5)) return "application/pdf";
    if (n > 0 && plain_text(d, n)) return "text/plain";
    return NULL;
}

/* ---- metadata stripping (no decoding, no inflating: segment and chunk walks) ---- */
/* JPEG: drop APP1 (EXIF, XMP), APP12, APP13 (IPTC) and COM segments before
 * the scan; the rest is copied as is. 0 when the structure is not walkable
 * (a segment runs past the end, or no start of scan follows the headers). */
static int strip_jpeg(const unsigned char *d, size_t n, unsigned char *out, size_t *outn) {
    size_t i = 2, o = 2;
    int scan = 0;
    memcpy(out, d, 2);
    while (i + 4 <= n) {
        if (d[i] != 0xFF) return 0;
        unsigned char m = d[i + 1];
        if (m == 0xDA) { /* start of scan: the rest is image data */
            scan = 1;
            break;
        }
        size_t len = (size_t)d[i + 2] << 8 | d[i + 3];
        if (len < 2 || i + 2 + len > n) return 0;
        int drop = m == 0xE1 || m == 0xEC || m == 0xED || m == 0xFE;
        if (!drop) {
            memcpy(out + o, d + i, 2 + len);
            o += 2 + len;
        }
        i += 2 + len;
    }
    if (!scan || i > n) return 0;
    memcpy(out + o, d + i, n - i);
    *outn = o + (n - i);
    return 1;
}

/* PNG: drop eXIf, tEXt, zTXt, iTXt and tIME chunks (each chunk carries its
 * own CRC, so the rest stays valid). */
static int strip_png(const unsigned char *d, size_t n, unsigned char *out, size_t *outn) {
    size_t i = 8, o = 8;
    memcpy(out, d, 8);
    while (i + 12 <= n) {
        size_t len = (size_t)d[i] << 24 | (size_t)d[i + 1] << 16 | (size_t)d[i + 2] << 8 | d[i + 3];
        if (len > n - i - 12) return 0;
        const unsigned char *type = d + i + 4;
        int drop = !memcmp(type, "eXIf", 4) || !memcmp(type, "tEXt", 4) || !memcmp(type, "zTXt", 4) ||
                   !memcmp(type, "iTXt", 4) || !memcmp(type, "tIME", 4);
        if (!drop) {
            memcpy(out + o, d + i, 12 + len);
            o += 12 + len;
        }
        i += 12 + len;
        if (!memcmp(type, "IEND", 4)) break;
    }
    *outn = o;
    return 1;
}

/* PDF: the document information dictionary (author, creator tool, dates)
 * and the XMP metadata stream of the catalogue are removed, and the file is
 * rewritten by libqpdf (Debian libqpdf-dev) with a deterministic /ID (the
 * original /ID can tie the file to the machine that made it). Streams are
 * copied as they are, never decompressed (no bomb to inflate). 0 when qpdf
 * cannot read it (damaged, or encrypted with a password). */
static int strip_pdf(const unsigned char *d, size_t n, unsigned char **out, size_t *outn) {
    qpdf_data q = qpdf_init();
    int ok = 0;
    qpdf_silence_errors(q);
    qpdf_set_suppress_warnings(q, QPDF_TRUE);
    if (qpdf_read_memory(q, "tip file", (const char *)d, (unsigned long long)n, NULL) & QPDF_ERRORS) goto done;
    qpdf_oh_remove_key(q, qpdf_get_trailer(q), "/Info");
    qpdf_oh root = qpdf_get_root(q);
    qpdf_oh_remove_key(q, root, "/Metadata");
    qpdf_oh_remove_key(q, root, "/PieceInfo");
    if (qpdf_init_write_memory(q) & QPDF_ERRORS) goto done;
    qpdf_set_deterministic_ID(q, QPDF_TRUE);
    qpdf_set_stream_data_mode(q, qpdf_s_preserve);
    if (qpdf_write(q) & QPDF_ERRORS) goto done;
    *outn = qpdf_get_buffer_length(q);
    if (*outn == 0 || !(*out = malloc(*outn))) goto done;
    memcpy(*out, qpdf_get_buffer(q), *outn);
    ok = 1;
done:
    qpdf_cleanup(&q);
    if (!ok) *outn = 0;
    return ok;
}

int tips_attach_strip(const char *type, const unsigned char *d, size_t n, unsigned char **out, size_t *outn) {
    *out = NULL;
    *outn = 0;
    if (!strcmp(type, "application/pdf")) return strip_pdf(d, n, out, outn) ? PU_OK : PU_ERR_INVALID;
    int jpeg = !strcmp(type, "image/jpeg"), png = !strcmp(type, "image/png");
    if (!jpeg && !png) return PU_OK;
    unsigned char *b = malloc(n ? n : 1);
    if (!b) return PU_ERR_NOMEM;
    int ok = jpeg ? strip_jpeg(d, n, b, outn) : strip_png(d, n, b, outn);
    if (!ok || *outn == n) { /* not walkable, or nothing to strip: no second copy */
        free(b);
        *outn = 0;
        return ok ? PU_OK : PU_ERR_INVALID;
    }
    *out = b;
    return PU_OK;
}

/* ---- agency keys: public in the store, secret outside it ---- */
int tips_agency_keygen(db_t *db, const char *agency, char secret_hex[2 * crypto_box_SECRETKEYBYTES + 1], pu_err *err) {
    unsigned char pk[crypto_box_PUBLICKEYBYTES], sk[crypto_box_SECRETKEYBYTES];
    char pk_hex[2 * crypto_box_PUBLICKEYBYTES + 1];
    if (!agency || !*agency || strchr(agency, '-')) return pu_fail(err, PU_ERR_INVALID, NULL, "agency", "expected an agency acronym");
    crypto_box_keypair(pk, sk);
    sodium_bin2hex(pk_hex, sizeof pk_hex, pk, sizeof pk);
    sodium_bin2hex(secret_hex, 2 * crypto_box_SECRETKEYBYTES + 1, sk, sizeof sk);
    sodium_memzero(sk, sizeof sk);
    db_stmt *st;
    int rc = db_prepare(db, "INSERT INTO tip_agency_key (agency, public_key) VALUES (?, ?)"
                            " ON CONFLICT (agency) DO UPDATE SET public_key = excluded.public_key", &st, err);
    if (rc) return rc;
    db_bind_text(st, 1, agency, -1);
    db_bind_text(st, 2, pk_hex, -1);
    rc = db_step_done(st, err);
    db_finalize(st);
    return rc;
}

static int agency_public_key(db_t *db, const char *agency, unsigned char pk[crypto_box_PUBLICKEYBYTES], pu_err *err) {
    db_stmt *st;
    int rc = db_prepare(db, "SELECT public_key FROM tip_agency_key WHERE agency = ?", &st, err);
    if (rc) return rc;
    db_bind_text(st, 1, agency, -1);
    rc = db_step(st, err);
    if (rc == DB_ROW) {
        const char *hex = db_col_text(st, 0);
        rc = sodium_hex2bin(pk, crypto_box_PUBLICKEYBYTES, hex, strlen(hex), NULL, NULL, NULL) == 0 ? PU_OK
             : pu_fail(err, PU_ERR_INTERNAL, agency, "public_key", "malformed key");
    } else if (rc == DB_DONE) {
        rc = pu_fail(err, PU_ERR_CONFLICT, agency, "attachment",
                     "agency %s has no key for tip attachments yet (puente tip keygen %s)", agency, agency);
    }
    db_finalize(st);
    return rc;
}

/* Open a sealed file with the agency's secret keys from $PUENTE_TIPS_KEY_FILE
 * ("AGENCY <64 hex>" lines): every line of the agency is tried, so after a
 * new key pair (rotation) the older lines still open the older files. */
static int open_with_agency_keys(const char *agency, const unsigned char *sealed, size_t ns, unsigned char *out,
                                 pu_err *err) {
    const char *path = getenv("PUENTE_TIPS_KEY_FILE");
    if (!path || !*path) return pu_fail(err, PU_ERR_DENIED, agency, "PUENTE_TIPS_KEY_FILE", "no agency key file configured");
    FILE *f = fopen(path, "r");
    if (!f) return pu_fail(err, PU_ERR_IO, path, "PUENTE_TIPS_KEY_FILE", "cannot open");
    char line[256], name[64], hex[160];
    int opened = 0, keys = 0;
    while (!opened && fgets(line, sizeof line, f)) {
        if (sscanf(line, "%63s %159s", name, hex) != 2 || strcmp(name, agency)) continue;
        unsigned char sk[crypto_box_SECRETKEYBYTES], pk[crypto_box_PUBLICKEYBYTES];
        if (sodium_hex2bin(sk, sizeof sk, hex, strlen(hex), NULL, NULL, NULL) != 0) continue;
        keys++;
        crypto_scalarmult_base(pk, sk);
        opened = crypto_box_seal_open(out, sealed, ns, pk, sk) == 0;
        sodium_memzero(sk, sizeof sk);
    }
    sodium_memzero(line, sizeof line);
    sodium_memzero(hex, sizeof hex);
    fclose(f);
    if (opened) return PU_OK;
    return pu_fail(err, PU_ERR_DENIED, agency, "PUENTE_TIPS_KEY_FILE",
                   keys ? "no secret key of %s opens this file" : "no secret key of %s is configured", agency);
}

static int seal_to(const unsigned char pk[crypto_box_PUBLICKEYBYTES], const unsigned char *d, size_t n, unsigned char **out,
                   size_t *outn) {
    *outn = n + crypto_box_SEALBYTES;
    *out = malloc(*outn);
    if (!*out) return PU_ERR_NOMEM;
    crypto_box_seal(*out, d, n, pk);
    return PU_OK;
}

int tips_attach_add(db_t *db, const char *tip_id, const char *agency, const unsigned char *d, size_t n,
                    tips_attachment_out *out, pu_err *err) {
    memset(out, 0, sizeof *out);
    if (n == 0) return pu_fail(err, PU_ERR_INVALID, NULL, "content", "the file is empty");
    if (n > TIPS_ATTACH_MAX) return pu_fail(err, PU_ERR_LIMIT, NULL, "content", "at most %d bytes per file", TIPS_ATTACH_MAX);
    const char *type = tips_attach_type(d, n);
    if (!type) return pu_fail(err, PU_ERR_UNSUPPORTED, NULL, "content", "only JPEG, PNG, PDF and plain text files are taken");
    unsigned char pk[crypto_box_PUBLICKEYBYTES], *clean = NULL, *s_orig = NULL, *s_clean = NULL;
    size_t nclean = 0, ns_orig = 0, ns_clean = 0;
    int rc = agency_public_key(db, agency, pk, err);
    if (rc) return rc;
    if (tips_attach_strip(type, d, n, &clean, &nclean) == PU_ERR_NOMEM) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    if (seal_to(pk, d, n, &s_orig, &ns_orig) || (clean && seal_to(pk, clean, nclean, &s_clean, &ns_clean))) {
        rc = pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
        goto out;
    }
    int64_t count = 0;
    char day[11], sql[160];
    tips_today(day);
    (void)pu_snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM tip_attachment WHERE tip_id = ?");
    if ((rc = db_query_int64(db, sql, tip_id, &count, err))) goto out;
    if (count >= TIPS_ATTACH_PER_TIP) {
        rc = pu_fail(err, PU_ERR_LIMIT, tip_id, "content", "at most %d files per tip", TIPS_ATTACH_PER_TIP);
        goto out;
    }
    db_stmt *st;
    if ((rc = db_prepare(db, "INSERT INTO tip_attachment (tip_id, agency, day, type, size, original, clean)"
                             " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id", &st, err)))
        goto out;
    db_bind_text(st, 1, tip_id, -1);
    db_bind_text(st, 2, agency, -1);
    db_bind_text(st, 3, day, -1);
    db_bind_text(st, 4, type, -1);
    db_bind_int64(st, 5, (int64_t)n);
    db_bind_blob(st, 6, s_orig, ns_orig);
    if (s_clean) db_bind_blob(st, 7, s_clean, ns_clean);
    else db_bind_null(st, 7);
    rc = db_insert_id(st, &out->id, err);
    db_finalize(st);
    if (rc == PU_OK) {
        pu_strlcpy(out->type, type, sizeof out->type);
        out->size = (int64_t)n;
        out->stripped = clean != NULL;
    }
out:
    free(clean);
    free(s_orig);
    free(s_clean);
    return rc;
}

int tips_attach_open(db_t *db, const store_scope *scope, const char *tip_id, int64_t att_id, int original,
                     unsigned char **data, size_t *n, char type[32], pu_err *err) {
    *data = NULL;
    *n = 0;
    tips_detail d;
    int rc = tips_get(db, scope, tip_id, &d, err); /* the tip must be visible first */
    if (rc) return rc;
    tips_detail_free(&d);
    db_stmt *st;
    if ((rc = db_prepare(db, "SELECT agency, type, original, clean FROM tip_attachment WHERE tip_id = ? AND id = ?", &st, err)))
        return rc;
    db_bind_text(st, 1, tip_id, -1);
    db_bind_int64(st, 2, att_id);
    char agency[32] = "";
    unsigned char *sealed = NULL;
    size_t ns = 0;
    if ((rc = db_step(st, err)) == DB_ROW) {
        pu_strlcpy(agency, db_col_text(st, 0), sizeof agency);
        pu_strlcpy(type, db_col_text(st, 1), 32);
        int col = original || db_col_isnull(st, 3) ? 2 : 3;
        const void *b = db_col_blob(st, col, &ns);
        sealed = malloc(ns ? ns : 1);
        if (sealed) memcpy(sealed, b, ns);
        rc = sealed ? PU_OK : PU_ERR_NOMEM;
    } else if (rc == DB_DONE) {
        rc = pu_fail(err, PU_ERR_NOTFOUND, tip_id, "attachment", "no such attachment on this tip");
    }
    db_finalize(st);
    /* only the agency the file was sealed to: a released (SHARED) tip does not release its files */
    if (rc == PU_OK && store_check_act_for(scope, agency, err) != PU_OK)
        rc = pu_fail(err, PU_ERR_DENIED, tip_id, "attachment", "tip files are served only to the handlers of %s", agency);
    if (rc == PU_OK) {
        if (ns < crypto_box_SEALBYTES || !(*data = malloc(ns - crypto_box_SEALBYTES + 1)))
            rc = pu_fail(err, PU_ERR_INTERNAL, tip_id, "attachment", "malformed sealed file");
        else if ((rc = open_with_agency_keys(agency, sealed, ns, *data, err)) != PU_OK) {
            free(*data);
            *data = NULL;
        } else {
            *n = ns - crypto_box_SEALBYTES;
        }
    }
    free(sealed);
    return rc;
}

/* ---- re-sealing when a tip changes agency ---- */
/* Re-seal one stored blob (column col of attachment att) from agency `from`
 * to the public key pk: 1 when done, 0 when from's secret key is not at hand
 * (kept as it is), <0 on a store error (err set). */
static int reseal_blob(db_t *db, int64_t att, const char *col, const char *from, const unsigned char *sealed, size_t ns,
                       const unsigned char pk[crypto_box_PUBLICKEYBYTES], pu_err *err) {
    if (ns < crypto_box_SEALBYTES) return 0;
    unsigned char *plain = malloc(ns - crypto_box_SEALBYTES + 1), *again = NULL;
    size_t nagain = 0;
    pu_err quiet;
    if (!plain) return -pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    if (open_with_agency_keys(from, sealed, ns, plain, &quiet) != PU_OK) {
        free(plain);
        return 0;
    }
    int rc = seal_to(pk, plain, ns - crypto_box_SEALBYTES, &again, &nagain);
    sodium_memzero(plain, ns - crypto_box_SEALBYTES);
    free(plain);
    if (rc) return -pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    char sql[96];
    db_stmt *st;
    (void)pu_snprintf(sql, sizeof sql, "UPDATE tip_attachment SET %s = ? WHERE id = ?", col);
    if ((rc = db_prepare(db, sql, &st, err)) == PU_OK) {
        db_bind_blob(st, 1, again, nagain);
        db_bind_int64(st, 2, att);
        rc = db_step_done(st, err);
        db_finalize(st);
    }
    free(again);
    return rc ? -rc : 1;
}

typedef struct sealed_row {
    int64_t id;
    char agency[32];
    unsigned char *orig, *clean;
    size_t norig, nclean;
} sealed_row;

static void sealed_rows_free(sealed_row *r, size_t n) {
    for (size_t i = 0; i < n; i++) {
        free(r[i].orig);
        free(r[i].clean);
    }
    free(r);
}

/* The attachments of tip_id sealed to another agency than `to` (copies). */
static int sealed_elsewhere(db_t *db, const char *tip_id, const char *to, sealed_row **rows, size_t *n, pu_err *err) {
    db_stmt *st;
    pu_vec v = PU_VEC_INIT(sealed_row, TIPS_ATTACH_PER_TIP + 1);
    *rows = NULL;
    *n = 0;
    int rc = db_prepare(db, "SELECT id, agency, original, clean FROM tip_attachment WHERE tip_id = ? AND agency <> ?"
                            " ORDER BY id", &st, err);
    if (rc) return rc;
    db_bind_text(st, 1, tip_id, -1);
    db_bind_text(st, 2, to, -1);
    while ((rc = db_step(st, err)) == DB_ROW) {
        sealed_row *r;
        if (pu_vec_push_zero(&v, (void **)&r)) {
            rc = pu_fail(err, PU_ERR_NOMEM, tip_id, "attachment", "out of memory");
            break;
        }
        r->id = db_col_int64(st, 0);
        pu_strlcpy(r->agency, db_col_text(st, 1), sizeof r->agency);
        const void *b = db_col_blob(st, 2, &r->norig);
        if ((r->orig = malloc(r->norig ? r->norig : 1))) memcpy(r->orig, b, r->norig);
        int has_clean = !db_col_isnull(st, 3);
        if (has_clean) {
            b = db_col_blob(st, 3, &r->nclean);
            if ((r->clean = malloc(r->nclean ? r->nclean : 1))) memcpy(r->clean, b, r->nclean);
        }
        if (!r->orig || (has_clean && !r->clean)) {
            rc = pu_fail(err, PU_ERR_NOMEM, tip_id, "attachment", "out of memory");
            break;
        }
    }
    db_finalize(st);
    size_t len = v.len;
    sealed_row *all = pu_vec_detach(&v, NULL);
    if (rc == DB_DONE) {
        *rows = all;
        *n = len;
        return PU_OK;
    }
    sealed_rows_free(all, len);
    return rc;
}

int tips_attach_reseal_to(db_t *db, const char *tip_id, const char *to, int64_t *resealed, int64_t *kept, pu_err *err) {
    *resealed = *kept = 0;
    unsigned char pk[crypto_box_PUBLICKEYBYTES];
    sealed_row *rows;
    size_t n;
    int rc = sealed_elsewhere(db, tip_id, to, &rows, &n, err);
    if (rc || n == 0) return rc;
    pu_err nokey;
    if (agency_public_key(db, to, pk, &nokey) != PU_OK) { /* the new agency has no key yet: all stay */
        *kept = (int64_t)n;
        sealed_rows_free(rows, n);
        return PU_OK;
    }
    for (size_t i = 0; i < n && rc == PU_OK; i++) {
        int a = reseal_blob(db, rows[i].id, "original", rows[i].agency, rows[i].orig, rows[i].norig, pk, err);
        int b = a == 1 && rows[i].clean ? reseal_blob(db, rows[i].id, "clean", rows[i].agency, rows[i].clean, rows[i].nclean, pk, err) : a;
        if (a < 0 || b < 0) {
            rc = a < 0 ? -a : -b;
            break;
        }
        if (a == 1 && b == 1) {
            db_stmt *st;
            if ((rc = db_prepare(db, "UPDATE tip_attachment SET agency = ? WHERE id = ?", &st, err))) break;
            db_bind_text(st, 1, to, -1);
            db_bind_int64(st, 2, rows[i].id);
            rc = db_step_done(st, err);
            db_finalize(st);
            (*resealed)++;
        } else {
            (*kept)++;
        }
    }
    sealed_rows_free(rows, n);
    return rc;
}

int tips_reseal(db_t *db, const store_scope *scope, const char *tip_id, int64_t *resealed, int64_t *kept, pu_err *err) {
    *resealed = *kept = 0;
    tips_detail d;
    int rc = db_begin(db, err);
    if (rc) return rc;
    rc = tips_get(db, scope, tip_id, &d, err);
    if (rc == PU_OK) {
        rc = store_check_act_for(scope, d.owner, err);
        if (rc == PU_OK) rc = tips_attach_reseal_to(db, tip_id, d.owner, resealed, kept, err);
        tips_detail_free(&d);
    }
    if (rc == PU_OK) rc = db_commit(db, err);
    if (rc) db_rollback(db);
    return rc;
}
