/*
 * trace.h - firearms tracing: acquisition/disposition records, multiple-sale
 * reports, recoveries and trace requests (ATF Form 3312.1 shape), matching,
 * time-to-crime, trafficking leads and Mexico-style statistics.
 *
 * Persistence: the module's own tables (prefix trace_) in the store's SQL
 * handle, created by trace_migrate (db_migrate, module "trace"). Every record
 * carries an owner agency and a marking (store_marking); every read that takes
 * a store_scope filters in SQL through store_scope_sql, so hidden records are
 * never returned, counted or folded into derived figures (leads, statistics,
 * trace results). Writes: filing uses store_check_file (and
 * store_check_act_for for the owner named), changes use store_check_owner.
 * A NULL scope is PU_ERR_INTERNAL; operators pass STORE_SYSTEM.
 *
 * Matching: manufacturers are reduced to a canonical name through a built-in
 * alias table ("Colt's Manufacturing Company" = "COLT"); unknown names are kept
 * (normalised) and flagged. Serials are normalised (upper case, no spaces,
 * dashes, dots or slashes, O->0, I->1, leading zeros dropped) and are unique
 * only within a manufacturer. Partial serials use '?' (one character), '*'
 * (any run) and '[..]' (one of the listed characters, for partly restored
 * characters) and return ranked candidates from an in-memory index. The
 * pattern has one definition (trace_pattern.c): the matcher, the index and
 * the SQL translation (trace_serial_glob) all derive from it.
 *
 * Ownership: trace_open returns an engine the caller closes with trace_close
 * (NULL-safe); the db_t stays the caller's. Arrays returned through
 * out-parameters are the caller's and are freed with the matching *_free.
 * Errors: PU_ERR_INVALID (bad input, with where/field/expected in *err),
 * PU_ERR_DB, PU_ERR_NOMEM, PU_ERR_NOTFOUND (absent or not visible),
 * PU_ERR_CONFLICT (status transition not allowed, duplicate number).
 */
#ifndef PU_TRACE_H
#define PU_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "common/pu.h"
#include "common/pu_io.h"
#include "db/db.h"
#include "store/store.h"

#define TRACE_SERIAL_MAX 40   /* bytes of a normalised serial or pattern, NUL included */
#define TRACE_NAME_MAX 128    /* bytes of a normalised manufacturer or person name */

typedef struct trace trace_t;

/* Apply the module's migrations to db (idempotent: applied steps are
 * skipped). Run once by whoever opens the store, before trace_open. The
 * write rule also needs the store's own tables (store_open or
 * store_migrate). Errors: PU_ERR_DB, PU_ERR_CONFLICT (store newer). */
int trace_migrate(db_t *db, pu_err *err);

/* Open the engine on an SQL handle (not owned) whose trace schema is
 * current (trace_migrate); it does not migrate. `today` ("YYYY-MM-DD", NULL
 * = the current UTC date) is the date against which "in the future" is
 * judged (tests and demos pin it). Errors: PU_ERR_DB (schema not migrated),
 * PU_ERR_CONFLICT (store newer), PU_ERR_INVALID (today). */
int trace_open(db_t *db, const char *today, trace_t **out, pu_err *err);
void trace_close(trace_t *t);
db_t *trace_db(trace_t *t);
/* "today" in days since 1970-01-01, as used for validation. */
int64_t trace_today(const trace_t *t);

/* ---- normalisation (pure functions, no engine needed) ------------------ */

/* Normalise a serial into out (size >= TRACE_SERIAL_MAX). With allow_wild,
 * '?', '*' and '[..]' are kept as wildcards (and *is_wild set when present).
 * Errors: PU_ERR_INVALID (empty after normalisation, a character that is not
 * a letter, digit or separator, unbalanced '[', longer than 32 characters),
 * with field "serial" and the offending character in the message. */
int trace_serial_norm(const char *raw, int allow_wild, char *out, size_t size, int *is_wild, pu_err *err);

