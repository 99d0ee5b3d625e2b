/* pu_parse.c - dates, countries, numbers with units (see pu_parse.h). */
#include "common/pu_parse.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <unicode/uloc.h>
#include <unicode/ustring.h>
#include <utf8proc.h>

#define DATE_FORM "an ISO 8601 date YYYY-MM-DD"
#define VALUE_SHOW_MAX 60 /* bytes of a refused value quoted in a message */

/* ================= dates ================= */

static int is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int month_days(int y, int m) {
    static const int md[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : md[m - 1];
}

/* Days since 1970-01-01 (proleptic Gregorian; H. Hinnant's civil algorithm). */
static int64_t civil_days(int y, int m, int d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153u * (unsigned)(m + (m > 2 ? -3 : 9)) + 2) / 5 + (unsigned)d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static const char *month_name(int m) {
    static const char *n[] = {PU_N("January"), PU_N("February"), PU_N("March"),     PU_N("April"),
                              PU_N("May"),     PU_N("June"),     PU_N("July"),      PU_N("August"),
                              PU_N("September"), PU_N("October"), PU_N("November"), PU_N("December")};
    return n[m - 1];
}

/* Read exactly n digits at s into *v; 0 when they are not all digits. */
static int digits(const char *s, int n, int *v) {
    int x = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i])) return 0;
        x = x * 10 + (s[i] - '0');
    }
    *v = x;
    return 1;
}

/* Copy s without surrounding spaces into buf (truncated for display). */
static void show(const char *s, char *buf, size_t size) {
    while (*s == ' ' || *s == '\t') s++;
    pu_strlcpy(buf, s, size);
    size_t n = strlen(buf);
    while (n && (buf[n - 1] == ' ' || buf[n - 1] == '\t' || buf[n - 1] == '\r')) buf[--n] = '\0';
}

/* The message for a date in another form, with a suggestion when the intent
 * is clear: 8 digits (ISO basic form) or day/month/year with day > 12. */
static int date_wrong_form(const char *v, const char *where, const char *field, pu_err *err) {
    int y, m, d;
    size_t n = strlen(v);
    if (n == 8 && digits(v, 4, &y) && digits(v + 4, 2, &m) && digits(v + 6, 2, &d) && m >= 1 && m <= 12 &&
        d >= 1 && d <= month_days(y ? y : 2000, m))
        return pu_fail(err, PU_ERR_INVALID, where, field, "expected %s with dashes, got '%s' (write %04d-%02d-%02d)",
                       pu_tr(DATE_FORM), v, y, m, d);
    if (n == 10 && (v[2] == '/' || v[2] == '.' || v[2] == '-') && v[5] == v[2] && digits(v, 2, &d) &&
        digits(v + 3, 2, &m) && digits(v + 6, 4, &y)) {
        if (d > 12 && m >= 1 && m <= 12 && d <= month_days(y, m))
            return pu_fail(err, PU_ERR_INVALID, where, field,
                           "expected %s, got '%s' (day/month/year? write %04d-%02d-%02d)", pu_tr(DATE_FORM), v, y, m, d);
        return pu_fail(err, PU_ERR_INVALID, where, field,
                       "expected %s, got '%s' (day and month order is ambiguous; write year-month-day)",
                       pu_tr(DATE_FORM), v);
    }
    return pu_fail(err, PU_ERR_INVALID, where, field, "expected %s, got '%s'", pu_tr(DATE_FORM), v);
}

/* Check the calendar: month 1-12, day within the month. */
static int date_check_calendar(const char *v, const pu_date *d, const char *where, const char *field,
                               pu_err *err) {
    if (d->y < 1)
        return pu_fail(err, PU_ERR_INVALID, where, field, "'%s' is not a date: there is no year 0000", v);
    if (d->prec >= PU_DATE_MONTH && (d->m < 1 || d->m > 12))
        return pu_fail(err, PU_ERR_INVALID, where, field, "'%s' is not a date: there is no month %d (%s)", v, d->m,
                       pu_tr(DATE_FORM));
    if (d->prec == PU_DATE_DAY && (d->d < 1 || d->d > month_days(d->y, d->m)))
        return pu_fail(err, PU_ERR_INVALID, where, field, "'%s' is not a date: %s %d has %d days", v,
                       pu_tr(month_name(d->m)), d->y, month_days(d->y, d->m));
    return PU_OK;
}

