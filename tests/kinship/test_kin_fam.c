/* Familias 3 import (kin_fam.h, docs/kinship.md "Familias import"): the
 * hand-written fixture data/kinship/familias_case_example.fam is read as the
 * documented layout says; its conversion gives the same LR as the same case
 * written by hand in the kinship CSV formats; the import into the case
 * database is all or nothing; every refusal names file:line and the field.
 * Runs on SQLite and PostgreSQL (test_store_uri). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app/app.h"
#include "kinship/kin_fam.h"
#include "../test_store_uri.h"

static char *slurp(const char *rel, size_t *len) {
    const char *src = getenv("PUENTE_SRC");
    char p[1024];
    snprintf(p, sizeof p, "%s/data/kinship/%s", src ? src : ".", rel);
    FILE *f = fopen(p, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = 0;
    fclose(f);
    *len = (size_t)n;
    return s;
}

/* The fixture's case written by hand in the kinship formats. */
static const char *H_FREQS = "marker,allele,frequency\n"
    "D3S1358,14,0.1\nD3S1358,15,0.25\nD3S1358,16,0.3\nD3S1358,17,0.2\nD3S1358,18,0.15\n"
    "VWA,15,0.1\nVWA,16,0.2\nVWA,17,0.3\nVWA,18,0.25\nVWA,19,0.15\n"
    "FGA,20,0.15\nFGA,21,0.2\nFGA,22,0.25\nFGA,23,0.25\nFGA,24,0.15\n"
    "TH01,6,0.2\nTH01,7,0.25\nTH01,8,0.15\nTH01,9,0.2\nTH01,9.3,0.2\n";
static const char *H_MUT = "marker,female_model,female_rate,female_rate2,female_range,male_model,male_rate,male_rate2,male_range\n"
    "D3S1358,stepwise,0.0005,0,0.5,stepwise,0.002,0,0.5\nFGA,proportional,0.001,0,0.5,proportional,0.001,0,0.5\n";
static const char *H_PED = "family,id,fid,mid,sex,role\nF,Father,0,0,1,untyped\nF,Mother,0,0,2,reference\n"
    "F,Sister,Father,Mother,2,reference\nF,Body,Father,Mother,1,missing\n";
static const char *H_AM = "family,id,marker,allele1,allele2\n"
    "F,Mother,D3S1358,15,16\nF,Mother,VWA,16,18\nF,Mother,FGA,21,22\nF,Mother,TH01,6,9.3\n"
    "F,Sister,D3S1358,16,14\nF,Sister,VWA,18,19\nF,Sister,FGA,21,24\nF,Sister,TH01,6,8\n";
static const char *H_PM = "sample,sex,marker,allele1,allele2\n"
    "Body,1,D3S1358,15,14\nBody,1,VWA,16,19\nBody,1,FGA,22,24\nBody,1,TH01,9.3,8\n";

static double lr_of(const char *fr, const char *mu, const char *pe, const char *am, const char *pm) {
    pu_err err;
    kin_db *db;
    kin_case *c;
    assert_int_equal(kin_db_read_mem(fr, strlen(fr), "f", NULL, 0, &db, &err), PU_OK);
    db->warn = NULL;
    assert_int_equal(kin_db_read_mutation_mem(db, mu, strlen(mu), "m", &err), PU_OK);
    assert_int_equal(kin_case_read_pedigrees_mem(db, pe, strlen(pe), "p", &c, &err), PU_OK);
    assert_int_equal(kin_case_read_am_mem(c, am, strlen(am), "a", &err), PU_OK);
    assert_int_equal(kin_case_read_pm_mem(c, pm, strlen(pm), "v", &err), PU_OK);
    kin_opts o;
    kin_opts_default(&o);
    double lr = NAN;
    assert_int_equal(c->nvic * c->nmiss, 1);
    assert_int_equal(kin_pairwise(c, &o, &lr, NULL, &err), PU_OK);
    kin_case_free(c);
    kin_db_free(db);
    return lr;
}

