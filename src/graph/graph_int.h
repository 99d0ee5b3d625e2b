/* graph_int.h - internals shared by the graph module's files. */
#ifndef PU_GRAPH_INT_H
#define PU_GRAPH_INT_H

#include <igraph/igraph.h>
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
};

/* Estimated bytes held by g (strings, tables and the igraph). */
size_t graph_bytes_estimate(const graph *g);

/* The node with id, or UINT32_MAX. */
uint32_t graph_lookup(const graph *g, const char *id);
void graph_json_node(const graph *g, uint32_t v, pu_buf *out);
void graph_json_edge(const graph *g, uint32_t e, pu_buf *out);
void graph_json_str(pu_buf *out, const char *s);

#endif
