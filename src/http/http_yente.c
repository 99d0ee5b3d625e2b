/* http_yente.c - yente API parity (docs/screening.md "yente and watchman
 * parity"): the candidate filters of POST /match/{dataset} (applied in
 * http_screen.c to the scored candidates before the limit), and
 * GET /search/{dataset} ranked by relevance through the screening index
 * with facets, GET /entities/{id} with its adjacent entities nested,
 * GET /catalog and GET /algorithms.
 *
 * Every record read goes through the reader's scope (screen_run's
 * store_visible over the index built from the scoped read, store_get,
 * store_iter, store_referrers, and store_scope_sql for the catalogue): a
 * hidden record is never returned, nested, counted or faceted. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_yente.h"
#include "screen/screen.h"
#include "screen/screen_algo.h"

#define SEARCH_POOL 500        /* candidates ranked, filtered and faceted per /search */
#define SEARCH_MIN_SCORE 0.35  /* relevance floor: one shared rare token of a long name passes */
#define SEARCH_MAX_LIMIT 500
#define SEARCH_MAX_OFFSET 9499 /* yente's own cap (Elasticsearch window) */
#define NEST_REFERRERS_MAX 200 /* entities referring to one entity, nested at most */
#define FACET_MAX 64           /* distinct values per facet kept */

/* ---- the filters ---- */

typedef struct arg_collect {
    const char *key;
    const char **vals;
    size_t *n;
    int over;
} arg_collect;

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value) {
    (void)kind;
    arg_collect *c = cls;
    if (strcmp(key, c->key) != 0 || !value || !*value) return MHD_YES;
    /* yente also takes comma-free repeated parameters only; we accept both */
    if (*c->n >= YENTE_FILTER_MAX) {
        c->over = 1;
        return MHD_NO;
    }
    c->vals[(*c->n)++] = value;
    return MHD_YES;
}

static int collect(http_req *r, const char *key, const char **vals, size_t *n) {
    arg_collect c = {key, vals, n, 0};
    if (r->conn) MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, collect_arg, &c);
    if (c.over) return http_fail(r, PU_ERR_LIMIT, key, "at most %d values", YENTE_FILTER_MAX);
    return PU_OK;
}

/* An ISO 8601 date or timestamp: YYYY-MM-DD, optionally T and a time. */
static int iso_date_ok(const char *s) {
    for (int i = 0; i < 10; i++) {
        if (i == 4 || i == 7) {
            if (s[i] != '-') return 0;
        } else if (!isdigit((unsigned char)s[i])) {
            return 0;
        }
    }
    return s[10] == '\0' || s[10] == 'T' || s[10] == ' ';
}

int yente_filter_parse(http_req *r, int search, yente_filter *f) {
    memset(f, 0, sizeof *f);
    int rc;
    if ((rc = collect(r, "exclude_entity_ids", f->exclude_ids, &f->nexclude_ids)) ||
        (rc = collect(r, "include_dataset", f->include_ds, &f->ninclude_ds)) ||
        (rc = collect(r, "datasets", f->include_ds, &f->ninclude_ds)) ||
        (rc = collect(r, "exclude_dataset", f->exclude_ds, &f->nexclude_ds)) ||
        (rc = collect(r, "topics", f->topics, &f->ntopics)) ||
        (rc = collect(r, "exclude_schema", f->exclude_schema, &f->nexclude_schema)))
        return rc;
    if (search && (rc = collect(r, "countries", f->countries, &f->ncountries))) return rc;
    if (!search && (rc = collect(r, "programs", f->programs, &f->nprograms))) return rc;
    for (size_t i = 0; i < f->nexclude_schema; i++)
        if (!ftm_schema_get(f->exclude_schema[i]))
            return http_fail(r, PU_ERR_INVALID, "exclude_schema", "unknown schema '%.60s'", f->exclude_schema[i]);
    f->changed_since = http_arg(r, "changed_since");
    if (f->changed_since && !*f->changed_since) f->changed_since = NULL;
    if (f->changed_since && !iso_date_ok(f->changed_since))
        return http_fail(r, PU_ERR_INVALID, "changed_since", "expected an ISO date or timestamp (2024-01-31[T12:00:00])");
    const char *t = search ? http_arg(r, "target") : NULL;
    if (t && strcmp(t, "true") != 0 && strcmp(t, "false") != 0)
        return http_fail(r, PU_ERR_INVALID, "target", "expected true or false");
    f->target = t && strcmp(t, "true") == 0;
    f->needs_entity = f->ntopics || f->ncountries || f->changed_since;
    f->active = f->nexclude_ids || f->ninclude_ds || f->nexclude_ds || f->nexclude_schema || f->target ||
                f->nprograms || f->needs_entity;
    return PU_OK;
}

