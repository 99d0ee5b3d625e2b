/* test_sameas.c - unit tests of src/sameas: a designated entity joined by
 * an analyst's judgement with a purchaser record gives every spelling of
 * the cluster an explained hit (order-free: "ORTEGA, JUAN C."), the
 * designated entity's own name is screening's hit, not resolution's, and a
 * reader who may not see the record or the designation gets nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "app/app.h"
#include "ftm/ftm.h"
#include "resolve/resolve.h"
#include "sameas/sameas.h"
#include "screen/screen.h"
#include "../test_store_uri.h"

static const store_scope US = {0, "US", "ATF"};
static const store_scope MX = {0, "MX", "FGR"};

static void put(store_t *st, const char *id, const char *name, const char *dob, const char *owner,
                const char *marking) {
    ftm_entity *e = NULL;
    pu_err err = {0};
    assert_int_equal(ftm_entity_new(id, "Person", &e, &err), PU_OK);
    assert_int_equal(ftm_entity_add(e, "name", name, &err), PU_OK);
    assert_int_equal(ftm_entity_add(e, "birthDate", dob, &err), PU_OK);
    assert_int_equal(ftm_entity_add(e, "topics", "sanction", &err), PU_OK);
    assert_int_equal(ftm_entity_set(&e->owner, owner), PU_OK);
    assert_int_equal(ftm_entity_set(&e->marking, marking), PU_OK);
    assert_int_equal(store_put(st, e, &err), PU_OK);
    ftm_entity_free(e);
}

/* A plain (not designated) person: its record is the alias spelling. */
static void put_alias(store_t *st, const char *id, const char *name, const char *owner, const char *marking) {
    ftm_entity *e = NULL;
    pu_err err = {0};
    assert_int_equal(ftm_entity_new(id, "Person", &e, &err), PU_OK);
    assert_int_equal(ftm_entity_add(e, "name", name, &err), PU_OK);
    assert_int_equal(ftm_entity_set(&e->owner, owner), PU_OK);
    assert_int_equal(ftm_entity_set(&e->marking, marking), PU_OK);
    assert_int_equal(store_put(st, e, &err), PU_OK);
    ftm_entity_free(e);
}

typedef struct fx {
    store_t *st;
    screen_index *ix;
} fx;

static void fixture(fx *f) {
    pu_err err = {0};
    assert_int_equal(store_open(test_store_uri(), &f->st, &err), PU_OK);
    assert_int_equal(app_migrate(store_db(f->st), &err), PU_OK);
    put(f->st, "sdn-1", "Carlos Mendoza Ruiz", "1975-02-14", "OFAC", "PUBLIC");
    put(f->st, "sdn-2", "Ignacio Ferro Duarte", "1980-12-01", "ATF", "US-ONLY");
    put_alias(f->st, "al-1", "Juan C. Ortega", "FGR", "SHARED");
    put_alias(f->st, "al-2", "Pedro Alvarado Nunez", "ATF", "US-ONLY");
    put_alias(f->st, "al-3", "Luis Baca Torres", "FGR", "SHARED");
    db_t *db = store_db(f->st);
    resolve_run_stats rs;
    assert_int_equal(resolve_run(db, f->st, 0, &rs, &err), PU_OK);
    assert_int_equal(resolve_judge(db, STORE_SYSTEM, "entity:al-1", "entity:sdn-1", RESOLVE_SAME, "t", NULL, &err), PU_OK);
    assert_int_equal(resolve_judge(db, STORE_SYSTEM, "entity:al-2", "entity:sdn-1", RESOLVE_SAME, "t", NULL, &err), PU_OK);
    assert_int_equal(resolve_judge(db, STORE_SYSTEM, "entity:al-3", "entity:sdn-2", RESOLVE_SAME, "t", NULL, &err), PU_OK);
    assert_int_equal(screen_index_build(f->st, NULL, &f->ix, &err), PU_OK);
}

static void fixture_free(fx *f) {
    screen_index_free(f->ix);
    store_close(f->st);
}

