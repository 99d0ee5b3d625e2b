/*
 * screen.h - name screening: match the names of persons, companies,
 * organisations, vessels and aircraft against the designated entities in the
 * store (OFAC SDN, UIF blocked persons, ...). Method and thresholds:
 * docs/screening.md.
 *
 * Life cycle
 *   1. Build an index once: screen_index_build (from the store) or
 *      screen_index_from_entities (from in-memory FtM entities), or
 *      incrementally with screen_builder_*.
 *   2. Run queries with screen_run. The index is immutable after it is built:
 *      any number of threads may call screen_run / screen_compare on the same
 *      index concurrently without locking (per-query scratch memory is taken
 *      from an internal, mutex-protected pool).
 *   3. screen_index_free when no query uses it any more.
 * A long-running reader (a server) uses the screening service instead
 * (screen_service_*, below): it owns the index and the decisions, rebuilds
 * them when the store's generations move, and keeps the caches.
 *
 * Scores are in [0, 1]. A result is a `match` when score >= threshold;
 * SCREEN_DEFAULT_THRESHOLD is the documented default (docs/screening.md says
 * how it was chosen). A name-only exact match scores SCREEN_NAME_ONLY_CAP
 * (< 1.0); confirming qualifiers (birth date, identifier) raise it to 1.0, so
 * the score never saturates for evidence of different strength.
 *
 * Reviewed decisions: an analyst marks a (subject, entity) pair as a false
 * positive with screen_review_add; screen_reviews_load reads all decisions
 * into an immutable set that screen_run applies through screen_params.reviews
 * for the decisions the reader (screen_params.scope) may see: such results
 * are kept in the output with suppressed = 1 and match = 0, and carry the
 * review (who, when, why).
 *
 * Ownership: everything returned through an out-parameter is owned by the
 * caller and freed with the matching *_free function (all NULL-safe).
 * Strings inside results are owned by the result.
 */
#ifndef PU_SCREEN_H
#define PU_SCREEN_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "common/pu.h"
#include "ftm/ftm.h"
#include "store/store.h"

#define SCREEN_DEFAULT_THRESHOLD 0.75
#define SCREEN_DEFAULT_LIMIT 10
#define SCREEN_NAME_ONLY_CAP 0.95
/* Names longer than this (bytes, after trimming) are rejected with
 * PU_ERR_LIMIT; screening a 10 kB "name" is always a data error. */
#define SCREEN_NAME_MAX 1024
#define SCREEN_QUERY_NAMES_MAX 64
#define SCREEN_QUERY_IDS_MAX 64

/* ---- index --------------------------------------------------------------- */

typedef struct screen_index screen_index;
typedef struct screen_builder screen_builder;

typedef struct screen_build_opts {
    /* NULL-terminated schema names to index; NULL = the screenable default:
     * Person, Organization, Company, LegalEntity, Vessel, Airplane. */
    const char *const *schemata;
    const char *dataset;     /* only entities of this dataset; NULL = all */
    int skip_weak_aliases;   /* 1: do not index weakAlias values */
} screen_build_opts;

/* Load every screenable entity of the store (seen with STORE_SYSTEM: the index
 * keeps each entity's owner and marking, and screen_run filters by the
 * caller's scope) with all its names (name, alias, weakAlias, previousName),
 * qualifiers (birthDate, nationality/citizenship/country, gender),
 * identifiers (idNumber, passportNumber, taxNumber, registrationNumber,
 * imoNumber, ... and linked Identification entities) and the programs of the
 * linked Sanction entities. o may be NULL.
 * Errors: PU_ERR_DB (store), PU_ERR_NOMEM. */
int screen_index_build(store_t *st, const screen_build_opts *o, screen_index **out, pu_err *err);

/* The same from an array of entities (tests, benchmarks, other engines).
 * Sanction and Identification entities in the array are linked to their
 * subjects like in screen_index_build. The entities are not referenced after
 * the call. Errors: PU_ERR_INVALID (an entity with an invalid name, naming
 * the entity id), PU_ERR_NOMEM. */