/* Length of a valid ISO time suffix at s ("T10:00", "T10:00:00.5Z",
 * " 10:00:00+02:00"), or 0 when s is not one. *offset_s gets the UTC offset. */
static size_t time_suffix(const char *s, int *hh, int *mi, int *ss, int *offset_s) {
    const char *p = s;
    *hh = *mi = *ss = *offset_s = 0;
    if (*p != 'T' && *p != 't' && *p != ' ') return 0;
    p++;
    if (!digits(p, 2, hh) || p[2] != ':' || !digits(p + 3, 2, mi)) return 0;
    p += 5;
    if (*p == ':') {
        if (!digits(p + 1, 2, ss)) return 0;
        p += 3;
        if (*p == '.' || *p == ',') {
            p++;
            if (!isdigit((unsigned char)*p)) return 0;
            while (isdigit((unsigned char)*p)) p++;
        }
    }
    if (*hh > 23 || *mi > 59 || *ss > 60) return 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int oh, om;
        if (!digits(p + 1, 2, &oh)) return 0;
        const char *q = p + 3;
        if (*q == ':') q++;
        if (!digits(q, 2, &om) || oh > 23 || om > 59) return 0;
        *offset_s = (*p == '-' ? -1 : 1) * (oh * 3600 + om * 60);
        p = q + 2;
    }
    return (size_t)(p - s);
}

/* Parse the ISO date at the start of v; *used gets the bytes consumed. */
static int date_prefix(const char *v, unsigned flags, pu_date *d, size_t *used) {
    memset(d, 0, sizeof *d);
    if (!digits(v, 4, &d->y)) return 0;
    d->prec = PU_DATE_YEAR;
    *used = 4;
    (void)flags;
    if (v[4] != '-') return 1;
    if (!digits(v + 5, 2, &d->m)) return 0;
    d->prec = PU_DATE_MONTH;
    *used = 7;
    if (v[7] != '-') return 1;
    if (!digits(v + 8, 2, &d->d)) return 0;
    d->prec = PU_DATE_DAY;
    *used = 10;
    return 1;
}

/* pu_date_parse; *wrong_form is 1 when v is empty or not in the ISO form
 * (rather than an impossible date), so pu_datetime_parse can name its own. */
static int date_parse(const char *s, unsigned flags, const char *where, const char *field, pu_date *out,
                      int *wrong_form, pu_err *err) {
    char v[VALUE_SHOW_MAX + 1];
    show(s ? s : "", v, sizeof v);
    *wrong_form = 1;
    if (!*v) return pu_fail(err, PU_ERR_INVALID, where, field, "empty; expected %s", pu_tr(DATE_FORM));
    pu_date d;
    size_t used = 0;
    if (!date_prefix(v, flags, &d, &used)) return date_wrong_form(v, where, field, err);
    const char *rest = v + used;
    if (*rest) {
        int hh, mi, ss, off;
        size_t t = (flags & PU_DATE_TIME) && d.prec == PU_DATE_DAY ? time_suffix(rest, &hh, &mi, &ss, &off) : 0;
        if (!t || rest[t]) return date_wrong_form(v, where, field, err);
    }
    if (d.prec < PU_DATE_DAY && !(flags & PU_DATE_PARTIAL)) return date_wrong_form(v, where, field, err);
    *wrong_form = 0;
    int rc = date_check_calendar(v, &d, where, field, err);
    if (rc) return rc;
    *out = d;
    return PU_OK;
}

