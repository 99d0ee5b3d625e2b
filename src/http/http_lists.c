/*
 * http_lists.c - the designation lists' API (src/lists, docs/lists.md):
 *   GET  /api/v1/lists/versions                 versions, newest first
 *   GET  /api/v1/lists/versions/{id}/delta      what a version changed
 *   POST /api/v1/lists/update                   fetch, validate, load (admin)
 * The thin shell: arguments, one engine call, JSON.
 */
#include <stdlib.h>
#include <string.h>

#include "http/http_int.h"
#include "lists/lists.h"

static json_t *version_json(const lists_version *v) {
    json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:b, s:I}", "id", (json_int_t)v->id, "source",
                     v->source, "dataset", v->dataset, "fetched",
                     v->fetched, "sha256", v->sha256, "entities", (json_int_t)v->entities, "added",
                     (json_int_t)v->added, "removed", (json_int_t)v->removed, "changed", (json_int_t)v->changed,
                     "forced", v->forced, "rejected", (json_int_t)v->rejected);
    if (o && v->published[0]) json_object_set_new(o, "published", json_string(v->published));
    return o;
}

static int on_version(const lists_version *v, void *ctx) {
    json_array_append_new(ctx, version_json(v));
    return 0;
}

int h_lists_versions(http_req *r) {
    static const char *const args[] = {"source", NULL};
    int rc = http_only_args(r, args);
    if (rc) return rc;
    json_t *arr = json_array();
    pu_err e;
    if ((rc = lists_versions(r->db, http_arg(r, "source"), on_version, arr, &e))) {
        json_decref(arr);
        return http_fail(r, rc, NULL, "%s", e.msg);
    }
    (void)pu_buf_printf(&r->detail, "versions=%zu", json_array_size(arr));
    return http_json(r, 200, json_pack("{s:I, s:o}", "total", (json_int_t)json_array_size(arr), "results", arr));
}

static int on_change(const lists_change *c, void *ctx) {
    json_array_append_new(ctx, json_pack("{s:s, s:s, s:s, s:s}", "entity_id", c->entity_id, "change", c->change,
                                         "schema", c->schema, "caption", c->caption));
    return 0;
}

static int positive_id(http_req *r, const char *s, const char *field, int64_t *out) {
    char *end = NULL;
    long long v = s ? strtoll(s, &end, 10) : 0;
    if (!s || !*s || *end || v <= 0)
        return http_fail(r, PU_ERR_INVALID, field, "expected a positive integer version id, got '%.64s'", s ? s : "");
    *out = v;
    return PU_OK;
}

int h_lists_delta(http_req *r) {
    static const char *const args[] = {"from", NULL};
    int rc = http_only_args(r, args);
    int64_t id = 0, from = 0;
    if (!rc) rc = positive_id(r, r->params[0], "id", &id);
    if (!rc && http_arg(r, "from")) rc = positive_id(r, http_arg(r, "from"), "from", &from);
    if (rc) return rc;
    http_target(r, r->params[0]);
    lists_version v;
    pu_err e;
    if ((rc = lists_version_get(r->db, id, &v, &e))) return http_fail(r, rc, "id", "%s", e.msg);
    if (!from && (rc = lists_version_prev(r->db, &v, &from, &e))) return http_fail(r, rc, NULL, "%s", e.msg);
    json_t *arr = json_array();
    if ((rc = lists_diff(r->db, from, id, on_change, arr, &e))) {
        json_decref(arr);
        return http_fail(r, rc, e.field[0] ? e.field : NULL, "%s", e.msg);
    }
    (void)pu_buf_printf(&r->detail, "from=%lld changes=%zu", (long long)from, json_array_size(arr));
    json_t *body = json_pack("{s:o, s:I, s:o}", "version", version_json(&v), "total",
                             (json_int_t)json_array_size(arr), "changes", arr);
    if (body && from) json_object_set_new(body, "from", json_integer((json_int_t)from));
    return http_json(r, 200, body);
}

