/* Unit tests for src/ftm: schema registry, entity model, JSON in/out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "ftm/ftm.h"

static void test_schema_inheritance(void **state) {
    (void)state;
    const ftm_schema *person = ftm_schema_get("Person");
    assert_non_null(person);
    assert_string_equal(ftm_schema_name(person), "Person");
    assert_true(ftm_schema_is_a(person, "LegalEntity"));
    assert_true(ftm_schema_is_a(person, "Thing"));
    assert_false(ftm_schema_is_a(person, "Organization"));
    const ftm_schema *company = ftm_schema_get("Company");
    assert_true(ftm_schema_is_a(company, "Organization"));
    assert_true(ftm_schema_is_a(company, "Asset"));
    assert_true(ftm_schema_is_a(ftm_schema_get("Vessel"), "Vehicle"));
    assert_true(ftm_schema_is_a(ftm_schema_get("Sanction"), "Interval"));
    assert_false(ftm_schema_is_a(ftm_schema_get("Sanction"), "Thing"));
    assert_null(ftm_schema_get("person")); /* exact names only */
    /* relationship schemata load since issue #19 (this expectation was "unknown") */
    assert_true(ftm_schema_is_a(ftm_schema_get("Ownership"), "Interval"));
    assert_int_equal(ftm_schema_prop_type(ftm_schema_get("Ownership"), "asset"), FTM_ENTITY);
    assert_int_equal(ftm_schema_prop_type(ftm_schema_get("Family"), "relative"), FTM_ENTITY);
    assert_false(ftm_schema_matchable(ftm_schema_get("Directorship")));
    assert_null(ftm_schema_get("Dragon"));
    assert_true(ftm_schema_abstract(ftm_schema_get("Thing")));
    assert_false(ftm_schema_abstract(person));
    assert_true(ftm_schema_matchable(person));
    assert_false(ftm_schema_matchable(ftm_schema_get("Address")));
}

static void test_schema_props(void **state) {
    (void)state;
    const ftm_schema *person = ftm_schema_get("Person");
    assert_int_equal(ftm_schema_prop_type(person, "name"), FTM_NAME);          /* from Thing */
    assert_int_equal(ftm_schema_prop_type(person, "taxNumber"), FTM_IDENTIFIER); /* LegalEntity */
    assert_int_equal(ftm_schema_prop_type(person, "birthDate"), FTM_DATE);
    assert_int_equal(ftm_schema_prop_type(person, "nationality"), FTM_COUNTRY);
    assert_int_equal(ftm_schema_prop_type(person, "imoNumber"), -1);
    const ftm_schema *vessel = ftm_schema_get("Vessel");
    assert_int_equal(ftm_schema_prop_type(vessel, "imoNumber"), FTM_IDENTIFIER);
    assert_int_equal(ftm_schema_prop_type(vessel, "flag"), FTM_COUNTRY);
    assert_int_equal(ftm_schema_prop_type(vessel, "owner"), FTM_ENTITY); /* Vehicle */
    assert_int_equal(ftm_schema_prop_type(vessel, "amount"), FTM_NUMBER); /* Asset < Value */
    const ftm_schema *sanction = ftm_schema_get("Sanction");
    assert_int_equal(ftm_schema_prop_type(sanction, "entity"), FTM_ENTITY);
    assert_int_equal(ftm_schema_prop_type(sanction, "startDate"), FTM_DATE);
    assert_int_equal(ftm_schema_prop_type(sanction, "name"), -1); /* not a Thing */
    assert_int_equal(ftm_schema_prop_type(ftm_schema_get("UnknownLink"), "subject"), FTM_ENTITY);
    assert_int_equal(ftm_schema_prop_type(ftm_schema_get("Address"), "full"), FTM_ADDRESS);
    /* the flattened list is sorted, has no duplicates and agrees with the lookup */
    size_t n = ftm_schema_prop_count(person);
    assert_true(n > 60);
    const char *prev = "";
    for (size_t i = 0; i < n; i++) {
        int type;
        const char *p = ftm_schema_prop_at(person, i, &type);
        assert_true(strcmp(prev, p) < 0);
        assert_int_equal(ftm_schema_prop_type(person, p), type);
        prev = p;
    }
    assert_null(ftm_schema_prop_at(person, n, NULL));
    assert_string_equal(ftm_type_name(FTM_IDENTIFIER), "identifier");
    int k = 0;
    for (const char *const *s = ftm_schema_names(); *s; s++, k++) assert_non_null(ftm_schema_get(*s));
    assert_true(k >= 11);
}

