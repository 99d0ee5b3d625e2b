/*
 * graph.h - the network of every engine's records, as one reader may see
 * it, and the operations of network analysis on it (libigraph)
 * (docs/graph.md).
 *
 * Loading. graph_load builds the reader's graph from what the reader's
 * scope returns, table by table, with store_scope_sql in SQL (store_iter
 * for the store's entities): there is no global graph filtered in C. A
 * node or an edge the reader may not see is never loaded, so no operation
 * can reveal it: not as a node, an edge, a path, a degree, a component
 * size, a community, a centrality or a count. An edge is loaded only when
 * the row it comes from AND both its end nodes are visible.
 *
 * Nodes (id "kind:ref"; the kinds are one table, GRAPH_KINDS in
 * graph_load.c, so a new engine's kind is one entry):
 *   entity:ID          a store entity (person, company, organisation, vessel, aircraft, address...)
 *   resolved:KEY       one person or company that resolution joined (resolve.h): its
 *                      records' nodes are this one node
 *   trace.purchaser:K  a buyer of a first retail sale      dealer:FFL     a licensed dealer
 *   firearm:ID         a traced firearm                    recovery:NUM   a recovery (trace request)
 *   trace.possessor:N  the possessor at a recovery
 *   cargo.party:NAME   a shipper, consignee, notify party or forwarder (normalised name)
 *   address:A          an address shared by parties       phone:DIGITS   a phone number
 *   tip:ID             a tip                              tip.mention:ID a name in a tip
 * Edges are typed and carry their provenance (engine record, date): link
 * (an FtM entity property), ownership, directorship, membership, family,
 * associate, unknown_link, sold, purchase, recovery, possessed, shipment,
 * notify, forwarded, address, phone, mentioned.
 *
 * Ownership: a graph is the caller's (graph_free). It is immutable after
 * loading: several threads may run operations on one graph at once. A
 * graph is reference-counted: graph_free drops the caller's reference, so
 * a graph shared by the cache (graph_cache_get) is freed by its last holder.
 * Protection data (the protect module) is never read.
 */
#ifndef PU_GRAPH_H
#define PU_GRAPH_H

#include <stddef.h>
#include <stdint.h>
#include "common/pu.h"
#include "db/db.h"
#include "store/store.h"

#define GRAPH_ID_MAX 320
#define GRAPH_EXPAND_LIMIT 100      /* default page of an expansion */
#define GRAPH_PATHS_MAX 100         /* at most this many paths from graph_paths */
/* Betweenness (graph_betweenness.c, docs/graph.md "Betweenness"). Exact
 * (Brandes: one search per node, n x m) up to GRAPH_BETWEENNESS_EXACT_MAX
 * nodes, a few seconds at most (2.8 s of CPU at 5,000 nodes / 25,000
 * edges); above, estimated from GRAPH_BETWEENNESS_SAMPLES sources drawn
 * without replacement (Brandes & Pich 2007): k full searches whatever n
 * (3 minutes of CPU at 1M nodes / 5M edges), unbiased; it finds the top
 * nodes of a graph with brokers (9 of the exact top 10 at 20,000 nodes),
 * not of a flat one (docs/perf/graph.md). The seed is fixed: one graph
 * gives one estimate, so two runs, the CLI and the API agree. */
#define GRAPH_BETWEENNESS_EXACT_MAX 5000
#define GRAPH_BETWEENNESS_SAMPLES 256
#define GRAPH_BETWEENNESS_SEED 20070101u   /* any fixed value; deterministic estimates */
#define GRAPH_BETWEENNESS_CUTOFF_MAX 6     /* the hop-cutoff measure's longest cutoff offered */
#define GRAPH_LEIDEN_ITERATIONS 2   /* fixed (igraph 0.10.2 stops "until stable" too early) */
#define GRAPH_LEIDEN_RESOLUTION 1.0 /* default gamma of modularity: larger = smaller communities */
#define GRAPH_VALUES_MAX 1000       /* nodes per graph_values / graph_subgraph call */

typedef struct graph graph;

