/* http_graph.c - the thin HTTP shell over src/graph and src/resolve:
 * /api/v1/graph/... (the caller's graph, built from what the caller's scope
 * returns) and /api/v1/resolve/... (clusters and judgements). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "graph/graph.h"
#include "app/app.h"
#include "http/http_int.h"
#include "resolve/resolve.h"
#include "sameas/sameas.h"

#define HTTP_GRAPH_TOP_MAX 1000
#define HTTP_GRAPH_HOPS_MAX 6
#define HTTP_GRAPH_NODES_MAX 200     /* nodes of one network, export or saved set */
/* sources of one sampled betweenness over the API: 16 x the default; a
 * request's cost is k searches of the whole graph (0.71 s of CPU each at
 * 1M nodes / 5M edges, docs/perf/graph.md), so one request stays under an
 * hour of a worker's time; graphs of up to 4096 nodes can still be exact.
 * The CLI (the operator's) has no cap. */
#define HTTP_BETWEENNESS_SAMPLES_MAX 4096

static int engine_fail(http_req *r, int rc, const pu_err *pe) {
    return http_fail(r, rc, pe->field[0] ? pe->field : NULL, "%s", pe->msg);
}

/* The caller's graph with the time window of the query (from, to): from
 * the process's graph cache (graph.h), built when the caller's scope has
 * none current. */
static int load(http_req *r, graph **g) {
    pu_err pe = {0};
    graph_opts o = {http_arg(r, "from"), http_arg(r, "to"), (r->p.perms & ACL_P_TIPS) != 0};
    void *cache = NULL;
    int rc = r->app ? app_state(r->app, "graph", &cache, &pe) : PU_OK;
    if (!rc) rc = graph_cache_get(cache, r->db, r->st, &r->scope, &o, g, NULL, &pe);
    return rc ? engine_fail(r, rc, &pe) : PU_OK;
}

/* Respond with the JSON an operation wrote into out. */
static int reply(http_req *r, pu_buf *out, const char *detail) {
    json_error_t je;
    json_t *j = json_loadb(pu_buf_str(out), out->len, 0, &je);
    pu_buf_free(out);
    if (!j) return http_fail(r, PU_ERR_INTERNAL, NULL, "graph: bad JSON from the engine");
    if (detail) (void)pu_buf_puts(&r->detail, detail);
    return http_json(r, 200, j);
}

/* Release the caller's graph, then reply with out or the engine's error. */
static int answer(http_req *r, graph *g, int rc, const pu_err *pe, pu_buf *out, const char *detail) {
    graph_free(g);
    if (rc) {
        pu_buf_free(out);
        return engine_fail(r, rc, pe);
    }
    return reply(r, out, detail);
}

#define WINDOW "from", "to"

/* GET /api/v1/graph/expand?node=&hops=&offset=&limit= */
int h_graph_expand(http_req *r) {
    static const char *const args[] = {"node", "hops", "offset", "limit", WINDOW, NULL};
    int64_t hops, off, lim;
    int rc = http_only_args(r, args);
    if (!rc) rc = http_arg_int(r, "hops", 1, HTTP_GRAPH_HOPS_MAX, 1, &hops);
    if (!rc) rc = http_arg_int(r, "offset", 0, INT32_MAX, 0, &off);
    if (!rc) rc = http_arg_int(r, "limit", 1, HTTP_GRAPH_TOP_MAX, GRAPH_EXPAND_LIMIT, &lim);
    const char *node = http_arg(r, "node");
    if (!rc && !node) rc = http_fail(r, PU_ERR_INVALID, "node", "expected a node");
    graph *g = NULL;
    if (rc || (rc = load(r, &g))) return rc;
    http_target(r, node);
    pu_buf out = PU_BUF_INIT((size_t)1 << 28);
    pu_err pe = {0};
    rc = graph_expand(g, node, (int)hops, (size_t)off, (size_t)lim, 1, &out, &pe);
    return answer(r, g, rc, &pe, &out, NULL);
}

