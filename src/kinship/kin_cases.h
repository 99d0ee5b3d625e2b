/*
 * kin_cases.h - the identification case database of the kinship module
 * (docs/kinship.md "Case database"). The likelihood engine (kinship.h) stays
 * files in, results out; this layer keeps casework in the store:
 *
 *   kin_freqdb   allele-frequency databases, by name and version (reference
 *                data, no owner: every search names the version it used)
 *   kin_case     a case (site, investigation): owner, marking, state
 *   kin_pm       unidentified remains (PM samples): site, grave, lab, kit,
 *                quality, dropout/drop-in, the profile
 *   kin_family   a missing person's family: AM data and the pedigree
 *   kin_ref      reference donors (typed relatives) with their consent
 *   kin_consent  every consent given or withdrawn (identification only)
 *   kin_run      every search: pairs computed, model, frequency version
 *   kin_hit      candidate pairs with LR >= threshold, their review state
 *   kin_hit_event  who did what to a hit (four eyes)
 *
 * Every read goes through store_scope_sql with the reader's scope; every
 * write is checked with store_check_file / store_check_owner. Profiles are
 * kept as text "MARKER=a/b;MARKER=a/b" (labels as typed).
 *
 * Ownership: strings passed in are copied; out-parameters are the caller's.
 * Errors: PU_ERR_INVALID (bad input: where names file:line or the record,
 * field the column or option), PU_ERR_NOTFOUND (no such record visible to
 * the scope), PU_ERR_DENIED (the write rule, four eyes, consent),
 * PU_ERR_CONFLICT (duplicate id, wrong state), PU_ERR_DB, PU_ERR_NOMEM.
 */
#ifndef KIN_CASES_H
#define KIN_CASES_H

#include <stdint.h>
#include <stdio.h>

#include "common/pu.h"
#include "common/pu_count.h"
#include "db/db.h"
#include "kinship/kinship.h"
#include "store/store.h"

#define KIN_REC_ID_MAX 128        /* ids of cases, samples, families, references */
#define KIN_TEXT_MAX 500          /* free text fields (site, note, reason) */
#define KIN_PURPOSE_IDENTIFICATION "identification"

/* Bring the kinship tables up to date (run once by the registry). */
int kin_migrate(db_t *db, pu_err *err);

/* Who acts: the reader's scope and the user name (four eyes, audit). */
typedef struct kin_actor {
    const store_scope *scope;
    const char *user;
    const char *today;     /* YYYY-MM-DD, NULL = the current UTC day */
} kin_actor;

/* ---- frequency databases ---- */
/* Register frequencies (and optional mutation models) as the next version of
 * `name`; the CSV texts are checked with the engine's readers first.
 * *version receives the new version. Errors: PU_ERR_INVALID, PU_ERR_DB. */
int kin_freqdb_add(db_t *db, const char *name, const char *population, const char *freqs_csv,
                   const char *mutation_csv, int *version, pu_err *err);
/* Load version `version` (0 = latest) of `name` (NULL = the latest registered
 * database) as a prepared kin_db; *out_name and *out_version (may be NULL) name
 * what was loaded (out_name of KIN_REC_ID_MAX bytes).
 * Errors: PU_ERR_NOTFOUND, PU_ERR_INVALID, PU_ERR_DB. */
int kin_freqdb_load(db_t *db, const char *name, int version, kin_db **out, char *out_name, int *out_version,
                    pu_err *err);

/* ---- cases, remains, families, references ---- */
typedef struct kin_case_new {
    const char *id, *title, *country, *state, *freqdb, *owner, *marking;  /* owner NULL = the actor's agency */
} kin_case_new;
int kin_case_create(db_t *db, const kin_actor *a, const kin_case_new *n, pu_err *err);

typedef struct kin_pm_meta {
    const char *site, *grave, *lab, *kit, *quality, *marking;  /* marking NULL = the case's */
    double dropout, dropin;                                     /* of every marker of these samples */
    /* per sample / per marker values over dropout/dropin, CSV
     * sample,marker,dropout[,dropin] with "*" wildcards (the --dropout-file
     * format; samples of this import only); NULL = none. Messages name
     * dropout_name:line. */
    const char *dropout_csv;
    size_t dropout_len;
    const char *dropout_name;
} kin_pm_meta;
/* Import PM samples of case_id from pm_genotypes CSV text (sample,sex,marker,
 * allele1,allele2), read by the engine's reader with the case's frequency
 * database (messages name `name`:line). *added = samples stored. Sample ids
 * already in the store are PU_ERR_CONFLICT (nothing stored). */
