/* Unit tests for src/trace: normalisation, dates, geography, import with
 * rejects, requests and their workflow, matching (index and baseline agree),
 * multiple-sale rules, leads, statistics and the generator. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "trace/trace.h"
#include "../test_store_uri.h"

#define TODAY "2026-11-27"

static void norm_ok(const char *raw, const char *want) {
    char out[TRACE_SERIAL_MAX];
    pu_err e;
    int wild;
    assert_int_equal(trace_serial_norm(raw, 1, out, sizeof out, &wild, &e), PU_OK);
    assert_string_equal(out, want);
}

static void test_serial_norm(void **s) {
    (void)s;
    norm_ok("abc-123", "ABC123");
    norm_ok(" ABC 123 ", "ABC123");
    norm_ok("0O0ABC", "ABC");          /* leading zeros, O read as 0 */
    norm_ok("AB0O1I", "AB0011");       /* O/0 and I/1 folded */
    norm_ok("000", "0");
    norm_ok("LE1.234/5", "LE12345");
    norm_ok("ab?1*", "AB?1*");
    norm_ok("A[38]9", "A[38]9");
    char out[TRACE_SERIAL_MAX];
    pu_err e;
    assert_int_equal(trace_serial_norm("AB#12", 0, out, sizeof out, NULL, &e), PU_ERR_INVALID);
    assert_string_equal(e.field, "serial");
    assert_non_null(strstr(e.msg, "'#'"));
    assert_int_equal(trace_serial_norm("---", 0, out, sizeof out, NULL, &e), PU_ERR_INVALID);
    assert_int_equal(trace_serial_norm("ÄB12", 0, out, sizeof out, NULL, &e), PU_ERR_INVALID);
    assert_int_equal(trace_serial_norm("AB?12", 0, out, sizeof out, NULL, &e), PU_ERR_INVALID); /* no wildcards */
    assert_int_equal(trace_serial_norm("A[38", 1, out, sizeof out, NULL, &e), PU_ERR_INVALID);
    assert_int_equal(trace_serial_norm("123456789012345678901234567890123", 0, out, sizeof out, NULL, &e),
                     PU_ERR_INVALID);
}

static void test_serial_match(void **s) {
    (void)s;
    assert_true(trace_serial_match("AB?123", "ABC123"));
    assert_false(trace_serial_match("AB?123", "ABC1234"));
    assert_true(trace_serial_match("AB*4", "ABC1234"));
    assert_true(trace_serial_match("*1234", "ABC1234"));
    assert_true(trace_serial_match("A[BC]C123", "ACC123"));
    assert_false(trace_serial_match("A[BD]C123", "ACC123"));
    /* leading '?' may be a dropped leading zero: "0123" is stored as "123" */
    assert_true(trace_serial_match("?123", "123"));
    assert_false(trace_serial_match("?124", "123"));
}

static void mfr_is(const char *raw, const char *want, int want_known) {
    char out[TRACE_NAME_MAX];
    int known;
    trace_mfr_norm(raw, out, sizeof out, &known);
    assert_string_equal(out, want);
    assert_int_equal(known, want_known);
}

static void test_mfr_norm(void **s) {
    (void)s;
    mfr_is("Colt's Manufacturing Company", "COLT", 1);
    mfr_is("COLT", "COLT", 1);
    mfr_is("S&W", "SMITH & WESSON", 1);
    mfr_is("smith and wesson corp.", "SMITH & WESSON", 1);
    mfr_is("Sturm, Ruger & Co., Inc.", "STURM, RUGER", 1);
    mfr_is("Fabbrica d'Armi Pietro Beretta S.p.A.", "BERETTA", 1);
    mfr_is("Acme Gun Works, LLC", "ACME GUN WORKS", 0);
    mfr_is("", "", 0);
}

static void test_names_calibre(void **s) {
    (void)s;
    char a[TRACE_NAME_MAX], b[TRACE_NAME_MAX];
    trace_name_norm("Pérez, Juan", a, sizeof a);
    trace_name_norm("JUAN PEREZ", b, sizeof b);
    assert_string_equal(a, b);
    trace_name_norm("Juan Pérez López", b, sizeof b);
    assert_string_not_equal(a, b);
    assert_true(trace_calibre_over_22(".223 Rem"));
    assert_true(trace_calibre_over_22("5.56mm"));
    assert_true(trace_calibre_over_22("7.62x39mm"));
    assert_true(trace_calibre_over_22(".50 BMG"));
    assert_true(trace_calibre_over_22("308"));
    assert_false(trace_calibre_over_22(".22 LR"));
    assert_false(trace_calibre_over_22(".17 HMR"));
    assert_false(trace_calibre_over_22(""));
}

static int64_t day(const char *s) {
    int64_t d = 0;
    assert_int_equal(pu_parse_date(s, &d), PU_OK);
    return d;
}

static void test_business_days(void **s) {
    (void)s;
    assert_true(trace_is_us_holiday(day("2025-11-27")));  /* Thanksgiving */
    assert_true(trace_is_us_holiday(day("2026-07-03")));  /* July 4 on a Saturday, observed Friday */
    assert_true(trace_is_us_holiday(day("2021-12-31")));  /* New Year 2022 (Sat) observed */
    assert_true(trace_is_us_holiday(day("2024-01-15")));  /* MLK Day */
    assert_true(trace_is_us_holiday(day("2024-05-27")));  /* Memorial Day: last Monday */
    assert_false(trace_is_us_holiday(day("2024-05-20")));
    assert_false(trace_is_us_holiday(day("2020-06-19"))); /* Juneteenth only from 2021 */
    assert_int_equal(trace_business_days(day("2024-03-04"), day("2024-03-08")), 5);  /* Mon-Fri */
    assert_int_equal(trace_business_days(day("2024-03-04"), day("2024-03-11")), 6);
    assert_int_equal(trace_business_days(day("2024-03-09"), day("2024-03-10")), 0);  /* weekend */
    assert_int_equal(trace_business_days(day("2024-07-01"), day("2024-07-08")), 5);  /* July 4 skipped */
}

static void test_geography(void **s) {
    (void)s;
    double near, far;
    assert_int_equal(trace_state_distance("TX", "Chihuahua", &near), PU_OK);
    assert_int_equal(trace_state_distance("TX", "Michoacán de Ocampo", &far), PU_OK);
    assert_true(near < far);
    assert_true(near > 200 && near < 1000);
    assert_int_equal(trace_state_distance("TX", "Atlantis", &far), PU_ERR_NOTFOUND);
    char c[8];
    assert_int_equal(trace_mx_state_code("CDMX", c, sizeof c), PU_OK);
    assert_string_equal(c, "CMX");
    assert_int_equal(trace_mx_state_code("nuevo leon", c, sizeof c), PU_OK);
    assert_string_equal(c, "NLE");
    assert_true(trace_us_state_valid("AZ"));
    assert_false(trace_us_state_valid("ZZ"));
}

/* ---- engine fixtures ---- */

typedef struct fx {
    db_t *db;
    trace_t *t;
} fx;

static int setup(void **s) {
    fx *f = calloc(1, sizeof *f);
    pu_err e;
    if (db_open(test_store_uri(), NULL, &f->db, &e) || store_migrate(f->db, &e) || trace_migrate(f->db, &e) ||
        trace_open(f->db, TODAY, &f->t, &e))
        return -1;
    *s = f;
    return 0;
}

static int teardown(void **s) {
    fx *f = *s;
    trace_close(f->t);
    db_close(f->db);
    free(f);
    return 0;
}

static const char ACQ[] =
    "manufacturer,serial,importer,model,type,calibre,action,detachable_mag,country,event,date,party,party_dob,ffl,state\n"
    "Colt's Manufacturing Company,CV10234,,Government,pistol,.38 Super,semi-auto,1,USA,MANUFACTURE,2020-01-10,,,,\n"
    "COLT,CV10234,,,,,,,,DISTRIBUTOR,2020-02-01,Lone Star Wholesale,,,\n"
    "COLT,CV10234,,,,,,,,DEALER,2020-02-20,Border Guns,,5-74-001-01-2A-00001,TX\n"
    "COLT,CV10234,,,,,,,,RETAIL,2020-03-02,John Q. Straw,1990-05-05,5-74-001-01-2A-00001,TX\n"
    "Colt,CV10235,,Government,pistol,.38 Super,semi-auto,1,USA,MANUFACTURE,2020-01-10,,,,\n"
    "COLT,CV10235,,,,,,,,RETAIL,2020-03-05,John Q. Straw,1990-05-05,5-74-001-01-2A-00001,TX\n"
    "Sturm Ruger,850-12345,,AR-556,rifle,5.56mm,semi-auto,1,USA,MANUFACTURE,2021-01-01,,,,\n"
    "RUGER,850-12345,,,,,,,,RETAIL,2021-06-07,John Q. Straw,1990-05-05,5-74-001-01-2A-00001,TX\n"
    "RUGER,850-12346,,AR-556,rifle,5.56mm,semi-auto,1,USA,MANUFACTURE,2021-01-01,,,,\n"
    "RUGER,850-12346,,,,,,,,RETAIL,2021-06-09,John Q. Straw,1990-05-05,5-74-001-01-2A-00001,TX\n"
    "Ruger,850-22222,,AR-556,rifle,5.56mm,semi-auto,1,USA,MANUFACTURE,2021-01-01,,,,\n"
    "Ruger,850-22222,,,,,,,,RETAIL,2021-06-07,Ann Buyer,1970-01-01,1-59-001-01-2A-00002,FL\n"
    "Ruger,850-22223,,AR-556,rifle,5.56mm,semi-auto,1,USA,MANUFACTURE,2021-01-01,,,,\n"
    "Ruger,850-22223,,,,,,,,RETAIL,2021-06-08,Ann Buyer,1970-01-01,1-59-001-01-2A-00002,FL\n"
    "Glock,ABC123,GLOCK INC,G19,pistol,9mm,semi-auto,1,Austria,IMPORT,2019-01-01,,,,\n"
    "Glock,ABC123,,,,,,,,RETAIL,2019-05-01,Mary Lawful,1980-02-02,1-59-001-01-2A-00002,FL\n"
    "Glock,ABC124,GLOCK INC,G19,pistol,9mm,semi-auto,1,Austria,IMPORT,2019-01-01,,,,\n"
    "Glock,ABC124,,,,,,,,DEALER,2019-02-01,Shelf Guns,,1-59-001-01-2A-00002,FL\n"
    "Acme Gun Works,ZZ999,,X1,pistol,9mm,semi-auto,1,USA,MANUFACTURE,2022-01-01,,,,\n"
    "Glock,AB#99,,G19,pistol,9mm,semi-auto,1,Austria,IMPORT,2019-01-01,,,,\n"
    "Glock,ABC125,,G19,pistol,9mm,semi-auto,1,Austria,IMPORT,2030-01-01,,,,\n"
    "COLT,CV10234,,,,,,,,TRANSFER,2019-01-01,Early Bird,1970-01-01,5-74-001-01-2A-00001,TX\n"
    "Glock,ABC126,,G19,pistol,9mm,semi-auto,1,Austria,BOUGHT,2019-01-01,,,,\n";

