/*
 * lists_csv.c - the CSV exports: the EU financial sanctions CSV (one row per
 * name, date, document... of an entity, ';'-separated), the UK OFSI
 * consolidated list CSV (one row per name of a group, after a "Last
 * Updated" line) and the generic mapping for national lists (Mexico's UIF
 * blocked persons, ...: a small key = column file says which column is
 * what; docs/lists.md "Generic CSV").
 *
 * Rows of one record are grouped by its id column, wherever they are. A
 * file that ends inside a quoted field, or whose last record has fewer
 * fields than the header (a line cut off), is refused as a whole; a short
 * record elsewhere is skipped and noted (file:line).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "common/pu_io.h"
#include "lists/lists_int.h"

/* ---- grouping rows by record id: open addressing over the parsed entities ---- */

typedef struct group_map {
    char **keys;
    ftm_entity **ents;
    size_t cap, n;
} group_map;

static uint64_t fnv(const char *s) {
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static int gm_grow(group_map *m) {
    size_t nc = m->cap ? m->cap * 2 : 1024;
    char **nk = calloc(nc, sizeof *nk);
    ftm_entity **ne = calloc(nc, sizeof *ne);
    if (!nk || !ne) {
        free(nk);
        free(ne);
        return PU_ERR_NOMEM;
    }
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->keys[i]) continue;
        size_t j = fnv(m->keys[i]) & (nc - 1);
        while (nk[j]) j = (j + 1) & (nc - 1);
        nk[j] = m->keys[i];
        ne[j] = m->ents[i];
    }
    free(m->keys);
    free(m->ents);
    m->keys = nk;
    m->ents = ne;
    m->cap = nc;
    return PU_OK;
}

/* The slot of key: *found = 1 when it holds key, else the empty slot. */
static size_t gm_slot(const group_map *m, const char *key, int *found) {
    size_t j = fnv(key) & (m->cap - 1);
    while (m->keys[j] && strcmp(m->keys[j], key) != 0) j = (j + 1) & (m->cap - 1);
    *found = m->keys[j] != NULL;
    return j;
}

static void gm_free(group_map *m) {
    for (size_t i = 0; i < m->cap; i++) free(m->keys[i]);
    free(m->keys);
    free(m->ents);
}

/* ---- shared CSV reading ---- */

/* One CSV row as the per-format callbacks see it. */
typedef struct csv_row {
    const pu_csv_row *r;
    const int *idx;       /* column positions, -1 when absent */
} csv_row;

static const char *col(const csv_row *row, int i) {
    int k = row->idx[i];
    return k >= 0 && (size_t)k < row->r->n ? row->r->fields[k] : "";
}

typedef struct csv_format {
    const pu_col *cols;
    size_t ncols;
    int id_col;          /* index in cols of the record id */
    char delim;
    /* a new record's entity (id: the record id) */
    int (*make)(lp_ctx *c, const csv_row *row, const char *id, ftm_entity **out);
    /* add what one row says to the record's entity */
    int (*add)(lp_ctx *c, const csv_row *row, ftm_entity *e, void *fctx);
    void *fctx;
    /* NULL or: 0 when the row may be used, else fills why (the row is skipped) */
    int (*check)(const csv_row *row, void *fctx, pu_err *why);
} csv_format;

static int where_line(lp_ctx *c, uint64_t line, pu_err *why) {
    snprintf(why->where, sizeof why->where, "%s:%llu", c->file, (unsigned long long)line);
    lp_reject(c, why);
    return PU_OK;
}

static int row_entity(lp_ctx *c, const csv_format *f, group_map *m, const csv_row *row, ftm_entity **e) {
    const char *id = col(row, f->id_col);
    if (pu_blank(id)) {
        pu_err why = {0};
        pu_fail(&why, PU_ERR_INVALID, NULL, f->cols[f->id_col].name, "expected %s, got '%s'", "a record id", "");
        *e = NULL;
        return where_line(c, row->r->line, &why);
    }
    if (m->n * 2 >= m->cap && gm_grow(m)) return pu_fail(c->err, PU_ERR_NOMEM, c->file, NULL, "out of memory");
    int found;
    size_t j = gm_slot(m, id, &found);
    if (found) {
        *e = m->ents[j];
        return PU_OK;
    }
    int rc = f->make(c, row, id, e);
    if (rc) return rc;
    if (!(m->keys[j] = pu_strdup(id))) return pu_fail(c->err, PU_ERR_NOMEM, c->file, NULL, "out of memory");
    m->ents[j] = *e;
    m->n++;
    c->p->records++;
    return lp_push(c, *e);
}