/* 1 if the normalised pattern (with wildcards) matches the normalised serial:
 * '?' one character, '*' any run (also empty), '[..]' one of the listed
 * characters, anything else literal (byte for byte, '%' '_' '\' included).
 * A leading run of '?' may also stand for leading zeros that normalisation
 * dropped. The empty pattern matches only "". 0 for a malformed pattern. */
int trace_serial_match(const char *pattern, const char *serial);

/* The SQL GLOB pattern for a normalised pattern, from the same definition
 * as trace_serial_match, into out (size >= 2 * TRACE_SERIAL_MAX is always
 * enough). *exact = 1 when `serial GLOB out` agrees with trace_serial_match
 * on every serial; 0 when it is a superset (a leading '?' run, which may
 * stand for dropped zeros) and rows must be re-checked with
 * trace_serial_match. Errors: PU_ERR_INVALID (malformed pattern),
 * PU_ERR_LIMIT (out too small). */
int trace_serial_glob(const char *pattern, char *out, size_t size, int *exact, pu_err *err);

/* Canonical manufacturer or importer name into out: the alias table's
 * canonical name when known (*known = 1), else the upper-cased name with
 * punctuation and company suffixes removed (*known = 0). Never fails on
 * non-empty input; empty input gives "" and *known = 0. */
void trace_mfr_norm(const char *raw, char *out, size_t size, int *known);

/* Normalised person name for comparisons (upper case, accents and
 * punctuation removed, tokens sorted so "PEREZ, JUAN" = "Juan Pérez"). */
void trace_name_norm(const char *raw, char *out, size_t size);

/* 1 if a calibre designation is "greater than .22" in the sense of the 2011
 * Southwest-border rifle reporting rule (.223/5.56 mm and above; .22 rimfire
 * and .17 are not). 0 when smaller or unparseable. */
int trace_calibre_over_22(const char *calibre);

/* Business days (Mon-Fri, not a US federal holiday) in the closed interval
 * [a, b] of days since 1970-01-01 (0 when b < a). */
int trace_business_days(int64_t a, int64_t b);
/* 1 if `day` is a US federal holiday (observed date). */
int trace_is_us_holiday(int64_t day);

/* Great-circle distance in km between a US state (2-letter code) and a
 * Mexican state (ISO 3166-2:MX code like "CHH", or its name, accents
 * optional). Errors: PU_ERR_NOTFOUND when either is unknown. */
int trace_state_distance(const char *us_state, const char *mx_state, double *km);
/* Canonical Mexican state code ("CHH") for a code or name into out (size >= 4).
 * Errors: PU_ERR_NOTFOUND. */
int trace_mx_state_code(const char *name, char *out, size_t size);
/* 1 if code is a US state or DC 2-letter code. */
int trace_us_state_valid(const char *code);

/* ---- ATF Form 3312.1: fields with English and Spanish labels ----------- */
typedef struct trace_form_field {
    const char *key;      /* CSV column / API field name */
    const char *label_en;
    const char *label_es;
    int required;         /* 1: a request without it is PU_ERR_INVALID */
} trace_form_field;
/* The static field table (never freed); *n set to its length. */
const trace_form_field *trace_form_fields(size_t *n);

/* ---- import ------------------------------------------------------------ */
typedef struct trace_import_opts {
    const char *owner;    /* owning agency (required for acquisitions; for
                             recoveries NULL = each row's requesting agency) */
    const char *marking;  /* default STORE_DEFAULT_MARKING */
    int strict;           /* 1: any rejected row rolls back the whole file */
} trace_import_opts;

/* rows = accepted + rejected + duplicate + unchanged, always. */
typedef struct trace_import_stats {
    uint64_t rows, accepted, rejected;
    uint64_t duplicate;        /* rows repeating an earlier row of the same input (not written) */
    uint64_t unchanged;        /* rows already in the store from an earlier import (not written) */
    uint64_t firearms_new;     /* acquisitions: firearms created */
    uint64_t unknown_mfr;      /* rows whose manufacturer is not in the alias table */
} trace_import_stats;

