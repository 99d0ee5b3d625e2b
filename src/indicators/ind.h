/*
 * ind.h - impact indicators and the framework report (issue #24,
 * docs/indicators.md). The contract of src/indicators/.
 *
 * An indicator is data (data/indicators/framework.csv; `puente indicator
 * define`): numerator and denominator are formulas over the named counts
 * the engines publish (common/pu_count.h), times a factor, in the DHIS2
 * manner; or, for figures Puente does not hold (grants, trainings), manual
 * values entered with their source. The engine evaluates the formulas over
 * the count rows visible to the reader: it gathers them ONLY through each
 * registered module's `counts` function (app.h) with the reader's scope and
 * never reads an engine's tables. So a record the reader may not see
 * changes no figure, and the report for a scope that sees only what both
 * countries may read (ind_scope_releasable) holds no US-ONLY or MX-ONLY
 * count.
 *
 * Formula language (ind_expr_parse; docs/indicators.md "Formulas"):
 *   expr    := term (('+' | '-' | '−') term)*
 *   term    := unary (('*' | '×' | '/' | '÷') unary)*
 *   unary   := '-' unary | primary
 *   primary := NUMBER | '(' expr ')' | ('sum'|'median'|'count') '(' ref ')' | ref
 *   ref     := NAME [ '[' filter (',' filter)* ']' ]
 *   filter  := KEY ('=' | '!=') VALUE ('|' VALUE)*     KEY: country, state, agency
 * A bare ref is the sum of the matching rows' values in the cell; median()
 * is the median of the matching rows' values (publishers emit one row per
 * record for such names, e.g. trace.ttc_days); count() the number of rows.
 *
 * Ownership: structures returned through out-parameters are the caller's
 * and are freed with the matching _free function (NULL-safe).
 */
#ifndef PU_IND_H
#define PU_IND_H

#include <stdio.h>
#include "common/pu.h"
#include "common/pu_count.h"
#include "db/db.h"
#include "store/store.h"

#define IND_CODE_MAX 32
#define IND_FORMULA_MAX 512      /* bytes of one formula */
#define IND_TEXT_MAX 1024        /* bytes of a name, description or sentence */
#define IND_MAX_TARGETS 16
#define IND_MAX_DEFS 500         /* indicators in one definitions file */
#define IND_EXPR_MAX_NODES 128   /* nodes of one parsed formula */
#define IND_EXPR_MAX_DEPTH 32    /* parentheses nesting */
#define IND_MAX_FILTERS 4
#define IND_FILTER_VALUES 8
#define IND_YEAR_MIN 1990
#define IND_YEAR_MAX 2100
#define IND_MAX_MAP_CELLS 128     /* states on one map (32 MX, 51 US) */

/* ---- formulas (ind_expr.c) ----------------------------------------------- */
typedef struct ind_expr ind_expr;

/* Parse a formula (len bytes; not NUL-terminated necessarily). Errors:
 * PU_ERR_INVALID naming the position and what was expected ("at 14:
 * expected ')'"), PU_ERR_LIMIT (longer than IND_FORMULA_MAX, more than
 * IND_EXPR_MAX_NODES nodes or IND_EXPR_MAX_DEPTH nesting), PU_ERR_NOMEM.
 * where/field are used in the message (may be NULL). */
int ind_expr_parse(const char *text, size_t len, const char *where, const char *field, ind_expr **out, pu_err *err);
void ind_expr_free(ind_expr *e);
/* The distinct count names the formula refers to, in order of first use:
 * calls fn for each (stops at a non-zero return, which it returns). */
int ind_expr_names(const ind_expr *e, int (*fn)(const char *name, void *ctx), void *ctx);

/* Rows to evaluate over, and the cell they are evaluated in. */
typedef struct ind_rows {
    pu_count_row *rows;   /* strings owned by the set (ind_rows_free) */
    size_t n, cap;
} ind_rows;
/* Append a copy of row. Errors: PU_ERR_NOMEM, PU_ERR_LIMIT. */
int ind_rows_add(ind_rows *s, const pu_count_row *row);
void ind_rows_free(ind_rows *s);