static void test_entity_add(void **state) {
    (void)state;
    ftm_entity *e;
    pu_err err;
    assert_int_equal(ftm_entity_new("", "Person", &e, &err), PU_ERR_INVALID);
    assert_null(e);
    assert_int_equal(ftm_entity_new("x", "Persona", &e, &err), PU_ERR_INVALID);
    assert_non_null(strstr(err.msg, "Persona"));
    assert_int_equal(ftm_entity_new("x", "Thing", &e, &err), PU_ERR_INVALID);
    assert_int_equal(ftm_entity_new("ofac-1", "Person", &e, &err), PU_OK);
    assert_int_equal(ftm_entity_add(e, "name", "  Treviño Morales  ", &err), PU_OK);
    assert_int_equal(ftm_entity_add(e, "name", "Treviño Morales", &err), PU_OK); /* duplicate */
    assert_int_equal(ftm_entity_add(e, "name", "   ", &err), PU_OK);             /* blank */
    assert_int_equal(ftm_entity_add(e, "alias", "Z-40", &err), PU_OK);
    assert_int_equal(ftm_entity_add(e, "alias", "El Cuarenta", &err), PU_OK);
    assert_int_equal(ftm_entity_add(e, "imoNumber", "123", &err), PU_ERR_INVALID);
    assert_string_equal(err.field, "imoNumber");
    assert_int_equal(ftm_entity_add(e, "alias", "\xff\xfe", &err), PU_ERR_INVALID);
    const ftm_prop *p = ftm_entity_prop(e, "name");
    assert_non_null(p);
    assert_int_equal(p->n, 1);
    assert_string_equal(p->values[0], "Treviño Morales");
    assert_int_equal(ftm_entity_prop(e, "alias")->n, 2);
    assert_string_equal(ftm_entity_prop(e, "alias")->values[1], "El Cuarenta");
    assert_null(ftm_entity_prop(e, "birthDate"));
    assert_null(ftm_entity_first(e, "birthDate"));
    assert_string_equal(ftm_entity_caption(e), "Treviño Morales");
    char *big = malloc(70000);
    memset(big, 'a', 69999);
    big[69999] = 0;
    assert_int_equal(ftm_entity_add(e, "notes", big, &err), PU_ERR_LIMIT);
    free(big);
    ftm_entity *c;
    assert_int_equal(ftm_entity_clone(e, &c), PU_OK);
    ftm_entity_free(e);
    assert_string_equal(ftm_entity_first(c, "alias"), "Z-40");
    ftm_entity_free(c);
    ftm_entity_free(NULL);
}

static void test_caption_fallback(void **state) {
    (void)state;
    ftm_entity *a;
    assert_int_equal(ftm_entity_new("addr-1", "Address", &a, NULL), PU_OK);
    assert_string_equal(ftm_entity_caption(a), "addr-1");
    assert_int_equal(ftm_entity_add(a, "full", "Calle 5, Monterrey", NULL), PU_OK);
    assert_string_equal(ftm_entity_caption(a), "Calle 5, Monterrey");
    ftm_entity_free(a);
}

