/* Unit tests for src/store: put/get, visibility in SQL, queries, stats, transactions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "access/access.h"
#include "store/store.h"
#include "../test_store_uri.h"

static ftm_entity *mk(const char *id, const char *schema, const char *name, const char *owner,
                      const char *marking) {
    ftm_entity *e;
    assert_int_equal(ftm_entity_new(id, schema, &e, NULL), PU_OK);
    if (name) assert_int_equal(ftm_entity_add(e, "name", name, NULL), PU_OK);
    if (owner) assert_int_equal(ftm_entity_set(&e->owner, owner), PU_OK);
    if (marking) assert_int_equal(ftm_entity_set(&e->marking, marking), PU_OK);
    return e;
}

static void put(store_t *st, ftm_entity *e) {
    pu_err err;
    int rc = store_put(st, e, &err);
    if (rc) fprintf(stderr, "put %s: %s\n", e->id, err.msg);
    assert_int_equal(rc, PU_OK);
    ftm_entity_free(e);
}

static store_t *fixture(void) {
    store_t *st;
    pu_err err;
    assert_int_equal(store_open(test_store_uri(), &st, &err), PU_OK);
    ftm_entity *e = mk("p1", "Person", "Miguel Ángel TREVIÑO MORALES", "OFAC", "PUBLIC");
    assert_int_equal(ftm_entity_add(e, "alias", "Z-40", NULL), PU_OK);
    assert_int_equal(ftm_entity_add_dataset(e, "us_ofac_sdn"), PU_OK);
    put(st, e);
    e = mk("o1", "Organization", "LOS ZETAS", "OFAC", "PUBLIC");
    assert_int_equal(ftm_entity_add_dataset(e, "us_ofac_sdn"), PU_OK);
    put(st, e);
    put(st, mk("c1", "Company", "ACME 100% S.A. DE C.V.", "UIF", "SHARED"));
    put(st, mk("us1", "Person", "Case subject US", "DEA", "US-ONLY"));
    put(st, mk("mx1", "Person", "Sujeto MX", "FGR", "MX-ONLY"));
    put(st, mk("ag1", "Person", "Informant", "DEA", "AGENCY-ONLY"));
    put(st, mk("v1", "Vessel", "SEA STAR", "OFAC", NULL));
    return st;
}

static int collect_ids(const ftm_entity *e, void *ctx) {
    char *buf = ctx;
    size_t n = strlen(buf);
    snprintf(buf + n, 512 - n, "%s%s", n ? "," : "", e->id);
    return 0;
}

static char *ids(store_t *st, const store_scope *sc, const store_query *q) {
    static char buf[512];
    buf[0] = 0;
    pu_err err;
    assert_int_equal(store_iter(st, sc, q, collect_ids, buf, &err), PU_OK);
    return buf;
}

static void test_put_get(void **state) {
    (void)state;
    store_t *st = fixture();
    ftm_entity *e;
    pu_err err;
    assert_int_equal(store_get(st, STORE_SYSTEM, "p1", &e, &err), PU_OK);
    assert_string_equal(e->schema, "Person");
    assert_string_equal(ftm_entity_first(e, "alias"), "Z-40");
    assert_string_equal(e->owner, "OFAC");
    assert_string_equal(e->marking, "PUBLIC");
    assert_int_equal(e->ndatasets, 1);
    assert_non_null(e->created);
    assert_non_null(e->updated);
    ftm_entity_free(e);
    /* marking defaults to PUBLIC */
    assert_int_equal(store_get(st, STORE_SYSTEM, "v1", &e, &err), PU_OK);
    assert_string_equal(e->marking, "PUBLIC");
    ftm_entity_free(e);
    assert_int_equal(store_get(st, STORE_SYSTEM, "nope", &e, &err), PU_ERR_NOTFOUND);
    assert_null(e);
    store_close(st);
}

