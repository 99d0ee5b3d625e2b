/*
 * ews.h - early-warning system for emerging drugs: report intake, substance
 * vocabulary, curator queue, aberration detection and bilateral alerts.
 *
 * Two layers:
 *  1. Pure detection (no store): ews_detect() runs EARS C1/C2/C3 (R-compatible
 *     and CDC), Farrington flexible (default and Noufaily settings) and CUSUM
 *     on one weekly count series. The numbers reproduce R `surveillance`
 *     1.20.3 (earsC, farringtonFlexible, algo.cusum); see docs/ews.md.
 *  2. Persistent EWS (store): reports, vocabulary, curator queue, alerts in the
 *     SQL handle (db/db.h) under module "ews" (own migrations). Every record
 *     has an owner agency and a marking; reads take a store_scope and filter
 *     in SQL with store_scope_sql() (hidden records are never returned,
 *     counted or told apart from absent ones).
 *
 * Conventions: PU_OK / PU_ERR_* results, out-parameters, `pu_err` details
 * naming file:line (or record) and the field. NA values in results are NAN
 * (doubles) or -1 (flags).
 */
#ifndef PU_EWS_H
#define PU_EWS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/pu.h"
#include "db/db.h"
#include "store/store.h"

/* ======================================================================
 * Detection
 * ====================================================================== */

typedef enum ews_method {
    EWS_C1 = 0,             /* EARS C1: baseline t-7..t-1                          */
    EWS_C2,                 /* EARS C2: baseline t-9..t-3                          */
    EWS_C3,                 /* EARS C3 as R surveillance computes it              */
    EWS_C3_CDC,             /* EARS C3, CDC definition (current week included)    */
    EWS_FARRINGTON,         /* farringtonFlexible, default control ("delta")      */
    EWS_FARRINGTON_NOUFAILY,/* farringtonFlexible, Noufaily settings ("nbPlugin") */
    EWS_CUSUM               /* algo.cusum, "standard" transform, optional reset   */
} ews_method;

/* Method names as used by the CLI ("c1", "c3-cdc", "farrington-noufaily"...). */
const char *ews_method_name(ews_method m);
/* Parse a method name. Errors: PU_ERR_INVALID (lists the accepted names). */
int ews_method_parse(const char *s, ews_method *out, pu_err *err);

typedef struct ews_params {
    ews_method method;
    /* common */
    double alpha;            /* C1/C2 0.001, C3 0.025, Farrington 0.05 */
    size_t range_from;       /* first monitored week, 1-based; 0 = method default */
    /* EARS */
    int baseline;            /* 7 */
    double min_sigma;        /* 0 */
    /* Farrington flexible */
    int b, w;                /* 5 years back, half window 3 */
    int reweight;            /* 1 */
    double weights_threshold;/* 2.58 */
    int trend;               /* 1 */
    double p_trend;          /* 0.05 (Noufaily: 1) */
    int limit_cases, limit_weeks; /* limit54 = (5, 4) */
    int no_periods;          /* 1 (Noufaily: 10) */
    int past_weeks;          /* weeks excluded before the current one: w (Noufaily: 26) */
    int nb_plugin;           /* 0: "delta" threshold; 1: "nbPlugin" */
    /* CUSUM */
    double k, h;             /* reference value 1.04, decision interval 2.26 */
    int cusum_baseline;      /* weeks before the range used for the mean m: 52 */
    int cusum_reset;         /* 1: restart the sum at 0 after an alarm (R never does) */
} ews_params;

/* Fill *p with the defaults of method m (the R defaults listed above). */
void ews_params_default(ews_method m, ews_params *p);

/* One weekly series. days[] (days since 1970-01-01, strictly increasing by 7)
 * makes Farrington pick reference weeks by calendar like R's epochAsDate=TRUE;
 * NULL means integer weeks with 52 weeks a year (epochAsDate=FALSE). */
typedef struct ews_series {
    size_t n;
    const double *y;         /* counts >= 0 */
    const int64_t *days;     /* may be NULL */
} ews_series;

