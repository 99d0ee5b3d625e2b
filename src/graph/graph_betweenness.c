/* graph_betweenness.c - betweenness on the reader's graph: exact on small
 * graphs, estimated from sampled sources on large ones (Brandes & Pich,
 * "Centrality estimation in large networks", 2007; Bader et al. 2007),
 * or the hop-cutoff measure when asked for (graph.h "graph_betw";
 * docs/graph.md "Betweenness"). The algorithm is igraph's
 * (igraph_betweenness_subset: Brandes' accumulation from the given
 * sources); this file draws the sources and scales the sum. */
#include <string.h>

#include "graph/graph_int.h"

const char *graph_betw_method_name(int method) {
    return method == GRAPH_BETW_SAMPLED ? "sampled" : method == GRAPH_BETW_CUTOFF ? "cutoff" : "exact";
}

int graph_betw_choose(const graph_betw *b, size_t n, graph_betw_plan *out, pu_err *err) {
    static const graph_betw none = {0};
    if (!b) b = &none;
    if (b->samples < 0) return pu_fail(err, PU_ERR_INVALID, NULL, "samples", "expected a number of sources of 1 or more");
    if (b->cutoff < 0 || b->cutoff > GRAPH_BETWEENNESS_CUTOFF_MAX)
        return pu_fail(err, PU_ERR_INVALID, NULL, "cutoff", "expected a hop cutoff from 1 to %d",
                       GRAPH_BETWEENNESS_CUTOFF_MAX);
    if (b->samples > 0 && b->cutoff > 0)
        return pu_fail(err, PU_ERR_INVALID, NULL, "samples",
                       "samples and cutoff are two methods of betweenness: give one of them");
    *out = (graph_betw_plan){GRAPH_BETW_EXACT, (long)n, 0, b->seed ? b->seed : GRAPH_BETWEENNESS_SEED};
    if (b->cutoff > 0) {
        out->method = GRAPH_BETW_CUTOFF;
        out->cutoff = b->cutoff;
        return PU_OK;
    }
    long k = b->samples > 0 ? b->samples : n <= GRAPH_BETWEENNESS_EXACT_MAX ? (long)n : GRAPH_BETWEENNESS_SAMPLES;
    if ((size_t)k < n) out->method = GRAPH_BETW_SAMPLED, out->k = k;
    return PU_OK;
}

static void plan_json(const graph_betw_plan *p, pu_buf *out) {
    pu_buf_printf(out, ",\"method\":\"%s\"", graph_betw_method_name(p->method));
    if (p->method == GRAPH_BETW_CUTOFF) pu_buf_printf(out, ",\"cutoff\":%d", p->cutoff);
    else pu_buf_printf(out, ",\"samples\":%ld", p->k);
    if (p->method == GRAPH_BETW_SAMPLED) pu_buf_printf(out, ",\"seed\":%llu", (unsigned long long)p->seed);
}

void graph_betw_describe(const graph *g, const graph_betw *b, int json, pu_buf *out) {
    graph_betw_plan p;
    pu_err ignore = {0};
    if (graph_betw_choose(b, g->nodes.len, &p, &ignore)) return;   /* graph_measure succeeded with b */
    if (json) {
        plan_json(&p, out);
    } else if (p.method == GRAPH_BETW_SAMPLED) {
        pu_buf_printf(out, pu_tr("betweenness estimated from %ld of %zu nodes as sources (seed %llu), scaled by n/k\n"),
                      p.k, g->nodes.len, (unsigned long long)p.seed);
    } else if (p.method == GRAPH_BETW_CUTOFF) {
        pu_buf_printf(out, pu_tr("betweenness over shortest paths of at most %d hops only (a local measure)\n"), p.cutoff);
    } else {
        pu_buf_printf(out, pu_tr("betweenness exact (every one of %zu nodes as a source)\n"), g->nodes.len);
    }
}

static uint64_t splitmix64(uint64_t *s) {
    uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* uniform in [0, r), r >= 1: rejection of the top partial block (no modulo bias) */
static uint64_t below(uint64_t *s, uint64_t r) {
    uint64_t lim = UINT64_MAX - UINT64_MAX % r, x;
    do x = splitmix64(s);
    while (x >= lim);
    return x % r;
}

int graph_betw_sample(igraph_integer_t n, igraph_integer_t k, uint64_t seed, igraph_vector_int_t *out) {
    igraph_vector_int_t perm;
    if (k > n) k = n;
    if (igraph_vector_int_init_range(&perm, 0, n)) return PU_ERR_NOMEM;
    uint64_t s = seed;
    for (igraph_integer_t i = 0; i < k; i++) {   /* position i takes a uniform pick of the rest */
        igraph_integer_t j = i + (igraph_integer_t)below(&s, (uint64_t)(n - i));
        igraph_integer_t t = VECTOR(perm)[i];
        VECTOR(perm)[i] = VECTOR(perm)[j], VECTOR(perm)[j] = t;
    }
    int rc = igraph_vector_int_resize(&perm, k) || igraph_vector_int_update(out, &perm) ? PU_ERR_NOMEM : PU_OK;
    igraph_vector_int_destroy(&perm);
    return rc;
}

int graph_betweenness_ig(const igraph_t *ig, const graph_betw_plan *plan, igraph_vector_t *res) {
    if (plan->method == GRAPH_BETW_CUTOFF)
        return igraph_betweenness_cutoff(ig, res, igraph_vss_all(), 0, NULL, plan->cutoff) ? PU_ERR_NOMEM : PU_OK;
    igraph_integer_t n = igraph_vcount(ig);
    if (plan->method == GRAPH_BETW_EXACT)   /* (a sampled plan of k = n runs the sampled path: the tests compare it) */
        return igraph_betweenness(ig, res, igraph_vss_all(), 0, NULL) ? PU_ERR_NOMEM : PU_OK;
    igraph_vector_int_t src;
    if (igraph_vector_int_init(&src, 0)) return PU_ERR_NOMEM;
    int rc = graph_betw_sample(n, plan->k, plan->seed, &src);
    /* sum over sources s in S and every target t of the share of s-t shortest
     * paths through v; igraph halves it on an undirected graph as it does
     * for the exact value (S = V gives igraph_betweenness). Each source is in
     * S with probability k/n, so n/k times the sum is unbiased. */
    if (!rc && igraph_betweenness_subset(ig, res, igraph_vss_all(), 0, igraph_vss_vector(&src), igraph_vss_all(), NULL))
        rc = PU_ERR_NOMEM;
    if (!rc) igraph_vector_scale(res, (double)n / (double)igraph_vector_int_size(&src));
    igraph_vector_int_destroy(&src);
    return rc;
}
