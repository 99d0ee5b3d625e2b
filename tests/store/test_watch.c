/* test_watch.c - the generations as PostgreSQL notifies them (store.h
 * "watching the generations", store_watch.c): a change committed by another
 * connection reaches the watcher, store_generation_get answers from it while
 * it is live, and after its connection is killed the counter read is the
 * fallback until it is back in sync. On SQLite there is no watcher. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <cmocka.h>

#include "store/store.h"
#include "../test_store_uri.h"

#define DEADLINE_S 20.0

static int64_t stored_gen(db_t *db) { /* the counter itself, never the watcher */
    int64_t n = -1;
    pu_err err;
    assert_int_equal(db_query_int64(db, "SELECT COALESCE(MAX(n), 0) FROM store_generation WHERE domain = ?", "entity", &n,
                                    &err),
                     PU_OK);
    return n;
}

static void put_one(store_t *st, const char *id) {
    ftm_entity *e = NULL;
    pu_err err;
    assert_int_equal(ftm_entity_new(id, "Person", &e, &err), PU_OK);
    assert_int_equal(ftm_entity_add(e, "name", "Quetzal Tlacuache", &err), PU_OK);
    assert_int_equal(store_put(st, e, &err), PU_OK);
    ftm_entity_free(e);
}

static void sleep_ms(int ms) {
    struct timespec ts = {0, ms * 1000000L};
    nanosleep(&ts, NULL);
}

/* Wait until the watcher's value of `entity` for db reaches want. */
static int watched_reaches(db_t *db, int64_t want) {
    for (double t0 = pu_monotonic(); pu_monotonic() - t0 < DEADLINE_S; sleep_ms(5)) {
        int64_t n = -1;
        if (store_generation_watched(db, "entity", &n) && n >= want) return 1;
    }
    return 0;
}

static int wait_live(store_watch *w, int live) {
    for (double t0 = pu_monotonic(); pu_monotonic() - t0 < DEADLINE_S; sleep_ms(5))
        if (store_watch_live(w) == live) return 1;
    return 0;
}

static void test_watch(void **state) {
    (void)state;
    const char *uri = test_store_uri();
    store_watch *w = NULL;
    pu_err err;
    if (strncmp(uri, "postgres", 8) != 0) { /* SQLite: the counter is the only way */
        assert_int_equal(store_watch_start(uri, &w, &err), PU_ERR_UNSUPPORTED);
        assert_null(w);
        skip();
    }
    store_t *st = NULL, *other = NULL;
    assert_int_equal(store_open(uri, &st, &err), PU_OK);
    assert_int_equal(store_open(uri, &other, &err), PU_OK);
    put_one(other, "w-0");
    assert_int_equal(store_watch_start(uri, &w, &err), PU_OK);
    store_watch_install(w);
    assert_true(wait_live(w, 1));
    int64_t n = -1;
    assert_true(store_generation_watched(store_db(st), "entity", &n));
    assert_int_equal(n, stored_gen(store_db(st))); /* in sync from the start */
    /* changes by another connection arrive as notifications */
    uint64_t notes = store_watch_notes(w);
    for (int i = 1; i <= 3; i++) {
        char id[16];
        snprintf(id, sizeof id, "w-%d", i);
        put_one(other, id);
        assert_true(watched_reaches(store_db(st), stored_gen(store_db(other))));
    }
    assert_true(store_watch_notes(w) >= notes + 3);
    assert_int_equal(store_generation_get(store_db(st), "entity", &n, &err), PU_OK);
    assert_int_equal(n, stored_gen(store_db(st)));
    /* a generation bumped outside the store's writers (engines, triggers,
     * SQL by hand) is notified too: the trigger is on the counter table */
    assert_int_equal(db_exec(store_db(other), "UPDATE store_generation SET n = n + 5 WHERE domain = 'entity'", &err),
                     PU_OK);
    assert_true(watched_reaches(store_db(st), stored_gen(store_db(other))));
    /* the listening connection dies: not live, the counter is read */
    assert_int_equal(db_exec(store_db(other),
                             "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid()"
                             " AND datname = current_database() AND query = 'SELECT domain, n FROM store_generation'",
                             &err),
                     PU_OK);
    assert_true(wait_live(w, 0));
    put_one(other, "w-9");
    assert_int_equal(store_generation_get(store_db(st), "entity", &n, &err), PU_OK);
    assert_int_equal(n, stored_gen(store_db(st)));
    /* it reconnects, syncs and is live again */
    assert_true(wait_live(w, 1));
    assert_true(watched_reaches(store_db(st), stored_gen(store_db(st))));
    store_watch_stop(w);
    assert_false(store_generation_watched(store_db(st), "entity", &n)); /* uninstalled */
    store_close(other);
    store_close(st);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_watch)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
