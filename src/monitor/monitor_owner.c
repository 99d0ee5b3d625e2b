/*
 * monitor_owner.c - the OFAC 50 % rule over the visible Ownership records
 * (monitor.h, docs/monitor.md "Ownership and the 50 % rule").
 *
 * The graph is the list of Ownership edges (owner -> asset, share) the
 * reader may see, sorted by asset so the owners of an entity are one binary
 * search away. Entities on the way are read through store_get with the same
 * scope and cached per graph: an owner the reader may not see is never
 * followed, so a hidden record changes no answer.
 */
#include <stdlib.h>
#include <string.h>

#include "common/pu_parse.h"
#include "monitor/monitor_int.h"

/* Work bound of one entity's computation (edges looked at): a dense graph
 * with many parallel paths cannot make one answer run away. */
#define OWN_MAX_STEPS 200000

typedef struct edge {
    char *record, *owner, *asset;
    double share;
} edge;

typedef struct node {
    char *id, *caption;
    int visible, designated;
} node;

struct monitor_graph {
    store_t *st;
    const store_scope *scope;
    edge *e;
    size_t n, cap;
    node *nodes;              /* open addressing, power-of-two size */
    size_t nnodes, nodes_cap;
    char today[11];
};

int monitor_is_designated(const ftm_entity *e) {
    const ftm_prop *p = e ? ftm_entity_prop(e, "topics") : NULL;
    for (size_t i = 0; p && i < p->n; i++)
        if (strcmp(p->values[i], MONITOR_DESIGNATED_TOPIC) == 0) return 1;
    return 0;
}

/* A partial ISO date padded to the first (or last) day it covers, so that
 * string comparison with today's "YYYY-MM-DD" is date comparison. */
static void pad_date(const char *d, int last, char out[11]) {
    size_t n = strlen(d);
    if (n >= 10) {
        memcpy(out, d, 10);
        out[10] = 0;
    } else if (n == 7) {
        snprintf(out, 11, "%.7s-%s", d, last ? "31" : "01");
    } else {
        snprintf(out, 11, "%.4s-%s", d, last ? "12-31" : "01-01");
    }
}

/* In force today: started (or no start) and not ended (or no end). */
static int in_force(const ftm_entity *e, const char *today) {
    char d[11];
    const char *s = ftm_entity_first(e, "startDate"), *end = ftm_entity_first(e, "endDate");
    if (s && strlen(s) >= 4) {
        pad_date(s, 0, d);
        if (strcmp(d, today) > 0) return 0;
    }
    if (end && strlen(end) >= 4) {
        pad_date(end, 1, d);
        if (strcmp(d, today) < 0) return 0;
    }
    return 1;
}

typedef struct load_ctx {
    monitor_graph *g;
    int rc;
    pu_err *err;
} load_ctx;

static int add_edge(monitor_graph *g, const char *rec, const char *owner, const char *asset, double share) {
    if (g->n == g->cap) {
        if (g->cap >= MONITOR_OWN_MAX_EDGES) return PU_ERR_LIMIT;
        size_t cap = g->cap ? g->cap * 2 : 64;
        edge *ne = realloc(g->e, cap * sizeof *ne);
        if (!ne) return PU_ERR_NOMEM;
        g->e = ne;
        g->cap = cap;
    }
    edge *x = &g->e[g->n];
    *x = (edge){pu_strdup(rec), pu_strdup(owner), pu_strdup(asset), share};
    if (!x->record || !x->owner || !x->asset) {
        free(x->record);
        free(x->owner);
        free(x->asset);
        return PU_ERR_NOMEM;
    }
    g->n++;
    return PU_OK;
}

/* One Ownership record: an edge per (owner, asset) pair with a usable share.
 * A record without a percentage cannot be counted (its share is unknown). */
static int on_ownership(const ftm_entity *e, void *vctx) {
    load_ctx *c = vctx;
    if (!in_force(e, c->g->today)) return 0;
    const char *pct = ftm_entity_first(e, "percentage");
    double x;
    if (!pct || pu_percent_parse(pct, e->id, "percentage", &x, NULL) != PU_OK || x <= 0) return 0;
    const ftm_prop *owners = ftm_entity_prop(e, "owner"), *assets = ftm_entity_prop(e, "asset");
    for (size_t i = 0; owners && assets && i < owners->n; i++)
        for (size_t j = 0; j < assets->n; j++) {
            if (strcmp(owners->values[i], assets->values[j]) == 0) continue;
            int rc = add_edge(c->g, e->id, owners->values[i], assets->values[j], x / 100.0);
            if (rc) {
                c->rc = rc == PU_ERR_LIMIT
                            ? pu_fail(c->err, rc, NULL, "Ownership", "more than %d ownership records",
                                      MONITOR_OWN_MAX_EDGES)
                            : pu_fail(c->err, rc, NULL, NULL, "out of memory");
                return 1;
            }
        }
    return 0;
}

