/*
 * cargo.h - cargo targeting of inbound air-cargo manifests for precursor
 * chemicals and designated parties (issue #7). The contract of src/cargo/.
 *
 * Pieces, in the order data flows through them:
 *  - watchlist (cargo_watchlist): the controlled chemicals with EN/ES names,
 *    synonyms, code names, CAS, HS, list membership (INCB/DEA/Mexico), tier and
 *    threshold. Curator-editable CSV, stored as numbered versions.
 *  - rules (cargo_rules): rule weights, parameters and explanations, plus the
 *    hold/review thresholds. Curator-editable CSV, stored as numbered versions.
 *  - manifests (cargo_manifest): one line of a manifest, read from CSV or
 *    JSON lines by cargo_reader (bounded, every error names file:line, field).
 *  - engine (cargo_engine): the compiled watchlist + rules (+ the party
 *    screening index when the store has designated parties) and caches.
 *  - batch (cargo_batch): screens manifest lines, then resolves the rules that
 *    need the whole batch and the history (first-time consignee, split
 *    shipments, shared addresses), decides hold|review|release, persists.
 *  - queue, dispositions and statistics over the persisted shipments.
 *
 * Persistence: own tables (module "cargo", db_migrate) through db/db.h; every
 * stored record (watchlist version, rules version, batch, shipment,
 * disposition) carries an owner agency and a marking (store.h markings).
 * Readers and writers: every function that reads or writes those records
 * takes the reader's `const store_scope *` (STORE_SYSTEM for the operator;
 * NULL is PU_ERR_INTERNAL). Reads filter in SQL with store_scope_sql; writes
 * check store_check_file (the marking), store_check_act_for (the stamp's
 * owner) and, for dispositions, store_check_owner (the line's owner).
 * Migrations: cargo_migrate runs once where a process opens its store (the
 * server at start, the CLI per command); the functions below expect the
 * tables to exist.
 * Threads: an engine and its batches are used by one thread at a time.
 * Ownership: every _new, _open and _load result is the caller's and is freed
 * with the matching *_free (all NULL-safe). Strings in result structs belong
 * to the struct that holds them.
 */
#ifndef PU_CARGO_H
#define PU_CARGO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/pu.h"
#include "db/db.h"
#include "store/store.h"

/* ---- caps ---------------------------------------------------------------- */
/* Real manifest fields are short (ACAS descriptions are a few hundred bytes);
 * these caps are far above that and turn garbage into a clear error. */
#define CARGO_MAX_FIELD (4u * 1024u)       /* any manifest field but description */
#define CARGO_MAX_DESCRIPTION (64u * 1024u) /* longer is rejected, not cut */
#define CARGO_MAX_RECORD (1u << 20)        /* reader cap per CSV record / JSON line */
#define CARGO_MAX_JSON_DOC (256u << 20)    /* one JSON document (CARGO_FMT_JSON) */
#define CARGO_MAX_MATCHES 16               /* chemicals reported per line */
#define CARGO_MAX_PARTY_HITS 6             /* designated parties reported per line */
#define CARGO_OWNERSHIP_TEXT 320           /* bytes of a party's owner-chain explanation */
#define CARGO_MAX_PIECES 1e9               /* pieces per line; more is garbage, not cargo */
#define CARGO_MAX_DAYS_AHEAD 60            /* departure/arrival dates at most this far after today */

/* ---- CAS registry numbers ----------------------------------------------- */

/* Parse "NNNNNNN-NN-N" (2-7 digits, 2, 1; no leading zero). On success
 * *value is the digits as an integer and *check_ok is 1 when the check digit
 * is right. Errors: PU_ERR_INVALID when s is not in CAS format. */
int cargo_cas_parse(const char *s, int64_t *value, int *check_ok);
/* Format a CAS integer (digits incl. check digit) as "NNN-NN-N" into buf. */
void cargo_cas_format(int64_t value, char *buf, size_t size);

/* ---- watchlist ------------------------------------------------------------ */

typedef struct cargo_chemical {
    char *id;            /* stable slug, e.g. "4-ap" */
    char *name_en, *name_es;
    char *synonyms_en, *synonyms_es, *code_names; /* ';'-separated */
    char *cas;           /* "23056-29-3" (validated on import) */
    char *hs_codes;      /* ';'-separated, indicative */
    char *incb, *dea, *mexico; /* list membership as text ("Table I (2022)") */
    char *tier;          /* "controlled" or "watch" */
    double threshold_kg; /* 0 = any quantity */
    char *exclude;       /* ';'-separated benign look-alikes never fuzzy-matched */
    char *notes, *source;
} cargo_chemical;