static void import_fixture(fx *f, trace_import_stats *st) {
    pu_csv *r;
    pu_err e;
    assert_int_equal(pu_csv_open_mem(ACQ, sizeof ACQ - 1, NULL, &r, &e), PU_OK);
    trace_import_opts o = {.owner = "ATF", .marking = "SHARED"};
    int rc = trace_import_acquisitions(f->t, STORE_SYSTEM, r, &o, st, &e);
    pu_csv_close(r);
    assert_int_equal(rc, PU_OK);
}

static void test_import_rejects(void **s) {
    fx *f = *s;
    trace_import_stats st;
    import_fixture(f, &st);
    assert_int_equal(st.rows, 23);
    assert_int_equal(st.rejected, 4);  /* bad serial, future date, before manufacture, unknown event */
    assert_int_equal(st.accepted, 19);
    assert_int_equal(st.unknown_mfr, 1);
    int64_t n;
    pu_err e;
    assert_int_equal(db_query_int64(f->db, "SELECT COUNT(*) FROM trace_reject", NULL, &n, &e), PU_OK);
    assert_int_equal(n, 4);
    assert_int_equal(db_query_int64(f->db, "SELECT COUNT(*) FROM trace_reject WHERE message LIKE '%before the firearm%'",
                                    NULL, &n, &e), PU_OK);
    assert_int_equal(n, 1);
    assert_int_equal(db_query_int64(f->db, "SELECT COUNT(*) FROM trace_reject WHERE raw LIKE '%AB#99%'", NULL, &n, &e),
                     PU_OK);
    assert_int_equal(n, 1); /* the row is kept verbatim */
    /* the unknown maker is kept, normalised and flagged */
    assert_int_equal(db_query_int64(f->db, "SELECT mfr_known FROM trace_firearm WHERE mfr = 'ACME GUN WORKS'", NULL, &n,
                                    &e), PU_OK);
    assert_int_equal(n, 0);
    /* Colt aliases went to one firearm: serial unique within the maker */
    assert_int_equal(db_query_int64(f->db, "SELECT COUNT(*) FROM trace_firearm WHERE mfr = 'COLT'", NULL, &n, &e), PU_OK);
    assert_int_equal(n, 2);
    /* importers normalised through the alias table ("GLOCK INC" = GLOCK) */
    assert_int_equal(db_query_int64(f->db, "SELECT COUNT(*) FROM trace_firearm WHERE importer = 'GLOCK'", NULL, &n, &e),
                     PU_OK);
    assert_int_equal(n, 2);
    /* strict: one bad row and nothing is imported */
    pu_csv *r;
    assert_int_equal(pu_csv_open_mem(ACQ, sizeof ACQ - 1, NULL, &r, &e), PU_OK);
    trace_import_opts o = {.owner = "ATF", .strict = 1};
    int64_t before;
    db_query_int64(f->db, "SELECT COUNT(*) FROM trace_event", NULL, &before, &e);
    assert_int_equal(trace_import_acquisitions(f->t, STORE_SYSTEM, r, &o, &st, &e), PU_ERR_INVALID);
    pu_csv_close(r);
    db_query_int64(f->db, "SELECT COUNT(*) FROM trace_event", NULL, &n, &e);
    assert_int_equal(n, before);
}


/* Issue 16: imports are idempotent (natural keys), duplicates inside one input
 * are counted and not written, counts add up, a purchaser born after the
 * purchase is refused, and a request is found by its documented number. */
static void test_import_idempotent(void **s) {
    fx *f = *s;
    trace_import_stats st;
    pu_err e;
    int64_t ev1, ev2;
    import_fixture(f, &st);
    db_query_int64(f->db, "SELECT COUNT(*) FROM trace_event", NULL, &ev1, &e);
    import_fixture(f, &st);
    db_query_int64(f->db, "SELECT COUNT(*) FROM trace_event", NULL, &ev2, &e);
    assert_int_equal(ev2, ev1);
    assert_int_equal(st.accepted, 0);
    assert_int_equal(st.unchanged, 19);
    assert_int_equal(st.duplicate, 0);
    assert_int_equal(st.rows, st.accepted + st.rejected + st.duplicate + st.unchanged);
    static const char DUP[] =
        "manufacturer,serial,type,event,date,party,party_dob,ffl,state\n"
        "Glock,IDEM1,pistol,MANUFACTURE,2020-01-01,,,,\n"
        "Glock,IDEM1,pistol,RETAIL,2021-01-01,Ann Buyer,1980-01-01,1-74-000-00-0A-00001,TX\n"
        "GLOCK,IDEM1,pistol,RETAIL,2021-01-01,Ann Buyer,1980-01-01,1-74-000-00-0A-00001,TX\n" /* same event */
        "Glock,IDEM2,pistol,RETAIL,2021-01-01,Baby Buyer,2021-01-02,1-74-000-00-0A-00001,TX\n"; /* born after */
    pu_csv *r;
    trace_import_opts o = {.owner = "ATF", .marking = "SHARED"};
    assert_int_equal(pu_csv_open_mem(DUP, sizeof DUP - 1, NULL, &r, &e), PU_OK);
    assert_int_equal(trace_import_acquisitions(f->t, STORE_SYSTEM, r, &o, &st, &e), PU_OK);
    pu_csv_close(r);
    assert_int_equal(st.rows, 4);
    assert_int_equal(st.accepted, 2);
    assert_int_equal(st.duplicate, 1);
    assert_int_equal(st.rejected, 1);
    int64_t n;
    assert_int_equal(db_query_int64(f->db, "SELECT COUNT(*) FROM trace_reject WHERE field = 'party_dob'", NULL, &n, &e),
                     PU_OK);
    assert_int_equal(n, 1);
    /* recoveries: a second import creates no second request */
    static const char REC[] = "agency,crime_code,serial,manufacturer,type,recovery_date,recovery_state\n"
                              "FGR,5212,ABC123,Glock,pistol,2024-05-01,Chihuahua\n"
                              "FGR,5212,ABC123,Glock,pistol,2024-05-01,Chihuahua\n"
                              "FGR,5212,ZZ1,Glock,pistol,2024-05-02,Chihuahua\n";
    trace_import_opts ro = {.marking = "SHARED"};
    for (int pass = 0; pass < 2; pass++) {
        assert_int_equal(pu_csv_open_mem(REC, sizeof REC - 1, NULL, &r, &e), PU_OK);
        assert_int_equal(trace_import_recoveries(f->t, STORE_SYSTEM, r, &ro, &st, &e), PU_OK);
        pu_csv_close(r);
        assert_int_equal(st.rows, 3);
        assert_int_equal(st.accepted, pass ? 0 : 2);
        assert_int_equal(st.duplicate, 1); /* line 3 repeats line 2, on both passes */
        assert_int_equal(st.unchanged, pass ? 2 : 0);
    }
    assert_int_equal(db_query_int64(f->db, "SELECT COUNT(*) FROM trace_request", NULL, &n, &e), PU_OK);
    assert_int_equal(n, 2);
    /* the documented id */
    char num[32];
    int64_t id = 0, want;
    assert_int_equal(db_query_int64(f->db, "SELECT MAX(id) FROM trace_request", NULL, &want, &e), PU_OK);
    db_stmt *q;
    assert_int_equal(db_prepare(f->db, "SELECT number FROM trace_request WHERE id = ?", &q, &e), PU_OK);
    db_bind_int64(q, 1, want);
    assert_int_equal(db_step(q, &e), DB_ROW);
    snprintf(num, sizeof num, "%s", db_col_text(q, 0));
    db_finalize(q);
    assert_int_equal(trace_request_resolve(f->t, STORE_SYSTEM, num, &id, &e), PU_OK);
    assert_int_equal(id, want);
    num[0] = 't';
    assert_int_equal(trace_request_resolve(f->t, STORE_SYSTEM, num, &id, &e), PU_OK);
    assert_int_equal(id, want);
    char digits[24];
    snprintf(digits, sizeof digits, "%lld", (long long)want);
    assert_int_equal(trace_request_resolve(f->t, STORE_SYSTEM, digits, &id, &e), PU_OK);
    assert_int_equal(id, want);
    assert_int_equal(trace_request_resolve(f->t, STORE_SYSTEM, "T2026-999999", &id, &e), PU_ERR_NOTFOUND);
    assert_int_equal(trace_request_resolve(f->t, STORE_SYSTEM, "x1", &id, &e), PU_ERR_INVALID);
    const store_scope sedena = {0, "MX", "SEDENA"}; /* SHARED requests of FGR: visible to a MX agency */
    assert_int_equal(trace_request_resolve(f->t, &sedena, num, &id, &e), PU_OK);
    /* a possessor born after the recovery */
    const char *k[] = {"agency", "crime_code", "serial", "manufacturer", "type", "recovery_date", "recovery_state",
                       "possessor_dob"};
    const char *v[] = {"FGR", "5212", "QQ1", "Glock", "pistol", "2024-05-01", "Chihuahua", "2024-06-01"};
    trace_import_opts so = {.owner = "FGR"};
    assert_int_equal(trace_request_submit(f->t, STORE_SYSTEM, k, v, 8, &so, &id, NULL, 0, &e), PU_ERR_INVALID);
    assert_string_equal(e.field, "possessor_dob");
}