static int cut_off(lp_ctx *c, uint64_t line, size_t got, size_t want) {
    char where[PU_ERR_WHERE_MAX];
    snprintf(where, sizeof where, "%s:%llu", c->file, (unsigned long long)line);
    return pu_fail(c->err, PU_ERR_INVALID, where, NULL,
                   "the last record has %zu of %zu fields: the file is cut off", got, want);
}

static int read_rows(lp_ctx *c, pu_csv *r, const csv_format *f, const pu_csv_row *hdr) {
    int idx[64];
    int rc = pu_csv_header(c->file, hdr, f->cols, f->ncols, PU_UNKNOWN_WARN, idx, NULL, c->err);
    if (rc) return rc;
    size_t want = hdr->n;
    group_map m = {0};
    const pu_csv_row *row;
    uint64_t last_line = 0;
    size_t last_n = want;
    while (rc == PU_OK) {
        pu_err why = {0};
        int rr = pu_csv_next(r, &row, &why);
        if (rr == PU_ERR_INVALID || rr == PU_ERR_LIMIT) {
            if (pu_csv_fatal(r)) {
                *c->err = why;
                rc = PU_ERR_INVALID;
                break;
            }
            lp_reject(c, &why);
            continue;
        }
        if (rr) {
            *c->err = why;
            rc = rr;
            break;
        }
        if (!row) break;
        last_line = row->line;
        last_n = row->n;
        if (row->n < want) { /* judged below if it is the last one */
            pu_fail(&why, PU_ERR_INVALID, NULL, NULL, "the record has %zu of %zu fields", row->n, want);
            where_line(c, row->line, &why);
            continue;
        }
        csv_row cr = {row, idx};
        if (f->check && f->check(&cr, f->fctx, &why)) {
            where_line(c, row->line, &why);
            continue;
        }
        ftm_entity *e = NULL;
        rc = row_entity(c, f, &m, &cr, &e);
        if (!rc && e) rc = f->add(c, &cr, e, f->fctx);
    }
    gm_free(&m);
    if (!rc && pu_csv_truncated(r)) rc = cut_off(c, last_line, last_n, want);
    if (!rc && last_n < want) rc = cut_off(c, last_line, last_n, want);
    return rc;
}

static int run_csv(lp_ctx *c, const char *data, size_t n, const csv_format *f) {
    pu_csv_opts o = {0};
    o.delim = f->delim;
    o.check_utf8 = 1;
    pu_csv *r = NULL;
    int rc = pu_csv_open_mem(data, n, &o, &r, c->err);
    if (rc) return rc;
    pu_csv_set_name(r, c->file);
    const pu_csv_row *hdr = NULL;
    rc = pu_csv_next(r, &hdr, c->err);
    if (!rc && !hdr) rc = pu_fail(c->err, PU_ERR_INVALID, c->file, NULL, "expected %s, got '%s'", "a header row", "");
    if (!rc) {
        /* the header is overwritten by the next row: keep a copy */
        pu_csv_row h = *hdr;
        char **fields = calloc(h.n ? h.n : 1, sizeof *fields);
        size_t *lens = calloc(h.n ? h.n : 1, sizeof *lens);
        int copied = fields && lens;
        for (size_t i = 0; copied && i < h.n; i++) {
            /* the copy's own length: a cell with a NUL byte inside is matched
             * as what precedes the NUL (found by fuzz_lists) */
            fields[i] = pu_strndup(hdr->fields[i], hdr->lens[i]);
            lens[i] = fields[i] ? strlen(fields[i]) : 0;
            copied = fields[i] != NULL;
        }
        h.fields = fields;
        h.lens = lens;
        rc = copied ? read_rows(c, r, f, &h) : pu_fail(c->err, PU_ERR_NOMEM, c->file, NULL, "out of memory");
        for (size_t i = 0; fields && i < h.n; i++) free(fields[i]);
        free(fields);
        free(lens);
    }
    pu_csv_close(r);
    return rc;
}

static int add_split(ftm_entity *e, const char *prop, const char *v, char sep, pu_err *err) {
    if (!sep) return lp_add(e, prop, v, err);
    char *copy = pu_strdup(v);
    if (!copy) return PU_ERR_NOMEM;
    int rc = PU_OK;
    char seps[2] = {sep, 0}, *save = NULL;
    for (char *t = strtok_r(copy, seps, &save); t && !rc; t = strtok_r(NULL, seps, &save)) rc = lp_add(e, prop, t, err);
    free(copy);
    return rc;
}