int screen_index_from_entities(const ftm_entity *const *ents, size_t n, const screen_build_opts *o,
                               screen_index **out, pu_err *err);

/* Incremental builder: add entities in any order (Sanctions/Identifications
 * before or after their subjects), then finish. screen_builder_finish
 * consumes the builder (it is freed whether or not it succeeds).
 * screen_builder_add copies what it needs; non-screenable schemata other than
 * Sanction/Identification are ignored (PU_OK). Names that are not valid UTF-8
 * or longer than SCREEN_NAME_MAX are skipped and counted
 * (screen_index_stats.skipped_names), never silently. */
int screen_builder_new(const screen_build_opts *o, screen_builder **out);
int screen_builder_add(screen_builder *b, const ftm_entity *e, pu_err *err);
int screen_builder_finish(screen_builder *b, screen_index **out, pu_err *err);
void screen_builder_free(screen_builder *b);

typedef struct screen_index_stats {
    size_t entities;       /* screenable entities indexed */
    size_t names;          /* indexed name strings (after normalisation) */
    size_t tokens;         /* distinct name tokens (vocabulary) */
    size_t skipped_names;  /* invalid or oversized names that were skipped */
    size_t bytes;          /* approximate memory of the index */
} screen_index_stats;
void screen_index_get_stats(const screen_index *ix, screen_index_stats *out);
void screen_index_free(screen_index *ix);

/* Bring the module's tables (screen_review) up to date; idempotent. Run
 * once per process by the module registry (src/app); the decision
 * functions below expect it. Errors: PU_ERR_DB, PU_ERR_CONFLICT. */
int screen_migrate(db_t *db, pu_err *err);

/* ---- reviewed decisions -------------------------------------------------- */

typedef struct screen_reviews screen_reviews;

/* The subject key of a query: its first name normalised with its tokens IN
 * ORDER ("SURNAME, Given" reordered to "given surname" as screening does),
 * "|", the birth date (or nothing), "|", the identifiers normalised
 * (screen_normalize_id), sorted and joined by ','. Two screenings of the
 * same subject give the same key; swapped surnames ("GUZMAN LOERA Joaquin"
 * vs "LOERA GUZMAN Joaquin") are different subjects. Decisions recorded
 * under the older sorted-token keys are renamed "legacy:<key>" by the
 * migration and apply to nothing. Errors: PU_ERR_INVALID (no usable name),
 * PU_ERR_LIMIT (buffer too small). */
struct screen_query;
int screen_subject_key(const struct screen_query *q, char *buf, size_t size, pu_err *err);

/* Decisions belong to the agency that made them (docs/screening.md
 * "Reviewed decisions"): owner = the recording scope's agency (NULL for the
 * operator, STORE_SYSTEM), marking = SCREEN_REVIEW_DEFAULT_MARKING unless
 * given. A decision is listed through store_scope_sql and applied
 * (suppression, review fields in results) only for readers who may see it;
 * of several visible decisions on one pair the reader's own agency's wins,
 * else the most recent. Every change bumps SCREEN_REVIEW_GENERATION in its
 * transaction, so every service reloads the set before its next answer. */
#define SCREEN_REVIEW_DEFAULT_MARKING "AGENCY-ONLY"
#define SCREEN_REVIEW_GENERATION "review"

typedef struct screen_review_in {
    const char *subject;    /* subject key (screen_subject_key) */
    const char *entity_id;
    const char *decision;   /* "false_positive" (suppress) or "confirmed" (kept, annotated) */
    const char *analyst;    /* who decided; non-empty */
    const char *note;       /* why; non-empty */
    const char *marking;    /* NULL = SCREEN_REVIEW_DEFAULT_MARKING */
} screen_review_in;

