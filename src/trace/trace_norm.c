/* trace_norm.c - normalisation of serials, manufacturers, names, calibres;
 * business days; state geography. Pure functions (see trace.h). */
#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "trace/trace.h"
#include "trace/trace_int.h"

/* ---- serials ------------------------------------------------------------ */

static int serial_sep(int c) { return c == ' ' || c == '-' || c == '.' || c == '/' || c == '\t' || c == '_'; }

/* O/0 and I/1 are read interchangeably on worn or restored markings, so the
 * canonical form keeps only the digit. */
static char serial_fold(char c) {
    c = (char)toupper((unsigned char)c);
    if (c == 'O') return '0';
    if (c == 'I') return '1';
    return c;
}

int trace_serial_norm(const char *raw, int allow_wild, char *out, size_t size, int *is_wild, pu_err *err) {
    if (is_wild) *is_wild = 0;
    if (size < TRACE_SERIAL_MAX) return pu_fail(err, PU_ERR_INTERNAL, NULL, "serial", "output buffer too small");
    out[0] = 0;
    if (!raw) return pu_fail(err, PU_ERR_INVALID, NULL, "serial", "expected a serial number, got nothing");
    size_t n = 0, chars = 0;
    int in_set = 0, wild = 0, leading = 1;
    for (const char *p = raw; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (serial_sep(c) && !in_set) continue;
        if (allow_wild && (c == '?' || c == '*') && !in_set) {
            wild = 1;
            leading = 0;
        } else if (allow_wild && c == '[' && !in_set) {
            in_set = 1;
            wild = 1;
            leading = 0;
        } else if (allow_wild && c == ']' && in_set) {
            if (out[n - 1] == '[')
                return pu_fail(err, PU_ERR_INVALID, NULL, "serial", "empty character set '[]' in '%s'", raw);
            in_set = 0;
            chars++;
            out[n++] = ']';
            continue;
        } else if (isalnum(c)) {
            char f = serial_fold((char)c);
            /* leading zeros are not significant: some records keep them, some drop them */
            if (leading && f == '0' && !in_set) continue;
            if (!in_set) leading = 0;
            c = (unsigned char)f;
        } else if (in_set && serial_sep(c)) {
            continue;
        } else {
            if (c >= 0x80)
                return pu_fail(err, PU_ERR_INVALID, NULL, "serial",
                               "expected letters, digits, spaces or dashes; got a non-ASCII character in '%s'", raw);
            return pu_fail(err, PU_ERR_INVALID, NULL, "serial",
                           "expected letters, digits, spaces or dashes%s; got '%c' in '%s'",
                           allow_wild ? pu_tr(" (wildcards ? * [..])") : "", c, raw);
        }
        if (n + 2 >= size || n + 2 >= TRACE_SERIAL_MAX)
            return pu_fail(err, PU_ERR_INVALID, NULL, "serial", "expected at most 32 characters, got '%.60s'", raw);
        out[n++] = (char)c;
        if (!in_set && c != '[') chars++;
    }
    out[n] = 0;
    if (in_set) return pu_fail(err, PU_ERR_INVALID, NULL, "serial", "unclosed '[' in '%s'", raw);
    if (chars > 32) return pu_fail(err, PU_ERR_INVALID, NULL, "serial", "expected at most 32 characters, got '%.60s'", raw);
    if (n == 0) {
        /* all zeros is a real (if odd) serial: keep one zero */
        int zeros = 0;
        for (const char *p = raw; *p; p++)
            if (*p == '0' || *p == 'O' || *p == 'o') zeros = 1;
        if (!zeros) return pu_fail(err, PU_ERR_INVALID, NULL, "serial", "expected a serial number with letters or digits, got '%s'", raw);
        out[0] = '0';
        out[1] = 0;
    }
    if (is_wild) *is_wild = wild;
    return PU_OK;
}

/* ---- manufacturers ------------------------------------------------------ */