typedef struct graph_opts {
    const char *from, *to;   /* time filter: only edges dated within [from, to] (YYYY-MM-DD); NULL = open */
    int with_tips;           /* 1: tips and their mentions (the operator, callers with the tips
                                permission: tips are read by tip handlers only, docs/tips.md) */
} graph_opts;

/* Build the graph scope may see. st is the store (its entities); o may be
 * NULL. Errors: PU_ERR_DB, PU_ERR_NOMEM, PU_ERR_INVALID (bad date in o),
 * PU_ERR_INTERNAL (NULL scope). */
int graph_load(db_t *db, store_t *st, const store_scope *scope, const graph_opts *o, graph **out, pu_err *err);
void graph_free(graph *g);   /* NULL-safe; drops one reference (the graph goes with the last) */
size_t graph_nodes(const graph *g);
size_t graph_edges(const graph *g);

/* ---- the graph cache (graph_cache.c) ----
 * A reader's graph is built once per (reader scope, options, generations of
 * the data it reads) and shared by the server's requests: the key is the
 * scope (operator, or agency + country), the time window and with_tips;
 * the graph is valid while the store's change generations of every domain
 * it reads (GRAPH_CACHE_DOMAINS: entity, grant, resolve, trace, cargo, tips)
 * are those it was built at (store_generation_get: one indexed read each
 * per request), so a change by any process is seen at once; entries of
 * every reader built at older generations are dropped then. Two readers
 * of different scopes never share a graph. Least recently used graphs are
 * dropped past cap bytes (estimated); a graph larger than the cap is built
 * and returned but not kept. Thread-safe (one mutex around the table; the
 * load runs outside it: two threads that miss at once both load, one
 * keeps its graph). */
#define GRAPH_CACHE_BYTES ((size_t)3 << 30)   /* default cap: one 1M-node / 5M-edge graph (docs/perf/graph.md) */
typedef struct graph_cache graph_cache;
typedef struct graph_cache_stats {
    uint64_t hits, misses, evictions;
    size_t graphs, bytes;
} graph_cache_stats;
/* A cache of at most cap bytes (0: GRAPH_CACHE_BYTES). *out the caller's
 * (graph_cache_free). Errors: PU_ERR_NOMEM. */
int graph_cache_new(size_t cap, graph_cache **out, pu_err *err);
/* Free the cache (graphs still held by readers live until graph_free). NULL-safe. */
void graph_cache_free(graph_cache *c);
/* The reader's graph: the cached one when its generations are current,
 * else graph_load's (kept in the cache). *out is one reference of the
 * caller's: graph_free it. *hit (may be NULL) is 1 when it came from the
 * cache. c may be NULL (a plain graph_load). Errors: graph_load's,
 * PU_ERR_DB (reading the generations). */
int graph_cache_get(graph_cache *c, db_t *db, store_t *st, const store_scope *scope, const graph_opts *o, graph **out,
                    int *hit, pu_err *err);
void graph_cache_get_stats(graph_cache *c, graph_cache_stats *out);
/* The module's long-lived state (app_module.state_open/state_close): a
 * cache of GRAPH_CACHE_BYTES. Errors: PU_ERR_NOMEM. */
int graph_cache_state_open(store_t *st, void **state, pu_err *err);
void graph_cache_state_close(void *state);
/* The estimated memory of a graph, in bytes. */
size_t graph_bytes(const graph *g);

/* The node of a key as the user names it: "kind:ref", or a bare store
 * entity id; a record joined by resolution answers its resolved node.
 * Errors: PU_ERR_NOTFOUND (no such node visible). */
int graph_find(const graph *g, const char *key, uint32_t *out, pu_err *err);
const char *graph_node_id(const graph *g, uint32_t v);
const char *graph_node_label(const graph *g, uint32_t v);
const char *graph_node_kind(const graph *g, uint32_t v);

/* ---- operations: results written as text or JSON into out ---- */
/* Nodes within 1..hops of key (hops <= 0: 1), nearest first, one page
 * (offset, limit <= 0: GRAPH_EXPAND_LIMIT), with the edges among them; the
 * total is given for paging. Errors: graph_find's, PU_ERR_NOMEM. */
