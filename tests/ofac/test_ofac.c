/*
 * Unit tests for src/ofac: remarks parsing on real rows of the bundled
 * 2021-07 SDN export (copied verbatim from data/ofac/sdn.csv), dates,
 * countries, and the import of the whole bundled set.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/pu_io.h"
#include "ofac/ofac.h"
#include "../test_store_uri.h"

/* The values a parse gave for prop (kind PROP or DOC), joined by "|". */
static const char *values(const ofac_remarks *r, const char *prop) {
    static char buf[1024];
    buf[0] = 0;
    for (size_t i = 0; i < r->n; i++) {
        if (!r->facts[i].prop || strcmp(r->facts[i].prop, prop) != 0) continue;
        if (r->facts[i].kind != OFAC_FACT_PROP && r->facts[i].kind != OFAC_FACT_DOC) continue;
        size_t n = strlen(buf);
        snprintf(buf + n, sizeof buf - n, "%s%s", n ? "|" : "", r->facts[i].value);
    }
    return buf;
}

static const ofac_fact *doc(const ofac_remarks *r, const char *label, int nth) {
    for (size_t i = 0; i < r->n; i++)
        if (r->facts[i].kind == OFAC_FACT_DOC && strcmp(r->facts[i].doc, label) == 0 && nth-- == 0) return &r->facts[i];
    return NULL;
}

static ofac_remarks *parse(const char *text) {
    ofac_remarks *r;
    pu_err err;
    assert_int_equal(ofac_remarks_parse(text, &r, &err), PU_OK);
    return r;
}

/* sdn.csv 9338, SDNTK: ARRIOLA MARQUEZ, Miguel Angel */
static void test_mexican_rfc_curp(void **state) {
    (void)state;
    ofac_remarks *r = parse("DOB 15 Dec 1967; POB Chihuahua, Mexico; nationality Mexico; citizen Mexico; "
                            "R.F.C. AIMM-671215-387 (Mexico); C.U.R.P. AIMM67125HCHRRG06 (Mexico) issued 1968.");
    assert_string_equal(values(r, "birthDate"), "1967-12-15");
    assert_string_equal(values(r, "birthPlace"), "Chihuahua, Mexico");
    assert_string_equal(values(r, "birthCountry"), "mx");
    assert_string_equal(values(r, "nationality"), "mx");
    assert_string_equal(values(r, "citizenship"), "mx");
    assert_string_equal(values(r, "taxNumber"), "AIMM-671215-387");
    assert_string_equal(values(r, "idNumber"), "AIMM67125HCHRRG06");
    const ofac_fact *curp = doc(r, "C.U.R.P.", 0);
    assert_non_null(curp);
    assert_string_equal(curp->country, "mx");
    assert_string_equal(curp->issued, "1968");
    assert_null(curp->expires);
    assert_string_equal(doc(r, "R.F.C.", 0)->country, "mx");
    assert_int_equal(r->unparsed, 0);
    ofac_remarks_free(r);
}

/* sdn.csv 9339 (alt. DOB) and 9391 (three-part POB), SDNTK */
static void test_mexican_alt_dob(void **state) {
    (void)state;
    ofac_remarks *r = parse("DOB 06 Nov 1968; alt. DOB 11 Jun 1968; POB Chihuahua, Mexico; nationality Mexico; "
                            "citizen Mexico; R.F.C. AIMO-681106-9F7 (Mexico); C.U.R.P. AIMO681106HCHRRS01 (Mexico) "
                            "issued 1969.");
    assert_string_equal(values(r, "birthDate"), "1968-11-06|1968-06-11");
    assert_string_equal(values(r, "taxNumber"), "AIMO-681106-9F7");
    assert_string_equal(values(r, "idNumber"), "AIMO681106HCHRRS01");
    ofac_remarks_free(r);
    r = parse("DOB 05 Aug 1950; POB Tijuana, Baja California, Mexico; C.U.R.P. SOGY500805MBCTLL15 (Mexico).");
    assert_string_equal(values(r, "birthPlace"), "Tijuana, Baja California, Mexico");
    assert_string_equal(values(r, "birthCountry"), "mx");
    assert_string_equal(values(r, "idNumber"), "SOGY500805MBCTLL15");
    ofac_remarks_free(r);
}