typedef struct ind_cell {
    int year;             /* required */
    int month_from, month_to; /* 1..12 both (a quarter: 4..6); 0 = the whole year */
    const char *country, *state, *agency;  /* NULL = every value (the total) */
} ind_cell;

/* The value of e in cell over rows: *value, and *nrows the number of count
 * rows it read (0 = no data), *suppressed 1 when one of them was withheld
 * by its publisher (the value is then a lower bound). A division by zero
 * inside e is PU_ERR_INVALID with the message "division by zero" (no value;
 * the caller reports it, never 0 or inf). Errors: that, PU_ERR_NOMEM. */
int ind_expr_eval(const ind_expr *e, const ind_rows *rows, const ind_cell *cell, double *value, size_t *nrows,
                  int *suppressed, pu_err *err);

/* The rows published, in the period of c (any place), by the modules e
 * refers to: 0 means those engines published nothing for the period (a
 * missing period, "no data"); otherwise a reference without rows is a
 * true 0. */
size_t ind_expr_coverage(const ind_expr *e, const ind_rows *rows, const ind_cell *c);

/* ---- definitions (ind_def.c) --------------------------------------------- */
typedef struct ind_target { char period[16]; double value; } ind_target;

typedef struct ind_def {
    char code[IND_CODE_MAX];
    char goal[16];            /* protect, prevent, pursue */
    char area[64];            /* an area of the framework ("firearms", "precursors") */
    char *name[2], *description[2], *sentence[2];   /* [0] English, [1] Spanish */
    char *numerator, *denominator;                   /* "" = none (manual; no denominator: 1) */
    double factor;            /* 1, 100, 1000, 100000 */
    char unit[16];            /* "", "%", "days" */
    int direction;            /* +1 up is good, -1 down is good */
    char period[8];           /* year, quarter, month */
    char disaggregation[48];  /* ';'-list of country, state, agency; "" = none */
    int baseline_year;        /* 0 = none */
    double baseline_value;    /* NAN = computed from the data at baseline_year */
    ind_target targets[IND_MAX_TARGETS];
    size_t ntargets;
    int manual;               /* 1: values are entered (ind_value_add), not computed */
    char source[128];         /* where the definition (or the manual figure) comes from */
} ind_def;

void ind_def_free(ind_def *d);   /* frees the strings, not d */
/* The definitions of a CSV file (header: code, goal, area, name_en, name_es,
 * description_en, description_es, sentence_en, sentence_es, numerator,
 * denominator, factor, unit, direction, period, disaggregation,
 * baseline_year, baseline_value, targets, manual, source; targets as
 * "2025=120;2026=140"), every formula parsed. All or nothing: the first bad
 * row fails with "file:line: field 'x': expected ...". *out (n entries) is
 * the caller's (ind_defs_free). Errors: PU_ERR_INVALID, PU_ERR_LIMIT
 * (more than IND_MAX_DEFS, a field too long), PU_ERR_IO, PU_ERR_NOMEM. */
int ind_defs_read(const char *path, ind_def **out, size_t *n, pu_err *err);
/* The same over memory (name in messages). */
int ind_defs_read_mem(const char *data, size_t len, const char *name, ind_def **out, size_t *n, pu_err *err);
void ind_defs_free(ind_def *d, size_t n);

/* The indicators' tables (module "indicators"). Errors: db_migrate's. */
int ind_migrate(db_t *db, pu_err *err);
/* Add or replace the definitions (by code) in one transaction, and bump the
 * "indicators" generation. Definitions are framework metadata, readable by
 * every reader; only the operator or an agency with the admin role defines
 * (the shells check). Errors: PU_ERR_DB. */
int ind_defs_put(db_t *db, const ind_def *d, size_t n, pu_err *err);
/* Every stored definition, by goal (protect, prevent, pursue) then code;
 * *out is the caller's (ind_defs_free). Errors: PU_ERR_DB, PU_ERR_NOMEM. */
int ind_defs_load(db_t *db, ind_def **out, size_t *n, pu_err *err);

