/*
 * ofac_import.c - the OFAC legacy CSV export -> FtM entities in the store.
 *
 * Two passes: first read the four files into memory (8,976 rows for the
 * whole list; a few MB), attaching alt names, addresses and remark
 * continuations to their sdn.csv row, so that "Linked To:" names can be
 * resolved to entity ids; then write every entity inside ONE transaction.
 */
#include "ofac/ofac.h"

#include <stdlib.h>
#include <string.h>

#include "common/pu_io.h"

#define SOURCE_URL "https://sanctionssearch.ofac.treas.gov/Details.aspx?id="
#define AUTHORITY "Office of Foreign Assets Control"
#define ID_MAX 96 /* "ofac-<ent_num>-sanction" and the like */

typedef struct alt_name {
    char *type; /* aka, fka, nka */
    char *name;
} alt_name;

typedef struct address {
    int64_t num;
    char *street, *city, *country, *remarks;
    uint64_t line;
} address;

enum { F_ENT, F_NAME, F_TYPE, F_PROGRAM, F_TITLE, F_CALLSIGN, F_VTYPE, F_TONNAGE, F_GRT, F_FLAG, F_OWNER,
       F_REMARKS, SDN_FIELDS };

typedef struct sdn {
    int64_t ent;
    uint64_t line;
    char *f[SDN_FIELDS]; /* NULL where OFAC wrote -0- */
    alt_name *alts;
    size_t nalts, alts_cap;
    address *adds;
    size_t nadds, adds_cap;
} sdn;

typedef struct name_ref {
    const char *name;
    int64_t ent;
    int primary;
} name_ref;

typedef struct ctx {
    store_t *st;
    const ofac_import_opts *opts;
    store_summary *sum;
    pu_err *err;
    char dir[4096];
    sdn *rows;
    size_t n, cap;
    name_ref *names;
    size_t nnames;
    char **written; /* ids written in this import, for delisting */
    size_t nwritten, written_cap;
} ctx;

/* ---- reading ---- */

/* A field as the import keeps it: trimmed, NULL for OFAC's "-0-" or empty,
 * and UTF-8 (older exports are Latin-1: bytes that are not valid UTF-8 are
 * read as Latin-1). */
static char *field(const pu_csv_row *row, size_t i) {
    if (i >= row->n) return NULL;
    const char *s = row->fields[i];
    size_t n = row->lens[i];
    while (n && (*s == ' ' || *s == '\t')) s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r')) n--;
    if (!n || (n == 3 && memcmp(s, "-0-", 3) == 0)) return NULL;
    if (pu_utf8_valid(s, n)) return pu_strndup(s, n);
    pu_buf b = PU_BUF_INIT(2 * n + 1);
    for (size_t k = 0; k < n; k++) {
        unsigned char c = (unsigned char)s[k];
        if (c < 0x80) pu_buf_putc(&b, (char)c);
        else {
            pu_buf_putc(&b, (char)(0xC0 | (c >> 6)));
            pu_buf_putc(&b, (char)(0x80 | (c & 0x3F)));
        }
    }
    return pu_buf_detach(&b);
}

static void free_fields(char **f, size_t n) {
    for (size_t i = 0; i < n; i++) free(f[i]);
}

static int parse_ent(const char *s, int64_t *out) {
    if (!s || !*s) return PU_ERR_INVALID;
    int64_t v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9' || v > INT64_MAX / 10 - 10) return PU_ERR_INVALID;
        v = v * 10 + (*p - '0');
    }
    if (v <= 0) return PU_ERR_INVALID;
    *out = v;
    return PU_OK;
}

/* Record a bad row: note it (skip) or, with --strict, make it the error. */
/* Append a sentence to an error message (truncated, never overflowed). */
static void pu_strlcat_msg(pu_err *e, const char *more) {
    size_t n = strlen(e->msg);
    if (n < sizeof e->msg) pu_strlcpy(e->msg + n, more, sizeof e->msg - n);
}

static int reject(ctx *c, const char *file, uint64_t line, const char *fieldname, const char *fmt, const char *arg) {
    pu_err e;
    char where[PU_ERR_WHERE_MAX];
    snprintf(where, sizeof where, "%s:%llu", file, (unsigned long long)line);
    pu_fail(&e, PU_ERR_INVALID, where, fieldname, fmt, arg ? arg : "");
    if (c->opts && c->opts->strict) {
        if (c->err) *c->err = e;
        return PU_ERR_INVALID;
    }
    store_summary_note(c->sum, &e, 1);
    return PU_OK;
}

