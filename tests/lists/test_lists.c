/*
 * test_lists.c - unit tests of src/lists and the designated scope of
 * src/screen: parsers on in-memory exports, refusals, the content hash, a
 * load and its delta on an in-memory store, the scope rule on an index.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <unistd.h>

#include "lists/lists.h"
#include "screen/screen.h"

static lists_source src_of(const char *format) {
    lists_source s;
    memset(&s, 0, sizeof s);
    pu_strlcpy(s.name, "t", sizeof s.name);
    pu_strlcpy(s.format, format, sizeof s.format);
    pu_strlcpy(s.dataset, "t", sizeof s.dataset);
    pu_strlcpy(s.topics, "sanction", sizeof s.topics);
    s.shrink = LISTS_SHRINK_DEFAULT;
    return s;
}

static const ftm_entity *find(const lists_parsed *p, const char *id) {
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->ents[i]->id, id) == 0) return p->ents[i];
    return NULL;
}

static const char UN[] =
    "<CONSOLIDATED_LIST dateGenerated=\"2024-11-27T10:00:04-05:00\"><INDIVIDUALS><INDIVIDUAL>"
    "<DATAID>1</DATAID><FIRST_NAME>AYMAN</FIRST_NAME><SECOND_NAME>AL-ZAWAHIRI</SECOND_NAME>"
    "<UN_LIST_TYPE>Al-Qaida</UN_LIST_TYPE><REFERENCE_NUMBER>QDi.006</REFERENCE_NUMBER>"
    "<INDIVIDUAL_ALIAS><QUALITY>Low</QUALITY><ALIAS_NAME>Abu Mohammed</ALIAS_NAME></INDIVIDUAL_ALIAS>"
    "<INDIVIDUAL_DATE_OF_BIRTH><DATE>1951-06-19</DATE></INDIVIDUAL_DATE_OF_BIRTH>"
    "</INDIVIDUAL></INDIVIDUALS><ENTITIES></ENTITIES></CONSOLIDATED_LIST>";

static void test_un_parse(void **state) {
    (void)state;
    lists_source s = src_of("un_xml");
    lists_parsed *p = NULL;
    pu_err err;
    assert_int_equal(lists_parse_mem(&s, UN, strlen(UN), &p, &err), PU_OK);
    assert_string_equal(p->published, "2024-11-27");
    assert_int_equal(p->records, 1);
    const ftm_entity *e = find(p, "t-QDi.006");
    assert_non_null(e);
    assert_string_equal(ftm_entity_first(e, "name"), "AYMAN AL-ZAWAHIRI");
    assert_string_equal(ftm_entity_first(e, "weakAlias"), "Abu Mohammed");
    assert_string_equal(ftm_entity_first(e, "birthDate"), "1951-06-19");
    assert_string_equal(ftm_entity_first(e, "topics"), "sanction");
    const ftm_entity *sn = find(p, "t-QDi.006-sanction");
    assert_non_null(sn);
    assert_string_equal(ftm_entity_first(sn, "entity"), "t-QDi.006");
    assert_string_equal(ftm_entity_first(sn, "program"), "Al-Qaida");
    lists_parsed_free(p);
}

static void test_refusals(void **state) {
    (void)state;
    lists_source s = src_of("un_xml");
    lists_parsed *p = NULL;
    pu_err err;
    /* every cut of the export is refused: not well-formed */
    for (size_t n = 1; n < sizeof UN - 1; n += 13) {
        assert_int_equal(lists_parse_mem(&s, UN, n, &p, &err), PU_ERR_INVALID);
        assert_null(p);
    }
    static const char empty[] = "<CONSOLIDATED_LIST><INDIVIDUALS/></CONSOLIDATED_LIST>";
    assert_int_equal(lists_parse_mem(&s, empty, strlen(empty), &p, &err), PU_ERR_INVALID);
    assert_string_equal(err.field, "records");
    static const char wrong[] = "<sdnList/>";
    assert_int_equal(lists_parse_mem(&s, wrong, strlen(wrong), &p, &err), PU_ERR_INVALID);
    assert_string_equal(err.field, "root");
    lists_source o = src_of("ofac_xml");
    static const char count[] =
        "<sdnList><publshInformation><Publish_Date>11/28/2024</Publish_Date><Record_Count>2</Record_Count>"
        "</publshInformation><sdnEntry><uid>1</uid><lastName>ACME</lastName><sdnType>Entity</sdnType>"
        "</sdnEntry></sdnList>";
    assert_int_equal(lists_parse_mem(&o, count, strlen(count), &p, &err), PU_ERR_INVALID);
    assert_non_null(strstr(err.msg, "declares 2 records but holds 1"));
    lists_source u = src_of("uk_csv");
    static const char cut[] = "Last Updated,28/11/2024\nName 6,Name 1,Group Type,Alias Type,Group ID\n"
                              "PUTIN,Vladimir,Individual,Primary name,1\nWAGNER,,Ent";
    assert_int_equal(lists_parse_mem(&u, cut, strlen(cut), &p, &err), PU_ERR_INVALID);
    assert_non_null(strstr(err.msg, "cut off"));
    size_t whole = (size_t)(strstr(cut, "WAGNER") - cut); /* cut at a line end: the lines before load */
    assert_int_equal(lists_parse_mem(&u, cut, whole, &p, &err), PU_OK);
    assert_string_equal(p->published, "2024-11-28");
    assert_string_equal(ftm_entity_first(find(p, "t-1"), "name"), "Vladimir PUTIN");
    lists_parsed_free(p);
}

