/* test_resolve.c - unit tests of src/resolve: the score with qualifiers,
 * clustering with judgements (not_same splits, same joins, a revoked
 * judgement restores the algorithm's answer), matching the split-purchaser
 * spellings, and precision/recall on generated data. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "resolve/resolve_int.h"
#include "screen/screen.h"
#include "../test_store_uri.h"

static resolve_rec person(const char *ref, const char *name, const char *dob, const char *ids) {
    resolve_rec r = {.source = "entity", .ref = (char *)ref, .name = (char *)name, .schema = "Person",
                     .ids = (char *)ids};
    if (dob) strncpy(r.dob, dob, sizeof r.dob - 1);
    strncpy(r.marking, "PUBLIC", sizeof r.marking - 1);
    return r;
}

static void add(resolve_set *s, resolve_rec r) {
    pu_err e = {0};
    assert_int_equal(resolve_set_add(s, &r, &e), PU_OK);
}

static void test_score(void **st) {
    (void)st;
    resolve_set s = {0};
    add(&s, person("a", "Susan I. Lopez", "1984-06-02", NULL));
    add(&s, person("b", "LOPEZ, SUSAN I.", "1984-06-02", NULL));
    add(&s, person("c", "SUSAN LOPEZ", "1984-06-02", NULL));
    add(&s, person("d", "Susan I. Lopez", "1990-01-01", NULL));          /* another date of birth */
    add(&s, person("e", "Maria Garcia Lopez", "1970-03-03", "ID=GALM700303;"));
    add(&s, person("f", "Maria Lopez Garcia", "1971-04-04", NULL));     /* swapped surnames: another person */
    add(&s, person("g", "M. Garcia", NULL, "ID=GALM700303;"));          /* same identifier */
    double sc;
    pu_err e = {0};
    for (int i = 0; i < 3; i++)
        for (int j = i + 1; j < 3; j++) {
            assert_int_equal(resolve_score(&s.r[i], &s.r[j], &sc, &e), PU_OK);
            assert_true(sc >= RESOLVE_THRESHOLD);
        }
    assert_int_equal(resolve_score(&s.r[0], &s.r[3], &sc, &e), PU_OK);
    assert_true(sc < 0);   /* same name, another date of birth: kept apart */
    assert_int_equal(resolve_score(&s.r[4], &s.r[5], &sc, &e), PU_OK);
    assert_true(sc < RESOLVE_THRESHOLD);
    assert_int_equal(resolve_score(&s.r[4], &s.r[6], &sc, &e), PU_OK);
    assert_true(sc >= RESOLVE_THRESHOLD);
    /* matching finds the three spellings and nothing else of theirs */
    resolve_pair *p = NULL;
    size_t np = 0;
    assert_int_equal(resolve_match(&s, 0, &p, &np, NULL, &e), PU_OK);
    uint32_t of[7];
    assert_int_equal(resolve_cluster_pairs(s.n, p, np, NULL, 0, of, NULL, &e), PU_OK);
    assert_int_equal(of[0], of[1]);
    assert_int_equal(of[0], of[2]);
    assert_true(of[3] != of[0]);
    assert_true(of[4] != of[5]);
    assert_int_equal(of[4], of[6]);
    free(p);
    resolve_set_free(&s);
}

/* The prepared comparator (name2 indexed once) gives screen_compare's score. */
static void test_prepared_compare(void **st) {
    (void)st;
    static const char *const N[] = {"Susan I. Lopez", "LOPEZ, SUSAN I.", "SUSAN LPOEZ", "Maria Garcia Lopez",
                                    "Transportes del Norte SA de CV", "Jose Luis Hernandez"};
    size_t n = sizeof N / sizeof N[0];
    pu_err e = {0};
    int differ = 0;
    for (int person = 0; person < 2; person++)
        for (size_t j = 0; j < n; j++) {
            screen_cmp *c = NULL;
            const char *schema = person ? "Person" : NULL;
            assert_int_equal(screen_cmp_new(NULL, schema, N[j], &c, &e), PU_OK);
            for (size_t i = 0; i < n; i++) {
                screen_match *m = NULL;
                double sc = -1;
                assert_int_equal(screen_compare(NULL, schema, N[i], N[j], 0, &m, &e), PU_OK);
                assert_int_equal(screen_cmp_score(c, N[i], &sc, &e), PU_OK);
                assert_true(sc == m->score);
                differ += sc < 0.5;
                screen_match_free(m);
            }
            screen_cmp_free(c);
        }
    assert_true(differ > 0);   /* unlike names were compared too, not only alike ones */
}