int pu_date_parse(const char *s, unsigned flags, const char *where, const char *field, pu_date *out,
                  pu_err *err) {
    int wrong_form;
    return date_parse(s, flags, where, field, out, &wrong_form, err);
}

int pu_date_parse_days(const char *s, const char *where, const char *field, int64_t *days, pu_err *err) {
    pu_date d;
    int rc = pu_date_parse(s, 0, where, field, &d, err);
    if (rc == PU_OK) *days = pu_date_days(&d);
    return rc;
}

int64_t pu_date_days(const pu_date *d) {
    return civil_days(d->y, d->prec >= PU_DATE_MONTH ? d->m : 1, d->prec == PU_DATE_DAY ? d->d : 1);
}

int64_t pu_date_last_days(const pu_date *d) {
    if (d->prec == PU_DATE_DAY) return civil_days(d->y, d->m, d->d);
    if (d->prec == PU_DATE_MONTH) return civil_days(d->y, d->m, month_days(d->y, d->m));
    return civil_days(d->y, 12, 31);
}

void pu_date_format(const pu_date *d, char *buf, size_t size) {
    if (d->prec == PU_DATE_DAY) snprintf(buf, size, "%04d-%02d-%02d", d->y, d->m, d->d);
    else if (d->prec == PU_DATE_MONTH) snprintf(buf, size, "%04d-%02d", d->y, d->m);
    else snprintf(buf, size, "%04d", d->y);
}

int64_t pu_today(void) {
    const char *o = getenv("PUENTE_TODAY");
    pu_date d;
    if (o && *o && pu_date_parse(o, 0, NULL, NULL, &d, NULL) == PU_OK) return pu_date_days(&d);
    time_t t = time(NULL);
    return (int64_t)(t / 86400);
}

int pu_date_not_future(const pu_date *d, const char *where, const char *field, pu_err *err) {
    int64_t today = pu_today();
    if (pu_date_days(d) <= today) return PU_OK;
    char a[16], b[16];
    pu_date_format(d, a, sizeof a);
    pu_format_date(today, b, sizeof b);
    return pu_fail(err, PU_ERR_INVALID, where, field, "'%s' is in the future (today is %s)", a, b);
}

int pu_date_order(const pu_date *earlier, const char *earlier_field, const pu_date *later,
                  const char *later_field, const char *where, pu_err *err) {
    /* certainly before: every day `later` can mean precedes every day `earlier` can */
    if (pu_date_last_days(later) >= pu_date_days(earlier)) return PU_OK;
    char a[16], b[16];
    pu_date_format(earlier, a, sizeof a);
    pu_date_format(later, b, sizeof b);
    return pu_fail(err, PU_ERR_INVALID, where, later_field, "%s %s is before %s %s", later_field ? later_field : "date",
                   b, earlier_field ? earlier_field : pu_tr("the earlier date"), a);
}

int pu_datetime_parse(const char *s, const char *where, const char *field, int64_t *epoch, pu_err *err) {
    char v[VALUE_SHOW_MAX + 1];
    show(s ? s : "", v, sizeof v);
    pu_date d;
    int wrong_form;
    int rc = date_parse(v, PU_DATE_TIME, where, field, &d, &wrong_form, err);
    if (rc) {
        if (wrong_form)
            pu_fail(err, PU_ERR_INVALID, where, field,
                    "expected an ISO 8601 date or date-time (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ), got '%s'", v);
        return PU_ERR_INVALID;
    }
    int hh = 0, mi = 0, ss = 0, off = 0;
    if (v[10]) time_suffix(v + 10, &hh, &mi, &ss, &off);
    *epoch = pu_date_days(&d) * 86400 + hh * 3600 + mi * 60 + (ss > 59 ? 59 : ss) - off;
    return PU_OK;
}

/* ================= countries ================= */

/* One lookup key (normalised name or code) and its alpha-2 code. */
typedef struct ckey {
    char key[96];
    char code[3];
    int derived;   /* a shortened name ("Congo" from "Congo - Kinshasa") */
    int ambiguous; /* a derived key shared by several codes */
} ckey;

