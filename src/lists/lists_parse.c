/*
 * lists_parse.c - what every importer shares: entity construction, dates and
 * countries, the result, the format dispatch; plus the two formats that
 * reuse other modules' readers (FtM JSON lines, OFAC legacy CSV).
 */
#include <ctype.h>
#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/pu_io.h"
#include "lists/lists_int.h"
#include "ofac/ofac.h"

/* ---- the result ---- */

void lists_parsed_free(lists_parsed *p) {
    if (!p) return;
    for (size_t i = 0; i < p->n; i++) ftm_entity_free(p->ents[i]);
    free(p->ents);
    pu_report_free(&p->report);
    free(p);
}

int lp_push(lp_ctx *c, ftm_entity *e) {
    lists_parsed *p = c->p;
    if (p->n >= LISTS_RECORDS_MAX) {
        ftm_entity_free(e);
        return pu_fail(c->err, PU_ERR_LIMIT, c->file, NULL, "more than %d entities in one list",
                       LISTS_RECORDS_MAX);
    }
    if (p->n == p->cap) {
        size_t nc = p->cap ? p->cap * 2 : 256;
        ftm_entity **ne = realloc(p->ents, nc * sizeof *ne);
        if (!ne) {
            ftm_entity_free(e);
            return pu_fail(c->err, PU_ERR_NOMEM, c->file, NULL, "out of memory");
        }
        p->ents = ne;
        p->cap = nc;
    }
    p->ents[p->n++] = e;
    return PU_OK;
}

void lp_reject(lp_ctx *c, const pu_err *why) {
    if (c->p->rejected++ == 0) pu_err_format(why, c->p->note, sizeof c->p->note);
    pu_report_reject(&c->p->report, why);
}

/* ---- entities ---- */

static int designated_schema(const char *schema) {
    const ftm_schema *s = ftm_schema_get(schema);
    return s && ftm_schema_matchable(s);
}

int lp_new(lp_ctx *c, const char *native, const char *schema, ftm_entity **out) {
    char id[FTM_ID_MAX];
    if (pu_snprintf(id, sizeof id, "%s-%s", c->src->dataset, native))
        return pu_fail(c->err, PU_ERR_LIMIT, c->file, "id", "expected %s, got '%s'", "an id under 1 KiB", native);
    int rc = ftm_entity_new(id, schema, out, c->err);
    if (rc) return rc;
    ftm_entity *e = *out;
    if (ftm_entity_set(&e->marking, STORE_LIST_MARKING) || ftm_entity_add_dataset(e, c->src->dataset)) rc = PU_ERR_NOMEM;
    if (!rc && designated_schema(schema)) {
        char topics[sizeof c->src->topics];
        pu_strlcpy(topics, c->src->topics, sizeof topics);
        char *save = NULL;
        for (char *t = strtok_r(topics, ",", &save); t && !rc; t = strtok_r(NULL, ",", &save))
            rc = lp_add(e, "topics", t, c->err);
    }
    if (rc) {
        ftm_entity_free(e);
        *out = NULL;
        return rc == PU_ERR_NOMEM ? pu_fail(c->err, rc, id, NULL, "out of memory") : rc;
    }
    return PU_OK;
}

int lp_add(ftm_entity *e, const char *prop, const char *value, pu_err *err) {
    if (!value || pu_blank(value)) return PU_OK;
    if (ftm_schema_prop_type(ftm_schema_get(e->schema), prop) < 0) return PU_OK;
    return ftm_entity_add(e, prop, value, err);
}

static int all_digits(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i])) return 0;
    return 1;
}

/* "DD/MM/YYYY" (UK, OFAC's Publish_Date is MM/DD/YYYY: mmdd set) into ISO;
 * 00 parts drop to the year or month. 0 when s is not of that form. */
static int slash_date(const char *s, int mmdd, char *out, size_t size) {
    if (strlen(s) != 10 || s[2] != '/' || s[5] != '/') return 0;
    if (!all_digits(s, 2) || !all_digits(s + 3, 2) || !all_digits(s + 6, 4)) return 0;
    const char *d = mmdd ? s + 3 : s, *m = mmdd ? s : s + 3;
    if (m[0] == '0' && m[1] == '0') snprintf(out, size, "%.4s", s + 6);
    else if (d[0] == '0' && d[1] == '0') snprintf(out, size, "%.4s-%.2s", s + 6, m);
    else snprintf(out, size, "%.4s-%.2s-%.2s", s + 6, m, d);
    return 1;
}

