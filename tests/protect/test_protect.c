/* test_protect.c - unit tests of the protection module (src/protect): who
 * may unlock and read, values sealed at rest, key wrapping and rotation (a
 * removed member cannot open what is written after the removal), the blind
 * index, the procedure's clocks and measure transitions, effectiveness, the
 * purge and small-number suppression of the aggregates. Both backends. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access/access.h"
#include "app/app.h"
#include "protect/protect_int.h"
#include "store/store.h"
#include "../test_store_uri.h"

#define MARK_NAME "Zacarias QXNOMBREQX Pena"
#define MARK_PHONE "+52 744 555 0199"
#define T0 1767225600 /* 2026-01-01T00:00:00Z */
#define PURPOSE "unit test of the protection module"

typedef struct fx {
    store_t *st;
    db_t *db;
} fx;

static int setup(void **state) {
    static fx f;
    pu_err e;
    assert_int_equal(store_open(test_store_uri(), &f.st, &e), PU_OK);
    f.db = store_db(f.st);
    assert_int_equal(app_migrate(f.db, &e), PU_OK);
    assert_int_equal(acl_agency_add(f.db, "MECANISMO", "Mecanismo de Protección", "MX", &e), PU_OK);
    const char *officers[] = {"o1", "o2", "o3"};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(acl_user_add(f.db, officers[i], "MECANISMO", "protection-officer", NULL, &e), PU_OK);
        char pass[64];
        snprintf(pass, sizeof pass, "passphrase-of-%s", officers[i]);
        assert_int_equal(protect_keygen(f.db, officers[i], pass, &e), PU_OK);
    }
    assert_int_equal(acl_user_add(f.db, "ana", "MECANISMO", "analyst", NULL, &e), PU_OK);
    assert_int_equal(acl_user_add(f.db, "adm", "MECANISMO", "admin", NULL, &e), PU_OK);
    *state = &f;
    return 0;
}

static int teardown(void **state) {
    fx *f = *state;
    store_close(f->st);
    return 0;
}

static void unlock(fx *f, const char *user, protect_session *s) {
    char pass[64];
    pu_err e;
    snprintf(pass, sizeof pass, "passphrase-of-%s", user);
    int rc = protect_unlock(f->db, user, pass, s, &e);
    if (rc) print_error("unlock %s: %s\n", user, e.msg);
    assert_int_equal(rc, PU_OK);
    s->now = T0;
    assert_int_equal(protect_set_purpose(s, PURPOSE, &e), PU_OK);
}

static void new_case(protect_session *s, const char *path, const char *state, char id[PROTECT_ID_MAX]) {
    pu_err e;
    protect_case_in in = {"journalist", path, state, NULL, T0};
    assert_int_equal(protect_case_open(s, &in, id, &e), PU_OK);
}

static int64_t add_person(protect_session *s, const char *c, const char *name) {
    pu_err e;
    int64_t id = 0;
    protect_person_in p = {"beneficiary", name, "journalist"};
    assert_int_equal(protect_person_add(s, c, &p, &id, &e), PU_OK);
    return id;
}

/* ---- who may unlock ---- */
static void test_roles(void **state) {
    fx *f = *state;
    pu_err e;
    protect_session s;
    assert_int_equal(protect_keygen(f->db, "ana", "a long passphrase here", &e), PU_ERR_DENIED);
    assert_int_equal(protect_keygen(f->db, "adm", "a long passphrase here", &e), PU_ERR_DENIED);
    assert_int_equal(protect_keygen(f->db, "o1", "short", &e), PU_ERR_INVALID);
    assert_int_equal(protect_unlock(f->db, "ana", "passphrase-of-ana", &s, &e), PU_ERR_DENIED);
    assert_int_equal(protect_unlock(f->db, "o1", "passphrase-of-o2", &s, &e), PU_ERR_DENIED);
    assert_int_equal(s.unlocked, 0);
    unlock(f, "o1", &s);
    assert_int_equal(s.unlocked, 1);
    unsigned char pk[32];
    memcpy(pk, s.pk, 32);
    protect_session_end(&s);
    /* a new passphrase seals the same key pair: the cases stay readable */
    assert_int_equal(protect_passphrase_change(f->db, "o3", "wrong passphrase", "a brand new passphrase", &e), PU_ERR_DENIED);
    assert_int_equal(protect_passphrase_change(f->db, "o3", "passphrase-of-o3", "short", &e), PU_ERR_INVALID);
    protect_session s3;
    unlock(f, "o3", &s3);
    memcpy(pk, s3.pk, 32);
    protect_session_end(&s3);
    assert_int_equal(protect_passphrase_change(f->db, "o3", "passphrase-of-o3", "a brand new passphrase", &e), PU_OK);
    assert_int_equal(protect_unlock(f->db, "o3", "passphrase-of-o3", &s3, &e), PU_ERR_DENIED);
    assert_int_equal(protect_unlock(f->db, "o3", "a brand new passphrase", &s3, &e), PU_OK);
    assert_memory_equal(pk, s3.pk, 32);
    protect_session_end(&s3);
    assert_int_equal(protect_passphrase_change(f->db, "o3", "a brand new passphrase", "passphrase-of-o3", &e), PU_OK);
    /* a session that is not unlocked does nothing */
    char id[PROTECT_ID_MAX];
    protect_case_in in = {"journalist", "ordinary", "GRO", NULL, T0};
    assert_int_equal(protect_case_open(&s, &in, id, &e), PU_ERR_DENIED);
}