static void test_json_roundtrip(void **state) {
    (void)state;
    ftm_entity *e;
    assert_int_equal(ftm_entity_new("ofac-7", "Person", &e, NULL), PU_OK);
    assert_int_equal(ftm_entity_add(e, "name", "José \"Pepe\" O'Brien\\\n", NULL), PU_OK);
    assert_int_equal(ftm_entity_add(e, "notes", "tab\there\x01", NULL), PU_OK);
    assert_int_equal(ftm_entity_add(e, "birthDate", "1970", NULL), PU_OK);
    assert_int_equal(ftm_entity_add_dataset(e, "us_ofac_sdn"), PU_OK);
    assert_int_equal(ftm_entity_set(&e->owner, "OFAC"), PU_OK);
    assert_int_equal(ftm_entity_set(&e->marking, "PUBLIC"), PU_OK);
    assert_int_equal(ftm_entity_set(&e->first_seen, "2021-07-07T00:00:00Z"), PU_OK);
    char *js;
    assert_int_equal(ftm_entity_to_json(e, 1, &js), PU_OK);
    assert_non_null(strstr(js, "\"schema\":\"Person\""));
    assert_non_null(strstr(js, "\\\"Pepe\\\""));
    assert_non_null(strstr(js, "\\u0001"));
    assert_non_null(strstr(js, "\"owner\":\"OFAC\""));
    ftm_entity *back;
    pu_err err;
    assert_int_equal(ftm_entity_from_json(js, strlen(js), &back, &err), PU_OK);
    char *js2;
    assert_int_equal(ftm_entity_to_json(back, 1, &js2), PU_OK);
    assert_string_equal(js, js2);
    assert_string_equal(ftm_entity_first(back, "notes"), "tab\there\x01");
    assert_string_equal(back->owner, "OFAC");
    /* without the Puente fields */
    char *plain;
    assert_int_equal(ftm_entity_to_json(e, 0, &plain), PU_OK);
    assert_null(strstr(plain, "owner"));
    assert_non_null(strstr(plain, "first_seen"));
    free(js);
    free(js2);
    free(plain);
    ftm_entity_free(e);
    ftm_entity_free(back);
}

static void expect_bad(const char *js, const char *field) {
    ftm_entity *e = (ftm_entity *)1;
    pu_err err;
    pu_err_clear(&err);
    assert_int_equal(ftm_entity_from_json(js, strlen(js), &e, &err), PU_ERR_INVALID);
    assert_null(e);
    if (field) assert_string_equal(err.field, field);
}

static void test_json_errors(void **state) {
    (void)state;
    expect_bad("{", NULL);
    expect_bad("[]", NULL);
    expect_bad("{\"schema\":\"Person\"}", "id");
    expect_bad("{\"id\":\"a\"}", "schema");
    expect_bad("{\"id\":\"a\",\"schema\":\"Dragon\"}", "schema");
    expect_bad("{\"id\":\"a\",\"schema\":\"Person\",\"properties\":{\"imoNumber\":[\"1\"]}}", "imoNumber");
    expect_bad("{\"id\":\"a\",\"schema\":\"Person\",\"properties\":{\"name\":[1]}}", "name");
    expect_bad("{\"id\":\"a\",\"schema\":\"Person\",\"properties\":[]}", "properties");
    expect_bad("{\"id\":\"a\",\"schema\":\"Person\",\"datasets\":[3]}", "datasets");
    expect_bad("{\"id\":\"a\",\"schema\":\"Person\",\"owner\":5}", "owner");
    /* OpenSanctions extras are ignored; a bare string is one value */
    const char *ok = "{\"id\":\"NK-1\",\"caption\":\"X\",\"schema\":\"Organization\",\"referents\":[\"a\"],"
                     "\"target\":true,\"properties\":{\"name\":\"ACME S.A. DE C.V.\",\"country\":[\"mx\"]},"
                     "\"datasets\":[\"us_ofac_sdn\"],\"last_change\":\"2024\"}";
    ftm_entity *e;
    assert_int_equal(ftm_entity_from_json(ok, strlen(ok), &e, NULL), PU_OK);
    assert_string_equal(ftm_entity_first(e, "name"), "ACME S.A. DE C.V.");
    assert_string_equal(ftm_entity_first(e, "country"), "mx");
    assert_int_equal(e->ndatasets, 1);
    ftm_entity_free(e);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schema_inheritance), cmocka_unit_test(test_schema_props),
        cmocka_unit_test(test_entity_add),         cmocka_unit_test(test_caption_fallback),
        cmocka_unit_test(test_json_roundtrip),     cmocka_unit_test(test_json_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
