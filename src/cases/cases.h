/*
 * cases.h - joint investigations, arrest warrants and extraditions
 * (issue #22, docs/cases.md).
 *
 * Records: a case file (case_file) with its participating agencies, members
 * (need-to-know), subjects, offences, timeline, tasks, notes, evidence links
 * to other engines' records and documents; charges, warrants (with service
 * attempts), arrests, INTERPOL Red Notice drafts, and extradition requests
 * with their stage workflow and legal clocks.
 *
 * Visibility (the ONE rule of this module, case_db.c case_visible_sql): a
 * reader sees a case when
 *   (the releasability rule, store_scope_sql, lets it see the case OR the
 *    owner shared that one case with the reader's agency: case_share)
 *   AND (the reader is a member: its user name or its agency is in
 *    case_member; STORE_SYSTEM is always a member).
 * Every sub-record (charge, warrant, arrest, notice, extradition, document,
 * note, task, link) is read only through its visible case; warrants, arrests
 * and extraditions also carry their own owner/marking, filtered again.
 * A non-member whose marking allows a PUBLIC or SHARED case learns that it
 * exists (case_list with CASE_LIST_EXISTING: number, owning agency, marking,
 * "restricted") and nothing else: no title, subjects or records, and it is
 * never counted for that reader.
 *
 * Writes: a member with right "write" (or STORE_SYSTEM); membership, shares
 * and the case's marking also need store_check_owner on the case's owner.
 *
 * Threads: functions take the calling thread's db_t; no global state except
 * the parsed rule and holiday tables (built once, read-only after).
 * Strings in results are owned by the returned json_t (json_decref).
 */
#ifndef PU_CASES_H
#define PU_CASES_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include "common/pu.h"
#include "common/pu_count.h"
#include "db/db.h"
#include "store/store.h"

/* Who reads or writes: the store scope and, when known, the user account
 * (NULL for a CLI operator acting for an agency: agency membership only). */
typedef struct case_reader {
    const store_scope *scope;
    const char *user;
} case_reader;

/* The change generation of the module (store_generation_*): bumped in the
 * transaction of every write to a case file, its members, shares, subjects
 * and links, so caches built from cases (the graph) see a change at once. */
#define CASES_GENERATION "cases"

struct db_sql;
/* Append to q the condition "case alias.id is visible to rd" (marking or
 * share, AND membership; docs/cases.md "Need-to-know"): the module's one
 * visibility rule, for every engine that reads case_file (the graph), so no
 * reader learns of a case through another engine. rd->user NULL gives
 * agency membership only (a cache keyed by scope must not depend on the
 * user). Binds its parameters into q. */
void case_visible_sql(struct db_sql *q, const case_reader *rd, const char *alias);

/* Create/upgrade the module's tables (run once by the registry). Errors:
 * PU_ERR_DB, PU_ERR_CONFLICT. */
int case_migrate(db_t *db, pu_err *err);

/* ---- case files (case_file.c) ---- */
typedef struct case_new_opts {
    const char *title;       /* required */
    const char *summary;     /* may be NULL */
    const char *marking;     /* NULL: STORE_DEFAULT_MARKING */
    const char *opened;      /* YYYY-MM-DD; NULL: today */
    const char *agencies;    /* participating agencies "HSI:US,FGR:MX" (may be NULL) */
    const char *offences;    /* "human smuggling; money laundering" (may be NULL) */
} case_new_opts;
/* File a case owned by the reader's agency (STORE_SYSTEM: owner o->owner
 * must then be given through agencies' first entry). The creator becomes a
 * write member (its user, else its agency); the participating agencies
 * become read members. *id gets the new case number.
 * Errors: PU_ERR_INVALID (title, marking, date, agencies), PU_ERR_DENIED
 * (store_check_file), PU_ERR_DB. */
int case_new(db_t *db, const case_reader *rd, const case_new_opts *o, int64_t *id, pu_err *err);

#define CASE_LIST_EXISTING 1   /* also list PUBLIC/SHARED non-member cases as "restricted" stubs */
/* Cases visible to rd as a JSON array (newest first), status filter (NULL =
 * all). *out is the caller's. Errors: PU_ERR_DB, PU_ERR_NOMEM. */
