/* bench_sameas.c - where an uncached sameas build goes (docs/perf/sameas.md):
 * on a store kept by bench/sameas/run.sh (KEEP=DIR), per reader, the wall
 * and CPU time of reading the reader's clusters (resolve_clusters_ex) and of
 * the whole sameas_build, and with --old the former designation test (a
 * screening of each entity's own name, the test's oracle) on the same view.
 * usage: bench_sameas STORE [--old] [--reps N] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/app.h"
#include "resolve/resolve.h"
#include "sameas/sameas.h"
#include "sameas/sameas_int.h"
#include "screen/screen.h"

#define OLD_PROBE 50   /* the former rule read this many screening results */

static double now(clockid_t c) {
    struct timespec t;
    clock_gettime(c, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

typedef struct tick {
    double wall, cpu;
} tick;

static tick start(void) { return (tick){now(CLOCK_MONOTONIC), now(CLOCK_PROCESS_CPUTIME_ID)}; }
static void report(const char *what, const char *reader, tick t0, size_t n) {
    printf("%-28s %-8s wall %8.3f s  cpu %8.3f s  (%zu)\n", what, reader, now(CLOCK_MONOTONIC) - t0.wall,
           now(CLOCK_PROCESS_CPUTIME_ID) - t0.cpu, n);
}

typedef struct oracle {
    const screen_index *ix;
    const store_scope *scope;
} oracle;

/* The former rule: the reader's screening of the entity's own name returns it. */
static int by_screening(void *ctx, const resolve_member *m, char *caption, size_t size, pu_err *err) {
    const oracle *o = ctx;
    const char *names[1] = {m->name};
    screen_query q;
    memset(&q, 0, sizeof q);
    q.names = names;
    q.nnames = 1;
    screen_params p;
    memset(&p, 0, sizeof p);
    p.limit = OLD_PROBE;
    p.scope = o->scope;
    p.designated = SCREEN_SCOPE_DEFAULT;
    screen_result *res = NULL;
    int rc = screen_run(o->ix, &q, &p, &res, err);
    if (rc == PU_ERR_INVALID || rc == PU_ERR_LIMIT) return 0;
    if (rc) return -rc;
    int yes = 0;
    for (size_t i = 0; i < res->n && !yes; i++)
        if (!strcmp(res->matches[i].entity_id, m->key + strlen("entity:"))) {
            yes = 1;
            snprintf(caption, size, "%s", res->matches[i].caption ? res->matches[i].caption : "");
        }
    screen_result_free(res);
    return yes;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: bench_sameas STORE [--old] [--reps N]\n");
        return 2;
    }
    int old = 0, reps = 3;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--old")) old = 1;
        else if (!strcmp(argv[i], "--reps") && i + 1 < argc) reps = atoi(argv[++i]);
    }
    pu_err err = {0};
    store_t *st = NULL;
    screen_index *ix = NULL;
    if (store_open(argv[1], &st, &err) || app_migrate(store_db(st), &err)) {
        fprintf(stderr, "store: %s\n", err.msg);
        return 1;
    }
    tick t = start();
    if (screen_index_build(st, NULL, &ix, &err)) {
        fprintf(stderr, "index: %s\n", err.msg);
        return 1;
    }
    report("screening index", "-", t, 0);
    const store_scope FGR = {0, "MX", "FGR"}, ATF = {0, "US", "ATF"};
    const struct { const char *name; const store_scope *s; } R[] = {{"FGR/MX", &FGR}, {"ATF/US", &ATF}};
    db_t *db = store_db(st);
    int rc = 0;
    for (int r = 0; r < reps && !rc; r++)
        for (size_t k = 0; k < 2 && !rc; k++) {
            resolve_view *v = NULL;
            t = start();
            rc = resolve_clusters_ex(db, R[k].s, 0, &v, &err);
            report("resolve_clusters_ex", R[k].name, t, v ? v->nm : 0);
            resolve_view_free(v);
            sameas *s = NULL;
            t = start();
            if (!rc) rc = sameas_build(db, ix, R[k].s, 0, &s, &err);
            report("sameas_build", R[k].name, t, sameas_spellings(s));
            size_t fast = sameas_spellings(s);
            sameas_free(s);
            if (!old || rc || r) continue;   /* the former rule once per reader: about a minute each */
            oracle o = {ix, R[k].s};
            t = start();
            rc = sameas_build_with(db, ix, R[k].s, 0, by_screening, &o, &s, &err);
            report("sameas_build (former rule)", R[k].name, t, sameas_spellings(s));
            if (!rc && sameas_spellings(s) != fast) printf("DIFFERENT spellings: %zu vs %zu\n", sameas_spellings(s), fast);
            sameas_free(s);
        }
    if (rc) fprintf(stderr, "error: %s\n", err.msg);
    screen_index_free(ix);
    store_close(st);
    return rc ? 1 : 0;
}
