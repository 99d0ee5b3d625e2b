/*
 * ind_int.h - internals shared by the files of src/indicators; never
 * included from outside the module.
 */
#ifndef PU_IND_INT_H
#define PU_IND_INT_H

#include "indicators/ind.h"

/* The first count reference of e that row r feeds in cell c (its node
 * index), or -1: the drill-down lists the rows behind a figure with it. */
int ind_expr_row_feeds(const ind_expr *e, const pu_count_row *r, const ind_cell *c);

/* The period strings of a year for a period type (out has room for 12:
 * "year": "2024";
 * "quarter": "2024-Q1".."2024-Q4"; "month": "2024-01".."2024-12") and the
 * cell months of one period. */
int ind_periods(const char *type, int year, char out[][16]);
/* Parse a period string into year and month range. Errors: PU_ERR_INVALID. */
int ind_period_parse(const char *period, int *year, int *month_from, int *month_to, pu_err *err);

/* Today's date, long form per locale ("December 6, 2026" / "6 de
 * diciembre de 2026"). */
void ind_format_today(const char *lang, char *out, size_t size);

/* Write s as a JSON string (quoted, escaped). */
void ind_json_str(FILE *out, const char *s);

#endif