static void test_parse_fixture(void **state) {
    (void)state;
    size_t len;
    char *s = slurp("familias_case_example.fam", &len);
    kin_famfile *f;
    pu_err err;
    assert_int_equal(kin_fam_parse(s, len, "case.fam", &f, &err), PU_OK);
    assert_string_equal(f->version, "3.0");
    assert_int_equal(f->nper, 3);
    assert_string_equal(f->per[2].name, "Body");
    assert_int_equal(f->per[2].male, 1);
    assert_int_equal(f->per[0].male, 0);
    assert_int_equal(f->per[0].ngt, 4);
    assert_int_equal(f->nped, 2);
    assert_string_equal(f->ped[0].name, "Body is son of Mother");
    assert_int_equal(f->ped[0].nextra, 1);
    assert_int_equal(f->ped[0].nrel, 4);
    assert_int_equal(f->ped[1].nrel, 0);
    assert_int_equal(f->nloc, 4);
    assert_string_equal(f->loc[3].allele[4], "9.3");
    assert_string_equal(f->loc[0].model[1], "stepwise");
    assert_true(f->loc[0].rate[1] == 0.002);
    /* converted, it is the hand-written case: the same LR */
    kin_fam_csv c;
    assert_int_equal(kin_fam_to_csv(f, NULL, "Body", NULL, "F", &c, &err), PU_OK);
    assert_int_equal(c.references, 2);
    assert_int_equal(c.added, 0);
    double got = lr_of(c.freqs, c.mutation, c.pedigrees, c.am, c.pm), want = lr_of(H_FREQS, H_MUT, H_PED, H_AM, H_PM);
    assert_true(want > 1);
    assert_true(fabs(got - want) <= 1e-12 * want);
    kin_fam_csv_free(&c);
    /* no such pedigree / remains */
    assert_int_equal(kin_fam_to_csv(f, "Half-brother", "Body", NULL, "F", &c, &err), PU_ERR_INVALID);
    assert_string_equal(err.field, "pedigree");
    assert_int_equal(kin_fam_to_csv(f, NULL, "Nobody", NULL, "F", &c, &err), PU_ERR_INVALID);
    assert_string_equal(err.field, "pm");
    kin_famfile_free(f);
    free(s);
}

/* s with the first occurrence of `from` replaced by `to`. */
static char *edit(const char *s, const char *from, const char *to) {
    const char *p = strstr(s, from);
    assert_non_null(p);
    size_t n = strlen(s) + strlen(to) + 1;
    char *o = malloc(n);
    snprintf(o, n, "%.*s%s%s", (int)(p - s), s, to, p + strlen(from));
    return o;
}

static void expect_refused(const char *text, const char *where, const char *field) {
    kin_famfile *f = NULL;
    pu_err err;
    assert_int_equal(kin_fam_parse(text, strlen(text), "case.fam", &f, &err), PU_ERR_INVALID);
    assert_null(f);
    assert_string_equal(err.where, where);
    assert_string_equal(err.field, field);
}

static void test_refusals(void **state) {
    (void)state;
    size_t len;
    char *s = slurp("familias_case_example.fam", &len);
    char *t;
    /* a section Puente does not read is refused, never dropped */
    size_t n = len + 64;
    t = malloc(n);
    snprintf(t, n, "%s[DVI]\r\n", s);
    expect_refused(t, "case.fam:140", "end");
    free(t);
    t = edit(s, "#FALSE#", "#MAYBE#"); /* Mother's sex, line 6 */
    expect_refused(t, "case.fam:6", "sex");
    free(t);
    t = edit(s, "3.0", "2.0");
    expect_refused(t, "case.fam:3", "version");
    free(t);
    t = edit(s, "\"Mother\"", "\"Mo;ther\"");
    expect_refused(t, "case.fam:5", "person");
    free(t);
    t = edit(s, "Stepwise", "Extended stepwise");
    expect_refused(t, "case.fam:69", "female_model");
    free(t);
    /* a truncated file: the end of file names what was expected */
    t = malloc(200);
    snprintf(t, 200, "3.0\n1\n\"A\"\n#TRUE#\n");
    expect_refused(t, "case.fam:5", "typed_markers");
    free(t);
    /* an allele index outside the locus */
    t = edit(s, "4\r\n\"Sister\"", "9\r\n\"Sister\"");
    kin_famfile *f = NULL;
    pu_err err;
    assert_int_equal(kin_fam_parse(t, strlen(t), "case.fam", &f, &err), PU_ERR_INVALID);
    assert_string_equal(err.field, "marker_index");
    free(t);
    free(s);
}