int graph_expand(const graph *g, const char *key, int hops, size_t offset, size_t limit, int json, pu_buf *out,
                 pu_err *err);
/* A shortest path from a to b: its nodes (ids and labels) and edges (type,
 * provenance). Errors: graph_find's, PU_ERR_NOTFOUND (no path). */
int graph_path(const graph *g, const char *a, const char *b, int json, pu_buf *out, pu_err *err);
/* Every simple path from a to b of at most hops edges (at most
 * GRAPH_PATHS_MAX). Errors: graph_find's, PU_ERR_NOTFOUND (none). */
int graph_paths(const graph *g, const char *a, const char *b, int hops, int json, pu_buf *out, pu_err *err);
/* The connecting network of a set: the union of shortest paths between
 * every two of its nodes. Errors: graph_find's, PU_ERR_INVALID (fewer than 2). */
int graph_network(const graph *g, const char *const *keys, size_t n, int json, pu_buf *out, pu_err *err);
/* Connected components, largest first (the top `top`, <= 0: all), with their
 * rank (0 = largest), sizes and up to 5 members each, the most connected
 * first. Errors: PU_ERR_NOMEM. */
int graph_components(const graph *g, size_t top, int json, pu_buf *out, pu_err *err);
/* Communities (Leiden, modularity with resolution gamma, <= 0:
 * GRAPH_LEIDEN_RESOLUTION; GRAPH_LEIDEN_ITERATIONS iterations, seed fixed):
 * the top `top` by size, as graph_components. Errors: PU_ERR_NOMEM. */
int graph_communities(const graph *g, size_t top, double resolution, int json, pu_buf *out, pu_err *err);
/* How betweenness is computed (NULL or all zero: the default). */
typedef struct graph_betw {
    long samples;    /* > 0: estimated from this many sampled sources (>= the graph's nodes:
                        exact); 0: exact up to GRAPH_BETWEENNESS_EXACT_MAX nodes, else
                        GRAPH_BETWEENNESS_SAMPLES sources */
    int cutoff;      /* > 0: instead, the hop-cutoff measure: only shortest paths of at most
                        cutoff hops count (a local measure, not an estimate of betweenness);
                        exclusive with samples */
    uint64_t seed;   /* 0: GRAPH_BETWEENNESS_SEED */
} graph_betw;
enum { GRAPH_BETW_EXACT, GRAPH_BETW_SAMPLED, GRAPH_BETW_CUTOFF };
/* The method b chooses on a graph of n nodes: method GRAPH_BETW_*, k the
 * sources searched (n when exact), cutoff and seed as used. */
typedef struct graph_betw_plan {
    int method;
    long k;
    int cutoff;
    uint64_t seed;
} graph_betw_plan;
/* Errors: PU_ERR_INVALID (samples and cutoff both given, a negative one,
 * cutoff above GRAPH_BETWEENNESS_CUTOFF_MAX). */
int graph_betw_choose(const graph_betw *b, size_t n, graph_betw_plan *out, pu_err *err);
const char *graph_betw_method_name(int method);   /* "exact", "sampled", "cutoff" */

/* Centrality: measure "degree", "betweenness" (computed as b says, NULL:
 * the default; graph_betw), "pagerank" or "kcore"; the top nodes. For
 * betweenness the JSON says "method" and "samples" (the sources searched)
 * and the text ends with a line saying how it was computed. Errors:
 * PU_ERR_INVALID (measure, b), PU_ERR_NOMEM. */
int graph_centrality(const graph *g, const char *measure, const graph_betw *b, size_t top, int json, pu_buf *out,
                     pu_err *err);
/* graph_centrality over the nodes scoring at least min only (the k-core
 * view: measure "kcore", min = k); the JSON's "total" counts them. */
int graph_centrality_min(const graph *g, const char *measure, const graph_betw *b, double min, size_t top, int json,
                         pu_buf *out, pu_err *err);

/* ---- the analysis views of the web page (graph_analysis.c) ---- */
/* The component or community (of: "component" | "community", resolution as
 * graph_communities) of node key, one page: key's node first, then the
 * group's other members, most connected first (offset, limit <= 0:
 * GRAPH_EXPAND_LIMIT), with the edges among the page, as JSON
 * {"of","rank","size","offset","limit","nodes","edges"}; rank is the
 * group's place in graph_components / graph_communities (0 = largest).
 * Errors: graph_find's, PU_ERR_INVALID (of), PU_ERR_NOMEM. */