/* Per-week results, arrays of length n (0-based week t). Weeks before `from`
 * are outside the monitored range: every value NA. */
typedef struct ews_result {
    size_t n, from;          /* from: 0-based first monitored week */
    double *upper;           /* upper bound (NAN when the method gives none)  */
    signed char *alarm;      /* 1, 0, or -1 = NA                              */
    double *expected;        /* Farrington: expected count; CUSUM: m          */
    double *stat;            /* EARS: C1/C2/C3 statistic; CUSUM: the sum; Farrington: score */
    double *pvalue, *phi, *mu0, *trendcoef; /* Farrington diagnostics          */
    signed char *trend;      /* Farrington: 1 trend kept, 0 not, -1 NA        */
} ews_result;

/* Run p->method on s. *out is owned by the caller (ews_result_free).
 * Errors: PU_ERR_INVALID (negative or non-finite count, too little history
 * for the method: the message says how many weeks are needed, missing
 * reference week for a calendar series), PU_ERR_NOMEM. */
int ews_detect(const ews_series *s, const ews_params *p, ews_result **out, pu_err *err);
void ews_result_free(ews_result *r);

/* ---- counts files: CSV "date,count" ----------------------------------
 * `date` is an ISO date (weekly, 7 days apart) or an integer week index
 * (consecutive); all rows use the same kind. Errors name file:line: dates
 * out of order, duplicate weeks, gaps, negative or non-integer counts,
 * missing header. Owned by the caller: ews_counts_free. */
typedef struct ews_counts {
    size_t n;
    double *y;
    int64_t *days;           /* NULL when the file uses week indexes */
    int64_t *week;           /* the week index as written (index mode) */
} ews_counts;

int ews_counts_read(const char *path, ews_counts **out, pu_err *err);
int ews_counts_read_mem(const char *data, size_t n, ews_counts **out, pu_err *err);
void ews_counts_free(ews_counts *c);
/* Write "date,count,upperbound,alarm" (upperbound empty when NA, alarm
 * 1/0/empty); r may be NULL (counts only). Errors: PU_ERR_IO. */
int ews_result_write_csv(FILE *f, const ews_counts *c, const ews_result *r, pu_err *err);
/* The rows only, each prefixed with "series," when series is non-NULL
 * (CSV-quoted when needed). Errors: PU_ERR_IO. */
int ews_result_write_rows(FILE *f, const char *series, const ews_counts *c, const ews_result *r, pu_err *err);

/* Many series in one file: an optional `series` column names the stratum
 * (e.g. "isotonitazene/MX-SIN"); the rows of one series must be together and
 * in date order, each series checked like ews_counts_read; one date kind for
 * the whole file. Without a `series` column the file is one series named "".
 * Owned by the caller: ews_counts_set_free.
 * Errors: as ews_counts_read, plus PU_ERR_INVALID when a series reappears. */
typedef struct ews_counts_set {
    size_t n;
    char **names;
    ews_counts **series;
    int has_names;            /* 1 when the file had a series column */
    size_t *hash, hcap;       /* internal */
} ews_counts_set;
int ews_counts_read_set(const char *path, ews_counts_set **out, pu_err *err);
void ews_counts_set_free(ews_counts_set *s);

/* ======================================================================
 * Places and substances (pure, no store)
 * ====================================================================== */

/* Normalise a substance name for lookup: Unicode NFKC + case fold, Greek
 * letters spelled out (α -> alpha), "para-/p-" -> "4-", "ortho-/o-" -> "2-",
 * "meta-/m-" -> "3-", whitespace/hyphens/commas/quotes removed. The result
 * is owned by the caller (free). Errors: PU_ERR_INVALID (not UTF-8), NOMEM. */
int ews_normalize_name(const char *name, char **out, pu_err *err);

/* ======================================================================
 * Persistent EWS (store)
 * ====================================================================== */

typedef struct ews ews_t;