/* The import: one transaction; a second import of the same file conflicts
 * on the PM sample and leaves nothing behind (no second frequency version,
 * no family); the stored hit's LR is the hand-written case's. */
static void test_import(void **state) {
    (void)state;
    pu_err err;
    store_t *st;
    assert_int_equal(store_open(test_store_uri(), &st, &err), PU_OK);
    db_t *db = store_db(st);
    assert_int_equal(app_migrate(db, &err), PU_OK);
    size_t len;
    char *s = slurp("familias_case_example.fam", &len);
    kin_actor a = {.scope = &store_scope_system, .user = "op"};
    kin_fam_import_opts o = {.case_id = "FGR-SON-7", .state = "MX-SON", .owner = "FGR", .marking = "MX-ONLY",
                             .freqdb = "familias-son", .pm_person = "Body", .consent_document = "CONS-7"};
    kin_fam_import_result r;
    o.consent_document = NULL;
    assert_int_equal(kin_fam_import(db, &a, s, len, "case.fam", &o, &r, &err), PU_ERR_INVALID);
    o.consent_document = "CONS-7";
    assert_int_equal(kin_fam_import(db, &a, s, len, "case.fam", &o, &r, &err), PU_OK);
    assert_int_equal(r.references, 2);
    assert_int_equal(r.pm_samples, 1);
    assert_int_equal(r.freqdb_version, 1);
    assert_string_equal(r.freqdb, "familias-son");
    int64_t fams = 0, vers = 0;
    assert_int_equal(db_query_int64(db, "SELECT count(*) FROM kin_family", NULL, &fams, &err), PU_OK);
    assert_int_equal(fams, 1);
    /* again: the sample exists, so nothing at all is stored */
    o.family = "other-family";
    assert_int_equal(kin_fam_import(db, &a, s, len, "case.fam", &o, &r, &err), PU_ERR_CONFLICT);
    assert_int_equal(db_query_int64(db, "SELECT count(*) FROM kin_family", NULL, &fams, &err), PU_OK);
    assert_int_equal(fams, 1);
    assert_int_equal(db_query_int64(db, "SELECT count(*) FROM kin_freqdb", NULL, &vers, &err), PU_OK);
    assert_int_equal(vers, 1);
    assert_false(db_in_tx(db));
    /* search with threshold 1: the hit is the hand-written case's LR */
    kin_run_opts ro = {.threshold = 1, .max_incomp = 2, .threads = 1};
    kin_run_result rr;
    assert_int_equal(kin_cases_search(db, &a, &ro, &rr, &err), PU_OK);
    assert_int_equal(rr.pairs, 1);
    kin_hit_rec h;
    assert_int_equal(kin_hit_get(db, &a, 1, &h, &err), PU_OK);
    double want = lr_of(H_FREQS, H_MUT, H_PED, H_AM, H_PM);
    /* exact profiles are scored with the search's float tables (as
     * test_kin_cases.c: to float precision in log10) */
    if (!(fabs(h.log10_lr - log10(want)) < 1e-5)) fail_msg("hit LR %.17g, hand-written case %.17g", h.lr, want);
    assert_string_equal(h.freqdb, "familias-son");
    free(s);
    store_close(st);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_fixture),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_import),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
