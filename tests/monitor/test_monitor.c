/*
 * test_monitor.c - unit tests of src/monitor: the 50 % rule over ownership
 * chains (direct, chain, several owners, a cycle, a hidden record, an ended
 * stake), subject keys in name order, monitoring on a delta, four eyes and
 * the named counts. Runs on SQLite and, with PUENTE_TEST_DB, PostgreSQL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <math.h>
#include <unistd.h>

#include "access/access.h"
#include "app/app.h"
#include "monitor/monitor.h"
#include "screen/screen.h"
#include "store/store.h"
#include "../test_store_uri.h"

static void put(store_t *st, const char *id, const char *schema, const char *owner, const char *marking,
                const char *const *kv) {
    ftm_entity *e = NULL;
    pu_err err;
    assert_int_equal(ftm_entity_new(id, schema, &e, &err), PU_OK);
    for (size_t i = 0; kv && kv[i]; i += 2) assert_int_equal(ftm_entity_add(e, kv[i], kv[i + 1], &err), PU_OK);
    if (owner) ftm_entity_set(&e->owner, owner);
    if (marking) ftm_entity_set(&e->marking, marking);
    assert_int_equal(store_put(st, e, &err), PU_OK);
    ftm_entity_free(e);
}

#define KV(...) ((const char *const[]){__VA_ARGS__, NULL})

static store_t *open_store(void) {
    store_t *st = NULL;
    pu_err err;
    assert_int_equal(store_open(test_store_uri(), &st, &err), PU_OK);
    assert_int_equal(app_migrate(store_db(st), &err), PU_OK);
    return st;
}

static void own(store_t *st, const char *id, const char *owner, const char *asset, const char *pct) {
    put(st, id, "Ownership", NULL, NULL, KV("owner", owner, "asset", asset, "percentage", pct));
}

/* Designated persons and companies, plain companies and the ownership records. */
static store_t *ownership_store(void) {
    store_t *st = open_store();
    put(st, "sdn-a", "Person", NULL, NULL, KV("name", "GUZMAN LOERA, Joaquin", "topics", "sanction"));
    put(st, "sdn-b", "Person", NULL, NULL, KV("name", "ZAMBADA GARCIA, Ismael", "topics", "sanction"));
    put(st, "sdn-co", "Company", NULL, NULL, KV("name", "GRUPO FRONTERA NORTE SA DE CV", "topics", "sanction"));
    put(st, "plain", "Person", NULL, NULL, KV("name", "Juan Perez"));
    const char *cos[] = {"direct", "hold", "chain", "two", "cyc-a", "cyc-b", "hidden", "ended", "under", NULL};
    for (const char *const *c = cos; *c; c++) put(st, *c, "Company", NULL, NULL, KV("name", *c));
    own(st, "o-direct", "sdn-a", "direct", "50");
    own(st, "o-hold", "sdn-co", "hold", "60");
    own(st, "o-chain", "hold", "chain", "90%");
    own(st, "o-two-a", "sdn-a", "two", "30");
    own(st, "o-two-b", "sdn-b", "two", "25");
    own(st, "o-cyc-1", "cyc-a", "cyc-b", "50");
    own(st, "o-cyc-2", "cyc-b", "cyc-a", "50");
    own(st, "o-cyc-3", "sdn-b", "cyc-a", "40");
    own(st, "o-under", "plain", "under", "90"); /* a plain owner blocks nothing */
    own(st, "o-hid-1", "sdn-a", "hidden", "30");
    put(st, "o-hid-2", "Ownership", "DEA", "AGENCY-ONLY", KV("owner", "sdn-b", "asset", "hidden", "percentage", "40"));
    put(st, "o-ended", "Ownership", NULL, NULL,
        KV("owner", "sdn-b", "asset", "ended", "percentage", "80", "endDate", "2019-06-30"));
    return st;
}

static monitor_ownership *ownership(store_t *st, const store_scope *scope, const char *id) {
    monitor_ownership *o = NULL;
    pu_err err;
    assert_int_equal(monitor_ownership_get(st, scope, id, &o, &err), PU_OK);
    return o;
}

