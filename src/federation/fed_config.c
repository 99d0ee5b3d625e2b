/*
 * fed_config.c - the federation config file (federation.h; the format is in
 * docs/federation.md "Config file"). Outside input: every value is checked
 * before it reaches SQL (names become identifiers, URIs a quoted literal).
 */
#include "federation/federation.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int bad(pu_err *err, const char *where, const char *field, const char *msg, const char *got) {
    return pu_fail(err, PU_ERR_INVALID, where, field, "%s%s%.60s%s", msg, got ? ", got '" : "", got ? got : "",
                   got ? "'" : "");
}

/* A node name: the rule of store_node_set (it names publications too). */
static int name_ok(const char *s) {
    size_t n = strlen(s);
    if (n == 0 || n > 20) return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_')) return 0;
    return 1;
}

/* A PostgreSQL URI that can be written as a SQL string literal and a libpq
 * connection string: the scheme, then no quote, backslash, space or
 * control character. */
static int uri_ok(const char *s) {
    if (strncmp(s, "postgresql://", 13) != 0 && strncmp(s, "postgres://", 11) != 0) return 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= ' ' || *p == '\'' || *p == '"' || *p == '\\' || *p == 0x7f) return 0;
    return 1;
}

static int str_member(json_t *o, const char *key, int required, char *out, size_t size, const char *where,
                      const char *field, pu_err *err) {
    json_t *v = json_object_get(o, key);
    if (!v) return required ? bad(err, where, field, "is required", NULL) : PU_OK;
    if (!json_is_string(v)) return bad(err, where, field, "expected a string", NULL);
    const char *s = json_string_value(v);
    if (strlen(s) >= size)
        return pu_fail(err, PU_ERR_LIMIT, where, field, "longer than %zu bytes", size - 1);
    pu_strlcpy(out, s, size);
    return PU_OK;
}

static int parse_node(json_t *o, int i, const char *where, fed_node_conf *n, pu_err *err) {
    char field[64];
    if (!json_is_object(o)) {
        snprintf(field, sizeof field, "nodes[%d]", i);
        return bad(err, where, field, "expected an object", NULL);
    }
    static const char *const keys[] = {"name", "country", "uri", "peer_uri"};
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v) {
        size_t k = 0;
        while (k < 4 && strcmp(key, keys[k]) != 0) k++;
        snprintf(field, sizeof field, "nodes[%d].%.30s", i, key);
        if (k == 4) return bad(err, where, field, "unknown key; expected name, country, uri or peer_uri", NULL);
    }
    int rc;
    snprintf(field, sizeof field, "nodes[%d].name", i);
    if ((rc = str_member(o, "name", 1, n->name, sizeof n->name, where, field, err))) return rc;
    if (!name_ok(n->name)) return bad(err, where, field, "expected 1 to 20 of a-z, 0-9 and _", n->name);
    snprintf(field, sizeof field, "nodes[%d].country", i);
    if ((rc = str_member(o, "country", 1, n->country, sizeof n->country, where, field, err))) return rc;
    if (strcmp(n->country, "US") != 0 && strcmp(n->country, "MX") != 0)
        return bad(err, where, field, "expected US or MX", n->country);
    snprintf(field, sizeof field, "nodes[%d].uri", i);
    if ((rc = str_member(o, "uri", 1, n->uri, sizeof n->uri, where, field, err))) return rc;
    if (!uri_ok(n->uri))
        return bad(err, where, field, "expected a postgresql:// URI without quotes, backslashes or spaces", NULL);
    snprintf(field, sizeof field, "nodes[%d].peer_uri", i);
    if ((rc = str_member(o, "peer_uri", 0, n->peer_uri, sizeof n->peer_uri, where, field, err))) return rc;
    if (!n->peer_uri[0]) pu_strlcpy(n->peer_uri, n->uri, sizeof n->peer_uri);
    else if (!uri_ok(n->peer_uri))
        return bad(err, where, field, "expected a postgresql:// URI without quotes, backslashes or spaces", NULL);
    return PU_OK;
}

static int parse_root(json_t *root, const char *where, fed_config *out, pu_err *err) {
    if (!json_is_object(root)) return bad(err, where, NULL, "expected a JSON object with \"nodes\"", NULL);
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v) {
        if (strcmp(key, "nodes") != 0) return bad(err, where, key, "unknown key; expected nodes", NULL);
    }
    json_t *nodes = json_object_get(root, "nodes");
    if (!json_is_array(nodes) || json_array_size(nodes) != FED_NODES)
        return bad(err, where, "nodes", "expected an array of two nodes (US and MX)", NULL);
    for (int i = 0; i < FED_NODES; i++) {
        int rc = parse_node(json_array_get(nodes, (size_t)i), i, where, &out->node[i], err);
        if (rc) return rc;
    }
    if (strcmp(out->node[0].country, out->node[1].country) == 0)
        return bad(err, where, "nodes[1].country", "the two nodes must be of different countries", out->node[1].country);
    if (strcmp(out->node[0].name, out->node[1].name) == 0)
        return bad(err, where, "nodes[1].name", "the two nodes must have different names", out->node[1].name);
    return PU_OK;
}

int fed_config_parse(const char *text, size_t len, const char *where, fed_config *out, pu_err *err) {
    memset(out, 0, sizeof *out);
    if (len > FED_CONFIG_MAX_BYTES)
        return pu_fail(err, PU_ERR_LIMIT, where, NULL, "a federation config is at most %zu bytes", FED_CONFIG_MAX_BYTES);
    json_error_t je;
    json_t *root = json_loadb(text ? text : "", len, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        char at[PU_ERR_WHERE_MAX];
        snprintf(at, sizeof at, "%.200s:%d", where ? where : "config", je.line);
        return pu_fail(err, PU_ERR_INVALID, at, NULL, "not valid JSON: %.200s", je.text);
    }
    int rc = parse_root(root, where, out, err);
    json_decref(root);
    if (rc) memset(out, 0, sizeof *out);
    return rc;
}

int fed_config_load(const char *path, fed_config *out, pu_err *err) {
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "rb");
    if (!f) return pu_fail(err, PU_ERR_IO, path, NULL, "cannot open the federation config");
    char *buf = malloc(FED_CONFIG_MAX_BYTES + 1); /* one byte more: a larger file is PU_ERR_LIMIT */
    if (!buf) {
        fclose(f);
        return pu_fail(err, PU_ERR_NOMEM, path, NULL, "out of memory");
    }
    size_t n = fread(buf, 1, FED_CONFIG_MAX_BYTES + 1, f);
    int rd = ferror(f);
    fclose(f);
    int rc = rd ? pu_fail(err, PU_ERR_IO, path, NULL, "cannot read the federation config")
                : fed_config_parse(buf, n, path, out, err);
    free(buf);
    return rc;
}
