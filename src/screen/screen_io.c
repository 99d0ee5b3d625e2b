/*
 * screen_io.c - query readers: yente JSON query objects, batches in CSV or
 * JSON lines. Outside input: every record is bounded and errors name the
 * line and the field.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/pu_io.h"
#include "common/pu_parse.h"
#include "screen/screen_int.h"

#define QUERIES_MAX_BYTES (512u << 20)

static const char *const query_schemata[] = {"Thing", "LegalEntity", "Person", "Organization", "Company",
                                             "PublicBody", "Vessel", "Airplane", "CryptoWallet", NULL};
static const char *const json_name_props[] = {"name", "alias", "weakAlias", "previousName", NULL};
static const char *const json_id_props[] = {"idNumber", "passportNumber", "taxNumber", "registrationNumber",
                                            "innCode", "ogrnCode", "vatCode", "leiCode", "imoNumber",
                                            "swiftBic", "publicKey", "cryptoWallets", NULL};
static const char *const json_country_props[] = {"nationality", "country", "citizenship", "jurisdiction", NULL};

static int keep(screen_query_owned *qo, const char *s, const char **dst) {
    if (qo->nstorage >= sizeof qo->storage / sizeof qo->storage[0]) return PU_ERR_LIMIT;
    char *c = pu_strdup(s);
    if (!c) return PU_ERR_NOMEM;
    qo->storage[qo->nstorage++] = c;
    *dst = c;
    return PU_OK;
}

static int add_name(screen_query_owned *qo, const char *s, const char *where, const char *field, pu_err *err) {
    if (pu_blank(s)) return PU_OK;
    if (qo->q.nnames >= SCREEN_QUERY_NAMES_MAX)
        return pu_fail(err, PU_ERR_LIMIT, where, field, "more than %d names", SCREEN_QUERY_NAMES_MAX);
    int rc = keep(qo, s, &qo->name_ptrs[qo->q.nnames]);
    if (rc) return pu_fail(err, rc, where, field, "too many values");
    qo->q.nnames++;
    return PU_OK;
}

static int add_id(screen_query_owned *qo, const char *s, const char *where, const char *field, pu_err *err) {
    if (pu_blank(s)) return PU_OK;
    if (qo->q.nids >= SCREEN_QUERY_IDS_MAX)
        return pu_fail(err, PU_ERR_LIMIT, where, field, "more than %d identifiers", SCREEN_QUERY_IDS_MAX);
    int rc = keep(qo, s, &qo->id_ptrs[qo->q.nids]);
    if (rc) return pu_fail(err, rc, where, field, "too many values");
    qo->q.nids++;
    return PU_OK;
}

static int valid_schema(const char *s) {
    for (size_t i = 0; query_schemata[i]; i++)
        if (strcmp(query_schemata[i], s) == 0) return 1;
    return 0;
}

static void owned_init(screen_query_owned *qo) {
    memset(qo, 0, sizeof *qo);
    qo->q.names = qo->name_ptrs;
    qo->q.id_numbers = qo->id_ptrs;
}

/* Values of a yente property: an array of strings (a lone string is accepted). */
static int each_value(const json_t *v, const char *where, const char *prop, screen_query_owned *qo,
                      int (*fn)(screen_query_owned *, const char *, const char *, const char *, pu_err *),
                      pu_err *err) {
    if (json_is_string(v)) return fn(qo, json_string_value(v), where, prop, err);
    if (!json_is_array(v))
        return pu_fail(err, PU_ERR_INVALID, where, prop, "expected an array of strings");
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x) {
        if (!json_is_string(x))
            return pu_fail(err, PU_ERR_INVALID, where, prop, "expected strings in the array (item %zu)", i);
        int rc = fn(qo, json_string_value(x), where, prop, err);
        if (rc) return rc;
    }
    return PU_OK;
}

static int first_value(const json_t *v, const char *where, const char *prop, screen_query_owned *qo,
                       const char **dst, pu_err *err) {
    const json_t *x = json_is_array(v) ? json_array_get(v, 0) : v;
    if (!x) return PU_OK;
    if (!json_is_string(x)) return pu_fail(err, PU_ERR_INVALID, where, prop, "expected an array of strings");
    if (pu_blank(json_string_value(x))) return PU_OK;
    int rc = keep(qo, json_string_value(x), dst);
    return rc ? pu_fail(err, rc, where, prop, "too many values") : PU_OK;
}

static int in_list(const char *const *l, const char *s) {
    for (size_t i = 0; l[i]; i++)
        if (strcmp(l[i], s) == 0) return 1;
    return 0;
}