/* Record (insert or replace) scope's decision on (subject, entity) in the
 * store's screen_review table, in one transaction with the generation bump.
 * Other agencies' decisions on the same pair are kept. The caller checks that
 * scope may see the entity. Errors: PU_ERR_INTERNAL (NULL scope),
 * PU_ERR_INVALID (bad decision / empty field / unknown marking, a scope
 * without agency), PU_ERR_DENIED (a marking scope's country may not file,
 * store_check_file), PU_ERR_DB. */
int screen_review_add(store_t *st, const store_scope *scope, const screen_review_in *in, pu_err *err);
/* Delete scope's own decision on (subject, entity) (the operator's for
 * STORE_SYSTEM). Errors: PU_ERR_INTERNAL (NULL scope), PU_ERR_NOTFOUND (no
 * such decision of this owner), PU_ERR_DB. */
int screen_review_remove(store_t *st, const store_scope *scope, const char *subject_key, const char *entity_id,
                         pu_err *err);
/* One decision as listed; strings valid during the callback only. owner is
 * NULL for the operator's decisions. */
typedef struct screen_review_row {
    const char *subject, *entity_id, *owner, *marking, *decision, *analyst, *note, *created;
} screen_review_row;
/* cb returns non-zero to stop. */
typedef int (*screen_review_cb)(const screen_review_row *row, void *ctx);
/* Call cb for every decision scope may see (filtered in SQL by
 * store_scope_sql), oldest first. Errors: PU_ERR_INTERNAL (NULL scope),
 * PU_ERR_DB. */
int screen_reviews_list(store_t *st, const store_scope *scope, screen_review_cb cb, void *ctx, pu_err *err);
/* Load every decision (read as STORE_SYSTEM; each keeps its owner and
 * marking, and screen_run applies one only for a reader who may see it).
 * Immutable, safe for concurrent readers. Errors: PU_ERR_DB, PU_ERR_NOMEM. */
int screen_reviews_load(store_t *st, screen_reviews **out, pu_err *err);
size_t screen_reviews_count(const screen_reviews *r);
void screen_reviews_free(screen_reviews *r);

/* ---- queries -------------------------------------------------------------- */

typedef struct screen_query {
    const char *id;               /* caller's key for the query (echoed); may be NULL */
    const char *schema;           /* Person, Company, ...; NULL/"Thing"/"LegalEntity" = any */
    const char *const *names;     /* nnames >= 1 names of the subject */
    size_t nnames;
    const char *birth_date;       /* "YYYY", "YYYY-MM" or "YYYY-MM-DD"; may be NULL */
    const char *country;          /* ISO 3166-1 alpha-2 or English name; may be NULL */
    const char *gender;           /* male/female (m/f, h/m accepted); may be NULL */
    const char *const *id_numbers;/* passport, RFC, CURP, tax numbers... */
    size_t nids;
    const char *address;          /* one-line postal address; may be NULL (a qualifier) */
} screen_query;

/* The designated scope (docs/lists.md "The designated scope"): which
 * indexed entities count as hits of a screening. An entity is in scope when
 *  - topics is set and one of the entity's FtM topics is in it (the topic
 *    "sanction" also takes an entity that a Sanction entity designates), and
 *  - datasets is set and the entity is in one of them;
 * an unset list does not restrict. all = 1 takes every entity (the
 * engine's view for other uses: tips, comparisons). Designated-party
 * screening (puente screen, the screening API, cargo) uses
 * SCREEN_SCOPE_DEFAULT unless the user names another scope, so an
 * analyst's own records never make a "designated" hit. */
typedef struct screen_scope {
    const char *const *topics;    /* NULL-terminated, or NULL */
    const char *const *datasets;  /* NULL-terminated, or NULL */
    int all;
} screen_scope;
/* topics = {"sanction"}: the designation lists. */
extern const screen_scope screen_scope_default;
#define SCREEN_SCOPE_DEFAULT (&screen_scope_default)
#define SCREEN_SCOPE_MAX 32         /* topics or datasets in one scope */
/* A scope parsed from the user's comma-separated lists (--scope-topics,
 * --scope-datasets, the API's scope_topics / scope_datasets); s points
 * into the struct itself (do not copy it). */
