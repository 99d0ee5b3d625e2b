/* test_resolve.c - unit tests of src/resolve: the score with qualifiers,
 * clustering with judgements (not_same splits, same joins, a revoked
 * judgement restores the algorithm's answer), matching the split-purchaser
 * spellings, and precision/recall on generated data. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "resolve/resolve_int.h"
#include "resolve_test.h"
#include "screen/screen.h"
#include "../test_store_uri.h"

static resolve_rec person(const char *ref, const char *name, const char *dob, const char *ids) {
    resolve_rec r = rt_person(ref, name, dob);
    r.ids = (char *)ids;
    return r;
}

static void test_score(void **st) {
    (void)st;
    resolve_set s = {0};
    rt_add(&s, person("a", "Susan I. Lopez", "1984-06-02", NULL));
    rt_add(&s, person("b", "LOPEZ, SUSAN I.", "1984-06-02", NULL));
    rt_add(&s, person("c", "SUSAN LOPEZ", "1984-06-02", NULL));
    rt_add(&s, person("d", "Susan I. Lopez", "1990-01-01", NULL));          /* another date of birth */
    rt_add(&s, person("e", "Maria Garcia Lopez", "1970-03-03", "ID=GALM700303;"));
    rt_add(&s, person("f", "Maria Lopez Garcia", "1971-04-04", NULL));     /* swapped surnames: another person */
    rt_add(&s, person("g", "M. Garcia", NULL, "ID=GALM700303;"));          /* same identifier */
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

/* ---- both sides prepared: screen_qname against screen_cmp ---- */

#define PREP_NAMES_MAX 1200
#define PREP_PARTNERS 7   /* query names scored against each listed name (besides its own pair) */

typedef struct name_pool {
    char *name[PREP_NAMES_MAX];
    const char *schema[PREP_NAMES_MAX];
    size_t n;
} name_pool;

static void pool_add(name_pool *p, const char *name, const char *schema) {
    if (p->n == PREP_NAMES_MAX || !name || !*name) return;
    p->name[p->n] = pu_strdup(name);
    p->schema[p->n++] = schema;
}

static const char *pool_schema(const char *s) {
    return !strcmp(s, "Person") ? "Person" : !strcmp(s, "Company") ? "Company" : !strcmp(s, "Organization") ? "Organization" : NULL;
}

/* Both names of every pair of the international development and test sets
 * (tests/screen/intl_*.tsv: Cyrillic, CJK syllables, legal forms, numbers,
 * nicknames), in the order listed: pairs stay neighbours. */
static void pool_tsv(name_pool *p, const char *file) {
    const char *src = getenv("PUENTE_SRC");
    char path[1024], line[2048];
    snprintf(path, sizeof path, "%s/tests/screen/%s", src ? src : ".", file);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || !strncmp(line, "kind\t", 5)) continue;
        line[strcspn(line, "\r\n")] = 0;
        char *col[5] = {0}, *save = NULL;
        int k = 0;
        for (char *t = strtok_r(line, "\t", &save); t && k < 5; t = strtok_r(NULL, "\t", &save)) col[k++] = t;
        if (k < 5) continue;
        pool_add(p, col[3], pool_schema(col[2]));
        pool_add(p, col[4], pool_schema(col[2]));
    }
    fclose(f);
}

/* Scripts the TSVs lack (Arabic, Hangul, Han, Cyrillic persons), with
 * their romanisations next to them. */
static void pool_scripts(name_pool *p) {
    static const char *const S[] = {"حسن", "Hassan", "محمد", "Mohammed", "عبد الله", "Abd Allah", "Abdullah",
                                    "عبد الرحمن", "Abdul Rahman", "김정은", "KIM Jong Un", "KIM Yo Jong", "최룡해",
                                    "CHOE Ryong Hae", "金正恩", "崔龍海", "朴奉珠", "PAK Pong Ju", "习近平",
                                    "Xi Jinping", "이병철", "리병철", "RI Pyong Chol", "Виктор Яценко",
                                    "Viktor Yatsenko", "Сергей Иванович Петров", "Sergei Ivanovich Petrov"};
    for (size_t i = 0; i < sizeof S / sizeof S[0]; i++) pool_add(p, S[i], "Person");
}