static void test_hash_order(void **state) {
    (void)state;
    ftm_entity *a, *b;
    pu_err err;
    assert_int_equal(ftm_entity_new("x", "Person", &a, &err), PU_OK);
    assert_int_equal(ftm_entity_new("x", "Person", &b, &err), PU_OK);
    ftm_entity_add(a, "name", "Ana", &err);
    ftm_entity_add(a, "alias", "B", &err);
    ftm_entity_add(a, "alias", "A", &err);
    ftm_entity_add(b, "alias", "A", &err);
    ftm_entity_add(b, "alias", "B", &err);
    ftm_entity_add(b, "name", "Ana", &err);
    char ha[65], hb[65];
    assert_int_equal(lists_entity_hash(a, ha), PU_OK);
    assert_int_equal(lists_entity_hash(b, hb), PU_OK);
    assert_string_equal(ha, hb); /* order does not matter */
    ftm_entity_add(b, "birthDate", "1960", &err);
    assert_int_equal(lists_entity_hash(b, hb), PU_OK);
    assert_string_not_equal(ha, hb); /* content does */
    ftm_entity_free(a);
    ftm_entity_free(b);
}

typedef struct ch {
    char got[512];
} ch;
static int on_change(const lists_change *c, void *ctx) {
    ch *x = ctx;
    size_t n = strlen(x->got);
    snprintf(x->got + n, sizeof x->got - n, "%s:%s;", c->change, c->entity_id);
    return 0;
}

static void test_load_delta(void **state) {
    (void)state;
    store_t *st;
    pu_err err;
    assert_int_equal(store_open(":memory:", &st, &err), PU_OK);
    assert_int_equal(lists_migrate(store_db(st), &err), PU_OK);
    lists_source s = src_of("generic_csv");
    lists_parsed *p1 = NULL, *p2 = NULL;
    char map[] = "/tmp/test-lists-map-XXXXXX";
    int fd = mkstemp(map);
    assert_true(fd >= 0);
    static const char m[] = "id = id\nname = name\nschema_default = Person\n";
    assert_int_equal(write(fd, m, sizeof m - 1), (ssize_t)(sizeof m - 1));
    close(fd);
    pu_strlcpy(s.mapping, map, sizeof s.mapping);
    static const char v1[] = "id,name\na,Ana Ruiz\nb,Beto Lopez\nc,Carla Diaz\n";
    static const char v2[] = "id,name\na,Ana Ruiz\nb,Roberto Lopez\nd,Dora Paz\n";
    assert_int_equal(lists_parse_mem(&s, v1, strlen(v1), &p1, &err), PU_OK);
    assert_int_equal(lists_parse_mem(&s, v2, strlen(v2), &p2, &err), PU_OK);
    lists_version a, b;
    assert_int_equal(lists_load(st, &s, p1, "", 0, &a, &err), PU_OK);
    assert_int_equal(a.added, 6); /* three records and their Sanctions */
    assert_int_equal(lists_load(st, &s, p2, "", 0, &b, &err), PU_OK);
    assert_int_equal(b.added, 2);
    assert_int_equal(b.removed, 2);
    assert_int_equal(b.changed, 1);
    ch x = {""};
    assert_int_equal(lists_diff(store_db(st), 0, b.id, on_change, &x, &err), PU_OK);
    assert_string_equal(x.got, "changed:t-b;removed:t-c;removed:t-c-sanction;added:t-d;added:t-d-sanction;");
    lists_version c;
    assert_int_equal(lists_load(st, &s, p1, "", 0, &c, &err), PU_OK); /* back to v1 */
    x.got[0] = 0;
    assert_int_equal(lists_diff(store_db(st), a.id, c.id, on_change, &x, &err), PU_OK);
    assert_string_equal(x.got, ""); /* changed back: no change */
    assert_int_equal(lists_diff(store_db(st), c.id, a.id, on_change, &x, &err), PU_ERR_INVALID);
    unlink(map);
    lists_parsed_free(p1);
    lists_parsed_free(p2);
    store_close(st);
}