/* Run the "ews" migrations on db and, when the vocabulary or places table
 * is empty (a new store), load the bundled data (data/ews/substances.csv
 * and places.csv, compiled into the binary). Idempotent: run it once when a
 * process starts (the server at startup, the CLI before a store command),
 * not per request. Errors: PU_ERR_DB, PU_ERR_CONFLICT (store newer than the
 * binary), PU_ERR_INVALID (bundled data: a build error). */
int ews_migrate(db_t *db, pu_err *err);
/* Open the EWS on an open SQL handle (not owned) whose schema ews_migrate
 * has set up. Cheap (no SQL): fit for every request. The handle is freed
 * with ews_close (NULL-safe). Errors: PU_ERR_NOMEM. */
int ews_open(db_t *db, ews_t **out, pu_err *err);
void ews_close(ews_t *e);

/* Vocabulary: load a substances CSV (canonical id, names, class, CAS,
 * InChIKey, synonyms; optional owner and marking, default EWS / PUBLIC)
 * replacing entries with the same id.
 * Errors: PU_ERR_INVALID with file:line/field, PU_ERR_DB. */
int ews_vocab_load(ews_t *e, const char *path, int64_t *loaded, pu_err *err);
/* Resolve a name (any language/spelling) to a canonical substance id
 * (caller frees), for a reader: the synonym and the substance must be
 * visible to scope. Errors: PU_ERR_NOTFOUND when unknown or hidden. */
int ews_vocab_resolve(ews_t *e, const store_scope *scope, const char *name, char **id, pu_err *err);
/* One vocabulary entry as a reader sees it. */
typedef struct ews_substance {
    char id[64], cls[32], name_en[96], name_es[96], cas[16], inchikey[32];
    int64_t synonyms;        /* synonyms visible to the reader */
    char owner[32], marking[16];
} ews_substance;
typedef int (*ews_substance_cb)(const ews_substance *s, void *ctx);
/* Call cb for every substance visible to scope (in SQL: store_scope_sql),
 * by class then id; a non-zero cb result stops the walk. Errors: PU_ERR_DB,
 * PU_ERR_INTERNAL (NULL scope). */
int ews_vocab_list(ews_t *e, const store_scope *scope, ews_substance_cb cb, void *ctx, pu_err *err);
/* Add a synonym to a substance (curator work) with its owner and marking
 * (NULL: "EWS", "PUBLIC"). Errors: NOTFOUND, CONFLICT (the name already
 * resolves to another substance), INVALID (marking), DB. */
int ews_vocab_add_synonym(ews_t *e, const char *id, const char *name, const char *lang, const char *owner,
                          const char *marking, pu_err *err);

/* ews_vocab_add_synonym done by a user (curator work under a scope): the
 * synonym is owned by the scope's agency, its marking (NULL: PUBLIC) must
 * pass store_check_file, and the substance must be visible to scope.
 * STORE_SYSTEM: as ews_vocab_add_synonym with owner "EWS".
 * Errors: as ews_vocab_add_synonym, plus DENIED (marking; field "marking"). */
int ews_vocab_add_synonym_as(ews_t *e, const store_scope *scope, const char *id, const char *name, const char *lang,
                             const char *marking, pu_err *err);

/* Import statistics. read = reports + rejected + unchanged + duplicate. */
typedef struct ews_import_stats {
    int64_t reports, substances, queued, alerts;
    int64_t read;       /* records in the input */
    int64_t rejected;   /* records refused (each reported with its place and field) */
    int64_t unchanged;  /* records already imported earlier with the same content (not written) */
    int64_t duplicate;  /* records repeating an earlier record of the same input (not written) */
} ews_import_stats;

/* A report may be dated at most this many days after today (UTC): a lab in
 * a time zone ahead of UTC dates its report "tomorrow". Anything later is a
 * typo (2029 for 2026) that would move the weekly scan into the future. */
#define EWS_FUTURE_TOLERANCE_DAYS 1
/* A baseline (ews_import_opts.baseline) holds history only: a report younger
 * than this is refused there, so a baseline cannot silence the alert of a
 * current emergence (recent reports are imported normally and may alert). */
