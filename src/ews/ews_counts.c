/*
 * ews_counts.c - the "date,count" weekly series reader and the detection
 * CSV writer. Outside input: every rejection names file:line and the field.
 */
#include "ews/ews.h"
#include "common/pu_io.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define COUNTS_MAX_WEEKS 10000000

void ews_counts_free(ews_counts *c) {
    if (!c) return;
    free(c->y); free(c->days); free(c->week);
    free(c);
}

static int parse_int64(const char *s, int64_t *out) {
    if (!*s) return -1;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end) return -1;
    *out = v;
    return 0;
}

static int grow(ews_counts *c, size_t *cap) {
    if (c->n < *cap) return PU_OK;
    size_t nc = *cap ? *cap * 2 : 256;
    double *y = realloc(c->y, nc * sizeof *y);
    if (!y) return PU_ERR_NOMEM;
    c->y = y;
    int64_t *d = realloc(c->days, nc * sizeof *d);
    if (!d) return PU_ERR_NOMEM;
    c->days = d;
    int64_t *w = realloc(c->week, nc * sizeof *w);
    if (!w) return PU_ERR_NOMEM;
    c->week = w;
    *cap = nc;
    return PU_OK;
}

static int read_rows(pu_csv *r, ews_counts *c, pu_err *err) {
    const pu_csv_row *row;
    char where[PU_ERR_WHERE_MAX];
    int rc = pu_csv_next(r, &row, err);
    if (rc) return rc;
    if (!row) return pu_fail(err, PU_ERR_INVALID, pu_csv_name(r), "header", "empty file: expected a header 'date,count'");
    int cd = pu_csv_col(row, "date"), cn = pu_csv_col(row, "count");
    if (cd < 0 || cn < 0) {
        snprintf(where, sizeof where, "%s:%llu", pu_csv_name(r), (unsigned long long)row->line);
        return pu_fail(err, PU_ERR_INVALID, where, cd < 0 ? "date" : "count",
                       "expected a header with columns 'date' and 'count'");
    }
    size_t cap = 0;
    int kind = 0; /* 1 ISO date, 2 week index */
    for (;;) {
        rc = pu_csv_next(r, &row, err);
        if (rc) return rc;
        if (!row) break;
        snprintf(where, sizeof where, "%s:%llu", pu_csv_name(r), (unsigned long long)row->line);
        if ((size_t)cd >= row->n || (size_t)cn >= row->n)
            return pu_fail(err, PU_ERR_INVALID, where, "count", "expected %d fields, got %zu",
                           (cd > cn ? cd : cn) + 1, row->n);
        if (c->n >= COUNTS_MAX_WEEKS) return pu_fail(err, PU_ERR_LIMIT, where, NULL, "more than %d weeks", COUNTS_MAX_WEEKS);
        if ((rc = grow(c, &cap))) return pu_fail(err, rc, where, NULL, "out of memory");
        char ds[64], cs[64];
        pu_strlcpy(ds, row->fields[cd], sizeof ds);
        pu_strlcpy(cs, row->fields[cn], sizeof cs);
        pu_trim(ds);
        pu_trim(cs);
        int64_t v;
        int k;
        if (strchr(ds, '-') && strlen(ds) == 10 && pu_parse_date(ds, &v) == PU_OK) k = 1;
        else if (parse_int64(ds, &v) == 0) k = 2;
        else return pu_fail(err, PU_ERR_INVALID, where, "date",
                            "expected an ISO date YYYY-MM-DD or an integer week index, got '%s'", ds);
        if (kind && k != kind)
            return pu_fail(err, PU_ERR_INVALID, where, "date",
                           "mixes ISO dates and week indexes; use one kind for the whole file");
        kind = k;
        if (c->n > 0) {
            int64_t prev = kind == 1 ? c->days[c->n - 1] : c->week[c->n - 1];
            int64_t step = kind == 1 ? 7 : 1;
            char pb[16] = "";
            if (kind == 1) pu_format_date(prev, pb, sizeof pb);
            else snprintf(pb, sizeof pb, "%lld", (long long)prev);
            if (v == prev)
                return pu_fail(err, PU_ERR_INVALID, where, "date", "duplicate week '%s' (already on the previous row)", ds);
            if (v < prev)
                return pu_fail(err, PU_ERR_INVALID, where, "date",
                               "dates out of order: '%s' comes after '%s'; sort the file by date", ds, pb);
            if (v - prev != step)
                return pu_fail(err, PU_ERR_INVALID, where, "date",
                               kind == 1 ? "expected the week after '%s' (7 days later), got '%s': write 0 for weeks "
                                           "without reports and keep one weekday"
                                         : "expected week %s + 1, got '%s': write 0 for weeks without reports",
                               pb, ds);
        }
        char *end;
        errno = 0;
        double y = strtod(cs, &end);
        if (!*cs || errno || *end || !isfinite(y))
            return pu_fail(err, PU_ERR_INVALID, where, "count", "expected a number of reports, got '%s'", cs);
        if (y < 0) return pu_fail(err, PU_ERR_INVALID, where, "count", "negative count %s: counts are >= 0", cs);
        c->y[c->n] = y;
        c->days[c->n] = kind == 1 ? v : 0;
        c->week[c->n] = kind == 2 ? v : (int64_t)c->n + 1;
        c->n++;
    }
    if (c->n == 0) return pu_fail(err, PU_ERR_INVALID, pu_csv_name(r), "count", "no weeks after the header");
    if (kind == 2) {
        free(c->days);
        c->days = NULL;
    }
    return PU_OK;
}

static int counts_from(pu_csv *r, ews_counts **out, pu_err *err) {
    ews_counts *c = calloc(1, sizeof *c);
    if (!c) {
        pu_csv_close(r);
        return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    int rc = read_rows(r, c, err);
    pu_csv_close(r);
    if (rc) {
        ews_counts_free(c);
        return rc;
    }
    *out = c;
    return PU_OK;
}

int ews_counts_read(const char *path, ews_counts **out, pu_err *err) {
    *out = NULL;
    pu_csv *r;
    pu_csv_opts o = {.delim = ',', .max_record = 4096, .max_fields = 64, .strict_quotes = 1};
    int rc = pu_csv_open(path, &o, &r, err);
    if (rc) return rc;
    return counts_from(r, out, err);
}

int ews_counts_read_mem(const char *data, size_t n, ews_counts **out, pu_err *err) {
    *out = NULL;
    pu_csv *r;
    pu_csv_opts o = {.delim = ',', .max_record = 4096, .max_fields = 64, .strict_quotes = 1};
    int rc = pu_csv_open_mem(data, n, &o, &r, err);
    if (rc) return rc;
    return counts_from(r, out, err);
}

int ews_result_write_csv(FILE *f, const ews_counts *c, const ews_result *r, pu_err *err) {
    fputs("date,count,upperbound,alarm\n", f);
    for (size_t i = 0; i < c->n; i++) {
        char d[16];
        if (c->days) pu_format_date(c->days[i], d, sizeof d);
        else snprintf(d, sizeof d, "%lld", (long long)c->week[i]);
        fprintf(f, "%s,%.17g,", d, c->y[i]);
        if (r && i < r->n && !isnan(r->upper[i])) fprintf(f, "%.17g", r->upper[i]);
        fputc(',', f);
        if (r && i < r->n && r->alarm[i] >= 0) fputc(r->alarm[i] ? '1' : '0', f);
        fputc('\n', f);
    }
    if (fflush(f) != 0 || ferror(f)) return pu_fail(err, PU_ERR_IO, NULL, NULL, "cannot write the output");
    return PU_OK;
}