/* A block larger than RESOLVE_BLOCK_MAX is not dropped: 260 spellings of one
 * consignee with one RFC (each at another address, so none is an exact
 * duplicate) end in one cluster; under the former rule (large blocks give
 * no pair) they stayed apart. Two runs give the same pairs (threads). */
static void test_large_block(void **st) {
    (void)st;
    enum { N = RESOLVE_BLOCK_MAX + 60 };
    static const char *const V[] = {"Jose Lopez", "LOPEZ, JOSE", "JOSE LOPEZ", "Jose Lopez P."};
    resolve_set s = {0};
    for (int i = 0; i < N; i++) {
        char ref[16], addr[32];
        snprintf(ref, sizeof ref, "c%d", i);
        snprintf(addr, sizeof addr, "calle%d", i);
        resolve_rec r = person(ref, V[i % 4], NULL, "RFC=LOPJ800101AB1;");
        r.addr = addr;
        add(&s, r);
    }
    pu_err e = {0};
    static uint32_t of[N];
    for (int rule = 0; rule < 2; rule++) {
        resolve_pair *p = NULL;
        size_t np = 0;
        resolve_match_dbg d = {.window = rule ? -1 : 0};
        assert_int_equal(resolve_match_debug(&s, 0, &p, &np, NULL, &d, &e), PU_OK);
        assert_int_equal(resolve_cluster_pairs(s.n, p, np, NULL, 0, of, NULL, &e), PU_OK);
        int one = 1;
        for (int i = 1; i < N; i++) one &= of[i] == of[0];
        assert_int_equal(one, !rule);
        if (!rule) {   /* deterministic: the same pairs again */
            resolve_pair *q = NULL;
            size_t nq = 0;
            assert_int_equal(resolve_match(&s, 0, &q, &nq, NULL, &e), PU_OK);
            assert_int_equal(nq, np);
            assert_true(np > 0 && !memcmp(p, q, np * sizeof *p));
            free(q);
        }
        free(p), free(d.cand), free(d.scored);
    }
    resolve_set_free(&s);
}

static void test_judgements(void **st) {
    (void)st;
    pu_err e = {0};
    /* a chain 0-1-2 by the algorithm, 3 alone */
    resolve_pair p[] = {{0, 1, 0.95f}, {1, 2, 0.90f}};
    uint32_t of[4];
    assert_int_equal(resolve_cluster_pairs(4, p, 2, NULL, 0, of, NULL, &e), PU_OK);
    assert_int_equal(of[0], of[2]);
    assert_true(of[3] != of[0]);
    /* not_same 0/2 splits the chain at its weaker link */
    resolve_jpair ns[] = {{0, 2, RESOLVE_NOT_SAME}};
    assert_int_equal(resolve_cluster_pairs(4, p, 2, ns, 1, of, NULL, &e), PU_OK);
    assert_int_equal(of[0], of[1]);
    assert_true(of[2] != of[0]);
    /* same 3/0 joins; a same that contradicts a not_same is not applied and counted */
    resolve_jpair js[] = {{0, 2, RESOLVE_NOT_SAME}, {0, 3, RESOLVE_SAME}, {2, 3, RESOLVE_SAME}};
    size_t conflicts = 0;
    assert_int_equal(resolve_cluster_pairs(4, p, 2, js, 3, of, &conflicts, &e), PU_OK);
    assert_int_equal(of[3], of[0]);
    assert_true(of[2] != of[0]);
    assert_int_equal(conflicts, 1);
    /* an algorithmic conflict (negative score) keeps a bridge from chaining */
    resolve_pair q[] = {{0, 1, 0.95f}, {1, 2, 0.94f}, {0, 2, -0.9f}};
    assert_int_equal(resolve_cluster_pairs(3, q, 3, NULL, 0, of, NULL, &e), PU_OK);
    assert_int_equal(of[0], of[1]);
    assert_true(of[2] != of[0]);
    /* revoked: without the judgement the algorithm's answer is back */
    assert_int_equal(resolve_cluster_pairs(4, p, 2, NULL, 0, of, NULL, &e), PU_OK);
    assert_int_equal(of[0], of[2]);
}