int lists_iso_date(const char *v, int mmdd, char *out, size_t size) {
    while (isspace((unsigned char)*v)) v++;
    size_t n = strlen(v);
    if (n >= 10 && all_digits(v, 4) && v[4] == '-' && all_digits(v + 5, 2) && v[7] == '-' && all_digits(v + 8, 2)) {
        snprintf(out, size, "%.10s", v);
        return 1;
    }
    if ((n == 7 && all_digits(v, 4) && v[4] == '-' && all_digits(v + 5, 2)) || (n == 4 && all_digits(v, 4))) {
        snprintf(out, size, "%s", v);
        return 1;
    }
    if (slash_date(v, mmdd, out, size)) return 1;
    return size >= 11 && ofac_parse_date(v, out, size) == PU_OK;
}

int lp_add_date(ftm_entity *e, const char *prop, const char *value, pu_err *err) {
    char iso[16];
    if (!value || !lists_iso_date(value, 0, iso, sizeof iso)) return PU_OK;
    if (strcmp(iso, "0000") == 0 || strncmp(iso, "0000", 4) == 0) return PU_OK;
    return lp_add(e, prop, iso, err);
}

int lp_add_country(ftm_entity *e, const char *prop, const char *value, pu_err *err) {
    if (!value || pu_blank(value)) return PU_OK;
    while (isspace((unsigned char)*value)) value++;
    char code[3];
    if (strlen(value) == 2 && isalpha((unsigned char)value[0]) && isalpha((unsigned char)value[1])) {
        code[0] = (char)tolower((unsigned char)value[0]);
        code[1] = (char)tolower((unsigned char)value[1]);
        code[2] = 0;
        return lp_add(e, prop, code, err);
    }
    const char *cc = ofac_country_code(value);
    return cc ? lp_add(e, prop, cc, err) : PU_OK;
}

int lp_sanction(lp_ctx *c, const ftm_entity *e, const char *const *programs, size_t nprog, const char *authority,
                const char *listed) {
    char native[FTM_ID_MAX];
    /* e->id already carries the dataset prefix: strip it for lp_new */
    const char *id = e->id + strlen(c->src->dataset) + 1;
    snprintf(native, sizeof native, "%s-sanction", id);
    ftm_entity *s = NULL;
    int rc = lp_new(c, native, "Sanction", &s);
    if (rc) return rc;
    rc = ftm_entity_add(s, "entity", e->id, c->err);
    for (size_t i = 0; !rc && i < nprog; i++) rc = lp_add(s, "program", programs[i], c->err);
    if (!rc) rc = lp_add(s, "authority", authority, c->err);
    if (!rc) rc = lp_add_date(s, "listingDate", listed, c->err);
    if (rc) {
        ftm_entity_free(s);
        return rc;
    }
    return lp_push(c, s);
}

/* ---- the content hash ---- */

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }
static int cmp_prop(const void *a, const void *b) {
    return strcmp((*(const ftm_prop *const *)a)->name, (*(const ftm_prop *const *)b)->name);
}

/* schema, then each property in name order with its values in byte order:
 * the same content gives the same hash whatever order a publisher writes. */
int lists_entity_hash(const ftm_entity *e, char *out) {
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    crypto_hash_sha256_update(&h, (const unsigned char *)e->schema, strlen(e->schema) + 1);
    const ftm_prop **props = calloc(e->nprops + 1, sizeof *props);
    if (!props) return PU_ERR_NOMEM;
    for (size_t i = 0; i < e->nprops; i++) props[i] = &e->props[i];
    qsort(props, e->nprops, sizeof *props, cmp_prop);
    int rc = PU_OK;
    for (size_t i = 0; i < e->nprops && !rc; i++) {
        const ftm_prop *p = props[i];
        char **vals = malloc((p->n + 1) * sizeof *vals);
        if (!vals) {
            rc = PU_ERR_NOMEM;
            break;
        }
        memcpy(vals, p->values, p->n * sizeof *vals);
        qsort(vals, p->n, sizeof *vals, cmp_str);
        crypto_hash_sha256_update(&h, (const unsigned char *)p->name, strlen(p->name) + 1);
        for (size_t k = 0; k < p->n; k++)
            crypto_hash_sha256_update(&h, (const unsigned char *)vals[k], strlen(vals[k]) + 1);
        crypto_hash_sha256_update(&h, (const unsigned char *)"\n", 1);
        free(vals);
    }
    free(props);
    unsigned char d[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&h, d);
    sodium_bin2hex(out, 65, d, sizeof d);
    return rc;
}

/* ---- files ---- */

