/*
 * pu_parse.h - the shared value parsers for outside input: dates, countries,
 * numbers with units. Every importer and command that reads a date, a
 * country or a quantity from a user goes through these, so a value is either
 * accepted the same way everywhere or refused with the same message
 * (docs/input.md).
 *
 * Common contract: `where` ("file:line" or "record X") and `field` ("birthDate")
 * name the value in the error; either may be NULL. On failure the function
 * returns PU_ERR_INVALID, fills *err (which may be NULL) with a message that
 * quotes the value and names the expected form, and leaves *out untouched.
 * No function allocates; all are thread-safe.
 */
#ifndef PU_PARSE_H
#define PU_PARSE_H

#include <stddef.h>
#include <stdint.h>
#include "common/pu.h"

/* ---- dates ------------------------------------------------------------ */

enum pu_date_prec { PU_DATE_YEAR = 1, PU_DATE_MONTH = 2, PU_DATE_DAY = 3 };

/* A calendar date, possibly partial (FtM birth dates may be "1970" or "1970-11"). */
typedef struct pu_date {
    int y, m, d;   /* m, d are 0 when below the precision */
    int prec;      /* enum pu_date_prec */
} pu_date;

#define PU_DATE_PARTIAL 1u  /* accept "YYYY" and "YYYY-MM" */
#define PU_DATE_TIME    2u  /* accept a trailing ISO time ("T10:00:00Z"); it is ignored */

/*
 * Parse an ISO 8601 calendar date "YYYY-MM-DD" (extended form, 4-digit year
 * 0001-9999). Other forms are refused with the expected format named and, when
 * the intent is unambiguous, the ISO spelling suggested: "18/11/1970" (write
 * 1970-11-18), "19520101" (write 1952-01-01), "1 Jan 1948". Impossible dates
 * are refused naming why ("1980-02-30": February 1980 has 29 days;
 * "1952-13-45": there is no month 13). Surrounding spaces are ignored.
 */
int pu_date_parse(const char *s, unsigned flags, const char *where, const char *field,
                  pu_date *out, pu_err *err);

/* pu_date_parse of a full date (YYYY-MM-DD, no time, no partial date) into
 * days since 1970-01-01: the one parser for commands that keep days (trace,
 * early warning), with the same messages (the expected form named, the
 * suggestion for 19520101 or 18/11/1970, impossible dates explained).
 * *days is untouched on failure. Errors: PU_ERR_INVALID. */
int pu_date_parse_days(const char *s, const char *where, const char *field, int64_t *days, pu_err *err);

/* Days since 1970-01-01 of the first day the date can mean ("1970" -> 1970-01-01). */
int64_t pu_date_days(const pu_date *d);
/* The last day the date can mean ("1970" -> 1970-12-31). */
int64_t pu_date_last_days(const pu_date *d);
/* Format at its precision ("1970", "1970-11", "1970-11-18") into buf (>= 11 bytes). */
void pu_date_format(const pu_date *d, char *buf, size_t size);

/* Today (UTC) in days since 1970-01-01. PUENTE_TODAY=YYYY-MM-DD overrides it
 * (reproducible tests and replays); an invalid override is ignored. */
int64_t pu_today(void);

/* PU_ERR_INVALID when the date is entirely after today ("a birth date in the
 * future"); a partial date is accepted if it can still be today or before. */
int pu_date_not_future(const pu_date *d, const char *where, const char *field, pu_err *err);

/* PU_ERR_INVALID when `later` is certainly before `earlier` (e.g. arrival
 * before departure, a purchaser born after the purchase). Both fields are
 * named in the message; dates at different precisions are compared at the
 * coarser one, so "1970" vs "1970-05-02" is never an error. */
int pu_date_order(const pu_date *earlier, const char *earlier_field, const pu_date *later,
                  const char *later_field, const char *where, pu_err *err);

/*
 * Parse an ISO 8601 date-time: "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS[.fff]]"
 * (a space instead of T is accepted) with an optional "Z" or "+HH:MM"/"-HH:MM"
 * offset (no offset = UTC). *epoch gets seconds since 1970-01-01T00:00:00Z.
 */
int pu_datetime_parse(const char *s, const char *where, const char *field, int64_t *epoch, pu_err *err);

/* ---- countries -------------------------------------------------------- */

/*
 * Parse a country: ISO 3166-1 alpha-2 ("MX", "mx") or alpha-3 ("MEX") code,
 * or its English or Spanish name ("Mexico", "México", "MEXICO", "Estados
 * Unidos", "United States", "CHINA"); case, accents and punctuation do not
 * matter. The names come from ICU's locale display names (docs/input.md).
 * *out gets the lower-case alpha-2 code (3 bytes with the NUL). An unknown or
 * ambiguous value ("Congo": CG or CD) is refused naming it.
 */
int pu_country_parse(const char *s, const char *where, const char *field, char out[3], pu_err *err);

/* Display name of an alpha-2 code in "en" or "es" (static, never freed), or
 * NULL when the code is unknown. */
const char *pu_country_name(const char *code, const char *lang);

/* ---- numbers ---------------------------------------------------------- */

#define PU_NUM_POSITIVE 1u  /* must be > 0 */
#define PU_NUM_NONNEG   2u  /* must be >= 0 */
#define PU_NUM_INTEGER  4u  /* no fraction */

/*
 * Parse a decimal number ("12", "-3.5", "1e3"). Refused: empty, "abc",
 * trailing junk, NaN, infinities, a decimal comma ("1,5": use '.'), and the
 * sign/integer constraints in `flags`.
 */
int pu_number_parse(const char *s, unsigned flags, const char *where, const char *field,
                    double *out, pu_err *err);

/* Parse an integer within [min, max]. */
int pu_int_parse(const char *s, long long min, long long max, const char *where, const char *field,
                 long long *out, pu_err *err);

/*
 * Parse a positive mass with its unit and convert it to kilograms: "500 kg",
 * "500kg", "1.5 t", "200 g", "250 mg", "10 lb", "8 oz", Spanish "kilos",
 * "gramos", "libras". A bare number takes `default_unit` ("kg", "g", ...);
 * with default_unit NULL a unit is required. Unknown units ("ton" is
 * ambiguous: short or metric) are refused naming the accepted ones.
 */
int pu_mass_parse(const char *s, const char *default_unit, const char *where, const char *field,
                  double *kg, pu_err *err);

/* Parse a percentage 0..100: "45", "45%", "45 %", "12.5%". */
int pu_percent_parse(const char *s, const char *where, const char *field, double *pct, pu_err *err);

#endif
