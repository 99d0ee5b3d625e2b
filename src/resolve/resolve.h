/*
 * resolve.h - entity resolution across engines: one real person or company,
 * one cluster, whatever engine named it and however it was spelled
 * (docs/resolve.md).
 *
 * Records. A record is one naming of a person or company by one engine,
 * identified by (source, ref):
 *   "entity"          a Person/Company/Organization/LegalEntity of the store (ref: entity id)
 *   "trace.purchaser" a buyer of first retail sales (ref: the trace party key, a blind index)
 *   "trace.possessor" the possessor of a recovered firearm (ref: request number)
 *   "cargo.party"     a shipper, consignee, notify party or forwarder (ref: shipment id:role)
 *   "tip.mention"     a nickname or company named in a tip (ref: tip_entity id)
 * Each is read through its engine's tables with store_scope_sql, and keeps
 * the owner and marking of the row it came from (a trace purchaser seen
 * under two markings is two records with one ref: always the same cluster).
 * Data of the protection module never enters resolution.
 *
 * Matching (resolve_run): blocking on pairs of name-token prefixes and of
 * token anagrams (screen_normalize, the screening index's normalisation),
 * on date of birth with a name prefix, and on identifiers, phones, FFLs and
 * addresses; a block larger than RESOLVE_BLOCK_MAX is compared by sorted
 * neighbourhood (RESOLVE_WINDOW), or chained when it is one identifier;
 * scoring on two threads with the screening comparator (screen_cmp, the
 * same score as screen_compare) and qualifiers: date of birth, identifiers
 * (RFC, CURP, passport, tax numbers), phones, addresses and FFL numbers.
 * Pairs scoring at least the threshold are stored with the stricter
 * marking of their two records (store_marking_stricter), so a pair is seen
 * only by readers who may see both.
 *
 * Clusters are computed per reader (resolve_clusters) from what the reader
 * may see: records, pairs and judgements read through store_scope_sql, so
 * a hidden record never joins two visible ones. Judgements win over the
 * algorithm: "same" joins, "not_same" keeps apart (a pair that would join
 * two clusters a not_same separates is not applied), "unsure" is recorded
 * and changes nothing; a revoked judgement restores the algorithm's answer.
 * The canonical id of a cluster is "resolved:" + the smallest
 * "source:ref" of its members the reader sees.
 *
 * Ownership: out-parameters are the caller's (free functions named below).
 * Tables: resolve_record, resolve_pair, resolve_judgement (module "resolve").
 */
#ifndef PU_RESOLVE_H
#define PU_RESOLVE_H

#include <stddef.h>
#include <stdint.h>
#include "common/pu.h"
#include "db/db.h"
#include "store/store.h"

#define RESOLVE_THRESHOLD 0.86      /* pair score at which two records are the same */
#define RESOLVE_BLOCK_MAX 200       /* a block larger than this is not compared whole (sorted neighbourhood, or a chain) */
#define RESOLVE_WINDOW 8            /* sorted neighbourhood: each record meets the next this many of a large block */
#define RESOLVE_GENERATION "resolve"
#define RESOLVE_REF_MAX 256

/* Bring the module's tables up to date (run once by the registry).
 * Errors: PU_ERR_DB, PU_ERR_CONFLICT. */
int resolve_migrate(db_t *db, pu_err *err);

/* ---- records (in memory) ------------------------------------------------ */
typedef struct resolve_rec {
    char *source, *ref;
    char *name;          /* as the engine holds it, opened when sealed */
    char *schema;        /* "Person", "Company", "LegalEntity" (unknown kind) */
    char *norm;          /* screen_normalize(name) */
    char dob[11];        /* YYYY-MM-DD or "" */
    char *ids;           /* identifiers, normalised, each ";"-terminated ("RFC=ABC123;"); may be NULL */
    char *phones;        /* digits, each ";"-terminated; may be NULL */
    char *addr;          /* normalised address or NULL */
    char ffl[24];        /* dealer licence or "" */
    char owner[32], marking[16];
    char date[11];       /* date of the source record, "" when unknown */
    int64_t truth;       /* generated data only: the real person (0 = unknown) */
} resolve_rec;

