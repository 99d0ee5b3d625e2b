/*
 * ews_vocab.c - substance name normalisation and the bundled vocabulary and
 * places loaders (CSV -> the ews_* tables).
 */
#include "ews/ews.h"
#include "ews/ews_store_int.h"
#include "common/pu_io.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#define NAME_MAX_BYTES 512

/* Greek letters (after case folding) spelled out, so "α-PVP" = "alpha-PVP". */
static const struct { const char *utf8, *ascii; } greek[] = {
    {"\xce\xb1", "alpha"}, {"\xce\xb2", "beta"}, {"\xce\xb3", "gamma"}, {"\xce\xb4", "delta"},
};

/* Positional prefixes at the start of a word: "para-" / "p-" -> "4-" etc. */
static const struct { const char *from, *to; } prefixes[] = {
    {"para-", "4-"}, {"para ", "4-"}, {"ortho-", "2-"}, {"ortho ", "2-"}, {"meta-", "3-"}, {"meta ", "3-"},
    {"p-", "4-"}, {"o-", "2-"}, {"m-", "3-"},
};

int ews_normalize_name(const char *name, char **out, pu_err *err) {
    *out = NULL;
    size_t len = name ? strlen(name) : 0;
    if (len == 0) return pu_fail(err, PU_ERR_INVALID, NULL, "substance", "empty substance name");
    if (len > NAME_MAX_BYTES) return pu_fail(err, PU_ERR_LIMIT, NULL, "substance", "name longer than %d bytes", NAME_MAX_BYTES);
    if (!pu_utf8_valid(name, len)) return pu_fail(err, PU_ERR_INVALID, NULL, "substance", "name is not valid UTF-8");
    utf8proc_uint8_t *folded = NULL;
    utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)name, (utf8proc_ssize_t)len, &folded,
                                      UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD |
                                          UTF8PROC_STRIPMARK | UTF8PROC_IGNORE);
    if (n < 0) return pu_fail(err, PU_ERR_INVALID, NULL, "substance", "cannot normalise '%s': %s", name, utf8proc_errmsg(n));
    pu_buf b = PU_BUF_INIT(4 * NAME_MAX_BYTES);
    const char *s = (const char *)folded;
    int rc = PU_OK;
    size_t i = 0;
    while (i < (size_t)n && rc == PU_OK) {
        int at_word = i == 0 || !isalnum((unsigned char)s[i - 1]);
        int done = 0;
        if (at_word)
            for (size_t k = 0; k < sizeof prefixes / sizeof prefixes[0] && !done; k++) {
                size_t pl = strlen(prefixes[k].from);
                /* "p-" only before a letter or digit, so "p-" alone is kept */
                if (strncmp(s + i, prefixes[k].from, pl) == 0 && i + pl < (size_t)n && isalnum((unsigned char)s[i + pl])) {
                    rc = pu_buf_puts(&b, prefixes[k].to);
                    i += pl;
                    done = 1;
                }
            }
        for (size_t k = 0; k < sizeof greek / sizeof greek[0] && !done; k++)
            if (strncmp(s + i, greek[k].utf8, 2) == 0) {
                rc = pu_buf_puts(&b, greek[k].ascii);
                i += 2;
                done = 1;
            }
        if (done) continue;
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80 || isalnum(c)) rc = pu_buf_putc(&b, (char)c);
        i++;
    }
    free(folded);
    if (rc) {
        pu_buf_free(&b);
        return pu_fail(err, rc, NULL, "substance", "name too long");
    }
    /* drop the "-" separators that the prefixes introduced */
    char *r = pu_buf_detach(&b);
    if (!r) r = pu_strdup("");
    if (!r) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    size_t w = 0;
    for (size_t k = 0; r[k]; k++)
        if (r[k] != '-') r[w++] = r[k];
    r[w] = 0;
    if (!*r) {
        free(r);
        return pu_fail(err, PU_ERR_INVALID, NULL, "substance", "name '%s' has no letters or digits", name);
    }
    *out = r;
    return PU_OK;
}

