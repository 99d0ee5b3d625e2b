/* test_cases.c - unit tests of src/cases: the extradition workflow (every
 * pair of stages, through the table and through the engine), legal clocks
 * across weekends and both countries' holidays, need-to-know (a non-member
 * cannot read, list or count a case; what a non-member sees of a PUBLIC or
 * SHARED case), cross-border shares, evidence links to each engine (hidden
 * target -> link absent), document hashing and sealing, warrant recall and
 * its notices, and the named counts. Runs on SQLite and PostgreSQL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "cases/cases.h"
#include "store/store.h"
#include "../test_store_uri.h"

static const store_scope HSI = {0, "US", "HSI"}, FGR = {0, "MX", "FGR"}, DEA = {0, "US", "DEA"};
static const case_reader SYS = {&store_scope_system, NULL}, R_HSI = {&HSI, NULL}, R_FGR = {&FGR, NULL},
                         R_DEA = {&DEA, NULL};

static store_t *open_store(void) {
    store_t *st;
    pu_err e;
    assert_int_equal(store_open(test_store_uri(), &st, &e), PU_OK);
    assert_int_equal(app_migrate(store_db(st), &e), PU_OK);
    return st;
}

static int64_t new_case(db_t *db, const case_reader *rd, const char *marking, const char *agencies) {
    case_new_opts o = {"Operation Coyote", "HSI-FGR human smuggling", marking, "2026-01-02", agencies,
                       "human smuggling; money laundering"};
    int64_t id;
    pu_err e;
    int rc = case_new(db, rd, &o, &id, &e);
    if (rc) print_error("case_new: %s\n", e.msg);
    assert_int_equal(rc, PU_OK);
    return id;
}

/* ---- the workflow ---- */
#define PAR CS_PROVISIONAL_ARREST_REQUESTED
#define PLA CS_PERSON_LOCATED_ARRESTED
#define FRD CS_FORMAL_REQUEST_DUE
#define FRF CS_FORMAL_REQUEST_FILED
#define JP CS_JUDICIAL_PHASE
#define ED CS_EXECUTIVE_DECISION
#define REV CS_REVIEW
#define SS CS_SURRENDER_SCHEDULED

/* The workflow, written out again independently of the engine's
 * table: "from>to" allowed for any decision, "from>to:granted" only after
 * that decision. */
static const char *const ALLOWED[] = {
    "provisional_arrest_requested>person_located_arrested", "provisional_arrest_requested>withdrawn",
    "provisional_arrest_requested>lapsed",
    "person_located_arrested>formal_request_due", "person_located_arrested>formal_request_filed",
    "person_located_arrested>released", "person_located_arrested>withdrawn",
    "formal_request_due>formal_request_filed", "formal_request_due>lapsed", "formal_request_due>released",
    "formal_request_due>withdrawn",
    "formal_request_filed>judicial_phase", "formal_request_filed>released", "formal_request_filed>withdrawn",
    "judicial_phase>executive_decision", "judicial_phase>released", "judicial_phase>withdrawn",
    "executive_decision>review:granted", "executive_decision>surrender_scheduled:granted",
    "executive_decision>released:denied", "executive_decision>withdrawn",
    "review>surrender_scheduled", "review>released", "review>withdrawn",
    "surrender_scheduled>surrendered", "surrender_scheduled>released", "surrender_scheduled>withdrawn", NULL};

static int expected(case_stage f, case_stage t, const char *decision) {
    char a[96], b[112];
    snprintf(a, sizeof a, "%s>%s", case_stage_name(f), case_stage_name(t));
    snprintf(b, sizeof b, "%s:%s", a, decision);
    for (const char *const *p = ALLOWED; *p; p++)
        if (!strcmp(*p, a) || (*decision && !strcmp(*p, b))) return 1;
    return 0;
}

static void test_transition_table(void **state) {
    (void)state;
    static const char *const DEC[] = {"", "granted", "denied"};
    int allowed = 0;
    for (int f = 0; f < CS_NSTAGES; f++)
        for (int t = 0; t < CS_NSTAGES; t++)
            for (int d = 0; d < 3; d++) {
                int want = expected((case_stage)f, (case_stage)t, DEC[d]);
                if (case_stage_allowed((case_stage)f, (case_stage)t, DEC[d]) != want)
                    print_error("%s -> %s (%s): expected %d\n", case_stage_name(f), case_stage_name(t), DEC[d], want);
                assert_int_equal(case_stage_allowed((case_stage)f, (case_stage)t, DEC[d]), want);
                allowed += want && d == 0;
            }
    assert_int_equal(allowed, 24); /* 27 rows, 3 of them need a decision */
    for (int s = 0; s < CS_NSTAGES; s++) { /* terminal stages lead nowhere */
        if (!case_stage_final((case_stage)s)) continue;
        for (int t = 0; t < CS_NSTAGES; t++) assert_false(case_stage_allowed((case_stage)s, (case_stage)t, "granted"));
    }
    case_stage s;
    pu_err e;
    assert_int_equal(case_stage_parse("judicial_phase", &s, &e), PU_OK);
    assert_int_equal(s, JP);
    assert_int_equal(case_stage_parse("Judicial Phase", &s, &e), PU_ERR_INVALID);
}

/* A path from a new request to each stage (start stage, then moves). */
typedef struct path {
    case_stage start;
    const char *decision;   /* recorded at executive_decision */
    case_stage moves[6];
    int n;
} path;

static path path_to(case_stage s, const char *decision) {
    path p = {PAR, decision, {0}, 0};
    switch (s) {
    case PAR: break;
    case PLA: p.moves[p.n++] = PLA; break;
    case FRD: p.moves[p.n++] = PLA; p.moves[p.n++] = FRD; break;
    case FRF: p.start = FRF; break;
    case JP: p.start = FRF; p.moves[p.n++] = JP; break;
    case ED: p.start = FRF; p.moves[p.n++] = JP; p.moves[p.n++] = ED; break;
    case REV: p.start = FRF; p.moves[p.n++] = JP; p.moves[p.n++] = ED; p.moves[p.n++] = REV; p.decision = "granted"; break;
    case SS: p.start = FRF; p.moves[p.n++] = JP; p.moves[p.n++] = ED; p.moves[p.n++] = SS; p.decision = "granted"; break;
    case CS_SURRENDERED: p = path_to(SS, "granted"); p.moves[p.n++] = CS_SURRENDERED; break;
    case CS_RELEASED: p.moves[p.n++] = PLA; p.moves[p.n++] = CS_RELEASED; break;
    case CS_WITHDRAWN: p.moves[p.n++] = CS_WITHDRAWN; break;
    default: p.moves[p.n++] = CS_LAPSED; break;
    }
    return p;
}

static int64_t drive(db_t *db, int64_t cid, case_stage s, const char *decision) {
    path p = path_to(s, decision);
    case_ext_opts o = {"mx_to_us", "Juan Pérez", NULL, "0123/2026", "no death penalty", case_stage_name(p.start),
                       "2026-01-05", NULL};
    int64_t x;
    pu_err e;
    assert_int_equal(case_ext_new(db, &SYS, cid, &o, &x, &e), PU_OK);
    for (int i = 0; i < p.n; i++) {
        const char *d = p.moves[i] == ED ? p.decision : NULL;
        int rc = case_ext_stage(db, &SYS, x, case_stage_name(p.moves[i]), "2026-01-06", d, NULL, &e);
        if (rc) print_error("drive to %s: %s\n", case_stage_name(p.moves[i]), e.msg);
        assert_int_equal(rc, PU_OK);
    }
    return x;
}

