/* test_graph_cache.c - unit tests of the graph cache (graph.h "the graph
 * cache"): a reader's graph is reused while the store's generations hold,
 * a change to a record the reader sees makes the next call rebuild it, two
 * readers of different scopes never share a graph (a US-ONLY person absent
 * from the Mexican reader's), and the byte cap evicts the least recently
 * used. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "app/app.h"
#include "cases/cases.h"
#include "ftm/ftm.h"
#include "graph/graph.h"
#include "graph/graph_int.h"
#include "../test_store_uri.h"

static const store_scope US = {0, "US", "ATF"};
static const store_scope MX = {0, "MX", "FGR"};

static void put(store_t *st, const char *id, const char *schema, const char *name, const char *marking,
                const char *subject, const char *object) {
    ftm_entity *e = NULL;
    pu_err err = {0};
    assert_int_equal(ftm_entity_new(id, schema, &e, &err), PU_OK);
    if (name) assert_int_equal(ftm_entity_add(e, "name", name, &err), PU_OK);
    if (subject) assert_int_equal(ftm_entity_add(e, "subject", subject, &err), PU_OK);
    if (object) assert_int_equal(ftm_entity_add(e, "object", object, &err), PU_OK);
    assert_int_equal(ftm_entity_set(&e->owner, "ATF"), PU_OK);
    assert_int_equal(ftm_entity_set(&e->marking, marking), PU_OK);
    assert_int_equal(store_put(st, e, &err), PU_OK);
    ftm_entity_free(e);
}

/* a PUBLIC company, a PUBLIC person linked to it, and a US-ONLY person linked to it */
static store_t *fixture(void) {
    store_t *st = NULL;
    pu_err err = {0};
    assert_int_equal(store_open(test_store_uri(), &st, &err), PU_OK);
    put(st, "co", "Company", "Acme Quimica SA", "PUBLIC", NULL, NULL);
    put(st, "p1", "Person", "Juan Perez", "PUBLIC", NULL, NULL);
    put(st, "p2", "Person", "Hidden Person", "US-ONLY", NULL, NULL);
    put(st, "l1", "UnknownLink", NULL, "PUBLIC", "p1", "co");
    put(st, "l2", "UnknownLink", NULL, "US-ONLY", "p2", "co");
    return st;
}

static int has_node(const graph *g, const char *key) {
    uint32_t v;
    pu_err err = {0};
    return graph_find(g, key, &v, &err) == PU_OK;
}

static void test_reuse_and_invalidate(void **unused) {
    (void)unused;
    store_t *st = fixture();
    db_t *db = store_db(st);
    graph_cache *c = NULL;
    pu_err err = {0};
    assert_int_equal(graph_cache_new(0, &c, &err), PU_OK);
    graph *g1 = NULL, *g2 = NULL, *g3 = NULL;
    int hit = -1;
    assert_int_equal(graph_cache_get(c, db, st, &MX, NULL, &g1, &hit, &err), PU_OK);
    assert_int_equal(hit, 0);
    assert_int_equal(graph_cache_get(c, db, st, &MX, NULL, &g2, &hit, &err), PU_OK);
    assert_int_equal(hit, 1);
    assert_ptr_equal(g1, g2);   /* built once, shared */
    assert_int_equal(graph_nodes(g1), 2);
    /* a change to a record the reader sees: the next call rebuilds */
    put(st, "p3", "Person", "Maria Lopez", "PUBLIC", NULL, NULL);
    assert_int_equal(graph_cache_get(c, db, st, &MX, NULL, &g3, &hit, &err), PU_OK);
    assert_int_equal(hit, 0);
    assert_ptr_not_equal(g3, g1);
    assert_int_equal(graph_nodes(g3), 3);
    assert_true(has_node(g3, "p3"));
    assert_false(has_node(g1, "p3"));   /* the old graph stays valid for its holders */
    graph_cache_stats s;
    graph_cache_get_stats(c, &s);
    assert_int_equal(s.hits, 1);
    assert_int_equal(s.misses, 2);
    assert_int_equal(s.graphs, 1);   /* the stale entry was dropped */
    assert_int_equal(s.bytes, graph_bytes(g3));
    graph_free(g1);
    graph_free(g2);
    graph_free(g3);
    graph_cache_free(c);
    store_close(st);
}


/* Case files are nodes (graph_load.c "case files"): filing a case and adding
 * a subject are changes the cached graph must see at the next call (the
 * cases generation), and a member agency sees the case, a non-member none. */