typedef struct cargo_watchlist {
    int version;         /* 0 when not stored yet */
    size_t n;
    cargo_chemical *chem;
} cargo_watchlist;

/* Read a watchlist CSV (header row with the columns of data/cargo/watchlist.csv;
 * id, name_en and tier are required, the others may be blank). Validates every
 * row: CAS format and check digit, tier, threshold, duplicate ids and CAS,
 * UTF-8. All errors are collected: on failure *out is NULL and err names the
 * first bad file:line and field; `report` (may be NULL) gets one line per
 * error. Errors: PU_ERR_INVALID, PU_ERR_IO, PU_ERR_NOMEM. */
int cargo_watchlist_read_csv(const char *path, FILE *report, cargo_watchlist **out, pu_err *err);
int cargo_watchlist_read_csv_mem(const char *data, size_t n, FILE *report, cargo_watchlist **out, pu_err *err);
/* Write the watchlist as CSV (the same columns), readable back unchanged. */
int cargo_watchlist_write_csv(const cargo_watchlist *w, FILE *out, pu_err *err);
void cargo_watchlist_free(cargo_watchlist *w);

/* ---- rules ---------------------------------------------------------------- */

/* The rules the engine implements. Their weights, parameters, explanations and
 * on/off switch are data (cargo_rules); the ids are the CSV's `id` column. */
enum cargo_rule_id {
    CARGO_DECISION_HOLD = 0, CARGO_DECISION_REVIEW,
    CARGO_CHEM_CONTROLLED, CARGO_CHEM_WATCH, CARGO_CAS_INVALID,
    CARGO_HS_PRECURSOR, CARGO_HS_MISMATCH, CARGO_GENERIC_DESCRIPTION,
    CARGO_FORWARDER_SHIPPER, CARGO_FIRST_TIME_CONSIGNEE, CARGO_RESIDENTIAL_ADDRESS,
    CARGO_SHARED_ADDRESS, CARGO_UNUSUAL_ROUTING, CARGO_WEIGHT_VALUE,
    CARGO_SPLIT_SHIPMENT, CARGO_HIGH_RISK_ORIGIN, CARGO_PARTY_DESIGNATED,
    CARGO_PARTY_POSSIBLE,
    CARGO_NRULES
};

/* Static rule id string ("chem_controlled"), or NULL when out of range. */
const char *cargo_rule_name(int rule);
/* Rule index for an id string, or -1. */
int cargo_rule_lookup(const char *name);

typedef struct cargo_rule {
    double weight;
    int enabled;
    char *params;        /* "key=v1|v2;key2=n" */
    char *explanation;
} cargo_rule;

typedef struct cargo_rules {
    int version;         /* 0 when not stored yet */
    cargo_rule rule[CARGO_NRULES];
} cargo_rules;

/* Read a rules CSV (id,weight,enabled,params,explanation). Every known rule
 * must appear exactly once; unknown ids, bad weights and malformed params are
 * errors naming file:line and field. Errors: PU_ERR_INVALID, PU_ERR_IO. */
int cargo_rules_read_csv(const char *path, FILE *report, cargo_rules **out, pu_err *err);
int cargo_rules_read_csv_mem(const char *data, size_t n, FILE *report, cargo_rules **out, pu_err *err);
int cargo_rules_write_csv(const cargo_rules *r, FILE *out, pu_err *err);
void cargo_rules_free(cargo_rules *r);

/* The bundled defaults (data/cargo CSV files compiled into the binary), used when
 * a store has no version yet. Errors as the readers (a bug if they fail). */
int cargo_watchlist_default(cargo_watchlist **out, pu_err *err);
int cargo_rules_default(cargo_rules **out, pu_err *err);

/* ---- persistence of versions --------------------------------------------- */

/* Create/upgrade the cargo tables. Called once where a process opens its
 * store (puente serve at start, the CLI when it opens the store for a cargo
 * command, tests after store_open); no other cargo function migrates.
 * Errors: PU_ERR_DB, PU_ERR_CONFLICT (store newer than the binary). */
int cargo_migrate(db_t *db, pu_err *err);

typedef struct cargo_stamp {   /* who records a version, batch or disposition */
    const char *owner;         /* agency acronym (required) */
    const char *marking;       /* store.h marking; NULL = STORE_DEFAULT_MARKING */
    const char *author;        /* free text (user or operator), may be NULL */
    const char *note;          /* free text, may be NULL */
} cargo_stamp;