/* ---- EU financial sanctions CSV ---- */

enum { EU_ID, EU_REF, EU_TYPE, EU_PROG, EU_WHOLE, EU_FIRST, EU_LAST, EU_GENDER, EU_BIRTH, EU_DOC, EU_DOCTYPE,
       EU_CITIZEN, EU_ADDRCOUNTRY, EU_GENERATED, EU_NCOLS };
static const pu_col EU_COLS[] = {
    {"Entity_LogicalId", NULL, PU_COL_REQUIRED},     {"Entity_EU_ReferenceNumber", NULL, 0},
    {"Entity_SubjectType", NULL, 0},                 {"Entity_Regulation_Programme", NULL, 0},
    {"NameAlias_WholeName", NULL, PU_COL_REQUIRED},  {"NameAlias_FirstName", NULL, 0},
    {"NameAlias_LastName", NULL, 0},                 {"NameAlias_Gender", NULL, 0},
    {"Birthdate_BirthDate", NULL, 0},                {"Identification_Number", NULL, 0},
    {"Identification_TypeCode", NULL, 0},            {"Citizenship_CountryIso2Code", NULL, 0},
    {"Address_CountryIso2Code", NULL, 0},            {"fileGenerationDate", NULL, 0},
};

static int eu_make(lp_ctx *c, const csv_row *row, const char *id, ftm_entity **out) {
    const char *t = col(row, EU_TYPE);
    int person = strcmp(t, "person") == 0 || strcmp(t, "P") == 0;
    if (!c->p->published[0]) lists_iso_date(col(row, EU_GENERATED), 0, c->p->published, sizeof c->p->published);
    int rc = lp_new(c, id, person ? "Person" : "Organization", out);
    if (!rc) rc = lp_add(*out, "program", col(row, EU_PROG), c->err);
    return rc;
}

static int eu_add(lp_ctx *c, const csv_row *row, ftm_entity *e, void *fctx) {
    (void)fctx;
    const char *name = col(row, EU_WHOLE);
    int rc = lp_add(e, ftm_entity_prop(e, "name") ? "alias" : "name", name, c->err);
    if (!rc && !ftm_entity_prop(e, "firstName")) rc = lp_add(e, "firstName", col(row, EU_FIRST), c->err);
    if (!rc && !ftm_entity_prop(e, "lastName")) rc = lp_add(e, "lastName", col(row, EU_LAST), c->err);
    const char *g = col(row, EU_GENDER);
    if (!rc && *g) rc = lp_add(e, "gender", g[0] == 'M' ? "male" : g[0] == 'F' ? "female" : NULL, c->err);
    if (!rc) rc = lp_add_date(e, "birthDate", col(row, EU_BIRTH), c->err);
    if (!rc)
        rc = lp_add(e, strcmp(col(row, EU_DOCTYPE), "passport") == 0 ? "passportNumber" : "idNumber",
                    col(row, EU_DOC), c->err);
    if (!rc) rc = lp_add_country(e, "nationality", col(row, EU_CITIZEN), c->err);
    if (!rc) rc = lp_add_country(e, "country", col(row, EU_ADDRCOUNTRY), c->err);
    return rc;
}

/* The Sanction entities come after the rows (programs are known then). */
static int add_sanctions(lp_ctx *c, size_t from, const char *authority) {
    int rc = PU_OK;
    for (size_t i = from, n = c->p->n; i < n && !rc; i++) {
        const ftm_entity *e = c->p->ents[i];
        if (strcmp(e->schema, "Sanction") == 0) continue;
        const ftm_prop *p = ftm_entity_prop(e, "program");
        rc = lp_sanction(c, e, p ? (const char *const *)p->values : NULL, p ? p->n : 0, authority, NULL);
    }
    return rc;
}

int lists_parse_eu_csv(lp_ctx *c, const char *data, size_t n) {
    csv_format f = {EU_COLS, EU_NCOLS, EU_ID, ';', eu_make, eu_add, NULL, NULL};
    int rc = run_csv(c, data, n, &f);
    return rc ? rc : add_sanctions(c, 0, "European Union");
}

/* ---- UK OFSI consolidated list CSV ---- */