static void test_bad_marking(void **state) {
    (void)state;
    store_t *st = fixture();
    pu_err err;
    ftm_entity *e = mk("x", "Person", "X", "DEA", "SECRET");
    assert_int_equal(store_put(st, e, &err), PU_ERR_INVALID);
    assert_string_equal(err.field, "marking");
    ftm_entity_free(e);
    e = mk("y", "Person", "Y", NULL, "SHARED"); /* non-public needs an owner */
    assert_int_equal(store_put(st, e, &err), PU_ERR_INVALID);
    assert_string_equal(err.field, "owner");
    ftm_entity_free(e);
    int64_t n;
    assert_int_equal(store_count(st, STORE_SYSTEM, NULL, &n, &err), PU_OK);
    assert_int_equal(n, 7);
    assert_true(store_marking_valid("MX-ONLY"));
    assert_false(store_marking_valid("mx-only"));
    assert_false(store_marking_valid(NULL));
    store_close(st);
}

static void test_visibility(void **state) {
    (void)state;
    store_t *st = fixture();
    store_scope dea = {0, "US", "DEA"}, fgr = {0, "MX", "FGR"}, cbp = {0, "US", "CBP"}, anon = {0, NULL, NULL};
    assert_string_equal(ids(st, STORE_SYSTEM, NULL), "ag1,c1,mx1,o1,p1,us1,v1");
    assert_string_equal(ids(st, &dea, NULL), "ag1,c1,o1,p1,us1,v1");
    assert_string_equal(ids(st, &cbp, NULL), "c1,o1,p1,us1,v1");
    assert_string_equal(ids(st, &fgr, NULL), "c1,mx1,o1,p1,v1");
    assert_string_equal(ids(st, &anon, NULL), "c1,o1,p1,v1");
    /* hidden is indistinguishable from absent */
    ftm_entity *e;
    pu_err err;
    assert_int_equal(store_get(st, &fgr, "us1", &e, &err), PU_ERR_NOTFOUND);
    assert_int_equal(store_get(st, &cbp, "ag1", &e, &err), PU_ERR_NOTFOUND);
    assert_int_equal(store_get(st, &dea, "ag1", &e, &err), PU_OK);
    ftm_entity_free(e);
    int64_t n;
    assert_int_equal(store_count(st, &fgr, NULL, &n, &err), PU_OK);
    assert_int_equal(n, 5);
    /* the C rule agrees with the SQL rule */
    const store_scope *scopes[] = {&dea, &fgr, &cbp, &anon};
    const char *owners[] = {"DEA", "FGR", "OFAC"};
    const char *markings[] = {"PUBLIC", "SHARED", "US-ONLY", "MX-ONLY", "AGENCY-ONLY"};
    int k = 0;
    for (int o = 0; o < 3; o++)
        for (int m = 0; m < 5; m++) {
            char id[32];
            snprintf(id, sizeof id, "vis%d", k++);
            put(st, mk(id, "Person", id, owners[o], markings[m]));
            for (int s = 0; s < 4; s++) {
                int sql = store_get(st, scopes[s], id, &e, &err) == PU_OK;
                ftm_entity_free(e);
                assert_int_equal(sql, store_visible(scopes[s], owners[o], markings[m]));
            }
        }
    store_close(st);
}

/* store_referrers: the records that name an id through an entity-typed
 * property, through the reader's scope; a mention in text is not a
 * reference; a pattern character in the id is literal. */
static char *referrers(store_t *st, const store_scope *sc, const char *id) {
    static char buf[512];
    buf[0] = 0;
    pu_err err;
    assert_int_equal(store_referrers(st, sc, id, 100, collect_ids, buf, &err), PU_OK);
    return buf;
}