static int in_list(const char *v, const char *const *list, size_t n) {
    for (size_t i = 0; v && i < n; i++)
        if (strcmp(v, list[i]) == 0) return 1;
    return 0;
}

static int any_in(char *const *vals, size_t nv, const char *const *list, size_t n) {
    for (size_t i = 0; i < nv; i++)
        if (in_list(vals[i], list, n)) return 1;
    return 0;
}

static int prop_any_in(const ftm_entity *e, const char *prop, const char *const *list, size_t n) {
    const ftm_prop *p = ftm_entity_prop(e, prop);
    for (size_t i = 0; p && i < p->n; i++)
        for (size_t k = 0; k < n; k++)
            if (pu_strieq(p->values[i], list[k])) return 1;
    return 0;
}

static const char *const country_props[] = {"country", "nationality", "citizenship", "jurisdiction",
                                            "birthCountry", "mainCountry", "flag", NULL};

static int schema_excluded(const yente_filter *f, const char *schema) {
    const ftm_schema *s = ftm_schema_get(schema);
    for (size_t i = 0; s && i < f->nexclude_schema; i++)
        if (ftm_schema_is_a(s, f->exclude_schema[i])) return 1;
    return 0;
}

/* The filters that need the entity's body. */
static int keep_body(const yente_filter *f, const ftm_entity *e) {
    if (f->ntopics && !prop_any_in(e, "topics", f->topics, f->ntopics)) return 0;
    if (f->ncountries) {
        int hit = 0;
        for (int i = 0; country_props[i] && !hit; i++) hit = prop_any_in(e, country_props[i], f->countries, f->ncountries);
        if (!hit) return 0;
    }
    /* ISO strings of one form compare as their times do: a date alone is
     * the start of that day ("2024-01-31" < "2024-01-31T00:00:00Z") */
    if (f->changed_since && (!e->updated || strcmp(e->updated, f->changed_since) < 0)) return 0;
    return 1;
}

int yente_filter_keep_entity(const yente_filter *f, const ftm_entity *e) {
    if (in_list(e->id, f->exclude_ids, f->nexclude_ids)) return 0;
    if (f->ninclude_ds && !any_in(e->datasets, e->ndatasets, f->include_ds, f->ninclude_ds)) return 0;
    if (f->nexclude_ds && any_in(e->datasets, e->ndatasets, f->exclude_ds, f->nexclude_ds)) return 0;
    if (schema_excluded(f, e->schema)) return 0;
    if (f->target && e->ndatasets == 0) return 0;
    return keep_body(f, e);
}

int yente_filter_keep(http_req *r, const yente_filter *f, const screen_match *m) {
    if (in_list(m->entity_id, f->exclude_ids, f->nexclude_ids)) return 0;
    if (f->ninclude_ds && !any_in(m->datasets, m->ndatasets, f->include_ds, f->ninclude_ds)) return 0;
    if (f->nexclude_ds && any_in(m->datasets, m->ndatasets, f->exclude_ds, f->nexclude_ds)) return 0;
    if (schema_excluded(f, m->schema)) return 0;
    if (f->target && m->ndatasets == 0) return 0;
    if (f->nprograms && !any_in(m->programs, m->nprograms, f->programs, f->nprograms)) return 0;
    if (!f->needs_entity) return 1;
    ftm_entity *e = NULL;
    pu_err err;
    if (store_get(r->st, &r->scope, m->entity_id, &e, &err) != PU_OK) return 0;
    int keep = keep_body(f, e);
    ftm_entity_free(e);
    return keep;
}

/* ---- GET /search/{dataset} ---- */

