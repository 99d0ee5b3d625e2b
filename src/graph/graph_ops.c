/* graph_ops.c - network analysis on the reader's graph with libigraph:
 * expand, paths, the connecting network of a set, components,
 * communities (Leiden) and centrality (graph.h). The graph holds only what
 * the reader may see, so the algorithms need no filtering of their own. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "graph/graph_int.h"

#define LEIDEN_BETA 0.01          /* igraph's default randomness of the refinement */
#define LEIDEN_SEED 42            /* communities are reproducible between runs */
#define PAGERANK_DAMPING 0.85
#define COMPONENT_SAMPLE 5        /* member ids shown per component or community */

static const gnode *N(const graph *g, igraph_integer_t v) { return &((const gnode *)g->nodes.data)[v]; }
static const gedge *E(const graph *g, igraph_integer_t e) { return &((const gedge *)g->edges.data)[e]; }

static int nomem(pu_err *err) { return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory"); }

void graph_json_str(pu_buf *out, const char *s) {
    pu_buf_putc(out, '"');
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') pu_buf_printf(out, "\\%c", ch);
        else if (ch < 0x20) pu_buf_printf(out, "\\u%04x", ch);
        else pu_buf_putc(out, (char)ch);
    }
    pu_buf_putc(out, '"');
}

void graph_json_node(const graph *g, uint32_t v, pu_buf *out) {
    pu_buf_puts(out, "{\"id\":");
    graph_json_str(out, N(g, v)->id);
    pu_buf_puts(out, ",\"kind\":");
    graph_json_str(out, N(g, v)->kind);
    pu_buf_puts(out, ",\"label\":");
    graph_json_str(out, N(g, v)->label);
    pu_buf_putc(out, '}');
}

void graph_json_edge(const graph *g, uint32_t e, pu_buf *out) {
    const gedge *x = E(g, e);
    pu_buf_puts(out, "{\"from\":");
    graph_json_str(out, N(g, x->a)->id);
    pu_buf_puts(out, ",\"to\":");
    graph_json_str(out, N(g, x->b)->id);
    pu_buf_puts(out, ",\"type\":");
    graph_json_str(out, x->type);
    pu_buf_puts(out, ",\"source\":");
    graph_json_str(out, x->src);
    pu_buf_puts(out, ",\"date\":");
    graph_json_str(out, x->date);
    pu_buf_putc(out, '}');
}

static void text_edge(const graph *g, igraph_integer_t e, pu_buf *out) {
    const gedge *x = E(g, e);
    pu_buf_printf(out, "  -- %s (%s%s%s) --\n", x->type, x->src, x->date[0] ? ", " : "", x->date);
}

/* Nodes vs[0..n) and the edges among them, as {"nodes":[...],"edges":[...]}. */
static int write_sub(const graph *g, const igraph_vector_int_t *vs, const char *head, pu_buf *out, pu_err *err) {
    size_t n = (size_t)igraph_vector_int_size(vs);
    unsigned char *in = calloc(g->nodes.len ? g->nodes.len : 1, 1);
    if (!in) return nomem(err);
    pu_buf_printf(out, "{%s\"nodes\":[", head ? head : "");
    for (size_t i = 0; i < n; i++) {
        in[VECTOR(*vs)[i]] = 1;
        if (i) pu_buf_putc(out, ',');
        graph_json_node(g, (uint32_t)VECTOR(*vs)[i], out);
    }
    pu_buf_puts(out, "],\"edges\":[");
    int first = 1;
    for (size_t e = 0; e < g->edges.len; e++)
        if (in[E(g, (igraph_integer_t)e)->a] && in[E(g, (igraph_integer_t)e)->b]) {
            if (!first) pu_buf_putc(out, ',');
            first = 0;
            graph_json_edge(g, (uint32_t)e, out);
        }
    pu_buf_puts(out, "]}\n");
    free(in);
    return PU_OK;
}

/* ---- expand ---- */

/* A small open-addressing set of visited nodes with their distance: an
 * expansion touches its neighbourhood only, never O(nodes) memory. */
typedef struct vset {
    uint32_t *key;   /* node + 1; 0 = empty */
    int *dist;
    size_t cap, n;
} vset;

static int vset_grow(vset *s) {
    size_t nc = s->cap ? s->cap * 2 : 256;
    uint32_t *k = calloc(nc, sizeof *k);
    int *d = calloc(nc, sizeof *d);
    if (!k || !d) {
        free(k), free(d);
        return PU_ERR_NOMEM;
    }
    for (size_t i = 0; i < s->cap; i++) {
        if (!s->key[i]) continue;
        size_t j = (s->key[i] * 2654435761u) & (nc - 1);
        while (k[j]) j = (j + 1) & (nc - 1);
        k[j] = s->key[i];
        d[j] = s->dist[i];
    }
    free(s->key), free(s->dist);
    s->key = k, s->dist = d, s->cap = nc;
    return PU_OK;
}

