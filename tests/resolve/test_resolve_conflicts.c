/* test_resolve_conflicts.c - when a conflict of the algorithm keeps two
 * clusters apart (docs/resolve.md "Clusters (per reader) and judgements"):
 * a conflict of two dates of birth is answered when one of the clusters
 * already holds the other record's date, or when the one kept pair that
 * would join them carries its two dates and it is the only conflict, and
 * is outvoted by more kept pairs of two dated records than conflicts; a
 * conflict of identifiers (one date) and a not_same judgement always
 * forbid; a father and son of one name, address and phone stay apart. And
 * the matching rule for a name hit by two modifications: the identifier
 * the same and date, phone, address worth 3 (the same 2, a slip 1) lift it
 * from a name score of 0.3 (docs/resolve.md "Matching"). */
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

#define D0 "1971-04-12"
#define D1 "1984-09-30"   /* not a slip of D0 */

static void run(size_t n, const resolve_pair *p, size_t np, const resolve_jpair *j, size_t nj, const char **dob,
                uint32_t *of) {
    pu_err e = {0};
    assert_int_equal(resolve_cluster_pairs_dob(n, p, np, j, nj, dob, of, NULL, &e), PU_OK);
}

/* The original O (D0), a duplicate A with its date replaced (D1) but CURP
 * and phone the same (kept), a duplicate B of O's date with another phone
 * and a slipped CURP (kept with O) that conflicts with A: before, B stayed
 * alone; O's cluster already holds B's date, so the conflict is answered. */
static void test_conflict_answered(void **st) {
    (void)st;
    resolve_pair p[] = {{0, 1, 0.99f}, {0, 2, 0.95f}, {1, 2, -0.95f}};
    const char *dob[] = {D0, D1, D0};
    uint32_t of[3];
    run(3, p, 3, NULL, 0, dob, of);
    assert_int_equal(of[1], of[0]);
    assert_int_equal(of[2], of[0]);
    /* without the date rule (no dates given) a conflict forbids as before */
    pu_err e = {0};
    assert_int_equal(resolve_cluster_pairs(3, p, 3, NULL, 0, of, NULL, &e), PU_OK);
    assert_int_not_equal(of[2], of[0]);
    /* a conflict of one date (the identifiers differ) is never answered */
    const char *same[] = {D0, D0, D0};
    run(3, p, 3, NULL, 0, same, of);
    assert_int_equal(of[1], of[0]);
    assert_int_not_equal(of[2], of[0]);
    /* nor one with an undated side */
    const char *undated[] = {D0, D0, ""};
    run(3, p, 3, NULL, 0, undated, of);
    assert_int_not_equal(of[2], of[0]);
    /* a not_same judgement always forbids */
    resolve_jpair j = {1, 2, RESOLVE_NOT_SAME};
    resolve_pair q[] = {{0, 1, 0.99f}, {0, 2, 0.95f}};
    run(3, q, 2, &j, 1, dob, of);
    assert_int_equal(of[1], of[0]);
    assert_int_not_equal(of[2], of[0]);
}

/* X = {a, b} of D0, Y = {c} of D1: the kept pair a-c (its score forgave
 * the dates) against the one conflict b-c of the same two dates joins;
 * against two conflicts (c and d of D1 each against b) it does not. */
static void test_conflict_bridge_alone(void **st) {
    (void)st;
    const char *dob[] = {D0, D0, D1, D1};
    uint32_t of[4];
    resolve_pair p[] = {{0, 1, 1.0f}, {0, 2, 0.95f}, {1, 2, -0.95f}};
    run(3, p, 3, NULL, 0, dob, of);
    assert_int_equal(of[2], of[0]);
    assert_int_equal(of[1], of[0]);
    resolve_pair q[] = {{0, 1, 1.0f}, {2, 3, 1.0f}, {0, 2, 0.95f}, {1, 2, -0.95f}, {1, 3, -0.95f}};
    run(4, q, 5, NULL, 0, dob, of);
    assert_int_equal(of[1], of[0]);
    assert_int_equal(of[3], of[2]);
    assert_int_not_equal(of[2], of[0]);
}

/* Conflicts of dates outvoted: three kept pairs of two dated records
 * against two conflicts join the clusters; two against two do not; a
 * not_same judgement among them forbids. */
static void test_conflicts_outvoted(void **st) {
    (void)st;
    const char *dob[] = {D0, D0, D1, D1, D1};
    uint32_t of[5];
    resolve_pair p[] = {{0, 1, 1.0f},  {2, 3, 1.0f},   {3, 4, 1.0f},  {0, 2, 0.95f},
                        {0, 3, 0.95f}, {0, 4, 0.95f},  {1, 2, -0.95f}, {1, 3, -0.95f}};
    run(5, p, 8, NULL, 0, dob, of);
    for (int i = 1; i < 5; i++) assert_int_equal(of[i], of[0]);
    /* two kept pairs against two conflicts: apart */
    resolve_pair q[] = {{0, 1, 1.0f}, {2, 3, 1.0f}, {3, 4, 1.0f}, {0, 2, 0.95f}, {0, 3, 0.95f}, {1, 2, -0.95f},
                        {1, 3, -0.95f}};
    run(5, q, 7, NULL, 0, dob, of);
    assert_int_equal(of[1], of[0]);
    assert_int_not_equal(of[2], of[0]);
    /* a conflict of identifiers (one date) is never outvoted */
    const char *one[] = {D0, D0, D0, D0, D0};
    run(5, p, 8, NULL, 0, one, of);
    assert_int_not_equal(of[2], of[0]);
    /* an analyst's not_same between the two groups forbids */
    resolve_jpair j = {1, 4, RESOLVE_NOT_SAME};
    run(5, p, 8, &j, 1, dob, of);
    assert_int_not_equal(of[4], of[1]);
}