/* Alternative spellings ICU does not list, in common use on US and Mexican
 * forms. Kept tiny on purpose: everything else comes from ICU. */
static const struct { const char *name, *code; } country_alias[] = {
    {"United States of America", "US"}, {"Estados Unidos de America", "US"}, {"EE UU", "US"},
    {"EEUU", "US"},
    {"Estados Unidos Mexicanos", "MX"}, {"Republica Mexicana", "MX"},
    {"Great Britain", "GB"}, {"UK", "GB"}, {"Russian Federation", "RU"},
    {"Kosovo", "XK"},
};

/* Codes outside ISO 3166-1 that sanctions data uses (OpenSanctions/FtM). */
static const char *const extra_codes[] = {"XK"};

static ckey *ctab;
static size_t ctab_n, ctab_cap;
static char (*cnames)[2][96]; /* per code index: en, es display names */
static char (*ccodes)[3];
static size_t ccodes_n;
static pthread_once_t ctab_once = PTHREAD_ONCE_INIT;

/* Normalise a name to a key: NFKC casefold, marks stripped, only letters and
 * digits kept, words separated by one space. */
static void norm_key(const char *s, char *out, size_t size) {
    out[0] = '\0';
    utf8proc_uint8_t *m = NULL;
    utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)s, 0, &m,
                                      UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT |
                                          UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK);
    if (n < 0) return;
    size_t o = 0;
    int space = 0;
    for (utf8proc_ssize_t i = 0; i < n && o + 5 < size;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate(m + i, n - i, &cp);
        if (k <= 0) break;
        utf8proc_category_t cat = utf8proc_category(cp);
        int keep = cat == UTF8PROC_CATEGORY_LU || cat == UTF8PROC_CATEGORY_LL || cat == UTF8PROC_CATEGORY_LO ||
                   cat == UTF8PROC_CATEGORY_ND;
        if (cp == '.' || cp == '\'' || cp == 0x2019) { i += k; continue; } /* "U.S.", "Cote d'Ivoire" */
        if (keep) {
            if (space && o) out[o++] = ' ';
            space = 0;
            memcpy(out + o, m + i, (size_t)k);
            o += (size_t)k;
        } else {
            space = 1;
        }
        i += k;
    }
    out[o] = '\0';
    free(m);
}

static void ctab_add(const char *name, const char *code, int derived) {
    char k[96];
    norm_key(name, k, sizeof k);
    if (!*k) return;
    for (size_t i = 0; i < ctab_n; i++) {
        if (strcmp(ctab[i].key, k) != 0) continue;
        if (strcasecmp(ctab[i].code, code) == 0) return;
        if (!ctab[i].derived) return;         /* a full name wins over a shortened one */
        if (derived) { ctab[i].ambiguous = 1; return; }
        ctab[i].derived = 0;                  /* a full name replaces a shortened one */
        ctab[i].ambiguous = 0;
        pu_strlcpy(ctab[i].code, code, sizeof ctab[i].code);
        return;
    }
    if (ctab_n == ctab_cap) {
        size_t nc = ctab_cap ? ctab_cap * 2 : 1024;
        ckey *t = realloc(ctab, nc * sizeof *t);
        if (!t) return;
        ctab = t;
        ctab_cap = nc;
    }
    ckey *e = &ctab[ctab_n++];
    memset(e, 0, sizeof *e);
    pu_strlcpy(e->key, k, sizeof e->key);
    e->code[0] = (char)tolower((unsigned char)code[0]);
    e->code[1] = (char)tolower((unsigned char)code[1]);
    e->derived = derived;
}