/* Import acquisition/disposition records (one event per CSV row; columns in
 * docs/trace.md), filed by `scope`: the owner must be the scope's agency
 * (store_check_act_for) and the marking one its country may file
 * (store_check_file). An existing firearm is found through the scope; a row
 * that would change a firearm the reader may not change (store_check_owner)
 * is rejected. Rows that fail validation are reported on stderr as
 * "file:line: field 'x': ..." and kept verbatim in trace_reject, so nothing
 * a user gave is lost; the rest is imported in one transaction.
 * Idempotent: an event's natural key is (owner, firearm = maker + serial,
 * kind, date, party, party_dob, ffl, state); a row whose event the owner
 * already stored is `unchanged` (nothing written), a row repeating an earlier
 * row of the same file is a `duplicate`, reported on stderr as "file:line:
 * duplicate of line N; not imported again". A party_dob after the event date
 * (a purchaser born after the purchase) is rejected.
 * Errors: PU_ERR_INVALID (missing header column; or strict and a row was
 * rejected: nothing imported), PU_ERR_DENIED (owner or marking not allowed
 * for scope), PU_ERR_DB, PU_ERR_IO. */
int trace_import_acquisitions(trace_t *t, const store_scope *scope, pu_csv *r, const trace_import_opts *o,
                              trace_import_stats *st, pu_err *err);
/* Import recoveries as trace requests (status submitted; columns are the
 * trace_form_fields keys), filed by scope (each row's owner must be the
 * scope's agency). Same reject, transaction and idempotence rules: a
 * request's natural key is its owner and every value of the row as given
 * (kept as trace_request.import_key), so importing the same recoveries again
 * creates no second request. Errors as for acquisitions. */
int trace_import_recoveries(trace_t *t, const store_scope *scope, pu_csv *r, const trace_import_opts *o,
                            trace_import_stats *st, pu_err *err);

/* ---- trace requests ------------------------------------------------------ */
/* Submit one request, filed by scope. `keys`/`vals` are n parallel strings
 * named by the trace_form_fields keys. o->owner must be scope's agency
 * (store_check_act_for) and o->marking (default STORE_DEFAULT_MARKING) one
 * its country may file (store_check_file: an MX agency cannot file
 * US-ONLY). *id receives the new request id and number (e.g.
 * "T2026-000042") goes into number (size >= 32) when non-NULL.
 * Errors: PU_ERR_INVALID (missing required field, malformed serial, date in
 * the future, unknown key, unknown marking), PU_ERR_DENIED (owner or
 * marking not allowed for scope). */
int trace_request_submit(trace_t *t, const store_scope *scope, const char *const *keys, const char *const *vals,
                         size_t n, const trace_import_opts *o, int64_t *id, char *number, size_t nsize,
                         pu_err *err);

/* What a valid request normalises to (trace_request_check). */
typedef struct trace_checked {
    char serial_norm[TRACE_SERIAL_MAX]; /* "" when obliterated without a serial */
    int partial;                        /* the serial has wildcards: candidates will be ranked */
    int obliterated;
    char manufacturer[TRACE_NAME_MAX];  /* canonical name */
    int manufacturer_known;             /* in the alias table */
    const char *type, *priority;        /* canonical (static) */
    char recovery_state[8];             /* ISO 3166-2:MX code */
    char request_date[16];              /* as given, or today */
} trace_checked;

/* Validate a request exactly as trace_request_submit does (write rule,
 * keys, field rules) without storing it; *out gets the normalised values.
 * Errors as trace_request_submit's, with the field named in err->field. */
int trace_request_check(trace_t *t, const store_scope *scope, const char *const *keys, const char *const *vals,
                        size_t n, const trace_import_opts *o, trace_checked *out, pu_err *err);