/* GET /api/v1/graph/path?a=&b=[&hops=K: every path of at most K edges] */
int h_graph_path(http_req *r) {
    static const char *const args[] = {"a", "b", "hops", WINDOW, NULL};
    int64_t hops;
    int rc = http_only_args(r, args);
    if (!rc) rc = http_arg_int(r, "hops", 0, HTTP_GRAPH_HOPS_MAX, 0, &hops);
    const char *a = http_arg(r, "a"), *b = http_arg(r, "b");
    if (!rc && (!a || !b)) rc = http_fail(r, PU_ERR_INVALID, a ? "b" : "a", "expected two nodes a and b");
    graph *g = NULL;
    if (rc || (rc = load(r, &g))) return rc;
    http_target(r, a);
    http_target(r, b);
    pu_buf out = PU_BUF_INIT((size_t)1 << 28);
    pu_err pe = {0};
    if (hops) {
        rc = graph_paths(g, a, b, (int)hops, 1, &out, &pe);
    } else {
        pu_buf_puts(&out, "{\"paths\":[");
        rc = graph_path(g, a, b, 1, &out, &pe);
        pu_buf_puts(&out, "]}");
    }
    return answer(r, g, rc, &pe, &out, NULL);
}

static int body_nodes_max(http_req *r, json_t *o, size_t max, const char ***keys, size_t *n);

/* The "nodes" array of a body: up to HTTP_GRAPH_NODES_MAX strings. */
static int body_nodes(http_req *r, json_t *o, const char ***keys, size_t *n) {
    return body_nodes_max(r, o, HTTP_GRAPH_NODES_MAX, keys, n);
}

/* The "nodes" array of a body: up to max strings (borrowed from o). */
static int body_nodes_max(http_req *r, json_t *o, size_t max, const char ***keys, size_t *n) {
    json_t *a = json_object_get(o, "nodes");
    *keys = NULL;
    *n = 0;
    if (!json_is_array(a)) return http_fail(r, PU_ERR_INVALID, "nodes", "expected an array of node ids");
    if (json_array_size(a) > max) return http_fail(r, PU_ERR_LIMIT, "nodes", "at most %zu nodes", max);
    *keys = calloc(json_array_size(a) + 1, sizeof **keys);
    if (!*keys) return http_fail(r, PU_ERR_NOMEM, NULL, "out of memory");
    for (size_t i = 0; i < json_array_size(a); i++) {
        const char *s = json_string_value(json_array_get(a, i));
        if (!s) {
            free(*keys);
            *keys = NULL;
            return http_fail(r, PU_ERR_INVALID, "nodes", "expected node ids (strings)");
        }
        (*keys)[(*n)++] = s;
        http_target(r, s);
    }
    return PU_OK;
}

/* POST /api/v1/graph/network {"nodes": [...]} */
int h_graph_network(http_req *r) {
    static const char *const keys_ok[] = {"nodes", NULL};
    json_t *o = NULL;
    const char **keys = NULL;
    size_t n = 0;
    int rc = http_only_args(r, (const char *const[]){WINDOW, NULL});
    if (!rc) rc = http_body_object(r, &o);
    if (!rc) rc = http_only_keys(r, o, keys_ok, "body");
    if (!rc) rc = body_nodes(r, o, &keys, &n);
    graph *g = NULL;
    if (!rc) rc = load(r, &g);
    pu_buf out = PU_BUF_INIT((size_t)1 << 28);
    pu_err pe = {0};
    if (!rc && (rc = graph_network(g, keys, n, 1, &out, &pe))) rc = engine_fail(r, rc, &pe);
    graph_free(g);
    free(keys);
    json_decref(o);
    if (rc) {
        pu_buf_free(&out);
        return rc;
    }
    return reply(r, &out, NULL);
}

/* POST /api/v1/graph/export {"nodes": [...], "format": "graphml"|"ftm"} */
int h_graph_export(http_req *r) {
    static const char *const keys_ok[] = {"nodes", "format", NULL};
    json_t *o = NULL;
    const char **keys = NULL, *format = NULL;
    size_t n = 0;
    int rc = http_only_args(r, (const char *const[]){WINDOW, NULL});
    if (!rc) rc = http_body_object(r, &o);
    if (!rc) rc = http_only_keys(r, o, keys_ok, "body");
    if (!rc) rc = http_str_member(r, o, "format", "body", &format);
    if (!rc && format && strcmp(format, "graphml") && strcmp(format, "ftm"))
        rc = http_fail(r, PU_ERR_INVALID, "format", "expected graphml or ftm");
    if (!rc) rc = body_nodes(r, o, &keys, &n);
    graph *g = NULL;
    if (!rc) rc = load(r, &g);
    pu_err pe = {0};
    int ftm = format && !strcmp(format, "ftm");
    if (!rc) {
        pu_buf_reset(&r->out);
        rc = ftm ? graph_write_ftm(g, keys, n, &r->out, &pe) : graph_write_graphml(g, keys, n, &r->out, &pe);
        if (rc) rc = engine_fail(r, rc, &pe);
    }
    graph_free(g);
    free(keys);
    json_decref(o);
    if (rc) return rc;
    r->status = 200;
    r->content_type = ftm ? "application/x-ndjson" : "application/graphml+xml";
    return PU_OK;
}

