/*
 * ftm_json.c - FtM JSON in and out.
 *
 * Output is written directly (not through a jansson tree): it is the hot path
 * of `puente export ftm` and of the store, and the entity invariants (valid
 * UTF-8, known keys) make a direct writer simple. Key order is fixed (id,
 * caption, schema, properties, datasets, first_seen, last_seen, Puente fields)
 * so an export of the same store is byte-identical.
 * Input goes through jansson.
 */
#include "ftm/ftm.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define JSON_MAX (64u * 1024u * 1024u) /* one serialised entity */

static int put_str(pu_buf *b, const char *s) {
    static const char hex[] = "0123456789abcdef";
    int rc = pu_buf_putc(b, '"');
    const char *run = s;
    for (const char *p = s; *p && !rc; p++) {
        unsigned char c = (unsigned char)*p;
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        rc = pu_buf_append(b, run, (size_t)(p - run));
        run = p + 1;
        char esc[7] = {'\\', 0, 0, 0, 0, 0, 0};
        size_t n = 2;
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        default:
            esc[1] = 'u'; esc[2] = '0'; esc[3] = '0'; esc[4] = hex[c >> 4]; esc[5] = hex[c & 15];
            n = 6;
        }
        if (!rc) rc = pu_buf_append(b, esc, n);
    }
    if (!rc) rc = pu_buf_puts(b, run);
    if (!rc) rc = pu_buf_putc(b, '"');
    return rc;
}

static int put_key(pu_buf *b, const char *key, int comma) {
    int rc = comma ? pu_buf_putc(b, ',') : PU_OK;
    if (!rc) rc = put_str(b, key);
    if (!rc) rc = pu_buf_putc(b, ':');
    return rc;
}

static int put_strv(pu_buf *b, char *const *v, size_t n) {
    int rc = pu_buf_putc(b, '[');
    for (size_t i = 0; i < n && !rc; i++) {
        if (i) rc = pu_buf_putc(b, ',');
        if (!rc) rc = put_str(b, v[i]);
    }
    if (!rc) rc = pu_buf_putc(b, ']');
    return rc;
}

static int put_opt(pu_buf *b, const char *key, const char *v) {
    if (!v) return PU_OK;
    int rc = put_key(b, key, 1);
    return rc ? rc : put_str(b, v);
}

int ftm_entity_to_json_buf(const ftm_entity *e, int with_puente, pu_buf *b) {
    int rc = pu_buf_putc(b, '{');
    if (!rc) rc = put_key(b, "id", 0);
    if (!rc) rc = put_str(b, e->id);
    if (!rc) rc = put_key(b, "caption", 1);
    if (!rc) rc = put_str(b, ftm_entity_caption(e));
    if (!rc) rc = put_key(b, "schema", 1);
    if (!rc) rc = put_str(b, e->schema);
    if (!rc) rc = put_key(b, "properties", 1);
    if (!rc) rc = pu_buf_putc(b, '{');
    int first = 1;
    for (size_t i = 0; i < e->nprops && !rc; i++) {
        if (!e->props[i].n) continue;
        rc = put_key(b, e->props[i].name, !first);
        if (!rc) rc = put_strv(b, e->props[i].values, e->props[i].n);
        first = 0;
    }
    if (!rc) rc = pu_buf_putc(b, '}');
    if (!rc) rc = put_key(b, "datasets", 1);
    if (!rc) rc = put_strv(b, e->datasets, e->ndatasets);
    if (!rc) rc = put_opt(b, "first_seen", e->first_seen);
    if (!rc) rc = put_opt(b, "last_seen", e->last_seen);
    if (with_puente) {
        if (!rc) rc = put_opt(b, "owner", e->owner);
        if (!rc) rc = put_opt(b, "marking", e->marking);
        if (!rc) rc = put_opt(b, "caveats", e->caveats);
        if (!rc) rc = put_opt(b, "created", e->created);
        if (!rc) rc = put_opt(b, "updated", e->updated);
    }
    if (!rc) rc = pu_buf_putc(b, '}');
    return rc;
}

int ftm_entity_to_json(const ftm_entity *e, int with_puente, char **out) {
    *out = NULL;
    pu_buf b = PU_BUF_INIT(JSON_MAX);
    int rc = ftm_entity_to_json_buf(e, with_puente, &b);
    if (rc) {
        pu_buf_free(&b);
        return rc;
    }
    *out = pu_buf_detach(&b);
    return *out ? PU_OK : PU_ERR_NOMEM;
}