/* sdn.csv 11748 (circa range), 15962 (whole-year range), 9957 (cedula, electoral) */
static void test_dates_and_documents(void **state) {
    (void)state;
    ofac_remarks *r = parse("nationality Somalia; DOB circa 1979-1982; alt. DOB 1982; a.k.a. 'MUSCAB, Abu'; "
                            "a.k.a. 'QORGAB'.");
    assert_string_equal(values(r, "birthDate"), "1979|1980|1981|1982|1982");
    assert_string_equal(values(r, "nationality"), "so");
    assert_string_equal(values(r, "weakAlias"), "MUSCAB, Abu|QORGAB");
    ofac_remarks_free(r);
    r = parse("DOB 01 Jan 1961 to 31 Dec 1962; nationality Iran; Additional Sanctions Information - Subject to "
              "Secondary Sanctions; Passport U14624657 (Iran); Gender Male.");
    assert_string_equal(values(r, "birthDate"), "1961|1962");
    assert_string_equal(values(r, "passportNumber"), "U14624657");
    assert_string_equal(values(r, "gender"), "male");
    assert_string_equal(doc(r, "Passport", 0)->country, "ir");
    int provisions = 0;
    for (size_t i = 0; i < r->n; i++) provisions += r->facts[i].kind == OFAC_FACT_PROVISION;
    assert_int_equal(provisions, 1);
    ofac_remarks_free(r);
    r = parse("DOB Mar 1962 to Feb 1963; DOB circa 07 Jul 1966");
    assert_string_equal(values(r, "birthDate"), "1962-03|1963-02|1966-07-07");
    ofac_remarks_free(r);
    r = parse("DOB 09 Apr 1949; POB Frontino, Antioquia, Colombia; Cedula No. 171493523-4 (Ecuador); alt. Cedula "
              "No. 19104578 (Colombia); Passport PO16104 (Colombia); Electoral Registry No. 22942118 (Venezuela); "
              "a.k.a. 'CAMPOS, Arturo'; a.k.a. 'GONZALEZ, Ricardo'; a.k.a. 'GALLOPINTO'.");
    assert_string_equal(values(r, "idNumber"), "171493523-4|19104578|22942118");
    assert_string_equal(doc(r, "Cedula No.", 0)->country, "ec");
    assert_string_equal(doc(r, "Cedula No.", 1)->country, "co");
    assert_string_equal(doc(r, "Electoral Registry No.", 0)->country, "ve");
    assert_string_equal(values(r, "weakAlias"), "CAMPOS, Arturo|GONZALEZ, Ricardo|GALLOPINTO");
    ofac_remarks_free(r);
    /* sdn.csv 6944: issued and expires */
    r = parse("DOB 1969; alt. DOB 1963; alt. DOB 11 Feb 1964; POB Al-Medinah, Saudi Arabia; nationality Saudi "
              "Arabia; Passport B 960789; alt. Passport G 649385 issued 08 Sep 2006 expires 17 Jul 2011.");
    const ofac_fact *p = doc(r, "Passport", 1);
    assert_string_equal(p->value, "G 649385");
    assert_string_equal(p->issued, "2006-09-08");
    assert_string_equal(p->expires, "2011-07-17");
    assert_null(doc(r, "Passport", 0)->country);
    assert_string_equal(values(r, "nationality"), "sa");
    ofac_remarks_free(r);
}