int case_list(db_t *db, const case_reader *rd, const char *status, int flags, json_t **out, pu_err *err);
/* Number of cases visible to rd (members only: stubs never count). */
int case_count(db_t *db, const case_reader *rd, int64_t *out, pu_err *err);
/* One case with every visible sub-record, as a JSON object (the caller's).
 * Errors: PU_ERR_NOTFOUND (absent, or not visible: indistinguishable),
 * PU_ERR_DB. */
int case_show(db_t *db, const case_reader *rd, int64_t id, json_t **out, pu_err *err);
/* Change the status (open, suspended, closed). Errors: PU_ERR_NOTFOUND,
 * PU_ERR_DENIED (no write right), PU_ERR_INVALID, PU_ERR_DB. */
int case_set_status(db_t *db, const case_reader *rd, int64_t id, const char *status, pu_err *err);

/* Add or change a member: kind "user" or "agency", right "read" or "write";
 * right NULL removes the member. Needs the write right AND store_check_owner
 * on the case owner. Errors: PU_ERR_NOTFOUND, PU_ERR_DENIED, PU_ERR_INVALID,
 * PU_ERR_DB. */
int case_member_set(db_t *db, const case_reader *rd, int64_t id, const char *kind, const char *principal,
                    const char *right, pu_err *err);
/* Share one record across the border: kind "case", "warrant", "arrest" or
 * "extradition", the record's number, the agency it is released to (which
 * then sees it whatever its marking; a case share also needs membership).
 * Needs store_check_owner on the record's owner; reason required; audited
 * ("case.share") in the same transaction. Errors: PU_ERR_NOTFOUND,
 * PU_ERR_DENIED, PU_ERR_INVALID, PU_ERR_DB. */
int case_share(db_t *db, const case_reader *rd, const char *kind, int64_t record, const char *agency,
               const char *reason, pu_err *err);

/* Timeline entries, notes, tasks, subjects (write right). Each returns the
 * new row's number in *id (may be NULL). Errors: PU_ERR_NOTFOUND,
 * PU_ERR_DENIED, PU_ERR_INVALID, PU_ERR_DB. */
int case_note_add(db_t *db, const case_reader *rd, int64_t id, const char *text, int64_t *nid, pu_err *err);
int case_event_add(db_t *db, const case_reader *rd, int64_t id, const char *day, const char *kind,
                   const char *text, pu_err *err);
int case_task_add(db_t *db, const case_reader *rd, int64_t id, const char *title, const char *due,
                  const char *assignee, int64_t *tid, pu_err *err);
/* Mark a task done (or open again when done = 0). */
int case_task_done(db_t *db, const case_reader *rd, int64_t task, int done, pu_err *err);
/* A subject: entity_id (store entity, may be NULL) and/or a name; role
 * ("suspect", "fugitive", "witness", ...). */
int case_subject_add(db_t *db, const case_reader *rd, int64_t id, const char *entity_id, const char *name,
                     const char *role, int64_t *sid, pu_err *err);

/* ---- evidence links (case_link.c) ----
 * kind names the engine: "trace" (trace request number), "cargo" (cargo
 * shipment id), "tip" (tip id), "ews" (early-warning alert id), "kinship"
 * and "screening" and "entity" (a store entity id: kinship identifications
 * and screening hits are kept as entities). The adder must see the target
 * (else PU_ERR_NOTFOUND, as for an absent one). A link is shown only while
 * the reader may see its target, checked at every read in SQL. */
int case_link_add(db_t *db, const case_reader *rd, int64_t id, const char *kind, const char *target,
                  const char *note, int64_t *lid, pu_err *err);
/* 1 when kind is a known link kind. */
int case_link_kind_valid(const char *kind);
/* The visible links of case id (already checked visible) as a JSON array. */
int case_links_json(db_t *db, const case_reader *rd, int64_t id, json_t **out, pu_err *err);

