/* test_resolve_wrongjoin.c - the wrong joins found at 1,000,000 hard
 * records (docs/resolve.md "Wrong joins at 1,000,000 hard records"): a
 * common name that keeps the maternal surname and drops the paternal one
 * is not a spelling of the fuller name; middle initials that differ are two
 * persons; and the precision ceiling: persons whose records the data
 * cannot tell apart. */
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

static resolve_rec person(const char *ref, const char *name, const char *dob, int64_t truth) {
    resolve_rec r = rt_person(ref, name, dob);
    r.truth = truth;
    return r;
}

static int joined(const resolve_pair *p, size_t np, uint32_t a, uint32_t b) {
    for (size_t i = 0; i < np; i++)
        if (p[i].score >= 0 && ((p[i].a == a && p[i].b == b) || (p[i].a == b && p[i].b == a))) return 1;
    return 0;
}

/* "Jorge Trevino" and "Jorge Medina Trevino", one date of birth: the first
 * kept the maternal surname and dropped the paternal one, which no spelling
 * of the second does; both are surnames by where they stand in the records
 * (they end names and never begin them), and the name is common here. */
static void test_paternal_dropped(void **st) {
    (void)st;
    resolve_set s = {0};
    rt_add(&s, person("a", "Jorge Medina Trevino", "1970-01-01", 1));
    rt_add(&s, person("b", "Jorge Trevino", "1970-01-01", 2));
    rt_add(&s, person("c", "MEDINA, JORGE", "1970-01-01", 1));   /* a's maternal surname dropped: a spelling */
    char ref[16], dob[11];
    for (int i = 0; i < 12; i++) {   /* other persons: Medina ends names too */
        snprintf(ref, sizeof ref, "f%d", i);
        snprintf(dob, sizeof dob, "19%02d-02-%02d", 50 + i, 1 + i);
        rt_add(&s, person(ref, "Jorge Trevino Medina", dob, 10 + i));
    }
    resolve_tokplace t;
    assert_int_equal(resolve_tokplace_build(&s, &t), PU_OK);
    assert_int_equal(resolve_name_order_conflict("jorge trevino", "jorge medina trevino", &t), 1);
    assert_int_equal(resolve_name_order_conflict("jorge medina trevino", "jorge trevino", &t), 1);
    assert_int_equal(resolve_name_order_conflict("jorge medina", "jorge medina trevino", &t), 0);
    assert_int_equal(resolve_name_order_conflict("jorge trevino", "jorge medina trevino", NULL), 0);
    assert_int_equal(resolve_name_order_conflict("hector y aguilar perez", "hector l aguilar", NULL), 1);
    assert_int_equal(resolve_name_order_conflict("hector y aguilar perez", "hector aguilar", NULL), 0);
    resolve_tokplace_free(&t);

    resolve_pair *p = NULL;
    size_t np = 0;
    pu_err e = {0};
    assert_int_equal(resolve_match(&s, 0, &p, &np, NULL, &e), PU_OK);
    assert_false(joined(p, np, 0, 1));   /* before: 0.95, joined (two persons of one date of birth) */
    assert_true(joined(p, np, 0, 2));    /* the maternal surname dropped still joins */
    free(p);
    resolve_set_free(&s);
}

/* A second given name never ends a name: "Jose Hernandez" is a spelling
 * of "Jose Luis Hernandez" (the rule reads where tokens stand). */
static void test_second_given_dropped(void **st) {
    (void)st;
    resolve_set s = {0};
    char ref[16], dob[11];
    for (int i = 0; i < 12; i++) {
        snprintf(ref, sizeof ref, "f%d", i);
        snprintf(dob, sizeof dob, "19%02d-03-%02d", 50 + i, 1 + i);
        rt_add(&s, person(ref, "Jose Luis Hernandez Lopez", dob, 10 + i));
        snprintf(ref, sizeof ref, "g%d", i);
        rt_add(&s, person(ref, "Jose Hernandez", dob, 10 + i));
    }
    resolve_tokplace t;
    assert_int_equal(resolve_tokplace_build(&s, &t), PU_OK);
    assert_int_equal(resolve_name_order_conflict("jose hernandez", "jose luis hernandez lopez", &t), 0);
    assert_int_equal(resolve_name_order_conflict("jose lopez", "jose luis hernandez lopez", &t), 1);
    resolve_tokplace_free(&t);
    resolve_set_free(&s);
}

/* The precision ceiling: two persons with a record each that carries
 * everything alike ("Jose Lopez", one date of birth, nothing else) are
 * merged at full recall; the wrong pairs of given clusters are counted,
 * those the ceiling has too as forced. */
static void test_precision_ceiling(void **st) {
    (void)st;
    resolve_set s = {0};
    rt_add(&s, person("a1", "Jose Lopez", "1970-01-01", 1));
    rt_add(&s, person("a2", "Jose Lopez Garcia", "1970-01-01", 1));
    rt_add(&s, person("b1", "LOPEZ, JOSE", "1970-01-01", 2));
    rt_add(&s, person("b2", "Jose Lopez Perez", "1970-01-01", 2));
    rt_add(&s, person("c1", "Ana Ruiz", "1980-01-01", 3));
    rt_add(&s, person("c2", "Ana Ruiz", "1981-01-01", 4));   /* one name, another date: told apart */
    assert_true(resolve_indistinct(&s.r[0], &s.r[2]));
    assert_false(resolve_indistinct(&s.r[4], &s.r[5]));
    uint32_t of[6] = {0, 0, 0, 0, 4, 4};   /* persons 1 and 2 in one cluster, 3 and 4 in another */
    resolve_pair p[] = {{0, 2, 1.0f}, {4, 5, 0.9f}, {0, 1, 0.95f}};
    resolve_eval ev = {0};
    pu_err e = {0};
    pu_buf b = PU_BUF_INIT(1 << 16);
    assert_int_equal(resolve_wrong_joins(&s, of, p, 3, 0, &b, &ev, &e), PU_OK);
    assert_true(ev.prec_ceiling > 0.333 && ev.prec_ceiling < 0.334);   /* 2 true of 6 pairs + 0 of persons 3, 4 */
    assert_int_equal(ev.prec_ceiling_wrong, 4);
    assert_int_equal(ev.wrong_pairs, 5);    /* 4 between persons 1 and 2, 1 between 3 and 4 */
    assert_int_equal(ev.wrong_forced, 4);
    assert_int_equal(ev.wrong_kept[RESOLVE_WRONG_INDISTINCT], 1);
    assert_int_equal(ev.wrong_kept[RESOLVE_WRONG_DATED], 1);
    assert_int_equal(ev.wrong_kept[RESOLVE_WRONG_UNDATED], 0);
    pu_buf_free(&b);
    resolve_set_free(&s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paternal_dropped),
        cmocka_unit_test(test_second_given_dropped),
        cmocka_unit_test(test_precision_ceiling),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
