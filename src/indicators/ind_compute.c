/*
 * ind_compute.c - indicator values over the named counts a reader sees:
 * gathering the rows from the registered publishers (app_modules()[i]->
 * counts, the only way in), evaluating numerator / denominator x factor
 * per period and cell, baselines, growth and targets, provenance, and the
 * drill-down to the contributing rows.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "common/pu_io.h"
#include "indicators/ind_int.h"

/* No agency, no country: store_scope_sql lets through PUBLIC and SHARED
 * rows only, what both countries' agencies may read (store.h). */
const store_scope ind_scope_releasable = {.system = 0, .country = "", .agency = ""};

#define IND_FIGURES_MAX ((size_t)1 << 20)
#define IND_CELLS_MAX 256              /* distinct values of one dimension */
#define IND_TREND_YEARS 30             /* at most this many years in one query */

static int add_row(const pu_count_row *row, void *ctx, pu_err *err) {
    int rc = ind_rows_add(ctx, row);
    return rc ? pu_fail(err, rc, NULL, row->name, "cannot keep count rows") : PU_OK;
}

int ind_rows_gather(db_t *db, const store_scope *scope, ind_rows *out, pu_err *err) {
    if (!scope) return pu_fail(err, PU_ERR_INTERNAL, NULL, NULL, "indicators need the reader's scope");
    const app_module *const *m = app_modules();
    for (size_t i = 0; m[i]; i++) {
        if (!m[i]->counts) continue;
        int rc = m[i]->counts(db, scope, add_row, out, err);
        if (rc) return rc;
    }
    return PU_OK;
}

void ind_result_free(ind_result *r) {
    if (!r) return;
    free(r->fig);
    memset(r, 0, sizeof *r);
}

static int push(ind_result *r, const ind_figure *f, pu_err *err) {
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 64;
        if (cap > IND_FIGURES_MAX) return pu_fail(err, PU_ERR_LIMIT, NULL, NULL, "more than %zu figures", IND_FIGURES_MAX);
        ind_figure *g = realloc(r->fig, cap * sizeof *g);
        if (!g) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
        r->fig = g;
        r->cap = cap;
    }
    r->fig[r->n++] = *f;
    return PU_OK;
}

const ind_figure *ind_result_find(const ind_result *r, const char *code, const char *period, const char *cell) {
    for (size_t i = 0; i < r->n; i++)
        if (!strcmp(r->fig[i].code, code) && !strcmp(r->fig[i].period, period) && !strcmp(r->fig[i].cell, cell ? cell : ""))
            return &r->fig[i];
    return NULL;
}

/* ---- one definition, parsed ---- */
typedef struct parsed {
    const ind_def *d;
    ind_expr *num, *den;
} parsed;

static int parse_def(const ind_def *d, parsed *p, pu_err *err) {
    memset(p, 0, sizeof *p);
    p->d = d;
    int rc = PU_OK;
    if (*d->numerator) rc = ind_expr_parse(d->numerator, strlen(d->numerator), d->code, "numerator", &p->num, err);
    if (!rc && *d->denominator)
        rc = ind_expr_parse(d->denominator, strlen(d->denominator), d->code, "denominator", &p->den, err);
    return rc;
}

static void parsed_free(parsed *p) {
    ind_expr_free(p->num);
    ind_expr_free(p->den);
}

