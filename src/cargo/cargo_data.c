/* cargo_data.c - watchlist and rules: CSV import/export, validation, rule ids. */
#include "cargo/cargo_int.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/pu_io.h"

static const char *const RULE_NAMES[CARGO_NRULES] = {
    "decision_hold", "decision_review",
    "chem_controlled", "chem_watch", "cas_invalid",
    "hs_precursor", "hs_mismatch", "generic_description",
    "forwarder_shipper", "first_time_consignee", "residential_address",
    "shared_address", "unusual_routing", "weight_value",
    "split_shipment", "high_risk_origin", "party_designated",
    "party_possible",
};

const char *cargo_rule_name(int rule) {
    return rule >= 0 && rule < CARGO_NRULES ? RULE_NAMES[rule] : NULL;
}

int cargo_rule_lookup(const char *name) {
    for (int i = 0; i < CARGO_NRULES; i++)
        if (name && strcmp(name, RULE_NAMES[i]) == 0) return i;
    return -1;
}

/* ---- shared CSV reading with error collection ------------------------------ */

typedef struct reader_ctx {
    FILE *report;
    int nerr;
    pu_err first;
} reader_ctx;

/* Record an error: the first goes to *err, every one to the report. */
static void note_err(reader_ctx *c, const pu_err *e) {
    if (!c->nerr) c->first = *e;
    c->nerr++;
    if (c->report) {
        char buf[PU_ERR_WHERE_MAX + PU_ERR_FIELD_MAX + PU_ERR_MSG_MAX + 32];
        pu_err_format(e, buf, sizeof buf);
        fprintf(c->report, "%s\n", buf);
    }
}

static void fail_row(reader_ctx *c, const char *file, uint64_t line, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void fail_row(reader_ctx *c, const char *file, uint64_t line, const char *field, const char *fmt, ...) {
    pu_err e;
    pu_err_clear(&e);
    e.code = PU_ERR_INVALID;
    snprintf(e.where, sizeof e.where, "%s:%llu", file, (unsigned long long)line);
    if (field) pu_strlcpy(e.field, field, sizeof e.field);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e.msg, sizeof e.msg, pu_tr(fmt), ap);
    va_end(ap);
    note_err(c, &e);
}

/* ---- watchlist -------------------------------------------------------------- */

enum { W_ID, W_NAME_EN, W_NAME_ES, W_SYN_EN, W_SYN_ES, W_CODES, W_CAS, W_HS, W_INCB, W_DEA, W_MX,
       W_TIER, W_THRESHOLD, W_EXCLUDE, W_NOTES, W_SOURCE, W_NCOLS };
static const char *const WCOLS[W_NCOLS] = {
    "id", "name_en", "name_es", "synonyms_en", "synonyms_es", "code_names", "cas", "hs_codes",
    "incb", "dea", "mexico", "tier", "threshold_kg", "exclude", "notes", "source"};

void cargo_watchlist_free(cargo_watchlist *w) {
    if (!w) return;
    for (size_t i = 0; i < w->n; i++) {
        cargo_chemical *c = &w->chem[i];
        char **f[] = {&c->id, &c->name_en, &c->name_es, &c->synonyms_en, &c->synonyms_es, &c->code_names,
                      &c->cas, &c->hs_codes, &c->incb, &c->dea, &c->mexico, &c->tier, &c->exclude,
                      &c->notes, &c->source};
        for (size_t k = 0; k < sizeof f / sizeof f[0]; k++) free(*f[k]);
    }
    free(w->chem);
    free(w);
}

static char **chem_field(cargo_chemical *c, int col) {
    switch (col) {
    case W_ID: return &c->id;
    case W_NAME_EN: return &c->name_en;
    case W_NAME_ES: return &c->name_es;
    case W_SYN_EN: return &c->synonyms_en;
    case W_SYN_ES: return &c->synonyms_es;
    case W_CODES: return &c->code_names;
    case W_CAS: return &c->cas;
    case W_HS: return &c->hs_codes;
    case W_INCB: return &c->incb;
    case W_DEA: return &c->dea;
    case W_MX: return &c->mexico;
    case W_TIER: return &c->tier;
    case W_EXCLUDE: return &c->exclude;
    case W_NOTES: return &c->notes;
    case W_SOURCE: return &c->source;
    default: return NULL;
    }
}