/* The shared discipline for the qualifiers (docs/input.md): a birth date is
 * ISO 8601 ("1967", "1967-05" or "1967-05-02"), a real date and not in the
 * future; a country is an ISO code or an English/Spanish name, normalised to
 * the alpha-2 code. Anything else refuses the query, naming the field: a
 * date that is silently ignored or compared as another year is worse. */
static int check_qualifiers(screen_query_owned *qo, const char *where, const char *date_field,
                            const char *country_field, pu_err *err) {
    if (qo->q.birth_date) {
        pu_date d;
        int rc = pu_date_parse(qo->q.birth_date, PU_DATE_PARTIAL, where, date_field, &d, err);
        if (!rc) rc = pu_date_not_future(&d, where, date_field, err);
        if (rc) return rc;
    }
    if (qo->q.country) {
        char code[3];
        int rc = pu_country_parse(qo->q.country, where, country_field, code, err);
        if (rc) return rc;
        if (strcmp(code, qo->q.country) != 0 && (rc = keep(qo, code, &qo->q.country)))
            return pu_fail(err, rc, where, country_field, "too many values");
    }
    return PU_OK;
}

int screen_query_from_json(const json_t *obj, const char *where, screen_query_owned *qo, pu_err *err) {
    owned_init(qo);
    int rc = PU_OK;
    if (!json_is_object(obj)) {
        rc = pu_fail(err, PU_ERR_INVALID, where, NULL, "expected a JSON object {\"schema\", \"properties\"}");
        goto out;
    }
    const json_t *id = json_object_get(obj, "id"), *schema = json_object_get(obj, "schema"),
                 *props = json_object_get(obj, "properties");
    if (id && !json_is_null(id)) {
        if (!json_is_string(id)) {
            rc = pu_fail(err, PU_ERR_INVALID, where, "id", "expected a string");
            goto out;
        }
        if ((rc = keep(qo, json_string_value(id), &qo->q.id))) goto out;
    }
    if (schema && !json_is_null(schema)) {
        if (!json_is_string(schema) || !valid_schema(json_string_value(schema))) {
            rc = pu_fail(err, PU_ERR_INVALID, where, "schema",
                         "expected one of Thing, LegalEntity, Person, Organization, Company, PublicBody, Vessel, "
                         "Airplane, CryptoWallet");
            goto out;
        }
        if ((rc = keep(qo, json_string_value(schema), &qo->q.schema))) goto out;
    }
    if (!json_is_object(props)) {
        rc = pu_fail(err, PU_ERR_INVALID, where, "properties", "expected an object of property arrays");
        goto out;
    }
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)props, k, v) {
        if (in_list(json_name_props, k)) rc = each_value(v, where, k, qo, add_name, err);
        else if (in_list(json_id_props, k)) rc = each_value(v, where, k, qo, add_id, err);
        else if (strcmp(k, "birthDate") == 0) rc = first_value(v, where, k, qo, &qo->q.birth_date, err);
        else if (strcmp(k, "gender") == 0) rc = first_value(v, where, k, qo, &qo->q.gender, err);
        else if (strcmp(k, "address") == 0 || strcmp(k, "full") == 0)
            rc = first_value(v, where, k, qo, &qo->q.address, err);
        else if (in_list(json_country_props, k) && !qo->q.country)
            rc = first_value(v, where, k, qo, &qo->q.country, err);
        /* other FtM properties (address, email, ...) do not take part in
         * screening; they are accepted like yente does */
        if (rc) goto out;
    }
    /* identifiers alone (a crypto address, yente's CryptoWallet query) are a query too */
    if (qo->q.nnames == 0 && qo->q.nids == 0)
        rc = pu_fail(err, PU_ERR_INVALID, where, "properties.name", "expected at least one non-empty name or identifier");
    if (!rc) rc = check_qualifiers(qo, where, "birthDate", "nationality", err);
out:
    if (rc) screen_query_owned_clear(qo);
    return rc;
}

/* ---- batches ---- */

typedef struct reader {
    screen_query_cb cb;
    screen_bad_cb bad;
    void *ctx;
    const char *name;
} reader;

static void bad(reader *r, const pu_err *e) {
    if (r->bad) r->bad(e, r->ctx);
}

