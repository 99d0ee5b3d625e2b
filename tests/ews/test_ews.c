/*
 * test_ews.c - unit tests of the ews module apart from the R references:
 * distribution functions, the counts reader's errors, name normalisation,
 * report intake (CSV and JSON lines), curator queue, first detection,
 * alert visibility and workflow, and the aberration scan.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "ews/ews.h"
#include "ews/ews_int.h"
#include "../test_store_uri.h"

/* ---- distributions against values printed by R 4.2.2 ---- */
static void test_distributions(void **st) {
    (void)st;
    assert_true(fabs(ews_qnorm(0.999) - 3.090232306167813192) < 1e-14);
    assert_true(fabs(ews_qnorm(0.5)) < 1e-16);
    assert_true(fabs(ews_pt_two_sided(2, 10) - 0.073388034770740393) < 1e-12);
    assert_true(fabs(ews_pnbinom(4, 2.5, 0.4) - 0.674140676150015494) < 1e-12);
    assert_true(fabs(ews_pgamma(2.2, 3.5) - 0.832477708241666337) < 1e-12);
    assert_true(fabs(ews_pbeta(0.3, 2.5, 7.1) - 0.649022579021012902) < 1e-12);
    assert_true(ews_qpois(0.95, 3) == 6);
    assert_true(ews_qnbinom(0.95, 2, 0.5) == 6);
    assert_true(ews_qnbinom(0.95, 0.7, 0.3) == 6);
    /* the quantile is the smallest x with cdf(x) >= p */
    double q = ews_qnbinom(0.9, 3.3, 0.2);
    assert_true(ews_pnbinom(q, 3.3, 0.2) >= 0.9 && ews_pnbinom(q - 1, 3.3, 0.2) < 0.9);
}

/* ---- counts reader ---- */
static int counts_err(const char *csv, pu_err *err) {
    ews_counts *c = NULL;
    int rc = ews_counts_read_mem(csv, strlen(csv), &c, err);
    ews_counts_free(c);
    return rc;
}

static void test_counts_reader(void **st) {
    (void)st;
    pu_err err;
    ews_counts *c;
    const char *ok = "date,count\n2024-01-01,3\n2024-01-08,0\n2024-01-15,5\n";
    assert_int_equal(ews_counts_read_mem(ok, strlen(ok), &c, &err), PU_OK);
    assert_int_equal(c->n, 3);
    assert_non_null(c->days);
    assert_true(c->y[2] == 5);
    ews_counts_free(c);
    const char *idx = "count,date\n1,1\n2,2\n0,3\n";
    assert_int_equal(ews_counts_read_mem(idx, strlen(idx), &c, &err), PU_OK);
    assert_null(c->days);
    assert_true(c->y[0] == 1 && c->week[2] == 3);
    ews_counts_free(c);

    assert_int_equal(counts_err("date,count\n2024-01-08,1\n2024-01-01,2\n", &err), PU_ERR_INVALID);
    assert_string_equal(err.where, "<memory>:3");
    assert_string_equal(err.field, "date");
    assert_non_null(strstr(err.msg, "out of order"));
    assert_int_equal(counts_err("date,count\n2024-01-01,1\n2024-01-01,2\n", &err), PU_ERR_INVALID);
    assert_non_null(strstr(err.msg, "duplicate week"));
    assert_int_equal(counts_err("date,count\n1,1\n2,-3\n", &err), PU_ERR_INVALID);
    assert_string_equal(err.field, "count");
    assert_non_null(strstr(err.msg, "negative"));
    assert_int_equal(counts_err("date,count\n2024-01-01,1\n2024-01-22,2\n", &err), PU_ERR_INVALID);
    assert_non_null(strstr(err.msg, "7 days later"));
    assert_int_equal(counts_err("date,count\n2024-01-01,1\n2,2\n", &err), PU_ERR_INVALID);
    assert_non_null(strstr(err.msg, "mixes"));
    assert_int_equal(counts_err("week,n\n1,1\n", &err), PU_ERR_INVALID);
    assert_string_equal(err.field, "date");
    assert_int_equal(counts_err("date,count\n1,abc\n", &err), PU_ERR_INVALID);
    assert_int_equal(counts_err("date,count\n2024-13-01,1\n", &err), PU_ERR_INVALID);
    assert_int_equal(counts_err("", &err), PU_ERR_INVALID);
    assert_int_equal(counts_err("date,count\n", &err), PU_ERR_INVALID);
}

static void test_counts_set(void **st) {
    (void)st;
    char path[] = "/tmp/ews-set-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("series,date,count\n\"a,1\",1,3\n\"a,1\",2,4\nb,1,0\nb,2,1\nb,3,2\n", f);
    fclose(f);
    ews_counts_set *s;
    pu_err err;
    assert_int_equal(ews_counts_read_set(path, &s, &err), PU_OK);
    assert_int_equal(s->n, 2);
    assert_true(s->has_names);
    assert_string_equal(s->names[0], "a,1");
    assert_int_equal(s->series[1]->n, 3);
    assert_true(s->series[1]->y[2] == 2);
    char *buf = NULL;
    size_t n = 0;
    FILE *m = open_memstream(&buf, &n);
    assert_int_equal(ews_result_write_rows(m, s->names[0], s->series[0], NULL, &err), PU_OK);
    fclose(m);
    assert_string_equal(buf, "\"a,1\",1,3,,\n\"a,1\",2,4,,\n");
    free(buf);
    ews_counts_set_free(s);
    /* a series split in two blocks, and a bad row inside the second series */
    f = fopen(path, "w");
    fputs("series,date,count\na,1,1\nb,1,1\na,2,1\n", f);
    fclose(f);
    assert_int_equal(ews_counts_read_set(path, &s, &err), PU_ERR_INVALID);
    assert_string_equal(err.field, "series");
    assert_non_null(strstr(err.where, ":4"));
    f = fopen(path, "w");
    fputs("series,date,count\na,1,1\nb,1,1\nb,3,1\n", f);
    fclose(f);
    assert_int_equal(ews_counts_read_set(path, &s, &err), PU_ERR_INVALID);
    assert_string_equal(err.field, "date");
    /* many series: the name index must keep up */
    f = fopen(path, "w");
    fputs("series,date,count\n", f);
    for (int i = 0; i < 3000; i++) fprintf(f, "s%d,1,%d\ns%d,2,%d\n", i, i % 5, i, i % 3);
    fclose(f);
    assert_int_equal(ews_counts_read_set(path, &s, &err), PU_OK);
    assert_int_equal(s->n, 3000);
    assert_string_equal(s->names[2999], "s2999");
    ews_counts_set_free(s);
    unlink(path);
}

static void test_detect_errors(void **st) {
    (void)st;
    double y[20] = {0};
    ews_series s = {5, y, NULL};
    ews_params p;
    ews_result *r;
    pu_err err;
    ews_params_default(EWS_C1, &p);
    assert_int_equal(ews_detect(&s, &p, &r, &err), PU_ERR_INVALID);
    assert_non_null(strstr(err.msg, "7 weeks of history"));
    ews_params_default(EWS_FARRINGTON, &p);
    s.n = 20;
    assert_int_equal(ews_detect(&s, &p, &r, &err), PU_ERR_INVALID);
    assert_non_null(strstr(err.msg, "5 years"));
    y[3] = -1;
    ews_params_default(EWS_C2, &p);
    assert_int_equal(ews_detect(&s, &p, &r, &err), PU_ERR_INVALID);
    assert_string_equal(err.where, "week 4");
    y[3] = NAN;
    assert_int_equal(ews_detect(&s, &p, &r, &err), PU_ERR_INVALID);
    ews_method m;
    assert_int_equal(ews_method_parse("c3-cdc", &m, &err), PU_OK);
    assert_int_equal(m, EWS_C3_CDC);
    assert_int_equal(ews_method_parse("c4", &m, &err), PU_ERR_INVALID);
}

/* C1 by hand on a small series: U = mean + z sd over the previous 7 weeks. */
static void test_c1_by_hand(void **st) {
    (void)st;
    double y[9] = {1, 2, 3, 4, 5, 6, 7, 20, 4};
    ews_series s = {9, y, NULL};
    ews_params p;
    ews_params_default(EWS_C1, &p);
    ews_result *r;
    assert_int_equal(ews_detect(&s, &p, &r, NULL), PU_OK);
    double sd = sqrt(28.0 / 6.0);   /* values 1..7 */
    assert_true(fabs(r->upper[7] - (4 + ews_qnorm(0.999) * sd)) < 1e-12);
    assert_int_equal(r->alarm[7], 1);
    assert_int_equal(r->alarm[6], -1);
    assert_true(isnan(r->upper[6]));
    ews_result_free(r);
}