typedef struct resolve_set {
    resolve_rec *r;
    size_t n, cap;
} resolve_set;

/* Append a record (copies every string; name normalised with schema).
 * Errors: PU_ERR_INVALID (name that normalises to nothing), PU_ERR_NOMEM. */
int resolve_set_add(resolve_set *s, const resolve_rec *r, pu_err *err);
void resolve_set_free(resolve_set *s);   /* NULL-safe; frees the records' strings */

/* Read every record visible to scope from the engines' tables into s
 * (appends). Errors: PU_ERR_DB, PU_ERR_NOMEM, PU_ERR_INTERNAL (NULL scope). */
int resolve_collect(db_t *db, store_t *st, const store_scope *scope, resolve_set *s, pu_err *err);

/* ---- matching ------------------------------------------------------------ */
typedef struct resolve_pair {
    uint32_t a, b;       /* indexes into the set, a < b */
    float score;
} resolve_pair;

typedef struct resolve_match_stats {
    uint64_t records, candidates, pairs;
    double seconds, block_seconds, score_seconds;   /* all; blocking (with dedupe); scoring */
} resolve_match_stats;

/* The score of two records in [0, 1]: the name comparator's score moved by
 * the qualifiers (docs/resolve.md "Scoring"). Errors: those of screen_compare. */
int resolve_score(const resolve_rec *a, const resolve_rec *b, double *out, pu_err *err);
/* Blocking + scoring over s: pairs at or above threshold (<= 0: the
 * default), *out the caller's (free()). Errors: PU_ERR_NOMEM. */
int resolve_match(const resolve_set *s, double threshold, resolve_pair **out, size_t *n, resolve_match_stats *st,
                  pu_err *err);
/* Baseline: pairs with the same normalised name and the same date of birth. */
int resolve_match_baseline(const resolve_set *s, resolve_pair **out, size_t *n, pu_err *err);

/* ---- run: collect, match and store (system work) ------------------------ */
typedef struct resolve_run_stats {
    uint64_t records, candidates, pairs, clusters, multi;  /* multi: clusters of 2 or more */
    uint64_t per_source[6];   /* entity, trace.purchaser, trace.possessor, cargo.party, tip.mention, dealer */
    double seconds;
} resolve_run_stats;

/* Read every engine's records (STORE_SYSTEM), match them and replace the
 * stored records and pairs in one transaction (judgements stay: they name
 * records by source and ref). Bumps RESOLVE_GENERATION.
 * Errors: PU_ERR_DB, PU_ERR_NOMEM. */
int resolve_run(db_t *db, store_t *st, double threshold, resolve_run_stats *out, pu_err *err);

/* ---- judgements ---------------------------------------------------------- */
typedef enum resolve_verdict { RESOLVE_SAME = 1, RESOLVE_NOT_SAME = -1, RESOLVE_UNSURE = 0 } resolve_verdict;
/* "same", "not_same", "unsure". Errors: PU_ERR_INVALID naming field "verdict". */
int resolve_verdict_parse(const char *s, resolve_verdict *out, pu_err *err);
const char *resolve_verdict_name(resolve_verdict v);

/* Record the analyst's verdict on two records named "source:ref" (both
 * must be stored and visible to scope), replacing the reader's earlier
 * active judgement on the pair (revoked, kept in the history). The
 * judgement is marked with the stricter marking of the two records (so it
 * is seen only by those who may see both) and audited (action
 * "resolve.judge") in the same transaction; bumps RESOLVE_GENERATION.
 * Errors: PU_ERR_INVALID (bad key, a record with itself), PU_ERR_NOTFOUND
 * (a record absent or not visible), PU_ERR_DB. */
int resolve_judge(db_t *db, const store_scope *scope, const char *a, const char *b, resolve_verdict v,
                  const char *analyst, const char *note, pu_err *err);
