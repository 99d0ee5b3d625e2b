/*
 * kinship.h - human identification by STR kinship likelihood ratios (module
 * prefix kin_). Files in, results out: this engine does not use the store.
 *
 * Model (docs/kinship.md has the formulas and references):
 *  - A marker has alleles (text labels such as "9.3"), founder frequencies and
 *    a pedmut-style mutation model per parental sex.
 *  - A family is a pedigree (fid/mid, sex) with typed references, missing
 *    persons and untyped connectors. Likelihoods are computed per marker by
 *    variable elimination over allele-level variables (two per person:
 *    paternal and maternal allele), which is Elston-Stewart peeling when the
 *    pedigree has no loops. Alleles nobody in the computation carries are lumped
 *    when the mutation model allows it (exact; as pedprobr).
 *  - theta > 0: Balding-Nichols over all founder alleles of the computation
 *    (sequential Polya-urn draws), summed exactly by enumeration.
 *  - LR(V = M) = P(family data, M := V) / (P(family data) * P(V)); with theta
 *    the denominator puts V as an extra founder of the same computation.
 *
 * Ownership: every object returned through an out-parameter is owned by the
 * caller and freed with its kin_*_free function (NULL-safe). Errors are
 * PU_ERR_* with pu_err naming file:line, the field and what was expected.
 * Warnings (unknown allele given the minimum frequency, ...) go to the db's
 * warning sink (stderr by default), prefixed with file:line.
 */
#ifndef KIN_KINSHIP_H
#define KIN_KINSHIP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/pu.h"

#define KIN_MAX_ALLELES 250      /* per marker */
#define KIN_MAX_MARKERS 128
#define KIN_MAX_PERSONS 512      /* per family */
#define KIN_ALLELE_LABEL_MAX 32
#define KIN_ID_MAX 128
#define KIN_SILENT_LABEL "silent" /* frequency-file label of a marker's silent (null) allele */
#define KIN_THRESHOLD_MAX 1e300  /* LR thresholds are in (0, KIN_THRESHOLD_MAX] (the API's range too) */

/* ---- mutation models (pedmut) ------------------------------------------ */
enum kin_mut_kind { KIN_MUT_NONE = 0, KIN_MUT_EQUAL, KIN_MUT_PROPORTIONAL, KIN_MUT_STEPWISE, KIN_MUT_ONESTEP };

typedef struct kin_mutmodel {
    int kind;       /* enum kin_mut_kind */
    double rate;    /* total mutation rate */
    double rate2;   /* stepwise: total rate of non-integer (microvariant) steps */
    double range;   /* stepwise: relative weight per extra step (0 < range < 1) */
} kin_mutmodel;

/* Parse a model name ("none", "equal", "proportional", "stepwise", "onestep").
 * Returns PU_OK or PU_ERR_INVALID. */
int kin_mut_kind_parse(const char *s, int *kind);
const char *kin_mut_kind_name(int kind);

/* ---- frequency database and markers ------------------------------------ */
typedef struct kin_marker {
    char *name;
    int n;                 /* alleles */
    char **allele;         /* labels, owned */
    double *freq;          /* founder frequencies as given (not renormalised) */
    double *num;           /* numeric value of the label, NAN if not numeric */
    kin_mutmodel mut[2];   /* [0] female (maternal), [1] male (paternal) transmission */
    double *mat[2];        /* n*n row-major, NULL = no mutation; built by kin_db_prepare */
    double min_freq;       /* frequency given to alleles missing from the database */
    int added;             /* alleles added with the minimum frequency */
    int silent;            /* index of the silent (null) allele, label "silent" in the
                              frequency file, or -1; set by kin_db_prepare */
} kin_marker;

typedef struct kin_db {
    int n;                 /* markers */
    kin_marker *m;
    double min_freq;       /* default minimum frequency (0 = 5/(2N) when N known, else 0.001) */
    int prepared;          /* mutation matrices built */
    FILE *warn;            /* warning sink; NULL = silent */
    long n_warnings;
} kin_db;