static void test_ownership_direct_and_chain(void **state) {
    (void)state;
    store_t *st = ownership_store();
    monitor_ownership *o = ownership(st, STORE_SYSTEM, "direct");
    assert_true(o->blocked); /* exactly 50 % is "50 % or more" */
    assert_true(fabs(o->share - 0.5) < 1e-9);
    assert_int_equal(o->nchains, 1);
    assert_string_equal(o->chains[0].links[0].owner_id, "sdn-a");
    monitor_ownership_free(o);
    o = ownership(st, STORE_SYSTEM, "chain");
    assert_true(o->blocked);
    assert_true(fabs(o->share - 0.54) < 1e-9); /* 60 % x 90 % */
    assert_true(fabs(o->ofac_share - 0.9) < 1e-9); /* "hold" is itself blocked: its stake counts in full */
    assert_int_equal(o->nchains, 1);
    assert_int_equal(o->chains[0].n, 2);
    assert_string_equal(o->chains[0].links[0].owner_id, "sdn-co"); /* from the designated owner down */
    assert_string_equal(o->chains[0].links[1].asset_id, "chain");
    assert_true(fabs(o->chains[0].links[0].share - 0.6) < 1e-9);
    monitor_ownership_free(o);
    o = ownership(st, STORE_SYSTEM, "under");
    assert_false(o->blocked);
    assert_int_equal(o->nchains, 0);
    monitor_ownership_free(o);
    store_close(st);
}

static void test_ownership_two_owners_and_cycle(void **state) {
    (void)state;
    store_t *st = ownership_store();
    monitor_ownership *o = ownership(st, STORE_SYSTEM, "two");
    assert_true(o->blocked); /* 30 % + 25 % in aggregate */
    assert_true(fabs(o->share - 0.55) < 1e-9);
    assert_int_equal(o->nchains, 2);
    assert_true(o->chains[0].share >= o->chains[1].share);
    monitor_ownership_free(o);
    /* a cycle cyc-a <-> cyc-b ends: only sdn-b's 40 % counts */
    o = ownership(st, STORE_SYSTEM, "cyc-a");
    assert_false(o->blocked);
    assert_true(fabs(o->share - 0.4) < 1e-9);
    monitor_ownership_free(o);
    o = ownership(st, STORE_SYSTEM, "cyc-b");
    assert_false(o->blocked);
    assert_true(fabs(o->share - 0.2) < 1e-9); /* 40 % x 50 % */
    monitor_ownership_free(o);
    /* an ended stake counts for nothing */
    o = ownership(st, STORE_SYSTEM, "ended");
    assert_false(o->blocked);
    assert_true(o->share < 1e-12);
    monitor_ownership_free(o);
    store_close(st);
}

static void test_ownership_hidden_record(void **state) {
    (void)state;
    store_t *st = ownership_store();
    store_scope dea = {0, "US", "DEA"}, cbp = {0, "US", "CBP"};
    monitor_ownership *o = ownership(st, &dea, "hidden");
    assert_true(o->blocked); /* DEA sees its own record: 30 % + 40 % */
    assert_true(fabs(o->share - 0.7) < 1e-9);
    monitor_ownership_free(o);
    o = ownership(st, &cbp, "hidden");
    assert_false(o->blocked); /* CBP does not: 30 % only, and no trace of the other */
    assert_true(fabs(o->share - 0.3) < 1e-9);
    assert_int_equal(o->nchains, 1);
    assert_string_equal(o->chains[0].links[0].record_id, "o-hid-1");
    monitor_ownership_free(o);
    store_close(st);
}

/* ---- subject keys ---- */

static int suppressed(const screen_index *ix, const screen_reviews *rv, const char *name, const char *entity) {
    const char *names[1] = {name};
    screen_query q = {.schema = "Person", .names = names, .nnames = 1};
    screen_params p = {.reviews = rv};
    screen_result *r = NULL;
    pu_err err;
    assert_int_equal(screen_run(ix, &q, &p, &r, &err), PU_OK);
    int sup = -1;
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->matches[i].entity_id, entity) == 0) sup = r->matches[i].suppressed;
    screen_result_free(r);
    return sup;
}