static void warn(ctx *c, const char *file, uint64_t line, const char *fieldname, const char *fmt, const char *arg) {
    pu_err e;
    char where[PU_ERR_WHERE_MAX];
    snprintf(where, sizeof where, "%s:%llu", file, (unsigned long long)line);
    pu_fail(&e, PU_ERR_INVALID, where, fieldname, fmt, arg ? arg : "");
    store_summary_note(c->sum, &e, 0);
}

typedef int (*row_fn)(ctx *c, const pu_csv_row *row, const char *file);

/* Read every row of dir/name with fn. Reader-level errors (bad quoting,
 * oversized record) are rejects like any other bad row. */
static int read_file(ctx *c, const char *name, int optional, row_fn fn) {
    char path[4200];
    if (pu_snprintf(path, sizeof path, "%s/%s", c->dir, name))
        return pu_fail(c->err, PU_ERR_LIMIT, c->dir, NULL, "directory path too long");
    if (optional && pu_file_size(path) == 0) {
        FILE *f = fopen(path, "rb");
        if (!f) return PU_OK;
        fclose(f);
    }
    pu_csv *r;
    pu_csv_opts o = {.delim = ',', .max_record = PU_IO_DEFAULT_MAX_RECORD, .max_fields = 64, .check_utf8 = 1};
    int rc = pu_csv_open(path, &o, &r, c->err);
    if (rc) return rc;
    for (;;) {
        const pu_csv_row *row;
        pu_err e;
        pu_err_clear(&e);
        rc = pu_csv_next(r, &row, &e);
        if (rc == PU_OK && !row) break;
        if (rc && pu_csv_fatal(r) && !pu_csv_truncated(r)) { /* e.g. ';' as delimiter */
            if (c->err) *c->err = e;
            rc = PU_ERR_INVALID;
            break;
        }
        if (rc && pu_csv_truncated(r) && !(c->opts && c->opts->force)) {
            /* a cut-off file is not a list with fewer entries: refuse it all */
            if (c->err) {
                *c->err = e;
                pu_strlcat_msg(c->err, " (--force imports it anyway)");
            }
            rc = PU_ERR_INVALID;
            break;
        }
        if (rc == PU_ERR_INVALID || rc == PU_ERR_LIMIT) {
            c->sum->read++;
            if (c->opts && c->opts->strict) {
                if (c->err) *c->err = e;
                break;
            }
            store_summary_note(c->sum, &e, 1);
            rc = PU_OK;
            continue;
        }
        if (rc) {
            if (c->err) *c->err = e;
            break;
        }
        c->sum->read++;
        if ((rc = fn(c, row, name))) break;
    }
    pu_csv_close(r);
    return rc;
}

static sdn *find_sdn(ctx *c, int64_t ent) {
    size_t lo = 0, hi = c->n;
    while (lo < hi) { /* rows are kept sorted by ent_num (see sdn_row) */
        size_t mid = (lo + hi) / 2;
        if (c->rows[mid].ent == ent) return &c->rows[mid];
        if (c->rows[mid].ent < ent) lo = mid + 1;
        else hi = mid;
    }
    return NULL;
}

static int sdn_cmp(const void *a, const void *b) {
    int64_t x = ((const sdn *)a)->ent, y = ((const sdn *)b)->ent;
    return x < y ? -1 : x > y;
}