/* ---- sealed at rest, search, purpose ---- */
static int count_rows(const protect_case_row *r, void *ctx, pu_err *err) {
    (void)err;
    if (strcmp(r->name, MARK_NAME) == 0) (*(int *)ctx)++;
    return PU_OK;
}

static int blob_has(fx *f, const char *needle) {
    pu_err e;
    db_stmt *st;
    int hits = 0;
    assert_int_equal(db_prepare(f->db, "SELECT value FROM protect_sealed", &st, &e), PU_OK);
    while (db_step(st, &e) == DB_ROW) {
        size_t n = 0;
        const void *b = db_col_blob(st, 0, &n);
        hits += memmem(b, n, needle, strlen(needle)) != NULL;
    }
    db_finalize(st);
    return hits;
}

static void test_sealed_and_search(void **state) {
    fx *f = *state;
    pu_err e;
    protect_session s;
    unlock(f, "o1", &s);
    char c[PROTECT_ID_MAX];
    new_case(&s, "ordinary", "GRO", c);
    int64_t p = add_person(&s, c, MARK_NAME), id;
    assert_int_equal(protect_contact_add(&s, c, p, "phone", MARK_PHONE, &id, &e), PU_OK);
    assert_int_equal(blob_has(f, "QXNOMBREQX"), 0);
    assert_int_equal(blob_has(f, "555 0199"), 0);
    int64_t sealed = 0;
    assert_int_equal(db_query_int64(f->db, "SELECT COUNT(*) FROM protect_sealed WHERE case_id = ?", c, &sealed, &e), PU_OK);
    assert_int_equal(sealed, 2);
    int n = 0;
    assert_int_equal(protect_list(&s, "zacarías PEÑA", count_rows, &n, &e), PU_OK); /* folded words, any order/case */
    assert_int_equal(n, 1);
    n = 0;
    assert_int_equal(protect_list(&s, "pena nobody", count_rows, &n, &e), PU_OK);
    assert_int_equal(n, 0);
    /* o2 is not a member: the case is not there for o2, by list or by id */
    protect_session s2;
    unlock(f, "o2", &s2);
    n = 0;
    assert_int_equal(protect_list(&s2, "pena", count_rows, &n, &e), PU_OK);
    assert_int_equal(n, 0);
    char *json = NULL;
    assert_int_equal(protect_show_json(&s2, c, &json, &e), PU_ERR_NOTFOUND);
    /* no purpose, no read */
    s.purpose[0] = '\0';
    assert_int_equal(protect_list(&s, NULL, count_rows, &n, &e), PU_ERR_INVALID);
    assert_int_equal(protect_set_purpose(&s, "x", &e), PU_ERR_INVALID);
    protect_session_end(&s);
    protect_session_end(&s2);
}

