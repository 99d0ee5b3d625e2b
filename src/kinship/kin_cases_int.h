/* kin_cases_int.h - helpers shared by the case database files (not a public contract). */
#ifndef KIN_CASES_INT_H
#define KIN_CASES_INT_H

#include "kinship/kin_cases.h"

#include "common/pu.h"
#include "db/db_sql.h"

/* The actor's day (a->today or today's UTC date) into out[11]. */
void kcs_today(const kin_actor *a, char out[11]);
/* Profile of sample/person genotypes g (2 * db->n) as "M=a/b;..." in buf. */
int kcs_profile_text(const kin_db *db, const int16_t *g, pu_buf *buf);
/* Parse a stored profile into g (2 * db->n, KIN_UNTYPED where absent); unknown
 * alleles get the minimum frequency (added to db), unknown markers are skipped.
 * where names the record for errors. */
int kcs_profile_parse(kin_db *db, const char *text, int16_t *g, const char *where, pu_err *err);
/* Call cb(marker, left, right, ctx, err) for every "MARKER=left/right" of the
 * ';'-separated text (the stored form of profiles and per-marker dropout);
 * the strings live until cb returns. A part without '=' and '/' fails with
 * PU_ERR_INVALID naming `where`, `field` and `expected` ("MARKER=a/b"); a
 * non-zero return of cb stops the walk and is returned. NULL or "" is no
 * part at all. PU_ERR_NOMEM. */
typedef int (*kcs_pair_cb)(const char *marker, const char *left, const char *right, void *ctx, pu_err *err);
int kcs_marker_pairs(const char *text, const char *where, const char *field, const char *expected, kcs_pair_cb cb,
                     void *ctx, pu_err *err);
/* Run one statement with text parameters (NULL = SQL NULL), no result. */
int kcs_exec(db_t *db, const char *sql, int n, const char *const *vals, pu_err *err);
/* A transaction of its own unless the caller holds one (kin_fam_import
 * runs several imports as one): *own says whether to commit/roll back. */
int kcs_begin(db_t *db, int *own, pu_err *err);
int kcs_commit(db_t *db, int own, pu_err *err);
void kcs_rollback(db_t *db, int own);
/* Record an event of hit `id` (four-eyes trail). */
int kcs_hit_event(db_t *db, int64_t id, const char *action, const char *user, const char *day, const char *note,
                  pu_err *err);

/* Dropout of the PM samples of c: every sample and marker (d, cin), then the
 * rows of a dropout CSV (csv may be NULL; sample,marker,dropout[,dropin],
 * kin_case_read_dropout_mem; messages name `name`). d = cin = 0 and no csv
 * leaves the samples exact. Errors: as kin_case_read_dropout_mem. */
int kcs_drop_apply(kin_case *c, double d, double cin, const char *csv, size_t len, const char *name, pu_err *err);
/* The dropout of one sample ev[db->n] as text: with_base = 0 gives only the
 * markers whose values differ from (d, cin), "MARKER=d/c;..." (the stored
 * per-marker column); with_base = 1 prefixes "*=d/c" (what a hit records;
 * nothing at all when every marker is exact). Appends to out. */
int kcs_drop_text(const kin_db *db, const kin_ev *ev, double d, double cin, int with_base, pu_buf *out);
/* Parse the stored per-marker text over the base (d, cin) into ev[db->n];
 * markers the frequency database lacks are skipped. Errors: PU_ERR_INVALID
 * (where names the record). */
int kcs_drop_parse(const kin_db *db, const char *text, double d, double cin, kin_ev *ev, const char *where,
                   pu_err *err);

#endif
