/*
 * ind_records.c - the records behind a computed figure (docs/indicators.md
 * "Records behind a figure").
 *
 * The publishers' count_records walks emit the SAME rows as their counts
 * (same SQL through store_scope_sql, same cells, same values), each with
 * the record it counts. A row is listed when it feeds the formula in the
 * cell by ind_expr_row_feeds, the test ind_compute sums over: so the
 * records listed are exactly those the figure counts, and their values add
 * up to it. What this file adds is paging, and the refusals: a formula that
 * reads a module without records (aggregates only: protection), or a cell
 * its publisher suppressed (small numbers), lists nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "common/pu_io.h"
#include "indicators/ind_int.h"

typedef struct rec_walk {
    const ind_expr *e;
    const ind_cell *c;
    ind_records *out;
    size_t offset, limit;
    int suppressed;            /* a matching row was withheld by its publisher */
    char name[IND_NAME_MAX];   /* the first such row's name, for the refusal */
} rec_walk;

static void keep(ind_record *k, const pu_count_row *r) {
    const pu_count_record *x = r->rec;
    pu_strlcpy(k->name, r->name, sizeof k->name);
    pu_strlcpy(k->kind, x->kind ? x->kind : "", sizeof k->kind);
    pu_strlcpy(k->id, x->id ? x->id : "", sizeof k->id);
    pu_strlcpy(k->label, x->label ? x->label : "", sizeof k->label);
    pu_strlcpy(k->date, x->date ? x->date : "", sizeof k->date);
    pu_strlcpy(k->marking, x->marking ? x->marking : "", sizeof k->marking);
    pu_strlcpy(k->link, x->link ? x->link : "", sizeof k->link);
    pu_strlcpy(k->country, r->country ? r->country : "", sizeof k->country);
    pu_strlcpy(k->state, r->state ? r->state : "", sizeof k->state);
    pu_strlcpy(k->agency, r->agency ? r->agency : "", sizeof k->agency);
    k->year = r->year;
    k->month = r->month;
    k->value = r->value;
}

static int on_row(const pu_count_row *r, void *ctx, pu_err *err) {
    rec_walk *w = ctx;
    if (ind_expr_row_feeds(w->e, r, w->c) < 0) return PU_OK;
    if (r->suppressed) {
        if (!w->suppressed) pu_strlcpy(w->name, r->name, sizeof w->name);
        w->suppressed = 1;
        return PU_OK;
    }
    if (!r->rec) return pu_fail(err, PU_ERR_INTERNAL, NULL, r->name, "a count row without its record");
    ind_records *o = w->out;
    o->sum += r->value;
    if (o->total++ < w->offset || o->n >= w->limit) return PU_OK;
    if (o->n == o->cap) {
        size_t cap = o->cap ? o->cap * 2 : 32;
        ind_record *g = realloc(o->rec, cap * sizeof *g);
        if (!g) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
        o->rec = g;
        o->cap = cap;
    }
    keep(&o->rec[o->n++], r);
    return PU_OK;
}

/* The module that publishes name ("trace" of "trace.ttc_days"), or NULL. */
static const app_module *publisher(const char *name) {
    const char *dot = strchr(name, '.');
    size_t k = dot ? (size_t)(dot - name) : strlen(name);
    const app_module *const *m = app_modules();
    for (size_t i = 0; m[i]; i++)
        if (m[i]->counts && strlen(m[i]->name) == k && !strncmp(m[i]->name, name, k)) return m[i];
    return NULL;
}

typedef struct mod_set {
    const app_module *m[IND_RECORDS_MODULES_MAX];
    size_t n;
    const char *refused;   /* a name whose publisher lists no records */
} mod_set;

static int add_module(const char *name, void *ctx) {
    mod_set *s = ctx;
    const app_module *m = publisher(name);
    if (!m) return PU_OK;                      /* no publisher: no rows, no records */
    if (!m->count_records) {
        s->refused = name;
        return 1;
    }
    for (size_t i = 0; i < s->n; i++)
        if (s->m[i] == m) return PU_OK;
    if (s->n < IND_RECORDS_MODULES_MAX) s->m[s->n++] = m;
    return PU_OK;
}

static int find_def(db_t *db, const char *code, ind_def **defs, size_t *n, const ind_def **out, pu_err *err) {
    int rc = ind_defs_load(db, defs, n, err);
    for (size_t i = 0; !rc && i < *n; i++)
        if (!strcmp((*defs)[i].code, code)) {
            *out = &(*defs)[i];
            return PU_OK;
        }
    return rc ? rc : pu_fail(err, PU_ERR_NOTFOUND, NULL, "code", "no indicator '%s'", code);
}

/* The formula q asks for: the indicator's numerator or denominator, or a
 * count reference of its own (q->formula). */
