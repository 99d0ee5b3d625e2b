/* graph_int.h - internals shared by the graph module's files. */
#ifndef PU_GRAPH_INT_H
#define PU_GRAPH_INT_H

#include <igraph/igraph.h>
#include <pthread.h>
#include <stdatomic.h>

#include "common/pu_vec.h"
#include "graph/graph.h"

typedef struct gnode {
    char *id;          /* "kind:ref" */
    char *label;
    const char *kind;  /* static: GRAPH_KINDS */
    int orcon;         /* a store entity with the ORCON caveat of another agency: never exported */
} gnode;

typedef struct gedge {
    uint32_t a, b;
    const char *type;  /* static */
    char *src;         /* provenance: "engine:record" */
    char date[11];
} gedge;

typedef struct galias {
    char *id;
    uint32_t v;
} galias;

/* The last Leiden partition of a graph, kept with it: the web page asks
 * for the communities, then colours the drawn nodes and draws a community,
 * three calls of one partition (8.5 s each on 1M nodes, docs/perf/graph.md).
 * A graph is immutable once built, so a partition stays right for its life;
 * the memo is the one mutable part, behind its own lock. */
typedef struct graph_memo {
    pthread_mutex_t lock;
    int valid;
    double resolution;           /* the gamma it was computed at */
    igraph_vector_int_t memb;    /* Leiden's membership, as igraph returned it */
    igraph_integer_t n;          /* number of communities */
    double quality;
} graph_memo;

struct graph {
    pu_vec nodes;      /* gnode */
    pu_vec edges;      /* gedge */
    uint32_t *slot;    /* open addressing: node index + 1, 0 = empty */
    size_t nslot;
    pu_vec alias;      /* galias: records' ids answered by their resolved node */
    igraph_t ig;       /* undirected, edge i = edges[i] */
    int built;
    atomic_int refs;   /* holders: the caller of graph_load, the cache and its readers (graph_free) */
    size_t bytes;      /* estimated memory (graph_cache's cap) */
    graph_memo *leiden;  /* the last Leiden partition (allocated by graph_load) */
};

/* Estimated bytes held by g (strings, tables and the igraph). */
size_t graph_bytes_estimate(const graph *g);

/* The node with id, or UINT32_MAX. */
uint32_t graph_lookup(const graph *g, const char *id);
void graph_json_node(const graph *g, uint32_t v, pu_buf *out);
void graph_json_edge(const graph *g, uint32_t e, pu_buf *out);
void graph_json_str(pu_buf *out, const char *s);

/* The values of measure (graph_centrality's names) for every node into res
 * (b: betweenness's method, NULL the default). Errors: PU_ERR_INVALID
 * (measure, b), PU_ERR_NOMEM. */
int graph_measure(const graph *g, const char *m, const graph_betw *b, igraph_vector_t *res, pu_err *err);
/* How betweenness is computed on g as b says (graph_betw_choose), after a
 * graph_measure that succeeded with b: json, the JSON members, each after a
 * comma: "method", and "samples" (the sources searched) and "seed" when
 * sampled / exact, "cutoff" for the hop cutoff; else the text's closing
 * line. */
void graph_betw_describe(const graph *g, const graph_betw *b, int json, pu_buf *out);
/* Betweenness of every node of ig (undirected, unweighted) into res as plan
 * says (graph_betw_choose): exact igraph_betweenness; sampled: k distinct
 * sources drawn uniformly with plan->seed (graph_betw_sample), their exact
 * dependencies towards every target (igraph_betweenness_subset) scaled by
 * n/k, an unbiased estimate on igraph's scale (each unordered pair once);
 * cutoff: igraph_betweenness_cutoff. Returns PU_OK or PU_ERR_NOMEM. */
int graph_betweenness_ig(const igraph_t *ig, const graph_betw_plan *plan, igraph_vector_t *res);
/* k distinct nodes of 0..n-1 drawn uniformly (a partial Fisher-Yates shuffle
 * driven by splitmix64 from seed: the same seed, the same draw, on every
 * platform and thread) into out (resized to k), in drawing order. k <= n.
 * Returns PU_OK or PU_ERR_NOMEM. */
int graph_betw_sample(igraph_integer_t n, igraph_integer_t k, uint64_t seed, igraph_vector_int_t *out);
/* The group of every node into rank (an initialised vector): of "component"
 * (NULL too) or "community" (Leiden at resolution, <= 0: the default),
 * numbered by size, 0 the largest (ties: igraph's order), so ranks agree
 * between calls on one graph; *ng the number of groups, *quality (may be
 * NULL) the modularity (0 for components). Errors: PU_ERR_INVALID (of),
 * PU_ERR_NOMEM. */
int graph_group_ranks(const graph *g, const char *of, double resolution, igraph_vector_int_t *rank,
                      igraph_integer_t *ng, double *quality, pu_err *err);
/* Every node, highest degree first (ties: lower index), into order (an
 * initialised vector). Returns PU_OK or PU_ERR_NOMEM. */
int graph_by_degree(const graph *g, igraph_vector_int_t *order);
/* The page's nodes (JSON) and the edges among them, after head (JSON
 * members ending with a comma, or ""). Returns PU_OK or PU_ERR_NOMEM. */
int graph_write_page(const graph *g, const igraph_vector_int_t *page, const char *head, pu_buf *out);

#endif