static void test_referrers(void **state) {
    (void)state;
    store_t *st = fixture();
    ftm_entity *e;
    assert_int_equal(ftm_entity_new("p1-sanction", "Sanction", &e, NULL), PU_OK);
    assert_int_equal(ftm_entity_add(e, "entity", "p1", NULL), PU_OK);
    assert_int_equal(ftm_entity_add(e, "program", "SDNTK", NULL), PU_OK);
    assert_int_equal(ftm_entity_set(&e->owner, "OFAC"), PU_OK);
    assert_int_equal(ftm_entity_set(&e->marking, "PUBLIC"), PU_OK);
    put(st, e);
    const char *links[][4] = {{"l1", "p1", "o1", "PUBLIC"}, {"l2", "us1", "p1", "US-ONLY"}, {"l3", "p1*", "o1", "PUBLIC"}};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(ftm_entity_new(links[i][0], "UnknownLink", &e, NULL), PU_OK);
        assert_int_equal(ftm_entity_add(e, "subject", links[i][1], NULL), PU_OK);
        assert_int_equal(ftm_entity_add(e, "object", links[i][2], NULL), PU_OK);
        assert_int_equal(ftm_entity_set(&e->owner, "DEA"), PU_OK);
        assert_int_equal(ftm_entity_set(&e->marking, links[i][3]), PU_OK);
        put(st, e);
    }
    /* p1 in a note only: not a reference */
    e = mk("n1", "Person", "Someone else", "OFAC", "PUBLIC");
    assert_int_equal(ftm_entity_add(e, "notes", "\"p1\"", NULL), PU_OK);
    put(st, e);
    store_scope dea = {0, "US", "DEA"}, fgr = {0, "MX", "FGR"};
    assert_string_equal(referrers(st, &dea, "p1"), "l1,l2,p1-sanction");
    assert_string_equal(referrers(st, &fgr, "p1"), "l1,p1-sanction"); /* the US-ONLY link is hidden */
    assert_string_equal(referrers(st, &dea, "o1"), "l1,l3");
    assert_string_equal(referrers(st, &dea, "p1*"), "l3"); /* '*' is literal, not a wildcard */
    assert_string_equal(referrers(st, &dea, "nobody"), "");
    pu_err err;
    char buf[8] = "";
    assert_int_equal(store_referrers(st, &dea, "", 10, collect_ids, buf, &err), PU_ERR_INVALID);
    store_close(st);
}

static void test_queries(void **state) {
    (void)state;
    store_t *st = fixture();
    store_query q = {0};
    q.schema = "LegalEntity"; /* descendants included */
    assert_string_equal(ids(st, STORE_SYSTEM, &q), "ag1,c1,mx1,o1,p1,us1");
    q.schema = "Organization";
    assert_string_equal(ids(st, STORE_SYSTEM, &q), "c1,o1");
    q.schema = "Vehicle";
    assert_string_equal(ids(st, STORE_SYSTEM, &q), "v1");
    q.schema = NULL;
    q.dataset = "us_ofac_sdn";
    assert_string_equal(ids(st, STORE_SYSTEM, &q), "o1,p1");
    q.dataset = NULL;
    q.name = "trevino"; /* case and accents folded */
    assert_string_equal(ids(st, STORE_SYSTEM, &q), "p1");
    q.name = "z-40"; /* aliases are names too */
    assert_string_equal(ids(st, STORE_SYSTEM, &q), "p1");
    q.name = "100%"; /* LIKE metacharacters are literal */
    assert_string_equal(ids(st, STORE_SYSTEM, &q), "c1");
    q.name = "_";
    assert_string_equal(ids(st, STORE_SYSTEM, &q), "");
    q.name = NULL;
    q.limit = 2;
    q.offset = 1;
    assert_string_equal(ids(st, STORE_SYSTEM, &q), "c1,mx1");
    int64_t n;
    pu_err err;
    assert_int_equal(store_count(st, STORE_SYSTEM, &q, &n, &err), PU_OK);
    assert_int_equal(n, 7); /* count ignores paging */
    q.limit = 0;
    q.schema = "Dragon";
    assert_int_equal(store_iter(st, STORE_SYSTEM, &q, collect_ids, (char[512]){0}, &err), PU_ERR_INVALID);
    assert_int_equal(store_count(st, STORE_SYSTEM, &q, &n, &err), PU_ERR_INVALID);
    store_close(st);
}

static int stop_after_two(const ftm_entity *e, void *ctx) {
    (void)e;
    return ++*(int *)ctx >= 2;
}