static int64_t submit(fx *f, const char *serial, const char *mfr, const char *type, const char *possessor,
                      const char *rec, const char *marking) {
    const char *k[] = {"agency", "crime_code", "serial", "manufacturer", "type", "recovery_date", "recovery_state",
                       "possessor", "obliterated"};
    int wild = serial && strpbrk(serial, "?*[") != NULL;
    const char *v[] = {"FGR", "5212", serial, mfr, type, rec, "Michoacán", possessor, wild ? "yes" : "no"};
    trace_import_opts o = {.owner = "FGR", .marking = marking};
    int64_t id = 0;
    char num[32];
    pu_err e;
    int rc = trace_request_submit(f->t, STORE_SYSTEM, k, v, possessor ? 9 : 7, &o, &id, num, sizeof num, &e);
    if (!possessor) { /* obliterated flag only passed with possessor in this helper */
    }
    assert_int_equal(rc, PU_OK);
    assert_true(strncmp(num, "T2026-", 6) == 0);
    return id;
}

static void col(fx *f, int64_t id, const char *c, char *out, size_t n) {
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT COALESCE(CAST(%s AS TEXT), '') FROM trace_request WHERE id = ?", c);
    db_stmt *st;
    pu_err e;
    assert_int_equal(db_prepare(f->db, sql, &st, &e), PU_OK);
    db_bind_int64(st, 1, id);
    assert_int_equal(db_step(st, &e), DB_ROW);
    pu_strlcpy(out, db_col_text(st, 0), n);
    db_finalize(st);
}

static void test_requests_and_run(void **s) {
    fx *f = *s;
    trace_import_stats ist;
    import_fixture(f, &ist);
    int64_t a = submit(f, "cv-1O234", "Colt's Mfg Co", "pistola", "Pedro Páramo", "2020-09-28", "SHARED");
    int64_t b = submit(f, "ABC123", "GLOCK", "pistol", "Mary Lawful", "2024-05-01", "SHARED");
    int64_t c = submit(f, "ABC124", "Glock", "pistol", "X", "2024-05-01", "MX-ONLY");  /* never sold */
    int64_t d = submit(f, "QQ777", "Norinco", "rifle", "Y", "2024-05-01", "SHARED");   /* no US record */
    int64_t p = submit(f, "850-1234?", "Ruger", "rifle", "Z", "2022-01-01", "SHARED");  /* partial: 2 candidates */
    int64_t u = submit(f, "ZZ999", "Acme Gun Works Inc", "pistol", "Z", "2024-01-01", "SHARED"); /* unknown maker */
    int64_t m = submit(f, "CV10235", "Colt", "pistol", "Z", "2019-01-01", "SHARED");   /* before manufacture */
    /* bad submissions are refused with the field named */
    const char *k[] = {"agency", "crime_code", "serial", "manufacturer", "type", "recovery_date", "recovery_state"};
    const char *v[] = {"FGR", "5212", "AB@1", "Colt", "pistol", "2024-01-01", "Sonora"};
    trace_import_opts o = {.owner = "FGR"};
    pu_err e;
    int64_t id;
    assert_int_equal(trace_request_submit(f->t, STORE_SYSTEM, k, v, 7, &o, &id, NULL, 0, &e), PU_ERR_INVALID);
    assert_string_equal(e.field, "serial");
    v[2] = "AB1";
    v[5] = "2027-01-01";
    assert_int_equal(trace_request_submit(f->t, STORE_SYSTEM, k, v, 7, &o, &id, NULL, 0, &e), PU_ERR_INVALID);
    assert_string_equal(e.field, "recovery_date");
    v[5] = "2024-01-01";
    v[6] = "Texas";
    assert_int_equal(trace_request_submit(f->t, STORE_SYSTEM, k, v, 7, &o, &id, NULL, 0, &e), PU_ERR_INVALID);
    assert_string_equal(e.field, "recovery_state");

    /* run with the baseline first, reset, then with the index: same outcome */
    trace_run_stats rs;
    assert_int_equal(trace_run(f->t, STORE_SYSTEM, NULL, 0, &rs, &e), PU_OK);
    assert_int_equal(rs.processed, 7);
    char base_status[7][64];
    int64_t ids[] = {a, b, c, d, p, u, m};
    for (int i = 0; i < 7; i++) col(f, ids[i], "status", base_status[i], sizeof base_status[i]);
    assert_int_equal(db_exec(f->db, "UPDATE trace_request SET status = 'submitted'", &e), PU_OK);
    trace_index *ix;
    assert_int_equal(trace_index_build(f->t, STORE_SYSTEM, &ix, &e), PU_OK);
    assert_int_equal(trace_index_size(ix), 9);
    assert_int_equal(trace_run(f->t, STORE_SYSTEM, ix, 0, &rs, &e), PU_OK);
    char buf[256];
    for (int i = 0; i < 7; i++) {
        col(f, ids[i], "status", buf, sizeof buf);
        assert_string_equal(buf, base_status[i]);
    }
    col(f, a, "status", buf, sizeof buf);
    assert_string_equal(buf, "completed");
    col(f, a, "ttc_days", buf, sizeof buf);
    assert_int_equal(atoi(buf), (int)(day("2020-09-28") - day("2020-03-02")));
    col(f, a, "purchaser", buf, sizeof buf);
    assert_string_equal(buf, "John Q. Straw");
    col(f, a, "possessor_differs", buf, sizeof buf);
    assert_string_equal(buf, "1");
    col(f, a, "purchase_state", buf, sizeof buf);
    assert_string_equal(buf, "TX");
    col(f, b, "possessor_differs", buf, sizeof buf);
    assert_string_equal(buf, "0");
    col(f, c, "reason", buf, sizeof buf);
    assert_non_null(strstr(buf, "no purchaser record"));
    col(f, d, "reason", buf, sizeof buf);
    assert_non_null(strstr(buf, "no record"));
    col(f, d, "us_sourced", buf, sizeof buf);
    assert_string_equal(buf, "0");
    col(f, p, "status", buf, sizeof buf);
    assert_string_equal(buf, "in_progress");
    col(f, u, "status", buf, sizeof buf);
    assert_string_equal(buf, "cannot_trace"); /* found by serial, but never sold at retail */
    col(f, u, "notes", buf, sizeof buf);
    assert_non_null(strstr(buf, "unknown"));
    col(f, m, "reason", buf, sizeof buf);
    assert_non_null(strstr(buf, "before the firearm's manufacture"));
    int64_t n;
    assert_int_equal(db_query_int64(f->db, "SELECT COUNT(*) FROM trace_candidate", NULL, &n, &e), PU_OK);
    assert_int_equal(n, 2);

    /* partial query through the index, ranked with hints */
    trace_candidate cand[4];
    size_t nc, total;
    trace_hint h = {"AR-556", "5.56mm", "RIFLE"};
    assert_int_equal(trace_index_partial(ix, "STURM, RUGER", "85?12*", &h, cand, 4, &nc, &total, &e), PU_OK);
    assert_int_equal(total, 2);
    assert_string_equal(cand[0].serial, "85012345");
    assert_true(cand[0].score >= cand[1].score);
    assert_int_equal(trace_index_partial(ix, "", "ABC12?", NULL, cand, 4, &nc, &total, &e), PU_OK);
    assert_int_equal(total, 2);
    assert_int_equal(trace_index_lookup(ix, "GLOCK", "ABC123") != 0, 1);
    assert_int_equal(trace_index_lookup(ix, "COLT", "ABC123"), 0); /* serial unique only within a maker */
    trace_index_free(ix);

    /* workflow */
    assert_int_equal(trace_request_set_status(f->t, STORE_SYSTEM, a, "submitted", NULL, &e), PU_ERR_CONFLICT);
    assert_int_equal(trace_request_set_status(f->t, STORE_SYSTEM, p, "cannot_trace", "", &e), PU_ERR_INVALID);
    assert_int_equal(trace_request_set_status(f->t, STORE_SYSTEM, p, "cannot_trace", "examiner could not restore", &e), PU_OK);
    assert_int_equal(trace_request_set_status(f->t, STORE_SYSTEM, 9999, "completed", NULL, &e), PU_ERR_NOTFOUND);

    /* rendering and visibility */
    pu_buf out = PU_BUF_INIT(1 << 20);
    store_scope us = {0, "US", "ATF"}, mx = {0, "MX", "SEDENA"};
    assert_int_equal(trace_request_render(f->t, &us, a, "es", 0, &out, &e), PU_OK);
    assert_non_null(strstr(pu_buf_str(&out), "Número de serie"));
    assert_non_null(strstr(pu_buf_str(&out), "Tiempo al delito"));
    assert_non_null(strstr(pu_buf_str(&out), "RETAIL"));
    pu_buf_reset(&out);
    assert_int_equal(trace_request_render(f->t, &us, c, "en", 1, &out, &e), PU_ERR_NOTFOUND);
    assert_int_equal(trace_request_render(f->t, &mx, c, "en", 1, &out, &e), PU_OK);
    assert_non_null(strstr(pu_buf_str(&out), "\"status\": \"cannot_trace\""));
    pu_buf_free(&out);
}