/* The score of q (prepared) against c equals screen_cmp_score's for name. */
static void check_prepared(const screen_cmp *c, const char *schema, const char *name, int *alike, int *unlike) {
    pu_err e = {0};
    screen_qname *q = NULL;
    double ref = -1, got = -2;
    int rc_ref = screen_cmp_score(c, name, &ref, &e);
    int rc_q = screen_qname_new(schema, name, &q, &e);
    assert_int_equal(rc_ref == PU_OK, rc_q == PU_OK);   /* a name one refuses, the other refuses too */
    if (rc_q) return;
    assert_int_equal(screen_cmp_score_prepared(c, q, &got, &e), PU_OK);
    if (got != ref) print_error("prepared %.6f != %.6f for '%s' (%s)\n", got, ref, name, schema ? schema : "any");
    assert_true(got == ref);
    *alike += got >= RESOLVE_THRESHOLD;
    *unlike += got < 0.5;
    screen_qname_free(q);
}

static void test_prepared_both_sides(void **st) {
    (void)st;
    name_pool p = {0};
    pool_tsv(&p, "intl_dev.tsv");
    pool_tsv(&p, "intl_test.tsv");
    pool_scripts(&p);
    resolve_set g = {0};
    pu_err e = {0};
    assert_int_equal(resolve_generate(400, 42, &g, &e), PU_OK);
    for (size_t i = 0; i < g.n; i++) pool_add(&p, g.r[i].name, !strcmp(g.r[i].schema, "Person") ? "Person" : NULL);
    assert_true(p.n > 600);
    int alike = 0, unlike = 0, pairs = 0;
    uint64_t x = 0x9E3779B97F4A7C15ull;
    for (size_t j = 0; j < p.n; j++)
        for (int as = 0; as < 2; as++) {   /* the listed schema, and "any" (resolution's two comparators) */
            const char *schema = as ? NULL : p.schema[j];
            if (as && !schema) continue;
            screen_cmp *c = NULL;
            if (screen_cmp_new(NULL, schema, p.name[j], &c, &e)) continue;
            /* its neighbours (its pair in the TSVs, the generator's spellings of one person) and random names */
            for (size_t d = 1; d <= 2; d++) {
                if (j >= d) check_prepared(c, schema, p.name[j - d], &alike, &unlike), pairs++;
                if (j + d < p.n) check_prepared(c, schema, p.name[j + d], &alike, &unlike), pairs++;
            }
            for (int k = 0; k < PREP_PARTNERS; k++) {
                x ^= x << 13, x ^= x >> 7, x ^= x << 17;
                check_prepared(c, schema, p.name[x % p.n], &alike, &unlike);
                pairs++;
            }
            screen_cmp_free(c);
        }
    assert_true(pairs > 5000);
    assert_true(alike > 300);    /* alike names were compared, not only unlike ones */
    assert_true(unlike > 1000);
    /* a query prepared for another class than the comparator is refused, not scored wrongly */
    screen_cmp *c = NULL;
    screen_qname *q = NULL;
    double sc = 0;
    assert_int_equal(screen_cmp_new(NULL, NULL, "Maria Lopez", &c, &e), PU_OK);
    assert_int_equal(screen_qname_new("Person", "Maria Lopez", &q, &e), PU_OK);
    assert_int_equal(screen_cmp_score_prepared(c, q, &sc, &e), PU_ERR_INVALID);
    screen_qname_free(q);
    assert_int_equal(screen_qname_new(NULL, " - . ", &q, &e), PU_ERR_INVALID);
    assert_null(q);
    screen_cmp_free(c);
    resolve_set_free(&g);
    for (size_t i = 0; i < p.n; i++) free(p.name[i]);
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
        rt_add(&s, r);
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
        cmocka_unit_test(test_prepared_both_sides),
        cmocka_unit_test(test_large_block),
        cmocka_unit_test(test_judgements),
        cmocka_unit_test(test_verdicts),
        cmocka_unit_test(test_evaluate),
        cmocka_unit_test(test_counts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