/* Revoke the reader's agency's active judgement on the pair (STORE_SYSTEM:
 * every agency's), visible to scope; the algorithm's answer (or another
 * agency's judgement) applies again. Kept in the history, audited
 * ("resolve.unjudge"); bumps RESOLVE_GENERATION.
 * Errors: PU_ERR_NOTFOUND (no such active judgement visible), PU_ERR_DB. */
int resolve_unjudge(db_t *db, const store_scope *scope, const char *a, const char *b, const char *analyst,
                    pu_err *err);

/* ---- clusters (per reader) ----------------------------------------------- */
typedef struct resolve_member {
    char key[RESOLVE_REF_MAX + 32];  /* "source:ref" */
    char source[24];
    char name[128];
    char dob[11];
    char owner[32], marking[16];
    uint32_t cluster;     /* index into clusters */
} resolve_member;

typedef struct resolve_cluster {
    char id[RESOLVE_REF_MAX + 48];   /* "resolved:source:ref" */
    uint32_t size;
} resolve_cluster;

typedef struct resolve_view {
    resolve_member *m;    /* sorted by key */
    size_t nm;
    resolve_cluster *c;
    size_t nc;
    size_t conflicts;     /* judgements "same" not applied: they contradicted a not_same */
} resolve_view;

/* The clusters the reader sees (see the file comment), without the tip
 * line's records: tips are read only by tip handlers (docs/tips.md), so
 * tip mentions take part only with RESOLVE_WITH_TIPS, which the shells set
 * for the operator and for callers with the tips permission. *out the
 * caller's (resolve_view_free). Errors: PU_ERR_DB, PU_ERR_NOMEM,
 * PU_ERR_INTERNAL. */
#define RESOLVE_WITH_TIPS 1u
int resolve_clusters(db_t *db, const store_scope *scope, resolve_view **out, pu_err *err);
int resolve_clusters_ex(db_t *db, const store_scope *scope, unsigned flags, resolve_view **out, pu_err *err);
void resolve_view_free(resolve_view *v);
/* The member with key "source:ref", or NULL. */
const resolve_member *resolve_view_find(const resolve_view *v, const char *key);

/* Pure clustering (unit tests, evaluation): union-find over n records with
 * judgements first (same joins, not_same forbids), then pairs by score.
 * cluster_of[i] gets the smallest member index of i's cluster.
 * Errors: PU_ERR_NOMEM. */
typedef struct resolve_jpair {
    uint32_t a, b;
    resolve_verdict v;
} resolve_jpair;
int resolve_cluster_pairs(size_t n, const resolve_pair *p, size_t np, const resolve_jpair *j, size_t nj,
                          uint32_t *cluster_of, size_t *conflicts, pu_err *err);
/* The same with each record's date of birth (dob[i]: "" or NULL when
 * unknown; dob NULL: no date rule): pairs never join two clusters holding
 * different dates of birth (judgements may), so a chain through undated
 * records does not glue two dated persons. Errors: PU_ERR_NOMEM. */
int resolve_cluster_pairs_dob(size_t n, const resolve_pair *p, size_t np, const resolve_jpair *j, size_t nj,
                              const char *const *dob, uint32_t *cluster_of, size_t *conflicts, pu_err *err);

/* Text for `resolve show`: the clusters of 2+ members (or the one with
 * member key `key`) with their members, into out. json = 1: one JSON object.
 * Errors: PU_ERR_NOTFOUND (key not visible), PU_ERR_NOMEM. */
int resolve_view_write(const resolve_view *v, const char *key, int json, pu_buf *out, pu_err *err);

/* ---- the trace engine's view: purchasers as resolved persons ------------ */
typedef struct resolve_keymap resolve_keymap;
/* Map each trace purchaser key visible to scope to the smallest purchaser
 * key of its cluster, so trace leads group the spellings of one person. An
 * empty map (identity) when the resolve tables do not exist (a store that
 * was migrated for trace only). Errors: PU_ERR_DB, PU_ERR_NOMEM. */
