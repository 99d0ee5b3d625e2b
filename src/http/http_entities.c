/* http_entities.c - entity read/search/create/update/delete, JSON-lines
 * upload, stats and yente's GET /search/{dataset}. Every read goes through
 * the caller's store_scope, so hidden records are never returned or counted,
 * and a hidden record answers exactly like an absent one. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "common/pu_io.h"
#include "common/pu_report.h"
#include "http/http_int.h"

#define DEFAULT_MARKING STORE_DEFAULT_MARKING
#define MAX_LIMIT 500

/* ---- reads ---- */
typedef struct list_ctx {
    http_req *r;
    int rc;
    size_t n;
    int yente;
} list_ctx;

/* yente's entity shape (EntityResponse) plus Puente's handling fields. */
int http_yente_entity(const ftm_entity *e, json_t **out) {
    char *s = NULL;
    if (ftm_entity_to_json(e, 1, &s) != PU_OK) return PU_ERR_NOMEM;
    json_t *o = json_loads(s, 0, NULL);
    free(s);
    if (!o) return PU_ERR_INTERNAL;
    json_object_set_new(o, "caption", json_string(ftm_entity_caption(e)));
    if (!json_object_get(o, "datasets")) json_object_set_new(o, "datasets", json_array());
    json_object_set_new(o, "referents", json_array());
    /* yente: target = the entity is itself listed (not just related) */
    json_object_set_new(o, "target", json_boolean(e->ndatasets > 0));
    json_object_set_new(o, "last_change", e->updated ? json_string(e->updated) : json_null());
    if (!json_object_get(o, "first_seen")) json_object_set_new(o, "first_seen", json_null());
    if (!json_object_get(o, "last_seen")) json_object_set_new(o, "last_seen", json_null());
    *out = o;
    return PU_OK;
}

static int list_cb(const ftm_entity *e, void *ctx) {
    list_ctx *c = ctx;
    char *s = NULL;
    if (c->yente == 2) { /* export: FtM JSON lines */
        if (ftm_entity_to_json(e, 1, &s) != PU_OK || !s) {
            c->rc = PU_ERR_NOMEM;
            return 1;
        }
        c->rc = pu_buf_puts(&c->r->out, s);
        if (c->rc == PU_OK) c->rc = pu_buf_putc(&c->r->out, '\n');
        free(s);
        c->n++;
        http_target(c->r, e->id);
        return c->rc != PU_OK;
    }
    if (c->yente) {
        json_t *o;
        if ((c->rc = http_yente_entity(e, &o)) != PU_OK) return 1;
        s = json_dumps(o, JSON_COMPACT);
        json_decref(o);
    } else if (ftm_entity_to_json(e, 1, &s) != PU_OK) {
        s = NULL;
    }
    if (!s) {
        c->rc = PU_ERR_NOMEM;
        return 1;
    }
    if (c->n++) c->rc = pu_buf_putc(&c->r->out, ',');
    if (c->rc == PU_OK) c->rc = pu_buf_puts(&c->r->out, s);
    free(s);
    http_target(c->r, e->id);
    return c->rc != PU_OK;
}

static int check_schema(http_req *r, const char *schema) {
    if (schema && !ftm_schema_get(schema))
        return http_fail(r, PU_ERR_INVALID, "schema", "unknown schema '%.60s'", schema);
    return PU_OK;
}

/* Count + page of a query, written as `"total":...,"results":[...]` pieces. */
static int run_query(http_req *r, const store_query *q, int yente) {
    pu_err e;
    int64_t total = 0;
    int rc = store_count(r->st, &r->scope, q, &total, &e);
    if (rc) return http_fail(r, rc, NULL, "%s", e.msg);
    pu_buf_reset(&r->out);
    if (yente)
        rc = pu_buf_printf(&r->out, "{\"limit\":%lld,\"offset\":%lld,\"total\":{\"value\":%lld,\"relation\":\"eq\"},\"facets\":{},\"results\":[",
                           (long long)q->limit, (long long)q->offset, (long long)total);
    else
        rc = pu_buf_printf(&r->out, "{\"total\":%lld,\"limit\":%lld,\"offset\":%lld,\"results\":[", (long long)total,
                           (long long)q->limit, (long long)q->offset);
    if (rc) return http_fail(r, rc, NULL, "out of memory");
    list_ctx c = {r, PU_OK, 0, yente};
    rc = store_iter(r->st, &r->scope, q, list_cb, &c, &e);
    if (rc) return http_fail(r, rc, NULL, "%s", e.msg);
    if (c.rc) return http_fail(r, c.rc, NULL, "the result is too large; lower limit");
    if ((rc = pu_buf_puts(&r->out, "]}"))) return http_fail(r, rc, NULL, "out of memory");
    (void)pu_buf_printf(&r->detail, "q=%.200s; schema=%s; dataset=%s; total=%lld; returned=%zu", q->name ? q->name : "",
                        q->schema ? q->schema : "", q->dataset ? q->dataset : "", (long long)total, c.n);
    r->status = 200;
    return PU_OK;
}