#define EWS_BASELINE_MIN_AGE_DAYS 28

/* Import reports from CSV (header with columns report_id, date, place,
 * source_agency, type, substances ('|'-separated), matrix, quantity_g,
 * purity_pct, owner, marking) or JSON lines (same keys, substances an array)
 * chosen by `format` ("csv", "jsonl" (= "json", "ndjson"), or NULL: by
 * extension). This form is all or nothing (strict, see ews_import_opts):
 * every invalid record is checked, the first is returned with file:line,
 * field and what was expected (the message says how many were bad), and
 * nothing is written. A report dated after today + EWS_FUTURE_TOLERANCE_DAYS
 * is invalid. Unknown substance names are stored on the report AND queued
 * for the curator (never dropped). First detections (anywhere, in a country,
 * in a state) raise alerts. `stats` (may be NULL) is set on success only.
 * Transactions: with no transaction open on the EWS's db handle the import
 * is its own transaction (committed on success). Inside the caller's open
 * transaction (db_begin) it runs under a savepoint and does NOT commit: it
 * becomes durable with the caller's db_commit, and a failure takes back
 * exactly its own writes, leaving the caller's transaction open.
 * Errors: PU_ERR_INVALID, PU_ERR_IO, PU_ERR_LIMIT (line or list too long),
 * PU_ERR_CONFLICT (report_id exists with other content), PU_ERR_DB. */
int ews_import(ews_t *e, const char *path, const char *format, ews_import_stats *stats, pu_err *err);

/* Options of an import (all may be NULL / 0; the struct may be NULL). */
typedef struct ews_import_opts {
    const char *format; /* "csv", "jsonl", or "json" = one JSON array of report
                           objects, or JSON lines (the first non-blank byte
                           decides); NULL = "json" */
    const char *name;   /* prefix of the places in messages ("body: record 3");
                           NULL = none */
    const char *owner;  /* non-NULL: import on behalf of this agency: a report
                           without an owner is filed as it, a report naming
                           another owner is refused (PU_ERR_DENIED, field
                           "owner") */
    const store_scope *scope; /* non-NULL: the filing user (the API). Its
                           agency is the owner when `owner` is NULL, and
                           every report's marking must be one that agency
                           may file (store_check_file: a MX agency cannot
                           file US-ONLY; PU_ERR_DENIED, field "marking").
                           NULL: the operator, who may file anything */
    pu_buf *ids;        /* non-NULL: the stored ids of the reports imported
                           (in the filer's namespace, "dea-R1") are appended,
                           comma-separated, for the audit trail; a full
                           buffer clips the list (the count is in stats) */
    int partial;        /* 1: a bad record is refused alone (counted in
                           stats->rejected, reported to `report`) and the good
                           ones are imported; 0 (strict): all or nothing */
    int baseline;       /* 1: backfill of known history: reports and their
                           first-seen marks are stored, but no alert is raised
                           (so later reports are judged against this history);
                           a report dated within EWS_BASELINE_MIN_AGE_DAYS of
                           today is refused (field "date") */
    FILE *report;       /* non-NULL: one line per refused or repeated record,
                           "puente: place: field 'f': message" */
    const char *today;  /* "YYYY-MM-DD" that future dates are judged against;
                           NULL = pu_today() (UTC; PUENTE_TODAY overrides) */
} ews_import_opts;

/* ews_import with options: the file at path as o->format (NULL: by
 * extension), on behalf of o->owner / o->scope when set (see above; o->name
 * is not used: messages name file:line). Strict unless o->partial: then it
 * returns PU_OK with stats->rejected > 0 when some records were refused.
 * Same errors as ews_import, plus PU_ERR_DENIED (owner or marking). */
int ews_import_path(ews_t *e, const char *path, const ews_import_opts *o, ews_import_stats *stats, pu_err *err);

