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
 * screening of its name by the reader (screen_run with the reader's scope
 * and SCREEN_SCOPE_DEFAULT) returns it. So a hit never rests on, names or
 * counts a record hidden from the reader. Tip mentions take part only with
 * RESOLVE_WITH_TIPS (tip handlers).
 *
 * Ownership: the table is the caller's (sameas_free); it borrows nothing.
 */
#ifndef PU_SAMEAS_H
#define PU_SAMEAS_H

#include <jansson.h>
#include <stddef.h>
#include "common/pu.h"
#include "db/db.h"
#include "store/store.h"

struct screen_index;

#define SAMEAS_REASON_MAX 512
#define SAMEAS_DESIGNATED_PROBE 50   /* screening results read to find an entity's own designation */

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
void sameas_free(sameas *s);   /* NULL-safe */
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

#endif