static void test_scope_parse(void **state) {
    (void)state;
    screen_scope_owned o;
    pu_err err;
    assert_int_equal(screen_scope_parse(NULL, "", &o, &err), PU_OK);
    assert_true(screen_scope_is_default(&o.s));
    assert_int_equal(screen_scope_parse("all", NULL, &o, &err), PU_OK);
    assert_true(o.s.all);
    assert_int_equal(screen_scope_parse(" crime , wanted", "un_sc", &o, &err), PU_OK);
    assert_string_equal(o.s.topics[0], "crime");
    assert_string_equal(o.s.topics[1], "wanted");
    assert_null(o.s.topics[2]);
    assert_string_equal(o.s.datasets[0], "un_sc");
    assert_int_equal(screen_scope_parse("a,,b", NULL, &o, &err), PU_ERR_INVALID);
    assert_string_equal(err.field, "scope_topics");
}

static ftm_entity *ent(const char *id, const char *name, const char *topic, const char *ds) {
    ftm_entity *e;
    pu_err err;
    assert_int_equal(ftm_entity_new(id, "Company", &e, &err), PU_OK);
    ftm_entity_add(e, "name", name, &err);
    if (topic) ftm_entity_add(e, "topics", topic, &err);
    ftm_entity_add_dataset(e, ds);
    return e;
}

static int matched(const screen_index *ix, const screen_scope *sc, const char *id) {
    const char *names[] = {"Cartel de Jalisco Nueva Generacion"};
    screen_query q = {.names = names, .nnames = 1};
    screen_params p = {.designated = sc};
    screen_result *r;
    pu_err err;
    assert_int_equal(screen_run(ix, &q, &p, &r, &err), PU_OK);
    int hit = 0;
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->matches[i].entity_id, id) == 0 && r->matches[i].match) hit = 1;
    screen_result_free(r);
    return hit;
}

static void test_scope_rule(void **state) {
    (void)state;
    ftm_entity *e[4];
    e[0] = ent("list-1", "CARTEL DE JALISCO NUEVA GENERACION", "sanction", "us_ofac");
    e[1] = ent("dea-own", "CARTEL DE JALISCO NUEVA GENERACION", NULL, "dea_cases");
    e[2] = ent("crime-1", "CARTEL DE JALISCO NUEVA GENERACION", "crime", "mx_fgr");
    /* designated by a Sanction entity (FtM), without a topic */
    e[3] = ent("old-1", "CARTEL DE JALISCO NUEVA GENERACION", NULL, "legacy");
    ftm_entity *sn;
    pu_err err;
    assert_int_equal(ftm_entity_new("old-1-sanction", "Sanction", &sn, &err), PU_OK);
    ftm_entity_add(sn, "entity", "old-1", &err);
    ftm_entity_add(sn, "program", "SDNTK", &err);
    const ftm_entity *all[5] = {e[0], e[1], e[2], e[3], sn};
    screen_index *ix;
    assert_int_equal(screen_index_from_entities(all, 5, NULL, &ix, &err), PU_OK);
    assert_true(matched(ix, SCREEN_SCOPE_DEFAULT, "list-1"));
    assert_false(matched(ix, SCREEN_SCOPE_DEFAULT, "dea-own"));
    assert_false(matched(ix, SCREEN_SCOPE_DEFAULT, "crime-1"));
    assert_true(matched(ix, SCREEN_SCOPE_DEFAULT, "old-1"));
    assert_true(matched(ix, NULL, "dea-own")); /* no scope: every entity (tips, compare) */
    screen_scope_owned o;
    assert_int_equal(screen_scope_parse("crime", NULL, &o, &err), PU_OK);
    assert_true(matched(ix, &o.s, "crime-1"));
    assert_false(matched(ix, &o.s, "list-1"));
    assert_int_equal(screen_scope_parse(NULL, "mx_fgr,us_ofac", &o, &err), PU_OK);
    assert_true(matched(ix, &o.s, "crime-1"));
    assert_true(matched(ix, &o.s, "list-1"));
    assert_false(matched(ix, &o.s, "old-1"));
    screen_index_free(ix);
    for (int i = 0; i < 4; i++) ftm_entity_free(e[i]);
    ftm_entity_free(sn);
}