int lists_read_file(const char *path, char **out, size_t *n, pu_err *err) {
    *out = NULL;
    *n = 0;
    FILE *f = NULL;
    int rc = pu_input_open(path, &f, err);
    if (rc) return rc;
    pu_buf b = PU_BUF_INIT(LISTS_FILE_MAX);
    char chunk[65536];
    size_t got;
    while (!rc && (got = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (pu_buf_append(&b, chunk, got))
            rc = pu_fail(err, PU_ERR_LIMIT, path, NULL, "file over %zu MiB", LISTS_FILE_MAX >> 20);
    if (!rc && ferror(f)) rc = pu_fail(err, PU_ERR_IO, path, NULL, "read error: %s", strerror(errno));
    fclose(f);
    if (rc) {
        pu_buf_free(&b);
        return rc;
    }
    if (!b.data && pu_buf_puts(&b, "")) return pu_fail(err, PU_ERR_NOMEM, path, NULL, "out of memory");
    *out = b.data;
    *n = b.len;
    return PU_OK;
}

/* ---- FtM JSON lines (OpenSanctions exports, other Puente stores) ---- */

int lists_parse_ftm(lp_ctx *c, const char *data, size_t n) {
    pu_lines *lr = NULL;
    int rc = pu_lines_open_mem(data, n, PU_IO_DEFAULT_MAX_RECORD, &lr, c->err);
    if (rc) return rc;
    pu_lines_set_name(lr, c->file);
    const char *line;
    size_t len;
    uint64_t lineno;
    while ((rc = pu_lines_next(lr, &line, &len, &lineno, c->err)) == PU_OK && line) {
        if (len == 0 || pu_blank(line)) continue;
        c->p->records++;
        ftm_entity *in = NULL, *e = NULL;
        pu_err why = {0};
        if (ftm_entity_from_json(line, len, &in, &why)) {
            char where[PU_ERR_WHERE_MAX];
            snprintf(where, sizeof where, "%s:%llu", c->file, (unsigned long long)lineno);
            pu_strlcpy(why.where, where, sizeof why.where);
            lp_reject(c, &why);
            continue;
        }
        rc = lp_new(c, in->id, in->schema, &e);
        for (size_t i = 0; !rc && i < in->nprops; i++)
            for (size_t k = 0; !rc && k < in->props[i].n; k++)
                rc = ftm_entity_add(e, in->props[i].name, in->props[i].values[k], c->err);
        ftm_entity_free(in);
        if (!rc) rc = lp_push(c, e);
        else ftm_entity_free(e);
        if (rc) break;
    }
    pu_lines_close(lr);
    return rc;
}

/* ---- OFAC legacy CSV: through the OFAC importer into a private store ---- */

typedef struct collect_ctx {
    lp_ctx *c;
    int rc;
} collect_ctx;

/* An entity of the private store, re-homed in the source's dataset with
 * the source's topics (ids stay "ofac-<ent_num>": cargo and reviews know
 * them). */
static int collect_one(const ftm_entity *in, void *vctx) {
    collect_ctx *cc = vctx;
    ftm_entity *e = NULL;
    if (ftm_entity_clone(in, &e)) {
        cc->rc = pu_fail(cc->c->err, PU_ERR_NOMEM, in->id, NULL, "out of memory");
        return 1;
    }
    for (size_t i = 0; i < e->ndatasets; i++) free(e->datasets[i]);
    e->ndatasets = 0;
    free(e->created);
    free(e->updated);
    e->created = e->updated = NULL;
    int rc = ftm_entity_add_dataset(e, cc->c->src->dataset) ? PU_ERR_NOMEM : PU_OK;
    if (!rc && designated_schema(e->schema)) {
        char topics[sizeof cc->c->src->topics];
        pu_strlcpy(topics, cc->c->src->topics, sizeof topics);
        char *save = NULL;
        for (char *t = strtok_r(topics, ",", &save); t && !rc; t = strtok_r(NULL, ",", &save))
            rc = lp_add(e, "topics", t, cc->c->err);
        cc->c->p->records++;
    }
    if (rc) {
        ftm_entity_free(e);
        cc->rc = rc;
        return 1;
    }
    cc->rc = lp_push(cc->c, e);
    return cc->rc != PU_OK;
}

int lists_parse_ofac_csv(lp_ctx *c, const char *dir) {
    store_t *tmp = NULL;
    int rc = store_open(":memory:", &tmp, c->err);
    if (rc) return rc;
    store_summary sum;
    store_summary_init(&sum);
    ofac_import_opts io = {0, 0, 0};
    rc = ofac_import_dir(tmp, dir, &io, &sum, c->err);
    if (!rc) {
        for (size_t i = 0; i < sum.nnotes; i++) { /* the OFAC importer's own notes */
            pu_err why = {0};
            why.code = PU_ERR_INVALID;
            pu_strlcpy(why.msg, sum.notes[i], sizeof why.msg);
            if ((int64_t)i < sum.rejected) lp_reject(c, &why);
        }
        c->p->rejected = sum.rejected;
        collect_ctx cc = {c, PU_OK};
        store_query q = {0};
        rc = store_iter(tmp, STORE_SYSTEM, &q, collect_one, &cc, c->err);
        if (!rc) rc = cc.rc;
    }
    store_summary_free(&sum);
    store_close(tmp);
    return rc;
}

/* A directory with the consolidated list's cons_*.csv names is staged
 * under the SDN names first (lists_fetch_ofac). */
static int ofac_csv_any(lp_ctx *c, const char *dir) {
    char p[4096];
    snprintf(p, sizeof p, "%s/sdn.csv", dir);
    if (access(p, F_OK) == 0) return lists_parse_ofac_csv(c, dir);
    const char *tmp = getenv("TMPDIR");
    char stage[4096], sha[65];
    snprintf(stage, sizeof stage, "%s/puente-ofac-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(stage)) return pu_fail(c->err, PU_ERR_IO, stage, NULL, "cannot create a temporary directory");
    int rc = lists_fetch_ofac(dir, stage, sha, c->err);
    if (!rc) rc = lists_parse_ofac_csv(c, stage);
    static const char *const names[] = {"sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"};
    for (size_t i = 0; i < 4; i++) {
        (void)pu_snprintf(p, sizeof p, "%s/%s", stage, names[i]);
        unlink(p);
    }
    rmdir(stage);
    return rc;
}

/* ---- dispatch ---- */

static int parse_bytes(lp_ctx *c, const char *f, const char *data, size_t n) {
    if (strcmp(f, "ofac_xml") == 0) return lists_parse_ofac_xml(c, data, n);
    if (strcmp(f, "un_xml") == 0) return lists_parse_un_xml(c, data, n);
    if (strcmp(f, "eu_xml") == 0) return lists_parse_eu_xml(c, data, n);
    if (strcmp(f, "eu_csv") == 0) return lists_parse_eu_csv(c, data, n);
    if (strcmp(f, "uk_csv") == 0) return lists_parse_uk_csv(c, data, n);
    if (strcmp(f, "uk_xml") == 0) return lists_parse_uk_xml(c, data, n);
    if (strcmp(f, "generic_csv") == 0) return lists_parse_generic_csv(c, data, n);
    if (strcmp(f, "ftm") == 0) return lists_parse_ftm(c, data, n);
    return pu_fail(c->err, PU_ERR_INVALID, c->file, "format", "expected %s, got '%s'",
                   "ofac_xml, un_xml, eu_xml, eu_csv, uk_csv, uk_xml, generic_csv or ftm", f);
}

/* The file's own count is the publisher's promise: fewer records read
 * means the export was cut or the parse lost entries. */
static int check_declared(lp_ctx *c) {
    if (c->p->records == 0)
        return pu_fail(c->err, PU_ERR_INVALID, c->file, "records",
                       "no records: an empty export is never a designation list (cut off or wrong file)");
    if (c->p->declared >= 0 && c->p->records < c->p->declared)
        return pu_fail(c->err, PU_ERR_INVALID, c->file, "records",
                       "the file declares %lld records but holds %lld: cut off or incomplete",
                       (long long)c->p->declared, (long long)c->p->records);
    return PU_OK;
}

static int new_parsed(lists_parsed **out, FILE *diag, pu_err *err) {
    *out = calloc(1, sizeof **out);
    if (!*out) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    (*out)->declared = -1;
    pu_report_init(&(*out)->report, "lists", diag);
    return PU_OK;
}

static int finish(lp_ctx *c, int rc, lists_parsed **out) {
    if (!rc) rc = check_declared(c);
    if (rc) {
        lists_parsed_free(c->p);
        return rc;
    }
    *out = c->p;
    return PU_OK;
}

int lists_parse_mem(const lists_source *src, const char *data, size_t n, lists_parsed **out, pu_err *err) {
    *out = NULL;
    lp_ctx c = {src, NULL, "<memory>", err, NULL};
    int rc = new_parsed(&c.p, NULL, err);
    if (rc) return rc;
    return finish(&c, parse_bytes(&c, src->format, data, n), out);
}

int lists_parse(const lists_source *src, const char *path, lists_parsed **out, pu_err *err) {
    return lists_parse_named(src, path, path, NULL, out, err);
}

int lists_parse_named(const lists_source *src, const char *path, const char *name, FILE *diag, lists_parsed **out,
                      pu_err *err) {
    *out = NULL;
    lp_ctx c = {src, NULL, name, err, NULL};
    int rc = new_parsed(&c.p, diag, err);
    if (rc) return rc;
    if (strcmp(src->format, "ofac_csv") == 0) return finish(&c, ofac_csv_any(&c, path), out);
    char *data = NULL;
    size_t n = 0;
    rc = lists_read_file(path, &data, &n, err);
    if (!rc) rc = parse_bytes(&c, src->format, data, n);
    free(data);
    return finish(&c, rc, out);
}