typedef struct screen_scope_owned {
    screen_scope s;
    const char *topics[SCREEN_SCOPE_MAX + 1], *datasets[SCREEN_SCOPE_MAX + 1];
    char tbuf[1024], dbuf[1024];
} screen_scope_owned;
/* Fill out from topics and datasets (NULL or "" = unset; topics "all" =
 * every entity); both unset gives the default scope. Errors:
 * PU_ERR_INVALID (an empty item, field "scope_topics"/"scope_datasets"),
 * PU_ERR_LIMIT (more than SCREEN_SCOPE_MAX items or 1 KiB). */
int screen_scope_parse(const char *topics, const char *datasets, screen_scope_owned *out, pu_err *err);
/* 1 when the scope is exactly the default. */
int screen_scope_is_default(const screen_scope *s);

/* The entities of ix that a screening by `scope` (NULL = STORE_SYSTEM)
 * with the designated scope `designated` (NULL = every entity) may return:
 * the reader may see the entity (its owner and marking, store_visible),
 * it is in the designated scope (screen_in_scope) and it has an indexed
 * name. fn(ctx, id, caption) is called for each, in index order; the
 * strings are the index's (valid while ix lives). A non-zero return of fn
 * stops the walk and is returned; else 0. Used by src/sameas to know which
 * store entities are designated for a reader without screening their names
 * (docs/sameas.md). ix or fn NULL: 0, no call. */
typedef int (*screen_entity_fn)(void *ctx, const char *id, const char *caption);
int screen_index_designated(const screen_index *ix, const store_scope *scope, const screen_scope *designated,
                            screen_entity_fn fn, void *ctx);

/* Entities designated by another rule than the scope's topics and datasets
 * (a company blocked by ownership: src/monitor, the OFAC 50 % rule): 1
 * when id is designated for this screening. Asked only for entities the
 * reader may see and the scope does not already take. */
typedef int (*screen_designated_fn)(const void *ctx, const char *entity_id);

/* Per-feature weights of one screening (yente's `weights` on POST /match,
 * docs/screening.md "Weights"): the name part's factor, the name-only cap
 * and every additive qualifier. screen_weights_default gives the constants
 * the scorer uses without weights (screen_int.h), so a table left at its
 * defaults scores exactly as no table. */
enum screen_weight_id {
    SCREEN_W_NAME,            /* name_similarity: factor on the name score (default 1) */
    SCREEN_W_CAP,             /* name_only_cap */
    SCREEN_W_ID_MATCH, SCREEN_W_ID_MISMATCH, SCREEN_W_DOB_MATCH, SCREEN_W_YEAR_MATCH, SCREEN_W_YEAR_MISMATCH,
    SCREEN_W_DAY_MISMATCH, SCREEN_W_COUNTRY_MATCH, SCREEN_W_COUNTRY_MISMATCH, SCREEN_W_GENDER_MISMATCH,
    SCREEN_W_ADDRESS_MATCH,
    SCREEN_NWEIGHTS
};
typedef struct screen_weights {
    double w[SCREEN_NWEIGHTS];
} screen_weights;
/* The scorer's own weights into w. */
void screen_weights_default(screen_weights *w);
/* Set the weight of feature (our name, as /algorithms lists it, or
 * yente's name of the same feature: dob_year_disjoint, dob_day_disjoint,
 * address_entity_match). Errors: PU_ERR_NOTFOUND (no weightable feature
 * of that name; field = the name), PU_ERR_INVALID (value outside the
 * feature's range: name_similarity 0..2, name_only_cap 0.01..1,
 * qualifiers -1..1). */