/* ---- charges, warrants, arrests, notices (case_justice.c) ---- */
typedef struct case_charge_opts {
    const char *statute;      /* "8 U.S.C. 1324" or "CPF art. 159" / "LGP art. 159" */
    const char *country;      /* "US" or "MX": whose law */
    int count;                /* >= 1 */
    const char *severity;     /* felony, misdemeanor, delito_grave, delito_no_grave */
    const char *filed;        /* YYYY-MM-DD */
    const char *description;  /* may be NULL */
    int64_t subject;          /* 0: none */
} case_charge_opts;
int case_charge_add(db_t *db, const case_reader *rd, int64_t id, const case_charge_opts *o, int64_t *cid,
                    pu_err *err);
int case_charge_dispose(db_t *db, const case_reader *rd, int64_t charge, const char *disposition, pu_err *err);

typedef struct case_warrant_opts {
    const char *court, *judge, *issued, *jurisdiction; /* jurisdiction "US" or "MX" */
    const char *charges;      /* charge numbers "3,4" of the same case */
    const char *subject;      /* the person sought (name) */
    const char *expires;      /* may be NULL */
    const char *marking;      /* NULL: the case's */
} case_warrant_opts;
int case_warrant_add(db_t *db, const case_reader *rd, int64_t id, const case_warrant_opts *o, int64_t *wid,
                     pu_err *err);
/* Status change: "served", "recalled" (reason required: flags every notice
 * built on the warrant for cancellation), "expired". Errors: PU_ERR_CONFLICT
 * (from a final status), PU_ERR_INVALID, PU_ERR_NOTFOUND, PU_ERR_DENIED. */
int case_warrant_status(db_t *db, const case_reader *rd, int64_t warrant, const char *status, const char *day,
                        const char *reason, pu_err *err);
/* A service attempt (day, place, outcome "served"/"not_found"/"refused"...). */
int case_warrant_attempt(db_t *db, const case_reader *rd, int64_t warrant, const char *day, const char *place,
                         const char *outcome, pu_err *err);

typedef struct case_arrest_opts {
    const char *day, *place, *country, *agency, *officers, *custody, *released;
    int64_t warrant;          /* 0: none */
    const char *charges;      /* charge numbers */
    const char *person;
} case_arrest_opts;
int case_arrest_add(db_t *db, const case_reader *rd, int64_t id, const case_arrest_opts *o, int64_t *aid,
                    pu_err *err);

typedef struct case_notice_opts {
    const char *name, *forename, *dob, *place_of_birth, *nationalities, *sex;
    int64_t warrant;          /* the warrant the notice rests on */
    const char *charge, *charge_translation;
} case_notice_opts;
int case_notice_add(db_t *db, const case_reader *rd, int64_t id, const case_notice_opts *o, int64_t *nid,
                    pu_err *err);

/* ---- extradition workflow (case_flow.c) ----
 * Stages (snake_case, as the issue names them) and the transition table,
 * which is data (CASE_TRANSITIONS in case_flow.c; docs/cases.md diagram). */
typedef enum case_stage {
    CS_PROVISIONAL_ARREST_REQUESTED = 0, CS_PERSON_LOCATED_ARRESTED, CS_FORMAL_REQUEST_DUE, CS_FORMAL_REQUEST_FILED,
    CS_JUDICIAL_PHASE, CS_EXECUTIVE_DECISION, CS_REVIEW, CS_SURRENDER_SCHEDULED, CS_SURRENDERED, CS_RELEASED,
    CS_WITHDRAWN, CS_LAPSED, CS_NSTAGES
} case_stage;
const char *case_stage_name(case_stage s);
/* Errors: PU_ERR_INVALID naming the stages. */
int case_stage_parse(const char *s, case_stage *out, pu_err *err);
/* 1 when the workflow allows from -> to; decision is the executive decision
 * recorded so far ("granted", "denied" or "" for none). */
int case_stage_allowed(case_stage from, case_stage to, const char *decision);
/* 1 for surrendered, released, withdrawn, lapsed. */
int case_stage_final(case_stage s);
/* A request may start at provisional_arrest_requested or formal_request_filed. */
int case_stage_initial(case_stage s);