/* Read a long-format frequency CSV. Columns (header, case-insensitive):
 * marker, allele, frequency, optional population and n_alleles_sampled.
 * `population` (may be NULL) selects rows of that population; when the file
 * has a population column and population is NULL, the file must hold one
 * population only. Marker names are matched case-insensitively everywhere.
 * min_freq: 0 = default (5 / n_alleles_sampled when present, else 0.001).
 * Errors: PU_ERR_IO, PU_ERR_INVALID (file:line, field, expected),
 * PU_ERR_LIMIT (too many alleles/markers), PU_ERR_NOTFOUND (population absent). */
int kin_db_read(const char *path, const char *population, double min_freq, kin_db **out, pu_err *err);
/* Same from memory (API requests, tests, fuzzing): messages name `name`
 * ("case.freqs:12"), or "<memory>" when name is NULL. */
int kin_db_read_mem(const char *data, size_t len, const char *name, const char *population,
                    double min_freq, kin_db **out, pu_err *err);
void kin_db_free(kin_db *db);  /* NULL-safe */
/* Index of a marker (case-insensitive; "vWA" == "VWA"), or -1. */
int kin_db_marker(const kin_db *db, const char *name);
/* Index of allele `label` in marker m; when absent and add != 0, the allele is
 * added with the marker's minimum frequency and a warning naming `where` is
 * written. Returns the index, or -1 (absent and add == 0, or PU_ERR_LIMIT). */
int kin_db_allele(kin_db *db, int m, const char *label, int add, const char *where);
/* Read mutation_models.csv: marker, female_model, female_rate, female_rate2,
 * female_range, male_model, male_rate, male_rate2, male_range. Markers not in
 * the file keep "none". Unknown markers: warning (ignored).
 * Errors: PU_ERR_IO, PU_ERR_INVALID. */
int kin_db_read_mutation(kin_db *db, const char *path, pu_err *err);
/* Same from memory; messages name `name` (or "<memory>"). */
int kin_db_read_mutation_mem(kin_db *db, const char *data, size_t len, const char *name, pu_err *err);
/* Set one model for every marker and both sexes. */
void kin_db_set_mutation(kin_db *db, const kin_mutmodel *female, const kin_mutmodel *male);
/* Build the mutation matrices (call after all alleles are known; cheap to
 * call again). Errors: PU_ERR_INVALID (stepwise on non-numeric alleles,
 * rates outside [0,1], proportional rate too high for the frequencies). */
int kin_db_prepare(kin_db *db, pu_err *err);

/* ---- profiles, pedigrees, DVI data ------------------------------------- */
#define KIN_UNTYPED (-1)
enum kin_role { KIN_ROLE_UNTYPED = 0, KIN_ROLE_REFERENCE, KIN_ROLE_MISSING };

typedef struct kin_person {
    char *id;
    int father, mother;    /* index in the family, -1 = founder */
    int sex;               /* 1 male, 2 female, 0 unknown */
    int role;              /* enum kin_role */
} kin_person;

/* Evidence model of one typed person at one marker (docs/kinship.md
 * "Dropout, drop-in, silent alleles"): each allele copy of the true genotype
 * drops out independently with probability d; then with probability c one
 * drop-in allele z (drawn with the marker's frequencies) is added. d = c = 0
 * (and no silent allele) is the exact genotype. */
typedef struct kin_ev { double d, c; } kin_ev;

typedef struct kin_family {
    char *name;
    int n;
    kin_person *p;
    int16_t *g;            /* n * 2 * db->n allele indices, KIN_UNTYPED = not typed */
    kin_ev *ev;            /* n * db->n evidence models, NULL = every typed person exact
                              (set when a PM sample with dropout is moved into the family) */
    int *order;            /* persons with parents before children */
} kin_family;

typedef struct kin_sample {
    char *id;
    int sex;
    int16_t *g;            /* 2 * db->n */
} kin_sample;

typedef struct kin_missing { int fam, person; } kin_missing;

typedef struct kin_case {
    kin_db *db;            /* borrowed */
    int nfam;
    kin_family *fam;
    int nvic;
    kin_sample *vic;
    kin_ev *vic_ev;        /* nvic * db->n dropout/drop-in of PM samples, NULL = none
                              (kin_case_set_dropout, kin_case_read_dropout) */
    int nmiss;
    kin_missing *miss;     /* every role=missing person, in file order */
} kin_case;