enum { UK_N6, UK_N1, UK_N2, UK_N3, UK_N4, UK_N5, UK_DOB, UK_NAT, UK_PASS, UK_NATID, UK_COUNTRY, UK_TYPE,
       UK_ALIAS, UK_QUALITY, UK_REGIME, UK_GROUP, UK_NCOLS };
static const pu_col UK_COLS[] = {
    {"Name 6", NULL, PU_COL_REQUIRED}, {"Name 1", NULL, 0}, {"Name 2", NULL, 0}, {"Name 3", NULL, 0},
    {"Name 4", NULL, 0}, {"Name 5", NULL, 0}, {"DOB", NULL, 0}, {"Nationality", NULL, 0},
    {"Passport Number", NULL, 0}, {"National Identification Number", NULL, 0}, {"Country", NULL, 0},
    {"Group Type", NULL, 0}, {"Alias Type", NULL, 0}, {"Alias Quality", NULL, 0}, {"Regime", NULL, 0},
    {"Group ID", NULL, PU_COL_REQUIRED},
};

static int uk_make(lp_ctx *c, const csv_row *row, const char *id, ftm_entity **out) {
    const char *t = col(row, UK_TYPE);
    const char *schema = strcmp(t, "Individual") == 0 ? "Person" : strcmp(t, "Ship") == 0 ? "Vessel" : "Organization";
    int rc = lp_new(c, id, schema, out);
    if (!rc) rc = lp_add(*out, "program", col(row, UK_REGIME), c->err);
    return rc;
}

/* Given names (Name 1..5) then the surname (Name 6), as people write them. */
static void uk_name(const csv_row *row, char *out, size_t size) {
    size_t len = 0;
    out[0] = 0;
    static const int order[] = {UK_N1, UK_N2, UK_N3, UK_N4, UK_N5, UK_N6};
    for (size_t i = 0; i < 6; i++) {
        const char *v = col(row, order[i]);
        if (pu_blank(v)) continue;
        int w = snprintf(out + len, size - len, "%s%s", len ? " " : "", v);
        if (w < 0 || (size_t)w >= size - len) break;
        len += (size_t)w;
    }
}

static int uk_add(lp_ctx *c, const csv_row *row, ftm_entity *e, void *fctx) {
    (void)fctx;
    char name[2048];
    uk_name(row, name, sizeof name);
    const char *alias = col(row, UK_ALIAS), *q = col(row, UK_QUALITY);
    const char *prop = strcmp(alias, "Primary name") == 0 || strcmp(alias, "Primary Name") == 0 ? "name"
                       : strstr(q, "Low") != NULL                                                ? "weakAlias"
                                                                                              : "alias";
    int rc = lp_add(e, prop, name, c->err);
    if (!rc && strcmp(prop, "name") == 0 && strcmp(e->schema, "Person") == 0) {
        rc = lp_add(e, "lastName", col(row, UK_N6), c->err);
        if (!rc) rc = lp_add(e, "firstName", col(row, UK_N1), c->err);
    }
    if (!rc) rc = lp_add_date(e, "birthDate", col(row, UK_DOB), c->err);
    if (!rc) rc = lp_add_country(e, "nationality", col(row, UK_NAT), c->err);
    if (!rc) rc = lp_add(e, "passportNumber", col(row, UK_PASS), c->err);
    if (!rc) rc = lp_add(e, "idNumber", col(row, UK_NATID), c->err);
    if (!rc) rc = lp_add_country(e, "country", col(row, UK_COUNTRY), c->err);
    return rc;
}

/* A name alone never makes a designation: an alias-only group gets its
 * first alias as name. */
static void promote_names(lp_ctx *c) {
    for (size_t i = 0; i < c->p->n; i++) {
        ftm_entity *e = c->p->ents[i];
        const ftm_prop *a = ftm_entity_prop(e, "alias");
        if (!ftm_entity_prop(e, "name") && a && a->n) ftm_entity_add(e, "name", a->values[0], NULL);
    }
}