/* One facet: distinct values with counts, at most FACET_MAX values. */
typedef struct facet {
    const char *name;
    char *vals[FACET_MAX];
    int64_t counts[FACET_MAX];
    size_t n;
} facet;

static void facet_add(facet *f, const char *v) {
    if (!v || !*v) return;
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->vals[i], v) == 0) {
            f->counts[i]++;
            return;
        }
    if (f->n == FACET_MAX) return;
    f->vals[f->n] = pu_strdup(v);
    if (f->vals[f->n]) f->counts[f->n++] = 1;
}

static void facet_free(facet *f) {
    for (size_t i = 0; i < f->n; i++) free(f->vals[i]);
    f->n = 0;
}

static int facet_cmp(const void *a, const void *b, void *ctx) {
    const facet *f = ctx;
    size_t i = *(const size_t *)a, k = *(const size_t *)b;
    if (f->counts[i] != f->counts[k]) return f->counts[i] > f->counts[k] ? -1 : 1;
    return strcmp(f->vals[i], f->vals[k]);
}

/* yente's facet: {"label": ..., "values": [{"name","label","count"}]}, most frequent first. */
static json_t *facet_json(facet *f, const char *label) {
    size_t ord[FACET_MAX];
    for (size_t i = 0; i < f->n; i++) ord[i] = i;
    qsort_r(ord, f->n, sizeof ord[0], facet_cmp, f);
    json_t *vals = json_array();
    for (size_t i = 0; i < f->n; i++)
        json_array_append_new(vals, json_pack("{s:s,s:s,s:I}", "name", f->vals[ord[i]], "label", f->vals[ord[i]],
                                               "count", (json_int_t)f->counts[ord[i]]));
    return json_pack("{s:s,s:o}", "label", label, "values", vals);
}

enum { F_COUNTRIES, F_TOPICS, F_DATASETS, F_SCHEMA, F_N };

typedef struct search_ctx {
    http_req *r;
    const yente_filter *f;
    const char *path_ds;     /* the {dataset} of the path, NULL for default/all */
    const char *schema;      /* schema=: this schema or a descendant */
    int64_t limit, offset;
    int64_t kept;            /* entities that passed, ranked, in order */
    json_t *page;
    facet facets[F_N];
    char **seen;             /* ids already taken (relevance first, then substring) */
    size_t nseen, capseen;
    int rc;
} search_ctx;

static int seen_has(const search_ctx *c, const char *id) {
    for (size_t i = 0; i < c->nseen; i++)
        if (strcmp(c->seen[i], id) == 0) return 1;
    return 0;
}

static int seen_add(search_ctx *c, const char *id) {
    if (c->nseen == c->capseen) {
        size_t cap = c->capseen ? c->capseen * 2 : 64;
        char **n = realloc(c->seen, cap * sizeof *n);
        if (!n) return PU_ERR_NOMEM;
        c->seen = n;
        c->capseen = cap;
    }
    if (!(c->seen[c->nseen] = pu_strdup(id))) return PU_ERR_NOMEM;
    c->nseen++;
    return PU_OK;
}

static int entity_in_dataset(const ftm_entity *e, const char *ds) {
    for (size_t i = 0; ds && i < e->ndatasets; i++)
        if (strcmp(e->datasets[i], ds) == 0) return 1;
    return !ds;
}

/* Take one candidate (already visible to the reader, in rank order):
 * filter, facet, and render it when it falls on the page. The result is
 * yente's EntityResponse as /match gives it (no score: yente's search
 * results have none). */
static void search_take(search_ctx *c, const ftm_entity *e) {
    if (c->rc || seen_has(c, e->id)) return;
    if ((c->rc = seen_add(c, e->id))) return;
    if (!entity_in_dataset(e, c->path_ds) || !yente_filter_keep_entity(c->f, e)) return;
    if (c->schema) {
        const ftm_schema *s = ftm_schema_get(e->schema);
        if (!s || !ftm_schema_is_a(s, c->schema)) return;
    }
    for (int i = 0; country_props[i]; i++) {
        const ftm_prop *p = ftm_entity_prop(e, country_props[i]);
        for (size_t k = 0; p && k < p->n; k++) facet_add(&c->facets[F_COUNTRIES], p->values[k]);
    }
    const ftm_prop *tp = ftm_entity_prop(e, "topics");
    for (size_t k = 0; tp && k < tp->n; k++) facet_add(&c->facets[F_TOPICS], tp->values[k]);
    for (size_t k = 0; k < e->ndatasets; k++) facet_add(&c->facets[F_DATASETS], e->datasets[k]);
    facet_add(&c->facets[F_SCHEMA], e->schema);
    int64_t at = c->kept++;
    if (at < c->offset || at >= c->offset + c->limit) return;
    json_t *o = NULL;
    if ((c->rc = http_yente_entity(e, &o))) return;
    json_array_append_new(c->page, o);
    http_target(c->r, e->id);
}