/* ---- input ---- */

static int opt_string(json_t *root, const char *key, char **field, pu_err *err) {
    json_t *v = json_object_get(root, key);
    if (!v || json_is_null(v)) return PU_OK;
    if (!json_is_string(v)) return pu_fail(err, PU_ERR_INVALID, NULL, key, "expected a string");
    return ftm_entity_set(field, json_string_value(v)) ? pu_fail(err, PU_ERR_NOMEM, NULL, key, "out of memory")
                                                       : PU_OK;
}

static int read_values(ftm_entity *e, const char *prop, json_t *vals, pu_err *err) {
    if (json_is_string(vals)) return ftm_entity_add(e, prop, json_string_value(vals), err);
    if (!json_is_array(vals))
        return pu_fail(err, PU_ERR_INVALID, e->id, prop, "expected a list of strings");
    size_t i;
    json_t *v;
    json_array_foreach(vals, i, v) {
        if (!json_is_string(v))
            return pu_fail(err, PU_ERR_INVALID, e->id, prop, "value %zu: expected a string", i + 1);
        int rc = ftm_entity_add(e, prop, json_string_value(v), err);
        if (rc) return rc;
    }
    return PU_OK;
}

static int read_entity(json_t *root, ftm_entity **out, pu_err *err) {
    if (!json_is_object(root)) return pu_fail(err, PU_ERR_INVALID, NULL, NULL, "expected a JSON object");
    json_t *id = json_object_get(root, "id"), *schema = json_object_get(root, "schema");
    if (!json_is_string(id)) return pu_fail(err, PU_ERR_INVALID, NULL, "id", "expected a string entity id");
    if (!json_is_string(schema)) return pu_fail(err, PU_ERR_INVALID, NULL, "schema", "expected a schema name");
    ftm_entity *e;
    int rc = ftm_entity_new(json_string_value(id), json_string_value(schema), &e, err);
    if (rc) return rc;
    json_t *props = json_object_get(root, "properties");
    if (props && !json_is_null(props) && !json_is_object(props))
        rc = pu_fail(err, PU_ERR_INVALID, e->id, "properties", "expected an object of lists");
    const char *key;
    json_t *vals;
    if (json_is_object(props)) {
        json_object_foreach(props, key, vals) {
            if (rc) break;
            rc = read_values(e, key, vals, err);
        }
    }
    json_t *ds = json_object_get(root, "datasets");
    if (!rc && ds && !json_is_null(ds)) {
        if (!json_is_array(ds)) rc = pu_fail(err, PU_ERR_INVALID, e->id, "datasets", "expected a list of strings");
        size_t i;
        json_t *v;
        json_array_foreach(ds, i, v) {
            if (rc) break;
            if (!json_is_string(v)) rc = pu_fail(err, PU_ERR_INVALID, e->id, "datasets", "expected a string");
            else if (ftm_entity_add_dataset(e, json_string_value(v)))
                rc = pu_fail(err, PU_ERR_NOMEM, e->id, "datasets", "out of memory");
        }
    }
    if (!rc) rc = opt_string(root, "first_seen", &e->first_seen, err);
    if (!rc) rc = opt_string(root, "last_seen", &e->last_seen, err);
    if (!rc) rc = opt_string(root, "owner", &e->owner, err);
    if (!rc) rc = opt_string(root, "marking", &e->marking, err);
    if (!rc) rc = opt_string(root, "caveats", &e->caveats, err);
    if (!rc) rc = opt_string(root, "created", &e->created, err);
    if (!rc) rc = opt_string(root, "updated", &e->updated, err);
    if (rc) {
        ftm_entity_free(e);
        return rc;
    }
    *out = e;
    return PU_OK;
}

int ftm_entity_from_json(const char *json, size_t len, ftm_entity **out, pu_err *err) {
    *out = NULL;
    json_error_t jerr;
    /* JSON_ALLOW_NUL is off: a NUL inside a string is rejected as bad input */
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return pu_fail(err, PU_ERR_INVALID, NULL, NULL, "invalid JSON at column %d: %s", jerr.column, jerr.text);
    int rc = read_entity(root, out, err);
    json_decref(root);
    return rc;
}