/* Read am_pedigrees.csv (family,id,fid,mid,sex,role). Checks: unknown parent
 * ids, a person listed twice, one parent given without the other, father not
 * male / mother not female, cycles (someone is their own ancestor).
 * Errors: PU_ERR_IO, PU_ERR_INVALID (file:line), PU_ERR_LIMIT. */
int kin_case_read_pedigrees(kin_db *db, const char *path, kin_case **out, pu_err *err);
int kin_case_read_pedigrees_mem(kin_db *db, const char *data, size_t len, const char *name,
                                kin_case **out, pu_err *err); /* from memory, named as kin_db_read_mem */
/* Read am_genotypes.csv (family,id,marker,allele1,allele2) into the case.
 * Unknown markers are skipped with a warning; unknown alleles get the minimum
 * frequency with a warning; one allele empty and the other not, or a person
 * not in the pedigree, is PU_ERR_INVALID. */
int kin_case_read_am(kin_case *c, const char *path, pu_err *err);
int kin_case_read_am_mem(kin_case *c, const char *data, size_t len, const char *name, pu_err *err);
/* Read pm_genotypes.csv (sample,sex,marker,allele1,allele2). */
int kin_case_read_pm(kin_case *c, const char *path, pu_err *err);
int kin_case_read_pm_mem(kin_case *c, const char *data, size_t len, const char *name, pu_err *err);
void kin_case_free(kin_case *c);  /* NULL-safe; does not free c->db */

#define KIN_DROP_MAX 0.99  /* dropout and drop-in probabilities are in [0, KIN_DROP_MAX] */
/* Give every PM sample and marker dropout d and drop-in c (0 <= d, c <= KIN_DROP_MAX).
 * d = c = 0 clears the model (exact genotypes, the results of dvir).
 * Errors: PU_ERR_INVALID (out of range), PU_ERR_NOMEM. */
int kin_case_set_dropout(kin_case *c, double d, double cin, pu_err *err);
/* Read per-sample / per-marker values: CSV sample,marker,dropout[,dropin];
 * sample or marker "*" = every sample / marker; later rows override earlier
 * ones. Unknown samples are errors (file:line, field 'sample'), unknown
 * markers warnings. Errors: PU_ERR_IO, PU_ERR_INVALID, PU_ERR_NOMEM. */
int kin_case_read_dropout(kin_case *c, const char *path, pu_err *err);
int kin_case_read_dropout_mem(kin_case *c, const char *data, size_t len, const char *name, pu_err *err);
/* P(observed {o1,o2} | true genotype {x,y}) at marker mk under ev (allele
 * indices of mk; o1 == o2 = one allele seen; the silent allele never seen). */
double kin_ev_prob(const kin_marker *mk, int o1, int o2, int x, int y, const kin_ev *ev);

/* ---- likelihood core ---------------------------------------------------- */
/* Likelihood of one marker for a pedigree of n persons (fa/mo: -1 founder;
 * sex 1/2/0) with genotypes gt[2n] (allele indices or KIN_UNTYPED).
 * keep < 0: *out is the scalar likelihood. keep >= 0: person `keep` must be
 * untyped and out receives the n_alleles*n_alleles table over its ordered
 * (paternal, maternal) alleles (the genotype likelihood of {a,b} is
 * out[a*n+b] + out[b*n+a] for a != b). mutate = 0 ignores the mutation model.
 * Errors: PU_ERR_LIMIT (theta enumeration or factor too large), PU_ERR_NOMEM. */
int kin_ped_lik(const kin_marker *mk, int n, const int *fa, const int *mo, const int *sex,
                const int16_t *gt, double theta, int mutate, int keep, double *out, pu_err *err);
/* The same with an evidence model per person (ev[n], may be NULL = all
 * exact): a typed person whose ev has d > 0 or c > 0, and every typed person
 * at a marker with a silent allele, contributes P(observed | true genotype)
 * (kin_ev_prob) instead of fixing the genotype. With ev NULL or all zero and
 * no silent allele this is kin_ped_lik, bit for bit. */
int kin_ped_lik_ev(const kin_marker *mk, int n, const int *fa, const int *mo, const int *sex,
                   const int16_t *gt, const kin_ev *ev, double theta, int mutate, int keep, double *out,
                   pu_err *err);

/* Genotype probability of {a,b} for an unrelated person (theta = 0). */
double kin_geno_prob(const kin_marker *mk, int a, int b);