/* A father and his son: one name, one address, the family's landline, two
 * dates of birth and two CURPs, each with two records, and an undated
 * record of the name at the address: they stay two persons. */
static void test_father_son(void **st) {
    (void)st;
    resolve_set s = {0};
    const char *addr = "calle hidalgo 12, col 4, monterrey nl";
    resolve_rec r = rt_person("f1", "Roberto Garza Leal", "1961-03-14");
    r.addr = (char *)addr, r.phones = "8112345678;", r.ids = "CURP=GALR610314HNLRLB09;";
    rt_add(&s, r);
    r = rt_person("f2", "Roberto Garza Leal", "1961-03-14");
    r.addr = (char *)addr, r.phones = "8112345678;";
    rt_add(&s, r);
    r = rt_person("s1", "Roberto Garza Leal", "1988-07-02");
    r.addr = (char *)addr, r.phones = "8112345678;", r.ids = "CURP=GALR880702HNLRLB03;";
    rt_add(&s, r);
    r = rt_person("s2", "Roberto Garza Leal", "1988-07-02");
    r.addr = (char *)addr;
    rt_add(&s, r);
    r = rt_person("u", "Roberto Garza Leal", NULL);
    r.addr = (char *)addr;
    rt_add(&s, r);
    pu_err e = {0};
    double sc;
    for (int f = 0; f < 2; f++)
        for (int c = 2; c < 4; c++) {
            assert_int_equal(resolve_score(&s.r[f], &s.r[c], &sc, &e), PU_OK);
            assert_true(sc < 0);   /* every pair of father and son is a conflict */
        }
    resolve_pair *p = NULL;
    size_t np = 0;
    assert_int_equal(resolve_match(&s, 0, &p, &np, NULL, &e), PU_OK);
    const char *dob[5];
    for (size_t i = 0; i < 5; i++) dob[i] = s.r[i].dob;
    uint32_t of[5];
    run(5, p, np, NULL, 0, dob, of);
    assert_int_equal(of[1], of[0]);
    assert_int_equal(of[3], of[2]);
    assert_int_not_equal(of[2], of[0]);
    free(p);
    resolve_set_free(&s);
}

/* A name hit by modifications (a letter dropped from the given name, the
 * surname replaced, a space removed: names 0.35 alike, a duplicate of the
 * febrl profile) with one person's date, CURP and phone: kept, also with
 * the phone a slip apart. The same without the CURP (twins share a date, a
 * phone and an address), with names unlike, or with the CURP alone the same
 * (date and phone slips) is not. */
static void test_two_modifications(void **st) {
    (void)st;
    resolve_set s = {0};
    const char *addr = "calle madero 1941, col 339, reynosa tamps";
    resolve_rec r = rt_person("a", "Alejandro Oanigaz Diaz", "1982-07-09");
    r.addr = (char *)addr, r.phones = "5827205894;", r.ids = "CURP=PHPZ542426BAUVCUYT;";
    rt_add(&s, r);
    r = rt_person("b", "Aleandro LamegasReyes", "1982-07-09");
    r.addr = "calle madero 1941, col 339, reynosa tayamps", r.phones = "5827205894;", r.ids = "CURP=PHPZ542426BAUVCUYT;";
    rt_add(&s, r);
    r = rt_person("c", "Aleandro LamegasReyes", "1982-07-09");   /* a twin: date, phone, address; no CURP */
    r.addr = (char *)addr, r.phones = "5827205894;";
    rt_add(&s, r);
    r = rt_person("d", "Maria Fernanda Rojas", "1982-07-09");   /* names unlike */
    r.addr = (char *)addr, r.phones = "5827205894;", r.ids = "CURP=PHPZ542426BAUVCUYT;";
    rt_add(&s, r);
    r = rt_person("e", "Aleandro LamegasReyes", "1982-07-09");   /* CURP and date, the phone with a slip, another address */
    r.addr = "avenida juarez 7, col 2, reynosa tamps", r.phones = "5827205849;", r.ids = "CURP=PHPZ542426BAUVCUYT;";
    rt_add(&s, r);
    r = rt_person("f", "Aleandro LamegasReyes", "1982-07-90");   /* CURP only the same: date and phone slips */
    r.addr = "avenida juarez 7, col 2, reynosa tamps", r.phones = "5827205849;", r.ids = "CURP=PHPZ542426BAUVCUYT;";
    rt_add(&s, r);
    pu_err e = {0};
    double sc;
    assert_int_equal(resolve_score(&s.r[0], &s.r[1], &sc, &e), PU_OK);
    assert_true(sc >= RESOLVE_THRESHOLD);
    assert_int_equal(resolve_score(&s.r[0], &s.r[2], &sc, &e), PU_OK);
    assert_true(sc < RESOLVE_THRESHOLD);
    assert_int_equal(resolve_score(&s.r[0], &s.r[3], &sc, &e), PU_OK);
    assert_true(sc < RESOLVE_THRESHOLD);
    assert_int_equal(resolve_score(&s.r[0], &s.r[4], &sc, &e), PU_OK);
    assert_true(sc >= RESOLVE_THRESHOLD);
    assert_int_equal(resolve_score(&s.r[0], &s.r[5], &sc, &e), PU_OK);
    assert_true(sc < RESOLVE_THRESHOLD);
    resolve_set_free(&s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conflict_answered),  cmocka_unit_test(test_conflict_bridge_alone),
        cmocka_unit_test(test_conflicts_outvoted), cmocka_unit_test(test_father_son),
        cmocka_unit_test(test_two_modifications),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