/* Import reports from the n bytes at data (not copied, need not be
 * NUL-terminated), parsed by the same code as ews_import and with the same
 * all-or-nothing (unless o->partial) and transaction rules (use it inside
 * the caller's transaction to commit the import together with, e.g., its
 * audit entry). Places in messages are "record N" for JSON (N-th report; for
 * JSON lines blank lines are not counted and "(line L)" is added when it
 * differs) and "line L" for CSV. Creates no file.
 * Errors: as ews_import, plus PU_ERR_DENIED (owner or marking, see above) and
 * PU_ERR_INVALID for an unknown format or a body that is neither an array
 * nor JSON lines. */
int ews_import_mem(ews_t *e, const char *data, size_t n, const ews_import_opts *o, ews_import_stats *stats,
                   pu_err *err);

/* Curator queue entry (unknown names). One item per (name, audience of the
 * reports that used it: everyone, a country, or one agency), so its count
 * and first report only cover reports its readers may see. */
typedef struct ews_queue_item {
    int64_t id;
    char name[256];
    char norm[256];
    int64_t count;           /* reports that used this name */
    char first_report[128];
    char status[16];         /* open, resolved, rejected */
    char substance[64];      /* resolved target */
} ews_queue_item;
typedef int (*ews_queue_cb)(const ews_queue_item *q, void *ctx);
/* Call cb for every queue item with status (NULL = all) visible to scope
 * (filtered in SQL: store_scope_sql), most used first; a non-zero cb result
 * stops. Errors: PU_ERR_DB, PU_ERR_INTERNAL (NULL scope). */
int ews_queue_list(ews_t *e, const store_scope *scope, const char *status, ews_queue_cb cb, void *ctx, pu_err *err);
/* Resolve a queued name to a substance as scope (curator work; the operator
 * passes STORE_SYSTEM): adds the synonym, re-links the reports that used it
 * and runs first-detection on them. The item and the substance must be
 * visible to scope. Errors: NOTFOUND (item or substance absent or hidden),
 * CONFLICT (already resolved), DB. */
int ews_queue_resolve(ews_t *e, const store_scope *scope, int64_t item, const char *substance, pu_err *err);

/* Dismiss a queued name (not a substance: a typo of a known word, a brand
 * of no interest...) as scope: the item's status becomes "rejected" and it
 * leaves the open queue; its reports keep the name as they wrote it. The
 * item must be visible to scope and its owner must be the reader's agency or
 * have granted it (store_check_owner); the operator passes STORE_SYSTEM.
 * Errors: NOTFOUND (absent or hidden), DENIED (another agency's item),
 * CONFLICT (not open), DB. */
int ews_queue_reject(ews_t *e, const store_scope *scope, int64_t item, pu_err *err);

/* Resolve every open queue item whose name the vocabulary now knows (after
 * a vocabulary load), as ews_queue_resolve does; *resolved gets the number.
 * Errors: DB. */
int ews_queue_autoresolve(ews_t *e, int64_t *resolved, pu_err *err);

/* Alert. */
typedef struct ews_alert {
    int64_t id;
    char kind[32];           /* first-anywhere, first-country, first-state, aberration */
    char severity[16];       /* low, medium, high, critical */
    char substance[64];
    char place[64];
    char week[16];           /* ISO date of the week (Monday) or the report date */
    char method[32];
    double observed, expected, upper;   /* NAN when not applicable */
    char text_en[512], text_es[512];
    char addressed[256];     /* ';'-separated agencies */
    char status[16];         /* open, acknowledged, closed */
    char owner[32], marking[16];
    char created[24], acked_by[32], closed_by[32], note[256];
} ews_alert;
typedef int (*ews_alert_cb)(const ews_alert *a, void *ctx);

typedef struct ews_alert_query {
    const char *status;      /* NULL = all */
    const char *agency;      /* only alerts addressed to this agency (CLI --to); NULL = all */
    const char *substance;   /* canonical id; NULL = all */
} ews_alert_query;
/* Call cb for every alert visible to scope that matches q (may be NULL),
 * by id; every condition is SQL (store_scope_sql and the filters), so hidden
 * alerts are never read. A non-zero cb result stops. Errors: PU_ERR_DB,
 * PU_ERR_INTERNAL (NULL scope). */
