/* trace_req.h - internal request record shared by form, import and run. */
#ifndef PU_TRACE_REQ_H
#define PU_TRACE_REQ_H

#include "trace/trace_int.h"

enum {
    F_REQUEST_DATE, F_PRIORITY, F_AGENCY, F_REQUESTER, F_CASE_NUMBER, F_CRIME_CODE, F_SERIAL, F_OBLITERATED,
    F_MANUFACTURER, F_IMPORTER, F_TYPE, F_CALIBRE, F_MODEL, F_COUNTRY, F_MARKINGS, F_POSSESSOR,
    F_POSSESSOR_ALIAS, F_POSSESSOR_DOB, F_POSSESSOR_ADDRESS, F_RECOVERY_DATE, F_RECOVERY_STATE,
    F_RECOVERY_PLACE, F_COUNT
};

enum { TRACE_CLASS_HANDGUN = 0, TRACE_CLASS_LONG = 1, TRACE_CLASS_OTHER = 2 };

typedef struct trace_req {
    const char *v[F_COUNT];       /* borrowed raw values (NULL = absent) */
    char request_date[16];
    const char *priority, *type;  /* static canonical strings */
    char serial_norm[TRACE_SERIAL_MAX];
    int wild, obliterated, mfr_known;
    char mfr[TRACE_NAME_MAX];
    char recovery_state[8];
} trace_req;

int trace_form_index(const char *key);
const char *trace_type_norm(const char *raw);
int trace_type_class(const char *type);
/* The write rule for filing: the marking (default STORE_DEFAULT_MARKING)
 * parses and scope's country may file it (store_check_file), and o->owner,
 * when given, is scope's own agency (store_check_act_for). need_owner: an
 * owner is required. PU_ERR_INVALID, PU_ERR_DENIED. */
int trace_check_opts(const store_scope *scope, const trace_import_opts *o, int need_owner, pu_err *err);
int trace_req_validate(trace_t *t, const char *const *v, trace_req *r, pu_err *err);
/* Insert with an optional cached statement (*cache prepared on first use). */
int trace_req_insert(trace_t *t, db_stmt **cache, const trace_req *r, const trace_import_opts *o, int64_t *id,
                     char *number, size_t nsize, pu_err *err);
/* Many new requests without a round trip each (the generator): a bulk
 * insert (db_bulk, COPY on PostgreSQL) into trace_request, owned by the
 * caller (db_bulk_close), and one row of it: the same columns and values as
 * trace_req_insert, with the request number and time given by the caller
 * (trace_number_block). The new ids are not returned. Errors: those of
 * db_bulk_open / db_bulk_row, PU_ERR_NOMEM (sealing). */
int trace_req_bulk_open(trace_t *t, db_bulk **out, pu_err *err);
int trace_req_bulk_row(db_bulk *b, const trace_req *r, const trace_import_opts *o, const char *number,
                       const char *now, pu_err *err);

#endif