/* 1 if s is a CAS registry number with a valid check digit. */
static int cas_valid(const char *s) {
    size_t n = strlen(s);
    if (n < 7 || n > 12 || s[n - 2] != '-' || s[n - 5] != '-') return 0;
    int sum = 0, pos = 1;
    for (size_t i = n - 3; ; i--) {
        if (s[i] != '-') {
            if (!isdigit((unsigned char)s[i])) return 0;
            sum += pos++ * (s[i] - '0');
        } else if (i != n - 5) {
            return 0;
        }
        if (i == 0) break;
    }
    return isdigit((unsigned char)s[n - 1]) && sum % 10 == s[n - 1] - '0';
}

/* 1 if s looks like an InChIKey: 14 letters - 10 letters - 1 letter. */
static int inchikey_valid(const char *s) {
    if (strlen(s) != 27 || s[14] != '-' || s[25] != '-') return 0;
    for (int i = 0; i < 27; i++)
        if (i != 14 && i != 25 && !isupper((unsigned char)s[i])) return 0;
    return 1;
}

static const char *const classes[] = {"fentanyl-analogue", "nitazene", "synthetic-cannabinoid", "cathinone",
                                      "benzodiazepine", "alpha2-agonist", "precursor", "opioid", "stimulant", "other"};

int ews_class_valid(const char *c) {
    for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++)
        if (strcmp(c, classes[i]) == 0) return 1;
    return 0;
}

/* Insert one synonym; CONFLICT when the name already means another substance. */
static int put_synonym(db_t *db, const char *id, const char *name, const char *lang, const char *owner,
                       const char *marking, const char *where, pu_err *err) {
    char *norm;
    int rc = ews_normalize_name(name, &norm, err);
    if (rc) {
        if (err) pu_strlcpy(err->where, where, sizeof err->where);
        return rc;
    }
    db_stmt *st = NULL;
    rc = db_prepare(db, "SELECT substance FROM ews_synonym WHERE norm = ?", &st, err);
    if (!rc) {
        db_bind_text(st, 1, norm, -1);
        int s = db_step(st, err);
        if (s == DB_ROW && strcmp(db_col_text(st, 0), id) != 0)
            rc = pu_fail(err, PU_ERR_CONFLICT, where, "synonyms", "name '%s' already denotes substance '%s'", name,
                         db_col_text(st, 0));
        else if (s != DB_ROW && s != DB_DONE)
            rc = s;
    }
    db_finalize(st);
    st = NULL;
    if (!rc) rc = db_prepare(db, "INSERT INTO ews_synonym(norm, substance, name, lang, owner, marking) "
                                 "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (norm) DO NOTHING", &st, err);
    if (!rc) {
        db_bind_text(st, 1, norm, -1);
        db_bind_text(st, 2, id, -1);
        db_bind_text(st, 3, name, -1);
        db_bind_text(st, 4, lang, -1);
        db_bind_text(st, 5, owner, -1);
        db_bind_text(st, 6, marking, -1);
        rc = db_step_done(st, err);
    }
    db_finalize(st);
    free(norm);
    return rc;
}

static int put_synonym_list(db_t *db, const char *id, const char *list, const char *lang, const char *owner,
                            const char *marking, const char *where, pu_err *err) {
    char buf[4096];
    if (pu_strlcpy(buf, list, sizeof buf) >= sizeof buf)
        return pu_fail(err, PU_ERR_LIMIT, where, "synonyms", "synonym list longer than %zu bytes", sizeof buf);
    char *save = NULL;
    for (char *t = strtok_r(buf, "|", &save); t; t = strtok_r(NULL, "|", &save)) {
        pu_trim(t);
        if (!*t) continue;
        int rc = put_synonym(db, id, t, lang, owner, marking, where, err);
        if (rc) return rc;
    }
    return PU_OK;
}