static void test_case_changes_rebuild(void **unused) {
    (void)unused;
    store_t *st = fixture();
    db_t *db = store_db(st);
    pu_err err = {0};
    assert_int_equal(app_migrate(db, &err), PU_OK);   /* cases and the audit trail its writes go to */
    graph_cache *c = NULL;
    assert_int_equal(graph_cache_new(0, &c, &err), PU_OK);
    graph *g0 = NULL, *g1 = NULL, *g2 = NULL, *us = NULL;
    int hit = -1;
    assert_int_equal(graph_cache_get(c, db, st, &MX, NULL, &g0, &hit, &err), PU_OK);
    static const store_scope HSI = {0, "US", "HSI"};
    case_reader rd = {&HSI, NULL};
    case_new_opts o = {.title = "Operacion Frontera", .marking = "SHARED", .agencies = "HSI:US,FGR:MX"};
    int64_t id = 0, sid = 0;
    assert_int_equal(case_new(db, &rd, &o, &id, &err), PU_OK);
    char key[32];
    snprintf(key, sizeof key, "case:%lld", (long long)id);
    assert_int_equal(graph_cache_get(c, db, st, &MX, NULL, &g1, &hit, &err), PU_OK);
    assert_int_equal(hit, 0);   /* filing a case is a change */
    assert_true(has_node(g1, key));
    assert_false(has_node(g0, key));
    size_t edges = graph_edges(g1);
    assert_int_equal(case_subject_add(db, &rd, id, "p1", NULL, "suspect", &sid, &err), PU_OK);
    assert_int_equal(graph_cache_get(c, db, st, &MX, NULL, &g2, &hit, &err), PU_OK);
    assert_int_equal(hit, 0);   /* so is a subject */
    assert_int_equal(graph_edges(g2), edges + 1);
    assert_int_equal(graph_cache_get(c, db, st, &US, NULL, &us, &hit, &err), PU_OK);
    assert_false(has_node(us, key));   /* ATF is no member */
    graph_free(g0), graph_free(g1), graph_free(g2), graph_free(us);
    graph_cache_free(c);
    store_close(st);
}

static void test_scopes_never_shared(void **unused) {
    (void)unused;
    store_t *st = fixture();
    db_t *db = store_db(st);
    graph_cache *c = NULL;
    pu_err err = {0};
    assert_int_equal(graph_cache_new(0, &c, &err), PU_OK);
    graph *us = NULL, *mx = NULL, *us2 = NULL, *mx2 = NULL;
    int hit = -1;
    assert_int_equal(graph_cache_get(c, db, st, &US, NULL, &us, &hit, &err), PU_OK);
    assert_int_equal(graph_cache_get(c, db, st, &MX, NULL, &mx, &hit, &err), PU_OK);
    assert_int_equal(hit, 0);   /* the US reader's graph is not the Mexican reader's */
    assert_ptr_not_equal(us, mx);
    assert_true(has_node(us, "p2"));
    assert_false(has_node(mx, "p2"));
    assert_int_equal(graph_edges(us), 2);
    assert_int_equal(graph_edges(mx), 1);
    /* the same agency name in the other country is another reader */
    const store_scope other = {0, "MX", "ATF"};
    graph *o = NULL;
    assert_int_equal(graph_cache_get(c, db, st, &other, NULL, &o, &hit, &err), PU_OK);
    assert_int_equal(hit, 0);
    assert_ptr_not_equal(o, us);
    assert_ptr_not_equal(o, mx);
    /* a change only the US reader sees invalidates both (the generation is the store's) */
    put(st, "p2", "Person", "Hidden Person Renamed", "US-ONLY", NULL, NULL);
    assert_int_equal(graph_cache_get(c, db, st, &US, NULL, &us2, &hit, &err), PU_OK);
    assert_int_equal(hit, 0);
    uint32_t v;
    assert_int_equal(graph_find(us2, "p2", &v, &err), PU_OK);
    assert_string_equal(graph_node_label(us2, v), "Hidden Person Renamed");
    graph_cache_stats s;
    graph_cache_get_stats(c, &s);
    assert_int_equal(s.graphs, 1);   /* every stale entry went, the other readers' too */
    assert_int_equal(graph_cache_get(c, db, st, &MX, NULL, &mx2, &hit, &err), PU_OK);
    assert_int_equal(hit, 0);
    assert_false(has_node(mx2, "p2"));
    /* a time window is another key */
    graph_opts win = {"2020-01-01", NULL, 0};
    graph *w = NULL;
    assert_int_equal(graph_cache_get(c, db, st, &MX, &win, &w, &hit, &err), PU_OK);
    assert_int_equal(hit, 0);
    assert_int_equal(graph_edges(w), 0);   /* undated links are outside every window */
    graph_free(us), graph_free(mx), graph_free(o), graph_free(us2), graph_free(mx2), graph_free(w);
    graph_cache_free(c);
    store_close(st);
}

