/* resolve_test.h - fixtures the resolution unit tests share (tests only).
 * Include after <cmocka.h> and "resolve/resolve_int.h". */
#ifndef PUENTE_TESTS_RESOLVE_TEST_H
#define PUENTE_TESTS_RESOLVE_TEST_H

#include "common/pu.h"

/* A PUBLIC store-entity Person record named name, born dob (NULL: undated).
 * The strings are borrowed; resolve_set_add copies them. */
static inline resolve_rec rt_person(const char *ref, const char *name, const char *dob) {
    resolve_rec r = {.source = "entity", .ref = (char *)ref, .name = (char *)name, .schema = "Person"};
    if (dob) pu_strlcpy(r.dob, dob, sizeof r.dob);
    pu_strlcpy(r.marking, "PUBLIC", sizeof r.marking);
    return r;
}

/* Add r to s; the test fails if the set refuses it. */
static inline void rt_add(resolve_set *s, resolve_rec r) {
    pu_err e = {0};
    assert_int_equal(resolve_set_add(s, &r, &e), PU_OK);
}

#endif
