/*
 * ofac_remarks.c - the OFAC "Remarks" mini-language.
 *
 * Remarks are items separated by "; ", each "Label value", optionally
 * prefixed with "alt." (another value of the same kind):
 *   DOB 15 Dec 1967; alt. DOB circa 1951; POB Chihuahua, Mexico;
 *   nationality Mexico; Gender Male; R.F.C. AIMM-671215-387 (Mexico);
 *   C.U.R.P. AIMM671215HCHRRG06 (Mexico) issued 1968; Passport G 649385
 *   issued 08 Sep 2006 expires 17 Jul 2011; a.k.a. 'EL CHAPO'; Linked To: X.
 * A table of labels (longest first where labels share a prefix) maps each
 * item to a rule; items no rule knows are counted, and the importer keeps the
 * whole text in `notes` so nothing is lost.
 */
#include "ofac/ofac.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define REMARKS_MAX (1u << 20)
#define RANGE_YEARS_MAX 50

enum rule_kind { R_DATE, R_TEXT, R_COUNTRY, R_GENDER, R_DOC, R_ALIAS, R_LINK, R_PARTY, R_PROVISION, R_IMO, R_POB };

typedef struct rule {
    const char *label;  /* matched case-insensitively at the start of the item */
    int kind;
    const char *prop;
    const char *doc;    /* document label for R_DOC */
} rule;