int kin_pm_import(db_t *db, const kin_actor *a, const char *case_id, const char *csv, size_t len, const char *name,
                  const kin_pm_meta *meta, int *added, pu_err *err);

/* Replace the dropout model of stored PM sample pm_id: every marker gets
 * (dropout, dropin), then the rows of the CSV (may be NULL; sample must be
 * pm_id or "*"), e.g. from the sample's quality or peak heights. The sample
 * is searched again by the next incremental search (against every family)
 * and its open hits (candidate, reviewed) are superseded, because their LRs
 * were computed with the old values. The per-marker values are stored.
 * Errors: PU_ERR_NOTFOUND (no such sample visible), PU_ERR_DENIED (write
 * rule), PU_ERR_INVALID (a probability, file:line, field), PU_ERR_DB. */
int kin_pm_set_dropout(db_t *db, const kin_actor *a, const char *pm_id, double dropout, double dropin,
                       const char *csv, size_t len, const char *name, pu_err *err);
/* The stored dropout of PM sample pm_id as "*=d/c;MARKER=d/c" ("" = exact)
 * into out (KIN_DROP_TEXT_MAX bytes). Errors: PU_ERR_NOTFOUND, PU_ERR_DB. */
#define KIN_DROP_TEXT_MAX 8192
int kin_pm_dropout(db_t *db, const kin_actor *a, const char *pm_id, char *out, pu_err *err);

typedef struct kin_family_meta {
    const char *missing_name, *disappeared, *am_notes, *marking;
} kin_family_meta;
/* Import families of case_id from am_pedigrees CSV text (family,id,fid,mid,
 * sex,role), checked by the engine's pedigree reader. *added = families. */
int kin_family_import(db_t *db, const kin_actor *a, const char *case_id, const char *csv, size_t len,
                      const char *name, const kin_family_meta *meta, int *added, pu_err *err);

typedef struct kin_ref_meta {
    const char *donor, *relation, *consent_document;  /* consent_document is required */
} kin_ref_meta;
/* Import reference profiles from am_genotypes CSV text (family,id,marker,
 * allele1,allele2): every typed person becomes a reference "FAMILY/ID" with
 * consent given for identification only (consent_document recorded). The
 * family's revision goes up, so the next search scores it again.
 * Errors: PU_ERR_INVALID (no consent document, bad profile, a person not in
 * the pedigree or a missing person), PU_ERR_NOTFOUND (family). */
int kin_ref_import(db_t *db, const kin_actor *a, const char *csv, size_t len, const char *name,
                   const kin_ref_meta *meta, int *added, pu_err *err);

/* Withdraw (give = 0) or give again (give = 1) the consent of reference
 * ref_id ("FAMILY/ID"), recorded with reason/document, the user and the day.
 * A withdrawn reference takes part in no later search; open hits of its
 * family are superseded and the family is scored again without it.
 * Errors: PU_ERR_NOTFOUND, PU_ERR_INVALID (no reason), PU_ERR_CONFLICT (no change). */
int kin_consent_set(db_t *db, const kin_actor *a, const char *ref_id, int give, const char *text, pu_err *err);

/* The pedigree of family `family` as the actor sees it, for drawing: lines
 * "id,fid,mid,sex,role,typed" (fid/mid "0" = founder; typed 1 = a reference
 * with consent), in *out (caller frees). Errors: PU_ERR_NOTFOUND, PU_ERR_DB. */
int kin_family_pedigree(db_t *db, const kin_actor *a, const char *family, char **out, pu_err *err);

/* ---- incremental search ---- */
typedef struct kin_run_opts {
    const char *freqdb;    /* NULL = latest database */
    double threshold;      /* LR (default 1e4 when 0) */
    int max_incomp;        /* default 2 (< 0: default) */
    int threads;           /* 0 = CPUs */
    double theta;
} kin_run_opts;

