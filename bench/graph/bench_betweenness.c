/* bench_betweenness.c - betweenness on a generated graph (bench/graph/gen.py's
 * edge list): the time of each method of graph_betweenness_ig (the function
 * graph_measure calls on the reader's graph), and, when the exact value is
 * computed too, each approximation's agreement with it: overlap of the top
 * 10 and top 100 and Spearman's rank correlation over every node. One JSON
 * line per method on stdout (docs/perf/graph.md; bench/graph/betweenness.sh).
 * usage: bench_betweenness EDGES N exact|noexact [sK|cC]...
 *   sK: sampled from K sources (seed GRAPH_BETWEENNESS_SEED; sK@SEED another seed)
 *   cC: the hop-cutoff measure, paths of at most C hops */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "graph/graph_int.h"

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

static const double *by;
static int cmp_desc(const void *a, const void *b) {
    long i = *(const long *)a, j = *(const long *)b;
    return by[i] > by[j] ? -1 : by[i] < by[j] ? 1 : (i > j) - (i < j);
}

/* node indices by value, highest first */
static long *order(const double *v, long n) {
    long *o = malloc((size_t)n * sizeof *o);
    if (!o) exit(1);
    for (long i = 0; i < n; i++) o[i] = i;
    by = v;
    qsort(o, (size_t)n, sizeof *o, cmp_desc);
    return o;
}

/* ranks with ties averaged (1 = highest) */
static double *ranks(const double *v, long n) {
    long *o = order(v, n);
    double *r = malloc((size_t)n * sizeof *r);
    if (!r) exit(1);
    for (long i = 0; i < n;) {
        long j = i;
        while (j + 1 < n && v[o[j + 1]] == v[o[i]]) j++;
        for (long k = i; k <= j; k++) r[o[k]] = (double)(i + j) / 2 + 1;
        i = j + 1;
    }
    free(o);
    return r;
}

static double spearman(const double *a, const double *b, long n) {
    double *ra = ranks(a, n), *rb = ranks(b, n), ma = 0, mb = 0, sab = 0, saa = 0, sbb = 0;
    for (long i = 0; i < n; i++) ma += ra[i], mb += rb[i];
    ma /= (double)n, mb /= (double)n;
    for (long i = 0; i < n; i++) {
        sab += (ra[i] - ma) * (rb[i] - mb);
        saa += (ra[i] - ma) * (ra[i] - ma);
        sbb += (rb[i] - mb) * (rb[i] - mb);
    }
    free(ra), free(rb);
    return sab / sqrt(saa * sbb);
}

static int overlap(const long *oa, const long *ob, int t) {
    int c = 0;
    for (int i = 0; i < t; i++)
        for (int j = 0; j < t; j++) c += oa[i] == ob[j];
    return c;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: bench_betweenness EDGES N exact|noexact [sK[@SEED]|cC]...\n");
        return 2;
    }
    long n = atol(argv[2]);
    FILE *f = fopen(argv[1], "r");
    if (!f) return perror(argv[1]), 1;
    igraph_vector_int_t e;
    igraph_vector_int_init(&e, 0);
    long a, b;
    while (fscanf(f, "%ld %ld", &a, &b) == 2) igraph_vector_int_push_back(&e, a), igraph_vector_int_push_back(&e, b);
    fclose(f);
    igraph_t g;
    if (igraph_create(&g, &e, n, IGRAPH_UNDIRECTED)) return 1;
    igraph_vector_int_destroy(&e);
    double *ex = NULL;
    long *oex = NULL;
    igraph_vector_t res;
    igraph_vector_init(&res, 0);
    if (!strcmp(argv[3], "exact")) {
        graph_betw_plan p = {GRAPH_BETW_EXACT, n, 0, 0};
        double t0 = now(), c0 = cpu_now();
        if (graph_betweenness_ig(&g, &p, &res)) return 1;
        printf("{\"nodes\":%ld,\"edges\":%lld,\"method\":\"exact\",\"seconds\":%.3f,\"cpu_s\":%.3f}\n", n,
               (long long)igraph_ecount(&g), now() - t0, cpu_now() - c0);
        fflush(stdout);
        ex = malloc((size_t)n * sizeof *ex);
        if (!ex) return 1;
        memcpy(ex, VECTOR(res), (size_t)n * sizeof *ex);
        oex = order(ex, n);
    }
    for (int i = 4; i < argc; i++) {
        graph_betw_plan p = {GRAPH_BETW_SAMPLED, 0, 0, GRAPH_BETWEENNESS_SEED};
        char what[64];
        if (argv[i][0] == 's') {
            p.k = atol(argv[i] + 1);
            const char *at = strchr(argv[i], '@');
            if (at) p.seed = strtoull(at + 1, NULL, 10);
            snprintf(what, sizeof what, "\"sampled\",\"samples\":%ld,\"seed\":%llu", p.k, (unsigned long long)p.seed);
        } else {
            p.method = GRAPH_BETW_CUTOFF, p.cutoff = atoi(argv[i] + 1);
            snprintf(what, sizeof what, "\"cutoff\",\"cutoff\":%d", p.cutoff);
        }
        double t0 = now(), c0 = cpu_now();
        if (graph_betweenness_ig(&g, &p, &res)) return 1;
        double wall = now() - t0, cpu = cpu_now() - c0;
        printf("{\"nodes\":%ld,\"edges\":%lld,\"method\":%s,\"seconds\":%.3f,\"cpu_s\":%.3f", n,
               (long long)igraph_ecount(&g), what, wall, cpu);
        if (ex) {
            long *o = order(VECTOR(res), n);
            printf(",\"top10_overlap\":%d,\"top100_overlap\":%d,\"spearman\":%.4f", overlap(oex, o, 10),
                   n >= 100 ? overlap(oex, o, 100) : -1, spearman(ex, VECTOR(res), n));
            free(o);
        }
        printf("}\n");
        fflush(stdout);
    }
    free(ex), free(oex);
    igraph_vector_destroy(&res);
    igraph_destroy(&g);
    return 0;
}
