/* case_int.h - internals shared by the files of src/cases (never included
 * from outside the module). */
#ifndef PU_CASE_INT_H
#define PU_CASE_INT_H

#include "cases/cases.h"
#include "db/db_sql.h"

#define CASE_TEXT_MAX 8000      /* bytes of a title, note, task or summary */

/* Append the condition "record alias (a row with owner/marking) of kind is
 * visible to rd": the releasability rule OR a share of that record to the
 * reader's agency. */
void case_record_sql(db_sql *q, const case_reader *rd, const char *kind, const char *alias);

/* The case's owner and marking when rd may see it; write = 1 also needs the
 * write right. Errors: PU_ERR_NOTFOUND (absent or hidden), PU_ERR_DENIED
 * (visible but no write right), PU_ERR_DB. owner/marking may be NULL. */
int case_access(db_t *db, const case_reader *rd, int64_t id, int write, char owner[32], char marking[16],
                pu_err *err);
/* The case a sub-record (table with a case_id column) belongs to, when the
 * reader may write it. Errors: as case_access. */
int case_parent_access(db_t *db, const case_reader *rd, const char *table, int64_t rec, int write, int64_t *case_id,
                       pu_err *err);
/* Append a timeline entry (the module's own changes). */
int case_timeline(db_t *db, int64_t id, const char *day, const char *kind, const char *text, const char *actor,
                  pu_err *err);
/* Audit a change inside the caller's transaction (action "case.*"). */
int case_audit(db_t *db, const case_reader *rd, const char *action, const char *targets, const char *detail,
               pu_err *err);
/* The actor's name for timelines: the user, else the agency, else "operator". */
const char *case_actor(const case_reader *rd);
/* Today as YYYY-MM-DD (or `given` when valid). Errors: PU_ERR_INVALID. */
int case_day(const char *given, const char *field, char out[11], pu_err *err);
/* Run a prepared statement to its end. */
int case_exec(db_stmt *st, pu_err *err);
/* The rows of a prepared statement as a JSON array of objects keyed by the
 * column names in cols (NULL-terminated, in column order). The statement is
 * finalized. Columns named "*_n" are integers, "*_b" booleans (suffix
 * dropped in the key). */
int case_rows_json(db_stmt *st, const char *const *cols, json_t **out, pu_err *err);
/* An extradition request's case, stage, since, decision and direction when
 * the reader may see it (case_flow.c). Errors: PU_ERR_NOTFOUND, PU_ERR_DB. */
typedef struct ext_row {
    int64_t case_id;
    case_stage stage;
    char since[11], decision[16], direction[16];
} ext_row;
int case_ext_get(db_t *db, const case_reader *rd, int64_t xid, ext_row *r, pu_err *err);
/* Begin/commit helpers on db (joins an open transaction). */
int case_begin(db_t *db, int *own, pu_err *err);
int case_end(db_t *db, int own, int rc, pu_err *err);

#endif