/* Status workflow: submitted -> in_progress -> completed | cannot_trace
 * (reason required), and in_progress -> submitted to re-run. The request is
 * read through scope and changed only by its owner or an agency it granted
 * (store_check_owner). Errors: PU_ERR_NOTFOUND (absent or not visible),
 * PU_ERR_DENIED, PU_ERR_CONFLICT (transition not allowed), PU_ERR_INVALID
 * (unknown status, cannot_trace without reason). */
/* The request `ref` names, as scope sees it: its number as documented and
 * printed ("T2026-000002", case-insensitive) or its row id ("42"). *id gets
 * the row id. Errors: PU_ERR_INVALID (neither form), PU_ERR_NOTFOUND
 * (absent or hidden: indistinguishable), PU_ERR_DB. */
int trace_request_resolve(trace_t *t, const store_scope *scope, const char *ref, int64_t *id, pu_err *err);
int trace_request_set_status(trace_t *t, const store_scope *scope, int64_t id, const char *status,
                             const char *reason, pu_err *err);

/* The examiner's choice for a partial serial: candidate `rank` (1-based, as
 * listed by trace_request_render) becomes the request's serial and maker, a
 * note records the choice, and the request goes back to submitted so the
 * next trace_run follows that firearm's chain. Only for requests in
 * in_progress; the request and the candidate's firearm are read through
 * scope, and only the request's owner or an agency it granted may pick
 * (store_check_owner). Errors: PU_ERR_NOTFOUND (request or rank, absent or
 * not visible), PU_ERR_DENIED, PU_ERR_CONFLICT (not in_progress). */
int trace_request_pick(trace_t *t, const store_scope *scope, int64_t id, int rank, pu_err *err);

/* Render one request (form fields with labels in `lang` "en" or "es",
 * status, result, chain of custody, indicators and candidates) as text into
 * out, or as a JSON object when json = 1. Chain events and candidates not
 * visible to scope are left out; the result (purchaser, dealer, TTC) is
 * shown only when the records it was read from are visible (the dealer
 * only with its own record). Errors: PU_ERR_NOTFOUND (absent or not
 * visible). */
int trace_request_render(trace_t *t, const store_scope *scope, int64_t id, const char *lang, int json,
                         pu_buf *out, pu_err *err);

/* One line per request visible to scope (id, number, status, maker and
 * serial, recovery date and state, reason), oldest first, into out; status
 * NULL = all; limit 0 = no limit (both applied in SQL). Errors: PU_ERR_DB. */
int trace_request_list(trace_t *t, const store_scope *scope, const char *status, long limit, pu_buf *out,
                       pu_err *err);

/* One row of a request list (strings borrowed for the callback only). */
typedef struct trace_request_row {
    int64_t id;
    const char *number, *status, *reason, *priority, *request_date, *agency, *crime_code, *manufacturer, *serial,
        *type, *recovery_date, *recovery_state, *owner, *marking, *updated;
    int64_t candidates;   /* partial-serial candidates whose firearm the reader may see */
} trace_request_row;
typedef int (*trace_request_cb)(const trace_request_row *row, void *ctx);

typedef struct trace_list_query {
    const char *status;          /* NULL = every status */
    const char *recovery_state;  /* ISO 3166-2:MX code ("CHH"), NULL = every state */
    const char *crime;           /* the crime code's four digits ("0999"), NULL = every crime */
    long limit, offset;          /* limit 0 = no limit */
    int newest_first;            /* 1: highest id first; 0: oldest first */
} trace_list_query;

/* Call fn for each request visible to scope that the filters keep (scope,
 * filters, order, limit and offset applied in SQL), stopping at fn's first
 * non-zero return, which is returned. *total (when not NULL) gets the
 * number of rows the filters give before limit and offset. lq may be NULL
 * (everything). Errors: PU_ERR_DB, PU_ERR_INTERNAL (NULL scope), fn's. */
int trace_request_each(trace_t *t, const store_scope *scope, const trace_list_query *lq, trace_request_cb fn,
                       void *ctx, int64_t *total, pu_err *err);

