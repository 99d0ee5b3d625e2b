/* ftm_entity.c - the in-memory FtM entity (see ftm.h for the invariants). */
#include "ftm/ftm.h"

#include <stdlib.h>
#include "common/pu_parse.h"
#include <string.h>

#define FTM_VALUE_MAX (64u * 1024u)

int ftm_entity_new(const char *id, const char *schema, ftm_entity **out, pu_err *err) {
    *out = NULL;
    if (!id || pu_blank(id)) return pu_fail(err, PU_ERR_INVALID, NULL, "id", "expected a non-empty entity id");
    if (strlen(id) > FTM_ID_MAX)
        return pu_fail(err, PU_ERR_LIMIT, NULL, "id", "entity id longer than %d bytes", FTM_ID_MAX);
    if (!pu_utf8_valid(id, strlen(id)))
        return pu_fail(err, PU_ERR_INVALID, NULL, "id", "entity id is not valid UTF-8");
    const ftm_schema *s = ftm_schema_get(schema);
    if (!s)
        return pu_fail(err, PU_ERR_INVALID, NULL, "schema", "unknown schema '%s' (see docs/store.md for the list)",
                       schema ? schema : "(null)");
    if (ftm_schema_abstract(s))
        return pu_fail(err, PU_ERR_INVALID, NULL, "schema", "schema '%s' is abstract; use a concrete schema",
                       schema);
    ftm_entity *e = calloc(1, sizeof *e);
    if (!e) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    e->id = pu_strdup(id);
    e->schema = pu_strdup(ftm_schema_name(s));
    if (!e->id || !e->schema) {
        ftm_entity_free(e);
        return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    *out = e;
    return PU_OK;
}

static void free_strv(char **v, size_t n) {
    for (size_t i = 0; i < n; i++) free(v[i]);
    free(v);
}

void ftm_entity_free(ftm_entity *e) {
    if (!e) return;
    for (size_t i = 0; i < e->nprops; i++) {
        free(e->props[i].name);
        free_strv(e->props[i].values, e->props[i].n);
    }
    free(e->props);
    free_strv(e->datasets, e->ndatasets);
    free(e->id);
    free(e->schema);
    free(e->first_seen);
    free(e->last_seen);
    free(e->owner);
    free(e->marking);
    free(e->caveats);
    free(e->created);
    free(e->updated);
    free(e);
}

/* Append a copy of s (length n) to a growable string vector. */
static int strv_push(char ***v, size_t *len, size_t *cap, const char *s, size_t n) {
    if (*len == *cap) {
        size_t nc = *cap ? *cap * 2 : 2;
        char **nv = realloc(*v, nc * sizeof *nv);
        if (!nv) return PU_ERR_NOMEM;
        *v = nv;
        *cap = nc;
    }
    char *copy = pu_strndup(s, n);
    if (!copy) return PU_ERR_NOMEM;
    (*v)[(*len)++] = copy;
    return PU_OK;
}

static int strv_has(char *const *v, size_t n, const char *s, size_t len) {
    for (size_t i = 0; i < n; i++)
        if (strncmp(v[i], s, len) == 0 && v[i][len] == '\0') return 1;
    return 0;
}

static ftm_prop *find_prop(const ftm_entity *e, const char *prop) {
    for (size_t i = 0; i < e->nprops; i++)
        if (strcmp(e->props[i].name, prop) == 0) return &e->props[i];
    return NULL;
}

static ftm_prop *new_prop(ftm_entity *e, const char *prop) {
    if (e->nprops == e->props_cap) {
        size_t nc = e->props_cap ? e->props_cap * 2 : 8;
        ftm_prop *np = realloc(e->props, nc * sizeof *np);
        if (!np) return NULL;
        e->props = np;
        e->props_cap = nc;
    }
    ftm_prop *p = &e->props[e->nprops];
    memset(p, 0, sizeof *p);
    p->name = pu_strdup(prop);
    if (!p->name) return NULL;
    e->nprops++;
    return p;
}

int ftm_entity_add(ftm_entity *e, const char *prop, const char *value, pu_err *err) {
    const ftm_schema *s = ftm_schema_get(e->schema);
    if (!prop || ftm_schema_prop_type(s, prop) < 0)
        return pu_fail(err, PU_ERR_INVALID, e->id, prop ? prop : "(null)",
                       "schema %s has no property '%s'", e->schema, prop ? prop : "(null)");
    if (!value) return PU_OK;
    /* FtM strips surrounding whitespace; a blank value carries no information */
    while (*value == ' ' || *value == '\t' || *value == '\n' || *value == '\r') value++;
    size_t n = strlen(value);
    while (n && (value[n - 1] == ' ' || value[n - 1] == '\t' || value[n - 1] == '\n' || value[n - 1] == '\r'))
        n--;
    if (n == 0) return PU_OK;
    if (n > FTM_VALUE_MAX)
        return pu_fail(err, PU_ERR_LIMIT, e->id, prop, "value of %zu bytes exceeds the %u-byte cap", n,
                       FTM_VALUE_MAX);
    if (!pu_utf8_valid(value, n))
        return pu_fail(err, PU_ERR_INVALID, e->id, prop, "value is not valid UTF-8");
    ftm_prop *p = find_prop(e, prop);
    if (p && strv_has(p->values, p->n, value, n)) return PU_OK;
    if (!p && !(p = new_prop(e, prop))) return pu_fail(err, PU_ERR_NOMEM, e->id, prop, "out of memory");
    if (strv_push(&p->values, &p->n, &p->cap, value, n))
        return pu_fail(err, PU_ERR_NOMEM, e->id, prop, "out of memory");
    return PU_OK;
}

const ftm_prop *ftm_entity_prop(const ftm_entity *e, const char *prop) {
    const ftm_prop *p = e && prop ? find_prop(e, prop) : NULL;
    return p && p->n ? p : NULL;
}

const char *ftm_entity_first(const ftm_entity *e, const char *prop) {
    const ftm_prop *p = ftm_entity_prop(e, prop);
    return p ? p->values[0] : NULL;
}

int ftm_entity_add_dataset(ftm_entity *e, const char *dataset) {
    if (!dataset || pu_blank(dataset)) return PU_OK;
    size_t n = strlen(dataset);
    if (strv_has(e->datasets, e->ndatasets, dataset, n)) return PU_OK;
    return strv_push(&e->datasets, &e->ndatasets, &e->datasets_cap, dataset, n);
}

int ftm_entity_set(char **field, const char *value) {
    char *copy = NULL;
    if (value && !(copy = pu_strdup(value))) return PU_ERR_NOMEM;
    free(*field);
    *field = copy;
    return PU_OK;
}

int ftm_entity_clone(const ftm_entity *e, ftm_entity **out) {
    *out = NULL;
    ftm_entity *c;
    if (ftm_entity_new(e->id, e->schema, &c, NULL)) return PU_ERR_NOMEM;
    int rc = PU_OK;
    for (size_t i = 0; i < e->nprops && !rc; i++)
        for (size_t j = 0; j < e->props[i].n && !rc; j++)
            rc = ftm_entity_add(c, e->props[i].name, e->props[i].values[j], NULL);
    for (size_t i = 0; i < e->ndatasets && !rc; i++) rc = ftm_entity_add_dataset(c, e->datasets[i]);
    if (!rc) rc = ftm_entity_set(&c->first_seen, e->first_seen);
    if (!rc) rc = ftm_entity_set(&c->last_seen, e->last_seen);
    if (!rc) rc = ftm_entity_set(&c->owner, e->owner);
    if (!rc) rc = ftm_entity_set(&c->marking, e->marking);
    if (!rc) rc = ftm_entity_set(&c->caveats, e->caveats);
    if (!rc) rc = ftm_entity_set(&c->created, e->created);
    if (!rc) rc = ftm_entity_set(&c->updated, e->updated);
    if (rc) {
        ftm_entity_free(c);
        return PU_ERR_NOMEM;
    }
    *out = c;
    return PU_OK;
}

const char *ftm_entity_caption(const ftm_entity *e) {
    /* name first; then what FtM shows for schemata that have no name */
    static const char *const fallbacks[] = {"name", "full", "number", "program", "authority",
                                            "role", "registrationNumber", "imoNumber", "serialNumber",
                                            "email", NULL};
    for (int i = 0; fallbacks[i]; i++) {
        const char *v = ftm_entity_first(e, fallbacks[i]);
        if (v) return v;
    }
    return e->id;
}

/* ---- value checks (the shared input discipline) ---- */

/* FtM's territory codes outside ISO 3166-1 (followthemoney/types/country.py):
 * sanctions data uses them, so they are accepted as they are. */
static const char *const ftm_territories[] = {
    "zz", "eu", "un", "xk", "suhh", "csxx", "yucs", "ddde", "cshh", "ge-ab", "ge-so", "iq-kr", "cy-trnc",
    "md-pmr", "ua-cri", "ua-dpr", "ua-lpr", "so-som", "az-nk", "ps-gz", "kp-nk", "gb-eng", "gb-sct", "gb-wls",
    "gb-nir", "x-ieeu", "x-ssr",
    /* ISO 3166-3 withdrawn codes still found in lists (OFAC birth countries) */
    "an", "bu", "cs", "dd", "nt", "su", "tp", "yd", "yu", "zr",
};

/* Date properties that describe the past: a value after today is a typo. */
static int past_only(const char *prop) {
    return strcmp(prop, "birthDate") == 0 || strcmp(prop, "deathDate") == 0 ||
           strcmp(prop, "incorporationDate") == 0;
}

static int check_date(const ftm_entity *e, const char *prop, const char *v, pu_err *err) {
    pu_date d;
    int rc = pu_date_parse(v, PU_DATE_PARTIAL | PU_DATE_TIME, e->id, prop, &d, err);
    if (!rc && past_only(prop)) rc = pu_date_not_future(&d, e->id, prop, err);
    return rc;
}

/* The normalised country code for v into out, or an error. */
static int check_country(const ftm_entity *e, const char *prop, const char *v, char *out, size_t size, pu_err *err) {
    for (size_t i = 0; i < sizeof ftm_territories / sizeof *ftm_territories; i++)
        if (pu_strieq(v, ftm_territories[i])) {
            pu_strlcpy(out, ftm_territories[i], size);
            return PU_OK;
        }
    char code[3];
    int rc = pu_country_parse(v, e->id, prop, code, err);
    if (!rc) pu_strlcpy(out, code, size);
    return rc;
}

/* Replace values[j] by `nv`, dropping it when the property already holds nv. */
static int replace_value(ftm_prop *p, size_t j, const char *nv) {
    for (size_t k = 0; k < p->n; k++)
        if (k != j && strcmp(p->values[k], nv) == 0) {
            free(p->values[j]);
            memmove(&p->values[j], &p->values[j + 1], (p->n - j - 1) * sizeof *p->values);
            p->n--;
            return 1; /* removed: the caller re-examines index j */
        }
    char *c = pu_strdup(nv);
    if (!c) return -1;
    free(p->values[j]);
    p->values[j] = c;
    return 0;
}

/* The first birthDate/deathDate as dates, to compare them. */
static int first_date(const ftm_entity *e, const char *prop, pu_date *d) {
    const char *v = ftm_entity_first(e, prop);
    return v && pu_date_parse(v, PU_DATE_PARTIAL | PU_DATE_TIME, NULL, NULL, d, NULL) == PU_OK;
}

int ftm_entity_check_values(ftm_entity *e, pu_err *err) {
    const ftm_schema *s = ftm_schema_get(e->schema);
    for (size_t i = 0; i < e->nprops; i++) {
        ftm_prop *p = &e->props[i];
        int type = ftm_schema_prop_type(s, p->name);
        for (size_t j = 0; j < p->n;) {
            int rc = PU_OK;
            if (type == FTM_DATE) {
                rc = check_date(e, p->name, p->values[j], err);
            } else if (type == FTM_COUNTRY) {
                char code[16];
                rc = check_country(e, p->name, p->values[j], code, sizeof code, err);
                if (!rc && strcmp(code, p->values[j]) != 0) {
                    int r = replace_value(p, j, code);
                    if (r < 0) return pu_fail(err, PU_ERR_NOMEM, e->id, p->name, "out of memory");
                    if (r == 1) continue;
                }
            }
            if (rc) return rc;
            j++;
        }
    }
    pu_date born, died;
    if (first_date(e, "birthDate", &born) && first_date(e, "deathDate", &died))
        return pu_date_order(&born, "birthDate", &died, "deathDate", e->id, err);
    return PU_OK;
}