static int read_jsonl(reader *r, const char *data, size_t n, pu_err *err) {
    pu_lines *l;
    int rc = pu_lines_open_mem(data, n, PU_IO_DEFAULT_MAX_RECORD, &l, err);
    if (rc) return rc;
    pu_lines_set_name(l, r->name);
    pu_lines_check_utf8(l, 1);
    screen_query_owned *qo = malloc(sizeof *qo);
    if (!qo) {
        pu_lines_close(l);
        return PU_ERR_NOMEM;
    }
    for (;;) {
        const char *line;
        size_t len;
        uint64_t no;
        pu_err e;
        pu_err_clear(&e);
        rc = pu_lines_next(l, &line, &len, &no, &e);
        if (rc == PU_ERR_LIMIT || rc == PU_ERR_INVALID) {
            bad(r, &e);
            continue;
        }
        if (rc) break;
        if (!line) break;
        if (pu_blank(line)) continue;
        char where[PU_ERR_WHERE_MAX];
        snprintf(where, sizeof where, "%s:%llu", r->name, (unsigned long long)no);
        json_error_t je;
        json_t *obj = json_loadb(line, len, 0, &je);
        if (!obj) {
            pu_fail(&e, PU_ERR_INVALID, where, NULL, "invalid JSON: %s", je.text);
            bad(r, &e);
            continue;
        }
        int qrc = screen_query_from_json(obj, where, qo, &e);
        json_decref(obj);
        if (qrc) {
            bad(r, &e);
            continue;
        }
        qo->line = no;
        int stop = r->cb(&qo->q, no, r->ctx);
        screen_query_owned_clear(qo);
        if (stop) break;
    }
    free(qo);
    pu_lines_close(l);
    return rc == PU_ERR_LIMIT || rc == PU_ERR_INVALID ? PU_OK : rc;
}

static const char *field(const pu_csv_row *row, int col) {
    return col >= 0 && (size_t)col < row->n ? row->fields[col] : NULL;
}

/* Split a ';'-separated cell and add each part with fn. */
static int split_add(screen_query_owned *qo, const char *cell, const char *where, const char *fname,
                     int (*fn)(screen_query_owned *, const char *, const char *, const char *, pu_err *),
                     pu_err *err) {
    if (!cell) return PU_OK;
    char *copy = pu_strdup(cell);
    if (!copy) return PU_ERR_NOMEM;
    int rc = PU_OK;
    char *save = NULL;
    for (char *t = strtok_r(copy, ";", &save); t && !rc; t = strtok_r(NULL, ";", &save))
        rc = fn(qo, pu_trim(t), where, fname, err);
    free(copy);
    return rc;
}

/* The CSV columns of a query batch; unknown columns are a named warning. */
enum { C_NAME, C_ID, C_SCHEMA, C_BIRTH, C_COUNTRY, C_GENDER, C_IDNUM, C_ALIAS, C_ADDRESS, C_N };
static const pu_col query_cols[C_N] = {
    {"name", NULL, PU_COL_REQUIRED},
    {"id", NULL, 0},
    {"schema", NULL, 0},
    {"birth_date", "birthdate|dob|date_of_birth", 0},
    {"country", "nationality", 0},
    {"gender", NULL, 0},
    {"id_number", "idnumber", 0},
    {"alias", "aliases", 0},
    {"address", NULL, 0},
};

/* One CSV record into qo (errors into *e, naming the field). */
static int csv_query(const pu_csv_row *row, const int *col, const char *where, screen_query_owned *qo, pu_err *e) {
    owned_init(qo);
    const char *nm = field(row, col[C_NAME]), *sc = field(row, col[C_SCHEMA]);
    int qrc = PU_OK;
    if (pu_blank(nm)) qrc = pu_fail(e, PU_ERR_INVALID, where, "name", "expected a non-empty name");
    if (!qrc) qrc = add_name(qo, nm, where, "name", e);
    if (!qrc) qrc = split_add(qo, field(row, col[C_ALIAS]), where, "alias", add_name, e);
    if (!qrc) qrc = split_add(qo, field(row, col[C_IDNUM]), where, "id_number", add_id, e);
    if (!qrc && !pu_blank(sc)) {
        if (!valid_schema(sc))
            qrc = pu_fail(e, PU_ERR_INVALID, where, "schema",
                          "expected Person, Company, Organization, LegalEntity, Vessel or Airplane, got '%s'", sc);
        else qrc = keep(qo, sc, &qo->q.schema);
    }
    const char *v;
    if (!qrc && !pu_blank(v = field(row, col[C_ID]))) qrc = keep(qo, v, &qo->q.id);
    if (!qrc && !pu_blank(v = field(row, col[C_BIRTH]))) qrc = keep(qo, v, &qo->q.birth_date);
    if (!qrc && !pu_blank(v = field(row, col[C_COUNTRY]))) qrc = keep(qo, v, &qo->q.country);
    if (!qrc && !pu_blank(v = field(row, col[C_GENDER]))) qrc = keep(qo, v, &qo->q.gender);
    if (!qrc && !pu_blank(v = field(row, col[C_ADDRESS]))) qrc = keep(qo, v, &qo->q.address);
    if (!qrc) qrc = check_qualifiers(qo, where, "birth_date", "country", e);
    if (qrc && !e->code) pu_fail(e, qrc, where, NULL, "cannot read the query");
    return qrc;
}