/* numerator / denominator x factor in cell; reasons instead of values. */
static int eval_cell(const parsed *p, const ind_rows *rows, const ind_cell *c, ind_figure *f, pu_err *err) {
    size_t nn = 0, nd = 0;
    int sn = 0, sd = 0;
    pu_err e2;
    int rc = ind_expr_eval(p->num, rows, c, &f->numerator, &nn, &sn, &e2);
    f->denominator = 1;
    if (!rc && p->den) rc = ind_expr_eval(p->den, rows, c, &f->denominator, &nd, &sd, &e2);
    f->nrows = nn + nd;
    f->suppressed = sn || sd;
    if (rc == PU_ERR_INVALID) {   /* a division by zero inside a formula */
        pu_strlcpy(f->reason, "division by zero", sizeof f->reason);
        return PU_OK;
    }
    if (rc) return pu_fail(err, rc, p->d->code, NULL, "%s", e2.msg);
    /* no data: the engines behind the formulas published nothing for the
     * period; a period they covered without such events is a true 0 */
    ind_cell period = {.year = c->year, .month_from = c->month_from, .month_to = c->month_to};
    if (nn == 0 && nd == 0 && !ind_expr_coverage(p->num, rows, &period) &&
        !(p->den && ind_expr_coverage(p->den, rows, &period)))
        pu_strlcpy(f->reason, "no data", sizeof f->reason);
    else if (f->denominator == 0) pu_strlcpy(f->reason, "division by zero", sizeof f->reason);
    else {
        f->has_value = 1;
        f->value = f->numerator / f->denominator * p->d->factor;
    }
    return PU_OK;
}

/* The latest manual value of code in period the reader may see. */
static int manual_value(db_t *db, const store_scope *scope, const ind_def *d, ind_figure *f, pu_err *err) {
    db_sql q;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT v.value, v.source FROM ind_value v WHERE v.code = ? AND v.period = ? AND ");
    db_sql_text(&q, d->code);
    db_sql_text(&q, f->period);
    store_scope_sql(&q, scope, "v");
    db_sql_add(&q, " ORDER BY v.id DESC LIMIT 1");
    db_stmt *st;
    int rc = db_sql_prepare(db, &q, &st, err);
    db_sql_free(&q);
    if (rc) return rc;
    rc = db_step(st, err);
    f->manual = 1;
    if (rc == DB_ROW) {
        f->has_value = 1;
        f->value = db_col_double(st, 0);
        f->nrows = 1;
        pu_strlcpy(f->source, db_col_text(st, 1), sizeof f->source);
    } else if (rc == DB_DONE) {
        pu_strlcpy(f->reason, "no value entered", sizeof f->reason);
    }
    db_finalize(st);
    return rc == DB_ROW || rc == DB_DONE ? PU_OK : rc;
}

static int period_cell(const char *period, ind_cell *c, pu_err *err) {
    memset(c, 0, sizeof *c);
    return ind_period_parse(period, &c->year, &c->month_from, &c->month_to, err);
}

/* One figure of p in period, the total (dim NULL) or one cell of dim. */
static int figure(db_t *db, const store_scope *scope, const parsed *p, const ind_rows *rows, const char *period,
                  const char *dim, const char *value, ind_figure *f, pu_err *err) {
    memset(f, 0, sizeof *f);
    pu_strlcpy(f->code, p->d->code, sizeof f->code);
    pu_strlcpy(f->period, period, sizeof f->period);
    pu_strlcpy(f->dim, dim ? dim : "", sizeof f->dim);
    pu_strlcpy(f->cell, value ? value : "", sizeof f->cell);
    if (p->d->manual) return dim ? PU_OK : manual_value(db, scope, p->d, f, err);
    ind_cell c;
    int rc = period_cell(period, &c, err);
    if (rc) return rc;
    /* rows without a value of the dimension make their own cell "-", so the
     * cells of a dimension always add up to the total */
    const char *v = value && strcmp(value, "-") ? value : (value ? "" : NULL);
    if (dim && !strcmp(dim, "country")) c.country = v;
    else if (dim && !strcmp(dim, "state")) c.state = v;
    else if (dim) c.agency = v;
    return eval_cell(p, rows, &c, f, err);
}

static int has_name(const char *name, void *ctx) {
    const char *want = ((const char **)ctx)[0];
    if (!strcmp(name, want)) ((const char **)ctx)[1] = want;
    return PU_OK;
}

