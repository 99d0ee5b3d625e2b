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

/* ---- partial-serial patterns: the one definition (trace_pattern.c) ----
 * A pattern compiled into elements; the matcher, the index's pruning facts
 * and the SQL GLOB text all come from it. */
#define TRACE_PAT_MAX TRACE_SERIAL_MAX
enum { TRACE_PAT_LIT = 1, TRACE_PAT_ONE, TRACE_PAT_ANY, TRACE_PAT_SET };
typedef struct trace_pat_elem {
    int kind;
    char c;                       /* TRACE_PAT_LIT */
    char set[TRACE_SERIAL_MAX];   /* TRACE_PAT_SET: the members */
} trace_pat_elem;
typedef struct trace_pattern {
    trace_pat_elem e[TRACE_PAT_MAX];
    size_t n;
    size_t lead_q;                /* leading '?' (may stand for dropped zeros) */
    size_t fixed;                 /* elements other than '*' */
    int star;                     /* has '*': length not fixed */
    size_t literals;
    char prefix[TRACE_PAT_MAX + 1]; /* literal prefix before the first wildcard */
    size_t plen;
} trace_pattern;
/* Compile; PU_ERR_INVALID (unbalanced or empty '[]', stray ']'),
 * PU_ERR_LIMIT (too many elements). No pu_err: callers word the message. */
int trace_pattern_compile(const char *pattern, trace_pattern *p);
int trace_pattern_match(const trace_pattern *p, const char *serial);
/* The rank score of a candidate serial of len bytes for a pattern with
 * `literals` literal characters, with the request's hints (docs/trace.md
 * "Candidates are ranked by"): the index and the SQL runner both use it,
 * so a request ranks the same whichever way it was run. h may be NULL. */
double trace_candidate_score(size_t literals, size_t len, const char *model, const char *calibre, const char *type,
                             const trace_hint *h);
/* 1 when a serial of len bytes can match (pruning; never drops a match). */
int trace_pattern_len_ok(const trace_pattern *p, size_t len);
/* The GLOB text; *exact = 0 when rows must be re-checked with the matcher. */
int trace_pattern_glob(const trace_pattern *p, char *out, size_t size, int *exact);

/* Prepare-or-fail helper: runs sql with no params, calls cb per row. Only
 * for tables without owner/marking (or system-only work such as deriving
 * the multiple-sale reports); marked tables are read with trace_query_sql
 * and store_scope_sql. */
typedef int (*trace_row_cb)(db_stmt *st, void *ctx);
int trace_query(db_t *db, const char *sql, trace_row_cb cb, void *ctx, pu_err *err);
/* The same for a built query (text + bindings). */
int trace_query_sql(db_t *db, const db_sql *q, trace_row_cb cb, void *ctx, pu_err *err);
/* The same for a read of a whole table (an index build): read in batches
 * (db_large_read), never the whole result in memory. */
int trace_query_sql_large(db_t *db, const db_sql *q, trace_row_cb cb, void *ctx, pu_err *err);

/* Append a condition, true when the result of request `r` (alias) may be
 * shown to scope: the matched firearm and the first retail sale the result
 * was read from are both visible. A result is derived from those records,
 * so it is released only with them (docs/trace.md "Visibility"). */
int trace_result_visible_sql(db_sql *q, const store_scope *scope, const char *r);
/* True when the selling dealer's record (dealer_event_id) is visible. */
int trace_dealer_visible_sql(db_sql *q, const store_scope *scope, const char *r);

/* Buyer volume per (buyer, owner, marking) of the sales, for buyers with 3
 * or more first retail purchases in all: leads sum the rows the reader may
 * see. Used by the v3 migration and by trace_msr_detect. */
#define TRACE_PURCHASER_FILL                                                                          \
    "INSERT INTO trace_purchaser(party_key, owner, marking, purchases)"                               \
    " SELECT e.party_key, e.owner, e.marking, COUNT(*) FROM trace_event e"                             \
    " WHERE e.kind = 'RETAIL' AND e.party_key IN (SELECT party_key FROM trace_event"                   \
    " WHERE kind = 'RETAIL' AND party_key IS NOT NULL GROUP BY party_key HAVING COUNT(*) >= 3)"        \
    " GROUP BY e.party_key, e.owner, e.marking"

/* Keep a rejected input row verbatim (trace_reject), so nothing is lost. */
int trace_reject_keep(trace_t *t, const char *source, uint64_t line, const pu_err *why, const char *raw,
                      pu_err *err);

/* Allocate the next request number "TYYYY-NNNNNN" for today's year. */
int trace_next_number(trace_t *t, char *out, size_t size, pu_err *err);
/* Numbers for many requests in one transaction (the generator): locks
 * today's year's counter row until the transaction ends and sets *year and
 * *last (the last number issued so far, 0 for none); the caller issues
 * last+1, last+2... with trace_number_format and gives the counter its new
 * last number with trace_number_block_end before committing. One statement
 * each instead of two per request. PU_ERR_DB. */
int trace_number_block(trace_t *t, int *year, int64_t *last, pu_err *err);
int trace_number_block_end(trace_t *t, int year, int64_t last, pu_err *err);
/* "TYYYY-NNNNNN" into out (PU_ERR_TRUNCATED when it does not fit). */
int trace_number_format(int year, int64_t n, char *out, size_t size);

/* Purchaser key: the blind index (store_blind_index, context
 * "trace.party_key") of "NORMALISED NAME|YYYY-MM-DD" (dob may be empty);
 * without a sealing key the text itself. Every join, GROUP BY and lookup on
 * buyers (leads, multiple-sale reports, buyer volume, ground truth) uses
 * it, never the name. out: TRACE_KEY_MAX. Errors: those of store_blind_index. */
#define TRACE_KEY_MAX (TRACE_NAME_MAX + 16)
int trace_party_key(const char *name, const char *dob, char *out, size_t size, pu_err *err);

/* ---- persons' names at rest (docs/security.md "Trace names") ----
 * The names, aliases and addresses of purchasers and possessors
 * (trace_event.party of RETAIL/TRANSFER events, trace_request.possessor,
 * possessor_alias, possessor_address and purchaser, trace_msr.purchaser) are
 * sealed with store_seal under one context, TRACE_PERSON_CTX, so a sealed
 * name moves between these columns as it is. Businesses (manufacturers,
 * importers, dealers) stay plain. */
#define TRACE_PERSON_CTX "trace.person"
/* Seal a person's name (NULL stays NULL); *out is the caller's (free()).
 * Errors: those of store_seal. */
int trace_person_seal(const char *plain, char **out, pu_err *err);
/* The stored value opened into buf[size] (truncated); a value that cannot
 * be opened (a key that is not configured) reads "[sealed]". Returns buf. */
const char *trace_person_open(const char *stored, char *buf, size_t size);
/* The store's blind-index state: PU_OK when the trace tables were indexed
 * under the configured key (or none, and there is none); PU_ERR_CONFLICT
 * naming `puente trace seal` otherwise. An empty store takes the current
 * key. Errors: PU_ERR_CONFLICT, PU_ERR_DB. */
int trace_blind_check(db_t *db, pu_err *err);

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