/* Distance of v, or -1. */
static int vset_get(const vset *s, uint32_t v) {
    if (!s->cap) return -1;
    for (size_t j = ((v + 1) * 2654435761u) & (s->cap - 1); s->key[j]; j = (j + 1) & (s->cap - 1))
        if (s->key[j] == v + 1) return s->dist[j];
    return -1;
}

/* Add v at distance d (it is new). */
static int vset_add(vset *s, uint32_t v, int d) {
    if ((s->n + 1) * 2 > s->cap && vset_grow(s)) return PU_ERR_NOMEM;
    size_t j = ((v + 1) * 2654435761u) & (s->cap - 1);
    while (s->key[j]) j = (j + 1) & (s->cap - 1);
    s->key[j] = v + 1;
    s->dist[j] = d;
    s->n++;
    return PU_OK;
}

/* Breadth-first from v up to hops: order gets the nodes nearest first. */
static int bounded_bfs(const graph *g, uint32_t v, int hops, vset *seen, igraph_vector_int_t *order) {
    igraph_vector_int_t nei;
    if (igraph_vector_int_init(&nei, 0)) return PU_ERR_NOMEM;
    int rc = vset_add(seen, v, 0) || igraph_vector_int_push_back(order, v) ? PU_ERR_NOMEM : PU_OK;
    for (igraph_integer_t i = 0; !rc && i < igraph_vector_int_size(order); i++) {
        igraph_integer_t u = VECTOR(*order)[i];
        int d = vset_get(seen, (uint32_t)u);
        if (d >= hops) continue;
        if (igraph_neighbors(&g->ig, &nei, u, IGRAPH_ALL)) rc = PU_ERR_NOMEM;
        for (igraph_integer_t k = 0; !rc && k < igraph_vector_int_size(&nei); k++) {
            uint32_t w = (uint32_t)VECTOR(nei)[k];
            if (vset_get(seen, w) >= 0) continue;
            if (vset_add(seen, w, d + 1) || igraph_vector_int_push_back(order, w)) rc = PU_ERR_NOMEM;
        }
    }
    igraph_vector_int_destroy(&nei);
    return rc;
}

/* The page's nodes and the edges among them (incident edges of each node). */
int graph_write_page(const graph *g, const igraph_vector_int_t *page, const char *head, pu_buf *out) {
    vset in = {0};
    igraph_vector_int_t inc;
    if (igraph_vector_int_init(&inc, 0)) return PU_ERR_NOMEM;
    int rc = PU_OK;
    pu_buf_printf(out, "{%s\"nodes\":[", head);
    for (igraph_integer_t i = 0; i < igraph_vector_int_size(page) && !rc; i++) {
        if (i) pu_buf_putc(out, ',');
        graph_json_node(g, (uint32_t)VECTOR(*page)[i], out);
        rc = vset_add(&in, (uint32_t)VECTOR(*page)[i], 0);
    }
    pu_buf_puts(out, "],\"edges\":[");
    int first = 1;
    for (igraph_integer_t i = 0; i < igraph_vector_int_size(page) && !rc; i++) {
        igraph_integer_t u = VECTOR(*page)[i];
        if (igraph_incident(&g->ig, &inc, u, IGRAPH_ALL)) rc = PU_ERR_NOMEM;
        for (igraph_integer_t k = 0; !rc && k < igraph_vector_int_size(&inc); k++) {
            igraph_integer_t e = VECTOR(inc)[k];
            const gedge *x = E(g, e);
            uint32_t other = x->a == (uint32_t)u ? x->b : x->a;
            /* each edge once: from its smaller endpoint */
            if (vset_get(&in, other) < 0 || (uint32_t)u != (x->a < x->b ? x->a : x->b)) continue;
            if (!first) pu_buf_putc(out, ',');
            first = 0;
            graph_json_edge(g, (uint32_t)e, out);
        }
    }
    pu_buf_puts(out, "]}\n");
    igraph_vector_int_destroy(&inc);
    free(in.key), free(in.dist);
    return rc;
}

