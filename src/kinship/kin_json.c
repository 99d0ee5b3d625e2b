/* kin_json.c - one kinship case as a JSON document (the HTTP API's request
 * body): the stated purpose, the CLI's CSV files as strings, and options.
 * Everything a request may ask for is capped here, before any likelihood is
 * computed, so one request cannot exhaust the server (docs/kinship.md). */
#include "kin_internal.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void kin_req_caps_default(kin_req_caps *c) {
    memset(c, 0, sizeof *c);
    c->max_bytes = (size_t)4 << 20;
    c->max_markers = 64;
    c->max_samples = 1000;
    c->max_families = 1000;
    c->max_missing = 1000;
    c->max_persons = 64;
    c->max_pairs = 20000;
    c->max_rows = 200000;
}

static void priv_free(kin_request *q);

void kin_request_free(kin_request *q) {
    if (!q) return;
    priv_free(q);
    free(q->purpose);
    free(q->case_ref);
    for (int i = 0; i < q->nwarn; i++) free(q->warn[i]);
    free(q->warn);
    kin_case_free(q->c);
    kin_db_free(q->db);
    free(q);
}

/* Printable text: valid UTF-8 and no control characters (it goes into the
 * audit trail and into messages). */
static int text_ok(const char *s, size_t n) {
    if (!pu_utf8_valid(s, n)) return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) return 0;
    return 1;
}

static int get_purpose(json_t *o, kin_request *q, pu_err *err) {
    json_t *v = json_object_get(o, "purpose");
    if (!v || json_is_null(v))
        return pu_fail(err, PU_ERR_INVALID, NULL, "purpose",
                       "every kinship request must state its purpose (a string of 1-%d bytes), e.g. "
                       "\"identification of remains, case FGR/DVI/2026/014\"",
                       KIN_PURPOSE_MAX);
    if (!json_is_string(v)) return pu_fail(err, PU_ERR_INVALID, NULL, "purpose", "expected a string");
    char *p = pu_strndup(json_string_value(v), json_string_length(v));
    if (!p) return PU_ERR_NOMEM;
    pu_trim(p);
    size_t n = strlen(p);
    int rc = PU_OK;
    if (strlen(json_string_value(v)) != json_string_length(v))
        rc = pu_fail(err, PU_ERR_INVALID, NULL, "purpose", "expected printable UTF-8 text without control characters");
    else if (n == 0)
        rc = pu_fail(err, PU_ERR_INVALID, NULL, "purpose", "the stated purpose is empty");
    else if (n > KIN_PURPOSE_MAX)
        rc = pu_fail(err, PU_ERR_LIMIT, NULL, "purpose", "the stated purpose is %zu bytes; at most %d", n,
                     KIN_PURPOSE_MAX);
    else if (!text_ok(p, n))
        rc = pu_fail(err, PU_ERR_INVALID, NULL, "purpose", "expected printable UTF-8 text without control characters");
    if (rc) free(p);
    else q->purpose = p;
    return rc;
}

static int get_case_ref(json_t *o, kin_request *q, pu_err *err) {
    json_t *v = json_object_get(o, "case_ref");
    if (!v || json_is_null(v)) return PU_OK;
    size_t n = json_is_string(v) ? json_string_length(v) : 0;
    if (!json_is_string(v) || n == 0 || n >= KIN_ID_MAX || !text_ok(json_string_value(v), n) ||
        strlen(json_string_value(v)) != n)
        return pu_fail(err, PU_ERR_INVALID, NULL, "case_ref", "expected a case reference of 1-%d printable characters",
                       KIN_ID_MAX - 1);
    q->case_ref = pu_strdup(json_string_value(v));
    return q->case_ref ? PU_OK : PU_ERR_NOMEM;
}

/* Unknown keys are refused: a typo must not silently fall back to a default. */
static int only_keys(json_t *o, const char *const *allowed, const char *where, pu_err *err) {
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v) {
        int ok = 0;
        for (size_t i = 0; allowed[i] && !ok; i++) ok = !strcmp(k, allowed[i]);
        if (!ok) {
            char f[PU_ERR_FIELD_MAX];
            snprintf(f, sizeof f, "%s%s%.40s", where, *where ? "." : "", k);
            return pu_fail(err, PU_ERR_INVALID, NULL, f, "unknown field '%.60s'", k);
        }
    }
    return PU_OK;
}

