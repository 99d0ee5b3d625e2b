/*
 * pu_count.h - named counts that engines publish for the impact indicators
 * (src/indicators, docs/indicators.md).
 *
 * An engine that holds figures of the framework's results (traces submitted,
 * shipments held, tips linked, identifications, warrants, ...) publishes them
 * as rows of named counts through its module descriptor's `counts` function
 * (src/app/app.h). The indicator engine evaluates its formulas over these
 * rows; it never reads an engine's tables itself.
 *
 * Invariants of a publisher:
 *   - it reads ONLY through store_scope_sql with the given scope, so a row
 *     counts only records the reader may see (a hidden record changes no
 *     figure);
 *   - every row is additive: the figure for a coarser cell (a whole year, a
 *     whole country, all agencies) is the sum of the finer rows, so the
 *     publisher emits each record once, in its finest cell;
 *   - names are "<module>.<what>" in snake_case ("trace.requests_submitted",
 *     "cases.warrants_issued"), stable (indicator definitions refer to them),
 *     and documented in the engine's docs page;
 *   - restricted engines (protection) publish only aggregates and suppress
 *     small cells themselves (value < their threshold is not emitted; the
 *     row is emitted with suppressed = 1 and value 0 instead).
 * Strings in a row are borrowed for the duration of the callback only.
 *
 * Records behind the figures (the drill-down, docs/indicators.md "Records
 * behind a figure"): a module that can name them also registers
 * `count_records` (src/app/app.h), which walks the SAME rows as its
 * `counts` (the same SQL, the same scope, the same cells and values) with
 * `rec` set to the record each row counts. Because the rows are the same,
 * the records matching a name and a cell are exactly the records the
 * figure of that name and cell counts, and their values add up to it.
 * Modules that publish aggregates only (protection) register none: their
 * figures never drill down to records.
 */
#ifndef PU_COUNT_H
#define PU_COUNT_H

#include "common/pu.h"

/* The record a row counts (count_records only). */
typedef struct pu_count_record {
    const char *kind;     /* "trace_request", "tip", "cargo_line", ... (stable, snake_case) */
    const char *id;       /* the record's id as its own engine names it ("42", "T-7Q2M") */
    const char *label;    /* a short description in the engine's words, no personal data beyond
                             what the engine's own list shows the reader */
    const char *date;     /* ISO date of the event counted ("2026-03-14"), "" if none */
    const char *marking;  /* the record's releasability marking */
    const char *link;     /* the web page that opens it ("/app/trace/42"), "" if none */
} pu_count_record;

typedef struct pu_count_row {
    const char *name;     /* "trace.requests_submitted" */
    int year;             /* calendar year of the event the record counts */
    int month;            /* 1..12, or 0 when the publisher has only the year */
    const char *country;  /* ISO 3166-1 alpha-2 of the disaggregation, "" if none */
    const char *state;    /* ISO 3166-2 subdivision ("MX-SIN", "US-TX"), "" if none */
    const char *agency;   /* owning agency code, "" if none */
    double value;         /* additive figure of the cell */
    int suppressed;       /* 1: a small cell withheld by the publisher (value 0) */
    const pu_count_record *rec; /* count_records only: the record counted; NULL from counts */
} pu_count_row;

/* Called once per row; a nonzero return stops the publisher, which returns it. */
typedef int (*pu_count_cb)(const pu_count_row *row, void *ctx, pu_err *err);

#endif