int graph_expand(const graph *g, const char *key, int hops, size_t offset, size_t limit, int json, pu_buf *out,
                 pu_err *err) {
    uint32_t v;
    int rc = graph_find(g, key, &v, err);
    if (rc) return rc;
    if (hops <= 0) hops = 1;
    if (!limit) limit = GRAPH_EXPAND_LIMIT;
    vset seen = {0};
    igraph_vector_int_t order, page;
    igraph_vector_int_init(&order, 0);
    igraph_vector_int_init(&page, 0);
    rc = bounded_bfs(g, v, hops, &seen, &order);
    size_t total = igraph_vector_int_size(&order) ? (size_t)igraph_vector_int_size(&order) - 1 : 0;
    if (!rc && igraph_vector_int_push_back(&page, v)) rc = PU_ERR_NOMEM;
    for (size_t i = offset + 1; !rc && i < (size_t)igraph_vector_int_size(&order) && i <= offset + limit; i++)
        if (igraph_vector_int_push_back(&page, VECTOR(order)[i])) rc = PU_ERR_NOMEM;
    if (!rc && json) {
        char head[96];
        snprintf(head, sizeof head, "\"total\":%zu,\"offset\":%zu,\"limit\":%zu,", total, offset, limit);
        rc = graph_write_page(g, &page, head, out);
    } else if (!rc) {
        pu_buf_printf(out, "%s\t%s\n", N(g, v)->id, N(g, v)->label);
        for (igraph_integer_t i = 1; i < igraph_vector_int_size(&page); i++) {
            igraph_integer_t u = VECTOR(page)[i];
            pu_buf_printf(out, "  %d\t%s\t%s\t%s\n", vset_get(&seen, (uint32_t)u), N(g, u)->id, N(g, u)->kind,
                          N(g, u)->label);
        }
        pu_buf_printf(out, pu_tr("%zu nodes within %d hops (shown %zu from %zu)\n"), total, hops,
                      (size_t)igraph_vector_int_size(&page) - 1, offset);
    }
    free(seen.key), free(seen.dist);
    igraph_vector_int_destroy(&page);
    igraph_vector_int_destroy(&order);
    return rc ? nomem(err) : PU_OK;
}

/* ---- paths ---- */

static void text_path(const graph *g, const igraph_vector_int_t *vs, const igraph_vector_int_t *es, pu_buf *out) {
    for (igraph_integer_t i = 0; i < igraph_vector_int_size(vs); i++) {
        igraph_integer_t u = VECTOR(*vs)[i];
        pu_buf_printf(out, "%s\t%s\t%s\n", N(g, u)->id, N(g, u)->kind, N(g, u)->label);
        if (es && i < igraph_vector_int_size(es)) text_edge(g, VECTOR(*es)[i], out);
    }
}

static void json_path(const graph *g, const igraph_vector_int_t *vs, const igraph_vector_int_t *es, pu_buf *out) {
    pu_buf_puts(out, "{\"nodes\":[");
    for (igraph_integer_t i = 0; i < igraph_vector_int_size(vs); i++) {
        if (i) pu_buf_putc(out, ',');
        graph_json_node(g, (uint32_t)VECTOR(*vs)[i], out);
    }
    pu_buf_puts(out, "],\"edges\":[");
    for (igraph_integer_t i = 0; es && i < igraph_vector_int_size(es); i++) {
        if (i) pu_buf_putc(out, ',');
        graph_json_edge(g, (uint32_t)VECTOR(*es)[i], out);
    }
    pu_buf_puts(out, "]}");
}

/* ---- shortest path: a breadth-first search from both ends ----
 * igraph_get_shortest_path searches from one end until it reaches the
 * other: on a 1M-node graph whose communities are joined by random edges
 * that is most of the graph per query (p99 4.9 s on the loaded machine,
 * docs/perf/graph.md). Searching from both ends, one whole level of the
 * smaller frontier at a time, touches two balls of about half the distance
 * instead. Per side: the edge each vertex was reached by (+1; 0 = not yet)
 * and its depth, in calloc'd arrays (only the touched pages cost). */
typedef struct bside {
    igraph_integer_t *via;   /* edge + 1 the vertex was reached by; -1 for the root */
    int32_t *depth;
    igraph_vector_int_t front, next;
} bside;

static int bside_init(bside *s, size_t n, igraph_integer_t root) {
    s->via = calloc(n, sizeof *s->via);
    s->depth = calloc(n, sizeof *s->depth);
    int bad = !s->via || !s->depth;
    bad |= igraph_vector_int_init(&s->front, 0) != IGRAPH_SUCCESS;
    bad |= igraph_vector_int_init(&s->next, 0) != IGRAPH_SUCCESS;
    if (!bad) {
        s->via[root] = -1;
        bad = igraph_vector_int_push_back(&s->front, root) != IGRAPH_SUCCESS;
    }
    return bad ? PU_ERR_NOMEM : PU_OK;
}

static void bside_free(bside *s) {
    free(s->via);
    free(s->depth);
    igraph_vector_int_destroy(&s->front);
    igraph_vector_int_destroy(&s->next);
}

/* Expand one level of side s; a vertex the other side o reached is a
 * meeting: keep the one of the shortest total (*best, the edge in *meet_e
 * with its end on s's side in *meet_u). */
static int bside_level(const graph *g, bside *s, const bside *o, igraph_vector_int_t *inc, int64_t *best,
                       igraph_integer_t *meet_e, igraph_integer_t *meet_u) {
    igraph_vector_int_clear(&s->next);
    for (igraph_integer_t i = 0; i < igraph_vector_int_size(&s->front); i++) {
        igraph_integer_t u = VECTOR(s->front)[i];
        if (igraph_incident(&g->ig, inc, u, IGRAPH_ALL)) return PU_ERR_NOMEM;
        for (igraph_integer_t k = 0; k < igraph_vector_int_size(inc); k++) {
            igraph_integer_t e = VECTOR(*inc)[k], w = IGRAPH_OTHER(&g->ig, e, u);
            if (o->via[w]) {
                int64_t len = (int64_t)s->depth[u] + 1 + o->depth[w];
                if (*best < 0 || len < *best) *best = len, *meet_e = e, *meet_u = u;
            }
            if (s->via[w]) continue;
            s->via[w] = e + 1;
            s->depth[w] = s->depth[u] + 1;
            if (igraph_vector_int_push_back(&s->next, w)) return PU_ERR_NOMEM;
        }
    }
    igraph_vector_int_swap(&s->front, &s->next);
    return PU_OK;
}