static int edge_cmp(const void *a, const void *b) {
    const edge *x = a, *y = b;
    int c = strcmp(x->asset, y->asset);
    return c ? c : strcmp(x->owner, y->owner);
}

int monitor_graph_load(store_t *st, const store_scope *scope, monitor_graph **out, pu_err *err) {
    *out = NULL;
    if (!scope) return pu_fail(err, PU_ERR_INTERNAL, NULL, NULL, "no reader scope");
    monitor_graph *g = calloc(1, sizeof *g);
    if (!g) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    g->st = st;
    g->scope = scope;
    char now[32];
    pu_now_iso(now, sizeof now);
    pu_strlcpy(g->today, now, sizeof g->today);
    load_ctx c = {g, PU_OK, err};
    store_query q = {.schema = "Ownership"};
    int rc = store_iter(st, scope, &q, on_ownership, &c, err);
    if (!rc) rc = c.rc;
    if (rc) {
        monitor_graph_free(g);
        return rc;
    }
    if (g->n) qsort(g->e, g->n, sizeof *g->e, edge_cmp);
    *out = g;
    return PU_OK;
}

void monitor_graph_free(monitor_graph *g) {
    if (!g) return;
    for (size_t i = 0; i < g->n; i++) {
        free(g->e[i].record);
        free(g->e[i].owner);
        free(g->e[i].asset);
    }
    for (size_t i = 0; i < g->nodes_cap; i++) {
        free(g->nodes[i].id);
        free(g->nodes[i].caption);
    }
    free(g->e);
    free(g->nodes);
    free(g);
}

/* ---- the entity cache ---------------------------------------------------- */

