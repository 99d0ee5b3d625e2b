/* http_adjacent.c - GET /api/v1/entities/{id}/adjacent: what the entity
 * page shows around a record (docs/web.md "Entity page"): its sanctions
 * (Sanction records naming it: authority, programs, dates, provisions) and
 * its links to other records, both ways: the record's own entity-typed
 * properties (ownedBy, addressEntity...) and the records that name it
 * (UnknownLink, Ownership, Family, Directorship, Identification...), each
 * with the record at the other end. Every record read goes through the
 * reader's scope (store_get, store_referrers): a hidden record is left out,
 * exactly as if it did not exist, and the ids returned are the audit
 * entry's targets. */
#include <string.h>

#include "http/http_int.h"

#define ADJ_MAX_REFERRERS 200  /* records naming the entity, scanned at most */
#define ADJ_MAX_ENDS 8         /* other ends followed per link record */

typedef struct adj_ctx {
    http_req *r;
    const char *id;
    json_t *sanctions, *links;
} adj_ctx;

/* {id, schema, caption} of a record the reader may see; NULL otherwise. */
static json_t *brief(http_req *r, const char *id) {
    ftm_entity *e = NULL;
    pu_err err;
    if (store_get(r->st, &r->scope, id, &e, &err) != PU_OK) return NULL;
    http_target(r, e->id);
    json_t *o = json_pack("{s:s,s:s,s:s}", "id", e->id, "schema", e->schema, "caption", ftm_entity_caption(e));
    ftm_entity_free(e);
    return o;
}

static json_t *values(const ftm_entity *e, const char *prop) {
    json_t *a = json_array();
    const ftm_prop *p = ftm_entity_prop(e, prop);
    for (size_t i = 0; p && i < p->n; i++) json_array_append_new(a, json_string(p->values[i]));
    return a;
}

static json_t *first_or_null(const ftm_entity *e, const char *prop) {
    const char *v = ftm_entity_first(e, prop);
    return v ? json_string(v) : json_null();
}

static json_t *sanction_json(const ftm_entity *s) {
    return json_pack("{s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "id", s->id, "authority",
                     first_or_null(s, "authority"), "program", values(s, "program"), "listing_date",
                     first_or_null(s, "listingDate"), "start_date", first_or_null(s, "startDate"), "end_date",
                     first_or_null(s, "endDate"), "provisions", values(s, "provisions"), "reason",
                     first_or_null(s, "reason"), "country", values(s, "country"), "source_url",
                     first_or_null(s, "sourceUrl"));
}

/* The role words of a link record (UnknownLink.role, Family.relationship...). */
static json_t *role_of(const ftm_entity *e) {
    static const char *const props[] = {"role", "relationship", "ownershipType", "percentage", NULL};
    for (int i = 0; props[i]; i++)
        if (ftm_entity_first(e, props[i])) return json_string(ftm_entity_first(e, props[i]));
    return json_null();
}

/* One record that names the entity: a sanction, or a link with its other ends. */
static int on_referrer(const ftm_entity *e, void *vctx) {
    adj_ctx *c = vctx;
    http_target(c->r, e->id);
    const ftm_schema *sc = ftm_schema_get(e->schema);
    if (sc && ftm_schema_is_a(sc, "Sanction")) {
        json_array_append_new(c->sanctions, sanction_json(e));
        return 0;
    }
    json_t *via = json_pack("{s:s,s:s,s:s,s:o}", "id", e->id, "schema", e->schema, "caption", ftm_entity_caption(e),
                            "role", role_of(e));
    int ends = 0;
    for (size_t i = 0; sc && i < e->nprops; i++) {
        if (ftm_schema_prop_type(sc, e->props[i].name) != FTM_ENTITY) continue;
        for (size_t k = 0; k < e->props[i].n && ends < ADJ_MAX_ENDS; k++) {
            const char *other = e->props[i].values[k];
            if (!strcmp(other, c->id)) continue;
            json_t *b = brief(c->r, other);
            if (!b) continue; /* hidden or absent: as if it did not exist */
            ends++;
            json_array_append_new(c->links, json_pack("{s:s,s:O,s:s,s:o}", "direction", "in", "via", via, "prop",
                                                      e->props[i].name, "other", b));
        }
    }
    if (!ends) /* an Identification, an Address...: the record itself is the link */
        json_array_append_new(c->links, json_pack("{s:s,s:O,s:n,s:n}", "direction", "in", "via", via, "prop", "other"));
    json_decref(via);
    return 0;
}

int h_entity_adjacent(http_req *r) {
    static const char *const no_args[] = {NULL};
    int rc = http_only_args(r, no_args);
    if (rc) return rc;
    const char *id = r->params[0];
    http_target(r, id);
    ftm_entity *e = NULL;
    pu_err err;
    rc = store_get(r->st, &r->scope, id, &e, &err);
    if (rc == PU_ERR_NOTFOUND) return http_fail(r, rc, "id", "no entity '%.100s'", id);
    if (rc) return http_fail(r, rc, NULL, "%s", err.msg);
    adj_ctx c = {r, id, json_array(), json_array()};
    /* the record's own references */
    const ftm_schema *sc = ftm_schema_get(e->schema);
    for (size_t i = 0; sc && i < e->nprops; i++) {
        if (ftm_schema_prop_type(sc, e->props[i].name) != FTM_ENTITY) continue;
        for (size_t k = 0; k < e->props[i].n; k++) {
            json_t *b = brief(r, e->props[i].values[k]);
            if (b)
                json_array_append_new(c.links, json_pack("{s:s,s:n,s:s,s:o}", "direction", "out", "via", "prop",
                                                         e->props[i].name, "other", b));
        }
    }
    ftm_entity_free(e);
    rc = store_referrers(r->st, &r->scope, id, ADJ_MAX_REFERRERS, on_referrer, &c, &err);
    if (rc) {
        json_decref(c.sanctions);
        json_decref(c.links);
        return http_fail(r, rc, NULL, "%s", err.msg);
    }
    (void)pu_buf_printf(&r->detail, "sanctions=%zu; links=%zu", json_array_size(c.sanctions),
                        json_array_size(c.links));
    return http_json(r, 200, json_pack("{s:s,s:o,s:o}", "id", id, "sanctions", c.sanctions, "links", c.links));
}