/* May `scope` file a record with this stamp? The owner is non-blank and one
 * the writer may act for (store_check_act_for: its own agency; the operator
 * any), the marking parses (store_marking_parse) and the writer's country
 * may hold it (store_check_file: a MX agency cannot file US-ONLY). Every
 * cargo write calls it; shells call it to refuse early. Errors:
 * PU_ERR_INVALID (blank owner, unknown marking, field "owner"/"marking"),
 * PU_ERR_DENIED (another agency, a marking the country may not file),
 * PU_ERR_INTERNAL (NULL scope). */
int cargo_stamp_check(const store_scope *scope, const cargo_stamp *stamp, pu_err *err);
/* The marking a stamp files under (its own or STORE_DEFAULT_MARKING). */
const char *cargo_stamp_marking(const cargo_stamp *stamp);

/* Store w as the next watchlist version (one transaction) and set w->version,
 * as the writer `scope` (cargo_stamp_check). Errors: those of
 * cargo_stamp_check, PU_ERR_DB. */
int cargo_watchlist_save(db_t *db, const store_scope *scope, cargo_watchlist *w, const cargo_stamp *stamp,
                         pu_err *err);
/* Load version `version` (0 = the latest `scope` may see). If the store has
 * none visible and version is 0, returns the bundled default with version 0.
 * A version scope may not see is PU_ERR_NOTFOUND, as an absent one.
 * Errors: PU_ERR_NOTFOUND, PU_ERR_DB, PU_ERR_INTERNAL (NULL scope). */
int cargo_watchlist_load(db_t *db, const store_scope *scope, int version, cargo_watchlist **out, pu_err *err);
int cargo_rules_save(db_t *db, const store_scope *scope, cargo_rules *r, const cargo_stamp *stamp, pu_err *err);
int cargo_rules_load(db_t *db, const store_scope *scope, int version, cargo_rules **out, pu_err *err);

/* One stored version, for `watchlist versions` / `rules versions`. */
typedef struct cargo_version_info {
    int version;
    char created[32];
    char owner[64], marking[32];
    char author[128], note[256];
    int64_t rows;
} cargo_version_info;
/* The versions of kind "watchlist" or "rules" that scope may see; *out
 * (caller frees with free()) newest first. Errors: PU_ERR_INVALID (kind),
 * PU_ERR_DB, PU_ERR_INTERNAL (NULL scope). */
int cargo_versions(db_t *db, const store_scope *scope, const char *kind, cargo_version_info **out, size_t *n,
                   pu_err *err);
/* The same as a table (VERSION CREATED OWNER MARKING ROWS AUTHOR / NOTE). */
int cargo_versions_write(db_t *db, const store_scope *scope, const char *kind, FILE *out, pu_err *err);

/* ---- manifests ------------------------------------------------------------ */

/* A field of a manifest line that could not be read (a bad number, date or
 * country, invalid UTF-8, an arrival before the departure): the field is
 * treated as not given and the rest of the line is screened. */
#define CARGO_MAX_ISSUES 32 /* more than the fields of a line: no issue is dropped */
typedef struct cargo_issue {
    char field[32];              /* manifest field, e.g. "weight_kg" */
    char msg[192];               /* what was wrong, with the value */
} cargo_issue;

typedef struct cargo_manifest {
    const char *awb, *hawb;
    const char *shipper_name, *shipper_address, *shipper_country;
    const char *consignee_name, *consignee_address, *consignee_country;
    const char *notify_name, *notify_address;
    const char *description;
    const char *hs_code;
    long pieces;                 /* -1 when not given */
    double weight_kg, value_usd; /* -1 when not given */
    const char *origin, *origin_country;
    const char *transshipment;   /* ';'-separated points (airport codes) */
    const char *destination, *destination_country;
    const char *carrier, *forwarder;
    const char *departure_date, *arrival_date; /* "YYYY-MM-DD" or "" */
    uint64_t line;               /* source line (set by the reader) */
    const cargo_issue *issues;   /* fields that were refused (data quality), nissues of them */
    size_t nissues;
} cargo_manifest;

typedef enum { CARGO_FMT_AUTO = 0, CARGO_FMT_CSV, CARGO_FMT_JSONL, CARGO_FMT_JSON } cargo_format;

/* Reader over CSV (header row with manifest column names), JSON lines (one
 * object per line, same keys; streaming) or one JSON document (CARGO_FMT_JSON:
 * one manifest object or an array of them, parsed at open, at most
 * CARGO_MAX_JSON_DOC bytes; the "line" of a record is its 1-based position in
 * the array). Strings in the returned manifest are owned by the reader and
 * valid until the next call. */