typedef struct kin_run_result {
    int64_t run_id;
    long new_pm, changed_families, families, pms;
    uint64_t pairs;        /* PM x missing-person pairs computed in this run */
    long hits;             /* new candidate hits */
    double seconds;
} kin_run_result;
/* Score only what is new: PM samples never searched against every family,
 * and families whose references changed since their last search (a new
 * reference, a consent withdrawn) against every PM sample already searched.
 * Only references with consent take part. Exact profiles go through the
 * blind-search tables (kin_search_run); samples with dropout are scored pair
 * by pair with the dropout model. Pairs with LR >= threshold and at most
 * max_incomp excluded markers become candidate hits, stored with the
 * frequency database version and the model. The search is the national
 * service's: only the store operator (STORE_SYSTEM scope) runs it, because
 * "already searched" is one state for every agency (PU_ERR_DENIED
 * otherwise); each hit takes the stricter marking of its two records, so a
 * reader sees a hit only when allowed to. A search with nothing new records
 * no run (run_id 0). */
int kin_cases_search(db_t *db, const kin_actor *a, const kin_run_opts *o, kin_run_result *out, pu_err *err);

/* ---- hits and four eyes ---- */
typedef struct kin_hit_rec {
    int64_t id;
    char pm[KIN_REC_ID_MAX], family[KIN_REC_ID_MAX], missing[KIN_REC_ID_MAX], case_id[KIN_REC_ID_MAX];
    double lr, log10_lr, prior, posterior;  /* prior/posterior NAN until confirmed */
    int excluded;
    char status[16];       /* candidate, reviewed, confirmed, excluded, superseded */
    char freqdb[KIN_REC_ID_MAX];
    int freqdb_version;
    char model[512];
    char markers[4096];    /* "MARKER:log10LR;..." */
    char dropout[KIN_DROP_TEXT_MAX]; /* values the LR was computed with: "*=d/c;MARKER=d/c" ("" = exact) */
    char reviewed_by[96], reviewed_day[11], decided_by[96], decided_day[11];
    char note[KIN_TEXT_MAX + 1];
    char owner[32], marking[16];
} kin_hit_rec;
typedef int (*kin_hit_rec_cb)(const kin_hit_rec *h, void *ctx, pu_err *err);
/* Hits visible to the actor, best LR first; status NULL = all. */
int kin_hits_list(db_t *db, const kin_actor *a, const char *status, kin_hit_rec_cb cb, void *ctx, pu_err *err);
int kin_hit_get(db_t *db, const kin_actor *a, int64_t id, kin_hit_rec *out, pu_err *err);

/* Four eyes: review (a candidate -> reviewed, by any geneticist of the
 * owner), then confirm or exclude (reviewed -> confirmed/excluded) by a
 * DIFFERENT user. confirm records the prior and the posterior
 * LR*prior / (LR*prior + 1 - prior); prior in (0, 1) is required.
 * Errors: PU_ERR_DENIED (same user as the review, write rule),
 * PU_ERR_CONFLICT (wrong state), PU_ERR_INVALID (prior), PU_ERR_NOTFOUND. */
int kin_hit_review(db_t *db, const kin_actor *a, int64_t id, const char *note, pu_err *err);
int kin_hit_confirm(db_t *db, const kin_actor *a, int64_t id, double prior, const char *note, pu_err *err);
int kin_hit_exclude(db_t *db, const kin_actor *a, int64_t id, const char *note, pu_err *err);

/* The report of a confirmed or excluded hit for the prosecutor and the
 * family liaison, in lang "en" or "es", as text or HTML (html = 1): the
 * remains, the family and references (relations, never genotypes), the LR
 * per marker, prior, posterior, frequency database and model, and who
 * reviewed and decided when. Errors: PU_ERR_CONFLICT (not yet decided). */
int kin_hit_report(db_t *db, const kin_actor *a, int64_t id, const char *lang, int html, FILE *out, pu_err *err);

/* Export a hit for a Familias user: the pedigree (Familias terms: persons,
 * sex, father, mother; the missing person as the unknown), the references'
 * and the sample's alleles, and per-marker LRs, as text. */
int kin_hit_export_familias(db_t *db, const kin_actor *a, int64_t id, FILE *out, pu_err *err);

/* Named counts (pu_count.h): kinship.pm_samples (by year registered and the
 * case's state), kinship.family_references (references with consent, by
 * year registered and state), kinship.identifications (confirmed hits, by
 * year confirmed and state). */
int kin_counts(db_t *db, const store_scope *scope, pu_count_cb cb, void *ctx, pu_err *err);

#endif