/* sdn.csv 15036 (vessel), 15431 (aircraft), 10933 (web), 12096 (folio mercantil) */
static void test_vessels_aircraft_contacts(void **state) {
    (void)state;
    ofac_remarks *r = parse("Former Vessel Flag Malta; alt. Former Vessel Flag Tuvalu; alt. Former Vessel Flag None "
                            "Identified; alt. Former Vessel Flag Tanzania; Additional Sanctions Information - "
                            "Subject to Secondary Sanctions; Vessel Registration Identification IMO 9187629; MMSI "
                            "572469210; f.k.a. 'ALPHA'; Linked To: NATIONAL IRANIAN TANKER COMPANY.");
    assert_string_equal(values(r, "pastFlags"), "mt|tv|tz");
    assert_string_equal(values(r, "imoNumber"), "IMO9187629");
    assert_string_equal(values(r, "mmsi"), "572469210");
    assert_string_equal(values(r, "previousName"), "ALPHA");
    const ofac_fact *link = NULL;
    for (size_t i = 0; i < r->n; i++)
        if (r->facts[i].kind == OFAC_FACT_LINK) link = &r->facts[i];
    assert_non_null(link);
    assert_null(link->prop);
    assert_string_equal(link->value, "NATIONAL IRANIAN TANKER COMPANY");
    assert_int_equal(r->unparsed, 1); /* "Former Vessel Flag None Identified" */
    ofac_remarks_free(r);
    r = parse("Aircraft Construction Number (also called L/N or S/N or F/N) 8401; Aircraft Manufacture Date 1992; "
              "Aircraft Model IL76-TD; Aircraft Operator YAS AIR; Aircraft Manufacturer's Serial Number (MSN) "
              "1023409321; Linked To: POUYA AIR.");
    assert_string_equal(values(r, "serialNumber"), "8401|1023409321");
    assert_string_equal(values(r, "buildDate"), "1992");
    assert_string_equal(values(r, "model"), "IL76-TD");
    ofac_remarks_free(r);
    r = parse("Website www.ramakdutyfree.net; Email Address dam.d.free@net.sy.");
    assert_string_equal(values(r, "website"), "www.ramakdutyfree.net");
    assert_string_equal(values(r, "email"), "dam.d.free@net.sy");
    ofac_remarks_free(r);
    r = parse("Folio Mercantil No. 343997 (Mexico) issued 14 Dec 2005.");
    assert_string_equal(values(r, "registrationNumber"), "343997");
    assert_string_equal(doc(r, "Folio Mercantil No.", 0)->issued, "2005-12-14");
    ofac_remarks_free(r);
}

static void test_garbage(void **state) {
    (void)state;
    ofac_remarks *r = parse("");
    assert_int_equal(r->n, 0);
    ofac_remarks_free(r);
    r = parse(";;; DOB ; DOB 32 Dec 1967; DOB 1967 to; Passport ; nationality Atlantis; Gender X; weird stuff.");
    assert_int_equal(r->n, 0);
    assert_int_equal(r->unparsed, 7);
    ofac_remarks_free(r);
    char d[16];
    assert_int_equal(ofac_parse_date("15 Dec 1967", d, sizeof d), PU_OK);
    assert_string_equal(d, "1967-12-15");
    assert_int_equal(ofac_parse_date("Sep 1938", d, sizeof d), PU_OK);
    assert_string_equal(d, "1938-09");
    assert_int_equal(ofac_parse_date("29 Feb 1967", d, sizeof d), PU_OK); /* OFAC's day; not a calendar check */
    assert_int_equal(ofac_parse_date("1967 Dec 15", d, sizeof d), PU_ERR_INVALID);
    assert_int_equal(ofac_parse_date("abcd", d, sizeof d), PU_ERR_INVALID);
    assert_int_equal(ofac_parse_date("", d, sizeof d), PU_ERR_INVALID);
}

static void test_countries(void **state) {
    (void)state;
    assert_string_equal(ofac_country_code("Mexico"), "mx");
    assert_string_equal(ofac_country_code("Korea, North"), "kp");
    assert_string_equal(ofac_country_code("Burma"), "mm");
    assert_string_equal(ofac_country_code("Bahamas, The"), "bs");
    assert_string_equal(ofac_country_code("Congo, Democratic Republic of the"), "cd");
    assert_string_equal(ofac_country_code("Bosnia and Herzegovina"), "ba");
    assert_string_equal(ofac_country_code("Cote d Ivoire"), "ci");
    assert_string_equal(ofac_country_code("united states"), "us");
    assert_null(ofac_country_code("Atlantis"));
    assert_null(ofac_country_code(""));
    assert_true(ofac_country_none("None Identified"));
    assert_false(ofac_country_none("Mexico"));
}

/* The whole bundled export: the counts the issue names, and every alt name attached. */
static int has_value(const ftm_entity *e, const char *prop, const char *v) {
    const ftm_prop *p = ftm_entity_prop(e, prop);
    for (size_t i = 0; p && i < p->n; i++)
        if (strcmp(p->values[i], v) == 0) return 1;
    return 0;
}

