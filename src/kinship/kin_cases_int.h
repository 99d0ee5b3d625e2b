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
/* Run one statement with text parameters (NULL = SQL NULL), no result. */
int kcs_exec(db_t *db, const char *sql, int n, const char *const *vals, pu_err *err);
/* Record an event of hit `id` (four-eyes trail). */
int kcs_hit_event(db_t *db, int64_t id, const char *action, const char *user, const char *day, const char *note,
                  pu_err *err);

#endif