int graph_group(const graph *g, const char *of, const char *key, double resolution, size_t offset, size_t limit,
                pu_buf *out, pu_err *err);
/* The value of measure for each of keys[0..n) (n <= GRAPH_VALUES_MAX) as
 * JSON {"measure","groups","values":[{"id","value"}]}: a centrality of
 * graph_centrality (b for betweenness, whose JSON also says "method" and
 * "samples"; the values are of the whole graph, so they agree with
 * graph_centrality's), or "component" / "community"
 * (resolution), whose value is the group's rank (0 = largest; groups =
 * their number). A key that is no node of g is left out (the caller may
 * not see it, or it is outside the time window). Errors: PU_ERR_INVALID
 * (measure), PU_ERR_LIMIT (n), PU_ERR_NOMEM. */
int graph_values(const graph *g, const char *measure, const graph_betw *b, double resolution,
                 const char *const *keys, size_t n, pu_buf *out, pu_err *err);
/* The nodes of keys[0..n) (n <= GRAPH_VALUES_MAX; a saved set or diagram)
 * and the edges among them as JSON {"missing","nodes","edges"}; keys that
 * are no node of g are left out and counted in missing. Errors:
 * PU_ERR_LIMIT (n), PU_ERR_NOMEM. */
int graph_subgraph(const graph *g, const char *const *keys, size_t n, pu_buf *out, pu_err *err);

/* ---- exports of a node set (a diagram) ----
 * The nodes named by keys (all nodes when n = 0) and the edges among them,
 * as GraphML or FtM JSON lines (store entities as their ids; the other
 * nodes as generated Person/LegalEntity/Thing-like entities; edges as
 * UnknownLink with their type as role). Errors: graph_find's. */
int graph_write_graphml(const graph *g, const char *const *keys, size_t n, pu_buf *out, pu_err *err);
int graph_write_ftm(const graph *g, const char *const *keys, size_t n, pu_buf *out, pu_err *err);

/* ---- saved entity sets and diagrams (graph_sets.c) ---- */
int graph_migrate(db_t *db, pu_err *err);
/* Save a named set of node keys (kind "set" or "diagram"; a diagram may
 * carry a layout JSON) owned by the reader's agency with marking (NULL:
 * STORE_DEFAULT_MARKING); *id gets its row id. Errors: PU_ERR_INVALID,
 * PU_ERR_DENIED (store_check_file), PU_ERR_DB. */
int graph_set_save(db_t *db, const store_scope *scope, const char *kind, const char *name, const char *const *keys,
                   size_t n, const char *layout, const char *marking, int64_t *id, pu_err *err);
/* The keys of saved set id visible to scope, one per line, into out:
 * only the keys that are nodes of g, the reader's own graph (graph_load
 * with the same scope). A set is saved by one agency under a marking of
 * its choice and may name nodes another reader of the set may not see;
 * those are left out and not counted, so a set never reveals a hidden
 * node (docs/graph.md "Saved sets"). Errors: PU_ERR_NOTFOUND, PU_ERR_DB. */
int graph_set_get(db_t *db, const store_scope *scope, const graph *g, int64_t id, pu_buf *out, pu_err *err);
/* graph_set_get, and the diagram's layout (as saved; nothing for a set or
 * a diagram saved without one) into layout (may be NULL). Errors:
 * graph_set_get's, PU_ERR_LIMIT (layout larger than the buffer). */
int graph_set_get_layout(db_t *db, const store_scope *scope, const graph *g, int64_t id, pu_buf *out, pu_buf *layout,
                         pu_err *err);
/* Saved sets visible to scope, one "id<TAB>kind<TAB>name<TAB>size" line
 * each; size counts the set's keys that are nodes of g (as graph_set_get). */
int graph_set_list(db_t *db, const store_scope *scope, const graph *g, pu_buf *out, pu_err *err);

#endif