typedef struct case_ext_opts {
    const char *direction;    /* "mx_to_us" (a person in Mexico, surrendered to the US) or "us_to_mx" */
    const char *person;       /* the person sought */
    const char *treaty;       /* NULL: "US-MX Extradition Treaty 1978" */
    const char *notes;        /* diplomatic note numbers, comma separated */
    const char *assurances;   /* e.g. "no death penalty" */
    const char *stage;        /* NULL: provisional_arrest_requested */
    const char *day;          /* day the first stage began; NULL: today */
    const char *marking;      /* NULL: the case's */
} case_ext_opts;
int case_ext_new(db_t *db, const case_reader *rd, int64_t case_id, const case_ext_opts *o, int64_t *xid,
                 pu_err *err);
/* Move request xid to stage `to` on `day` (NULL: today). decision
 * ("granted"/"denied") may be given entering executive_decision, or later
 * with to = executive_decision while there (records it once); it is
 * refused for other stages, and it decides what may follow (granted:
 * review or surrender_scheduled; denied: released).
 * Errors: PU_ERR_CONFLICT (the workflow does not allow it: exit 6 / HTTP
 * 409), PU_ERR_INVALID (stage, day before the current stage's start,
 * decision), PU_ERR_NOTFOUND, PU_ERR_DENIED. */
int case_ext_stage(db_t *db, const case_reader *rd, int64_t xid, const char *to, const char *day,
                   const char *decision, const char *note, pu_err *err);
/* Visible requests (case 0 = all cases) as a JSON array: id, case_id,
 * direction, person, stage, stage_since, decision, clocks. today (NULL =
 * now) is the day clocks are computed for. */
int case_ext_list(db_t *db, const case_reader *rd, int64_t case_id, const char *today, json_t **out, pu_err *err);
/* The same as CSV (id,case_id,direction,person,stage,stage_since,next_due). */
int case_ext_write_csv(db_t *db, const case_reader *rd, const char *today, FILE *out, pu_err *err);
int case_ext_show(db_t *db, const case_reader *rd, int64_t xid, const char *today, json_t **out, pu_err *err);

/* ---- legal clocks (case_due.c) ----
 * Rules (data/cases/rules.csv, embedded) and both countries' holiday
 * calendars (data/cases/holidays_mx.csv, holidays_us.csv). */
typedef enum case_unit { CASE_CALENDAR_DAYS, CASE_BUSINESS_DAYS, CASE_MONTHS } case_unit;
/* 1 when day (days since 1970-01-01) is a public holiday of country ("US"
 * or "MX") in the bundled calendars. */
int case_holiday(const char *country, int64_t day);
/* 1 when day is a business day of country (not Saturday, Sunday or a holiday). */
int case_business_day(const char *country, int64_t day);
/* The end of a period of n units from start (the day the clock starts,
 * not counted): calendar days start + n; business days the n-th business
 * day of country after start; months the same day n months later
 * (clamped to the month's end). Errors: PU_ERR_INVALID (n < 0). */
int case_period_end(int64_t start, int n, case_unit unit, const char *country, int64_t *out, pu_err *err);

typedef struct case_clock {
    char rule[48];
    char label_en[128], label_es[128], source[200];
    char started[11], due[11];
    int days_left;            /* due - today (negative: overdue) */
    int escalate;             /* 1: within the rule's warning window, or overdue (never while suspended) */
    int suspended;            /* 1: an amparo suspends the clock today (due projected as if it ended today) */
    char suspended_since[11]; /* the open suspension's first day ("" when none) */
    int paused_days;          /* days of suspension that pushed the due day back */
} case_clock;

/* A suspension of the clocks: the days from..to (both included) do not
 * count; an open suspension is passed with to = today. */
typedef struct case_span {
    int64_t from, to;
} case_span;
#define CASE_SUSPENSIONS_MAX 16   /* suspensions of one request taken into account */
/* case_period_end with the days of the spans skipped (neither calendar nor
 * business days count while suspended). Months become the calendar days
 * they span without suspension, then count the same way. *paused gets the
 * number of suspended days skipped (may be NULL). Errors: PU_ERR_INVALID
 * (n < 0, a period that would not end within the scan bound). */