/* One request run without an index (the HTTP API's trace_run_request)
 * ranks its partial-serial candidates exactly as the index does, and only
 * that request is run. */
static void test_run_request_ranks(void **s) {
    fx *f = *s;
    static const char CSV[] =
        "manufacturer,serial,model,type,calibre,event,date\n"
        "Glock,QR100,G17,pistol,9mm,IMPORT,2019-01-01\n"
        "Glock,QR101,G19,pistol,9mm,IMPORT,2019-01-01\n"
        "Glock,QR102,G19,pistol,.40 S&W,IMPORT,2019-01-01\n"
        "Glock,QR1003,G19,rifle,9mm,IMPORT,2019-01-01\n";
    pu_csv *r;
    pu_err e;
    trace_import_stats st;
    assert_int_equal(pu_csv_open_mem(CSV, sizeof CSV - 1, NULL, &r, &e), PU_OK);
    trace_import_opts io = {.owner = "ATF", .marking = "SHARED"};
    assert_int_equal(trace_import_acquisitions(f->t, STORE_SYSTEM, r, &io, &st, &e), PU_OK);
    pu_csv_close(r);
    const char *k[] = {"agency", "crime_code", "serial", "manufacturer", "type", "recovery_date", "recovery_state",
                       "model", "calibre"};
    const char *v[] = {"FGR", "5212", "QR10*", "Glock", "pistol", "2024-01-01", "Sonora", "G19", "9 mm"};
    trace_import_opts o = {.owner = "FGR", .marking = "SHARED"};
    int64_t id, other;
    assert_int_equal(trace_request_submit(f->t, STORE_SYSTEM, k, v, 9, &o, &id, NULL, 0, &e), PU_OK);
    assert_int_equal(trace_request_submit(f->t, STORE_SYSTEM, k, v, 9, &o, &other, NULL, 0, &e), PU_OK);
    trace_run_stats rs;
    assert_int_equal(trace_run_request(f->t, STORE_SYSTEM, id, &rs, &e), PU_OK);
    assert_int_equal(rs.processed, 1);
    assert_int_equal(rs.pending_review, 1);
    char status[32];
    col(f, other, "status", status, sizeof status);
    assert_string_equal(status, "submitted"); /* the other request was not run */
    /* the index's ranking with the same hints */
    trace_index *ix;
    assert_int_equal(trace_index_build(f->t, STORE_SYSTEM, &ix, &e), PU_OK);
    trace_candidate c[8];
    size_t n, total;
    trace_hint h = {"G19", "9 mm", "PISTOL"};
    assert_int_equal(trace_index_partial(ix, "GLOCK", "QR10*", &h, c, 8, &n, &total, &e), PU_OK);
    trace_index_free(ix);
    assert_int_equal(n, 4);
    assert_string_equal(c[0].serial, "QR101"); /* model, calibre and type agree */
    db_stmt *q;
    assert_int_equal(db_prepare(f->db, "SELECT f.serial_norm, c.score FROM trace_candidate c JOIN trace_firearm f"
                                       " ON f.id = c.firearm_id WHERE c.request_id = ? ORDER BY c.rank", &q, &e), PU_OK);
    db_bind_int64(q, 1, id);
    size_t i = 0;
    for (; db_step(q, &e) == DB_ROW; i++) {
        assert_true(i < n);
        assert_string_equal(db_col_text(q, 0), c[i].serial);
        assert_true(fabs(db_col_double(q, 1) - c[i].score) < 1e-9);
    }
    db_finalize(q);
    assert_int_equal(i, n);
    assert_int_equal(trace_run_request(f->t, STORE_SYSTEM, 0, &rs, &e), PU_ERR_INVALID);
}

static void test_msr_and_leads(void **s) {
    fx *f = *s;
    trace_import_stats ist;
    import_fixture(f, &ist);
    trace_msr_stats ms;
    pu_err e;
    assert_int_equal(trace_msr_detect(f->t, &ms, &e), PU_OK);
    /* John: 2 Colt pistols Mar 2 (Mon) and Mar 5 (Thu) 2020 -> handgun report;
     * 2 AR-556 in TX Jun 7 and Jun 9 2021 -> SW-border rifle report;
     * Ann: 2 AR-556 in FL -> no rifle report (not a border state) */
    assert_int_equal(ms.handgun_reports, 1);
    assert_int_equal(ms.rifle_reports, 1);
    assert_int_equal(ms.firearms_in_reports, 4);
    /* re-running replaces, not duplicates */
    assert_int_equal(trace_msr_detect(f->t, &ms, &e), PU_OK);
    int64_t n;
    db_query_int64(f->db, "SELECT COUNT(*) FROM trace_msr", NULL, &n, &e);
    assert_int_equal(n, 2);
    /* buyer volume: John bought 4 (kept), Ann and Mary fewer than 3 (not kept) */
    db_query_int64(f->db, "SELECT COUNT(*) FROM trace_purchaser", NULL, &n, &e);
    assert_int_equal(n, 1);
    db_query_int64(f->db, "SELECT purchases FROM trace_purchaser WHERE party_key LIKE 'JOHN Q STRAW|%'", NULL, &n, &e);
    assert_int_equal(n, 4);
    submit(f, "CV10234", "Colt", "pistol", "Pedro", "2020-09-28", "SHARED");
    submit(f, "850-12345", "Ruger", "rifle", "Pedro", "2021-10-01", "SHARED");
    submit(f, "850-22222", "Ruger", "rifle", "Ann Buyer", "2026-01-01", "SHARED");
    trace_run_stats rs;
    assert_int_equal(trace_run(f->t, STORE_SYSTEM, NULL, 0, &rs, &e), PU_OK);
    assert_int_equal(rs.completed, 3);
    trace_lead *l;
    size_t nl;
    assert_int_equal(trace_leads(f->t, STORE_SYSTEM, "purchaser", 10, &l, &nl, &e), PU_OK);
    assert_int_equal(nl, 2);
    assert_string_equal(l[0].name, "John Q. Straw");
    assert_int_equal(l[0].recoveries, 2);
    assert_true(l[0].strength > l[1].strength);
    assert_non_null(strstr(l[0].explain, "multiple-sale"));
    assert_non_null(strstr(l[0].explain, "under 1 year"));
    assert_non_null(strstr(l[0].explain, "2 of 4 purchases recovered"));
    assert_null(strstr(l[1].explain, "multiple-sale"));
    trace_leads_free(l, nl);
    assert_int_equal(trace_leads(f->t, NULL, "bogus", 10, &l, &nl, &e), PU_ERR_INVALID);
    /* statistics */
    pu_buf out = PU_BUF_INIT(1 << 20);
    assert_int_equal(trace_stats(f->t, STORE_SYSTEM, 1, &out, &e), PU_OK);
    assert_non_null(strstr(pu_buf_str(&out), "\"completed\": 3"));
    assert_non_null(strstr(pu_buf_str(&out), "\"us_sourced_share\": 100"));
    pu_buf_free(&out);
}

/* Generating into a store that already holds generated firearms: the same
 * seed draws the same serials again, every one is taken (the generator
 * finds them in its in-memory set, loaded from the store, and takes the
 * next free number of the line); the second run adds as many firearms, all
 * distinct (the bulk insert would fail on a duplicate of UNIQUE (mfr,
 * serial_norm)), and their events refer to them. */