typedef int (*group_fn)(const graph *, size_t, int, pu_buf *, pu_err *);

static int groups(http_req *r, group_fn fn) {
    static const char *const args[] = {"top", WINDOW, NULL};
    int64_t top;
    int rc = http_only_args(r, args);
    if (!rc) rc = http_arg_int(r, "top", 1, HTTP_GRAPH_TOP_MAX, 20, &top);
    graph *g = NULL;
    if (rc || (rc = load(r, &g))) return rc;
    pu_buf out = PU_BUF_INIT((size_t)1 << 28);
    pu_err pe = {0};
    rc = fn(g, (size_t)top, 1, &out, &pe);
    return answer(r, g, rc, &pe, &out, NULL);
}

/* GET /api/v1/graph/components?top= */
int h_graph_components(http_req *r) { return groups(r, graph_components); }

#define HTTP_LEIDEN_RESOLUTION_MIN 0.01   /* gamma: below, one community per component */
#define HTTP_LEIDEN_RESOLUTION_MAX 100.0  /* above, about one community per node */

/* GET /api/v1/graph/communities?top=&resolution= */
int h_graph_communities(http_req *r) {
    static const char *const args[] = {"top", "resolution", WINDOW, NULL};
    int64_t top;
    double res;
    int rc = http_only_args(r, args);
    if (!rc) rc = http_arg_int(r, "top", 1, HTTP_GRAPH_TOP_MAX, 20, &top);
    if (!rc) rc = http_arg_real(r, "resolution", HTTP_LEIDEN_RESOLUTION_MIN, HTTP_LEIDEN_RESOLUTION_MAX,
                                GRAPH_LEIDEN_RESOLUTION, &res);
    graph *g = NULL;
    if (rc || (rc = load(r, &g))) return rc;
    pu_buf out = PU_BUF_INIT((size_t)1 << 28);
    pu_err pe = {0};
    rc = graph_communities(g, (size_t)top, res, 1, &out, &pe);
    return answer(r, g, rc, &pe, &out, NULL);
}

/* GET /api/v1/graph/group?of=component|community&node=&resolution=&offset=&limit= */
int h_graph_group(http_req *r) {
    static const char *const args[] = {"of", "node", "resolution", "offset", "limit", WINDOW, NULL};
    int64_t off, lim;
    double res;
    int rc = http_only_args(r, args);
    if (!rc) rc = http_arg_int(r, "offset", 0, INT32_MAX, 0, &off);
    if (!rc) rc = http_arg_int(r, "limit", 1, HTTP_GRAPH_TOP_MAX, GRAPH_EXPAND_LIMIT, &lim);
    if (!rc) rc = http_arg_real(r, "resolution", HTTP_LEIDEN_RESOLUTION_MIN, HTTP_LEIDEN_RESOLUTION_MAX,
                                GRAPH_LEIDEN_RESOLUTION, &res);
    const char *node = http_arg(r, "node"), *of = http_arg(r, "of");
    if (!rc && !node) rc = http_fail(r, PU_ERR_INVALID, "node", "expected a node");
    if (!rc && (!of || (strcmp(of, "component") && strcmp(of, "community"))))
        rc = http_fail(r, PU_ERR_INVALID, "of", "expected component or community");
    graph *g = NULL;
    if (rc || (rc = load(r, &g))) return rc;
    http_target(r, node);
    pu_buf out = PU_BUF_INIT((size_t)1 << 28);
    pu_err pe = {0};
    rc = graph_group(g, of, node, res, (size_t)off, (size_t)lim, &out, &pe);
    return answer(r, g, rc, &pe, &out, of);
}