int case_period_end_paused(int64_t start, int n, case_unit unit, const char *country, const case_span *sp, size_t nsp,
                           int64_t *out, int *paused, pu_err *err);

/* ---- amparo suspensions (case_amparo.c) ----
 * An amparo (Ley de Amparo, suspension of the act complained of) stops the
 * running legal clocks of a request held in Mexico (mx_to_us) from its
 * first day to its last; the clocks count again the day after. While one is
 * open the request cannot move to surrender_scheduled or surrendered. */
typedef struct case_amparo_opts {
    const char *day;          /* first day of the suspension; NULL: today */
    const char *court;        /* the district court that granted it (required) */
    const char *reference;    /* the amparo file number, e.g. "1234/2026" (required) */
    const char *note;         /* may be NULL */
} case_amparo_opts;
/* Record the start of a suspension of request xid; *sid its number (may be
 * NULL). Errors: PU_ERR_NOTFOUND, PU_ERR_DENIED (no write right),
 * PU_ERR_INVALID (direction us_to_mx, day, court, reference),
 * PU_ERR_CONFLICT (final stage, a suspension already open), PU_ERR_LIMIT
 * (CASE_SUSPENSIONS_MAX reached), PU_ERR_DB. */
int case_amparo_start(db_t *db, const case_reader *rd, int64_t xid, const case_amparo_opts *o, int64_t *sid,
                      pu_err *err);
/* Record the last day of the open suspension (lifted, amparo denied or
 * granted). Errors: PU_ERR_NOTFOUND, PU_ERR_DENIED, PU_ERR_INVALID (day
 * before its start), PU_ERR_CONFLICT (none open), PU_ERR_DB. */
int case_amparo_end(db_t *db, const case_reader *rd, int64_t xid, const char *day, const char *note, pu_err *err);
/* The suspensions of request xid (the caller has checked it is visible),
 * oldest first, as JSON {id, kind, court, reference, started, ended|null,
 * note, actor}; *out the caller's. Errors: PU_ERR_DB. */
int case_amparo_json(db_t *db, int64_t xid, json_t **out, pu_err *err);
/* The suspension spans of xid (open one ending at today) into sp (at most
 * CASE_SUSPENSIONS_MAX), *n their number, open_since the open one's first
 * day ("" when none). Errors: PU_ERR_DB. */
int case_amparo_spans(db_t *db, int64_t xid, int64_t today, case_span *sp, size_t *n, char open_since[11],
                      pu_err *err);
/* The running clocks of a request at stage s entered on `since` (and the
 * first entry day of the clock's first stage, looked up in the history):
 * up to max clocks into out, *n their number. */
int case_clocks(db_t *db, int64_t xid, const char *direction, case_stage s, const char *today, case_clock *out,
                size_t max, size_t *n, pu_err *err);
/* What is due: every running clock of visible requests (kind "clock")
 * due within `within` days of today (within < 0: each rule's own warning
 * window) or overdue, and the open tasks of visible cases (kind "task") due
 * within `within` days (within < 0: 7) or overdue; soonest first, as a
 * JSON array (the caller's). Errors: PU_ERR_INVALID (today), PU_ERR_DB. */
int case_due(db_t *db, const case_reader *rd, const char *today, int within, json_t **out, pu_err *err);
/* Number of rules loaded (tests). Errors: PU_ERR_INTERNAL (bad bundled data). */
int case_rules_count(size_t *n, pu_err *err);

/* ---- documents (case_doc.c) ---- */
#define CASE_DOC_MAX ((size_t)20 << 20)   /* 20 MB per document */
#define CASE_DOC_NAME_MAX 255               /* bytes of a document's file name */
#define CASE_DOC_TYPE_MAX 127               /* bytes of its media type */
typedef struct case_doc_opts {
    const char *name;
    int certified, translated, sensitive;   /* sensitive: sealed at rest (store_seal) */
    const char *content_type;               /* "application/pdf"; NULL: from the content (PDF, JPEG, PNG,
                                             * text) else application/octet-stream */
} case_doc_opts;
/* Attach data (n bytes) to case id: sha256 recorded; *doc gets its number,
 * hex (65 bytes, may be NULL) its hash. Errors: PU_ERR_LIMIT (too big),
 * PU_ERR_INVALID, PU_ERR_NOTFOUND, PU_ERR_DENIED, PU_ERR_DB. */