/* ICU display name of region `code` in `lang`, as UTF-8. */
static void icu_region_name(const char *code, const char *lang, char *out, size_t size) {
    char loc[16];
    snprintf(loc, sizeof loc, "und_%s", code);
    UChar u[128];
    UErrorCode st = U_ZERO_ERROR;
    int32_t n = uloc_getDisplayCountry(loc, lang, u, 128, &st);
    out[0] = '\0';
    if (U_FAILURE(st) || n <= 0) return;
    st = U_ZERO_ERROR;
    u_strToUTF8(out, (int32_t)size, NULL, u, n, &st);
    if (U_FAILURE(st) || st == U_STRING_NOT_TERMINATED_WARNING) out[0] = '\0';
}

/* Add a name and, when it has a qualifier ("Myanmar (Burma)", "Congo -
 * Kinshasa", "Hong Kong SAR China"), its short forms as derived keys. */
static void add_name(const char *name, const char *code) {
    if (!*name) return;
    ctab_add(name, code, 0);
    char s[96];
    pu_strlcpy(s, name, sizeof s);
    char *cut = strstr(s, " (");
    if (cut) {
        char inner[96];
        pu_strlcpy(inner, cut + 2, sizeof inner);
        char *close = strchr(inner, ')');
        if (close) *close = '\0';
        ctab_add(inner, code, 1);
        *cut = '\0';
        ctab_add(s, code, 1);
    }
    pu_strlcpy(s, name, sizeof s);
    cut = strstr(s, " - ");
    if (cut) { *cut = '\0'; ctab_add(s, code, 1); }
    pu_strlcpy(s, name, sizeof s);
    cut = strstr(s, " SAR");
    if (cut) { *cut = '\0'; ctab_add(s, code, 1); }
}

static void add_code(const char *code) {
    if (ccodes_n % 64 == 0) {
        void *a = realloc(ccodes, (ccodes_n + 64) * sizeof *ccodes);
        void *b = realloc(cnames, (ccodes_n + 64) * sizeof *cnames);
        if (a) ccodes = a;
        if (b) cnames = b;
        if (!a || !b) return;
    }
    size_t i = ccodes_n++;
    ccodes[i][0] = (char)tolower((unsigned char)code[0]);
    ccodes[i][1] = (char)tolower((unsigned char)code[1]);
    ccodes[i][2] = '\0';
    icu_region_name(code, "en", cnames[i][0], sizeof cnames[i][0]);
    icu_region_name(code, "es", cnames[i][1], sizeof cnames[i][1]);
    ctab_add(code, code, 0);
    char loc[16];
    snprintf(loc, sizeof loc, "und_%s", code);
    const char *a3 = uloc_getISO3Country(loc);
    if (a3 && strlen(a3) == 3) ctab_add(a3, code, 0);
}

static void ctab_build(void) {
    const char *const *codes = uloc_getISOCountries();
    for (size_t i = 0; codes && codes[i]; i++) add_code(codes[i]);
    for (size_t i = 0; i < sizeof extra_codes / sizeof *extra_codes; i++) add_code(extra_codes[i]);
    /* full names first, so that a shortened name never shadows a full one */
    for (size_t i = 0; i < ccodes_n; i++) {
        char up[3] = {(char)toupper((unsigned char)ccodes[i][0]), (char)toupper((unsigned char)ccodes[i][1]), 0};
        ctab_add(cnames[i][0], up, 0);
        ctab_add(cnames[i][1], up, 0);
    }
    for (size_t i = 0; i < ccodes_n; i++) {
        char up[3] = {(char)toupper((unsigned char)ccodes[i][0]), (char)toupper((unsigned char)ccodes[i][1]), 0};
        add_name(cnames[i][0], up);
        add_name(cnames[i][1], up);
    }
    for (size_t i = 0; i < sizeof country_alias / sizeof *country_alias; i++)
        ctab_add(country_alias[i].name, country_alias[i].code, 0);
}