/* Validate and store one watchlist row; errors are noted, not returned. */
static int chem_row(reader_ctx *rc, const char *file, const pu_csv_row *row, const int *map,
                    cargo_watchlist *w, cargo_strset *ids, cargo_strset *cas) {
    cargo_chemical c;
    memset(&c, 0, sizeof c);
    int bad = 0;
    for (int k = 0; k < W_NCOLS; k++) {
        const char *v = map[k] >= 0 && (size_t)map[k] < row->n ? row->fields[map[k]] : "";
        size_t vl = strlen(v);
        if (!pu_utf8_valid(v, vl)) {
            fail_row(rc, file, row->line, WCOLS[k], "invalid UTF-8");
            bad = 1;
            continue;
        }
        if (k == W_THRESHOLD) {
            char *end;
            errno = 0;
            double d = *v ? strtod(v, &end) : 0;
            if (*v && (errno || *end || d < 0 || !isfinite(d))) {
                fail_row(rc, file, row->line, "threshold_kg", "expected a non-negative number of kg or blank, got '%s'", v);
                bad = 1;
            }
            c.threshold_kg = d;
            continue;
        }
        char *t = pu_strdup(v);
        if (!t) { bad = 2; break; }
        pu_trim(t);
        *chem_field(&c, k) = t;
    }
    if (bad != 2) {
        if (!c.id || !*c.id) { fail_row(rc, file, row->line, "id", "required; expected a short slug like '4-ap'"); bad = 1; }
        else if (cargo_strset_get(ids, c.id, strlen(c.id)) >= 0) {
            fail_row(rc, file, row->line, "id", "duplicate id '%s'", c.id);
            bad = 1;
        }
        if (!c.name_en || !*c.name_en) { fail_row(rc, file, row->line, "name_en", "required"); bad = 1; }
        if (!c.tier || (strcmp(c.tier, "controlled") != 0 && strcmp(c.tier, "watch") != 0)) {
            fail_row(rc, file, row->line, "tier", "expected 'controlled' or 'watch', got '%s'", c.tier ? c.tier : "");
            bad = 1;
        }
        if (c.cas && *c.cas) {
            int64_t v;
            int ok;
            if (cargo_cas_parse(c.cas, &v, &ok) != PU_OK) {
                fail_row(rc, file, row->line, "cas", "expected a CAS number NNNNNNN-NN-N, got '%s'", c.cas);
                bad = 1;
            } else if (!ok) {
                fail_row(rc, file, row->line, "cas", "CAS number '%s' fails its check digit", c.cas);
                bad = 1;
            } else {
                char key[24];
                snprintf(key, sizeof key, "%lld", (long long)v);
                int prev = cargo_strset_get(cas, key, strlen(key));
                if (prev >= 0) {
                    fail_row(rc, file, row->line, "cas", "CAS number '%s' already used by '%s'", c.cas, w->chem[prev].id);
                    bad = 1;
                } else if (!bad && cargo_strset_put(cas, key, strlen(key), (int)w->n)) bad = 2;
            }
        }
    }
    if (bad) {
        for (int k = 0; k < W_NCOLS; k++) if (k != W_THRESHOLD) { free(*chem_field(&c, k)); *chem_field(&c, k) = NULL; }
        return bad == 2 ? PU_ERR_NOMEM : PU_OK;
    }
    for (int k = 0; k < W_NCOLS; k++)
        if (k != W_THRESHOLD && !*chem_field(&c, k)) {
            *chem_field(&c, k) = pu_strdup("");
            if (!*chem_field(&c, k)) return PU_ERR_NOMEM;
        }
    if (cargo_strset_put(ids, c.id, strlen(c.id), (int)w->n)) return PU_ERR_NOMEM;
    cargo_chemical *nc = realloc(w->chem, (w->n + 1) * sizeof *nc);
    if (!nc) return PU_ERR_NOMEM;
    w->chem = nc;
    w->chem[w->n++] = c;
    return PU_OK;
}