/* ---- names ---- */
static void test_normalize(void **st) {
    (void)st;
    const char *same[] = {"p-fluorofentanyl", "para-fluorofentanyl", "Para-Fluorofentanyl", "4-fluorofentanyl",
                          "p-fluoro fentanyl", "PARA FLUOROFENTANYL"};
    char *ref;
    assert_int_equal(ews_normalize_name(same[0], &ref, NULL), PU_OK);
    for (size_t i = 1; i < sizeof same / sizeof same[0]; i++) {
        char *n;
        assert_int_equal(ews_normalize_name(same[i], &n, NULL), PU_OK);
        assert_string_equal(n, ref);
        free(n);
    }
    free(ref);
    char *a, *b;
    assert_int_equal(ews_normalize_name("α-PVP", &a, NULL), PU_OK);
    assert_int_equal(ews_normalize_name("alpha-pvp", &b, NULL), PU_OK);
    assert_string_equal(a, b);
    free(a);
    free(b);
    assert_int_equal(ews_normalize_name("Heroína", &a, NULL), PU_OK);
    assert_string_equal(a, "heroina");
    free(a);
    pu_err err;
    assert_int_equal(ews_normalize_name("", &a, &err), PU_ERR_INVALID);
    assert_int_equal(ews_normalize_name("--", &a, &err), PU_ERR_INVALID);
    assert_int_equal(ews_normalize_name("\xff\xfe", &a, &err), PU_ERR_INVALID);
}

/* ---- store ---- */
typedef struct fx {
    store_t *store;
    db_t *db;
    ews_t *e;
    char dir[64];
} fx;

static int setup(void **st) {
    fx *f = calloc(1, sizeof *f);
    pu_err err;
    if (store_open(test_store_uri(), &f->store, &err)) return -1;
    f->db = store_db(f->store);
    if (ews_migrate(f->db, &err) || ews_open(f->db, &f->e, &err)) {
        fprintf(stderr, "ews_migrate/ews_open: %s %s\n", err.where, err.msg);
        return -1;
    }
    snprintf(f->dir, sizeof f->dir, "/tmp/ews-unit-XXXXXX");
    if (!mkdtemp(f->dir)) return -1;
    *st = f;
    return 0;
}

static int teardown(void **st) {
    fx *f = *st;
    ews_close(f->e);
    store_close(f->store);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    if (system(cmd) != 0) return -1;
    free(f);
    return 0;
}

static const char *write_file(fx *f, const char *name, const char *text) {
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", f->dir, name);
    FILE *o = fopen(path, "w");
    assert_non_null(o);
    fputs(text, o);
    fclose(o);
    return path;
}

static int64_t q1(fx *f, const char *sql) {
    int64_t v = -1;
    assert_int_equal(db_query_int64(f->db, sql, NULL, &v, NULL), PU_OK);
    return v;
}

#define HDR "report_id,date,place,source_agency,type,substances,matrix,quantity_g,purity_pct,owner,marking\n"

static void test_vocab_resolve(void **st) {
    fx *f = *st;
    const char *names[] = {"p-fluorofentanyl", "para-fluorofentanyl", "4-FF", "p-fluorofentanilo", "4-fluorofentanyl"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char *id;
        assert_int_equal(ews_vocab_resolve(f->e, STORE_SYSTEM, names[i], &id, NULL), PU_OK);
        assert_string_equal(id, "4-fluorofentanyl");
        free(id);
    }
    char *id;
    assert_int_equal(ews_vocab_resolve(f->e, STORE_SYSTEM, "Xilacina", &id, NULL), PU_OK);
    assert_string_equal(id, "xylazine");
    free(id);
    pu_err err;
    assert_int_equal(ews_vocab_resolve(f->e, STORE_SYSTEM, "unobtainium", &id, &err), PU_ERR_NOTFOUND);
    assert_int_equal(ews_vocab_add_synonym(f->e, "xylazine", "tranq dope", "en", NULL, NULL, &err), PU_OK);
    assert_int_equal(ews_vocab_resolve(f->e, STORE_SYSTEM, "Tranq-Dope", &id, NULL), PU_OK);
    assert_string_equal(id, "xylazine");
    free(id);
    assert_int_equal(ews_vocab_add_synonym(f->e, "fentanyl", "tranq dope", "en", NULL, NULL, &err), PU_ERR_CONFLICT);
    assert_int_equal(ews_vocab_add_synonym(f->e, "nope", "x", "en", NULL, NULL, &err), PU_ERR_NOTFOUND);
    assert_int_equal(ews_vocab_add_synonym(f->e, "xylazine", "y", "en", "DEA", "SECRET", &err), PU_ERR_INVALID);
    /* a synonym marked US-ONLY by DEA: resolvable by US readers only */
    assert_int_equal(ews_vocab_add_synonym(f->e, "xylazine", "zombie dust", "en", "DEA", "US-ONLY", &err), PU_OK);
    store_scope us = {0, "US", "CDC"}, mx = {0, "MX", "FGR"};
    assert_int_equal(ews_vocab_resolve(f->e, &us, "zombie dust", &id, &err), PU_OK);
    free(id);
    assert_int_equal(ews_vocab_resolve(f->e, &mx, "zombie dust", &id, &err), PU_ERR_NOTFOUND);
    assert_int_equal(ews_vocab_resolve(f->e, &mx, "tranq dope", &id, &err), PU_OK);
    free(id);
    assert_int_equal(q1(f, "SELECT COUNT(*) FROM ews_substance WHERE owner = 'EWS' AND marking = 'PUBLIC'"),
                     q1(f, "SELECT COUNT(*) FROM ews_substance"));
    /* a bad CAS check digit in a vocabulary file is rejected with file:line */
    const char *bad = write_file(f, "v.csv", "id,name_en,name_es,class,cas,inchikey,synonyms_en,synonyms_es\n"
                                             "foo,foo,foo,cathinone,437-38-8,,,\n");
    assert_int_equal(ews_vocab_load(f->e, bad, NULL, &err), PU_ERR_INVALID);
    assert_string_equal(err.field, "cas");
    assert_non_null(strstr(err.where, "v.csv:2"));
    assert_int_equal(q1(f, "SELECT COUNT(*) FROM ews_substance WHERE id = 'foo'"), 0);
}

static void test_import_csv(void **st) {
    fx *f = *st;
    /* the later report comes first in the file: the first detection must
     * still name the earlier one */
    const char *csv = write_file(f, "r.csv", HDR
        "R2,2025-03-12,MX-SIN/Culiacán,FGR,seizure-lab,isotonitaceno|fentanilo,powder,12.5,30,FGR,SHARED\n"
        "R1,2025-03-03,MX-SIN,MX-SIN-SSA,toxicology-postmortem,Isotonitazene,blood,,,MX-SIN-SSA,MX-ONLY\n"
        "R3,2025-03-20,US-AZ,CDC,drug-checking,isotonitazene|N-pyrrolidino protonitazene,residue,,,CDC,SHARED\n");
    ews_import_stats s;
    pu_err err;
    assert_int_equal(ews_import(f->e, csv, NULL, &s, &err), PU_OK);
    assert_int_equal(s.reports, 3);
    assert_int_equal(s.queued, 1);
    assert_int_equal(q1(f, "SELECT COUNT(*) FROM ews_report"), 3);
    assert_int_equal(q1(f, "SELECT COUNT(*) FROM ews_queue WHERE status = 'open'"), 1);
    /* the unknown name is kept on the report, not dropped */
    assert_int_equal(q1(f, "SELECT COUNT(*) FROM ews_detection WHERE report = 'cdc-R3' AND substance IS NULL"), 1);
    assert_int_equal(q1(f, "SELECT COUNT(*) FROM ews_alert WHERE kind = 'first-anywhere' AND substance = 'isotonitazene' "
                           "AND evidence LIKE 'report R1 %'"), 1);
    assert_int_equal(q1(f, "SELECT COUNT(*) FROM ews_alert WHERE kind = 'first-country' AND substance = 'isotonitazene' "
                           "AND place = 'US-AZ'"), 1);
    /* re-importing the same file changes nothing */
    int64_t alerts = q1(f, "SELECT COUNT(*) FROM ews_alert");
    assert_int_equal(ews_import(f->e, csv, NULL, &s, &err), PU_OK);
    assert_int_equal(s.reports, 0);
    assert_int_equal(q1(f, "SELECT COUNT(*) FROM ews_alert"), alerts);
    /* same id, other content: conflict, and nothing of that file is kept */
    const char *c2 = write_file(f, "c.csv", HDR "R9,2025-03-21,US-TX,DEA,seizure-lab,cocaine,powder,,,DEA,SHARED\n"
                                                "R1,2025-03-04,MX-SIN,MX-SIN-SSA,seizure-lab,fentanyl,powder,,,MX-SIN-SSA,MX-ONLY\n");
    assert_int_equal(ews_import(f->e, c2, NULL, &s, &err), PU_ERR_CONFLICT);
    assert_non_null(strstr(err.where, "c.csv:3"));
    assert_int_equal(q1(f, "SELECT COUNT(*) FROM ews_report WHERE id = 'dea-R9'"), 0);
}