int screen_weights_set(screen_weights *w, const char *feature, double value, pu_err *err);
/* The weight of a qualifier named as in explanations, or dflt when w is
 * NULL or the feature is not weightable. */
double screen_weight_of(const screen_weights *w, const char *feature, double dflt);

typedef struct screen_params {
    double threshold;             /* match at score >= threshold; <= 0: default */
    double min_score;             /* results below are not returned; <= 0: threshold - 0.2 */
    int limit;                    /* max results per query; <= 0: SCREEN_DEFAULT_LIMIT */
    int exhaustive;               /* 1: score every name instead of using the blocking index */
    int explain;                  /* 1: fill screen_match.explain */
    const store_scope *scope;     /* reader; NULL = STORE_SYSTEM. Entities it cannot see
                                     are never scored, returned or counted */
    const screen_reviews *reviews;/* reviewed decisions to apply; may be NULL */
    const screen_scope *designated;/* which entities count (see screen_scope); NULL = every
                                     entity of the index (all) */
    int no_weights;               /* 1: explanations omit token weights and the coverages
                                     made of them; implied for a scope other than
                                     STORE_SYSTEM (they are statistics of the whole index) */
    screen_designated_fn also_designated; /* NULL, or also in scope when it says so */
    const void *also_ctx;
    const screen_weights *weights; /* NULL: the scorer's own; else they score every
                                      candidate of the pool (chosen by the name score) */
} screen_params;

/* One scored feature of an explanation. */
typedef struct screen_feature {
    char *name;        /* "name_similarity", "birth_date_exact", "country_mismatch", ... */
    double value;      /* contribution to the final score (signed) or similarity */
    char *detail;      /* human-readable: "'cardenas' ~ 'cardenaz' jaro-winkler 0.96" */
} screen_feature;

typedef struct screen_explain {
    char *query_name;          /* the query name as given */
    char *query_norm;          /* ... normalised */
    char *matched_name;        /* the entity's name that scored best, as listed */
    char *matched_norm;
    char *matched_kind;        /* name, alias, weakAlias, previousName */
    screen_feature *features;
    size_t nfeatures;
} screen_explain;

typedef struct screen_match {
    char *entity_id;
    char *caption;
    char *schema;
    double score;
    int match;                 /* score >= threshold and not suppressed */
    int suppressed;            /* a reviewed false positive for this subject */
    char *review_decision, *review_analyst, *review_note, *review_created; /* when reviewed */
    char **datasets;
    size_t ndatasets;
    char **programs;
    size_t nprograms;
    screen_explain explain;    /* zeroed unless params.explain */
} screen_match;

typedef struct screen_result {
    char *query_id;            /* copy of screen_query.id or NULL */
    char *subject_key;
    screen_match *matches;     /* ranked by score, best first */
    size_t n;
    size_t candidates;         /* names scored in full */
    size_t total;              /* entities above min_score before the limit */
    size_t suppressed;         /* how many of them were reviewed false positives */
    int exhaustive;
    double threshold;
} screen_result;

/* Screen one query. Errors: PU_ERR_INVALID (no names, every name empty after
 * normalisation, invalid UTF-8 or control characters; message names the
 * field), PU_ERR_LIMIT (name over SCREEN_NAME_MAX, too many names/ids),
 * PU_ERR_NOMEM. A query that matches nothing is PU_OK with n = 0. */
int screen_run(const screen_index *ix, const screen_query *q, const screen_params *p, screen_result **out,
               pu_err *err);
void screen_result_free(screen_result *r);

/* yente-compatible JSON of a result: {"query_id", "subject", "results": [{"id",
 * "caption", "schema", "score", "match", "suppressed", "review", "datasets",
 * "programs", "explanation": {...}}], "total", "candidates", "exhaustive",
 * "threshold"}. Explanations only when the result has them.
 * *out is a new reference owned by the caller (json_decref). */