/* Order matters: a label must come before any shorter label it starts with. */
static const rule rules[] = {
    {"DOB ", R_DATE, "birthDate", NULL},
    {"POB ", R_POB, "birthPlace", NULL},
    {"nationality ", R_COUNTRY, "nationality", NULL},
    {"citizen ", R_COUNTRY, "citizenship", NULL},
    {"Gender ", R_GENDER, "gender", NULL},
    {"a.k.a. ", R_ALIAS, "weakAlias", NULL},
    {"f.k.a. ", R_ALIAS, "previousName", NULL},
    {"n.k.a. ", R_ALIAS, "alias", NULL},
    {"Linked To: ", R_LINK, NULL, NULL},
    {"Diplomatic Passport ", R_DOC, "passportNumber", "Diplomatic Passport"},
    {"Passport ", R_DOC, "passportNumber", "Passport"},
    {"R.F.C. ", R_DOC, "taxNumber", "R.F.C."},
    {"C.U.R.P. ", R_DOC, "idNumber", "C.U.R.P."},
    {"Electoral Registry No. ", R_DOC, "idNumber", "Electoral Registry No."},
    {"Cedula No. ", R_DOC, "idNumber", "Cedula No."},
    {"National ID No. ", R_DOC, "idNumber", "National ID No."},
    {"National Foreign ID Number ", R_DOC, "idNumber", "National Foreign ID Number"},
    {"D.N.I. ", R_DOC, "idNumber", "D.N.I."},
    {"Personal ID Card ", R_DOC, "idNumber", "Personal ID Card"},
    {"Bosnian Personal ID No. ", R_DOC, "idNumber", "Bosnian Personal ID No."},
    {"Kenyan ID No. ", R_DOC, "idNumber", "Kenyan ID No."},
    {"Driver's License No. ", R_DOC, "idNumber", "Driver's License No."},
    {"Residency Number ", R_DOC, "idNumber", "Residency Number"},
    {"Identification Number IMO ", R_IMO, "imoNumber", NULL},
    {"Identification Number ", R_DOC, "idNumber", "Identification Number"},
    {"SSN ", R_DOC, "socialSecurityNumber", "SSN"},
    {"Tax ID No. ", R_DOC, "taxNumber", "Tax ID No."},
    {"NIT # ", R_DOC, "taxNumber", "NIT #"},
    {"RUC # ", R_DOC, "taxNumber", "RUC #"},
    {"RIF # ", R_DOC, "taxNumber", "RIF #"},
    {"C.U.I.T. ", R_DOC, "taxNumber", "C.U.I.T."},
    {"C.U.I.P. ", R_DOC, "idNumber", "C.U.I.P."},
    {"V.A.T. Number ", R_DOC, "vatCode", "V.A.T. Number"},
    {"Company Number IMO ", R_IMO, "imoNumber", NULL},
    {"Registration Number ", R_DOC, "registrationNumber", "Registration Number"},
    {"Registration ID ", R_DOC, "registrationNumber", "Registration ID"},
    {"Company Number ", R_DOC, "registrationNumber", "Company Number"},
    {"Commercial Registry Number ", R_DOC, "registrationNumber", "Commercial Registry Number"},
    {"Business Registration Number ", R_DOC, "registrationNumber", "Business Registration Number"},
    {"Business Registration Document # ", R_DOC, "registrationNumber", "Business Registration Document #"},
    {"Business Number ", R_DOC, "registrationNumber", "Business Number"},
    {"Folio Mercantil No. ", R_DOC, "registrationNumber", "Folio Mercantil No."},
    {"Matricula Mercantil No ", R_DOC, "registrationNumber", "Matricula Mercantil No"},
    {"Trade License No. ", R_DOC, "registrationNumber", "Trade License No."},
    {"C.R. No. ", R_DOC, "registrationNumber", "C.R. No."},
    {"Government Gazette Number ", R_DOC, "registrationNumber", "Government Gazette Number"},
    {"Certificate of Incorporation Number ", R_DOC, "registrationNumber", "Certificate of Incorporation Number"},
    {"Public Registration Number ", R_DOC, "registrationNumber", "Public Registration Number"},
    {"Chamber of Commerce Number ", R_DOC, "registrationNumber", "Chamber of Commerce Number"},
    {"D-U-N-S Number ", R_DOC, "dunsCode", "D-U-N-S Number"},
    {"Legal Entity Number ", R_DOC, "leiCode", "Legal Entity Number"},
    {"SWIFT/BIC ", R_TEXT, "swiftBic", NULL},
    {"Email Address ", R_TEXT, "email", NULL},
    {"Email ", R_TEXT, "email", NULL},
    {"Website ", R_TEXT, "website", NULL},
    {"Phone Number ", R_TEXT, "phone", NULL},
    {"Phone No. ", R_TEXT, "phone", NULL},
    {"Telephone: ", R_TEXT, "phone", NULL},
    {"Telephone ", R_TEXT, "phone", NULL},
    {"Fax: ", R_TEXT, "phone", NULL},
    {"Fax ", R_TEXT, "phone", NULL},
    {"Organization Established Date ", R_DATE, "incorporationDate", NULL},
    {"Organization Type: ", R_TEXT, "sector", NULL},
    {"Vessel Registration Identification IMO ", R_IMO, "imoNumber", NULL},
    {"MMSI ", R_TEXT, "mmsi", NULL},
    {"Former Vessel Flag ", R_COUNTRY, "pastFlags", NULL},
    {"Other Vessel Flag ", R_COUNTRY, "flag", NULL},
    {"Vessel Flag ", R_COUNTRY, "flag", NULL},
    {"Other Vessel Call Sign ", R_TEXT, "callSign", NULL},
    {"Other Vessel Type ", R_TEXT, "type", NULL},
    {"Vessel Year of Build ", R_DATE, "buildDate", NULL},
    {"Aircraft Manufacturer's Serial Number (MSN) ", R_TEXT, "serialNumber", NULL},
    {"Aircraft Construction Number (also called L/N or S/N or F/N) ", R_TEXT, "serialNumber", NULL},
    {"Aircraft Model ", R_TEXT, "model", NULL},
    {"Aircraft Manufacture Date ", R_DATE, "buildDate", NULL},
    {"Aircraft Operator ", R_PARTY, "operator", NULL},
    {"Previous Aircraft Tail Number ", R_TEXT, "registrationNumber", NULL},
    {"Aircraft Tail Number ", R_TEXT, "registrationNumber", NULL},
    {"Additional Sanctions Information - ", R_PROVISION, "provisions", NULL},
    {"Secondary sanctions risk: ", R_PROVISION, "provisions", NULL},
    {"Transactions Prohibited For Persons Owned or Controlled By U.S. Financial Institutions: ", R_PROVISION,
     "provisions", NULL},
    {"Executive Order ", R_PROVISION, "provisions", NULL},
    {"CAATSA Section ", R_PROVISION, "provisions", NULL},
    {"Effective Date (EO 14024 Directive ", R_PROVISION, "provisions", NULL},
    {"Listing Date (EO 14024 Directive ", R_PROVISION, "provisions", NULL},
    {"IFCA Determination - ", R_PROVISION, "provisions", NULL},
};