/* Relevance: the screening index ranks the names for q (all tokens, fuzzy,
 * nicknames, transliteration), the reader's scope applied by screen_run. */
static int search_ranked(search_ctx *c, const char *q, int *exhausted) {
    http_req *r = c->r;
    *exhausted = 0;
    const struct screen_index *ix = http_screen_index_acquire(r);
    if (!ix) return PU_OK; /* no screening here: the substring search alone */
    const char *names[1] = {q};
    screen_query sq = {.names = names, .nnames = 1};
    screen_params p = {.min_score = SEARCH_MIN_SCORE, .limit = SEARCH_POOL, .scope = &r->scope, .no_weights = 1};
    screen_result *res = NULL;
    pu_err e;
    int rc = screen_run(ix, &sq, &p, &res, &e);
    if (rc == PU_ERR_INVALID) rc = PU_OK; /* no letters to rank: substring only */
    for (size_t i = 0; rc == PU_OK && res && i < res->n && !c->rc; i++) {
        ftm_entity *ent = NULL;
        pu_err ge;
        if (store_get(r->st, &r->scope, res->matches[i].entity_id, &ent, &ge) != PU_OK) continue;
        search_take(c, ent);
        ftm_entity_free(ent);
    }
    if (res && res->total > res->n) *exhausted = 1;
    screen_result_free(res);
    http_screen_index_release(r);
    return rc ? http_fail(r, rc, "q", "%s", e.msg) : PU_OK;
}

static int search_iter_cb(const ftm_entity *e, void *ctx) {
    search_ctx *c = ctx;
    search_take(c, e);
    return c->rc != PU_OK;
}

static json_t *search_facets(search_ctx *c) {
    const char *req[F_N] = {"countries", "topics", "datasets", "schema"};
    json_t *o = json_object();
    for (int i = 0; i < F_N; i++) json_object_set_new(o, req[i], facet_json(&c->facets[i], req[i]));
    return o;
}

int h_yente_search(http_req *r) {
    yente_filter f;
    search_ctx c = {.r = r, .f = &f};
    int rc;
    if ((rc = http_arg_int(r, "limit", 0, SEARCH_MAX_LIMIT, 10, &c.limit)) ||
        (rc = http_arg_int(r, "offset", 0, SEARCH_MAX_OFFSET, 0, &c.offset)) || (rc = yente_filter_parse(r, 1, &f)))
        return rc;
    if (c.limit == 0) c.limit = 10;
    const char *q = http_arg(r, "q");
    if (q && !*q) q = NULL;
    c.schema = http_arg(r, "schema");
    if (c.schema && !*c.schema) c.schema = NULL;
    if (c.schema && !ftm_schema_get(c.schema))
        return http_fail(r, PU_ERR_INVALID, "schema", "unknown schema '%.60s'", c.schema);
    const char *ds = r->params[0];
    if (strcmp(ds, "default") != 0 && strcmp(ds, "all") != 0) {
        int exists = 0;
        pu_err e;
        if ((rc = screen_dataset_visible(r->st, &r->scope, ds, &exists, &e))) return http_fail(r, rc, NULL, "%s", e.msg);
        if (!exists) return http_fail(r, PU_ERR_NOTFOUND, "dataset", "no such dataset: '%.60s'", ds);
        c.path_ds = ds;
    }
    for (int i = 0; i < F_N; i++) c.facets[i].name = "";
    c.page = json_array();
    int exhausted = 0;
    if (q) rc = search_ranked(&c, q, &exhausted);
    /* then the records whose names contain q (ids, other schemata, words the
     * index does not rank), in id order after the ranked ones */
    store_query sq = {.name = q, .schema = c.schema, .dataset = c.path_ds, .limit = SEARCH_POOL};
    pu_err e;
    if (rc == PU_OK && (rc = store_iter(r->st, &r->scope, &sq, search_iter_cb, &c, &e)))
        rc = http_fail(r, rc, NULL, "%s", e.msg);
    if (rc == PU_OK && c.rc) rc = http_fail(r, c.rc, NULL, "out of memory");
    if (rc == PU_OK && c.nseen >= SEARCH_POOL) exhausted = 1;
    json_t *body = NULL;
    if (rc == PU_OK)
        body = json_pack("{s:o,s:o,s:{s:I,s:s},s:I,s:I}", "results", c.page, "facets", search_facets(&c), "total",
                         "value", (json_int_t)c.kept, "relation", exhausted ? "gte" : "eq", "limit",
                         (json_int_t)c.limit, "offset", (json_int_t)c.offset);
    else
        json_decref(c.page);
    (void)pu_buf_printf(&r->detail, "q=%.200s; schema=%s; dataset=%s; total=%lld", q ? q : "", c.schema ? c.schema : "",
                        ds, (long long)c.kept);
    for (int i = 0; i < F_N; i++) facet_free(&c.facets[i]);
    for (size_t i = 0; i < c.nseen; i++) free(c.seen[i]);
    free(c.seen);
    return rc ? rc : http_json(r, 200, body);
}

