/* case_ops.c - the writes of the module as named operations over named
 * parameters: the one place where a request's fields become an engine
 * call and its result (docs/cases.md "Operations"). The HTTP shell reads
 * the parameters from a JSON body, the CLI from its options; both then call
 * case_op_run and print or send the result, so neither repeats the mapping
 * from fields to option structs. Parameter names are the API's. */
#include <stdlib.h>
#include <string.h>

#include "cases/case_int.h"

static const char *P(const case_params *p, const char *key) { return p->get(p->ctx, key); }

/* A record number parameter: absent 0; otherwise a positive integer. */
static int P_id(const case_params *p, const char *key, int64_t *out, pu_err *err) {
    const char *v = P(p, key);
    char *end;
    *out = 0;
    if (!v || !*v) return PU_OK;
    long long x = strtoll(v, &end, 10);
    if (*end || x <= 0) return pu_fail(err, PU_ERR_INVALID, NULL, key, "expected a record number, got '%.40s'", v);
    *out = x;
    return PU_OK;
}

static json_t *id_json(int64_t id) { return json_pack("{s:I}", "id", (json_int_t)id); }

#define OP(name) static int op_##name(db_t *db, const case_reader *rd, int64_t id, const case_params *p, json_t **out, pu_err *err)

OP(note) {
    int64_t n;
    int rc = case_note_add(db, rd, id, P(p, "text"), &n, err);
    if (!rc) *out = id_json(n);
    return rc;
}

OP(task) {
    int64_t n;
    int rc = case_task_add(db, rd, id, P(p, "title"), P(p, "due"), P(p, "assignee"), &n, err);
    if (!rc) *out = id_json(n);
    return rc;
}

OP(subject) {
    int64_t n;
    int rc = case_subject_add(db, rd, id, P(p, "entity_id"), P(p, "name"), P(p, "role"), &n, err);
    if (!rc) *out = id_json(n);
    return rc;
}

OP(event) {
    int rc = case_event_add(db, rd, id, P(p, "day"), P(p, "kind"), P(p, "text"), err);
    if (!rc) *out = json_pack("{s:I}", "case_id", (json_int_t)id);
    return rc;
}

OP(link) {
    int64_t n;
    int rc = case_link_add(db, rd, id, P(p, "kind"), P(p, "target"), P(p, "note"), &n, err);
    if (!rc) *out = id_json(n);
    return rc;
}

OP(charge) {
    int64_t subj, count = 1, n;
    const char *c = P(p, "count");
    char *end;
    if (c && *c) {
        count = strtoll(c, &end, 10);
        if (*end || count < 1 || count > 100000)
            return pu_fail(err, PU_ERR_INVALID, NULL, "count", "expected a whole number of counts, got '%.40s'", c);
    }
    int rc = P_id(p, "subject", &subj, err);
    case_charge_opts o = {P(p, "statute"), P(p, "country"), (int)count, P(p, "severity"), P(p, "filed"),
                          P(p, "description"), subj};
    if (!rc) rc = case_charge_add(db, rd, id, &o, &n, err);
    if (!rc) *out = id_json(n);
    return rc;
}

OP(warrant) {
    int64_t n;
    case_warrant_opts o = {P(p, "court"), P(p, "judge"), P(p, "issued"), P(p, "jurisdiction"), P(p, "charges"),
                           P(p, "subject"), P(p, "expires"), P(p, "marking")};
    int rc = case_warrant_add(db, rd, id, &o, &n, err);
    if (!rc) *out = id_json(n);
    return rc;
}

OP(arrest) {
    int64_t w, n;
    int rc = P_id(p, "warrant", &w, err);
    case_arrest_opts o = {P(p, "day"), P(p, "place"), P(p, "country"), P(p, "agency"), P(p, "officers"),
                          P(p, "custody"), P(p, "released"), w, P(p, "charges"), P(p, "person")};
    if (!rc) rc = case_arrest_add(db, rd, id, &o, &n, err);
    if (!rc) *out = id_json(n);
    return rc;
}

