/* resolve_int.h - internals shared by the resolve module's files. */
#ifndef PU_RESOLVE_INT_H
#define PU_RESOLVE_INT_H

#include "resolve/resolve.h"

#define RESOLVE_SRC_ENTITY "entity"
#define RESOLVE_SRC_PURCHASER "trace.purchaser"
#define RESOLVE_SRC_POSSESSOR "trace.possessor"
#define RESOLVE_SRC_CARGO "cargo.party"
#define RESOLVE_SRC_TIP "tip.mention"
#define RESOLVE_SRC_DEALER "dealer"   /* the graph's dealer node id, so a joined dealer is one node */
#define RESOLVE_PHONE_DIGITS 10
#define RESOLVE_LABEL_CTX "resolve_record.label"   /* names are sealed at rest like their sources' */

void resolve_norm_addr(const char *in, char *out, size_t size);
/* Index of a source name in resolve_run_stats.per_source, or -1. */
int resolve_source_index(const char *source);
/* Split "source:ref" (the source has no ':'); 0 on success. */
int resolve_key_split(const char *key, char *source, size_t ssize, const char **ref);

/* resolve_match with what the evaluation's loss analysis needs: dbg->window
 * is the sorted-neighbourhood window (0: RESOLVE_WINDOW; < 0: blocks larger
 * than RESOLVE_BLOCK_MAX give no pair, the former rule); dbg gets
 * the candidate pairs (b << 32 | a, sorted; free()) and the pairs scored at
 * or beyond the threshold before the ambiguous undated ones were dropped
 * (free()). dbg may be NULL. Errors: as resolve_match. */
typedef struct resolve_match_dbg {
    int window;
    uint64_t *cand;
    size_t ncand;
    resolve_pair *scored;
    size_t nscored;
} resolve_match_dbg;
int resolve_match_debug(const resolve_set *s, double threshold, resolve_pair **out, size_t *n,
                        resolve_match_stats *st, resolve_match_dbg *dbg, pu_err *err);

/* The realistic profile's records (resolve_gen_real.c). Errors: PU_ERR_NOMEM. */
int resolve_gen_realistic(size_t n, uint64_t seed, resolve_set *out, pu_err *err);
/* 1 when the ';'-terminated lists a and b share an item (NULL-safe). */
int resolve_list_share(const char *a, const char *b);
/* The rule for undated records (resolve_undated.c): drop from kept the
 * name-only pairs of an undated person that could be any of several dated
 * persons, and add the pairs of an undated name that points at one dated
 * person only (kept: a pu_vec of resolve_pair). Errors: PU_ERR_NOMEM. */
#include "common/pu_vec.h"
int resolve_drop_ambiguous(const resolve_set *s, pu_vec *kept, pu_err *err);

/* 1 when every name token of normalised name x (initials aside) is one of
 * normalised name y's tokens, typed with at most one error or as a nickname
 * of it ("pepe lonefado" is held by "jose lonefado ruiz"); 0 when x has no
 * such token (resolve_undated.c). */
int resolve_name_held(const char *x, const char *y);

/* Each name token's key (initials aside, tokens sorted, at most cap): a
 * nickname and its formal name have one key; the key of a set of tokens is
 * the sum of theirs, whatever their order. Returns the count. */
size_t resolve_name_tokkeys(const char *norm, uint64_t *tk, size_t cap);
/* The information ceiling of generated data (resolve_ceiling.c): *pairs, the
 * true pairs whose records the data links by any evidence (shared
 * identifier; one date of birth; a contact or a name that only their person
 * answers to; transitively). Reads the truth. comp (NULL, or s->n entries)
 * gets each record's evidence component. Errors: PU_ERR_NOMEM. */
int resolve_ceiling(const resolve_set *s, uint64_t *pairs, uint32_t *comp, pu_err *err);

#endif