int resolve_keymap_trace(db_t *db, const store_scope *scope, resolve_keymap **out, pu_err *err);
/* The canonical key of key (key itself when unmapped). NULL-safe map. */
const char *resolve_keymap_get(const resolve_keymap *m, const char *key);
/* Number of distinct keys mapped onto the canonical key `key`. */
int resolve_keymap_spellings(const resolve_keymap *m, const char *key);
void resolve_keymap_free(resolve_keymap *m);

/* ---- cross-reference (resolve_xref.c) ------------------------------------ */
typedef struct resolve_xref_row {
    double score;             /* the pair's score (its name score for a conflict) */
    int conflict;             /* names alike, qualifiers differ (dates of birth, identifiers): kept apart */
    char a[RESOLVE_REF_MAX + 32], b[RESOLVE_REF_MAX + 32];   /* "source:ref", a of source a */
    char name_a[128], name_b[128];
    char verdict[16];         /* the latest active judgement the reader sees ("same", "not_same", "unsure"), or "" */
} resolve_xref_row;
typedef int (*resolve_xref_cb)(const resolve_xref_row *r, void *ctx);  /* non-zero stops */
/* The stored pairs between records of source a and of source b (a may equal
 * b; "entity:DATASET" names the store entities of one dataset, and against
 * "entity" the other side is then the entities outside that dataset: a new
 * list against the store) scoring at least min (conflicts: whose names did), pairs, records and
 * their markings all visible to scope; highest first, at most limit (<= 0:
 * all), one cb call per pair (streamed). The analyst's answer goes back
 * through resolve_judge. tip.mention needs RESOLVE_WITH_TIPS in flags.
 * Errors: PU_ERR_INVALID (unknown source), PU_ERR_DENIED (tip.mention
 * without RESOLVE_WITH_TIPS), PU_ERR_DB, cb's code. */
int resolve_xref(db_t *db, const store_scope *scope, unsigned flags, const char *a, const char *b, double min,
                 int64_t limit, resolve_xref_cb cb, void *ctx, pu_err *err);

/* Named counts for the impact indicators (app_module.counts; pu_count.h):
 * "resolve.judgements", the analysts' judgements recorded, per month and
 * judging agency, visible to scope. Errors: PU_ERR_DB, cb's. */
#include "common/pu_count.h"
int resolve_counts(db_t *db, const store_scope *scope, pu_count_cb cb, void *ctx, pu_err *err);

/* ---- evaluation on generated data ---------------------------------------- */
typedef struct resolve_eval {
    uint64_t records, true_pairs;
    double precision, recall, seconds;              /* resolution */
    double base_precision, base_recall;             /* exact name + date of birth */
    uint64_t candidates;
    double block_seconds, score_seconds;            /* parts of seconds (resolve_match_stats) */
    /* true pairs the clusters missed, by what happened to the pair itself
     * (RESOLVE_LOSS_*), and of those how many had an undated record */
    uint64_t lost[5], lost_undated[5];
    /* the information ceiling (docs/resolve.md): true pairs the data links
     * by any evidence, and their share of the true pairs */
    uint64_t ceiling_pairs;
    double ceiling;
    /* the precision ceiling (docs/resolve.md): the precision of the truth's
     * clusters merged through records of two persons that carry everything
     * alike (name, date of birth, identifiers, contacts), which no resolver
     * joining every true pair can keep apart; prec_ceiling_wrong, the wrong
     * pairs that costs. Of the clusters' wrong pairs (two persons in one
     * cluster), wrong_forced are those the ceiling has too; wrong_kept, the
     * kept pairs joining two persons in one cluster, by RESOLVE_WRONG_* */
    double prec_ceiling;
    uint64_t prec_ceiling_wrong, wrong_pairs, wrong_forced, wrong_kept[3];
} resolve_eval;
/* indistinguishable records; two dated records otherwise; an undated record */
enum { RESOLVE_WRONG_INDISTINCT, RESOLVE_WRONG_DATED, RESOLVE_WRONG_UNDATED };
enum { RESOLVE_LOSS_NOT_CANDIDATE, RESOLVE_LOSS_BELOW, RESOLVE_LOSS_CONFLICT, RESOLVE_LOSS_AMBIGUOUS,
       RESOLVE_LOSS_SPLIT };   /* never blocked; scored below; qualifiers conflict; undated ambiguous; kept, clusters apart */