OP(notice) {
    int64_t w, n;
    int rc = P_id(p, "warrant", &w, err);
    case_notice_opts o = {P(p, "name"), P(p, "forename"), P(p, "dob"), P(p, "place_of_birth"), P(p, "nationalities"),
                          P(p, "sex"), w, P(p, "charge"), P(p, "charge_translation")};
    if (!rc) rc = case_notice_add(db, rd, id, &o, &n, err);
    if (!rc) *out = id_json(n);
    return rc;
}

OP(warrant_status) {
    const char *s = P(p, "status");
    int rc = case_warrant_status(db, rd, id, s, P(p, "day"), P(p, "reason"), err);
    if (!rc) *out = json_pack("{s:I,s:s}", "id", (json_int_t)id, "status", s);
    return rc;
}

OP(warrant_attempt) {
    int rc = case_warrant_attempt(db, rd, id, P(p, "day"), P(p, "place"), P(p, "outcome"), err);
    if (!rc) *out = id_json(id);
    return rc;
}

OP(extradition_stage) {
    const char *s = P(p, "stage");
    int rc = case_ext_stage(db, rd, id, s, P(p, "day"), P(p, "decision"), P(p, "note"), err);
    if (!rc) *out = json_pack("{s:I,s:s}", "id", (json_int_t)id, "stage", s);
    return rc;
}

OP(amparo) {
    int64_t n;
    case_amparo_opts o = {P(p, "day"), P(p, "court"), P(p, "reference"), P(p, "note")};
    int rc = case_amparo_start(db, rd, id, &o, &n, err);
    if (!rc) *out = json_pack("{s:I,s:I,s:b}", "id", (json_int_t)n, "extradition_id", (json_int_t)id, "suspended", 1);
    return rc;
}

OP(amparo_end) {
    int rc = case_amparo_end(db, rd, id, P(p, "day"), P(p, "note"), err);
    if (!rc) *out = json_pack("{s:I,s:b}", "extradition_id", (json_int_t)id, "suspended", 0);
    return rc;
}

#define KEYS(...) (const char *const[]){__VA_ARGS__, NULL}
static const case_op OPS[] = {
    {"note", KEYS("text"), op_note, 1},
    {"task", KEYS("title", "due", "assignee"), op_task, 1},
    {"subject", KEYS("entity_id", "name", "role"), op_subject, 1},
    {"event", KEYS("day", "kind", "text"), op_event, 0},
    {"link", KEYS("kind", "target", "note"), op_link, 1},
    {"charge", KEYS("statute", "country", "severity", "filed", "description", "count", "subject"), op_charge, 1},
    {"warrant", KEYS("court", "judge", "issued", "jurisdiction", "charges", "subject", "expires", "marking"), op_warrant, 1},
    {"arrest", KEYS("person", "day", "place", "country", "agency", "officers", "custody", "released", "charges", "warrant"),
     op_arrest, 1},
    {"notice", KEYS("name", "forename", "dob", "place_of_birth", "nationalities", "sex", "warrant", "charge",
                    "charge_translation"), op_notice, 1},
    {"warrant_status", KEYS("status", "day", "reason"), op_warrant_status, 0},
    {"warrant_attempt", KEYS("day", "place", "outcome"), op_warrant_attempt, 0},
    {"extradition_stage", KEYS("stage", "day", "decision", "note"), op_extradition_stage, 0},
    {"amparo", KEYS("day", "court", "reference", "note"), op_amparo, 1},
    {"amparo_end", KEYS("day", "note"), op_amparo_end, 0},
};

const case_op *case_op_find(const char *name) {
    for (size_t i = 0; name && i < sizeof OPS / sizeof OPS[0]; i++)
        if (!strcmp(OPS[i].name, name)) return &OPS[i];
    return NULL;
}

int case_op_run(db_t *db, const case_reader *rd, const case_op *op, int64_t id, const case_params *p, json_t **out,
                pu_err *err) {
    *out = NULL;
    if (!op) return pu_fail(err, PU_ERR_INTERNAL, NULL, "op", "no such operation");
    int rc = op->run(db, rd, id, p, out, err);
    if (rc == PU_OK && !*out) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    return rc;
}
