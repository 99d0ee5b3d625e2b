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
/* The realistic profile's name machinery, shared with the febrl profile:
 * a person drawn with its names (Mexican or US shape, Zipf head and long
 * tail), date of birth, CURP, passport, phone and address. */
typedef struct resolve_gperson {
    int mx;
    char given[24], given2[24], s1[24], s2[24], nick[12];
    char middle;                /* US middle initial or 0 */
    char dob[11], curp[19], passport[10], phone[11];
    char addr[2][96];
    int naddr;
} resolve_gperson;
typedef struct resolve_gnames resolve_gnames;
int resolve_gnames_open(uint64_t seed, resolve_gnames **out);   /* PU_ERR_NOMEM */
void resolve_gnames_close(resolve_gnames *g);                     /* NULL-safe */
/* A person with a full record: no household, one address, always a phone. */
void resolve_gnames_person(resolve_gnames *g, resolve_gperson *p);
void resolve_gnames_given(resolve_gnames *g, int mx, char *out, size_t size);    /* one given name drawn */
void resolve_gnames_surname(resolve_gnames *g, int mx, char *out, size_t size);  /* one surname drawn */
void resolve_gen_addr(uint64_t *s, int mx, char *out, size_t size);              /* a new address */
const char *resolve_gen_source(uint64_t *s);   /* a record's source kind, shares as in realistic */

/* The febrl profile (resolve_gen_febrl.c): originals and duplicates made
 * by Febrl's method. mods (NULL, or n entries) gets for each record the
 * modifications of each field and their total (0 for an original) and the
 * index of its original. Errors: PU_ERR_INVALID (n < 2), PU_ERR_NOMEM. */
#define RESOLVE_FEBRL_FIELDS 6   /* given names, surnames, date of birth, identifier, address, phone */
typedef struct resolve_febrl_mods {
    uint8_t field[RESOLVE_FEBRL_FIELDS];
    uint8_t total;
    uint32_t original;
} resolve_febrl_mods;
int resolve_gen_febrl(size_t n, uint64_t seed, resolve_set *out, resolve_febrl_mods *mods, pu_err *err);
/* 1 when two different dates of birth (YYYY-MM-DD) are one typed with a
 * slip: at most two characters differ, or day and month swapped
 * (resolve_match.c). */
int resolve_dob_slip(const char *a, const char *b);
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

/* Where name tokens stand in the records (resolve_undated.c): for each
 * token, whether it ends the names of two tokens or more that carry it
 * often enough to be a surname. h: sorted token hashes, the low bit set
 * for a surname. Errors: PU_ERR_NOMEM. */
typedef struct resolve_tokplace {
    uint64_t *h;
    uint32_t *cnt;     /* records carrying each token */
    size_t n, persons; /* tokens; person records */
} resolve_tokplace;
int resolve_tokplace_build(const resolve_set *s, resolve_tokplace *out);
void resolve_tokplace_free(resolve_tokplace *t);   /* NULL-safe */
/* 1 when normalised names x and y are two persons' names: both carry
 * middle initials and none in common ("hector y aguilar perez", "hector l
 * aguilar"), or one holds the other's tokens in their order but drops,
 * between two tokens it keeps, a token t says is a surname ("jorge trevino"
 * and "jorge medina trevino": the paternal surname dropped, the maternal
 * kept) while the held name is common (t's counts expect ORDER_COMMON
 * records to bear it by chance). t NULL: the initials only. */
int resolve_name_order_conflict(const char *x, const char *y, const resolve_tokplace *t);

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
/* 1 when dated records a and b carry everything matching reads alike: one
 * name (its tokens, initials included, in any order), one date of birth,
 * identifiers, phones, address and kind (resolve_ceiling.c). */
int resolve_indistinct(const resolve_rec *a, const resolve_rec *b);
/* The precision ceiling and the wrong joins of clusters of (the smallest
 * member of each record's cluster) from the kept pairs p (resolve_eval's
 * prec_ceiling, prec_ceiling_wrong, wrong_*); up to explain of the kept
 * pairs joining two persons appended to sample (may be NULL), each with
 * its class and whether the ceiling merges its persons too ("forced").
 * Reads the truth. Errors: PU_ERR_NOMEM. */
int resolve_wrong_joins(const resolve_set *s, const uint32_t *of, const resolve_pair *p, size_t np, size_t explain,
                        pu_buf *sample, resolve_eval *out, pu_err *err);

#endif