/* The requests trace_request_each gives for the same scope and filters,
 * written as CSV with a header (number, status, reason, priority,
 * request_date, agency, crime_code, manufacturer, serial, type,
 * recovery_date, recovery_state, owner, marking, updated; fields quoted as
 * RFC 4180 asks): the list a user downloads. Errors: as
 * trace_request_each, PU_ERR_IO (write). */
int trace_request_write_csv(trace_t *t, const store_scope *scope, const trace_list_query *lq, FILE *out, pu_err *err);

/* The Mexican states in a fixed order: trace_mx_state_at(i, &code) gives
 * the i-th state's name (accents omitted) and ISO 3166-2:MX code ("CHH"),
 * NULL when i >= trace_mx_state_count(). Static strings. */
size_t trace_mx_state_count(void);
const char *trace_mx_state_at(size_t i, const char **code);
/* The canonical firearm types the form accepts (static, *n set). */
const char *const *trace_types(size_t *n);

/* ---- in-memory index ----------------------------------------------------- */
typedef struct trace_index trace_index;

/* Build the index of the firearms (manufacturer, normalised serial) visible
 * to scope, from a read filtered by store_scope_sql: the index holds only
 * what that reader may see and answers only that reader (trace_run checks
 * with trace_index_scope_is). Errors: PU_ERR_DB, PU_ERR_NOMEM,
 * PU_ERR_INTERNAL (NULL scope). */
int trace_index_build(trace_t *t, const store_scope *scope, trace_index **out, pu_err *err);
void trace_index_free(trace_index *ix);
size_t trace_index_size(const trace_index *ix);
/* 1 if ix was built for the same reader as scope (system, or the same
 * agency and country). */
int trace_index_scope_is(const trace_index *ix, const store_scope *scope);
/* Exact lookup: firearm id, or 0 when absent. */
int64_t trace_index_lookup(const trace_index *ix, const char *mfr, const char *serial_norm);

typedef struct trace_candidate {
    int64_t firearm_id;
    double score;          /* higher is better; see docs/trace.md */
    char serial[TRACE_SERIAL_MAX];
    char mfr[64];
} trace_candidate;

typedef struct trace_hint {  /* what the request says about the gun (may be NULL/"") */
    const char *model, *calibre, *type;
} trace_hint;

/* Candidates whose serial matches the pattern (normalised, with wildcards),
 * within manufacturer `mfr` ("" or NULL = any manufacturer), ranked by score,
 * at most max. *n receives the count, *total the number of matches before the
 * cap. out has room for max entries. Errors: PU_ERR_INVALID (bad pattern). */
int trace_index_partial(const trace_index *ix, const char *mfr, const char *pattern, const trace_hint *hint,
                        trace_candidate *out, size_t max, size_t *n, size_t *total, pu_err *err);

/* The baseline for trace_index_partial: the same query through SQLite
 * (trace_serial_glob on serial_norm, narrowed to the maker's part of the
 * (mfr, serial_norm) index when mfr is given), over the firearms visible
 * to scope. Candidates in (maker, serial) order with score 1. Errors:
 * PU_ERR_INVALID (bad pattern), PU_ERR_DB, PU_ERR_INTERNAL (NULL scope). */
int trace_sql_partial(trace_t *t, const store_scope *scope, const char *mfr, const char *pattern,
                      trace_candidate *out, size_t max, size_t *n, size_t *total, pu_err *err);

/* Write candidates as text ("pattern P within M: N matches" and one ranked
 * line each) into out. */
void trace_candidates_write(const char *pattern, const char *mfr, const trace_candidate *c, size_t n,
                            size_t total, pu_buf *out);

/* ---- running traces ------------------------------------------------------ */
typedef struct trace_run_stats {
    uint64_t processed, completed, cannot_trace, pending_review;
    double lookup_seconds, total_seconds;
} trace_run_stats;