int screen_result_to_json(const screen_result *r, json_t **out);
json_t *screen_match_to_json(const screen_match *m);

/* ---- the screening service (screen_service.c) ----------------------------
 * What a long-running reader (the HTTP server) shares between its threads:
 * one immutable index and one immutable set of reviewed decisions, the
 * rendered-body cache and the whole-answer cache. The HTTP handlers and
 * other engines (cargo) are thin shells over it.
 *
 * Freshness: the service remembers the store's "entity" and "review"
 * generations (store_generation_get) it was built at. screen_service_acquire
 * reads the current ones (cheap row reads) before every answer; when either
 * moved (a change by this process, another server or the CLI), it rebuilds
 * the index and/or reloads the decisions and empties both caches before the
 * reader gets a snapshot. One rebuild runs at a time; other readers that
 * need the new state wait for it. So no answer is computed from, or copied
 * out of a cache filled from, state older than the last change the reader
 * could see. A rebuild that fails is an error for that reader (nothing is
 * answered from the stale index); the next reader tries again.
 *
 * The caches are only touched between acquire and release: a snapshot holds
 * the read lock and the swap + emptying happen under the write lock, so
 * nothing filled from an old snapshot survives the swap. */
typedef struct screen_service screen_service;

typedef struct screen_service_opts {
    const screen_build_opts *build; /* index options; NULL = defaults */
    int no_caches;                  /* 1: keep no bodies or answers (tests) */
} screen_service_opts;

/* Build the index and load the decisions from st (read as STORE_SYSTEM: the
 * index keeps owner and marking per entity, screen_run filters per reader).
 * o may be NULL. Errors: those of screen_index_build and
 * screen_reviews_load, PU_ERR_NOMEM. */
int screen_service_open(store_t *st, const screen_service_opts *o, screen_service **out, pu_err *err);
/* Free the service; no snapshot may be held. NULL-safe. */
void screen_service_close(screen_service *s);

/* A consistent (index, decisions) pair for one reader. */
typedef struct screen_snapshot {
    const screen_index *ix;
    const screen_reviews *reviews;
    int64_t entity_gen, review_gen; /* the store generations they were built at */
} screen_snapshot;

/* Bring the service up to date with st (the caller's own connection to the
 * store the service was opened on) and take a snapshot: the read lock is
 * held until screen_service_release. A thread must not acquire twice.
 * Errors: PU_ERR_DB (generation read or rebuild), PU_ERR_NOMEM; then no
 * lock is held and *snap is zeroed. */
int screen_service_acquire(screen_service *s, store_t *st, screen_snapshot *snap, pu_err *err);
void screen_service_release(screen_service *s, screen_snapshot *snap);
/* How many times the service built its index in full (every entity read
 * from the store) and by a patch (only the entities the store's change log
 * names re-read: docs/screening.md "Incremental update"), since it was
 * opened. For tests and metrics. */
void screen_service_counts(screen_service *s, uint64_t *full, uint64_t *patched);

/* Rendered-body cache (under a snapshot): bodies (any serialisation the
 * caller chooses, e.g. a yente entity object) keyed by entity id, each with
 * the owner and marking of the store row it was rendered from (read through
 * the caller's scoped store_get). body_get appends the body to out only if
 * scope may see that row (store_visible re-check: the cache never widens
 * what a reader sees) and returns 1; else 0 (*rc untouched). *rc gets the
 * append's result. body_put keeps a copy (bodies over 256 KiB are not kept). */
int screen_service_body_get(screen_service *s, const char *id, const store_scope *scope, pu_buf *out, int *rc);
void screen_service_body_put(screen_service *s, const char *id, const char *owner, const char *marking,
                             const char *body, size_t len);

/* Whole-answer cache (under a snapshot): answers keyed by a 16-byte digest
 * of everything the answer depends on besides the store (the caller hashes
 * route, arguments, body and the reader's scope), with the audit targets and
 * detail that go with it; entries live SCREEN_ANSWER_TTL_S seconds. get
 * replaces body/targets/detail with the stored ones and returns 1, or
 * resets them and returns 0. */