static void test_iter_stop_and_stats(void **state) {
    (void)state;
    store_t *st = fixture();
    int calls = 0;
    pu_err err;
    assert_int_equal(store_iter(st, STORE_SYSTEM, NULL, stop_after_two, &calls, &err), PU_OK);
    assert_int_equal(calls, 2);
    store_stats *s;
    store_scope fgr = {0, "MX", "FGR"};
    assert_int_equal(store_stats_get(st, &fgr, &s, &err), PU_OK);
    assert_int_equal(s->total, 5);
    int64_t persons = -1;
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->schema[i], "Person") == 0) persons = s->count[i];
    assert_int_equal(persons, 2); /* p1 and mx1 */
    store_stats_free(s);
    assert_int_equal(store_stats_get(st, STORE_SYSTEM, &s, &err), PU_OK);
    assert_int_equal(s->total, 7);
    store_stats_free(s);
    store_stats_free(NULL);
    store_close(st);
}

static void test_update_and_delete(void **state) {
    (void)state;
    store_t *st = fixture();
    pu_err err;
    ftm_entity *e;
    assert_int_equal(store_get(st, STORE_SYSTEM, "o1", &e, &err), PU_OK);
    char *created = pu_strdup(e->created);
    ftm_entity_set(&e->created, NULL);
    assert_int_equal(ftm_entity_add(e, "alias", "Company of the Zetas", NULL), PU_OK);
    assert_int_equal(ftm_entity_set(&e->first_seen, "2020-01-01T00:00:00Z"), PU_OK);
    put(st, e);
    assert_int_equal(store_get(st, STORE_SYSTEM, "o1", &e, &err), PU_OK);
    assert_string_equal(e->created, created); /* created survives an update */
    assert_string_equal(ftm_entity_first(e, "alias"), "Company of the Zetas");
    assert_string_equal(e->first_seen, "2020-01-01T00:00:00Z");
    /* datasets are replaced, not accumulated */
    assert_int_equal(e->ndatasets, 1);
    free(e->datasets[0]);
    e->datasets[0] = pu_strdup("mx_uif");
    put(st, e);
    store_query q = {.dataset = "us_ofac_sdn"};
    assert_string_equal(ids(st, STORE_SYSTEM, &q), "p1");
    q.dataset = "mx_uif";
    assert_string_equal(ids(st, STORE_SYSTEM, &q), "o1");
    /* keep-times: the given timestamps win */
    e = mk("o1", "Organization", "LOS ZETAS", "OFAC", "PUBLIC");
    ftm_entity_set(&e->created, "2019-01-01T00:00:00Z");
    ftm_entity_set(&e->updated, "2019-02-01T00:00:00Z");
    assert_int_equal(store_put_ex(st, e, STORE_PUT_KEEP_TIMES, &err), PU_OK);
    ftm_entity_free(e);
    assert_int_equal(store_get(st, STORE_SYSTEM, "o1", &e, &err), PU_OK);
    assert_string_equal(e->created, "2019-01-01T00:00:00Z");
    assert_string_equal(e->updated, "2019-02-01T00:00:00Z");
    assert_null(e->first_seen);
    ftm_entity_free(e);
    free(created);
    assert_int_equal(store_delete(st, "o1", &err), PU_OK);
    assert_int_equal(store_delete(st, "o1", &err), PU_ERR_NOTFOUND);
    assert_int_equal(store_get(st, STORE_SYSTEM, "o1", &e, &err), PU_ERR_NOTFOUND);
    int64_t n;
    assert_int_equal(db_query_int64(store_db(st), "SELECT count(*) FROM entity_dataset WHERE entity_id = ?", "o1",
                                    &n, &err), PU_OK);
    assert_int_equal(n, 0); /* cascade */
    store_close(st);
}

static void test_transactions(void **state) {
    (void)state;
    char path[] = "/tmp/puente-store-test-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    store_t *st;
    pu_err err;
    assert_int_equal(store_open(path, &st, &err), PU_OK);
    put(st, mk("keep", "Person", "Kept", NULL, NULL));
    assert_int_equal(store_begin(st, &err), PU_OK);
    for (int i = 0; i < 100; i++) {
        char id[16];
        snprintf(id, sizeof id, "t%d", i);
        put(st, mk(id, "Person", id, NULL, NULL));
    }
    store_rollback(st);
    int64_t n;
    assert_int_equal(store_count(st, STORE_SYSTEM, NULL, &n, &err), PU_OK);
    assert_int_equal(n, 1);
    assert_int_equal(store_begin(st, &err), PU_OK);
    put(st, mk("t1", "Person", "t1", NULL, NULL));
    assert_int_equal(store_commit(st, &err), PU_OK);
    store_close(st);
    /* reopening runs no migration twice and sees the data */
    assert_int_equal(store_open(path, &st, &err), PU_OK);
    assert_int_equal(store_count(st, STORE_SYSTEM, NULL, &n, &err), PU_OK);
    assert_int_equal(n, 2);
    int v;
    assert_int_equal(db_schema_version(store_db(st), "store", &v, &err), PU_OK);
    assert_int_equal(v, 5); /* 5: the entity change log */
    store_close(st);
    store_close(NULL);
    char side[300];
    unlink(path);
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
}