/* The vertices from the root of s to v (root first) and their edges, appended. */
static int bside_trail(const graph *g, const bside *s, igraph_integer_t v, igraph_vector_int_t *vs,
                       igraph_vector_int_t *es, int reverse) {
    igraph_vector_int_t tv, te;
    igraph_vector_int_init(&tv, 0);
    igraph_vector_int_init(&te, 0);
    int rc = PU_OK;
    for (igraph_integer_t x = v;; ) {
        if (igraph_vector_int_push_back(&tv, x)) rc = PU_ERR_NOMEM;
        if (rc || s->via[x] < 0) break;
        igraph_integer_t e = s->via[x] - 1;
        if (igraph_vector_int_push_back(&te, e)) rc = PU_ERR_NOMEM;
        x = IGRAPH_OTHER(&g->ig, e, x);
    }
    if (!reverse) {   /* tv runs v..root: the root first */
        igraph_vector_int_reverse(&tv);
        igraph_vector_int_reverse(&te);
    }
    for (igraph_integer_t i = 0; !rc && i < igraph_vector_int_size(&tv); i++)
        if (igraph_vector_int_push_back(vs, VECTOR(tv)[i])) rc = PU_ERR_NOMEM;
    for (igraph_integer_t i = 0; !rc && i < igraph_vector_int_size(&te); i++)
        if (igraph_vector_int_push_back(es, VECTOR(te)[i])) rc = PU_ERR_NOMEM;
    igraph_vector_int_destroy(&tv);
    igraph_vector_int_destroy(&te);
    return rc;
}

/* A shortest path a..b into vs (vertices) and es (edges), both empty when
 * there is none. Errors: PU_ERR_NOMEM. */
static int bidi_path(const graph *g, igraph_integer_t a, igraph_integer_t b, igraph_vector_int_t *vs,
                     igraph_vector_int_t *es) {
    igraph_vector_int_clear(vs);
    igraph_vector_int_clear(es);
    if (a == b) return igraph_vector_int_push_back(vs, a) ? PU_ERR_NOMEM : PU_OK;
    size_t n = (size_t)igraph_vcount(&g->ig);
    bside sa, sb;
    memset(&sa, 0, sizeof sa);
    memset(&sb, 0, sizeof sb);
    igraph_vector_int_t inc;
    int rc = igraph_vector_int_init(&inc, 0) ? PU_ERR_NOMEM : PU_OK;
    if (!rc) rc = bside_init(&sa, n, a);
    if (!rc) rc = bside_init(&sb, n, b);
    int64_t best = -1;
    igraph_integer_t me = -1, mu = -1;
    int from_a = 1;
    while (!rc && best < 0 && igraph_vector_int_size(&sa.front) && igraph_vector_int_size(&sb.front)) {
        from_a = igraph_vector_int_size(&sa.front) <= igraph_vector_int_size(&sb.front);
        rc = from_a ? bside_level(g, &sa, &sb, &inc, &best, &me, &mu) : bside_level(g, &sb, &sa, &inc, &best, &me, &mu);
    }
    if (!rc && best >= 0) {   /* a..mu, the meeting edge, w..b */
        igraph_integer_t w = IGRAPH_OTHER(&g->ig, me, mu);
        igraph_integer_t x = from_a ? mu : w, y = from_a ? w : mu;   /* x on a's side, y on b's */
        rc = bside_trail(g, &sa, x, vs, es, 0);
        if (!rc && igraph_vector_int_push_back(es, me)) rc = PU_ERR_NOMEM;
        if (!rc) rc = bside_trail(g, &sb, y, vs, es, 1);
    }
    bside_free(&sa);
    bside_free(&sb);
    igraph_vector_int_destroy(&inc);
    return rc;
}

int graph_path(const graph *g, const char *a, const char *b, int json, pu_buf *out, pu_err *err) {
    uint32_t va, vb;
    int rc = graph_find(g, a, &va, err);
    if (!rc) rc = graph_find(g, b, &vb, err);
    if (rc) return rc;
    igraph_vector_int_t vs, es;
    igraph_vector_int_init(&vs, 0);
    igraph_vector_int_init(&es, 0);
    if (bidi_path(g, va, vb, &vs, &es)) rc = nomem(err);
    else if (!igraph_vector_int_size(&vs))
        rc = pu_fail(err, PU_ERR_NOTFOUND, NULL, "path", "no path between '%s' and '%s'", a, b);
    else if (json) {
        json_path(g, &vs, &es, out);
        pu_buf_putc(out, '\n');
    } else {
        text_path(g, &vs, &es, out);
        pu_buf_printf(out, pu_tr("path of %d edges\n"), (int)igraph_vector_int_size(&es));
    }
    igraph_vector_int_destroy(&vs);
    igraph_vector_int_destroy(&es);
    return rc;
}