/* ---- DVI (as dvir) ------------------------------------------------------ */
typedef struct kin_opts {
    double theta;          /* default 0 */
    int max_incomp;        /* exclusion: more than this many incompatible markers; default 2 */
    double threshold;      /* LR threshold for undisputed/GLR matches; default 1e4 */
    int threads;           /* search: 0 = number of CPUs */
    long max_rows;         /* solve: cap on each joint enumeration (0 = 5,000,000; PU_ERR_LIMIT beyond) */
} kin_opts;
/* theta 0, max_incomp 2, threshold 1e4, threads 0, max_rows 0. */
void kin_opts_default(kin_opts *o);

/* Pairwise LR matrix: lr[v * nmiss + j] for victim v and missing person j;
 * NAN when the sexes differ. excl[v * nmiss + j] = number of markers where the
 * pair is Mendelian-incompatible with the family (mutation ignored), -1 when
 * sex-incompatible. Either output may be NULL. Arrays are caller-allocated.
 * Errors: as kin_ped_lik. */
int kin_pairwise(const kin_case *c, const kin_opts *o, double *lr, int *excl, pu_err *err);

/* One pair per marker: logm[m] = natural log of the LR of victim v as
 * missing person j at marker m (0 for a marker the victim is not typed at),
 * incomp[m] (may be NULL) = 1 when the marker is Mendelian-incompatible
 * (mutation ignored). Arrays of c->db->n, caller-allocated; the product of
 * exp(logm) is kin_pairwise's LR. The db must be prepared (kin_db_prepare,
 * done by kin_pairwise and kin_request_load). Errors: as kin_ped_lik. */
int kin_pair_markers(const kin_case *c, const kin_opts *o, int v, int j, double *logm, int *incomp, pu_err *err);

/* Log-likelihood (natural log) of the whole case under one assignment:
 * assign[v] = index into c->miss or -1. -INFINITY if impossible. */
int kin_joint_loglik(const kin_case *c, const kin_opts *o, const int *assign, double *out, pu_err *err);

typedef struct kin_joint_row { int *assign; double loglik; } kin_joint_row;
typedef struct kin_joint {
    int nvic, nmiss;
    long n;                /* assignments enumerated */
    kin_joint_row *row;    /* sorted by loglik descending, n rows */
    double *post;          /* (nmiss + 1) * nvic: P(V = M | data), flat prior; last row = unassigned */
} kin_joint;
/* Enumerate every sex-consistent assignment of victims to distinct missing
 * persons (as dviJoint's full search), with family likelihoods cached per
 * (family, sub-assignment), and flat-prior posterior pairing probabilities.
 * only_vic/only_miss (may be NULL): restrict to these victims/missing persons
 * (1 = included), the others treated as absent. max_rows caps n (PU_ERR_LIMIT).
 * Errors: as kin_ped_lik, PU_ERR_LIMIT, PU_ERR_NOMEM. */
int kin_joint_run(const kin_case *c, const kin_opts *o, const char *only_vic, const char *only_miss,
                  long max_rows, kin_joint **out, pu_err *err);
void kin_joint_free(kin_joint *j);  /* NULL-safe */

/* dviSolve-style conclusions (dvir's columns). One AM row per missing person
 * (Family, Missing, Sample, LR, GLR, Conclusion, Comment) and one PM row per
 * victim (Sample, Missing, Family, ...). Conclusions: "Undisputed" (comment
 * "Step k"), "Match (GLR)" ("Joint: {...}"), "Symmetric match",
 * "Inconclusive" ("Best: X" outside a joint analysis), "No match" (best LR
 * below 1) and "Excluded" ("No compatible pairings" / "k+ inconsistencies"). */
typedef struct kin_solve_row {
    int fam, miss, vic;    /* indices (c->fam, c->miss, c->vic); -1 = none */
    char sample[256];      /* AM: the victim(s) ("V2/V3"); PM: the missing person(s) ("M2/M3"); "" = empty */
    double lr, glr;        /* NAN = empty */
    char conclusion[32];
    char comment[320];
} kin_solve_row;
typedef struct kin_solve {
    int nam, npm;
    kin_solve_row *am;     /* one per missing person, in c->miss order */
    kin_solve_row *pm;     /* one per victim */
} kin_solve;
/* Run the pipeline of docs/kinship.md (undisputed steps with the victim's
 * profile moved into the family, exclusions, joint GLR per family with two or
 * more remaining missing persons, symmetric matches, best LR). c is not
 * modified (a working copy is used). *out is freed with kin_solve_free.
 * Errors: as kin_ped_lik, PU_ERR_LIMIT (a joint enumeration over
 * o->max_rows), PU_ERR_NOMEM. */