/* Generate n records of about n/3 persons with known truth (the realistic
 * profile, see resolve_generate_profile: name variants "Susan I. Lopez" /
 * "LOPEZ, SUSAN I." / "SUSAN LOPEZ", typos, missing dates of birth,
 * identifiers, addresses, phones, shared common names that are different
 * persons), resolve them in memory and measure pairwise
 * precision and recall of the clusters against the truth, beside the
 * baseline, and the true pairs missed by cause (lost, lost_undated).
 * Errors: PU_ERR_INVALID (n < 2), PU_ERR_NOMEM. */
int resolve_generate(size_t n, uint64_t seed, resolve_set *out, pu_err *err);
int resolve_evaluate(size_t n, uint64_t seed, double threshold, resolve_eval *out, pu_err *err);
/* The same with the sorted-neighbourhood window of large blocks (0: the
 * default RESOLVE_WINDOW; < 0: large blocks give no pair, the rule before
 * the window, to measure what it recovers). Errors: as resolve_evaluate. */
int resolve_evaluate_window(size_t n, uint64_t seed, double threshold, int window, resolve_eval *out, pu_err *err);

/* Generated populations (docs/resolve.md "Generated data").
 * REALISTIC (the default of resolve_generate and resolve_evaluate*):
 * Mexican and US names drawn with a Zipf-like shape (two surnames, compound
 * given names, a long tail), records carrying what their source carries
 * (4473 purchaser: name, date of birth, address; possessor; cargo party:
 * name, address, sometimes a phone; tip mention: a name or nickname,
 * sometimes a phone; designation: date of birth, CURP or passport), moves,
 * households, typing errors. HARD: the former generator, 40 given names x
 * 50 surnames and undated records that carry nothing but the name. */
/* FEBRL (the goal's measure, docs/resolve.md "Generated data: the Febrl
 * profile"): Febrl's data set generator method, each person one full
 * original record (name, date of birth, CURP or passport, address,
 * phone), 20 % of the records duplicates of an original (at most 5 per
 * original, Zipf), each with 1..5 modifications, at most 2 per field. */
typedef enum resolve_profile { RESOLVE_PROFILE_REALISTIC = 0, RESOLVE_PROFILE_HARD = 1, RESOLVE_PROFILE_FEBRL = 2 } resolve_profile;
/* "realistic", "hard" or "febrl". Errors: PU_ERR_INVALID naming field "profile". */
int resolve_profile_parse(const char *s, resolve_profile *out, pu_err *err);
const char *resolve_profile_name(resolve_profile p);
/* resolve_generate / resolve_evaluate_window with a profile.
 * Errors: as resolve_evaluate. */
int resolve_generate_profile(size_t n, uint64_t seed, resolve_profile p, resolve_set *out, pu_err *err);
int resolve_evaluate_profile(size_t n, uint64_t seed, double threshold, int window, resolve_profile p,
                             resolve_eval *out, pu_err *err);
/* The same, and a sample of the missed true pairs for an analyst to read:
 * up to explain pairs per cause, one line each (cause, both records with
 * what they carry, their score) appended to sample (NULL or explain 0: no
 * sample). Errors: as resolve_evaluate, PU_ERR_NOMEM. */
int resolve_evaluate_explain(size_t n, uint64_t seed, double threshold, int window, resolve_profile p,
                             size_t explain, pu_buf *sample, resolve_eval *out, pu_err *err);

#endif