/* A manual value: indicator code, period ("2024", "2024-Q2", "2024-03"),
 * value, source (required), filed by scope with owner/marking (marking
 * default STORE_DEFAULT_MARKING; store_check_file/act_for). Each call adds a
 * version: revisions of an official figure are kept, the latest counts.
 * Errors: PU_ERR_INVALID (period, empty source, bad marking),
 * PU_ERR_NOTFOUND (no such indicator), PU_ERR_DENIED, PU_ERR_DB. */
int ind_value_add(db_t *db, const store_scope *scope, const char *code, const char *period, double value,
                  const char *source, const char *owner, const char *marking, pu_err *err);

/* ---- computing (ind_compute.c) ------------------------------------------- */
/* The reader who sees only what both countries may read (the releasable
 * version of the report): a scope of no agency in an unknown country, so
 * store_scope_sql lets through PUBLIC and SHARED rows only. */
extern const store_scope ind_scope_releasable;

/* One computed figure. */
typedef struct ind_figure {
    char code[IND_CODE_MAX];
    char period[16];          /* "2024", "2024-Q2", "2024-03" */
    char dim[16];             /* "" (total), "country", "state", "agency" */
    char cell[32];            /* the dimension's value ("MX-SIN"), "" for the total */
    int has_value;            /* 0: see reason */
    double value, numerator, denominator;
    char reason[96];          /* "no data", "division by zero", "" */
    size_t nrows;             /* count rows read */
    int suppressed;
    int manual;
    char source[128];         /* manual: its source */
    /* totals only: against the baseline and the period's target */
    int has_baseline, has_growth, has_target;
    int baseline_year;
    double baseline, growth_pct;      /* growth_pct: (value - baseline) / baseline x 100 */
    double target, achieved_pct;      /* achieved_pct: value / target x 100 (down is good: target / value) */
} ind_figure;

typedef struct ind_result {
    ind_figure *fig;
    size_t n, cap;
    char computed_at[32];     /* ISO time */
    char generations[256];    /* "entity=12;grant=0;..." the store generations read */
    char names[1024];         /* the count names the figures were computed from */
} ind_result;
void ind_result_free(ind_result *r);

typedef struct ind_query {
    const char *code;         /* NULL = every indicator */
    int year;                 /* the year; its periods per the indicator's period type */
    int from_year;            /* 0: only `year`; else every year from_year..year (trends) */
    const char *by;           /* NULL, "country", "state" or "agency": also per cell */
} ind_query;

/* Gather the count rows every registered module publishes for scope. */
int ind_rows_gather(db_t *db, const store_scope *scope, ind_rows *out, pu_err *err);
/* Compute the indicators q asks for over the rows scope sees (gathered
 * here), manual values read through store_scope_sql. Errors: PU_ERR_INVALID
 * (year out of range, unknown `by`), PU_ERR_NOTFOUND (no such code),
 * PU_ERR_DB, PU_ERR_NOMEM. */
int ind_compute(db_t *db, const store_scope *scope, const ind_query *q, ind_result *out, pu_err *err);
/* The same over rows the caller gathered (tests, the report). */
int ind_compute_rows(db_t *db, const store_scope *scope, const ind_def *defs, size_t ndefs, const ind_rows *rows,
                     const ind_query *q, ind_result *out, pu_err *err);
/* Figure lookup in a result (NULL when absent). */
const ind_figure *ind_result_find(const ind_result *r, const char *code, const char *period, const char *cell);

/* Write a result as CSV (code,period,dim,cell,value,numerator,denominator,
 * reason,rows,suppressed,source) or JSON (an object with computed_at,
 * generations, names and figures). Errors: PU_ERR_IO. */
int ind_result_write(const ind_result *r, int json, FILE *out, pu_err *err);

/* The drill-down of one figure: every count row (as scope sees it) that
 * contributes to indicator code in period (cell NULL = the total; else a
 * value of dimension `by`), written as CSV
 * (formula,name,year,month,country,state,agency,value,suppressed) or JSON.
 * The records behind a row are listed by its engine's own commands
 * (docs/indicators.md "Drill-down"). Errors: as ind_compute. */
int ind_drill(db_t *db, const store_scope *scope, const char *code, const char *period, const char *by,
              const char *cell, int json, FILE *out, pu_err *err);