static uint64_t str_hash(const char *s) {
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static int nodes_grow(monitor_graph *g) {
    size_t cap = g->nodes_cap ? g->nodes_cap * 2 : 64;
    node *nn = calloc(cap, sizeof *nn);
    if (!nn) return PU_ERR_NOMEM;
    for (size_t i = 0; i < g->nodes_cap; i++) {
        if (!g->nodes[i].id) continue;
        size_t k = str_hash(g->nodes[i].id) & (cap - 1);
        while (nn[k].id) k = (k + 1) & (cap - 1);
        nn[k] = g->nodes[i];
    }
    free(g->nodes);
    g->nodes = nn;
    g->nodes_cap = cap;
    return PU_OK;
}

/* The cached facts of entity id as the graph's reader sees it. */
static int node_get(monitor_graph *g, const char *id, const node **out, pu_err *err) {
    if ((g->nnodes + 1) * 2 > g->nodes_cap && nodes_grow(g))
        return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    size_t k = str_hash(id) & (g->nodes_cap - 1);
    while (g->nodes[k].id) {
        if (strcmp(g->nodes[k].id, id) == 0) {
            *out = &g->nodes[k];
            return PU_OK;
        }
        k = (k + 1) & (g->nodes_cap - 1);
    }
    ftm_entity *e = NULL;
    pu_err ge;
    int rc = store_get(g->st, g->scope, id, &e, &ge);
    if (rc && rc != PU_ERR_NOTFOUND) {
        if (err) *err = ge;
        return rc;
    }
    node n = {pu_strdup(id), pu_strdup(e ? ftm_entity_caption(e) : id), e != NULL, monitor_is_designated(e)};
    ftm_entity_free(e);
    if (!n.id || !n.caption) {
        free(n.id);
        free(n.caption);
        return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    g->nodes[k] = n;
    g->nnodes++;
    *out = &g->nodes[k];
    return PU_OK;
}

/* ---- the walk --------------------------------------------------------------- */

typedef struct walk {
    monitor_graph *g;
    monitor_ownership *o;
    const edge *path[MONITOR_OWN_MAX_DEPTH];   /* edges from the entity upwards */
    const char *onpath[MONITOR_OWN_MAX_DEPTH + 1];
    int depth;
    size_t chains_cap;
    long steps;
    pu_err *err;
} walk;

/* First edge whose asset is id (edges are sorted by asset). */
static size_t first_edge(const monitor_graph *g, const char *id) {
    size_t lo = 0, hi = g->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(g->e[mid].asset, id) < 0) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

static int on_path(const walk *w, const char *id) {
    for (int i = 0; i <= w->depth; i++)
        if (w->onpath[i] && strcmp(w->onpath[i], id) == 0) return 1;
    return 0;
}

static char *caption_of(walk *w, const char *id) {
    const node *n = NULL;
    return node_get(w->g, id, &n, NULL) == PU_OK ? pu_strdup(n->caption) : pu_strdup(id);
}

/* Keep the current path (w->path[0..depth], the last edge to a designated
 * owner) as a chain, ordered from that owner down to the entity. */
static int keep_chain(walk *w, int nlinks, double share) {
    monitor_ownership *o = w->o;
    if (o->nchains >= MONITOR_OWN_MAX_CHAINS) {
        o->more_chains++;
        return PU_OK;
    }
    if (o->nchains == w->chains_cap) {
        size_t cap = w->chains_cap ? w->chains_cap * 2 : 8;
        monitor_chain *nc = realloc(o->chains, cap * sizeof *nc);
        if (!nc) return PU_ERR_NOMEM;
        o->chains = nc;
        w->chains_cap = cap;
    }
    monitor_chain *c = &o->chains[o->nchains++];
    c->n = (size_t)nlinks;
    c->share = share;
    c->links = calloc((size_t)nlinks, sizeof *c->links);
    if (!c->links) return PU_ERR_NOMEM;
    for (int i = 0; i < nlinks; i++) {
        const edge *e = w->path[nlinks - 1 - i];
        monitor_link *l = &c->links[i];
        *l = (monitor_link){pu_strdup(e->record), pu_strdup(e->owner), caption_of(w, e->owner), pu_strdup(e->asset),
                            caption_of(w, e->asset), e->share};
        if (!l->record_id || !l->owner_id || !l->owner_caption || !l->asset_id || !l->asset_caption)
            return PU_ERR_NOMEM;
    }
    return PU_OK;
}

/* Look-through share: every chain from a designated owner to id, product
 * of the shares along it (prod = product of the edges below id). */
static int look_through(walk *w, const char *id, double prod) {
    const monitor_graph *g = w->g;
    for (size_t i = first_edge(g, id); i < g->n && strcmp(g->e[i].asset, id) == 0; i++) {
        const edge *e = &g->e[i];
        if (++w->steps > OWN_MAX_STEPS) {
            w->o->truncated = 1; /* said in the answer: the share may be higher */
            return PU_OK;
        }
        if (on_path(w, e->owner)) continue; /* a cycle ends here */
        const node *n = NULL;
        int rc = node_get(w->g, e->owner, &n, w->err);
        if (rc) return rc;
        if (!n->visible) continue;
        double p = prod * e->share;
        w->path[w->depth] = e;
        if (n->designated) {
            w->o->share += p;
            if ((rc = keep_chain(w, w->depth + 1, p))) return rc;
        } else if (w->depth + 1 < MONITOR_OWN_MAX_DEPTH) {
            w->onpath[++w->depth] = e->owner;
            rc = look_through(w, e->owner, p);
            w->onpath[w->depth--] = NULL;
            if (rc) return rc;
        }
    }
    return PU_OK;
}

/* OFAC's aggregation: stakes of designated owners and of owners that are
 * themselves blocked count in full. */
static int ofac_share(walk *w, const char *id, double *out) {
    const monitor_graph *g = w->g;
    double sum = 0;
    for (size_t i = first_edge(g, id); i < g->n && strcmp(g->e[i].asset, id) == 0; i++) {
        const edge *e = &g->e[i];
        if (++w->steps > OWN_MAX_STEPS) {
            w->o->truncated = 1;
            break;
        }
        if (on_path(w, e->owner)) continue;
        const node *n = NULL;
        int rc = node_get(w->g, e->owner, &n, w->err);
        if (rc) return rc;
        if (!n->visible) continue;
        if (n->designated) {
            sum += e->share;
            continue;
        }
        if (w->depth + 1 >= MONITOR_OWN_MAX_DEPTH) continue;
        double up = 0;
        w->onpath[++w->depth] = e->owner;
        rc = ofac_share(w, e->owner, &up);
        w->onpath[w->depth--] = NULL;
        if (rc) return rc;
        if (up >= MONITOR_OWN_THRESHOLD - 1e-9) sum += e->share;
    }
    *out = sum;
    return PU_OK;
}

static int chain_cmp(const void *a, const void *b) {
    const monitor_chain *x = a, *y = b;
    return x->share < y->share ? 1 : x->share > y->share ? -1 : 0;
}

int monitor_graph_ownership(monitor_graph *g, const char *entity_id, monitor_ownership **out, pu_err *err) {
    *out = NULL;
    if (pu_blank(entity_id)) return pu_fail(err, PU_ERR_INVALID, NULL, "id", "expected an entity id");
    monitor_ownership *o = calloc(1, sizeof *o);
    if (!o || !(o->entity_id = pu_strdup(entity_id))) {
        free(o);
        return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    walk w = {.g = g, .o = o, .err = err};
    w.onpath[0] = entity_id;
    int rc = look_through(&w, entity_id, 1.0);
    w.steps = 0;
    if (!rc) rc = ofac_share(&w, entity_id, &o->ofac_share);
    if (rc) {
        monitor_ownership_free(o);
        return rc == PU_ERR_NOMEM ? pu_fail(err, rc, NULL, NULL, "out of memory") : rc;
    }
    if (o->nchains > 1) qsort(o->chains, o->nchains, sizeof *o->chains, chain_cmp);
    /* a small tolerance: 0.6 * 0.9 * ... must not miss 0.5 by rounding */
    o->blocked = o->share >= MONITOR_OWN_THRESHOLD - 1e-9 || o->ofac_share >= MONITOR_OWN_THRESHOLD - 1e-9;
    *out = o;
    return PU_OK;
}

int monitor_ownership_get(store_t *st, const store_scope *scope, const char *entity_id, monitor_ownership **out,
                          pu_err *err) {
    *out = NULL;
    ftm_entity *e = NULL;
    int rc = store_get(st, scope, entity_id ? entity_id : "", &e, err);
    ftm_entity_free(e);
    if (rc) return rc;
    monitor_graph *g = NULL;
    if ((rc = monitor_graph_load(st, scope, &g, err))) return rc;
    rc = monitor_graph_ownership(g, entity_id, out, err);
    monitor_graph_free(g);
    return rc;
}

void monitor_ownership_free(monitor_ownership *o) {
    if (!o) return;
    for (size_t i = 0; i < o->nchains; i++) {
        for (size_t k = 0; k < o->chains[i].n && o->chains[i].links; k++) {
            monitor_link *l = &o->chains[i].links[k];
            free(l->record_id);
            free(l->owner_id);
            free(l->owner_caption);
            free(l->asset_id);
            free(l->asset_caption);
        }
        free(o->chains[i].links);
    }
    free(o->chains);
    free(o->entity_id);
    free(o);
}

json_t *monitor_ownership_to_json(const monitor_ownership *o) {
    json_t *chains = json_array();
    for (size_t i = 0; chains && i < o->nchains; i++) {
        json_t *links = json_array();
        for (size_t k = 0; links && k < o->chains[i].n; k++) {
            const monitor_link *l = &o->chains[i].links[k];
            json_array_append_new(links, json_pack("{s:s,s:s,s:s,s:s,s:s,s:f}", "record", l->record_id, "owner",
                                                   l->owner_id, "owner_caption", l->owner_caption, "asset",
                                                   l->asset_id, "asset_caption", l->asset_caption, "share",
                                                   l->share));
        }
        json_array_append_new(chains, json_pack("{s:f,s:o}", "share", o->chains[i].share, "links",
                                                links ? links : json_array()));
    }
    return json_pack("{s:s,s:b,s:f,s:f,s:f,s:o,s:I,s:b}", "entity_id", o->entity_id, "blocked", o->blocked, "share",
                     o->share, "ofac_share", o->ofac_share, "threshold", MONITOR_OWN_THRESHOLD, "chains",
                     chains ? chains : json_array(), "more_chains", (json_int_t)o->more_chains, "truncated",
                     o->truncated);
}

void monitor_ownership_print(const monitor_ownership *o, FILE *out) {
    if (o->blocked)
        fprintf(out, pu_tr("%s: BLOCKED BY OWNERSHIP: designated owners hold %.1f%% (look-through), %.1f%% "
                           "(OFAC aggregation); threshold %.0f%%\n"),
                o->entity_id, 100 * o->share, 100 * o->ofac_share, 100 * MONITOR_OWN_THRESHOLD);
    else
        fprintf(out, pu_tr("%s: not blocked by ownership: designated owners hold %.1f%% (look-through), %.1f%% "
                           "(OFAC aggregation); threshold %.0f%%\n"),
                o->entity_id, 100 * o->share, 100 * o->ofac_share, 100 * MONITOR_OWN_THRESHOLD);
    for (size_t i = 0; i < o->nchains; i++) {
        const monitor_chain *c = &o->chains[i];
        fprintf(out, pu_tr("  chain %zu: %.1f%%\n"), i + 1, 100 * c->share);
        for (size_t k = 0; k < c->n; k++) {
            const monitor_link *l = &c->links[k];
            fprintf(out, pu_tr("    %s (%s) owns %.1f%% of %s (%s) [%s]\n"), l->owner_caption, l->owner_id,
                    100 * l->share, l->asset_caption, l->asset_id, l->record_id);
        }
    }
    if (o->more_chains) fprintf(out, pu_tr("  ... and %zu more chains\n"), o->more_chains);
    if (o->truncated)
        fprintf(out, "%s", pu_tr("  (the ownership graph around this entity is too dense to follow every chain: the "
                                 "shares may be higher)\n"));
}

/* ---- screening results ------------------------------------------------------- */

/* Can entities of this schema be owned (FtM Asset or Organization)? */
static int ownable(const char *schema) {
    const ftm_schema *s = ftm_schema_get(schema ? schema : "");
    return s && (ftm_schema_is_a(s, "Asset") || ftm_schema_is_a(s, "Organization") || strcmp(schema, "LegalEntity") == 0);
}

int monitor_annotate_result(monitor_graph *g, json_t *result, pu_err *err) {
    json_t *arr = json_object_get(result, "results");
    if (!g || !g->n || !json_is_array(arr)) return PU_OK;
    size_t i;
    json_t *m;
    json_array_foreach(arr, i, m) {
        const char *id = json_string_value(json_object_get(m, "id"));
        if (!id || !ownable(json_string_value(json_object_get(m, "schema")))) continue;
        monitor_ownership *o = NULL;
        int rc = monitor_graph_ownership(g, id, &o, err);
        if (rc) return rc;
        if (o->blocked) json_object_set_new(m, "blocked_by_ownership", monitor_ownership_to_json(o));
        monitor_ownership_free(o);
    }
    return PU_OK;
}

/* ---- the blocked set, for screening's designated scope ---- */
static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int monitor_graph_blocked_ids(monitor_graph *g, char ***ids, size_t *n, pu_err *err) {
    *ids = NULL;
    *n = 0;
    if (!g || g->n == 0) return PU_OK;
    char **assets = malloc(g->n * sizeof *assets);
    if (!assets) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    for (size_t i = 0; i < g->n; i++) assets[i] = g->e[i].asset;
    qsort(assets, g->n, sizeof *assets, cmp_str);
    char **out = malloc(g->n * sizeof *out);
    int rc = out ? PU_OK : pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    size_t k = 0;
    for (size_t i = 0; rc == PU_OK && i < g->n; i++) {
        if (i && !strcmp(assets[i], assets[i - 1])) continue; /* each asset once */
        monitor_ownership *o = NULL;
        rc = monitor_graph_ownership(g, assets[i], &o, err);
        if (rc == PU_OK && o->blocked && !(out[k] = pu_strdup(assets[i])))
            rc = pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
        else if (rc == PU_OK && o->blocked)
            k++;
        monitor_ownership_free(o);
    }
    free(assets);
    if (rc) {
        for (size_t i = 0; i < k; i++) free(out[i]);
        free(out);
        return rc;
    }
    *ids = out; /* already sorted: the assets were */
    *n = k;
    return PU_OK;
}

int monitor_blocked_has(const void *ctx, const char *id) {
    const monitor_blocked_set *s = ctx;
    return s && s->n && bsearch(&id, s->ids, s->n, sizeof *s->ids, cmp_str) != NULL;
}

void monitor_blocked_set_free(monitor_blocked_set *s) {
    if (!s) return;
    for (size_t i = 0; i < s->n; i++) free(s->ids[i]);
    free(s->ids);
    s->ids = NULL;
    s->n = 0;
}