typedef struct cargo_reader cargo_reader;
/* fmt AUTO picks JSON for content starting with '[', JSONL for *.jsonl /
 * *.ndjson / *.json or content starting with '{', else CSV. Errors: PU_ERR_IO,
 * PU_ERR_INVALID (CSV without awb or description column; a JSON document that
 * does not parse, field "json"), PU_ERR_LIMIT (JSON document over the cap),
 * PU_ERR_NOMEM. Unknown CSV columns are reported once to `warn` (may be NULL)
 * and ignored. */
int cargo_reader_open(const char *path, cargo_format fmt, FILE *warn, cargo_reader **out, pu_err *err);
int cargo_reader_open_mem(const char *data, size_t n, cargo_format fmt, FILE *warn, cargo_reader **out, pu_err *err);
/* Next manifest line into *m (NULL at end). A line that cannot be read at
 * all (malformed CSV or JSON, a wrong field count, no awb) returns
 * PU_ERR_INVALID or PU_ERR_LIMIT with file:line and field in err; the raw
 * fields (when any) stay available through cargo_reader_raw until the next
 * call, and the caller may call again to continue with the next line.
 * A line with bad FIELDS (a number that is not one or negative, a date that
 * is not YYYY-MM-DD, a country that is not ISO 3166 alpha-2, invalid UTF-8
 * or an over-long value in a field, an arrival before the departure) is
 * returned with each bad field blanked (treated as not given) and listed in
 * m->issues (data quality), so the rest of the line is still screened: a
 * precursor must not escape screening because its weight is "abc". With the
 * strict reader (cargo_screen_mem, the API) a bad field is an error instead. */
int cargo_reader_next(cargo_reader *r, const cargo_manifest **m, pu_err *err);
/* The raw content of the last line (CSV fields joined as CSV, or the JSON
 * line), for reject files. Never NULL. */
const char *cargo_reader_raw(cargo_reader *r, size_t *len);
const char *cargo_reader_name(const cargo_reader *r);
/* 1 once a CSV header row (or any JSON record) has been read: tells an empty
 * file from a header without lines. */
int cargo_reader_saw_header(const cargo_reader *r);
uint64_t cargo_reader_offset(const cargo_reader *r);
void cargo_reader_close(cargo_reader *r);

/* The manifest column names in canonical order (NULL-terminated, static). */
const char *const *cargo_manifest_columns(void);

/* ---- engine and screening ------------------------------------------------- */

typedef struct cargo_engine cargo_engine;

/* Kind of chemical evidence. */
enum cargo_via { CARGO_VIA_CAS = 0, CARGO_VIA_NAME, CARGO_VIA_CODE, CARGO_VIA_FUZZY };

typedef struct cargo_chem_hit {
    int chem;              /* index into the engine's watchlist */
    int via;               /* enum cargo_via */
    int weak;              /* ambiguous short code without chemical context */
    char text[96];         /* the matched text, normalised (or the CAS number) */
    char salt[24];         /* "hydrochloride", "hcl", ... when a salt form was named */
} cargo_chem_hit;

#define CARGO_PARTY_RESOLVED_MAX 512
typedef struct cargo_party_hit {
    char role[12];         /* shipper, consignee, notify */
    char entity_id[96];
    char caption[160];
    double score;          /* the name score; 1 for a hit by resolution */
    /* "" for a screening hit; for a hit by resolution (the party's name is a
     * spelling of a person resolution joined with the designated entity,
     * src/sameas): why, "same person as <caption> [id] by resolution
     * (cluster C, N records): the name is ..." */
    char resolved[CARGO_PARTY_RESOLVED_MAX];
    /* "" or, when the party is designated only through its owners (OFAC's
     * 50 % rule, src/monitor), the explanation: the look-through share and
     * the strongest owner chain "54.0% held: OWNER [id] 60.0% > ... > PARTY
     * [id]", as the reader may see the Ownership records. */
    char ownership[CARGO_OWNERSHIP_TEXT];
} cargo_party_hit;

/* Party screening: called for each non-blank shipper/consignee/notify name
 * with the party country (may be ""). Fills up to max hits (best first) and
 * sets *n. The engine caches answers by normalised name+country. */
typedef int (*cargo_party_fn)(void *ctx, const char *name, const char *country,
                              cargo_party_hit *hits, size_t max, size_t *n, pu_err *err);