int kin_solve_run(const kin_case *c, const kin_opts *o, kin_solve **out, pu_err *err);
void kin_solve_free(kin_solve *s);  /* NULL-safe */

/* ---- blind search at scale -------------------------------------------- */
typedef struct kin_search_opts {
    double threshold;      /* report pairs with LR >= threshold (default 1e4) */
    int top_k;             /* candidates per PM (default 5) */
    int threads;           /* 0 = CPUs */
    int block;             /* families per table block (default 2048) */
    int max_incomp;        /* excluded markers allowed in a reported pair (default 2) */
    int min_shared;        /* PM x PM: markers typed in both (default 8) */
    int pm_pm;             /* also run PM x PM direct matching */
    int stream;            /* 1: threshold-only streaming (no top-k, see kin_search_run) */
    _Atomic long *progress; /* may be NULL: incremented (atomically, from the
                               workers) once per missing person scored against
                               every PM, so another thread can show how far a
                               search got (kin_search_run only; not reset) */
} kin_search_opts;
/* threshold 1e4, top_k 5, threads 0 (CPUs), block 2048, max_incomp 2, min_shared 8, pm_pm 0, stream 0. */
void kin_search_opts_default(kin_search_opts *o);

typedef struct kin_hit {
    int vic, miss;         /* miss = index in c->miss, or for PM x PM: other victim */
    double log10lr;
    int excluded;          /* markers Mendelian-incompatible (mutation ignored) */
    int drivers[3];        /* markers with the largest log LR, -1 = none */
    double driver_log10[3];
} kin_hit;

/* Hit callback, called from one thread at a time (a mutex serialises it), so
 * it may write to one FILE without locking. Return PU_OK to continue; any
 * other code stops the search, which returns that code.
 *  - top-k mode: once per PM after all blocks, with its candidates ranked best
 *    first (all hits have the same vic).
 *  - streaming mode (so->stream): from the worker thread that scored them, as
 *    soon as one missing person (kin_search_run; all hits have the same miss)
 *    or one PM (kin_search_pmpm; same vic) is done; unranked, in no fixed
 *    order between calls. The hits array is only valid during the call. */
typedef int (*kin_hit_cb)(void *ud, const kin_hit *hits, int n);

typedef struct kin_search_stats {
    uint64_t pairs;        /* PM x missing-person pairs scored (sex-compatible) */
    uint64_t pruned;       /* pairs dropped early by the bound */
    long targets;          /* missing persons (one table each) */
    double table_seconds;  /* wall time building tables */
    double score_seconds;  /* wall time scoring */
    double table_cpu;      /* process CPU seconds (all threads) building tables */
    double score_cpu;      /* process CPU seconds scoring */
} kin_search_stats;

/* PM x family search: per-family per-marker genotype tables (LR vector over
 * all genotypes of the missing person), computed in blocks of families; each
 * thread scores all PMs against its share of the block; prefilter on the
 * largest attainable remaining LR. Pairs with more than max_incomp excluded
 * markers are dropped.
 *  - top-k mode (stream 0): only the top_k pairs per PM with LR >= threshold
 *    are kept; they are passed to cb per PM (best first) after the last block.
 *  - streaming (stream 1, top_k ignored): every pair with LR >= threshold is
 *    passed to cb as soon as its missing person has been scored against all
 *    PMs. The set of streamed pairs equals the top-k result with top_k >= the
 *    number of missing persons.
 * stats may be NULL (filled also when stopped early).
 * Errors: PU_ERR_INVALID (top_k <= 0 without streaming, block <= 0,
 * threshold <= 0), as kin_ped_lik, PU_ERR_NOMEM, or the callback's code. */
int kin_search_run(const kin_case *c, const kin_opts *o, const kin_search_opts *so,
                   kin_hit_cb cb, void *ud, kin_search_stats *stats, pu_err *err);