void ofac_remarks_free(ofac_remarks *r) {
    if (!r) return;
    for (size_t i = 0; i < r->n; i++) {
        free(r->facts[i].value);
        free(r->facts[i].country);
        free(r->facts[i].issued);
        free(r->facts[i].expires);
    }
    free(r->facts);
    free(r);
}

/* Append a fact; takes ownership of value/country/issued/expires (freed on error). */
static int push(ofac_remarks *r, int kind, const char *prop, const char *doc, char *value, char *country,
                char *issued, char *expires) {
    if (!value) goto nomem;
    if (r->n == r->cap) {
        size_t nc = r->cap ? r->cap * 2 : 8;
        ofac_fact *nf = realloc(r->facts, nc * sizeof *nf);
        if (!nf) goto nomem;
        r->facts = nf;
        r->cap = nc;
    }
    r->facts[r->n++] = (ofac_fact){kind, prop, value, doc, country, issued, expires};
    return PU_OK;
nomem:
    free(value);
    free(country);
    free(issued);
    free(expires);
    return PU_ERR_NOMEM;
}

static const char *const months[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                     "jul", "aug", "sep", "oct", "nov", "dec"};

static int month_of(const char *s, size_t n) {
    if (n < 3) return 0;
    for (int i = 0; i < 12; i++)
        if (strncasecmp(s, months[i], 3) == 0 && (n == 3 || (n == 4 && s[3] == '.'))) return i + 1;
    return 0;
}

static int all_digits(const char *s, size_t n) {
    if (!n) return 0;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i])) return 0;
    return 1;
}

int ofac_parse_date(const char *s, char *buf, size_t size) {
    const char *tok[3];
    size_t len[3];
    int n = 0;
    const char *p = s;
    while (*p) {
        while (*p == ' ') p++;
        if (!*p) break;
        if (n == 3) return PU_ERR_INVALID;
        tok[n] = p;
        while (*p && *p != ' ') p++;
        len[n] = (size_t)(p - tok[n]);
        n++;
    }
    int day = 0, month = 0, year;
    if (n == 0 || len[n - 1] != 4 || !all_digits(tok[n - 1], 4)) return PU_ERR_INVALID;
    year = atoi(tok[n - 1]);
    if (n >= 2 && !(month = month_of(tok[n - 2], len[n - 2]))) return PU_ERR_INVALID;
    if (n == 3) {
        if (len[0] > 2 || !all_digits(tok[0], len[0])) return PU_ERR_INVALID;
        day = atoi(tok[0]);
        static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        if (day < 1 || day > mdays[month - 1]) return PU_ERR_INVALID;
    }
    if (year < 1000) return PU_ERR_INVALID;
    int rc;
    if (day) rc = pu_snprintf(buf, size, "%04d-%02d-%02d", year, month, day);
    else if (month) rc = pu_snprintf(buf, size, "%04d-%02d", year, month);
    else rc = pu_snprintf(buf, size, "%04d", year);
    return rc;
}

/* "1951", "circa 1951", "1951 to 1953", "circa 1979-1982",
 * "01 Jan 1961 to 31 Dec 1962", "Mar 1962 to Feb 1963". A span of whole years
 * becomes one value per year (as OpenSanctions does); other spans keep both
 * ends. */