static void test_generator_append(void **s) {
    fx *f = *s;
    trace_gen_opts o = {.firearms = 400, .recoveries = 20, .rings = 1, .seed = 3};
    trace_gen_stats a, b;
    pu_err e;
    assert_int_equal(trace_generate(f->t, &o, &a, &e), PU_OK);
    assert_int_equal(trace_generate(f->t, &o, &b, &e), PU_OK);
    assert_int_equal(a.firearms, b.firearms);
    int64_t n = 0, distinct = 0, orphans = -1;
    assert_int_equal(db_query_int64(f->db, "SELECT COUNT(*) FROM trace_firearm", NULL, &n, &e), PU_OK);
    assert_int_equal(db_query_int64(f->db, "SELECT COUNT(*) FROM (SELECT DISTINCT mfr, serial_norm FROM trace_firearm) d",
                                    NULL, &distinct, &e), PU_OK);
    assert_int_equal(n, (int64_t)(a.firearms + b.firearms));
    assert_int_equal(distinct, n);
    assert_int_equal(db_query_int64(f->db, "SELECT COUNT(*) FROM trace_event v WHERE NOT EXISTS"
                                           " (SELECT 1 FROM trace_firearm x WHERE x.id = v.firearm_id)",
                                    NULL, &orphans, &e), PU_OK);
    assert_int_equal(orphans, 0);
}

static void test_generator(void **s) {
    fx *f = *s;
    trace_gen_opts o = {.firearms = 20000, .recoveries = 1500, .rings = 4, .seed = 7};
    trace_gen_stats gs;
    pu_err e;
    assert_int_equal(trace_generate(f->t, &o, &gs, &e), PU_OK);
    assert_true(gs.events > 3 * gs.firearms);
    assert_int_equal(gs.recoveries, 1500);
    trace_msr_stats ms;
    assert_int_equal(trace_msr_detect(f->t, &ms, &e), PU_OK);
    assert_true(ms.handgun_reports > 0 && ms.rifle_reports > 0);
    trace_index *ix;
    assert_int_equal(trace_index_build(f->t, STORE_SYSTEM, &ix, &e), PU_OK);
    /* partial queries through the index agree with a brute-force scan */
    db_stmt *st;
    assert_int_equal(db_prepare(f->db, "SELECT mfr, serial_norm FROM trace_firearm WHERE id % 997 = 3", &st, &e), PU_OK);
    int checked = 0;
    while (db_step(st, &e) == DB_ROW) {
        char mfr[TRACE_NAME_MAX], pat[TRACE_SERIAL_MAX];
        pu_strlcpy(mfr, db_col_text(st, 0), sizeof mfr);
        pu_strlcpy(pat, db_col_text(st, 1), sizeof pat);
        size_t len = strlen(pat);
        pat[(size_t)checked % len] = '?';
        if (len > 4) pat[len - 2] = '?';
        if (checked % 3 == 0 && len > 5) { pat[1] = '*'; memmove(pat + 2, pat + 3, len - 2); }
        for (int with_mfr = 0; with_mfr < 2; with_mfr++) {
            size_t n, total, brute = 0;
            trace_candidate c[5];
            assert_int_equal(trace_index_partial(ix, with_mfr ? mfr : "", pat, NULL, c, 5, &n, &total, &e), PU_OK);
            db_stmt *all;
            assert_int_equal(db_prepare(f->db, "SELECT mfr, serial_norm FROM trace_firearm", &all, &e), PU_OK);
            while (db_step(all, &e) == DB_ROW)
                brute += (!with_mfr || !strcmp(db_col_text(all, 0), mfr)) && trace_serial_match(pat, db_col_text(all, 1));
            db_finalize(all);
            assert_true(brute >= 1);
            assert_int_equal(total, brute);
        }
        checked++;
    }
    db_finalize(st);
    assert_true(checked > 10);
    trace_run_stats rs;
    assert_int_equal(trace_run(f->t, STORE_SYSTEM, ix, 0, &rs, &e), PU_OK);
    trace_index_free(ix);
    assert_int_equal(rs.processed, 1500);
    /* published shares: about 70 % US-sourced, Texas about 40 % of those */
    int64_t us, known, tx, done;
    db_query_int64(f->db, "SELECT COUNT(*) FROM trace_request WHERE us_sourced = 1", NULL, &us, &e);
    db_query_int64(f->db, "SELECT COUNT(*) FROM trace_request WHERE status = 'completed' OR "
                          "(status = 'cannot_trace' AND reason NOT LIKE 'obliterated%')", NULL, &known, &e);
    db_query_int64(f->db, "SELECT COUNT(*) FROM trace_request WHERE status = 'completed' AND purchase_state = 'TX'",
                   NULL, &tx, &e);
    db_query_int64(f->db, "SELECT COUNT(*) FROM trace_request WHERE status = 'completed'", NULL, &done, &e);
    double share = (double)us / (double)known, txs = (double)tx / (double)done;
    assert_true(share > 0.62 && share < 0.78);
    assert_true(txs > 0.33 && txs < 0.50);
    double p, r;
    size_t tn;
    assert_int_equal(trace_eval_at_k(f->t, 10, &p, &r, &tn, &e), PU_OK);
    assert_true(tn >= 12);
    assert_true(p >= 0.5); /* planted rings rise to the top */
    assert_true(r > 0 && r <= 1);
}


/* ---- partial-serial patterns: one definition, four consumers agree ---- */

static const struct {
    const char *pattern, *serial;
    int match;
} PATS[] = {
    {"ABC123", "ABC123", 1},  {"ABC123", "ABC1234", 0}, {"ABC*", "ABC", 1},      /* '*' at the end may be empty */
    {"ABC*", "ABC123", 1},    {"*123", "123", 1},        {"*123", "ABC123", 1},   /* '*' at the start */
    {"*", "ABC", 1},          {"*", "", 1},              {"?123", "123", 1},      /* leading '?' = dropped zero */
    {"?123", "X123", 1},      {"?123", "XX123", 0},      {"??123", "X123", 1},    /* ... or one of two */
    {"??", "AB", 1},          {"??", "A", 1},            {"??", "ABC", 0},
    {"A%B", "A%B", 1},        {"A%B", "AXB", 0},         {"A%B", "AB", 0},        /* '%' is a literal */
    {"A_B", "A_B", 1},        {"A_B", "AXB", 0},                                  /* '_' too */
    {"A\\B", "A\\B", 1},      {"A\\B", "AB", 0},         {"A\\B", "A\\\\B", 0},   /* and '\' */
    {"A?B", "A%B", 1},        {"A*B", "AB", 1},          {"A*B", "AXXB", 1},      {"A*B", "AXXC", 0},
    {"[AZ]BC123", "ZBC123", 1}, {"[AZ]BC123", "BBC123", 0}, {"A[%_]B", "A_B", 1}, {"A[%_]B", "AXB", 0},
    {"", "", 1},              {"", "A", 0},              {"abc", "ABC", 0},       /* byte for byte: no case folding */
    {"*1*2*", "X1Y2Z", 1},    {"1?2", "1X2", 1},         {"1?2", "12", 0},
};
#define NPATS (sizeof PATS / sizeof PATS[0])

/* The serials the consumers are compared on: every serial of the table. */
static size_t pat_serials(const char **out) {
    size_t n = 0;
    for (size_t i = 0; i < NPATS; i++) {
        int dup = 0;
        for (size_t j = 0; j < n; j++) dup |= !strcmp(out[j], PATS[i].serial);
        if (!dup) out[n++] = PATS[i].serial;
    }
    return n;
}

static void test_pattern_agreement(void **s) {
    fx *f = *s;
    pu_err e;
    /* the matcher against the hand-written table */
    for (size_t i = 0; i < NPATS; i++) {
        if (trace_serial_match(PATS[i].pattern, PATS[i].serial) != PATS[i].match)
            fail_msg("'%s' vs '%s': expected %d", PATS[i].pattern, PATS[i].serial, PATS[i].match);
    }
    /* the serials as firearms (inserted raw: '%', '_' and '\' never survive
     * normalisation, so they are written straight into the table) */
    const char *ser[NPATS];
    size_t ns = pat_serials(ser);
    db_stmt *ins;
    assert_int_equal(db_prepare(f->db, "INSERT INTO trace_firearm(mfr, mfr_raw, mfr_known, serial, serial_norm, type,"
                                       " owner, marking) VALUES ('X', 'X', 1, ?, ?, 'PISTOL', 'ATF', 'SHARED')", &ins, &e),
                     PU_OK);
    for (size_t i = 0; i < ns; i++) {
        db_reset(ins);
        db_bind_text(ins, 1, ser[i], -1);
        db_bind_text(ins, 2, ser[i], -1);
        assert_int_equal(db_step(ins, &e), DB_DONE);
    }
    db_finalize(ins);
    trace_index *ix;
    assert_int_equal(trace_index_build(f->t, STORE_SYSTEM, &ix, &e), PU_OK);
    db_stmt *g;
    char globsql[32];
    snprintf(globsql, sizeof globsql, "SELECT ? %s ?", db_glob_op(f->db));
    assert_int_equal(db_prepare(f->db, globsql, &g, &e), PU_OK);
    for (size_t i = 0; i < NPATS; i++) {
        const char *p = PATS[i].pattern;
        if (i && !strcmp(p, PATS[i - 1].pattern)) continue;
        char glob[TRACE_SERIAL_MAX * 3];
        int exact = -1;
        assert_int_equal(trace_serial_glob(p, glob, sizeof glob, &exact, &e), PU_OK);
        size_t want = 0;
        for (size_t k = 0; k < ns; k++) {
            int m = trace_serial_match(p, ser[k]);
            want += m;
            db_reset(g);
            db_bind_text(g, 1, ser[k], -1);
            char pat[TRACE_SERIAL_MAX * 6];
            assert_int_equal(db_glob_pattern(f->db, glob, pat, sizeof pat), PU_OK);
            db_bind_text(g, 2, pat, -1);
            assert_int_equal(db_step(g, &e), DB_ROW);
            int sql = (int)db_col_int64(g, 0);
            /* exact: SQL agrees on every serial; else a superset the caller re-checks */
            if (exact ? sql != m : (m && !sql))
                fail_msg("pattern '%s' (GLOB '%s', exact %d) on '%s': matcher %d, SQL %d", p, glob, exact, ser[k], m, sql);
        }
        /* the index and the SQL baseline return exactly the matcher's set */
        trace_candidate c[NPATS];
        size_t n, total, n2, total2;
        int rc1 = trace_index_partial(ix, "", p, NULL, c, NPATS, &n, &total, &e);
        int rc2 = trace_sql_partial(f->t, STORE_SYSTEM, "", p, c, NPATS, &n2, &total2, &e);
        if (!*p) { /* the empty pattern asks for nothing: refused, the same way */
            assert_int_equal(rc1, PU_ERR_INVALID);
            assert_int_equal(rc2, PU_ERR_INVALID);
            continue;
        }
        assert_int_equal(rc1, PU_OK);
        assert_int_equal(rc2, PU_OK);
        if (total != want || total2 != want)
            fail_msg("pattern '%s': matcher %zu, index %zu, SQL %zu", p, want, total, total2);
        for (size_t k = 0; k < n2; k++) assert_true(trace_serial_match(p, c[k].serial));
    }
    db_finalize(g);
    trace_index_free(ix);
    char out[8];
    int exact;
    assert_int_equal(trace_serial_glob("A[B", out, sizeof out, &exact, &e), PU_ERR_INVALID);
    assert_int_equal(trace_serial_glob("ABCDEFGHIJ", out, sizeof out, &exact, &e), PU_ERR_LIMIT);
    assert_false(trace_serial_match("A]B", "A]B")); /* a stray ']' is a malformed pattern */
}