/* ---- GET /entities/{id} ---- */

/* The name yente gives an entity-typed property seen from the other end
 * (FtM's reverse property): a Sanction's `entity` is the subject's
 * `sanctions`. Properties not listed get "<schema><Prop>" (lower camel
 * case), FtM's own convention for link schemata. */
static const struct { const char *schema, *prop, *reverse; } reverses[] = {
    {"Sanction", "entity", "sanctions"},
    {"Identification", "holder", "identification"},
    {"Passport", "holder", "identification"},
    {"Ownership", "owner", "ownershipOwner"},
    {"Ownership", "asset", "ownershipAsset"},
    {"Directorship", "director", "directorshipDirector"},
    {"Directorship", "organization", "directorshipOrganization"},
    {"Membership", "member", "membershipMember"},
    {"Membership", "organization", "membershipOrganization"},
    {"Family", "person", "familyPerson"},
    {"Family", "relative", "familyRelative"},
    {"Associate", "person", "associates"},
    {"Associate", "associate", "associations"},
    {"UnknownLink", "subject", "unknownLinkSubject"},
    {"UnknownLink", "object", "unknownLinkObject"},
    {"Employment", "employee", "employers"},
    {"Employment", "employer", "employees"},
    {"CryptoWallet", "holder", "cryptoWallets"},
    {"Address", "entity", "addressEntity"},
};

static void reverse_name(const char *schema, const char *prop, char *out, size_t size) {
    for (size_t i = 0; i < sizeof reverses / sizeof reverses[0]; i++)
        if (strcmp(reverses[i].schema, schema) == 0 && strcmp(reverses[i].prop, prop) == 0) {
            pu_strlcpy(out, reverses[i].reverse, size);
            return;
        }
    (void)pu_snprintf(out, size, "%c%s%c%s", tolower((unsigned char)schema[0]), schema + 1,
                      toupper((unsigned char)prop[0]), prop + 1);
}

/* The flat yente entity of id if the reader may see it (NULL otherwise). */
static json_t *flat_entity(http_req *r, const char *id) {
    ftm_entity *e = NULL;
    pu_err err;
    if (store_get(r->st, &r->scope, id, &e, &err) != PU_OK) return NULL;
    json_t *o = NULL;
    if (http_yente_entity(e, &o) != PU_OK) o = NULL;
    if (o) http_target(r, e->id);
    ftm_entity_free(e);
    return o;
}

/* Replace the entity-typed values of e's properties in props by the
 * entities they name (flat, when visible; a hidden one is dropped); the
 * value `keep_id` (the root, seen from a referrer) stays an id. */