/* Load a vocabulary CSV from reader r (closed here); `path` names it in messages. */
static int vocab_load_csv(db_t *db, pu_csv *r, const char *path, int64_t *loaded, pu_err *err) {
    const pu_csv_row *row;
    int rc;
    char where[PU_ERR_WHERE_MAX];
    rc = pu_csv_next(r, &row, err);
    int c[10];
    static const char *const cols[10] = {"id", "name_en", "name_es", "class", "cas", "inchikey", "synonyms_en",
                                         "synonyms_es", "owner", "marking"};
    if (!rc && !row) rc = pu_fail(err, PU_ERR_INVALID, path, "header", "empty vocabulary file");
    for (int i = 0; !rc && i < 10; i++)
        if ((c[i] = pu_csv_col(row, cols[i])) < 0 && i < 8)
            rc = pu_fail(err, PU_ERR_INVALID, path, cols[i], "missing column '%s' in the header", cols[i]);
    int64_t n = 0;
    while (!rc && (rc = pu_csv_next(r, &row, err)) == PU_OK && row) {
        snprintf(where, sizeof where, "%s:%llu", path, (unsigned long long)row->line);
        const char *f[10];
        for (int i = 0; i < 10; i++) f[i] = c[i] >= 0 && (size_t)c[i] < row->n ? row->fields[c[i]] : "";
        /* vocabulary is reference data: PUBLIC and owned by the EWS unless the file says otherwise */
        if (!*f[8]) f[8] = "EWS";
        if (!*f[9]) f[9] = STORE_LIST_MARKING;
        store_marking mk;
        if ((rc = store_marking_parse(f[9], "marking", &mk, err)) != PU_OK) {
            if (err) pu_strlcpy(err->where, where, sizeof err->where);
            break;
        }
        if (pu_blank(f[0]) || pu_blank(f[1]) || pu_blank(f[2])) {
            rc = pu_fail(err, PU_ERR_INVALID, where, pu_blank(f[0]) ? "id" : "name_en", "expected a non-empty value");
            break;
        }
        if (!ews_class_valid(f[3])) {
            rc = pu_fail(err, PU_ERR_INVALID, where, "class",
                         "expected one of fentanyl-analogue, nitazene, synthetic-cannabinoid, cathinone, "
                         "benzodiazepine, alpha2-agonist, precursor, opioid, stimulant, other; got '%s'", f[3]);
            break;
        }
        if (*f[4] && !cas_valid(f[4])) {
            rc = pu_fail(err, PU_ERR_INVALID, where, "cas", "'%s' is not a CAS number with a valid check digit", f[4]);
            break;
        }
        if (*f[5] && !inchikey_valid(f[5])) {
            rc = pu_fail(err, PU_ERR_INVALID, where, "inchikey", "'%s' is not an InChIKey (XXXXXXXXXXXXXX-XXXXXXXXXX-X)", f[5]);
            break;
        }
        db_stmt *st = NULL;
        rc = db_prepare(db, "INSERT INTO ews_substance(id, name_en, name_es, class, cas, inchikey, owner, marking) "
                            "VALUES (?,?,?,?,?,?,?,?) "
                            "ON CONFLICT (id) DO UPDATE SET name_en = excluded.name_en, name_es = excluded.name_es, "
                            "class = excluded.class, cas = excluded.cas, inchikey = excluded.inchikey, "
                            "owner = excluded.owner, marking = excluded.marking", &st, err);
        if (!rc) {
            for (int i = 0; i < 6; i++) {
                if (i >= 4 && !*f[i]) db_bind_null(st, i + 1);
                else db_bind_text(st, i + 1, f[i], -1);
            }
            db_bind_text(st, 7, f[8], -1);
            db_bind_text(st, 8, f[9], -1);
            rc = db_step_done(st, err);
        }
        db_finalize(st);
        if (!rc) rc = put_synonym(db, f[0], f[0], "id", f[8], f[9], where, err);
        if (!rc) rc = put_synonym(db, f[0], f[1], "en", f[8], f[9], where, err);
        if (!rc) rc = put_synonym(db, f[0], f[2], "es", f[8], f[9], where, err);
        if (!rc) rc = put_synonym_list(db, f[0], f[6], "en", f[8], f[9], where, err);
        if (!rc) rc = put_synonym_list(db, f[0], f[7], "es", f[8], f[9], where, err);
        n++;
    }
    pu_csv_close(r);
    if (!rc && loaded) *loaded = n;
    return rc;
}