/* Does row r feed a formula of p (by name)? */
static int feeds(const parsed *p, const pu_count_row *r) {
    const char *ctx[2] = {r->name, NULL};
    if (p->num) ind_expr_names(p->num, has_name, ctx);
    if (!ctx[1] && p->den) ind_expr_names(p->den, has_name, ctx);
    return ctx[1] != NULL;
}

static const char *dim_value(const pu_count_row *r, const char *dim) {
    const char *v = !strcmp(dim, "country") ? r->country : !strcmp(dim, "state") ? r->state : r->agency;
    return *v ? v : "-";
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The distinct values of dim among the rows p reads in year (sorted). */
static int dim_values(const parsed *p, const ind_rows *rows, int year, const char *dim, const char **out, size_t *n) {
    *n = 0;
    for (size_t i = 0; i < rows->n; i++) {
        const pu_count_row *r = &rows->rows[i];
        if (r->year != year || !feeds(p, r)) continue;
        const char *v = dim_value(r, dim);
        size_t j = 0;
        while (j < *n && strcmp(out[j], v)) j++;
        if (j < *n) continue;
        if (*n >= IND_CELLS_MAX) return PU_ERR_LIMIT;
        out[(*n)++] = v;
    }
    qsort(out, *n, sizeof *out, cmp_str);
    return PU_OK;
}

static int declares(const ind_def *d, const char *dim) {
    char buf[48];
    pu_strlcpy(buf, d->disaggregation, sizeof buf);
    char *save = NULL;
    for (char *t = strtok_r(buf, ";", &save); t; t = strtok_r(NULL, ";", &save))
        if (!strcmp(t, dim)) return 1;
    return 0;
}

/* Baseline, growth and target of a total figure. */
static int compare(db_t *db, const store_scope *scope, const parsed *p, const ind_rows *rows, ind_figure *f,
                   pu_err *err) {
    const ind_def *d = p->d;
    for (size_t i = 0; i < d->ntargets; i++)
        if (!strcmp(d->targets[i].period, f->period)) {
            f->has_target = 1;
            f->target = d->targets[i].value;
        }
    if (f->has_target && f->has_value && f->target != 0 && f->value != 0)
        f->achieved_pct = d->direction > 0 ? f->value / f->target * 100 : f->target / f->value * 100;
    /* growth compares years with years: a quarter or a month has none */
    if (!d->baseline_year || strlen(f->period) != 4) return PU_OK;
    f->baseline_year = d->baseline_year;
    if (!isnan(d->baseline_value)) {
        f->has_baseline = 1;
        f->baseline = d->baseline_value;
    } else {
        char period[16];
        snprintf(period, sizeof period, "%04d", d->baseline_year);
        ind_figure b;
        parsed whole = *p;
        int rc = figure(db, scope, &whole, rows, period, NULL, NULL, &b, err);
        if (rc) return rc;
        f->has_baseline = b.has_value;
        f->baseline = b.value;
    }
    if (f->has_baseline && f->has_value && f->baseline != 0) {
        f->has_growth = 1;
        f->growth_pct = (f->value - f->baseline) / fabs(f->baseline) * 100;
    }
    return PU_OK;
}

static int compute_def(db_t *db, const store_scope *scope, const parsed *p, const ind_rows *rows, const ind_query *q,
                       ind_result *out, pu_err *err) {
    int from = q->from_year ? q->from_year : q->year, rc = PU_OK;
    for (int y = from; y <= q->year && !rc; y++) {
        char periods[13][16];
        int np = ind_periods(p->d->period, y, periods);
        /* a quarterly or monthly indicator also gets its year (the report,
         * trends and baselines read years) */
        if (np > 1) snprintf(periods[np++], sizeof periods[0], "%04d", y);
        for (int i = 0; i < np && !rc; i++) {
            ind_figure f;
            rc = figure(db, scope, p, rows, periods[i], NULL, NULL, &f, err);
            if (!rc) rc = compare(db, scope, p, rows, &f, err);
            if (!rc) rc = push(out, &f, err);
            if (rc || !q->by || !declares(p->d, q->by) || p->d->manual) continue;
            const char *vals[IND_CELLS_MAX];
            size_t nv;
            if (dim_values(p, rows, y, q->by, vals, &nv))
                return pu_fail(err, PU_ERR_LIMIT, p->d->code, "by", "more than %d cells", IND_CELLS_MAX);
            for (size_t k = 0; k < nv && !rc; k++) {
                rc = figure(db, scope, p, rows, periods[i], q->by, vals[k], &f, err);
                if (!rc && f.nrows) rc = push(out, &f, err);   /* cells without a row of their own are left out */
            }
        }
    }
    return rc;
}

static int add_name(const char *name, void *ctx) {
    ind_result *r = ctx;
    char probe[80];
    snprintf(probe, sizeof probe, ";%s;", name);
    char cur[sizeof r->names + 2];
    snprintf(cur, sizeof cur, ";%s;", r->names);
    if (strstr(cur, probe)) return PU_OK;
    size_t l = strlen(r->names);
    if (l + strlen(name) + 2 < sizeof r->names) snprintf(r->names + l, sizeof r->names - l, "%s%s", l ? ";" : "", name);
    return PU_OK;
}

/* When and from what: the store generations the figures rest on. */
static int provenance(db_t *db, ind_result *r, pu_err *err) {
    pu_now_iso(r->computed_at, sizeof r->computed_at);
    const char *domains[16] = {"entity", "grant", "indicators"};
    size_t nd = 3;
    const app_module *const *m = app_modules();
    for (size_t i = 0; m[i] && nd < 16; i++)
        if (m[i]->counts) domains[nd++] = m[i]->name;
    r->generations[0] = '\0';
    for (size_t i = 0; i < nd; i++) {
        int64_t g = 0;
        int rc = store_generation_get(db, domains[i], &g, err);
        if (rc) return rc;
        size_t l = strlen(r->generations);
        snprintf(r->generations + l, sizeof r->generations - l, "%s%s=%lld", i ? ";" : "", domains[i], (long long)g);
    }
    return PU_OK;
}

int ind_compute_rows(db_t *db, const store_scope *scope, const ind_def *defs, size_t ndefs, const ind_rows *rows,
                     const ind_query *q, ind_result *out, pu_err *err) {
    memset(out, 0, sizeof *out);
    if (q->year < IND_YEAR_MIN || q->year > IND_YEAR_MAX)
        return pu_fail(err, PU_ERR_INVALID, NULL, "year", "expected a year %d-%d", IND_YEAR_MIN, IND_YEAR_MAX);
    if (q->from_year && (q->from_year > q->year || q->year - q->from_year >= IND_TREND_YEARS || q->from_year < IND_YEAR_MIN))
        return pu_fail(err, PU_ERR_INVALID, NULL, "from", "expected a year at most %d years before %d", IND_TREND_YEARS - 1, q->year);
    if (q->by && strcmp(q->by, "country") && strcmp(q->by, "state") && strcmp(q->by, "agency"))
        return pu_fail(err, PU_ERR_INVALID, NULL, "by", "expected country, state or agency, got '%s'", q->by);
    int rc = provenance(db, out, err), found = 0;
    for (size_t i = 0; i < ndefs && !rc; i++) {
        if (q->code && strcmp(q->code, defs[i].code)) continue;
        found = 1;
        parsed p;
        rc = parse_def(&defs[i], &p, err);
        if (!rc && p.num) rc = ind_expr_names(p.num, add_name, out);
        if (!rc && p.den) rc = ind_expr_names(p.den, add_name, out);
        if (!rc) rc = compute_def(db, scope, &p, rows, q, out, err);
        parsed_free(&p);
    }
    if (!rc && q->code && !found) rc = pu_fail(err, PU_ERR_NOTFOUND, NULL, "code", "no indicator '%s'", q->code);
    if (rc) ind_result_free(out);
    return rc;
}

int ind_compute(db_t *db, const store_scope *scope, const ind_query *q, ind_result *out, pu_err *err) {
    memset(out, 0, sizeof *out);
    ind_def *defs = NULL;
    size_t n = 0;
    ind_rows rows = {0};
    int rc = ind_defs_load(db, &defs, &n, err);
    if (!rc) rc = ind_rows_gather(db, scope, &rows, err);
    if (!rc) rc = ind_compute_rows(db, scope, defs, n, &rows, q, out, err);
    ind_rows_free(&rows);
    ind_defs_free(defs, n);
    return rc;
}

/* ---- the drill-down ---- */
void ind_json_str(FILE *out, const char *s) {
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') fprintf(out, "\\%c", *p);
        else if (*p < 0x20) fprintf(out, "\\u%04x", *p);
        else fputc(*p, out);
    }
    fputc('"', out);
}