int pu_country_parse(const char *s, const char *where, const char *field, char out[3], pu_err *err) {
    pthread_once(&ctab_once, ctab_build);
    char v[VALUE_SHOW_MAX + 1];
    show(s ? s : "", v, sizeof v);
    if (!*v)
        return pu_fail(err, PU_ERR_INVALID, where, field,
                       "empty; expected an ISO 3166 country code (MX, MEX) or an English or Spanish country name");
    char k[96];
    norm_key(v, k, sizeof k);
    for (size_t i = 0; *k && i < ctab_n; i++) {
        if (strcmp(ctab[i].key, k) != 0) continue;
        if (ctab[i].ambiguous)
            return pu_fail(err, PU_ERR_INVALID, where, field,
                           "'%s' is ambiguous: it names more than one country; give the ISO 3166 code", v);
        memcpy(out, ctab[i].code, 3);
        return PU_OK;
    }
    return pu_fail(err, PU_ERR_INVALID, where, field,
                   "unknown country '%s'; expected an ISO 3166 code (MX, MEX) or an English or Spanish name", v);
}

const char *pu_country_name(const char *code, const char *lang) {
    pthread_once(&ctab_once, ctab_build);
    if (!code || strlen(code) != 2) return NULL;
    int es = lang && strncasecmp(lang, "es", 2) == 0;
    for (size_t i = 0; i < ccodes_n; i++)
        if (strncasecmp(ccodes[i], code, 2) == 0) return cnames[i][es] [0] ? cnames[i][es] : NULL;
    return NULL;
}

/* ================= numbers ================= */

/* Parse the leading number of v; *end gets what follows. */
static int number_prefix(const char *v, double *x, const char **end) {
    const char *p = v;
    if (*p == '+' || *p == '-') p++;
    if (!isdigit((unsigned char)*p) && !(*p == '.' && isdigit((unsigned char)p[1]))) return 0;
    errno = 0;
    char *e;
    *x = strtod(v, &e);
    if (e == v || errno == ERANGE) return 0;
    *end = e;
    return 1;
}

static int number_check(double x, unsigned flags, const char *v, const char *where, const char *field, pu_err *err) {
    if (!isfinite(x)) return pu_fail(err, PU_ERR_INVALID, where, field, "'%s' is not a finite number", v);
    if ((flags & PU_NUM_POSITIVE) && !(x > 0))
        return pu_fail(err, PU_ERR_INVALID, where, field, "'%s' must be greater than zero", v);
    if ((flags & PU_NUM_NONNEG) && x < 0)
        return pu_fail(err, PU_ERR_INVALID, where, field, "'%s' must not be negative", v);
    if ((flags & PU_NUM_INTEGER) && x != floor(x))
        return pu_fail(err, PU_ERR_INVALID, where, field, "'%s' must be a whole number", v);
    return PU_OK;
}

/* A decimal comma gets its own message: it is a common Spanish spelling. */
static int comma_message(const char *v, const char *where, const char *field, pu_err *err) {
    return pu_fail(err, PU_ERR_INVALID, where, field,
                   "'%s': use '.' as the decimal separator and no thousands separator", v);
}

int pu_number_parse(const char *s, unsigned flags, const char *where, const char *field, double *out,
                    pu_err *err) {
    char v[VALUE_SHOW_MAX + 1];
    show(s ? s : "", v, sizeof v);
    if (!*v) return pu_fail(err, PU_ERR_INVALID, where, field, "empty; expected a number");
    double x;
    const char *end;
    if (strchr(v, ',')) return comma_message(v, where, field, err);
    if (!number_prefix(v, &x, &end) || *end)
        return pu_fail(err, PU_ERR_INVALID, where, field, "expected a number, got '%s'", v);
    int rc = number_check(x, flags, v, where, field, err);
    if (rc) return rc;
    *out = x;
    return PU_OK;
}