static void test_verdicts(void **st) {
    (void)st;
    resolve_verdict v;
    pu_err e = {0};
    assert_int_equal(resolve_verdict_parse("same", &v, &e), PU_OK);
    assert_int_equal(v, RESOLVE_SAME);
    assert_int_equal(resolve_verdict_parse("not_same", &v, &e), PU_OK);
    assert_string_equal(resolve_verdict_name(v), "not_same");
    assert_int_equal(resolve_verdict_parse("maybe", &v, &e), PU_ERR_INVALID);
}

static void test_evaluate(void **st) {
    (void)st;
    resolve_eval ev;
    pu_err e = {0};
    assert_int_equal(resolve_evaluate(3000, 7, 0, &ev, &e), PU_OK);
    assert_int_equal(ev.records, 3000);
    assert_true(ev.true_pairs > 1000);
    assert_true(ev.precision >= 0.98);
    assert_true(ev.recall > ev.base_recall + 0.3);   /* far above exact name + date of birth */
    /* the missed true pairs, by cause, add up to what recall misses */
    uint64_t lost = 0;
    for (int i = 0; i < 5; i++) {
        lost += ev.lost[i];
        assert_true(ev.lost_undated[i] <= ev.lost[i]);
    }
    double missed = (double)ev.true_pairs * (1 - ev.recall);
    assert_true(lost > 0 && (double)lost > missed - 1 && (double)lost < missed + 1);
    assert_int_equal(resolve_evaluate(1, 7, 0, &ev, &e), PU_ERR_INVALID);
}

typedef struct csum {
    double total;
    int rows;
} csum;

static int add_count(const pu_count_row *r, void *ctx, pu_err *err) {
    (void)err;
    csum *c = ctx;
    assert_string_equal(r->name, "resolve.judgements");
    assert_int_equal(r->year, 2026);
    c->total += r->value;
    c->rows++;
    return 0;
}

/* Judgements counted once per month and agency, only those the reader may see. */
static void test_counts(void **st) {
    (void)st;
    db_t *db = NULL;
    pu_err e = {0};
    assert_int_equal(db_open(test_store_uri(), NULL, &db, &e), PU_OK);
    assert_int_equal(store_migrate(db, &e), PU_OK);
    assert_int_equal(resolve_migrate(db, &e), PU_OK);
    assert_int_equal(db_exec(db, "INSERT INTO resolve_judgement (a_key, b_key, verdict, agency, created, owner, marking) VALUES"
                                 " ('entity:a', 'entity:b', 'same', 'FGR', '2026-03-01T00:00:00Z', 'FGR', 'SHARED'),"
                                 " ('entity:a', 'entity:c', 'not_same', 'FGR', '2026-03-02T00:00:00Z', 'FGR', 'SHARED'),"
                                 " ('entity:d', 'entity:e', 'same', 'ATF', '2026-04-01T00:00:00Z', 'ATF', 'US-ONLY')", &e),
                     PU_OK);
    csum all = {0}, mx = {0};
    assert_int_equal(resolve_counts(db, STORE_SYSTEM, add_count, &all, &e), PU_OK);
    assert_true(all.total == 3 && all.rows == 2);   /* March/FGR: 2, April/ATF: 1 */
    store_scope fgr = {0, "MX", "FGR"};
    assert_int_equal(resolve_counts(db, &fgr, add_count, &mx, &e), PU_OK);
    assert_true(mx.total == 2 && mx.rows == 1);     /* the US-ONLY judgement counts nothing for FGR */
    db_close(db);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_score),
        cmocka_unit_test(test_prepared_compare),
        cmocka_unit_test(test_large_block),
        cmocka_unit_test(test_judgements),
        cmocka_unit_test(test_verdicts),
        cmocka_unit_test(test_evaluate),
        cmocka_unit_test(test_counts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