static void test_spellings_and_visibility(void **unused) {
    (void)unused;
    fx f;
    fixture(&f);
    pu_err err = {0};
    sameas *us = NULL, *mx = NULL;
    assert_int_equal(sameas_build(store_db(f.st), f.ix, &US, 0, &us, &err), PU_OK);
    assert_int_equal(sameas_build(store_db(f.st), f.ix, &MX, 0, &mx, &err), PU_OK);
    sameas_hit h[4];
    size_t n = 9;
    /* the alias, in another order and case: the designated person, explained */
    assert_int_equal(sameas_lookup(mx, "ORTEGA, JUAN C.", h, 4, &n, &err), PU_OK);
    assert_int_equal(n, 1);
    assert_string_equal(h[0].entity_id, "sdn-1");
    assert_string_equal(h[0].caption, "Carlos Mendoza Ruiz");
    assert_string_equal(h[0].via, "entity:al-1");
    assert_int_equal(h[0].size, 2);   /* FGR sees the designation and the SHARED alias only */
    assert_non_null(strstr(h[0].reason, "same person as Carlos Mendoza Ruiz [sdn-1] by resolution"));
    assert_non_null(strstr(h[0].reason, h[0].cluster));
    /* the designated entity's own name is screening's hit, not resolution's */
    assert_int_equal(sameas_lookup(mx, "Carlos Mendoza Ruiz", h, 4, &n, &err), PU_OK);
    assert_int_equal(n, 0);
    /* hidden record: the US-ONLY alias joins nothing for FGR */
    assert_int_equal(sameas_lookup(mx, "Pedro Alvarado Nunez", h, 4, &n, &err), PU_OK);
    assert_int_equal(n, 0);
    /* hidden designation: FGR sees the alias but not the US-ONLY designated entity */
    assert_int_equal(sameas_lookup(mx, "Luis Baca Torres", h, 4, &n, &err), PU_OK);
    assert_int_equal(n, 0);
    assert_int_equal(sameas_spellings(mx), 1);
    /* ATF sees both of its US-ONLY records */
    assert_int_equal(sameas_lookup(us, "Pedro Alvarado Nunez", h, 4, &n, &err), PU_OK);
    assert_int_equal(n, 1);
    assert_string_equal(h[0].entity_id, "sdn-1");
    assert_int_equal(h[0].size, 3);
    assert_int_equal(sameas_lookup(us, "luis baca torres", h, 4, &n, &err), PU_OK);
    assert_int_equal(n, 1);
    assert_string_equal(h[0].entity_id, "sdn-2");
    assert_int_equal(sameas_lookup(us, "Nobody Else", h, 4, &n, &err), PU_OK);
    assert_int_equal(n, 0);
    assert_int_equal(sameas_lookup(us, "---", h, 4, &n, &err), PU_OK);   /* nothing screenable */
    assert_int_equal(n, 0);
    /* JSON: an additional "resolved" list; nothing added when there is none */
    json_t *r = json_pack("{s:[]}", "results");
    const char *names[] = {"Juan C. Ortega"};
    assert_int_equal(sameas_annotate_json(mx, names, 1, r, &err), PU_OK);
    json_t *res = json_object_get(r, "resolved");
    assert_int_equal(json_array_size(res), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(res, 0), "entity_id")), "sdn-1");
    json_decref(r);
    /* an entity the screening already matched is not repeated */
    r = json_pack("{s:[{s:s,s:b}]}", "results", "id", "sdn-1", "match", 1);
    assert_int_equal(sameas_annotate_json(mx, names, 1, r, &err), PU_OK);
    assert_null(json_object_get(r, "resolved"));
    json_decref(r);
    r = json_pack("{s:[]}", "results");
    names[0] = "Pedro Alvarado Nunez";
    assert_int_equal(sameas_annotate_json(mx, names, 1, r, &err), PU_OK);
    assert_null(json_object_get(r, "resolved"));
    json_decref(r);
    /* a revoked judgement: the hit goes */
    assert_int_equal(resolve_unjudge(store_db(f.st), STORE_SYSTEM, "entity:al-1", "entity:sdn-1", "t", &err), PU_OK);
    sameas *mx2 = NULL;
    assert_int_equal(sameas_build(store_db(f.st), f.ix, &MX, 0, &mx2, &err), PU_OK);
    assert_int_equal(sameas_lookup(mx2, "Juan C. Ortega", h, 4, &n, &err), PU_OK);
    assert_int_equal(n, 0);
    assert_int_equal(sameas_spellings(mx2), 0);
    sameas_free(mx2);
    sameas_free(us);
    sameas_free(mx);
    fixture_free(&f);
}

/* The cache: a second call is a lookup (the same table), a change of the
 * resolution generation builds again and the new table has the change, two
 * readers never share a table, and the byte cap evicts. */