/* ---- the UK's two XML publications (uk_xml) ---- */

static const char UKSL[] =
    "<?xml version=\"1.0\"?>\n<Designations>\n<DateGenerated>2024-11-28T09:15:02</DateGenerated>\n"
    "<Designation><LastUpdated>2024-11-28T00:00:00</LastUpdated><DateDesignated>2022-02-26T00:00:00</DateDesignated>"
    "<UniqueID>RUS0251</UniqueID><Names>"
    "<Name><Name1>Vladimir</Name1><Name2>Vladimirovich</Name2><Name6>PUTIN</Name6><NameType>Primary Name</NameType></Name>"
    "<Name><Name6>POUTINE</Name6><NameType>Alias</NameType><AliasStrength>Low quality</AliasStrength></Name>"
    "</Names><RegimeName>Russia</RegimeName><IndividualEntityShip>Individual</IndividualEntityShip>"
    "<IndividualDetails><Individual><DOBs><DOB>07/10/1952</DOB></DOBs>"
    "<Nationalities><Nationality>Russia</Nationality></Nationalities>"
    "<PassportDetails><PassportDetail><PassportNumber>P123</PassportNumber></PassportDetail></PassportDetails>"
    "<Genders><Gender>Male</Gender></Genders></Individual></IndividualDetails></Designation>\n"
    "<Designation><UniqueID>RUS1921</UniqueID><Names><Name><Name6>NS LEADER</Name6><NameType>Primary Name</NameType>"
    "</Name></Names><RegimeName>Russia</RegimeName><IndividualEntityShip>Ship</IndividualEntityShip>"
    "<ShipDetails><Ship><IMONumbers><IMONumber>9339301</IMONumber></IMONumbers></Ship></ShipDetails></Designation>\n"
    "<Designation><UniqueID>  </UniqueID><Names><Name><Name6>NO ID</Name6></Name></Names></Designation>\n"
    "</Designations>\n";

static const char OFSI[] =
    "<ArrayOfFinancialSanctionsTarget xmlns=\"http://schemas.hmtreasury.gov.uk/ofsi/consolidatedlist\">\n"
    "<FinancialSanctionsTarget><Name6>PUTIN</Name6><Name1>Vladimir</Name1><DOB>07/10/1952</DOB>"
    "<GroupTypeDescription>Individual</GroupTypeDescription><AliasType>Primary name</AliasType>"
    "<RegimeName>Russia</RegimeName><LastUpdated>2024-11-28T00:00:00</LastUpdated><GroupID>14810</GroupID>"
    "</FinancialSanctionsTarget>\n"
    "<FinancialSanctionsTarget><Name6>PMC WAGNER</Name6><GroupTypeDescription>Entity</GroupTypeDescription>"
    "<AliasType>AKA</AliasType><AliasQuality>Low quality</AliasQuality><RegimeName>Russia</RegimeName>"
    "<LastUpdated>2024-02-23T00:00:00</LastUpdated><GroupID>14860</GroupID></FinancialSanctionsTarget>\n"
    "<FinancialSanctionsTarget><Name6>POUTINE</Name6><Name1>Vladimir</Name1>"
    "<GroupTypeDescription>Individual</GroupTypeDescription><AliasType>AKA</AliasType>"
    "<AliasQuality>Good quality</AliasQuality><GroupID>14810</GroupID></FinancialSanctionsTarget>\n"
    "<FinancialSanctionsTarget><Name6>WAGNER GROUP</Name6><GroupTypeDescription>Entity</GroupTypeDescription>"
    "<AliasType>Primary name</AliasType><GroupID>14860</GroupID></FinancialSanctionsTarget>\n"
    "<FinancialSanctionsTarget><Name6>NO GROUP</Name6></FinancialSanctionsTarget>\n"
    "</ArrayOfFinancialSanctionsTarget>\n";