static void drill_row(FILE *out, int json, int *first, const char *formula, const pu_count_row *r) {
    if (json) {
        fprintf(out, "%s{\"formula\":\"%s\",\"name\":\"%s\",\"year\":%d,\"month\":%d,", *first ? "" : ",", formula,
                r->name, r->year, r->month);
        fputs("\"country\":", out); ind_json_str(out, r->country);
        fputs(",\"state\":", out); ind_json_str(out, r->state);
        fputs(",\"agency\":", out); ind_json_str(out, r->agency);
        fprintf(out, ",\"value\":%.17g,\"suppressed\":%s}", r->value, r->suppressed ? "true" : "false");
    } else {
        fprintf(out, "%s,%s,%d,%d,", formula, r->name, r->year, r->month);
        pu_csv_write_field(out, r->country);
        fputc(',', out);
        pu_csv_write_field(out, r->state);
        fputc(',', out);
        pu_csv_write_field(out, r->agency);
        fprintf(out, ",%.17g,%d\n", r->value, r->suppressed);
    }
    *first = 0;
}

static int find_def(db_t *db, const char *code, ind_def **defs, size_t *n, size_t *at, pu_err *err) {
    int rc = ind_defs_load(db, defs, n, err);
    for (*at = 0; !rc && *at < *n; (*at)++)
        if (!strcmp((*defs)[*at].code, code)) return PU_OK;
    return rc ? rc : pu_fail(err, PU_ERR_NOTFOUND, NULL, "code", "no indicator '%s'", code);
}