/* ---- visibility: every read against readers of every relation ---- */

static const char *const MARKS[] = {"PUBLIC", "SHARED", "US-ONLY", "MX-ONLY", "AGENCY-ONLY"};
static const char *const OWNERS[] = {"FGR", "ATF"};
static const store_scope READERS[] = {
    {0, "MX", "FGR"},    /* the agency that owns the FGR records */
    {0, "MX", "SEDENA"}, /* same country as FGR, another agency */
    {0, "US", "ATF"},    /* other country for FGR's records, the owner of ATF's */
    {0, "US", "DEA"},    /* same country as ATF, another agency */
};
#define NREADERS (sizeof READERS / sizeof READERS[0])

/* The rule written out by hand (docs/access.md), independent of the store. */
static int sees(const store_scope *r, const char *owner, const char *marking) {
    if (r->system) return 1;
    if (!strcmp(marking, "PUBLIC") || !strcmp(marking, "SHARED")) return 1;
    if (!strcmp(marking, "US-ONLY")) return !strcmp(r->country, "US") || !strcmp(owner, r->agency);
    if (!strcmp(marking, "MX-ONLY")) return !strcmp(r->country, "MX") || !strcmp(owner, r->agency);
    return !strcmp(owner, r->agency);
}

static void import_as(fx *f, const store_scope *sc, const char *csv, const char *owner, const char *marking) {
    pu_csv *r;
    pu_err e;
    assert_int_equal(pu_csv_open_mem(csv, strlen(csv), NULL, &r, &e), PU_OK);
    trace_import_opts o = {.owner = owner, .marking = marking};
    trace_import_stats st;
    int rc = trace_import_acquisitions(f->t, sc, r, &o, &st, &e);
    pu_csv_close(r);
    assert_int_equal(rc, PU_OK);
    assert_int_equal(st.rejected, 0);
}

#define ACQ_HEAD "manufacturer,serial,model,type,calibre,event,date,party,party_dob,ffl,state\n"
#define FFL_TX "5-74-001-01-2A-00001"

static int64_t request_as(fx *f, const store_scope *sc, const char *owner, const char *marking, const char *serial,
                          const char *recovered) {
    const char *k[] = {"agency", "crime_code", "serial", "manufacturer", "type", "recovery_date", "recovery_state",
                       "possessor", "obliterated"};
    int wild = strpbrk(serial, "?*[") != NULL;
    const char *v[] = {owner, "5212", serial, "Glock", "pistol", recovered, "Chihuahua", "Someone Else",
                       wild ? "yes" : "no"};
    trace_import_opts o = {.owner = owner, .marking = marking};
    int64_t id = 0;
    pu_err e;
    assert_int_equal(trace_request_submit(f->t, sc, k, v, 9, &o, &id, NULL, 0, &e), PU_OK);
    return id;
}

static void run_all(fx *f) {
    pu_err e;
    trace_msr_stats ms;
    trace_run_stats rs;
    trace_index *ix;
    assert_int_equal(trace_msr_detect(f->t, &ms, &e), PU_OK);
    assert_int_equal(trace_index_build(f->t, STORE_SYSTEM, &ix, &e), PU_OK);
    assert_int_equal(trace_run(f->t, STORE_SYSTEM, ix, 0, &rs, &e), PU_OK);
    trace_index_free(ix);
}

static int has_lead(const trace_lead *l, size_t n, const char *name) {
    for (size_t i = 0; i < n; i++)
        if (!strcmp(l[i].name, name)) return (int)i + 1;
    return 0;
}