#define SCREEN_ANSWER_TTL_S 60.0
int screen_service_answer_get(screen_service *s, const unsigned char key[16], pu_buf *body, pu_buf *targets,
                              pu_buf *detail);
void screen_service_answer_put(screen_service *s, const unsigned char key[16], const char *body, size_t len,
                               const char *targets, const char *detail);

/* The dataset filter of yente's /match/{dataset}: 1 if m lists dataset
 * (dataset NULL = every match). */
int screen_match_in_dataset(const screen_match *m, const char *dataset);
/* Whether dataset holds any entity scope may see (store_count through the
 * store's scoped read). Errors: PU_ERR_DB. */
int screen_dataset_visible(store_t *st, const store_scope *scope, const char *dataset, int *out, pu_err *err);

/* ---- compare -------------------------------------------------------------- */

/* Score two names against each other as screen_run would (no qualifiers).
 * schema may be NULL (any). ix may be NULL; when given, its token statistics
 * weight rare tokens (IDF) like screen_run does; else all tokens weigh alike.
 * *out holds score, match (at threshold, <= 0 = default) and explanation
 * (explain.matched_name = name2). Free with screen_match_free.
 * Errors: PU_ERR_INVALID (empty or invalid name, naming name1/name2),
 * PU_ERR_LIMIT, PU_ERR_NOMEM. */
int screen_compare(const screen_index *ix, const char *schema, const char *name1, const char *name2,
                   double threshold, screen_match **out, pu_err *err);
/* The same for a reader: scores are identical; for a scope other than
 * STORE_SYSTEM the explanation omits the token weights and coverages (they
 * are statistics of the whole index, hidden entities included). Errors: as
 * screen_compare, PU_ERR_INTERNAL for a NULL scope. */
int screen_compare_as(const screen_index *ix, const store_scope *scope, const char *schema, const char *name1,
                      const char *name2, double threshold, screen_match **out, pu_err *err);
void screen_match_free(screen_match *m);
/* A prepared comparator for scoring many names against one (entity
 * resolution): name2's one-name index is built once by screen_cmp_new,
 * then screen_cmp_score gives the score screen_compare(ix, schema, name1,
 * name2) would, without an explanation. A comparator may be used by one
 * thread at a time; distinct comparators by any number. Free with
 * screen_cmp_free (NULL-safe). Errors: as screen_compare. */
typedef struct screen_cmp screen_cmp;
int screen_cmp_new(const screen_index *ix, const char *schema, const char *name2, screen_cmp **out, pu_err *err);
int screen_cmp_score(const screen_cmp *c, const char *name1, double *score, pu_err *err);
void screen_cmp_free(screen_cmp *c);

/* A name prepared once as the query side of comparisons (entity
 * resolution scores each record against many): folded, split and
 * tokenised with every token's keys, as screen_run prepares a query of
 * that schema. screen_cmp_score_prepared(c, q) then gives the score
 * screen_cmp_score(c, name) gives, without re-tokenising and without
 * allocating (any number of threads may score with one screen_qname and
 * one screen_cmp each, or share them read-only).
 * screen_qname_new: *out owned by the caller, freed with
 * screen_qname_free (NULL-safe); PU_ERR_INVALID for a name without
 * letters or digits or not valid UTF-8, PU_ERR_NOMEM.
 * screen_cmp_score_prepared: PU_ERR_INVALID when q was prepared for
 * another schema class than c, or c was made with a reference index (its
 * weights depend on the query's tokens: use screen_cmp_score). */
typedef struct screen_qname screen_qname;
int screen_qname_new(const char *schema, const char *name, screen_qname **out, pu_err *err);
int screen_cmp_score_prepared(const screen_cmp *c, const screen_qname *q, double *score, pu_err *err);
void screen_qname_free(screen_qname *q);