static void nest_props(http_req *r, const ftm_entity *e, json_t *props, const char *keep_id) {
    const ftm_schema *sc = ftm_schema_get(e->schema);
    for (size_t i = 0; sc && i < e->nprops; i++) {
        const ftm_prop *p = &e->props[i];
        if (ftm_schema_prop_type(sc, p->name) != FTM_ENTITY) continue;
        json_t *vals = json_array();
        for (size_t k = 0; k < p->n; k++) {
            if (keep_id && strcmp(p->values[k], keep_id) == 0) {
                json_array_append_new(vals, json_string(p->values[k]));
                continue;
            }
            json_t *o = flat_entity(r, p->values[k]);
            if (o) json_array_append_new(vals, o);
        }
        if (json_array_size(vals)) json_object_set_new(props, p->name, vals);
        else {
            json_decref(vals);
            json_object_del(props, p->name);
        }
    }
}

typedef struct nest_ctx {
    http_req *r;
    const char *id;
    json_t *props;
} nest_ctx;

static int on_nest_referrer(const ftm_entity *e, void *vctx) {
    nest_ctx *c = vctx;
    const ftm_schema *sc = ftm_schema_get(e->schema);
    json_t *o = NULL;
    if (!sc || http_yente_entity(e, &o) != PU_OK) return 0;
    http_target(c->r, e->id);
    json_t *props = json_object_get(o, "properties");
    if (props) nest_props(c->r, e, props, c->id);
    /* under the reverse name of every property that names the root */
    int placed = 0;
    for (size_t i = 0; i < e->nprops && !placed; i++) {
        const ftm_prop *p = &e->props[i];
        if (ftm_schema_prop_type(sc, p->name) != FTM_ENTITY) continue;
        for (size_t k = 0; k < p->n && !placed; k++) {
            if (strcmp(p->values[k], c->id) != 0) continue;
            char rev[96];
            reverse_name(e->schema, p->name, rev, sizeof rev);
            json_t *arr = json_object_get(c->props, rev);
            if (!json_is_array(arr)) {
                arr = json_array();
                json_object_set_new(c->props, rev, arr);
            }
            json_array_append(arr, o);
            placed = 1;
        }
    }
    json_decref(o);
    return 0;
}

int h_yente_entity(http_req *r) {
    static const char *const args[] = {"nested", NULL};
    int rc = http_only_args(r, args);
    if (rc) return rc;
    const char *nested = http_arg(r, "nested");
    if (nested && strcmp(nested, "true") != 0 && strcmp(nested, "false") != 0)
        return http_fail(r, PU_ERR_INVALID, "nested", "expected true or false");
    const char *id = r->params[0];
    http_target(r, id);
    ftm_entity *e = NULL;
    pu_err err;
    rc = store_get(r->st, &r->scope, id, &e, &err);
    if (rc == PU_ERR_NOTFOUND) return http_fail(r, rc, "id", "no entity '%.100s'", id);
    if (rc) return http_fail(r, rc, NULL, "%s", err.msg);
    json_t *o = NULL;
    if ((rc = http_yente_entity(e, &o))) {
        ftm_entity_free(e);
        return http_fail(r, rc, NULL, "cannot serialise the entity");
    }
    json_t *props = json_object_get(o, "properties");
    if (!props) {
        props = json_object();
        json_object_set_new(o, "properties", props);
    }
    if (!nested || strcmp(nested, "true") == 0) {
        nest_props(r, e, props, NULL);
        nest_ctx c = {r, e->id, props};
        if ((rc = store_referrers(r->st, &r->scope, e->id, NEST_REFERRERS_MAX, on_nest_referrer, &c, &err)))
            rc = http_fail(r, rc, NULL, "%s", err.msg);
    }
    ftm_entity_free(e);
    if (rc) {
        json_decref(o);
        return rc;
    }
    return http_json(r, 200, o);
}

/* ---- GET /catalog ---- */

/* Titles of the datasets Puente's importers write (the name otherwise). */
static const struct { const char *name, *title; } titles[] = {
    {"us_ofac_sdn", "US OFAC Specially Designated Nationals (SDN) List"},
    {"us_ofac_cons", "US OFAC Consolidated (non-SDN) Sanctions List"},
    {"un_sc_sanctions", "UN Security Council Consolidated Sanctions List"},
    {"eu_fsf", "EU Financial Sanctions Files (FSF)"},
    {"gb_hmt_sanctions", "UK HM Treasury Consolidated List"},
    {"mx_uif_blocked", "Mexico UIF Blocked Persons List"},
};