int ind_drill(db_t *db, const store_scope *scope, const char *code, const char *period, const char *by,
              const char *cell, int json, FILE *out, pu_err *err) {
    ind_def *defs = NULL;
    size_t n = 0, at;
    ind_rows rows = {0};
    parsed p = {0};
    ind_cell c;
    int rc = find_def(db, code, &defs, &n, &at, err);
    if (!rc) rc = period_cell(period, &c, err);
    if (!rc && cell && (!by || (strcmp(by, "country") && strcmp(by, "state") && strcmp(by, "agency"))))
        rc = pu_fail(err, PU_ERR_INVALID, NULL, "by", "a cell needs --by country, state or agency");
    if (!rc) rc = parse_def(&defs[at], &p, err);
    if (!rc) rc = ind_rows_gather(db, scope, &rows, err);
    if (!rc && cell) {
        const char *v = strcmp(cell, "-") ? cell : "";
        if (!strcmp(by, "country")) c.country = v;
        else if (!strcmp(by, "state")) c.state = v;
        else c.agency = v;
    }
    if (!rc) {
        int first = 1;
        fputs(json ? "[" : "formula,name,year,month,country,state,agency,value,suppressed\n", out);
        for (size_t i = 0; i < rows.n; i++) {
            const pu_count_row *r = &rows.rows[i];
            if (p.num && ind_expr_row_feeds(p.num, r, &c) >= 0) drill_row(out, json, &first, "numerator", r);
            else if (p.den && ind_expr_row_feeds(p.den, r, &c) >= 0) drill_row(out, json, &first, "denominator", r);
        }
        if (json) fputs("]\n", out);
    }
    parsed_free(&p);
    ind_rows_free(&rows);
    ind_defs_free(defs, n);
    return rc;
}