static const char *stage_of(db_t *db, int64_t x) {
    static char s[40];
    json_t *j;
    pu_err e;
    assert_int_equal(case_ext_show(db, &SYS, x, "2026-01-10", &j, &e), PU_OK);
    snprintf(s, sizeof s, "%s", json_string_value(json_object_get(j, "stage")));
    json_decref(j);
    return s;
}

/* Every (from, to) pair through the engine: allowed ones move, the others
 * are PU_ERR_CONFLICT and leave the stage as it was. */
static void test_transitions_engine(void **state) {
    (void)state;
    store_t *st = open_store();
    db_t *db = store_db(st);
    int64_t cid = new_case(db, &R_HSI, "SHARED", "HSI:US,FGR:MX");
    static const char *const DEC[] = {"", "granted", "denied"};
    int moved = 0, refused = 0;
    pu_err e0;
    assert_int_equal(db_begin(db, &e0), PU_OK);
    for (int f = 0; f < CS_NSTAGES; f++)
        for (int d = 0; d < (f == ED ? 3 : 1); d++)
            for (int t = 0; t < CS_NSTAGES; t++) {
                if (t == ED && f == ED) continue; /* recording the decision: tested below */
                int64_t x = drive(db, cid, (case_stage)f, NULL); /* the decision recorded next */
                if (f == ED && d) {
                    pu_err e;
                    assert_int_equal(case_ext_stage(db, &SYS, x, "executive_decision", "2026-01-07", DEC[d], NULL, &e), PU_OK);
                }
                pu_err e;
                int rc = case_ext_stage(db, &SYS, x, case_stage_name((case_stage)t), "2026-01-08", NULL, NULL, &e);
                int want = expected((case_stage)f, (case_stage)t, DEC[d]);
                if ((rc == PU_OK) != want)
                    print_error("%s(%s) -> %s: rc %d (%s)\n", case_stage_name(f), DEC[d], case_stage_name(t), rc, e.msg);
                assert_int_equal(rc, want ? PU_OK : PU_ERR_CONFLICT);
                assert_string_equal(stage_of(db, x), case_stage_name(want ? (case_stage)t : (case_stage)f));
                want ? moved++ : refused++;
            }
    assert_int_equal(db_commit(db, &e0), PU_OK);
    assert_int_equal(moved, 29); /* 23 rows + from executive_decision: withdrawn under each decision state (3), review/surrender (granted), released (denied) */
    assert_true(refused > 100);
    /* the decision: once, only at executive_decision, and it gates what follows */
    pu_err e;
    int64_t x = drive(db, cid, ED, NULL);
    assert_int_equal(case_ext_stage(db, &SYS, x, "surrender_scheduled", NULL, NULL, NULL, &e), PU_ERR_CONFLICT);
    assert_int_equal(case_ext_stage(db, &SYS, x, "executive_decision", NULL, "maybe", NULL, &e), PU_ERR_INVALID);
    assert_int_equal(case_ext_stage(db, &SYS, x, "executive_decision", NULL, "denied", NULL, &e), PU_OK);
    assert_int_equal(case_ext_stage(db, &SYS, x, "executive_decision", NULL, "granted", NULL, &e), PU_ERR_CONFLICT);
    assert_int_equal(case_ext_stage(db, &SYS, x, "surrender_scheduled", NULL, NULL, NULL, &e), PU_ERR_CONFLICT);
    assert_int_equal(case_ext_stage(db, &SYS, x, "released", NULL, NULL, NULL, &e), PU_OK);
    x = drive(db, cid, PLA, NULL);
    assert_int_equal(case_ext_stage(db, &SYS, x, "formal_request_filed", "2026-01-04", NULL, NULL, &e), PU_ERR_INVALID);
    assert_string_equal(e.field, "day"); /* before the current stage began */
    assert_int_equal(case_ext_stage(db, &SYS, x, "formal_request_filed", NULL, "granted", NULL, &e), PU_ERR_INVALID);
    case_ext_opts bad = {"mx_to_us", "X", NULL, NULL, NULL, "judicial_phase", NULL, NULL};
    assert_int_equal(case_ext_new(db, &SYS, cid, &bad, &x, &e), PU_ERR_INVALID);
    store_close(st);
}

/* ---- deadlines ---- */
static const char *end_of(const char *start, int n, case_unit u, const char *country) {
    static char out[11];
    int64_t s, d;
    pu_err e;
    assert_int_equal(pu_parse_date(start, &s), PU_OK);
    assert_int_equal(case_period_end(s, n, u, country, &d, &e), PU_OK);
    pu_format_date(d, out, sizeof out);
    return out;
}

static int64_t day(const char *s) {
    int64_t d;
    assert_int_equal(pu_parse_date(s, &d), PU_OK);
    return d;
}

static void test_calendars(void **state) {
    (void)state;
    /* Mexico, LFT Art. 74: third Monday of March 2026 is the 16th; 1 October in a transfer year */
    assert_true(case_holiday("MX", day("2026-03-16")));
    assert_false(case_holiday("US", day("2026-03-16")));
    assert_true(case_holiday("MX", day("2024-10-01")));
    assert_false(case_holiday("MX", day("2025-10-01")));
    assert_true(case_holiday("MX", day("2030-10-01")));
    assert_true(case_holiday("MX", day("2026-09-16")));
    /* fixed Mexican days are not moved off a weekend: 2027-05-01 is a Saturday, 2027-04-30 is no holiday */
    assert_true(case_holiday("MX", day("2027-05-01")));
    assert_false(case_holiday("MX", day("2027-04-30")));
    /* United States, 5 U.S.C. 6103: observed days */
    assert_true(case_holiday("US", day("2021-12-31")));  /* New Year's Day 2022 was a Saturday */
    assert_true(case_holiday("US", day("2027-07-05")));  /* July 4 2027 is a Sunday */
    assert_false(case_holiday("US", day("2027-07-04")));
    assert_true(case_holiday("US", day("2026-11-26")));  /* fourth Thursday of November */
    assert_false(case_holiday("US", day("2020-06-19")));  /* Juneteenth from 2021 */
    assert_true(case_holiday("US", day("2021-06-18")));   /* 2021-06-19 was a Saturday */
    assert_false(case_business_day("US", day("2026-03-14"))); /* Saturday */
    assert_true(case_business_day("US", day("2026-03-16")));
    assert_false(case_business_day("MX", day("2026-03-16")));
    size_t n;
    pu_err e;
    assert_int_equal(case_rules_count(&n, &e), PU_OK);
    assert_int_equal(n, 7);
}

