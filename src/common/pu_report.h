/*
 * pu_report.h - the import summary discipline (docs/input.md).
 *
 * Every importer and reader command counts what it did with each input
 * record in ONE pu_report:
 *   read       records seen in the input (header and blank lines excluded;
 *              a record the reader refused — bad UTF-8, too large — counts)
 *   written    records stored (new or changed)
 *   unchanged  records already stored exactly so (a re-import changes nothing)
 *   rejected   records refused (each with its file:line and reason)
 *   duplicate  records refused or replaced because the same key appeared
 *              earlier in the same input (both lines named)
 * and read == written + unchanged + rejected + duplicate must hold
 * (pu_report_check). The exit code follows from it (pu_report_exit).
 *
 * Messages go to `diag` (stderr for the CLI, NULL for silent) as they happen,
 * at most PU_REPORT_MAX_SHOWN of them, and the first PU_REPORT_MAX_KEPT are
 * kept for API responses.
 */
#ifndef PU_REPORT_H
#define PU_REPORT_H

#include <stdint.h>
#include <stdio.h>
#include "common/pu.h"

#define PU_REPORT_MAX_SHOWN 50  /* messages printed before "... and N more" */
#define PU_REPORT_MAX_KEPT 100  /* messages kept for an API response */

/* Exit code of a command that completed but refused some records: what it
 * kept is stored and the summary lists what it refused (docs/CLI.md). */
#define PU_EXIT_PARTIAL 7

typedef struct pu_report {
    const char *label;          /* "import ftm" (static or outliving the report) */
    uint64_t read, written, unchanged, rejected, duplicate;
    uint64_t warnings;
    FILE *diag;                 /* where messages are printed, or NULL */
    uint64_t shown;             /* messages printed so far */
    char **kept;                /* first PU_REPORT_MAX_KEPT messages ("error: ..."/"warning: ...") */
    size_t nkept;
} pu_report;

/* Start a report. `diag` may be NULL. Never fails. */
void pu_report_init(pu_report *r, const char *label, FILE *diag);
/* Free the kept messages (the report itself is the caller's). */
void pu_report_free(pu_report *r);

/* A record was refused: rejected++, the error is printed/kept. */
void pu_report_reject(pu_report *r, const pu_err *e);
/* A record repeats the key of an earlier one in the same input: duplicate++,
 * a message naming the key and both places. `action` says what happened
 * ("refused", "replaces the earlier one"). */
void pu_report_duplicate(pu_report *r, const char *key, const char *where, const char *first_where,
                         const char *action);
/* A warning that refuses nothing (an unknown column ignored, a value normalised). */
void pu_report_warn(pu_report *r, const char *where, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* PU_ERR_INTERNAL with a message when the counts do not add up. */
int pu_report_check(const pu_report *r, pu_err *err);
/* One line: "import ftm: 10 read, 7 written, 1 unchanged, 1 rejected, 1 duplicate". */
void pu_report_print(const pu_report *r, FILE *out);
/* 0 when nothing was refused, PU_EXIT_PARTIAL when some records were rejected
 * or were duplicates (the rest is stored). Whole-input refusals are not
 * counted here: they return the PU_ERR_* code (exit 3 etc.). */
int pu_report_exit(const pu_report *r);

/* ---- duplicate keys inside one input ---- */
typedef struct pu_dupset pu_dupset;
/* New empty set. Errors: PU_ERR_NOMEM. */
int pu_dupset_new(pu_dupset **out);
/*
 * Record `key` seen at `where`. Returns 0 when new, 1 when seen before; then
 * *first_where (may be NULL) points at the first place (owned by the set,
 * valid until pu_dupset_free). -1 on out of memory.
 */
int pu_dupset_add(pu_dupset *s, const char *key, const char *where, const char **first_where);
size_t pu_dupset_count(const pu_dupset *s);
void pu_dupset_free(pu_dupset *s);

#endif