/* ---- writers ---- */
static void json_num(FILE *out, const char *key, int has, double v) {
    if (has) fprintf(out, ",\"%s\":%.10g", key, v);
    else fprintf(out, ",\"%s\":null", key);
}

static void write_figure_json(FILE *out, const ind_figure *f) {
    fputs("{\"code\":", out); ind_json_str(out, f->code);
    fputs(",\"period\":", out); ind_json_str(out, f->period);
    fputs(",\"dim\":", out); ind_json_str(out, f->dim);
    fputs(",\"cell\":", out); ind_json_str(out, f->cell);
    json_num(out, "value", f->has_value, f->value);
    json_num(out, "numerator", !f->manual && (f->has_value || f->nrows), f->numerator);
    json_num(out, "denominator", !f->manual && (f->has_value || f->nrows), f->denominator);
    fputs(",\"reason\":", out); ind_json_str(out, f->reason);
    fprintf(out, ",\"rows\":%zu,\"suppressed\":%s,\"manual\":%s", f->nrows, f->suppressed ? "true" : "false",
            f->manual ? "true" : "false");
    fputs(",\"source\":", out); ind_json_str(out, f->source);
    json_num(out, "baseline", f->has_baseline, f->baseline);
    if (f->baseline_year) fprintf(out, ",\"baseline_year\":%d", f->baseline_year);
    json_num(out, "growth_pct", f->has_growth, f->growth_pct);
    json_num(out, "target", f->has_target, f->target);
    json_num(out, "achieved_pct", f->has_target && f->has_value && f->achieved_pct != 0, f->achieved_pct);
    fputc('}', out);
}

int ind_result_write(const ind_result *r, int json, FILE *out, pu_err *err) {
    if (json) {
        fputs("{\"computed_at\":", out); ind_json_str(out, r->computed_at);
        fputs(",\"generations\":", out); ind_json_str(out, r->generations);
        fputs(",\"names\":", out); ind_json_str(out, r->names);
        fputs(",\"figures\":[", out);
        for (size_t i = 0; i < r->n; i++) {
            if (i) fputc(',', out);
            write_figure_json(out, &r->fig[i]);
        }
        fputs("]}\n", out);
    } else {
        fputs("code,period,dim,cell,value,numerator,denominator,reason,rows,suppressed,source,baseline,growth_pct,"
              "target,achieved_pct\n", out);
        for (size_t i = 0; i < r->n; i++) {
            const ind_figure *f = &r->fig[i];
            fprintf(out, "%s,%s,%s,", f->code, f->period, f->dim);
            pu_csv_write_field(out, f->cell);
            if (f->has_value && f->manual) fprintf(out, ",%.10g,,,", f->value);
            else if (f->has_value) fprintf(out, ",%.10g,%.10g,%.10g,", f->value, f->numerator, f->denominator);
            else if (f->nrows) fprintf(out, ",,%.10g,%.10g,", f->numerator, f->denominator);
            else fputs(",,,,", out);
            pu_csv_write_field(out, f->reason);
            fprintf(out, ",%zu,%d,", f->nrows, f->suppressed);
            pu_csv_write_field(out, f->source);
            if (f->has_baseline) fprintf(out, ",%.10g", f->baseline); else fputc(',', out);
            if (f->has_growth) fprintf(out, ",%.4f", f->growth_pct); else fputc(',', out);
            if (f->has_target) fprintf(out, ",%.10g", f->target); else fputc(',', out);
            if (f->has_target && f->has_value && f->achieved_pct != 0) fprintf(out, ",%.2f\n", f->achieved_pct);
            else fputs(",\n", out);
        }
    }
    return ferror(out) ? pu_fail(err, PU_ERR_IO, NULL, NULL, "cannot write the figures") : PU_OK;
}