/* The nodes of a POST body {"nodes": [...]} (at most GRAPH_VALUES_MAX) and
 * the caller's graph; on failure the reply is made and nothing is held
 * (*o, *keys, *g NULL). */
static int nodes_and_graph(http_req *r, json_t **o, const char ***keys, size_t *n, graph **g) {
    static const char *const keys_ok[] = {"nodes", NULL};
    int rc = http_body_object(r, o);
    if (!rc) rc = http_only_keys(r, *o, keys_ok, "body");
    if (!rc) rc = body_nodes_max(r, *o, GRAPH_VALUES_MAX, keys, n);
    if (!rc) rc = load(r, g);
    if (rc) {   /* nothing held on failure */
        graph_free(*g);
        free(*keys);
        json_decref(*o);
        *g = NULL, *keys = NULL, *o = NULL;
    }
    return rc;
}

/* Reply with out, or the engine's error; frees what nodes_and_graph got. */
static int finish_nodes(http_req *r, int rc, const pu_err *pe, pu_buf *out, json_t *o, const char **keys, graph *g,
                        const char *detail) {
    graph_free(g);
    free(keys);
    json_decref(o);
    if (rc) {
        pu_buf_free(out);
        return engine_fail(r, rc, pe);
    }
    return reply(r, out, detail);
}

/* betweenness's method: samples= (sources) or cutoff= (hops), one of them */
static int betw_args(http_req *r, graph_betw *b) {
    int64_t samples, cutoff;
    int rc = http_arg_int(r, "samples", 1, HTTP_BETWEENNESS_SAMPLES_MAX, 0, &samples);
    if (!rc) rc = http_arg_int(r, "cutoff", 1, GRAPH_BETWEENNESS_CUTOFF_MAX, 0, &cutoff);
    if (!rc && samples && cutoff)
        rc = http_fail(r, PU_ERR_INVALID, "samples", "samples and cutoff are two methods of betweenness: give one of them");
    *b = (graph_betw){.samples = (long)samples, .cutoff = (int)cutoff};
    return rc;
}

/* POST /api/v1/graph/values?measure=&samples=&cutoff=&resolution= {"nodes": [...]}:
 * the measure for the nodes on screen (size or colour them). */
int h_graph_values(http_req *r) {
    static const char *const args[] = {"measure", "samples", "cutoff", "resolution", WINDOW, NULL};
    graph_betw b = {0};
    double res;
    int rc = http_only_args(r, args);
    if (!rc) rc = betw_args(r, &b);
    if (!rc) rc = http_arg_real(r, "resolution", HTTP_LEIDEN_RESOLUTION_MIN, HTTP_LEIDEN_RESOLUTION_MAX,
                                GRAPH_LEIDEN_RESOLUTION, &res);
    const char *m = http_arg(r, "measure");
    if (rc) return rc;
    json_t *o = NULL;
    const char **keys = NULL;
    size_t n = 0;
    graph *g = NULL;
    if ((rc = nodes_and_graph(r, &o, &keys, &n, &g))) return rc;
    pu_buf out = PU_BUF_INIT((size_t)1 << 26);
    pu_err pe = {0};
    rc = graph_values(g, m ? m : "degree", &b, res, keys, n, &out, &pe);
    return finish_nodes(r, rc, &pe, &out, o, keys, g, m ? m : "degree");
}

/* POST /api/v1/graph/subgraph {"nodes": [...]}: a saved set's nodes the
 * caller may see and the edges among them (reopen a diagram). */
int h_graph_subgraph(http_req *r) {
    int rc = http_only_args(r, (const char *const[]){WINDOW, NULL});
    if (rc) return rc;
    json_t *o = NULL;
    const char **keys = NULL;
    size_t n = 0;
    graph *g = NULL;
    if ((rc = nodes_and_graph(r, &o, &keys, &n, &g))) return rc;
    pu_buf out = PU_BUF_INIT((size_t)1 << 26);
    pu_err pe = {0};
    rc = graph_subgraph(g, keys, n, &out, &pe);
    return finish_nodes(r, rc, &pe, &out, o, keys, g, NULL);
}

/* GET /api/v1/graph/centrality?measure=&samples=&cutoff=&top=&k= (k: the k-core, measure kcore only;
 * samples or cutoff: betweenness's method) */
