/*
 * sameas.h - designated persons recognised by resolution: "this name is a
 * spelling of a person that resolution joined with a designated entity"
 * (issue #21; docs/sameas.md).
 *
 * Screening compares a name with the designated entities' names; a straw
 * purchaser, a consignee or a nickname may share nothing with the
 * designation's name and still be the same person, because resolution
 * (src/resolve: scores with dates of birth and identifiers, analysts'
 * judgements) joined one of their records with it. A sameas table holds,
 * for one reader, every spelling of every cluster the reader sees that
 * contains a designated entity the reader sees: the cluster members'
 * names, as token sets of screen_normalize (so "LOPEZ, SUSAN I." is
 * "Susan I. Lopez"). A name looked up there is an additional, explained
 * hit: "same person as <entity> [id] by resolution (cluster C, N records):
 * the name is <source> '<spelling>'...".
 *
 * Visibility: the clusters are resolve_clusters' for the reader (records,
 * pairs and judgements through store_scope_sql: a hidden record never
 * joins two visible ones), and an entity counts as designated only when a
 * screening by the reader (the reader's scope and SCREEN_SCOPE_DEFAULT) may
 * return it: screen_index_designated, one walk of the index and a binary
 * search per entity (it used to be a screening of each entity's own name,
 * a minute on a 100,000-record store; docs/sameas.md). So a hit never rests
 * on, names or counts a record hidden from the reader. Tip mentions take part only with
 * RESOLVE_WITH_TIPS (tip handlers).
 *
 * Ownership: the table is the caller's (sameas_free); it borrows nothing.
 * A built table is immutable and reference-counted: sameas_hold takes
 * another reference (threads may share it), sameas_free releases one.
 *
 * The sameas cache (sameas_cache.c) keeps the readers' tables between
 * requests, as the graph cache keeps their graphs: one entry per (reader
 * scope, flags), valid while the store's `resolve`, `entity` and `grant`
 * generations and the screening index's entity generation are those it was
 * built at (read BEFORE the build, so a change during the build leaves the
 * entry stale), least recently used evicted past SAMEAS_CACHE_BYTES.
 */
#ifndef PU_SAMEAS_H
#define PU_SAMEAS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include "common/pu.h"
#include "db/db.h"
#include "store/store.h"

struct screen_index;

#define SAMEAS_REASON_MAX 512

typedef struct sameas_hit {
    char entity_id[96];              /* the designated entity */
    char caption[160];
    char cluster[320];               /* "resolved:source:ref" (resolve_cluster.id) */
    unsigned size;                   /* the cluster's records the reader sees */
    char via[320];                   /* the member whose spelling the name is: "source:ref" */
    char via_name[128];
    char reason[SAMEAS_REASON_MAX];  /* the explanation, English (see the file comment) */
} sameas_hit;

typedef struct sameas sameas;

/* Build the reader's table: resolve_clusters_ex(db, scope, flags) and the
 * designations in ix as scope may see them. An empty table (every lookup
 * answers nothing) when the store has no resolution tables or no cluster
 * holds a designated entity. *out the caller's (sameas_free).
 * Errors: PU_ERR_DB, PU_ERR_NOMEM, PU_ERR_INTERNAL (NULL scope or ix). */
int sameas_build(db_t *db, const struct screen_index *ix, const store_scope *scope, unsigned flags, sameas **out,
                 pu_err *err);
void sameas_free(sameas *s);   /* releases one reference; NULL-safe */
/* Another reference to s (returned; NULL-safe). */
sameas *sameas_hold(sameas *s);
/* Bytes the table holds (the cache's budget). */
size_t sameas_bytes(const sameas *s);
/* Number of spellings held (for tests and reports). */
size_t sameas_spellings(const sameas *s);
/* The designated entities name is a resolved spelling of: up to max hits,
 * one per entity, *n set. A name that normalises to nothing has none
 * (PU_OK). s may be NULL (none). Errors: PU_ERR_NOMEM. */
int sameas_lookup(const sameas *s, const char *name, sameas_hit *hits, size_t max, size_t *n, pu_err *err);