static void test_put_new_fallback(void **state) {
    (void)state;
    store_t *st = fixture();
    pu_err err;
    /* a new id: plain insert */
    ftm_entity *e = mk("n1", "Person", "Nuevo", NULL, NULL);
    assert_int_equal(ftm_entity_add_dataset(e, "a"), PU_OK);
    assert_int_equal(store_put_ex(st, e, STORE_PUT_NEW, &err), PU_OK);
    ftm_entity_free(e);
    /* an existing id: falls back to the upsert, datasets replaced */
    e = mk("n1", "Person", "Nuevo Dos", NULL, NULL);
    assert_int_equal(ftm_entity_add_dataset(e, "b"), PU_OK);
    assert_int_equal(store_put_ex(st, e, STORE_PUT_NEW | STORE_PUT_KEEP_TIMES, &err), PU_OK);
    ftm_entity_free(e);
    assert_int_equal(store_get(st, STORE_SYSTEM, "n1", &e, &err), PU_OK);
    assert_string_equal(ftm_entity_first(e, "name"), "Nuevo Dos");
    assert_int_equal(e->ndatasets, 1);
    assert_string_equal(e->datasets[0], "b");
    ftm_entity_free(e);
    store_query q = {.dataset = "a"};
    assert_string_equal(ids(st, STORE_SYSTEM, &q), "");
    int64_t n;
    assert_int_equal(store_count(st, STORE_SYSTEM, NULL, &n, &err), PU_OK);
    assert_int_equal(n, 8);
    store_close(st);
}

static void test_fold(void **state) {
    (void)state;
    char *f;
    assert_int_equal(store_fold("TREVIÑO Ñandú ÉCOLE", &f), PU_OK);
    assert_string_equal(f, "trevino nandu ecole");
    free(f);
    assert_int_equal(store_fold("\xff", &f), PU_ERR_INVALID);
}

/* The federation home rule (store.h "federation"): a node writes only the
 * records of its own country's agencies; everything else is refused with a
 * message naming the home node, in every write path and for every scope. */