static int watchlist_read(pu_csv *csv, FILE *report, cargo_watchlist **out, pu_err *err) {
    *out = NULL;
    reader_ctx rc = {report, 0, {0}};
    const char *file = pu_csv_name(csv);
    cargo_watchlist *w = calloc(1, sizeof *w);
    cargo_strset ids = {0}, cas = {0};
    int map[W_NCOLS];
    const pu_csv_row *row;
    int got_header = 0, rcode = PU_OK;
    for (;;) {
        pu_err e;
        pu_err_clear(&e);
        int r = pu_csv_next(csv, &row, &e);
        if (r == PU_ERR_INVALID || r == PU_ERR_LIMIT) { note_err(&rc, &e); continue; }
        if (r) { rcode = r; if (err) *err = e; break; }
        if (!row) break;
        if (!got_header) {
            got_header = 1;
            for (int k = 0; k < W_NCOLS; k++) map[k] = pu_csv_col(row, WCOLS[k]);
            for (size_t i = 0; i < row->n; i++) {
                int known = 0;
                for (int k = 0; k < W_NCOLS; k++) if (map[k] == (int)i) known = 1;
                if (!known) fail_row(&rc, file, row->line, row->fields[i], "unknown column; expected one of id, name_en, name_es, synonyms_en, synonyms_es, code_names, cas, hs_codes, incb, dea, mexico, tier, threshold_kg, exclude, notes, source");
            }
            if (map[W_ID] < 0 || map[W_NAME_EN] < 0 || map[W_TIER] < 0)
                fail_row(&rc, file, row->line, "header", "the columns id, name_en and tier are required");
            continue;
        }
        if (!w) { rcode = PU_ERR_NOMEM; break; }
        if (rc.nerr && map[W_ID] < 0) continue;
        if ((rcode = chem_row(&rc, file, row, map, w, &ids, &cas))) break;
    }
    cargo_strset_free(&ids);
    cargo_strset_free(&cas);
    if (!rcode && !got_header) {
        pu_err e;
        pu_fail(&e, PU_ERR_INVALID, file, NULL, "empty file; expected a header row and chemicals");
        note_err(&rc, &e);
    }
    if (!rcode && w && !w->n && !rc.nerr) {
        pu_err e;
        pu_fail(&e, PU_ERR_INVALID, file, NULL, "no chemicals in the watchlist");
        note_err(&rc, &e);
    }
    if (rcode || rc.nerr) {
        cargo_watchlist_free(w);
        if (!rcode) {
            if (err) *err = rc.first;
            if (rc.nerr > 1 && err) {
                char extra[64];
                snprintf(extra, sizeof extra, " (and %d more errors)", rc.nerr - 1);
                size_t l = strlen(err->msg);
                pu_strlcpy(err->msg + l, extra, sizeof err->msg - l);
            }
            return PU_ERR_INVALID;
        }
        return rcode == PU_ERR_NOMEM ? pu_fail(err, rcode, file, NULL, "out of memory") : rcode;
    }
    *out = w;
    return PU_OK;
}

int cargo_watchlist_read_csv(const char *path, FILE *report, cargo_watchlist **out, pu_err *err) {
    pu_csv *csv;
    *out = NULL;
    int rc = pu_csv_open(path, NULL, &csv, err);
    if (rc) return rc;
    rc = watchlist_read(csv, report, out, err);
    pu_csv_close(csv);
    return rc;
}

int cargo_watchlist_read_csv_mem(const char *data, size_t n, FILE *report, cargo_watchlist **out, pu_err *err) {
    pu_csv *csv;
    *out = NULL;
    int rc = pu_csv_open_mem(data, n, NULL, &csv, err);
    if (rc) return rc;
    rc = watchlist_read(csv, report, out, err);
    pu_csv_close(csv);
    return rc;
}

static void write_num(FILE *out, double v) {
    if (v == 0) return;
    fprintf(out, "%.17g", v);
}

int cargo_watchlist_write_csv(const cargo_watchlist *w, FILE *out, pu_err *err) {
    for (int k = 0; k < W_NCOLS; k++) {
        if (k) fputc(',', out);
        fputs(WCOLS[k], out);
    }
    fputc('\n', out);
    for (size_t i = 0; i < w->n; i++) {
        cargo_chemical *c = &w->chem[i];
        for (int k = 0; k < W_NCOLS; k++) {
            if (k) fputc(',', out);
            if (k == W_THRESHOLD) write_num(out, c->threshold_kg);
            else cargo_csv_field(out, *chem_field(c, k));
        }
        fputc('\n', out);
    }
    if (ferror(out)) return pu_fail(err, PU_ERR_IO, NULL, NULL, "write error: %s", strerror(errno));
    return PU_OK;
}

