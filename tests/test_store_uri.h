/* tests/test_store_uri.h - the store a unit test opens: ":memory:" (a fresh
 * in-memory SQLite store), or, when PUENTE_TEST_DB holds a PostgreSQL URI
 * (the second run of `make check`, scripts/run-tests.sh), a fresh schema of
 * that database: the URI with `options=-csearch_path=<new schema>`, which
 * the PostgreSQL backend creates on first open. Each call names a new store,
 * so tests running in parallel never share one. The string lives until
 * TEST_STORE_URIS later calls. */
#ifndef PU_TEST_STORE_URI_H
#define PU_TEST_STORE_URI_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define TEST_STORE_URIS 16

static inline const char *test_store_uri(void) {
    static char uris[TEST_STORE_URIS][1024];
    static unsigned n;
    const char *base = getenv("PUENTE_TEST_DB");
    if (!base || !*base) return ":memory:";
    char *u = uris[n % TEST_STORE_URIS];
    snprintf(u, sizeof uris[0], "%s%soptions=-csearch_path%%3Dt_%ld_%d_%u", base, strchr(base, '?') ? "&" : "?",
             (long)time(NULL), (int)getpid(), n);
    n++;
    return u;
}

/* 1 when the tests run on PostgreSQL (tests of SQLite files skip). */
static inline int test_store_is_pg(void) {
    const char *base = getenv("PUENTE_TEST_DB");
    return base && *base;
}

#endif