/* ---- wrapping and rotation ---- */
static void test_rotation(void **state) {
    fx *f = *state;
    pu_err e;
    protect_session a, b;
    unlock(f, "o1", &a);
    unlock(f, "o2", &b);
    char c[PROTECT_ID_MAX];
    new_case(&a, "ordinary", "OAX", c);
    int64_t p = add_person(&a, c, MARK_NAME);
    assert_int_equal(protect_member_add(&a, c, "o2", &e), PU_OK);
    assert_int_equal(protect_member_add(&a, c, "o2", &e), PU_ERR_CONFLICT);
    assert_int_equal(protect_member_add(&a, c, "ana", &e), PU_ERR_DENIED);
    unsigned char kb[PR_KEY_BYTES];
    int vb = 0;
    assert_int_equal(pr_case_key(&b, c, kb, &vb, &e), PU_OK); /* o2 holds the key now */
    assert_int_equal(vb, 1);
    char *name = NULL;
    size_t n = 0;
    assert_int_equal(pr_open(f->db, c, kb, vb, "person", p, "name", &name, &n, &e), PU_OK);
    assert_string_equal(name, MARK_NAME);
    free(name);
    assert_int_equal(protect_member_remove(&a, c, "o2", &e), PU_OK);
    /* o2 is no member: no key */
    unsigned char k2[PR_KEY_BYTES];
    int v2 = 0;
    assert_int_equal(pr_case_key(&b, c, k2, &v2, &e), PU_ERR_NOTFOUND);
    /* data written after the removal does not open with the key o2 kept */
    int64_t cid = 0;
    assert_int_equal(protect_contact_add(&a, c, p, "phone", MARK_PHONE, &cid, &e), PU_OK);
    name = NULL;
    assert_int_not_equal(pr_open(f->db, c, kb, 2, "contact", cid, "value", &name, &n, &e), PU_OK);
    assert_null(name);
    /* ... nor does what was written before (re-sealed under the new key) */
    assert_int_not_equal(pr_open(f->db, c, kb, 2, "person", p, "name", &name, &n, &e), PU_OK);
    /* the remaining member reads everything, and the search still works */
    unsigned char ka[PR_KEY_BYTES];
    int va = 0;
    assert_int_equal(pr_case_key(&a, c, ka, &va, &e), PU_OK);
    assert_int_equal(va, 2);
    assert_memory_not_equal(ka, kb, PR_KEY_BYTES);
    assert_int_equal(pr_open(f->db, c, ka, va, "contact", cid, "value", &name, &n, &e), PU_OK);
    assert_string_equal(name, MARK_PHONE);
    free(name);
    assert_int_equal(pr_open(f->db, c, ka, va, "person", p, "name", &name, &n, &e), PU_OK);
    assert_string_equal(name, MARK_NAME);
    free(name);
    int hits = 0;
    assert_int_equal(protect_list(&a, "QXNOMBREQX", count_rows, &hits, &e), PU_OK);
    assert_true(hits >= 1);
    /* the last member stays */
    assert_int_equal(protect_member_remove(&a, c, "o1", &e), PU_ERR_CONFLICT);
    protect_session_end(&a);
    protect_session_end(&b);
}

/* ---- procedure, clocks, measures ---- */
typedef struct clocks_seen {
    const char *case_id;
    int late_urgent_issued, late_in_place, rows;
    int64_t done_issued;
} clocks_seen;

static int clock_cb(const protect_clock_row *r, void *ctx, pu_err *err) {
    (void)err;
    clocks_seen *c = ctx;
    if (strcmp(r->case_id, c->case_id)) return PU_OK;
    c->rows++;
    if (!strcmp(r->rule, "urgent_issued")) c->late_urgent_issued = r->late, c->done_issued = r->done;
    if (!strcmp(r->rule, "urgent_in_place")) c->late_in_place = r->late;
    return PU_OK;
}

