/*
 * http_indicators.c - the thin HTTP shell over src/indicators
 * (docs/indicators.md): definitions, manual values, computed figures, the
 * drill-down and the framework report as HTML. Every figure is computed
 * with the caller's scope (r->scope); `releasable_to` computes under the
 * scope that sees only what the named countries may read.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http/http_int.h"
#include "indicators/ind.h"

#define IND_DEFS_BODY_MAX ((size_t)1 << 20)
#define IND_REPORT_HTTP_MAX ((size_t)32 << 20)
/* The report is a static page: its own inline style and SVG, nothing else. */
#define IND_REPORT_CSP "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

static int engine_fail(http_req *r, int rc, const pu_err *pe) {
    return http_fail(r, rc, pe->field[0] ? pe->field : NULL, "%s", pe->msg);
}

/* What an engine writer put into a memory stream, answered as JSON. */
static int respond_stream(http_req *r, char *buf, size_t len) {
    json_error_t je;
    json_t *o = json_loadb(buf ? buf : "", len, 0, &je);
    free(buf);
    if (!o) return http_fail(r, PU_ERR_INTERNAL, NULL, "the engine wrote no JSON: %s", je.text);
    return http_json(r, 200, o);
}

/* releasable_to=US|MX|MX,US: the audience's scope instead of the caller's. */
static int audience_scope(http_req *r, store_scope *out, char *label, size_t size) {
    *out = r->scope;
    label[0] = '\0';
    const char *v = http_arg(r, "releasable_to");
    if (!v) return PU_OK;
    int us = 0, mx = 0;
    if (!strcmp(v, "US")) us = 1;
    else if (!strcmp(v, "MX")) mx = 1;
    else if (!strcmp(v, "MX,US") || !strcmp(v, "US,MX")) us = mx = 1;
    else return http_fail(r, PU_ERR_INVALID, "releasable_to", "expected US, MX or MX,US");
    *out = ind_scope_releasable;
    if (!(us && mx)) out->country = us ? "US" : "MX";
    (void)pu_snprintf(label, size, "%s", us && mx ? "MX, US" : us ? "US" : "MX");
    return PU_OK;
}

/* ---- GET /api/v1/indicators ---- */
int h_ind_list(http_req *r) {
    int rc = http_only_args(r, (const char *const[]){NULL});
    if (rc) return rc;
    ind_def *d = NULL;
    size_t n = 0;
    pu_err pe;
    if ((rc = ind_defs_load(r->db, &d, &n, &pe))) return engine_fail(r, rc, &pe);
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *t = json_object();
        for (size_t k = 0; k < d[i].ntargets; k++)
            json_object_set_new(t, d[i].targets[k].period, json_real(d[i].targets[k].value));
        json_t *o = json_pack("{s:s,s:s,s:s,s:{s:s,s:s},s:{s:s,s:s},s:s,s:s,s:f,s:s,s:s,s:s,s:s,s:b,s:s,s:o}",
                              "code", d[i].code, "goal", d[i].goal, "area", d[i].area, "name", "en", d[i].name[0], "es",
                              d[i].name[1], "description", "en", d[i].description[0], "es", d[i].description[1],
                              "numerator", d[i].numerator, "denominator", d[i].denominator, "factor", d[i].factor,
                              "unit", d[i].unit, "direction", d[i].direction > 0 ? "up" : "down", "period",
                              d[i].period, "disaggregation", d[i].disaggregation, "manual", d[i].manual, "source",
                              d[i].source, "targets", t);
        if (d[i].baseline_year) {
            json_object_set_new(o, "baseline_year", json_integer(d[i].baseline_year));
            json_object_set_new(o, "baseline_value", isnan(d[i].baseline_value) ? json_null() : json_real(d[i].baseline_value));
        }
        json_array_append_new(arr, o);
    }
    ind_defs_free(d, n);
    (void)pu_buf_printf(&r->detail, "indicators=%zu", n);
    return http_json(r, 200, json_pack("{s:o}", "indicators", arr));
}

/* ---- POST /api/v1/indicators {"csv": "..."}: add or replace definitions ---- */
int h_ind_define(http_req *r) {
    json_t *b;
    int rc = http_body_object(r, &b);
    if (rc) return rc;
    const char *csv = NULL;
    if (!(rc = http_only_keys(r, b, (const char *const[]){"csv", NULL}, "body")) &&
        !(rc = http_str_member(r, b, "csv", "body", &csv)) && !csv)
        rc = http_fail(r, PU_ERR_INVALID, "csv", "expected the definitions as CSV text");
    if (!rc && strlen(csv) > IND_DEFS_BODY_MAX) rc = http_fail(r, PU_ERR_LIMIT, "csv", "at most 1 MB of definitions");
    ind_def *d = NULL;
    size_t n = 0;
    pu_err pe;
    if (!rc && (rc = ind_defs_read_mem(csv, strlen(csv), "body.csv", &d, &n, &pe))) rc = engine_fail(r, rc, &pe);
    if (!rc && (rc = ind_defs_put(r->db, d, n, &pe))) rc = engine_fail(r, rc, &pe);
    for (size_t i = 0; !rc && i < n; i++) http_target(r, d[i].code);
    ind_defs_free(d, n);
    json_decref(b);
    return rc ? rc : http_json(r, 200, json_pack("{s:I}", "defined", (json_int_t)n));
}