static int formula_of(db_t *db, const ind_records_query *q, ind_expr **e, pu_err *err) {
    if (q->formula) return ind_expr_parse(q->formula, strlen(q->formula), NULL, "count", e, err);
    if (!q->code) return pu_fail(err, PU_ERR_INVALID, NULL, "code", "an indicator code or a count name is needed");
    int den = q->part && !strcmp(q->part, "denominator");
    if (q->part && !den && strcmp(q->part, "numerator"))
        return pu_fail(err, PU_ERR_INVALID, NULL, "part", "expected numerator or denominator, got '%s'", q->part);
    ind_def *defs = NULL;
    size_t n = 0;
    const ind_def *d = NULL;
    int rc = find_def(db, q->code, &defs, &n, &d, err);
    if (!rc && d->manual)
        rc = pu_fail(err, PU_ERR_INVALID, NULL, "code", "%s is entered by hand (source: %s): no records behind it",
                     d->code, d->source);
    const char *text = rc ? "" : den ? d->denominator : d->numerator;
    if (!rc && !*text)
        rc = pu_fail(err, PU_ERR_INVALID, NULL, "part", "%s has no denominator", d->code);
    if (!rc) rc = ind_expr_parse(text, strlen(text), d->code, den ? "denominator" : "numerator", e, err);
    ind_defs_free(defs, n);
    return rc;
}

static int cell_of(const ind_records_query *q, ind_cell *c, pu_err *err) {
    memset(c, 0, sizeof *c);
    if (!q->period) return pu_fail(err, PU_ERR_INVALID, NULL, "period", "the period is required (2026, 2026-Q1, 2026-03)");
    int rc = ind_period_parse(q->period, &c->year, &c->month_from, &c->month_to, err);
    /* "-" names the cell of rows without a value of the dimension */
    c->country = q->country && !strcmp(q->country, "-") ? "" : q->country;
    c->state = q->state && !strcmp(q->state, "-") ? "" : q->state;
    c->agency = q->agency && !strcmp(q->agency, "-") ? "" : q->agency;
    return rc;
}

int ind_records_list(db_t *db, const store_scope *scope, const ind_records_query *q, ind_records *out, pu_err *err) {
    memset(out, 0, sizeof *out);
    if (!scope) return pu_fail(err, PU_ERR_INTERNAL, NULL, NULL, "records need the reader's scope");
    size_t limit = q->limit ? q->limit : IND_RECORDS_PAGE_DEFAULT;
    if (limit > IND_RECORDS_PAGE_MAX)
        return pu_fail(err, PU_ERR_INVALID, NULL, "limit", "at most %d records a page", IND_RECORDS_PAGE_MAX);
    ind_cell c;
    ind_expr *e = NULL;
    int rc = cell_of(q, &c, err);
    if (!rc) rc = formula_of(db, q, &e, err);
    mod_set mods = {.n = 0};
    if (!rc && ind_expr_names(e, add_module, &mods))
        rc = pu_fail(err, PU_ERR_DENIED, NULL, mods.refused,
                     "%s is published as aggregates only: its records are never listed", mods.refused);
    rec_walk w = {.e = e, .c = &c, .out = out, .offset = q->offset, .limit = limit};
    for (size_t i = 0; !rc && i < mods.n; i++) rc = mods.m[i]->count_records(db, scope, on_row, &w, err);
    if (!rc && w.suppressed)
        rc = pu_fail(err, PU_ERR_DENIED, NULL, w.name,
                     "the figure includes a small number withheld by its publisher (%s): its records are not listed",
                     w.name);
    ind_expr_free(e);
    if (rc) ind_records_free(out);
    return rc;
}

void ind_records_free(ind_records *r) {
    if (!r) return;
    free(r->rec);
    memset(r, 0, sizeof *r);
}

static void json_field(FILE *out, const char *key, const char *v, int first) {
    fprintf(out, "%s\"%s\":", first ? "" : ",", key);
    ind_json_str(out, v);
}

int ind_records_write(const ind_records *r, const ind_records_query *q, int json, FILE *out, pu_err *err) {
    if (json) {
        fprintf(out, "{\"total\":%zu,\"sum\":%.17g,\"offset\":%zu,\"records\":[", r->total, r->sum, q->offset);
        for (size_t i = 0; i < r->n; i++) {
            const ind_record *k = &r->rec[i];
            fputs(i ? ",{" : "{", out);
            json_field(out, "name", k->name, 1);
            json_field(out, "kind", k->kind, 0);
            json_field(out, "id", k->id, 0);
            json_field(out, "label", k->label, 0);
            json_field(out, "date", k->date, 0);
            json_field(out, "country", k->country, 0);
            json_field(out, "state", k->state, 0);
            json_field(out, "agency", k->agency, 0);
            json_field(out, "marking", k->marking, 0);
            json_field(out, "link", k->link, 0);
            fprintf(out, ",\"value\":%.17g}", k->value);
        }
        fputs("]}\n", out);
    } else {
        fputs("name,kind,id,date,country,state,agency,marking,value,label,link\n", out);
        for (size_t i = 0; i < r->n; i++) {
            const ind_record *k = &r->rec[i];
            const char *f[] = {k->name, k->kind, k->id, k->date, k->country, k->state, k->agency, k->marking};
            for (size_t j = 0; j < sizeof f / sizeof *f; j++) {
                pu_csv_write_field(out, f[j]);
                fputc(',', out);
            }
            fprintf(out, "%.17g,", k->value);
            pu_csv_write_field(out, k->label);
            fputc(',', out);
            pu_csv_write_field(out, k->link);
            fputc('\n', out);
        }
    }
    return ferror(out) ? pu_fail(err, PU_ERR_IO, NULL, NULL, "cannot write the records") : PU_OK;
}