struct screen_index; /* src/screen/screen.h */

typedef struct cargo_open_opts {
    /* The reader the engine works for: the watchlist and rules versions it
     * may see, the designated parties it may see (never scored or reported
     * otherwise). Required when a store is given; STORE_SYSTEM for the
     * operator. Must outlive the engine. */
    const store_scope *scope;
    int watchlist_version, rules_version; /* 0 = the latest visible (else the bundled default) */
    /* Use these instead of the store's versions (copied; curators' checks,
     * tests). With st NULL and these NULL: the bundled defaults. */
    const cargo_watchlist *watchlist;
    const cargo_rules *rules;
    /* Party screening, at most one of: */
    int parties;                      /* 1: over the designated parties in st (an index built here) */
    const struct screen_index *index; /* over this index (borrowed: it must outlive the engine) */
    cargo_party_fn party;             /* a matcher of the caller's (tests) */
    void *party_ctx;
} cargo_open_opts;

/* THE constructor of a cargo engine for every shell (CLI, API, tests): loads
 * the watchlist and rules (o->watchlist_version/rules_version as o->scope
 * may see, or the given ones), wires party screening and compiles them. st
 * may be NULL when o names the watchlist and rules or wants the defaults
 * (no parties from a store then). When the store holds no designated party
 * the engine screens none (cargo_engine_screens_parties says so). The
 * engine owns its copies and the party screening it built; it does not
 * own st. Errors: PU_ERR_INTERNAL (store without scope, two party sources),
 * PU_ERR_NOTFOUND (no such version), PU_ERR_INVALID (a rule parameter is
 * malformed), PU_ERR_DB, PU_ERR_NOMEM. */
int cargo_open(store_t *st, const cargo_open_opts *o, cargo_engine **out, pu_err *err);
void cargo_engine_free(cargo_engine *e);
const cargo_watchlist *cargo_engine_watchlist(const cargo_engine *e);
const cargo_rules *cargo_engine_rules(const cargo_engine *e);
/* 1 when party screening is wired in. */
int cargo_engine_screens_parties(const cargo_engine *e);

/* Chemical detection only, on one free text (+ optional HS code for the
 * context of ambiguous codes). Fills up to max hits, sets *n; invalid CAS
 * numbers go to bad_cas (up to max_bad, as text), count in *nbad. */
int cargo_detect(cargo_engine *e, const char *text, size_t len, const char *hs_code,
                 cargo_chem_hit *hits, size_t max, size_t *n,
                 char (*bad_cas)[24], size_t max_bad, size_t *nbad);

/* The outcome of screening one manifest line. Strings and arrays belong to
 * the batch that produced it. */
typedef struct cargo_result {
    const char *awb, *hawb, *shipper, *consignee, *origin_country, *arrival_date;
    uint64_t line;
    double score;
    const char *decision;          /* "hold", "review", "release" (static) */
    uint32_t fired;                /* bit i = rule i fired */
    const char *reasons;           /* "rule(+w): detail; ..." in rule order */
    const cargo_chem_hit *chem;    /* nchem hits, best evidence first */
    size_t nchem;
    const char *bad_cas;           /* invalid CAS numbers seen, ";"-separated, or "" */
    size_t nbad_cas;
    const cargo_party_hit *party;
    size_t nparty;
    /* keys for the batch rules (hashes of normalised names/addresses) */
    uint64_t shipper_key, consignee_key, address_key;
    int64_t day;                   /* arrival (else departure) day, or INT64_MIN */
    double weight_kg;
    const char *quality;           /* data-quality issues "field: msg; ..." or "" (reader
                                      issues and a repeated AWB+HAWB in the batch) */
    size_t nquality;
    size_t dup_of;                 /* 1-based index of the first result with the same
                                      AWB+HAWB in this batch, 0 when none */
    int superseded;                /* 1: another line with the same AWB+HAWB is the one
                                      cargo_batch_save keeps (the higher score; on a tie
                                      the later line, an amendment) */
    const char *line_detail;       /* internal: per-line rule details */
    size_t manifest;               /* internal: index of the kept manifest */
} cargo_result;

typedef struct cargo_batch cargo_batch;

typedef struct cargo_batch_opts {
    db_t *history;        /* store with past shipments for the history rules; may be NULL */
    int keep_manifests;   /* 1: keep the full lines so cargo_batch_save can persist them */
    const store_scope *scope; /* reader of the history: shipments it may not see do not
                                 count (first-time consignee, shared address, split);
                                 required with history (STORE_SYSTEM for the operator) */
} cargo_batch_opts;