/* The edge between u and w (the first one). */
static igraph_integer_t edge_between(const graph *g, igraph_integer_t u, igraph_integer_t w) {
    igraph_integer_t eid = -1;
    igraph_get_eid(&g->ig, &eid, u, w, IGRAPH_UNDIRECTED, 0);
    return eid;
}

int graph_paths(const graph *g, const char *a, const char *b, int hops, int json, pu_buf *out, pu_err *err) {
    uint32_t va, vb;
    int rc = graph_find(g, a, &va, err);
    if (!rc) rc = graph_find(g, b, &vb, err);
    if (rc) return rc;
    if (hops <= 0) hops = 3;
    igraph_vector_int_t res;
    igraph_vector_int_init(&res, 0);
    if (igraph_get_all_simple_paths(&g->ig, &res, va, igraph_vss_1(vb), hops, IGRAPH_ALL)) {
        igraph_vector_int_destroy(&res);
        return nomem(err);
    }
    /* res: paths separated by -1 */
    int np = 0;
    if (json) pu_buf_puts(out, "{\"paths\":[");
    igraph_vector_int_t vs, es;
    igraph_vector_int_init(&vs, 0);
    igraph_vector_int_init(&es, 0);
    for (igraph_integer_t i = 0; i < igraph_vector_int_size(&res) && np < GRAPH_PATHS_MAX; i++) {
        igraph_integer_t x = VECTOR(res)[i];
        if (x >= 0) {
            if (igraph_vector_int_size(&vs))
                igraph_vector_int_push_back(&es, edge_between(g, VECTOR(vs)[igraph_vector_int_size(&vs) - 1], x));
            igraph_vector_int_push_back(&vs, x);
            continue;
        }
        if (json) {
            if (np) pu_buf_putc(out, ',');
            json_path(g, &vs, &es, out);
        } else {
            pu_buf_printf(out, pu_tr("path %d (%d edges)\n"), np + 1, (int)igraph_vector_int_size(&es));
            text_path(g, &vs, &es, out);
        }
        np++;
        igraph_vector_int_clear(&vs);
        igraph_vector_int_clear(&es);
    }
    if (json) pu_buf_puts(out, "]}\n");
    igraph_vector_int_destroy(&vs);
    igraph_vector_int_destroy(&es);
    igraph_vector_int_destroy(&res);
    if (!np) return pu_fail(err, PU_ERR_NOTFOUND, NULL, "path", "no path of at most %d edges between '%s' and '%s'", hops, a, b);
    return PU_OK;
}

int graph_network(const graph *g, const char *const *keys, size_t n, int json, pu_buf *out, pu_err *err) {
    if (n < 2) return pu_fail(err, PU_ERR_INVALID, NULL, "nodes", "the connecting network needs 2 or more nodes");
    uint32_t *v = malloc(n * sizeof *v);
    unsigned char *in = calloc(g->nodes.len ? g->nodes.len : 1, 1);
    if (!v || !in) {
        free(v), free(in);
        return nomem(err);
    }
    int rc = PU_OK;
    for (size_t i = 0; i < n && !rc; i++) rc = graph_find(g, keys[i], &v[i], err);
    igraph_vector_int_t vs, es;
    igraph_vector_int_init(&vs, 0);
    igraph_vector_int_init(&es, 0);
    for (size_t i = 0; i < n && !rc; i++) {
        in[v[i]] = 1;
        for (size_t j = i + 1; j < n; j++) {
            if (igraph_get_shortest_path(&g->ig, &vs, &es, v[i], v[j], IGRAPH_ALL)) {
                rc = nomem(err);
                break;
            }
            for (igraph_integer_t k = 0; k < igraph_vector_int_size(&vs); k++) in[VECTOR(vs)[k]] = 1;
        }
    }
    igraph_vector_int_t sub;
    igraph_vector_int_init(&sub, 0);
    for (size_t i = 0; i < g->nodes.len; i++)
        if (in[i]) igraph_vector_int_push_back(&sub, (igraph_integer_t)i);
    if (!rc && json) rc = write_sub(g, &sub, NULL, out, err);
    else if (!rc) {
        for (igraph_integer_t k = 0; k < igraph_vector_int_size(&sub); k++) {
            igraph_integer_t u = VECTOR(sub)[k];
            pu_buf_printf(out, "%s\t%s\t%s\n", N(g, u)->id, N(g, u)->kind, N(g, u)->label);
        }
        pu_buf_printf(out, pu_tr("connecting network of %zu nodes: %d nodes\n"), n, (int)igraph_vector_int_size(&sub));
    }
    igraph_vector_int_destroy(&sub);
    igraph_vector_int_destroy(&vs);
    igraph_vector_int_destroy(&es);
    free(v), free(in);
    return rc;
}