static void review(store_t *st, const char *name) {
    const char *names[1] = {name};
    screen_query q = {.schema = "Person", .names = names, .nnames = 1};
    char key[512];
    pu_err err;
    assert_int_equal(screen_subject_key(&q, key, sizeof key, &err), PU_OK);
    screen_review_in in = {key, "sdn-a", "false_positive", "ana", "customer, other person", NULL};
    assert_int_equal(screen_review_add(st, STORE_SYSTEM, &in, &err), PU_OK);
}

static void test_subject_key_order(void **state) {
    (void)state;
    const char *n1[1] = {"GUZMAN LOERA Joaquin"}, *n2[1] = {"LOERA GUZMAN Joaquin"}, *n3[1] = {"GUZMAN LOERA, Joaquin"},
               *n4[1] = {"Joaquin Guzmán Loera"};
    const char *ids[2] = {"GULJ-570404", "x"};
    char k1[256], k2[256], k3[256], k4[256];
    pu_err err;
    screen_query q = {.names = n1, .nnames = 1};
    assert_int_equal(screen_subject_key(&q, k1, sizeof k1, &err), PU_OK);
    q.names = n2;
    assert_int_equal(screen_subject_key(&q, k2, sizeof k2, &err), PU_OK);
    assert_string_not_equal(k1, k2); /* swapped surnames: two people */
    q.names = n3;
    assert_int_equal(screen_subject_key(&q, k3, sizeof k3, &err), PU_OK);
    q.names = n4;
    assert_int_equal(screen_subject_key(&q, k4, sizeof k4, &err), PU_OK);
    assert_string_equal(k3, k4); /* "SURNAME, Given" is the same subject as "Given SURNAME" */
    q.birth_date = "1957-04-04";
    q.id_numbers = ids;
    q.nids = 2;
    assert_int_equal(screen_subject_key(&q, k4, sizeof k4, &err), PU_OK);
    assert_string_equal(k4, "joaquin guzman loera|1957-04-04|GULJ570404,X");

    store_t *st = ownership_store();
    screen_index *ix = NULL;
    assert_int_equal(screen_index_build(st, NULL, &ix, &err), PU_OK);
    review(st, "GUZMAN LOERA Joaquin");
    screen_reviews *rv = NULL;
    assert_int_equal(screen_reviews_load(st, &rv, &err), PU_OK);
    assert_int_equal(suppressed(ix, rv, "GUZMAN LOERA Joaquin", "sdn-a"), 1);
    assert_int_equal(suppressed(ix, rv, "LOERA GUZMAN Joaquin", "sdn-a"), 0); /* the real one still hits */
    screen_reviews_free(rv);
    /* the reverse: a decision on "LOERA GUZMAN Joaquin" suppresses that exact subject only */
    store_t *st2 = ownership_store();
    review(st2, "LOERA GUZMAN Joaquin");
    assert_int_equal(screen_reviews_load(st2, &rv, &err), PU_OK);
    assert_int_equal(suppressed(ix, rv, "LOERA GUZMAN Joaquin", "sdn-a"), 1);
    assert_int_equal(suppressed(ix, rv, "GUZMAN LOERA Joaquin", "sdn-a"), 0);
    assert_int_equal(suppressed(ix, rv, "Joaquin GUZMAN LOERA", "sdn-a"), 0);
    screen_reviews_free(rv);
    screen_index_free(ix);
    store_close(st2);
    store_close(st);
}

/* ---- monitoring and the queue ---- */

static const char *CUSTOMERS = "id,name,schema,birth_date,country\n"
                               "c1,Joaquin Guzman Loera,Person,1957-04-04,MX\n"
                               "c2,Maria Lopez Hernandez,Person,,MX\n"
                               "c3,Grupo Frontera Norte SA de CV,Company,,MX\n";

typedef struct first_ctx { int n; int64_t first; char entity[64]; } first_ctx;
static int on_alert(const monitor_alert *a, void *ctx) {
    first_ctx *c = ctx;
    if (c->n++ == 0) {
        c->first = a->id;
        pu_strlcpy(c->entity, a->entity_id, sizeof c->entity);
    }
    return 0;
}