/* A number member in [lo, hi] (hi_open: hi excluded); absent keeps *out. */
static int get_num(json_t *o, const char *key, double lo, double hi, int hi_open, double *out, pu_err *err) {
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v)) return PU_OK;
    double x = json_is_number(v) ? json_number_value(v) : NAN;
    char f[PU_ERR_FIELD_MAX];
    snprintf(f, sizeof f, "options.%s", key);
    if (!json_is_number(v) || !isfinite(x) || x < lo || x > hi || (hi_open && x >= hi))
        return pu_fail(err, PU_ERR_INVALID, NULL, f, "expected a number in [%g, %g%s", lo, hi, hi_open ? ")" : "]");
    *out = x;
    return PU_OK;
}

static int get_int(json_t *o, const char *key, long lo, long hi, long *out, pu_err *err) {
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v)) return PU_OK;
    char f[PU_ERR_FIELD_MAX];
    snprintf(f, sizeof f, "options.%s", key);
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
        return pu_fail(err, PU_ERR_INVALID, NULL, f, "expected an integer from %ld to %ld", lo, hi);
    *out = (long)json_integer_value(v);
    return PU_OK;
}

static int get_options(json_t *root, kin_request *q, double *min_freq, double drop[2], pu_err *err) {
    static const char *const keys[] = {"theta", "min_freq", "max_incomp", "threshold", "top", "per_marker",
                                       "dropout", "dropin", NULL};
    json_t *o = json_object_get(root, "options");
    if (!o || json_is_null(o)) return PU_OK;
    if (!json_is_object(o)) return pu_fail(err, PU_ERR_INVALID, NULL, "options", "expected a JSON object");
    long mi = q->opts.max_incomp, top = q->top;
    int rc = only_keys(o, keys, "options", err);
    if (!rc) rc = get_num(o, "theta", 0, 1, 1, &q->opts.theta, err);
    if (!rc) rc = get_num(o, "min_freq", 0, 1, 0, min_freq, err);
    if (!rc) rc = get_num(o, "threshold", 1e-300, KIN_THRESHOLD_MAX, 0, &q->opts.threshold, err);
    if (!rc) rc = get_int(o, "max_incomp", 0, KIN_MAX_MARKERS, &mi, err);
    if (!rc) rc = get_int(o, "top", 1, KIN_REQ_MAX_TOP, &top, err);
    /* every PM sample and marker (the CLI's --dropout/--dropin); case.dropout overrides per sample/marker */
    if (!rc) rc = get_num(o, "dropout", 0, KIN_DROP_MAX, 0, &drop[0], err);
    if (!rc) rc = get_num(o, "dropin", 0, KIN_DROP_MAX, 0, &drop[1], err);
    json_t *pm = json_object_get(o, "per_marker");
    if (!rc && pm && !json_is_null(pm) && !json_is_boolean(pm))
        rc = pu_fail(err, PU_ERR_INVALID, NULL, "options.per_marker", "expected true or false");
    q->per_marker = pm && json_is_true(pm);
    q->opts.max_incomp = (int)mi;
    q->top = (int)top;
    return rc;
}

/* The CSV texts of the case: name -> string (required ones must be present). */
typedef struct part {
    const char *key;
    const char *name;      /* in messages: "case.pm" */
    int required;
    const char *data;
    size_t len;
} part;

enum { P_FREQS, P_MUT, P_PED, P_AM, P_PM, P_DROP, P_N };

static int get_parts(json_t *root, part *p, const char **population, pu_err *err) {
    static const char *const keys[] = {"freqs", "mutation", "pedigrees", "am", "pm", "dropout", "population", NULL};
    json_t *c = json_object_get(root, "case");
    if (!c || !json_is_object(c))
        return pu_fail(err, PU_ERR_INVALID, NULL, "case",
                       "expected an object with the CSV texts freqs, pedigrees, am, pm (and optional mutation)");
    int rc = only_keys(c, keys, "case", err);
    for (int i = 0; !rc && i < P_N; i++) {
        json_t *v = json_object_get(c, p[i].key);
        if (!v || json_is_null(v)) {
            if (p[i].required)
                rc = pu_fail(err, PU_ERR_INVALID, NULL, p[i].name, "missing: expected the CSV text of %s", p[i].name);
            continue;
        }
        if (!json_is_string(v)) {
            rc = pu_fail(err, PU_ERR_INVALID, NULL, p[i].name, "expected a string holding CSV text");
            break;
        }
        p[i].data = json_string_value(v);
        p[i].len = json_string_length(v);
    }
    json_t *pop = json_object_get(c, "population");
    if (!rc && pop && !json_is_null(pop)) {
        if (!json_is_string(pop) || json_string_length(pop) == 0 || json_string_length(pop) > 64)
            rc = pu_fail(err, PU_ERR_INVALID, NULL, "case.population", "expected a population name of 1-64 bytes");
        else *population = json_string_value(pop);
    }
    return rc;
}

