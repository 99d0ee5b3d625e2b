/* libFuzzer target: the fields of the cases engine that come from users
 * (API bodies, CLI options) and are parsed by it: the participating-agency
 * list ("HSI:US,FGR:MX"), the offence list, dates, markings, stage names,
 * warrant charge lists, decisions. Input: fields separated by '\n'. Each run
 * works in one transaction that is rolled back, on one in-memory store.
 * Invariants: a stage change succeeds only when the transition table allows
 * it (a refused one is PU_ERR_CONFLICT or invalid input, never a success),
 * the stored stage is always a known stage, and a case filed is readable by
 * its creator. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "cases/cases.h"

#define FIELDS 10

static db_t *db;

static void open_once(void) {
    static store_t *st;
    pu_err e;
    if (db) return;
    if (store_open(":memory:", &st, &e) || app_migrate(store_db(st), &e)) __builtin_trap();
    db = store_db(st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char buf[4096], *f[FIELDS] = {0};
    if (size >= sizeof buf) return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    int n = 0;
    for (char *p = buf; n < FIELDS && p;) {
        f[n++] = p;
        p = strchr(p, '\n');
        if (p) *p++ = '\0';
    }
    open_once();
    pu_err e;
    static const store_scope hsi = {0, "US", "HSI"};
    case_reader rd = {&hsi, "fuzzer"};
    if (db_begin(db, &e)) __builtin_trap();
    case_new_opts o = {f[2] && *f[2] ? f[2] : "t", NULL, f[3], f[4], f[0], f[1]};
    int64_t id, x;
    if (case_new(db, &rd, &o, &id, &e) == PU_OK) {
        json_t *j;
        if (case_show(db, &rd, id, &j, &e) != PU_OK) __builtin_trap();
        json_decref(j);
        case_warrant_opts w = {"court", "judge", f[7], "US", f[6], "subject", NULL, NULL};
        (void)case_warrant_add(db, &rd, id, &w, NULL, &e);
        case_ext_opts xo = {"mx_to_us", "p", NULL, NULL, NULL, f[5], f[4], NULL};
        if (case_ext_new(db, &rd, id, &xo, &x, &e) == PU_OK) {
            case_stage from, to;
            if (case_stage_parse(f[5] ? f[5] : "provisional_arrest_requested", &from, &e)) from = CS_PROVISIONAL_ARREST_REQUESTED;
            int rc = case_ext_stage(db, &rd, x, f[8], NULL, f[9], NULL, &e);
            int known = f[8] && case_stage_parse(f[8], &to, &e) == PU_OK;
            if (rc == PU_OK && !(known && (case_stage_allowed(from, to, f[9]) || to == CS_EXECUTIVE_DECISION)))
                __builtin_trap();
            json_t *j;
            if (case_ext_show(db, &rd, x, NULL, &j, &e) != PU_OK) __builtin_trap();
            case_stage now;
            if (case_stage_parse(json_string_value(json_object_get(j, "stage")), &now, &e)) __builtin_trap();
            json_decref(j);
        }
    }
    db_rollback(db);
    return 0;
}