/* ---- the records behind a figure (ind_records.c) -------------------------- */
#define IND_NAME_MAX 64
#define IND_RECORDS_PAGE_DEFAULT 50
#define IND_RECORDS_PAGE_MAX 1000
#define IND_RECORDS_MODULES_MAX 32   /* publishers one formula reads */

typedef struct ind_records_query {
    const char *code;         /* the indicator ... */
    const char *part;         /* ... its "numerator" (NULL) or "denominator" */
    const char *formula;      /* or, instead of code/part, a count reference ("tips.linked[state=MX-SIN]") */
    const char *period;       /* required: "2026", "2026-Q1", "2026-03" */
    const char *country, *state, *agency;  /* the cell (NULL: any; "-": rows without a value) */
    size_t limit;             /* page size: 0 = IND_RECORDS_PAGE_DEFAULT, at most IND_RECORDS_PAGE_MAX */
    size_t offset;            /* records skipped */
} ind_records_query;

/* One record behind a figure (copied: owned by the page). */
typedef struct ind_record {
    char name[IND_NAME_MAX];  /* the count it feeds */
    char kind[32], id[64], label[192], date[32], marking[16], link[128];
    char country[8], state[16], agency[32];
    int year, month;
    double value;             /* its part of the figure (1, or a distribution's value: days) */
} ind_record;

typedef struct ind_records {
    ind_record *rec;          /* the page: n records */
    size_t n, cap;
    size_t total;             /* every record behind the figure, all pages */
    double sum;               /* their values added up: the formula's figure for a plain sum */
} ind_records;

/* The records, as scope may see them, behind the numerator (or the
 * denominator, or a count reference) of one figure: exactly the count rows
 * that figure sums (same rows, same cell test), each with its record, in
 * the publishers' order, paged. *out is the caller's (ind_records_free),
 * also on error (then empty). Errors: PU_ERR_INVALID (period, part, limit,
 * a manual indicator, a formula), PU_ERR_NOTFOUND (no such code),
 * PU_ERR_DENIED (refusal, with the reason: a count published as aggregates
 * only, e.g. protection, or a cell its publisher withheld as a small
 * number), PU_ERR_DB, PU_ERR_NOMEM, PU_ERR_INTERNAL (a publisher's row
 * without its record). */
int ind_records_list(db_t *db, const store_scope *scope, const ind_records_query *q, ind_records *out, pu_err *err);
void ind_records_free(ind_records *r);
/* Write a page as CSV (name,kind,id,date,country,state,agency,marking,
 * value,label,link) or JSON ({"total","sum","offset","records":[...]}).
 * Errors: PU_ERR_IO. */
int ind_records_write(const ind_records *r, const ind_records_query *q, int json, FILE *out, pu_err *err);

/* ---- the framework report (ind_report.c) --------------------------------- */
typedef struct ind_report_opts {
    int year;
    const char *lang;          /* "en" or "es" */
    int pdf;                   /* 1: PDF (headless Chromium printing the HTML) */
    const char *audience;      /* text of the marking banner ("Releasable to MX, US") */
    const char *maps;          /* trace-maps.json (NULL: beside the binary, web/) */
    const char *chromium;      /* the browser (NULL: $PUENTE_CHROMIUM, else chromium) */
} ind_report_opts;

/* Write the framework report for scope to out_path: goal -> area ->
 * highlighted results as sentences with their figures, progress against
 * targets, an SVG trend per indicator and a map by state, in o->lang with
 * numbers formatted per locale (ICU). Errors: PU_ERR_INVALID (lang, year),
 * PU_ERR_IO (cannot write; the browser failed), ind_compute's. */
int ind_report_write(db_t *db, const store_scope *scope, const ind_report_opts *o, const char *out_path,
                     pu_err *err);

/* The report's HTML (as ind_report_write writes it; o->pdf ignored) into
 * out (whose max bounds it). Errors: as ind_report_write, PU_ERR_LIMIT. */
int ind_report_html(db_t *db, const store_scope *scope, const ind_report_opts *o, pu_buf *out, pu_err *err);

/* Format a number per locale ("1,238.5" / "1,238.5" es-MX), at most
 * `decimals` fraction digits, into out. Falls back to %.*f when ICU fails. */
void ind_format_number(const char *lang, double v, int decimals, char *out, size_t size);

#endif