int h_graph_centrality(http_req *r) {
    static const char *const args[] = {"measure", "samples", "cutoff", "top", "k", WINDOW, NULL};
    int64_t top, k;
    graph_betw b = {0};
    int rc = http_only_args(r, args);
    if (!rc) rc = http_arg_int(r, "top", 1, HTTP_GRAPH_TOP_MAX, 20, &top);
    if (!rc) rc = betw_args(r, &b);
    if (!rc) rc = http_arg_int(r, "k", 0, INT32_MAX, 0, &k);
    const char *m = http_arg(r, "measure");
    if (!rc && k && (!m || strcmp(m, "kcore"))) rc = http_fail(r, PU_ERR_INVALID, "k", "k applies to measure=kcore only");
    graph *g = NULL;
    if (rc || (rc = load(r, &g))) return rc;
    pu_buf out = PU_BUF_INIT((size_t)1 << 28);
    pu_err pe = {0};
    rc = graph_centrality_min(g, m ? m : "degree", &b, (double)k, (size_t)top, 1, &out, &pe);
    return answer(r, g, rc, &pe, &out, NULL);
}

/* ---- saved sets and diagrams ---- */

/* GET /api/v1/graph/sets */
int h_graph_sets(http_req *r) {
    int rc = http_only_args(r, (const char *const[]){NULL});
    if (rc) return rc;
    pu_buf out = PU_BUF_INIT((size_t)1 << 24);
    pu_err pe = {0};
    graph *g = NULL;
    if ((rc = load(r, &g))) {
        pu_buf_free(&out);
        return rc;
    }
    rc = graph_set_list(r->db, &r->scope, g, &out, &pe);
    graph_free(g);
    if (rc) {
        pu_buf_free(&out);
        return engine_fail(r, rc, &pe);
    }
    json_t *arr = json_array();
    char *save = NULL, *text = out.data ? out.data : (char *)"";
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *f[4] = {line, NULL, NULL, NULL};
        for (int i = 1; i < 4 && f[i - 1]; i++) {
            f[i] = strchr(f[i - 1], '\t');
            if (f[i]) *f[i]++ = 0;
        }
        if (!f[3]) continue;
        json_array_append_new(arr, json_pack("{s:I, s:s, s:s, s:I}", "id", (json_int_t)atoll(f[0]), "kind", f[1],
                                             "name", f[2], "size", (json_int_t)atoll(f[3])));
    }
    pu_buf_free(&out);
    return http_json(r, 200, json_pack("{s:o}", "sets", arr));
}

/* POST /api/v1/graph/sets {"kind","name","nodes","layout","marking"} */
int h_graph_set_save(http_req *r) {
    static const char *const keys_ok[] = {"kind", "name", "nodes", "layout", "marking", NULL};
    json_t *o = NULL;
    const char **keys = NULL, *kind = NULL, *name = NULL, *layout = NULL, *marking = NULL;
    size_t n = 0;
    int rc = http_only_args(r, (const char *const[]){NULL});
    if (!rc) rc = http_body_object(r, &o);
    if (!rc) rc = http_only_keys(r, o, keys_ok, "body");
    if (!rc) rc = http_str_member(r, o, "kind", "body", &kind);
    if (!rc) rc = http_str_member(r, o, "name", "body", &name);
    if (!rc) rc = http_str_member(r, o, "layout", "body", &layout);
    if (!rc) rc = http_str_member(r, o, "marking", "body", &marking);
    if (!rc) rc = body_nodes(r, o, &keys, &n);
    int64_t id = 0;
    pu_err pe = {0};
    if (!rc && (rc = graph_set_save(r->db, &r->scope, kind ? kind : "set", name, keys, n, layout, marking, &id, &pe)))
        rc = engine_fail(r, rc, &pe);
    free(keys);
    json_decref(o);
    if (rc) return rc;
    return http_json(r, 201, json_pack("{s:I}", "id", (json_int_t)id));
}

/* The positions of a saved layout as {"positions": {node: {x, y}}} text,
 * rebuilt from numbers for the set's own nodes only, or JSON null: a
 * layout is free text from a client (the page saved cytoscape's whole
 * elements, labels included, before positions), so nothing of it but
 * coordinates of the nodes the set already names goes back out. */