static void test_periods(void **state) {
    (void)state;
    /* Friday 13 March 2026 + 3 business days: Mexico skips the weekend and Monday 16 (holiday) */
    assert_string_equal(end_of("2026-03-13", 3, CASE_BUSINESS_DAYS, "MX"), "2026-03-19");
    assert_string_equal(end_of("2026-03-13", 3, CASE_BUSINESS_DAYS, "US"), "2026-03-18");
    /* Wednesday 25 November 2026 + 2 US business days: Thanksgiving and the weekend skipped */
    assert_string_equal(end_of("2026-11-25", 2, CASE_BUSINESS_DAYS, "US"), "2026-11-30");
    assert_string_equal(end_of("2026-11-25", 2, CASE_BUSINESS_DAYS, "MX"), "2026-11-27");
    /* Christmas week 2026 across both: the 25th is a Friday in both calendars */
    assert_string_equal(end_of("2026-12-24", 1, CASE_BUSINESS_DAYS, "MX"), "2026-12-28");
    assert_string_equal(end_of("2026-12-24", 1, CASE_BUSINESS_DAYS, "US"), "2026-12-28");
    /* calendar days ignore weekends and holidays (treaty Art. 11: 60 days) */
    assert_string_equal(end_of("2026-01-10", 60, CASE_CALENDAR_DAYS, ""), "2026-03-11");
    assert_string_equal(end_of("2028-01-10", 60, CASE_CALENDAR_DAYS, ""), "2028-03-10"); /* leap year */
    /* calendar months (18 U.S.C. 3188), clamped to the month's end */
    assert_string_equal(end_of("2026-01-31", 2, CASE_MONTHS, ""), "2026-03-31");
    assert_string_equal(end_of("2025-12-31", 2, CASE_MONTHS, ""), "2026-02-28");
    assert_string_equal(end_of("2027-12-30", 2, CASE_MONTHS, ""), "2028-02-29");
    assert_string_equal(end_of("2026-11-15", 2, CASE_MONTHS, ""), "2027-01-15");
}

static json_t *clocks_of(db_t *db, int64_t x, const char *today) {
    json_t *j;
    pu_err e;
    assert_int_equal(case_ext_show(db, &SYS, x, today, &j, &e), PU_OK);
    json_t *c = json_incref(json_object_get(j, "clocks"));
    json_decref(j);
    return c;
}

static void test_clocks(void **state) {
    (void)state;
    store_t *st = open_store();
    db_t *db = store_db(st);
    int64_t cid = new_case(db, &R_HSI, "SHARED", "HSI:US,FGR:MX");
    pu_err e;
    case_ext_opts o = {"mx_to_us", "Juan Pérez", NULL, NULL, NULL, NULL, "2026-01-05", NULL};
    int64_t x;
    assert_int_equal(case_ext_new(db, &R_HSI, cid, &o, &x, &e), PU_OK);
    json_t *c = clocks_of(db, x, "2026-01-06");
    assert_int_equal(json_array_size(c), 0); /* no clock before the arrest */
    json_decref(c);
    assert_int_equal(case_ext_stage(db, &R_HSI, x, "person_located_arrested", "2026-01-10", NULL, NULL, &e), PU_OK);
    assert_int_equal(case_ext_stage(db, &R_HSI, x, "formal_request_due", "2026-02-01", NULL, NULL, &e), PU_OK);
    c = clocks_of(db, x, "2026-03-05");
    assert_int_equal(json_array_size(c), 1);
    json_t *k = json_array_get(c, 0);
    assert_string_equal(json_string_value(json_object_get(k, "rule")), "treaty_art11_formal_request");
    assert_string_equal(json_string_value(json_object_get(k, "started")), "2026-01-10"); /* the arrest, not the later stage */
    assert_string_equal(json_string_value(json_object_get(k, "due")), "2026-03-11");
    assert_int_equal(json_integer_value(json_object_get(k, "days_left")), 6);
    assert_true(json_is_true(json_object_get(k, "escalate")));
    json_decref(c);
    /* case due: within 30 days of 2026-02-20 it shows; within 5 it does not; the rule's window at 03-05 */
    json_t *due;
    assert_int_equal(case_due(db, &R_HSI, "2026-02-20", 30, &due, &e), PU_OK);
    assert_int_equal(json_array_size(due), 1);
    json_decref(due);
    assert_int_equal(case_due(db, &R_HSI, "2026-02-20", 5, &due, &e), PU_OK);
    assert_int_equal(json_array_size(due), 0);
    json_decref(due);
    assert_int_equal(case_due(db, &R_HSI, "2026-03-12", -1, &due, &e), PU_OK);
    assert_int_equal(json_array_size(due), 1);
    assert_true(json_is_true(json_object_get(json_array_get(due, 0), "overdue")));
    json_decref(due);
    /* open tasks are due too: within 7 days by default, never once done, never for a non-member */
    int64_t tk;
    assert_int_equal(case_task_add(db, &R_HSI, cid, "certified translation", "2026-03-15", "HSI Phoenix", &tk, &e), PU_OK);
    assert_int_equal(case_task_add(db, &R_HSI, cid, "quarterly review", "2026-06-30", NULL, NULL, &e), PU_OK);
    assert_int_equal(case_due(db, &R_HSI, "2026-03-12", -1, &due, &e), PU_OK);
    assert_int_equal(json_array_size(due), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(due, 0), "kind")), "clock"); /* 03-11 */
    assert_string_equal(json_string_value(json_object_get(json_array_get(due, 1), "kind")), "task");  /* 03-15 */
    assert_int_equal(json_integer_value(json_object_get(json_array_get(due, 1), "days_left")), 3);
    json_decref(due);
    assert_int_equal(case_task_done(db, &R_HSI, tk, 1, &e), PU_OK);
    assert_int_equal(case_task_done(db, &R_FGR, tk, 0, &e), PU_ERR_DENIED);
    assert_int_equal(case_due(db, &R_HSI, "2026-03-12", -1, &due, &e), PU_OK);
    assert_int_equal(json_array_size(due), 1);
    json_decref(due);
    assert_int_equal(case_due(db, &R_DEA, "2026-03-12", -1, &due, &e), PU_OK); /* not a member: nothing */
    assert_int_equal(json_array_size(due), 0);
    json_decref(due);
    /* filing stops the treaty clock; the Mexican judicial clocks run in business days */
    assert_int_equal(case_ext_stage(db, &R_HSI, x, "formal_request_filed", "2026-03-02", NULL, NULL, &e), PU_OK);
    assert_int_equal(case_ext_stage(db, &R_HSI, x, "judicial_phase", "2026-03-13", NULL, NULL, &e), PU_OK);
    c = clocks_of(db, x, "2026-03-13");
    assert_int_equal(json_array_size(c), 3);
    assert_string_equal(json_string_value(json_object_get(json_array_get(c, 0), "rule")), "lei_art25_objections");
    assert_string_equal(json_string_value(json_object_get(json_array_get(c, 0), "due")), "2026-03-19");
    json_decref(c);
    /* the SRE's 20 days stop when the decision is recorded */
    assert_int_equal(case_ext_stage(db, &R_HSI, x, "executive_decision", "2026-04-20", NULL, NULL, &e), PU_OK);
    c = clocks_of(db, x, "2026-04-20");
    assert_int_equal(json_array_size(c), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(c, 0), "rule")), "lei_art30_sre_decision");
    json_decref(c);
    assert_int_equal(case_ext_stage(db, &R_HSI, x, "executive_decision", "2026-05-04", "granted", NULL, &e), PU_OK);
    c = clocks_of(db, x, "2026-05-04");
    assert_int_equal(json_array_size(c), 0);
    json_decref(c);
    /* us_to_mx: two calendar months from commitment (entry to executive_decision) */
    case_ext_opts u = {"us_to_mx", "John Roe", NULL, NULL, NULL, "formal_request_filed", "2026-01-05", NULL};
    assert_int_equal(case_ext_new(db, &R_HSI, cid, &u, &x, &e), PU_OK);
    assert_int_equal(case_ext_stage(db, &R_HSI, x, "judicial_phase", "2026-01-06", NULL, NULL, &e), PU_OK);
    assert_int_equal(case_ext_stage(db, &R_HSI, x, "executive_decision", "2026-12-31", "granted", NULL, &e), PU_OK);
    assert_int_equal(case_ext_stage(db, &R_HSI, x, "review", "2027-01-10", NULL, NULL, &e), PU_OK);
    c = clocks_of(db, x, "2027-01-10");
    assert_int_equal(json_array_size(c), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(c, 0), "rule")), "usc_3188_surrender");
    assert_string_equal(json_string_value(json_object_get(json_array_get(c, 0), "due")), "2027-02-28");
    json_decref(c);
    store_close(st);
}