int h_entities_search(http_req *r) {
    static const char *const args[] = {"q", "schema", "dataset", "limit", "offset", NULL};
    store_query q = {0};
    int rc;
    if ((rc = http_only_args(r, args)) || (rc = http_arg_int(r, "limit", 1, MAX_LIMIT, 20, &q.limit)) ||
        (rc = http_arg_int(r, "offset", 0, 1000000, 0, &q.offset)))
        return rc;
    q.name = http_arg(r, "q");
    q.schema = http_arg(r, "schema");
    q.dataset = http_arg(r, "dataset");
    if (q.name && !*q.name) q.name = NULL;
    if ((rc = check_schema(r, q.schema))) return rc;
    return run_query(r, &q, 0);
}

/* GET /api/v1/export: every visible entity matching the filters as FtM JSON
 * lines, without paging (Aleph users ask for results past 10,000). The
 * response is built in memory up to HTTP_OUT_MAX (256 MiB; beyond: 413). */
int h_export(http_req *r) {
    static const char *const args[] = {"q", "schema", "dataset", NULL};
    store_query q = {.export = 1};
    int rc;
    if ((rc = http_only_args(r, args))) return rc;
    q.name = http_arg(r, "q");
    q.schema = http_arg(r, "schema");
    q.dataset = http_arg(r, "dataset");
    if (q.name && !*q.name) q.name = NULL;
    if ((rc = check_schema(r, q.schema))) return rc;
    pu_buf_reset(&r->out);
    list_ctx c = {r, PU_OK, 0, 2};
    pu_err e;
    rc = store_iter(r->st, &r->scope, &q, list_cb, &c, &e);
    if (rc) return http_fail(r, rc, NULL, "%s", e.msg);
    if (c.rc) return http_fail(r, c.rc == PU_ERR_LIMIT ? PU_ERR_LIMIT : c.rc, NULL, "the export is too large; narrow it with q, schema or dataset");
    (void)pu_buf_printf(&r->detail, "q=%.200s; schema=%s; dataset=%s; exported=%zu", q.name ? q.name : "",
                        q.schema ? q.schema : "", q.dataset ? q.dataset : "", c.n);
    r->status = 200;
    r->content_type = "application/x-ndjson";
    return PU_OK;
}

/* GET /search/{dataset}: http_yente.c (ranked by relevance, with facets). */

static int entity_response(http_req *r, int status, const char *id) {
    ftm_entity *e = NULL;
    pu_err err;
    int rc = store_get(r->st, &r->scope, id, &e, &err);
    if (rc == PU_ERR_NOTFOUND) return http_fail(r, rc, "id", "no entity '%.100s'", id);
    if (rc) return http_fail(r, rc, NULL, "%s", err.msg);
    char *s = NULL;
    rc = ftm_entity_to_json(e, 1, &s);
    ftm_entity_free(e);
    if (rc) return http_fail(r, rc, NULL, "cannot serialise the entity");
    pu_buf_reset(&r->out);
    rc = pu_buf_puts(&r->out, s);
    free(s);
    r->status = status;
    return rc ? http_fail(r, rc, NULL, "out of memory") : PU_OK;
}

int h_entity_get(http_req *r) {
    static const char *const no_args[] = {NULL};
    int rc = http_only_args(r, no_args);
    if (rc) return rc;
    http_target(r, r->params[0]);
    return entity_response(r, 200, r->params[0]);
}

int h_stats(http_req *r) {
    static const char *const no_args[] = {NULL};
    int rc = http_only_args(r, no_args);
    if (rc) return rc;
    store_stats *s;
    pu_err e;
    if ((rc = store_stats_get(r->st, &r->scope, &s, &e))) return http_fail(r, rc, NULL, "%s", e.msg);
    json_t *m = json_object();
    for (size_t i = 0; i < s->n; i++) json_object_set_new(m, s->schema[i], json_integer(s->count[i]));
    json_t *o = json_pack("{s:I,s:o}", "total", (json_int_t)s->total, "schemata", m);
    (void)pu_buf_printf(&r->detail, "total=%lld", (long long)s->total);
    store_stats_free(s);
    return http_json(r, 200, o);
}