int cargo_batch_new(cargo_engine *e, const cargo_batch_opts *opts, cargo_batch **out, pu_err *err);
/* Screen one line (chemicals, parties, per-line rules). Its data-quality
 * issues (m->issues) go into the result's `quality` and its reasons; a line
 * repeating the AWB+HAWB of an earlier line of the batch is screened too and
 * both carry a data-quality note naming the other line (dup_of). */
int cargo_batch_add(cargo_batch *b, const cargo_manifest *m, pu_err *err);
/* Apply the batch/history rules and decide. Call once after the last add.
 * Also sets `superseded` on the repeated AWB+HAWB lines the store will not keep. */
int cargo_batch_finish(cargo_batch *b, pu_err *err);
size_t cargo_batch_count(const cargo_batch *b);
/* Lines with data-quality issues and lines repeating an earlier AWB+HAWB. */
size_t cargo_batch_nquality(const cargo_batch *b);
size_t cargo_batch_nduplicates(const cargo_batch *b);
/* Results in input order; valid until the batch is freed. */
const cargo_result *cargo_batch_result(const cargo_batch *b, size_t i);
/* Indexes of results sorted by descending score (then input order): the
 * review queue of this batch. Owned by the batch. */
const size_t *cargo_batch_ranked(cargo_batch *b);
/* Persist batch + shipments (needs keep_manifests) as the writer scope
 * (cargo_stamp_check) in one transaction (its
 * own; or, when the caller already holds one on db, the caller's: nothing is
 * committed or rolled back here then, so the caller can add its audit entry
 * to the same transaction and must roll back on error); a
 * shipment the same agency already stored (same awb+hawb+owner: an amended
 * manifest) is replaced, keeping its dispositions; each agency keeps its own
 * record of an AWB. Of lines repeating one AWB+HAWB inside the batch only the
 * one not `superseded` is stored (its reasons name the other lines). *batch_id gets the new batch id. Errors: those of
 * cargo_stamp_check (nothing written), PU_ERR_DB (nothing written). */
int cargo_batch_save(cargo_batch *b, db_t *db, const store_scope *scope, const char *source, const cargo_stamp *stamp,
                     int64_t nrejected, int64_t *batch_id, pu_err *err);
void cargo_batch_free(cargo_batch *b);

/* Output writers: CSV (awb,hawb,score,decision,reasons,chemicals,parties,
 * shipper,consignee,origin_country,arrival_date,line) or JSON lines. */
int cargo_result_write_csv_header(FILE *out);
int cargo_result_write_csv(const cargo_engine *e, const cargo_result *r, FILE *out);
int cargo_result_write_json(const cargo_engine *e, const cargo_result *r, FILE *out);
/* The JSON object cargo_result_write_json writes (awb, hawb, line, score,
 * decision, reasons [{rule, weight, explanation}], reasons_text, chemicals,
 * parties, invalid_cas, shipper, consignee, origin_country, arrival_date), as a
 * jansson value the caller owns (json_decref). Errors: PU_ERR_NOMEM. */
struct json_t;
int cargo_result_to_json(const cargo_engine *e, const cargo_result *r, struct json_t **out);

/* ---- whole manifests in memory (the API) ----------------------------------- */

/* Read a whole manifest held in memory (data[n], CSV, JSON lines or one JSON
 * document as cargo_reader_open_mem; fmt AUTO sniffs) and screen every line
 * into a new batch (opts as cargo_batch_new; keep_manifests to save it), all
 * or nothing, for callers that must refuse a submission with any bad line:
 *  - the reader is strict: an unknown CSV column or JSON key is an error (a
 *    typo such as "weight" must not silently drop the weight);
 *  - on the first bad line *out stays NULL and err says where: err->where is
 *    "line N" (CSV, JSON lines: line of the input) or "record N" (JSON array:
 *    1-based position), or "body" for a document/header-level error;
 *    err->field is the manifest field ("weight_kg"), or "columns", "json",
 *    "header", "csv"; the reader goes on to count the bad lines into *nbad
 *    (may be NULL) so the message can say how many there are;
 *  - no line at all is PU_ERR_INVALID (where "body");
 *  - more than max_lines lines (0 = no cap) is PU_ERR_LIMIT.
 * On success *out is finished (cargo_batch_finish) and owned by the caller.
 * e NULL only reads and checks (nothing is screened, *out stays NULL): a
 * caller can refuse a bad submission before it pays for building an engine
 * (the party screening index).
 * Errors: PU_ERR_INVALID, PU_ERR_LIMIT (a line over CARGO_MAX_RECORD, a
 * document over CARGO_MAX_JSON_DOC, too many lines), PU_ERR_NOMEM, the
 * batch's errors (PU_ERR_DB reading history, party screening failures). */