static first_ctx alerts(store_t *st, const store_scope *scope, const char *status) {
    first_ctx c = {0};
    monitor_alert_filter f = {.status = status};
    pu_err err;
    assert_int_equal(monitor_alerts(st, scope, &f, on_alert, &c, &err), PU_OK);
    return c;
}

static void add_named(store_t *st, const store_scope *scope, const char *list, const char *csv) {
    pu_report rep;
    pu_report_init(&rep, "monitor add", NULL);
    pu_err err;
    assert_int_equal(monitor_list_add_mem(st, scope, list, "in.csv", csv, strlen(csv), NULL, &rep, &err), PU_OK);
    pu_report_free(&rep);
}

static void add_list(store_t *st, const store_scope *scope, const char *csv) { add_named(st, scope, "clientes", csv); }

static void test_monitor_delta(void **state) {
    (void)state;
    store_t *st = ownership_store();
    store_scope dea = {0, "US", "DEA"};
    add_list(st, &dea, CUSTOMERS);
    monitor_run_summary s;
    pu_err err;
    assert_int_equal(monitor_run(st, &dea, "clientes", &s, &err), PU_OK);
    assert_int_equal(s.subjects, 3);
    assert_int_equal(s.full_screens, 3); /* the first run screens everything */
    assert_int_equal(s.alerts_opened, 2); /* Guzman and the designated company; Maria is nobody */
    assert_int_equal(alerts(st, &dea, "open").n, 2);
    /* entity.updated has whole seconds: the second run starts in a later
     * second than the fixture was written, so the third run's delta is
     * only what changed after it */
    sleep(1);
    /* nothing changed: a second run opens nothing */
    assert_int_equal(monitor_run(st, &dea, "clientes", &s, &err), PU_OK);
    assert_int_equal(s.alerts_opened, 0);
    assert_int_equal(s.full_screens, 0);
    /* a newly designated person: only the new hit opens an alert */
    put(st, "sdn-maria", "Person", NULL, NULL, KV("name", "LOPEZ HERNANDEZ, Maria", "topics", "sanction"));
    assert_int_equal(monitor_run(st, &dea, "clientes", &s, &err), PU_OK);
    assert_true(s.delta_entities >= 1 && s.delta_entities < 5); /* the delta, not the whole store */
    assert_int_equal(s.alerts_opened, 1);
    first_ctx c = alerts(st, &dea, "open");
    assert_int_equal(c.n, 3);
    assert_string_equal(c.entity, "sdn-maria"); /* newest first */
    /* another agency sees none of DEA's alerts (AGENCY-ONLY list) */
    store_scope fgr = {0, "MX", "FGR"};
    assert_int_equal(alerts(st, &fgr, NULL).n, 0);
    assert_int_equal(monitor_run(st, &fgr, "clientes", &s, &err), PU_ERR_NOTFOUND);
    /* a removed entity: its open alert loses its basis */
    assert_int_equal(store_delete(st, "sdn-maria", &err), PU_OK);
    assert_int_equal(monitor_run(st, &dea, "clientes", &s, &err), PU_OK);
    assert_int_equal(s.basis_removed, 1);
    /* a new Ownership record makes an unchanged company blocked: the next
     * run looks at every company again and alerts on it */
    add_named(st, &dea, "empresas", "name,schema\nended,Company\n");
    assert_int_equal(monitor_run(st, &dea, "empresas", &s, &err), PU_OK);
    assert_int_equal(s.alerts_opened, 0); /* its 80 % stake ended in 2019 */
    sleep(1);
    own(st, "o-new", "sdn-a", "ended", "70");
    assert_int_equal(monitor_run(st, &dea, "empresas", &s, &err), PU_OK);
    assert_int_equal(s.alerts_opened, 1);
    assert_string_equal(alerts(st, &dea, "open").entity, "ended");
    store_close(st);
}