static int sdn_row(ctx *c, const pu_csv_row *row, const char *file) {
    char nbuf[32];
    if (row->n != SDN_FIELDS) {
        snprintf(nbuf, sizeof nbuf, "%zu", row->n);
        return reject(c, file, row->line, NULL, "expected 12 fields (ent_num ... Remarks), got %s", nbuf);
    }
    sdn s = {0};
    s.line = row->line;
    for (int i = 0; i < SDN_FIELDS; i++) s.f[i] = field(row, (size_t)i);
    int rc = PU_OK;
    const char *t = s.f[F_TYPE];
    if (parse_ent(s.f[F_ENT], &s.ent))
        rc = reject(c, file, row->line, "ent_num", "expected a positive integer, got '%s'", s.f[F_ENT]);
    else if (!s.f[F_NAME]) rc = reject(c, file, row->line, "SDN_Name", "expected a name%s", NULL);
    else if (t && strcmp(t, "individual") && strcmp(t, "vessel") && strcmp(t, "aircraft"))
        rc = reject(c, file, row->line, "SDN_Type", "expected individual, vessel, aircraft or -0-, got '%s'", t);
    else if (c->n && c->rows[c->n - 1].ent >= s.ent && find_sdn(c, s.ent))
        rc = reject(c, file, row->line, "ent_num", "duplicate ent_num %s", s.f[F_ENT]);
    else {
        if (c->n == c->cap) {
            size_t nc = c->cap ? c->cap * 2 : 1024;
            sdn *nr = realloc(c->rows, nc * sizeof *nr);
            if (!nr) {
                free_fields(s.f, SDN_FIELDS);
                return pu_fail(c->err, PU_ERR_NOMEM, file, NULL, "out of memory");
            }
            c->rows = nr;
            c->cap = nc;
        }
        int sorted = !c->n || c->rows[c->n - 1].ent < s.ent;
        c->rows[c->n++] = s;
        if (!sorted) qsort(c->rows, c->n, sizeof *c->rows, sdn_cmp); /* rare: exports are sorted */
        return PU_OK;
    }
    free_fields(s.f, SDN_FIELDS);
    return rc;
}

static sdn *owner_row(ctx *c, const pu_csv_row *row, const char *file, size_t nfields, int *rc) {
    char nbuf[32];
    *rc = PU_OK;
    if (row->n != nfields) {
        snprintf(nbuf, sizeof nbuf, "%zu", row->n);
        *rc = reject(c, file, row->line, NULL, "unexpected number of fields: %s", nbuf);
        return NULL;
    }
    char *ent = field(row, 0);
    int64_t id;
    sdn *s = NULL;
    if (parse_ent(ent, &id)) *rc = reject(c, file, row->line, "ent_num", "expected a positive integer, got '%s'", ent);
    else if (!(s = find_sdn(c, id)))
        *rc = reject(c, file, row->line, "ent_num", "%s is not an entry of sdn.csv", ent);
    free(ent);
    return s;
}

static int alt_row(ctx *c, const pu_csv_row *row, const char *file) {
    int rc;
    sdn *s = owner_row(c, row, file, 5, &rc);
    if (!s) return rc;
    char *type = field(row, 2), *name = field(row, 3);
    if (!name || !type || (strcmp(type, "aka") && strcmp(type, "fka") && strcmp(type, "nka"))) {
        rc = !name ? reject(c, file, row->line, "alt_name", "expected a name%s", NULL)
                   : reject(c, file, row->line, "alt_type", "expected aka, fka or nka, got '%s'", type);
        free(type);
        free(name);
        return rc;
    }
    if (s->nalts == s->alts_cap) {
        size_t nc = s->alts_cap ? s->alts_cap * 2 : 4;
        alt_name *na = realloc(s->alts, nc * sizeof *na);
        if (!na) {
            free(type);
            free(name);
            return pu_fail(c->err, PU_ERR_NOMEM, file, NULL, "out of memory");
        }
        s->alts = na;
        s->alts_cap = nc;
    }
    s->alts[s->nalts++] = (alt_name){type, name};
    return PU_OK;
}

static int add_row(ctx *c, const pu_csv_row *row, const char *file) {
    int rc;
    sdn *s = owner_row(c, row, file, 6, &rc);
    if (!s) return rc;
    char *num = field(row, 1);
    address a = {0};
    a.line = row->line;
    if (parse_ent(num, &a.num)) {
        rc = reject(c, file, row->line, "add_num", "expected a positive integer, got '%s'", num);
        free(num);
        return rc;
    }
    free(num);
    a.street = field(row, 2);
    a.city = field(row, 3);
    a.country = field(row, 4);
    a.remarks = field(row, 5);
    if (s->nadds == s->adds_cap) {
        size_t nc = s->adds_cap ? s->adds_cap * 2 : 2;
        address *na = realloc(s->adds, nc * sizeof *na);
        if (!na) {
            free(a.street), free(a.city), free(a.country), free(a.remarks);
            return pu_fail(c->err, PU_ERR_NOMEM, file, NULL, "out of memory");
        }
        s->adds = na;
        s->adds_cap = nc;
    }
    s->adds[s->nadds++] = a;
    return PU_OK;
}