static int read_csv(reader *r, const char *data, size_t n, pu_err *err) {
    pu_csv *c;
    pu_csv_opts o = {.check_utf8 = 1};
    int rc = pu_csv_open_mem(data, n, &o, &c, err);
    if (rc) return rc;
    pu_csv_set_name(c, r->name);
    const pu_csv_row *row;
    /* the header: a bad first record (bad UTF-8, too large) cannot name the columns */
    rc = pu_csv_next(c, &row, err);
    if (rc || !row) {
        pu_csv_close(c);
        return rc ? rc : pu_fail(err, PU_ERR_INVALID, r->name, "name", "empty input: expected a CSV header with a 'name' column");
    }
    int col[C_N];
    char *warn = NULL;
    rc = pu_csv_header(r->name, row, query_cols, C_N, PU_UNKNOWN_WARN, col, &warn, err);
    if (rc) {
        pu_csv_close(c);
        return rc;
    }
    if (warn) { /* never silently dropped: said once, on stderr */
        fprintf(stderr, pu_tr("puente: warning: %s\n"), warn);
        free(warn);
    }
    screen_query_owned *qo = malloc(sizeof *qo);
    if (!qo) {
        pu_csv_close(c);
        return PU_ERR_NOMEM;
    }
    for (;;) {
        pu_err e;
        pu_err_clear(&e);
        rc = pu_csv_next(c, &row, &e);
        if (rc == PU_ERR_LIMIT || rc == PU_ERR_INVALID) {
            bad(r, &e);
            rc = PU_OK;
            continue;
        }
        if (rc || !row) break;
        char where[PU_ERR_WHERE_MAX];
        snprintf(where, sizeof where, "%s:%llu", r->name, (unsigned long long)row->line);
        if (csv_query(row, col, where, qo, &e)) {
            screen_query_owned_clear(qo);
            bad(r, &e);
            continue;
        }
        qo->line = row->line;
        int stop = r->cb(&qo->q, row->line, r->ctx);
        screen_query_owned_clear(qo);
        if (stop) break;
    }
    free(qo);
    pu_csv_close(c);
    return rc;
}

static int read_mem(const char *name, const char *data, size_t n, screen_query_cb cb, screen_bad_cb badcb,
                    void *ctx, pu_err *err) {
    reader r = {cb, badcb, ctx, name};
    size_t i = 0;
    if (n >= 3 && (unsigned char)data[0] == 0xEF && (unsigned char)data[1] == 0xBB && (unsigned char)data[2] == 0xBF)
        i = 3; /* UTF-8 byte order mark */
    size_t j = i;
    while (j < n && (data[j] == ' ' || data[j] == '\t' || data[j] == '\r' || data[j] == '\n')) j++;
    if (j < n && data[j] == '{') return read_jsonl(&r, data + i, n - i, err);
    return read_csv(&r, data + i, n - i, err);
}

int screen_read_queries_mem(const char *data, size_t n, screen_query_cb cb, screen_bad_cb badcb, void *ctx,
                            pu_err *err) {
    return read_mem("<memory>", data, n, cb, badcb, ctx, err);
}

int screen_read_queries(const char *path, screen_query_cb cb, screen_bad_cb badcb, void *ctx, pu_err *err) {
    FILE *f = stdin;
    if (strcmp(path, "-") != 0) {
        int orc = pu_input_open(path, &f, err);
        if (orc) return orc;
    }
    pu_buf b = PU_BUF_INIT(QUERIES_MAX_BYTES);
    char chunk[65536];
    size_t got;
    int rc = PU_OK;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        if ((rc = pu_buf_append(&b, chunk, got))) break;
    int ioerr = ferror(f);
    if (f != stdin) fclose(f);
    if (rc) {
        pu_buf_free(&b);
        return pu_fail(err, rc, path, NULL, "queries file larger than %u MiB: split the batch",
                       QUERIES_MAX_BYTES >> 20);
    }
    if (ioerr) {
        pu_buf_free(&b);
        return pu_fail(err, PU_ERR_IO, path, NULL, "read error");
    }
    rc = read_mem(path, pu_buf_str(&b), b.len, cb, badcb, ctx, err);
    pu_buf_free(&b);
    return rc;
}