/* Run every request in status submitted (and in_progress when rerun = 1)
 * that scope may see and change (store_check_owner; others are left as
 * they are): match the firearm among those visible to scope (ix, built for
 * the same scope, or SQL lookups when ix is NULL - the baseline), follow the
 * chain of visible events to the first retail purchaser, compute
 * time-to-crime and the possessor flag, and set the status. The operator
 * (STORE_SYSTEM) runs them all - ATF's tracing service. One transaction.
 * Errors: PU_ERR_DB, PU_ERR_NOMEM, PU_ERR_INVALID (ix built for another
 * scope), PU_ERR_INTERNAL (NULL scope). */
int trace_run(trace_t *t, const store_scope *scope, const trace_index *ix, int rerun, trace_run_stats *st,
              pu_err *err);

/* Run one request (row id), as trace_run does for every submitted one:
 * only when it is in status submitted, visible to scope and scope may change
 * it (otherwise nothing happens and st->processed stays 0); firearms are
 * matched through SQL lookups over those visible to scope (no index: one
 * request does not pay for building one). The HTTP API runs a request right
 * after it is submitted or a candidate is picked, with the caller's scope.
 * Errors: as trace_run; PU_ERR_INVALID (id <= 0). */
int trace_run_request(trace_t *t, const store_scope *scope, int64_t id, trace_run_stats *st, pu_err *err);

/* ---- multiple-sale reports ------------------------------------------------ */
typedef struct trace_msr_stats {
    uint64_t handgun_reports, rifle_reports, firearms_in_reports;
} trace_msr_stats;

/* Derive multiple-sale reports from first retail sales (replacing earlier
 * derived ones, with the purchase volume of every buyer with 3 or more
 * first retail purchases, kept per owner and marking of the sales, used by
 * trace_leads). System work: it reads every sale and writes derived records
 * whose marking is the stricter of their sources' (store_marking_stricter),
 * so a report is visible only to readers who may see all its sales; the
 * counts in *st cover every report (for the operator).
 * Rules: 2+ handguns to one purchaser from one dealer within 5
 * business days (ATF Form 3310.4), and 2+ semi-automatic rifles over .22
 * calibre with a detachable magazine from a dealer in AZ, CA, NM or TX within
 * 5 consecutive business days (Form 3310.12). Errors: PU_ERR_DB. */
int trace_msr_detect(trace_t *t, trace_msr_stats *st, pu_err *err);

/* ---- leads --------------------------------------------------------------- */
typedef struct trace_lead {
    char kind[12];          /* "purchaser" or "dealer" */
    char key[160];          /* purchaser key (name|dob) or FFL number */
    char name[128];
    double strength;
    int recoveries;
    char *explain;          /* one indicator per line; owned by the array */
} trace_lead;

/* Rank purchasers and dealers behind completed traces, computed only over
 * records visible to scope: the request, its firearm and first retail sale
 * (and the dealer's record for the dealer name), the multiple-sale reports
 * and the buyer volume the reader may see. So a record the reader may not
 * see neither makes a lead appear nor changes its counts or strength.
 * kind: "purchaser", "dealer" or NULL (both). *out (caller frees with
 * trace_leads_free) holds at most max leads, strongest first. Errors:
 * PU_ERR_INVALID (kind), PU_ERR_DB, PU_ERR_NOMEM, PU_ERR_INTERNAL (NULL
 * scope). */
int trace_leads(trace_t *t, const store_scope *scope, const char *kind, size_t max, trace_lead **out,
                size_t *n, pu_err *err);
void trace_leads_free(trace_lead *l, size_t n);
/* Write leads as numbered text (one line per lead, its indicators below)
 * or, with json = 1, as a JSON array of objects, into out. */
void trace_leads_write(const trace_lead *l, size_t n, int json, pu_buf *out);

/* ---- statistics ------------------------------------------------------------ */
/* Mexico trace statistics over requests visible to scope, written as text
 * tables or as one JSON object into out: by recovery year, source state,
 * recovery state, manufacturer, calibre and type; TTC median, mean and a
 * histogram in whole years; US-sourced share. JSON lists every source and
 * recovery state (text: the top 15).
 * Figures read from a trace result (source state, TTC, sourcing, result
 * maker) count only results the reader may see (as in
 * trace_request_render). Errors: PU_ERR_DB, PU_ERR_NOMEM, PU_ERR_INTERNAL. */