static void test_visibility_every_read(void **s) {
    fx *f = *s;
    pu_err e;
    char csv[2048];
    /* a chain with one event of every marking (owner ATF): MANUFACTURE
     * PUBLIC, DISTRIBUTOR SHARED, DEALER US-ONLY, RETAIL MX-ONLY, TRANSFER
     * AGENCY-ONLY */
    static const char *const chain[] = {
        "Glock,CH1,G19,pistol,9mm,MANUFACTURE,2020-01-06,,,,\n", "Glock,CH1,,,,DISTRIBUTOR,2020-02-03,Dist Co,,,\n",
        "Glock,CH1,,,,DEALER,2020-03-02,Chain Dealer,," FFL_TX ",TX\n",
        "Glock,CH1,,,,RETAIL,2020-04-06,Chain Buyer,1980-01-01," FFL_TX ",TX\n",
        "Glock,CH1,,,,TRANSFER,2020-05-04,Later Owner,1981-01-01,,TX\n"};
    for (int m = 0; m < 5; m++) {
        snprintf(csv, sizeof csv, ACQ_HEAD "%s", chain[m]);
        import_as(f, STORE_SYSTEM, csv, "ATF", MARKS[m]);
    }
    /* one firearm of every marking, and one SHARED firearm per request below */
    for (int m = 0; m < 5; m++) {
        snprintf(csv, sizeof csv, ACQ_HEAD "Glock,FM%d,G19,pistol,9mm,MANUFACTURE,2019-01-07,,,,\n", m);
        import_as(f, STORE_SYSTEM, csv, "ATF", MARKS[m]);
    }
    int64_t req[2][5];
    for (int o = 0; o < 2; o++)
        for (int m = 0; m < 5; m++) {
            snprintf(csv, sizeof csv,
                     ACQ_HEAD "Glock,RS%d%d,G19,pistol,9mm,MANUFACTURE,2019-01-07,,,,\n"
                              "Glock,RS%d%d,,,,RETAIL,2019-0%d-1%d,Buyer Q%d%d,1970-01-01," FFL_TX ",TX\n",
                     o, m, o, m, 2 + o, m, o, m);
            import_as(f, STORE_SYSTEM, csv, "ATF", "SHARED");
            char serial[8];
            snprintf(serial, sizeof serial, "RS%d%d", o, m);
            req[o][m] = request_as(f, STORE_SYSTEM, OWNERS[o], MARKS[m], serial, "2021-06-01");
        }
    int64_t chain_req = request_as(f, STORE_SYSTEM, "FGR", "SHARED", "CH1", "2021-01-04");
    int64_t partial_req = request_as(f, STORE_SYSTEM, "FGR", "SHARED", "FM?", "2021-01-04");
    run_all(f);
    for (size_t r = 0; r < NREADERS; r++) {
        const store_scope *rd = &READERS[r];
        /* list and get: exactly the requests the rule lets through */
        pu_buf out = PU_BUF_INIT(1 << 20);
        assert_int_equal(trace_request_list(f->t, rd, NULL, 0, &out, &e), PU_OK);
        int listed[64] = {0}, nlisted = 0, nwant = 2;
        for (const char *p = pu_buf_str(&out); *p;) {
            long id = strtol(p, NULL, 10);
            assert_true(id > 0 && id < 64);
            listed[id] = 1;
            nlisted++;
            p = strchr(p, '\n') + 1;
        }
        assert_true(listed[chain_req] && listed[partial_req]);
        for (int o = 0; o < 2; o++)
            for (int m = 0; m < 5; m++) {
                int want = sees(rd, OWNERS[o], MARKS[m]);
                nwant += want;
                if (listed[req[o][m]] != want)
                    fail_msg("%s: list of %s %s request: %d", rd->agency, OWNERS[o], MARKS[m], listed[req[o][m]]);
                pu_buf_reset(&out);
                assert_int_equal(trace_request_render(f->t, rd, req[o][m], "en", 1, &out, &e),
                                 want ? PU_OK : PU_ERR_NOTFOUND);
            }
        assert_int_equal(nlisted, nwant);
        pu_buf_reset(&out);
        assert_int_equal(trace_request_list(f->t, rd, "completed", 2, &out, &e), PU_OK);
        size_t lines = 0;
        for (const char *p = pu_buf_str(&out); (p = strchr(p, '\n')); p++) lines++;
        assert_int_equal(lines, 2); /* status and limit applied in SQL */
        /* count: statistics cover the same requests */
        pu_buf_reset(&out);
        assert_int_equal(trace_stats(f->t, rd, 1, &out, &e), PU_OK);
        char want_n[32];
        snprintf(want_n, sizeof want_n, "\"requests\": %d,", nwant);
        assert_non_null(strstr(pu_buf_str(&out), want_n));
        /* leads: purchasers behind visible requests only */
        trace_lead *l;
        size_t nl;
        assert_int_equal(trace_leads(f->t, rd, "purchaser", 0, &l, &nl, &e), PU_OK);
        /* + Chain Buyer when its MX-ONLY sale is visible; the partial request is in review */
        int chain_sale = sees(rd, "ATF", "MX-ONLY");
        assert_int_equal(nl, (size_t)(nwant - 2 + chain_sale));
        assert_int_equal(has_lead(l, nl, "Chain Buyer") != 0, chain_sale);
        for (int o = 0; o < 2; o++)
            for (int m = 0; m < 5; m++) {
                char name[32];
                snprintf(name, sizeof name, "Buyer Q%d%d", o, m);
                assert_int_equal(has_lead(l, nl, name) != 0, sees(rd, OWNERS[o], MARKS[m]));
            }
        trace_leads_free(l, nl);
        /* chain of custody: each event only to those who may see it */
        pu_buf_reset(&out);
        assert_int_equal(trace_request_render(f->t, rd, chain_req, "en", 1, &out, &e), PU_OK);
        /* (the chain is part of the result: withheld with it) */
        static const char *const kinds[] = {"MANUFACTURE", "DISTRIBUTOR", "DEALER", "RETAIL", "TRANSFER"};
        for (int m = 0; m < 5; m++) {
            char k[48];
            snprintf(k, sizeof k, "\"kind\": \"%s\"", kinds[m]);
            if ((strstr(pu_buf_str(&out), k) != NULL) != (sees(rd, "ATF", "MX-ONLY") && sees(rd, "ATF", MARKS[m])))
                fail_msg("%s: chain event %s (%s)", rd->agency, kinds[m], MARKS[m]);
        }
        /* the result was read from the MX-ONLY retail sale: shown only with
         * it; the dealer's name only with the US-ONLY dealer record */
        int sale = sees(rd, "ATF", "MX-ONLY");
        assert_int_equal(strstr(pu_buf_str(&out), "\"purchaser\": \"Chain Buyer\"") != NULL, sale);
        assert_int_equal(strstr(pu_buf_str(&out), "\"ttc_days\"") != NULL, sale);
        assert_int_equal(strstr(pu_buf_str(&out), "\"dealer\": \"Chain Dealer\"") != NULL,
                         sale && sees(rd, "ATF", "US-ONLY"));
        /* candidates and the index: firearms of each marking */
        int nfm = 0;
        for (int m = 0; m < 5; m++) nfm += sees(rd, "ATF", MARKS[m]);
        pu_buf_reset(&out);
        assert_int_equal(trace_request_render(f->t, rd, partial_req, "en", 0, &out, &e), PU_OK);
        int ncand = 0;
        for (const char *p = pu_buf_str(&out); (p = strstr(p, "(firearm ")); p++) ncand++;
        assert_int_equal(ncand, nfm);
        trace_index *ix;
        assert_int_equal(trace_index_build(f->t, rd, &ix, &e), PU_OK);
        assert_int_equal(trace_index_size(ix), 1 + 10 + (size_t)nfm);
        assert_true(trace_index_scope_is(ix, rd));
        assert_false(trace_index_scope_is(ix, STORE_SYSTEM));
        trace_candidate c[8];
        size_t n, total;
        assert_int_equal(trace_sql_partial(f->t, rd, "GLOCK", "FM?", c, 8, &n, &total, &e), PU_OK);
        assert_int_equal(total, (size_t)nfm);
        assert_int_equal(trace_index_partial(ix, "GLOCK", "FM?", NULL, c, 8, &n, &total, &e), PU_OK);
        assert_int_equal(total, (size_t)nfm);
        trace_index_free(ix);
        pu_buf_free(&out);
    }
    /* a NULL reader is an error, never "everything" */
    pu_buf out = PU_BUF_INIT(1 << 16);
    assert_int_equal(trace_request_list(f->t, NULL, NULL, 0, &out, &e), PU_ERR_INTERNAL);
    pu_buf_free(&out);
}

/* The hidden-record-in-a-lead case: ATF's AGENCY-ONLY sales of a buyer
 * must not make a lead appear for anyone else, nor change its counts,
 * strength or explanation. The leads another reader gets from a store with
 * those records must equal the leads from a store without them. */
static const char SHARED_SALES[] = ACQ_HEAD
    "Glock,G2,G19,pistol,9mm,MANUFACTURE,2023-01-02,,,,\n"
    "Glock,G2,,,,RETAIL,2024-01-08,Hidden Buyer,1975-05-05," FFL_TX ",TX\n"
    "Glock,G3,G19,pistol,9mm,MANUFACTURE,2023-01-02,,,,\n"
    "Glock,G3,,,,RETAIL,2024-06-03,Hidden Buyer,1975-05-05," FFL_TX ",TX\n";

static void lead_world(int with_hidden, const store_scope *reader, trace_lead **l, size_t *n) {
    fx *f;
    assert_int_equal(setup((void **)&f), 0);
    import_as(f, STORE_SYSTEM, SHARED_SALES, "ATF", "SHARED");
    if (with_hidden) {
        /* H1 the day after G2 at the same dealer: a handgun multiple sale
         * with a SHARED sale; H2..H10 make the buyer a volume buyer; S1 is
         * the only sale of a buyer nobody else may see */
        char csv[4096];
        size_t k = (size_t)snprintf(csv, sizeof csv, ACQ_HEAD
                                    "Glock,H1,G19,pistol,9mm,MANUFACTURE,2023-01-02,,,,\n"
                                    "Glock,H1,,,,RETAIL,2024-01-09,Hidden Buyer,1975-05-05," FFL_TX ",TX\n"
                                    "Glock,S1,G19,pistol,9mm,MANUFACTURE,2023-01-02,,,,\n"
                                    "Glock,S1,,,,RETAIL,2024-02-05,Secret Only,1960-06-06," FFL_TX ",TX\n");
        for (int i = 2; i <= 10; i++)
            k += (size_t)snprintf(csv + k, sizeof csv - k,
                                  "Glock,H%d,G19,pistol,9mm,MANUFACTURE,2022-01-03,,,,\n"
                                  "Glock,H%d,,,,RETAIL,2023-%02d-15,Hidden Buyer,1975-05-05," FFL_TX ",TX\n",
                                  i, i, i);
        import_as(f, STORE_SYSTEM, csv, "ATF", "AGENCY-ONLY");
    }
    request_as(f, STORE_SYSTEM, "FGR", "SHARED", "G2", "2024-09-02");
    request_as(f, STORE_SYSTEM, "FGR", "SHARED", "G3", "2024-09-02");
    request_as(f, STORE_SYSTEM, "FGR", "SHARED", "H1", "2024-09-02");
    request_as(f, STORE_SYSTEM, "FGR", "SHARED", "S1", "2024-09-02");
    run_all(f);
    pu_err e;
    assert_int_equal(trace_leads(f->t, reader, NULL, 0, l, n, &e), PU_OK);
    teardown((void **)&f);
}

static void test_lead_hidden_record(void **s) {
    (void)s;
    for (size_t r = 0; r < NREADERS; r++) {
        if (!strcmp(READERS[r].agency, "ATF")) continue; /* the owner sees its records */
        trace_lead *a, *b;
        size_t na, nb;
        lead_world(1, &READERS[r], &a, &na);
        lead_world(0, &READERS[r], &b, &nb);
        assert_int_equal(na, nb);
        assert_int_equal(na, 2); /* Hidden Buyer and the dealer, from G2 and G3 */
        for (size_t i = 0; i < na; i++) {
            assert_string_equal(a[i].kind, b[i].kind);
            assert_string_equal(a[i].key, b[i].key);
            assert_string_equal(a[i].name, b[i].name);
            assert_int_equal(a[i].recoveries, b[i].recoveries);
            assert_true(a[i].strength == b[i].strength);
            assert_string_equal(a[i].explain, b[i].explain);
        }
        assert_false(has_lead(a, na, "Secret Only"));
        int h = has_lead(a, na, "Hidden Buyer");
        assert_true(h);
        assert_int_equal(a[h - 1].recoveries, 2);
        assert_null(strstr(a[h - 1].explain, "multiple-sale")); /* the report includes H1: stricter marking */
        assert_null(strstr(a[h - 1].explain, "purchases")); /* the volume counts visible sales only */
        trace_leads_free(a, na);
        trace_leads_free(b, nb);
    }
    /* the owner sees the whole picture, so the test above can fail */
    trace_lead *l;
    size_t n;
    lead_world(1, &READERS[2], &l, &n);
    assert_true(has_lead(l, n, "Secret Only"));
    int h = has_lead(l, n, "Hidden Buyer");
    assert_true(h);
    assert_int_equal(l[h - 1].recoveries, 3);
    assert_non_null(strstr(l[h - 1].explain, "multiple-sale"));
    assert_non_null(strstr(l[h - 1].explain, "3 of 12 purchases"));
    trace_leads_free(l, n);
}