static int has_value(const ftm_entity *e, const char *prop, const char *v) {
    const ftm_prop *p = e ? ftm_entity_prop(e, prop) : NULL;
    for (size_t i = 0; p && i < p->n; i++)
        if (strcmp(p->values[i], v) == 0) return 1;
    return 0;
}

static void test_uk_xml(void **state) {
    (void)state;
    lists_source s = src_of("uk_xml");
    lists_parsed *p = NULL;
    pu_err err;
    assert_int_equal(lists_parse_mem(&s, UKSL, strlen(UKSL), &p, &err), PU_OK);
    assert_string_equal(p->published, "2024-11-28");
    assert_int_equal(p->records, 2);
    assert_int_equal(p->rejected, 1); /* the record without a UniqueID, named with its line */
    assert_non_null(strstr(p->note, ":6"));
    assert_non_null(strstr(p->note, "UniqueID"));
    const ftm_entity *e = find(p, "t-RUS0251");
    assert_non_null(e);
    assert_string_equal(e->schema, "Person");
    assert_string_equal(ftm_entity_first(e, "name"), "Vladimir Vladimirovich PUTIN");
    assert_string_equal(ftm_entity_first(e, "lastName"), "PUTIN");
    assert_string_equal(ftm_entity_first(e, "weakAlias"), "POUTINE");
    assert_string_equal(ftm_entity_first(e, "birthDate"), "1952-10-07");
    assert_string_equal(ftm_entity_first(e, "nationality"), "ru");
    assert_string_equal(ftm_entity_first(e, "passportNumber"), "P123");
    assert_string_equal(ftm_entity_first(e, "gender"), "male");
    assert_string_equal(ftm_entity_first(e, "topics"), "sanction");
    const ftm_entity *sn = find(p, "t-RUS0251-sanction");
    assert_string_equal(ftm_entity_first(sn, "program"), "Russia");
    assert_string_equal(ftm_entity_first(sn, "listingDate"), "2022-02-26");
    const ftm_entity *v = find(p, "t-RUS1921");
    assert_string_equal(v->schema, "Vessel");
    assert_string_equal(ftm_entity_first(v, "imoNumber"), "9339301");
    lists_parsed_free(p);

    /* OFSI: rows of one GroupID, not adjacent, make one target */
    assert_int_equal(lists_parse_mem(&s, OFSI, strlen(OFSI), &p, &err), PU_OK);
    assert_int_equal(p->records, 2);
    assert_int_equal(p->rejected, 1);
    assert_non_null(strstr(p->note, "GroupID"));
    assert_string_equal(p->published, "2024-11-28"); /* no file date: the newest entry */
    e = find(p, "t-14810");
    assert_string_equal(ftm_entity_first(e, "name"), "Vladimir PUTIN");
    assert_true(has_value(e, "alias", "Vladimir POUTINE"));
    const ftm_entity *w = find(p, "t-14860");
    assert_string_equal(w->schema, "Organization");
    assert_string_equal(ftm_entity_first(w, "name"), "WAGNER GROUP"); /* the primary name, listed after its alias */
    assert_true(has_value(w, "weakAlias", "PMC WAGNER"));
    lists_parsed_free(p);

    /* refusals: every cut is not well-formed; another publisher's root is named */
    for (size_t n = 1; n < sizeof UKSL - 20; n += 97) {
        p = NULL;
        assert_int_equal(lists_parse_mem(&s, UKSL, n, &p, &err), PU_ERR_INVALID);
        assert_null(p);
        assert_non_null(strchr(err.where, ':')); /* file:line */
    }
    assert_int_equal(lists_parse_mem(&s, UN, strlen(UN), &p, &err), PU_ERR_INVALID);
    assert_string_equal(err.field, "root");
    assert_non_null(strstr(err.msg, "Designations|ArrayOfFinancialSanctionsTarget"));
    static const char none[] = "<Designations><DateGenerated>2024-11-28</DateGenerated></Designations>";
    assert_int_equal(lists_parse_mem(&s, none, strlen(none), &p, &err), PU_ERR_INVALID);
    assert_string_equal(err.field, "records"); /* an empty export is refused */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uk_xml),
        cmocka_unit_test(test_un_parse),    cmocka_unit_test(test_refusals),   cmocka_unit_test(test_hash_order),
        cmocka_unit_test(test_load_delta),  cmocka_unit_test(test_scope_parse), cmocka_unit_test(test_scope_rule),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
