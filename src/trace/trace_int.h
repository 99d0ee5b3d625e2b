/* trace_int.h - internals shared by the trace module's files (not a contract). */
#ifndef PU_TRACE_INT_H
#define PU_TRACE_INT_H

#include "trace/trace.h"

struct trace {
    db_t *db;
    int64_t today;
};

/* Event kinds in chain order. */
#define TRACE_KINDS "MANUFACTURE IMPORT DISTRIBUTOR DEALER RETAIL TRANSFER"
int trace_kind_rank(const char *kind); /* 0..5, or -1 when unknown */

/* store_visible (kept as one call site for the module's reads). */
int trace_visible(const store_scope *scope, const char *owner, const char *marking);

/* Prepare-or-fail helper: runs sql with no params, calls cb per row. */
typedef int (*trace_row_cb)(db_stmt *st, void *ctx);
int trace_query(db_t *db, const char *sql, trace_row_cb cb, void *ctx, pu_err *err);

/* Keep a rejected input row verbatim (trace_reject), so nothing is lost. */
int trace_reject_keep(trace_t *t, const char *source, uint64_t line, const pu_err *why, const char *raw,
                      pu_err *err);

/* Allocate the next request number "TYYYY-NNNNNN" for today's year. */
int trace_next_number(trace_t *t, char *out, size_t size, pu_err *err);

/* Purchaser key "NORMALISED NAME|YYYY-MM-DD" (dob may be empty). */
void trace_party_key(const char *name, const char *dob, char *out, size_t size);

/* Simple deterministic PRNG (splitmix64) for the generator. */
uint64_t trace_rng(uint64_t *s);
double trace_rng_unit(uint64_t *s);

/* Interned strings with a hash (index.c): get returns the index, adding
 * when add = 1; UINT32_MAX when absent (or out of memory). */
typedef struct trace_strtab {
    char **s;
    uint32_t n, cap;
    uint32_t *slot; /* hash slots: index+1, 0 = empty */
    uint32_t nslot;
} trace_strtab;
uint32_t trace_strtab_get(trace_strtab *t, const char *s, int add);
void trace_strtab_free(trace_strtab *t);

#endif