/* ---- rules -------------------------------------------------------------------- */

void cargo_rules_free(cargo_rules *r) {
    if (!r) return;
    for (int i = 0; i < CARGO_NRULES; i++) {
        free(r->rule[i].params);
        free(r->rule[i].explanation);
    }
    free(r);
}

/* Numeric parameters each rule needs, checked on import. */
static const char *const NUM_PARAMS[][3] = {
    [CARGO_SHARED_ADDRESS] = {"min_names", NULL, NULL},
    [CARGO_UNUSUAL_ROUTING] = {"max_transshipments", NULL, NULL},
    [CARGO_WEIGHT_VALUE] = {"min_usd_per_kg", "max_usd_per_kg", NULL},
    [CARGO_SPLIT_SHIPMENT] = {"window_days", "min_count", "max_kg"},
    [CARGO_PARTY_DESIGNATED] = {"min_score", NULL, NULL},
    [CARGO_PARTY_POSSIBLE] = {"min_score", NULL, NULL},
    [CARGO_NRULES - 1 + 1] = {NULL, NULL, NULL},
};

static void rule_row(reader_ctx *rc, const char *file, const pu_csv_row *row, const int *map,
                     cargo_rules *r, int *seen) {
    const char *f[5];
    for (int k = 0; k < 5; k++) {
        f[k] = map[k] >= 0 && (size_t)map[k] < row->n ? row->fields[map[k]] : "";
        if (!pu_utf8_valid(f[k], strlen(f[k]))) {
            fail_row(rc, file, row->line, (const char *[]){"id", "weight", "enabled", "params", "explanation"}[k], "invalid UTF-8");
            return;
        }
    }
    int id = cargo_rule_lookup(f[0]);
    if (id < 0) {
        fail_row(rc, file, row->line, "id", "unknown rule '%s'; rules are implemented in code, see docs/cargo.md", f[0]);
        return;
    }
    if (seen[id]) {
        fail_row(rc, file, row->line, "id", "rule '%s' listed twice (first at line %d)", f[0], seen[id]);
        return;
    }
    char *end;
    errno = 0;
    double wgt = strtod(f[1], &end);
    if (!*f[1] || errno || *end || !isfinite(wgt) || wgt < -1000 || wgt > 1000) {
        fail_row(rc, file, row->line, "weight", "expected a number between -1000 and 1000, got '%s'", f[1]);
        return;
    }
    int en = 1;
    if (*f[2]) {
        if (strcmp(f[2], "1") == 0 || pu_strieq(f[2], "true") || pu_strieq(f[2], "yes")) en = 1;
        else if (strcmp(f[2], "0") == 0 || pu_strieq(f[2], "false") || pu_strieq(f[2], "no")) en = 0;
        else {
            fail_row(rc, file, row->line, "enabled", "expected 1 or 0, got '%s'", f[2]);
            return;
        }
    }
    char why[160];
    if (!cargo_params_valid(f[3], why, sizeof why)) {
        fail_row(rc, file, row->line, "params", "%s", why);
        return;
    }
    if (id < (int)(sizeof NUM_PARAMS / sizeof NUM_PARAMS[0]))
        for (int k = 0; k < 3 && NUM_PARAMS[id][k]; k++) {
            double d = 0;
            if (cargo_param_num(f[3], NUM_PARAMS[id][k], &d)) {
                fail_row(rc, file, row->line, "params", "%s must be a number", NUM_PARAMS[id][k]);
                return;
            }
        }
    seen[id] = (int)row->line;
    r->rule[id].weight = wgt;
    r->rule[id].enabled = en;
    r->rule[id].params = pu_strdup(f[3]);
    r->rule[id].explanation = pu_strdup(f[4]);
}