static const char *const MFR_ALIASES[][8] = {
    {"GLOCK", "GLOCK GMBH", "GLOCK INC", "GLOCK GES M B H", NULL},
    {"SMITH & WESSON", "S&W", "SMITH AND WESSON CORP", "SMITH & WESSON BRANDS", "SW", NULL},
    {"STURM, RUGER", "RUGER", "STURM RUGER & CO", "STURM RUGER AND COMPANY INC", NULL},
    {"COLT", "COLT'S MANUFACTURING COMPANY", "COLTS MFG CO", "COLT'S PATENT FIRE ARMS", "COLT'S MFG", NULL},
    {"TAURUS", "FORJAS TAURUS", "TAURUS INTERNATIONAL", "TAURUS ARMAS", NULL},
    {"SPRINGFIELD ARMORY", "SPRINGFIELD", "SPRINGFIELD INC", NULL},
    {"SIG SAUER", "SIG", "SIGARMS", "SIG SAUER INC", "SIG-SAUER", NULL},
    {"BERETTA", "PIETRO BERETTA", "BERETTA USA", "FABBRICA D'ARMI PIETRO BERETTA", NULL},
    {"FN HERSTAL", "FN", "FABRIQUE NATIONALE", "FNH USA", "FN AMERICA", NULL},
    {"CENTURY ARMS", "CENTURY INTERNATIONAL ARMS", "CAI", "CENTURY INTL ARMS", NULL},
    {"CUGIR", "ROMARM", "CUGIR ARMS FACTORY", "UZINA MECANICA CUGIR", NULL},
    {"KEL-TEC", "KELTEC", "KEL TEC CNC INDUSTRIES", NULL},
    {"HI-POINT", "HIPOINT", "HI POINT FIREARMS", "BEEMILLER", NULL},
    {"REMINGTON", "REMINGTON ARMS", "REMINGTON OUTDOOR", NULL},
    {"MOSSBERG", "O.F. MOSSBERG & SONS", "OF MOSSBERG", NULL},
    {"DIAMONDBACK", "DIAMONDBACK FIREARMS", NULL},
    {"BUSHMASTER", "BUSHMASTER FIREARMS", NULL},
    {"PALMETTO STATE ARMORY", "PSA", NULL},
    {"DANIEL DEFENSE", NULL},
    {"BARRETT", "BARRETT FIREARMS MANUFACTURING", NULL},
    {"CZ", "CESKA ZBROJOVKA", "CZ-USA", "CZ USA", NULL},
    {"HECKLER & KOCH", "H&K", "HK", "HECKLER AND KOCH GMBH", NULL},
    {"NORINCO", "CHINA NORTH INDUSTRIES", NULL},
    {"KALASHNIKOV", "IZHMASH", "KALASHNIKOV CONCERN", NULL},
    {"ZASTAVA", "ZASTAVA ARMS", "ZASTAVA ORUZJE", NULL},
    {"AMERICAN TACTICAL", "ATI", "AMERICAN TACTICAL IMPORTS", NULL},
    {"SAVAGE", "SAVAGE ARMS", NULL},
    {"MARLIN", "MARLIN FIREARMS", NULL},
    {"WINCHESTER", "WINCHESTER REPEATING ARMS", NULL},
    {"BROWNING", "BROWNING ARMS", NULL},
    {"BERSA", NULL},
    {"CANIK", "SAMSUN YURT SAVUNMA", NULL},
    {"AERO PRECISION", NULL},
    {"WALTHER", "CARL WALTHER", NULL},
    {"IMI", "ISRAEL MILITARY INDUSTRIES", "IWI", "ISRAEL WEAPON INDUSTRIES", NULL},
};
#define NMFR (sizeof MFR_ALIASES / sizeof MFR_ALIASES[0])

static int mfr_stop(const char *tok) {
    static const char *const stop[] = {"INC", "INCORPORATED", "LLC", "LTD", "CO", "CORP", "CORPORATION",
                                       "COMPANY", "MFG", "MANUFACTURING", "SA", "DE", "CV", "GMBH", "SPA",
                                       "THE", "LP", "AG", "SRL", "USA", "INTL", "INTERNATIONAL", NULL};
    for (int i = 0; stop[i]; i++)
        if (strcmp(tok, stop[i]) == 0) return 1;
    return 0;
}

/* Reduce a name to its comparison key: upper-case alnum tokens, '&' = AND,
 * possessive 'S dropped, company suffixes and a trailing AND removed. */