/* Every row of alt.csv is on its entity, under the property its type maps to. */
static int64_t check_alt_names(store_t *st, const char *dir) {
    char path[4200];
    snprintf(path, sizeof path, "%s/alt.csv", dir);
    pu_csv *r;
    assert_int_equal(pu_csv_open(path, NULL, &r, NULL), PU_OK);
    const pu_csv_row *row;
    int64_t found = 0, rows = 0;
    while (pu_csv_next(r, &row, NULL) == PU_OK && row) {
        rows++;
        char id[64], name[1024];
        snprintf(id, sizeof id, "ofac-%s", row->fields[0]);
        pu_strlcpy(name, row->fields[3], sizeof name);
        pu_trim(name);
        const char *prop = strstr(row->fields[2], "fka") ? "previousName" : strstr(row->fields[2], "nka") ? "name" : "alias";
        ftm_entity *e;
        if (store_get(st, STORE_SYSTEM, id, &e, NULL) == PU_OK) {
            found += has_value(e, prop, name);
            ftm_entity_free(e);
        }
    }
    pu_csv_close(r);
    assert_int_equal(rows, 11910);
    return found;
}

static void test_import_bundled(void **state) {
    (void)state;
    const char *src = getenv("PUENTE_SRC");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/data/ofac", src ? src : ".");
    store_t *st;
    pu_err err;
    assert_int_equal(store_open(test_store_uri(), &st, &err), PU_OK);
    store_summary sum;
    store_summary_init(&sum);
    int rc = ofac_import_dir(st, dir, NULL, &sum, &err);
    if (rc) pu_err_print(&err);
    assert_int_equal(rc, PU_OK);
    assert_int_equal(sum.rejected, 0);
    int64_t n;
    store_query q = {.schema = "Person"};
    assert_int_equal(store_count(st, STORE_SYSTEM, &q, &n, &err), PU_OK);
    assert_int_equal(n, 4620);
    q.schema = "Organization";
    assert_int_equal(store_count(st, STORE_SYSTEM, &q, &n, &err), PU_OK);
    assert_int_equal(n, 3673);
    q.schema = "Vessel";
    assert_int_equal(store_count(st, STORE_SYSTEM, &q, &n, &err), PU_OK);
    assert_int_equal(n, 406);
    q.schema = "Airplane";
    assert_int_equal(store_count(st, STORE_SYSTEM, &q, &n, &err), PU_OK);
    assert_int_equal(n, 277);
    q.schema = "Sanction";
    assert_int_equal(store_count(st, STORE_SYSTEM, &q, &n, &err), PU_OK);
    assert_int_equal(n, 8976);
    assert_int_equal(check_alt_names(st, dir), 11910);
    /* a Mexican SDNTK entry end to end, and a resolved "Linked To" */
    ftm_entity *e;
    assert_int_equal(store_get(st, STORE_SYSTEM, "ofac-9338", &e, &err), PU_OK);
    assert_string_equal(ftm_entity_first(e, "taxNumber"), "AIMM-671215-387");
    assert_string_equal(ftm_entity_first(e, "lastName"), "ARRIOLA MARQUEZ");
    assert_string_equal(e->owner, "OFAC");
    assert_string_equal(e->datasets[0], "us_ofac_sdn");
    ftm_entity_free(e);
    assert_int_equal(store_get(st, STORE_SYSTEM, "ofac-15036-link-1", &e, &err), PU_OK);
    assert_string_equal(ftm_entity_first(e, "subject"), "ofac-15036");
    const char *obj = ftm_entity_first(e, "object");
    ftm_entity *other;
    assert_int_equal(store_get(st, STORE_SYSTEM, obj, &other, &err), PU_OK);
    assert_string_equal(ftm_entity_first(other, "name"), "NATIONAL IRANIAN TANKER COMPANY");
    ftm_entity_free(other);
    ftm_entity_free(e);
    assert_int_equal(store_get(st, STORE_SYSTEM, "ofac-9338-sanction", &e, &err), PU_OK);
    assert_string_equal(ftm_entity_first(e, "program"), "SDNTK");
    assert_string_equal(ftm_entity_first(e, "entity"), "ofac-9338");
    ftm_entity_free(e);
    store_summary_free(&sum);
    store_close(st);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mexican_rfc_curp),        cmocka_unit_test(test_mexican_alt_dob),
        cmocka_unit_test(test_dates_and_documents),     cmocka_unit_test(test_vessels_aircraft_contacts),
        cmocka_unit_test(test_garbage),                 cmocka_unit_test(test_countries),
        cmocka_unit_test(test_import_bundled),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