typedef struct score {
    igraph_integer_t v;
    double s;
} score;

static int cmp_score(const void *x, const void *y) {
    const score *a = x, *b = y;
    if (a->s != b->s) return a->s > b->s ? -1 : 1;
    return a->v < b->v ? -1 : a->v > b->v;
}

/* ---- groups: components and communities ---- */

typedef struct grp {
    igraph_integer_t id, size;
} grp;

static int cmp_grp(const void *x, const void *y) {
    const grp *a = x, *b = y;
    if (a->size != b->size) return a->size > b->size ? -1 : 1;
    return a->id < b->id ? -1 : a->id > b->id;
}

/* Leiden runs on igraph's default random generator, which is global: the
 * seed and the run are one critical section, so two requests at once both
 * get the reproducible partition (the list and a later colouring agree). */
static pthread_mutex_t leiden_lock = PTHREAD_MUTEX_INITIALIZER;

static int leiden_run(const graph *g, double resolution, igraph_vector_int_t *memb, igraph_integer_t *n, double *q) {
    /* modularity: node weights = degrees, resolution gamma / (2m) */
    igraph_vector_int_t deg;
    igraph_vector_t w;
    igraph_real_t qq = 0;
    int bad = igraph_vector_int_init(&deg, 0) != IGRAPH_SUCCESS;
    bad |= igraph_vector_init(&w, 0) != IGRAPH_SUCCESS;
    bad = bad || igraph_degree(&g->ig, &deg, igraph_vss_all(), IGRAPH_ALL, 1) ||
          igraph_vector_resize(&w, igraph_vector_int_size(&deg));
    for (igraph_integer_t i = 0; !bad && i < igraph_vector_int_size(&deg); i++) VECTOR(w)[i] = (double)VECTOR(deg)[i];
    double m2 = g->edges.len ? 2.0 * (double)g->edges.len : 1.0;
    if (!bad) {
        pthread_mutex_lock(&leiden_lock);
        igraph_rng_seed(igraph_rng_default(), LEIDEN_SEED);
        bad = igraph_community_leiden(&g->ig, NULL, &w, resolution / m2, LEIDEN_BETA, 0, GRAPH_LEIDEN_ITERATIONS, memb,
                                      n, &qq) != IGRAPH_SUCCESS;
        pthread_mutex_unlock(&leiden_lock);
    }
    igraph_vector_int_destroy(&deg);
    igraph_vector_destroy(&w);
    if (q) *q = qq;
    return bad ? PU_ERR_NOMEM : PU_OK;
}

/* Leiden's partition at resolution (<= 0: the default) into memb: the one
 * kept with g when it was computed at the same resolution, else computed
 * and kept (replacing the one kept). The memo's lock is held through the
 * run, so two requests for one partition compute it once. */
static int leiden(const graph *g, double resolution, igraph_vector_int_t *memb, igraph_integer_t *n, double *q) {
    if (resolution <= 0) resolution = GRAPH_LEIDEN_RESOLUTION;
    graph_memo *m = g->leiden;   /* every loaded graph has one (graph_load) */
    pthread_mutex_lock(&m->lock);
    int rc = PU_OK;
    if (!m->valid || m->resolution != resolution) {
        if (m->valid) igraph_vector_int_destroy(&m->memb);
        m->valid = 0;
        if (igraph_vector_int_init(&m->memb, 0)) rc = PU_ERR_NOMEM;
        else if ((rc = leiden_run(g, resolution, &m->memb, &m->n, &m->quality))) igraph_vector_int_destroy(&m->memb);
        else m->valid = 1, m->resolution = resolution;
    }
    if (!rc && igraph_vector_int_update(memb, &m->memb)) rc = PU_ERR_NOMEM;
    if (!rc) {
        *n = m->n;
        if (q) *q = m->quality;
    }
    pthread_mutex_unlock(&m->lock);
    return rc;
}