static void test_home_rule(void **state) {
    (void)state;
    store_t *st;
    pu_err err;
    assert_int_equal(store_open(test_store_uri(), &st, &err), PU_OK);
    db_t *db = store_db(st);
    int added = 0;
    assert_int_equal(acl_migrate(db, &err), PU_OK);
    assert_int_equal(acl_seed_agencies(db, &added, &err), PU_OK);
    /* not a node: anything goes, and nothing is a node */
    store_node node;
    int fed = -1;
    assert_int_equal(store_node_get(db, &node, &fed, &err), PU_OK);
    assert_int_equal(fed, 0);
    put(st, mk("fgr-early", "Person", "Antes", "FGR", "SHARED"));
    /* a store holding records of both countries cannot become a node */
    assert_int_equal(store_node_set(db, "us", "US", &err), PU_ERR_CONFLICT);
    assert_non_null(strstr(err.msg, "1 records"));
    assert_int_equal(store_delete(st, "fgr-early", &err), PU_OK);
    put(st, mk("dea-1", "Person", "Uno", "DEA", "SHARED"));
    put(st, mk("pub-1", "Person", "Lista", NULL, "PUBLIC"));
    assert_int_equal(store_node_set(db, "US", "US", &err), PU_ERR_INVALID);  /* names are lower case */
    assert_int_equal(store_node_set(db, "us", "CA", &err), PU_ERR_INVALID);
    assert_int_equal(store_node_set(db, "us", "US", &err), PU_OK);
    assert_int_equal(store_node_set(db, "us", "US", &err), PU_OK);            /* idempotent */
    assert_int_equal(store_node_set(db, "mx", "MX", &err), PU_ERR_CONFLICT);  /* a node keeps its identity */
    assert_int_equal(store_node_get(db, &node, &fed, &err), PU_OK);
    assert_int_equal(fed, 1);
    assert_string_equal(node.name, "us");
    assert_string_equal(node.country, "US");
    /* the records written before became this node's */
    int64_t n = -1;
    assert_int_equal(db_query_int64(db, "SELECT count(*) FROM entity WHERE home = ?", "us", &n, &err), PU_OK);
    assert_int_equal(n, 2);
    /* US owners and owner-less public records: written here */
    put(st, mk("dea-2", "Person", "Dos", "DEA", "US-ONLY"));
    put(st, mk("pub-2", "Person", "Lista Dos", NULL, NULL));
    assert_int_equal(store_check_home(db, "CBP", NULL, &err), PU_OK);
    /* an MX owner: refused by store_put, in a transaction too, naming the home */
    ftm_entity *e = mk("fgr-1", "Person", "Uno", "FGR", "SHARED");
    assert_int_equal(store_put(st, e, &err), PU_ERR_DENIED);
    assert_string_equal(err.field, "owner");
    assert_non_null(strstr(err.msg, "home node (MX)"));
    assert_int_equal(store_begin(st, &err), PU_OK);
    ftm_entity *ok = mk("dea-3", "Person", "Tres", "DEA", "SHARED");
    assert_int_equal(store_put(st, ok, &err), PU_OK);
    assert_int_equal(store_put(st, e, &err), PU_ERR_DENIED);  /* a cached owner does not let another through */
    store_rollback(st);
    ftm_entity_free(ok);
    ftm_entity_free(e);
    /* an agency unknown here has no known home */
    e = mk("xyz-1", "Person", "X", "XYZ", "SHARED");
    assert_int_equal(store_put(st, e, &err), PU_ERR_DENIED);
    assert_non_null(strstr(err.msg, "not known"));
    ftm_entity_free(e);
    /* a replica (written here by replication, not by Puente): delete and
     * owner checks refuse it, for the operator too */
    assert_int_equal(db_exec(db, "INSERT INTO entity (id, schema, caption, names, data, owner, marking, created, updated, home)"
                                 " VALUES ('fgr-9', 'Person', 'R', 'r', '{\"id\":\"fgr-9\",\"schema\":\"Person\",\"properties\":{}}',"
                                 " 'FGR', 'SHARED', 't', 't', 'mx')", &err), PU_OK);
    assert_int_equal(store_delete(st, "fgr-9", &err), PU_ERR_DENIED);
    assert_int_equal(store_check_owner(db, STORE_SYSTEM, "FGR", &err), PU_ERR_DENIED);
    store_scope fgr = {0, "MX", "FGR"};
    assert_int_equal(store_check_owner(db, &fgr, "FGR", &err), PU_ERR_DENIED);
    assert_int_equal(store_check_owner(db, STORE_SYSTEM, "DEA", &err), PU_OK);
    assert_int_equal(store_delete(st, "dea-2", &err), PU_OK);
    /* what the US node releases to MX: what MX agencies may see, AGENCY-ONLY never */
    char cond[128];
    assert_int_equal(store_release_sql("MX", cond, sizeof cond, &err), PU_OK);
    assert_string_equal(cond, "marking IN ('PUBLIC', 'SHARED', 'MX-ONLY')");
    assert_int_equal(store_release_sql("US", cond, sizeof cond, &err), PU_OK);
    assert_string_equal(cond, "marking IN ('PUBLIC', 'SHARED', 'US-ONLY')");
    assert_int_equal(store_release_sql("CA", cond, sizeof cond, &err), PU_ERR_INVALID);
    assert_int_equal(store_release_sql("MX", cond, 10, &err), PU_ERR_LIMIT);
    store_close(st);
}

/* STORE_PUT_NEW inside a transaction: rows go through the bulk insert
 * (COPY on PostgreSQL), are seen by the store's own reads before the
 * commit, and an id that exists after all fails the transaction, which the
 * rollback undoes whole. */