static void mfr_key(const char *raw, char *out, size_t size) {
    char tok[64];
    size_t tl = 0, n = 0, last_and = (size_t)-1;
    out[0] = 0;
    for (const char *p = raw;; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '\'' && (p[1] == 's' || p[1] == 'S') && !isalnum((unsigned char)p[2])) {
            p++;
            continue;
        }
        if (isalnum(c) && tl + 1 < sizeof tok) {
            tok[tl++] = (char)toupper(c);
            continue;
        }
        if (c == '\'' || c == '.') continue; /* D'ARMI -> DARMI, S.p.A. -> SPA */
        if (tl) {
            tok[tl] = 0;
            if (!mfr_stop(tok) && n + tl + 2 < size) {
                last_and = strcmp(tok, "AND") == 0 ? n : (size_t)-1;
                if (n) out[n++] = ' ';
                memcpy(out + n, tok, tl + 1);
                n += tl;
            }
            tl = 0;
        }
        if (c == '&' && n + 5 < size) {
            last_and = n;
            if (n) out[n++] = ' ';
            memcpy(out + n, "AND", 4);
            n += 3;
        }
        if (!c) break;
    }
    if (last_and != (size_t)-1) {  /* "STURM RUGER AND" (from "& CO") */
        n = last_and;
        out[n] = 0;
    }
    while (n && out[n - 1] == ' ') out[--n] = 0;
}

static char (*mfr_keys)[NMFR][8][64];
static pthread_once_t mfr_once = PTHREAD_ONCE_INIT;
static char mfr_key_store[NMFR][8][64];

static void mfr_init(void) {
    for (size_t i = 0; i < NMFR; i++)
        for (size_t j = 0; j < 8 && MFR_ALIASES[i][j]; j++)
            mfr_key(MFR_ALIASES[i][j], mfr_key_store[i][j], 64);
    mfr_keys = &mfr_key_store;
}

void trace_mfr_norm(const char *raw, char *out, size_t size, int *known) {
    pthread_once(&mfr_once, mfr_init);
    char key[TRACE_NAME_MAX];
    *known = 0;
    if (!raw || pu_blank(raw)) {
        if (size) out[0] = 0;
        return;
    }
    mfr_key(raw, key, sizeof key);
    for (size_t i = 0; i < NMFR; i++)
        for (size_t j = 0; j < 8 && MFR_ALIASES[i][j]; j++)
            if (strcmp((*mfr_keys)[i][j], key) == 0) {
                *known = 1;
                pu_strlcpy(out, MFR_ALIASES[i][0], size);
                return;
            }
    pu_strlcpy(out, key, size);
}

/* ---- person names ----------------------------------------------------------- */

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

void trace_name_norm(const char *raw, char *out, size_t size) {
    out[0] = 0;
    if (!raw || !*raw || size < 2) return;
    utf8proc_uint8_t *m = NULL;
    utf8proc_ssize_t len = utf8proc_map((const utf8proc_uint8_t *)raw, 0, &m,
                                        UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_DECOMPOSE |
                                            UTF8PROC_STRIPMARK | UTF8PROC_CASEFOLD);
    char buf[512];
    if (len < 0) {
        pu_strlcpy(buf, raw, sizeof buf); /* invalid UTF-8: compare bytes */
    } else {
        pu_strlcpy(buf, (const char *)m, sizeof buf);
    }
    free(m);
    char *toks[32];
    size_t nt = 0;
    for (char *p = buf; *p;) {
        while (*p && !isalnum((unsigned char)*p) && !((unsigned char)*p & 0x80)) p++;
        if (!*p) break;
        char *s = p;
        while (*p && (isalnum((unsigned char)*p) || ((unsigned char)*p & 0x80))) {
            *p = (char)toupper((unsigned char)*p);
            p++;
        }
        if (*p) *p++ = 0;
        if (nt < 32) toks[nt++] = s;
    }
    qsort(toks, nt, sizeof *toks, cmp_str);
    size_t n = 0;
    for (size_t i = 0; i < nt; i++) {
        size_t l = strlen(toks[i]);
        if (n + l + 2 > size) break;
        if (n) out[n++] = ' ';
        memcpy(out + n, toks[i], l + 1);
        n += l;
    }
}

/* ---- calibre -------------------------------------------------------------- */