/* ---- changes ---- */
/* Keys a written entity may carry: FtM's own (as exported by OpenSanctions
 * and Aleph) and Puente's handling fields. */
static const char *const entity_keys[] = {"id", "schema", "properties", "datasets", "first_seen", "last_seen",
                                          "last_change", "caption", "referents", "target", "owner", "marking",
                                          "caveats", "created", "updated", NULL};

/* Records written through the API live in their agency's id namespace
 * ("dea-..."), so one agency can never collide with, overwrite or probe
 * another agency's hidden record by guessing its id. */
static int namespaced_id(http_req *r, const char *id, char *out, size_t size) {
    pu_err e;
    int rc = store_id_in_namespace(r->p.agency, id, out, size, &e);
    return rc ? http_fail(r, rc == PU_ERR_LIMIT ? PU_ERR_INVALID : rc, "id", "%s", e.msg) : PU_OK;
}

/* Fail naming "where.field" (where = "line 3" for uploads, or NULL). */
static int fail_at(http_req *r, int rc, const char *where, const pu_err *e) {
    char field[PU_ERR_FIELD_MAX];
    pu_buf b = PU_BUF_INIT(sizeof field - 1);
    (void)pu_buf_printf(&b, "%s%s%s", where ? where : "", where && e->field[0] ? "." : "", e->field);
    pu_strlcpy(field, pu_buf_str(&b), sizeof field);
    pu_buf_free(&b);
    return http_fail(r, rc, field, "%s", e->msg);
}

/* Parse one entity (object o, raw JSON text) for writing by r's agency.
 * where names the record in errors ("line 3" for uploads). */
static int parse_entity(http_req *r, json_t *o, const char *text, size_t len, const char *where,
                        const char *def_marking, const char *def_caveats, ftm_entity **out) {
    *out = NULL;
    int rc = http_only_keys(r, o, entity_keys, where);
    if (rc) return rc;
    const char *owner, *marking, *caveats;
    if ((rc = http_str_member(r, o, "owner", where, &owner)) || (rc = http_str_member(r, o, "marking", where, &marking)) ||
        (rc = http_str_member(r, o, "caveats", where, &caveats)))
        return rc;
    ftm_entity *e;
    pu_err e2;
    if ((rc = ftm_entity_from_json(text, len, &e, &e2))) {
        return fail_at(r, rc, where, &e2);
    }
    /* dates and countries through the shared parsers (docs/input.md) */
    if ((rc = ftm_entity_check_values(e, &e2))) {
        ftm_entity_free(e);
        return fail_at(r, rc, where, &e2);
    }
    char cav[128], id[512];
    if (!marking) marking = def_marking;
    if ((rc = acl_check_write(&r->p, owner ? owner : r->p.agency, marking, &e2)) ||
        (rc = acl_caveats_normalise(caveats ? caveats : def_caveats, cav, sizeof cav, &e2))) {
        ftm_entity_free(e);
        return fail_at(r, rc, where, &e2);
    }
    if ((rc = namespaced_id(r, e->id, id, sizeof id))) {
        ftm_entity_free(e);
        return rc;
    }
    if (ftm_entity_set(&e->id, id) || ftm_entity_set(&e->owner, r->p.agency) || ftm_entity_set(&e->marking, marking) ||
        ftm_entity_set(&e->caveats, cav[0] ? cav : NULL)) {
        ftm_entity_free(e);
        return http_fail(r, PU_ERR_NOMEM, NULL, "out of memory");
    }
    *out = e;
    return PU_OK;
}

/* Who holds this id now? PU_OK with *mine = 1/0, or PU_ERR_NOTFOUND. */
static int holder(http_req *r, const char *id, int *mine) {
    ftm_entity *e = NULL;
    pu_err err;
    int rc = store_get(r->st, STORE_SYSTEM, id, &e, &err);
    if (rc) return rc == PU_ERR_NOTFOUND ? rc : http_fail(r, rc, NULL, "%s", err.msg);
    *mine = e->owner && strcmp(e->owner, r->p.agency) == 0;
    ftm_entity_free(e);
    return PU_OK;
}