/* ---- need-to-know ---- */
static int list_size(db_t *db, const case_reader *rd, int flags) {
    json_t *a;
    pu_err e;
    assert_int_equal(case_list(db, rd, NULL, flags, &a, &e), PU_OK);
    int n = (int)json_array_size(a);
    json_decref(a);
    return n;
}

static int64_t count_of(db_t *db, const case_reader *rd) {
    int64_t n;
    pu_err e;
    assert_int_equal(case_count(db, rd, &n, &e), PU_OK);
    return n;
}

static void test_need_to_know(void **state) {
    (void)state;
    store_t *st = open_store();
    db_t *db = store_db(st);
    pu_err e;
    json_t *j;
    int64_t shared = new_case(db, &R_HSI, "SHARED", "HSI:US,FGR:MX");
    int64_t secret = new_case(db, &R_HSI, "AGENCY-ONLY", NULL);
    /* members: HSI (owner, write) and FGR (participant, read) */
    assert_int_equal(case_show(db, &R_FGR, shared, &j, &e), PU_OK);
    assert_string_equal(json_string_value(json_object_get(j, "title")), "Operation Coyote");
    json_decref(j);
    assert_int_equal(case_note_add(db, &R_FGR, shared, "read-only member writes", NULL, &e), PU_ERR_DENIED);
    /* DEA: same country, marking allows SHARED, but no need-to-know */
    assert_int_equal(case_show(db, &R_DEA, shared, &j, &e), PU_ERR_NOTFOUND);
    assert_int_equal(case_show(db, &R_DEA, 999999, &j, &e), PU_ERR_NOTFOUND); /* alike: absent */
    assert_int_equal(list_size(db, &R_DEA, 0), 0);
    assert_int_equal(count_of(db, &R_DEA), 0);
    assert_int_equal(count_of(db, &R_HSI), 2);
    assert_int_equal(count_of(db, &R_FGR), 1);
    /* existence only: a stub without title, for the SHARED case, never the AGENCY-ONLY one */
    assert_int_equal(case_list(db, &R_DEA, NULL, CASE_LIST_EXISTING, &j, &e), PU_OK);
    assert_int_equal(json_array_size(j), 1);
    json_t *stub = json_array_get(j, 0);
    assert_int_equal(json_integer_value(json_object_get(stub, "id")), shared);
    assert_true(json_is_true(json_object_get(stub, "restricted")));
    assert_null(json_object_get(stub, "title"));
    assert_string_equal(json_string_value(json_object_get(stub, "owner")), "HSI");
    json_decref(j);
    assert_int_equal(case_show(db, &R_FGR, secret, &j, &e), PU_ERR_NOTFOUND);
    /* a user member: only that user of DEA */
    case_reader ana = {&DEA, "ana"}, bob = {&DEA, "bob"};
    assert_int_equal(case_member_set(db, &R_FGR, shared, "user", "ana", "read", &e), PU_ERR_DENIED); /* FGR reads only */
    assert_int_equal(case_member_set(db, &R_HSI, shared, "user", "ana", "read", &e), PU_OK);
    assert_int_equal(case_show(db, &ana, shared, &j, &e), PU_OK);
    json_decref(j);
    assert_int_equal(case_show(db, &bob, shared, &j, &e), PU_ERR_NOTFOUND);
    assert_int_equal(count_of(db, &ana), 1);
    assert_int_equal(count_of(db, &bob), 0);
    assert_int_equal(case_member_set(db, &R_HSI, shared, "user", "ana", NULL, &e), PU_OK);
    assert_int_equal(case_member_set(db, &R_HSI, shared, "agency", "HSI", NULL, &e), PU_ERR_CONFLICT);
    assert_int_equal(case_member_set(db, &R_HSI, shared, "agency", "HSI", "read", &e), PU_ERR_CONFLICT);
    assert_int_equal(case_show(db, &ana, shared, &j, &e), PU_ERR_NOTFOUND);
    /* a member cannot see past the marking: US-ONLY case, FGR member, until shared */
    int64_t us_only = new_case(db, &R_HSI, "US-ONLY", "HSI:US,FGR:MX");
    assert_int_equal(case_show(db, &R_FGR, us_only, &j, &e), PU_ERR_NOTFOUND);
    assert_int_equal(case_share(db, &R_FGR, "case", us_only, "FGR", "joint unit", &e), PU_ERR_NOTFOUND);
    assert_int_equal(case_share(db, &R_HSI, "case", us_only, "FGR", "", &e), PU_ERR_INVALID); /* a reason */
    assert_int_equal(case_share(db, &R_HSI, "case", us_only, "FGR", "TCIU joint unit, MOU 2026-3", &e), PU_OK);
    assert_int_equal(case_show(db, &R_FGR, us_only, &j, &e), PU_OK);
    json_decref(j);
    int64_t n;
    assert_int_equal(db_query_int64(db, "SELECT COUNT(*) FROM audit_log WHERE action = ?", "case.share", &n, &e), PU_OK);
    assert_int_equal(n, 1);
    /* a record of a shared case keeps its own marking: a US-ONLY warrant stays hidden from FGR until shared */
    case_warrant_opts w = {"U.S. District Court, W.D. Tex.", "Judge A. Ruiz", "2026-02-01", "US", NULL,
                           "Juan Pérez", NULL, "US-ONLY"};
    int64_t wid;
    assert_int_equal(case_warrant_add(db, &R_HSI, shared, &w, &wid, &e), PU_OK);
    assert_int_equal(case_show(db, &R_FGR, shared, &j, &e), PU_OK);
    assert_int_equal(json_array_size(json_object_get(j, "warrants")), 0);
    json_decref(j);
    assert_int_equal(case_share(db, &R_HSI, "warrant", wid, "FGR", "for the provisional arrest request", &e), PU_OK);
    assert_int_equal(case_show(db, &R_FGR, shared, &j, &e), PU_OK);
    assert_int_equal(json_array_size(json_object_get(j, "warrants")), 1);
    json_decref(j);
    store_close(st);
}