static void test_cap_evicts_lru(void **unused) {
    (void)unused;
    store_t *st = fixture();
    db_t *db = store_db(st);
    pu_err err = {0};
    graph *probe = NULL;
    assert_int_equal(graph_load(db, st, &US, NULL, &probe, &err), PU_OK);
    size_t one = graph_bytes(probe);
    assert_true(one > 0);
    graph_free(probe);
    graph_cache *c = NULL;
    assert_int_equal(graph_cache_new(one * 2 + one / 2, &c, &err), PU_OK);   /* room for two graphs */
    const store_scope r1 = {0, "US", "ATF"}, r2 = {0, "US", "DEA"}, r3 = {0, "US", "FBI"};
    graph *g = NULL;
    int hit;
    assert_int_equal(graph_cache_get(c, db, st, &r1, NULL, &g, &hit, &err), PU_OK), graph_free(g);
    assert_int_equal(graph_cache_get(c, db, st, &r2, NULL, &g, &hit, &err), PU_OK), graph_free(g);
    assert_int_equal(graph_cache_get(c, db, st, &r1, NULL, &g, &hit, &err), PU_OK), graph_free(g);
    assert_int_equal(hit, 1);
    assert_int_equal(graph_cache_get(c, db, st, &r3, NULL, &g, &hit, &err), PU_OK), graph_free(g);   /* evicts r2 */
    graph_cache_stats s;
    graph_cache_get_stats(c, &s);
    assert_int_equal(s.evictions, 1);
    assert_int_equal(s.graphs, 2);
    assert_true(s.bytes <= one * 2 + one / 2);
    assert_int_equal(graph_cache_get(c, db, st, &r1, NULL, &g, &hit, &err), PU_OK), graph_free(g);
    assert_int_equal(hit, 1);   /* the recently used one stayed */
    assert_int_equal(graph_cache_get(c, db, st, &r2, NULL, &g, &hit, &err), PU_OK), graph_free(g);
    assert_int_equal(hit, 0);   /* the least recently used one went */
    graph_cache_free(c);
    /* a cache smaller than one graph keeps none but still answers */
    assert_int_equal(graph_cache_new(1, &c, &err), PU_OK);
    assert_int_equal(graph_cache_get(c, db, st, &r1, NULL, &g, &hit, &err), PU_OK);
    assert_int_equal(graph_nodes(g), 3);
    graph_free(g);
    graph_cache_get_stats(c, &s);
    assert_int_equal(s.graphs, 0);
    graph_cache_free(c);
    store_close(st);
}

/* The search from both ends finds paths as short as igraph's own search,
 * and none where there is none (a random graph with isolated nodes). */