/* ---- normalisation (exposed for other engines and tests) ------------------ */

/* Normalise a name to its canonical token string: NFKC + casefold, ICU
 * "Any-Latin; Latin-ASCII" for other scripts, punctuation folded, "SURNAME,
 * Given" reordered (persons), honorifics kept as low-weight particles, legal forms canonical
 * ("S.A. de C.V." -> "sacv"), "&" -> "and", number words -> digits.
 * schema may be NULL. *out is owned by the caller (free()).
 * Errors: PU_ERR_INVALID (invalid UTF-8, control characters, empty result),
 * PU_ERR_LIMIT (over SCREEN_NAME_MAX), PU_ERR_NOMEM. */
int screen_normalize(const char *name, const char *schema, char **out, pu_err *err);

/* Normalise an identifier for comparison: uppercase ASCII letters and digits
 * only ("ABC-123.45" -> "ABC12345"). Returns PU_ERR_LIMIT when buf is too small,
 * PU_ERR_INVALID when nothing remains. */
int screen_normalize_id(const char *id, char *buf, size_t size);

/* Jaro-Winkler similarity of two byte strings (prefix scale 0.1, max prefix 4). */
double screen_jaro_winkler(const char *a, size_t na, const char *b, size_t nb);

/* ---- query readers (CLI, server) ------------------------------------------ */

/* A query parsed from outside input; owns its strings. */
typedef struct screen_query_owned {
    screen_query q;        /* points into the owned storage below */
    char *storage[2 * SCREEN_QUERY_NAMES_MAX + SCREEN_QUERY_IDS_MAX + 8];
    size_t nstorage;
    const char *name_ptrs[SCREEN_QUERY_NAMES_MAX];
    const char *id_ptrs[SCREEN_QUERY_IDS_MAX];
    uint64_t line;         /* input line of the query */
} screen_query_owned;
void screen_query_owned_clear(screen_query_owned *qo);

/* Parse a yente query object ({"id"?, "schema", "properties": {"name": [...],
 * "alias": [...], "birthDate": [...], "nationality"|"country": [...],
 * "gender": [...], "idNumber"|"passportNumber"|"taxNumber"|... : [...]}}).
 * where names the record for messages. Errors: PU_ERR_INVALID (naming the
 * field), PU_ERR_LIMIT. On error *qo is cleared. */
int screen_query_from_json(const json_t *obj, const char *where, screen_query_owned *qo, pu_err *err);

/* Read a batch of queries from `path` ("-" = stdin): CSV with a header
 * containing `name` (and optionally id, schema, birth_date, country, gender,
 * id_number; several id numbers separated by ';'), or JSON lines in yente's
 * format (detected from the first non-blank byte '{'). cb is called once per
 * query with line numbers; a bad record calls bad_cb (if non-NULL) with the
 * error and reading continues; cb returning non-zero stops.
 * Errors: PU_ERR_IO (cannot open), PU_ERR_INVALID (no `name` column). */
typedef int (*screen_query_cb)(const screen_query *q, uint64_t line, void *ctx);
typedef void (*screen_bad_cb)(const pu_err *err, void *ctx);
int screen_read_queries(const char *path, screen_query_cb cb, screen_bad_cb bad_cb, void *ctx, pu_err *err);
/* The same over memory (tests, fuzzing). */
int screen_read_queries_mem(const char *data, size_t n, screen_query_cb cb, screen_bad_cb bad_cb, void *ctx,
                            pu_err *err);

/* The given-name group of one folded token (as screen_normalize leaves it):
 * the same number for a nickname and the formal name it stands for ("pepe"
 * and "jose", "rick" and "richard"), from the screening lexicon; 0 when the
 * token is no known given name. Pure, thread-safe; no error. */
unsigned screen_given_group(const char *tok, size_t len);

#endif