/* ---- evidence links ---- */
static void exec(db_t *db, const char *sql) {
    pu_err e;
    int rc = db_exec(db, sql, &e);
    if (rc) print_error("%s: %s\n", sql, e.msg);
    assert_int_equal(rc, PU_OK);
}

static void seed_targets(db_t *db, const char *marking) {
    char sql[2048];
    snprintf(sql, sizeof sql,
             "INSERT INTO trace_request (number, request_date, priority, agency, crime_code, recovery_date,"
             " recovery_state, status, owner, marking, created, updated) VALUES ('T2026-0001', '2026-01-01', 'routine',"
             " 'DEA', '5212', '2026-01-01', 'SON', 'submitted', 'DEA', '%s', '2026-01-01', '2026-01-01');"
             "INSERT INTO cargo_batch (created, nlines, nrejected, parties_screened, owner, marking)"
             " VALUES ('2026-01-01', 1, 0, 0, 'DEA', '%s');"
             "INSERT INTO tip (id, owner, marking, category, lang, country, state_code, status, received_day,"
             " updated_day, lookup, receipt_hash, text, answers, simhash, spam, opened_new) VALUES ('tip-1', 'DEA',"
             " '%s', 'drugs', 'es', 'MX', 'SON', 'new', '2026-01-01', '2026-01-01', 'lk', 'rh', 't', '{}', 0, 0, 0);"
             "INSERT INTO ews_alert (kind, severity, substance, place, week, method, evidence, text_en, text_es,"
             " addressed, status, owner, marking, created, dedup) VALUES ('first', 'high', 'xylazine', 'MX-SON',"
             " '2026-W01', 'first', 'e', 'en', 'es', 'DEA', 'open', 'DEA', '%s', '2026-01-01', 'd1');"
             "INSERT INTO entity (id, schema, caption, names, data, owner, marking, created, updated) VALUES"
             " ('dea-person-1', 'Person', 'Juan Pérez', 'juan perez', '{}', 'DEA', '%s', '2026-01-01', '2026-01-01');",
             marking, marking, marking, marking, marking);
    exec(db, sql);
    exec(db, "INSERT INTO cargo_shipment (batch_id, awb, hawb, score, decision, fired, owner, marking, created, updated)"
             " SELECT id, '001-12345675', '', 0.9, 'hold', 1, owner, marking, created, created FROM cargo_batch");
}

static void test_links(void **state) {
    (void)state;
    store_t *st = open_store();
    db_t *db = store_db(st);
    pu_err e;
    seed_targets(db, "AGENCY-ONLY");
    int64_t cid = new_case(db, &R_HSI, "SHARED", "HSI:US,DEA:US,FGR:MX");
    assert_int_equal(case_member_set(db, &R_HSI, cid, "agency", "DEA", "write", &e), PU_OK);
    int64_t ship, alert;
    assert_int_equal(db_query_int64(db, "SELECT MIN(id) FROM cargo_shipment WHERE awb = ?", "001-12345675", &ship, &e), PU_OK);
    assert_int_equal(db_query_int64(db, "SELECT MIN(id) FROM ews_alert WHERE dedup = ?", "d1", &alert, &e), PU_OK);
    char s_ship[24], s_alert[24];
    snprintf(s_ship, sizeof s_ship, "%lld", (long long)ship);
    snprintf(s_alert, sizeof s_alert, "%lld", (long long)alert);
    const char *kinds[] = {"trace", "cargo", "tip", "ews", "kinship", "screening"};
    const char *targets[] = {"T2026-0001", s_ship, "tip-1", s_alert, "dea-person-1", "dea-person-1"};
    for (int i = 0; i < 6; i++) {
        /* HSI cannot see DEA's AGENCY-ONLY records: linking them is refused like an absent one */
        assert_int_equal(case_link_add(db, &R_HSI, cid, kinds[i], targets[i], NULL, NULL, &e), PU_ERR_NOTFOUND);
        /* DEA, a write member, links its own records */
        int rc = case_link_add(db, &R_DEA, cid, kinds[i], targets[i], "seized phone", NULL, &e);
        if (rc) print_error("link %s: %s\n", kinds[i], e.msg);
        assert_int_equal(rc, PU_OK);
    }
    assert_int_equal(case_link_add(db, &R_DEA, cid, "trace", "T-NONE", NULL, NULL, &e), PU_ERR_NOTFOUND);
    assert_int_equal(case_link_add(db, &R_DEA, cid, "phonebook", "x", NULL, NULL, &e), PU_ERR_INVALID);
    json_t *a;
    assert_int_equal(case_links_json(db, &R_DEA, cid, &a, &e), PU_OK);
    assert_int_equal(json_array_size(a), 6);
    json_decref(a);
    assert_int_equal(case_links_json(db, &R_HSI, cid, &a, &e), PU_OK); /* targets hidden: links absent */
    assert_int_equal(json_array_size(a), 0);
    json_decref(a);
    /* released wider: each link shows at once, engine by engine */
    const char *tables[] = {"trace_request", "cargo_shipment", "tip", "ews_alert", "entity"};
    for (int i = 0; i < 5; i++) {
        char sql[128];
        snprintf(sql, sizeof sql, "UPDATE %s SET marking = 'US-ONLY'", tables[i]);
        exec(db, sql);
        assert_int_equal(case_links_json(db, &R_HSI, cid, &a, &e), PU_OK);
        assert_int_equal(json_array_size(a), i < 4 ? i + 1 : 6); /* the entity backs two links */
        json_decref(a);
    }
    assert_int_equal(case_links_json(db, &R_FGR, cid, &a, &e), PU_OK); /* US-ONLY: not for Mexico */
    assert_int_equal(json_array_size(a), 0);
    json_decref(a);
    store_close(st);
}

/* ---- documents ---- */
static void test_documents(void **state) {
    (void)state;
    store_t *st = open_store();
    db_t *db = store_db(st);
    pu_err e;
    int64_t cid = new_case(db, &R_HSI, "SHARED", "HSI:US,FGR:MX");
    case_doc_opts o = {"solicitud_formal.txt", 1, 1, 0, NULL};
    int64_t doc;
    char hex[65];
    assert_int_equal(case_doc_add(db, &R_HSI, cid, &o, (const unsigned char *)"abc", 3, &doc, hex, &e), PU_OK);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"); /* FIPS 180-2 "abc" */
    unsigned char *d;
    size_t n;
    assert_int_equal(case_doc_get(db, &R_FGR, doc, &d, &n, &e), PU_OK);
    assert_int_equal(n, 3);
    assert_memory_equal(d, "abc", 3);
    free(d);
    assert_int_equal(case_doc_get(db, &R_DEA, doc, &d, &n, &e), PU_ERR_NOTFOUND);
    assert_int_equal(case_doc_add(db, &R_FGR, cid, &o, (const unsigned char *)"x", 1, &doc, hex, &e), PU_ERR_DENIED);
    /* an altered stored file no longer matches its hash */
    exec(db, "UPDATE case_document SET content = 'YWJk'"); /* "abd" */
    assert_int_equal(case_doc_get(db, &R_HSI, doc, &d, &n, &e), PU_ERR_INTERNAL);
    /* sensitive: sealed at rest when a key is configured */
    setenv("PUENTE_SEAL_KEY", "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", 1);
    assert_int_equal(store_seal_reload(&e), PU_OK);
    case_doc_opts s = {"informant.txt", 0, 0, 1, NULL};
    assert_int_equal(case_doc_add(db, &R_HSI, cid, &s, (const unsigned char *)"secret source", 13, &doc, hex, &e), PU_OK);
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM case_document WHERE id = %lld AND content LIKE ?", (long long)doc);
    int64_t sealed;
    assert_int_equal(db_query_int64(db, sql, "pu1:%", &sealed, &e), PU_OK);
    assert_int_equal(sealed, 1);
    assert_int_equal(case_doc_get(db, &R_HSI, doc, &d, &n, &e), PU_OK);
    assert_int_equal(n, 13);
    assert_memory_equal(d, "secret source", 13);
    free(d);
    unsetenv("PUENTE_SEAL_KEY");
    assert_int_equal(store_seal_reload(&e), PU_OK);
    assert_int_equal(case_doc_get(db, &R_HSI, doc, &d, &n, &e), PU_ERR_DENIED); /* no key: cannot open */
    store_close(st);
}