static void test_workflow_clocks(void **state) {
    fx *f = *state;
    pu_err e;
    protect_session s;
    unlock(f, "o1", &s);
    char c[PROTECT_ID_MAX];
    new_case(&s, "extraordinary", "GRO", c);
    /* two hours in: nothing late yet */
    s.now = T0 + 2 * 3600;
    clocks_seen seen = {c, 0, 0, 0, 0};
    assert_int_equal(protect_clocks(&s, 0, clock_cb, &seen, &e), PU_OK);
    assert_int_equal(seen.rows, 3); /* urgent_issued, urgent_in_place, risk_study */
    assert_int_equal(seen.late_urgent_issued, 0);
    /* four hours in: the 3-hour order is late */
    s.now = T0 + 4 * 3600;
    memset(&seen, 0, sizeof seen);
    seen.case_id = c;
    assert_int_equal(protect_clocks(&s, 1, clock_cb, &seen, &e), PU_OK);
    assert_int_equal(seen.rows, 1);
    assert_int_equal(seen.late_urgent_issued, 1);
    int64_t m = 0;
    assert_int_equal(protect_measure_add(&s, c, "escort", "Policía Federal", 12000.5, 1, &m, &e), PU_OK);
    assert_int_equal(protect_measure_add(&s, c, "jetpack", NULL, 0, 0, &m, &e), PU_ERR_INVALID);
    assert_int_equal(protect_measure_add(&s, c, "escort", "Policía Federal", 12000.5, 1, &m, &e), PU_OK);
    assert_int_equal(protect_measure_status(&s, c, m, "active", &e), PU_ERR_CONFLICT);  /* requested -> active */
    assert_int_equal(protect_measure_status(&s, c, m, "approved", &e), PU_OK);          /* the urgent order */
    s.now = T0 + 5 * 3600;
    assert_int_equal(protect_measure_status(&s, c, m, "installed", &e), PU_OK);         /* in place at 5 h */
    assert_int_equal(protect_measure_status(&s, c, m, "active", &e), PU_OK);
    assert_int_equal(protect_measure_status(&s, c, m, "active", &e), PU_OK);            /* periodic review */
    assert_int_equal(protect_measure_status(&s, c, m, "requested", &e), PU_ERR_CONFLICT); /* back is refused */
    memset(&seen, 0, sizeof seen);
    seen.case_id = c;
    s.now = T0 + 20 * 3600;
    assert_int_equal(protect_clocks(&s, 0, clock_cb, &seen, &e), PU_OK);
    assert_int_equal(seen.done_issued, T0 + 4 * 3600);
    assert_int_equal(seen.late_urgent_issued, 1); /* done, but after its 3 hours */
    assert_int_equal(seen.late_in_place, 0);      /* in place within 9 hours */
    assert_int_equal(protect_request_step(&s, c, "urgent_issued", 0, &e), PU_ERR_CONFLICT);
    /* studies: every version kept */
    protect_study_in st1 = {"low", "sin amenazas recientes", "o1", "approved", "2026-07-01"};
    protect_study_in st2 = {"high", "amenazas por su trabajo", "o1", "modified", "2026-04-01"};
    int v = 0;
    assert_int_equal(protect_study_add(&s, c, &st1, &v, &e), PU_OK);
    assert_int_equal(v, 1);
    assert_int_equal(protect_study_add(&s, c, &st2, &v, &e), PU_OK);
    assert_int_equal(v, 2);
    protect_study_in bad = {"severe", "x", "o1", "approved", "2026-04-01"};
    assert_int_equal(protect_study_add(&s, c, &bad, &v, &e), PU_ERR_INVALID);
    assert_int_equal(protect_measure_status(&s, c, m, "withdrawn", &e), PU_OK);
    assert_int_equal(protect_measure_status(&s, c, m, "active", &e), PU_ERR_CONFLICT); /* withdrawn is final */
    char *json = NULL;
    assert_int_equal(protect_show_json(&s, c, &json, &e), PU_OK);
    assert_non_null(strstr(json, "\"version\":2"));
    assert_non_null(strstr(json, "amenazas por su trabajo"));
    assert_non_null(strstr(json, "\"status\":\"withdrawn\""));
    free(json);
    protect_session_end(&s);
}

/* ---- effectiveness: an incident against the level and measures then ---- */
static void test_effectiveness(void **state) {
    fx *f = *state;
    pu_err e;
    protect_session s;
    unlock(f, "o1", &s);
    char c[PROTECT_ID_MAX];
    new_case(&s, "ordinary", "VER", c);
    add_person(&s, c, "Otra Persona");
    s.now = T0 + 86400;
    protect_study_in st1 = {"low", "riesgo bajo", "o1", "approved", "2026-06-01"};
    int v = 0;
    assert_int_equal(protect_study_add(&s, c, &st1, &v, &e), PU_OK);
    int64_t inc = 0;
    protect_incident_in in = {"2026-01-10", "VER", "physical_assault", 0, "golpes", NULL, NULL};
    assert_int_equal(protect_incident_add(&s, c, &in, &inc, &e), PU_OK);
    protect_incident_in early = {"2025-12-01", "VER", "threat", 0, "antes", NULL, NULL}; /* before enrolment */
    assert_int_equal(protect_incident_add(&s, c, &early, &inc, &e), PU_OK);
    protect_incident_in badtype = {"2026-01-10", "VER", "bad_type", 0, NULL, NULL, NULL};
    assert_int_equal(protect_incident_add(&s, c, &badtype, &inc, &e), PU_ERR_INVALID);
    char *json = NULL;
    assert_int_equal(protect_show_json(&s, c, &json, &e), PU_OK);
    const char *eff = strstr(json, "\"effectiveness\":[");
    assert_non_null(eff);
    assert_non_null(strstr(eff, "\"level\":\"low\""));
    assert_non_null(strstr(eff, "\"under_rated\":true"));
    assert_null(strstr(eff, "2025-12-01")); /* only incidents after enrolment */
    free(json);
    protect_session_end(&s);
}