int case_doc_add(db_t *db, const case_reader *rd, int64_t id, const case_doc_opts *o, const unsigned char *data,
                 size_t n, int64_t *doc, char *hex, pu_err *err);
/* The document's bytes (opened when sealed), checked against its stored
 * hash: *data the caller's (free()). Errors: PU_ERR_NOTFOUND, PU_ERR_DENIED
 * (sealed under a key not configured), PU_ERR_INTERNAL (hash mismatch:
 * the stored file was altered), PU_ERR_DB. */
int case_doc_get(db_t *db, const case_reader *rd, int64_t doc, unsigned char **data, size_t *n, pu_err *err);
/* What a download tells about a document. */
typedef struct case_doc_meta {
    int64_t id, case_id, size;
    char name[CASE_DOC_NAME_MAX + 1], sha256[65], content_type[CASE_DOC_TYPE_MAX + 1];
    int certified, translated, sensitive;
} case_doc_meta;
/* case_doc_get with the document's metadata in *meta (may be NULL). */
int case_doc_read(db_t *db, const case_reader *rd, int64_t doc, case_doc_meta *meta, unsigned char **data, size_t *n,
                  pu_err *err);
/* The documents of case id visible to rd (no content) as a JSON array; *out
 * the caller's. Errors: PU_ERR_NOTFOUND (case hidden), PU_ERR_DB. */
int case_doc_list(db_t *db, const case_reader *rd, int64_t id, json_t **out, pu_err *err);

/* ---- operations: the module's writes over named parameters (case_ops.c) ----
 * Both shells (HTTP, CLI) read their fields into a case_params and run the
 * operation: the mapping from fields to the engine's option structs and the
 * shape of the result live here once. Names of operations: note, task,
 * subject, event, link, charge, warrant, arrest, notice (on a case number);
 * warrant_status, warrant_attempt (a warrant number); extradition_stage,
 * amparo, amparo_end (a request number). */
typedef struct case_params {
    /* The value of parameter key (the API's field name) or NULL when absent.
     * The string must stay valid until case_op_run returns. */
    const char *(*get)(void *ctx, const char *key);
    void *ctx;
} case_params;
typedef struct case_op {
    const char *name;
    const char *const *keys;  /* the parameters it reads (NULL-terminated): the API refuses others */
    int (*run)(db_t *db, const case_reader *rd, int64_t id, const case_params *p, json_t **out, pu_err *err);
    int created;              /* 1: makes a record (HTTP 201; the CLI prints its number) */
} case_op;
/* The operation named name, or NULL. */
const case_op *case_op_find(const char *name);
/* Run op on record id with parameters p: *out gets its result as a JSON
 * object (the caller's; {"id": N} for a created record). Numbers (count,
 * subject of a charge, warrant) are parsed here: PU_ERR_INVALID naming the
 * field. Errors: those of the engine function it calls. */
int case_op_run(db_t *db, const case_reader *rd, const case_op *op, int64_t id, const case_params *p, json_t **out,
                pu_err *err);

/* ---- exports and counts (case_export.c) ---- */
/* A case as NIEM-aligned JSON (nc:/j: property names of the Justice
 * domain: j:Warrant, j:Arrest, j:Charge, ...). Errors: case_show's. */
int case_export_niem(db_t *db, const case_reader *rd, int64_t id, json_t **out, pu_err *err);
/* The module's named counts (app.h counts; docs/cases.md "Counts"). */
int case_counts(db_t *db, const store_scope *scope, pu_count_cb cb, void *ctx, pu_err *err);
/* The same rows, each with its record (kind warrant, arrest or extradition,
 * id = the record's id, label the court, place or treaty, link
 * /app/cases/CASE): the drill-down to records (app.h count_records).
 * Errors: as case_counts. */
int case_count_records(db_t *db, const store_scope *scope, pu_count_cb cb, void *ctx, pu_err *err);

#endif