/* ---- warrants, notices, counts ---- */
typedef struct tally {
    char names[64][80];
    double values[64];
    int n;
} tally;

/* ---- amparo: suspended clocks (docs/cases.md "Amparo") ---- */
static const char *paused_end(const char *start, int n, case_unit u, const char *country, const char *from,
                              const char *to, int *paused) {
    static char out[11];
    int64_t s, d;
    pu_err e;
    case_span sp = {day(from), day(to)};
    assert_int_equal(pu_parse_date(start, &s), PU_OK);
    assert_int_equal(case_period_end_paused(s, n, u, country, &sp, 1, &d, paused, &e), PU_OK);
    pu_format_date(d, out, sizeof out);
    return out;
}

static void test_amparo_periods(void **state) {
    (void)state;
    int paused;
    /* 3 MX business days from Fri 13 March 2026: 16 is a holiday, 17-18 suspended: 19, 20, Mon 23 */
    assert_string_equal(paused_end("2026-03-13", 3, CASE_BUSINESS_DAYS, "MX", "2026-03-17", "2026-03-18", &paused),
                        "2026-03-23");
    assert_int_equal(paused, 2);
    /* 60 calendar days from 10 January with 1-10 February suspended: 10 days later than 11 March */
    assert_string_equal(paused_end("2026-01-10", 60, CASE_CALENDAR_DAYS, "", "2026-02-01", "2026-02-10", &paused),
                        "2026-03-21");
    assert_int_equal(paused, 10);
    /* a suspension before the clock started changes nothing */
    assert_string_equal(paused_end("2026-01-10", 60, CASE_CALENDAR_DAYS, "", "2025-12-01", "2026-01-10", &paused),
                        "2026-03-11");
    assert_int_equal(paused, 0);
    /* two calendar months (59 days from 31 January 2026) pushed back by 10 suspended days */
    assert_string_equal(paused_end("2026-01-31", 2, CASE_MONTHS, "", "2026-02-01", "2026-02-10", &paused), "2026-04-10");
    assert_int_equal(paused, 10);
}

static void test_amparo(void **state) {
    (void)state;
    store_t *st = open_store();
    db_t *db = store_db(st);
    int64_t cid = new_case(db, &R_HSI, "SHARED", "HSI:US,FGR:MX");
    pu_err e;
    case_ext_opts o = {"mx_to_us", "Juan Pérez", NULL, NULL, NULL, NULL, "2026-01-05", NULL};
    int64_t x, sid;
    assert_int_equal(case_ext_new(db, &R_HSI, cid, &o, &x, &e), PU_OK);
    assert_int_equal(case_ext_stage(db, &R_HSI, x, "person_located_arrested", "2026-01-10", NULL, NULL, &e), PU_OK);
    case_amparo_opts a = {"2026-02-01", "Juzgado Primero de Distrito en Materia Penal", "1234/2026", NULL};
    assert_int_equal(case_amparo_start(db, &R_FGR, x, &a, &sid, &e), PU_ERR_DENIED); /* a read member */
    assert_int_equal(case_amparo_start(db, &R_DEA, x, &a, &sid, &e), PU_ERR_NOTFOUND);
    case_amparo_opts nocourt = {"2026-02-01", NULL, "1234/2026", NULL};
    assert_int_equal(case_amparo_start(db, &R_HSI, x, &nocourt, &sid, &e), PU_ERR_INVALID);
    assert_int_equal(case_amparo_start(db, &R_HSI, x, &a, &sid, &e), PU_OK);
    assert_int_equal(case_amparo_start(db, &R_HSI, x, &a, &sid, &e), PU_ERR_CONFLICT); /* already open */
    /* open: the treaty clock is halted; its due day is projected as if the suspension ended today */
    json_t *c = clocks_of(db, x, "2026-02-10"), *k = json_array_get(c, 0);
    assert_string_equal(json_string_value(json_object_get(k, "due")), "2026-03-21");
    assert_true(json_is_true(json_object_get(k, "suspended")));
    assert_false(json_is_true(json_object_get(k, "escalate")));
    assert_string_equal(json_string_value(json_object_get(k, "suspended_since")), "2026-02-01");
    assert_int_equal(json_integer_value(json_object_get(k, "days_left")), 39);
    json_decref(c);
    c = clocks_of(db, x, "2026-03-01"); /* frozen: still 39 days left three weeks later */
    assert_int_equal(json_integer_value(json_object_get(json_array_get(c, 0), "days_left")), 39);
    json_decref(c);
    json_t *due;
    assert_int_equal(case_due(db, &R_HSI, "2026-03-01", 60, &due, &e), PU_OK);
    assert_int_equal(json_array_size(due), 0); /* nothing runs out while suspended */
    json_decref(due);
    assert_int_equal(case_amparo_end(db, &R_HSI, x, "2026-01-31", NULL, &e), PU_ERR_INVALID); /* before its start */
    assert_int_equal(case_amparo_end(db, &R_HSI, x, "2026-02-15", "suspension lifted", &e), PU_OK);
    assert_int_equal(case_amparo_end(db, &R_HSI, x, "2026-02-16", NULL, &e), PU_ERR_CONFLICT); /* none open */
    /* closed: 1-15 February do not count, the clock runs again from the 16th */
    c = clocks_of(db, x, "2026-03-20");
    k = json_array_get(c, 0);
    assert_string_equal(json_string_value(json_object_get(k, "due")), "2026-03-26");
    assert_false(json_is_true(json_object_get(k, "suspended")));
    assert_int_equal(json_integer_value(json_object_get(k, "paused_days")), 15);
    assert_true(json_is_true(json_object_get(k, "escalate")));
    json_decref(c);
    json_t *x_json;
    assert_int_equal(case_ext_show(db, &R_HSI, x, "2026-03-20", &x_json, &e), PU_OK);
    json_t *sus = json_object_get(x_json, "suspensions");
    assert_int_equal(json_array_size(sus), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(sus, 0), "ended")), "2026-02-15");
    assert_true(json_is_null(json_object_get(x_json, "suspended_since")));
    json_decref(x_json);
    /* no surrender while an amparo is open; the request moves once it ends */
    int64_t r = drive(db, cid, CS_REVIEW, "granted");
    case_amparo_opts b = {NULL, "Juzgado Segundo de Distrito", "77/2026", NULL};
    assert_int_equal(case_amparo_start(db, &SYS, r, &b, NULL, &e), PU_OK);
    assert_int_equal(case_ext_stage(db, &SYS, r, "surrender_scheduled", NULL, NULL, NULL, &e), PU_ERR_CONFLICT);
    assert_string_equal(stage_of(db, r), "review");
    assert_int_equal(case_amparo_end(db, &SYS, r, NULL, NULL, &e), PU_OK);
    assert_int_equal(case_ext_stage(db, &SYS, r, "surrender_scheduled", NULL, NULL, NULL, &e), PU_OK);
    /* an amparo is Mexican: refused for a person held in the United States, and after the end */
    case_ext_opts u = {"us_to_mx", "John Roe", NULL, NULL, NULL, "formal_request_filed", "2026-01-05", NULL};
    assert_int_equal(case_ext_new(db, &R_HSI, cid, &u, &x, &e), PU_OK);
    assert_int_equal(case_amparo_start(db, &R_HSI, x, &a, NULL, &e), PU_ERR_INVALID);
    assert_string_equal(e.field, "direction");
    assert_int_equal(case_ext_stage(db, &SYS, r, "surrendered", NULL, NULL, NULL, &e), PU_OK);
    assert_int_equal(case_amparo_start(db, &SYS, r, &b, NULL, &e), PU_ERR_CONFLICT);
    store_close(st);
}