static void test_path_as_short_as_igraph(void **unused) {
    (void)unused;
    store_t *st = NULL;
    pu_err err = {0};
    assert_int_equal(store_open(test_store_uri(), &st, &err), PU_OK);
    enum { N = 240, M = 300 };
    char id[32], a[32], b[32];
    assert_int_equal(store_begin(st, &err), PU_OK);
    for (int i = 0; i < N; i++) {
        snprintf(id, sizeof id, "n%d", i);
        put(st, id, "Person", id, "PUBLIC", NULL, NULL);
    }
    srand(3);
    for (int i = 0; i < M; i++) {
        snprintf(id, sizeof id, "l%d", i);
        snprintf(a, sizeof a, "n%d", rand() % (N - 20));   /* the last 20 stay alone */
        snprintf(b, sizeof b, "n%d", rand() % (N - 20));
        put(st, id, "UnknownLink", NULL, "PUBLIC", a, b);
    }
    assert_int_equal(store_commit(st, &err), PU_OK);
    graph *g = NULL;
    assert_int_equal(graph_load(store_db(st), st, &MX, NULL, &g, &err), PU_OK);
    int found = 0, none = 0;
    for (int q = 0; q < 200; q++) {
        int x = rand() % N, y = rand() % N;
        snprintf(a, sizeof a, "n%d", x);
        snprintf(b, sizeof b, "n%d", y);
        uint32_t va, vb;
        assert_int_equal(graph_find(g, a, &va, &err), PU_OK);
        assert_int_equal(graph_find(g, b, &vb, &err), PU_OK);
        igraph_vector_int_t vs, es;
        igraph_vector_int_init(&vs, 0);
        igraph_vector_int_init(&es, 0);
        assert_int_equal(igraph_get_shortest_path(&g->ig, &vs, &es, va, vb, IGRAPH_ALL), IGRAPH_SUCCESS);
        long want = igraph_vector_int_size(&vs) ? (long)igraph_vector_int_size(&es) : -1;
        igraph_vector_int_destroy(&vs);
        igraph_vector_int_destroy(&es);
        pu_buf out = PU_BUF_INIT(1 << 20);
        pu_err pe = {0};
        int rc = graph_path(g, a, b, 0, &out, &pe);
        if (want < 0) {
            assert_int_equal(rc, PU_ERR_NOTFOUND);
            none++;
        } else {
            assert_int_equal(rc, PU_OK);
            char tail[64];
            snprintf(tail, sizeof tail, "path of %ld edges\n", want);
            assert_non_null(strstr(pu_buf_str(&out), tail));
            /* the path starts at a and ends at b */
            const char *s = pu_buf_str(&out);
            snprintf(tail, sizeof tail, "entity:%s", a);
            assert_non_null(strstr(s, tail));
            found++;
        }
        pu_buf_free(&out);
    }
    assert_true(found > 50);
    assert_true(none > 5);
    graph_free(g);
    store_close(st);
}

/* communities of g at resolution as graph_communities' JSON (caller frees) */
static char *communities(const graph *g, double resolution) {
    pu_buf out = PU_BUF_INIT(1 << 20);
    pu_err err = {0};
    assert_int_equal(graph_communities(g, 1000, resolution, 1, &out, &err), PU_OK);
    char *s = strdup(pu_buf_str(&out));
    pu_buf_free(&out);
    return s;
}

/* the Leiden partition kept with a graph answers as a fresh run would, and
 * a call at another resolution replaces it */
static void test_leiden_memo(void **unused) {
    (void)unused;
    store_t *st = NULL;
    pu_err err = {0};
    assert_int_equal(store_open(test_store_uri(), &st, &err), PU_OK);
    char id[32], a[32], b[32];
    assert_int_equal(store_begin(st, &err), PU_OK);
    for (int i = 0; i < 200; i++) {
        snprintf(id, sizeof id, "n%d", i);
        put(st, id, "Person", id, "PUBLIC", NULL, NULL);
    }
    srand(7);
    for (int i = 0; i < 320; i++) {
        snprintf(id, sizeof id, "l%d", i);
        int x = rand() % 200, y = (x / 20) * 20 + rand() % 20;   /* ten dense groups, few links between */
        if (i % 8 == 0) y = rand() % 200;
        snprintf(a, sizeof a, "n%d", x);
        snprintf(b, sizeof b, "n%d", y);
        put(st, id, "UnknownLink", NULL, "PUBLIC", a, b);
    }
    assert_int_equal(store_commit(st, &err), PU_OK);
    graph *g = NULL, *fresh = NULL;
    assert_int_equal(graph_load(store_db(st), st, &MX, NULL, &g, &err), PU_OK);
    assert_false(g->leiden->valid);
    char *one = communities(g, 1.0);
    assert_true(g->leiden->valid);
    assert_true(g->leiden->resolution == 1.0);
    char *again = communities(g, 0);   /* 0: the default, 1 */
    assert_string_equal(one, again);
    char *fine = communities(g, 25.0);
    assert_true(g->leiden->resolution == 25.0);
    assert_string_not_equal(one, fine);
    char *back = communities(g, 1.0);
    assert_string_equal(one, back);
    assert_int_equal(graph_load(store_db(st), st, &MX, NULL, &fresh, &err), PU_OK);
    char *other = communities(fresh, 1.0);
    assert_string_equal(one, other);   /* what the memo gave is what a new graph computes */
    free(one), free(again), free(fine), free(back), free(other);
    graph_free(g);
    graph_free(fresh);
    store_close(st);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reuse_and_invalidate),
        cmocka_unit_test(test_scopes_never_shared),
        cmocka_unit_test(test_case_changes_rebuild),
        cmocka_unit_test(test_cap_evicts_lru),
        cmocka_unit_test(test_path_as_short_as_igraph),
        cmocka_unit_test(test_leiden_memo),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