/* Add to a screening result (screen_result_to_json's object) the hits by
 * resolution of the query's names as "resolved": [{entity_id, caption,
 * cluster, records, via, via_name, reason}], one per designated entity,
 * leaving out entities the result already matches; nothing is added when
 * there is none. s may be NULL. Errors: PU_ERR_NOMEM. */
int sameas_annotate_json(const sameas *s, const char *const *names, size_t n, json_t *result, pu_err *err);

/* ---- judgements feed screening (sameas_review.c) ----
 * An analyst's verdict between a store entity (a designation) and another
 * record is also screening's reviewed decision on "that record's name
 * against that entity" (docs/sameas.md "Judgements feed screening"):
 * not_same writes a false_positive (the hit is suppressed, with who, when
 * and why), same a confirmed match, for the subject keys
 * (screen_subject_key) of the record's name alone and, when it has one,
 * with its date of birth; owner = the judging agency, marking = the
 * stricter of the two records' (so a reader who may not see both records
 * does not have the decision applied). unsure and unjudge remove the
 * decisions a judgement wrote (their note starts SAMEAS_REVIEW_NOTE_PREFIX;
 * an analyst's own review on the same pair is replaced by a later
 * judgement, as any later decision replaces it, and is not restored). Tip
 * mentions write nothing. Two transactions: the judgement, then the
 * decisions (db_begin does not nest); a failure after the first reports
 * the error with the judgement kept, and judging again rewrites both. */
#define SAMEAS_REVIEW_NOTE_PREFIX "resolve judgement:"
#include "resolve/resolve.h"
/* resolve_judge(a, b, v) and the decisions above; *written (may be NULL)
 * gets how many decisions were written. Errors: resolve_judge's,
 * screen_review_add's (PU_ERR_DENIED: the judging agency may not file the
 * stricter marking), PU_ERR_DB. */
int sameas_judge(store_t *st, const store_scope *scope, const char *a, const char *b, resolve_verdict v,
                 const char *analyst, const char *note, size_t *written, pu_err *err);
/* resolve_unjudge(a, b) and removal of the decisions judgements wrote for
 * the pair by the scope's agency. Errors: resolve_unjudge's, PU_ERR_DB. */
int sameas_unjudge(store_t *st, const store_scope *scope, const char *a, const char *b, const char *analyst,
                   pu_err *err);

/* ---- the cache (sameas_cache.c) ---- */
#define SAMEAS_CACHE_BYTES (64u << 20)   /* tables kept between requests, all readers together */
typedef struct sameas_cache sameas_cache;
typedef struct sameas_cache_stats {
    uint64_t hits, misses, evictions;
    size_t tables, bytes;
} sameas_cache_stats;
/* A cache of at most cap bytes (0: SAMEAS_CACHE_BYTES). *out the caller's
 * (sameas_cache_free). Errors: PU_ERR_NOMEM. */
int sameas_cache_new(size_t cap, sameas_cache **out, pu_err *err);
/* Free the cache; tables still held by callers live until their last
 * sameas_free. NULL-safe. */
void sameas_cache_free(sameas_cache *c);
/* The reader's table: the cached one when the generations are current,
 * else sameas_build's (kept). ix_gen is the generation the index ix was
 * built at (screen_snapshot.entity_gen). *out is one reference of the
 * caller's (sameas_free); *hit (may be NULL) 1 when it came from the cache.
 * c may be NULL (a plain sameas_build). Errors: sameas_build's, PU_ERR_DB
 * (a generation read). */
int sameas_cache_get(sameas_cache *c, db_t *db, const struct screen_index *ix, int64_t ix_gen,
                     const store_scope *scope, unsigned flags, sameas **out, int *hit, pu_err *err);
void sameas_cache_get_stats(sameas_cache *c, sameas_cache_stats *out);
/* Module state (app_module.state_open/close): a cache of SAMEAS_CACHE_BYTES. */
int sameas_cache_state_open(store_t *st, void **state, pu_err *err);
void sameas_cache_state_close(void *state);

#endif