int cargo_screen_mem(cargo_engine *e, const cargo_batch_opts *opts, const char *data, size_t n, cargo_format fmt,
                     size_t max_lines, cargo_batch **out, size_t *nbad, pu_err *err);

/* ---- queue, dispositions, statistics ------------------------------------- */

/* What a reader sees (docs/cargo.md "Markings"): a line when its own
 * owner/marking lets it (store_scope_sql over cargo_shipment); a disposition
 * when BOTH the line's and the disposition's owner/marking let it. A
 * disposition the reader may not see does not exist for it: the line stays
 * undisposed in its queue, counts as pending in its statistics, and its
 * outcome, note, author and time are never shown. Among the dispositions a
 * reader sees, the latest counts. */

typedef struct cargo_queue_opts {
    const char *decision;   /* "hold", "review", "release", NULL = hold and review */
    int include_disposed;   /* 1: also lines with a disposition the reader sees */
    int64_t limit;          /* 0 = all */
} cargo_queue_opts;

/* One queue line. The disposition_* fields are "" when the reader sees no
 * disposition of the line. Strings are valid during the callback only. */
typedef struct cargo_queue_row {
    int64_t id;
    const char *awb, *hawb, *decision, *reasons, *chemicals, *parties, *shipper, *consignee,
        *arrival_date, *owner, *marking;
    double score;
    const char *disposition;          /* outcome, "" = undisposed for this reader */
    const char *disposition_note, *disposition_author, *disposition_at, *disposition_owner,
        *disposition_marking;
} cargo_queue_row;
typedef int (*cargo_queue_cb)(const cargo_queue_row *row, void *ctx);
/* Call cb per queue line scope may see, highest score first (cb returns
 * non-zero to stop). Errors: PU_ERR_INVALID (decision), PU_ERR_DB,
 * PU_ERR_INTERNAL (NULL scope). */
int cargo_queue(db_t *db, const store_scope *scope, const cargo_queue_opts *o, cargo_queue_cb cb,
                void *ctx, pu_err *err);

typedef enum { CARGO_QUEUE_TABLE = 0, CARGO_QUEUE_CSV, CARGO_QUEUE_JSONL } cargo_queue_format;
/* Parse "table", "csv" or "json" (JSON lines). Errors: PU_ERR_INVALID. */
int cargo_queue_format_parse(const char *s, cargo_queue_format *out, pu_err *err);
/* The queue written to out: a table for people, CSV (a header row, then
 * awb,hawb,score,decision,reasons,chemicals,parties,shipper,consignee,
 * arrival_date,disposition,owner,marking,disposition_note,disposition_author,
 * disposition_at,disposition_owner,disposition_marking) or JSON lines (the
 * objects of cargo_queue_row_to_json). Errors: cargo_queue's, PU_ERR_IO. */
int cargo_queue_write(db_t *db, const store_scope *scope, const cargo_queue_opts *o, cargo_queue_format fmt,
                      FILE *out, pu_err *err);
/* One queue line as the JSON object the API returns (id, awb, hawb, score,
 * decision, reasons, chemicals, parties, shipper, consignee, arrival_date,
 * disposition, owner, marking, disposition_note, disposition_author,
 * disposition_at, disposition_owner, disposition_marking); the caller owns
 * it (json_decref). Errors: PU_ERR_NOMEM. */
struct json_t;
int cargo_queue_row_to_json(const cargo_queue_row *row, struct json_t **out);

/* Outcome of a disposition. */
#define CARGO_OUTCOMES "released, held, inspected_found, inspected_not_found"
/* 1 if outcome is one of CARGO_OUTCOMES. */
int cargo_outcome_valid(const char *outcome);
/* Record a disposition for the shipment awb (+hawb; NULL/"" = any house
 * bill) as the writer scope. The line is looked up among those scope may
 * see; among several the stamp owner's own wins. Write rule: only the
 * owner agency of the line, or an agency it granted (store_check_owner),
 * may dispose it; the stamp passes cargo_stamp_check (its owner is the
 * writer's agency, its marking one the writer may file). The disposition
 * keeps its own marking (see cargo_queue for who sees it). Errors:
 * PU_ERR_INVALID (bad outcome, stamp), PU_ERR_NOTFOUND (no such visible
 * shipment), PU_ERR_CONFLICT (still several: give hawb), PU_ERR_DENIED (the
 * line belongs to an agency that did not grant the writer's; the marking),
 * PU_ERR_DB, PU_ERR_INTERNAL (NULL scope). */