static void test_document_meta(void **state) {
    (void)state;
    store_t *st = open_store();
    db_t *db = store_db(st);
    pu_err e;
    int64_t cid = new_case(db, &R_HSI, "SHARED", "HSI:US,FGR:MX"), d1, d2;
    case_doc_opts t = {"nota.txt", 0, 0, 0, NULL};                    /* type from the content */
    case_doc_opts p = {"orden de aprehensión.pdf", 1, 0, 0, "application/pdf"};
    case_doc_opts bad = {"x.html", 0, 0, 0, "text/html; charset=\"x\""};
    assert_int_equal(case_doc_add(db, &R_HSI, cid, &t, (const unsigned char *)"hola", 4, &d1, NULL, &e), PU_OK);
    assert_int_equal(case_doc_add(db, &R_HSI, cid, &p, (const unsigned char *)"%PDF-1.4", 8, &d2, NULL, &e), PU_OK);
    assert_int_equal(case_doc_add(db, &R_HSI, cid, &bad, (const unsigned char *)"<b>", 3, NULL, NULL, &e), PU_ERR_INVALID);
    case_doc_meta m;
    unsigned char *data;
    size_t n;
    assert_int_equal(case_doc_read(db, &R_FGR, d2, &m, &data, &n, &e), PU_OK);
    free(data);
    assert_string_equal(m.name, "orden de aprehensión.pdf");
    assert_string_equal(m.content_type, "application/pdf");
    assert_int_equal(m.case_id, cid);
    assert_int_equal(m.size, 8);
    assert_true(m.certified);
    assert_int_equal(case_doc_read(db, &R_HSI, d1, &m, &data, &n, &e), PU_OK);
    free(data);
    assert_string_equal(m.content_type, "text/plain");
    json_t *a;
    assert_int_equal(case_doc_list(db, &R_FGR, cid, &a, &e), PU_OK);
    assert_int_equal(json_array_size(a), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(a, 0), "sha256")), m.sha256);
    json_decref(a);
    assert_int_equal(case_doc_list(db, &R_DEA, cid, &a, &e), PU_ERR_NOTFOUND);
    int64_t audited = 0;
    assert_int_equal(db_query_int64(db, "SELECT COUNT(*) FROM audit_log WHERE action = ?", "case.document.add", &audited, &e),
                     PU_OK);
    assert_int_equal(audited, 2);
    store_close(st);
}

/* ---- operations over named parameters (case_ops.c): both shells' one path ---- */
static const char *kv_get(void *ctx, const char *key) {
    for (const char *const *kv = ctx; *kv; kv += 2)
        if (!strcmp(kv[0], key)) return kv[1];
    return NULL;
}

static int run_kv(db_t *db, const case_reader *rd, const char *op, int64_t id, const char *const *kv, json_t **out,
                  pu_err *e) {
    case_params p = {kv_get, (void *)kv};
    return case_op_run(db, rd, case_op_find(op), id, &p, out, e);
}

static void test_ops(void **state) {
    (void)state;
    store_t *st = open_store();
    db_t *db = store_db(st);
    pu_err e;
    json_t *r;
    int64_t cid = new_case(db, &R_HSI, "SHARED", "HSI:US,FGR:MX");
    assert_null(case_op_find("drop_table"));
    assert_non_null(case_op_find("amparo_end"));
    assert_true(case_op_find("charge")->created);
    assert_false(case_op_find("extradition_stage")->created);
    const char *const ch[] = {"statute", "8 U.S.C. 1324", "country", "US", "severity", "felony", "filed", "2026-01-20",
                              "count", "3", NULL};
    assert_int_equal(run_kv(db, &R_HSI, "charge", cid, ch, &r, &e), PU_OK);
    int64_t charge = json_integer_value(json_object_get(r, "id"));
    json_decref(r);
    assert_true(charge > 0);
    json_t *c;
    assert_int_equal(case_show(db, &R_HSI, cid, &c, &e), PU_OK);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(json_object_get(c, "charges"), 0), "count")), 3);
    json_decref(c);
    const char *const bad[] = {"statute", "x", "country", "US", "severity", "felony", "count", "3x", NULL};
    assert_int_equal(run_kv(db, &R_HSI, "charge", cid, bad, &r, &e), PU_ERR_INVALID);
    assert_string_equal(e.field, "count");
    const char *const arr[] = {"person", "P", "day", "2026-02-01", "place", "Nogales", "country", "US", "agency", "HSI",
                               "warrant", "-4", NULL};
    assert_int_equal(run_kv(db, &R_HSI, "arrest", cid, arr, &r, &e), PU_ERR_INVALID);
    assert_string_equal(e.field, "warrant");
    const char *const note[] = {"text", "seguimiento", NULL};
    assert_int_equal(run_kv(db, &R_FGR, "note", cid, note, &r, &e), PU_ERR_DENIED); /* the engine's rules hold */
    assert_int_equal(run_kv(db, &R_HSI, "note", cid, note, &r, &e), PU_OK);
    json_decref(r);
    const char *const x[] = {NULL};
    case_ext_opts xo = {"mx_to_us", "Juan Pérez", NULL, NULL, NULL, NULL, "2026-01-05", NULL};
    int64_t xid;
    assert_int_equal(case_ext_new(db, &R_HSI, cid, &xo, &xid, &e), PU_OK);
    const char *const mv[] = {"stage", "surrendered", NULL};
    assert_int_equal(run_kv(db, &R_HSI, "extradition_stage", xid, mv, &r, &e), PU_ERR_CONFLICT);
    const char *const mv2[] = {"stage", "person_located_arrested", "day", "2026-01-10", NULL};
    assert_int_equal(run_kv(db, &R_HSI, "extradition_stage", xid, mv2, &r, &e), PU_OK);
    assert_string_equal(json_string_value(json_object_get(r, "stage")), "person_located_arrested");
    json_decref(r);
    assert_int_equal(run_kv(db, &R_HSI, "amparo_end", xid, x, &r, &e), PU_ERR_CONFLICT);
    store_close(st);
}