static int rule_date(ofac_remarks *r, const rule *ru, const char *v) {
    if (strncasecmp(v, "circa ", 6) == 0) v += 6;
    char a[64], b[64];
    const char *to = strstr(v, " to ");
    size_t alen = to ? (size_t)(to - v) : strlen(v);
    const char *bstart = to ? to + 4 : NULL;
    if (!to && strlen(v) == 9 && v[4] == '-' && all_digits(v, 4) && all_digits(v + 5, 4)) {
        alen = 4;
        bstart = v + 5;
    }
    if (alen >= sizeof a) return PU_ERR_INVALID;
    memcpy(a, v, alen);
    a[alen] = '\0';
    char da[16], db[16];
    if (ofac_parse_date(a, da, sizeof da)) return PU_ERR_INVALID;
    if (!bstart) return push(r, OFAC_FACT_PROP, ru->prop, NULL, pu_strdup(da), NULL, NULL, NULL);
    if (pu_strlcpy(b, bstart, sizeof b) >= sizeof b || ofac_parse_date(b, db, sizeof db)) return PU_ERR_INVALID;
    int y1 = atoi(da), y2 = atoi(db);
    int whole = (strlen(da) == 4 || strcmp(da + 4, "-01-01") == 0) && (strlen(db) == 4 || strcmp(db + 4, "-12-31") == 0);
    if (whole && y2 >= y1 && y2 - y1 <= RANGE_YEARS_MAX) {
        for (int y = y1; y <= y2; y++) {
            char yb[8];
            snprintf(yb, sizeof yb, "%04d", y);
            int rc = push(r, OFAC_FACT_PROP, ru->prop, NULL, pu_strdup(yb), NULL, NULL, NULL);
            if (rc) return rc;
        }
        return PU_OK;
    }
    int rc = push(r, OFAC_FACT_PROP, ru->prop, NULL, pu_strdup(da), NULL, NULL, NULL);
    return rc ? rc : push(r, OFAC_FACT_PROP, ru->prop, NULL, pu_strdup(db), NULL, NULL, NULL);
}

static char *dup_code(const char *name) {
    const char *c = ofac_country_code(name);
    return c ? pu_strdup(c) : NULL;
}

/* "NUMBER (Country) issued DATE expires DATE", every part but NUMBER optional. */
static int rule_doc(ofac_remarks *r, const rule *ru, const char *v) {
    size_t n = strlen(v);
    const char *open = strstr(v, " (");
    const char *iss = strstr(v, " issued ");
    const char *exp = strstr(v, " expires ");
    size_t numlen = n;
    if (open && (size_t)(open - v) < numlen) numlen = (size_t)(open - v);
    if (iss && (size_t)(iss - v) < numlen) numlen = (size_t)(iss - v);
    if (exp && (size_t)(exp - v) < numlen) numlen = (size_t)(exp - v);
    while (numlen && v[numlen - 1] == ' ') numlen--;
    if (!numlen) return PU_ERR_INVALID;
    char *country = NULL, *issued = NULL, *expires = NULL;
    if (open) {
        const char *close = strchr(open, ')');
        if (close && close - open - 2 < 96) {
            char cn[96];
            memcpy(cn, open + 2, (size_t)(close - open - 2));
            cn[close - open - 2] = '\0';
            country = dup_code(cn);
        }
    }
    char d[16], part[64];
    if (iss) {
        size_t l = exp && exp > iss ? (size_t)(exp - iss - 8) : strlen(iss + 8);
        if (l < sizeof part) {
            memcpy(part, iss + 8, l);
            part[l] = '\0';
            if (ofac_parse_date(part, d, sizeof d) == PU_OK) issued = pu_strdup(d);
        }
    }
    if (exp) {
        size_t l = iss && iss > exp ? (size_t)(iss - exp - 9) : strlen(exp + 9);
        if (l < sizeof part) {
            memcpy(part, exp + 9, l);
            part[l] = '\0';
            if (ofac_parse_date(part, d, sizeof d) == PU_OK) expires = pu_strdup(d);
        }
    }
    return push(r, OFAC_FACT_DOC, ru->prop, ru->doc, pu_strndup(v, numlen), country, issued, expires);
}

/* 'NAME' or NAME */
static int rule_alias(ofac_remarks *r, const rule *ru, const char *v) {
    size_t n = strlen(v);
    if (n >= 2 && (v[0] == '\'' || v[0] == '"') && v[n - 1] == v[0]) {
        v++;
        n -= 2;
    }
    if (!n) return PU_ERR_INVALID;
    return push(r, OFAC_FACT_PROP, ru->prop, NULL, pu_strndup(v, n), NULL, NULL, NULL);
}