int lists_parse_uk_csv(lp_ctx *c, const char *data, size_t n) {
    /* "Last Updated,DD/MM/YYYY" comes before the header */
    const char *nl = memchr(data, '\n', n);
    if (n > 12 && strncmp(data, "Last Updated", 12) == 0 && nl) {
        char line[64] = "";
        size_t len = (size_t)(nl - data) < sizeof line - 1 ? (size_t)(nl - data) : sizeof line - 1;
        memcpy(line, data, len);
        line[len] = 0;
        const char *comma = strchr(line, ',');
        if (comma) {
            char d[16] = "";
            pu_strlcpy(d, comma + 1, sizeof d);
            d[strcspn(d, "\r\"")] = 0;
            lists_iso_date(d, 0, c->p->published, sizeof c->p->published);
        }
        n -= (size_t)(nl + 1 - data);
        data = nl + 1;
    }
    csv_format f = {UK_COLS, UK_NCOLS, UK_GROUP, ',', uk_make, uk_add, NULL, NULL};
    int rc = run_csv(c, data, n, &f);
    if (rc) return rc;
    promote_names(c);
    return add_sanctions(c, 0, "UK Office of Financial Sanctions Implementation");
}

/* ---- generic CSV with a mapping file ---- */

enum { G_ID, G_NAME, G_ALIAS, G_FIRST, G_LAST, G_SCHEMA, G_BIRTH, G_IDNUM, G_COUNTRY, G_PROGRAM, G_NKEYS };
static const char *const G_KEYS[] = {"id", "name", "alias", "first_name", "last_name", "schema",
                                     "birth_date", "id_number", "country", "program"};

typedef struct gmap {
    char cols[G_NKEYS][256];     /* header name per key ("" = none) */
    char schema_default[32];
    char schema_map[512];        /* "FISICA:Person,MORAL:Company" */
    char delim;
    char alias_sep;
    int mmdd;                    /* dates written MM/DD/YYYY */
} gmap;

static char *trim(char *s) {
    while (isspace((unsigned char)*s)) s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1])) s[--n] = 0;
    return s;
}

static int gmap_line(gmap *g, char *line, const char *where, pu_err *err) {
    char *eq = strchr(line, '=');
    if (!eq) return pu_fail(err, PU_ERR_INVALID, where, NULL, "expected %s, got '%s'", "key = value", line);
    *eq = 0;
    char *k = trim(line), *v = trim(eq + 1);
    for (int i = 0; i < G_NKEYS; i++)
        if (strcmp(k, G_KEYS[i]) == 0) return pu_strlcpy(g->cols[i], v, sizeof g->cols[i]), PU_OK;
    if (strcmp(k, "schema_default") == 0) {
        if (!ftm_schema_get(v) || !ftm_schema_matchable(ftm_schema_get(v)))
            return pu_fail(err, PU_ERR_INVALID, where, k, "expected %s, got '%s'", "Person, Company, Organization...", v);
        return pu_strlcpy(g->schema_default, v, sizeof g->schema_default), PU_OK;
    }
    if (strcmp(k, "schema_map") == 0) return pu_strlcpy(g->schema_map, v, sizeof g->schema_map), PU_OK;
    if (strcmp(k, "delimiter") == 0) return g->delim = strcmp(v, "tab") == 0 ? '\t' : v[0], PU_OK;
    if (strcmp(k, "alias_separator") == 0) return g->alias_sep = v[0], PU_OK;
    if (strcmp(k, "date_order") == 0) return g->mmdd = strcmp(v, "mdy") == 0, PU_OK;
    return pu_fail(err, PU_ERR_INVALID, where, k, "expected %s, got '%s'",
                   "id, name, alias, first_name, last_name, schema, schema_default, schema_map, birth_date, "
                   "id_number, country, program, delimiter, alias_separator or date_order",
                   k);
}

static int gmap_read(const char *path, gmap *g, pu_err *err) {
    memset(g, 0, sizeof *g);
    pu_strlcpy(g->schema_default, "LegalEntity", sizeof g->schema_default);
    g->delim = ',';
    pu_lines *lr = NULL;
    int rc = pu_lines_open(path, 4096, &lr, err);
    if (rc) return rc;
    const char *line;
    size_t len;
    uint64_t no;
    while (!rc && (rc = pu_lines_next(lr, &line, &len, &no, err)) == PU_OK && line) {
        char buf[4096], where[PU_ERR_WHERE_MAX];
        pu_strlcpy(buf, line, sizeof buf);
        char *t = trim(buf);
        if (!*t || *t == '#') continue;
        (void)pu_snprintf(where, sizeof where, "%s:%llu", path, (unsigned long long)no);
        rc = gmap_line(g, t, where, err);
    }
    pu_lines_close(lr);
    if (!rc && (!g->cols[G_ID][0] || !(g->cols[G_NAME][0] || g->cols[G_LAST][0])))
        rc = pu_fail(err, PU_ERR_INVALID, path, g->cols[G_ID][0] ? "name" : "id", "expected %s, got '%s'",
                     "a mapping with id and name (or last_name) columns", "");
    return rc;
}

