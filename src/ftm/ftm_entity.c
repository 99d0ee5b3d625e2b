/* ftm_entity.c - the in-memory FtM entity (see ftm.h for the invariants). */
#include "ftm/ftm.h"

#include <stdlib.h>
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
