/* graph_analysis.c - what the web page's analysis panel needs beyond the
 * listings of graph_ops.c (graph.h "the analysis views"): one component or
 * community drawn a page at a time, the value of a measure for the nodes
 * on screen (to size or colour them), and a saved set's nodes with the
 * edges among them. Like every operation, they see only the reader's graph. */
#include <stdlib.h>
#include <string.h>

#include "graph/graph_int.h"

static int nomem(pu_err *err) { return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory"); }

/* Is `of` a group kind graph_group_ranks knows? */
static int is_group(const char *of) { return !strcmp(of, "component") || !strcmp(of, "community"); }

int graph_group(const graph *g, const char *of, const char *key, double resolution, size_t offset, size_t limit,
                pu_buf *out, pu_err *err) {
    uint32_t v;
    int rc = graph_find(g, key, &v, err);
    if (rc) return rc;
    if (!of || !is_group(of))
        return pu_fail(err, PU_ERR_INVALID, NULL, "of", "expected component or community, got '%s'", of ? of : "");
    if (!limit) limit = GRAPH_EXPAND_LIMIT;
    igraph_vector_int_t rank, order, page;
    igraph_integer_t ng = 0;
    igraph_vector_int_init(&rank, 0);
    igraph_vector_int_init(&order, 0);
    igraph_vector_int_init(&page, 0);
    rc = graph_group_ranks(g, of, resolution, &rank, &ng, NULL, err);
    if (!rc && graph_by_degree(g, &order)) rc = nomem(err);
    /* members in order: the node itself at position 0, then by degree */
    igraph_integer_t k = rc ? 0 : VECTOR(rank)[v];
    size_t pos = 0, size = 0;
    if (!rc && offset == 0 && igraph_vector_int_push_back(&page, v)) rc = nomem(err);
    pos = 1;
    size = rc ? 0 : 1;
    for (igraph_integer_t i = 0; !rc && i < igraph_vector_int_size(&order); i++) {
        igraph_integer_t u = VECTOR(order)[i];
        if (u == (igraph_integer_t)v || VECTOR(rank)[u] != k) continue;
        size++;
        if (pos >= offset && pos < offset + limit && igraph_vector_int_push_back(&page, u)) rc = nomem(err);
        pos++;
    }
    if (!rc) {
        char head[160];
        (void)pu_snprintf(head, sizeof head, "\"of\":\"%s\",\"rank\":%lld,\"size\":%zu,\"offset\":%zu,\"limit\":%zu,", of,
                          (long long)k, size, offset, limit);
        if (graph_write_page(g, &page, head, out)) rc = nomem(err);
    }
    igraph_vector_int_destroy(&rank);
    igraph_vector_int_destroy(&order);
    igraph_vector_int_destroy(&page);
    return rc;
}

/* The nodes of keys that g holds, each once, into vs (keys' order). */
static int found_nodes(const graph *g, const char *const *keys, size_t n, igraph_vector_int_t *vs, const char **names) {
    for (size_t i = 0; i < n; i++) {
        uint32_t v;
        pu_err ignore = {0};
        if (graph_find(g, keys[i], &v, &ignore)) continue;
        int dup = 0;
        for (igraph_integer_t j = 0; j < igraph_vector_int_size(vs) && !dup; j++) dup = VECTOR(*vs)[j] == (igraph_integer_t)v;
        if (dup) continue;
        if (names) names[igraph_vector_int_size(vs)] = keys[i];
        if (igraph_vector_int_push_back(vs, v)) return PU_ERR_NOMEM;
    }
    return PU_OK;
}

int graph_values(const graph *g, const char *measure, const graph_betw *b, double resolution,
                 const char *const *keys, size_t n, pu_buf *out, pu_err *err) {
    if (n > GRAPH_VALUES_MAX) return pu_fail(err, PU_ERR_LIMIT, NULL, "nodes", "at most %d nodes", GRAPH_VALUES_MAX);
    const char *m = measure ? measure : "degree";
    const char **names = calloc(n ? n : 1, sizeof *names);
    igraph_vector_int_t vs, rank;
    igraph_vector_t val;
    igraph_integer_t ng = 0;
    igraph_vector_int_init(&vs, 0);
    igraph_vector_int_init(&rank, 0);
    igraph_vector_init(&val, 0);
    int rc = names ? PU_OK : nomem(err);
    if (!rc && found_nodes(g, keys, n, &vs, names)) rc = nomem(err);
    if (!rc) rc = is_group(m) ? graph_group_ranks(g, m, resolution, &rank, &ng, NULL, err)
                              : graph_measure(g, m, b, &val, err);
    if (!rc) {
        pu_buf_puts(out, "{\"measure\":");
        graph_json_str(out, m);
        if (!strcmp(m, "betweenness")) graph_betw_describe(g, b, 1, out);
        pu_buf_printf(out, ",\"groups\":%lld,\"values\":[", (long long)ng);
        for (igraph_integer_t i = 0; i < igraph_vector_int_size(&vs); i++) {
            igraph_integer_t v = VECTOR(vs)[i];
            pu_buf_puts(out, i ? ",{\"id\":" : "{\"id\":");
            graph_json_str(out, names[i]);
            if (is_group(m)) pu_buf_printf(out, ",\"value\":%lld}", (long long)VECTOR(rank)[v]);
            else pu_buf_printf(out, ",\"value\":%.6g}", VECTOR(val)[v]);
        }
        pu_buf_puts(out, "]}\n");
    }
    free(names);
    igraph_vector_int_destroy(&vs);
    igraph_vector_int_destroy(&rank);
    igraph_vector_destroy(&val);
    return rc;
}

int graph_subgraph(const graph *g, const char *const *keys, size_t n, pu_buf *out, pu_err *err) {
    if (n > GRAPH_VALUES_MAX) return pu_fail(err, PU_ERR_LIMIT, NULL, "nodes", "at most %d nodes", GRAPH_VALUES_MAX);
    igraph_vector_int_t vs;
    igraph_vector_int_init(&vs, 0);
    int rc = found_nodes(g, keys, n, &vs, NULL) ? nomem(err) : PU_OK;
    if (!rc) {
        char head[64];
        (void)pu_snprintf(head, sizeof head, "\"missing\":%zu,", n - (size_t)igraph_vector_int_size(&vs));
        if (graph_write_page(g, &vs, head, out)) rc = nomem(err);
    }
    igraph_vector_int_destroy(&vs);
    return rc;
}