static const char *dataset_title(const char *name) {
    for (size_t i = 0; i < sizeof titles / sizeof titles[0]; i++)
        if (strcmp(titles[i].name, name) == 0) return titles[i].title;
    return name;
}

int h_yente_catalog(http_req *r) {
    static const char *const no_args[] = {NULL};
    int rc = http_only_args(r, no_args);
    if (rc) return rc;
    db_sql q;
    db_sql_init(&q);
    /* counts and last change of the rows the reader may see, per dataset */
    db_sql_add(&q, "SELECT d.dataset, COUNT(*), MAX(e.updated) FROM entity_dataset d JOIN entity e ON e.id = d.entity_id"
                   " WHERE ");
    store_scope_sql(&q, &r->scope, "e");
    db_sql_add(&q, " GROUP BY d.dataset ORDER BY d.dataset");
    db_stmt *st = NULL;
    pu_err err;
    rc = db_sql_prepare(store_db(r->st), &q, &st, &err);
    db_sql_free(&q);
    if (rc) return http_fail(r, rc, NULL, "%s", err.msg);
    json_t *datasets = json_array(), *names = json_array();
    int64_t total = 0;
    char last[40] = "";
    while ((rc = db_step(st, &err)) == DB_ROW) {
        const char *name = db_col_text(st, 0), *updated = db_col_text(st, 2);
        int64_t n = db_col_int64(st, 1);
        total += n;
        if (strcmp(updated, last) > 0) pu_strlcpy(last, updated, sizeof last);
        json_array_append_new(names, json_string(name));
        json_array_append_new(datasets, json_pack("{s:s,s:s,s:s,s:I,s:s,s:s,s:s,s:b,s:[]}", "name", name, "title",
                                                  dataset_title(name), "type", "source", "entity_count",
                                                  (json_int_t)n, "updated_at", updated, "last_export", updated,
                                                  "version", updated, "load", 1, "children"));
    }
    db_finalize(st);
    if (rc != DB_DONE) {
        json_decref(datasets);
        json_decref(names);
        return http_fail(r, rc, NULL, "%s", err.msg);
    }
    /* yente's "default" collection: every dataset */
    json_array_append_new(datasets, json_pack("{s:s,s:s,s:s,s:I,s:s,s:s,s:s,s:b,s:O}", "name", "default", "title",
                                              "All datasets the reader may see", "type", "collection", "entity_count",
                                              (json_int_t)total, "updated_at", last, "last_export", last, "version",
                                              last, "load", 1, "children", names));
    json_t *current = json_deep_copy(names);
    json_array_append_new(current, json_string("default"));
    json_decref(names);
    (void)pu_buf_printf(&r->detail, "datasets=%zu", json_array_size(datasets) - 1);
    return http_json(r, 200, json_pack("{s:o,s:o,s:[],s:b}", "datasets", datasets, "current", current, "outdated",
                                       "index_stale", 0));
}

/* ---- GET /algorithms ---- */

int h_yente_algorithms(http_req *r) {
    static const char *const no_args[] = {NULL};
    int rc = http_only_args(r, no_args);
    if (rc) return rc;
    size_t n = 0;
    const screen_feature_doc *fs = screen_algo_features(&n);
    json_t *features = json_object();
    for (size_t i = 0; i < n; i++)
        json_object_set_new(features, fs[i].name, json_pack("{s:s,s:f,s:s,s:s}", "description", fs[i].description,
                                                            "coefficient", fs[i].weight, "kind", fs[i].kind, "url",
                                                            "docs/screening.md"));
    json_t *algo = json_pack("{s:s,s:s,s:o}", "name", SCREEN_ALGO_NAME, "description", screen_algo_description(),
                             "features", features);
    return http_json(r, 200, json_pack("{s:[o],s:s,s:s}", "algorithms", algo, "default", SCREEN_ALGO_NAME, "best",
                                       SCREEN_ALGO_NAME));
}