int graph_group_ranks(const graph *g, const char *of, double resolution, igraph_vector_int_t *rank,
                      igraph_integer_t *ng, double *quality, pu_err *err) {
    int comm = of && !strcmp(of, "community");
    if (of && !comm && strcmp(of, "component"))
        return pu_fail(err, PU_ERR_INVALID, NULL, "of", "expected component or community, got '%s'", of);
    igraph_integer_t n = 0;
    double q = 0;
    int rc = comm ? leiden(g, resolution, rank, &n, &q)
                  : (igraph_connected_components(&g->ig, rank, NULL, &n, IGRAPH_WEAK) ? PU_ERR_NOMEM : PU_OK);
    grp *gs = rc ? NULL : calloc(n ? (size_t)n : 1, sizeof *gs);
    igraph_integer_t *to_rank = rc ? NULL : calloc(n ? (size_t)n : 1, sizeof *to_rank);
    if (!rc && (!gs || !to_rank)) rc = PU_ERR_NOMEM;
    if (!rc) {
        for (igraph_integer_t i = 0; i < n; i++) gs[i].id = i;
        for (igraph_integer_t v = 0; v < igraph_vector_int_size(rank); v++) gs[VECTOR(*rank)[v]].size++;
        if (n > 1) qsort(gs, (size_t)n, sizeof *gs, cmp_grp);
        for (igraph_integer_t k = 0; k < n; k++) to_rank[gs[k].id] = k;
        for (igraph_integer_t v = 0; v < igraph_vector_int_size(rank); v++) VECTOR(*rank)[v] = to_rank[VECTOR(*rank)[v]];
    }
    free(gs);
    free(to_rank);
    *ng = n;
    if (quality) *quality = q;
    return rc ? nomem(err) : PU_OK;
}

int graph_by_degree(const graph *g, igraph_vector_int_t *order) {
    igraph_integer_t n = igraph_vcount(&g->ig);
    igraph_vector_int_t deg;
    if (igraph_vector_int_init(&deg, 0)) return PU_ERR_NOMEM;
    int rc = igraph_degree(&g->ig, &deg, igraph_vss_all(), IGRAPH_ALL, 1) ? PU_ERR_NOMEM : PU_OK;
    score *s = rc ? NULL : malloc((n ? (size_t)n : 1) * sizeof *s);
    if (!rc && !s) rc = PU_ERR_NOMEM;
    if (!rc && igraph_vector_int_resize(order, n)) rc = PU_ERR_NOMEM;
    if (!rc) {
        for (igraph_integer_t v = 0; v < n; v++) s[v] = (score){v, (double)VECTOR(deg)[v]};
        if (n > 1) qsort(s, (size_t)n, sizeof *s, cmp_score);
        for (igraph_integer_t v = 0; v < n; v++) VECTOR(*order)[v] = s[v].v;
    }
    free(s);
    igraph_vector_int_destroy(&deg);
    return rc;
}

/* The groups of a rank vector (0 = largest), the top `top`; each with up
 * to COMPONENT_SAMPLE members, most connected first. */
static int write_groups(const graph *g, const igraph_vector_int_t *rank, igraph_integer_t ng, size_t top,
                        const char *what, double quality, int json, pu_buf *out, pu_err *err) {
    size_t shown = top && top < (size_t)ng ? top : (size_t)ng;
    igraph_integer_t *size = calloc(ng ? (size_t)ng : 1, sizeof *size);
    int *m = calloc(shown ? shown : 1, sizeof *m);
    pu_buf *sample = calloc(shown ? shown : 1, sizeof *sample);
    igraph_vector_int_t order;
    int rc = !size || !m || !sample || igraph_vector_int_init(&order, 0) ? PU_ERR_NOMEM : PU_OK;
    if (!rc) rc = graph_by_degree(g, &order);
    for (igraph_integer_t v = 0; !rc && v < igraph_vector_int_size(rank); v++) size[VECTOR(*rank)[v]]++;
    for (size_t k = 0; !rc && k < shown; k++) sample[k] = (pu_buf)PU_BUF_INIT((size_t)1 << 20);
    for (igraph_integer_t i = 0; !rc && i < igraph_vector_int_size(&order); i++) {
        igraph_integer_t v = VECTOR(order)[i], k = VECTOR(*rank)[v];
        if ((size_t)k >= shown || m[k] >= COMPONENT_SAMPLE) continue;
        if (json) {
            if (m[k]) pu_buf_putc(&sample[k], ',');
            graph_json_node(g, (uint32_t)v, &sample[k]);
        } else {
            pu_buf_printf(&sample[k], "%s%s", m[k] ? " " : "", N(g, v)->id);
        }
        m[k]++;
    }
    if (!rc && json) pu_buf_printf(out, "{\"count\":%lld,\"quality\":%.6f,\"%s\":[", (long long)ng, quality, what);
    for (size_t k = 0; !rc && k < shown; k++) {
        if (json)
            pu_buf_printf(out, "%s{\"rank\":%zu,\"size\":%lld,\"sample\":[%s]}", k ? "," : "", k, (long long)size[k],
                          pu_buf_str(&sample[k]));
        else
            pu_buf_printf(out, "%zu\t%lld\t%s\n", k + 1, (long long)size[k], pu_buf_str(&sample[k]));
    }
    if (!rc && json) pu_buf_puts(out, "]}\n");
    for (size_t k = 0; sample && k < shown; k++) pu_buf_free(&sample[k]);
    if (size && m && sample) igraph_vector_int_destroy(&order);
    free(size), free(m), free(sample);
    return rc ? nomem(err) : PU_OK;
}