/* ---- POST /api/v1/indicators/{code}/values ---- */
int h_ind_value(http_req *r) {
    json_t *b;
    int rc = http_body_object(r, &b);
    if (rc) return rc;
    const char *period = NULL, *source = NULL, *marking = NULL;
    json_t *v = json_object_get(b, "value");
    if (!(rc = http_only_keys(r, b, (const char *const[]){"period", "value", "source", "marking", NULL}, "body")) &&
        !(rc = http_str_member(r, b, "period", "body", &period)) &&
        !(rc = http_str_member(r, b, "source", "body", &source)))
        rc = http_str_member(r, b, "marking", "body", &marking);
    if (!rc && (!period || !json_is_number(v)))
        rc = http_fail(r, PU_ERR_INVALID, !period ? "period" : "value", "expected period (text) and value (a number)");
    pu_err pe;
    if (!rc) {
        http_target(r, r->params[0]);
        rc = ind_value_add(r->db, &r->scope, r->params[0], period, json_number_value(v), source, r->scope.agency,
                           marking, &pe);
        if (rc) rc = engine_fail(r, rc, &pe);
    }
    json_t *res = rc ? NULL : json_pack("{s:s,s:s,s:f}", "code", r->params[0], "period", period, "value",
                                        json_number_value(v));
    json_decref(b);   /* period and v point into b */
    return rc ? rc : http_json(r, 201, res);
}

/* ---- GET /api/v1/indicators/figures ---- */
int h_ind_figures(http_req *r) {
    static const char *const args[] = {"year", "from", "by", "code", "releasable_to", NULL};
    int rc = http_only_args(r, args);
    int64_t year, from;
    if (!rc) rc = http_arg_int(r, "year", IND_YEAR_MIN, IND_YEAR_MAX, 0, &year);
    if (!rc && !year) rc = http_fail(r, PU_ERR_INVALID, "year", "the year is required");
    if (!rc) rc = http_arg_int(r, "from", 0, IND_YEAR_MAX, 0, &from);
    store_scope scope;
    char label[16];
    if (!rc) rc = audience_scope(r, &scope, label, sizeof label);
    if (rc) return rc;
    ind_query q = {.code = http_arg(r, "code"), .year = (int)year, .from_year = (int)from, .by = http_arg(r, "by")};
    ind_result res;
    pu_err pe;
    if ((rc = ind_compute(r->db, &scope, &q, &res, &pe))) return engine_fail(r, rc, &pe);
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m) {
        ind_result_free(&res);
        return http_fail(r, PU_ERR_NOMEM, NULL, "out of memory");
    }
    rc = ind_result_write(&res, 1, m, &pe);
    fclose(m);
    (void)pu_buf_printf(&r->detail, "year=%lld figures=%zu%s%s", (long long)year, res.n, *label ? " releasable_to=" : "", label);
    ind_result_free(&res);
    if (rc) {
        free(buf);
        return engine_fail(r, rc, &pe);
    }
    return respond_stream(r, buf, len);
}

/* ---- GET /api/v1/indicators/{code}/drill ---- */
int h_ind_drill(http_req *r) {
    static const char *const args[] = {"period", "by", "cell", "releasable_to", NULL};
    int rc = http_only_args(r, args);
    store_scope scope;
    char label[16];
    if (!rc) rc = audience_scope(r, &scope, label, sizeof label);
    if (rc) return rc;
    const char *period = http_arg(r, "period");
    if (!period) return http_fail(r, PU_ERR_INVALID, "period", "the period is required (2026, 2026-Q1, 2026-03)");
    http_target(r, r->params[0]);
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m) return http_fail(r, PU_ERR_NOMEM, NULL, "out of memory");
    pu_err pe;
    fputs("{\"rows\":", m);
    rc = ind_drill(r->db, &scope, r->params[0], period, http_arg(r, "by"), http_arg(r, "cell"), 1, m, &pe);
    fputs("}", m);
    fclose(m);
    if (rc) {
        free(buf);
        return engine_fail(r, rc, &pe);
    }
    return respond_stream(r, buf, len);
}

/* ---- GET /api/v1/indicators/{code}/records ---- */
/* The records behind a figure's numerator (part=denominator: its
 * denominator), paged; a refusal (aggregates only, suppressed) is a 403
 * with its reason. Audited as indicator.records with the query and the
 * number listed. */