static void test_put_new_bulk(void **state) {
    (void)state;
    store_t *st = fixture();
    pu_err err;
    int64_t before;
    assert_int_equal(store_count(st, STORE_SYSTEM, NULL, &before, &err), PU_OK);
    assert_int_equal(store_begin(st, &err), PU_OK);
    for (int i = 0; i < 500; i++) {
        char id[16], name[32];
        snprintf(id, sizeof id, "b%03d", i);
        snprintf(name, sizeof name, "Bulk\tName\n\\%d", i); /* tab, newline, backslash survive COPY */
        ftm_entity *e = mk(id, "Person", name, "DEA", "SHARED");
        assert_int_equal(ftm_entity_add_dataset(e, "bulk_a"), PU_OK);
        if (i % 2) assert_int_equal(ftm_entity_add_dataset(e, "bulk_b"), PU_OK);
        assert_int_equal(store_put_ex(st, e, STORE_PUT_NEW | STORE_PUT_KEEP_TIMES, &err), PU_OK);
        ftm_entity_free(e);
    }
    /* read inside the transaction: the queued rows were sent first */
    ftm_entity *got;
    assert_int_equal(store_get(st, STORE_SYSTEM, "b007", &got, &err), PU_OK);
    assert_string_equal(ftm_entity_first(got, "name"), "Bulk\tName\n\\7");
    assert_string_equal(got->marking, "SHARED");
    assert_int_equal(got->ndatasets, 2);
    ftm_entity_free(got);
    store_query qb = {.dataset = "bulk_b"};
    int64_t n;
    assert_int_equal(store_count(st, STORE_SYSTEM, &qb, &n, &err), PU_OK);
    assert_int_equal(n, 250);
    ftm_entity *e = mk("b999", "Person", "Last One", NULL, NULL);
    assert_int_equal(store_put_ex(st, e, STORE_PUT_NEW, &err), PU_OK);
    ftm_entity_free(e);
    assert_int_equal(store_commit(st, &err), PU_OK);
    assert_int_equal(store_count(st, STORE_SYSTEM, NULL, &n, &err), PU_OK);
    assert_int_equal(n, before + 501);
    store_query qn = {.name = "last one"};
    assert_int_equal(store_count(st, STORE_SYSTEM, &qn, &n, &err), PU_OK);
    assert_int_equal(n, 1);

    /* an id that exists after all: the transaction fails, nothing of it stays */
    assert_int_equal(store_begin(st, &err), PU_OK);
    e = mk("c001", "Person", "Fresh", NULL, NULL);
    int rc = store_put_ex(st, e, STORE_PUT_NEW, &err);
    ftm_entity_free(e);
    assert_int_equal(rc, PU_OK);
    e = mk("p1", "Person", "Overwritten", NULL, NULL);
    rc = store_put_ex(st, e, STORE_PUT_NEW, &err);
    ftm_entity_free(e);
    if (!rc) rc = store_commit(st, &err);
    assert_int_equal(rc, PU_ERR_CONFLICT);
    store_rollback(st);
    assert_int_equal(store_get(st, STORE_SYSTEM, "c001", &got, &err), PU_ERR_NOTFOUND);
    assert_int_equal(store_get(st, STORE_SYSTEM, "p1", &got, &err), PU_OK);
    assert_string_equal(ftm_entity_first(got, "name"), "Miguel Ángel TREVIÑO MORALES");
    ftm_entity_free(got);
    assert_int_equal(store_count(st, STORE_SYSTEM, NULL, &n, &err), PU_OK);
    assert_int_equal(n, before + 501);
    store_close(st);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_put_get),        cmocka_unit_test(test_bad_marking),
        cmocka_unit_test(test_visibility),     cmocka_unit_test(test_queries),
        cmocka_unit_test(test_iter_stop_and_stats), cmocka_unit_test(test_update_and_delete),
        cmocka_unit_test(test_transactions),   cmocka_unit_test(test_fold),
        cmocka_unit_test(test_put_new_fallback), cmocka_unit_test(test_home_rule), cmocka_unit_test(test_put_new_bulk),
        cmocka_unit_test(test_referrers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