static int count_cb(const pu_count_row *r, void *ctx, pu_err *err) {
    (void)err;
    tally *t = ctx;
    for (int i = 0; i < t->n; i++)
        if (!strcmp(t->names[i], r->name)) {
            t->values[i] += r->value;
            return 0;
        }
    if (t->n < 64) {
        snprintf(t->names[t->n], sizeof t->names[0], "%s", r->name);
        t->values[t->n++] = r->value;
    }
    return 0;
}

static double total(const tally *t, const char *name) {
    for (int i = 0; i < t->n; i++)
        if (!strcmp(t->names[i], name)) return t->values[i];
    return 0;
}

static void test_warrants_counts(void **state) {
    (void)state;
    store_t *st = open_store();
    db_t *db = store_db(st);
    pu_err e;
    int64_t cid = new_case(db, &R_HSI, "SHARED", "HSI:US,FGR:MX");
    case_charge_opts c = {"8 U.S.C. 1324(a)(1)(A)(ii)", "US", 3, "felony", "2026-01-20", "alien smuggling", 0};
    int64_t ch, w, w2, nt, a;
    assert_int_equal(case_charge_add(db, &R_HSI, cid, &c, &ch, &e), PU_OK);
    c.severity = "grave";
    assert_int_equal(case_charge_add(db, &R_HSI, cid, &c, NULL, &e), PU_ERR_INVALID);
    char chs[24];
    snprintf(chs, sizeof chs, "%lld", (long long)ch);
    case_warrant_opts wo = {"U.S. District Court, W.D. Tex.", "Judge A. Ruiz", "2026-02-01", "US", chs, "Juan Pérez",
                            NULL, NULL};
    assert_int_equal(case_warrant_add(db, &R_HSI, cid, &wo, &w, &e), PU_OK);
    assert_int_equal(case_warrant_add(db, &R_HSI, cid, &wo, &w2, &e), PU_OK);
    wo.charges = "99999";
    assert_int_equal(case_warrant_add(db, &R_HSI, cid, &wo, NULL, &e), PU_ERR_INVALID);
    case_notice_opts no = {"PEREZ", "JUAN", "1980-04-02", "Culiacán, Sinaloa", "MX", "M", w,
                           "Alien smuggling (8 U.S.C. 1324)", "Tráfico de personas (8 U.S.C. 1324)"};
    assert_int_equal(case_notice_add(db, &R_HSI, cid, &no, &nt, &e), PU_OK);
    assert_int_equal(case_warrant_status(db, &R_HSI, w, "recalled", "2026-03-01", NULL, &e), PU_ERR_INVALID);
    assert_int_equal(case_warrant_status(db, &R_HSI, w, "recalled", "2026-03-01", "superseding indictment", &e), PU_OK);
    assert_int_equal(case_warrant_status(db, &R_HSI, w, "served", "2026-03-02", NULL, &e), PU_ERR_CONFLICT);
    json_t *j;
    assert_int_equal(case_show(db, &R_HSI, cid, &j, &e), PU_OK);
    json_t *n0 = json_array_get(json_object_get(j, "notices"), 0);
    assert_string_equal(json_string_value(json_object_get(n0, "status")), "cancellation_requested");
    assert_string_equal(json_string_value(json_object_get(n0, "cancel_reason")), "superseding indictment");
    json_decref(j);
    assert_int_equal(case_warrant_attempt(db, &R_HSI, w2, "2026-03-03", "Nogales, Son.", "not_found", &e), PU_OK);
    case_arrest_opts ao = {"2026-03-10", "Nogales, Sonora", "MX", "FGR", "AIC agents", "in_custody", NULL, w2, chs,
                           "Juan Pérez"};
    assert_int_equal(case_arrest_add(db, &R_HSI, cid, &ao, &a, &e), PU_OK);
    assert_int_equal(case_warrant_status(db, &R_HSI, w2, "served", "2026-03-10", NULL, &e), PU_OK);
    /* extraditions: one surrendered after known stage times */
    case_ext_opts xo = {"mx_to_us", "Juan Pérez", NULL, NULL, NULL, NULL, "2026-03-01", NULL};
    int64_t x;
    assert_int_equal(case_ext_new(db, &R_HSI, cid, &xo, &x, &e), PU_OK);
    assert_int_equal(case_ext_stage(db, &R_HSI, x, "person_located_arrested", "2026-03-10", NULL, NULL, &e), PU_OK);
    assert_int_equal(case_ext_stage(db, &R_HSI, x, "formal_request_filed", "2026-04-20", NULL, NULL, &e), PU_OK);
    xo.person = "Pedro Gómez";
    assert_int_equal(case_ext_new(db, &R_HSI, cid, &xo, &x, &e), PU_OK);
    tally t = {0};
    assert_int_equal(case_counts(db, &HSI, count_cb, &t, &e), PU_OK);
    assert_true(total(&t, "cases.warrants_issued") == 2);
    assert_true(total(&t, "cases.arrests") == 1);
    assert_true(total(&t, "cases.extraditions_formal_request_filed") == 1);
    assert_true(total(&t, "cases.extraditions_provisional_arrest_requested") == 1);
    assert_true(total(&t, "cases.extradition_days_in_stage_provisional_arrest_requested") == 9);
    assert_true(total(&t, "cases.extradition_days_in_stage_person_located_arrested") == 41);
    assert_true(total(&t, "cases.extradition_stage_exits_person_located_arrested") == 1);
    tally none = {0};
    assert_int_equal(case_counts(db, &DEA, count_cb, &none, &e), PU_OK); /* not a member: counts nothing */
    assert_int_equal(none.n, 0);
    /* the NIEM export carries the Justice domain's names */
    assert_int_equal(case_export_niem(db, &R_FGR, cid, &j, &e), PU_OK);
    assert_int_equal(json_array_size(json_object_get(j, "j:Warrant")), 2);
    assert_string_equal(json_string_value(json_object_get(json_object_get(json_array_get(json_object_get(j, "j:Arrest"), 0),
                                                                           "j:ArrestAgency"), "nc:OrganizationName")), "FGR");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(json_object_get(j, "j:Charge"), 0),
                                                        "j:ChargeCountQuantity")), 3);
    json_decref(j);
    assert_int_equal(case_export_niem(db, &R_DEA, cid, &j, &e), PU_ERR_NOTFOUND);
    store_close(st);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_transition_table), cmocka_unit_test(test_transitions_engine),
        cmocka_unit_test(test_calendars),        cmocka_unit_test(test_periods),
        cmocka_unit_test(test_clocks),           cmocka_unit_test(test_need_to_know),
        cmocka_unit_test(test_links),            cmocka_unit_test(test_documents),
        cmocka_unit_test(test_warrants_counts),  cmocka_unit_test(test_amparo_periods),
        cmocka_unit_test(test_amparo),           cmocka_unit_test(test_document_meta),
        cmocka_unit_test(test_ops),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