/* store_put + audit entry in one transaction. */
static int put_audited(http_req *r, ftm_entity *const *v, size_t n) {
    pu_err e;
    int rc = http_store_begin(r, &e);
    for (size_t i = 0; rc == PU_OK && i < n; i++) rc = store_put(r->st, v[i], &e);
    if (rc == PU_OK) rc = http_audit_now(r, "success");
    if (rc == PU_OK) rc = store_commit(r->st, &e);
    if (rc) {
        r->audited = 0;
        store_rollback(r->st);
        return http_fail(r, rc, e.field[0] ? e.field : NULL, "%s", e.msg);
    }
    return PU_OK;
}

int h_entity_create(http_req *r) {
    json_t *o;
    int rc = http_body_object(r, &o);
    if (rc) return rc;
    ftm_entity *e;
    rc = parse_entity(r, o, r->body.data, r->body.len, NULL, DEFAULT_MARKING, NULL, &e);
    json_decref(o);
    if (rc) return rc;
    http_target(r, e->id);
    int mine = 0;
    rc = holder(r, e->id, &mine);
    if (rc == PU_OK)
        rc = http_fail(r, PU_ERR_CONFLICT, "id", mine ? "entity '%.100s' already exists; use PUT to change it"
                                                    : "the id '%.100s' is taken; choose another", e->id);
    else if (rc == PU_ERR_NOTFOUND)
        rc = put_audited(r, &e, 1);
    if (rc == PU_OK) rc = entity_response(r, 201, e->id);
    ftm_entity_free(e);
    return rc;
}

/* The record at r->params[0] must be visible (else 404) and owned by the
 * caller's agency (else 403: they can see it, so saying so leaks nothing). */
static int owned_target(http_req *r, ftm_entity **out) {
    const char *id = r->params[0];
    http_target(r, id);
    pu_err err;
    int rc = store_get(r->st, &r->scope, id, out, &err);
    if (rc == PU_ERR_NOTFOUND) return http_fail(r, rc, "id", "no entity '%.100s'", id);
    if (rc) return http_fail(r, rc, NULL, "%s", err.msg);
    if (!(*out)->owner || strcmp((*out)->owner, r->p.agency) != 0) {
        ftm_entity_free(*out);
        *out = NULL;
        return http_fail(r, PU_ERR_DENIED, "owner", "only the owning agency may change this record");
    }
    return PU_OK;
}

int h_entity_update(http_req *r) {
    ftm_entity *old;
    int rc = owned_target(r, &old);
    if (rc) return rc;
    json_t *o;
    if ((rc = http_body_object(r, &o))) {
        ftm_entity_free(old);
        return rc;
    }
    /* the path names the record; a body id, if any, must agree */
    json_t *jid = json_object_get(o, "id");
    if (jid && (!json_is_string(jid) || strcmp(json_string_value(jid), r->params[0]) != 0)) {
        json_decref(o);
        ftm_entity_free(old);
        return http_fail(r, PU_ERR_INVALID, "id", "the body id must match the path");
    }
    json_object_set_new(o, "id", json_string(r->params[0]));
    char old_marking[32], old_caveats[128];
    pu_strlcpy(old_marking, old->marking ? old->marking : "", sizeof old_marking);
    pu_strlcpy(old_caveats, old->caveats ? old->caveats : "", sizeof old_caveats);
    char *text = json_dumps(o, JSON_COMPACT);
    ftm_entity *e = NULL;
    rc = text ? parse_entity(r, o, text, strlen(text), NULL, old->marking ? old->marking : DEFAULT_MARKING,
                             old->caveats, &e)
              : http_fail(r, PU_ERR_NOMEM, NULL, "out of memory");
    free(text);
    json_decref(o);
    ftm_entity_free(old);
    if (rc == PU_OK && strcmp(e->id, r->params[0]) != 0)
        rc = http_fail(r, PU_ERR_INVALID, "id", "ids of %s records start with '%s-'", r->p.agency, e->id);
    if (rc == PU_OK) /* the audit entry names the marking before and after the change */
        (void)pu_buf_printf(&r->detail, "marking=%s->%s; caveats=%s->%s", old_marking, e->marking ? e->marking : "",
                            old_caveats, e->caveats ? e->caveats : "");
    if (rc == PU_OK) rc = put_audited(r, &e, 1);
    if (rc == PU_OK) rc = entity_response(r, 200, e->id);
    ftm_entity_free(e);
    return rc;
}