static json_t *layout_positions(const pu_buf *layout, json_t *nodes) {
    json_error_t je;
    json_t *in = layout->len ? json_loadb(pu_buf_str(layout), layout->len, 0, &je) : NULL;
    json_t *pos = json_object_get(in, "positions"), *outp = json_object();
    size_t i;
    json_t *k;
    json_array_foreach(nodes, i, k) {
        json_t *p = json_object_get(pos, json_string_value(k));
        json_t *x = json_object_get(p, "x"), *y = json_object_get(p, "y");
        if (json_is_number(x) && json_is_number(y))
            json_object_set_new(outp, json_string_value(k),
                                json_pack("{s:f, s:f}", "x", json_number_value(x), "y", json_number_value(y)));
    }
    json_t *res = NULL;
    if (in && json_is_object(pos)) {
        json_t *wrap = json_pack("{s:O}", "positions", outp);
        char *text = wrap ? json_dumps(wrap, JSON_COMPACT) : NULL;
        res = text ? json_string(text) : NULL;
        free(text);
        json_decref(wrap);
    }
    json_decref(outp);
    json_decref(in);
    return res ? res : json_null();
}

/* GET /api/v1/graph/sets/{id}: its nodes and (a diagram) the positions of its layout */
int h_graph_set_get(http_req *r) {
    int rc = http_only_args(r, (const char *const[]){NULL});
    if (rc) return rc;
    char *end = NULL;
    long long id = strtoll(r->params[0], &end, 10);
    if (!end || *end || id <= 0) return http_fail(r, PU_ERR_INVALID, "id", "expected a set id");
    http_target(r, r->params[0]);
    pu_buf out = PU_BUF_INIT((size_t)1 << 24), layout = PU_BUF_INIT((size_t)1 << 24);
    pu_err pe = {0};
    graph *g = NULL;
    if ((rc = load(r, &g))) {
        pu_buf_free(&out);
        pu_buf_free(&layout);
        return rc;
    }
    rc = graph_set_get_layout(r->db, &r->scope, g, id, &out, &layout, &pe);
    graph_free(g);
    if (rc) {
        pu_buf_free(&out);
        pu_buf_free(&layout);
        return engine_fail(r, rc, &pe);
    }
    json_t *arr = json_array();
    char *save = NULL, *text = out.data ? out.data : (char *)"";
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
        json_array_append_new(arr, json_string(line));
    json_t *lay = layout_positions(&layout, arr);
    pu_buf_free(&out);
    pu_buf_free(&layout);
    return http_json(r, 200, json_pack("{s:I, s:o, s:o}", "id", (json_int_t)id, "nodes", arr, "layout", lay));
}

/* ---- resolution ---- */

/* GET /api/v1/resolve/clusters[?key=SOURCE:REF] */
int h_resolve_clusters(http_req *r) {
    static const char *const args[] = {"key", NULL};
    int rc = http_only_args(r, args);
    if (rc) return rc;
    const char *key = http_arg(r, "key");
    if (key) http_target(r, key);
    resolve_view *v = NULL;
    pu_err pe = {0};
    pu_buf out = PU_BUF_INIT((size_t)1 << 28);
    rc = resolve_clusters_ex(r->db, &r->scope, r->p.perms & ACL_P_TIPS ? RESOLVE_WITH_TIPS : 0, &v, &pe);
    if (!rc) rc = resolve_view_write(v, key, 1, &out, &pe);
    resolve_view_free(v);
    if (rc) {
        pu_buf_free(&out);
        return engine_fail(r, rc, &pe);
    }
    json_error_t je;
    json_t *arr = json_loadb(pu_buf_str(&out), out.len, 0, &je);
    pu_buf_free(&out);
    if (!arr) return http_fail(r, PU_ERR_INTERNAL, NULL, "resolve: bad JSON from the engine");
    return http_json(r, 200, json_pack("{s:o}", "clusters", arr));
}