int graph_components(const graph *g, size_t top, int json, pu_buf *out, pu_err *err) {
    igraph_vector_int_t rank;
    igraph_integer_t n = 0;
    igraph_vector_int_init(&rank, 0);
    int rc = graph_group_ranks(g, "component", 0, &rank, &n, NULL, err);
    if (!rc) rc = write_groups(g, &rank, n, top, "components", 0, json, out, err);
    if (!rc && !json) pu_buf_printf(out, pu_tr("%lld components over %zu nodes and %zu edges\n"), (long long)n,
                                    g->nodes.len, g->edges.len);
    igraph_vector_int_destroy(&rank);
    return rc;
}

int graph_communities(const graph *g, size_t top, double resolution, int json, pu_buf *out, pu_err *err) {
    igraph_vector_int_t rank;
    igraph_integer_t n = 0;
    double q = 0;
    igraph_vector_int_init(&rank, 0);
    int rc = graph_group_ranks(g, "community", resolution, &rank, &n, &q, err);
    if (!rc) rc = write_groups(g, &rank, n, top, "communities", q, json, out, err);
    if (!rc && !json) pu_buf_printf(out, pu_tr("%lld communities (Leiden, modularity %.4f)\n"), (long long)n, q);
    igraph_vector_int_destroy(&rank);
    return rc;
}

/* ---- centrality ---- */

int graph_measure(const graph *g, const char *m, const graph_betw *b, igraph_vector_t *res, pu_err *err) {
    igraph_integer_t n = (igraph_integer_t)g->nodes.len;
    if (igraph_vector_resize(res, n)) return nomem(err);
    if (!strcmp(m, "degree") || !strcmp(m, "kcore")) {
        igraph_vector_int_t iv;
        igraph_vector_int_init(&iv, 0);
        int r = !strcmp(m, "degree") ? igraph_degree(&g->ig, &iv, igraph_vss_all(), IGRAPH_ALL, 1)
                                     : igraph_coreness(&g->ig, &iv, IGRAPH_ALL);
        for (igraph_integer_t i = 0; !r && i < n; i++) VECTOR(*res)[i] = (double)VECTOR(iv)[i];
        igraph_vector_int_destroy(&iv);
        return r ? nomem(err) : PU_OK;
    }
    if (!strcmp(m, "betweenness")) {
        graph_betw_plan plan;
        int rc = graph_betw_choose(b, g->nodes.len, &plan, err);
        return rc ? rc : graph_betweenness_ig(&g->ig, &plan, res) ? nomem(err) : PU_OK;
    }
    if (!strcmp(m, "pagerank")) {
        igraph_real_t value;
        return igraph_pagerank(&g->ig, IGRAPH_PAGERANK_ALGO_PRPACK, res, &value, igraph_vss_all(), 0, PAGERANK_DAMPING,
                               NULL, NULL)
                   ? nomem(err)
                   : PU_OK;
    }
    return pu_fail(err, PU_ERR_INVALID, NULL, "measure", "expected degree, betweenness, pagerank or kcore, got '%s'", m);
}

int graph_centrality(const graph *g, const char *m, const graph_betw *b, size_t top, int json, pu_buf *out,
                     pu_err *err) {
    return graph_centrality_min(g, m, b, -HUGE_VAL, top, json, out, err);
}


int graph_centrality_min(const graph *g, const char *m, const graph_betw *b, double min, size_t top, int json,
                         pu_buf *out, pu_err *err) {
    igraph_vector_t res;
    igraph_vector_init(&res, 0);
    int betw = m && !strcmp(m, "betweenness");
    int rc = graph_measure(g, m ? m : "degree", b, &res, err);
    size_t n = g->nodes.len;
    score *s = rc ? NULL : malloc((n ? n : 1) * sizeof *s);
    if (!rc && !s) rc = nomem(err);
    if (!rc) {
        for (size_t i = 0; i < n; i++) s[i] = (score){(igraph_integer_t)i, VECTOR(res)[i]};
        if (n > 1) qsort(s, n, sizeof *s, cmp_score);
        size_t total = 0;   /* highest first: the nodes at or above min are a prefix */
        while (total < n && s[total].s >= min) total++;
        size_t shown = top && top < total ? top : total;
        if (json) {
            pu_buf_printf(out, "{\"measure\":\"%s\"", m ? m : "degree");
            if (betw) graph_betw_describe(g, b, 1, out);
            pu_buf_printf(out, ",\"total\":%zu,\"nodes\":[", total);
        }
        for (size_t k = 0; k < shown; k++) {
            if (json) {
                pu_buf_printf(out, "%s{\"score\":%.6g,\"node\":", k ? "," : "", s[k].s);
                graph_json_node(g, (uint32_t)s[k].v, out);
                pu_buf_putc(out, '}');
            } else {
                pu_buf_printf(out, "%zu\t%.6g\t%s\t%s\n", k + 1, s[k].s, N(g, s[k].v)->id, N(g, s[k].v)->label);
            }
        }
        if (json) pu_buf_puts(out, "]}\n");
        else if (betw) graph_betw_describe(g, b, 0, out);
    }
    free(s);
    igraph_vector_destroy(&res);
    return rc;
}