/* sdn_comments.csv continues a Remarks text that sdn.csv cut off. */
static int comment_row(ctx *c, const pu_csv_row *row, const char *file) {
    int rc;
    sdn *s = owner_row(c, row, file, 2, &rc);
    if (!s) return rc;
    char *more = field(row, 1);
    if (!more) return PU_OK;
    pu_buf b = PU_BUF_INIT(1u << 20);
    rc = pu_buf_puts(&b, s->f[F_REMARKS] ? s->f[F_REMARKS] : "");
    if (!rc) rc = pu_buf_puts(&b, more);
    free(more);
    if (rc) {
        pu_buf_free(&b);
        return rc == PU_ERR_LIMIT ? reject(c, file, row->line, "Remarks", "remarks longer than 1 MiB%s", NULL)
                                  : pu_fail(c->err, PU_ERR_NOMEM, file, NULL, "out of memory");
    }
    free(s->f[F_REMARKS]);
    s->f[F_REMARKS] = pu_buf_detach(&b);
    return PU_OK;
}

/* ---- name index for "Linked To:" ---- */

static int name_cmp(const void *a, const void *b) {
    return strcmp(((const name_ref *)a)->name, ((const name_ref *)b)->name);
}

static int build_names(ctx *c) {
    size_t total = c->n;
    for (size_t i = 0; i < c->n; i++) total += c->rows[i].nalts;
    c->names = malloc((total ? total : 1) * sizeof *c->names);
    if (!c->names) return pu_fail(c->err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    for (size_t i = 0; i < c->n; i++) {
        c->names[c->nnames++] = (name_ref){c->rows[i].f[F_NAME], c->rows[i].ent, 1};
        for (size_t k = 0; k < c->rows[i].nalts; k++)
            c->names[c->nnames++] = (name_ref){c->rows[i].alts[k].name, c->rows[i].ent, 0};
    }
    qsort(c->names, c->nnames, sizeof *c->names, name_cmp);
    return PU_OK;
}

/* The entry a name designates: a unique primary name wins, else a unique
 * alias. 0 when unknown or ambiguous. */
static int64_t resolve_exact(ctx *c, const char *name) {
    name_ref key = {name, 0, 0};
    name_ref *hit = bsearch(&key, c->names, c->nnames, sizeof key, name_cmp);
    if (!hit) return 0;
    while (hit > c->names && strcmp(hit[-1].name, name) == 0) hit--;
    int64_t prim = 0, any = 0;
    int nprim = 0, nany = 0;
    for (; hit < c->names + c->nnames && strcmp(hit->name, name) == 0; hit++) {
        if (hit->primary && hit->ent != prim) prim = hit->ent, nprim++;
        if (hit->ent != any) any = hit->ent, nany++;
    }
    if (nprim == 1) return prim;
    return nany == 1 ? any : 0;
}

static int64_t resolve(ctx *c, const char *name) {
    int64_t ent = resolve_exact(c, name);
    if (!ent) { /* the remarks parser dropped a final "." that may belong to "S.A." */
        char buf[1024];
        if (pu_snprintf(buf, sizeof buf, "%s.", name) == PU_OK) ent = resolve_exact(c, buf);
    }
    return ent;
}

/* ---- writing ---- */

static int remember(ctx *c, const char *id) {
    if (c->nwritten == c->written_cap) {
        size_t nc = c->written_cap ? c->written_cap * 2 : 4096;
        char **nw = realloc(c->written, nc * sizeof *nw);
        if (!nw) return PU_ERR_NOMEM;
        c->written = nw;
        c->written_cap = nc;
    }
    if (!(c->written[c->nwritten] = pu_strdup(id))) return PU_ERR_NOMEM;
    c->nwritten++;
    return PU_OK;
}

static int new_entity(const char *id, const char *schema, ftm_entity **out, pu_err *err) {
    int rc = ftm_entity_new(id, schema, out, err);
    if (rc) return rc;
    if (ftm_entity_set(&(*out)->owner, OFAC_OWNER) || ftm_entity_set(&(*out)->marking, STORE_LIST_MARKING) ||
        ftm_entity_add_dataset(*out, OFAC_DATASET)) {
        ftm_entity_free(*out);
        *out = NULL;
        return pu_fail(err, PU_ERR_NOMEM, id, NULL, "out of memory");
    }
    return PU_OK;
}

/* Write e (then free it) and remember its id. */
static int emit(ctx *c, ftm_entity *e) {
    int rc = store_summary_put(c->st, e, 0, c->sum, c->err);
    if (!rc && remember(c, e->id)) rc = pu_fail(c->err, PU_ERR_NOMEM, e->id, NULL, "out of memory");
    ftm_entity_free(e);
    return rc;
}

#define NO_PROP (-1)

/* Add a value if the schema has the property; NO_PROP if it does not.
 * Values failing validation (over-long, bad UTF-8) are an error. */
static int add_if(ftm_entity *e, const char *prop, const char *value, pu_err *err) {
    if (!value) return PU_OK;
    if (ftm_schema_prop_type(ftm_schema_get(e->schema), prop) < 0) return NO_PROP;
    return ftm_entity_add(e, prop, value, err);
}

static const char *schema_of(const sdn *s) {
    const char *t = s->f[F_TYPE];
    if (!t) return "Organization";
    if (strcmp(t, "individual") == 0) return "Person";
    if (strcmp(t, "vessel") == 0) return "Vessel";
    return "Airplane";
}

/* "SURNAME(S), Given names" -> lastName / firstName. */
static int person_names(ftm_entity *e, const char *name, pu_err *err) {
    const char *comma = strstr(name, ", ");
    if (!comma) return PU_OK;
    char *last = pu_strndup(name, (size_t)(comma - name));
    int rc = last ? ftm_entity_add(e, "lastName", last, err) : PU_ERR_NOMEM;
    if (!rc) rc = ftm_entity_add(e, "firstName", comma + 2, err);
    free(last);
    return rc;
}

static int add_note(ftm_entity *e, const char *label, const char *value, pu_err *err) {
    char buf[4096];
    if (!value) return PU_OK;
    if (pu_snprintf(buf, sizeof buf, "%s: %s", label, value)) return ftm_entity_add(e, "notes", value, err);
    return ftm_entity_add(e, "notes", buf, err);
}

/* The id of the entry `name` designates, into id; 0 when none. Only an
 * unresolved "Linked To" is a warning: vessel owners and aircraft operators
 * are free text that often names no listed party (they stay in notes). */
static int party_id(ctx *c, const sdn *s, const char *name, const char *what, char *id, size_t size) {
    int64_t ent = resolve(c, name);
    if (!ent && strcmp(what, "Linked To") == 0) {
        warn(c, "sdn.csv", s->line, what, "'%s' names no entry of the list (kept in notes)", name);
    }
    if (!ent) return 0;
    snprintf(id, size, "ofac-%lld", (long long)ent);
    return 1;
}

/* The columns of sdn.csv beyond the name; what the schema cannot hold goes
 * to notes with its label. */
static int map_columns(ctx *c, const sdn *s, ftm_entity *e) {
    int rc = PU_OK;
    pu_err *err = c->err;
    if (strcmp(e->schema, "Person") == 0) rc = person_names(e, s->f[F_NAME], err);
    struct { int f; const char *prop, *label; } cols[] = {
        {F_TITLE, "position", "Title"}, {F_CALLSIGN, "callSign", "Call Sign"}, {F_VTYPE, "type", "Vessel Type"},
        {F_TONNAGE, "tonnage", "Tonnage"}, {F_GRT, "grossRegisteredTonnage", "GRT"}};
    for (size_t i = 0; i < sizeof cols / sizeof cols[0] && !rc; i++) {
        rc = add_if(e, cols[i].prop, s->f[cols[i].f], err);
        if (rc == NO_PROP) rc = add_note(e, cols[i].label, s->f[cols[i].f], err);
    }
    if (!rc && s->f[F_FLAG]) {
        const char *code = ofac_country_code(s->f[F_FLAG]);
        if (!code && !ofac_country_none(s->f[F_FLAG]))
            warn(c, "sdn.csv", s->line, "Vess_flag", "unknown country '%s' (kept in notes)", s->f[F_FLAG]);
        rc = code ? add_if(e, "flag", code, err) : NO_PROP;
        if (rc == NO_PROP) rc = add_note(e, "Flag", s->f[F_FLAG], err);
    }
    if (!rc && s->f[F_OWNER]) {
        char id[ID_MAX];
        if (party_id(c, s, s->f[F_OWNER], "Vess_owner", id, sizeof id)) rc = add_if(e, "owner", id, err);
        if (rc == NO_PROP) rc = PU_OK;
        if (!rc) rc = add_note(e, "Owner", s->f[F_OWNER], err);
    }
    return rc;
}

static int map_alts(const sdn *s, ftm_entity *e, pu_err *err) {
    int rc = PU_OK;
    for (size_t i = 0; i < s->nalts && !rc; i++) {
        const char *t = s->alts[i].type;
        const char *prop = strcmp(t, "aka") == 0 ? "alias" : strcmp(t, "fka") == 0 ? "previousName" : "name";
        rc = ftm_entity_add(e, prop, s->alts[i].name, err);
    }
    return rc;
}

static int make_identification(ctx *c, const ftm_entity *holder, const ofac_fact *f, int k) {
    char id[ID_MAX];
    (void)pu_snprintf(id, sizeof id, "%s-id-%d", holder->id, k);
    ftm_entity *d;
    int rc = new_entity(id, "Identification", &d, c->err);
    if (rc) return rc;
    rc = ftm_entity_add(d, "holder", holder->id, c->err);
    if (!rc) rc = ftm_entity_add(d, "type", f->doc, c->err);
    if (!rc) rc = ftm_entity_add(d, "number", f->value, c->err);
    if (!rc) rc = ftm_entity_add(d, "country", f->country, c->err);
    if (!rc) rc = ftm_entity_add(d, "startDate", f->issued, c->err);
    if (!rc) rc = ftm_entity_add(d, "endDate", f->expires, c->err);
    if (rc) {
        ftm_entity_free(d);
        return rc;
    }
    return emit(c, d);
}

static int make_link(ctx *c, const sdn *s, const ftm_entity *subject, const char *object, int k) {
    char id[ID_MAX];
    (void)pu_snprintf(id, sizeof id, "%s-link-%d", subject->id, k);
    ftm_entity *l;
    int rc = new_entity(id, "UnknownLink", &l, c->err);
    if (rc) return rc;
    rc = ftm_entity_add(l, "subject", subject->id, c->err);
    if (!rc) rc = ftm_entity_add(l, "object", object, c->err);
    if (!rc) rc = ftm_entity_add(l, "role", "Linked To", c->err);
    (void)s;
    if (rc) {
        ftm_entity_free(l);
        return rc;
    }
    return emit(c, l);
}

/* Remarks: facts onto e and the sanction; documents and links as entities. */
static int map_remarks(ctx *c, const sdn *s, ftm_entity *e, ftm_entity *sanction) {
    const char *text = s->f[F_REMARKS];
    if (!text) return PU_OK;
    int rc = ftm_entity_add(e, "notes", text, c->err);
    ofac_remarks *r = NULL;
    if (!rc) rc = ofac_remarks_parse(text, &r, c->err);
    int ndoc = 0, nlink = 0;
    for (size_t i = 0; r && i < r->n && !rc; i++) {
        const ofac_fact *f = &r->facts[i];
        char id[ID_MAX];
        switch (f->kind) {
        case OFAC_FACT_PROP:
            rc = add_if(e, f->prop, f->value, c->err);
            if (rc == NO_PROP) rc = PU_OK; /* e.g. a DOB on a vessel: stays in notes */
            break;
        case OFAC_FACT_DOC:
            rc = add_if(e, f->prop, f->value, c->err);
            if (rc == NO_PROP) rc = PU_OK;
            if (!rc) rc = make_identification(c, e, f, ++ndoc);
            break;
        case OFAC_FACT_PROVISION: rc = ftm_entity_add(sanction, "provisions", f->value, c->err); break;
        case OFAC_FACT_LINK:
            if (!party_id(c, s, f->value, f->prop ? f->prop : "Linked To", id, sizeof id)) break;
            if (!f->prop) rc = make_link(c, s, e, id, ++nlink);
            else if ((rc = add_if(e, f->prop, id, c->err)) == NO_PROP) rc = PU_OK;
            break;
        }
    }
    ofac_remarks_free(r);
    return rc;
}

static int map_addresses(ctx *c, const sdn *s, ftm_entity *e) {
    int rc = PU_OK;
    for (size_t i = 0; i < s->nadds && !rc; i++) {
        const address *a = &s->adds[i];
        if (!a->street && !a->city && !a->country) continue; /* an empty address row says nothing */
        const char *code = ofac_country_code(a->country);
        if (a->country && !code && !ofac_country_none(a->country))
            warn(c, "add.csv", a->line, "Country", "unknown country '%s' (kept in the full address)", a->country);
        pu_buf full = PU_BUF_INIT(1u << 16);
        const char *parts[] = {a->street, a->city, a->country};
        for (int k = 0; k < 3; k++)
            if (parts[k]) (void)pu_buf_printf(&full, "%s%s", full.len ? ", " : "", parts[k]);
        char id[ID_MAX];
        snprintf(id, sizeof id, "ofac-addr-%lld", (long long)a->num);
        ftm_entity *ad;
        rc = new_entity(id, "Address", &ad, c->err);
        if (!rc) {
            rc = ftm_entity_add(ad, "full", pu_buf_str(&full), c->err);
            if (!rc) rc = ftm_entity_add(ad, "street", a->street, c->err);
            if (!rc) rc = ftm_entity_add(ad, "city", a->city, c->err);
            if (!rc) rc = ftm_entity_add(ad, "country", code, c->err);
            if (!rc) rc = ftm_entity_add(ad, "remarks", a->remarks, c->err);
            if (!rc) rc = ftm_entity_add(e, "addressEntity", id, c->err);
            if (!rc) rc = ftm_entity_add(e, "address", pu_buf_str(&full), c->err);
            if (!rc) rc = ftm_entity_add(e, "country", code, c->err);
            if (rc) ftm_entity_free(ad);
            else rc = emit(c, ad);
        }
        pu_buf_free(&full);
    }
    return rc;
}

static int make_sanction(const sdn *s, const char *entity_id, const char *url, ftm_entity **out, pu_err *err) {
    char id[ID_MAX];
    (void)pu_snprintf(id, sizeof id, "%s-sanction", entity_id);
    int rc = new_entity(id, "Sanction", out, err);
    if (rc) return rc;
    ftm_entity *x = *out;
    rc = ftm_entity_add(x, "entity", entity_id, err);
    if (!rc) rc = ftm_entity_add(x, "authority", AUTHORITY, err);
    if (!rc) rc = ftm_entity_add(x, "country", "us", err);
    if (!rc) rc = ftm_entity_add(x, "sourceUrl", url, err);
    if (!rc) rc = ftm_entity_add(x, "recordId", s->f[F_ENT], err);
    return rc;
}

/* Programs: "SDNTK] [ILLICIT-DRUGS-EO14059" -> each code, on the entity and its sanction. */
static int map_programs(const sdn *s, ftm_entity *e, ftm_entity *sanction, pu_err *err) {
    const char *p = s->f[F_PROGRAM];
    int rc = PU_OK;
    while (p && *p && !rc) {
        while (*p == '[' || *p == ']' || *p == ' ') p++;
        const char *end = strstr(p, "] [");
        size_t n = end ? (size_t)(end - p) : strlen(p);
        while (n && (p[n - 1] == ']' || p[n - 1] == ' ')) n--;
        char *code = pu_strndup(p, n);
        if (!code) return PU_ERR_NOMEM;
        if (*code) {
            rc = ftm_entity_add(e, "program", code, err);
            if (!rc) rc = ftm_entity_add(sanction, "program", code, err);
        }
        free(code);
        p = end ? end + 3 : NULL;
    }
    return rc;
}

static int write_one(ctx *c, const sdn *s) {
    char id[ID_MAX], url[128];
    snprintf(id, sizeof id, "ofac-%lld", (long long)s->ent);
    snprintf(url, sizeof url, SOURCE_URL "%lld", (long long)s->ent);
    ftm_entity *e = NULL, *sanction = NULL;
    int rc = new_entity(id, schema_of(s), &e, c->err);
    if (!rc) rc = ftm_entity_add(e, "name", s->f[F_NAME], c->err);
    if (!rc) rc = ftm_entity_add(e, "topics", "sanction", c->err);
    if (!rc) rc = ftm_entity_add(e, "sourceUrl", url, c->err);
    if (!rc) rc = make_sanction(s, id, url, &sanction, c->err);
    if (!rc) rc = map_programs(s, e, sanction, c->err);
    if (!rc) rc = map_alts(s, e, c->err);
    if (!rc) rc = map_columns(c, s, e);
    if (!rc) rc = map_addresses(c, s, e);
    if (!rc) rc = map_remarks(c, s, e, sanction);
    if (!rc) {
        rc = emit(c, e);
        e = NULL;
    }
    if (!rc) {
        rc = emit(c, sanction);
        sanction = NULL;
    }
    ftm_entity_free(e);
    ftm_entity_free(sanction);
    if (rc && c->err && !strchr(c->err->where, ':')) {
        char where[PU_ERR_WHERE_MAX];
        snprintf(where, sizeof where, "sdn.csv:%llu", (unsigned long long)s->line);
        pu_strlcpy(c->err->where, where, sizeof c->err->where);
    }
    return rc;
}

static int strp_cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Refuse an export that would delist a large share of the dataset: it is
 * far more likely cut off or incomplete than a real update. */
static int check_shrink(ctx *c, char **old, size_t nold) {
    if (c->opts && c->opts->force) return PU_OK;
    size_t gone = 0;
    for (size_t i = 0; i < nold; i++)
        if (!bsearch(&old[i], c->written, c->nwritten, sizeof *c->written, strp_cmp)) gone++;
    if (gone < OFAC_SHRINK_MIN_REMOVED || (double)gone <= OFAC_SHRINK_MAX_FRACTION * (double)nold) return PU_OK;
    return pu_fail(c->err, PU_ERR_INVALID, c->dir, NULL,
                   "this export would remove %zu of the %zu entities of %s (more than %.0f%%): it looks truncated "
                   "or incomplete (check the files, or use --force if OFAC really delisted them)",
                   gone, nold, OFAC_DATASET, OFAC_SHRINK_MAX_FRACTION * 100);
}

/* Entities of the dataset that this export no longer has were delisted. */
static int remove_delisted(ctx *c) {
    char **old;
    size_t nold;
    int rc = store_dataset_ids(c->st, OFAC_DATASET, &old, &nold, c->err);
    if (rc) return rc;
    if (c->nwritten) qsort(c->written, c->nwritten, sizeof *c->written, strp_cmp);
    rc = check_shrink(c, old, nold);
    for (size_t i = 0; i < nold; i++) {
        if (!rc && !bsearch(&old[i], c->written, c->nwritten, sizeof *c->written, strp_cmp)) {
            rc = store_delete(c->st, old[i], c->err);
            if (!rc) c->sum->removed++;
        }
        free(old[i]);
    }
    free(old);
    return rc;
}

static void ctx_free(ctx *c) {
    for (size_t i = 0; i < c->n; i++) {
        sdn *s = &c->rows[i];
        free_fields(s->f, SDN_FIELDS);
        for (size_t k = 0; k < s->nalts; k++) free(s->alts[k].type), free(s->alts[k].name);
        for (size_t k = 0; k < s->nadds; k++)
            free(s->adds[k].street), free(s->adds[k].city), free(s->adds[k].country), free(s->adds[k].remarks);
        free(s->alts);
        free(s->adds);
    }
    free(c->rows);
    free(c->names);
    for (size_t i = 0; i < c->nwritten; i++) free(c->written[i]);
    free(c->written);
}

static int write_all(ctx *c) {
    int rc = store_begin(c->st, c->err);
    if (rc) return rc;
    pu_progress prog;
    pu_progress_start(&prog, "import ofac", c->n);
    for (size_t i = 0; i < c->n && !rc; i++) {
        rc = write_one(c, &c->rows[i]);
        pu_progress_tick(&prog, i + 1, i + 1);
    }
    if (!rc && !(c->opts && c->opts->keep_delisted)) rc = remove_delisted(c);
    if (rc) {
        store_rollback(c->st);
        return rc;
    }
    rc = store_commit(c->st, c->err);
    pu_progress_end(&prog, c->n);
    return rc;
}

int ofac_import_dir(store_t *st, const char *dir, const ofac_import_opts *opts, store_summary *sum, pu_err *err) {
    ctx c = {0};
    c.st = st;
    c.opts = opts;
    c.sum = sum;
    c.err = err;
    if (pu_strlcpy(c.dir, dir, sizeof c.dir) >= sizeof c.dir)
        return pu_fail(err, PU_ERR_LIMIT, NULL, "dir", "directory path too long");
    int rc = read_file(&c, "sdn.csv", 0, sdn_row);
    if (!rc) rc = read_file(&c, "alt.csv", 0, alt_row);
    if (!rc) rc = read_file(&c, "add.csv", 0, add_row);
    if (!rc) rc = read_file(&c, "sdn_comments.csv", 1, comment_row);
    if (!rc && c.n == 0) rc = pu_fail(err, PU_ERR_INVALID, dir, "sdn.csv", "no entries: is this an OFAC export?");
    if (!rc) rc = build_names(&c);
    if (!rc) rc = write_all(&c);
    sum->seconds = pu_monotonic() - sum->start;
    ctx_free(&c);
    return rc;
}