static void test_four_eyes(void **state) {
    (void)state;
    store_t *st = ownership_store();
    store_scope dea = {0, "US", "DEA"}, cbp = {0, "US", "CBP"};
    add_list(st, &dea, CUSTOMERS);
    monitor_run_summary s;
    pu_err err;
    assert_int_equal(monitor_run(st, &dea, NULL, &s, &err), PU_OK);
    first_ctx c = alerts(st, &dea, "open");
    assert_true(c.n >= 1);
    int64_t id = c.first;
    monitor_actor ana = {"ana.dea", ACL_P_READ | ACL_P_SCREEN | ACL_P_REVIEW},
                  beto = {"beto.dea", ACL_P_READ | ACL_P_SCREEN | ACL_P_REVIEW},
                  sup = {"sara.dea", ACL_P_READ | ACL_P_SCREEN | ACL_P_REVIEW | ACL_P_OVERSIGHT};
    /* deciding an alert nobody took is refused */
    assert_int_equal(monitor_alert_decide(st, &dea, &ana, id, "true_match", "same DOB", &err), PU_ERR_CONFLICT);
    /* another agency cannot even see it */
    assert_int_equal(monitor_alert_assign(st, &cbp, &ana, id, NULL, &err), PU_ERR_NOTFOUND);
    assert_int_equal(monitor_alert_assign(st, &dea, &ana, id, NULL, &err), PU_OK);
    assert_int_equal(monitor_alert_decide(st, &dea, &beto, id, "true_match", "x", &err), PU_ERR_DENIED);
    assert_int_equal(monitor_alert_decide(st, &dea, &ana, id, "true_match", "", &err), PU_ERR_INVALID);
    assert_int_equal(monitor_alert_decide(st, &dea, &ana, id, "true_match", "same DOB and CURP", &err), PU_OK);
    assert_int_equal(alerts(st, &dea, "decided").n, 1);
    /* four eyes: not the decider, not without oversight, even a supervisor's own decision */
    assert_int_equal(monitor_alert_confirm(st, &dea, &ana, id, NULL, &err), PU_ERR_DENIED);
    assert_non_null(strstr(err.msg, "four eyes"));
    assert_int_equal(monitor_alert_confirm(st, &dea, &beto, id, NULL, &err), PU_ERR_DENIED);
    assert_int_equal(monitor_alert_confirm(st, &dea, &sup, id, "checked the file", &err), PU_OK);
    assert_int_equal(alerts(st, &dea, "closed").n, 1);
    assert_int_equal(monitor_alert_confirm(st, &dea, &sup, id, NULL, &err), PU_ERR_CONFLICT);
    /* the second alert: a false positive closes at once and becomes a reviewed decision */
    c = alerts(st, &dea, "open");
    assert_int_equal(c.n, 1);
    /* an alert is given only to a reviewer of its agency */
    assert_int_equal(monitor_alert_assign(st, &dea, &sup, c.first, "nobody.dea", &err), PU_ERR_INVALID);
    assert_string_equal(err.field, "to");
    assert_int_equal(monitor_alert_assign(st, &dea, &sup, c.first, NULL, &err), PU_OK);
    assert_int_equal(monitor_alert_decide(st, &dea, &sup, c.first, "false_positive", "other company", &err), PU_OK);
    screen_reviews *rv = NULL;
    assert_int_equal(screen_reviews_load(st, &rv, &err), PU_OK);
    assert_int_equal(screen_reviews_count(rv), 1);
    screen_reviews_free(rv);
    assert_int_equal(alerts(st, &dea, "closed").n, 2);
    store_close(st);
}

typedef struct counts_ctx { double opened, true_matches; } counts_ctx;
static int on_count(const pu_count_row *row, void *ctx, pu_err *err) {
    (void)err;
    counts_ctx *c = ctx;
    if (strcmp(row->name, "monitor.alerts_opened") == 0) c->opened += row->value;
    if (strcmp(row->name, "monitor.true_matches") == 0) c->true_matches += row->value;
    assert_true(row->year >= 2020 && row->month >= 1 && row->month <= 12);
    return 0;
}