int h_ind_records(http_req *r) {
    static const char *const args[] = {"period", "part", "country", "state", "agency", "limit", "offset",
                                       "releasable_to", NULL};
    int rc = http_only_args(r, args);
    store_scope scope;
    char label[16];
    int64_t limit = 0, offset = 0;
    if (!rc) rc = audience_scope(r, &scope, label, sizeof label);
    if (!rc) rc = http_arg_int(r, "limit", 1, IND_RECORDS_PAGE_MAX, IND_RECORDS_PAGE_DEFAULT, &limit);
    if (!rc) rc = http_arg_int(r, "offset", 0, INT32_MAX, 0, &offset);
    if (rc) return rc;
    const char *period = http_arg(r, "period");
    if (!period) return http_fail(r, PU_ERR_INVALID, "period", "the period is required (2026, 2026-Q1, 2026-03)");
    http_target(r, r->params[0]);
    ind_records_query q = {.code = r->params[0], .part = http_arg(r, "part"), .period = period,
                           .country = http_arg(r, "country"), .state = http_arg(r, "state"),
                           .agency = http_arg(r, "agency"), .limit = (size_t)limit, .offset = (size_t)offset};
    ind_records res;
    pu_err pe;
    if ((rc = ind_records_list(r->db, &scope, &q, &res, &pe))) {
        if (rc == PU_ERR_DENIED) r->force_code = "records_refused"; /* not the caller's rights: the figure's kind */
        return engine_fail(r, rc, &pe);
    }
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m) {
        ind_records_free(&res);
        return http_fail(r, PU_ERR_NOMEM, NULL, "out of memory");
    }
    rc = ind_records_write(&res, &q, 1, m, &pe);
    fclose(m);
    (void)pu_buf_printf(&r->detail, "period=%s part=%s listed=%zu total=%zu%s%s", period, q.part ? q.part : "numerator",
                        res.n, res.total, *label ? " releasable_to=" : "", label);
    ind_records_free(&res);
    if (rc) {
        free(buf);
        return engine_fail(r, rc, &pe);
    }
    return respond_stream(r, buf, len);
}

/* ---- GET /api/v1/reports/framework (HTML) ---- */
/* The PDF: the engine prints its HTML with headless Chromium into a private
 * temporary file (ind_report_write), which is read back and removed. */
static int report_pdf(http_req *r, const store_scope *scope, ind_report_opts *o, const char *label) {
    char path[] = "/tmp/puente-report-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) return http_fail(r, PU_ERR_IO, NULL, "cannot make a temporary file for the PDF");
    close(fd);
    o->pdf = 1;
    pu_err pe;
    int rc = ind_report_write(r->db, scope, o, path, &pe);
    if (rc) {
        unlink(path);
        return engine_fail(r, rc, &pe);
    }
    FILE *f = fopen(path, "rb");
    pu_buf_reset(&r->out);
    r->out.max = IND_REPORT_HTTP_MAX;
    char chunk[16384];
    size_t n;
    while (f && rc == PU_OK && (n = fread(chunk, 1, sizeof chunk, f)) > 0) rc = pu_buf_append(&r->out, chunk, n);
    if (f) fclose(f);
    unlink(path);
    if (!f || rc) return http_fail(r, f ? rc : PU_ERR_IO, NULL, "the PDF could not be read back");
    (void)pu_buf_printf(&r->detail, "year=%d lang=%s format=pdf%s%s", o->year, o->lang, *label ? " releasable_to=" : "",
                        label);
    r->status = 200;
    r->content_type = "application/pdf";
    return PU_OK;
}

int h_ind_report(http_req *r) {
    static const char *const args[] = {"year", "lang", "releasable_to", "format", NULL};
    int rc = http_only_args(r, args);
    const char *format = http_arg(r, "format");
    if (!rc && format && strcmp(format, "html") && strcmp(format, "pdf"))
        rc = http_fail(r, PU_ERR_INVALID, "format", "expected html or pdf");
    int64_t year;
    if (!rc) rc = http_arg_int(r, "year", IND_YEAR_MIN, IND_YEAR_MAX, 0, &year);
    if (!rc && !year) rc = http_fail(r, PU_ERR_INVALID, "year", "the year is required");
    const char *lang = http_arg(r, "lang");
    if (!rc && lang && strcmp(lang, "en") && strcmp(lang, "es")) rc = http_fail(r, PU_ERR_INVALID, "lang", "expected en or es");
    store_scope scope;
    char label[16];
    if (!rc) rc = audience_scope(r, &scope, label, sizeof label);
    if (rc) return rc;
    ind_report_opts o = {.year = (int)year, .lang = lang ? lang : i18n_code(r->lang), .audience = *label ? label : NULL};
    if (format && !strcmp(format, "pdf")) return report_pdf(r, &scope, &o, label);
    pu_buf_reset(&r->out);
    r->out.max = IND_REPORT_HTTP_MAX;
    pu_err pe;
    if ((rc = ind_report_html(r->db, &scope, &o, &r->out, &pe))) return engine_fail(r, rc, &pe);
    (void)pu_buf_printf(&r->detail, "year=%lld lang=%s%s%s", (long long)year, o.lang, *label ? " releasable_to=" : "", label);
    r->status = 200;
    r->content_type = "text/html; charset=utf-8";
    r->csp = IND_REPORT_CSP;
    return PU_OK;
}