int ews_alerts_list(ews_t *e, const store_scope *scope, const ews_alert_query *q, ews_alert_cb cb, void *ctx, pu_err *err);
/* Acknowledge / close an alert as `agency`. The write rule: `agency` is a
 * known agency (registered in acl_agency, or an addressee agency of the EWS
 * places data, e.g. the state health secretariats "MX-SIN-SSA", which the
 * acronym rule keeps out of acl_agency) - an unknown one is refused before
 * anything else; the reader acts only for its own agency
 * (store_check_act_for: STORE_SYSTEM, the operator, may name any agency),
 * the alert must be visible to scope, and `agency` must be one of the
 * alert's addressees: only an addressee acknowledges or closes, and only for
 * itself. note (may be NULL) replaces the note on close.
 * Errors: INVALID (agency empty or unknown, field "agency"), DENIED (another agency than the reader's,
 * or not an addressee; field "agency"), NOTFOUND (absent or hidden: the two
 * look the same), CONFLICT (wrong state: closing a closed alert,
 * acknowledging an acknowledged or closed one), DB. */
int ews_alert_ack(ews_t *e, const store_scope *scope, int64_t id, const char *agency, pu_err *err);
int ews_alert_close(ews_t *e, const store_scope *scope, int64_t id, const char *agency, const char *note, pu_err *err);

/* Aberration scan: weekly counts of reports per substance x state from the
 * store, from the first report week to `until` (ISO date; NULL = last
 * report), run `p` on each series with at least `min_weeks` weeks of data,
 * and raise an alert for an alarm in the newest `last_weeks` weeks.
 * `*raised` gets the number of new alerts, `*too_short` (may be NULL) the
 * number of series with too little history for the method (no verdict).
 * Errors: INVALID, DB. */
int ews_scan(ews_t *e, const ews_params *p, const char *until, int last_weeks, int64_t *raised, int64_t *too_short,
             pu_err *err);

/* Weekly counts of the reports visible to scope (in SQL) of one substance
 * (and place prefix, e.g. "MX-SIN", "MX", NULL = all) into a counts series
 * (caller frees). Errors: NOTFOUND (unknown or hidden substance), DB. */
int ews_counts_from_store(ews_t *e, const store_scope *scope, const char *substance, const char *place,
                          ews_counts **out, pu_err *err);

/* Demo generator: weekly report streams (CSV in the import format) for US
 * and MX states from `start` for `weeks` weeks, with injected emergences
 * (a nitazene in Sinaloa and Arizona, medetomidine in Pennsylvania, ...).
 * Deterministic for a seed. Errors: PU_ERR_IO. */
int ews_demo_generate(FILE *out, const char *start, int weeks, uint64_t seed, pu_err *err);

/* ---- named counts (ews_counts_pub.c) ---------------------------------------
 * The impact indicators' figures (common/pu_count.h; docs/ews.md "Named
 * counts"): ews.reports (per report), ews.new_substances (each substance
 * once, in the cell of its first report the reader sees), ews.first_alerts
 * and ews.first_alert_days (one row per substance with a visible
 * first-anywhere alert: days from the first report's arrival to the alert).
 * Only what scope may see. Errors: PU_ERR_DB, PU_ERR_NOMEM,
 * PU_ERR_INTERNAL (NULL scope), cb's. */
#include "common/pu_count.h"
int ews_counts_publish(db_t *db, const store_scope *scope, pu_count_cb cb, void *ctx, pu_err *err);
/* The same rows, each with its record (kind ews_report, id = the report id,
 * label its place; or kind ews_substance, id = the substance, for the rows
 * counted per substance; link /app/alerts): the drill-down to records
 * (app.h count_records). Errors: as ews_counts_publish. */
int ews_count_records(db_t *db, const store_scope *scope, pu_count_cb cb, void *ctx, pu_err *err);

#endif