static void test_import_errors(void **st) {
    fx *f = *st;
    pu_err err;
    struct { const char *row, *field; } cases[] = {
        {"X1,2025-03-03,MX-XXX,FGR,seizure-lab,fentanyl,powder,,,FGR,SHARED\n", "place"},
        {"X1,2025-02-30,MX-SIN,FGR,seizure-lab,fentanyl,powder,,,FGR,SHARED\n", "date"},
        {"X1,2025-03-03,MX-SIN,FGR,seizure,fentanyl,powder,,,FGR,SHARED\n", "type"},
        {"X1,2025-03-03,MX-SIN,FGR,seizure-lab,fentanyl,gravel,,,FGR,SHARED\n", "matrix"},
        {"X1,2025-03-03,MX-SIN,FGR,seizure-lab,fentanyl,powder,-1,,FGR,SHARED\n", "quantity_g"},
        {"X1,2025-03-03,MX-SIN,FGR,seizure-lab,fentanyl,powder,,101,FGR,SHARED\n", "purity_pct"},
        {"X1,2025-03-03,MX-SIN,FGR,seizure-lab,fentanyl,powder,,,FGR,SECRET\n", "marking"},
        {"X1,2025-03-03,MX-SIN,FGR,seizure-lab,,powder,,,FGR,SHARED\n", "substances"},
        {",2025-03-03,MX-SIN,FGR,seizure-lab,fentanyl,powder,,,FGR,SHARED\n", "report_id"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[512];
        snprintf(text, sizeof text, HDR "OK1,2025-03-03,US-AZ,DEA,seizure-lab,fentanyl,powder,,,DEA,SHARED\n%s", cases[i].row);
        const char *path = write_file(f, "e.csv", text);
        pu_err_clear(&err);
        assert_int_equal(ews_import(f->e, path, "csv", NULL, &err), PU_ERR_INVALID);
        if (strcmp(err.field, cases[i].field) != 0) fail_msg("case %zu: field '%s', expected '%s'", i, err.field, cases[i].field);
        assert_non_null(strstr(err.where, "e.csv:3"));
        assert_int_equal(q1(f, "SELECT COUNT(*) FROM ews_report"), 0);   /* all or nothing */
    }
    const char *nohdr = write_file(f, "h.csv", "id,date\nX,2025-01-01\n");
    assert_int_equal(ews_import(f->e, nohdr, "csv", NULL, &err), PU_ERR_INVALID);
    assert_int_equal(ews_import(f->e, nohdr, "xml", NULL, &err), PU_ERR_INVALID);
}

static void test_import_jsonl(void **st) {
    fx *f = *st;
    const char *j = write_file(f, "r.jsonl",
        "{\"report_id\":\"J1\",\"date\":\"2025-04-01\",\"place\":\"US-PA\",\"source_agency\":\"US-PA-DOH\","
        "\"type\":\"toxicology-clinical\",\"substances\":[\"medetomidina\",\"fentanyl\"],\"matrix\":\"urine\","
        "\"purity_pct\":null,\"marking\":\"US-ONLY\"}\n"
        "\n"
        "{\"report_id\":\"J2\",\"date\":\"2025-04-02\",\"place\":\"MX-BCN\",\"source_agency\":\"FGR\","
        "\"type\":\"seizure-lab\",\"substances\":[\"4-FF\"],\"quantity_g\":250.5,\"purity_pct\":12}\n");
    ews_import_stats s;
    pu_err err;
    assert_int_equal(ews_import(f->e, j, NULL, &s, &err), PU_OK);
    assert_int_equal(s.reports, 2);
    assert_int_equal(q1(f, "SELECT COUNT(*) FROM ews_detection WHERE substance = '4-fluorofentanyl'"), 1);
    assert_int_equal(q1(f, "SELECT COUNT(*) FROM ews_report WHERE id = 'fgr-J2' AND owner = 'FGR' AND marking = '" STORE_DEFAULT_MARKING "' "
                           "AND quantity_g = 250.5"), 1);
    const char *bad = write_file(f, "b.jsonl", "{\"report_id\":\"J3\",\"date\":\"2025-04-01\",\"place\":\"US-PA\","
                                               "\"source_agency\":\"X\",\"type\":\"ed-visit\",\"substances\":\"fentanyl\","
                                               "\"quantity_g\":\"lots\"}\n");
    assert_int_equal(ews_import(f->e, bad, NULL, &s, &err), PU_ERR_INVALID);
    assert_string_equal(err.field, "quantity_g");
    const char *bad2 = write_file(f, "c.jsonl", "{\"report_id\": 5\n");
    assert_int_equal(ews_import(f->e, bad2, NULL, &s, &err), PU_ERR_INVALID);
    assert_non_null(strstr(err.where, "c.jsonl:1"));
}

/* ---- in-memory import (the API's path) ---- */
#define JREC(id, date, extra) \
    "{\"report_id\":\"" id "\",\"date\":\"" date "\",\"place\":\"US-AZ/Tucson\",\"source_agency\":\"DEA\"," \
    "\"type\":\"seizure-lab\",\"substances\":[\"fentanyl\",\"zz-mem-unknown\"]" extra "}"

static int64_t counts_sig(fx *f) { /* reports, queue hits, detections and alerts in one number */
    return q1(f, "SELECT COUNT(*) FROM ews_report") * 1000000 + q1(f, "SELECT COALESCE(SUM(count), 0) FROM ews_queue") * 10000 +
           q1(f, "SELECT COUNT(*) FROM ews_detection") * 100 + q1(f, "SELECT COUNT(*) FROM ews_alert");
}

static void test_import_mem(void **st) {
    fx *f = *st;
    ews_import_stats s;
    pu_err err;
    ews_import_opts o = {.format = "json", .owner = "DEA"};
    /* JSON lines, blank line between: records without an owner are filed as the importing agency */
    const char *jl = JREC("M1", "2025-06-02", "") "\n\n" JREC("M2", "2025-06-03", ",\"owner\":\"DEA\"") "\n";
    assert_int_equal(ews_import_mem(f->e, jl, strlen(jl), &o, &s, &err), PU_OK);
    assert_int_equal(s.reports, 2);
    assert_int_equal(s.queued, 2);
    assert_int_equal(q1(f, "SELECT COUNT(*) FROM ews_report WHERE owner = 'DEA' AND id IN ('dea-M1', 'dea-M2')"), 2);
    assert_int_equal(q1(f, "SELECT count FROM ews_queue WHERE name = 'zz-mem-unknown'"), 2);
    assert_false(db_in_tx(f->db)); /* no caller transaction: committed on its own */

    /* a bad record: named by record number (and line), nothing of the input stored */
    int64_t before = counts_sig(f);
    const char *bad = JREC("M3", "2025-06-04", "") "\n\n" JREC("M4", "2025-06-31", "") "\n";
    pu_err_clear(&err);
    assert_int_equal(ews_import_mem(f->e, bad, strlen(bad), &o, &s, &err), PU_ERR_INVALID);
    assert_string_equal(err.where, "record 2 (line 3)");
    assert_string_equal(err.field, "date");
    assert_int_equal(counts_sig(f), before);
    assert_int_equal(q1(f, "SELECT COUNT(*) FROM ews_report WHERE id = 'M3'"), 0);

    /* a JSON array; a non-object element is named; `name` prefixes the place */
    const char *arr = "[" JREC("M5", "2025-06-05", "") ", 42]";
    ews_import_opts named = {.name = "body", .owner = "DEA"};
    assert_int_equal(ews_import_mem(f->e, arr, strlen(arr), &named, &s, &err), PU_ERR_INVALID);
    assert_string_equal(err.where, "body: record 2");
    assert_int_equal(counts_sig(f), before);
    const char *arr2 = "  [" JREC("M5", "2025-06-05", "") "]";
    assert_int_equal(ews_import_mem(f->e, arr2, strlen(arr2), &named, &s, &err), PU_OK);
    assert_int_equal(s.reports, 1);

    /* filing in another agency's name is refused */
    before = counts_sig(f);
    const char *other = JREC("M6", "2025-06-06", ",\"owner\":\"FGR\"");
    assert_int_equal(ews_import_mem(f->e, other, strlen(other), &o, &s, &err), PU_ERR_DENIED);
    assert_string_equal(err.field, "owner");
    assert_string_equal(err.where, "record 1");
    assert_int_equal(counts_sig(f), before);
    /* without an importing agency the owner is taken as given */
    assert_int_equal(ews_import_mem(f->e, other, strlen(other), NULL, &s, &err), PU_OK);
    assert_int_equal(q1(f, "SELECT COUNT(*) FROM ews_report WHERE id = 'fgr-M6' AND owner = 'FGR'"), 1);

    /* CSV from memory: places are lines */
    before = counts_sig(f);
    const char *csv = HDR "C1,2025-06-09,US-AZ,DEA,seizure-lab,fentanyl,powder,,,,\n"
                          "C2,2025-06-09,US-AZ,DEA,seizure-lab,fentanyl,gravel,,,,\n";
    ews_import_opts oc = {.format = "csv", .owner = "DEA"};
    assert_int_equal(ews_import_mem(f->e, csv, strlen(csv), &oc, &s, &err), PU_ERR_INVALID);
    assert_string_equal(err.where, "line 3");
    assert_string_equal(err.field, "matrix");
    assert_int_equal(counts_sig(f), before);
    ews_import_opts ox = {.format = "xml"};
    assert_int_equal(ews_import_mem(f->e, csv, strlen(csv), &ox, &s, &err), PU_ERR_INVALID);
    assert_string_equal(err.field, "format");
    const char *junk = "{\"report_id\": ";
    assert_int_equal(ews_import_mem(f->e, junk, strlen(junk), &o, &s, &err), PU_ERR_INVALID);
    assert_string_equal(err.where, "record 1");
    const char *notarr = "[1, ";
    assert_int_equal(ews_import_mem(f->e, notarr, strlen(notarr), &o, &s, &err), PU_ERR_INVALID);
    assert_int_equal(counts_sig(f), before);
}

/* Inside the caller's transaction: the import commits or rolls back with it,
 * and a failed import takes back only its own writes. */
static void test_import_mem_caller_tx(void **st) {
    fx *f = *st;
    ews_import_stats s;
    pu_err err;
    ews_import_opts o = {.owner = "DEA"};
    assert_int_equal(db_exec(f->db, "CREATE TABLE side (x INTEGER)", &err), PU_OK);
    const char *good = JREC("T1", "2025-07-01", "");
    /* caller rolls back (e.g. its audit write failed): nothing imported */
    assert_int_equal(db_begin(f->db, &err), PU_OK);
    assert_int_equal(ews_import_mem(f->e, good, strlen(good), &o, &s, &err), PU_OK);
    assert_int_equal(s.reports, 1);
    assert_true(db_in_tx(f->db)); /* the import did not commit the caller's transaction */
    assert_int_equal(q1(f, "SELECT COUNT(*) FROM ews_report WHERE id = 'dea-T1'"), 1);
    db_rollback(f->db);
    assert_int_equal(q1(f, "SELECT COUNT(*) FROM ews_report"), 0);
    assert_int_equal(q1(f, "SELECT COUNT(*) FROM ews_alert"), 0);
    assert_int_equal(q1(f, "SELECT COUNT(*) FROM ews_queue"), 0);
    /* a failing import inside a transaction that already wrote something:
     * the caller's write survives, the import leaves no trace */
    const char *bad = JREC("T2", "2025-07-01", "") "\n" JREC("T3", "2025-07-01", ",\"place\":\"ZZ-NOWHERE\"");
    assert_int_equal(db_begin(f->db, &err), PU_OK);
    assert_int_equal(db_exec(f->db, "INSERT INTO side VALUES (7)", &err), PU_OK);
    assert_int_equal(ews_import_mem(f->e, bad, strlen(bad), &o, &s, &err), PU_ERR_INVALID);
    assert_string_equal(err.field, "place");
    assert_true(db_in_tx(f->db));
    assert_int_equal(ews_import_mem(f->e, good, strlen(good), &o, &s, &err), PU_OK); /* still usable */
    assert_int_equal(db_commit(f->db, &err), PU_OK);
    assert_int_equal(q1(f, "SELECT COUNT(*) FROM side WHERE x = 7"), 1);
    assert_int_equal(q1(f, "SELECT COUNT(*) FROM ews_report WHERE id IN ('T2', 'T3')"), 0);
    assert_int_equal(q1(f, "SELECT COUNT(*) FROM ews_report WHERE id = 'dea-T1'"), 1);
    assert_int_equal(q1(f, "SELECT COUNT(*) FROM ews_alert WHERE kind = 'first-anywhere' AND substance = 'fentanyl'"), 1);
    /* the file path runs the same way inside a caller's transaction */
    const char *path = write_file(f, "t.jsonl", JREC("T4", "2025-07-02", ",\"owner\":\"DEA\""));
    assert_int_equal(db_begin(f->db, &err), PU_OK);
    assert_int_equal(ews_import(f->e, path, NULL, &s, &err), PU_OK);
    db_rollback(f->db);
    assert_int_equal(q1(f, "SELECT COUNT(*) FROM ews_report WHERE id = 'T4'"), 0);
}

typedef struct collect { int n; ews_alert last; int64_t ids[64]; } collect;
static int collect_cb(const ews_alert *a, void *ctx) {
    collect *c = ctx;
    if (c->n < 64) c->ids[c->n] = a->id;
    c->n++;
    c->last = *a;
    return 0;
}
static int qcount(const ews_queue_item *q, void *ctx) {
    (void)q;
    (*(int *)ctx)++;
    return 0;
}

static void test_alerts_visibility_workflow(void **st) {
    fx *f = *st;
    const char *csv = write_file(f, "a.csv", HDR
        "A1,2025-05-05,US-AZ,DEA,seizure-lab,protonitazene,powder,,,DEA,US-ONLY\n"
        "A2,2025-05-06,MX-SON,FGR,seizure-lab,metonitazene,powder,,,FGR,SHARED\n"
        "A3,2025-05-07,MX-SON,FGR,seizure-lab,N-pyrrolidino protonitazene,powder,,,FGR,MX-ONLY\n");
    pu_err err;
    assert_int_equal(ews_import(f->e, csv, NULL, NULL, &err), PU_OK);
    store_scope us = {0, "US", "CDC"}, mx = {0, "MX", "FGR"}, dea = {0, "US", "DEA"};
    collect cu = {0}, cm = {0};
    assert_int_equal(ews_alerts_list(f->e, &us, NULL, collect_cb, &cu, &err), PU_OK);
    assert_int_equal(ews_alerts_list(f->e, &mx, NULL, collect_cb, &cm, &err), PU_OK);
    assert_int_equal(cu.n, 2);   /* protonitazene (US-ONLY) + metonitazene (SHARED) */
    assert_int_equal(cm.n, 1);   /* metonitazene only */
    assert_string_equal(cm.last.substance, "metonitazene");
    assert_non_null(strstr(cm.last.text_es, "Primera detección de metonitaceno"));
    assert_non_null(strstr(cm.last.text_en, "First detection of metonitazene"));
    assert_non_null(strstr(cm.last.addressed, "MX-SON-SSA"));
    assert_non_null(strstr(cm.last.addressed, "DEA"));   /* new to the network: both countries */
    assert_string_equal(cm.last.severity, "critical");
    /* agency filter */
    collect ca = {0};
    ews_alert_query q = {.agency = "MX-SON-SSA"};
    assert_int_equal(ews_alerts_list(f->e, STORE_SYSTEM, &q, collect_cb, &ca, &err), PU_OK);
    assert_int_equal(ca.n, 1);
    /* the US-ONLY alert is not found for MX readers: neither ack nor close */
    int64_t usid = cu.ids[0];
    assert_int_equal(ews_alert_ack(f->e, &mx, usid, "FGR", &err), PU_ERR_NOTFOUND);
    assert_int_equal(ews_alert_ack(f->e, &dea, usid, "DEA", &err), PU_OK);
    assert_int_equal(ews_alert_ack(f->e, &dea, usid, "DEA", &err), PU_ERR_CONFLICT);
    assert_int_equal(ews_alert_close(f->e, &dea, usid, "DEA", "lab confirmed", &err), PU_OK);
    assert_int_equal(ews_alert_close(f->e, &dea, usid, "DEA", NULL, &err), PU_ERR_CONFLICT);
    assert_int_equal(ews_alert_ack(f->e, &dea, usid, "DEA", &err), PU_ERR_CONFLICT);
    assert_int_equal(ews_alert_ack(f->e, &dea, 9999, "DEA", &err), PU_ERR_NOTFOUND);
    collect cc = {0};
    ews_alert_query qc = {.status = "closed"};
    assert_int_equal(ews_alerts_list(f->e, &dea, &qc, collect_cb, &cc, &err), PU_OK);
    assert_int_equal(cc.n, 1);
    assert_string_equal(cc.last.closed_by, "DEA");
    assert_string_equal(cc.last.acked_by, "DEA");
    assert_string_equal(cc.last.note, "lab confirmed");
    /* queue: visible to MX, hidden from US; resolving raises the first detection */
    int nq = 0;
    assert_int_equal(ews_queue_list(f->e, &us, NULL, qcount, &nq, &err), PU_OK);
    assert_int_equal(nq, 0);
    assert_int_equal(ews_queue_list(f->e, &mx, "open", qcount, &nq, &err), PU_OK);
    assert_int_equal(nq, 1);
    int64_t qid = q1(f, "SELECT id FROM ews_queue");
    assert_int_equal(ews_queue_resolve(f->e, STORE_SYSTEM, qid, "nope", &err), PU_ERR_NOTFOUND);
    assert_int_equal(ews_queue_resolve(f->e, STORE_SYSTEM, qid, "protonitazene", &err), PU_OK);
    assert_int_equal(ews_queue_resolve(f->e, STORE_SYSTEM, qid, "protonitazene", &err), PU_ERR_CONFLICT);
    assert_int_equal(q1(f, "SELECT COUNT(*) FROM ews_detection WHERE report = 'fgr-A3' AND substance = 'protonitazene'"), 1);
    /* the earlier protonitazene report A1 is US-ONLY: for the MX readers of A3
     * (MX-ONLY) it does not exist, so A3 is the first anywhere in their view
     * (the alert says nothing a MX reader could not see: docs/ews.md) */
    assert_int_equal(q1(f, "SELECT COUNT(*) FROM ews_alert WHERE substance = 'protonitazene' AND kind = 'first-anywhere' "
                           "AND place = 'MX-SON' AND marking = 'MX-ONLY'"), 1);
    char *id;
    assert_int_equal(ews_vocab_resolve(f->e, STORE_SYSTEM, "n-pyrrolidino-protonitazene", &id, NULL), PU_OK);
    assert_string_equal(id, "protonitazene");
    free(id);
}


/* ---- visibility of every list, count and lookup: three readers, every marking ---- */

typedef struct seen { char text[4096]; int n; } seen;
static void seen_add(seen *v, const char *a, const char *b) {
    size_t l = strlen(v->text);
    snprintf(v->text + l, sizeof v->text - l, "%s %s\n", a, b);
    v->n++;
}
static int seen_alert(const ews_alert *a, void *ctx) {
    seen_add(ctx, a->substance, a->kind);
    return 0;
}
static int seen_queue(const ews_queue_item *q, void *ctx) {
    seen_add(ctx, q->name, q->status);
    return 0;
}

typedef struct collect_syn { const char *id; int64_t *out; } collect_syn;
static int count_synonyms(const ews_substance *v, void *ctx) {
    collect_syn *c = ctx;
    if (strcmp(v->id, c->id) == 0) *c->out = v->synonyms;
    return 0;
}
static int render_alert(const ews_alert *a, void *ctx) {
    char line[1024];
    const char *rep = strstr(a->text_en, "report ");
    snprintf(line, sizeof line, "%s %s %s %s", a->kind, a->substance, a->place, a->marking);
    size_t l = strlen(((seen *)ctx)->text);
    snprintf(((seen *)ctx)->text + l, sizeof ((seen *)ctx)->text - l, "%s %.13s to:%s %s|%s\n", line, rep ? rep : "",
             a->addressed, a->text_en, a->status);
    ((seen *)ctx)->n++;
    return 0;
}
static int render_queue(const ews_queue_item *q, void *ctx) {
    char line[512];
    snprintf(line, sizeof line, "%s count=%lld first=%s", q->name, (long long)q->count, q->first_report);
    seen_add(ctx, line, q->status);
    return 0;
}

typedef struct matrix_row { const char *id, *owner, *marking, *substance, *name; } matrix_row;
static const matrix_row MATRIX[] = {
    {"V1", "DEA", "PUBLIC", "fentanyl", "zz-public"},
    {"V2", "FGR", "SHARED", "heroin", "zz-shared"},
    {"V3", "CDC", "US-ONLY", "cocaine", "zz-us"},
    {"V4", "FGR", "MX-ONLY", "methamphetamine", "zz-mx"},
    {"V5", "DEA", "AGENCY-ONLY", "xylazine", "zz-dea"},
    {"V6", "FGR", "AGENCY-ONLY", "medetomidine", "zz-fgr"},
};
#define NMATRIX (sizeof MATRIX / sizeof MATRIX[0])

static void test_scope_matrix(void **st) {
    fx *f = *st;
    char csv[2048] = HDR;
    for (size_t i = 0; i < NMATRIX; i++) {
        size_t l = strlen(csv);
        snprintf(csv + l, sizeof csv - l, "%s,2025-0%zu-03,%s,%s,seizure-lab,%s|%s,powder,,,%s,%s\n", MATRIX[i].id, i + 1,
                 MATRIX[i].marking[0] == 'M' || strcmp(MATRIX[i].owner, "FGR") == 0 ? "MX-SON" : "US-AZ",
                 MATRIX[i].owner, MATRIX[i].substance, MATRIX[i].name, MATRIX[i].owner, MATRIX[i].marking);
    }
    pu_err err;
    assert_int_equal(ews_import(f->e, write_file(f, "m.csv", csv), NULL, NULL, &err), PU_OK);
    /* a curator synonym only DEA may see */
    assert_int_equal(ews_vocab_add_synonym(f->e, "fentanyl", "zz-dea-syn", "en", "DEA", "AGENCY-ONLY", &err), PU_OK);
    /* the readers and, written out by hand, which rows each may see */
    static const struct { store_scope sc; const char *sees; } readers[] = {
        {{0, "US", "DEA"}, "V1 V2 V3 V5"},      /* the owning agency */
        {{0, "US", "CDC"}, "V1 V2 V3"},         /* same country */
        {{0, "MX", "FGR"}, "V1 V2 V4 V6"},      /* the other country (and owner of V6) */
    };
    int64_t syn[3];
    for (size_t r = 0; r < 3; r++) {
        const store_scope *sc = &readers[r].sc;
        seen al = {"", 0}, qu = {"", 0};
        assert_int_equal(ews_alerts_list(f->e, sc, NULL, seen_alert, &al, &err), PU_OK);
        assert_int_equal(ews_queue_list(f->e, sc, NULL, seen_queue, &qu, &err), PU_OK);
        int nvis = 0;
        for (size_t i = 0; i < NMATRIX; i++) {
            int vis = strstr(readers[r].sees, MATRIX[i].id) != NULL;
            nvis += vis;
            char probe[128];
            /* alerts: the first detection of the row's substance, in the row's audience */
            snprintf(probe, sizeof probe, "%s first-anywhere\n", MATRIX[i].substance);
            assert_int_equal(strstr(al.text, probe) != NULL, vis);
            /* curator queue: the row's unknown name */
            snprintf(probe, sizeof probe, "%s open\n", MATRIX[i].name);
            assert_int_equal(strstr(qu.text, probe) != NULL, vis);
            /* weekly counts: the row counts only for readers who may see it */
            ews_counts *c = NULL;
            assert_int_equal(ews_counts_from_store(f->e, sc, MATRIX[i].substance, NULL, &c, &err), PU_OK);
            double total = 0;
            for (size_t k = 0; k < c->n; k++) total += c->y[k];
            assert_true(total == (vis ? 1 : 0));
            ews_counts_free(c);
            /* alert get (through ack) and queue resolve: hidden = absent */
            collect all = {0};
            ews_alert_query q = {.substance = MATRIX[i].substance};
            assert_int_equal(ews_alerts_list(f->e, STORE_SYSTEM, &q, collect_cb, &all, &err), PU_OK);
            assert_int_equal(all.n, 1);
            if (!vis) {
                assert_int_equal(ews_alert_ack(f->e, sc, all.ids[0], sc->agency, &err), PU_ERR_NOTFOUND);
                char sql[256];
                snprintf(sql, sizeof sql, "SELECT id FROM ews_queue WHERE first_report = lower('%s') || '-%s'",
                         MATRIX[i].owner, MATRIX[i].id);
                assert_true(q1(f, sql) > 0); /* the row's queue item exists (ids in the owner's namespace) */
                assert_int_equal(ews_queue_resolve(f->e, sc, q1(f, sql), "fentanyl", &err), PU_ERR_NOTFOUND);
            }
        }
        assert_int_equal(al.n, nvis);
        assert_int_equal(qu.n, nvis);
        /* vocabulary: the DEA synonym resolves and counts for DEA only */
        char *id = NULL;
        assert_int_equal(ews_vocab_resolve(f->e, sc, "zz-dea-syn", &id, &err), r == 0 ? PU_OK : PU_ERR_NOTFOUND);
        free(id);
        syn[r] = -1;
        collect_syn cs = {"fentanyl", &syn[r]};
        assert_int_equal(ews_vocab_list(f->e, sc, count_synonyms, &cs, &err), PU_OK);
    }
    assert_true(syn[1] > 0);
    assert_int_equal(syn[0], syn[1] + 1);
    assert_int_equal(syn[2], syn[1]);
}



/* ---- issue 16: future dates, every bad record, baseline ---- */
static void test_import_discipline(void **st) {
    fx *f = *st;
    pu_err err;
    ews_import_stats s;
    const char *body = HDR
        "D1,2026-03-02,US-AZ,DEA,seizure-lab,fentanyl,powder,,,DEA,SHARED\n"
        "D2,2029-03-02,US-AZ,DEA,seizure-lab,fentanyl,powder,,,DEA,SHARED\n"   /* future */
        "D3,2026-03-03,US-AZ,DEA,seizure-lab,fentanyl,powder,abc,,DEA,SHARED\n" /* quantity */
        "D4,2026-03-04,US-XX,DEA,seizure-lab,fentanyl,powder,,,DEA,SHARED\n"   /* place */
        "D1,2026-03-02,US-AZ,DEA,seizure-lab,fentanyl,powder,,,DEA,SHARED\n"   /* repeated */
        "D5,2026-03-07,US-AZ,DEA,seizure-lab,fentanyl,powder,,,DEA,SHARED\n";  /* today + 1: tolerated */
    ews_import_opts strict = {.format = "csv", .today = "2026-03-06"};
    assert_int_equal(ews_import_mem(f->e, body, strlen(body), &strict, &s, &err), PU_ERR_INVALID);
    assert_string_equal(err.field, "date");
    assert_non_null(strstr(err.msg, "in the future"));
    assert_non_null(strstr(err.msg, "3 of 6 records refused; nothing imported"));
    assert_int_equal(q1(f, "SELECT COUNT(*) FROM ews_report"), 0);
    char *log = NULL;
    size_t loglen = 0;
    FILE *rep = open_memstream(&log, &loglen);
    ews_import_opts partial = {.format = "csv", .today = "2026-03-06", .partial = 1, .report = rep};
    assert_int_equal(ews_import_mem(f->e, body, strlen(body), &partial, &s, &err), PU_OK);
    fclose(rep);
    assert_int_equal(s.read, 6);
    assert_int_equal(s.reports, 2);
    assert_int_equal(s.rejected, 3);
    assert_int_equal(s.duplicate, 1);
    assert_int_equal(s.read, s.reports + s.rejected + s.unchanged + s.duplicate);
    assert_non_null(strstr(log, "line 3: field 'date'"));
    assert_non_null(strstr(log, "line 4: field 'quantity_g'"));
    assert_non_null(strstr(log, "line 5: field 'place'"));
    assert_non_null(strstr(log, "line 6: field 'report_id': duplicate"));
    free(log);
    assert_int_equal(q1(f, "SELECT COUNT(*) FROM ews_report WHERE date > '2026-03-07'"), 0);
    /* a re-import changes nothing and says so */
    partial.report = NULL;
    assert_int_equal(ews_import_mem(f->e, body, strlen(body), &partial, &s, &err), PU_OK);
    assert_int_equal(s.reports, 0);
    assert_int_equal(s.unchanged, 2); /* D1 and D5 */
    assert_int_equal(s.duplicate, 1); /* D1 again, inside this input */
    assert_int_equal(s.alerts, 0);
    /* baseline: history without alerts, recent reports refused; later reports judged against it */
    const char *hist = HDR
        "B1,2020-01-06,MX-SIN,FGR,seizure-lab,isotonitazene,powder,,,FGR,SHARED\n"
        "B2,2026-03-01,MX-SIN,FGR,seizure-lab,protonitazene,powder,,,FGR,SHARED\n"; /* too recent */
    int64_t alerts0 = q1(f, "SELECT COUNT(*) FROM ews_alert");
    ews_import_opts base = {.format = "csv", .today = "2026-03-06", .baseline = 1, .partial = 1};
    assert_int_equal(ews_import_mem(f->e, hist, strlen(hist), &base, &s, &err), PU_OK);
    assert_int_equal(s.reports, 1);
    assert_int_equal(s.rejected, 1);
    assert_int_equal(s.alerts, 0);
    assert_int_equal(q1(f, "SELECT COUNT(*) FROM ews_alert"), alerts0);
    const char *later = HDR "L1,2026-03-02,MX-SIN,FGR,seizure-lab,isotonitazene,powder,,,FGR,SHARED\n";
    ews_import_opts now = {.format = "csv", .today = "2026-03-06"};
    assert_int_equal(ews_import_mem(f->e, later, strlen(later), &now, &s, &err), PU_OK);
    assert_int_equal(s.alerts, 0); /* isotonitazene in Sinaloa is known from the baseline */
}

/* ---- the write rule ---- */
static void test_alert_write_rule(void **st) {
    fx *f = *st;
    const char *csv = write_file(f, "w.csv", HDR
        "W1,2025-05-05,US-AZ,DEA,seizure-lab,etonitazene,powder,,,DEA,SHARED\n"
        "W2,2025-05-12,MX-SON,FGR,seizure-lab,etonitazene,powder,,,FGR,SHARED\n");
    pu_err err;
    assert_int_equal(ews_import(f->e, csv, NULL, NULL, &err), PU_OK);
    collect c = {0};
    ews_alert_query q = {.substance = "etonitazene", .agency = "MX-SON-SSA"};
    assert_int_equal(ews_alerts_list(f->e, STORE_SYSTEM, &q, collect_cb, &c, &err), PU_OK);
    assert_int_equal(c.n, 1);                       /* the first in Mexico, addressed to MX agencies only */
    assert_string_equal(c.last.kind, "first-country");
    assert_null(strstr(c.last.addressed, "DEA"));
    int64_t id = c.ids[0];
    store_scope dea = {0, "US", "DEA"}, fgr = {0, "MX", "FGR"};
    /* DEA sees the SHARED alert but is no addressee: it may not close or acknowledge it */
    assert_int_equal(ews_alert_close(f->e, &dea, id, "DEA", "not ours", &err), PU_ERR_DENIED);
    assert_string_equal(err.field, "agency");
    assert_int_equal(ews_alert_ack(f->e, &dea, id, "DEA", &err), PU_ERR_DENIED);
    /* nor act in FGR's name */
    assert_int_equal(ews_alert_close(f->e, &dea, id, "FGR", NULL, &err), PU_ERR_DENIED);
    /* issue 16: an unknown agency is refused as such, by the operator or anyone */
    store_scope nope = {0, "US", "NOPE"};
    assert_int_equal(ews_alert_ack(f->e, STORE_SYSTEM, id, "NOPE", &err), PU_ERR_INVALID);
    assert_string_equal(err.field, "agency");
    assert_non_null(strstr(err.msg, "unknown agency"));
    assert_int_equal(ews_alert_close(f->e, &nope, id, "NOPE", NULL, &err), PU_ERR_INVALID);
    assert_int_equal(ews_alert_ack(f->e, STORE_SYSTEM, id, "", &err), PU_ERR_INVALID);
    /* a state health secretariat (not a registrable acronym) is known through the places data */
    assert_int_equal(ews_alert_ack(f->e, STORE_SYSTEM, id, "MX-SON-SSA", &err), PU_OK);
    assert_int_equal(q1(f, "SELECT COUNT(*) FROM ews_alert WHERE status = 'acknowledged' AND acked_by = 'MX-SON-SSA'"), 1);
    assert_int_equal(db_exec(f->db, "UPDATE ews_alert SET status = 'open', acked_by = NULL", &err), PU_OK);
    /* the operator names any agency, but it must be an addressee too */
    assert_int_equal(ews_alert_ack(f->e, STORE_SYSTEM, id, "DEA", &err), PU_ERR_DENIED);
    assert_int_equal(q1(f, "SELECT COUNT(*) FROM ews_alert WHERE status <> 'open'"), 0);
    /* FGR, an addressee, for itself */
    assert_int_equal(ews_alert_ack(f->e, &fgr, id, "FGR", &err), PU_OK);
    assert_int_equal(ews_alert_close(f->e, &fgr, id, "FGR", "lab confirmed", &err), PU_OK);
    assert_int_equal(q1(f, "SELECT COUNT(*) FROM ews_alert WHERE status = 'closed' AND closed_by = 'FGR'"), 1);
    /* filing: an agency files only markings its country may hold */
    const char *us_only = "[{\"report_id\":\"F1\",\"date\":\"2025-06-02\",\"place\":\"MX-SON\",\"source_agency\":\"FGR\","
                          "\"type\":\"seizure-lab\",\"substances\":[\"fentanyl\"],\"marking\":\"US-ONLY\"}]";
    ews_import_opts o = {.scope = &fgr};
    assert_int_equal(ews_import_mem(f->e, us_only, strlen(us_only), &o, NULL, &err), PU_ERR_DENIED);
    assert_string_equal(err.field, "marking");
    assert_int_equal(q1(f, "SELECT COUNT(*) FROM ews_report WHERE id = 'F1'"), 0);
    const char *bad = "[{\"report_id\":\"F2\",\"date\":\"2025-06-02\",\"place\":\"MX-SON\",\"source_agency\":\"FGR\","
                      "\"type\":\"seizure-lab\",\"substances\":[\"fentanyl\"],\"marking\":\"SECRET\"}]";
    assert_int_equal(ews_import_mem(f->e, bad, strlen(bad), &o, NULL, &err), PU_ERR_INVALID);
    assert_non_null(strstr(err.msg, STORE_MARKINGS_TEXT));
    const char *mx_only = "[{\"report_id\":\"F3\",\"date\":\"2025-06-02\",\"place\":\"MX-SON\",\"source_agency\":\"FGR\","
                          "\"type\":\"seizure-lab\",\"substances\":[\"fentanyl\"],\"marking\":\"MX-ONLY\"}]";
    assert_int_equal(ews_import_mem(f->e, mx_only, strlen(mx_only), &o, NULL, &err), PU_OK);
    assert_int_equal(q1(f, "SELECT COUNT(*) FROM ews_report WHERE id = 'fgr-F3' AND owner = 'FGR' AND marking = 'MX-ONLY'"), 1);
    o.scope = &dea;
    assert_int_equal(ews_import_mem(f->e, mx_only, strlen(mx_only), &o, NULL, &err), PU_ERR_DENIED);
    /* a curator synonym follows the same filing rule and is owned by its agency */
    assert_int_equal(ews_vocab_add_synonym_as(f->e, &fgr, "fentanyl", "zz-fgr-us", "es", "US-ONLY", &err),
                     PU_ERR_DENIED);
    assert_int_equal(ews_vocab_add_synonym_as(f->e, &fgr, "fentanyl", "zz-fgr-mx", "es", "MX-ONLY", &err), PU_OK);
    assert_int_equal(q1(f, "SELECT COUNT(*) FROM ews_synonym WHERE name = 'zz-fgr-mx' AND owner = 'FGR' "
                           "AND marking = 'MX-ONLY'"), 1);
    assert_int_equal(q1(f, "SELECT COUNT(*) FROM ews_synonym WHERE name = 'zz-fgr-us'"), 0);
}

/* ---- first detection reveals no hidden report ----
 * DEA files an AGENCY-ONLY report of xylazine (and of an unknown name) in
 * Arizona; CDC later files a SHARED one of both. What CDC, and FGR, see in
 * every list must be exactly what they would see had DEA's report never
 * been filed (ids aside). The old engine raised no alert for CDC's report
 * and merged its name into DEA's hidden queue item. */
static void render(ews_t *e, const store_scope *sc, char *out, size_t n) {
    seen al = {"", 0}, qu = {"", 0};
    assert_int_equal(ews_alerts_list(e, sc, NULL, render_alert, &al, NULL), PU_OK);
    assert_int_equal(ews_queue_list(e, sc, NULL, render_queue, &qu, NULL), PU_OK);
    snprintf(out, n, "%s--\n%s", al.text, qu.text);
}

static void test_first_detection_hidden(void **st) {
    fx *f = *st;
    char dea_csv[256], cdc_path[256];   /* write_file returns a static buffer */
    pu_strlcpy(dea_csv, write_file(f, "a.csv", HDR
        "H1,2025-03-03,US-AZ,DEA,seizure-lab,xylazine|zz-new-name,powder,,,DEA,AGENCY-ONLY\n"), sizeof dea_csv);
    pu_strlcpy(cdc_path, write_file(f, "b.csv", HDR
        "H2,2025-03-10,US-AZ,CDC,seizure-lab,xylazine|zz-new-name,powder,,,CDC,SHARED\n"), sizeof cdc_path);
    pu_err err;
    assert_int_equal(ews_import(f->e, dea_csv, NULL, NULL, &err), PU_OK);
    assert_int_equal(ews_import(f->e, cdc_path, NULL, NULL, &err), PU_OK);
    /* the control: a store where DEA never filed */
    store_t *s2;
    ews_t *e2;
    assert_int_equal(store_open(test_store_uri(), &s2, &err), PU_OK);
    assert_int_equal(ews_migrate(store_db(s2), &err), PU_OK);
    assert_int_equal(ews_open(store_db(s2), &e2, &err), PU_OK);
    assert_int_equal(ews_import(e2, cdc_path, NULL, NULL, &err), PU_OK);
    store_scope readers[] = {{0, "US", "CDC"}, {0, "MX", "FGR"}};
    for (size_t r = 0; r < 2; r++) {
        char with[8192], without[8192];
        render(f->e, &readers[r], with, sizeof with);
        render(e2, &readers[r], without, sizeof without);
        assert_string_equal(with, without);
        /* and CDC's report is a first detection in their view */
        assert_non_null(strstr(with, "first-anywhere xylazine US-AZ SHARED report cdc-H2"));
        assert_non_null(strstr(with, "zz-new-name count=1 first=cdc-H2"));
        assert_null(strstr(with, "H1"));
    }
    /* DEA sees both: its own first (AGENCY-ONLY, to itself) and everyone's */
    char dea_view[8192];
    store_scope dea = {0, "US", "DEA"};
    render(f->e, &dea, dea_view, sizeof dea_view);
    assert_non_null(strstr(dea_view, "first-anywhere xylazine US-AZ AGENCY-ONLY report dea-H1"));
    assert_non_null(strstr(dea_view, "first-anywhere xylazine US-AZ SHARED report cdc-H2"));
    ews_close(e2);
    store_close(s2);
}

/* An emergence injected into a flat weekly stream raises aberration alerts in
 * the right state and nowhere else. */
static void test_scan(void **st) {
    fx *f = *st;
    char path[256];
    snprintf(path, sizeof path, "%s/s.csv", f->dir);
    FILE *o = fopen(path, "w");
    assert_non_null(o);
    fputs(HDR, o);
    int64_t d0;
    pu_parse_date("2020-01-06", &d0);
    int n = 0;
    for (int w = 0; w < 40; w++) {
        char date[16];
        pu_format_date(d0 + 7 * w, date, sizeof date);
        int k = 2 + (w % 3 == 0);                 /* steady 2-3 reports a week */
        if (w >= 37) k = 12 + 4 * (w - 37);       /* emergence in the last 3 weeks */
        for (int i = 0; i < k; i++)
            fprintf(o, "S%d,%s,US-NM,DEA,seizure-lab,xylazine,powder,,,DEA,SHARED\n", ++n, date);
        fprintf(o, "T%d,%s,MX-CHH,FGR,seizure-lab,heroin,powder,,,FGR,SHARED\n", ++n, date);
    }
    fclose(o);
    pu_err err;
    assert_int_equal(ews_import(f->e, path, NULL, NULL, &err), PU_OK);
    ews_params p;
    ews_params_default(EWS_C2, &p);
    int64_t raised;
    int64_t shorter;
    assert_int_equal(ews_scan(f->e, &p, NULL, 3, &raised, &shorter, &err), PU_OK);
    assert_int_equal(shorter, 0);
    assert_true(raised >= 1);
    assert_int_equal(q1(f, "SELECT COUNT(*) FROM ews_alert WHERE kind = 'aberration' AND place <> 'US-NM'"), 0);
    assert_int_equal(q1(f, "SELECT COUNT(*) FROM ews_alert WHERE kind = 'aberration' AND substance = 'xylazine' "
                           "AND observed >= 12 AND upper < observed"), raised);
    /* scanning again raises nothing new */
    int64_t again;
    assert_int_equal(ews_scan(f->e, &p, NULL, 3, &again, NULL, &err), PU_OK);
    assert_int_equal(again, 0);
    /* Farrington needs 5 years: both 40-week series get no verdict, and say so */
    ews_params pf;
    ews_params_default(EWS_FARRINGTON, &pf);
    assert_int_equal(ews_scan(f->e, &pf, NULL, 3, &again, &shorter, &err), PU_OK);
    assert_int_equal(again, 0);
    assert_int_equal(shorter, 2);
    ews_counts *c;
    assert_int_equal(ews_counts_from_store(f->e, STORE_SYSTEM, "xylazine", "US", &c, &err), PU_OK);
    assert_int_equal(c->n, 40);
    assert_true(c->y[39] == 20);
    ews_counts_free(c);
    assert_int_equal(ews_counts_from_store(f->e, STORE_SYSTEM, "xylazine", "MX", &c, &err), PU_OK);
    assert_int_equal(c->n, 0);
    ews_counts_free(c);
    assert_int_equal(ews_scan(f->e, &p, "2020-13-01", 1, &again, NULL, &err), PU_ERR_INVALID);
}

static void test_demo_generator(void **st) {
    (void)st;
    char *buf1 = NULL, *buf2 = NULL;
    size_t n1 = 0, n2 = 0;
    FILE *a = open_memstream(&buf1, &n1), *b = open_memstream(&buf2, &n2);
    assert_int_equal(ews_demo_generate(a, "2024-01-03", 30, 5, NULL), PU_OK);
    assert_int_equal(ews_demo_generate(b, "2024-01-03", 30, 5, NULL), PU_OK);
    fclose(a);
    fclose(b);
    assert_true(n1 > 1000);
    assert_int_equal(n1, n2);
    assert_memory_equal(buf1, buf2, n1);          /* deterministic for a seed */
    assert_non_null(strstr(buf1, "isotonitaceno"));
    assert_non_null(strstr(buf1, "US-AZ"));
    assert_null(strstr(buf1, ",2023-"));          /* nothing before the Monday of the start week */
    free(buf1);
    free(buf2);
    assert_int_equal(ews_demo_generate(stdout, "bad", 3, 1, NULL), PU_ERR_INVALID);
}

/* ---- leak 4: a hidden report id answers like an absent one ----
 * DEA files report "K1" AGENCY-ONLY. FGR imports "K1" twice: once with
 * DEA's exact content (the old oracle answered "skipped"), once with other
 * content (the old oracle answered a conflict). Both must import like a
 * fresh id, into FGR's namespace, and DEA's report must be untouched. */
static void test_hidden_report_id(void **st) {
    fx *f = *st;
    ews_import_stats s;
    pu_err err;
    ews_import_opts dea = {.format = "json", .owner = "DEA"};
    const char *k1 = JREC("K1", "2025-08-04", ",\"marking\":\"AGENCY-ONLY\"");
    assert_int_equal(ews_import_mem(f->e, k1, strlen(k1), &dea, &s, &err), PU_OK);
    assert_int_equal(s.reports, 1);
    store_scope fgr_scope = {0, "MX", "FGR"};
    ews_import_opts fgr = {.format = "json", .scope = &fgr_scope};
    /* same content as DEA's hidden report, FGR as owner */
    const char *same = "{\"report_id\":\"K1\",\"date\":\"2025-08-04\",\"place\":\"US-AZ/Tucson\","
                       "\"source_agency\":\"DEA\",\"type\":\"seizure-lab\","
                       "\"substances\":[\"fentanyl\",\"zz-mem-unknown\"],\"marking\":\"SHARED\"}";
    assert_int_equal(ews_import_mem(f->e, same, strlen(same), &fgr, &s, &err), PU_OK);
    assert_int_equal(s.reports, 1); /* imported, not "already there" */
    /* different content, a fresh id and an id in DEA's namespace: all import */
    const char *other = "{\"report_id\":\"K1\",\"date\":\"2025-08-05\",\"place\":\"MX-SON\","
                        "\"source_agency\":\"FGR\",\"type\":\"seizure-lab\",\"substances\":[\"heroin\"],"
                        "\"marking\":\"SHARED\"}";
    /* K1 of FGR now exists with other content: a conflict in FGR's OWN namespace (visible to FGR) */
    assert_int_equal(ews_import_mem(f->e, other, strlen(other), &fgr, &s, &err), PU_ERR_CONFLICT);
    const char *squat = "{\"report_id\":\"dea-K1\",\"date\":\"2025-08-05\",\"place\":\"MX-SON\","
                        "\"source_agency\":\"FGR\",\"type\":\"seizure-lab\",\"substances\":[\"heroin\"],"
                        "\"marking\":\"SHARED\"}";
    assert_int_equal(ews_import_mem(f->e, squat, strlen(squat), &fgr, &s, &err), PU_OK);
    assert_int_equal(s.reports, 1);
    assert_int_equal(q1(f, "SELECT COUNT(*) FROM ews_report WHERE id = 'dea-K1' AND owner = 'DEA' "
                           "AND marking = 'AGENCY-ONLY' AND date = '2025-08-04'"), 1);
    assert_int_equal(q1(f, "SELECT COUNT(*) FROM ews_report WHERE id = 'fgr-K1' AND owner = 'FGR'"), 1);
    assert_int_equal(q1(f, "SELECT COUNT(*) FROM ews_report WHERE id = 'fgr-dea-K1' AND owner = 'FGR'"), 1);
    /* the ids of an import are reported for the audit trail */
    pu_buf ids = PU_BUF_INIT(256);
    const char *k2 = JREC("K2", "2025-08-06", "") "\n" JREC("K3", "2025-08-06", "");
    ews_import_opts withids = {.format = "json", .owner = "DEA", .ids = &ids};
    assert_int_equal(ews_import_mem(f->e, k2, strlen(k2), &withids, &s, &err), PU_OK);
    assert_string_equal(pu_buf_str(&ids), "dea-K2,dea-K3");
    pu_buf_free(&ids);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_distributions),
        cmocka_unit_test(test_counts_reader),
        cmocka_unit_test(test_counts_set),
        cmocka_unit_test(test_detect_errors),
        cmocka_unit_test(test_c1_by_hand),
        cmocka_unit_test(test_normalize),
        cmocka_unit_test_setup_teardown(test_vocab_resolve, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_csv, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_jsonl, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_mem, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_mem_caller_tx, setup, teardown),
        cmocka_unit_test_setup_teardown(test_alerts_visibility_workflow, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scan, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scope_matrix, setup, teardown),
        cmocka_unit_test_setup_teardown(test_alert_write_rule, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_discipline, setup, teardown),
        cmocka_unit_test_setup_teardown(test_first_detection_hidden, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hidden_report_id, setup, teardown),
        cmocka_unit_test(test_demo_generator),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