int trace_stats(trace_t *t, const store_scope *scope, int json, pu_buf *out, pu_err *err);

/* ---- demo data ------------------------------------------------------------ */
typedef struct trace_gen_opts {
    uint64_t firearms;     /* firearms with full chains (about 4 records each) */
    uint64_t recoveries;   /* Mexican recoveries submitted as trace requests */
    int rings;             /* planted straw-purchase rings */
    uint64_t seed;
    const char *owner_records, *owner_requests;  /* default ATF / FGR */
    const char *marking_records;  /* marking of the acquisition records (NULL = STORE_DEFAULT_MARKING) */
} trace_gen_opts;

typedef struct trace_gen_stats {
    uint64_t firearms, events, recoveries, ring_purchasers;
} trace_gen_stats;

/* Generate realistic demo data into the store (one transaction) and record
 * the planted ring purchasers in trace_gen_truth for evaluation. Operator
 * work (the CLI refuses it with a reader scope): records are ATF's and
 * FGR's, STORE_DEFAULT_MARKING, 15 % of requests MX-ONLY.
 * Errors: PU_ERR_DB, PU_ERR_INVALID (zero sizes). */
int trace_generate(trace_t *t, const trace_gen_opts *o, trace_gen_stats *st, pu_err *err);

/* Precision and recall at k of planted ring purchasers among the top-k
 * purchaser leads (needs trace_gen_truth), as the operator (STORE_SYSTEM):
 * the ground truth is the operator's. Errors: PU_ERR_NOTFOUND when no
 * ground truth is stored. */
int trace_eval_at_k(trace_t *t, size_t k, double *precision, double *recall, size_t *truth_n, pu_err *err);

/* ---- sealing persons' names (trace_seal.c) ----
 * Purchasers' and possessors' names are sealed at rest and buyers are joined
 * on a keyed blind index (docs/security.md "Trace names"). A store written
 * before (or under another first key) is refused by trace_open until this
 * runs once: every person's name is opened (with any key of the ring) and
 * sealed under the current key, every buyer key made again from the opened
 * name, the copies of the keys (requests, multiple-sale reports, buyer
 * volume, generator ground truth) follow, and the store records the key.
 * One transaction; idempotent. Does not need trace_open. */
typedef struct trace_seal_stats {
    uint64_t events, requests, reports, import_keys_dropped;
} trace_seal_stats;
/* Errors: PU_ERR_DENIED (a name sealed under a key that is not configured),
 * PU_ERR_INVALID/PU_ERR_IO (bad key configuration), PU_ERR_DB. */
int trace_seal_all(db_t *db, trace_seal_stats *s, pu_err *err);

/* ---- named counts (trace_counts.c) ---------------------------------------
 * The impact indicators' figures (common/pu_count.h; docs/trace.md "Named
 * counts"): trace.requests_submitted, trace.requests_completed,
 * trace.requests_untraceable, trace.traced_firearms, trace.us_sourced,
 * trace.ttc_count and trace.ttc_days (one row per request, value = days),
 * per request-date year/month, requesting agency's country, recovery state
 * ("MX-CHH") and agency; only what scope may see (results only with their
 * visible retail sale). Errors: PU_ERR_DB, PU_ERR_INTERNAL (NULL scope),
 * cb's. */
#include "common/pu_count.h"
int trace_counts(db_t *db, const store_scope *scope, pu_count_cb cb, void *ctx, pu_err *err);
/* The same rows, each with its request (kind trace_request, id = the
 * request number, link /app/trace/NUMBER): the drill-down to records
 * (app.h count_records). Errors: as trace_counts. */
int trace_count_records(db_t *db, const store_scope *scope, pu_count_cb cb, void *ctx, pu_err *err);

#endif