int trace_calibre_over_22(const char *cal) {
    if (!cal) return 0;
    char u[64];
    size_t n = 0;
    for (const char *p = cal; *p && n + 1 < sizeof u; p++) u[n++] = (char)toupper((unsigned char)*p);
    u[n] = 0;
    if (strstr(u, "GA") || strstr(u, "BORE")) return 1; /* shotgun gauges are all far above .22 */
    const char *p = u;
    while (*p && !isdigit((unsigned char)*p) && *p != '.') p++;
    if (!*p) return 0;
    char *end;
    double v = strtod(p, &end);
    if (end == p) return 0;
    int mm = strstr(u, "MM") != NULL || (*end == 'X' && v > 1.0) || (*end == ' ' && end[1] == 'X');
    if (mm) return v >= 5.5; /* 5.56 mm fires a .224 bullet: reportable, like .223 */
    if (*p != '.') v = v >= 100 ? v / 1000.0 : v / 100.0; /* "223" -> .223, "30-06" -> .30 */
    return v > 0.2205;
}

/* ---- dates ---------------------------------------------------------------- */

static void civil(int64_t z, int *y, int *m, int *d) {
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)((int64_t)yoe + era * 400 + (*m <= 2));
}

static int64_t days_of(int y, int m, int d) { /* days from civil (H. Hinnant) */
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (unsigned)((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1);
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static int weekday(int64_t day) { return (int)(((day % 7) + 7 + 4) % 7); } /* 0 = Sunday */

/* n-th (1-based) weekday wd of month; n = -1 is the last one */
static int64_t nth_weekday(int y, int m, int wd, int n) {
    if (n > 0) {
        int64_t first = days_of(y, m, 1);
        return first + (wd - weekday(first) + 7) % 7 + 7 * (n - 1);
    }
    int64_t last = days_of(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) - 1;
    return last - (weekday(last) - wd + 7) % 7;
}

static int64_t observed(int64_t day) {
    int w = weekday(day);
    return w == 6 ? day - 1 : w == 0 ? day + 1 : day;
}

int trace_is_us_holiday(int64_t day) {
    int y, m, d;
    civil(day, &y, &m, &d);
    /* 31 December can be the observed New Year of the next year */
    if (m == 12 && d == 31 && observed(days_of(y + 1, 1, 1)) == day) return 1;
    int64_t fixed[] = {observed(days_of(y, 1, 1)), observed(days_of(y, 7, 4)), observed(days_of(y, 11, 11)),
                       observed(days_of(y, 12, 25)), y >= 2021 ? observed(days_of(y, 6, 19)) : -99999};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        if (fixed[i] == day) return 1;
    if (m == 1 && y >= 1986 && day == nth_weekday(y, 1, 1, 3)) return 1;  /* Martin Luther King Jr. Day */
    if (m == 2 && day == nth_weekday(y, 2, 1, 3)) return 1;               /* Washington's Birthday */
    if (m == 5 && day == nth_weekday(y, 5, 1, -1)) return 1;              /* Memorial Day */
    if (m == 9 && day == nth_weekday(y, 9, 1, 1)) return 1;               /* Labor Day */
    if (m == 10 && day == nth_weekday(y, 10, 1, 2)) return 1;             /* Columbus Day */
    if (m == 11 && day == nth_weekday(y, 11, 4, 4)) return 1;             /* Thanksgiving */
    return 0;
}

int trace_business_days(int64_t a, int64_t b) {
    int n = 0;
    if (b < a) return 0;
    if (b - a > 3660) b = a + 3660; /* cap: callers compare against 5 */
    for (int64_t d = a; d <= b; d++) {
        int w = weekday(d);
        if (w != 0 && w != 6 && !trace_is_us_holiday(d)) n++;
    }
    return n;
}

/* ---- geography -------------------------------------------------------------- */

typedef struct geo {
    const char *code, *name;
    double lat, lon;
} geo;

/* Approximate geographic centres (0.1 degree), enough for a "far from the
 * purchase state" indicator measured in hundreds of kilometres. */
static const geo US[] = {
    {"AL", "Alabama", 32.8, -86.8}, {"AK", "Alaska", 64.2, -149.5}, {"AZ", "Arizona", 34.3, -111.7},
    {"AR", "Arkansas", 34.9, -92.4}, {"CA", "California", 37.2, -119.4}, {"CO", "Colorado", 39.0, -105.5},
    {"CT", "Connecticut", 41.6, -72.7}, {"DE", "Delaware", 39.0, -75.5}, {"DC", "District of Columbia", 38.9, -77.0},
    {"FL", "Florida", 28.6, -82.4}, {"GA", "Georgia", 32.7, -83.4}, {"HI", "Hawaii", 20.8, -156.3},
    {"ID", "Idaho", 44.4, -114.6}, {"IL", "Illinois", 40.0, -89.2}, {"IN", "Indiana", 39.9, -86.3},
    {"IA", "Iowa", 42.1, -93.5}, {"KS", "Kansas", 38.5, -98.4}, {"KY", "Kentucky", 37.5, -85.3},
    {"LA", "Louisiana", 31.1, -92.0}, {"ME", "Maine", 45.4, -69.2}, {"MD", "Maryland", 39.0, -76.8},
    {"MA", "Massachusetts", 42.3, -71.8}, {"MI", "Michigan", 44.3, -85.4}, {"MN", "Minnesota", 46.3, -94.3},
    {"MS", "Mississippi", 32.7, -89.7}, {"MO", "Missouri", 38.4, -92.5}, {"MT", "Montana", 47.0, -109.6},
    {"NE", "Nebraska", 41.5, -99.8}, {"NV", "Nevada", 39.3, -116.6}, {"NH", "New Hampshire", 43.7, -71.6},
    {"NJ", "New Jersey", 40.2, -74.7}, {"NM", "New Mexico", 34.4, -106.1}, {"NY", "New York", 42.9, -75.5},
    {"NC", "North Carolina", 35.6, -79.4}, {"ND", "North Dakota", 47.5, -100.5}, {"OH", "Ohio", 40.3, -82.8},
    {"OK", "Oklahoma", 35.6, -97.5}, {"OR", "Oregon", 43.9, -120.6}, {"PA", "Pennsylvania", 40.9, -77.8},
    {"RI", "Rhode Island", 41.7, -71.5}, {"SC", "South Carolina", 33.9, -80.9}, {"SD", "South Dakota", 44.4, -100.2},
    {"TN", "Tennessee", 35.9, -86.4}, {"TX", "Texas", 31.5, -99.3}, {"UT", "Utah", 39.3, -111.7},
    {"VT", "Vermont", 44.1, -72.7}, {"VA", "Virginia", 37.5, -78.9}, {"WA", "Washington", 47.4, -120.5},
    {"WV", "West Virginia", 38.6, -80.6}, {"WI", "Wisconsin", 44.6, -89.9}, {"WY", "Wyoming", 43.0, -107.6},
};

static const geo MX[] = {
    {"AGU", "Aguascalientes", 21.9, -102.3}, {"BCN", "Baja California", 30.6, -115.1},
    {"BCS", "Baja California Sur", 25.9, -111.9}, {"CAM", "Campeche", 18.9, -90.4},
    {"CHP", "Chiapas", 16.5, -92.5}, {"CHH", "Chihuahua", 28.8, -106.1},
    {"CMX", "Ciudad de Mexico", 19.4, -99.1}, {"COA", "Coahuila", 27.3, -102.0},
    {"COL", "Colima", 19.1, -103.9}, {"DUR", "Durango", 24.6, -104.7},
    {"GUA", "Guanajuato", 21.0, -101.0}, {"GRO", "Guerrero", 17.6, -99.9},
    {"HID", "Hidalgo", 20.5, -98.9}, {"JAL", "Jalisco", 20.6, -103.6},
    {"MEX", "Mexico", 19.4, -99.6}, {"MIC", "Michoacan", 19.2, -101.9},
    {"MOR", "Morelos", 18.7, -99.1}, {"NAY", "Nayarit", 21.8, -104.9},
    {"NLE", "Nuevo Leon", 25.6, -99.9}, {"OAX", "Oaxaca", 17.1, -96.4},
    {"PUE", "Puebla", 19.0, -97.9}, {"QUE", "Queretaro", 20.8, -99.9},
    {"ROO", "Quintana Roo", 19.6, -88.0}, {"SLP", "San Luis Potosi", 22.6, -100.4},
    {"SIN", "Sinaloa", 25.0, -107.5}, {"SON", "Sonora", 29.3, -110.7},
    {"TAB", "Tabasco", 17.9, -92.6}, {"TAM", "Tamaulipas", 24.3, -98.6},
    {"TLA", "Tlaxcala", 19.4, -98.2}, {"VER", "Veracruz", 19.5, -96.4},
    {"YUC", "Yucatan", 20.7, -89.0}, {"ZAC", "Zacatecas", 22.8, -102.6},
};

static const struct { const char *alias, *code; } MX_ALIAS[] = {
    {"CDMX", "CMX"}, {"DF", "CMX"}, {"DISTRITO FEDERAL", "CMX"}, {"MEXICO CITY", "CMX"},
    {"ESTADO DE MEXICO", "MEX"}, {"EDOMEX", "MEX"}, {"STATE OF MEXICO", "MEX"},
    {"VERACRUZ DE IGNACIO DE LA LLAVE", "VER"}, {"MICHOACAN DE OCAMPO", "MIC"},
    {"COAHUILA DE ZARAGOZA", "COA"}, {"CHIH", "CHH"}, {"TAMPS", "TAM"}, {"NL", "NLE"},
    {"SONORA", "SON"}, {"BC", "BCN"}, {"GTO", "GUA"}, {"MICH", "MIC"}, {"GRO", "GRO"},
};

/* upper-case, accents removed, punctuation collapsed to single spaces */
static void geo_key(const char *raw, char *out, size_t size) {
    utf8proc_uint8_t *m = NULL;
    utf8proc_ssize_t len = utf8proc_map((const utf8proc_uint8_t *)raw, 0, &m,
                                        UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_DECOMPOSE |
                                            UTF8PROC_STRIPMARK | UTF8PROC_CASEFOLD);
    const char *s = len >= 0 ? (const char *)m : raw;
    size_t n = 0;
    int sp = 0;
    for (; *s && n + 2 < size; s++) {
        if (isalnum((unsigned char)*s)) {
            if (sp && n) out[n++] = ' ';
            sp = 0;
            out[n++] = (char)toupper((unsigned char)*s);
        } else {
            sp = 1;
        }
    }
    out[n] = 0;
    free(m);
}

static const geo *mx_find(const char *name) {
    char k[128], k2[128];
    if (!name) return NULL;
    geo_key(name, k, sizeof k);
    const char *code = k;
    for (size_t i = 0; i < sizeof MX_ALIAS / sizeof MX_ALIAS[0]; i++)
        if (strcmp(k, MX_ALIAS[i].alias) == 0) code = MX_ALIAS[i].code;
    /* "MX-CHH" (ISO 3166-2 with country prefix) */
    if (strncmp(k, "MX ", 3) == 0) code = k + 3;
    for (size_t i = 0; i < sizeof MX / sizeof MX[0]; i++) {
        geo_key(MX[i].name, k2, sizeof k2);
        if (strcmp(code, MX[i].code) == 0 || strcmp(k, k2) == 0) return &MX[i];
    }
    return NULL;
}

static const geo *us_find(const char *code) {
    if (!code) return NULL;
    for (size_t i = 0; i < sizeof US / sizeof US[0]; i++)
        if (pu_strieq(code, US[i].code) || pu_strieq(code, US[i].name)) return &US[i];
    return NULL;
}

int trace_us_state_valid(const char *code) { return code && strlen(code) == 2 && us_find(code) != NULL; }

int trace_mx_state_code(const char *name, char *out, size_t size) {
    const geo *g = mx_find(name);
    if (!g) return PU_ERR_NOTFOUND;
    pu_strlcpy(out, g->code, size);
    return PU_OK;
}

int trace_state_distance(const char *us_state, const char *mx_state, double *km) {
    const geo *a = us_find(us_state), *b = mx_find(mx_state);
    if (!a || !b) return PU_ERR_NOTFOUND;
    const double r = 6371.0, rad = M_PI / 180.0;
    double dlat = (b->lat - a->lat) * rad, dlon = (b->lon - a->lon) * rad;
    double h = sin(dlat / 2) * sin(dlat / 2) + cos(a->lat * rad) * cos(b->lat * rad) * sin(dlon / 2) * sin(dlon / 2);
    *km = 2 * r * asin(sqrt(h));
    return PU_OK;
}

size_t trace_mx_state_count(void) { return sizeof MX / sizeof MX[0]; }

const char *trace_mx_state_at(size_t i, const char **code) {
    if (i >= sizeof MX / sizeof MX[0]) return NULL;
    if (code) *code = MX[i].code;
    return MX[i].name;
}