/* ---- purge: old places go, places an incident holds stay ---- */
static void test_purge(void **state) {
    fx *f = *state;
    pu_err e;
    protect_session s;
    unlock(f, "o1", &s);
    char c[PROTECT_ID_MAX];
    new_case(&s, "ordinary", "CHH", c);
    int64_t p = add_person(&s, c, "Persona Purga"), old = 0, held = 0, recent = 0, inc = 0;
    assert_int_equal(protect_place_add(&s, c, p, "2025-01-01", "CHH", "domicilio viejo", &old, &e), PU_OK);
    assert_int_equal(protect_place_add(&s, c, p, "2025-01-02", "CHH", "lugar del ataque", &held, &e), PU_OK);
    assert_int_equal(protect_place_add(&s, c, p, "2025-12-30", "CHH", "domicilio actual", &recent, &e), PU_OK);
    protect_incident_in in = {"2025-01-02", "CHH", "raid", held, NULL, NULL, NULL};
    assert_int_equal(protect_incident_add(&s, c, &in, &inc, &e), PU_OK);
    int64_t removed = 0;
    assert_int_equal(protect_purge(f->db, 90, T0, &removed, &e), PU_OK);
    assert_true(removed >= 1);
    int64_t left = 0;
    assert_int_equal(db_query_int64(f->db, "SELECT COUNT(*) FROM protect_place WHERE case_id = ?", c, &left, &e), PU_OK);
    assert_int_equal(left, 2);
    assert_int_equal(db_query_int64(f->db, "SELECT COUNT(*) FROM protect_sealed WHERE kind = 'place' AND case_id = ?", c, &left, &e),
                     PU_OK);
    assert_int_equal(left, 2); /* the sealed address went with its row */
    protect_session_end(&s);
}

/* ---- aggregates with small-number suppression ---- */
typedef struct agg {
    double gro_2030, oax_2030;
    int gro_supp, oax_supp, rows, inc_rows;
} agg;

static int agg_cb(const pu_count_row *r, void *ctx, pu_err *err) {
    (void)err;
    agg *a = ctx;
    a->rows++;
    if (!strcmp(r->name, "protect.incidents")) a->inc_rows++;
    if (strcmp(r->name, "protect.beneficiaries") || r->year != 2030) return PU_OK;
    if (!strcmp(r->state, "MX-GRO")) a->gro_2030 = r->value, a->gro_supp = r->suppressed;
    if (!strcmp(r->state, "MX-OAX")) a->oax_2030 = r->value, a->oax_supp = r->suppressed;
    return PU_OK;
}

static void test_counts_suppressed(void **state) {
    fx *f = *state;
    pu_err e;
    protect_session s;
    unlock(f, "o1", &s);
    const int64_t y2030 = 1893456000; /* 2030-01-01 */
    for (int i = 0; i < 8; i++) {
        char c[PROTECT_ID_MAX];
        protect_case_in in = {"defender", "ordinary", i < 6 ? "GRO" : "OAX", NULL, y2030 + i * 86400};
        assert_int_equal(protect_case_open(&s, &in, c, &e), PU_OK);
        add_person(&s, c, "Persona Agregado");
    }
    agg a = {0};
    assert_int_equal(protect_counts(f->db, STORE_SYSTEM, agg_cb, &a, &e), PU_OK);
    assert_true(a.gro_2030 == 6.0);
    assert_int_equal(a.gro_supp, 0);
    assert_true(a.oax_2030 == 0.0); /* 2 < 5: withheld */
    assert_int_equal(a.oax_supp, 1);
    /* another agency counts nothing of the Mechanism's AGENCY-ONLY cases */
    store_scope other = {0, "MX", "FGR"};
    memset(&a, 0, sizeof a);
    assert_int_equal(protect_counts(f->db, &other, agg_cb, &a, &e), PU_OK);
    assert_int_equal(a.rows, 0);
    /* the registry publishes the module's counts */
    const app_module *m = app_module_find("protect");
    assert_non_null(m);
    assert_true(m->counts == protect_counts);
    protect_session_end(&s);
}

int main(void) {
    setenv("PUENTE_PROTECT_KDF", "1:8192", 1); /* libsodium's minimum: tests measure behaviour, not cost */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roles),         cmocka_unit_test(test_sealed_and_search), cmocka_unit_test(test_rotation),
        cmocka_unit_test(test_workflow_clocks), cmocka_unit_test(test_effectiveness),   cmocka_unit_test(test_purge),
        cmocka_unit_test(test_counts_suppressed),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