int ews_vocab_load_db(db_t *db, const char *path, int64_t *loaded, pu_err *err) {
    pu_csv *r;
    int rc = pu_csv_open(path, NULL, &r, err);
    return rc ? rc : vocab_load_csv(db, r, path, loaded, err);
}

int ews_vocab_load_mem(db_t *db, const char *name, const char *data, size_t n, int64_t *loaded, pu_err *err) {
    pu_csv *r;
    int rc = pu_csv_open_mem(data, n, NULL, &r, err);
    return rc ? rc : vocab_load_csv(db, r, name, loaded, err);
}

/* Load a places CSV from reader r (closed here); `path` names it in messages. */
static int places_load_csv(db_t *db, pu_csv *r, const char *path, pu_err *err) {
    const pu_csv_row *row;
    int rc;
    char where[PU_ERR_WHERE_MAX];
    rc = pu_csv_next(r, &row, err);
    int c[5];
    static const char *const cols[5] = {"code", "country", "name_en", "name_es", "agencies"};
    if (!rc && !row) rc = pu_fail(err, PU_ERR_INVALID, path, "header", "empty places file");
    for (int i = 0; !rc && i < 5; i++)
        if ((c[i] = pu_csv_col(row, cols[i])) < 0)
            rc = pu_fail(err, PU_ERR_INVALID, path, cols[i], "missing column '%s' in the header", cols[i]);
    while (!rc && (rc = pu_csv_next(r, &row, err)) == PU_OK && row) {
        snprintf(where, sizeof where, "%s:%llu", path, (unsigned long long)row->line);
        const char *f[5];
        for (int i = 0; i < 5; i++) f[i] = (size_t)c[i] < row->n ? row->fields[c[i]] : "";
        if (strcmp(f[1], "US") != 0 && strcmp(f[1], "MX") != 0) {
            rc = pu_fail(err, PU_ERR_INVALID, where, "country", "expected US or MX, got '%s'", f[1]);
            break;
        }
        if (pu_blank(f[0]) || pu_blank(f[4])) {
            rc = pu_fail(err, PU_ERR_INVALID, where, pu_blank(f[0]) ? "code" : "agencies", "expected a non-empty value");
            break;
        }
        db_stmt *st = NULL;
        rc = db_prepare(db, "INSERT INTO ews_place(code, country, name_en, name_es, agencies) VALUES (?,?,?,?,?) "
                            "ON CONFLICT (code) DO UPDATE SET country = excluded.country, name_en = excluded.name_en, "
                            "name_es = excluded.name_es, agencies = excluded.agencies", &st, err);
        if (!rc) {
            for (int i = 0; i < 5; i++) db_bind_text(st, i + 1, f[i], -1);
            rc = db_step_done(st, err);
        }
        db_finalize(st);
    }
    pu_csv_close(r);
    return rc;
}

int ews_places_load_mem(db_t *db, const char *name, const char *data, size_t n, pu_err *err) {
    pu_csv *r;
    int rc = pu_csv_open_mem(data, n, NULL, &r, err);
    return rc ? rc : places_load_csv(db, r, name, err);
}

int ews_synonym_add_db(db_t *db, const char *id, const char *name, const char *lang, const char *owner,
                       const char *marking, pu_err *err) {
    store_marking mk;
    int rc = store_marking_parse(marking ? marking : "", "marking", &mk, err);
    if (rc) return rc;
    return put_synonym(db, id, name, lang ? lang : "", owner, marking, "synonym", err);
}