int h_entity_delete(http_req *r) {
    ftm_entity *old;
    int rc = owned_target(r, &old);
    if (rc) return rc;
    ftm_entity_free(old);
    pu_err e;
    rc = http_store_begin(r, &e);
    if (rc == PU_OK) rc = store_delete(r->st, r->params[0], &e);
    if (rc == PU_OK) rc = http_audit_now(r, "success");
    if (rc == PU_OK) rc = store_commit(r->st, &e);
    if (rc) {
        r->audited = 0;
        store_rollback(r->st);
        return http_fail(r, rc, NULL, "%s", e.msg);
    }
    return http_json(r, 200, json_pack("{s:s}", "deleted", r->params[0]));
}

/* POST /api/v1/entities/upload: FtM JSON lines, all or nothing. */
int h_entities_upload(http_req *r) {
    static const char *const args[] = {"marking", "caveats", NULL};
    int rc = http_only_args(r, args);
    if (rc) return rc;
    const char *def_marking = http_arg(r, "marking");
    const char *def_caveats = http_arg(r, "caveats");
    if (!def_marking) def_marking = DEFAULT_MARKING;
    pu_lines *lr;
    pu_err e;
    if ((rc = pu_lines_open_mem(r->body.data ? r->body.data : "", r->body.len, PU_IO_DEFAULT_MAX_RECORD, &lr, &e)))
        return http_fail(r, rc, "body", "%s", e.msg);
    pu_lines_check_utf8(lr, 1);
    pu_dupset *seen = NULL;
    if (pu_dupset_new(&seen)) {
        pu_lines_close(lr);
        return http_fail(r, PU_ERR_NOMEM, NULL, "out of memory");
    }
    ftm_entity **v = NULL;
    size_t n = 0, cap = 0;
    const char *line;
    size_t len;
    uint64_t lineno = 0;
    while (rc == PU_OK) {
        int lrc = pu_lines_next(lr, &line, &len, &lineno, &e);
        if (lrc) {
            rc = http_fail(r, lrc, "body", "line %llu: %s", (unsigned long long)lineno, e.msg);
            break;
        }
        if (!line) break;
        if (pu_blank(line)) continue;
        char where[32];
        snprintf(where, sizeof where, "line %llu", (unsigned long long)lineno);
        json_error_t je;
        json_t *o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je);
        if (!o || !json_is_object(o)) {
            rc = http_fail(r, PU_ERR_INVALID, where, "expected one JSON object per line%s%s", o ? "" : ": ", o ? "" : je.text);
            json_decref(o);
            break;
        }
        ftm_entity *ent;
        rc = parse_entity(r, o, line, len, where, def_marking, def_caveats, &ent);
        json_decref(o);
        if (rc) break;
        /* the same id twice in one upload: refused, naming both lines (the
         * upload is all or nothing, so nothing is stored) */
        const char *first = NULL;
        int d = pu_dupset_add(seen, ent->id, where, &first);
        if (d != 0) {
            rc = d < 0 ? http_fail(r, PU_ERR_NOMEM, NULL, "out of memory")
                       : http_fail(r, PU_ERR_INVALID, where, "duplicate id '%.100s' (first at %s); each entity may appear once",
                                   ent->id, first);
            ftm_entity_free(ent);
            break;
        }
        int mine = 1;
        int hrc = holder(r, ent->id, &mine);
        if (hrc == PU_OK && !mine) rc = http_fail(r, PU_ERR_CONFLICT, where, "the id '%.100s' is taken; choose another", ent->id);
        else if (hrc != PU_OK && hrc != PU_ERR_NOTFOUND) rc = hrc;
        if (rc == PU_OK && n == cap) {
            size_t nc = cap ? cap * 2 : 64;
            ftm_entity **nv = realloc(v, nc * sizeof *nv);
            if (!nv) rc = http_fail(r, PU_ERR_NOMEM, NULL, "out of memory");
            else {
                v = nv;
                cap = nc;
            }
        }
        if (rc) {
            ftm_entity_free(ent);
            break;
        }
        v[n++] = ent;
        http_target(r, ent->id);
    }
    pu_lines_close(lr);
    pu_dupset_free(seen);
    if (rc == PU_OK && n == 0) rc = http_fail(r, PU_ERR_INVALID, "body", "expected FtM JSON lines, got no entity");
    (void)pu_buf_printf(&r->detail, "entities=%zu", n);
    if (rc == PU_OK) rc = put_audited(r, v, n);
    for (size_t i = 0; i < n; i++) ftm_entity_free(v[i]);
    free(v);
    if (rc) return rc;
    return http_json(r, 200, json_pack("{s:I}", "imported", (json_int_t)n));
}