static int rules_read(pu_csv *csv, FILE *report, cargo_rules **out, pu_err *err) {
    *out = NULL;
    reader_ctx rc = {report, 0, {0}};
    const char *file = pu_csv_name(csv);
    static const char *const cols[5] = {"id", "weight", "enabled", "params", "explanation"};
    cargo_rules *r = calloc(1, sizeof *r);
    if (!r) return pu_fail(err, PU_ERR_NOMEM, file, NULL, "out of memory");
    int map[5], seen[CARGO_NRULES] = {0}, got_header = 0;
    const pu_csv_row *row;
    for (;;) {
        pu_err e;
        pu_err_clear(&e);
        int x = pu_csv_next(csv, &row, &e);
        if (x == PU_ERR_INVALID || x == PU_ERR_LIMIT) { note_err(&rc, &e); continue; }
        if (x) { cargo_rules_free(r); if (err) *err = e; return x; }
        if (!row) break;
        if (!got_header) {
            got_header = 1;
            for (int k = 0; k < 5; k++) map[k] = pu_csv_col(row, cols[k]);
            if (map[0] < 0 || map[1] < 0)
                fail_row(&rc, file, row->line, "header", "the columns id and weight are required (id,weight,enabled,params,explanation)");
            continue;
        }
        if (map[0] >= 0 && map[1] >= 0) rule_row(&rc, file, row, map, r, seen);
    }
    if (!got_header) fail_row(&rc, file, 1, NULL, "empty file; expected a header row and one row per rule");
    else if (!rc.nerr)
        for (int i = 0; i < CARGO_NRULES; i++)
            if (!seen[i]) fail_row(&rc, file, 0, "id", "rule '%s' is missing; every rule must be listed (enabled=0 turns one off)", RULE_NAMES[i]);
    if (!rc.nerr && r->rule[CARGO_DECISION_REVIEW].weight > r->rule[CARGO_DECISION_HOLD].weight)
        fail_row(&rc, file, (uint64_t)seen[CARGO_DECISION_REVIEW], "weight", "decision_review (%g) must not exceed decision_hold (%g)",
                 r->rule[CARGO_DECISION_REVIEW].weight, r->rule[CARGO_DECISION_HOLD].weight);
    if (rc.nerr) {
        cargo_rules_free(r);
        if (err) {
            *err = rc.first;
            if (rc.nerr > 1) {
                size_t l = strlen(err->msg);
                snprintf(err->msg + l, sizeof err->msg - l, " (and %d more errors)", rc.nerr - 1);
            }
        }
        return PU_ERR_INVALID;
    }
    for (int i = 0; i < CARGO_NRULES; i++)
        if (!r->rule[i].params || !r->rule[i].explanation) {
            cargo_rules_free(r);
            return pu_fail(err, PU_ERR_NOMEM, file, NULL, "out of memory");
        }
    *out = r;
    return PU_OK;
}

int cargo_rules_read_csv(const char *path, FILE *report, cargo_rules **out, pu_err *err) {
    pu_csv *csv;
    *out = NULL;
    int rc = pu_csv_open(path, NULL, &csv, err);
    if (rc) return rc;
    rc = rules_read(csv, report, out, err);
    pu_csv_close(csv);
    return rc;
}

int cargo_rules_read_csv_mem(const char *data, size_t n, FILE *report, cargo_rules **out, pu_err *err) {
    pu_csv *csv;
    *out = NULL;
    int rc = pu_csv_open_mem(data, n, NULL, &csv, err);
    if (rc) return rc;
    rc = rules_read(csv, report, out, err);
    pu_csv_close(csv);
    return rc;
}

int cargo_rules_write_csv(const cargo_rules *r, FILE *out, pu_err *err) {
    fputs("id,weight,enabled,params,explanation\n", out);
    for (int i = 0; i < CARGO_NRULES; i++) {
        fprintf(out, "%s,%.17g,%d,", RULE_NAMES[i], r->rule[i].weight, r->rule[i].enabled);
        cargo_csv_field(out, r->rule[i].params);
        fputc(',', out);
        cargo_csv_field(out, r->rule[i].explanation);
        fputc('\n', out);
    }
    if (ferror(out)) return pu_fail(err, PU_ERR_IO, NULL, NULL, "write error: %s", strerror(errno));
    return PU_OK;
}

int cargo_watchlist_default(cargo_watchlist **out, pu_err *err) {
    return cargo_watchlist_read_csv_mem(cargo_default_watchlist_csv, cargo_default_watchlist_csv_len, NULL, out, err);
}

int cargo_rules_default(cargo_rules **out, pu_err *err) {
    return cargo_rules_read_csv_mem(cargo_default_rules_csv, cargo_default_rules_csv_len, NULL, out, err);
}