/* The write rule: filing (store_check_file, act-for) and changing
 * (store_check_owner, grants). */
static void test_write_rule(void **s) {
    fx *f = *s;
    pu_err e;
    const store_scope fgr = {0, "MX", "FGR"}, sedena = {0, "MX", "SEDENA"}, atf = {0, "US", "ATF"};
    const char *k[] = {"agency", "crime_code", "serial", "manufacturer", "type", "recovery_date", "recovery_state"};
    const char *v[] = {"FGR", "5212", "ABC123", "Glock", "pistol", "2024-01-01", "Sonora"};
    int64_t id;
    trace_import_opts us_only = {.owner = "FGR", .marking = "US-ONLY"};
    assert_int_equal(trace_request_submit(f->t, &fgr, k, v, 7, &us_only, &id, NULL, 0, &e), PU_ERR_DENIED);
    assert_string_equal(e.field, "marking"); /* an MX agency cannot file US-ONLY */
    trace_import_opts bad = {.owner = "FGR", .marking = "us-only"};
    assert_int_equal(trace_request_submit(f->t, &fgr, k, v, 7, &bad, &id, NULL, 0, &e), PU_ERR_INVALID);
    assert_non_null(strstr(e.msg, STORE_MARKINGS_TEXT));
    trace_import_opts for_atf = {.owner = "ATF"};
    assert_int_equal(trace_request_submit(f->t, &fgr, k, v, 7, &for_atf, &id, NULL, 0, &e), PU_ERR_DENIED);
    trace_import_opts mine = {.owner = "FGR"};
    int64_t own_default;
    assert_int_equal(trace_request_submit(f->t, &fgr, k, v, 7, &mine, &own_default, NULL, 0, &e), PU_OK);
    pu_buf def = PU_BUF_INIT(1 << 16);
    assert_int_equal(trace_request_render(f->t, &fgr, own_default, "en", 1, &def, &e), PU_OK);
    assert_non_null(strstr(pu_buf_str(&def), "\"marking\": \"" STORE_DEFAULT_MARKING "\""));
    pu_buf_free(&def);
    trace_import_opts shared = {.owner = "FGR", .marking = "SHARED"};
    assert_int_equal(trace_request_submit(f->t, &fgr, k, v, 7, &shared, &id, NULL, 0, &e), PU_OK);
    pu_buf out = PU_BUF_INIT(1 << 16);
    assert_int_equal(trace_request_render(f->t, &fgr, id, "en", 1, &out, &e), PU_OK);
    assert_non_null(strstr(pu_buf_str(&out), "\"marking\": \"SHARED\""));
    pu_buf_free(&out);
    /* the same rule for imports: US-ONLY refused up front; a row filed for
     * another agency is a rejected row */
    static const char REC[] = "agency,crime_code,serial,manufacturer,type,recovery_date,recovery_state\n"
                              "FGR,5212,XY12,Glock,pistol,2024-01-01,Sonora\n"
                              "ATF,5212,XY13,Glock,pistol,2024-01-01,Sonora\n";
    pu_csv *r;
    trace_import_stats st;
    assert_int_equal(pu_csv_open_mem(REC, sizeof REC - 1, NULL, &r, &e), PU_OK);
    trace_import_opts rec_us = {.marking = "US-ONLY"};
    assert_int_equal(trace_import_recoveries(f->t, &fgr, r, &rec_us, &st, &e), PU_ERR_DENIED);
    pu_csv_close(r);
    assert_int_equal(pu_csv_open_mem(REC, sizeof REC - 1, NULL, &r, &e), PU_OK);
    trace_import_opts rec = {.marking = "SHARED"};
    assert_int_equal(trace_import_recoveries(f->t, &fgr, r, &rec, &st, &e), PU_OK);
    pu_csv_close(r);
    assert_int_equal(st.accepted, 1);
    assert_int_equal(st.rejected, 1);
    /* changing: the owner, or an agency it granted; hidden is not found */
    assert_int_equal(trace_request_set_status(f->t, &sedena, id, "in_progress", NULL, &e), PU_ERR_DENIED);
    assert_int_equal(trace_request_set_status(f->t, &atf, id, "in_progress", NULL, &e), PU_ERR_DENIED);
    assert_int_equal(store_grant_add(f->db, "FGR", "SEDENA", &e), PU_OK);
    assert_int_equal(trace_request_set_status(f->t, &sedena, id, "in_progress", NULL, &e), PU_OK);
    assert_int_equal(trace_request_pick(f->t, &atf, id, 1, &e), PU_ERR_DENIED);
    trace_import_opts mx_only = {.owner = "FGR", .marking = "MX-ONLY"};
    int64_t hidden;
    assert_int_equal(trace_request_submit(f->t, &fgr, k, v, 7, &mx_only, &hidden, NULL, 0, &e), PU_OK);
    assert_int_equal(trace_request_set_status(f->t, &atf, hidden, "cannot_trace", "x", &e), PU_ERR_NOTFOUND);
    assert_int_equal(trace_request_pick(f->t, &atf, hidden, 1, &e), PU_ERR_NOTFOUND);
    /* acquisitions: only the filer's own records, markings of its country */
    pu_csv *a;
    static const char ACQ1[] = ACQ_HEAD "Glock,W1,G19,pistol,9mm,MANUFACTURE,2020-01-06,,,,\n";
    assert_int_equal(pu_csv_open_mem(ACQ1, sizeof ACQ1 - 1, NULL, &a, &e), PU_OK);
    trace_import_opts mx = {.owner = "ATF", .marking = "MX-ONLY"};
    assert_int_equal(trace_import_acquisitions(f->t, &atf, a, &mx, &st, &e), PU_ERR_DENIED);
    pu_csv_close(a);
    /* a run for one agency with an index built for another is refused */
    trace_index *ix;
    trace_run_stats rs;
    assert_int_equal(trace_index_build(f->t, STORE_SYSTEM, &ix, &e), PU_OK);
    assert_int_equal(trace_run(f->t, &fgr, ix, 0, &rs, &e), PU_ERR_INVALID);
    trace_index_free(ix);
    /* an agency's run changes only what it may change: ATF sees FGR's
     * SHARED requests but may not change them; SEDENA was granted FGR's */
    assert_int_equal(trace_run(f->t, &atf, NULL, 1, &rs, &e), PU_OK);
    assert_int_equal(rs.processed, 0);
    assert_int_equal(trace_run(f->t, &sedena, NULL, 1, &rs, &e), PU_OK);
    assert_int_equal(rs.processed, 3);
    /* a run remembers the write rule per owner for itself only: the grant
     * withdrawn, the next run may change none of them */
    assert_int_equal(db_exec(f->db, "UPDATE trace_request SET status = 'submitted'", &e), PU_OK);
    assert_int_equal(trace_run(f->t, &sedena, NULL, 0, &rs, &e), PU_OK);
    assert_int_equal(rs.processed, 3);
    assert_int_equal(db_exec(f->db, "UPDATE trace_request SET status = 'submitted'", &e), PU_OK);
    assert_int_equal(store_grant_remove(f->db, "FGR", "SEDENA", &e), PU_OK);
    assert_int_equal(trace_run(f->t, &sedena, NULL, 0, &rs, &e), PU_OK);
    assert_int_equal(rs.processed, 0);
}

static void test_migrate(void **s) {
    (void)s;
    db_t *db;
    trace_t *t;
    pu_err e;
    assert_int_equal(db_open(test_store_uri(), NULL, &db, &e), PU_OK);
    assert_int_equal(trace_open(db, TODAY, &t, &e), PU_ERR_DB); /* not migrated: refused, not migrated here */
    assert_int_equal(trace_migrate(db, &e), PU_OK);
    assert_int_equal(trace_migrate(db, &e), PU_OK); /* idempotent */
    int version;
    assert_int_equal(db_schema_version(db, "trace", &version, &e), PU_OK);
    assert_int_equal(version, 5); /* v5: trace_meta (the blind-index key of sealed names) */
    assert_int_equal(trace_open(db, TODAY, &t, &e), PU_OK);
    trace_close(t);
    db_close(db);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_serial_norm),
        cmocka_unit_test_setup_teardown(test_import_idempotent, setup, teardown),
        cmocka_unit_test(test_serial_match),
        cmocka_unit_test(test_mfr_norm),
        cmocka_unit_test(test_names_calibre),
        cmocka_unit_test(test_business_days),
        cmocka_unit_test(test_geography),
        cmocka_unit_test_setup_teardown(test_import_rejects, setup, teardown),
        cmocka_unit_test_setup_teardown(test_requests_and_run, setup, teardown),
        cmocka_unit_test_setup_teardown(test_run_request_ranks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_msr_and_leads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_generator, setup, teardown),
        cmocka_unit_test_setup_teardown(test_generator_append, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pattern_agreement, setup, teardown),
        cmocka_unit_test_setup_teardown(test_visibility_every_read, setup, teardown),
        cmocka_unit_test(test_lead_hidden_record),
        cmocka_unit_test_setup_teardown(test_write_rule, setup, teardown),
        cmocka_unit_test(test_migrate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