static const char *gmap_schema(const gmap *g, const char *v) {
    size_t n = strlen(v);
    for (const char *p = g->schema_map; n && (p = strstr(p, v)); p += n) {
        if ((p == g->schema_map || p[-1] == ',') && p[n] == ':') {
            static __thread char s[32];
            size_t k = strcspn(p + n + 1, ",");
            snprintf(s, sizeof s, "%.*s", (int)k, p + n + 1);
            if (ftm_schema_get(s) && ftm_schema_matchable(ftm_schema_get(s))) return s;
        }
    }
    if (ftm_schema_get(v) && ftm_schema_matchable(ftm_schema_get(v))) return v;
    return g->schema_default;
}

static int g_make(lp_ctx *c, const csv_row *row, const char *id, ftm_entity **out) {
    const gmap *g = c->fctx;
    return lp_new(c, id, gmap_schema(g, col(row, G_SCHEMA)), out);
}

/* A birth date that is no date, or in the future, is a data error of the
 * row: the record is skipped and named (exit 7), never loaded with a wrong
 * or silently dropped qualifier. */
static int g_check(const csv_row *row, void *fctx, pu_err *why) {
    const gmap *g = fctx;
    const char *v = col(row, G_BIRTH);
    char iso[16], today[32];
    if (pu_blank(v)) return 0;
    int64_t days;
    if (!lists_iso_date(v, g->mmdd, iso, sizeof iso) || (strlen(iso) == 10 && pu_parse_date(iso, &days)))
        return pu_fail(why, PU_ERR_INVALID, NULL, g->cols[G_BIRTH], "expected %s, got '%s'",
                       "a date (YYYY-MM-DD, YYYY-MM, YYYY or DD/MM/YYYY)", v);
    pu_now_iso(today, sizeof today);
    if (strncmp(iso, today, strlen(iso)) > 0)
        return pu_fail(why, PU_ERR_INVALID, NULL, g->cols[G_BIRTH], "birth date '%s' is in the future", iso);
    return 0;
}

static int g_add(lp_ctx *c, const csv_row *row, ftm_entity *e, void *fctx) {
    const gmap *g = fctx;
    const char *name = col(row, G_NAME);
    char built[2048];
    if (pu_blank(name)) {
        snprintf(built, sizeof built, "%s %s", col(row, G_FIRST), col(row, G_LAST));
        name = built;
    }
    int rc = lp_add(e, ftm_entity_prop(e, "name") ? "alias" : "name", name, c->err);
    if (!rc) rc = add_split(e, "alias", col(row, G_ALIAS), g->alias_sep, c->err);
    if (!rc) rc = lp_add(e, "firstName", col(row, G_FIRST), c->err);
    if (!rc) rc = lp_add(e, "lastName", col(row, G_LAST), c->err);
    char iso[16];
    if (!rc && lists_iso_date(col(row, G_BIRTH), g->mmdd, iso, sizeof iso)) rc = lp_add(e, "birthDate", iso, c->err);
    if (!rc) rc = add_split(e, "idNumber", col(row, G_IDNUM), g->alias_sep, c->err);
    if (!rc) rc = lp_add_country(e, "country", col(row, G_COUNTRY), c->err);
    if (!rc) rc = lp_add(e, "program", col(row, G_PROGRAM), c->err);
    return rc;
}

int lists_parse_generic_csv(lp_ctx *c, const char *data, size_t n) {
    gmap g;
    int rc = gmap_read(c->src->mapping, &g, c->err);
    if (rc) return rc;
    /* keys the mapping leaves out get a column name no header has */
    char unset[G_NKEYS][32];
    pu_col cols[G_NKEYS];
    for (int i = 0; i < G_NKEYS; i++) {
        snprintf(unset[i], sizeof unset[i], "\x01unset-%s", G_KEYS[i]);
        cols[i].name = g.cols[i][0] ? g.cols[i] : unset[i];
        cols[i].aliases = NULL;
        cols[i].flags = g.cols[i][0] ? PU_COL_REQUIRED : 0;
    }
    c->fctx = &g;
    csv_format f = {cols, G_NKEYS, G_ID, g.delim, g_make, g_add, &g, g_check};
    rc = run_csv(c, data, n, &f);
    c->fctx = NULL;
    return rc ? rc : add_sanctions(c, 0, NULL);
}