/* POST /api/v1/resolve/judgements {"a","b","verdict","note"}; verdict "none" revokes */
int h_resolve_judge(http_req *r) {
    static const char *const keys_ok[] = {"a", "b", "verdict", "note", NULL};
    json_t *o = NULL;
    const char *a = NULL, *b = NULL, *verdict = NULL, *note = NULL;
    int rc = http_only_args(r, (const char *const[]){NULL});
    if (!rc) rc = http_body_object(r, &o);
    if (!rc) rc = http_only_keys(r, o, keys_ok, "body");
    if (!rc) rc = http_str_member(r, o, "a", "body", &a);
    if (!rc) rc = http_str_member(r, o, "b", "body", &b);
    if (!rc) rc = http_str_member(r, o, "verdict", "body", &verdict);
    if (!rc) rc = http_str_member(r, o, "note", "body", &note);
    if (!rc && (!a || !b)) rc = http_fail(r, PU_ERR_INVALID, a ? "b" : "a", "expected two records a and b");
    pu_err pe = {0};
    resolve_verdict v = RESOLVE_UNSURE;
    size_t decisions = 0;
    int revoke = verdict && !strcmp(verdict, "none");
    if (!rc && !revoke && (rc = resolve_verdict_parse(verdict, &v, &pe))) rc = engine_fail(r, rc, &pe);
    if (!rc) {
        http_target(r, a);
        http_target(r, b);
        /* with screening's reviewed decisions (docs/sameas.md "Judgements feed screening") */
        rc = revoke ? sameas_unjudge(r->st, &r->scope, a, b, r->p.user, &pe)
                    : sameas_judge(r->st, &r->scope, a, b, v, r->p.user, note, &decisions, &pe);
        if (rc) rc = engine_fail(r, rc, &pe);
    }
    if (!rc) (void)pu_buf_puts(&r->detail, revoke ? "none" : resolve_verdict_name(v));
    json_t *res = rc ? NULL : json_pack("{s:s, s:s, s:s, s:I}", "a", a, "b", b, "verdict", revoke ? "none" : resolve_verdict_name(v),
                                        "screening_decisions", (json_int_t)decisions);
    json_decref(o);
    if (rc) return rc;
    return http_json(r, 200, res);
}

/* GET /api/v1/resolve/xref?a=&b=&min=&limit=: the pairs between two
 * collections (resolve_xref), highest first, with the analysts' verdicts;
 * the same engine call as `puente xref`. */
#define HTTP_XREF_LIMIT_MAX 10000
#define HTTP_XREF_LIMIT_DEFAULT 200

static int xref_json(const resolve_xref_row *x, void *ctx) {
    json_t *o = json_pack("{s:f, s:b, s:s, s:s, s:s, s:s, s:o}", "score", x->score, "conflict", x->conflict, "a", x->a,
                          "name_a", x->name_a, "b", x->b, "name_b", x->name_b, "verdict",
                          *x->verdict ? json_string(x->verdict) : json_null());
    return !o || json_array_append_new(ctx, o) ? PU_ERR_NOMEM : 0;
}

int h_resolve_xref(http_req *r) {
    static const char *const args[] = {"a", "b", "min", "limit", NULL};
    int rc = http_only_args(r, args);
    double min = 0.5;
    int64_t limit = HTTP_XREF_LIMIT_DEFAULT;
    if (!rc) rc = http_arg_real(r, "min", 0, 1, 0.5, &min);
    if (!rc) rc = http_arg_int(r, "limit", 1, HTTP_XREF_LIMIT_MAX, HTTP_XREF_LIMIT_DEFAULT, &limit);
    const char *a = http_arg(r, "a"), *b = http_arg(r, "b");
    if (!rc && (!a || !b)) rc = http_fail(r, PU_ERR_INVALID, a ? "b" : "a", "expected two sources a and b");
    if (rc) return rc;
    char target[160];
    (void)pu_snprintf(target, sizeof target, "%s|%s", a, b);
    http_target(r, target);
    json_t *pairs = json_array();
    if (!pairs) return http_fail(r, PU_ERR_NOMEM, NULL, "out of memory");
    pu_err pe = {0};
    rc = resolve_xref(r->db, &r->scope, r->p.perms & ACL_P_TIPS ? RESOLVE_WITH_TIPS : 0, a, b, min, limit, xref_json,
                      pairs, &pe);
    if (rc) {
        json_decref(pairs);
        return rc == PU_ERR_NOMEM && !pe.msg[0] ? http_fail(r, rc, NULL, "out of memory") : engine_fail(r, rc, &pe);
    }
    return http_json(r, 200, json_pack("{s:s, s:s, s:o}", "a", a, "b", b, "pairs", pairs));
}