/* One source: fetch and parse outside the transaction (a download must not
 * hold the store's write lock), then load and audit in one. */
static int update_one(http_req *r, const lists_source *src, int force, lists_version *v, pu_err *e) {
    lists_update_opts o = {force, NULL, NULL};
    lists_parsed *p = NULL;
    char sha[65];
    int rc = lists_prepare(src, &o, &p, sha, e);
    if (!rc) rc = http_store_begin(r, e);
    if (!rc) {
        rc = lists_load(r->st, src, p, sha, force, v, e);
        if (!rc) {
            http_target(r, src->name);
            (void)pu_buf_printf(&r->detail, "%s=v%lld(+%lld,-%lld,~%lld) ", src->name, (long long)v->id,
                                (long long)v->added, (long long)v->removed, (long long)v->changed);
            if (http_audit_now(r, "success") != PU_OK)
                rc = pu_fail(e, PU_ERR_DB, NULL, NULL, "the audit trail could not be written; nothing was loaded");
        }
        if (!rc) rc = store_commit(r->st, e);
        else store_rollback(r->st);
        r->audited = 0; /* each source's load is its own entry; the request's follows */
    }
    lists_parsed_free(p);
    return rc;
}

typedef struct srcs {
    lists_source *v;
    size_t n, cap;
} srcs;

static int collect(const lists_source *s, void *ctx) {
    srcs *l = ctx;
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 8;
        lists_source *nv = realloc(l->v, nc * sizeof *nv);
        if (!nv) return 1;
        l->v = nv;
        l->cap = nc;
    }
    l->v[l->n++] = *s;
    return 0;
}

int h_lists_update(http_req *r) {
    static const char *const keys[] = {"source", "force", NULL};
    json_t *o = NULL;
    int rc = r->body.len ? http_body_object(r, &o) : PU_OK;
    if (!rc && o) rc = http_only_keys(r, o, keys, NULL);
    json_t *jf = o ? json_object_get(o, "force") : NULL, *js = o ? json_object_get(o, "source") : NULL;
    if (!rc && jf && !json_is_boolean(jf)) rc = http_fail(r, PU_ERR_INVALID, "force", "expected true or false");
    if (!rc && js && !json_is_string(js)) rc = http_fail(r, PU_ERR_INVALID, "source", "expected a source name");
    srcs l = {0};
    pu_err e;
    if (!rc && js) {
        lists_source one;
        if ((rc = lists_source_get(r->db, json_string_value(js), &one, &e))) rc = http_fail(r, rc, "source", "%s", e.msg);
        else if (collect(&one, &l)) rc = http_fail(r, PU_ERR_NOMEM, NULL, "out of memory");
    } else if (!rc && (rc = lists_source_list(r->db, collect, &l, &e))) {
        rc = http_fail(r, rc, NULL, "%s", e.msg);
    }
    int force = json_is_true(jf);
    json_decref(o);
    json_t *res = rc ? NULL : json_array();
    size_t refused = 0;
    for (size_t i = 0; !rc && i < l.n; i++) {
        lists_version v;
        int u = update_one(r, &l.v[i], force, &v, &e);
        if (u && js) rc = http_fail(r, u, e.field[0] ? e.field : NULL, "%s%s%s", e.where, e.where[0] ? ": " : "", e.msg);
        else if (u) {
            refused++;
            json_array_append_new(res, json_pack("{s:s, s:s, s:s}", "source", l.v[i].name, "status", "refused",
                                                 "error", e.msg));
        } else {
            json_array_append_new(res, json_pack("{s:s, s:s, s:o}", "source", l.v[i].name, "status", "loaded",
                                                 "version", version_json(&v)));
        }
    }
    free(l.v);
    if (rc) {
        json_decref(res);
        return rc;
    }
    return http_json(r, 200, json_pack("{s:I, s:o}", "refused", (json_int_t)refused, "results", res));
}