static int cap_fail(pu_err *err, const char *field, const char *what, long n, long max) {
    return pu_fail(err, PU_ERR_LIMIT, NULL, field, "%ld %s; a request may hold at most %ld", n, what, max);
}

/* Counts of the case against the caps, after the pedigrees or the PM file. */
static int check_caps(const kin_request *q, const kin_req_caps *caps, int after_pm, pu_err *err) {
    const kin_case *c = q->c;
    if (!after_pm) {
        if (q->db->n > caps->max_markers) return cap_fail(err, "case.freqs", "markers", q->db->n, caps->max_markers);
        if (c->nfam > caps->max_families)
            return cap_fail(err, "case.pedigrees", "families", c->nfam, caps->max_families);
        if (c->nmiss > caps->max_missing)
            return cap_fail(err, "case.pedigrees", "missing persons", c->nmiss, caps->max_missing);
        for (int f = 0; f < c->nfam; f++)
            if (c->fam[f].n > caps->max_persons)
                return pu_fail(err, PU_ERR_LIMIT, NULL, "case.pedigrees",
                               "family %s has %d persons; a request may hold at most %d per family", c->fam[f].name,
                               c->fam[f].n, caps->max_persons);
        return PU_OK;
    }
    if (c->nvic > caps->max_samples) return cap_fail(err, "case.pm", "PM samples", c->nvic, caps->max_samples);
    if ((long)c->nvic * c->nmiss > caps->max_pairs)
        return pu_fail(err, PU_ERR_LIMIT, NULL, "case.pm",
                       "%d PM samples x %d missing persons = %ld pairs; a request may hold at most %ld (use "
                       "`puente kinship search` for larger searches)",
                       c->nvic, c->nmiss, (long)c->nvic * c->nmiss, caps->max_pairs);
    return PU_OK;
}

/* Keep the first KIN_REQ_MAX_WARNINGS lines of the captured warnings. */
static int keep_warnings(kin_request *q, const char *text) {
    const char *pre = "puente: warning: ";
    q->warn = calloc(KIN_REQ_MAX_WARNINGS, sizeof *q->warn);
    if (!q->warn) return PU_ERR_NOMEM;
    for (const char *s = text; s && *s && q->nwarn < KIN_REQ_MAX_WARNINGS;) {
        const char *e = strchr(s, '\n');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        if (n >= strlen(pre) && !strncmp(s, pre, strlen(pre))) s += strlen(pre), n -= strlen(pre);
        if (!(q->warn[q->nwarn] = pu_strndup(s, n))) return PU_ERR_NOMEM;
        q->nwarn++;
        s = e ? e + 1 : s + n;
    }
    return PU_OK;
}

/* Read the CSV parts into q->db and q->c, warnings into the sink w. */
static int read_parts(kin_request *q, const part *p, const char *population, double min_freq, const double drop[2],
                      const kin_req_caps *caps, FILE *w, pu_err *err) {
    int rc = kin_db_read_mem_warn(p[P_FREQS].data, p[P_FREQS].len, p[P_FREQS].name, population, min_freq, w, &q->db,
                                  err);
    if (!rc && p[P_MUT].data) rc = kin_db_read_mutation_mem(q->db, p[P_MUT].data, p[P_MUT].len, p[P_MUT].name, err);
    if (!rc) rc = kin_case_read_pedigrees_mem(q->db, p[P_PED].data, p[P_PED].len, p[P_PED].name, &q->c, err);
    if (!rc) rc = check_caps(q, caps, 0, err);
    if (!rc) rc = kin_case_read_am_mem(q->c, p[P_AM].data, p[P_AM].len, p[P_AM].name, err);
    if (!rc) rc = kin_case_read_pm_mem(q->c, p[P_PM].data, p[P_PM].len, p[P_PM].name, err);
    if (!rc) rc = check_caps(q, caps, 1, err);
    if (!rc) rc = kin_case_set_dropout(q->c, drop[0], drop[1], err);
    if (!rc && p[P_DROP].data) rc = kin_case_read_dropout_mem(q->c, p[P_DROP].data, p[P_DROP].len, p[P_DROP].name, err);
    if (!rc) {
        rc = kin_db_prepare(q->db, err);
        /* prepare names the marker; the mutation models are what failed */
        if (rc && err && !strchr(err->where, ':')) {
            char w2[PU_ERR_WHERE_MAX];
            pu_buf b = PU_BUF_INIT(PU_ERR_WHERE_MAX - 1);
            (void)pu_buf_printf(&b, "%s (marker %.200s)", p[P_MUT].name, err->where);
            pu_strlcpy(w2, pu_buf_str(&b), sizeof w2);
            pu_buf_free(&b);
            pu_strlcpy(err->where, w2, sizeof err->where);
        }
    }
    return rc;
}