static int rule_pob(ofac_remarks *r, const rule *ru, const char *v) {
    int rc = push(r, OFAC_FACT_PROP, ru->prop, NULL, pu_strdup(v), NULL, NULL, NULL);
    const char *last = strrchr(v, ',');
    char *code = dup_code(last ? last + 1 : v);
    if (!rc && code) return push(r, OFAC_FACT_PROP, "birthCountry", NULL, code, NULL, NULL, NULL);
    free(code);
    return rc;
}

static int apply_rule(ofac_remarks *r, const rule *ru, const char *item, const char *v) {
    char *code;
    char buf[32];
    switch (ru->kind) {
    case R_DATE: return rule_date(r, ru, v);
    case R_POB: return rule_pob(r, ru, v);
    case R_DOC: return rule_doc(r, ru, v);
    case R_ALIAS: return rule_alias(r, ru, v);
    case R_LINK: return push(r, OFAC_FACT_LINK, NULL, NULL, pu_strdup(v), NULL, NULL, NULL);
    case R_PARTY: return push(r, OFAC_FACT_LINK, ru->prop, NULL, pu_strdup(v), NULL, NULL, NULL);
    case R_PROVISION: return push(r, OFAC_FACT_PROVISION, ru->prop, NULL, pu_strdup(item), NULL, NULL, NULL);
    case R_COUNTRY:
        code = dup_code(v);
        return code ? push(r, OFAC_FACT_PROP, ru->prop, NULL, code, NULL, NULL, NULL) : PU_ERR_INVALID;
    case R_GENDER:
        if (pu_strieq(v, "Male")) return push(r, OFAC_FACT_PROP, ru->prop, NULL, pu_strdup("male"), NULL, NULL, NULL);
        if (pu_strieq(v, "Female"))
            return push(r, OFAC_FACT_PROP, ru->prop, NULL, pu_strdup("female"), NULL, NULL, NULL);
        return PU_ERR_INVALID;
    case R_IMO:
        if (strlen(v) != 7 || !all_digits(v, 7)) return PU_ERR_INVALID;
        snprintf(buf, sizeof buf, "IMO%s", v);
        return push(r, OFAC_FACT_PROP, ru->prop, NULL, pu_strdup(buf), NULL, NULL, NULL);
    default: return push(r, OFAC_FACT_PROP, ru->prop, NULL, pu_strdup(v), NULL, NULL, NULL);
    }
}

/* One item (trimmed, NUL-terminated). */
static int parse_item(ofac_remarks *r, char *item) {
    char *body = item;
    if (strncasecmp(body, "alt. ", 5) == 0) body += 5;
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
        size_t l = strlen(rules[i].label);
        if (strncasecmp(body, rules[i].label, l) != 0) continue;
        char *v = pu_trim(body + l);
        if (!*v) break;
        int rc = apply_rule(r, &rules[i], body, v);
        if (rc == PU_ERR_NOMEM) return rc;
        if (rc) r->unparsed++;
        return PU_OK;
    }
    r->unparsed++;
    return PU_OK;
}

int ofac_remarks_parse(const char *text, ofac_remarks **out, pu_err *err) {
    *out = NULL;
    size_t n = text ? strlen(text) : 0;
    if (n > REMARKS_MAX) return pu_fail(err, PU_ERR_LIMIT, NULL, "Remarks", "remarks longer than 1 MiB");
    ofac_remarks *r = calloc(1, sizeof *r);
    char *copy = pu_strndup(text ? text : "", n);
    if (!r || !copy) {
        free(r);
        free(copy);
        return pu_fail(err, PU_ERR_NOMEM, NULL, "Remarks", "out of memory");
    }
    pu_trim(copy);
    n = strlen(copy);
    if (n && copy[n - 1] == '.') copy[--n] = '\0'; /* the closing full stop */
    int rc = PU_OK;
    char *save = NULL;
    for (char *item = strtok_r(copy, ";", &save); item && !rc; item = strtok_r(NULL, ";", &save)) {
        item = pu_trim(item);
        if (*item) rc = parse_item(r, item);
    }
    free(copy);
    if (rc) {
        ofac_remarks_free(r);
        return pu_fail(err, rc, NULL, "Remarks", "out of memory");
    }
    *out = r;
    return PU_OK;
}