int cargo_dispose(db_t *db, const store_scope *scope, const char *awb, const char *hawb,
                  const char *outcome, const cargo_stamp *stamp, pu_err *err);

/* Statistics over the shipments scope may see, each with the latest
 * disposition scope may see (cargo_queue's rule): counts per decision and
 * per outcome, and per rule how often it fired and what inspections found
 * (the feedback for tuning weights). Written as a text table or one JSON
 * object. Errors: PU_ERR_DB, PU_ERR_INTERNAL (NULL scope). */
int cargo_stats_write(db_t *db, const store_scope *scope, int json, FILE *out, pu_err *err);

/* Small writers shared with the CLI: one CSV field (quoted when needed) and
 * one JSON string (quoted, escaped). */
void cargo_csv_field(FILE *out, const char *s);
void cargo_json_string(FILE *out, const char *s);

/* ---- generator (demo, tests, benchmarks) --------------------------------- */

/* Disguise kinds of generated precursor shipments; "benign" lines are 0. */
enum cargo_kind {
    CARGO_KIND_BENIGN = 0, CARGO_KIND_DECLARED, CARGO_KIND_CAS_ONLY, CARGO_KIND_SYNONYM,
    CARGO_KIND_CODE_NAME, CARGO_KIND_SPANISH, CARGO_KIND_SALT, CARGO_KIND_MISSPELLED,
    CARGO_KIND_CHINGLISH, CARGO_KIND_HS_ONLY, CARGO_KIND_SPLIT, CARGO_KIND_PARTY,
    CARGO_NKINDS
};
const char *cargo_kind_name(int kind);
int cargo_kind_lookup(const char *name);

typedef struct cargo_gen_opts {
    uint64_t seed;
    size_t n;                 /* manifest lines */
    double precursor_rate;    /* share of precursor shipments, default 0.08 */
    double party_rate;        /* share with a designated party, default 0.01 */
    const char *const *designated; /* names of designated parties (NULL-terminated), may be NULL */
    const char *start_date;   /* "YYYY-MM-DD", default 2026-01-05 */
    int jsonl;                /* 1: JSON lines, else CSV */
} cargo_gen_opts;

/* Write a labelled synthetic manifest to out and the truth (awb,hawb,kind,
 * chemical) to truth (may be NULL). Uses the watchlist for the precursors.
 * Errors: PU_ERR_IO. */
int cargo_generate(const cargo_watchlist *w, const cargo_gen_opts *o, FILE *out, FILE *truth, pu_err *err);

/* Join screening results (CSV with awb,hawb,decision) with the generator's
 * truth (awb,hawb,kind,chemical) and write, per kind, lines, holds, reviews,
 * recall of hold, recall of hold-or-review and precision of hold against the
 * benign lines; as a table or one JSON object. Errors: PU_ERR_IO,
 * PU_ERR_INVALID (missing columns, a result without truth). */
int cargo_evaluate(const char *results_csv, const char *truth_csv, int json, FILE *out, pu_err *err);

/* ---- named counts (cargo_counts.c) -----------------------------------------
 * The impact indicators' figures (common/pu_count.h; docs/cargo.md "Named
 * counts"), one row per manifest line and figure, in the cell of the line's
 * arrival year/month, destination country and owner agency:
 * cargo.shipments_screened, cargo.shipments_flagged_hold,
 * cargo.shipments_flagged_review, cargo.precursor_shipments,
 * cargo.designated_parties_found, and from the latest disposition the
 * reader sees: cargo.shipments_held (held or inspected_found),
 * cargo.shipments_inspected, cargo.inspection_hits (inspected_found). Only
 * what scope may see. Errors: PU_ERR_DB, PU_ERR_INTERNAL (NULL scope), cb's. */
#include "common/pu_count.h"
int cargo_counts(db_t *db, const store_scope *scope, pu_count_cb cb, void *ctx, pu_err *err);
/* The same rows, each with its record (kind cargo_line, id = the line id, link /app/cargo (the queue: lines have no page of their own)): the drill-down to records (app.h
 * count_records). Errors: as cargo_counts. */
int cargo_count_records(db_t *db, const store_scope *scope, pu_count_cb cb, void *ctx, pu_err *err);

#endif