/* PM x PM direct matches (same person): identical on every marker typed in
 * both, at least so->min_shared shared markers; log10 LR = -sum log10 P(g).
 * top_k per PM (best first) after the scan, or streamed per PM (so->stream).
 * Errors: PU_ERR_NOMEM, or the callback's code. */
int kin_search_pmpm(const kin_case *c, const kin_search_opts *so, kin_hit_cb cb, void *ud, pu_err *err);

/* ---- a case as one JSON document (the HTTP API) -------------------------
 * {"purpose": "...", "case_ref": "...",
 *  "case": {"freqs": CSV, "mutation": CSV, "pedigrees": CSV, "am": CSV, "pm": CSV, "population": "..."},
 *  "options": {"theta": 0, "min_freq": 0, "max_incomp": 2, "threshold": 1e4, "top": 20, "per_marker": false}}
 * The CSV texts are those of the CLI's files (docs/kinship.md). purpose is
 * required, case_ref, mutation, population and options are optional. */
#define KIN_PURPOSE_MAX 500       /* bytes of the stated purpose */
#define KIN_REQ_MAX_WARNINGS 100  /* warning texts kept (all are counted) */
#define KIN_REQ_MAX_TOP 1000      /* options.top */

typedef struct kin_req_caps {
    size_t max_bytes;      /* JSON text (default 4 MiB) */
    int max_markers;       /* default 64 */
    int max_samples;       /* PM samples (default 1000) */
    int max_families;      /* default 1000 */
    int max_missing;       /* missing persons (default 1000) */
    int max_persons;       /* persons per family (default 64) */
    long max_pairs;        /* PM samples x missing persons (default 20,000) */
    long max_rows;         /* joint enumeration rows, also inside solve (default 200,000) */
} kin_req_caps;
void kin_req_caps_default(kin_req_caps *c);

typedef struct kin_request {
    char *purpose;         /* trimmed, 1..KIN_PURPOSE_MAX bytes, printable UTF-8 */
    char *case_ref;        /* NULL when not given */
    kin_db *db;            /* prepared */
    kin_case *c;           /* c->db == db */
    kin_opts opts;         /* theta, max_incomp, threshold from options; max_rows from the caps */
    int top;               /* joint rows to return (default 20) */
    int per_marker;        /* options.per_marker: pairwise answers carry the LR of every marker */
    long n_warnings;       /* warnings while reading (unknown alleles given the minimum frequency, ...) */
    int nwarn;             /* the first KIN_REQ_MAX_WARNINGS of them, as text "case.pm:3: ..." */
    char **warn;
    void *priv;            /* parsed JSON between parse and load (private) */
} kin_request;

/* Step 1: parse a JSON case (len bytes, need not be NUL-terminated): the
 * purpose first (without a valid one nothing else is looked at), then
 * case_ref, options and the presence and type of the CSV texts. Unknown keys
 * are refused. caps may be NULL (defaults). *out is freed with
 * kin_request_free. Errors (err->field names the JSON member: "body",
 * "purpose", "options.theta", "case.pm"): PU_ERR_INVALID, PU_ERR_LIMIT (body
 * or purpose too long), PU_ERR_NOMEM. */
int kin_request_parse(const char *json, size_t len, const kin_req_caps *caps, kin_request **out, pu_err *err);
/* Step 2: read the CSV texts into q->db and q->c and check the caps.
 * Warnings are captured into q->warn, never printed. On failure q stays
 * valid (purpose, case_ref: for the audit trail) and is freed by the caller.
 * Errors: inside a CSV text err->where is "case.pm:LINE" and err->field the
 * CSV column; otherwise err->field names the part. PU_ERR_INVALID (bad CSV,
 * bad pedigree), PU_ERR_LIMIT (a cap: the message names the count and the
 * cap), PU_ERR_NOTFOUND (population absent), PU_ERR_NOMEM. */
int kin_request_load(kin_request *q, pu_err *err);
void kin_request_free(kin_request *q);  /* NULL-safe */