/* What kin_request_parse keeps for kin_request_load: the JSON tree (the
 * parts point into it) and the reading options. */
typedef struct kin_req_priv {
    json_t *root;
    part p[P_N];
    const char *population;
    double min_freq;
    double drop[2];        /* options.dropout, options.dropin */
    kin_req_caps caps;
} kin_req_priv;

static void priv_free(kin_request *q) {
    kin_req_priv *x = q->priv;
    if (!x) return;
    json_decref(x->root);
    free(x);
    q->priv = NULL;
}

int kin_request_parse(const char *json, size_t len, const kin_req_caps *caps, kin_request **out, pu_err *err) {
    *out = NULL;
    kin_req_priv *x = calloc(1, sizeof *x);
    kin_request *q = calloc(1, sizeof *q);
    if (!x || !q) {
        free(x), free(q);
        return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory reading the case");
    }
    q->priv = x;
    if (caps) x->caps = *caps;
    else kin_req_caps_default(&x->caps);
    kin_opts_default(&q->opts);
    q->opts.max_rows = x->caps.max_rows;
    q->top = 20;
    static const part parts[P_N] = {{"freqs", "case.freqs", 1, NULL, 0},
                                    {"mutation", "case.mutation", 0, NULL, 0},
                                    {"pedigrees", "case.pedigrees", 1, NULL, 0},
                                    {"am", "case.am", 1, NULL, 0},
                                    {"pm", "case.pm", 1, NULL, 0},
                                    {"dropout", "case.dropout", 0, NULL, 0}};
    memcpy(x->p, parts, sizeof parts);
    static const char *const keys[] = {"purpose", "case_ref", "case", "options", NULL};
    int rc = PU_OK;
    json_error_t je;
    if (len > x->caps.max_bytes)
        rc = pu_fail(err, PU_ERR_LIMIT, NULL, "body", "the case is %zu bytes; a request may hold at most %zu", len,
                     x->caps.max_bytes);
    else if (!(x->root = json_loadb(json ? json : "", json ? len : 0, JSON_REJECT_DUPLICATES, &je)))
        rc = pu_fail(err, PU_ERR_INVALID, NULL, "body", "invalid JSON at line %d column %d: %s", je.line, je.column,
                     je.text);
    else if (!json_is_object(x->root))
        rc = pu_fail(err, PU_ERR_INVALID, NULL, "body", "expected a JSON object");
    /* the purpose first: without one, nothing else of the request is looked at */
    if (!rc) rc = get_purpose(x->root, q, err);
    if (!rc) rc = only_keys(x->root, keys, "", err);
    if (!rc) rc = get_case_ref(x->root, q, err);
    if (!rc) rc = get_options(x->root, q, &x->min_freq, x->drop, err);
    if (!rc) rc = get_parts(x->root, x->p, &x->population, err);
    if (rc) {
        kin_request_free(q);
        return rc;
    }
    *out = q;
    return PU_OK;
}

int kin_request_load(kin_request *q, pu_err *err) {
    kin_req_priv *x = q->priv;
    if (!x) return pu_fail(err, PU_ERR_INTERNAL, NULL, NULL, "the request was already loaded");
    char *wtext = NULL;
    size_t wlen = 0;
    FILE *w = open_memstream(&wtext, &wlen);
    int rc = w ? read_parts(q, x->p, x->population, x->min_freq, x->drop, &x->caps, w, err) : PU_ERR_NOMEM;
    if (q->db) q->db->warn = NULL; /* the sink is closed below */
    if (w) fclose(w);
    if (q->db) q->n_warnings = q->db->n_warnings;
    if (!rc) rc = keep_warnings(q, wtext);
    free(wtext);
    priv_free(q);
    if (rc == PU_ERR_NOMEM) pu_fail(err, rc, NULL, NULL, "out of memory reading the case");
    return rc;
}