static void test_counts(void **state) {
    (void)state;
    store_t *st = ownership_store();
    store_scope dea = {0, "US", "DEA"}, cbp = {0, "US", "CBP"};
    add_list(st, &dea, CUSTOMERS);
    monitor_run_summary s;
    pu_err err;
    assert_int_equal(monitor_run(st, &dea, NULL, &s, &err), PU_OK);
    int64_t id = alerts(st, &dea, "open").first;
    monitor_actor ana = {"ana", ACL_P_REVIEW}, sup = {"sara", ACL_P_REVIEW | ACL_P_OVERSIGHT};
    assert_int_equal(monitor_alert_assign(st, &dea, &ana, id, NULL, &err), PU_OK);
    assert_int_equal(monitor_alert_decide(st, &dea, &ana, id, "true_match", "match", &err), PU_OK);
    counts_ctx c = {0};
    assert_int_equal(monitor_counts(store_db(st), &dea, on_count, &c, &err), PU_OK);
    assert_true(c.opened == 2 && c.true_matches == 0); /* not confirmed yet */
    assert_int_equal(monitor_alert_confirm(st, &dea, &sup, id, NULL, &err), PU_OK);
    c = (counts_ctx){0};
    assert_int_equal(monitor_counts(store_db(st), &dea, on_count, &c, &err), PU_OK);
    assert_true(c.opened == 2 && c.true_matches == 1);
    c = (counts_ctx){0};
    assert_int_equal(monitor_counts(store_db(st), &cbp, on_count, &c, &err), PU_OK);
    assert_true(c.opened == 0 && c.true_matches == 0); /* hidden alerts count nothing */
    store_close(st);
}

static void test_list_import_errors(void **state) {
    (void)state;
    store_t *st = open_store();
    store_scope dea = {0, "US", "DEA"};
    const char *csv = "name,birth_date,schema\n"
                      "Ana Ruiz,1980-02-30,Person\n"
                      ",1980-01-01,Person\n"
                      "Ana Ruiz,,Dragon\n"
                      "Pedro Paramo,1955-01-01,Person\n"
                      "Pedro Paramo,1955-01-01,Person\n";
    pu_report rep;
    pu_report_init(&rep, "monitor add", NULL);
    pu_err err;
    assert_int_equal(monitor_list_add_mem(st, &dea, "l1", "in.csv", csv, strlen(csv), NULL, &rep, &err), PU_OK);
    assert_int_equal(rep.read, 5);
    assert_int_equal(rep.rejected, 3);
    assert_int_equal(rep.duplicate, 1);
    assert_int_equal(rep.written, 1);
    assert_true(rep.nkept >= 3);
    assert_non_null(strstr(rep.kept[0], "in.csv:2"));
    assert_non_null(strstr(rep.kept[0], "birth_date"));
    pu_report_free(&rep);
    pu_report_init(&rep, "monitor add", NULL);
    assert_int_equal(monitor_list_add_mem(st, &dea, "l1", "in.csv", "id,dob\n1,2\n", 12, NULL, &rep, &err),
                     PU_ERR_INVALID); /* no name column */
    assert_int_equal(monitor_list_add_mem(st, &dea, "bad name!", "in.csv", csv, strlen(csv), NULL, &rep, &err),
                     PU_ERR_INVALID);
    /* US-ONLY is not a marking a MX agency may file */
    store_scope fgr = {0, "MX", "FGR"};
    monitor_add_opts o = {"US-ONLY", NULL};
    assert_int_equal(monitor_list_add_mem(st, &fgr, "l2", "in.csv", csv, strlen(csv), &o, &rep, &err), PU_ERR_DENIED);
    pu_report_free(&rep);
    store_close(st);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ownership_direct_and_chain),
        cmocka_unit_test(test_ownership_two_owners_and_cycle),
        cmocka_unit_test(test_ownership_hidden_record),
        cmocka_unit_test(test_subject_key_order),
        cmocka_unit_test(test_monitor_delta),
        cmocka_unit_test(test_four_eyes),
        cmocka_unit_test(test_counts),
        cmocka_unit_test(test_list_import_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