/* ---- simulation ---------------------------------------------------------- */
typedef struct kin_sim_opts {
    int families;          /* default 20 */
    int pm_true;           /* PMs that are a family's missing person (default = families/2) */
    int pm_unrelated;      /* unrelated PMs (default = families/2) */
    int min_refs, max_refs; /* typed relatives per family (default 1..3) */
    uint64_t seed;
} kin_sim_opts;
/* Simulate families (missing person + 1-3 typed relatives among father,
 * mother, full siblings, children) and remains, by gene dropping from the
 * database's frequencies and mutation models, and write am_pedigrees.csv,
 * am_genotypes.csv, pm_genotypes.csv, freqs.csv, mutation_models.csv and
 * truth.csv into directory `dir` (created if needed).
 * Errors: PU_ERR_IO, PU_ERR_INVALID. */
int kin_simulate(kin_db *db, const kin_sim_opts *o, const char *dir, pu_err *err);

/* ---- lineage markers: Y-STR haplotypes and mtDNA (kin_lineage.c) --------
 * docs/kinship.md "Lineage markers". A haplotype database is a list of N
 * haplotypes over named loci (Y-STR: allele labels per locus; mtDNA: one
 * "locus" holding the sequence's differences from the rCRS, e.g.
 * "16223T 16311C 73G", or a haplogroup). */
#define KIN_LIN_MAX_LOCI 64
#define KIN_LIN_ALPHA 0.05       /* one-sided 95 % Clopper-Pearson upper bound */

typedef struct kin_hapdb {
    int nloci;
    char **locus;          /* names, owned */
    int n;                 /* haplotypes */
    char **allele;         /* n * nloci labels (NULL = not typed), owned */
} kin_hapdb;

/* Read a long CSV haplotype,locus,allele (one row per typed locus). Errors:
 * PU_ERR_INVALID (file:line, field), PU_ERR_LIMIT (KIN_LIN_MAX_LOCI). */
int kin_hapdb_read_mem(const char *data, size_t len, const char *name, kin_hapdb **out, pu_err *err);
void kin_hapdb_free(kin_hapdb *h);  /* NULL-safe */

/* The one-sided (1 - alpha) Clopper-Pearson upper bound of a proportion
 * seen x times in n (x <= n, n >= 1): the p with P(X <= x | n, p) = alpha;
 * 1 - alpha^(1/n) for x = 0 (SWGDAM Y-STR guidelines 2014). */
double kin_cp_upper(long x, long n, double alpha);

/* P(net repeat difference k | m meioses) under the single-step model: each
 * meiosis leaves the allele (1 - mu) or moves it one step up or down (mu/2
 * each); the m steps are summed exactly. */
double kin_ystep_prob(int k, int m, double mu);

typedef struct kin_lineage_lr {
    long x, n;             /* database haplotypes matching the PM's, database size */
    double freq_cp;        /* Clopper-Pearson upper bound of x / n */
    double freq_aug;       /* (x + 1) / (n + 1) */
    int compared;          /* loci typed in both PM and reference */
    int diffs;             /* loci that differ */
    int nonstep;           /* differences that are not whole repeat steps */
    double lr;             /* P(PM | reference, m meioses) / freq_cp; 0 = excluded */
} kin_lineage_lr;

/* Y-STR LR of "the PM is a paternal-line relative m meioses from the
 * reference" against "unrelated", for haplotypes given as labels over the
 * database's loci (NULL = untyped), with per-locus mutation rates mu (NULL =
 * 0.002 per locus; rates in [0, 0.5]). The frequency is the Clopper-Pearson
 * upper bound of the PM haplotype's count on the loci the PM is typed at.
 * Errors: PU_ERR_INVALID (m < 1, a rate out of range, no locus in common). */
int kin_y_lr(const kin_hapdb *db, const char *const *pm, const char *const *ref, int meioses, const double *mu,
             kin_lineage_lr *out, pu_err *err);

/* mtDNA (maternal line): identical sequences (or haplogroups) match; the
 * LR is 1 / (Clopper-Pearson upper bound of the count); one difference is
 * inconclusive (lr NAN), two or more exclude (lr 0), as the ISFG mtDNA
 * guidelines (Parson et al. 2014) report them. Sequences are difference
 * lists from the rCRS ("16223T 16311C"), compared as sets. */
int kin_mt_lr(const kin_hapdb *db, const char *pm, const char *ref, kin_lineage_lr *out, pu_err *err);

#endif