static void test_cache(void **unused) {
    (void)unused;
    fx f;
    fixture(&f);
    pu_err err = {0};
    db_t *db = store_db(f.st);
    sameas_cache *c = NULL;
    assert_int_equal(sameas_cache_new(0, &c, &err), PU_OK);
    sameas *a = NULL, *b = NULL, *u = NULL;
    int hit = -1;
    assert_int_equal(sameas_cache_get(c, db, f.ix, 1, &MX, 0, &a, &hit, &err), PU_OK);
    assert_int_equal(hit, 0);
    assert_int_equal(sameas_cache_get(c, db, f.ix, 1, &MX, 0, &b, &hit, &err), PU_OK);
    assert_int_equal(hit, 1);
    assert_ptr_equal(a, b);
    assert_true(sameas_bytes(a) > 0);
    /* another reader: its own table (ATF sees its US-ONLY alias, FGR not) */
    assert_int_equal(sameas_cache_get(c, db, f.ix, 1, &US, 0, &u, &hit, &err), PU_OK);
    assert_int_equal(hit, 0);
    assert_ptr_not_equal(u, a);
    assert_int_equal(sameas_spellings(u), 3);
    assert_int_equal(sameas_spellings(a), 1);
    sameas_cache_stats cs;
    sameas_cache_get_stats(c, &cs);
    assert_int_equal(cs.hits, 1);
    assert_int_equal(cs.misses, 2);
    assert_int_equal(cs.tables, 2);
    /* a new index generation: built again */
    sameas *x = NULL;
    assert_int_equal(sameas_cache_get(c, db, f.ix, 2, &MX, 0, &x, &hit, &err), PU_OK);
    assert_int_equal(hit, 0);
    sameas_free(x);
    /* a revoked judgement bumps the resolution generation: built again, without the hit */
    assert_int_equal(resolve_unjudge(db, STORE_SYSTEM, "entity:al-1", "entity:sdn-1", "t", &err), PU_OK);
    sameas *d = NULL;
    assert_int_equal(sameas_cache_get(c, db, f.ix, 2, &MX, 0, &d, &hit, &err), PU_OK);
    assert_int_equal(hit, 0);
    assert_int_equal(sameas_spellings(d), 0);
    /* the table held by a caller outlives the cache */
    sameas_cache_free(c);
    sameas_hit h[4];
    size_t n = 0;
    assert_int_equal(sameas_lookup(a, "Juan C. Ortega", h, 4, &n, &err), PU_OK);
    assert_int_equal(n, 1);
    sameas_free(a);
    sameas_free(b);
    sameas_free(u);
    sameas_free(d);
    /* a table over the cap is not kept */
    assert_int_equal(sameas_cache_new(1, &c, &err), PU_OK);
    assert_int_equal(sameas_cache_get(c, db, f.ix, 2, &US, 0, &u, &hit, &err), PU_OK);
    sameas_free(u);
    sameas_cache_get_stats(c, &cs);
    assert_int_equal(cs.tables, 0);
    sameas_cache_free(c);
    /* room for one of the two: the least recently used goes (sizes at the current generations) */
    assert_int_equal(sameas_build(db, f.ix, &MX, 0, &a, &err), PU_OK);
    assert_int_equal(sameas_build(db, f.ix, &US, 0, &u, &err), PU_OK);
    size_t bm = sameas_bytes(a), bu = sameas_bytes(u);
    sameas_free(a);
    sameas_free(u);
    assert_int_equal(sameas_cache_new(bm + bu - 1, &c, &err), PU_OK);
    assert_int_equal(sameas_cache_get(c, db, f.ix, 2, &MX, 0, &a, &hit, &err), PU_OK);
    assert_int_equal(sameas_cache_get(c, db, f.ix, 2, &US, 0, &u, &hit, &err), PU_OK);
    sameas_cache_get_stats(c, &cs);
    assert_int_equal(cs.tables, 1);
    assert_int_equal(cs.evictions, 1);
    assert_int_equal(cs.bytes, bu);
    assert_int_equal(sameas_cache_get(c, db, f.ix, 2, &US, 0, &b, &hit, &err), PU_OK);
    assert_int_equal(hit, 1);
    assert_ptr_equal(b, u);
    sameas_free(a);
    sameas_free(b);
    sameas_free(u);
    sameas_cache_free(c);
    fixture_free(&f);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spellings_and_visibility),
        cmocka_unit_test(test_cache),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
