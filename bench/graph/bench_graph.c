/* bench_graph.c - the graph engine on a store: load the reader's graph
 * (graph_load through the graph cache, from SQL; then a cached get),
 * components, Leiden, approximate betweenness,
 * 2-hop expand p99 and shortest path p99 over random nodes. One line of
 * JSON on stdout (docs/perf/graph.md; bench/graph/run.sh).
 * usage: bench_graph STORE NODES [QUERIES] [queries-only]
 * (a 4th argument skips components, Leiden and betweenness: the queries alone) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "graph/graph.h"

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double cpu_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int cmp_d(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double p99(double *v, size_t n) {
    if (!v || n == 0) return 0;
    qsort(v, n, sizeof *v, cmp_d);
    return v[(size_t)((double)(n - 1) * 0.99)];
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: bench_graph STORE NODES [QUERIES]\n");
        return 2;
    }
    long nodes = atol(argv[2]), queries = argc > 3 ? atol(argv[3]) : 200;
    int queries_only = argc > 4;
    store_t *st = NULL;
    pu_err err = {0};
    if (store_open(argv[1], &st, &err)) {
        pu_err_print(&err);
        return 1;
    }
    store_scope reader = {0, "MX", "FGR"};
    graph *g = NULL, *again = NULL;
    graph_cache *cache = NULL;
    if (graph_cache_new(0, &cache, &err)) return 1;
    /* the server's path: the first request loads (wall and CPU time: the
     * machine is shared, so wall time includes waiting for a core), the next
     * ones answer from the cache while the store's generations hold */
    double t0 = now(), c0 = cpu_now();
    int hit = 0;
    if (graph_cache_get(cache, store_db(st), st, &reader, NULL, &g, &hit, &err)) {
        pu_err_print(&err);
        return 1;
    }
    double load = now() - t0, load_cpu = cpu_now() - c0;
    t0 = now();
    if (graph_cache_get(cache, store_db(st), st, &reader, NULL, &again, &hit, &err) || !hit) {
        pu_err_print(&err);
        return 1;
    }
    double cached = now() - t0;
    graph_free(again);
    pu_buf out = PU_BUF_INIT((size_t)1 << 30);
    double comp = 0, leiden = 0, betw = 0;
    if (!queries_only) {
        t0 = now();
        graph_components(g, 1, 1, &out, &err);
        comp = now() - t0;
        pu_buf_reset(&out);
        t0 = now();
        graph_communities(g, 1, 0, 1, &out, &err);
        leiden = now() - t0;
        pu_buf_reset(&out);
        t0 = now();
        graph_centrality(g, "betweenness", &(graph_betw){.cutoff = 2}, 1, 1, &out, &err);
        betw = now() - t0;
    }
    double *ex = malloc((size_t)queries * sizeof *ex), *sp = malloc((size_t)queries * sizeof *sp);
    srand(7);
    for (long i = 0; i < queries; i++) {
        char a[32], b[32];
        snprintf(a, sizeof a, "n%ld", (long)rand() % nodes);
        snprintf(b, sizeof b, "n%ld", (long)rand() % nodes);
        pu_buf_reset(&out);
        t0 = now();
        graph_expand(g, a, 2, 0, 100, 1, &out, &err);
        ex[i] = now() - t0;
        pu_buf_reset(&out);
        t0 = now();
        if (graph_path(g, a, b, 1, &out, &err)) pu_err_clear(&err);
        sp[i] = now() - t0;
    }
    printf("{\"engine\":\"puente\",\"nodes\":%zu,\"edges\":%zu,\"load_s\":%.3f,\"load_cpu_s\":%.3f,"
           "\"cached_get_ms\":%.3f,\"graph_mib\":%.0f,\"components_s\":%.3f,\"leiden_s\":%.3f,"
           "\"betweenness2_s\":%.3f,\"expand2_p99_ms\":%.2f,\"path_p99_ms\":%.2f}\n",
           graph_nodes(g), graph_edges(g), load, load_cpu, cached * 1e3, graph_bytes(g) / 1048576.0, comp, leiden, betw, p99(ex, (size_t)queries) * 1e3,
           p99(sp, (size_t)queries) * 1e3);
    free(ex), free(sp);
    pu_buf_free(&out);
    graph_free(g);
    graph_cache_free(cache);
    store_close(st);
    return 0;
}