int pu_int_parse(const char *s, long long min, long long max, const char *where, const char *field,
                 long long *out, pu_err *err) {
    char v[VALUE_SHOW_MAX + 1];
    show(s ? s : "", v, sizeof v);
    const char *p = v;
    if (*p == '+' || *p == '-') p++;
    if (!*p) return pu_fail(err, PU_ERR_INVALID, where, field, "expected a whole number, got '%s'", v);
    for (; *p; p++)
        if (!isdigit((unsigned char)*p))
            return pu_fail(err, PU_ERR_INVALID, where, field, "expected a whole number, got '%s'", v);
    errno = 0;
    long long x = strtoll(v, NULL, 10);
    if (errno == ERANGE || x < min || x > max)
        return pu_fail(err, PU_ERR_INVALID, where, field, "'%s' is out of range %lld..%lld", v, min, max);
    *out = x;
    return PU_OK;
}

/* Mass units and their size in kilograms. */
static const struct { const char *name; double kg; } mass_units[] = {
    {"kg", 1.0}, {"kgs", 1.0}, {"kilo", 1.0}, {"kilos", 1.0}, {"kilogram", 1.0}, {"kilograms", 1.0},
    {"kilogramo", 1.0}, {"kilogramos", 1.0},
    {"g", 1e-3}, {"gr", 1e-3}, {"gram", 1e-3}, {"grams", 1e-3}, {"gramo", 1e-3}, {"gramos", 1e-3},
    {"mg", 1e-6}, {"t", 1000.0}, {"tonne", 1000.0}, {"tonnes", 1000.0}, {"tonelada", 1000.0},
    {"toneladas", 1000.0},
    {"lb", 0.45359237}, {"lbs", 0.45359237}, {"libra", 0.45359237}, {"libras", 0.45359237},
    {"oz", 0.028349523125},
};

static int mass_unit(const char *u, double *kg) {
    for (size_t i = 0; i < sizeof mass_units / sizeof *mass_units; i++)
        if (strcasecmp(u, mass_units[i].name) == 0) { *kg = mass_units[i].kg; return 1; }
    return 0;
}

int pu_mass_parse(const char *s, const char *default_unit, const char *where, const char *field, double *kg,
                  pu_err *err) {
    char v[VALUE_SHOW_MAX + 1];
    show(s ? s : "", v, sizeof v);
    if (!*v) return pu_fail(err, PU_ERR_INVALID, where, field, "empty; expected a mass such as '500 kg'");
    if (strchr(v, ',')) return comma_message(v, where, field, err);
    double x, f;
    const char *end;
    if (!number_prefix(v, &x, &end))
        return pu_fail(err, PU_ERR_INVALID, where, field, "expected a mass such as '500 kg', got '%s'", v);
    while (*end == ' ') end++;
    const char *unit = *end ? end : default_unit;
    if (!unit)
        return pu_fail(err, PU_ERR_INVALID, where, field, "'%s' has no unit; expected kg, g, mg, t, lb or oz", v);
    if (!mass_unit(unit, &f))
        return pu_fail(err, PU_ERR_INVALID, where, field, "unknown unit '%s' in '%s'; expected kg, g, mg, t, lb or oz",
                       unit, v);
    int rc = number_check(x, PU_NUM_POSITIVE, v, where, field, err);
    if (rc) return rc;
    *kg = x * f;
    return PU_OK;
}

int pu_percent_parse(const char *s, const char *where, const char *field, double *pct, pu_err *err) {
    char v[VALUE_SHOW_MAX + 1];
    show(s ? s : "", v, sizeof v);
    if (!*v) return pu_fail(err, PU_ERR_INVALID, where, field, "empty; expected a percentage 0-100");
    if (strchr(v, ',')) return comma_message(v, where, field, err);
    double x;
    const char *end;
    if (!number_prefix(v, &x, &end))
        return pu_fail(err, PU_ERR_INVALID, where, field, "expected a percentage 0-100, got '%s'", v);
    while (*end == ' ') end++;
    if (*end == '%') end++;
    if (*end) return pu_fail(err, PU_ERR_INVALID, where, field, "expected a percentage 0-100, got '%s'", v);
    if (!isfinite(x) || x < 0 || x > 100)
        return pu_fail(err, PU_ERR_INVALID, where, field, "'%s' is not a percentage between 0 and 100", v);
    *pct = x;
    return PU_OK;
}
