/* bench_auth_cache.c - what the server's authentication costs per request:
 * acl_authenticate (the store read, what every request paid without a
 * cache), acl_authenticate_cached answering from its cache (which now reads
 * the store's account generation first, so that a change made by any
 * process is seen at once), and the generation read alone.
 * Usage: bench_auth_cache [STORE] [N]  (STORE: an SQLite file or a
 * postgresql:// URI, default a temporary file; N calls per row, default
 * 200000). Prints microseconds per call; docs/PERFORMANCE.md "Security". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "access/access.h"

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void die(const char *what, const pu_err *e) {
    fprintf(stderr, "bench_auth_cache: %s: %s\n", what, e->msg);
    exit(1);
}

typedef enum { PLAIN, CACHED, GENERATION } mode;

static double per_call_us(db_t *db, const char *tok, mode m, long n) {
    acl_principal p;
    pu_err e;
    int64_t g, now = acl_now();
    double t0 = now_s();
    for (long i = 0; i < n; i++) {
        int rc = m == PLAIN    ? acl_authenticate(db, tok, now, &p, &e)
                 : m == CACHED ? acl_authenticate_cached(db, tok, now, ACL_AUTH_CACHE_TTL_MS, &p, &e)
                               : store_generation_get(db, ACL_GENERATION, &g, &e);
        if (rc) die("call", &e);
    }
    return (now_s() - t0) * 1e6 / (double)n;
}

int main(int argc, char **argv) {
    char tmp[] = "/tmp/bench-auth-XXXXXX";
    const char *path = argc > 1 ? argv[1] : NULL;
    long n = argc > 2 ? atol(argv[2]) : 200000;
    if (!path) {
        int fd = mkstemp(tmp);
        if (fd < 0) return 1;
        close(fd);
        path = tmp;
    }
    db_t *db;
    pu_err e;
    if (db_open(path, NULL, &db, &e) || acl_migrate(db, &e) || acl_seed_agencies(db, NULL, &e)) die("open", &e);
    char tok[ACL_SECRET_MAX];
    (void)acl_user_add(db, "bench.auth", "DEA", "analyst", NULL, &e);
    if (acl_token_create(db, "bench.auth", acl_now(), tok, &e)) die("token", &e);
    static const char *const names[] = {"acl_authenticate (store read, no cache)",
                                        "acl_authenticate_cached, hit (generation read + memory)",
                                        "store_generation_get alone"};
    printf("store: %s, %ld calls per row\n", argc > 1 ? "given" : "SQLite file", n);
    for (int round = 0; round < 3; round++)
        for (int m = PLAIN; m <= GENERATION; m++)
            printf("round %d  %-58s %8.2f us\n", round + 1, names[m], per_call_us(db, tok, (mode)m, n));
    db_close(db);
    if (path == tmp) unlink(tmp);
    return 0;
}
